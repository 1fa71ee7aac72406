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
//! claims falls in `default_tier`. The policy file itself is always in the
//! strictest tier whatever the patterns say, so that loosening the rules is
//! itself held to the strictest rules (see [`Classifier::new`]).
//!
//! # Stricter
//!
//! One order decides between tiers wherever two of them claim a path
//! ([`stricter`]): a tier with `ai: forbidden` is stricter than one with
//! `ai: allowed`; between two tiers with the same `ai`, the one listed
//! first is stricter (the policy lists its most important tiers first: the
//! first match wins). The strictest tier ([`strictest_tier`]) is the first
//! in that order.
//!
//! # Entries that replace a tier's directory
//!
//! Every path tiergate classifies is a non-directory entry of a tree
//! (blob, symlink or submodule: git's tree diffs recurse into trees). An
//! entry at the path of a directory that a tier protects replaces that
//! directory: in one push a human commit removes `migration/`, an
//! AI-assisted commit adds `docs/mig/m.c` and a symlink `migration ->
//! docs/mig`, and every checkout now has AI-written `migration/m.c`, while
//! the patterns alone put the path `migration` in the default tier. So a
//! path P that is the directory named by a pattern of a tier, or a
//! directory above one, belongs to that tier when it is stricter than the
//! tier the patterns give P. "Named by or above" is matched segment by
//! segment: P's segments against every proper prefix of the pattern's
//! glob segments that does not end in `**` (`migration/**` protects
//! `migration`; `hw/virtio/**` protects `hw/virtio` and `hw`;
//! `crypto/aes.c` protects `crypto`; `**/tests/**` protects `**/tests`,
//! any entry named `tests`; a pattern without `/` protects nothing, and a
//! prefix that is only `**` is never used, since it would match every
//! path). `except` does not take such a path out: it names paths below
//! the directory, not the directory. An alternative that contains a `/`
//! (`{a,b/c}/**`) stays one segment: it protects `a` and `b/c`, not `b`.
//!
//! # Look-alike paths (opt-in: `paths.lookalikes`)
//!
//! Case-insensitive and normalising file systems check different paths out
//! into one directory: on macOS (APFS, HFS+) and Windows (NTFS)
//! `CRYPTO/aes.c` lands in `crypto/`; on macOS an NFD-decomposed name is
//! the NFC one, and HFS+ ignores some invisible code points; Windows strips
//! trailing dots and spaces from names (`crypto./aes.c`; Git for Windows
//! refuses to check such names out under `core.protectNTFS`, see
//! `is_valid_win32_path` in git's `compat/mingw.c`, but other tools and
//! archives do not). With `paths.lookalikes: true`, a path whose checkout
//! form ([`checkout_form`]) matches a stricter tier, with a
//! case-insensitive copy of the tiers' globs (compiled once, with the
//! classifier), counts in that tier and is marked as a look-alike
//! ([`Class::lookalike`]); the rules report it as `lookalike-path`. The
//! checkout form is classified like a path, so the policy file and the
//! tier directories above have look-alikes too (`POLICY.yaml`,
//! `MIGRATION`).
//!
//! Paths are repository-relative, `/`-separated byte strings, compared as
//! bytes: git does not require path names to be UTF-8, and neither do we.

pub mod boundary;
pub mod tiermap;

pub use crate::policy::glob::Error;
use crate::policy::glob::{candidate, Globs, TierDirectory};
use crate::policy::{AiRule, Pattern, Policy};
use globset::Candidate;
use unicode_normalization::UnicodeNormalization;

/// A compiled classifier for one policy.
#[derive(Debug, Clone)]
pub struct Classifier {
    /// The tiers' globs, compared as bytes.
    exact: Globs,
    /// With `paths.lookalikes`: the case-insensitive copy, matched against
    /// [`checkout_form`] of a path.
    lookalike: Option<Globs>,
    default_tier: usize,
    /// Tier indexes, strictest first (see [`stricter`]).
    by_strictness: Vec<usize>,
    /// `rank[t]`: position of tier `t` in `by_strictness`.
    rank: Vec<usize>,
    /// The policy file's path, as given and in its checkout form.
    protected: Option<(Vec<u8>, Vec<u8>)>,
    /// Files judged in a tier with `follow_includes` because only its code
    /// includes them (see [`Classifier::with_followed`]); empty unless
    /// some tier follows includes.
    followed: Followed,
}

/// The files a tier's code alone includes (`follow_includes`), as
/// computed from a trusted tree: path -> the tier and the files that
/// include it directly.
#[derive(Debug, Clone, Default)]
pub struct Followed {
    files: std::collections::HashMap<Vec<u8>, FollowedFile>,
    /// With `paths.lookalikes`: the same files by [`checkout_form`].
    forms: std::collections::HashMap<Vec<u8>, Vec<u8>>,
}

