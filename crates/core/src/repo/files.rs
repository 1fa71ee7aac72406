//! The files of a tree with their blob ids, and the files that differ
//! between the trees of two commits: what the include graph
//! ([`super::includes`]) is built from and kept up to date with.
//!
//! In process with libgit2 ([`super::tree`], [`super::diff`]): a server
//! hook that follows includes pays for no extra `git` process when the
//! default branch moved by a few files. Through git's plumbing (`ls-tree`,
//! `diff-tree`, `cat-file --batch`) for the formats libgit2 cannot read.

use super::libgit2::{odb_of, read_object, resolve_commit_id};
use super::{diff, tree, Backend, Error, Repo};
use git2::Oid;

/// A file of a tree: its path, and its blob's id for a file or symlink (a
/// submodule's commit has no contents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    /// Repository-relative, `/`-separated.
    pub path: Vec<u8>,
    /// Hex id of the blob.
    pub blob: Option<String>,
}

/// A path that differs between two trees: the file the new tree has there
/// (`None`: the new tree has no file there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff {
    /// The path.
    pub path: Vec<u8>,
    /// The new tree's file, if any (its `blob` as in [`TreeFile`]).
    pub new: Option<Option<String>>,
}

impl Repo {
    /// The commit `HEAD` points at, or `None` on an unborn branch (or a
    /// `HEAD` that names no commit).
    pub fn head_commit(&self) -> Option<String> {
        match &self.backend {
            Backend::Libgit2(repo) => {
                let head = repo.head().ok()?;
                Some(head.peel_to_commit().ok()?.id().to_string())
            }
            Backend::Git(repo) => repo.head_commit(),
        }
    }

    /// The branch `HEAD` points at (`refs/heads/main`), born or not;
    /// `None` for a detached `HEAD`.
    pub fn head_branch(&self) -> Option<String> {
        match &self.backend {
            Backend::Libgit2(repo) => repo
                .find_reference("HEAD")
                .ok()?
                .symbolic_target_bytes()
                .map(|name| String::from_utf8_lossy(name).into_owned()),
            Backend::Git(repo) => repo.head_branch(),
        }
    }

    /// The blob id of the file `path` in the tree of `commit`, if that
    /// tree has a blob there (the server hook compares the policy file of
    /// two commits by it).
    pub fn blob_id_at(&self, commit: &str, path: &str) -> Option<String> {
        match &self.backend {
            Backend::Libgit2(repo) => {
                let id = Oid::from_str(commit).ok()?;
                let tree = repo.find_commit(id).ok()?.tree().ok()?;
                let entry = tree.get_path(std::path::Path::new(path)).ok()?;
                (entry.kind() == Some(git2::ObjectType::Blob)).then(|| entry.id().to_string())
            }
            Backend::Git(repo) => repo.blob_id_at(commit, path),
        }
    }

    /// The contents of the file `path` in the tree of `commit`, if that
    /// tree has a blob there.
    pub fn file_at(&self, commit: &str, path: &str) -> Option<Vec<u8>> {
        let id = self.blob_id_at(commit, path)?;
        let mut contents = None;
        self.read_blobs(&[&id], |_, data| contents = Some(data.to_vec()))
            .ok()?;
        contents
    }

    /// The id of the commit `rev` names.
    pub(super) fn commit_id(&self, rev: &str) -> Result<String, Error> {
        match &self.backend {
            Backend::Libgit2(repo) => Ok(resolve_commit_id(repo, rev)?.to_string()),
            Backend::Git(repo) => Ok(repo.resolve_commit(rev)?),
        }
    }

    /// Every file of the tree of `commit` (`git ls-tree -r`), in git's
    /// order.
    pub(super) fn tree_files(&self, commit: &str) -> Result<Vec<TreeFile>, Error> {
        match &self.backend {
            Backend::Libgit2(repo) => {
                let tree = tree::tree_at(repo, commit)?;
                let mut files = Vec::new();
                let mut corrupt = None;
                tree::for_each_tree_entry(repo, tree, |path, entry| {
                    let blob = blob_id(entry).unwrap_or_else(|e| {
                        corrupt.get_or_insert(e);
                        None
                    });
                    files.push(TreeFile {
                        path: path.to_vec(),
                        blob,
                    });
                })?;
                corrupt.map_or(Ok(files), Err)
            }
            Backend::Git(repo) => {
                let (_, entries) = repo.tree_entries(commit)?;
                Ok(entries
                    .into_iter()
                    .map(|(path, oid)| TreeFile {
                        path,
                        blob: (!oid.is_empty()).then_some(oid),
                    })
                    .collect())
            }
        }
    }

    /// The paths whose file differs between the trees of commits `old`
    /// and `new` (`git diff-tree -r --no-renames`), with the new tree's
    /// file there.
    pub(super) fn file_diffs(&self, old: &str, new: &str) -> Result<Vec<FileDiff>, Error> {
        match &self.backend {
            Backend::Libgit2(repo) => {
                let mut diffs = Vec::new();
                let mut corrupt = None;
                diff::tree_changes(repo, oid(old)?, oid(new)?, &mut |path, _, new| {
                    let new = new.map(|e| {
                        blob_id(e).unwrap_or_else(|e| {
                            corrupt.get_or_insert(e);
                            None
                        })
                    });
                    diffs.push(FileDiff {
                        path: path.to_vec(),
                        new,
                    });
                })?;
                corrupt.map_or(Ok(diffs), Err)
            }
            Backend::Git(repo) => Ok(repo
                .raw_changes(old, new)?
                .into_iter()
                .map(|c| FileDiff {
                    new: (c.status != 'D')
                        .then(|| (c.new_mode & 0o170000 != 0o160000).then_some(c.new)),
                    path: c.path,
                })
                .collect()),
        }
    }

    /// Call `each` with the contents of each blob of `ids`.
    pub(super) fn read_blobs(
        &self,
        ids: &[&str],
        mut each: impl FnMut(&str, &[u8]),
    ) -> Result<(), Error> {
        match &self.backend {
            Backend::Libgit2(repo) => {
                let odb = odb_of(repo)?;
                for &hex in ids {
                    let object = read_object(&odb, oid(hex)?, git2::ObjectType::Blob)?;
                    each(hex, object.data());
                }
                Ok(())
            }
            Backend::Git(repo) => Ok(repo.read_blobs(ids.iter().copied(), each)?),
        }
    }
}

/// The object id `hex` names.
fn oid(hex: &str) -> Result<Oid, Error> {
    Oid::from_str(hex).map_err(|_| {
        Error::Git(super::libgit2::Error::Object(format!(
            "bad object id {hex:?}"
        )))
    })
}

/// The hex id of the blob a tree entry names (`None`: a subtree or a
/// submodule's commit); a raw id of the wrong length is a corrupt tree.
fn blob_id(entry: &tree::Entry<'_>) -> Result<Option<String>, Error> {
    if !entry.is_blob() {
        return Ok(None);
    }
    Oid::from_bytes(entry.id)
        .map(|id| Some(id.to_string()))
        .map_err(|_| Error::Git(super::libgit2::Error::Object("a tree is corrupt".into())))
}
