//! Git access: the only module that touches a repository.
//!
//! It gathers plain data for the rule engine and decides nothing:
//! - [`open`] a repository as git would (honouring `GIT_DIR`,
//!   `GIT_OBJECT_DIRECTORY`, `GIT_ALTERNATE_OBJECT_DIRECTORIES`), bare or not;
//! - [`RevWalk`] turns `git rev-list` style arguments into a stream of
//!   commit ids (never the whole history in memory);
//! - [`commit_facts`] reads a commit's message and identities as stored;
//! - [`changed_paths`] lists the paths a commit changes, as DESIGN.md
//!   defines them: against the first parent (the empty tree for a root
//!   commit); for a merge, the paths whose result differs from *every*
//!   parent (`git diff-tree -c`); no rename detection, so a rename changes
//!   both its old and its new path.
//!
//! Tree diffs walk both trees in step and descend only into subtrees whose
//! ids differ; no blob is ever read.

pub use super::changed::{ChangedPaths, TooDeep, MAX_TREE_DEPTH};
use crate::rules::{CommitFacts, Identity};
use git2::{Oid, Repository};
use std::ffi::OsStr;
use std::path::Path;

/// A git or repository I/O error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// libgit2 reported an error.
    // The libgit2 message is the `source`, shown once by whoever renders
    // the chain (the CLI's `Caused by:`).
    #[error("{context}")]
    Git {
        /// What we were doing.
        context: String,
        /// The libgit2 error.
        source: git2::Error,
    },
    /// An object is missing or has the wrong type.
    #[error("{0}")]
    Object(String),
    /// The walk (`git rev-list`) failed.
    #[error(transparent)]
    Walk(crate::repo::walk::Error),
    /// A tree nested deeper than git's `core.maxTreeDepth` default (see
    /// [`MAX_TREE_DEPTH`]), met while listing a whole tree.
    #[error(
        "tree {} is nested {} levels deep, deeper than git's core.maxTreeDepth ({MAX_TREE_DEPTH})",
        crate::rules::abbreviated(&.0.prefix),
        .0.depth
    )]
    TreeTooDeep(TooDeep),
}

/// A revision argument tiergate cannot use (exit code 2, like a usage error).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct RevisionError {
    /// What is wrong, naming the argument.
    pub message: String,
}

fn git_err(context: impl Into<String>) -> impl FnOnce(git2::Error) -> Error {
    let context = context.into();
    move |source| Error::Git { context, source }
}

/// Open the repository at `dir` (searching upwards like git), or, with no
/// `dir`, the one git's environment names (`GIT_DIR`, ...) or the one
/// around the current directory.
///
/// Replace refs (`refs/replace/<id>`, `git replace`) are not followed:
/// libgit2 does not implement them (the vendored 1.9 has no code that
/// reads `refs/replace/`; libgit2 issue #1730 "Support git-replace" is
/// open, and git2-rs #1081 shows `git replace --edit` ignored), so every
/// object is read as stored, as git does with `GIT_NO_REPLACE_OBJECTS=1`,
/// which [`crate::repo::plumbing`] sets for every git command it runs.
pub fn open(dir: Option<&Path>) -> Result<Repository, Error> {
    configure_libgit2();
    match dir {
        Some(dir) => Repository::open_ext(
            dir,
            git2::RepositoryOpenFlags::empty(),
            std::iter::empty::<&OsStr>(),
        )
        .map_err(git_err(format!("cannot open repository {}", dir.display()))),
        None => Repository::open_from_env().map_err(git_err("cannot find a git repository")),
    }
}

/// What [`commit_facts`] reads from one commit.
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

/// Read the message (as stored) and identities of `id`.
pub fn commit_facts(repo: &Repository, id: Oid) -> Result<CommitInfo, Error> {
    let odb = odb_of(repo)?;
    let raw = read_object(&odb, id, git2::ObjectType::Commit)?;
    Ok(commit_facts_from_raw(raw.data()))
}

/// [`commit_facts`] of a commit whose raw contents are already read (see
/// [`WalkedCommit`]).
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

