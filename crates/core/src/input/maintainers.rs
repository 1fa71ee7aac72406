//! A policy proposed from a MAINTAINERS file
//! (`tiergate policy init --from-maintainers FILE`), in the formats of the
//! Linux kernel (and U-Boot), QEMU and DPDK.
//!
//! # The file
//!
//! A *section* is a title line followed by `X: value` tag lines (`M:`,
//! `R:`, `L:`, `S:`, `F:`, `X:`, `N:`, `K:`, ...; a tab or spaces after
//! the colon); the first line that is not a tag line ends it. A *group
//! heading* is a line underlined by a line of `-` or `=` (QEMU's "Guest CPU
//! cores (TCG)", DPDK's "Crypto Drivers"): it names the group of the
//! sections below it, up to the next heading, and when tag lines follow
//! its underline directly (DPDK) the heading is a section of its own. The
//! underline is never a title. Everything else (the introduction, the
//! indented description of the tags) is skipped. [`parse`] keeps each
//! section's title, group, line, status, maintainers and reviewers (`M:`,
//! `R:`), lists (`L:`), file patterns (`F:`), exclusions (`X:`), file
//! regexes (`N:`) and keywords (`K:`).
//!
//! # Patterns, with the kernel's semantics
//!
//! As `scripts/get_maintainer.pl` reads them (the kernel's MAINTAINERS
//! preamble describes them; QEMU and DPDK use the same rules):
//!
//! - `dir/` (trailing slash): the directory and everything below →
//!   `dir/` (the policy's own directory syntax);
//! - `dir/*` and `dir/*.c`: `*` and `?` stay within one level → as is;
//! - a name without a trailing slash or wildcard (`drivers/net/foo`) is a
//!   file or, if the tree has a directory there, that directory and
//!   everything below: with a tree, the one it is (`foo` or `foo/`);
//!   without one, a name whose last part has an extension is a file and
//!   anything else is proposed both ways;
//! - MAINTAINERS patterns are anchored at the top: a pattern without `/` is
//!   written with a leading `/` (`/Makefile`, `/*.S`), since a policy
//!   pattern without `/` would match at any depth;
//! - `N:` (a regex on the path) is evaluated against the tree's files,
//!   which are listed one by one (without a tree it is named in a comment);
//! - `K:` (a keyword matched in patch *contents*) says nothing about
//!   paths: named in a comment.
//!
//! Patterns are normalised (`./` and repeated `/` removed), and one path
//! is proposed once: a pattern another pattern of the same tier covers
//! (`drivers/crypto/ccp/` under `drivers/crypto/`) or an earlier tier
//! holds is dropped.
//!
//! ### Deviation
//!
//! - get_maintainer.pl matches a pattern as a regex prefix, so
//!   `F: include/linux/foo.h` also matches `include/linux/foo.hx`, and a `*`
//!   before a trailing slash (`arch/*/kvm/`) may span levels; tiergate's
//!   translation matches the name exactly and `*` within one level, which is
//!   what the MAINTAINERS documentation describes.
//!
//! # Choosing the critical sections
//!
//! Selectors, combinable (a section chosen by any of them is critical):
//! by title regex, by group heading regex, by status (`S:`), by maintainer
//! or reviewer (`M:`/`R:` regex), by list (`L:` regex), and by path: an
//! `F:` path prefix (`drivers/crypto/`) makes the prefix itself critical,
//! whole, and with it only those patterns of a section that lie under it,
//! so that a crypto driver's shared `drivers/common/...` code or its
//! documentation does not become critical with it.
//!
//! # The proposal
//!
//! [`propose`] writes a policy (YAML, with comments naming the source
//! section and line of every pattern): tier `critical` (`ai: forbidden`);
//! tier `open` for the documentation and test directories, found in the
//! tree as the project names them (`doc/`, `docs/`, `Documentation/`,
//! `test/`, `tests/`, `testing/`, `selftests/` at the top or one level
//! down: DPDK's `app/test/`, the kernel's `tools/testing/`) or, without a
//! tree, those the file names, and for sections chosen as open; tier
//! `core` (`ai: allowed`, `require: [Reviewed-by]`) for everything else.
//! A critical section's documentation and tests stay open, so that one
//! documentation directory is not split between two tiers. The
//! [`Proposal`] says what went where.