/// A file judged in a tier because only the tier's code includes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowedFile {
    /// Index of the tier (one with `follow_includes`).
    pub tier: usize,
    /// The files of the tree that include it directly (sorted).
    pub included_by: Vec<Vec<u8>>,
}

/// The tier of a path, and whether it got it as a look-alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    /// Index into the policy's tiers.
    pub tier: usize,
    /// The path itself is in a less strict tier: case-insensitive or
    /// normalising file systems check it out into `tier` (only with
    /// `paths.lookalikes`).
    pub lookalike: bool,
}

/// Why a path got its tier (for `tiergate classify --explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A `paths` pattern of the tier matched.
    Pattern(Pattern),
    /// The path is the policy file (or a directory above it), always in
    /// the strictest tier.
    PolicyFile,
    /// No tier matched: the policy's `default_tier`.
    Default,
    /// The path is the directory named by `pattern` of the tier, or a
    /// directory above it: an entry there (symlink, file, submodule)
    /// replaces that directory, so it belongs to the tier.
    TierDirectory {
        /// The tier's pattern.
        pattern: Pattern,
        /// The directory the path stands for, as a glob (`migration`).
        directory: String,
        /// Whether `pattern` names the directory itself (`migration/`)
        /// rather than something below it (`hw` for `hw/virtio/**`).
        named: bool,
    },
    /// The path is a look-alike: its checkout form on case-insensitive or
    /// normalising file systems (`checkout_form`) is in the tier, for
    /// `reason`.
    Lookalike {
        /// The checkout form (lossy UTF-8).
        form: String,
        /// Why the checkout form is in the tier.
        reason: Box<Reason>,
    },
    /// Only the code of the tier (a tier with `follow_includes`) includes
    /// the file, directly or through headers only it includes.
    Included {
        /// The files that include it directly (lossy UTF-8, sorted).
        included_by: Vec<String>,
    },
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

/// Whether tier `a` is stricter than tier `b`: `ai: forbidden` before
/// `ai: allowed`, then the order the policy lists them in. The one
/// definition used wherever two tiers compete for a path (the policy file,
/// entries that replace a tier's directory, look-alikes).
pub fn stricter(policy: &Policy, a: usize, b: usize) -> bool {
    strictness(policy, a) < strictness(policy, b)
}

/// Sort key of [`stricter`]: smaller is stricter.
fn strictness(policy: &Policy, tier: usize) -> (bool, usize) {
    let allowed = policy
        .tiers
        .get(tier)
        .is_none_or(|t| t.ai != AiRule::Forbidden);
    (allowed, tier)
}

/// The strictest tier (see [`stricter`]): the first tier with
/// `ai: forbidden`, or the first tier when none forbids AI.
pub fn strictest_tier(policy: &Policy) -> usize {
    (0..policy.tiers.len())
        .min_by_key(|&t| strictness(policy, t))
        .unwrap_or(0)
}

/// Code points HFS+ ignores in names, as git's `utf8.c` (`next_hfs_char`,
/// used by `is_hfs_dotgit`) lists them: `cr\u{200c}ypto` and `crypto` are
/// one directory there.
const HFS_IGNORED: [char; 16] = [
    '\u{200c}', // ZERO WIDTH NON-JOINER
    '\u{200d}', // ZERO WIDTH JOINER
    '\u{200e}', // LEFT-TO-RIGHT MARK
    '\u{200f}', // RIGHT-TO-LEFT MARK
    '\u{202a}', // LEFT-TO-RIGHT EMBEDDING
    '\u{202b}', // RIGHT-TO-LEFT EMBEDDING
    '\u{202c}', // POP DIRECTIONAL FORMATTING
    '\u{202d}', // LEFT-TO-RIGHT OVERRIDE
    '\u{202e}', // RIGHT-TO-LEFT OVERRIDE
    '\u{206a}', // INHIBIT SYMMETRIC SWAPPING
    '\u{206b}', // ACTIVATE SYMMETRIC SWAPPING
    '\u{206c}', // INHIBIT ARABIC FORM SHAPING
    '\u{206d}', // ACTIVATE ARABIC FORM SHAPING
    '\u{206e}', // NATIONAL DIGIT SHAPES
    '\u{206f}', // NOMINAL DIGIT SHAPES
    '\u{feff}', // ZERO WIDTH NO-BREAK SPACE
];

