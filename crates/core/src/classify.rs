//! Classification: which tier a path belongs to.
//!
//! Each tier's `paths` and `except` patterns are compiled into one
//! [`globset::GlobSet`] each, with `literal_separator(true)` so that `*`
//! never crosses a `/` (as in `.gitignore`). The pattern language is the
//! policy's (see [`crate::policy::glob_for`]): a pattern containing `/` is
//! anchored at the repository root, `dir/` means the directory and
//! everything below it, a pattern without `/` matches a name at any depth.
//!
//! Tiers are tried in the order the policy lists them and the first tier
//! whose `paths` match and whose `except` do not wins; a path no tier
//! claims falls in `default_tier`. Two paths are always in the strictest
//! tier whatever the patterns say: the policy file itself, so that loosening
//! the rules is itself held to the strictest rules (see
//! [`Classifier::new`]).
//!
//! Paths are repository-relative, `/`-separated byte strings, compared as
//! bytes: git does not require path names to be UTF-8, and neither do we.

use crate::policy::{AiRule, Pattern, Policy};
use globset::{Candidate, GlobSet, GlobSetBuilder};

/// A compiled classifier for one policy.
#[derive(Debug, Clone)]
pub struct Classifier {
    tiers: Vec<TierMatcher>,
    default_tier: usize,
    strictest_tier: usize,
    protected: Vec<Vec<u8>>,
}

#[derive(Debug, Clone)]
struct TierMatcher {
    paths: GlobSet,
    except: GlobSet,
}

/// Why a path got its tier (for `tiergate classify --explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A `paths` pattern of the tier matched.
    Pattern(Pattern),
    /// The path is the policy file, always in the strictest tier.
    PolicyFile,
    /// No tier matched: the policy's `default_tier`.
    Default,
}

/// The tier of a path and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Index into the policy's tiers.
    pub tier: usize,
    /// Why.
    pub reason: Reason,
    /// `except` patterns of earlier tiers that kept the path out of them,
    /// as `(tier index, pattern)`.
    pub excepted_by: Vec<(usize, Pattern)>,
}

/// A pattern that does not compile (cannot happen for a validated policy;
/// kept so that classification never panics).
#[derive(Debug, thiserror::Error)]
#[error("invalid pattern '{pattern}' in tier '{tier}': {source}")]
pub struct Error {
    /// The tier.
    pub tier: String,
    /// The pattern as written.
    pub pattern: String,
    /// The glob error.
    pub source: globset::Error,
}

/// The tier considered strictest: the first tier with `ai: forbidden`, or
/// the first tier when none forbids AI.
pub fn strictest_tier(policy: &Policy) -> usize {
    policy
        .tiers
        .iter()
        .position(|t| t.ai == AiRule::Forbidden)
        .unwrap_or(0)
}

impl Classifier {
    /// Compile `policy`. `policy_path` is the repository-relative path of
    /// the policy file when it lives in the repository; that path is always
    /// classified in the strictest tier (see [`strictest_tier`]), so that a
    /// commit loosening the policy is judged by the strictest rules.
    pub fn new(policy: &Policy, policy_path: Option<&[u8]>) -> Result<Classifier, Error> {
        let mut tiers = Vec::with_capacity(policy.tiers.len());
        for tier in &policy.tiers {
            tiers.push(TierMatcher {
                paths: compile(&tier.name, &tier.paths)?,
                except: compile(&tier.name, &tier.except)?,
            });
        }
        Ok(Classifier {
            tiers,
            default_tier: policy.default_tier,
            strictest_tier: strictest_tier(policy),
            protected: policy_path.map(|p| vec![p.to_vec()]).unwrap_or_default(),
        })
    }

    /// The tier (index into the policy's tiers) of `path`.
    pub fn tier_of(&self, path: &[u8]) -> usize {
        if self.protected.iter().any(|p| p == path) {
            return self.strictest_tier;
        }
        let candidate = candidate(path);
        self.tiers
            .iter()
            .position(|t| {
                t.paths.is_match_candidate(&candidate) && !t.except.is_match_candidate(&candidate)
            })
            .unwrap_or(self.default_tier)
    }

