//! The boundary drawn by the code's own dependencies: C and C++ files that
//! a forbidden tier's code includes, wherever they live.
//!
//! Tiers are drawn by directory, but a header that only `crypto/*.c`
//! includes (`include/crypto/aes.h`) is as much a part of the crypto code
//! as the files in `crypto/`: a change to it changes what the crypto code
//! compiles to. This module reads `#include` directives and follows them
//! from a tier's files, transitively, to the files outside the tier they
//! reach (`tiergate boundary`); with `follow_includes: true` on a tier,
//! those files are judged as part of it.
//!
//! What is read, and how it is resolved, mirrors what a C compiler does
//! with `-I` options (GCC's "Search Path"):
//!
//! - Files: C and C++ sources and headers by extension ([`is_source`]).
//!   Other languages are not read yet.
//! - Directives: `#include "x"` and `#include <x>` (also `#include_next`
//!   and Objective-C's `#import`), with spaces allowed around `#`, outside
//!   comments. Conditional compilation is not evaluated: an include inside
//!   `#if 0` still counts, which can only make the boundary wider (the
//!   safe side). Computed includes (`#include MACRO`) are skipped.
//! - `"x"`: the including file's directory first, then each include root;
//!   `<x>`: the include roots only. The first file of the tree found
//!   wins, as the first matching `-I` directory does. A name that resolves
//!   to no file of the tree (a system header) is dropped.
//!
//! Pure: the caller lists the tree and hands over the sources' contents.

use std::collections::{BTreeMap, BTreeSet};

/// Extensions of the files read for includes (C, C++, their headers).
pub const SOURCE_EXTENSIONS: &[&str] = &[
    "c", "h", "cc", "cpp", "cxx", "c++", "hh", "hpp", "hxx", "h++", "inc", "ipp", "tcc", "m", "mm",
];

/// Whether `path` is read for `#include` directives.
pub fn is_source(path: &[u8]) -> bool {
    let name = match path.iter().rposition(|&b| b == b'/') {
        Some(slash) => &path[slash + 1..],
        None => path,
    };
    let Some(dot) = name.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    let ext = &name[dot + 1..];
    SOURCE_EXTENSIONS
        .iter()
        .any(|e| e.as_bytes().eq_ignore_ascii_case(ext))
}

/// One `#include` directive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Include {
    /// `"name"` (true) or `<name>` (false).
    pub quoted: bool,
    /// The name between the delimiters, as written.
    pub name: Vec<u8>,
}

/// The `#include` directives of one file's `content`, in order.
///
/// Comments are skipped as the preprocessor's first phases do (`/* */`
/// across lines, `//` to the end of the line), and line continuations
/// (backslash-newline) join lines, so `# /* c */ include <a.h>` and an
/// include split over two lines are read; string literals cannot hold a
/// directive, since a directive starts a line.
pub fn parse_includes(content: &[u8]) -> Vec<Include> {
    let logical = strip_comments(content);
    let mut found = Vec::new();
    for line in logical.split(|&b| b == b'\n') {
        let rest = trim_start(line);
        let Some(rest) = rest.strip_prefix(b"#") else {
            continue;
        };
        let rest = trim_start(rest);
        let rest = [&b"include_next"[..], b"include", b"import"]
            .iter()
            .find_map(|kw| rest.strip_prefix(*kw));
        let Some(rest) = rest else { continue };
        let rest = trim_start(rest);
        let (close, quoted) = match rest.first() {
            Some(b'"') => (b'"', true),
            Some(b'<') => (b'>', false),
            _ => continue,
        };
        let body = &rest[1..];
        if let Some(end) = body.iter().position(|&b| b == close) {
            if end > 0 {
                found.push(Include {
                    quoted,
                    name: body[..end].to_vec(),
                });
            }
        }
    }
    found
}

fn trim_start(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\x0b' | b'\x0c' | b'\r'))
        .unwrap_or(s.len());
    &s[start..]
}