/// The form under which case-insensitive, normalising file systems store
/// `path`: per segment, the code points HFS+ ignores removed, lowercased
/// (Unicode lowercase mapping, on the canonical decomposition) and
/// NFC-composed (macOS treats NFD and NFC names as one), then trailing
/// dots and spaces stripped as Windows strips them (`crypto.` is
/// `crypto`; a segment of only dots and spaces is kept). A path that is
/// not UTF-8 gets only the ASCII part: lowercase and the stripping.
///
/// ```
/// use tiergate_core::classify::checkout_form;
/// assert_eq!(checkout_form(b"CRYPTO./Aes.c "), b"crypto/aes.c");
/// assert_eq!(checkout_form("cafe\u{301}/x".as_bytes()), "caf\u{e9}/x".as_bytes());
/// ```
pub fn checkout_form(path: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(path.len());
    for (i, segment) in path.split(|&b| b == b'/').enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        let folded: Vec<u8> = match std::str::from_utf8(segment) {
            Ok(s) if s.is_ascii() => s.to_ascii_lowercase().into_bytes(),
            Ok(s) => s
                .chars()
                .filter(|c| !HFS_IGNORED.contains(c))
                .nfd()
                .flat_map(char::to_lowercase)
                .nfc()
                .collect::<String>()
                .into_bytes(),
            Err(_) => segment.to_ascii_lowercase(),
        };
        let kept = folded
            .iter()
            .rposition(|&b| b != b'.' && b != b' ')
            .map_or(folded.len(), |last| last + 1);
        out.extend_from_slice(&folded[..kept]);
    }
    out
}

/// How [`Classifier::decide`] found a tier (cheap; [`Classifier::explain`]
/// fills in the details).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    PolicyFile,
    Pattern,
    Default,
    TierDirectory,
}

impl Classifier {
    /// Compile `policy`. `policy_path` is the repository-relative path of
    /// the policy file when it lives in the repository; that path (and a
    /// directory above it) is always classified in the strictest tier (see
    /// [`strictest_tier`]), so that a commit loosening the policy is judged
    /// by the strictest rules. Everything is compiled here, once: the
    /// tiers' globs, the directories they protect, and with
    /// `paths.lookalikes` their case-insensitive copy.
    pub fn new(policy: &Policy, policy_path: Option<&[u8]>) -> Result<Classifier, Error> {
        let mut by_strictness: Vec<usize> = (0..policy.tiers.len()).collect();
        by_strictness.sort_by_key(|&t| strictness(policy, t));
        let mut rank = vec![0; policy.tiers.len()];
        for (position, &t) in by_strictness.iter().enumerate() {
            rank[t] = position;
        }
        Ok(Classifier {
            exact: Globs::new(policy, false)?,
            lookalike: if policy.paths.lookalikes {
                Some(Globs::new(policy, true)?)
            } else {
                None
            },
            default_tier: policy.default_tier,
            by_strictness,
            rank,
            protected: policy_path.map(|p| (p.to_vec(), checkout_form(p))),
            followed: Followed::default(),
        })
    }

    /// This classifier with `files` judged in the tier each names where
    /// that tier is stricter ([`stricter`]) than the one the patterns give.
    /// `files` comes from [`follow_includes`] over a trusted tree; a
    /// later entry for a path replaces an earlier one only if stricter.
    pub fn with_followed(
        mut self,
        files: impl IntoIterator<Item = (Vec<u8>, FollowedFile)>,
    ) -> Classifier {
        for (path, file) in files {
            let keep = match self.followed.files.get(&path) {
                Some(old) => self.is_stricter(file.tier, old.tier),
                None => true,
            };
            if keep {
                if self.lookalike.is_some() {
                    self.followed
                        .forms
                        .insert(checkout_form(&path), path.clone());
                }
                self.followed.files.insert(path, file);
            }
        }
        self
    }

    /// The files judged in a tier through `follow_includes`.
    pub fn followed(&self) -> impl Iterator<Item = (&[u8], &FollowedFile)> {
        self.followed.files.iter().map(|(p, f)| (p.as_slice(), f))
    }

    /// The followed file `path` is, or (with `paths.lookalikes`) is checked
    /// out as, when its tier is stricter than `tier`.
    fn followed_over(&self, path: &[u8], tier: usize) -> Option<(&FollowedFile, Option<Vec<u8>>)> {
        if self.followed.files.is_empty() {
            return None;
        }
        if let Some(file) = self.followed.files.get(path) {
            return self.is_stricter(file.tier, tier).then_some((file, None));
        }
        self.lookalike.as_ref()?;
        let form = checkout_form(path);
        let file = self
            .followed
            .forms
            .get(&form)
            .and_then(|p| self.followed.files.get(p))?;
        self.is_stricter(file.tier, tier)
            .then_some((file, Some(form)))
    }

    /// The tier (index into the policy's tiers) of `path`.
    pub fn tier_of(&self, path: &[u8]) -> usize {
        self.class_of(path).tier
    }

    /// The tier of `path` and whether it is a look-alike.
    pub fn class_of(&self, path: &[u8]) -> Class {
        let class = self.class_by_patterns(path);
        match self.followed_over(path, class.tier) {
            Some((file, form)) => Class {
                tier: file.tier,
                lookalike: form.is_some(),
            },
            None => class,
        }
    }

