//! The `#include` graph of a tree ([`crate::classify::boundary`]), read from the
//! repository with a cache so that a hook pays only for what changed.
//!
//! Reading every C file of a large tree for each push would cost more than
//! the push's own judging, so the directives of each blob are cached by
//! blob id in `<git-dir>/tiergate/includes-v1`: a blob's contents never
//! change, so an entry never goes stale, and the next tree reads only the
//! blobs it does not share with the last one. The cache holds the entries
//! of the last tree read (rewritten atomically, by rename, when that tree
//! brought new blobs); a cache that cannot be read or parsed is ignored and
//! rebuilt, and one that cannot be written only costs time. Only tiergate
//! writes it, in the git directory, which a pusher cannot write.

use super::{plumbing, Error, Found, Repo};
use crate::classify::boundary::{self, Include, IncludeGraph};
use crate::classify::{self, Classifier};
use crate::policy::Policy;
use std::collections::{BTreeSet, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The file name of the cache, below `<git-dir>/tiergate/`; the version
/// changes with its format or with what [`boundary::parse_includes`] reads.
const CACHE_FILE: &str = "includes-v1";

/// A tree's include graph and the files it was built from.
#[derive(Debug, Clone)]
pub struct TreeIncludes {
    /// The commit whose tree was read.
    pub commit: String,
    /// Every file of the tree.
    pub files: BTreeSet<Vec<u8>>,
    /// Which file includes which.
    pub graph: IncludeGraph,
    /// Source files whose directives were read from the repository (not
    /// found in the cache).
    pub read: usize,
}

type Cache = HashMap<String, Vec<Include>>;

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
        let git = plumbing::Repo::new(self.dir.as_deref());
        let Some(head) = git.head_commit() else {
            return Ok(classifier);
        };
        // The answer for this HEAD and policy, when the last run computed
        // it: a push that does not move the default branch, and the client
        // hooks between commits, pay one `rev-parse`.
        let key = followed_key(policy, policy_path, &head);
        let cache_path = self.git_dir.join("tiergate").join(FOLLOWED_FILE);
        let cached = read_followed(&cache_path, policy.tiers.len());
        if let Some((cached_key, followed)) = cached {
            if cached_key == key {
                tracing::debug!(head = %head, files = followed.len(), "follow_includes (cached)");
                return Ok(classifier.with_followed(followed));
            }
            // HEAD moved under the same policy: most commits leave every
            // `#include` line and every path as it was, and then so is the
            // answer.
            if let Some(old) = moved_from(&cached_key, &key) {
                if same_graph(&git, old, &head) {
                    tracing::debug!(head = %head, old, files = followed.len(), "follow_includes (same graph)");
                    if let Err(e) = write_followed(&cache_path, &key, &followed) {
                        tracing::debug!(error = %e, "follow_includes cache not written");
                    }
                    return Ok(classifier.with_followed(followed));
                }
            }
        }
        let roots: Vec<Vec<u8>> = policy
            .includes
            .roots
            .iter()
            .map(|r| r.as_bytes().to_vec())
            .collect();
        let tree = self
            .includes_at(&head, &roots)
            .map_err(ClassifierError::Includes)?;
        let followed = classify::follow_includes(policy, &classifier, &tree.files, &tree.graph);
        tracing::debug!(head = %head, files = followed.len(), read = tree.read, "follow_includes");
        if let Err(e) = write_followed(&cache_path, &key, &followed) {
            tracing::debug!(error = %e, path = %cache_path.display(), "follow_includes cache not written");
        }
        Ok(classifier.with_followed(followed))
    }

    /// [`Repo::classifier`] for a policy found by [`Repo::find_policy`].
    pub fn classifier_for(&self, found: &Found) -> Result<Classifier, ClassifierError> {
        self.classifier(&found.policy, found.repo_path.as_deref())
    }
}

impl Repo {
    /// The include graph of the tree of the commit `rev` names, with
    /// `roots` as include directories (see [`boundary`]).
    pub fn includes_at(&self, rev: &str, roots: &[Vec<u8>]) -> Result<TreeIncludes, Error> {
        // Both backends read through git here: `ls-tree` and `cat-file
        // --batch` are what this needs, and git reads every format.
        let git = plumbing::Repo::new(self.dir.as_deref());
        let (commit, entries) = git.tree_entries(rev)?;
        let cache_path = self.git_dir.join("tiergate").join(CACHE_FILE);
        let mut cache = read_cache(&cache_path);
        let sources: Vec<(&[u8], &str)> = entries
            .iter()
            .filter(|(path, oid)| !oid.is_empty() && boundary::is_source(path))
            .map(|(path, oid)| (path.as_slice(), oid.as_str()))
            .collect();
        let mut missing: Vec<&str> = sources
            .iter()
            .map(|(_, oid)| *oid)
            .filter(|oid| !cache.contains_key(*oid))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        let read = missing.len();
        if !missing.is_empty() {
            git.read_blobs(missing.iter().copied(), |oid, data| {
                cache.insert(oid.to_owned(), boundary::parse_includes(data));
            })?;
        }
        let files: BTreeSet<Vec<u8>> = entries.iter().map(|(p, _)| p.clone()).collect();
        let empty = Vec::new();
        let graph = IncludeGraph::build(
            &files,
            sources
                .iter()
                .map(|(path, oid)| (*path, cache.get(*oid).unwrap_or(&empty).as_slice())),
            roots,
        );
        if read > 0 {
            let keep: BTreeSet<&str> = sources.iter().map(|(_, oid)| *oid).collect();
            if let Err(e) = write_cache(&cache_path, &cache, &keep) {
                tracing::debug!(error = %e, path = %cache_path.display(), "include cache not written");
            }
        }
        Ok(TreeIncludes {
            commit,
            files,
            graph,
            read,
        })
    }
}

