//! What the commit a `commit-msg` hook is asked about would change: its
//! parents as git's state tells ([`pending_parents`]) and the paths its
//! index changes against them ([`staged_paths`]).

use super::changed::{ChangedPaths, MAX_TREE_DEPTH};
use super::diff::{tree_data, tree_of};
use super::libgit2::{git_err, odb_of, Error};
use super::tree::{for_each_tree_file, Entry, TreeEntries, MODE_TREE};
use git2::{Oid, Repository};
use std::path::Path;

/// The parents of the commit a `commit-msg` hook is asked about, as git's
/// state tells: `HEAD` (none on the first commit, an unborn branch) then
/// each commit listed in `MERGE_HEAD` (a merge being concluded, octopus
/// included). With `amend` (`git commit --amend`, which runs the hook with
/// HEAD still the commit being replaced) the new commit takes HEAD's place:
/// its parents are HEAD's parents, then `MERGE_HEAD` if any.
pub fn pending_parents(repo: &Repository, amend: bool) -> Result<Vec<Oid>, Error> {
    let head = match repo.head() {
        Ok(head) => Some(
            head.peel_to_commit()
                .map_err(git_err("cannot read the commit HEAD points to"))?,
        ),
        Err(e)
            if matches!(
                e.code(),
                git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound
            ) =>
        {
            None
        }
        Err(e) => return Err(git_err("cannot read HEAD")(e)),
    };
    let mut parents: Vec<Oid> = match (&head, amend) {
        (Some(head), true) => head.parent_ids().collect(),
        (Some(head), false) => vec![head.id()],
        (None, _) => Vec::new(),
    };
    let merge_head = repo.path().join("MERGE_HEAD");
    match std::fs::read(&merge_head) {
        Ok(text) => {
            for line in text.split(|&b| b == b'\n') {
                let line = line.trim_ascii();
                if line.is_empty() {
                    continue;
                }
                let id = std::str::from_utf8(line)
                    .ok()
                    .and_then(|s| Oid::from_str(s).ok())
                    .ok_or_else(|| {
                        Error::Object(format!(
                            "{} holds {:?}, not a commit id",
                            merge_head.display(),
                            String::from_utf8_lossy(line)
                        ))
                    })?;
                if !parents.contains(&id) {
                    parents.push(id);
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(Error::Object(format!(
                "cannot read {}: {e}",
                merge_head.display()
            )))
        }
    }
    Ok(parents)
}

/// The paths the commit that `index_path` would make changes, with
/// `parents` its parents (see [`pending_parents`]), as
/// [`crate::repo::diff::changed_paths`] defines changed paths: against the
/// first parent (the empty tree without parents); for a merge, the paths
/// whose staged content differs from *every* parent. No rename detection.
///
/// The index file is read as it is (`GIT_INDEX_FILE`: `index`,
/// `index.lock` for `git commit -a`, a temporary index for
/// `git commit <paths>`); nothing is written, neither the index nor
/// objects. Sorted by bytes, without duplicates.
pub fn staged_paths(
    repo: &Repository,
    index_path: &Path,
    parents: &[Oid],
) -> Result<ChangedPaths, Error> {
    // The index file read directly and merged with each parent's tree,
    // skipping the directories its cache tree shows unchanged (see
    // `crate::index_file`); what that reader does not handle (a split or
    // sparse index, unmerged entries, an index it cannot parse or that is
    // missing) goes through libgit2 below.
    match super::index_file::FileBytes::open(index_path) {
        Ok(data) => match super::index_file::parse(&data, Oid::ZERO_SHA1.as_bytes().len()) {
            Ok(index) => {
                if let Some(paths) = staged_paths_from(repo, &index, parents)? {
                    return Ok(ChangedPaths(paths, None));
                }
                tracing::debug!("staged paths: tree too deep, using libgit2");
            }
            Err(why) => tracing::debug!(reason = why.0, "staged paths: using libgit2"),
        },
        Err(e) => tracing::debug!(error = %e, "staged paths: using libgit2"),
    }
    let index = git2::Index::open(index_path).map_err(git_err(format!(
        "cannot read the index {}",
        index_path.display()
    )))?;
    let diff_against = |parent: Option<Oid>| -> Result<Vec<Vec<u8>>, Error> {
        let tree = match parent {
            Some(id) => {
                let tree_id = tree_of(&odb_of(repo)?, id)?;
                Some(
                    repo.find_tree(tree_id)
                        .map_err(git_err(format!("cannot read tree {tree_id}")))?,
                )
            }
            None => None,
        };
        let mut options = git2::DiffOptions::new();
        options.ignore_submodules(false);
        let diff = repo
            .diff_tree_to_index(tree.as_ref(), Some(&index), Some(&mut options))
            .map_err(git_err(format!(
                "cannot compare the index {} with its parent",
                index_path.display()
            )))?;
        let mut paths = Vec::new();
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                if let Some(path) = file.path_bytes() {
                    paths.push(path.to_vec());
                }
            }
        }
        paths.sort();
        paths.dedup();
        Ok(paths)
    };
    let mut paths = diff_against(parents.first().copied())?;
    for parent in parents.iter().skip(1) {
        if paths.is_empty() {
            break;
        }
        let other = diff_against(Some(*parent))?;
        paths.retain(|p| other.binary_search(p).is_ok());
    }
    Ok(ChangedPaths(paths, None))
}

