//! The paths a commit changes ([`changed_paths`]), as DESIGN.md defines
//! them: against the first parent (the empty tree for a root commit); for
//! a merge, the paths whose result differs from *every* parent (`git
//! diff-tree -c`); no rename detection, so a rename changes both its old
//! and its new path.
//!
//! Tree diffs walk both trees in step and descend only into subtrees whose
//! ids differ; no blob is ever read.

use super::changed::{ChangedPaths, TooDeep, MAX_TREE_DEPTH};
use super::commit::{commit_facts_from_raw, tree_and_parents, CommitInfo};
use super::libgit2::{odb_of, read_object, Error};
use super::tree::{Entry, Span, TreeEntries};
use git2::{Oid, Repository};

/// The paths commit `id` changes (see the module docs).
pub fn changed_paths(repo: &Repository, id: Oid) -> Result<ChangedPaths, Error> {
    let odb = odb_of(repo)?;
    let raw = read_object(&odb, id, git2::ObjectType::Commit)?;
    changed_paths_in(&odb, id, raw.data())
}

/// [`crate::repo::libgit2::commit_facts`] and [`changed_paths`] of `id`,
/// reading the commit once.
pub fn commit_facts_and_paths(
    repo: &Repository,
    id: Oid,
) -> Result<(CommitInfo, ChangedPaths), Error> {
    let odb = odb_of(repo)?;
    let raw = read_object(&odb, id, git2::ObjectType::Commit)?;
    Ok((
        commit_facts_from_raw(raw.data()),
        changed_paths_in(&odb, id, raw.data())?,
    ))
}

/// [`changed_paths`] of a commit a walk already read (see
/// [`crate::repo::libgit2::WalkedCommit`]).
pub fn changed_paths_from_raw(
    repo: &Repository,
    id: Oid,
    raw: &[u8],
) -> Result<ChangedPaths, Error> {
    changed_paths_in(&odb_of(repo)?, id, raw)
}

fn changed_paths_in(odb: &git2::Odb<'_>, id: Oid, raw: &[u8]) -> Result<ChangedPaths, Error> {
    let (tree, parents) = tree_and_parents(raw);
    let tree = tree.ok_or_else(|| Error::Object(format!("commit {id} has no tree")))?;
    let mut paths = Vec::new();
    let first_tree = match parents.first() {
        Some(first) => Some(tree_of(odb, *first)?),
        None => None,
    };
    let mut too_deep = diff_trees(
        odb,
        first_tree,
        Some(tree),
        &mut Vec::new(),
        &mut |path, _, _| paths.push(path.to_vec()),
    )?;
    // A merge introduces what differs from every parent.
    for parent in parents.iter().skip(1) {
        if paths.is_empty() {
            break;
        }
        let mut other = Vec::new();
        let parent_tree = tree_of(odb, *parent)?;
        let deep = diff_trees(
            odb,
            Some(parent_tree),
            Some(tree),
            &mut Vec::new(),
            &mut |path, _, _| other.push(path.to_vec()),
        )?;
        // Paths below a subtree too deep to diff are missing from `other`;
        // the commit is refused for that subtree, whatever paths are kept.
        too_deep = too_deep.or(deep);
        let other: std::collections::HashSet<Vec<u8>> = other.into_iter().collect();
        paths.retain(|p| other.contains(p));
    }
    Ok(ChangedPaths(paths, too_deep))
}

/// What [`diff_trees`] calls with each path that differs: the path, its
/// entry in the old tree and in the new one (`None` where absent).
pub(super) type ChangeVisitor<'v> = dyn FnMut(&[u8], Option<&Entry<'_>>, Option<&Entry<'_>>) + 'v;