/// Process-wide libgit2 settings for reading a history in bulk, applied
/// once by [`open`] (and by anything else that opens a repository for
/// tiergate, such as the server hook):
/// - no SHA-1 verification of every object read: git does not do it either
///   when reading, and it cost ~7% of a history walk;
/// - no object cache: every commit and tree is read once, so the cache only
///   grew memory (hundreds of MiB on a 100,000-commit history).
///
/// Pack files stay mapped in libgit2's default (large) windows: smaller
/// windows bounded RSS (84 instead of 136 MiB on a 100,000-commit
/// history) but cost more system time in page faults than the whole walk
/// took in user time. The mapped pages are clean page cache shared with
/// git; the heap itself stays around 20 MiB (BENCHMARKS.md).
pub fn configure_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
        git2::opts::enable_caching(false);
        // Pack windows: at most 32 MiB mapped, in 8 MiB windows. libgit2's
        // defaults (8 GiB in 1 GiB windows on 64-bit) keep every page of a
        // pack that a walk touched resident: 80 MiB on git.git's 496 MiB
        // pack for `check`, against 53 MiB with these limits and no
        // measurable cost in time (BENCHMARKS.md).
        // SAFETY: called once, before any repository is opened (inside
        // this `Once`, which every opening path goes through), so no other
        // thread uses libgit2's window settings yet.
        unsafe {
            let _ = git2::opts::set_mwindow_mapped_limit(32 << 20);
            let _ = git2::opts::set_mwindow_size(8 << 20);
        }
    });
}

fn odb_of(repo: &Repository) -> Result<git2::Odb<'_>, Error> {
    repo.odb()
        .map_err(git_err("cannot open the object database"))
}

/// Read an object's raw contents, checking its type.
fn read_object<'o>(
    odb: &'o git2::Odb<'_>,
    id: Oid,
    kind: git2::ObjectType,
) -> Result<git2::OdbObject<'o>, Error> {
    let object = odb
        .read(id)
        .map_err(git_err(format!("cannot read {kind} {id}")))?;
    if object.kind() != kind {
        return Err(Error::Object(format!(
            "object {id} is a {}, not a {kind}",
            object.kind()
        )));
    }
    Ok(object)
}

/// The parts of a commit object tiergate reads, from
/// [`crate::repo::object::parse_commit`] (git's reading of the header: the first
/// tree, the leading parents, every identity line).
struct RawCommit<'a> {
    tree: Option<Oid>,
    parents: Vec<Oid>,
    author: Identity,
    author_time: (i64, i32),
    committer: Identity,
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
            tree: object.tree.and_then(oid_from_hex),
            parents: object
                .parents
                .iter()
                .filter_map(|p| oid_from_hex(p))
                .collect(),
            author: parse_ident(author),
            author_time: ident_time(author),
            committer: parse_ident(committer),
            other_identities,
            problems: object.problems,
            message: object.message,
        }
    }
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

/// The paths commit `id` changes (see the module docs).
pub fn changed_paths(repo: &Repository, id: Oid) -> Result<ChangedPaths, Error> {
    let odb = odb_of(repo)?;
    let raw = read_object(&odb, id, git2::ObjectType::Commit)?;
    changed_paths_in(&odb, id, raw.data())
}

/// [`commit_facts`] and [`changed_paths`] of `id`, reading the commit
/// once.
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
/// [`WalkedCommit`]).
pub fn changed_paths_from_raw(
    repo: &Repository,
    id: Oid,
    raw: &[u8],
) -> Result<ChangedPaths, Error> {
    changed_paths_in(&odb_of(repo)?, id, raw)
}

fn changed_paths_in(odb: &git2::Odb<'_>, id: Oid, raw: &[u8]) -> Result<ChangedPaths, Error> {
    let commit = RawCommit::parse(raw);
    let tree = commit
        .tree
        .ok_or_else(|| Error::Object(format!("commit {id} has no tree")))?;
    let mut paths = Vec::new();
    let first_tree = match commit.parents.first() {
        Some(first) => Some(tree_of(odb, *first)?),
        None => None,
    };
    let mut too_deep = diff_trees(odb, first_tree, Some(tree), &mut Vec::new(), &mut paths)?;
    // A merge introduces what differs from every parent.
    for parent in commit.parents.iter().skip(1) {
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
            &mut other,
        )?;
        // Paths below a subtree too deep to diff are missing from `other`;
        // the commit is refused for that subtree, whatever paths are kept.
        too_deep = too_deep.or(deep);
        let other: std::collections::HashSet<Vec<u8>> = other.into_iter().collect();
        paths.retain(|p| other.contains(p));
    }
    Ok(ChangedPaths(paths, too_deep))
}