/// `content` with comments replaced by a space and backslash-newlines
/// removed; newlines inside block comments are kept so that a directive
/// after one still starts its line. String and character literals are
/// copied as they are (a `/*` inside one opens no comment).
fn strip_comments(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len());
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < content.len() {
        let b = content[i];
        if b == b'\\' && content.get(i + 1) == Some(&b'\n') {
            i += 2;
            continue;
        }
        if b == b'\\' && content.get(i + 1..i + 3) == Some(b"\r\n") {
            i += 3;
            continue;
        }
        if let Some(q) = quote {
            out.push(b);
            if b == b'\\' {
                if let Some(&next) = content.get(i + 1) {
                    out.push(next);
                    i += 1;
                }
            } else if b == q || b == b'\n' {
                quote = None;
            }
            i += 1;
            continue;
        }
        match (b, content.get(i + 1)) {
            (b'/', Some(b'*')) => {
                out.push(b' ');
                i += 2;
                while i < content.len()
                    && !(content[i] == b'*' && content.get(i + 1) == Some(&b'/'))
                {
                    if content[i] == b'\n' {
                        out.push(b'\n');
                    }
                    i += 1;
                }
                i += 2;
            }
            (b'/', Some(b'/')) => {
                while i < content.len() && content[i] != b'\n' {
                    i += 1;
                }
            }
            (b'"' | b'\'', _) => {
                // `#include "a.h"` is a header name, not a string, but it
                // ends on the same line either way.
                quote = Some(b);
                out.push(b);
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Join `dir` (with a trailing `/`, or empty) and `name`, resolving `.` and
/// `..` segments; `None` if the name climbs above the top of the tree or is
/// absolute.
fn join(dir: &[u8], name: &[u8]) -> Option<Vec<u8>> {
    if name.first() == Some(&b'/') {
        return None;
    }
    let mut parts: Vec<&[u8]> = dir
        .split(|&b| b == b'/')
        .filter(|p| !p.is_empty())
        .collect();
    for part in name.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join(&b'/'))
}

fn dir_of(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(slash) => &path[..=slash],
        None => &[],
    }
}

/// Which file of the tree an include of `from` names, if any.
pub fn resolve(
    from: &[u8],
    include: &Include,
    roots: &[Vec<u8>],
    exists: impl Fn(&[u8]) -> bool,
) -> Option<Vec<u8>> {
    let own = include.quoted.then(|| dir_of(from));
    first_found(
        &mut Vec::new(),
        own,
        &include.name,
        &normalise_roots(roots),
        |candidate| exists(candidate).then(|| candidate.to_vec()),
    )
}

/// What `found` says of the first candidate for include `name` it accepts:
/// `name` in the including file's directory `own` (for `"x"`), then in
/// each of `roots` (normalised: [`normalise_roots`]), as a compiler tries
/// its `-I` directories. `buf` holds the candidate (kept between calls:
/// no allocation per directive).
fn first_found<T>(
    buf: &mut Vec<u8>,
    own: Option<&[u8]>,
    name: &[u8],
    roots: &[Vec<u8>],
    mut found: impl FnMut(&[u8]) -> Option<T>,
) -> Option<T> {
    let plain = is_plain(name);
    for dir in own.into_iter().chain(roots.iter().map(Vec::as_slice)) {
        if plain {
            buf.clear();
            buf.extend_from_slice(dir);
            buf.extend_from_slice(name);
        } else {
            match join(dir, name) {
                Some(joined) => *buf = joined,
                None => continue,
            }
        }
        if let Some(answer) = found(buf) {
            return Some(answer);
        }
    }
    None
}

/// A file of an [`IncludeGraph`], by index.
type Node = u32;

/// A file's `#include` directives, packed: per directive `"` or `<`, the
/// name, NUL (names never hold a NUL: a directive is one line of text,
/// and [`parse_includes`] stops at the delimiter). One allocation per file
/// instead of one per directive: a tree's graph is rebuilt or updated on
/// every push that moves the default branch.
fn pack(list: &[Include]) -> Bytes {
    let mut out = Vec::with_capacity(list.iter().map(|i| i.name.len() + 2).sum());
    for include in list {
        out.push(if include.quoted { b'"' } else { b'<' });
        out.extend_from_slice(&include.name);
        out.push(0);
    }
    Bytes::Own(out.into_boxed_slice())
}

/// `(quoted, name)` of each directive of packed `directives`.
fn directives(packed: &[u8]) -> impl Iterator<Item = (bool, &[u8])> {
    packed
        .split(|&b| b == 0)
        .filter_map(|d| d.split_first())
        .map(|(&kind, name)| (kind == b'"', name))
}

/// A path or packed directives of a graph: a range of the bytes it was
/// decoded from ([`IncludeGraph::decode`] copies nothing else, so that
/// the graph kept between pushes costs one read and a scan), or bytes
/// of its own (built, or updated since).
#[derive(Debug, Clone)]
enum Bytes {
    Kept(u32, u32),
    Own(Box<[u8]>),
}

impl Default for Bytes {
    fn default() -> Bytes {
        Bytes::Own(Box::default())
    }
}

/// The include graph of a tree: every file of the tree, each source
/// file's directives, and the files of the tree each one includes
/// directly (resolved as the module docs say).
///
/// It can be kept from one tree to the next ([`IncludeGraph::encode`]) and
/// brought up to date with the files a diff changed
/// ([`IncludeGraph::update`]): only the files whose resolution can have
/// changed are resolved again, and the result is the graph
/// [`IncludeGraph::build`] would make of the new tree (a unit test
/// compares the two on random trees and changes).
#[derive(Debug, Clone, Default)]
pub struct IncludeGraph {
    /// Include roots, normalised (`include/`; empty for the top).
    roots: Vec<Vec<u8>>,
    /// What the graph was decoded from ([`Bytes::Kept`] ranges).
    kept: Vec<u8>,
    paths: Vec<Bytes>,
    /// Whether the file of each node is in the tree (an update leaves
    /// removed files' nodes in place, absent).
    present: Vec<bool>,
    /// Every node, sorted by path: the index (a sorted list, not a hash
    /// map, so that the kept graph is read without hashing every path).
    order: Vec<Node>,
    directives: Vec<Bytes>,
    /// Sorted, without duplicates or the file itself.
    edges: Vec<Vec<Node>>,
}

/// A file a diff added, changed or removed, for [`IncludeGraph::update`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileChange {
    /// The file is in the new tree, with these directives (none for a
    /// file that is not a source or has none).
    Put(Vec<u8>, Vec<Include>),
    /// The file is not in the new tree.
    Removed(Vec<u8>),
}