/// Call `visit` with each file that differs between the trees of commits
/// `old` and `new` (`git diff-tree -r --no-renames old new`), with its
/// entry in each (`None` where absent). A subtree deeper than
/// [`MAX_TREE_DEPTH`] is an error here: the caller wants every change.
pub(super) fn tree_changes(
    repo: &Repository,
    old: Oid,
    new: Oid,
    visit: &mut ChangeVisitor<'_>,
) -> Result<(), Error> {
    let odb = odb_of(repo)?;
    let old_tree = tree_of(&odb, old)?;
    let new_tree = tree_of(&odb, new)?;
    match diff_trees(&odb, Some(old_tree), Some(new_tree), &mut Vec::new(), visit)? {
        Some(deep) => Err(Error::TreeTooDeep(deep)),
        None => Ok(()),
    }
}

pub(super) fn tree_of(odb: &git2::Odb<'_>, commit: Oid) -> Result<Oid, Error> {
    if let Some(tree) = RECENT.with(|r| r.borrow_mut().commit_trees.get(&commit)) {
        return Ok(tree);
    }
    let raw = read_object(odb, commit, git2::ObjectType::Commit)?;
    let tree = tree_and_parents(raw.data())
        .0
        .ok_or_else(|| Error::Object(format!("commit {commit} has no tree")))?;
    RECENT.with(|r| r.borrow_mut().commit_trees.insert(commit, tree));
    Ok(tree)
}

/// The raw contents of tree `id`, from the cache of recently read trees.
///
/// Walking a history diffs each commit against its parent, and the next
/// commit against *its* parent: every tree (and most subtrees, which do not
/// change) is read again and again. Objects are content-addressed, so a
/// cache keyed by id is right for any repository; it is per thread
/// (workers each have their own) and bounded.
pub(super) fn tree_data(odb: &git2::Odb<'_>, id: Oid) -> Result<std::rc::Rc<[u8]>, Error> {
    if let Some(data) = RECENT.with(|r| r.borrow_mut().trees.get(&id)) {
        return Ok(data);
    }
    let raw = read_object(odb, id, git2::ObjectType::Tree)?;
    let data: std::rc::Rc<[u8]> = raw.data().into();
    RECENT.with(|r| r.borrow_mut().trees.insert(id, data.clone()));
    Ok(data)
}

/// Recently read objects (see [`tree_data`]).
struct Recent {
    trees: Generations<std::rc::Rc<[u8]>>,
    commit_trees: Generations<Oid>,
}

thread_local! {
    static RECENT: std::cell::RefCell<Recent> = std::cell::RefCell::new(Recent {
        // Two generations of at most 12 MiB of trees each.
        trees: Generations::new(12 << 20, |data| data.len() + 64),
        commit_trees: Generations::new(4096, |_| 1),
    });
}

/// A bounded map that forgets the least recently used half at a time: two
/// generations; when the young one is full it becomes the old one and the
/// previous old one is dropped. A hit in the old generation moves the entry
/// back to the young one. At most `2 * capacity` entries.
struct Generations<V> {
    capacity: usize,
    young: std::collections::HashMap<Oid, V>,
    /// What the young generation weighs (see [`Generations::insert`]).
    young_weight: usize,
    weigh: fn(&V) -> usize,
    old: std::collections::HashMap<Oid, V>,
}

impl<V: Clone> Generations<V> {
    fn new(capacity: usize, weigh: fn(&V) -> usize) -> Self {
        Generations {
            weigh,
            capacity,
            young: std::collections::HashMap::new(),
            young_weight: 0,
            old: std::collections::HashMap::new(),
        }
    }

    fn get(&mut self, id: &Oid) -> Option<V> {
        if let Some(v) = self.young.get(id) {
            return Some(v.clone());
        }
        let v = self.old.remove(id)?;
        self.insert(*id, v.clone());
        Some(v)
    }