fn tree_of(odb: &git2::Odb<'_>, commit: Oid) -> Result<Oid, Error> {
    if let Some(tree) = RECENT.with(|r| r.borrow_mut().commit_trees.get(&commit)) {
        return Ok(tree);
    }
    let raw = read_object(odb, commit, git2::ObjectType::Commit)?;
    let tree = RawCommit::parse(raw.data())
        .tree
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
fn tree_data(odb: &git2::Odb<'_>, id: Oid) -> Result<std::rc::Rc<[u8]>, Error> {
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

/// One tree entry, borrowed from the raw tree: name, raw id, mode.
struct Entry<'a> {
    name: &'a [u8],
    id: &'a [u8],
    mode: u32,
}

const MODE_TREE: u32 = 0o040000;

impl Entry<'_> {
    fn is_tree(&self) -> bool {
        self.mode & 0o170000 == MODE_TREE
    }

    fn oid(&self, tree: Oid) -> Result<Oid, Error> {
        Oid::from_bytes(self.id).map_err(|_| Error::Object(format!("tree {tree} is corrupt")))
    }

    /// git sorts tree entries as if a subtree's name ended in `/`
    /// (`base_name_compare` in git's tree.c); merging two trees must use
    /// the same order.
    fn cmp_git_order(&self, other: &Entry<'_>) -> std::cmp::Ordering {
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
struct TreeEntries<'a> {
    data: &'a [u8],
    pos: usize,
    tree: Oid,
    hash_len: usize,
}

impl<'a> TreeEntries<'a> {
    fn new(data: &'a [u8], tree: Oid) -> Self {
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

    fn next_entry(&mut self) -> Result<Option<Entry<'a>>, Error> {
        Ok(self.next_span()?.map(|span| span.entry(self.data)))
    }

    /// The next entry as offsets into the raw tree.
    fn next_span(&mut self) -> Result<Option<Span>, Error> {
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
struct Span {
    name: std::ops::Range<usize>,
    id: std::ops::Range<usize>,
    mode: u32,
}

impl Span {
    fn entry<'a>(&self, data: &'a [u8]) -> Entry<'a> {
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

/// Append to `out` the paths that differ between trees `old` and `new`
/// (`None`: the empty tree), in git's order, each under `prefix`. Both
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
    out: &mut Vec<Vec<u8>>,
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
                out.push(prefix.clone());
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

/// A stream of commit ids selected by `git rev-list` arguments, computed
/// by git itself ([`crate::repo::walk`]): exactly the commits `git rev-list
/// ARGS` lists, in its order, streamed. Revisions are anything git
/// understands; options are those that select or order commits
/// ([`crate::repo::walk::check_args`]); anything else is refused with a clear
/// error rather than silently ignored.
pub struct RevWalk<'r> {
    list: crate::repo::walk::RevList,
    _repo: std::marker::PhantomData<&'r Repository>,
}

/// A commit a walk produced: its id, and its raw contents when the walk
/// already read them.
#[derive(Debug, Clone)]
pub struct WalkedCommit {
    /// The commit id.
    pub id: Oid,
    /// The raw commit object (headers, blank line, message), if read.
    pub raw: Option<Vec<u8>>,
}

/// `git` run on `repo`'s git directory (the environment, a pre-receive
/// hook's quarantine included, is inherited).
pub fn git_command(repo: &Repository) -> std::process::Command {
    let mut cmd = std::process::Command::new("git");
    cmd.arg("--git-dir").arg(repo.path());
    cmd
}

impl From<crate::repo::walk::Error> for RangeError {
    fn from(e: crate::repo::walk::Error) -> RangeError {
        match e {
            crate::repo::walk::Error::Revision(message) => revision(message),
            other => RangeError::Git(Error::Walk(other)),
        }
    }
}

impl<'r> RevWalk<'r> {
    /// Set up a walk over `args`.
    pub fn new<S: AsRef<OsStr>>(repo: &'r Repository, args: &[S]) -> Result<Self, RangeError> {
        crate::repo::walk::check_args(args)?;
        let list = crate::repo::walk::RevList::start(git_command(repo), args)?;
        Ok(RevWalk {
            list,
            _repo: std::marker::PhantomData,
        })
    }

    /// The walk's commits (not read yet: the judge reads each once).
    pub fn commits(self) -> impl Iterator<Item = Result<WalkedCommit, Error>> + 'r {
        self.map(|id| id.map(|id| WalkedCommit { id, raw: None }))
    }
}

impl Iterator for RevWalk<'_> {
    type Item = Result<Oid, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.list.next().map(|r| {
            let hex = r.map_err(Error::Walk)?;
            Oid::from_str(&hex).map_err(|_| {
                Error::Object(format!("git rev-list printed {hex:?}, not a commit id"))
            })
        })
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

/// Why a rev-list argument could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RangeError {
    /// The argument is bad (exit 2).
    #[error(transparent)]
    Revision(#[from] RevisionError),
    /// The repository could not be read (exit 3).
    #[error(transparent)]
    Git(#[from] Error),
}

fn revision(message: String) -> RangeError {
    RangeError::Revision(RevisionError { message })
}

/// The commit `rev` names (anything `git rev-parse` takes), peeled.
pub fn resolve_commit_id(repo: &Repository, rev: &str) -> Result<Oid, RangeError> {
    Ok(resolve_commit(repo, rev)?.id())
}

fn resolve_commit<'r>(repo: &'r Repository, rev: &str) -> Result<git2::Commit<'r>, RangeError> {
    let object = repo
        .revparse_single(rev)
        .map_err(|e| revision(format!("bad revision '{rev}': {}", e.message())))?;
    object
        .peel_to_commit()
        .map_err(|_| revision(format!("revision '{rev}' does not name a commit")))
}

