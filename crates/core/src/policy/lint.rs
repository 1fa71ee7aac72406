//! Linting a policy against a tree (`tiergate policy lint [--rev REV]`):
//! what in the policy is wrong *for the tree it guards*.
//!
//! [`crate::policy::validate`] answers whether a policy is well formed; it
//! cannot say whether its globs describe the repository. A pattern with a
//! typo (`hw/virtio-net/` for `hw/virtio/`) is valid and matches nothing, so
//! the files it meant to protect fall to the default tier without a word.
//! This module takes the files of one tree and reports, per pattern:
//!
//! - a `paths` pattern that matches no file ([`FindingKind::MatchesNothing`]);
//! - a `paths` pattern whose every file is taken by an earlier tier, so
//!   the pattern decides nothing ([`FindingKind::Shadowed`]);
//! - an `except` pattern that takes no file out of its tier
//!   ([`FindingKind::ExceptsNothing`]);
//!
//! and, as notes that do not fail a lint (a split can be deliberate, such
//! as `block/qcow2*` beside `block/`), directories whose own files are
//! split across tiers, and how many files no pattern names (they are in
//! the default tier).
//!
//! Matching is the policy's own (first tier whose `paths` match and
//! `except` do not: [`crate::policy::build_glob`] per pattern, the globs
//! the classifier compiles). Pure: the caller lists the tree.

use super::{build_glob, Pattern, Policy};
use globset::{GlobSet, GlobSetBuilder};
use std::collections::BTreeMap;

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum FindingKind {
    /// A `paths` pattern that matches no file of the tree.
    MatchesNothing,
    /// A `paths` pattern whose files are all in earlier tiers.
    Shadowed {
        /// The earlier tiers that took its files, in policy order.
        by: Vec<String>,
    },
    /// An `except` pattern that matches no file its tier's `paths` match.
    ExceptsNothing,
}

/// One warning about one pattern of the policy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// What is wrong.
    #[serde(flatten)]
    pub kind: FindingKind,
    /// The tier whose pattern it is.
    pub tier: String,
    /// `paths` or `except`.
    pub list: &'static str,
    /// The pattern as written.
    pub pattern: String,
    /// Where the pattern is written (1-based; 0 when unknown).
    pub line: usize,
    /// Column of the pattern (1-based; 0 when unknown).
    pub column: usize,
}

impl Finding {
    /// One sentence saying what is wrong.
    pub fn message(&self) -> String {
        match &self.kind {
            FindingKind::MatchesNothing => format!(
                "pattern \"{}\" of tier '{}' matches no file",
                self.pattern, self.tier
            ),
            FindingKind::Shadowed { by } => format!(
                "pattern \"{}\" of tier '{}' decides nothing: every file it matches is in an earlier tier ({})",
                self.pattern,
                self.tier,
                by.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ")
            ),
            FindingKind::ExceptsNothing => format!(
                "except entry \"{}\" of tier '{}' takes no file out of the tier",
                self.pattern, self.tier
            ),
        }
    }

    /// How to fix it.
    pub fn fix(&self) -> String {
        match &self.kind {
            FindingKind::MatchesNothing => {
                "Correct the pattern (a typo, a moved directory?) or remove it; \
                 `tiergate classify --explain PATH` shows how a path is matched."
                    .to_owned()
            }
            FindingKind::Shadowed { by } => format!(
                "Remove the pattern, or move tier '{}' before {} if these files belong to it \
                 (the first tier that matches a path wins).",
                self.tier,
                by.iter()
                    .map(|t| format!("'{t}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            FindingKind::ExceptsNothing => format!(
                "Remove the entry, or correct it to name paths that tier '{}' matches.",
                self.tier
            ),
        }
    }

    /// The rule-like code of the finding (`matches-nothing`, ...).
    pub fn code(&self) -> &'static str {
        match self.kind {
            FindingKind::MatchesNothing => "matches-nothing",
            FindingKind::Shadowed { .. } => "shadowed",
            FindingKind::ExceptsNothing => "excepts-nothing",
        }
    }
}

/// A directory whose own files (not those of its subdirectories) are in
/// more than one tier.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SplitDirectory {
    /// The directory, with a trailing `/` (`""` for the top).
    pub path: String,
    /// Files directly in it, per tier name, in policy order.
    pub files: Vec<(String, u64)>,
}

/// Everything a lint found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Lint {
    /// Files in the tree.
    pub files: u64,
    /// Warnings about patterns, in policy order.
    pub findings: Vec<Finding>,
    /// Directories whose own files are split across tiers (notes).
    pub split_directories: Vec<SplitDirectory>,
    /// Files no pattern names: they are in the default tier.
    pub default_files: u64,
    /// The top-level directories (or files) holding the most of those,
    /// with their counts, most first (at most [`DEFAULT_TOP`]).
    pub default_top: Vec<(String, u64)>,
}

/// How many top-level places holding default-tier files are listed.
pub const DEFAULT_TOP: usize = 5;

/// The compiled patterns of one tier, one glob per pattern.
struct TierSets {
    paths: GlobSet,
    except: GlobSet,
}