    /// [`Classifier::class_of`] without `follow_includes`.
    fn class_by_patterns(&self, path: &[u8]) -> Class {
        let protected = self.protected.as_ref().map(|(p, _)| p.as_slice());
        let (tier, _) = self.decide(&self.exact, path, protected);
        if let Some(lookalike) = &self.lookalike {
            if self.rank.get(tier).is_some_and(|&r| r > 0) {
                let form = checkout_form(path);
                let protected = self.protected.as_ref().map(|(_, f)| f.as_slice());
                let (folded, _) = self.decide(lookalike, &form, protected);
                if self.is_stricter(folded, tier) {
                    return Class {
                        tier: folded,
                        lookalike: true,
                    };
                }
            }
        }
        Class {
            tier,
            lookalike: false,
        }
    }

    /// The tiers (indexes into the policy's tiers, in policy order, each
    /// once) that `paths` fall in.
    pub fn tiers_touched(&self, paths: &[Vec<u8>]) -> Vec<usize> {
        let mut seen = vec![false; self.rank.len()];
        for path in paths {
            if let Some(s) = seen.get_mut(self.tier_of(path)) {
                *s = true;
            }
        }
        (0..seen.len()).filter(|&t| seen[t]).collect()
    }

    /// The tier of `path` and the pattern that decided it. Agrees with
    /// [`Classifier::class_of`].
    pub fn explain(&self, policy: &Policy, path: &[u8]) -> Match {
        let found = self.explain_by_patterns(policy, path);
        let Some((file, form)) = self.followed_over(path, found.tier) else {
            return found;
        };
        let included = Reason::Included {
            included_by: file
                .included_by
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect(),
        };
        Match {
            tier: file.tier,
            reason: match form {
                Some(form) => Reason::Lookalike {
                    form: String::from_utf8_lossy(&form).into_owned(),
                    reason: Box::new(included),
                },
                None => included,
            },
            excepted_by: found.excepted_by,
        }
    }

    /// [`Classifier::explain`] without `follow_includes`.
    fn explain_by_patterns(&self, policy: &Policy, path: &[u8]) -> Match {
        let protected = self.protected.as_ref().map(|(p, _)| p.as_slice());
        let found = self.explain_in(policy, &self.exact, path, protected);
        if let Some(lookalike) = &self.lookalike {
            if self.rank.get(found.tier).is_some_and(|&r| r > 0) {
                let form = checkout_form(path);
                let protected = self.protected.as_ref().map(|(_, f)| f.as_slice());
                let folded = self.explain_in(policy, lookalike, &form, protected);
                if self.is_stricter(folded.tier, found.tier) {
                    return Match {
                        tier: folded.tier,
                        reason: Reason::Lookalike {
                            form: String::from_utf8_lossy(&form).into_owned(),
                            reason: Box::new(folded.reason),
                        },
                        excepted_by: found.excepted_by,
                    };
                }
            }
        }
        found
    }

    fn is_stricter(&self, a: usize, b: usize) -> bool {
        match (self.rank.get(a), self.rank.get(b)) {
            (Some(a), Some(b)) => a < b,
            _ => false,
        }
    }

    /// Whether `path` is the policy file `protected`, or a directory above
    /// it (an entry there would replace the directory holding it).
    fn is_protected(path: &[u8], protected: Option<&[u8]>) -> bool {
        protected
            .is_some_and(|p| p == path || (p.starts_with(path) && p.get(path.len()) == Some(&b'/')))
    }

    /// The tier of `path` in `globs`, without details: the policy file,
    /// else the first tier whose `paths` match and `except` do not (else
    /// the default tier), else a stricter tier whose directory the path
    /// stands for.
    fn decide(&self, globs: &Globs, path: &[u8], protected: Option<&[u8]>) -> (usize, How) {
        if Classifier::is_protected(path, protected) {
            return (
                self.by_strictness.first().copied().unwrap_or(0),
                How::PolicyFile,
            );
        }
        let candidate = candidate(path);
        let (tier, how) = globs
            .tiers
            .iter()
            .position(|t| {
                t.paths.is_match_candidate(&candidate) && !t.except.is_match_candidate(&candidate)
            })
            .map_or((self.default_tier, How::Default), |t| (t, How::Pattern));
        match self.tier_directory(globs, &candidate, tier) {
            Some(dir) => (dir.tier, How::TierDirectory),
            None => (tier, how),
        }
    }