use regex::Regex;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// One MAINTAINERS section.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    /// The title line.
    pub title: String,
    /// The group heading above it, if the file has headings.
    pub group: Option<String>,
    /// 1-based line of the title (of the first tag line when untitled).
    pub line: usize,
    /// `S:` value, if any.
    pub status: Option<String>,
    /// `M:` and `R:` values.
    pub maintainers: Vec<String>,
    /// `L:` values.
    pub lists: Vec<String>,
    /// `F:` patterns, as written.
    pub files: Vec<String>,
    /// `X:` patterns, as written.
    pub excludes: Vec<String>,
    /// `N:` regexes, as written.
    pub regexes: Vec<String>,
    /// `K:` keywords, as written.
    pub keywords: Vec<String>,
}

/// Whether `line` underlines a heading: `---` or `===`, three or more,
/// nothing else but surrounding blanks.
fn is_underline(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3 && (t.bytes().all(|b| b == b'-') || t.bytes().all(|b| b == b'='))
}

/// Parse the sections of a MAINTAINERS file (see the module docs).
pub fn parse(text: &str) -> Vec<Section> {
    let lines: Vec<&str> = text.lines().collect();
    let mut sections: Vec<Section> = Vec::new();
    let mut current: Option<Section> = None;
    let mut group: Option<String> = None;
    for (i, line) in lines.iter().enumerate() {
        let line_no = i + 1;
        if let Some((tag, value)) = tag_line(line) {
            let section = current.get_or_insert_with(|| {
                let previous = i.checked_sub(1).map(|p| lines[p]);
                let (title, title_line) = match previous {
                    // A heading whose own tag lines follow its underline.
                    Some(underline) if is_underline(underline) && i >= 2 => {
                        (lines[i - 2].trim(), i - 1)
                    }
                    Some(title) if !title.trim().is_empty() => (title.trim(), i),
                    _ => ("(untitled)", line_no),
                };
                Section {
                    title: title.to_owned(),
                    group: group.clone(),
                    line: title_line,
                    ..Section::default()
                }
            });
            let value = value.trim().to_owned();
            if value.is_empty() {
                continue;
            }
            match tag {
                'S' => section.status = Some(value),
                'M' | 'R' => section.maintainers.push(value),
                'L' => section.lists.push(value),
                'F' => section.files.push(value),
                'X' => section.excludes.push(value),
                'N' => section.regexes.push(value),
                'K' => section.keywords.push(value),
                _ => {}
            }
            continue;
        }
        if let Some(done) = current.take() {
            sections.push(done);
        }
        if is_underline(line) {
            if let Some(heading) = i.checked_sub(1).map(|p| lines[p].trim()) {
                if !heading.is_empty() && tag_line(lines[i - 1]).is_none() {
                    group = Some(heading.to_owned());
                }
            }
        }
    }
    if let Some(done) = current {
        sections.push(done);
    }
    sections
}