    /// The tiers (indexes into the policy's tiers, in policy order, each
    /// once) that `paths` fall in.
    pub fn tiers_touched(&self, paths: &[Vec<u8>]) -> Vec<usize> {
        let mut seen = vec![false; self.tiers.len()];
        for path in paths {
            seen[self.tier_of(path)] = true;
        }
        (0..seen.len()).filter(|&t| seen[t]).collect()
    }

    /// The tier of `path` and the pattern that decided it.
    pub fn explain(&self, policy: &Policy, path: &[u8]) -> Match {
        if self.protected.iter().any(|p| p == path) {
            return Match {
                tier: self.strictest_tier,
                reason: Reason::PolicyFile,
                excepted_by: Vec::new(),
            };
        }
        let candidate = candidate(path);
        let mut excepted_by = Vec::new();
        for (index, (matcher, tier)) in self.tiers.iter().zip(&policy.tiers).enumerate() {
            let Some(&first) = matcher.paths.matches_candidate(&candidate).first() else {
                continue;
            };
            if let Some(&ex) = matcher.except.matches_candidate(&candidate).first() {
                excepted_by.push((index, tier.except[ex].clone()));
                continue;
            }
            return Match {
                tier: index,
                reason: Reason::Pattern(tier.paths[first].clone()),
                excepted_by,
            };
        }
        Match {
            tier: self.default_tier,
            reason: Reason::Default,
            excepted_by,
        }
    }
}

fn compile(tier: &str, patterns: &[Pattern]) -> Result<GlobSet, Error> {
    let mut set = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = crate::policy::build_glob(&pattern.text).map_err(|source| Error {
            tier: tier.to_owned(),
            pattern: pattern.text.clone(),
            source,
        })?;
        set.add(glob);
    }
    set.build().map_err(|source| Error {
        tier: tier.to_owned(),
        pattern: String::new(),
        source,
    })
}

/// Build the set of `patterns` exactly as [`Classifier::new`] does for one
/// tier's `paths` or `except`: policy validation calls this so that a policy
/// that loads always classifies (a glob can compile on its own while the
/// whole set, one automaton for all of a tier's patterns, exceeds the
/// matcher's size limit).
pub(crate) fn check_set<'p>(
    patterns: impl IntoIterator<Item = &'p str>,
) -> Result<(), globset::Error> {
    let mut set = GlobSetBuilder::new();
    for pattern in patterns {
        set.add(crate::policy::build_glob(pattern)?);
    }
    set.build().map(drop)
}

#[cfg(unix)]
fn candidate(path: &[u8]) -> Candidate<'_> {
    use std::os::unix::ffi::OsStrExt;
    Candidate::new(std::ffi::OsStr::from_bytes(path))
}