/// The file name of the cache of [`Repo::classifier`]'s answer, below
/// `<git-dir>/tiergate/`.
const FOLLOWED_FILE: &str = "followed-v1";

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

/// The commit `cached`'s answer was for, when it differs from `key`'s in
/// that only (the same policy; see [`followed_key`]).
fn moved_from<'k>(cached: &'k [u8], key: &[u8]) -> Option<&'k str> {
    let split = |k: &'k [u8]| -> Option<(&'k [u8], &'k [u8])> {
        let nl = k.iter().position(|&b| b == b'\n')?;
        Some((&k[..nl], &k[nl..]))
    };
    let (cached_head, cached_rest) = split(cached)?;
    let nl = key.iter().position(|&b| b == b'\n')?;
    if cached_rest != &key[nl..] {
        return None;
    }
    let head = std::str::from_utf8(cached_head).ok()?;
    let old = head.strip_prefix(FOLLOWED_FILE)?.strip_prefix(' ')?;
    (!old.is_empty() && old.bytes().all(|b| b.is_ascii_hexdigit())).then_some(old)
}

/// Changed source files at most, past which rebuilding the graph is as
/// cheap as comparing them.
const SAME_GRAPH_LIMIT: usize = 256;

/// Whether the trees of commits `old` and `new` have the same include
/// graph for certain: no path added, deleted or changed in type (an
/// include resolves to the first file that exists, so any file can change
/// what it names), and every changed source file has the same `#include`
/// directives before and after. Anything else, or an error, is "not
/// known to be the same" and the graph is rebuilt.
fn same_graph(git: &plumbing::Repo, old: &str, new: &str) -> bool {
    let Ok(changes) = git.raw_changes(old, new) else {
        return false;
    };
    if changes.iter().any(|c| c.status != 'M') {
        return false;
    }
    let sources: Vec<&plumbing::RawChange> = changes
        .iter()
        .filter(|c| boundary::is_source(&c.path))
        .collect();
    if sources.len() > SAME_GRAPH_LIMIT {
        return false;
    }
    let mut includes: HashMap<String, Vec<Include>> = HashMap::new();
    let ids = sources
        .iter()
        .flat_map(|c| [c.old.as_str(), c.new.as_str()]);
    if git
        .read_blobs(ids, |id, data| {
            includes.insert(id.to_owned(), boundary::parse_includes(data));
        })
        .is_err()
    {
        return false;
    }
    sources
        .iter()
        .all(|c| match (includes.get(&c.old), includes.get(&c.new)) {
            (Some(before), Some(after)) => before == after,
            _ => false,
        })
}

