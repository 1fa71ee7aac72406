//! The policy's path patterns compiled, once, into the matchers the
//! classifier runs ([`crate::classify`]): each tier's `paths` and
//! `except`, the directories every tier's patterns name or lie under, and
//! with `paths.lookalikes` a case-insensitive copy. Validation compiles
//! them the same way, so a policy that loads always classifies.

use super::{build_glob, compile_glob, glob_for, Pattern, Policy};
use globset::{Candidate, GlobSet, GlobSetBuilder};
use unicode_normalization::UnicodeNormalization;

/// All tiers' compiled globs.
#[derive(Debug, Clone)]
pub(crate) struct Globs {
    /// Per tier, in policy order.
    pub(crate) tiers: Vec<TierMatcher>,
    /// The directories named by, or above, every tier's `paths` patterns
    /// (see the module docs), in one matcher: most paths match none, and
    /// that costs one look-up whatever the number of tiers.
    /// `directory_of[i]` says where glob `i` comes from.
    pub(crate) directories: GlobSet,
    pub(crate) directory_of: Vec<TierDirectory>,
}

#[derive(Debug, Clone)]
pub(crate) struct TierMatcher {
    pub(crate) paths: GlobSet,
    pub(crate) except: GlobSet,
}

/// A directory that a `paths` pattern of a tier names or lies under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TierDirectory {
    /// Index of the tier.
    pub(crate) tier: usize,
    /// Index of the pattern in the tier's `paths`.
    pub(crate) pattern: usize,
    /// The directory, as a glob (`migration`, `hw`, `**/tests`).
    pub(crate) glob: String,
    /// Whether the pattern names this directory and everything below it
    /// (`migration/`, `hw/virtio/**`), rather than lying further below.
    pub(crate) named: bool,
}

/// A pattern that does not compile (cannot happen for a validated policy;
/// kept so that classification never panics).
#[derive(Debug, thiserror::Error)]
#[error(
    "invalid pattern '{pattern}' in tier '{tier}' ({}{part}): {source}",
    if *case_insensitive { "case-insensitive " } else { "" }
)]
pub struct Error {
    /// The tier (empty for the directories of all tiers' patterns, which
    /// are one matcher).
    pub tier: String,
    /// The pattern as written (empty when the whole set failed).
    pub pattern: String,
    /// Which matcher: `paths`, `except` or `directories of paths`.
    pub part: &'static str,
    /// Whether the failing matcher is the case-insensitive look-alike
    /// copy (`paths.lookalikes`).
    pub case_insensitive: bool,
    /// The glob error.
    pub source: Box<globset::Error>,
}

impl Globs {
    /// Compile every tier's globs; `case_insensitive` for the look-alike
    /// copy, whose patterns are also lowercased and NFC-composed outside
    /// ASCII (globset folds ASCII case only).
    pub(crate) fn new(policy: &Policy, case_insensitive: bool) -> Result<Globs, Error> {
        let mut tiers = Vec::with_capacity(policy.tiers.len());
        let mut directory_of = Vec::new();
        let mut directory_globs = Vec::new();
        for (tier_index, tier) in policy.tiers.iter().enumerate() {
            let fail = |part: &'static str, pattern: &str, source| Error {
                tier: tier.name.clone(),
                pattern: pattern.to_owned(),
                part,
                case_insensitive,
                source: Box::new(source),
            };
            let globs = |patterns: &[Pattern]| -> Vec<(String, String)> {
                patterns
                    .iter()
                    .map(|p| {
                        let glob = glob_for(&p.text);
                        let glob = if case_insensitive {
                            lowercase_outside_ascii(&glob)
                        } else {
                            glob
                        };
                        (p.text.clone(), glob)
                    })
                    .collect()
            };
            let paths = globs(&tier.paths);
            for (index, (text, glob)) in paths.iter().enumerate() {
                for (dir, named) in directories(glob) {
                    directory_globs.push((text.clone(), dir.clone()));
                    directory_of.push(TierDirectory {
                        tier: tier_index,
                        pattern: index,
                        glob: dir,
                        named,
                    });
                }
            }
            tiers.push(TierMatcher {
                paths: compile(&paths, case_insensitive).map_err(|(p, e)| fail("paths", &p, e))?,
                except: compile(&globs(&tier.except), case_insensitive)
                    .map_err(|(p, e)| fail("except", &p, e))?,
            });
        }
        let directories = compile(&directory_globs, case_insensitive).map_err(|(pattern, e)| {
            // The tier of a pattern that fails on its own; none for the set.
            let tier = directory_globs
                .iter()
                .position(|(text, _)| !pattern.is_empty() && *text == pattern)
                .and_then(|i| directory_of.get(i))
                .map(|d| policy.tiers[d.tier].name.clone())
                .unwrap_or_default();
            Error {
                tier,
                pattern,
                part: "directories of paths",
                case_insensitive,
                source: Box::new(e),
            }
        })?;
        Ok(Globs {
            tiers,
            directories,
            directory_of,
        })
    }
}