/// A file reached from a tier's code ([`IncludeGraph::reached_from`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    /// The file, outside the tier.
    pub path: Vec<u8>,
    /// The files that include it directly among those reached or in the
    /// tier (sorted).
    pub included_by: Vec<Vec<u8>>,
    /// Only the tier's code includes it, directly or through other such
    /// files ([`IncludeGraph::reached_from`]).
    pub exclusive: bool,
}

/// `roots` with `.`/`..` resolved and one trailing `/` (none for the
/// top); a root above the top of the tree names nothing and is dropped.
fn normalise_roots(roots: &[Vec<u8>]) -> Vec<Vec<u8>> {
    roots
        .iter()
        .filter_map(|r| join(b"", r))
        .map(|mut r| {
            if !r.is_empty() {
                r.push(b'/');
            }
            r
        })
        .collect()
}

/// Whether `name` joins a directory by plain concatenation: relative, no
/// empty, `.` or `..` segment (the common case; [`join`] does the rest).
fn is_plain(name: &[u8]) -> bool {
    !name.is_empty()
        && name
            .split(|&b| b == b'/')
            .all(|seg| !seg.is_empty() && seg != b"." && seg != b"..")
}

impl IncludeGraph {
    /// Build the graph of a tree: `files` is every file of the tree
    /// (sources or not: an include may name any file), `includes` each
    /// source file's directives, `roots` the include roots (`include/`,
    /// ...).
    pub fn build<'a, F: AsRef<[u8]>>(
        files: impl IntoIterator<Item = F>,
        includes: impl IntoIterator<Item = (&'a [u8], &'a [Include])>,
        roots: &[Vec<u8>],
    ) -> IncludeGraph {
        let mut graph = IncludeGraph {
            roots: normalise_roots(roots),
            ..IncludeGraph::default()
        };
        let mut paths: Vec<Vec<u8>> = files.into_iter().map(|f| f.as_ref().to_vec()).collect();
        paths.sort_unstable();
        paths.dedup();
        let count = Node::try_from(paths.len()).expect("fewer than 2^32 files");
        graph.present = vec![true; paths.len()];
        graph.directives = vec![Bytes::default(); paths.len()];
        graph.edges = vec![Vec::new(); paths.len()];
        graph.order = (0..count).collect();
        graph.paths = paths
            .into_iter()
            .map(|p| Bytes::Own(p.into_boxed_slice()))
            .collect();
        for (from, list) in includes {
            let node = graph.node(from);
            graph.directives[node as usize] = pack(list);
        }
        for node in 0..graph.paths.len() as Node {
            graph.edges[node as usize] = graph.resolve_node(node);
        }
        graph
    }

    /// The node of `path`, added (present) if the graph has none.
    fn node(&mut self, path: &[u8]) -> Node {
        let at = match self.find(path) {
            Ok(at) => {
                let node = self.order[at];
                self.present[node as usize] = true;
                return node;
            }
            Err(at) => at,
        };
        let node = Node::try_from(self.paths.len()).expect("fewer than 2^32 files");
        self.paths.push(Bytes::Own(path.into()));
        self.present.push(true);
        self.directives.push(Bytes::default());
        self.edges.push(Vec::new());
        self.order.insert(at, node);
        node
    }

    /// Where `path` is in `order` (or would be).
    fn find(&self, path: &[u8]) -> Result<usize, usize> {
        self.order.binary_search_by(|&n| self.path(n).cmp(path))
    }

    fn bytes<'a>(&'a self, bytes: &'a Bytes) -> &'a [u8] {
        match bytes {
            Bytes::Kept(start, end) => &self.kept[*start as usize..*end as usize],
            Bytes::Own(own) => own,
        }
    }

    fn path(&self, node: Node) -> &[u8] {
        self.bytes(&self.paths[node as usize])
    }

    fn packed_directives(&self, node: Node) -> &[u8] {
        self.bytes(&self.directives[node as usize])
    }

    fn present_node(&self, path: &[u8]) -> Option<Node> {
        let node = self.order[self.find(path).ok()?];
        self.present[node as usize].then_some(node)
    }

    /// The files `node`'s directives name, resolved against the graph's
    /// files and roots.
    fn resolve_node(&self, node: Node) -> Vec<Node> {
        let own = dir_of(self.path(node));
        let mut buf = Vec::new();
        let mut targets = Vec::new();
        for (quoted, name) in directives(self.packed_directives(node)) {
            let own = quoted.then_some(own);
            let found = first_found(&mut buf, own, name, &self.roots, |c| self.present_node(c));
            if let Some(target) = found.filter(|&t| t != node) {
                targets.push(target);
            }
        }
        targets.sort_unstable();
        targets.dedup();
        targets
    }

    /// Bring the graph to the tree a diff made of its own: `changes` are
    /// the files the diff added, changed (with their new directives) or
    /// removed. Files resolved again: the changed ones, those that
    /// included a removed one, and, when files were added, those with a
    /// directive whose last name segment is an added file's name (an
    /// added `include/x.h` can only be what a `x.h` directive names).
    /// Whether any file's includes changed.
    pub fn update(&mut self, changes: impl IntoIterator<Item = FileChange>) -> bool {
        let mut dirty: BTreeSet<Node> = BTreeSet::new();
        let mut removed: BTreeSet<Node> = BTreeSet::new();
        let mut added: BTreeSet<Vec<u8>> = BTreeSet::new();
        let mut changed = false;
        for change in changes {
            match change {
                FileChange::Removed(path) => {
                    if let Some(node) = self.present_node(&path) {
                        self.present[node as usize] = false;
                        self.directives[node as usize] = Bytes::default();
                        changed |= !self.edges[node as usize].is_empty();
                        self.edges[node as usize].clear();
                        removed.insert(node);
                    }
                }
                FileChange::Put(path, list) => {
                    let directives = pack(&list);
                    match self.present_node(&path) {
                        Some(node) if self.packed_directives(node) == self.bytes(&directives) => {}
                        Some(node) => {
                            self.directives[node as usize] = directives;
                            dirty.insert(node);
                        }
                        None => {
                            let node = self.node(&path);
                            self.directives[node as usize] = directives;
                            dirty.insert(node);
                            added.insert(last_segment(&path).to_vec());
                        }
                    }
                }
            }
        }
        if !removed.is_empty() {
            for (node, targets) in self.edges.iter().enumerate() {
                if targets.iter().any(|t| removed.contains(t)) {
                    dirty.insert(node as Node);
                }
            }
        }
        if !added.is_empty() {
            for node in 0..self.paths.len() as Node {
                if directives(self.packed_directives(node))
                    .any(|(_, name)| names_segment(name, |last| added.contains(last)))
                {
                    dirty.insert(node);
                }
            }
        }
        for node in dirty {
            if !self.present[node as usize] {
                continue;
            }
            let targets = self.resolve_node(node);
            if targets != self.edges[node as usize] {
                self.edges[node as usize] = targets;
                changed = true;
            }
        }
        changed
    }

    /// Resolve every file again if `roots` are not the graph's roots;
    /// whether they were not.
    pub fn set_roots(&mut self, roots: &[Vec<u8>]) -> bool {
        let roots = normalise_roots(roots);
        if roots == self.roots {
            return false;
        }
        self.roots = roots;
        for node in 0..self.paths.len() as Node {
            if self.present[node as usize] {
                self.edges[node as usize] = self.resolve_node(node);
            }
        }
        true
    }

    /// Every file of the tree, in no particular order.
    pub fn files(&self) -> impl Iterator<Item = &[u8]> {
        self.paths
            .iter()
            .zip(&self.present)
            .filter(|(_, &present)| present)
            .map(|(p, _)| self.bytes(p))
    }

    /// The files `from` includes directly (sorted by node, not by name).
    pub fn includes_of(&self, from: &[u8]) -> Vec<&[u8]> {
        self.present_node(from).map_or_else(Vec::new, |n| {
            self.edges[n as usize]
                .iter()
                .map(|&t| self.path(t))
                .collect()
        })
    }

    /// The files outside tier `tier` that the tier's code reaches through
    /// includes, transitively, with `tier_of` giving each file's tier;
    /// sorted by path. A reached file is `exclusive` when every file of
    /// the tree that includes it is in the tier or is itself such a file
    /// (a header only crypto headers include). The rest are shared with
    /// other code (`rte_common.h`): making them part of the tier would
    /// pull in every change to common infrastructure.
    pub fn reached_from(&self, tier_of: impl Fn(&[u8]) -> usize, tier: usize) -> Vec<Reached> {
        let n = self.paths.len();
        // Tiers are computed only for the files that matter: those that
        // include something (possible starts) and those reached.
        let mut tiers: Vec<Option<usize>> = vec![None; n];
        let tier_at = |node: Node, tiers: &mut Vec<Option<usize>>| {
            *tiers[node as usize].get_or_insert_with(|| tier_of(self.path(node)))
        };
        let mut seen = vec![false; n];
        let mut queue = std::collections::VecDeque::new();
        for node in 0..n as Node {
            if self.present[node as usize]
                && !self.edges[node as usize].is_empty()
                && tier_at(node, &mut tiers) == tier
            {
                seen[node as usize] = true;
                queue.push_back(node);
            }
        }
        let mut reached: BTreeMap<Node, Vec<Node>> = BTreeMap::new();
        while let Some(file) = queue.pop_front() {
            for &target in &self.edges[file as usize] {
                if tier_at(target, &mut tiers) != tier {
                    let by = reached.entry(target).or_default();
                    if !by.contains(&file) {
                        by.push(file);
                    }
                }
                if !seen[target as usize] {
                    seen[target as usize] = true;
                    queue.push_back(target);
                }
            }
        }
        // Shared: reached files that a file outside the tier includes
        // and that is not itself reached (code elsewhere), then, through
        // includes, every reached file a shared one includes. The rest are
        // exclusive. One pass over the edges and one walk: the same
        // answer as dropping shared files from the reached set until none
        // is dropped, without going round once per level of headers.
        let mut in_reached = vec![false; n];
        for &node in reached.keys() {
            in_reached[node as usize] = true;
        }
        let mut shared = vec![false; n];
        let mut walk = Vec::new();
        for (from, targets) in self.edges.iter().enumerate() {
            if in_reached[from] || !self.present[from] {
                continue;
            }
            for &target in targets {
                if in_reached[target as usize]
                    && !shared[target as usize]
                    && tier_at(from as Node, &mut tiers) != tier
                {
                    shared[target as usize] = true;
                    walk.push(target);
                }
            }
        }
        while let Some(node) = walk.pop() {
            for &target in &self.edges[node as usize] {
                if in_reached[target as usize] && !shared[target as usize] {
                    shared[target as usize] = true;
                    walk.push(target);
                }
            }
        }
        let path = |node: &Node| self.path(*node).to_vec();
        let mut out: Vec<Reached> = reached
            .iter()
            .map(|(node, by)| {
                let mut included_by: Vec<Vec<u8>> = by.iter().map(path).collect();
                included_by.sort();
                Reached {
                    path: path(node),
                    included_by,
                    exclusive: !shared[*node as usize],
                }
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }
}

impl IncludeGraph {
    /// The graph as bytes, for [`IncludeGraph::decode`]: the roots, then
    /// per file of the tree, sorted by path, its path, its packed
    /// directives and the files it includes (by their place in this
    /// list). Removed files are left out. Paths end with NUL (they never
    /// hold one: git refuses them in trees); numbers are 32-bit little
    /// endian, the directives length-prefixed.
    pub fn encode(&self) -> Vec<u8> {
        let mut place: Vec<u32> = vec![u32::MAX; self.paths.len()];
        let mut count: u32 = 0;
        for &node in &self.order {
            if self.present[node as usize] {
                place[node as usize] = count;
                count += 1;
            }
        }
        let mut out = Vec::new();
        let number = |out: &mut Vec<u8>, n: usize| {
            out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
        };
        number(&mut out, self.roots.len());
        for root in &self.roots {
            out.extend_from_slice(root);
            out.push(0);
        }
        number(&mut out, count as usize);
        for &node in &self.order {
            let node = node as usize;
            if !self.present[node] {
                continue;
            }
            out.extend_from_slice(self.bytes(&self.paths[node]));
            out.push(0);
            let directives = self.bytes(&self.directives[node]);
            number(&mut out, directives.len());
            out.extend_from_slice(directives);
            // Sorted by place, as `resolve_node` sorts by node.
            let mut targets: Vec<u32> = self.edges[node]
                .iter()
                .map(|&t| place[t as usize])
                .collect();
            targets.sort_unstable();
            number(&mut out, targets.len());
            for target in targets {
                number(&mut out, target as usize);
            }
        }
        out
    }

    /// The graph [`IncludeGraph::encode`] wrote, or `None` if `data` is
    /// not one (cut short, damaged): the caller builds the graph again.
    pub fn decode(data: &[u8]) -> Option<IncludeGraph> {
        let mut pos = 0;
        let path = |pos: &mut usize| -> Option<&[u8]> {
            let end = *pos + memchr::memchr(0, data.get(*pos..)?)?;
            let f = &data[*pos..end];
            *pos = end + 1;
            Some(f)
        };
        let number = |pos: &mut usize| -> Option<usize> {
            let bytes = data.get(*pos..pos.checked_add(4)?)?;
            *pos += 4;
            Some(u32::from_le_bytes(bytes.try_into().ok()?) as usize)
        };
        let roots_len = number(&mut pos)?;
        let mut roots = Vec::with_capacity(roots_len.min(64));
        for _ in 0..roots_len {
            roots.push(path(&mut pos)?.to_vec());
        }
        let count = number(&mut pos)?;
        // Every file takes at least 9 bytes: a damaged count cannot make
        // this allocate much.
        if count > data.len() / 9 {
            return None;
        }
        // Ranges of `data` are kept as 32-bit offsets.
        u32::try_from(data.len()).ok()?;
        let range = |start: usize, len: usize| Bytes::Kept(start as u32, (start + len) as u32);
        let mut graph = IncludeGraph {
            roots,
            kept: Vec::new(),
            paths: Vec::with_capacity(count),
            present: vec![true; count],
            order: (0..count as Node).collect(),
            directives: Vec::with_capacity(count),
            edges: Vec::with_capacity(count),
        };
        let mut last: &[u8] = &[];
        for node in 0..count {
            let file_at = pos;
            let file = path(&mut pos)?;
            // Sorted and distinct, as encode wrote them: `order` holds.
            if node > 0 && last >= file {
                return None;
            }
            last = file;
            let len = number(&mut pos)?;
            let directives_at = pos;
            let directives = data.get(pos..pos.checked_add(len)?)?;
            if directives.last().is_some_and(|&b| b != 0) {
                return None;
            }
            pos += len;
            let edges_len = number(&mut pos)?;
            let mut edges = Vec::with_capacity(edges_len.min(data.len() / 4));
            for _ in 0..edges_len {
                let target = number(&mut pos)?;
                // Sorted, distinct, not the file itself, a file of the list.
                if target >= count
                    || target == node
                    || edges.last().is_some_and(|&l| l as usize >= target)
                {
                    return None;
                }
                edges.push(target as Node);
            }
            graph.paths.push(range(file_at, file.len()));
            graph.directives.push(range(directives_at, len));
            graph.edges.push(edges);
        }
        if pos != data.len() {
            return None;
        }
        graph.kept = data.to_vec();
        Some(graph)
    }
}

/// The last segment of a path.
fn last_segment(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(slash) => &path[slash + 1..],
        None => path,
    }
}

