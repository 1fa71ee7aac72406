//! A commit's raw contents as tiergate reads them, without a repository:
//! [`commit_facts_from_raw`] turns a raw commit object into its message
//! (as stored), title, identities and author date ([`CommitInfo`]); both
//! backends ([`crate::repo::libgit2`], [`crate::repo::plumbing`]) read
//! commits through it, so they read them alike.

use crate::rules::{CommitFacts, Identity};
use git2::Oid;

/// What [`crate::repo::libgit2::commit_facts`] reads from one commit.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    /// The first line of the message (for display).
    pub title: String,
    /// Message and identities.
    pub facts: CommitFacts,
    /// The author date: seconds since the epoch and the author's time zone
    /// offset in minutes (`(0, 0)` when unreadable, as git reads it).
    pub author_time: (i64, i32),
}

/// [`crate::repo::libgit2::commit_facts`] of a commit whose raw contents
/// are already read (see [`crate::repo::libgit2::WalkedCommit`]).
pub fn commit_facts_from_raw(raw: &[u8]) -> CommitInfo {
    let commit = RawCommit::parse(raw);
    let message = commit.message.to_vec();
    let title = title_of(&message);
    CommitInfo {
        title,
        author_time: commit.author_time,
        facts: CommitFacts {
            message,
            author: commit.author,
            committer: commit.committer,
            other_identities: commit.other_identities,
            header_problems: commit.problems,
            parents: commit.parents,
            committer_time: commit.committer_time,
            // Notes are not in the commit object: the repository layer
            // adds them (see `crate::repo::notes`).
            notes: Vec::new(),
        },
    }
}

/// The first non-blank line of a message, trimmed, lossily decoded.
pub fn title_of(message: &[u8]) -> String {
    let line = message
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    String::from_utf8_lossy(line).into_owned()
}

/// The parts of a commit object the rules read, from
/// [`crate::repo::object::parse_commit`] (git's reading of the header:
/// every identity line; the tree and parents are [`tree_and_parents`]).
struct RawCommit<'a> {
    author: Identity,
    author_time: (i64, i32),
    committer: Identity,
    committer_time: i64,
    parents: usize,
    other_identities: Vec<(&'static str, Identity)>,
    problems: Vec<crate::repo::object::HeaderProblem>,
    message: &'a [u8],
}

impl<'a> RawCommit<'a> {
    fn parse(data: &'a [u8]) -> RawCommit<'a> {
        let object = crate::repo::object::parse_commit(data);
        let author = object.authors.first().copied().unwrap_or_default();
        let committer = object.committers.first().copied().unwrap_or_default();
        // `git log` shows every identity line of the header; only a
        // malformed commit has more than one of each.
        let other_identities = object
            .authors
            .iter()
            .skip(1)
            .map(|v| ("author", parse_ident(v)))
            .chain(
                object
                    .committers
                    .iter()
                    .skip(1)
                    .map(|v| ("committer", parse_ident(v))),
            )
            .collect();
        RawCommit {
            author: parse_ident(author),
            author_time: ident_time(author),
            committer: parse_ident(committer),
            committer_time: ident_time(committer).0,
            parents: object.parents.len(),
            other_identities,
            problems: object.problems,
            message: object.message,
        }
    }
}

/// The tree and parents git uses of a raw commit (see
/// [`crate::repo::object`]), without reading its identities: what a tree
/// diff needs, for every commit of a walk and each of its parents.
pub(super) fn tree_and_parents(data: &[u8]) -> (Option<Oid>, Vec<Oid>) {
    let object = crate::repo::object::parse_commit(data);
    let tree = object.tree.and_then(oid_from_hex);
    let parents = object
        .parents
        .iter()
        .filter_map(|p| oid_from_hex(p))
        .collect();
    (tree, parents)
}

fn oid_from_hex(hex: &[u8]) -> Option<Oid> {
    std::str::from_utf8(hex)
        .ok()
        .and_then(|h| Oid::from_str(h).ok())
}

/// `Name <email> time zone`, as git's `split_ident_line` reads it: the name
/// is what precedes `<`, trimmed; the e-mail what lies between `<` and the
/// last `>`.
fn parse_ident(value: &[u8]) -> Identity {
    let Some(lt) = value.iter().position(|&b| b == b'<') else {
        return Identity {
            name: value.trim_ascii().to_vec(),
            email: Vec::new(),
        };
    };
    let rest = &value[lt + 1..];
    let gt = rest.iter().rposition(|&b| b == b'>').unwrap_or(rest.len());
    Identity {
        name: value[..lt].trim_ascii().to_vec(),
        email: rest[..gt].to_vec(),
    }
}

/// The date of an identity header value (`Name <email> SECONDS +HHMM`):
/// seconds since the epoch and the zone offset in minutes; `(0, 0)` for
/// what cannot be read, `0` for a missing zone.
fn ident_time(ident: &[u8]) -> (i64, i32) {
    let after = match ident.iter().rposition(|&b| b == b'>') {
        Some(i) => &ident[i + 1..],
        None => ident,
    };
    let mut fields = after
        .split(|b| b.is_ascii_whitespace())
        .filter(|f| !f.is_empty())
        .map(|f| std::str::from_utf8(f).unwrap_or(""));
    let seconds = fields.next().and_then(|s| s.parse::<i64>().ok());
    let offset = fields.next().and_then(|z| {
        let (sign, digits) = match z.as_bytes().first() {
            Some(b'-') => (-1, &z[1..]),
            Some(b'+') => (1, &z[1..]),
            _ => (1, z),
        };
        let n: i32 = digits.parse().ok()?;
        Some(sign * ((n / 100) * 60 + n % 100))
    });
    (seconds.unwrap_or(0), offset.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idents_parse_like_git() {
        let id = parse_ident(b"A U Thor <a@example.com> 1700000000 +0000");
        assert_eq!(
            (id.name.as_slice(), id.email.as_slice()),
            (&b"A U Thor"[..], &b"a@example.com"[..])
        );
        let id = parse_ident(b"  Odd (aider)  <x@y> 1 +0000");
        assert_eq!(id.name, b"Odd (aider)");
        let id = parse_ident(b"no email here");
        assert_eq!(
            (id.name.as_slice(), id.email.as_slice()),
            (&b"no email here"[..], &b""[..])
        );
    }

    #[test]
    fn raw_commits_parse_headers_and_message() {
        let data = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 0123456789012345678901234567890123456789\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\ngpgsig -----BEGIN-----\n x\n -----END-----\n\ntitle\n\nbody\n";
        let (tree, parents) = tree_and_parents(data);
        assert_eq!(
            tree.map(|t| t.to_string()).as_deref(),
            Some("4b825dc642cb6eb9a060e54bf8d69288fbee4904")
        );
        assert_eq!(parents.len(), 1);
        let c = RawCommit::parse(data);
        assert_eq!(c.author.email, b"a@x");
        assert_eq!(c.committer.name, b"C");
        assert_eq!(c.message, b"title\n\nbody\n");
    }

    #[test]
    fn title_is_first_non_blank_line() {
        assert_eq!(title_of(b"\n\n  hello world \nbody"), "hello world");
        assert_eq!(title_of(b""), "");
        assert_eq!(title_of(b"caf\xe9"), "caf\u{fffd}");
    }
}