    /// Insert an entry; it counts `(self.weigh)(&value)` towards the
    /// capacity (bytes, for trees: a few root trees of a big project weigh
    /// more than thousands of small subtrees).
    fn insert(&mut self, id: Oid, value: V) {
        let weight = (self.weigh)(&value);
        if self.young_weight + weight > self.capacity && !self.young.is_empty() {
            self.old = std::mem::take(&mut self.young);
            self.young_weight = 0;
        }
        self.young_weight += weight;
        self.young.insert(id, value);
    }
}

/// One side of a tree diff: a raw tree and the entry it is at, as byte
/// offsets into the tree (an owned cursor, so that a stack of them needs
/// no borrows).
struct Side {
    data: std::rc::Rc<[u8]>,
    /// The tree's id (for error messages; an absent side borrows the other
    /// side's id, or the zero id).
    tree: Oid,
    /// Where `head` starts.
    start: usize,
    /// Where the entry after `head` starts.
    next: usize,
    /// The current entry.
    head: Option<Span>,
}

impl Side {
    fn new(odb: &git2::Odb<'_>, id: Option<Oid>, label: Oid) -> Result<Side, Error> {
        let data = match id {
            Some(id) => tree_data(odb, id)?,
            None => std::rc::Rc::from(&[][..]),
        };
        let mut side = Side {
            data,
            tree: label,
            start: 0,
            next: 0,
            head: None,
        };
        side.advance()?;
        Ok(side)
    }

    /// Move to the next entry (`head` becomes `None` at the end).
    fn advance(&mut self) -> Result<(), Error> {
        let mut entries = TreeEntries::new(&self.data, self.tree);
        entries.pos = self.next;
        self.start = self.next;
        self.head = entries.next_span()?;
        self.next = entries.pos;
        Ok(())
    }

    fn entry(&self) -> Option<Entry<'_>> {
        self.head.as_ref().map(|span| span.entry(&self.data))
    }

    /// The current entry's id if it is a subtree.
    fn subtree(&self) -> Result<Option<Oid>, Error> {
        match self.entry() {
            Some(e) if e.is_tree() => e.oid(self.tree).map(Some),
            _ => Ok(None),
        }
    }
}

/// The two trees being compared at one level of a diff, and the length of
/// the path prefix above them.
struct Level {
    old: Side,
    new: Side,
    prefix_len: usize,
}

impl Level {
    /// Skip, on both sides at once, the entries that are byte for byte the
    /// same (same mode, name and id: unchanged). A commit changes a few
    /// entries of each tree it touches; finding the first differing byte
    /// of the rest of the two trees is a memory comparison, where parsing
    /// and comparing entry by entry was most of the cost of diffing a
    /// history with big directories (git.git's root holds ~500 entries).
    fn skip_unchanged(&mut self, hash_len: usize) -> Result<(), Error> {
        if self.old.head.is_none() || self.new.head.is_none() {
            return Ok(());
        }
        let a = &self.old.data[self.old.start..];
        let b = &self.new.data[self.new.start..];
        let same = common_prefix(a, b);
        // Whole entries inside the common bytes; boundaries are the same
        // on both sides there.
        let mut end = 0;
        while let Some(nul) = memchr::memchr(0, &a[end..same]) {
            let entry_end = end + nul + 1 + hash_len;
            if entry_end > same {
                break;
            }
            end = entry_end;
        }
        if end > 0 {
            self.old.next = self.old.start + end;
            self.new.next = self.new.start + end;
            self.old.advance()?;
            self.new.advance()?;
        }
        Ok(())
    }

    fn new(
        odb: &git2::Odb<'_>,
        old: Option<Oid>,
        new: Option<Oid>,
        prefix_len: usize,
    ) -> Result<Level, Error> {
        // An absent side is the empty tree (its id is only used in messages).
        let old_label = old.or(new).unwrap_or(Oid::ZERO_SHA1);
        let new_label = new.or(old).unwrap_or(Oid::ZERO_SHA1);
        Ok(Level {
            old: Side::new(odb, old, old_label)?,
            new: Side::new(odb, new, new_label)?,
            prefix_len,
        })
    }
}