fn set_of(patterns: &[Pattern]) -> Result<GlobSet, globset::Error> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(build_glob(&pattern.text)?);
    }
    builder.build()
}

/// Counters per pattern while the files go by.
#[derive(Default)]
struct Counts {
    /// Files each `paths` pattern matches.
    matched: Vec<u64>,
    /// Files each `paths` pattern matches that land in this tier.
    decided: Vec<u64>,
    /// Earlier tiers that took files this pattern matches.
    taken_by: Vec<Vec<usize>>,
    /// Files each `except` pattern takes out of the tier.
    excepted: Vec<u64>,
}

/// Lint `policy` against `files` (repository-relative paths of one tree).
/// `policy_path` is the policy file's own path in that tree, if it is
/// there: the classifier always puts it in the strictest tier, so it is
/// neither a default-tier file nor a reason to call its directory split.
pub fn lint<'a>(
    policy: &Policy,
    policy_path: Option<&[u8]>,
    files: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Lint, globset::Error> {
    let sets = policy
        .tiers
        .iter()
        .map(|t| {
            Ok(TierSets {
                paths: set_of(&t.paths)?,
                except: set_of(&t.except)?,
            })
        })
        .collect::<Result<Vec<_>, globset::Error>>()?;
    let mut counts: Vec<Counts> = policy
        .tiers
        .iter()
        .map(|t| Counts {
            matched: vec![0; t.paths.len()],
            decided: vec![0; t.paths.len()],
            taken_by: vec![Vec::new(); t.paths.len()],
            excepted: vec![0; t.except.len()],
        })
        .collect();
    let mut lint = Lint::default();
    let mut by_dir: BTreeMap<Vec<u8>, Vec<u64>> = BTreeMap::new();
    let mut default_by_top: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    let mut matches = Vec::new();
    for path in files {
        lint.files += 1;
        let candidate = candidate(path);
        // The first tier whose paths match and except do not, as the
        // classifier decides (without the policy file and tier-directory
        // refinements, which do not depend on which pattern matched).
        let mut tier_of = None;
        for (t, set) in sets.iter().enumerate() {
            set.paths.matches_candidate_into(&candidate, &mut matches);
            if matches.is_empty() {
                continue;
            }
            let excepts = set.except.matches_candidate(&candidate);
            for &e in &excepts {
                counts[t].excepted[e] += 1;
            }
            let lands_here = tier_of.is_none() && excepts.is_empty();
            for &p in &matches {
                counts[t].matched[p] += 1;
                if lands_here {
                    counts[t].decided[p] += 1;
                } else if let Some(earlier) = tier_of {
                    if !counts[t].taken_by[p].contains(&earlier) {
                        counts[t].taken_by[p].push(earlier);
                    }
                }
            }
            if lands_here {
                tier_of = Some(t);
            }
        }
        if policy_path == Some(path) {
            continue;
        }
        let tier = match tier_of {
            Some(t) => t,
            None => {
                lint.default_files += 1;
                let top = match path.iter().position(|&b| b == b'/') {
                    Some(slash) => &path[..=slash],
                    None => path,
                };
                *default_by_top.entry(top.to_vec()).or_default() += 1;
                policy.default_tier
            }
        };
        let dir = match path.iter().rposition(|&b| b == b'/') {
            Some(slash) => &path[..=slash],
            None => &[][..],
        };
        let per_tier = by_dir
            .entry(dir.to_vec())
            .or_insert_with(|| vec![0; policy.tiers.len()]);
        if let Some(n) = per_tier.get_mut(tier) {
            *n += 1;
        }
    }
    for (t, tier) in policy.tiers.iter().enumerate() {
        let c = &counts[t];
        for (p, pattern) in tier.paths.iter().enumerate() {
            let kind = if c.matched[p] == 0 {
                FindingKind::MatchesNothing
            } else if c.decided[p] == 0 && !c.taken_by[p].is_empty() {
                let mut by = c.taken_by[p].clone();
                by.sort_unstable();
                FindingKind::Shadowed {
                    by: by.iter().map(|&e| policy.tiers[e].name.clone()).collect(),
                }
            } else {
                continue;
            };
            lint.findings
                .push(finding(kind, &tier.name, "paths", pattern));
        }
        for (e, pattern) in tier.except.iter().enumerate() {
            if c.excepted[e] == 0 {
                lint.findings.push(finding(
                    FindingKind::ExceptsNothing,
                    &tier.name,
                    "except",
                    pattern,
                ));
            }
        }
    }
    lint.split_directories = by_dir
        .into_iter()
        .filter(|(_, n)| n.iter().filter(|&&n| n > 0).count() > 1)
        .map(|(dir, n)| SplitDirectory {
            path: String::from_utf8_lossy(&dir).into_owned(),
            files: n
                .iter()
                .enumerate()
                .filter(|(_, &n)| n > 0)
                .map(|(t, &n)| (policy.tiers[t].name.clone(), n))
                .collect(),
        })
        .collect();
    let mut top: Vec<(String, u64)> = default_by_top
        .into_iter()
        .map(|(p, n)| (String::from_utf8_lossy(&p).into_owned(), n))
        .collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(DEFAULT_TOP);
    lint.default_top = top;
    Ok(lint)
}

