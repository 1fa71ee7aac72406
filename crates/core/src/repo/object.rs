//! Commit objects read exactly as git reads them.
//!
//! A pusher writes the objects the server judges, and can write commit
//! headers git itself never writes (`git hash-object -t commit --literally`;
//! `git fsck --strict` accepts several of them). Whatever tiergate reads
//! from such a header must be what git uses, or the two disagree on what
//! the commit changes and who wrote it. This module is the one reader of
//! commit headers; it mirrors git's `commit.c` and `pretty.c` (2.47):
//!
//! - **tree**: only the *first* line, and only as `tree <hex>\n`
//!   (`parse_commit_buffer`: anything else is a "bogus commit object");
//! - **parents**: only the `parent <hex>\n` lines *right after* the tree
//!   line (the loop in `parse_commit_buffer` stops at the first other
//!   line); a malformed line in that run makes git fail ("bad parents");
//! - **author / committer**: git's date parser (`parse_commit_date`) and
//!   `git fsck` expect exactly one `author` line right after the parents and
//!   one `committer` line right after it; `git log` prints *every* `author`
//!   line of the header (`pp_header`), `%an` shows the *last* one
//!   (`parse_commit_header` in pretty.c);
//! - **encoding**: the first `encoding` header (`find_commit_header`);
//! - **message**: everything after the first empty line.
//!
//! Lines that start with a space continue the previous header (`gpgsig`,
//! `mergetag`) and are never read as headers, as in git.
//!
//! A header that departs from the layout git writes (`tree`, `parent`*,
//! `author`, `committer`, then anything else) is recorded as a
//! [`HeaderProblem`]: such a commit can only have been written by hand, and
//! git's own readers disagree about it, so the rules refuse it
//! (`malformed-commit`).

use std::fmt;

/// A commit object's header and message, as git reads them (see the module
/// documentation). Object ids are the hex text of the header lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitObject<'a> {
    /// The tree git uses: the first line's, if it is a well-formed
    /// `tree <hex>` line.
    pub tree: Option<&'a [u8]>,
    /// The parents git uses: the well-formed `parent` lines right after
    /// the tree line.
    pub parents: Vec<&'a [u8]>,
    /// Every `author` line's value, in header order (the first is the one
    /// git's date parser and `git fsck` read).
    pub authors: Vec<&'a [u8]>,
    /// Every `committer` line's value, in header order.
    pub committers: Vec<&'a [u8]>,
    /// The first `encoding` header's value, as `find_commit_header` reads it.
    pub encoding: Option<&'a [u8]>,
    /// Everything after the first empty line (empty without one).
    pub message: &'a [u8],
    /// Offset of the message in the raw object.
    pub message_offset: usize,
    /// Where the header departs from what git writes (empty for every
    /// commit git itself creates).
    pub problems: Vec<HeaderProblem>,
}

/// One way a commit header departs from what git writes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HeaderProblem {
    /// The header concerned (`tree`, `parent`, `author`, `committer`,
    /// `encoding`).
    pub header: &'static str,
    /// What is wrong with it.
    pub kind: ProblemKind,
    /// 1-based line of the raw object (the line git expected it at, for a
    /// missing header).
    pub line: usize,
}

/// What is wrong with a header (see [`HeaderProblem`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// Not where git expects it (or not there at all).
    Missing,
    /// A second (or later) occurrence; git readers disagree on which counts.
    Duplicate,
    /// After the place git reads it from; git ignores it but other readers
    /// may not.
    OutOfPlace,
    /// Present where git reads it, but not `<key> <hex>` with a full
    /// object id: git cannot parse the commit.
    Malformed,
}

impl fmt::Display for HeaderProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ProblemKind::Missing => "missing",
            ProblemKind::Duplicate => "duplicate",
            ProblemKind::OutOfPlace => "out-of-place",
            ProblemKind::Malformed => "malformed",
        };
        write!(f, "{what} `{}` header (line {})", self.header, self.line)
    }
}

/// The header lines of a raw commit, each without its `\n`, up to the
/// empty line that starts the message (continuation lines included, as
/// they stand). The one line splitter of commit headers: [`parse_commit`]
/// and the re-encoding of a commit ([`crate::message::encoding`]) both read them
/// through it.
pub struct HeaderLines<'a> {
    raw: &'a [u8],
    pos: usize,
    done: bool,
    /// Where the message starts, once the empty line before it was read
    /// (`None` for a header without a message).
    pub message_offset: Option<usize>,
}