    /// The directory of the strictest tier stricter than `tier` that the
    /// candidate stands for (first pattern first), if any.
    fn tier_directory<'g>(
        &self,
        globs: &'g Globs,
        candidate: &Candidate<'_>,
        tier: usize,
    ) -> Option<&'g TierDirectory> {
        if self.rank.get(tier).is_none_or(|&r| r == 0)
            || !globs.directories.is_match_candidate(candidate)
        {
            return None;
        }
        globs
            .directories
            .matches_candidate(candidate)
            .into_iter()
            .filter_map(|i| globs.directory_of.get(i))
            .filter(|d| self.is_stricter(d.tier, tier))
            .min_by_key(|d| (self.rank.get(d.tier).copied(), d.pattern))
    }

    /// [`Classifier::decide`] with the details `explain` shows.
    fn explain_in(
        &self,
        policy: &Policy,
        globs: &Globs,
        path: &[u8],
        protected: Option<&[u8]>,
    ) -> Match {
        let (tier, how) = self.decide(globs, path, protected);
        let candidate = candidate(path);
        let mut excepted_by = Vec::new();
        let mut reason = Reason::Default;
        if how != How::PolicyFile {
            for (index, (matcher, t)) in globs.tiers.iter().zip(&policy.tiers).enumerate() {
                let Some(&first) = matcher.paths.matches_candidate(&candidate).first() else {
                    continue;
                };
                if let Some(&ex) = matcher.except.matches_candidate(&candidate).first() {
                    excepted_by.push((index, t.except[ex].clone()));
                    continue;
                }
                reason = Reason::Pattern(t.paths[first].clone());
                break;
            }
        }
        let reason = match how {
            How::PolicyFile => Reason::PolicyFile,
            How::Pattern | How::Default => reason,
            How::TierDirectory => {
                // The tier the patterns give, as `decide` found it.
                let plain = globs
                    .tiers
                    .iter()
                    .position(|t| {
                        t.paths.is_match_candidate(&candidate)
                            && !t.except.is_match_candidate(&candidate)
                    })
                    .unwrap_or(self.default_tier);
                match self.tier_directory(globs, &candidate, plain) {
                    Some(dir) => Reason::TierDirectory {
                        pattern: policy.tiers[dir.tier].paths[dir.pattern].clone(),
                        directory: dir.glob.clone(),
                        named: dir.named,
                    },
                    None => reason,
                }
            }
        };
        Match {
            tier,
            reason,
            excepted_by,
        }
    }
}