/// [`staged_paths`] from a parsed index: the same definition (against
/// the first parent; for a merge, the paths that differ from every
/// parent), `None` if a tree is nested too deep to merge here.
fn staged_paths_from(
    repo: &Repository,
    index: &super::index_file::Index<'_>,
    parents: &[Oid],
) -> Result<Option<Vec<Vec<u8>>>, Error> {
    let odb = odb_of(repo)?;
    let against = |parent: Option<Oid>| -> Result<Option<Vec<Vec<u8>>>, Error> {
        let tree = parent.map(|id| tree_of(&odb, id)).transpose()?;
        let mut paths = Vec::new();
        let complete = diff_index_dir(
            repo,
            &odb,
            index,
            &index.entries,
            tree,
            (!index.cache_tree.is_empty()).then_some(0),
            &mut Vec::new(),
            &mut paths,
        )?;
        // Already in byte order (trees and the index are walked in step,
        // and git's tree order is the order of the full paths); sorting
        // keeps the contract whatever the input.
        paths.sort();
        paths.dedup();
        Ok(complete.then_some(paths))
    };
    let Some(mut paths) = against(parents.first().copied())? else {
        return Ok(None);
    };
    for parent in parents.iter().skip(1) {
        if paths.is_empty() {
            break;
        }
        let Some(other) = against(Some(*parent))? else {
            return Ok(None);
        };
        paths.retain(|p| other.binary_search(p).is_ok());
    }
    Ok(Some(paths))
}

/// A tree entry's mode as git compares it with an index entry's: git
/// canonicalises modes read from trees (`canon_mode` in git's
/// object.h, applied by tree-walk.c `decode_tree_entry`), so an old
/// `100664` blob is `100644`.
fn canon_mode(mode: u32) -> u32 {
    match mode & 0o170000 {
        0o100000 if mode & 0o100 != 0 => 0o100755,
        0o100000 => 0o100644,
        0o120000 => 0o120000,
        MODE_TREE => MODE_TREE,
        _ => 0o160000,
    }
}

