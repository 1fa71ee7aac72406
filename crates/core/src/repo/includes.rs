//! The `#include` graph of a tree ([`crate::boundary`]), read from the
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
use crate::boundary::{self, Include, IncludeGraph};
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
    fn a_damaged_cache_is_ignored() {
        assert!(parse_cache(b"zz 1\n\"a.h\n").is_none());
        assert!(parse_cache(b"ab 2\n\"a.h\n").is_none());
        assert!(parse_cache(b"ab 1\nxa.h\n").is_none());
        assert_eq!(parse_cache(b"").map(|c| c.len()), Some(0));
    }
}
