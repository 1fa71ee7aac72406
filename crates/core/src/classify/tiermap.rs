//! Where the boundary runs through a tree: every directory with the tiers
//! of the files below it, for `tiergate classify --tree`, its tree map and
//! `tiergate policy doc`.
//!
//! [`TierMap::build`] takes every file of a tree (as
//! [`crate::repo::Repo::for_each_tree_file`] lists them) with its tier and keeps,
//! per directory, the number of files below it in each tier. A directory
//! whose files all share one tier is *uniform*: renderers show it as one
//! entry and do not descend into it. [`TierMap::rows`] is that collapsed
//! listing: uniform directories, and inside each *mixed* directory its
//! subdirectories then its own files, grouped by tier (a group of more than
//! [`FILES_LISTED`] files is one row, `DIR/*`).

use std::collections::BTreeMap;

/// Files of one tier directly in a mixed directory listed one by one up to
/// this many; more are summarised as one `DIR/*` row.
pub const FILES_LISTED: usize = 3;

/// A directory of the tree.
#[derive(Debug, Clone, Default)]
pub struct Dir {
    /// The directory's path with a trailing `/` (`""` for the root).
    pub path: Vec<u8>,
    /// Subdirectories by name, in byte order.
    pub dirs: BTreeMap<Vec<u8>, Dir>,
    /// Files directly in this directory: full path and tier index.
    pub files: Vec<(Vec<u8>, usize)>,
    /// Files below this directory (at any depth), per tier index.
    pub counts: Vec<u64>,
}

impl Dir {
    /// All files below this directory.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The one tier every file below belongs to, if there is one.
    pub fn tier(&self) -> Option<usize> {
        let mut found = None;
        for (tier, &n) in self.counts.iter().enumerate() {
            if n > 0 {
                if found.is_some() {
                    return None;
                }
                found = Some(tier);
            }
        }
        found
    }

    /// The files directly here grouped by tier (tier order, groups never
    /// empty).
    pub fn file_groups(&self) -> Vec<(usize, Vec<&[u8]>)> {
        let mut groups: BTreeMap<usize, Vec<&[u8]>> = BTreeMap::new();
        for (path, tier) in &self.files {
            groups.entry(*tier).or_default().push(path);
        }
        groups.into_iter().collect()
    }
}

/// What a [`Row`] stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A directory (uniform: collapsed; mixed: its contents follow).
    Dir,
    /// One file directly in a mixed directory.
    File,
    /// More than [`FILES_LISTED`] files of one tier directly in a mixed
    /// directory (`DIR/*`).
    Files,
}

/// One line of the collapsed listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Nesting depth (the root is 0).
    pub depth: usize,
    /// The path: `dir/` for a directory (`./` for the root), the file's
    /// path, or `dir/*`.
    pub path: String,
    /// What it is.
    pub kind: RowKind,
    /// The tier index, `None` for a mixed directory.
    pub tier: Option<usize>,
    /// Files it covers.
    pub files: u64,
    /// Files per tier index (non-zero entries only, tier order).
    pub counts: Vec<(usize, u64)>,
}

/// A tree's files classified, per directory.
#[derive(Debug, Clone)]
pub struct TierMap {
    /// Tier names, in policy order.
    pub tiers: Vec<String>,
    /// The root directory.
    pub root: Dir,
}

impl TierMap {
    /// Build from `(path, tier index)` pairs (tier indexes into `tiers`;
    /// others are ignored).
    pub fn build<'a>(
        tiers: Vec<String>,
        files: impl IntoIterator<Item = (&'a [u8], usize)>,
    ) -> TierMap {
        let n = tiers.len();
        let mut root = Dir {
            counts: vec![0; n],
            ..Dir::default()
        };
        for (path, tier) in files {
            if tier >= n {
                continue;
            }
            let mut dir = &mut root;
            dir.counts[tier] += 1;
            let mut parts = path.split(|&b| b == b'/').peekable();
            let mut end = 0;
            while let Some(part) = parts.next() {
                end += part.len() + 1;
                if parts.peek().is_none() {
                    dir.files.push((path.to_vec(), tier));
                    break;
                }
                let prefix = &path[..end.min(path.len())];
                dir = dir.dirs.entry(part.to_vec()).or_insert_with(|| Dir {
                    path: prefix.to_vec(),
                    counts: vec![0; n],
                    ..Dir::default()
                });
                dir.counts[tier] += 1;
            }
        }
        TierMap { tiers, root }
    }