/// The header lines of `raw` (see [`HeaderLines`]).
pub fn header_lines(raw: &[u8]) -> HeaderLines<'_> {
    HeaderLines {
        raw,
        pos: 0,
        done: false,
        message_offset: None,
    }
}

impl<'a> Iterator for HeaderLines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.done || self.pos >= self.raw.len() {
            self.done = true;
            return None;
        }
        let raw = self.raw;
        let end = memchr::memchr(b'\n', &raw[self.pos..]).map_or(raw.len(), |i| self.pos + i);
        let line = &raw[self.pos..end];
        self.pos = (end + 1).min(raw.len());
        if line.is_empty() {
            self.done = true;
            self.message_offset = Some(self.pos);
            return None;
        }
        Some(line)
    }
}

/// The value of the first `key` header, as git's `find_commit_header`
/// reads it (continuation lines, which start with a space, never match).
pub fn first_header<'a>(raw: &'a [u8], key: &str) -> Option<&'a [u8]> {
    header_lines(raw).find_map(|line| {
        line.strip_prefix(key.as_bytes())
            .and_then(|rest| rest.strip_prefix(b" "))
    })
}

/// Whether `value` is an object id in hex as git's `get_oid_hex` reads it
/// (either case) of the given length.
fn is_hex_id(value: &[u8], len: usize) -> bool {
    value.len() == len && value.iter().all(u8::is_ascii_hexdigit)
}

