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

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

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
    own.into_iter()
        .chain(roots.iter().map(Vec::as_slice))
        .filter_map(|dir| join(dir, &include.name))
        .find(|candidate| exists(candidate))
}

/// The include graph of a tree: for each source file, the files of the
/// tree it includes directly.
#[derive(Debug, Clone, Default)]
pub struct IncludeGraph {
    edges: HashMap<Vec<u8>, Vec<Vec<u8>>>,
}

impl IncludeGraph {
    /// Build the graph from each source file's directives. `files` is
    /// every file of the tree (sources or not: an include may name any
    /// file), `roots` the include roots (`include/`, ...).
    pub fn build<'a>(
        files: &BTreeSet<Vec<u8>>,
        includes: impl IntoIterator<Item = (&'a [u8], &'a [Include])>,
        roots: &[Vec<u8>],
    ) -> IncludeGraph {
        let roots: Vec<Vec<u8>> = roots
            .iter()
            .map(|r| {
                let mut r = r.clone();
                while r.last() == Some(&b'/') {
                    r.pop();
                }
                if !r.is_empty() {
                    r.push(b'/');
                }
                r
            })
            .collect();
        let mut edges = HashMap::new();
        for (from, list) in includes {
            let mut targets: Vec<Vec<u8>> = list
                .iter()
                .filter_map(|inc| resolve(from, inc, &roots, |p| files.contains(p)))
                .filter(|target| target.as_slice() != from)
                .collect();
            targets.sort();
            targets.dedup();
            if !targets.is_empty() {
                edges.insert(from.to_vec(), targets);
            }
        }
        IncludeGraph { edges }
    }

    /// The files `from` includes directly.
    pub fn includes_of(&self, from: &[u8]) -> &[Vec<u8>] {
        self.edges.get(from).map_or(&[], Vec::as_slice)
    }

    /// Every file reached from `starts` through includes, transitively,
    /// that `inside` does not hold, with the files that include it
    /// directly among those reached or started from (sorted).
    pub fn reached_outside<'s>(
        &self,
        starts: impl IntoIterator<Item = &'s [u8]>,
        inside: impl Fn(&[u8]) -> bool,
    ) -> BTreeMap<Vec<u8>, Vec<Vec<u8>>> {
        let mut seen: BTreeSet<Vec<u8>> = BTreeSet::new();
        let mut queue: VecDeque<Vec<u8>> = VecDeque::new();
        for start in starts {
            if seen.insert(start.to_vec()) {
                queue.push_back(start.to_vec());
            }
        }
        let mut reached: BTreeMap<Vec<u8>, Vec<Vec<u8>>> = BTreeMap::new();
        while let Some(file) = queue.pop_front() {
            for target in self.includes_of(&file) {
                if !inside(target) {
                    let by = reached.entry(target.clone()).or_default();
                    if !by.contains(&file) {
                        by.push(file.clone());
                    }
                }
                if seen.insert(target.clone()) {
                    queue.push_back(target.clone());
                }
            }
        }
        for by in reached.values_mut() {
            by.sort();
        }
        reached
    }
}

impl IncludeGraph {
    /// Of the files `reached` ([`IncludeGraph::reached_outside`]), those
    /// that only `inside` code includes: every file of the tree that
    /// includes one is inside, or is itself such a file (a header only
    /// crypto headers include). The rest are shared with other code
    /// (`rte_common.h`), and making them part of the tier would pull in
    /// every change to common infrastructure.
    pub fn exclusive(
        &self,
        reached: &BTreeMap<Vec<u8>, Vec<Vec<u8>>>,
        inside: impl Fn(&[u8]) -> bool,
    ) -> BTreeSet<Vec<u8>> {
        let mut includers: HashMap<&[u8], Vec<&[u8]>> = HashMap::new();
        for (from, targets) in &self.edges {
            for target in targets {
                if reached.contains_key(target) {
                    includers
                        .entry(target.as_slice())
                        .or_default()
                        .push(from.as_slice());
                }
            }
        }
        let mut exclusive: BTreeSet<Vec<u8>> = reached.keys().cloned().collect();
        loop {
            let shared: Vec<Vec<u8>> = exclusive
                .iter()
                .filter(|f| {
                    includers
                        .get(f.as_slice())
                        .is_some_and(|by| by.iter().any(|b| !inside(b) && !exclusive.contains(*b)))
                })
                .cloned()
                .collect();
            if shared.is_empty() {
                return exclusive;
            }
            for f in shared {
                exclusive.remove(&f);
            }
        }
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
        let starts = files
            .iter()
            .filter(|f| f.starts_with(b"crypto/"))
            .map(Vec::as_slice);
        let reached = graph.reached_outside(starts, |p| p.starts_with(b"crypto/"));
        let shown: Vec<(String, Vec<String>)> = reached
            .iter()
            .map(|(f, by)| {
                (
                    String::from_utf8_lossy(f).into_owned(),
                    by.iter()
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "include/crypto/aes.h".to_owned(),
                    vec!["crypto/aes.c".to_owned()]
                ),
                (
                    "include/crypto/tables.h".to_owned(),
                    vec!["include/crypto/aes.h".to_owned()]
                ),
                (
                    "include/qemu/osdep.h".to_owned(),
                    vec!["crypto/hash.c".to_owned()]
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
        let reached = graph.reached_outside([&b"a/x.h"[..]], |p| p.starts_with(b"a/"));
        assert_eq!(reached.len(), 1);
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
