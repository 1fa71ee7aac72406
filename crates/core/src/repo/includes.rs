//! The `#include` graph of a tree ([`crate::classify::boundary`]), read from
//! the repository and kept between runs so that a hook pays only for what
//! changed.
//!
//! Reading every C file of a large tree for each push would cost many
//! times the push's own judging, so the graph of the last tree read is
//! kept in `<git-dir>/tiergate/includes-v2` (the commit it is of, then
//! [`IncludeGraph::encode`]). The next tree is reached from it through the
//! files the two trees' diff changes ([`IncludeGraph::update`]): a push
//! that moved the default branch by a few commits reads those commits'
//! changed C files, not the tree. The file is rewritten atomically (by
//! rename); one that cannot be read or decoded is ignored and the graph is
//! built from the whole tree, and one that cannot be written only costs
//! time. Only tiergate writes it, in the git directory, which a pusher
//! cannot write.
//!
//! The answer [`Repo::classifier`] needs, the files followed into each
//! tier, is kept beside it in `followed-v2`, keyed by the commit and the
//! policy, with the commit of the graph it was computed from: it is
//! reused while the graph brought up from there does not change. The
//! server hook prepares both for the next push once it accepts one
//! ([`Repo::prepare_classifier`]), so that a push through tiergate
//! usually reads the answer and nothing else.

use super::files::FileDiff;
use super::{Error, Found, Repo};
use crate::classify::boundary::{self, FileChange, IncludeGraph};
use crate::classify::{self, Classifier};
use crate::policy::Policy;
use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The file name of the kept graph, below `<git-dir>/tiergate/`; the
/// version changes with its format or with what
/// [`boundary::parse_includes`] reads.
const GRAPH_FILE: &str = "includes-v2";

/// Paths a diff from the kept graph may change before a hook keeps the
/// graph it brought up (see [`Keep::WhenFar`]).
const KEEP_AFTER_PATHS: usize = 64;

/// C files a diff from the kept graph may make a run read before a hook
/// keeps the graph it brought up: reading a blob from a real project's
/// pack (DPDK: 0.3-0.5 ms) costs about a third of rewriting the graph of
/// its 5,000 C files.
const KEEP_AFTER_READS: usize = 4;

/// Blobs to read at least before [`Repo::read_directives`] reads them
/// with more than one thread (starting a `git cat-file` costs a few
/// milliseconds).
const PARALLEL_READS_FROM: usize = 512;

/// Whether the graph brought up to a commit replaces the kept one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// A look at another commit (`tiergate boundary --rev v1.0`): the
    /// hooks read HEAD's tree, and keeping an old tag's would make their
    /// next diff long.
    Never,
    /// The judging path: keep a graph built from the whole tree, or one
    /// whose diff from the kept graph has grown past [`KEEP_AFTER_PATHS`]
    /// or [`KEEP_AFTER_READS`];
    /// otherwise the next run updates from the kept graph again, which
    /// costs less than rewriting it on every push (the server prepares
    /// the next push's graph once a push is accepted: [`Keep::WhenChanged`]).
    WhenFar,
    /// Preparing for the next push, or installing: also keep a graph
    /// whose includes changed on the way, so that the answer computed
    /// now is for the kept graph and holds until the includes change
    /// again, or for which any C file was read, so that the next push
    /// reads only its own.
    WhenChanged,
}

/// A tree's include graph.
#[derive(Debug, Clone)]
pub struct TreeIncludes {
    /// The commit whose tree was read.
    pub commit: String,
    /// Which file includes which (and every file of the tree).
    pub graph: IncludeGraph,
    /// Source files whose directives were read from the repository (the
    /// rest came from the kept graph).
    pub read: usize,
    /// The commit of the kept graph this one was brought up from, when
    /// no file's includes changed on the way (the answer computed from
    /// that graph holds for this one).
    pub same_as: Option<String>,
    /// The commit of the kept graph this one equals, now (this one, if it
    /// was just kept).
    kept: Option<String>,
}

