//! Commits as git shows them, for the judge: what a walk yields, adjusted
//! where the raw object and what git presents differ.
//!
//! - **Encodings** ([`crate::message::encoding`]): a commit whose `encoding` header
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
//! [`commits`] wraps any walk (see [`crate::repo::libgit2::RevWalk::commits`]) and
//! hands [`crate::judge::check_walked`] commits already read, so nothing is
//! read twice.

use crate::message::encoding::{reencode_commit, UnreadableEncoding};
use crate::repo::libgit2::{self as git, WalkedCommit};
use git2::{Oid, Repository};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;

/// The commits of a shallow repository's boundary (its `shallow` file),
/// empty for a complete repository.
///
/// The list is `GIT_SHALLOW_FILE` when git sets it, else the common
/// directory's `shallow` file, as git's `setup.c` and `shallow.c`
/// (`set_alternate_shallow_file`, `is_repository_shallow`) read it:
/// `git receive-pack` runs a pre-receive hook with `GIT_SHALLOW_FILE`
/// naming a temporary list that includes the boundary of a push from a
/// shallow clone (`receive.shallowUpdate`), whose parents the server does
/// not have. git's own commands (the walk, the plumbing backend) read the
/// variable themselves.
pub fn shallow_commits(repo: &Repository) -> HashSet<Oid> {
    let path = match std::env::var_os("GIT_SHALLOW_FILE") {
        Some(file) if !file.is_empty() => std::path::PathBuf::from(file),
        _ => repo.commondir().join("shallow"),
    };
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashSet::new();
    };
    text.lines()
        .filter_map(|l| Oid::from_str(l.trim()).ok())
        .collect()
}

/// A raw commit without the `parent` lines git reads (a grafted root):
/// the well-formed ones right after the tree line. Any other `parent` line
/// stays, so that the commit is still seen as malformed (see
/// [`crate::repo::object`]).
pub fn without_parents(raw: &[u8]) -> Vec<u8> {
    let object = crate::repo::object::parse_commit(raw);
    let Some(tree) = object.tree else {
        return raw.to_vec();
    };
    let line_end = |from: usize| {
        raw[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(raw.len(), |i| from + i + 1)
    };
    let first = line_end(0);
    let mut end = first;
    while end < raw.len() {
        let next = line_end(end);
        let line = raw[end..next]
            .strip_suffix(b"\n")
            .unwrap_or(&raw[end..next]);
        match line.strip_prefix(b"parent ") {
            Some(id) if id.len() == tree.len() && id.iter().all(u8::is_ascii_hexdigit) => {
                end = next
            }
            _ => break,
        }
    }
    [&raw[..first], &raw[end..]].concat()
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
    grafted(repo, commits).map(move |commit| {
        let commit = commit?;
        match to_utf8(repo, commit) {
            Ok(c) => Ok(c),
            Err(Error::Git(e)) => Err(e),
            Err(Error::Unreadable { id, source }) => {
                let message = format!("commit {id}: {source}");
                *unreadable.borrow_mut() = Some((id, source));
                Err(git::Error::Object(message))
            }
        }
    })
}

/// A walk's commits with shallow boundaries as grafted roots (see the
/// module documentation), messages as stored: for what needs only the
/// changed paths (`tiergate classify --rev`).
pub fn grafted<'r>(
    repo: &'r Repository,
    commits: impl IntoIterator<Item = Result<WalkedCommit, git::Error>> + 'r,
) -> impl Iterator<Item = Result<WalkedCommit, git::Error>> + 'r {
    let shallow = shallow_commits(repo);
    commits.into_iter().map(move |commit| {
        let mut commit = commit?;
        if shallow.contains(&commit.id) {
            let raw = match commit.raw.take() {
                Some(raw) => raw,
                None => read_commit(repo, commit.id)?,
            };
            commit.raw = Some(graft(repo, raw));
        }
        Ok(commit)
    })
}