/// `glob` with its non-ASCII letters lowercased and NFC-composed, as
/// [`checkout_form`] folds paths. ASCII is left alone (globset's
/// `case_insensitive` folds it, and lowercasing would change ranges such
/// as `[Z-a]`).
fn lowercase_outside_ascii(glob: &str) -> String {
    if glob.is_ascii() {
        return glob.to_owned();
    }
    glob.nfd()
        .flat_map(|c| {
            let lower: Vec<char> = if c.is_ascii() {
                vec![c]
            } else {
                c.to_lowercase().collect()
            };
            lower
        })
        .nfc()
        .collect()
}

/// The directories a translated glob names or lies under (see the module
/// docs), each with whether the glob names it (the rest is `**`): every
/// proper prefix of its `/`-separated segments that is not empty and does
/// not end in a `**` segment. `migration/**` -> `migration` (named);
/// `hw/virtio/**` -> `hw`, `hw/virtio` (named); `crypto/aes.c` ->
/// `crypto`; `**/tests/**` -> `**/tests` (named); `**/*.S` -> nothing.
pub(crate) fn directories(glob: &str) -> Vec<(String, bool)> {
    let segments = glob_segments(glob);
    let mut out = Vec::new();
    for end in 1..segments.len() {
        let last = segments[end - 1];
        if last == "**" || last.is_empty() {
            continue;
        }
        let named = end + 1 == segments.len() && segments[end] == "**";
        out.push((segments[..end].join("/"), named));
    }
    out
}

/// Split a glob at the `/` that separate path segments: not inside a
/// `[...]` class or a `{...}` alternative, not escaped by `\`.
fn glob_segments(glob: &str) -> Vec<&str> {
    let bytes = glob.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut depth, mut i) = (0, 0usize, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' => {
                // A class: `]` right after `[` or `[!` is a member.
                let mut j = i + 1;
                if matches!(bytes.get(j), Some(b'!' | b'^')) {
                    j += 1;
                }
                if bytes.get(j) == Some(&b']') {
                    j += 1;
                }
                while j < bytes.len() && bytes[j] != b']' {
                    j += 1;
                }
                i = j;
            }
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'/' if depth == 0 => {
                out.push(&glob[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(glob.get(start..).unwrap_or_default());
    out
}

/// One matcher for `globs` (`(pattern as written, translated glob)`), or
/// the pattern that failed.
fn compile(
    globs: &[(String, String)],
    case_insensitive: bool,
) -> Result<GlobSet, (String, globset::Error)> {
    let mut set = GlobSetBuilder::new();
    for (pattern, glob) in globs {
        let glob = compile_glob(glob, case_insensitive).map_err(|e| (pattern.clone(), e))?;
        set.add(glob);
    }
    set.build().map_err(|e| (String::new(), e))
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
        set.add(build_glob(pattern)?);
    }
    set.build().map(drop)
}

#[cfg(unix)]
pub(crate) fn candidate(path: &[u8]) -> Candidate<'_> {
    use std::os::unix::ffi::OsStrExt;
    Candidate::new(std::ffi::OsStr::from_bytes(path))
}

#[cfg(not(unix))]
pub(crate) fn candidate(path: &[u8]) -> Candidate<'static> {
    // Non-Unix platforms cannot hold arbitrary bytes in a path; classify the
    // lossy rendering (only non-UTF-8 names are affected).
    let owned = String::from_utf8_lossy(path).into_owned();
    Candidate::new(Box::leak(owned.into_boxed_str()))
}

/// Whether every matcher of `policy` compiles, as the classifier builds
/// them (the look-alike copy too when `paths.lookalikes` is on).
pub(crate) fn compiles(policy: &Policy) -> Result<(), Error> {
    Globs::new(policy, false)?;
    if policy.paths.lookalikes {
        Globs::new(policy, true)?;
    }
    Ok(())
}