/// `X:\tvalue` / `X: value` at the start of a line.
fn tag_line(line: &str) -> Option<(char, &str)> {
    let mut chars = line.chars();
    let tag = chars.next()?;
    if !tag.is_ascii_uppercase() || chars.next()? != ':' {
        return None;
    }
    let rest = &line[2..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((tag, rest))
}

/// A MAINTAINERS pattern with `./` and repeated `/` removed.
fn normalise(pattern: &str) -> String {
    let mut p = pattern.trim();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    let mut out = String::with_capacity(p.len());
    for c in p.chars() {
        if c == '/' && out.ends_with('/') {
            continue;
        }
        out.push(c);
    }
    out
}

/// Whether the tree has a directory at `path` (a file below it).
fn is_dir_in(tree: &BTreeSet<String>, path: &str) -> bool {
    let prefix = format!("{path}/");
    tree.range(prefix.clone()..)
        .next()
        .is_some_and(|f| f.starts_with(&prefix))
}

/// The policy patterns for one MAINTAINERS `F:`/`X:` pattern (see the
/// module docs), given the tree's files if known. Glob braces are escaped
/// (they are literal in MAINTAINERS).
///
/// ```
/// use tiergate_core::input::maintainers::translate;
/// assert_eq!(translate("crypto/", None), ["crypto/"]);
/// assert_eq!(translate("drivers/net/*.c", None), ["drivers/net/*.c"]);
/// assert_eq!(translate("hw/virtio", None), ["hw/virtio", "hw/virtio/"]);
/// assert_eq!(translate("./doc//guides/ccp.rst", None), ["doc/guides/ccp.rst"]);
/// assert_eq!(translate("Makefile", None), ["/Makefile", "/Makefile/"]);
/// assert_eq!(translate("*.S", None), ["/*.S"]);
/// let tree = ["hw/virtio/virtio.c".to_owned()].into_iter().collect();
/// assert_eq!(translate("hw/virtio", Some(&tree)), ["hw/virtio/"]);
/// ```
pub fn translate(pattern: &str, tree: Option<&BTreeSet<String>>) -> Vec<String> {
    let pattern = normalise(pattern);
    if pattern.is_empty() || pattern == "/" {
        return Vec::new();
    }
    let bare = pattern.trim_start_matches('/').to_owned();
    let escaped = pattern.replace('{', "\\{").replace('}', "\\}");
    let anchored = if escaped.trim_start_matches('/').contains('/') {
        escaped.trim_start_matches('/').to_owned()
    } else {
        format!("/{}", escaped.trim_start_matches('/'))
    };
    if anchored.ends_with('/') || anchored.contains(['*', '?']) {
        return vec![anchored];
    }
    match tree {
        Some(tree) if is_dir_in(tree, &bare) => vec![format!("{anchored}/")],
        Some(_) => vec![anchored],
        None => {
            let last = bare.rsplit('/').next().unwrap_or_default();
            if last.contains('.') && !last.starts_with('.') {
                vec![anchored]
            } else {
                vec![anchored.clone(), format!("{anchored}/")]
            }
        }
    }
}

/// Which sections go where (selectors of one kind are alternatives, and
/// so are the kinds: a section any selector chooses is chosen).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Regexes on section titles: matching sections are critical.
    pub critical_sections: Vec<String>,
    /// Regexes on group headings: the sections of matching groups are
    /// critical.
    pub critical_groups: Vec<String>,
    /// Path prefixes (`drivers/crypto/`): critical whole, with the
    /// patterns of any section that lie under them.
    pub critical_paths: Vec<String>,
    /// Statuses (`S:`; case-insensitive, a prefix counts: `Orphan`
    /// matches `Orphan / Obsolete`): matching sections are critical.
    pub critical_status: Vec<String>,
    /// Regexes on `M:`/`R:` lines: sections with a match are critical.
    pub critical_maintainers: Vec<String>,
    /// Regexes on `L:` lines: sections with a match are critical.
    pub critical_lists: Vec<String>,
    /// Regexes on section titles: matching sections are open.
    pub open_sections: Vec<String>,
}

/// Why no policy could be proposed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A selector regex does not compile.
    #[error("invalid regex '{regex}': {source}")]
    Regex {
        /// The regex as given.
        regex: String,
        /// Why.
        source: regex::Error,
    },
    /// The file has no section with file patterns.
    #[error("no MAINTAINERS sections with F: patterns in {source_name}")]
    NoSections {
        /// The file.
        source_name: String,
    },
    /// No section was chosen as critical (or none has patterns).
    #[error("nothing in {source_name} is chosen as critical ({sections} sections read)")]
    NoCritical {
        /// The file.
        source_name: String,
        /// How many sections were read.
        sections: usize,
    },
}

/// A proposed policy, and what went where.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The policy, YAML with comments.
    pub yaml: String,
    /// Titles of the sections made critical (whole or in part).
    pub critical: Vec<String>,
    /// Titles of the sections made open.
    pub open: Vec<String>,
    /// Patterns in the critical tier.
    pub critical_patterns: Vec<String>,
    /// Patterns in the open tier.
    pub open_patterns: Vec<String>,
    /// Patterns of critical sections left open (documentation, tests) or
    /// left out (outside every `critical_paths` prefix).
    pub kept_out: Vec<String>,
    /// Sections read (with `F:` or `N:` entries).
    pub sections: usize,
    /// Group headings read.
    pub groups: usize,
}

/// Names of documentation and test directories (case-insensitive).
pub const OPEN_DIR_NAMES: [&str; 7] = [
    "doc",
    "docs",
    "documentation",
    "test",
    "tests",
    "testing",
    "selftests",
];

/// The documentation and test directories of `tree`: directories named
/// as [`OPEN_DIR_NAMES`] at the top or one level down, outermost only.
pub fn open_dirs_in(tree: &BTreeSet<String>) -> Vec<String> {
    let dirs: BTreeSet<String> = tree.iter().filter_map(|f| open_dir_of(f)).collect();
    dirs.into_iter().collect()
}