/// The cached answer and the key it was computed for (a policy of `tiers`
/// tiers), if the cache holds one. Format: the key,
/// NUL, then per file `<tier> <n>` NUL, the path, NUL, and its `n`
/// includers, each followed by NUL (paths never hold a NUL: git refuses
/// them in trees).
#[allow(clippy::type_complexity)]
fn read_followed(
    path: &Path,
    tiers: usize,
) -> Option<(Vec<u8>, Vec<(Vec<u8>, classify::FollowedFile)>)> {
    let data = std::fs::read(path).ok()?;
    let mut fields = data.split(|&b| b == 0);
    let key = fields.next()?.to_vec();
    let mut out = Vec::new();
    while let Some(head) = fields.next() {
        if head.is_empty() {
            // The end: the last entry's NUL, then one more (splitting
            // leaves the empty piece after it).
            let end = fields.next() == Some(&[][..]) && fields.next().is_none();
            return end.then_some((key, out));
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
    followed: &[(Vec<u8>, classify::FollowedFile)],
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut out = key.to_vec();
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
    let tmp: PathBuf = dir.join(format!("{FOLLOWED_FILE}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, &out)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// The cache: `<oid> <count>\n` then one line per include, `"name` or
/// `<name` (names never hold a newline: a directive is one line).
fn read_cache(path: &Path) -> Cache {
    let Ok(data) = std::fs::read(path) else {
        return Cache::new();
    };
    parse_cache(&data).unwrap_or_default()
}

fn parse_cache(data: &[u8]) -> Option<Cache> {
    let mut cache = Cache::new();
    let mut lines = data.split(|&b| b == b'\n');
    while let Some(head) = lines.next() {
        if head.is_empty() {
            continue;
        }
        let head = std::str::from_utf8(head).ok()?;
        let (oid, count) = head.split_once(' ')?;
        if oid.is_empty() || !oid.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let count: usize = count.parse().ok()?;
        let mut list = Vec::with_capacity(count.min(1024));
        for _ in 0..count {
            let line = lines.next()?;
            let (&kind, name) = line.split_first()?;
            let quoted = match kind {
                b'"' => true,
                b'<' => false,
                _ => return None,
            };
            list.push(Include {
                quoted,
                name: name.to_vec(),
            });
        }
        cache.insert(oid.to_owned(), list);
    }
    Some(cache)
}

fn write_cache(path: &Path, cache: &Cache, keep: &BTreeSet<&str>) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::new();
    for oid in keep {
        let Some(list) = cache.get(*oid) else {
            continue;
        };
        writeln!(out, "{oid} {}", list.len())?;
        for include in list {
            out.push(if include.quoted { b'"' } else { b'<' });
            out.extend_from_slice(&include.name);
            out.push(b'\n');
        }
    }
    let tmp: PathBuf = dir.join(format!("{CACHE_FILE}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, &out)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_reads_back_what_it_wrote() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("tiergate").join(CACHE_FILE);
        let mut cache = Cache::new();
        cache.insert(
            "ab12".into(),
            vec![
                Include {
                    quoted: true,
                    name: b"a b.h".to_vec(),
                },
                Include {
                    quoted: false,
                    name: b"sys/x.h".to_vec(),
                },
            ],
        );
        cache.insert("cd34".into(), Vec::new());
        cache.insert("dropped".into(), Vec::new());
        write_cache(&path, &cache, &["ab12", "cd34"].into_iter().collect()).expect("write");
        let back = read_cache(&path);
        assert_eq!(back.len(), 2);
        assert_eq!(back["ab12"], cache["ab12"]);
        assert_eq!(back["cd34"], []);
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
        write_followed(&path, b"key 1", &followed).expect("write");
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, _)| k == b"key 1")
                .map(|(_, f)| f),
            Some(followed)
        );
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, _)| k == b"key 2")
                .map(|(_, f)| f),
            None
        );
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, _)| k == b"key")
                .map(|(_, f)| f),
            None
        );
        write_followed(&path, b"key 3", &[]).expect("write");
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, _)| k == b"key 3")
                .map(|(_, f)| f),
            Some(Vec::new())
        );
        // Damaged: cut short, or a bad count.
        let data = std::fs::read(&path).expect("read");
        std::fs::write(&path, &data[..data.len() - 1]).expect("write");
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, _)| k == b"key 3")
                .map(|(_, f)| f),
            None
        );
        std::fs::write(&path, b"key 4\0x 1\0a\0\0").expect("write");
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, _)| k == b"key 4")
                .map(|(_, f)| f),
            None
        );
        std::fs::write(&path, b"key 4\x000 2\0a\0b\0\0").expect("write");
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, _)| k == b"key 4")
                .map(|(_, f)| f),
            None,
            "one includer short"
        );
        std::fs::write(&path, b"key 5\x003 0\0a\0\0").expect("write");
        assert_eq!(
            read_followed(&path, 3)
                .filter(|(k, _)| k == b"key 5")
                .map(|(_, f)| f),
            None,
            "no such tier"
        );
        assert!(read_followed(&path, 4)
            .filter(|(k, _)| k == b"key 5")
            .map(|(_, f)| f)
            .is_some());
    }

    #[test]
    fn moved_from_needs_the_same_policy() {
        let key = |head: &str, rest: &str| format!("{FOLLOWED_FILE} {head}\n{rest}").into_bytes();
        assert_eq!(
            moved_from(&key("ab12", "p"), &key("cd34", "p")),
            Some("ab12")
        );
        assert_eq!(moved_from(&key("ab12", "p"), &key("cd34", "q")), None);
        assert_eq!(moved_from(&key("zz", "p"), &key("cd34", "p")), None);
        assert_eq!(moved_from(b"followed-v0 ab\np", &key("cd34", "p")), None);
        assert_eq!(moved_from(b"no newline", &key("cd34", "p")), None);
    }

    #[test]
    fn a_damaged_cache_is_ignored() {
        assert!(parse_cache(b"zz 1\n\"a.h\n").is_none());
        assert!(parse_cache(b"ab 2\n\"a.h\n").is_none());
        assert!(parse_cache(b"ab 1\nxa.h\n").is_none());
        assert_eq!(parse_cache(b"").map(|c| c.len()), Some(0));
    }
}
