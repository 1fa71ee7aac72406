//! Commits as git shows them, for the judge: what a walk yields, adjusted
//! where the raw object and what git presents differ.
//!
//! - **Encodings** ([`crate::encoding`]): a commit whose `encoding` header
//!   names another charset is decoded to UTF-8; one tiergate cannot read
//!   ends the walk with an error and is reported to the caller.
//! - **Shallow clones**: the commits listed in the repository's `shallow`
//!   file are grafted roots for git (`git log` shows them without parents,
//!   their parents are not in the repository). Their `parent` lines are
//!   dropped, so their changed paths are their whole tree, as `git show
//!   --stat` lists them, instead of an error on a missing parent (a
//!   pre-push from a `git clone --depth 1` whose boundary commit needs its
//!   paths).
//!
//! [`commits`] wraps any walk (see [`crate::git::RevWalk::commits`]) and
//! hands [`crate::check::check_walked`] commits already read, so nothing is
//! read twice.

use crate::encoding::{self, UnreadableEncoding};
use crate::git::{self, WalkedCommit};
use git2::{Oid, Repository};
use std::cell::RefCell;
use std::collections::HashSet;

/// The commits of a shallow repository's boundary (its `shallow` file),
/// empty for a complete repository.
pub fn shallow_commits(repo: &Repository) -> HashSet<Oid> {
    let Ok(text) = std::fs::read_to_string(repo.commondir().join("shallow")) else {
        return HashSet::new();
    };
    text.lines()
        .filter_map(|l| Oid::from_str(l.trim()).ok())
        .collect()
}

/// A raw commit without its `parent` lines (a grafted root).
pub fn without_parents(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut pos = 0;
    while pos < raw.len() {
        let end = raw[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(raw.len(), |i| pos + i + 1);
        let line = &raw[pos..end];
        pos = end;
        if line == b"\n" {
            out.extend_from_slice(&raw[pos - 1..]);
            return out;
        }
        if !line.starts_with(b"parent ") {
            out.extend_from_slice(line);
        }
    }
    out
}

/// A walk's commits as git shows them (see the module documentation). An
/// unreadable encoding ends the walk with an error; `unreadable` then holds
/// the commit and encoding, so that a caller can refuse instead of failing
/// (the server hook does).
pub fn commits<'r>(
    repo: &'r Repository,
    commits: impl IntoIterator<Item = Result<WalkedCommit, git::Error>> + 'r,
    unreadable: &'r RefCell<Option<(Oid, UnreadableEncoding)>>,
) -> impl Iterator<Item = Result<WalkedCommit, git::Error>> + 'r {
    let shallow = shallow_commits(repo);
    commits.into_iter().map(move |commit| {
        let mut commit = commit?;
        if shallow.contains(&commit.id) {
            let raw = match commit.raw.take() {
                Some(raw) => raw,
                None => encoding::read_commit(repo, commit.id)?,
            };
            commit.raw = Some(without_parents(&raw));
        }
        match encoding::to_utf8(repo, commit) {
            Ok(c) => Ok(c),
            Err(encoding::Error::Git(e)) => Err(e),
            Err(encoding::Error::Unreadable { id, source }) => {
                let message = format!("commit {id}: {source}");
                *unreadable.borrow_mut() = Some((id, source));
                Err(git::Error::Object(message))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_are_dropped_from_the_headers_only() {
        let raw = b"tree t\nparent a\nparent b\nauthor x\n\nmsg\nparent c\n";
        assert_eq!(
            without_parents(raw),
            b"tree t\nauthor x\n\nmsg\nparent c\n".to_vec()
        );
        assert_eq!(without_parents(b"tree t\nparent a"), b"tree t\n".to_vec());
        assert_eq!(without_parents(b""), b"".to_vec());
    }
}
