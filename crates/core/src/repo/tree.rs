//! Raw trees: their entries parsed in place ([`TreeEntries`]), in git's
//! order, and the listing of every file of a tree ([`for_each_tree_file`]).

use super::changed::{TooDeep, MAX_TREE_DEPTH};
use super::libgit2::{odb_of, read_object, resolve_commit, Error, RangeError};
use git2::{Oid, Repository};

/// One tree entry, borrowed from the raw tree: name, raw id, mode.
pub(super) struct Entry<'a> {
    pub(super) name: &'a [u8],
    pub(super) id: &'a [u8],
    pub(super) mode: u32,
}

pub(super) const MODE_TREE: u32 = 0o040000;

/// A submodule's commit (a gitlink): a file of the tree with no contents.
pub(super) const MODE_GITLINK: u32 = 0o160000;

impl Entry<'_> {
    pub(super) fn is_tree(&self) -> bool {
        self.mode & 0o170000 == MODE_TREE
    }

    /// Whether the entry names a blob (a file or a symlink; not a subtree
    /// or a submodule's commit).
    pub(super) fn is_blob(&self) -> bool {
        let kind = self.mode & 0o170000;
        kind != MODE_TREE && kind != MODE_GITLINK
    }

    pub(super) fn oid(&self, tree: Oid) -> Result<Oid, Error> {
        Oid::from_bytes(self.id).map_err(|_| Error::Object(format!("tree {tree} is corrupt")))
    }

    /// git sorts tree entries as if a subtree's name ended in `/`
    /// (`base_name_compare` in git's tree.c); merging two trees must use
    /// the same order.
    pub(super) fn cmp_git_order(&self, other: &Entry<'_>) -> std::cmp::Ordering {
        let common = self.name.len().min(other.name.len());
        match self.name[..common].cmp(&other.name[..common]) {
            std::cmp::Ordering::Equal => {}
            order => return order,
        }
        let end = |e: &Entry<'_>| e.name.get(common).copied().or(e.is_tree().then_some(b'/'));
        end(self).cmp(&end(other))
    }
}

/// The entries of a raw tree, `<octal mode> <name>\0<binary id>` each,
/// parsed as they are read. Reading raw objects instead of libgit2's parsed
/// trees avoids an allocation per entry, which dominated diffing a whole
/// history.
pub(super) struct TreeEntries<'a> {
    data: &'a [u8],
    pub(super) pos: usize,
    tree: Oid,
    hash_len: usize,
}

impl<'a> TreeEntries<'a> {
    pub(super) fn new(data: &'a [u8], tree: Oid) -> Self {
        TreeEntries {
            data,
            pos: 0,
            tree,
            hash_len: tree.as_bytes().len(),
        }
    }

    fn corrupt(&self) -> Error {
        Error::Object(format!("tree {} is corrupt", self.tree))
    }

    pub(super) fn next_entry(&mut self) -> Result<Option<Entry<'a>>, Error> {
        Ok(self.next_span()?.map(|span| span.entry(self.data)))
    }

    /// The next entry as offsets into the raw tree.
    pub(super) fn next_span(&mut self) -> Result<Option<Span>, Error> {
        let data = self.data;
        let pos = self.pos;
        if pos >= data.len() {
            return Ok(None);
        }
        let space = data[pos..]
            .iter()
            .position(|&b| b == b' ')
            .ok_or_else(|| self.corrupt())?;
        let mut mode = 0u32;
        for &digit in &data[pos..pos + space] {
            if !(b'0'..=b'7').contains(&digit) {
                return Err(self.corrupt());
            }
            mode = mode.checked_mul(8).ok_or_else(|| self.corrupt())? + u32::from(digit - b'0');
        }
        let name_start = pos + space + 1;
        let nul = data[name_start..]
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| self.corrupt())?;
        let id_start = name_start + nul + 1;
        let id_end = id_start + self.hash_len;
        if id_end > data.len() {
            return Err(self.corrupt());
        }
        self.pos = id_end;
        Ok(Some(Span {
            name: name_start..name_start + nul,
            id: id_start..id_end,
            mode,
        }))
    }
}

/// Where one entry lies in a raw tree (see [`TreeEntries::next_span`]).
#[derive(Debug, Clone)]
pub(super) struct Span {
    name: std::ops::Range<usize>,
    id: std::ops::Range<usize>,
    mode: u32,
}

impl Span {
    pub(super) fn entry<'a>(&self, data: &'a [u8]) -> Entry<'a> {
        Entry {
            name: &data[self.name.clone()],
            id: &data[self.id.clone()],
            mode: self.mode,
        }
    }
}