/// The documentation or test directory (at the top or one level down)
/// that `path` lies in, if any.
fn open_dir_of(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    // Directories only: the last part is the file itself.
    (0..parts.len().saturating_sub(1).min(2))
        .find(|&depth| {
            OPEN_DIR_NAMES
                .iter()
                .any(|n| n.eq_ignore_ascii_case(parts[depth]))
        })
        .map(|depth| format!("{}/", parts[..=depth].join("/")))
}

/// The documentation and test directories the file itself names, for
/// proposals without a tree.
fn open_dirs_named(sections: &[Section]) -> Vec<String> {
    let dirs: BTreeSet<String> = sections
        .iter()
        .flat_map(|s| &s.files)
        .filter_map(|f| open_dir_of(&normalise(f)))
        .collect();
    dirs.into_iter().collect()
}

fn compile(regexes: &[String]) -> Result<Vec<Regex>, Error> {
    regexes
        .iter()
        .map(|r| {
            Regex::new(r).map_err(|source| Error::Regex {
                regex: r.clone(),
                source,
            })
        })
        .collect()
}

/// YAML single-quoted scalar.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A comment line's text (no newlines).
fn comment(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// Whether policy pattern `inner` names only paths that `outer` (a
/// directory pattern `dir/`) names.
fn covered_by(inner: &str, outer: &str) -> bool {
    outer.ends_with('/') && inner != outer && {
        let o = outer.trim_start_matches('/');
        let i = inner.trim_start_matches('/');
        i.starts_with(o) && !o.contains(['*', '?', '['])
    }
}

/// Patterns of one tier, grouped by where they come from, with comments.
#[derive(Default)]
struct TierList {
    /// (comment, patterns) blocks in order.
    blocks: Vec<(String, Vec<String>)>,
    except: Vec<(String, Vec<String>)>,
    comments: Vec<String>,
}

impl TierList {
    fn patterns(&self) -> impl Iterator<Item = &String> {
        self.blocks.iter().flat_map(|(_, p)| p)
    }

    fn holds(&self, pattern: &str) -> bool {
        self.patterns()
            .any(|p| p == pattern || covered_by(pattern, p))
    }

    /// Add `patterns` under `header`, except those already held.
    fn add(&mut self, header: String, patterns: Vec<String>) -> Vec<String> {
        let mut added = Vec::new();
        for p in patterns {
            if !self.holds(&p) && !added.contains(&p) {
                added.push(p);
            }
        }
        if !added.is_empty() {
            self.blocks.push((header, added.clone()));
        }
        added
    }

    /// Drop patterns a later, broader pattern of the tier covers.
    fn prune(&mut self) {
        let all: Vec<String> = self.patterns().cloned().collect();
        for (_, patterns) in &mut self.blocks {
            patterns.retain(|p| !all.iter().any(|o| covered_by(p, o)));
        }
        self.blocks.retain(|(_, p)| !p.is_empty());
    }

    fn count(&self) -> usize {
        self.patterns().count()
    }

    fn render(&self, out: &mut String) {
        out.push_str("    paths:\n");
        for (header, patterns) in &self.blocks {
            let _ = writeln!(out, "      # {header}");
            for p in patterns {
                let _ = writeln!(out, "      - {}", quote(p));
            }
        }
        for c in &self.comments {
            let _ = writeln!(out, "      # {c}");
        }
        if !self.except.is_empty() {
            out.push_str("    except:                     # X: lines of those sections\n");
            for (header, patterns) in &self.except {
                let _ = writeln!(out, "      # {header}");
                for p in patterns {
                    let _ = writeln!(out, "      - {}", quote(p));
                }
            }
        }
    }
}

fn header(section: &Section, why: &str) -> String {
    format!(
        "{} (S: {}), line {}{why}",
        comment(&section.title),
        comment(section.status.as_deref().unwrap_or("none")),
        section.line
    )
}

/// Whether policy pattern `p` lies in one of the open directories.
fn in_open_dir(p: &str, open_dirs: &[String]) -> bool {
    let p = p.trim_start_matches('/');
    open_dirs.iter().any(|d| p.starts_with(d.as_str()))
}

/// The patterns of `section` (`F:` translated, `N:` evaluated on the
/// tree), and what could not be made a pattern.
fn section_patterns(
    section: &Section,
    tree: Option<&BTreeSet<String>>,
) -> (Vec<String>, Vec<String>) {
    let mut patterns: Vec<String> = section
        .files
        .iter()
        .flat_map(|f| translate(f, tree))
        .collect();
    let mut untranslated = Vec::new();
    for n in &section.regexes {
        match (tree, Regex::new(n)) {
            (Some(tree), Ok(re)) => {
                for file in tree.iter().filter(|f| re.is_match(f)) {
                    patterns.push(
                        translate(file, Some(tree))
                            .into_iter()
                            .next()
                            .unwrap_or_default(),
                    );
                }
            }
            _ => untranslated.push(format!("N: {n}")),
        }
    }
    untranslated.extend(section.keywords.iter().map(|k| format!("K: {k}")));
    patterns.retain(|p| !p.is_empty());
    (patterns, untranslated)
}

/// Propose a policy from the MAINTAINERS `text` (read from `source_name`),
/// with the repository's files when known (see the module docs).
pub fn propose(
    text: &str,
    source_name: &str,
    tree: Option<&BTreeSet<String>>,
    options: &Options,
) -> Result<Proposal, Error> {
    let by_title = compile(&options.critical_sections)?;
    let by_group = compile(&options.critical_groups)?;
    let by_maintainer = compile(&options.critical_maintainers)?;
    let by_list = compile(&options.critical_lists)?;
    let open_res = compile(&options.open_sections)?;
    let statuses: Vec<String> = options
        .critical_status
        .iter()
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    let prefixes: Vec<String> = options
        .critical_paths
        .iter()
        .map(|p| {
            let p = normalise(p).trim_start_matches('/').to_owned();
            if p.ends_with('/') || p.contains(['*', '?']) {
                p
            } else {
                match tree {
                    Some(tree) if !is_dir_in(tree, &p) && tree.contains(&p) => p,
                    _ => format!("{p}/"),
                }
            }
        })
        .collect();
    let all = parse(text);
    let groups: BTreeSet<&str> = all.iter().filter_map(|s| s.group.as_deref()).collect();
    let group_count = groups.len();
    let sections: Vec<Section> = all
        .iter()
        .filter(|s| !s.files.is_empty() || !s.regexes.is_empty())
        .cloned()
        .collect();
    if sections.is_empty() {
        return Err(Error::NoSections {
            source_name: source_name.to_owned(),
        });
    }
    let open_dirs = match tree {
        Some(tree) => open_dirs_in(tree),
        None => open_dirs_named(&sections),
    };

    let mut critical = TierList::default();
    let mut open = TierList::default();
    let mut critical_titles = Vec::new();
    let mut open_titles = Vec::new();
    let mut kept_out = Vec::new();
    for prefix in &prefixes {
        // A pattern with a `/` anywhere is anchored at the top already.
        let pattern = if prefix.contains('/') {
            prefix.clone()
        } else {
            format!("/{prefix}")
        };
        critical.add(format!("--critical-path {}", quote(prefix)), vec![pattern]);
    }
    for section in &sections {
        let (patterns, untranslated) = section_patterns(section, tree);
        let title_hit = by_title.iter().find(|re| re.is_match(&section.title));
        let group_hit = section
            .group
            .as_deref()
            .and_then(|g| by_group.iter().find(|re| re.is_match(g)));
        let status = section
            .status
            .as_deref()
            .map(|s| s.trim().to_ascii_lowercase());
        let status_hit = status
            .as_deref()
            .is_some_and(|st| statuses.iter().any(|want| st.starts_with(want.as_str())));
        let maintainer_hit = by_maintainer
            .iter()
            .find(|re| section.maintainers.iter().any(|m| re.is_match(m)));
        let list_hit = by_list
            .iter()
            .find(|re| section.lists.iter().any(|l| re.is_match(l)));
        let why = if let Some(re) = title_hit {
            Some(format!("; --critical-section {}", quote(re.as_str())))
        } else if let Some(re) = group_hit {
            Some(format!("; --critical-group {}", quote(re.as_str())))
        } else if status_hit {
            Some("; --critical-status".to_owned())
        } else if let Some(re) = maintainer_hit {
            Some(format!("; --critical-maintainer {}", quote(re.as_str())))
        } else {
            list_hit.map(|re| format!("; --critical-list {}", quote(re.as_str())))
        };
        if let Some(why) = why {
            let (docs, code): (Vec<String>, Vec<String>) = patterns
                .into_iter()
                .partition(|p| in_open_dir(p, &open_dirs));
            kept_out.extend(docs);
            critical.add(header(section, &why), code);
            let excepts: Vec<String> = section
                .excludes
                .iter()
                .flat_map(|x| translate(x, tree))
                .collect();
            if !excepts.is_empty() {
                critical.except.push((header(section, ""), excepts));
            }
            if !untranslated.is_empty() {
                critical.comments.push(format!(
                    "{}: not path patterns: {}",
                    comment(&section.title),
                    comment(&untranslated.join("; "))
                ));
            }
            critical_titles.push(section.title.clone());
            continue;
        }
        // By path: only the patterns under a chosen prefix (already
        // critical whole), so the rest of the section is not pulled in.
        let under: Vec<&String> = patterns
            .iter()
            .filter(|p| {
                let p = p.trim_start_matches('/');
                prefixes.iter().any(|pre| p.starts_with(pre.as_str()))
            })
            .collect();
        if !under.is_empty() {
            critical_titles.push(section.title.clone());
            kept_out.extend(patterns.iter().filter(|p| !under.contains(p)).cloned());
            continue;
        }
        if let Some(re) = open_res.iter().find(|re| re.is_match(&section.title)) {
            let patterns: Vec<String> = patterns
                .into_iter()
                .filter(|p| !critical.holds(p))
                .collect();
            open.add(
                header(section, &format!("; --open-section {}", quote(re.as_str()))),
                patterns,
            );
            open_titles.push(section.title.clone());
        }
    }
    critical.prune();
    if critical.count() == 0 {
        return Err(Error::NoCritical {
            source_name: source_name.to_owned(),
            sections: sections.len(),
        });
    }
    open.add(
        if tree.is_some() {
            "documentation and tests, as the tree names them".to_owned()
        } else {
            "documentation and tests named in the file".to_owned()
        },
        open_dirs
            .iter()
            .filter(|d| !critical.holds(d))
            .cloned()
            .collect(),
    );
    open.prune();
    kept_out.sort();
    kept_out.dedup();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# tiergate policy proposed from {} by `tiergate policy init --from-maintainers`:",
        comment(source_name)
    );
    let _ = writeln!(
        out,
        "# {} of {} sections with F:/N: entries are critical{}.",
        critical_titles.len(),
        sections.len(),
        if open_titles.is_empty() {
            String::new()
        } else {
            format!(", {} open", open_titles.len())
        }
    );
    out.push_str(
        "# MAINTAINERS patterns are translated as get_maintainer.pl reads them: \"dir/\" is the\n\
         # directory and everything below, \"*\" stays within one level, a name without a\n\
         # trailing slash is the file or directory the tree has there, a name without \"/\"\n\
         # is at the top (\"/Makefile\"). Critical sections' documentation and tests stay\n\
         # open. Review the tiers, then run `tiergate policy lint`.\n\
         \n\
         version: 1\n\
         mode: enforce                   # enforce | warn (report only, reject nothing)\n\
         \n\
         declaration:\n\
         \x20 key: AI-Assisted-by           # e.g. AI-Assisted-by: claude:claude-sonnet-4 [coccinelle]\n\
         \x20 aliases: [Assisted-by, AI-used-for, Generated-by]\n\
         \x20 forbid_ai_signoff: true\n\
         \n\
         tiers:                          # a path is in the FIRST tier that matches\n\
         \x20 - name: critical\n\
         \x20   ai: forbidden               # no AI-assisted changes here\n",
    );
    critical.render(&mut out);
    if open.count() > 0 {
        out.push_str(
            "\n  - name: open\n    ai: allowed                 # AI-assisted changes welcome (declared)\n",
        );
        open.render(&mut out);
    }
    out.push_str(
        "\n  - name: core\n\
         \x20   ai: allowed\n\
         \x20   require: [ Reviewed-by ]    # an AI-assisted change needs a human review\n\
         \x20   paths: [ '**' ]             # everything else\n\
         \n\
         default_tier: core\n",
    );
    Ok(Proposal {
        yaml: out,
        critical: critical_titles,
        open: open_titles,
        critical_patterns: critical.patterns().cloned().collect(),
        open_patterns: open.patterns().cloned().collect(),
        kept_out,
        sections: sections.len(),
        groups: group_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kernel-style: a preamble with indented tag descriptions, untitled
    /// underline before the list, tab after the colon.
    const KERNEL: &str = "\
List of maintainers

Descriptions of section entries:

\tM: Mail patches to: FullName <address@domain>
\tF: Files and directories wildcard patterns.

Maintainers List
----------------

CRYPTO API
M:\tHerbert <h@example.com>
L:\tlinux-crypto@vger.kernel.org
S:\tMaintained
F:\tcrypto/
F:\tinclude/crypto/*.h
F:\tDocumentation/crypto/
X:\tcrypto/README
K:\tcrypto_alloc

VIRTIO CORE
M: Michael <m@example.com>
S: Supported
F: hw/virtio
F: Makefile.virtio
N: virtio

DOCUMENTATION
S: Odd Fixes
F: Documentation/
";

    /// DPDK-style: group headings underlined, the heading itself a
    /// section, a driver with shared code and docs.
    const DPDK: &str = "\
DPDK Maintainers
================

Crypto Drivers
--------------
T: git://dpdk.org/next/dpdk-next-crypto
F: drivers/crypto/meson.build
F: doc/guides/cryptodevs/features/default.ini

AMD CCP Crypto
M: Sunil <s@amd.com>
F: drivers/crypto/ccp/
F: doc/guides/cryptodevs/ccp.rst

AMD Pensando ionic crypto
M: Andrew <a@amd.com>
F: drivers/crypto/ionic/
F: drivers/common/ionic/
F: doc/guides/cryptodevs/ionic.rst

Intel QuickAssist
M: Kai <k@intel.com>
F: drivers/crypto/qat/
F: drivers/common/qat/

Networking Drivers
------------------

Intel e1000
F: drivers/net/e1000/
F: doc/guides/nics/e1000em.rst
";

    fn tree(files: &[&str]) -> BTreeSet<String> {
        files.iter().map(|f| (*f).to_owned()).collect()
    }

    #[test]
    fn sections_groups_and_tags_are_parsed() {
        let sections = parse(KERNEL);
        assert_eq!(sections.len(), 3);
        assert_eq!(sections[0].title, "CRYPTO API");
        assert_eq!(sections[0].line, 11);
        assert_eq!(sections[0].group.as_deref(), Some("Maintainers List"));
        assert_eq!(sections[0].status.as_deref(), Some("Maintained"));
        assert_eq!(sections[0].lists, ["linux-crypto@vger.kernel.org"]);
        assert_eq!(
            sections[0].files,
            ["crypto/", "include/crypto/*.h", "Documentation/crypto/"]
        );
        assert_eq!(sections[0].excludes, ["crypto/README"]);
        assert_eq!(sections[0].keywords, ["crypto_alloc"]);
        assert_eq!(sections[1].regexes, ["virtio"]);

        let sections = parse(DPDK);
        let titles: Vec<(&str, Option<&str>)> = sections
            .iter()
            .map(|s| (s.title.as_str(), s.group.as_deref()))
            .collect();
        assert_eq!(
            titles,
            [
                ("Crypto Drivers", Some("Crypto Drivers")),
                ("AMD CCP Crypto", Some("Crypto Drivers")),
                ("AMD Pensando ionic crypto", Some("Crypto Drivers")),
                ("Intel QuickAssist", Some("Crypto Drivers")),
                ("Intel e1000", Some("Networking Drivers")),
            ]
        );
        assert_eq!(sections[0].line, 4);
    }

    #[test]
    fn by_path_the_prefix_is_critical_whole_and_nothing_else_is_pulled_in() {
        let files = tree(&[
            "drivers/crypto/ccp/ccp.c",
            "drivers/crypto/ionic/ionic.c",
            "drivers/crypto/qat/qat.c",
            "drivers/crypto/scheduler/s.c",
            "drivers/crypto/meson.build",
            "drivers/common/ionic/common.c",
            "drivers/net/e1000/e1000.c",
            "doc/guides/cryptodevs/ccp.rst",
            "app/test/test_cryptodev.c",
            "lib/eal/eal.c",
        ]);
        let options = Options {
            critical_paths: vec!["drivers/crypto".into()],
            ..Options::default()
        };
        let p = propose(DPDK, "MAINTAINERS", Some(&files), &options).expect("proposal");
        assert_eq!(p.critical_patterns, ["drivers/crypto/"]);
        assert_eq!(p.open_patterns, ["app/test/", "doc/"]);
        assert!(p.kept_out.contains(&"drivers/common/ionic/".to_owned()));
        assert_eq!(p.critical.len(), 4);
        assert_eq!(p.groups, 2);
        let policy = crate::policy::from_yaml(p.yaml.as_bytes(), "generated").expect("valid");
        let classifier = crate::classify::Classifier::new(&policy, None).expect("classifier");
        let tier = |f: &str| policy.tiers[classifier.tier_of(f.as_bytes())].name.clone();
        assert_eq!(tier("drivers/crypto/scheduler/s.c"), "critical");
        assert_eq!(tier("drivers/common/ionic/common.c"), "core");
        assert_eq!(tier("doc/guides/cryptodevs/ccp.rst"), "open");
        assert_eq!(tier("app/test/test_cryptodev.c"), "open");
    }

    #[test]
    fn by_group_each_path_once_and_docs_stay_open() {
        let options = Options {
            critical_groups: vec!["^Crypto".into()],
            ..Options::default()
        };
        let p = propose(DPDK, "MAINTAINERS", None, &options).expect("proposal");
        assert_eq!(
            p.critical_patterns,
            [
                "drivers/crypto/meson.build",
                "drivers/crypto/ccp/",
                "drivers/crypto/ionic/",
                "drivers/common/ionic/",
                "drivers/crypto/qat/",
                "drivers/common/qat/",
            ]
        );
        // The documentation directory is whole in `open`.
        assert_eq!(p.open_patterns, ["doc/"]);
        assert!(p
            .kept_out
            .contains(&"doc/guides/cryptodevs/ccp.rst".to_owned()));
        let yaml = &p.yaml;
        assert!(!yaml.contains("ccp.rst/"), "{yaml}");
    }

    #[test]
    fn kernel_selectors_combine() {
        let files = tree(&[
            "crypto/aes.c",
            "crypto/README",
            "include/crypto/aes.h",
            "hw/virtio/virtio.c",
            "drivers/virtio/virtio_ring.c",
            "Makefile.virtio",
            "Documentation/crypto/api.rst",
            "tools/testing/selftests/x.sh",
        ]);
        let options = Options {
            critical_lists: vec!["linux-crypto".into()],
            critical_status: vec!["supported".into()],
            ..Options::default()
        };
        let p = propose(KERNEL, "MAINTAINERS", Some(&files), &options).expect("proposal");
        assert_eq!(p.critical, ["CRYPTO API", "VIRTIO CORE"]);
        let policy = crate::policy::from_yaml(p.yaml.as_bytes(), "generated").expect("valid");
        let classifier = crate::classify::Classifier::new(&policy, None).expect("classifier");
        let tier = |f: &str| policy.tiers[classifier.tier_of(f.as_bytes())].name.clone();
        assert_eq!(tier("crypto/aes.c"), "critical");
        assert_eq!(tier("crypto/README"), "core");
        assert_eq!(tier("include/crypto/aes.h"), "critical");
        assert_eq!(tier("hw/virtio/virtio.c"), "critical");
        // N: virtio, evaluated on the tree.
        assert_eq!(tier("drivers/virtio/virtio_ring.c"), "critical");
        assert_eq!(tier("Makefile.virtio"), "critical");
        assert_eq!(tier("Documentation/crypto/api.rst"), "open");
        assert_eq!(tier("tools/testing/selftests/x.sh"), "open");
        assert!(p
            .yaml
            .contains("# CRYPTO API (S: Maintained), line 11; --critical-list 'linux-crypto'"));
        assert!(p.yaml.contains("not path patterns: K: crypto_alloc"));
        assert!(!p.yaml.contains("'hw/virtio'\n"), "{}", p.yaml);
    }

    #[test]
    fn nothing_critical_is_an_error() {
        let err = propose(KERNEL, "M", None, &Options::default()).expect_err("no critical");
        assert!(matches!(err, Error::NoCritical { sections: 3, .. }));
        let err = propose("intro\n", "M", None, &Options::default()).expect_err("no sections");
        assert!(matches!(err, Error::NoSections { .. }));
    }

    #[test]
    fn open_directories_from_the_tree() {
        let files = tree(&[
            "doc/guides/index.rst",
            "app/test/test.c",
            "dts/tests/t.py",
            "examples/ipsec-secgw/test/run.sh",
            "Documentation/x.rst",
            "lib/test.c",
        ]);
        assert_eq!(
            open_dirs_in(&files),
            ["Documentation/", "app/test/", "doc/", "dts/tests/"]
        );
    }
}