/// A graph to bring up to another commit: the one this process brought
/// up last, or the kept one.
#[derive(Debug)]
pub(super) struct Base {
    commit: String,
    graph: IncludeGraph,
    /// The commit of the kept graph it equals, if it does.
    kept: Option<String>,
}

/// Why the classifier of a policy could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClassifierError {
    /// A pattern does not compile.
    #[error(transparent)]
    Pattern(#[from] classify::Error),
    /// The trusted tree's `#include` graph could not be read
    /// (`follow_includes`).
    #[error("cannot read the #include directives of HEAD (follow_includes)")]
    Includes(#[source] Error),
}

impl Repo {
    /// The classifier every entry point judges with: the policy's
    /// patterns, and with `follow_includes` on some tier the files that
    /// only that tier's code includes ([`classify::follow_includes`]),
    /// read from the tree of `HEAD`. That is the trusted tree, the same
    /// for every entry point so that their verdicts agree: on the server
    /// HEAD as it is before the push (pre-receive runs before any ref
    /// moves; the committed policy is read from there too), in a clone
    /// the commit being built on. Never the commits being judged: a push
    /// that drops the `#include` and changes the header in one go would
    /// otherwise judge itself by the boundary it redraws. An unborn HEAD
    /// has no tree and follows nothing. Without `follow_includes` no tree
    /// is read.
    pub fn classifier(
        &self,
        policy: &Policy,
        policy_path: Option<&[u8]>,
    ) -> Result<Classifier, ClassifierError> {
        let classifier = Classifier::new(policy, policy_path)?;
        if !policy.follows_includes() {
            return Ok(classifier);
        }
        let Some(head) = self.head_commit() else {
            return Ok(classifier);
        };
        let followed = self
            .followed_at(policy, policy_path, &classifier, &head, Keep::WhenFar)
            .map_err(ClassifierError::Includes)?;
        Ok(classifier.with_followed(followed))
    }

    /// Compute now, and keep, what [`Repo::classifier`] will need once
    /// `HEAD` is at `commit`: the server hook calls it when it accepts a
    /// push that moves the branch `HEAD` points at, so that the next push
    /// finds the include graph and the answer ready; `tiergate install`
    /// calls it for `HEAD` itself. Nothing without `follow_includes`.
    /// Safe on a commit a pusher wrote: the graph is a function of the
    /// commit's tree, and is used only for that tree (or to reach another
    /// from it through their diff).
    pub fn prepare_classifier(
        &self,
        policy: &Policy,
        policy_path: Option<&[u8]>,
        commit: &str,
    ) -> Result<usize, ClassifierError> {
        let classifier = Classifier::new(policy, policy_path)?;
        if !policy.follows_includes() {
            return Ok(0);
        }
        let followed = self
            .followed_at(policy, policy_path, &classifier, commit, Keep::WhenChanged)
            .map_err(ClassifierError::Includes)?;
        Ok(followed.len())
    }

    /// The files followed into a tier at `head` (see [`Repo::classifier`]),
    /// from the kept answer when it is for `head` and the policy, else
    /// from the include graph brought up to `head`; kept for next time.
    fn followed_at(
        &self,
        policy: &Policy,
        policy_path: Option<&[u8]>,
        classifier: &Classifier,
        head: &str,
        keep: Keep,
    ) -> Result<Vec<(Vec<u8>, classify::FollowedFile)>, Error> {
        // The answer for this HEAD and policy, when the last run computed
        // it: a push that does not move the default branch, and the client
        // hooks between commits, read one small file.
        let key = followed_key(policy, policy_path, head);
        let cache_path = self.git_dir.join("tiergate").join(FOLLOWED_FILE);
        let cached = read_followed(&cache_path, policy.tiers.len());
        if let Some((cached_key, _, followed)) = &cached {
            if *cached_key == key {
                tracing::debug!(head = %head, files = followed.len(), "follow_includes (cached)");
                return Ok(followed.clone());
            }
        }
        let tree = self.includes_of(head, &include_roots(policy), keep)?;
        // HEAD moved under the same policy, and no file's includes changed
        // on the way from the kept graph, the graph the cached answer was
        // computed from (most commits): the answer holds.
        let base = tree.same_as.clone().unwrap_or_else(|| head.to_owned());
        let unchanged = cached.and_then(|(cached_key, cached_base, followed)| {
            let same =
                same_policy(&cached_key, &key) && tree.same_as.as_ref() == Some(&cached_base);
            same.then_some(followed)
        });
        let followed = match unchanged {
            Some(followed) => {
                tracing::debug!(head = %head, files = followed.len(), read = tree.read, "follow_includes (same graph)");
                followed
            }
            None => {
                let followed = classify::follow_includes(policy, classifier, &tree.graph);
                tracing::debug!(head = %head, files = followed.len(), read = tree.read, "follow_includes");
                followed
            }
        };
        if let Err(e) = write_followed(&cache_path, &key, &base, &followed) {
            tracing::debug!(error = %e, path = %cache_path.display(), "follow_includes cache not written");
        }
        *self.includes.borrow_mut() = Some(Base {
            commit: tree.commit,
            graph: tree.graph,
            kept: tree.kept,
        });
        Ok(followed)
    }

    /// [`Repo::classifier`] for a policy found by [`Repo::find_policy`].
    pub fn classifier_for(&self, found: &Found) -> Result<Classifier, ClassifierError> {
        self.classifier(&found.policy, found.repo_path.as_deref())
    }

    /// The include graph of the tree of the commit `rev` names, with
    /// `roots` as include directories (see [`boundary`]), brought up from
    /// the kept graph (kept again only for `HEAD`: [`Keep`]).
    pub fn includes_at(&self, rev: &str, roots: &[Vec<u8>]) -> Result<TreeIncludes, Error> {
        let commit = self.commit_id(rev)?;
        let keep = if self.head_commit().as_deref() == Some(commit.as_str()) {
            Keep::WhenFar
        } else {
            Keep::Never
        };
        self.includes_of(&commit, roots, keep)
    }

    /// Build, or bring the kept graph up to, the include graph of
    /// `commit`'s tree; keep the result as `keep` says.
    fn includes_of(
        &self,
        commit: &str,
        roots: &[Vec<u8>],
        keep: Keep,
    ) -> Result<TreeIncludes, Error> {
        let path = self.git_dir.join("tiergate").join(GRAPH_FILE);
        // The graph this process brought up last, else the kept one, else
        // the one kept before it: the kept graph may be of a pushed commit
        // that never landed (prepared once pre-receive accepted it, then
        // another hook refused the push), whose objects are gone.
        let mut memory = self.includes.borrow_mut().take();
        let mut from_base = None;
        for source in [None, Some(path.clone()), Some(previous_path(&path))] {
            let base = match &source {
                None => memory.take(),
                Some(file) => read_graph(file).map(|(commit, graph)| Base {
                    kept: Some(commit.clone()),
                    commit,
                    graph,
                }),
            };
            let Some(base) = base else { continue };
            let old = base.commit.clone();
            match self.bring_up(base, commit, roots) {
                Ok(brought) => {
                    from_base = Some(brought);
                    break;
                }
                // The kept commit is gone (a force-push and gc), say.
                Err(e) => tracing::debug!(error = %e, old, "kept include graph not usable"),
            }
        }
        let (graph, read, same_as, write) = match from_base {
            Some((graph, paths, read, same_as)) => {
                // Far: the next run would diff and read all this again.
                let far = paths > KEEP_AFTER_PATHS || read > KEEP_AFTER_READS;
                let write = match keep {
                    Keep::Never => false,
                    Keep::WhenFar => far,
                    Keep::WhenChanged => same_as.is_none() || read > 0 || far,
                };
                (graph, read, same_as, write)
            }
            None => {
                let (graph, read) = self.build_includes(commit, roots)?;
                (graph, read, None, keep != Keep::Never)
            }
        };
        let mut kept = same_as.clone();
        if write {
            match write_graph(&path, commit, &graph) {
                Ok(()) => kept = Some(commit.to_owned()),
                Err(e) => {
                    tracing::debug!(error = %e, path = %path.display(), "include graph not kept")
                }
            }
        }
        Ok(TreeIncludes {
            commit: commit.to_owned(),
            graph,
            read,
            same_as,
            kept,
        })
    }

    /// `base` brought up to `commit`'s tree through their diff: the graph,
    /// how many paths differ, how many C files were read, and the commit
    /// of the kept graph it equals, if it still does.
    fn bring_up(
        &self,
        base: Base,
        commit: &str,
        roots: &[Vec<u8>],
    ) -> Result<(IncludeGraph, usize, usize, Option<String>), Error> {
        let Base {
            commit: old,
            mut graph,
            kept,
        } = base;
        let (paths, read, changed) = if old == commit {
            (0, 0, false)
        } else {
            let diffs = self.file_diffs(&old, commit)?;
            let paths = diffs.len();
            let (changes, read) = self.file_changes(diffs)?;
            (paths, read, graph.update(changes))
        };
        let changed = graph.set_roots(roots) || changed;
        Ok((graph, paths, read, kept.filter(|_| !changed)))
    }

    /// The include graph of `commit`'s tree, every source file read; how
    /// many were read.
    fn build_includes(
        &self,
        commit: &str,
        roots: &[Vec<u8>],
    ) -> Result<(IncludeGraph, usize), Error> {
        let files = self.tree_files(commit)?;
        let parsed =
            self.read_directives(files.iter().map(|f| (f.path.as_slice(), f.blob.as_deref())))?;
        let includes = files.iter().filter_map(|f| {
            let list = parsed.get(f.blob.as_deref()?)?;
            boundary::is_source(&f.path).then_some((f.path.as_slice(), list.as_slice()))
        });
        let graph = IncludeGraph::build(files.iter().map(|f| &f.path), includes, roots);
        Ok((graph, parsed.len()))
    }

    /// The `#include` directives of the blobs of the source files among
    /// `files` (path, blob id), by blob id, each blob read once.
    fn read_directives<'f>(
        &self,
        files: impl Iterator<Item = (&'f [u8], Option<&'f str>)>,
    ) -> Result<HashMap<String, Vec<boundary::Include>>, Error> {
        let mut ids: Vec<&str> = files
            .filter(|(path, _)| boundary::is_source(path))
            .filter_map(|(_, blob)| blob)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let workers = super::parallel::workers_for(super::parallel::Workload::Judging);
        if workers > 1 && ids.len() >= PARALLEL_READS_FROM {
            return self.read_directives_in_parallel(&ids, workers);
        }
        let mut parsed = HashMap::with_capacity(ids.len());
        self.read_blobs(&ids, |id, data| {
            parsed.insert(id.to_owned(), boundary::parse_includes(data));
        })?;
        Ok(parsed)
    }

    /// [`Repo::read_directives`] of many blobs (a whole tree: the first
    /// run, a CI job's fresh clone) with `workers` threads, each reading
    /// its share through a `git cat-file --batch` of its own: inflating
    /// blobs is nearly all the time, and git's readers, unlike libgit2's
    /// repositories in one process, share no pack lock or delta-base
    /// cache (DPDK's 5,373 C blobs: 0.43 s with one, 0.26 s with two).
    fn read_directives_in_parallel(
        &self,
        ids: &[&str],
        workers: usize,
    ) -> Result<HashMap<String, Vec<boundary::Include>>, Error> {
        let git = super::plumbing::Repo::new(self.dir.as_deref());
        let share = ids.len().div_ceil(workers);
        type Share = Result<Vec<(String, Vec<boundary::Include>)>, super::plumbing::Error>;
        let results: Vec<Share> = std::thread::scope(|scope| {
            let handles: Vec<_> = ids
                .chunks(share)
                .map(|chunk| {
                    let git = &git;
                    scope.spawn(move || {
                        let mut parsed = Vec::with_capacity(chunk.len());
                        git.read_blobs(chunk.iter().copied(), |id, data| {
                            parsed.push((id.to_owned(), boundary::parse_includes(data)));
                        })
                        .map(|()| parsed)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(super::plumbing::Error::Object(
                            "a thread reading #include directives panicked".into(),
                        ))
                    })
                })
                .collect()
        });
        let mut parsed = HashMap::with_capacity(ids.len());
        for result in results {
            parsed.extend(result.map_err(Error::Plumbing)?);
        }
        Ok(parsed)
    }

    /// The changes of `diffs` for [`IncludeGraph::update`], the new
    /// source files read; how many were read.
    fn file_changes(&self, diffs: Vec<FileDiff>) -> Result<(Vec<FileChange>, usize), Error> {
        let parsed = self.read_directives(
            diffs
                .iter()
                .map(|d| (d.path.as_slice(), d.new.as_ref().and_then(|b| b.as_deref()))),
        )?;
        let read = parsed.len();
        let changes = diffs
            .into_iter()
            .map(|d| match d.new {
                None => FileChange::Removed(d.path),
                Some(blob) => {
                    let list = blob
                        .filter(|_| boundary::is_source(&d.path))
                        .and_then(|b| parsed.get(&b).cloned())
                        .unwrap_or_default();
                    FileChange::Put(d.path, list)
                }
            })
            .collect();
        Ok((changes, read))
    }
}