    /// The collapsed listing (see the module docs), root first.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        push_rows(&self.root, 0, &mut rows);
        rows
    }

    /// The uniform entries of tier `tier` (collapsed directories, files and
    /// `DIR/*` groups), most files first, then by path.
    pub fn areas(&self, tier: usize) -> Vec<Row> {
        let mut areas: Vec<Row> = self
            .rows()
            .into_iter()
            .filter(|r| r.tier == Some(tier))
            .collect();
        areas.sort_by(|a, b| b.files.cmp(&a.files).then_with(|| a.path.cmp(&b.path)));
        areas
    }
}

fn lossy(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}

fn push_rows(dir: &Dir, depth: usize, rows: &mut Vec<Row>) {
    let path = if dir.path.is_empty() {
        "./".to_owned()
    } else {
        lossy(&dir.path)
    };
    let tier = dir.tier();
    rows.push(Row {
        depth,
        path,
        kind: RowKind::Dir,
        tier,
        files: dir.total(),
        counts: dir
            .counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(t, n)| (t, *n))
            .collect(),
    });
    if tier.is_some() || dir.total() == 0 {
        return;
    }
    for sub in dir.dirs.values() {
        push_rows(sub, depth + 1, rows);
    }
    for (tier, files) in dir.file_groups() {
        let count = files.len() as u64;
        if files.len() > FILES_LISTED {
            rows.push(Row {
                depth: depth + 1,
                path: if dir.path.is_empty() {
                    "./*".to_owned()
                } else {
                    format!("{}*", lossy(&dir.path))
                },
                kind: RowKind::Files,
                tier: Some(tier),
                files: count,
                counts: vec![(tier, count)],
            });
        } else {
            for file in files {
                rows.push(Row {
                    depth: depth + 1,
                    path: lossy(file),
                    kind: RowKind::File,
                    tier: Some(tier),
                    files: 1,
                    counts: vec![(tier, 1)],
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(files: &[(&str, usize)]) -> TierMap {
        TierMap::build(
            vec!["critical".into(), "core".into(), "open".into()],
            files.iter().map(|(p, t)| (p.as_bytes(), *t)),
        )
    }

    #[test]
    fn uniform_subtrees_collapse() {
        let m = map(&[
            ("Makefile", 1),
            ("crypto/aes.c", 0),
            ("crypto/sub/x.c", 0),
            ("docs/a.md", 2),
            ("docs/b.md", 2),
            ("hw/net/e1000.c", 0),
            ("hw/core/a.c", 1),
            ("hw/core/b.c", 1),
            ("hw/core/c.c", 1),
            ("hw/core/d.c", 1),
            ("policy.yaml", 0),
        ]);
        let rows = m.rows();
        let shown: Vec<(usize, &str, Option<usize>, u64)> = rows
            .iter()
            .map(|r| (r.depth, r.path.as_str(), r.tier, r.files))
            .collect();
        assert_eq!(
            shown,
            vec![
                (0, "./", None, 11),
                (1, "crypto/", Some(0), 2),
                (1, "docs/", Some(2), 2),
                (1, "hw/", None, 5),
                (2, "hw/core/", Some(1), 4),
                (2, "hw/net/", Some(0), 1),
                (1, "policy.yaml", Some(0), 1),
                (1, "Makefile", Some(1), 1),
            ]
        );
        assert_eq!(rows[0].counts, vec![(0, 4), (1, 5), (2, 2)]);
        let critical: Vec<String> = m.areas(0).into_iter().map(|r| r.path).collect();
        assert_eq!(critical, vec!["crypto/", "hw/net/", "policy.yaml"]);
    }

    #[test]
    fn many_files_of_a_tier_are_grouped() {
        let m = map(&[("a.c", 1), ("b.c", 1), ("c.c", 1), ("d.c", 1), ("x.S", 0)]);
        let rows = m.rows();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].path, "x.S");
        assert_eq!(rows[2].path, "./*");
        assert_eq!(rows[2].kind, RowKind::Files);
        assert_eq!(rows[2].files, 4);
    }
}