/// All entries of a raw tree (for tests).
#[cfg(test)]
fn parse_tree(data: &[u8], id: Oid) -> Result<Vec<Entry<'_>>, Error> {
    let mut entries = TreeEntries::new(data, id);
    let mut out = Vec::new();
    while let Some(entry) = entries.next_entry()? {
        out.push(entry);
    }
    Ok(out)
}

/// The tree of the commit `rev` names (anything `git rev-parse`
/// understands), for listing it with [`for_each_tree_file`].
pub fn tree_at(repo: &Repository, rev: &str) -> Result<Oid, RangeError> {
    Ok(resolve_commit(repo, rev)?.tree_id())
}

/// Call `visit` with the path of every file in `tree` (blobs, symlinks and
/// submodule commits: what `git ls-tree -r` lists), repository-relative,
/// `/`-separated, in git's tree order. Nothing is collected: memory stays
/// bounded by the depth of the tree.
pub fn for_each_tree_file(
    repo: &Repository,
    tree: Oid,
    mut visit: impl FnMut(&[u8]),
) -> Result<(), Error> {
    for_each_tree_entry(repo, tree, |path, _| visit(path))
}

/// [`for_each_tree_file`], with each file's entry (mode and id).
pub(super) fn for_each_tree_entry(
    repo: &Repository,
    tree: Oid,
    mut visit: impl FnMut(&[u8], &Entry<'_>),
) -> Result<(), Error> {
    let odb = odb_of(repo)?;
    // An explicit stack, not recursion: the tree may come from a pusher
    // (see `MAX_TREE_DEPTH`). Each level: the raw tree, its id, where its
    // next entry starts, and the length of the path prefix above it.
    let top = read_object(&odb, tree, git2::ObjectType::Tree)?;
    let mut stack = vec![(top, tree, 0usize, 0usize)];
    let mut prefix = Vec::new();
    while let Some((raw, id, pos, prefix_len)) = stack.last_mut() {
        let mut entries = TreeEntries::new(raw.data(), *id);
        entries.pos = *pos;
        let Some(entry) = entries.next_entry()? else {
            stack.pop();
            continue;
        };
        *pos = entries.pos;
        prefix.truncate(*prefix_len);
        prefix.extend_from_slice(entry.name);
        if !entry.is_tree() {
            visit(&prefix, &entry);
            continue;
        }
        prefix.push(b'/');
        let sub = entry.oid(*id)?;
        // The top tree is depth 0, as in git's tree.c (`read_tree_at`).
        let depth = stack.len();
        if depth > MAX_TREE_DEPTH {
            return Err(Error::TreeTooDeep(TooDeep { depth, prefix }));
        }
        let data = read_object(&odb, sub, git2::ObjectType::Tree)?;
        stack.push((data, sub, 0, prefix.len()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_trees_are_errors_not_panics() {
        let id = Oid::from_str("4b825dc642cb6eb9a060e54bf8d69288fbee4904").expect("oid");
        for data in [
            &b"100644"[..],
            b"100644 name",
            b"100644 name\0short",
            b"10x644 a\0aaaaaaaaaaaaaaaaaaaa",
            b"77777777777777777777 a\0aaaaaaaaaaaaaaaaaaaa",
        ] {
            assert!(parse_tree(data, id).is_err(), "{data:?}");
        }
        let ok = parse_tree(
            b"40000 dir\0aaaaaaaaaaaaaaaaaaaa100644 f\0bbbbbbbbbbbbbbbbbbbb",
            id,
        )
        .expect("valid");
        assert_eq!(ok.len(), 2);
        assert!(ok[0].is_tree() && !ok[1].is_tree());
        assert_eq!(ok[1].name, b"f");
        // git's order: a subtree sorts as if its name ended in '/'.
        let tree = |name: &'static [u8]| Entry {
            name,
            id: &[0; 20],
            mode: MODE_TREE,
        };
        let file = |name: &'static [u8]| Entry {
            name,
            id: &[0; 20],
            mode: 0o100644,
        };
        use std::cmp::Ordering::*;
        assert_eq!(file(b"foo").cmp_git_order(&file(b"foo-bar")), Less);
        assert_eq!(tree(b"foo").cmp_git_order(&file(b"foo-bar")), Greater);
        assert_eq!(tree(b"foo").cmp_git_order(&file(b"foo0")), Less);
        assert_eq!(tree(b"foo").cmp_git_order(&tree(b"foo")), Equal);
        assert_eq!(file(b"foo").cmp_git_order(&tree(b"foo")), Less);
    }
}