fn include_roots(policy: &Policy) -> Vec<Vec<u8>> {
    policy
        .includes
        .roots
        .iter()
        .map(|r| r.as_bytes().to_vec())
        .collect()
}

/// The kept graph and its commit: `tiergate includes-v2 <commit>` NUL,
/// then [`IncludeGraph::encode`].
fn read_graph(path: &Path) -> Option<(String, IncludeGraph)> {
    let data = std::fs::read(path).ok()?;
    let (commit, rest) = graph_header(&data)?;
    Some((commit.to_owned(), IncludeGraph::decode(rest)?))
}

/// The commit a kept graph's first line names, and the bytes after it.
fn graph_header(data: &[u8]) -> Option<(&str, &[u8])> {
    let nul = memchr::memchr(0, data)?;
    let head = std::str::from_utf8(&data[..nul]).ok()?;
    let commit = head
        .strip_prefix("tiergate ")?
        .strip_prefix(GRAPH_FILE)?
        .strip_prefix(' ')?;
    if commit.is_empty() || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((commit, &data[nul + 1..]))
}

/// Keep `graph` as the graph of `commit`; the graph kept so far, if of
/// another commit, becomes the previous one ([`previous_path`]).
fn write_graph(path: &Path, commit: &str, graph: &IncludeGraph) -> std::io::Result<()> {
    let mut out = format!("tiergate {GRAPH_FILE} {commit}\0").into_bytes();
    out.extend_from_slice(&graph.encode());
    if kept_commit(path).is_some_and(|kept| kept != commit) {
        std::fs::rename(path, previous_path(path))?;
    }
    write_atomically(path, &out)
}