/// Read a raw commit object (see the module documentation).
///
/// The object-id length (40 hex digits for SHA-1, 64 for SHA-256) is taken
/// from the tree line, which git requires first; parent lines of another
/// length are malformed, as they are for git in a repository of that
/// format.
pub fn parse_commit(raw: &[u8]) -> CommitObject<'_> {
    let mut object = CommitObject {
        tree: None,
        parents: Vec::new(),
        authors: Vec::new(),
        committers: Vec::new(),
        encoding: None,
        message: &[],
        message_offset: raw.len(),
        problems: Vec::new(),
    };
    // Where git expects each header next: 0 tree, 1 parents or author,
    // 2 committer, 3 anything else.
    let mut stage = 0;
    let mut hex_len = 40;
    let mut line_no = 0;
    let mut trees = 0;
    let problem = |header, kind, line| HeaderProblem { header, kind, line };
    let mut lines = header_lines(raw);
    for line in lines.by_ref() {
        line_no += 1;
        if line[0] == b' ' {
            // A continuation of the previous header (gpgsig, mergetag).
            continue;
        }
        let (key, value) = match line.iter().position(|&b| b == b' ') {
            Some(i) => (&line[..i], &line[i + 1..]),
            None => (line, &b""[..]),
        };
        let has_value = line.len() > key.len();
        match (key, has_value) {
            (b"tree", true) => {
                trees += 1;
                if stage == 0 && line_no == 1 && (is_hex_id(value, 40) || is_hex_id(value, 64)) {
                    hex_len = value.len();
                    object.tree = Some(value);
                } else if trees == 1 {
                    object
                        .problems
                        .push(problem("tree", ProblemKind::Malformed, line_no));
                } else {
                    object
                        .problems
                        .push(problem("tree", ProblemKind::Duplicate, line_no));
                }
                if stage == 0 {
                    stage = 1;
                }
                continue;
            }
            (b"parent", true) => {
                if stage == 1 && object.authors.is_empty() && object.tree.is_some() {
                    if is_hex_id(value, hex_len) {
                        object.parents.push(value);
                    } else {
                        object
                            .problems
                            .push(problem("parent", ProblemKind::Malformed, line_no));
                    }
                } else {
                    object
                        .problems
                        .push(problem("parent", ProblemKind::OutOfPlace, line_no));
                }
                continue;
            }
            _ => {}
        }
        if stage == 0 {
            // git requires the tree line first.
            object
                .problems
                .push(problem("tree", ProblemKind::Missing, line_no));
            stage = 1;
        }
        match (key, has_value) {
            (b"author", true) => {
                if !object.authors.is_empty() {
                    object
                        .problems
                        .push(problem("author", ProblemKind::Duplicate, line_no));
                } else if stage != 1 {
                    object
                        .problems
                        .push(problem("author", ProblemKind::OutOfPlace, line_no));
                }
                object.authors.push(value);
                if stage == 1 {
                    stage = 2;
                }
            }
            (b"committer", true) => {
                if !object.committers.is_empty() {
                    object
                        .problems
                        .push(problem("committer", ProblemKind::Duplicate, line_no));
                } else if stage != 2 {
                    object
                        .problems
                        .push(problem("committer", ProblemKind::OutOfPlace, line_no));
                }
                object.committers.push(value);
                stage = 3;
            }
            (b"encoding", true) => {
                if object.encoding.is_none() {
                    object.encoding = Some(value);
                } else {
                    object
                        .problems
                        .push(problem("encoding", ProblemKind::Duplicate, line_no));
                }
                stage = stage.max(3);
            }
            _ => {
                // Another header (gpgsig, mergetag, anything git carries
                // along): git writes them after the committer.
                if stage == 1 {
                    object
                        .problems
                        .push(problem("author", ProblemKind::Missing, line_no));
                    stage = 2;
                }
                if stage == 2 {
                    object
                        .problems
                        .push(problem("committer", ProblemKind::Missing, line_no));
                }
                stage = 3;
            }
        }
    }
    if let Some(offset) = lines.message_offset {
        object.message = &raw[offset..];
        object.message_offset = offset;
        // The empty line counts: a header missing there is "at" it.
        line_no += 1;
    }
    // A header that ends before the author or committer git expects.
    let end_line = line_no.max(1);
    if object.tree.is_none() && trees == 0 && stage == 0 {
        object
            .problems
            .push(problem("tree", ProblemKind::Missing, end_line));
    }
    if object.authors.is_empty() && !object.problems.iter().any(|p| p.header == "author") {
        object
            .problems
            .push(problem("author", ProblemKind::Missing, end_line));
    }
    if object.committers.is_empty() && !object.problems.iter().any(|p| p.header == "committer") {
        object
            .problems
            .push(problem("committer", ProblemKind::Missing, end_line));
    }
    object.problems.sort_by_key(|p| p.line);
    object
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
    const P: &str = "0123456789012345678901234567890123456789";
    const Q: &str = "89abcdef0123456789abcdef0123456789abcdef";

    fn problems(raw: &str) -> Vec<String> {
        parse_commit(raw.as_bytes())
            .problems
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn commits_git_writes_have_no_problems() {
        let raw = format!(
            "tree {T}\nparent {P}\nparent {Q}\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\n\
             encoding ISO-8859-1\nmergetag object {P}\n type commit\ngpgsig -----BEGIN-----\n \n -----END-----\n\n\
             title\n\nbody\n"
        );
        let c = parse_commit(raw.as_bytes());
        assert_eq!(c.problems, vec![]);
        assert_eq!(c.tree, Some(T.as_bytes()));
        assert_eq!(c.parents, vec![P.as_bytes(), Q.as_bytes()]);
        assert_eq!(c.authors, vec![&b"A <a@x> 1 +0000"[..]]);
        assert_eq!(c.committers, vec![&b"C <c@x> 1 +0000"[..]]);
        assert_eq!(c.encoding, Some(&b"ISO-8859-1"[..]));
        assert_eq!(c.message, b"title\n\nbody\n");
        // A root commit, and a header without a message.
        let root = format!("tree {T}\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\n");
        let c = parse_commit(root.as_bytes());
        assert_eq!(c.problems, vec![]);
        assert_eq!(c.message, b"");
        assert!(c.parents.is_empty());
    }

    #[test]
    fn sha256_ids() {
        let t = "a".repeat(64);
        let p = "b".repeat(64);
        let raw = format!("tree {t}\nparent {p}\nparent {P}\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\n\nm\n");
        let c = parse_commit(raw.as_bytes());
        assert_eq!(c.tree, Some(t.as_bytes()));
        assert_eq!(c.parents, vec![p.as_bytes()]);
        assert_eq!(c.problems.len(), 1);
        assert_eq!(
            c.problems[0].to_string(),
            "malformed `parent` header (line 3)"
        );
    }

    #[test]
    fn git_reads_the_first_tree_and_the_leading_parents() {
        // Issue 11: a second tree line after the committer (git uses the
        // first; tiergate used the last).
        let raw = format!(
            "tree {T}\nparent {P}\nauthor H <h@x> 1 +0000\ncommitter H <h@x> 1 +0000\ntree {Q}\nparent {Q}\n\nm\n"
        );
        let c = parse_commit(raw.as_bytes());
        assert_eq!(c.tree, Some(T.as_bytes()));
        assert_eq!(c.parents, vec![P.as_bytes()]);
        assert_eq!(
            problems(&raw),
            [
                "duplicate `tree` header (line 5)",
                "out-of-place `parent` header (line 6)"
            ]
        );
    }

    #[test]
    fn identities_duplicated_or_out_of_place() {
        let raw = format!(
            "tree {T}\nauthor H <h@x> 1 +0000\ncommitter H <h@x> 1 +0000\nauthor Claude <noreply@anthropic.com> 1 +0000\n\nm\n"
        );
        let c = parse_commit(raw.as_bytes());
        assert_eq!(c.authors.len(), 2, "git log shows both");
        assert_eq!(problems(&raw), ["duplicate `author` header (line 4)"]);
        let swapped = format!("tree {T}\ncommitter C <c@x> 1 +0000\nauthor A <a@x> 1 +0000\n\nm\n");
        assert_eq!(
            problems(&swapped),
            [
                "out-of-place `committer` header (line 2)",
                "out-of-place `author` header (line 3)"
            ]
        );
        let two_committers = format!(
            "tree {T}\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\ncommitter D <d@x> 1 +0000\n\nm\n"
        );
        assert_eq!(
            problems(&two_committers),
            ["duplicate `committer` header (line 4)"]
        );
        let no_author = format!("tree {T}\ncommitter C <c@x> 1 +0000\n\nm\n");
        assert_eq!(
            problems(&no_author),
            [
                "out-of-place `committer` header (line 2)",
                "missing `author` header (line 3)"
            ]
        );
        let gpgsig_first =
            format!("tree {T}\ngpgsig x\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\n\nm\n");
        assert_eq!(
            problems(&gpgsig_first),
            [
                "missing `author` header (line 2)",
                "missing `committer` header (line 2)",
                "out-of-place `author` header (line 3)",
                "out-of-place `committer` header (line 4)"
            ]
        );
    }

    #[test]
    fn trees_git_cannot_read() {
        let parent_first = format!(
            "parent {P}\ntree {T}\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\n\nm\n"
        );
        let c = parse_commit(parent_first.as_bytes());
        assert_eq!(c.tree, None);
        assert!(c.parents.is_empty());
        assert_eq!(
            problems(&parent_first),
            [
                "out-of-place `parent` header (line 1)",
                "malformed `tree` header (line 2)"
            ]
        );
        assert_eq!(
            problems(&format!(
                "tree {}\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\n\nm\n",
                &T[..39]
            )),
            ["malformed `tree` header (line 1)"]
        );
        assert_eq!(
            problems(""),
            [
                "missing `tree` header (line 1)",
                "missing `author` header (line 1)",
                "missing `committer` header (line 1)"
            ]
        );
        let short_parent = format!(
            "tree {T}\nparent 0123\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\n\nm\n"
        );
        assert_eq!(
            problems(&short_parent),
            ["malformed `parent` header (line 2)"]
        );
    }

    #[test]
    fn header_lines_and_first_header_read_what_parse_commit_reads() {
        let raws = [
            format!("tree {T}\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\nencoding UTF-7\nencoding latin1\n\nm\n"),
            format!("tree {T}\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\ngpgsig x\n encoding no\n\nm\n"),
            format!("tree {T}\nencoding \nauthor A <a@x> 1 +0000\n"),
            format!("tree {T}\nencodingX y\n\n"),
            String::new(),
        ];
        for raw in &raws {
            let parsed = parse_commit(raw.as_bytes());
            assert_eq!(
                first_header(raw.as_bytes(), "encoding"),
                parsed.encoding,
                "{raw:?}"
            );
            let mut lines = header_lines(raw.as_bytes());
            let count = lines.by_ref().count();
            assert_eq!(
                lines.message_offset.unwrap_or(raw.len()),
                parsed.message_offset,
                "{raw:?}"
            );
            assert!(count <= raw.lines().count(), "{raw:?}");
        }
    }

    #[test]
    fn encodings_and_continuations() {
        let raw = format!(
            "tree {T}\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\nencoding UTF-7\nencoding ISO-8859-1\n\nm\n"
        );
        let c = parse_commit(raw.as_bytes());
        assert_eq!(
            c.encoding,
            Some(&b"UTF-7"[..]),
            "find_commit_header: the first"
        );
        assert_eq!(problems(&raw), ["duplicate `encoding` header (line 5)"]);
        // Continuation lines are never headers, whatever they say.
        let cont = format!(
            "tree {T}\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\ngpgsig x\n tree {Q}\n parent {P}\n\nm\n"
        );
        let c = parse_commit(cont.as_bytes());
        assert_eq!(c.problems, vec![]);
        assert_eq!(c.tree, Some(T.as_bytes()));
        assert!(c.parents.is_empty());
    }
}