// --- hook support ---

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
/// `parents` its parents (see [`pending_parents`]), as [`changed_paths`]
/// defines changed paths: against the first parent (the empty tree
/// without parents); for a merge, the paths whose staged content differs
/// from *every* parent. No rename detection.
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

// --- tree listing ---

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
            visit(&prefix);
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

// --- references and configuration ---

/// The commit `hex` leads to (a commit, or a tag chain ending at one), or
/// `None` when it leads to no commit (a tag of a tree or a blob). A missing
/// object is an error.
pub fn peel_to_commit(repo: &Repository, hex: &str) -> Result<Option<String>, Error> {
    let id = Oid::from_str(hex).map_err(git_err(format!("bad object id {hex:?}")))?;
    let object = repo
        .find_object(id, None)
        .map_err(git_err(format!("cannot read object {hex}")))?;
    match object.peel(git2::ObjectType::Commit) {
        Ok(commit) => Ok(Some(commit.id().to_string())),
        Err(e)
            if matches!(
                e.code(),
                git2::ErrorCode::InvalidSpec | git2::ErrorCode::Peel
            ) =>
        {
            Ok(None)
        }
        Err(e) => {
            // Peeling a tag to a non-commit reports a generic error; only a
            // missing target is fatal.
            let mut target = object;
            while let Some(tag) = target.as_tag() {
                target = repo
                    .find_object(tag.target_id(), None)
                    .map_err(git_err(format!("cannot read object {}", tag.target_id())))?;
            }
            if target.kind() == Some(git2::ObjectType::Commit) {
                Err(git_err(format!("cannot peel {hex} to a commit"))(e))
            } else {
                Ok(None)
            }
        }
    }
}

/// The file `path` of the tree at `HEAD`.
pub fn head_file(repo: &Repository, path: &str) -> Result<Vec<u8>, super::HeadFileError> {
    use super::HeadFileError;
    let head = repo
        .head()
        .map_err(|e| HeadFileError::Unborn(e.message().to_owned()))?;
    let tree = head.peel_to_tree().map_err(|e| {
        HeadFileError::Unreadable(git_err("cannot read the tree at HEAD")(e).into())
    })?;
    let entry = tree
        .get_path(Path::new(path))
        .map_err(|e| HeadFileError::Missing(e.message().to_owned()))?;
    let blob = entry
        .to_object(repo)
        .and_then(|o| o.peel_to_blob())
        .map_err(|e| {
            HeadFileError::Unreadable(git_err(format!("cannot read HEAD:{path}"))(e).into())
        })?;
    Ok(blob.content().to_vec())
}

/// The configured remotes with their URLs (fetch, then push).
pub fn remotes(repo: &Repository) -> Vec<(String, Vec<String>)> {
    let Ok(names) = repo.remotes() else {
        return Vec::new();
    };
    names
        .iter()
        .flatten()
        .flatten()
        .filter_map(|name| {
            let remote = repo.find_remote(name).ok()?;
            let urls = [remote.url().ok(), remote.pushurl().ok().flatten()]
                .into_iter()
                .flatten()
                .map(str::to_owned)
                .collect();
            Some((name.to_owned(), urls))
        })
        .collect()
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
        let c = RawCommit::parse(data);
        assert_eq!(
            c.tree.map(|t| t.to_string()).as_deref(),
            Some("4b825dc642cb6eb9a060e54bf8d69288fbee4904")
        );
        assert_eq!(c.parents.len(), 1);
        assert_eq!(c.author.email, b"a@x");
        assert_eq!(c.committer.name, b"C");
        assert_eq!(c.message, b"title\n\nbody\n");
    }

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

    #[test]
    fn title_is_first_non_blank_line() {
        assert_eq!(title_of(b"\n\n  hello world \nbody"), "hello world");
        assert_eq!(title_of(b""), "");
        assert_eq!(title_of(b"caf\xe9"), "caf\u{fffd}");
    }
}