#[cfg(not(unix))]
fn candidate(path: &[u8]) -> Candidate<'static> {
    // Non-Unix platforms cannot hold arbitrary bytes in a path; classify the
    // lossy rendering (only non-UTF-8 names are affected).
    let owned = String::from_utf8_lossy(path).into_owned();
    Candidate::new(Box::leak(owned.into_boxed_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Declaration, Markers, Mode, OnError, Override, Server, Signoff, Tier};

    fn pat(text: &str) -> Pattern {
        Pattern {
            text: text.to_owned(),
            line: 0,
            column: 0,
        }
    }

    fn tier(name: &str, paths: &[&str], except: &[&str], ai: AiRule) -> Tier {
        Tier {
            name: name.to_owned(),
            paths: paths.iter().map(|p| pat(p)).collect(),
            except: except.iter().map(|p| pat(p)).collect(),
            ai,
            require: Vec::new(),
        }
    }

    fn policy(tiers: Vec<Tier>, default_tier: usize) -> Policy {
        Policy {
            source: "test".into(),
            mode: Mode::Enforce,
            declaration: Declaration {
                key: "AI-Assisted-by".into(),
                aliases: Vec::new(),
                value: None,
                forbid_ai_signoff: true,
            },
            markers: Markers {
                builtin: true,
                extra: Vec::new(),
            },
            tiers,
            default_tier,
            signoff: Signoff::default(),
            server: Server {
                on_error: OnError::Reject,
                override_: Override {
                    push_option: "tiergate.override".into(),
                    users: Vec::new(),
                },
                audit_log: None,
                timeout: crate::policy::DEFAULT_SERVER_TIMEOUT,
                replace_refs: crate::policy::ReplaceRefs::Refuse,
            },
        }
    }

    fn example() -> Policy {
        policy(
            vec![
                tier(
                    "critical",
                    &["crypto/", "hw/virtio/**", "*.S", "Kconfig.secure"],
                    &["crypto/README"],
                    AiRule::Forbidden,
                ),
                tier("core", &["accel/", "target/"], &[], AiRule::Allowed),
                tier(
                    "open",
                    &["docs/", "tests/", "/README"],
                    &[],
                    AiRule::Allowed,
                ),
            ],
            1,
        )
    }

    fn name(policy: &Policy, c: &Classifier, path: &[u8]) -> String {
        policy.tiers[c.tier_of(path)].name.clone()
    }

    #[test]
    fn classifies_like_the_design_says() {
        let p = example();
        let c = Classifier::new(&p, Some(b"policy.yaml")).expect("compiles");
        let cases: &[(&[u8], &str)] = &[
            // `dir/` is the directory and everything below it.
            (b"crypto/aes.c", "critical"),
            (b"crypto/sub/dir/x.c", "critical"),
            // ... anchored at the root.
            (b"lib/crypto/aes.c", "core"),
            (b"hw/virtio/virtio.c", "critical"),
            (b"hw/virtio/a/b.c", "critical"),
            (b"hw/virtio.c", "core"),
            // A pattern without `/` matches a name at any depth.
            (b"boot.S", "critical"),
            (b"arch/x86/boot.S", "critical"),
            (b"arch/x86/boot.s", "core"),
            (b"a/b/Kconfig.secure", "critical"),
            // `except` takes the path out of the tier; the next tier or the
            // default applies.
            (b"crypto/README", "core"),
            (b"accel/kvm.c", "core"),
            (b"docs/index.rst", "open"),
            (b"tests/unit/x.c", "open"),
            // A leading `/` anchors a name at the root.
            (b"README", "open"),
            (b"sub/README", "core"),
            // `*` does not cross `/`.
            (b"docsx/a", "core"),
            // The policy file is always in the strictest tier.
            (b"policy.yaml", "critical"),
            (b"sub/policy.yaml", "core"),
            // No tier: default tier.
            (b"Makefile", "core"),
            // Non-UTF-8 names classify.
            (b"crypto/\xff\xfe.c", "critical"),
            (b"docs/caf\xe9.txt", "open"),
            (b"\xff", "core"),
        ];
        for (path, want) in cases {
            assert_eq!(
                name(&p, &c, path),
                *want,
                "path {:?}",
                String::from_utf8_lossy(path)
            );
        }
    }

    #[test]
    fn first_tier_wins() {
        let p = policy(
            vec![
                tier("a", &["src/"], &[], AiRule::Allowed),
                tier("b", &["src/x/"], &[], AiRule::Forbidden),
            ],
            0,
        );
        let c = Classifier::new(&p, None).expect("compiles");
        assert_eq!(name(&p, &c, b"src/x/y.c"), "a");
        // Without a policy path, nothing is protected.
        assert_eq!(name(&p, &c, b"policy.yaml"), "a");
        // The strictest tier is the first forbidding AI.
        assert_eq!(strictest_tier(&p), 1);
    }

    #[test]
    fn explain_names_the_pattern() {
        let p = example();
        let c = Classifier::new(&p, Some(b"policy.yaml")).expect("compiles");
        let m = c.explain(&p, b"hw/virtio/a.c");
        assert_eq!(m.tier, 0);
        assert_eq!(m.reason, Reason::Pattern(pat("hw/virtio/**")));
        let m = c.explain(&p, b"crypto/README");
        assert_eq!(m.tier, 1);
        assert_eq!(m.reason, Reason::Default);
        assert_eq!(m.excepted_by, vec![(0, pat("crypto/README"))]);
        assert_eq!(c.explain(&p, b"policy.yaml").reason, Reason::PolicyFile);
    }
}