/// A listed shallow commit without its parents, unless every parent is in
/// the repository: then its change is judged against them. A pusher to a
/// server with `receive.shallowUpdate` chooses which commits its push
/// lists as shallow; one whose parent the server has would otherwise be
/// judged on its whole tree, where a deletion does not show.
fn graft(repo: &Repository, raw: Vec<u8>) -> Vec<u8> {
    let parents_present = repo.odb().is_ok_and(|odb| {
        crate::repo::object::parse_commit(&raw)
            .parents
            .iter()
            .all(|p| {
                std::str::from_utf8(p)
                    .ok()
                    .and_then(|h| Oid::from_str(h).ok())
                    .is_some_and(|id| odb.exists(id))
            })
    });
    if parents_present {
        raw
    } else {
        without_parents(&raw)
    }
}

/// Commit `id` as git shows it (read, grafted at a shallow boundary,
/// decoded).
pub fn read_shown(repo: &Repository, id: Oid) -> Result<WalkedCommit, Error> {
    let mut commit = WalkedCommit { id, raw: None };
    if shallow_commits(repo).contains(&id) {
        commit.raw = Some(graft(repo, read_commit(repo, id)?));
    }
    to_utf8(repo, commit)
}

/// Why [`to_utf8`] could not produce a UTF-8 commit.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The commit could not be read.
    #[error(transparent)]
    Git(#[from] git::Error),
    /// The commit's encoding is not readable.
    #[error("commit {id}: {source}")]
    Unreadable {
        /// The commit.
        id: Oid,
        /// The encoding.
        source: UnreadableEncoding,
    },
}

/// A walked commit, read if the walk did not read it, as git would show
/// it (see [`reencode_commit`]). [`commits`] feeds a walk
/// through this (and shallow grafts) before
/// [`crate::judge::check_walked`]: the commit is then not read again.
pub fn to_utf8(repo: &Repository, commit: WalkedCommit) -> Result<WalkedCommit, Error> {
    let id = commit.id;
    let raw = match commit.raw {
        Some(raw) => raw,
        None => read_commit(repo, id)?,
    };
    let raw = match reencode_commit(&raw) {
        Ok(Cow::Borrowed(_)) => raw,
        Ok(Cow::Owned(decoded)) => decoded,
        Err(source) => return Err(Error::Unreadable { id, source }),
    };
    Ok(WalkedCommit { id, raw: Some(raw) })
}

pub(crate) fn read_commit(repo: &Repository, id: Oid) -> Result<Vec<u8>, git::Error> {
    let odb = repo.odb().map_err(|source| git::Error::Git {
        context: "cannot open the object database".into(),
        source,
    })?;
    let object = odb.read(id).map_err(|source| git::Error::Git {
        context: format!("cannot read commit {id}"),
        source,
    })?;
    if object.kind() != git2::ObjectType::Commit {
        return Err(git::Error::Object(format!(
            "object {id} is a {}, not a commit",
            object.kind()
        )));
    }
    Ok(object.data().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_are_dropped_from_the_headers_only() {
        let t = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
        let a = "0123456789012345678901234567890123456789";
        let raw = format!("tree {t}\nparent {a}\nparent {a}\nauthor x\n\nmsg\nparent {a}\n");
        assert_eq!(
            without_parents(raw.as_bytes()),
            format!("tree {t}\nauthor x\n\nmsg\nparent {a}\n").into_bytes()
        );
        let raw = format!("tree {t}\nparent {a}");
        assert_eq!(
            without_parents(raw.as_bytes()),
            format!("tree {t}\n").into_bytes()
        );
        assert_eq!(without_parents(b""), b"".to_vec());
        // A stray or malformed parent line stays (the commit stays malformed).
        let raw = format!("tree {t}\nparent {a}\nparent 12\nauthor x\nparent {a}\n\nm\n");
        assert_eq!(
            without_parents(raw.as_bytes()),
            format!("tree {t}\nparent 12\nauthor x\nparent {a}\n\nm\n").into_bytes()
        );
    }
}