/// Call `visit` with each path that differs between trees `old` and `new`
/// (`None`: the empty tree), in git's order, each under `prefix`, and its
/// entry in the old and in the new tree (`None` where it is absent). Both
/// trees are walked in step and only subtrees whose ids differ are
/// descended into; anything else (blob, symlink, submodule commit) that
/// was added, removed or changed is one path.
///
/// Iterative, with an explicit stack of [`Level`]s: the trees come from
/// the pusher, and a recursion as deep as the tree would overflow the
/// thread's stack on a tree 10,000 levels deep (an abort, no verdict, no
/// audit record). A subtree deeper than [`MAX_TREE_DEPTH`] is not
/// descended into: the first one is returned, the diff goes on with its
/// siblings.
fn diff_trees(
    odb: &git2::Odb<'_>,
    old: Option<Oid>,
    new: Option<Oid>,
    prefix: &mut Vec<u8>,
    visit: &mut ChangeVisitor<'_>,
) -> Result<Option<TooDeep>, Error> {
    let mut too_deep = None;
    if old == new {
        return Ok(too_deep);
    }
    let base = prefix.len();
    let mut stack = vec![Level::new(odb, old, new, base)?];
    let hash_len = old.or(new).map_or(20, |id| id.as_bytes().len());
    while let Some(level) = stack.last_mut() {
        level.skip_unchanged(hash_len)?;
        let order = match (level.old.entry(), level.new.entry()) {
            (Some(x), Some(y)) => x.cmp_git_order(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => {
                stack.pop();
                continue;
            }
        };
        // Which sides hold the entry at hand, and whether it changed.
        let (in_old, in_new) = match order {
            std::cmp::Ordering::Less => (true, false),
            std::cmp::Ordering::Greater => (false, true),
            std::cmp::Ordering::Equal => (true, true),
        };
        let changed = match (level.old.entry(), level.new.entry()) {
            (Some(x), Some(y)) if in_old && in_new => x.id != y.id || x.mode != y.mode,
            _ => true,
        };
        let mut descend = None;
        if changed {
            let old_tree = if in_old { level.old.subtree()? } else { None };
            let new_tree = if in_new { level.new.subtree()? } else { None };
            let side = if in_old { &level.old } else { &level.new };
            let entry = side
                .entry()
                .ok_or_else(|| Error::Object(format!("tree {} is corrupt", side.tree)))?;
            prefix.truncate(level.prefix_len);
            prefix.extend_from_slice(entry.name);
            // Same key on both sides means both are trees or both are not
            // (git's order puts a subtree `a` after a file `a`).
            if old_tree.is_some() || new_tree.is_some() {
                prefix.push(b'/');
                // A mode change alone (same id) changes no path below.
                descend = (old_tree != new_tree).then_some((old_tree, new_tree));
            } else {
                let old_entry = in_old.then(|| level.old.entry()).flatten();
                let new_entry = in_new.then(|| level.new.entry()).flatten();
                visit(prefix, old_entry.as_ref(), new_entry.as_ref());
            }
        }
        if in_old {
            level.old.advance()?;
        }
        if in_new {
            level.new.advance()?;
        }
        if let Some((old_tree, new_tree)) = descend {
            // The top tree is depth 0, as in git's tree-diff.c.
            let depth = stack.len();
            if depth > MAX_TREE_DEPTH {
                too_deep.get_or_insert_with(|| TooDeep {
                    depth,
                    prefix: prefix.clone(),
                });
            } else {
                stack.push(Level::new(odb, old_tree, new_tree, prefix.len())?);
            }
        }
    }
    prefix.truncate(base);
    Ok(too_deep)
}

/// How many leading bytes `a` and `b` share (compared a block at a time).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 32;
    let len = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= len && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    i + a[i..len]
        .iter()
        .zip(&b[i..len])
        .position(|(x, y)| x != y)
        .unwrap_or(len - i)
}