fn finding(kind: FindingKind, tier: &str, list: &'static str, pattern: &Pattern) -> Finding {
    Finding {
        kind,
        tier: tier.to_owned(),
        list,
        pattern: pattern.text.clone(),
        line: pattern.line,
        column: pattern.column,
    }
}

#[cfg(unix)]
fn candidate(path: &[u8]) -> globset::Candidate<'_> {
    use std::os::unix::ffi::OsStrExt;
    globset::Candidate::new(std::ffi::OsStr::from_bytes(path))
}

#[cfg(not(unix))]
fn candidate(path: &[u8]) -> globset::Candidate<'static> {
    // As the classifier does on platforms whose paths cannot hold
    // arbitrary bytes: lint the lossy rendering.
    let owned = String::from_utf8_lossy(path).into_owned();
    globset::Candidate::new(Box::leak(owned.into_boxed_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(yaml: &str) -> Policy {
        crate::policy::from_yaml(yaml.as_bytes(), "policy.yaml").expect("valid policy")
    }

    fn run(policy: &Policy, files: &[&str]) -> Lint {
        lint(
            policy,
            Some(b"policy.yaml"),
            files.iter().map(|f| f.as_bytes()),
        )
        .expect("compiles")
    }

    const POLICY: &str = r#"version: 1
tiers:
  - name: critical
    paths: [ "crypto/", "hw/virtio-net/", "block/qcow2*" ]
    except: [ "crypto/README", "**/meson.build" ]
    ai: forbidden
  - name: core
    paths: [ "block/", "crypto/aes.c" ]
  - name: open
    paths: [ "docs/", "*.rst" ]
default_tier: core
"#;

    const FILES: &[&str] = &[
        "crypto/aes.c",
        "crypto/meson.build",
        "block/qcow2.c",
        "block/raw.c",
        "docs/index.rst",
        "net/net.c",
        "net/tap.c",
        "configure",
        "policy.yaml",
    ];

    #[test]
    fn finds_dead_shadowed_and_useless_patterns() {
        let policy = policy(POLICY);
        let lint = run(&policy, FILES);
        let found: Vec<(&str, &str, &str)> = lint
            .findings
            .iter()
            .map(|f| (f.code(), f.tier.as_str(), f.pattern.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("matches-nothing", "critical", "hw/virtio-net/"),
                ("excepts-nothing", "critical", "crypto/README"),
                ("shadowed", "core", "crypto/aes.c"),
            ]
        );
        assert_eq!(
            lint.findings[2].kind,
            FindingKind::Shadowed {
                by: vec!["critical".into()]
            }
        );
        assert_eq!(lint.findings[0].line, 4);
        assert_eq!(lint.files, 9);
    }

    #[test]
    fn a_pattern_that_decides_one_file_is_not_shadowed() {
        // `*.rst` matches docs/index.rst, which `docs/` (same tier) takes
        // first: the pattern is redundant there but not shadowed by an
        // earlier tier; and README.rst at the top is decided by it.
        let policy = policy(POLICY);
        let lint = run(&policy, &["docs/index.rst", "README.rst", "crypto/x.c"]);
        assert!(lint.findings.iter().all(|f| f.pattern != "*.rst"));
    }

    #[test]
    fn counts_default_files_and_split_directories() {
        let policy = policy(POLICY);
        let lint = run(&policy, FILES);
        // crypto/meson.build is excepted from 'critical' and no later
        // pattern names it.
        assert_eq!(lint.default_files, 4);
        assert_eq!(
            lint.default_top,
            [
                ("net/".to_owned(), 2),
                ("configure".to_owned(), 1),
                ("crypto/".to_owned(), 1)
            ]
        );
        let split: Vec<(&str, &[(String, u64)])> = lint
            .split_directories
            .iter()
            .map(|d| (d.path.as_str(), d.files.as_slice()))
            .collect();
        assert_eq!(
            split,
            [
                (
                    "block/",
                    &[("critical".to_owned(), 1), ("core".to_owned(), 1)][..]
                ),
                (
                    "crypto/",
                    &[("critical".to_owned(), 1), ("core".to_owned(), 1)][..]
                ),
            ]
        );
    }

    #[test]
    fn a_clean_policy_has_no_findings() {
        let policy = policy(
            "version: 1\ntiers:\n  - { name: critical, paths: [ \"crypto/\" ], ai: forbidden }\n  - { name: open, paths: [ \"docs/\" ] }\n",
        );
        let lint = run(&policy, &["crypto/a.c", "docs/x.md"]);
        assert_eq!(lint.findings, []);
        assert_eq!(lint.default_files, 0);
        assert!(lint.split_directories.is_empty());
    }

    #[test]
    fn an_empty_tree_makes_every_pattern_match_nothing() {
        let policy = policy(POLICY);
        let lint = run(&policy, &[]);
        assert!(lint
            .findings
            .iter()
            .filter(|f| f.list == "paths")
            .all(|f| f.kind == FindingKind::MatchesNothing));
        assert_eq!(lint.files, 0);
    }
}