/// The files outside each tier with `follow_includes` that only its code
/// includes, transitively ([`crate::classify::boundary::IncludeGraph::reached_from`]),
/// in the include `graph` of a tree, with `classifier` (built without
/// them) deciding what each tier's code is. Pure:
/// [`crate::repo::Repo::classifier`] reads the trusted tree.
pub fn follow_includes(
    policy: &Policy,
    classifier: &Classifier,
    graph: &crate::classify::boundary::IncludeGraph,
) -> Vec<(Vec<u8>, FollowedFile)> {
    let mut out = Vec::new();
    for t in (0..policy.tiers.len()).filter(|&t| policy.tiers[t].follow_includes) {
        for reached in graph.reached_from(|p| classifier.tier_of(p), t) {
            if reached.exclusive && classifier.is_stricter(t, classifier.tier_of(&reached.path)) {
                out.push((
                    reached.path,
                    FollowedFile {
                        tier: t,
                        included_by: reached.included_by,
                    },
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Mode, Tier};

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
            require_any: Vec::new(),
            forbidden_trailers: Vec::new(),
            mode: Mode::Enforce,
            require_stages: Vec::new(),
            follow_includes: false,
        }
    }

    fn policy(tiers: Vec<Tier>, default_tier: usize) -> Policy {
        Policy::with_tiers(tiers, default_tier)
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

    /// A policy with tier directories: `migration/` and friends.
    fn directories_policy(lookalikes: bool) -> Policy {
        let mut p = policy(
            vec![
                tier(
                    "critical",
                    &[
                        "migration/",
                        "hw/virtio/**",
                        "block/crypto.c",
                        "**/keys/",
                        "*.S",
                        "a/**/b/",
                        "docs/internal/keys.c",
                        "{x,y/z}/**",
                        "café/",
                        "Kconfig",
                    ],
                    &["migration/README", "migration"],
                    AiRule::Forbidden,
                ),
                tier("core", &["src/"], &[], AiRule::Allowed),
                tier("open", &["docs/", "tests/"], &[], AiRule::Allowed),
            ],
            1,
        );
        p.paths.lookalikes = lookalikes;
        p
    }

    #[test]
    fn an_entry_at_a_tier_directory_is_in_that_tier() {
        let p = directories_policy(false);
        let c = Classifier::new(&p, Some(b"policy.yaml")).expect("compiles");
        let cases: &[(&[u8], &str)] = &[
            // The directory named by `migration/`: a symlink, file or
            // submodule there replaces it; `except` does not take it out.
            (b"migration", "critical"),
            (b"migration/m.c", "critical"),
            (b"migration/README", "core"),
            // Other names are not the directory.
            (b"migrationX", "core"),
            (b"migration.txt", "core"),
            (b"docs/migration", "open"),
            (b"docs/migration-notes.txt", "open"),
            (b"src/migration", "core"),
            // Directories above a pattern.
            (b"hw", "critical"),
            (b"hw/virtio", "critical"),
            (b"hw/virtio2", "core"),
            (b"hw/net.c", "core"),
            (b"block", "critical"),
            (b"block/crypto.c", "critical"),
            (b"block/qcow2.c", "core"),
            // Above a pattern, inside a less strict tier.
            (b"docs/internal", "critical"),
            (b"docs/internal/other.c", "open"),
            (b"docs", "critical"),
            // A leading `**`: a directory of that name at any depth, never
            // every path.
            (b"keys", "critical"),
            (b"x1/y/keys", "critical"),
            (b"x1/keys.txt", "core"),
            (b"Makefile", "core"),
            (b"docs/a.md", "open"),
            // `a/**/b/`: `a`, and `b` at any depth below it; not what
            // lies between (the prefix `a/**` is not used).
            (b"a", "critical"),
            (b"a/b", "critical"),
            (b"a/m/n/b", "critical"),
            (b"a/m", "core"),
            // Alternatives with a `/` inside stay one segment.
            (b"x", "critical"),
            (b"y/z", "critical"),
            (b"y", "core"),
            // A pattern without `/` names no directory.
            (b"boot.S", "critical"),
            (b"arch", "core"),
            (b"Kconfig", "critical"),
            (b"kconfig", "core"),
            // Bytes, not names: other case, other normal forms are other
            // paths (see `paths.lookalikes`).
            (b"MIGRATION", "core"),
            (b"caf\xc3\xa9", "critical"),
            (b"cafe\xcc\x81", "core"),
        ];
        for (path, want) in cases {
            let shown = String::from_utf8_lossy(path);
            assert_eq!(name(&p, &c, path), *want, "path {shown:?}");
            assert!(!c.class_of(path).lookalike, "path {shown:?}");
            assert_eq!(c.explain(&p, path).tier, c.tier_of(path), "{shown:?}");
        }
    }

    #[test]
    fn a_tier_directory_belongs_to_the_stricter_tier_only() {
        // Two allowed tiers: the one listed first is stricter. With the
        // last tier as the default, `src` (the directory of core's `src/`)
        // is core; `docs` (open's) stays in the default, open.
        let p = policy(
            vec![
                tier("critical", &["crypto/"], &[], AiRule::Forbidden),
                tier("core", &["src/"], &[], AiRule::Allowed),
                tier("open", &["docs/"], &[], AiRule::Allowed),
            ],
            2,
        );
        let c = Classifier::new(&p, None).expect("compiles");
        assert_eq!(name(&p, &c, b"src"), "core");
        assert_eq!(name(&p, &c, b"docs"), "open");
        assert_eq!(name(&p, &c, b"crypto"), "critical");
        // A forbidding tier listed late is still stricter than an allowed
        // one listed early.
        let p = policy(
            vec![
                tier("open", &["docs/"], &[], AiRule::Allowed),
                tier("critical", &["docs/keys/"], &[], AiRule::Forbidden),
            ],
            0,
        );
        let c = Classifier::new(&p, Some(b"docs/policy.yaml")).expect("compiles");
        assert_eq!(name(&p, &c, b"docs/keys"), "critical");
        assert_eq!(name(&p, &c, b"docs/keys/a"), "open", "first match wins");
        // The policy file and the directories above it.
        assert_eq!(name(&p, &c, b"docs/policy.yaml"), "critical");
        assert_eq!(name(&p, &c, b"docs"), "critical");
        assert_eq!(name(&p, &c, b"doc"), "open");
        assert_eq!(c.explain(&p, b"docs").reason, Reason::PolicyFile);
        // Two tiers claim a directory: the stricter one, not the first.
        let p = policy(
            vec![
                tier("core", &["x/y/"], &[], AiRule::Allowed),
                tier("critical", &["x/z/"], &[], AiRule::Forbidden),
                tier("open", &["docs/"], &[], AiRule::Allowed),
            ],
            2,
        );
        let c = Classifier::new(&p, None).expect("compiles");
        assert_eq!(name(&p, &c, b"x"), "critical");
        assert_eq!(
            c.explain(&p, b"x").reason,
            Reason::TierDirectory {
                pattern: pat("x/z/"),
                directory: "x".into(),
                named: false,
            }
        );
        assert_eq!(name(&p, &c, b"x/y"), "core");
    }

    #[test]
    fn strictness_is_forbidden_first_then_policy_order() {
        let p = policy(
            vec![
                tier("a", &["a/"], &[], AiRule::Allowed),
                tier("b", &["b/"], &[], AiRule::Forbidden),
                tier("c", &["c/"], &[], AiRule::Allowed),
                tier("d", &["d/"], &[], AiRule::Forbidden),
            ],
            0,
        );
        assert_eq!(strictest_tier(&p), 1);
        for (a, b, want) in [
            (1, 3, true),
            (3, 0, true),
            (0, 2, true),
            (2, 0, false),
            (0, 1, false),
            (1, 1, false),
        ] {
            assert_eq!(stricter(&p, a, b), want, "{a} stricter than {b}");
        }
    }

    #[test]
    fn explain_says_which_directory() {
        let p = directories_policy(false);
        let c = Classifier::new(&p, None).expect("compiles");
        let m = c.explain(&p, b"migration");
        assert_eq!(m.tier, 0);
        assert_eq!(
            m.reason,
            Reason::TierDirectory {
                pattern: pat("migration/"),
                directory: "migration".into(),
                named: true,
            }
        );
        let m = c.explain(&p, b"hw");
        assert_eq!(
            m.reason,
            Reason::TierDirectory {
                pattern: pat("hw/virtio/**"),
                directory: "hw".into(),
                named: false,
            }
        );
        let m = c.explain(&p, b"x9/keys");
        assert_eq!(
            m.reason,
            Reason::TierDirectory {
                pattern: pat("**/keys/"),
                directory: "**/keys".into(),
                named: true,
            }
        );
    }

    #[test]
    fn directories_of_a_glob() {
        let cases: &[(&str, &[(&str, bool)])] = &[
            ("migration/**", &[("migration", true)]),
            ("hw/virtio/**", &[("hw", false), ("hw/virtio", true)]),
            ("crypto/aes.c", &[("crypto", false)]),
            ("**/tests/**", &[("**/tests", true)]),
            ("**/*.S", &[]),
            ("**/Kconfig", &[]),
            ("Makefile", &[]),
            ("**", &[]),
            ("a/**/b/**", &[("a", false), ("a/**/b", true)]),
            ("{x,y/z}/**", &[("{x,y/z}", true)]),
            ("[/]x/y", &[("[/]x", false)]),
            ("a\\/b/c", &[("a\\/b", false)]),
        ];
        for (glob, want) in cases {
            let got = crate::policy::glob::directories(glob);
            let want: Vec<(String, bool)> = want.iter().map(|(d, n)| ((*d).into(), *n)).collect();
            assert_eq!(got, want, "glob {glob:?}");
        }
    }

    #[test]
    fn checkout_forms() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"CRYPTO/aes.c", b"crypto/aes.c"),
            (b"crypto./aes.c", b"crypto/aes.c"),
            (b"crypto . ./x. ", b"crypto/x"),
            (b"../...", b"../..."),
            ("cr\u{200c}ypto/\u{feff}x".as_bytes(), b"crypto/x"),
            ("cafe\u{301}/X".as_bytes(), "caf\u{e9}/x".as_bytes()),
            ("CAF\u{c9}/x".as_bytes(), "caf\u{e9}/x".as_bytes()),
            ("\u{212a}config".as_bytes(), b"kconfig"),
            (b"CRYPTO/\xff.C", b"crypto/\xff.c"),
            (b"", b""),
        ];
        for (path, want) in cases {
            assert_eq!(
                checkout_form(path),
                *want,
                "{:?}",
                String::from_utf8_lossy(path)
            );
        }
    }

    #[test]
    fn lookalike_paths() {
        let p = directories_policy(true);
        let c = Classifier::new(&p, Some(b"policy.yaml")).expect("compiles");
        let off =
            Classifier::new(&directories_policy(false), Some(b"policy.yaml")).expect("compiles");
        // (path, tier with lookalikes, look-alike?)
        let cases: &[(&[u8], &str, bool)] = &[
            // Case.
            (b"MIGRATION/m.c", "critical", true),
            (b"Migration/m.c", "critical", true),
            (b"mIgRaTiOn/m.c", "critical", true),
            (b"HW/virtio/x.c", "critical", true),
            (b"sub/KCONFIG", "critical", true),
            (b"kconfig", "critical", true),
            ("\u{212a}config".as_bytes(), "critical", true),
            // Windows drops trailing dots and spaces.
            (b"migration./m.c", "critical", true),
            (b"migration /m.c", "critical", true),
            (b"hw/virtio. . /x.c", "critical", true),
            // HFS+ ignores these code points.
            ("mig\u{200d}ration/m.c".as_bytes(), "critical", true),
            ("migration\u{feff}/m.c".as_bytes(), "critical", true),
            // NFD and NFC are one name on macOS; so are cases outside ASCII.
            ("cafe\u{301}/x".as_bytes(), "critical", true),
            ("CAF\u{c9}/x".as_bytes(), "critical", true),
            ("CAFE\u{301}/x".as_bytes(), "critical", true),
            // A look-alike of a tier's directory, and of the policy file.
            (b"MIGRATION", "critical", true),
            (b"Hw", "critical", true),
            (b"POLICY.yaml", "critical", true),
            // Non-UTF-8 names: ASCII case and trailing dots still count.
            (b"MIGRATION./\xff.c", "critical", true),
            // Not look-alikes.
            (b"migration/m.c", "critical", false),
            (b"migration", "critical", false),
            (b"MIGRATION/README", "core", false),
            (b"migrations/m.c", "core", false),
            (b"migration_/m.c", "core", false),
            (b"docs/MIGRATION/m.c", "open", false),
            (b"src/Kconfig.h", "core", false),
            (b"cafe/x", "core", false),
            (b"\xff/MIGRATION", "core", false),
            (b"DOCS/a.md", "core", false),
            (b"Src/a.c", "core", false),
            (b"policy.yaml", "critical", false),
        ];
        for &(path, want, lookalike) in cases {
            let shown = String::from_utf8_lossy(path);
            let class = c.class_of(path);
            assert_eq!(
                (p.tiers[class.tier].name.as_str(), class.lookalike),
                (want, lookalike),
                "path {shown:?}"
            );
            assert_eq!(c.explain(&p, path).tier, class.tier, "{shown:?}");
            assert_eq!(
                matches!(c.explain(&p, path).reason, Reason::Lookalike { .. }),
                lookalike,
                "{shown:?}"
            );
            // Off (the default): exactly the byte-wise tier.
            if lookalike {
                assert!(!off.class_of(path).lookalike, "{shown:?}");
                assert_ne!(off.tier_of(path), class.tier, "{shown:?}");
            } else {
                assert_eq!(off.class_of(path), class, "{shown:?}");
            }
        }
        let m = c.explain(&p, b"Migration./m.c");
        assert_eq!(
            m.reason,
            Reason::Lookalike {
                form: "migration/m.c".into(),
                reason: Box::new(Reason::Pattern(pat("migration/"))),
            }
        );
        let m = c.explain(&p, b"MIGRATION");
        assert_eq!(
            m.reason,
            Reason::Lookalike {
                form: "migration".into(),
                reason: Box::new(Reason::TierDirectory {
                    pattern: pat("migration/"),
                    directory: "migration".into(),
                    named: true,
                }),
            }
        );
    }

    #[test]
    fn followed_includes_join_the_tier_that_alone_includes_them() {
        use crate::classify::boundary::{parse_includes, IncludeGraph};
        let mut p = policy(
            vec![
                tier("critical", &["crypto/"], &[], AiRule::Forbidden),
                tier("core", &["src/"], &[], AiRule::Allowed),
                tier("open", &["docs/"], &[], AiRule::Allowed),
            ],
            1,
        );
        p.tiers[0].follow_includes = true;
        let sources: &[(&str, &str)] = &[
            (
                "crypto/aes.c",
                "#include <crypto/aes.h>\n#include \"shared.h\"\n",
            ),
            ("include/crypto/aes.h", "#include \"inner.h\"\n"),
            ("include/crypto/inner.h", ""),
            ("include/shared.h", ""),
            ("src/main.c", "#include <shared.h>\n"),
            ("docs/x.c", "#include <unused.h>\n"),
        ];
        let files: std::collections::BTreeSet<Vec<u8>> =
            sources.iter().map(|(f, _)| f.as_bytes().to_vec()).collect();
        let parsed: Vec<(&[u8], Vec<crate::classify::boundary::Include>)> = sources
            .iter()
            .map(|(f, c)| (f.as_bytes(), parse_includes(c.as_bytes())))
            .collect();
        let graph = IncludeGraph::build(
            &files,
            parsed.iter().map(|(f, i)| (*f, i.as_slice())),
            &[b"include".to_vec()],
        );
        let base = Classifier::new(&p, Some(b"policy.yaml")).expect("compiles");
        let followed = follow_includes(&p, &base, &graph);
        let mut paths: Vec<&[u8]> = followed.iter().map(|(f, _)| f.as_slice()).collect();
        paths.sort();
        assert_eq!(
            paths,
            [&b"include/crypto/aes.h"[..], b"include/crypto/inner.h"],
            "the shared header is not followed"
        );
        let c = base.clone().with_followed(followed.clone());
        assert_eq!(name(&p, &c, b"include/crypto/aes.h"), "critical");
        assert_eq!(name(&p, &c, b"include/crypto/inner.h"), "critical");
        assert_eq!(name(&p, &c, b"include/shared.h"), "core");
        assert_eq!(name(&p, &base, b"include/crypto/aes.h"), "core");
        assert_eq!(
            c.explain(&p, b"include/crypto/aes.h"),
            Match {
                tier: 0,
                reason: Reason::Included {
                    included_by: vec!["crypto/aes.c".into()]
                },
                excepted_by: Vec::new(),
            }
        );
        assert_eq!(c.tiers_touched(&[b"include/crypto/inner.h".to_vec()]), [0]);
        // Without follow_includes, nothing is followed.
        p.tiers[0].follow_includes = false;
        assert!(follow_includes(&p, &base, &graph).is_empty());
        // With look-alikes, the checkout form of a followed file counts.
        p.tiers[0].follow_includes = true;
        p.paths.lookalikes = true;
        let c = Classifier::new(&p, None)
            .expect("compiles")
            .with_followed(followed);
        assert_eq!(
            c.class_of(b"INCLUDE/crypto/aes.h"),
            Class {
                tier: 0,
                lookalike: true
            }
        );
        assert!(matches!(
            c.explain(&p, b"INCLUDE/crypto/aes.h").reason,
            Reason::Lookalike { .. }
        ));
    }
}