/// Where the graph kept before the current one is.
fn previous_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".prev");
    path.with_file_name(name)
}

/// The commit of the graph kept in `path`, from its first line only.
fn kept_commit(path: &Path) -> Option<String> {
    use std::io::Read as _;
    let mut head = [0u8; 128];
    let mut file = std::fs::File::open(path).ok()?;
    let n = file.read(&mut head).ok()?;
    graph_header(&head[..n]).map(|(commit, _)| commit.to_owned())
}

/// Write `data` to `path` through a temporary file and a rename, so that
/// a reader (another hook running at the same time) sees the old file or
/// the new one, never half of one.
fn write_atomically(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp: PathBuf = dir.join(format!("{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, data)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// The file name of the cache of [`Repo::classifier`]'s answer, below
/// `<git-dir>/tiergate/`.
const FOLLOWED_FILE: &str = "followed-v2";

/// What [`classify::follow_includes`]'s answer depends on: the commit whose
/// tree is read (its id names its tree and every blob), and what of the
/// policy decides a path's tier and the include roots. Written out whole
/// (no hash): the cache is used only when it is equal byte for byte.
fn followed_key(policy: &Policy, policy_path: Option<&[u8]>, head: &str) -> Vec<u8> {
    let tiers: Vec<_> = policy
        .tiers
        .iter()
        .map(|t| {
            let texts = |p: &[crate::policy::Pattern]| -> Vec<String> {
                p.iter().map(|p| p.text.clone()).collect()
            };
            (
                &t.name,
                t.ai,
                t.follow_includes,
                texts(&t.paths),
                texts(&t.except),
            )
        })
        .collect();
    format!(
        "{FOLLOWED_FILE} {head}\n{:?}\n{:?}\n{} {}\n{tiers:?}",
        policy.includes.roots,
        policy_path.map(String::from_utf8_lossy),
        policy.default_tier,
        policy.paths.lookalikes,
    )
    .into_bytes()
}

/// Whether two keys ([`followed_key`]) are for the same policy (whatever
/// their commits).
fn same_policy(cached: &[u8], key: &[u8]) -> bool {
    let rest = |k: &[u8]| {
        k.iter()
            .position(|&b| b == b'\n')
            .map(|nl| k[nl..].to_vec())
    };
    rest(cached).is_some_and(|r| Some(r) == rest(key))
}

/// A cached answer: its key, the commit of the include graph it was
/// computed from (a kept graph the answer holds for as long as the graph
/// brought up from it does not change: [`TreeIncludes::same_as`]), and the
/// files.
type CachedAnswer = (Vec<u8>, String, Vec<(Vec<u8>, classify::FollowedFile)>);

/// The cached answer (for a policy of `tiers` tiers), if the cache holds
/// one. Format: the key, NUL, the graph's commit, NUL, then per file
/// `<tier> <n>` NUL, the path, NUL, and its `n` includers, each followed
/// by NUL (paths never hold a NUL: git refuses them in trees).
fn read_followed(path: &Path, tiers: usize) -> Option<CachedAnswer> {
    let data = std::fs::read(path).ok()?;
    let mut fields = data.split(|&b| b == 0);
    let key = fields.next()?.to_vec();
    let base = String::from_utf8(fields.next()?.to_vec()).ok()?;
    let mut out = Vec::new();
    while let Some(head) = fields.next() {
        if head.is_empty() {
            // The end: the last entry's NUL, then one more (splitting
            // leaves the empty piece after it).
            let end = fields.next() == Some(&[][..]) && fields.next().is_none();
            return end.then_some((key, base, out));
        }
        let (tier, count) = std::str::from_utf8(head).ok()?.split_once(' ')?;
        let tier: usize = tier.parse().ok()?;
        let count: usize = count.parse().ok()?;
        let file = fields.next()?.to_vec();
        let mut included_by = Vec::with_capacity(count.min(1024));
        for _ in 0..count {
            included_by.push(fields.next()?.to_vec());
        }
        if tier >= tiers {
            return None;
        }
        out.push((file, classify::FollowedFile { tier, included_by }));
    }
    None
}

fn write_followed(
    path: &Path,
    key: &[u8],
    base: &str,
    followed: &[(Vec<u8>, classify::FollowedFile)],
) -> std::io::Result<()> {
    let mut out = key.to_vec();
    out.push(0);
    out.extend_from_slice(base.as_bytes());
    out.push(0);
    for (file, f) in followed {
        write!(out, "{} {}\0", f.tier, f.included_by.len())?;
        out.extend_from_slice(file);
        out.push(0);
        for by in &f.included_by {
            out.extend_from_slice(by);
            out.push(0);
        }
    }
    out.push(0);
    write_atomically(path, &out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_graph_reads_back_what_was_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("tiergate").join(GRAPH_FILE);
        let include = |name: &str| boundary::Include {
            quoted: true,
            name: name.as_bytes().to_vec(),
        };
        let graph = IncludeGraph::build(
            ["a.c", "a.h", "b\nc.h"],
            [(&b"a.c"[..], &[include("a.h"), include("b\nc.h")][..])],
            &[],
        );
        write_graph(&path, "ab12", &graph).expect("write");
        let (commit, back) = read_graph(&path).expect("read");
        assert_eq!(commit, "ab12");
        assert_eq!(back.encode(), graph.encode());
        assert_eq!(back.includes_of(b"a.c"), [&b"a.h"[..], b"b\nc.h"]);
        // Damaged: cut short, or not a commit id.
        let data = std::fs::read(&path).expect("read");
        std::fs::write(&path, &data[..data.len() - 1]).expect("write");
        assert!(read_graph(&path).is_none());
        let mut other = b"tiergate includes-v2 zz\0".to_vec();
        other.extend_from_slice(&graph.encode());
        std::fs::write(&path, &other).expect("write");
        assert!(read_graph(&path).is_none());
    }

    #[test]
    fn the_followed_cache_answers_only_its_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("tiergate").join(FOLLOWED_FILE);
        let followed = vec![
            (
                b"include/crypto/aes.h".to_vec(),
                classify::FollowedFile {
                    tier: 0,
                    included_by: vec![b"crypto/a.c".to_vec(), b"crypto/b c.c".to_vec()],
                },
            ),
            (
                b"include/x\ny.h".to_vec(),
                classify::FollowedFile {
                    tier: 2,
                    included_by: Vec::new(),
                },
            ),
        ];
        write_followed(&path, b"key 1", "ab12", &followed).expect("write");
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, base, _)| k == b"key 1" && base == "ab12")
                .map(|(_, _, f)| f),
            Some(followed)
        );
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, _, _)| k == b"key 2")
                .map(|(_, _, f)| f),
            None
        );
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, _, _)| k == b"key")
                .map(|(_, _, f)| f),
            None
        );
        write_followed(&path, b"key 3", "ab12", &[]).expect("write");
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, _, _)| k == b"key 3")
                .map(|(_, _, f)| f),
            Some(Vec::new())
        );
        // Damaged: cut short, or a bad count.
        let data = std::fs::read(&path).expect("read");
        std::fs::write(&path, &data[..data.len() - 1]).expect("write");
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, _, _)| k == b"key 3")
                .map(|(_, _, f)| f),
            None
        );
        std::fs::write(&path, b"key 4\0ab\0x 1\0a\0\0").expect("write");
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, _, _)| k == b"key 4")
                .map(|(_, _, f)| f),
            None
        );
        std::fs::write(&path, b"key 4\0ab\x000 2\0a\0b\0\0").expect("write");
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, _, _)| k == b"key 4")
                .map(|(_, _, f)| f),
            None,
            "one includer short"
        );
        std::fs::write(&path, b"key 5\0ab\x003 0\0a\0\0").expect("write");
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, _, _)| k == b"key 5")
                .map(|(_, _, f)| f),
            None,
            "no such tier"
        );
        assert!(read_followed(&path, 4)
            .filter(|(k, _, _)| k == b"key 5")
            .map(|(_, _, f)| f)
            .is_some());
    }

    #[test]
    fn same_policy_ignores_the_commit() {
        let key = |head: &str, rest: &str| format!("{FOLLOWED_FILE} {head}\n{rest}").into_bytes();
        assert!(same_policy(&key("ab12", "p"), &key("cd34", "p")));
        assert!(!same_policy(&key("ab12", "p"), &key("cd34", "q")));
        assert!(!same_policy(b"no newline", b"no newline"));
    }
}