/// Append to `out` the paths where the index `entries` (all below
/// `prefix`, sorted) differ from `tree` (`None`: the empty tree), as
/// `git diff --cached --name-only --no-renames` lists them: both are
/// merged in git's order, a file on one side only or with another id or
/// mode is a path, a directory on one side only contributes every file in
/// it. A directory is descended into only if the cache tree (`cache`,
/// this directory's node) does not already say it is `tree`. Returns
/// false if a tree is nested deeper than [`MAX_TREE_DEPTH`] (the caller
/// takes the general path).
#[allow(clippy::too_many_arguments)]
fn diff_index_dir(
    repo: &Repository,
    odb: &git2::Odb<'_>,
    index: &super::index_file::Index<'_>,
    entries: &[super::index_file::IndexEntry],
    tree: Option<Oid>,
    cache: Option<usize>,
    prefix: &mut Vec<u8>,
    out: &mut Vec<Vec<u8>>,
) -> Result<bool, Error> {
    use std::cmp::Ordering;
    if let (Some(tree), Some(node)) = (tree, cache.map(|c| &index.cache_tree[c])) {
        // git wrote this directory's entries as this very tree (and the
        // count says the entries are the same ones): nothing changed below.
        if index.node_id(node) == Some(tree.as_bytes()) && node.entry_count == entries.len() {
            return Ok(true);
        }
    }
    // This directory's cache-tree subdirectories by name, for the
    // directories descended into below.
    let mut subdirs: Vec<(&[u8], usize)> = cache
        .map(|c| {
            index
                .children(c)
                .map(|child| (index.node_name(&index.cache_tree[child]), child))
                .collect()
        })
        .unwrap_or_default();
    subdirs.sort_unstable();
    // One level per path component of the index: as deep as the prefix.
    if prefix.iter().filter(|&&b| b == b'/').count() > MAX_TREE_DEPTH {
        return Ok(false);
    }
    let data = match tree {
        Some(id) => tree_data(odb, id)?,
        None => std::rc::Rc::from(&[][..]),
    };
    let label = tree.unwrap_or(Oid::ZERO_SHA1);
    let mut walk = TreeEntries::new(&data, label);
    let mut head = walk.next_entry()?;
    let base = prefix.len();
    let mut i = 0;
    loop {
        // The index's next item at this level: a file, or a directory
        // (every entry below `name/`).
        let item = entries.get(i).map(|e| {
            let rest = &index.path(e)[base..];
            match rest.iter().position(|&b| b == b'/') {
                Some(slash) => (&rest[..slash], true),
                None => (rest, false),
            }
        });
        let order = match (&head, item) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(entry), Some((name, is_dir))) => entry.cmp_git_order(&Entry {
                name,
                id: &[],
                mode: if is_dir { MODE_TREE } else { 0 },
            }),
        };
        // The directory's entries, when the item is one.
        let group_end = |i: usize, name: &[u8]| -> usize {
            let dir_len = base + name.len() + 1;
            let dir = &index.path(&entries[i])[..dir_len];
            i + entries[i..].partition_point(|e| index.path(e).starts_with(dir))
        };
        match (order, head.as_ref(), item) {
            (Ordering::Less, Some(entry), _) => {
                // Only in the tree: removed.
                prefix.truncate(base);
                prefix.extend_from_slice(entry.name);
                if entry.is_tree() {
                    prefix.push(b'/');
                    let listed = for_each_tree_file(repo, entry.oid(label)?, |path| {
                        let mut full = prefix.clone();
                        full.extend_from_slice(path);
                        out.push(full);
                    });
                    match listed {
                        Ok(()) => {}
                        Err(Error::TreeTooDeep(_)) => return Ok(false),
                        Err(e) => return Err(e),
                    }
                } else {
                    out.push(prefix.clone());
                }
                head = walk.next_entry()?;
            }
            (Ordering::Greater, _, Some((name, is_dir))) => {
                // Only in the index: added.
                let end = if is_dir { group_end(i, name) } else { i + 1 };
                out.extend(entries[i..end].iter().map(|e| index.path(e).to_vec()));
                i = end;
            }
            (Ordering::Equal, Some(entry), Some((name, true))) => {
                let end = group_end(i, name);
                let sub = entry.oid(label)?;
                let node = subdirs
                    .binary_search_by(|(n, _)| (*n).cmp(name))
                    .ok()
                    .map(|at| subdirs[at].1);
                prefix.truncate(base);
                prefix.extend_from_slice(name);
                prefix.push(b'/');
                if !diff_index_dir(
                    repo,
                    odb,
                    index,
                    &entries[i..end],
                    Some(sub),
                    node,
                    prefix,
                    out,
                )? {
                    return Ok(false);
                }
                i = end;
                head = walk.next_entry()?;
            }
            (Ordering::Equal, Some(entry), Some(_)) => {
                let staged = &entries[i];
                if canon_mode(entry.mode) != staged.mode || entry.id != index.id(staged) {
                    out.push(index.path(staged).to_vec());
                }
                i += 1;
                head = walk.next_entry()?;
            }
            // Cannot happen (the order comes from these very items); the
            // general path decides rather than a panic.
            _ => return Ok(false),
        }
    }
    prefix.truncate(base);
    Ok(true)
}