/// Whether an include `name` can name a file whose last segment `is`
/// accepts: its last segment that is not empty or `.` (what [`join`]
/// keeps), or any file at all when that is `..`.
fn names_segment(name: &[u8], is: impl Fn(&[u8]) -> bool) -> bool {
    match name
        .split(|&b| b == b'/')
        .rev()
        .find(|seg| !seg.is_empty() && *seg != b".")
    {
        Some(b"..") => true,
        Some(last) => is(last),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inc(quoted: bool, name: &str) -> Include {
        Include {
            quoted,
            name: name.as_bytes().to_vec(),
        }
    }

    #[test]
    fn reads_directives_as_the_preprocessor_does() {
        let src = br##"#include "a.h"
  #  include <sys/b.h>
#include_next <c.h>
#import "d.h"
/* #include "commented.h" */
// #include "line-commented.h"
#/* comment */include "e.h"
#include \
    "continued.h"
const char *s = "#include \"in-string.h\"";
#include MACRO_HEADER
#define X "#include <no.h>"
#include "f.h" // trailing comment
#if 0
#include "disabled.h"
#endif
"##;
        assert_eq!(
            parse_includes(src),
            [
                inc(true, "a.h"),
                inc(false, "sys/b.h"),
                inc(false, "c.h"),
                inc(true, "d.h"),
                inc(true, "e.h"),
                inc(true, "continued.h"),
                inc(true, "f.h"),
                inc(true, "disabled.h"),
            ]
        );
    }

    #[test]
    fn a_block_comment_keeps_the_lines_after_it() {
        let src = b"/* one\n two\n */\n#include \"x.h\"\n";
        assert_eq!(parse_includes(src), [inc(true, "x.h")]);
        // An unterminated comment swallows the rest, as in C.
        assert_eq!(parse_includes(b"/* open\n#include \"x.h\"\n"), []);
    }

    #[test]
    fn resolves_like_a_compiler_with_dash_i() {
        let files: BTreeSet<Vec<u8>> = [
            "crypto/aes.c",
            "crypto/aes-local.h",
            "include/crypto/aes.h",
            "include/qemu/osdep.h",
            "util/aes-local.h",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        let roots = vec![b"include/".to_vec()];
        let exists = |p: &[u8]| files.contains(p);
        let from = b"crypto/aes.c";
        assert_eq!(
            resolve(from, &inc(true, "aes-local.h"), &roots, exists).as_deref(),
            Some(&b"crypto/aes-local.h"[..])
        );
        assert_eq!(
            resolve(from, &inc(true, "crypto/aes.h"), &roots, exists).as_deref(),
            Some(&b"include/crypto/aes.h"[..])
        );
        // <...> never looks beside the including file.
        assert_eq!(
            resolve(from, &inc(false, "aes-local.h"), &roots, exists),
            None
        );
        assert_eq!(
            resolve(from, &inc(true, "../util/aes-local.h"), &roots, exists).as_deref(),
            Some(&b"util/aes-local.h"[..])
        );
        assert_eq!(resolve(from, &inc(false, "stdio.h"), &roots, exists), None);
        assert_eq!(
            resolve(from, &inc(true, "../../../etc/x.h"), &roots, exists),
            None
        );
        assert_eq!(
            resolve(from, &inc(true, "/usr/include/x.h"), &roots, exists),
            None
        );
    }

    #[test]
    fn follows_includes_transitively_outside_the_tier() {
        let files: BTreeSet<Vec<u8>> = [
            "crypto/aes.c",
            "crypto/hash.c",
            "crypto/local.h",
            "include/crypto/aes.h",
            "include/crypto/tables.h",
            "include/qemu/osdep.h",
            "hw/net/e1000.c",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        let includes: Vec<(&[u8], Vec<Include>)> = vec![
            (
                b"crypto/aes.c",
                vec![
                    inc(true, "local.h"),
                    inc(true, "crypto/aes.h"),
                    inc(false, "stdint.h"),
                ],
            ),
            (b"crypto/hash.c", vec![inc(true, "qemu/osdep.h")]),
            (b"include/crypto/aes.h", vec![inc(true, "tables.h")]),
            (b"hw/net/e1000.c", vec![inc(true, "qemu/osdep.h")]),
        ];
        let graph = IncludeGraph::build(
            &files,
            includes.iter().map(|(p, l)| (*p, l.as_slice())),
            &[b"include".to_vec()],
        );
        let tier_of = |p: &[u8]| usize::from(!p.starts_with(b"crypto/"));
        let reached = graph.reached_from(tier_of, 0);
        let shown: Vec<(String, Vec<String>, bool)> = reached
            .iter()
            .map(|r| {
                (
                    String::from_utf8_lossy(&r.path).into_owned(),
                    r.included_by
                        .iter()
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .collect(),
                    r.exclusive,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "include/crypto/aes.h".to_owned(),
                    vec!["crypto/aes.c".to_owned()],
                    true
                ),
                (
                    "include/crypto/tables.h".to_owned(),
                    vec!["include/crypto/aes.h".to_owned()],
                    true
                ),
                (
                    "include/qemu/osdep.h".to_owned(),
                    vec!["crypto/hash.c".to_owned()],
                    false
                ),
            ]
        );
    }

    #[test]
    fn include_cycles_end() {
        let files: BTreeSet<Vec<u8>> = ["a/x.h", "b/y.h"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        let includes: Vec<(&[u8], Vec<Include>)> = vec![
            (b"a/x.h", vec![inc(true, "../b/y.h")]),
            (b"b/y.h", vec![inc(true, "../a/x.h")]),
        ];
        let graph = IncludeGraph::build(
            &files,
            includes.iter().map(|(p, l)| (*p, l.as_slice())),
            &[],
        );
        let reached = graph.reached_from(|p| usize::from(!p.starts_with(b"a/")), 0);
        assert_eq!(reached.len(), 1);
        assert!(reached[0].exclusive, "only a/ includes b/y.h");
    }

    /// The edges of every file, by path, for comparing graphs.
    fn edges_by_path(graph: &IncludeGraph) -> BTreeMap<Vec<u8>, BTreeSet<Vec<u8>>> {
        graph
            .files()
            .map(|f| {
                let to = graph.includes_of(f).into_iter().map(<[u8]>::to_vec);
                (f.to_vec(), to.collect())
            })
            .collect()
    }

    /// What [`IncludeGraph::reached_from`] answers, the slow and obvious
    /// way: a walk from the tier's files, then dropping shared files
    /// until none is dropped.
    fn reached_naively(
        graph: &IncludeGraph,
        inside: impl Fn(&[u8]) -> bool,
    ) -> Vec<(Vec<u8>, Vec<Vec<u8>>, bool)> {
        let edges = edges_by_path(graph);
        let mut seen: BTreeSet<Vec<u8>> = edges.keys().filter(|f| inside(f)).cloned().collect();
        let mut queue: Vec<Vec<u8>> = seen.iter().cloned().collect();
        let mut reached: BTreeMap<Vec<u8>, BTreeSet<Vec<u8>>> = BTreeMap::new();
        while let Some(file) = queue.pop() {
            for target in &edges[&file] {
                if !inside(target) {
                    reached
                        .entry(target.clone())
                        .or_default()
                        .insert(file.clone());
                }
                if seen.insert(target.clone()) {
                    queue.push(target.clone());
                }
            }
        }
        let mut exclusive: BTreeSet<Vec<u8>> = reached.keys().cloned().collect();
        loop {
            let shared: Vec<Vec<u8>> = exclusive
                .iter()
                .filter(|f| {
                    edges.iter().any(|(from, to)| {
                        to.contains(*f) && !inside(from) && !exclusive.contains(from)
                    })
                })
                .cloned()
                .collect();
            if shared.is_empty() {
                break;
            }
            for f in shared {
                exclusive.remove(&f);
            }
        }
        reached
            .into_iter()
            .map(|(f, by)| {
                let ex = exclusive.contains(&f);
                (f, by.into_iter().collect(), ex)
            })
            .collect()
    }

    #[test]
    fn an_updated_graph_is_the_graph_of_the_new_tree() {
        // A small xorshift: the same cases every run.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let dirs = ["", "a/", "a/b/", "include/", "include/a/", "c/"];
        let names = [
            "x.h", "y.h", "z.c", "b/x.h", "a/y.h", "../x.h", "./y.h", "w.c",
        ];
        let roots = [b"include".to_vec(), b"c/".to_vec()];
        for case in 0..300 {
            let mut tree: BTreeMap<Vec<u8>, Vec<Include>> = BTreeMap::new();
            let random_file = |tree: &mut BTreeMap<Vec<u8>, Vec<Include>>,
                               next: &mut dyn FnMut(usize) -> usize| {
                let path = format!("{}{}", dirs[next(dirs.len())], names[next(names.len())])
                    .replace("../", "")
                    .replace("./", "");
                let includes = (0..next(4))
                    .map(|_| inc(next(2) == 0, names[next(names.len())]))
                    .collect();
                tree.insert(path.into_bytes(), includes);
            };
            for _ in 0..next(12) {
                random_file(&mut tree, &mut next);
            }
            let build = |tree: &BTreeMap<Vec<u8>, Vec<Include>>| {
                IncludeGraph::build(
                    tree.keys(),
                    tree.iter().map(|(p, l)| (p.as_slice(), l.as_slice())),
                    &roots,
                )
            };
            let mut graph = build(&tree);
            for step in 0..4 {
                let before = tree.clone();
                let mut changes = Vec::new();
                for _ in 0..next(4) {
                    if next(3) == 0 && !tree.is_empty() {
                        let path = tree.keys().nth(next(tree.len())).expect("a file").clone();
                        tree.remove(&path);
                    } else {
                        random_file(&mut tree, &mut next);
                    }
                }
                for (path, list) in &tree {
                    if before.get(path) != Some(list) {
                        changes.push(FileChange::Put(path.clone(), list.clone()));
                    }
                }
                for path in before.keys().filter(|p| !tree.contains_key(*p)) {
                    changes.push(FileChange::Removed(path.clone()));
                }
                let changed = graph.update(changes);
                let fresh = build(&tree);
                assert_eq!(
                    edges_by_path(&graph),
                    edges_by_path(&fresh),
                    "case {case}, step {step}: {tree:?}"
                );
                let old = edges_by_path(&build(&before));
                let edges_changed = old
                    .iter()
                    .any(|(p, to)| !to.is_empty() && edges_by_path(&fresh).get(p) != Some(to))
                    || edges_by_path(&fresh)
                        .iter()
                        .any(|(p, to)| !to.is_empty() && old.get(p) != Some(to));
                assert_eq!(changed, edges_changed, "case {case}, step {step}");
                let inside = |p: &[u8]| p.starts_with(b"a/");
                let answer: Vec<(Vec<u8>, Vec<Vec<u8>>, bool)> = graph
                    .reached_from(|p| usize::from(!inside(p)), 0)
                    .into_iter()
                    .map(|r| (r.path, r.included_by, r.exclusive))
                    .collect();
                assert_eq!(
                    answer,
                    reached_naively(&fresh, inside),
                    "case {case}, step {step}"
                );
                // Kept and read back, it is the same graph.
                graph = IncludeGraph::decode(&graph.encode()).expect("decodes");
                assert_eq!(edges_by_path(&graph), edges_by_path(&fresh));
            }
        }
    }

    #[test]
    fn a_damaged_graph_does_not_decode() {
        let graph = IncludeGraph::build(
            ["a.c", "a.h"],
            [(&b"a.c"[..], &[inc(true, "a.h")][..])],
            &[b"include".to_vec()],
        );
        let data = graph.encode();
        for cut in 0..data.len() {
            assert!(IncludeGraph::decode(&data[..cut]).is_none(), "cut at {cut}");
        }
        let mut bad = data.clone();
        let last = bad.len() - 2;
        bad[last] = b'9';
        assert!(IncludeGraph::decode(&bad).is_none(), "edge to no file");
        assert!(IncludeGraph::decode(&data).is_some());
    }

    #[test]
    fn sources_by_extension() {
        assert!(is_source(b"crypto/aes.c"));
        assert!(is_source(b"include/x.H"));
        assert!(is_source(b"a.hpp"));
        assert!(!is_source(b"Makefile"));
        assert!(!is_source(b"dir.c/README"));
        assert!(!is_source(b"docs/x.rst"));
    }
}
