//! The rule engine: policy + a commit's facts -> violations.
//!
//! Pure functions over plain data. Judging happens in two steps so that
//! changed paths (a tree diff, the expensive part) are only computed for
//! commits whose verdict depends on them:
//!
//! 1. [`assess_message`] reads the message and identities: is the commit
//!    declared, marked, and which message-only rules fire.
//! 2. If [`needs_paths`] says so, the caller classifies the commit's changed
//!    paths and [`judge_paths`] adds the tier rules.
//!
//! # Decisions
//!
//! - **Declared** means a trailer *git reads* (from
//!   [`trailer::parse`]) has the declaration key or an
//!   alias, ASCII-case-insensitively. A declaration-like line git does not
//!   read is not a declaration: it is `misplaced-declaration`.
//! - **Markers** (evidence of AI use): identities of AI tools (from the
//!   signature database, [`signatures`], at the policy's pinned version;
//!   comparison documented on [`ai_tool`]) in `Co-authored-by:` and
//!   `Signed-off-by:` lines anywhere in the log message, not only in the
//!   trailer block, and as author or committer; `Generated with [Claude
//!   Code]`-style footers and the tools' own trailers; the policy's extra
//!   markers (message lines, or `Name <email>`).
//! - The **log message** ends at a `---` divider (a line starting with
//!   `---` and whitespace, as git's `trailer.c` finds it) unless the message
//!   is parsed with `no_divider` (committed messages). Markers are looked
//!   for only above it (below is a patch); `misplaced-declaration` and
//!   `near-miss-key` look at every line, so a declaration written below a
//!   divider is reported rather than silently ignored. Below a divider,
//!   indented lines (diff context) are skipped.
//! - `near-miss-key` looks at trailers and at every line that looks like
//!   `key: value` (text before the first `:` or fullwidth `：`). A key is
//!   a near miss when, with invisible characters removed, the UTS #39
//!   confusable skeleton taken, case and runs of spaces / underscores /
//!   hyphens folded, it equals a declaration key, or is within an edit
//!   distance of 2 (declaration keys of 10+ characters; 1 from 6; 0 below).
//!   Real keys are kept out: exact declaration keys and [`KNOWN_KEYS`] (plus
//!   tier `require` keys) never fire, and an edit-distance hit must be
//!   strictly closer to the declaration key than to every known key.
//! - `ai-signoff` and `missing-signoff` look at `Signed-off-by` trailers git
//!   reads. The author's sign-off is recognised by e-mail address
//!   (ASCII-case-insensitive, trimmed): names vary in spelling and encoding
//!   more than addresses do. An author without an e-mail address is matched
//!   by name (case-insensitive, whitespace-normalized).
//! - `missing-required-trailer` is not reported for a tier that is also
//!   `ai: forbidden`: no trailer would make that commit acceptable, and
//!   `ai-forbidden-tier` already says so.
//! - A look-alike path (`paths.lookalikes`: its checkout form on macOS and
//!   Windows is in a stricter tier, see [`crate::classify`]) of a forbidden
//!   tier is reported as `lookalike-path`, apart from that tier's
//!   `ai-forbidden-tier` paths; a look-alike of an allowed tier counts in
//!   it like any path (its `require` applies).
//! - A path whose tier index is out of range (a caller bug) is judged as
//!   being in the policy's `default_tier`, so nothing is silently skipped.
//! - Violations are ordered by rule (the order of [`RuleCode::ALL`]), then
//!   line, then tier (policy order); [`sort_violations`] orders a merged
//!   list the same way.

mod fix;
mod markers;
mod near_miss;
mod notes;
mod prose;
pub mod signatures;

pub use fix::{shell_word, Fix, FixContext};

pub(crate) use markers::split_identity;
pub mod code;
pub mod facts;

pub use code::RuleCode;
pub use facts::{CommitFacts, Identity};
pub use markers::{ai_tool, ai_tool_at};
pub use near_miss::KNOWN_KEYS;
pub use notes::{evidence as note_evidence, NOTE_LIMIT};

use crate::classify::Class;
use crate::message::trailer::{self, ParseOptions, Trailer, TrailerBlock};
use crate::policy::{AiRule, Policy};
use crate::stage::Stage;
use std::collections::HashSet;

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Which rule.
    pub rule: RuleCode,
    /// One line saying what is wrong, e.g.
    /// `AI-assisted commit touches tier 'critical' (ai: forbidden)`.
    pub message: String,
    /// The tier concerned, for tier rules.
    pub tier: Option<String>,
    /// The offending paths (all of them; renderers truncate).
    pub paths: Vec<Vec<u8>>,
    /// 0-based line in the message concerned, for message rules.
    pub line: Option<usize>,
    /// How to fix it, as data; [`Fix::render`] says it for the context
    /// the violation is shown in (its `Display` for an existing commit).
    pub fix: Fix,
}

/// The one JSON shape of a violation, shared by `tiergate check` /
/// `tiergate show` / `tiergate check-patch` (`--format json`, through
/// [`crate::output::verdict::CommitJson`]) and the server's audit log (through
/// `server::AuditViolation`): `rule` (the code string), `message`, `tier`
/// (null when none), `paths` (lossy UTF-8: JSON strings cannot hold the
/// arbitrary bytes git allows in a path), `line` (1-based, as shown to
/// humans; null when none) and `fix`. Written by hand rather than derived
/// because `paths` and `line` are not stored in the form shown.
impl serde::Serialize for Violation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut s = serializer.serialize_struct("Violation", 6)?;
        s.serialize_field("rule", &self.rule)?;
        s.serialize_field("message", &self.message)?;
        s.serialize_field("tier", &self.tier)?;
        s.serialize_field("paths", &LossyPaths(&self.paths))?;
        s.serialize_field("line", &self.line.map(|l| l + 1))?;
        s.serialize_field("fix", &self.fix)?;
        s.end()
    }
}

/// Paths as JSON shows them: lossy UTF-8 strings (JSON strings cannot
/// hold the arbitrary bytes git allows in a path).
pub(crate) struct LossyPaths<'a>(pub(crate) &'a [Vec<u8>]);

impl serde::Serialize for LossyPaths<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|p| String::from_utf8_lossy(p)))
    }
}

/// `serialize_with` form of [`LossyPaths`].
pub(crate) fn lossy_paths<S: serde::Serializer>(
    paths: &[Vec<u8>],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&LossyPaths(paths), serializer)
}

/// A 0-based message line as JSON shows it: 1-based, as shown to humans
/// (null when none).
pub(crate) fn one_based_line<S: serde::Serializer>(
    line: &Option<usize>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&line.map(|l| l + 1), serializer)
}

/// One line: `<rule-code>: <message>`, plus `(line N of the message)` for a
/// message rule. The human report's block (`error[<code>]: commit <id>
/// "<title>"`, then the message, paths and fix) needs the commit and the
/// mode, which a violation does not carry; this is the form for a log line
/// or an error chain.
impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.rule, self.message)?;
        if let Some(line) = self.line {
            write!(f, " (line {} of the message)", line + 1)?;
        }
        Ok(())
    }
}

/// Evidence of AI use found in a commit (a builtin or extra marker). In
/// JSON (`tiergate show`'s `markers`), `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MarkerHit {
    /// Human description, e.g. `Co-authored-by: Claude <noreply@anthropic.com>`.
    pub evidence: String,
    /// 0-based line of the message where it was found (`None` for the
    /// author's or committer's identity).
    #[serde(serialize_with = "one_based_line")]
    pub line: Option<usize>,
}

/// The message-level assessment of a commit (step 1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageAssessment {
    /// The trailers git reads in the message.
    pub trailers: Vec<Trailer>,
    /// Indexes into `trailers` of the declarations (key or alias).
    pub declarations: Vec<usize>,
    /// Markers found.
    pub markers: Vec<MarkerHit>,
    /// Violations of message-only rules (`ai-prose` among them: the judge,
    /// [`crate::judge::judge`], reports it as a warning under
    /// `markers.prose: warn`).
    pub violations: Vec<Violation>,
}

impl MessageAssessment {
    /// Declared: the trailer block holds the declaration key or an alias.
    pub fn declared(&self) -> bool {
        !self.declarations.is_empty()
    }

    /// AI-assisted = declared or marked.
    pub fn ai_assisted(&self) -> bool {
        self.declared() || !self.markers.is_empty()
    }

    /// Whether a trailer with `key` (case-insensitive) is present.
    pub fn has_trailer(&self, key: &str) -> bool {
        self.trailers
            .iter()
            .any(|t| t.key.eq_ignore_ascii_case(key.as_bytes()))
    }

    /// The `any_of` requirements of `tier` that no trailer meets.
    pub fn missing_any_of<'t>(&self, tier: &'t crate::policy::Tier) -> Vec<&'t [String]> {
        tier.require_any
            .iter()
            .filter(|any| !any.0.iter().any(|k| self.has_trailer(k)))
            .map(|any| any.0.as_slice())
            .collect()
    }
}

/// Step 1: judge the message and identities of a commit.
pub fn assess_message(
    policy: &Policy,
    facts: &CommitFacts,
    options: &ParseOptions,
) -> MessageAssessment {
    let message = facts.message.as_slice();
    // `no_divider` is how committed messages are read: as
    // `%(trailers)` reads them, which also skips leading blank lines and
    // does not complete the last line. Otherwise the message is a file
    // handed to a hook, read as `git interpret-trailers` reads it.
    let block = if options.no_divider {
        trailer::parse_committed(message, &options.comment)
    } else {
        trailer::parse(message, options)
    };
    let declarations: Vec<usize> = block
        .trailers
        .iter()
        .enumerate()
        .filter(|(_, t)| policy.declaration.is_declaration_key(&t.key))
        .map(|(i, _)| i)
        .collect();
    let divider = divider_start(message, options);
    let log_end = divider.unwrap_or(message.len());
    let mut markers = markers::find(policy, facts, &block.trailers, log_end);
    if let Some(notes_ref) = &policy.markers.notes {
        markers.extend(notes::find(notes_ref, facts));
    }

    let mut violations = Vec::new();
    if policy.markers.prose != crate::policy::ProseLevel::Off {
        // A marker's line (a tool's footer) and a trailer are already
        // judged; prose is what is left.
        let skip: HashSet<usize> = markers
            .iter()
            .filter_map(|m| m.line)
            .chain(block.trailers.iter().map(|t| t.line))
            .collect();
        violations.extend(prose::find(message, log_end, &skip));
    }
    if !markers.is_empty() && declarations.is_empty() {
        violations.push(undeclared(policy, &markers));
    }
    for &i in &declarations {
        if let Some(t) = block.trailers.get(i) {
            violations.extend(malformed(policy, t));
        }
    }
    line_rules(policy, message, &block, divider, options, &mut violations);
    signoff_rules(policy, facts, &block.trailers, &mut violations);
    violations.extend(forbidden_trailers(
        &block.trailers,
        &policy.forbidden_trailers,
        None,
    ));
    violations.extend(malformed_commit(&facts.header_problems));
    sort_violations(&mut violations);

    MessageAssessment {
        trailers: block.trailers,
        declarations,
        markers,
        violations,
    }
}

/// Whether the verdict on a commit with this assessment depends on its
/// changed paths at `stage` (AI-assisted, and some tier is forbidden or
/// requires, at that stage, trailers that are missing), or it carries a
/// trailer a tier forbids.
pub fn needs_paths(policy: &Policy, assessment: &MessageAssessment, stage: Stage) -> bool {
    let ai_rules = assessment.ai_assisted()
        && policy.tiers.iter().any(|tier| {
            tier.ai == AiRule::Forbidden
                || tier.required_at(stage).any(|k| !assessment.has_trailer(k))
                || !assessment.missing_any_of(tier).is_empty()
        });
    // A tier's forbidden trailers apply to every commit that carries one.
    ai_rules
        || policy.tiers.iter().any(|tier| {
            tier.forbidden_trailers
                .iter()
                .any(|k| assessment.has_trailer(k))
        })
}

/// `fixup-commit`: a `fixup!`, `squash!` or `amend!` subject (see
/// [`crate::stage::is_fixup`]). Where it applies is the policy's
/// `stages:` (default `receive`), checked by the caller.
pub fn fixup_commit(facts: &CommitFacts) -> Option<Violation> {
    if !crate::stage::is_fixup(&facts.message) {
        return None;
    }
    Some(Violation {
        rule: RuleCode::FixupCommit,
        message: "a fixup!/squash!/amend! commit, made to be folded into another by `git rebase --autosquash`".to_owned(),
        tier: None,
        paths: Vec::new(),
        line: None,
        fix: Fix::Sentence(
            "Fold it into its commit: `git rebase -i --autosquash <base>`, then push again."
                .to_owned(),
        ),
    })
}

/// The `tree-too-deep` violation of a commit whose tree diff met a
/// subtree at `depth` (the top tree is 0) deeper than `limit`, at path
/// `prefix` (`/`-terminated; empty when git, not tiergate, stopped and
/// did not say where).
pub fn tree_too_deep(depth: usize, limit: usize, prefix: &[u8]) -> Violation {
    let message = if prefix.is_empty() {
        format!("the commit changes a directory nested deeper than {limit} levels (git's core.maxTreeDepth); its paths cannot be listed")
    } else {
        let shown = abbreviated(prefix);
        format!("directory `{shown}` is nested {depth} levels deep, deeper than git's core.maxTreeDepth ({limit}); the paths below it cannot be listed")
    };
    Violation {
        rule: RuleCode::TreeTooDeep,
        message,
        tier: None,
        // Not the prefix itself: 2049 names of up to a few KB each would
        // flood the output and the audit log; the message shows its ends.
        paths: Vec::new(),
        line: None,
        fix: Fix::FlattenTree { limit },
    }
}

/// `path` for a one-line message: a path of more than 80 characters (one
/// 2049 directories deep) shows its first 40 and last 30.
pub fn abbreviated(path: &[u8]) -> String {
    let text = String::from_utf8_lossy(path);
    if text.chars().count() <= 80 {
        return text.into_owned();
    }
    let head: String = text.chars().take(40).collect();
    let tail: Vec<char> = text.chars().rev().take(30).collect();
    let tail: String = tail.into_iter().rev().collect();
    format!("{head}...{tail}")
}

/// Step 2: the tier rules. `classified` holds each changed path with the
/// index (into `policy.tiers`) of its tier.
pub fn judge_paths(
    policy: &Policy,
    assessment: &MessageAssessment,
    classified: &[(&[u8], Class)],
    stage: Stage,
) -> Vec<Violation> {
    let mut violations = tier_forbidden_trailers(policy, assessment, classified);
    if !assessment.ai_assisted() {
        return violations;
    }
    // Paths per tier, first-seen order, without duplicates; look-alikes of
    // a forbidden tier apart (they get their own rule).
    let mut per_tier: Vec<Vec<Vec<u8>>> = vec![Vec::new(); policy.tiers.len()];
    let mut lookalikes: Vec<Vec<Vec<u8>>> = vec![Vec::new(); policy.tiers.len()];
    let mut seen: HashSet<(usize, &[u8])> = HashSet::new();
    for &(path, class) in classified {
        let tier = if class.tier < policy.tiers.len() {
            class.tier
        } else {
            policy.default_tier
        };
        if !seen.insert((tier, path)) {
            continue;
        }
        let forbidden = policy.tiers.get(tier).map(|t| t.ai) == Some(AiRule::Forbidden);
        let list = if class.lookalike && forbidden {
            lookalikes.get_mut(tier)
        } else {
            per_tier.get_mut(tier)
        };
        if let Some(paths) = list {
            paths.push(path.to_vec());
        }
    }

    for (tier, paths) in policy.tiers.iter().zip(&per_tier) {
        if tier.ai == AiRule::Forbidden && !paths.is_empty() {
            violations.push(Violation {
                rule: RuleCode::AiForbiddenTier,
                message: format!(
                    "AI-assisted commit touches tier '{}' (ai: forbidden): {}",
                    tier.name,
                    count(paths.len(), "path")
                ),
                tier: Some(tier.name.clone()),
                paths: paths.clone(),
                line: None,
                fix: Fix::SplitCommit {
                    tier: tier.name.clone(),
                    paths: paths.clone(),
                },
            });
        }
    }
    for (tier, paths) in policy.tiers.iter().zip(&per_tier) {
        if tier.ai == AiRule::Forbidden || paths.is_empty() {
            continue;
        }
        let missing: Vec<&str> = tier
            .required_at(stage)
            .filter(|k| !assessment.has_trailer(k))
            .collect();
        violations.extend(missing_any_of(tier, assessment, paths));
        if missing.is_empty() {
            continue;
        }
        violations.push(Violation {
            rule: RuleCode::MissingRequiredTrailer,
            message: format!(
                "AI-assisted commit touches tier '{}' but lacks required trailer{} {}",
                tier.name,
                if missing.len() == 1 { "" } else { "s" },
                quoted_list(&missing)
            ),
            tier: Some(tier.name.clone()),
            paths: paths.clone(),
            line: None,
            fix: Fix::AddRequiredTrailers {
                keys: missing.iter().map(|k| (*k).to_owned()).collect(),
            },
        });
    }
    // A look-alike gets its own code rather than `ai-forbidden-tier`: the
    // path is not in the tier as written, so the report must say why it
    // counts there (macOS and Windows check it out into the tier's
    // directory), and the usual fix differs: spell the path as the
    // repository does (or drop it) rather than split the commit.
    for (tier, paths) in policy.tiers.iter().zip(&lookalikes) {
        if paths.is_empty() {
            continue;
        }
        violations.push(Violation {
            rule: RuleCode::LookalikePath,
            message: format!(
                "AI-assisted commit touches {} that case-insensitive or normalising file systems (macOS, Windows) check out into tier '{}' (ai: forbidden)",
                count(paths.len(), "path"),
                tier.name
            ),
            tier: Some(tier.name.clone()),
            paths: paths.clone(),
            line: None,
            fix: Fix::RespellPaths {
                tier: tier.name.clone(),
            },
        });
    }
    violations
}

/// Order violations as documented: by rule (table order), then line, then
/// the order they came in (tier rules come in policy order). Stable.
pub fn sort_violations(violations: &mut [Violation]) {
    violations.sort_by_key(|v| (v.rule, v.line.unwrap_or(usize::MAX)));
}

/// One line of a message.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    /// 0-based line number.
    no: usize,
    /// Byte offset of its first byte.
    start: usize,
    /// Its bytes, without the `\n`.
    text: &'a [u8],
}

/// The lines of `message` (split at `\n`; a final line without one too).
fn lines_of(message: &[u8]) -> impl Iterator<Item = Line<'_>> {
    let mut start = 0;
    message
        .split(|&b| b == b'\n')
        .enumerate()
        .map(move |(no, text)| {
            let line = Line { no, start, text };
            start += text.len() + 1;
            line
        })
}

/// Where a `---` divider line starts, if the message is parsed with one:
/// git's `find_end_of_log_message` takes the first line starting with
/// `---` followed by whitespace (git's `isspace`: space, tab, CR, LF).
fn divider_start(message: &[u8], options: &ParseOptions) -> Option<usize> {
    if options.no_divider {
        return None;
    }
    lines_of(message)
        .find(|l| {
            l.text.starts_with(b"---")
                && match message.get(l.start + 3) {
                    Some(c) => matches!(c, b' ' | b'\t' | b'\r' | b'\n'),
                    None => false,
                }
        })
        .map(|l| l.start)
}

/// Message text for a one-line report: lossy UTF-8, trimmed, control and
/// invisible characters escaped (so `AI\u{200b}-Assisted-by` shows what is
/// wrong), at most 100 characters.
fn display_text(bytes: &[u8]) -> String {
    const MAX: usize = 100;
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (i, c) in text.trim().chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control()
            || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
        {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// `1 path`, `3 paths`.
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// `` `A:` ``, `` `A:`, `B:` ``.
pub(super) fn quoted_list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}:`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `malformed-commit`: a header git never writes. Refused whatever the
/// rest of the commit says: git's readers disagree about such a header
/// (`git log` shows every `author` line, `%an` the last; a second `tree`
/// line is ignored by git but not by every tool), so no verdict on it can
/// be trusted to match what reviewers and checkouts see.
fn malformed_commit(problems: &[crate::repo::object::HeaderProblem]) -> Option<Violation> {
    if problems.is_empty() {
        return None;
    }
    let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
    Some(Violation {
        rule: RuleCode::MalformedCommit,
        message: format!(
            "the commit header is not as git writes it: {}",
            list.join("; ")
        ),
        tier: None,
        paths: Vec::new(),
        line: None,
        fix: Fix::RecreateCommit,
    })
}

/// `undeclared-ai`, listing the evidence.
fn undeclared(policy: &Policy, markers: &[MarkerHit]) -> Violation {
    const SHOWN: usize = 3;
    let mut evidence: Vec<&str> = markers
        .iter()
        .take(SHOWN)
        .map(|m| m.evidence.as_str())
        .collect();
    let more;
    if markers.len() > SHOWN {
        more = format!("and {} more", markers.len() - SHOWN);
        evidence.push(&more);
    }
    let key = &policy.declaration.key;
    Violation {
        rule: RuleCode::UndeclaredAi,
        message: format!(
            "AI assistance is evident but not declared with '{key}:': {}",
            evidence.join("; ")
        ),
        tier: None,
        paths: Vec::new(),
        line: markers.iter().filter_map(|m| m.line).min(),
        fix: Fix::AddTrailer {
            key: key.clone(),
            value_hint: "<agent>:<model>".to_owned(),
        },
    }
}

/// `malformed-declaration` for one declaration trailer.
fn malformed(policy: &Policy, t: &Trailer) -> Option<Violation> {
    let key = display_text(&t.key);
    let value = String::from_utf8_lossy(&t.value);
    let value = value.trim();
    let (message, fix) = if value.is_empty() {
        (
            format!("declaration '{key}:' has an empty value"),
            Fix::RewriteValue {
                key: key.clone(),
                pattern: None,
            },
        )
    } else {
        let pattern = policy.declaration.pattern_for(&t.key)?;
        let re = pattern.regex()?;
        if re.is_match(value) {
            return None;
        }
        let (message, fix) = malformed_value(&key, value, &pattern, re);
        (message, Fix::Sentence(fix))
    };
    Some(Violation {
        rule: RuleCode::MalformedDeclaration,
        message,
        tier: None,
        paths: Vec::new(),
        line: Some(t.line),
        fix,
    })
}

/// The message and fix of a declaration value its key's pattern refuses.
/// The fix shows the value rewritten into the kernel's `AGENT:MODEL
/// [tools]` form ([`near_miss::rewrite_value`]) when that rewrite matches
/// the pattern: `Assisted-by: Claude Opus 4.6` (as git's mailing list
/// writes it) becomes `Assisted-by: Claude:opus-4.6`.
fn malformed_value(
    key: &str,
    value: &str,
    pattern: &crate::policy::ValuePattern,
    re: &regex::Regex,
) -> (String, String) {
    let shown = display_text(value.as_bytes());
    let rewrite = near_miss::rewrite_value(value).filter(|r| re.is_match(r));
    match (pattern, rewrite) {
        (crate::policy::ValuePattern::Regex(_), None) => (
            format!(
                "declaration '{key}: {shown}' does not match the policy's pattern /{}/",
                re.as_str()
            ),
            format!("Rewrite the value of '{key}:' to match /{}/.", re.as_str()),
        ),
        (crate::policy::ValuePattern::Regex(_), Some(rewrite)) => (
            format!(
                "declaration '{key}: {shown}' does not match the policy's pattern /{}/",
                re.as_str()
            ),
            format!(
                "Rewrite it as '{key}: {}' (the value must match /{}/).",
                display_text(rewrite.as_bytes()),
                re.as_str()
            ),
        ),
        (_, rewrite) => (
            format!(
                "declaration '{key}: {shown}' is not in {}",
                pattern.describe()
            ),
            match rewrite {
                Some(rewrite) => format!(
                    "Rewrite it as '{key}: {}' (AGENT:MODEL, then any tools).",
                    display_text(rewrite.as_bytes())
                ),
                None => format!(
                    "Write the value of '{key}:' as AGENT:MODEL [tools], e.g. '{key}: Claude:opus-4.6 [checkpatch]'."
                ),
            },
        ),
    }
}

/// `forbidden-trailer`: each trailer git reads whose key is in
/// `forbidden` (of the whole policy when `tier` is `None`).
fn forbidden_trailers(
    trailers: &[Trailer],
    forbidden: &[String],
    tier: Option<(&str, &[Vec<u8>])>,
) -> Vec<Violation> {
    trailers
        .iter()
        .filter(|t| {
            forbidden
                .iter()
                .any(|k| t.key.eq_ignore_ascii_case(k.as_bytes()))
        })
        .map(|t| {
            let key = display_text(&t.key);
            let (message, tier, paths) = match tier {
                None => (
                    format!("trailer '{key}:' is forbidden by the policy"),
                    None,
                    Vec::new(),
                ),
                Some((name, paths)) => (
                    format!(
                        "trailer '{key}:' is forbidden in tier '{name}', which the commit touches: {}",
                        count(paths.len(), "path")
                    ),
                    Some(name.to_owned()),
                    paths.to_vec(),
                ),
            };
            Violation {
                rule: RuleCode::ForbiddenTrailer,
                message,
                tier,
                paths,
                line: Some(t.line),
                fix: Fix::Sentence(format!(
                    "Remove the '{key}:' trailer (`git commit --amend` and delete its line)."
                )),
            }
        })
        .collect()
}

/// `forbidden-trailer` of the tiers a commit touches (AI-assisted or
/// not: a forbidden key is forbidden to everyone).
fn tier_forbidden_trailers(
    policy: &Policy,
    assessment: &MessageAssessment,
    classified: &[(&[u8], Class)],
) -> Vec<Violation> {
    let mut out = Vec::new();
    for (index, tier) in policy.tiers.iter().enumerate() {
        if tier.forbidden_trailers.is_empty() {
            continue;
        }
        let mut paths: Vec<Vec<u8>> = Vec::new();
        for &(path, class) in classified {
            let t = if class.tier < policy.tiers.len() {
                class.tier
            } else {
                policy.default_tier
            };
            if t == index && !paths.iter().any(|p| p == path) {
                paths.push(path.to_vec());
            }
        }
        if paths.is_empty() {
            continue;
        }
        out.extend(forbidden_trailers(
            &assessment.trailers,
            &tier.forbidden_trailers,
            Some((&tier.name, &paths)),
        ));
    }
    out
}

/// `missing-required-trailer` for each `any_of` of `tier` that no
/// trailer meets.
fn missing_any_of(
    tier: &crate::policy::Tier,
    assessment: &MessageAssessment,
    paths: &[Vec<u8>],
) -> Vec<Violation> {
    assessment
        .missing_any_of(tier)
        .into_iter()
        .map(|keys| {
            let names: Vec<&str> = keys.iter().map(String::as_str).collect();
            let list = quoted_list(&names).replace("`, `", "` or `");
            Violation {
                rule: RuleCode::MissingRequiredTrailer,
                message: format!(
                    "AI-assisted commit touches tier '{}' but lacks one of {list}",
                    tier.name
                ),
                tier: Some(tier.name.clone()),
                paths: paths.to_vec(),
                line: None,
                fix: Fix::Sentence(format!(
                    "Add one of {list} to the trailer block once earned (e.g. `git commit --amend --trailer '{}: Name <email>'`).",
                    names.first().copied().unwrap_or_default()
                )),
            }
        })
        .collect()
}

/// The fullwidth colon `：` (U+FF1A), a look-alike separator git ignores.
const FULLWIDTH_COLON: &[u8] = "\u{ff1a}".as_bytes();

/// Where the first fullwidth colon `：` is in `text`. Checked on every
/// line of every message: a byte search for its lead byte (non-ASCII text
/// is rare in commit messages), not a substring searcher built per call.
pub(super) fn find_fullwidth_colon(text: &[u8]) -> Option<usize> {
    let (lead, rest) = FULLWIDTH_COLON.split_first()?;
    memchr::memchr_iter(*lead, text).find(|&i| text[i + 1..].starts_with(rest))
}

/// The key of a `key: value`-looking line: the text before the first `:`
/// or `：`, trimmed of whitespace, and whether the separator was the
/// fullwidth one.
fn key_of(text: &[u8]) -> Option<(String, bool)> {
    let ascii = memchr::memchr(b':', text);
    let full = find_fullwidth_colon(&text[..ascii.unwrap_or(text.len())]);
    let (end, fullwidth) = match (ascii, full) {
        (Some(a), Some(f)) if f < a => (f, true),
        (Some(a), _) => (a, false),
        (None, Some(f)) => (f, true),
        (None, None) => return None,
    };
    let key = String::from_utf8_lossy(&text[..end]).trim().to_owned();
    (!key.is_empty()).then_some((key, fullwidth))
}

/// `misplaced-declaration` and `near-miss-key`: every `key:`-looking line.
fn line_rules(
    policy: &Policy,
    message: &[u8],
    block: &TrailerBlock,
    divider: Option<usize>,
    options: &ParseOptions,
    violations: &mut Vec<Violation>,
) {
    let committed = options.no_divider;
    let lines: Vec<Line<'_>> = lines_of(message).collect();
    let trailer_lines: HashSet<usize> = block.trailers.iter().map(|t| t.line).collect();
    // git reads the first paragraph as the title, never as trailers; for a
    // committed message, after skipping leading blank lines.
    let title_start = if committed {
        lines.iter().position(|l| !is_blank(l.text)).unwrap_or(0)
    } else {
        0
    };
    let title_end = lines
        .iter()
        .skip(title_start)
        .position(|l| is_blank(l.text))
        .map_or(lines.len(), |p| p + title_start);
    // The last paragraph of the log message (for explaining misplacement).
    let log_lines = lines
        .iter()
        .take_while(|l| !matches!(divider, Some(d) if l.start >= d))
        .count();
    let last_text = lines[..log_lines].iter().rposition(|l| !is_blank(l.text));
    let last_paragraph = last_text.map(|last| {
        lines[..last]
            .iter()
            .rposition(|l| is_blank(l.text))
            .map_or(0, |blank| blank + 1)
    });
    let decl_keys: Vec<&str> = policy.declaration.keys().collect();
    let required: Vec<&str> = policy
        .tiers
        .iter()
        .flat_map(|t| {
            t.require
                .iter()
                .chain(t.require_any.iter().flat_map(|a| a.0.iter()))
                .chain(t.forbidden_trailers.iter())
                .map(String::as_str)
        })
        .chain(policy.forbidden_trailers.iter().map(String::as_str))
        .collect();
    // Built on first need: most messages have no key-looking line that is
    // not a well-known trailer.
    let near_miss = std::cell::OnceCell::new();

    for line in &lines {
        let below_divider = divider.is_some_and(|d| line.start >= d);
        if below_divider && line.text.first().is_some_and(u8::is_ascii_whitespace) {
            continue;
        }
        // git skips comment lines when it looks for trailers (and a
        // commit made with `--cleanup=verbatim` keeps them): a declaration
        // behind the comment string declares nothing.
        let (text, commented) = match strip_comment(line.text, &options.comment) {
            Some(rest) => (rest, true),
            None => (line.text, false),
        };
        let no_colon = declaration_without_colon(policy, text);
        let (key, fullwidth) = match (no_colon, key_of(text)) {
            (Some(key), _) => (key.to_owned(), false),
            (None, Some(found)) => found,
            (None, None) => continue,
        };
        if policy.declaration.is_declaration_key(key.as_bytes()) {
            if trailer_lines.contains(&line.no) && !fullwidth && !commented && no_colon.is_none() {
                continue;
            }
            let why = if commented {
                "it is a comment line, which git skips"
            } else if no_colon.is_some() {
                "no ':' follows the key"
            } else if line.no < title_end {
                "it is in the title (first paragraph), which git never reads as trailers"
            } else if below_divider {
                "it is below the '---' divider, where git stops reading the message"
            } else if fullwidth {
                "its colon is a fullwidth '：', not ':'"
            } else if line.text.first().is_some_and(u8::is_ascii_whitespace) {
                "it is indented, so git reads it as part of the line above"
            } else if last_paragraph.is_some_and(|p| line.no >= p) {
                "the last paragraph mixes it with lines git does not read as trailers"
            } else {
                "it is not in the last paragraph (a blank line separates it from the trailers)"
            };
            violations.push(Violation {
                rule: RuleCode::MisplacedDeclaration,
                message: format!(
                    "'{}' is not read by git as a trailer: {why}",
                    display_text(line.text)
                ),
                tier: None,
                paths: Vec::new(),
                line: Some(line.no),
                fix: Fix::MoveTrailerToLastParagraph { key: key.clone() },
            });
        } else if let Some(hit) = near_miss
            .get_or_init(|| near_miss::Checker::new(&decl_keys, &required))
            .check(&key)
        {
            violations.push(Violation {
                rule: RuleCode::NearMissKey,
                message: format!(
                    "key '{}' is almost the declaration key '{}' ({}), so it declares nothing",
                    display_text(key.as_bytes()),
                    hit.target,
                    hit.how
                ),
                tier: None,
                paths: Vec::new(),
                line: Some(line.no),
                fix: Fix::RespellKey {
                    key: hit.target.to_string(),
                },
            });
        }
    }
}

/// The rest of a comment line (after the comment string and any
/// whitespace), or `None` when `text` is not one.
fn strip_comment<'t>(text: &'t [u8], comment: &[u8]) -> Option<&'t [u8]> {
    if comment.is_empty() {
        return None;
    }
    text.strip_prefix(comment).map(<[u8]>::trim_ascii_start)
}

/// A line that starts with a declaration key followed by something other
/// than git's `:` separator (`AI-Assisted-by claude:opus`,
/// `AI-Assisted-by= claude`, the key alone): the key as written.
fn declaration_without_colon<'t>(policy: &Policy, text: &'t [u8]) -> Option<&'t str> {
    let text = text.trim_ascii_start();
    let end = text
        .iter()
        .position(|&b| b.is_ascii_whitespace() || matches!(b, b'=' | b':' | b';' | b','))
        .unwrap_or(text.len());
    let token = &text[..end];
    if token.is_empty() || !policy.declaration.is_declaration_key(token) {
        return None;
    }
    // `Key : value` is a trailer (git allows whitespace before the colon).
    if text[end..].trim_ascii_start().first() == Some(&b':') {
        return None;
    }
    std::str::from_utf8(token).ok()
}

/// A blank line as git's trailer code sees it (only whitespace).
fn is_blank(text: &[u8]) -> bool {
    text.iter().all(u8::is_ascii_whitespace)
}

/// `ai-signoff` and `missing-signoff`.
fn signoff_rules(
    policy: &Policy,
    facts: &CommitFacts,
    trailers: &[Trailer],
    violations: &mut Vec<Violation>,
) {
    let signoffs = trailers
        .iter()
        .filter(|t| t.key.eq_ignore_ascii_case(b"signed-off-by"));
    if policy.declaration.forbid_ai_signoff {
        for t in signoffs.clone() {
            let (name, email) = markers::split_identity(&t.value);
            if let Some(tool) = ai_tool_at(policy.markers.version(), name, email) {
                violations.push(Violation {
                    rule: RuleCode::AiSignoff,
                    message: format!(
                        "Signed-off-by names an AI identity: {} ({tool})",
                        display_text(&t.value)
                    ),
                    tier: None,
                    paths: Vec::new(),
                    line: Some(t.line),
                    fix: Fix::RemoveTrailer {
                        key: "Signed-off-by".to_owned(),
                        line: Some(t.line),
                        declare_with: policy.declaration.key.clone(),
                    },
                });
            }
        }
    }
    if policy.signoff.required {
        let author = &facts.author;
        let author_email = author.email.trim_ascii();
        let signed = signoffs.clone().any(|t| {
            let (name, email) = markers::split_identity(&t.value);
            if author_email.is_empty() {
                !author.name.trim_ascii().is_empty() && same_name(name, &author.name)
            } else {
                email.eq_ignore_ascii_case(author_email)
            }
        });
        if !signed {
            let who = markers::identity_text(author.name.trim_ascii(), author_email);
            violations.push(Violation {
                rule: RuleCode::MissingSignoff,
                message: format!("no Signed-off-by from the author {who}"),
                tier: None,
                paths: Vec::new(),
                line: None,
                fix: Fix::AddSignoff { who: who.clone() },
            });
        }
    }
}

/// Names compared case-insensitively with whitespace runs collapsed.
fn same_name(a: &[u8], b: &[u8]) -> bool {
    let norm = |x: &[u8]| {
        String::from_utf8_lossy(x)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{ExtraMarker, MarkerField, Mode, Tier};
    use regex::Regex;

    /// A path violation with a path that is not UTF-8, and a message
    /// violation with a line.
    fn violations_to_show() -> [Violation; 2] {
        [
            Violation {
                rule: RuleCode::AiForbiddenTier,
                message: "AI-assisted commit touches tier 'critical' (ai: forbidden)".to_owned(),
                tier: Some("critical".to_owned()),
                paths: vec![b"src/crypto/aes.c".to_vec(), b"src/caf\xe9.c".to_vec()],
                line: None,
                fix: Fix::SplitCommit {
                    tier: "critical".to_owned(),
                    paths: Vec::new(),
                },
            },
            Violation {
                rule: RuleCode::AiSignoff,
                message: "AI-assisted commit is signed off".to_owned(),
                tier: None,
                paths: Vec::new(),
                line: Some(0),
                fix: Fix::RecreateCommit,
            },
        ]
    }

    #[test]
    fn a_violation_serializes_to_the_one_json_shape() {
        let [paths, message] = violations_to_show();
        // Through a `Value` (as every output goes: keys sorted), the bytes
        // `tiergate check --format json` has always printed: the code
        // string, lossy UTF-8 paths, a 1-based line, nulls kept.
        let value = |v: &Violation| serde_json::to_value(v).expect("serializable").to_string();
        assert_eq!(
            value(&paths),
            "{\"fix\":\"Split the changes to 'critical' into a commit written without AI assistance, or ask its maintainers.\",\"line\":null,\"message\":\"AI-assisted commit touches tier 'critical' (ai: forbidden)\",\"paths\":[\"src/crypto/aes.c\",\"src/caf\u{fffd}.c\"],\"rule\":\"ai-forbidden-tier\",\"tier\":\"critical\"}"
        );
        assert_eq!(
            value(&message),
            r#"{"fix":"Recreate the commit with git itself (`git commit`, `git rebase`, `git cherry-pick`): git never writes such a header, and tools disagree on what it means.","line":1,"message":"AI-assisted commit is signed off","paths":[],"rule":"ai-signoff","tier":null}"#
        );
        // Serialized directly, the fields come in the order declared.
        assert_eq!(
            serde_json::to_string(&message).expect("serializable"),
            r#"{"rule":"ai-signoff","message":"AI-assisted commit is signed off","tier":null,"paths":[],"line":1,"fix":"Recreate the commit with git itself (`git commit`, `git rebase`, `git cherry-pick`): git never writes such a header, and tools disagree on what it means."}"#
        );
    }

    #[test]
    fn a_violation_displays_as_one_line() {
        let [paths, message] = violations_to_show();
        assert_eq!(
            paths.to_string(),
            "ai-forbidden-tier: AI-assisted commit touches tier 'critical' (ai: forbidden)"
        );
        assert_eq!(
            message.to_string(),
            "ai-signoff: AI-assisted commit is signed off (line 1 of the message)"
        );
    }

    fn tier(name: &str, ai: AiRule, require: &[&str]) -> Tier {
        Tier {
            name: name.to_owned(),
            paths: Vec::new(),
            except: Vec::new(),
            ai,
            require: require.iter().map(|s| (*s).to_owned()).collect(),
            require_any: Vec::new(),
            forbidden_trailers: Vec::new(),
            mode: Mode::Enforce,
            require_stages: vec![crate::stage::Stages::ALL; require.len()],
            follow_includes: false,
        }
    }

    /// The policy of DESIGN.md: critical (forbidden), core (allowed,
    /// requires Reviewed-by), open (allowed).
    fn policy() -> Policy {
        let mut policy = Policy::with_tiers(
            vec![
                tier("critical", AiRule::Forbidden, &[]),
                tier("core", AiRule::Allowed, &["Reviewed-by"]),
                tier("open", AiRule::Allowed, &[]),
            ],
            1,
        );
        policy.declaration.value = Some(Regex::new(r"^\S+:\S+").expect("valid regex"));
        policy
    }

    fn jane() -> Identity {
        Identity {
            name: b"Jane Doe".to_vec(),
            email: b"jane@example.com".to_vec(),
        }
    }

    fn facts(message: &str) -> CommitFacts {
        CommitFacts {
            message: message.as_bytes().to_vec(),
            author: jane(),
            committer: jane(),
            ..Default::default()
        }
    }

    /// Every violation is well-formed: one-line message and fix.
    fn check_shape(violations: &[Violation]) {
        for v in violations {
            assert!(!v.message.is_empty() && !v.message.contains('\n'), "{v:?}");
            let fix = v.fix.to_string();
            assert!(!fix.is_empty() && !fix.contains('\n'), "{v:?}");
            assert!(fix.ends_with('.'), "fix is a sentence: {v:?}");
        }
    }

    fn assess(policy: &Policy, facts: &CommitFacts, no_divider: bool) -> MessageAssessment {
        let options = ParseOptions {
            no_divider,
            ..ParseOptions::default()
        };
        let a = assess_message(policy, facts, &options);
        check_shape(&a.violations);
        a
    }

    fn codes(a: &MessageAssessment) -> Vec<&'static str> {
        a.violations.iter().map(|v| v.rule.as_str()).collect()
    }

    const SOB: &str = "Signed-off-by: Jane Doe <jane@example.com>";

    /// (name, message, codes of the message rules, in order).
    /// Messages are read as a commit-msg hook reads them (with a divider).
    const MESSAGE_CASES: &[(&str, &str, &[&str])] = &[
        ("human commit", "Fix foo\n\nBody text.\n\nSigned-off-by: Jane Doe <jane@example.com>\n", &[]),
        ("title only", "Fix foo\n", &[]),
        ("empty", "", &[]),
        ("declared", "Fix foo\n\nBody.\n\nAI-Assisted-by: claude:opus-4\n", &[]),
        ("declared alias, other case", "Fix foo\n\nai-USED-for: copilot:gpt-5\n", &[]),
        ("declared, space before colon", "Fix foo\n\nAi-Assisted-By : claude:opus-4\n", &[]),
        ("declared with marker", "Fix foo\n\nAI-Assisted-by: claude:opus-4\nCo-authored-by: Claude <noreply@anthropic.com>\n", &[]),
        // undeclared-ai
        ("co-author trailer", "Fix foo\n\nCo-authored-by: Claude <noreply@anthropic.com>\n", &["undeclared-ai"]),
        ("co-author in the body", "Fix foo\n\nCo-authored-by: Claude <noreply@anthropic.com>\nwas squashed here.\n\nSigned-off-by: Jane Doe <jane@example.com>\n", &["undeclared-ai"]),
        ("generated with", "Fix foo\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n", &["undeclared-ai"]),
        ("human co-author", "Fix foo\n\nCo-authored-by: Bob <bob@google.com>\n", &[]),
        ("marker below the divider", "Fix foo\n---\nCo-authored-by: Claude <noreply@anthropic.com>\n", &[]),
        // malformed-declaration
        ("empty value", "Fix foo\n\nAI-Assisted-by:\n", &["malformed-declaration"]),
        ("blank value", "Fix foo\n\nAssisted-by:   \n", &["malformed-declaration"]),
        ("value mismatch", "Fix foo\n\nAI-Assisted-by: claude\n", &["malformed-declaration"]),
        // misplaced-declaration
        ("second-to-last paragraph", "Fix foo\n\nAI-Assisted-by: claude:opus-4\n\nSigned-off-by: Jane Doe <jane@example.com>\n", &["misplaced-declaration"]),
        ("in the title", "AI-Assisted-by: claude:opus-4\n", &["misplaced-declaration"]),
        ("in the title paragraph", "Fix foo\nAI-Assisted-by: claude:opus-4\n", &["misplaced-declaration"]),
        ("below the divider", "Fix foo\n\nBody.\n---\n\nAI-Assisted-by: claude:opus-4\n", &["misplaced-declaration"]),
        ("indented", "Fix foo\n\nSigned-off-by: Jane Doe <jane@example.com>\n  AI-Assisted-by: claude:opus-4\n", &["misplaced-declaration"]),
        ("fullwidth colon", "Fix foo\n\nAI-Assisted-by\u{ff1a} claude:opus-4\n", &["misplaced-declaration"]),
        ("mixed with prose", "Fix foo\n\nSome prose here\nAI-Assisted-by: claude:opus-4\n", &["misplaced-declaration"]),
        ("no colon", "Fix foo\n\nAI-Assisted-by claude:opus-4\n", &["misplaced-declaration"]),
        ("equals sign", "Fix foo\n\nAI-Assisted-by= claude:opus-4\n", &["misplaced-declaration"]),
        ("key alone", "Fix foo\n\nAssisted-by\n", &["misplaced-declaration"]),
        ("comment line", "Fix foo\n\n# AI-Assisted-by: claude:opus-4\n", &["misplaced-declaration"]),
        ("comment line, no space", "Fix foo\n\n#AI-Assisted-by: claude:opus-4\n", &["misplaced-declaration"]),
        ("prose that starts like a key", "Fix foo\n\nAssisted-bye and hello.\n", &[]),
        // disguised co-author and sign-off keys still carry evidence
        ("co-author, cyrillic o", "Fix foo\n\nC\u{43e}-authored-by: Claude <noreply@anthropic.com>\n", &["undeclared-ai"]),
        ("co-author, zero-width", "Fix foo\n\nCo-author\u{200b}ed-by: Claude <noreply@anthropic.com>\n", &["undeclared-ai"]),
        ("co-author, underscores", "Fix foo\n\nCo_Authored_By: Claude <noreply@anthropic.com>\n", &["undeclared-ai"]),
        ("co-author, fullwidth colon", "Fix foo\n\nCo-authored-by\u{ff1a} Claude <noreply@anthropic.com>\n", &["undeclared-ai"]),
        ("sign-off, greek o", "Fix foo\n\nSigned-\u{3bf}ff-by: Claude <noreply@anthropic.com>\n", &["undeclared-ai"]),
        ("disguised human co-author", "Fix foo\n\nC\u{43e}-authored-by: Bob <bob@example.com>\n", &[]),
        // near-miss-key
        ("typo", "Fix foo\n\nAI-Asisted-by: claude:opus-4\n", &["near-miss-key"]),
        ("spaces", "Fix foo\n\nAI Assisted by: claude:opus-4\n", &["near-miss-key"]),
        ("underscores", "Fix foo\n\nAI_Assisted_by: claude:opus-4\n", &["near-miss-key"]),
        ("cyrillic", "Fix foo\n\n\u{410}I-Assisted-by: claude:opus-4\n", &["near-miss-key"]),
        ("greek", "Fix foo\n\n\u{391}\u{399}-Assisted-by: claude:opus-4\n", &["near-miss-key"]),
        ("fullwidth", "Fix foo\n\n\u{ff21}\u{ff29}-Assisted-by: claude:opus-4\n", &["near-miss-key"]),
        ("zero-width", "Fix foo\n\nAI-Assisted\u{200b}-by: claude:opus-4\n", &["near-miss-key"]),
        ("BOM", "Fix foo\n\n\u{feff}AI-Assisted-by: claude:opus-4\n", &["near-miss-key"]),
        ("near miss in the title", "AI Assisted by: claude\n", &["near-miss-key"]),
        ("real keys", "Fix foo\n\nSigned-off-by: Jane Doe <jane@example.com>\nAcked-by: A <a@example.com>\nReported-by: R <r@example.com>\nReviewed-by: V <v@example.com>\nTested-by: T <t@example.com>\nCo-authored-by: C <c@example.com>\nSuggested-by: S <s@example.com>\n", &[]),
        // ai-signoff (an AI sign-off is also evidence of AI use)
        ("AI signs off", "Fix foo\n\nAI-Assisted-by: claude:opus-4\nSigned-off-by: Claude <noreply@anthropic.com>\n", &["ai-signoff"]),
        ("AI signs off undeclared", "Fix foo\n\nSigned-off-by: Copilot <copilot@github.com>\n", &["undeclared-ai", "ai-signoff"]),
        // several, in rule order
        ("several", "AI-Assisted-by: x\n\nAI Assisted by: y\n\nAI-Assisted-by: claude\nCo-authored-by: Claude <noreply@anthropic.com>\nSigned-off-by: Claude <noreply@anthropic.com>\n", &["malformed-declaration", "misplaced-declaration", "near-miss-key", "ai-signoff"]),
    ];

    #[test]
    fn message_rules() {
        let policy = policy();
        for (name, message, want) in MESSAGE_CASES {
            let a = assess(&policy, &facts(message), false);
            assert_eq!(codes(&a), *want, "{name}: {:#?}", a.violations);
        }
    }

    #[test]
    fn no_divider_reads_below_the_divider() {
        let policy = policy();
        let msg = "Fix foo\n\nBody.\n---\n\nAI-Assisted-by: claude:opus-4\n";
        let a = assess(&policy, &facts(msg), true);
        assert_eq!(codes(&a), Vec::<&str>::new(), "{:#?}", a.violations);
        assert!(a.declared());
        let a = assess(&policy, &facts(msg), false);
        assert!(!a.declared());
    }

    #[test]
    fn committed_messages_skip_leading_blank_lines() {
        let policy = policy();
        let msg = "\n\nAI-Assisted-by: claude:opus-4\n";
        // A hook's file: the empty first paragraph is the title, so the
        // declaration is a trailer.
        let a = assess(&policy, &facts(msg), false);
        assert!(a.declared());
        assert_eq!(codes(&a), Vec::<&str>::new());
        // As stored (`%(trailers)`): it is the title.
        let a = assess(&policy, &facts(msg), true);
        assert!(!a.declared());
        assert_eq!(codes(&a), ["misplaced-declaration"]);
        assert!(
            a.violations[0].message.contains("title"),
            "{:?}",
            a.violations
        );
        assert_eq!(a.violations[0].line, Some(2));
    }

    #[test]
    fn misplaced_reasons_and_lines() {
        let policy = policy();
        let cases: &[(&str, usize, &str)] = &[
            ("AI-Assisted-by: claude:opus-4\n", 0, "title"),
            (
                "Fix foo\n\nAI-Assisted-by: claude:opus-4\n\nSigned-off-by: J <j@x>\n",
                2,
                "blank line",
            ),
            (
                "Fix foo\n\nBody.\n---\n\nAI-Assisted-by: claude:opus-4\n",
                5,
                "divider",
            ),
            (
                "Fix foo\n\nSigned-off-by: J <j@x>\n AI-Assisted-by: claude:opus-4\n",
                3,
                "indented",
            ),
            (
                "Fix foo\n\nAI-Assisted-by\u{ff1a} claude:opus-4\n",
                2,
                "fullwidth",
            ),
        ];
        for (msg, line, why) in cases {
            let a = assess(&policy, &facts(msg), false);
            let v = a
                .violations
                .iter()
                .find(|v| v.rule == RuleCode::MisplacedDeclaration)
                .unwrap_or_else(|| panic!("{msg:?}: no misplaced-declaration"));
            assert_eq!(v.line, Some(*line), "{msg:?}");
            assert!(v.message.contains(why), "{msg:?}: {}", v.message);
        }
    }

    #[test]
    fn near_miss_message_shows_invisible_characters() {
        let a = assess(
            &policy(),
            &facts("Fix foo\n\nAI-Assisted\u{200b}-by: claude:opus-4\n"),
            false,
        );
        let v = &a.violations[0];
        assert_eq!(v.rule, RuleCode::NearMissKey);
        assert_eq!(v.line, Some(2));
        assert!(v.message.contains("\\u{200b}"), "{}", v.message);
        assert!(v.message.contains("U+200B"), "{}", v.message);
        assert!(v.fix.to_string().contains("'AI-Assisted-by:'"), "{}", v.fix);
    }

    #[test]
    fn malformed_without_value_regex() {
        let mut policy = policy();
        policy.declaration.value = None;
        let a = assess(&policy, &facts("Fix\n\nAI-Assisted-by: claude\n"), false);
        assert_eq!(codes(&a), Vec::<&str>::new());
        let a = assess(&policy, &facts("Fix\n\nAI-Assisted-by:\n"), false);
        assert_eq!(codes(&a), ["malformed-declaration"]);
        assert_eq!(a.violations[0].line, Some(2));
    }

    /// Every builtin marker makes an undeclared commit fail, and nothing
    /// fires once builtin markers are off.
    #[test]
    fn builtin_markers() {
        let in_message: &[&str] = &[
            "Co-authored-by: Claude <noreply@anthropic.com>",
            "Co-Authored-By: Claude Opus 4.1 <noreply@anthropic.com>",
            "co-authored-by :  Claude   <noreply@anthropic.com>",
            "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",
            "Co-authored-by: GitHub Copilot <copilot@github.com>",
            "Co-authored-by: Codex <codex@openai.com>",
            "Co-authored-by: Cursor Agent <cursoragent@cursor.com>",
            "Co-authored-by: aider (gpt-4o) <noreply@aider.chat>",
            "Co-authored-by: Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
            "Co-authored-by: Gemini <gemini@google.com>",
            "Co-authored-by: gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>",
            "Co-authored-by: claude[bot] <209825114+claude[bot]@users.noreply.github.com>",
            "Co-authored-by: cursor[bot] <206951365+cursor[bot]@users.noreply.github.com>",
            "Co-authored-by: copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>",
            "Generated with [Claude Code](https://claude.ai/code)",
            "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
            "Generated with Cursor",
            "🤖 Generated with Cursor",
            "  generated   WITH   cursor",
        ];
        for line in in_message {
            let mut policy = policy();
            let msg = format!("Fix foo\n\n{line}\n");
            let a = assess(&policy, &facts(&msg), false);
            assert_eq!(a.markers.len(), 1, "{line}: {:?}", a.markers);
            assert_eq!(a.markers[0].line, Some(2), "{line}");
            assert!(a.ai_assisted(), "{line}");
            assert_eq!(codes(&a), ["undeclared-ai"], "{line}");
            assert_eq!(a.violations[0].line, Some(2), "{line}");
            policy.markers.builtin = false;
            let a = assess(&policy, &facts(&msg), false);
            assert!(a.markers.is_empty(), "{line}: builtin off");
        }
        let identities: &[(&str, &str)] = &[
            ("Jane Doe (aider)", "jane@example.com"),
            (
                "copilot-swe-agent[bot]",
                "198982749+Copilot@users.noreply.github.com",
            ),
            (
                "devin-ai-integration[bot]",
                "158243242+devin-ai-integration[bot]@users.noreply.github.com",
            ),
            (
                "claude[bot]",
                "209825114+claude[bot]@users.noreply.github.com",
            ),
            (
                "cursor[bot]",
                "206951365+cursor[bot]@users.noreply.github.com",
            ),
            ("Claude", "noreply@anthropic.com"),
        ];
        for (name, email) in identities {
            let who = Identity {
                name: name.as_bytes().to_vec(),
                email: email.as_bytes().to_vec(),
            };
            for as_author in [true, false] {
                let mut f = facts("Fix foo\n");
                if as_author {
                    f.author = who.clone();
                } else {
                    f.committer = who.clone();
                }
                let a = assess(&policy(), &f, false);
                assert_eq!(a.markers.len(), 1, "{name}: {:?}", a.markers);
                let role = if as_author { "author" } else { "committer" };
                assert!(a.markers[0].evidence.starts_with(role), "{:?}", a.markers);
                assert_eq!(codes(&a), ["undeclared-ai"], "{name}");
                assert_eq!(a.violations[0].line, None);
                assert!(
                    a.violations[0].message.contains(name),
                    "{}",
                    a.violations[0].message
                );
            }
        }
    }

    #[test]
    fn undeclared_lists_evidence() {
        let msg = "Fix foo\n\nGenerated with Cursor\n\nCo-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: aider (gpt-4o) <noreply@aider.chat>\nCo-authored-by: Codex <codex@openai.com>\n";
        let a = assess(&policy(), &facts(msg), false);
        assert_eq!(a.markers.len(), 4);
        let v = &a.violations[0];
        assert_eq!(v.rule, RuleCode::UndeclaredAi);
        assert_eq!(v.line, Some(2));
        for needle in [
            "Cursor",
            "Claude",
            "aider",
            "and 1 more",
            "'AI-Assisted-by:'",
        ] {
            assert!(v.message.contains(needle), "{needle}: {}", v.message);
        }
    }

    #[test]
    fn extra_markers_on_each_field() {
        let mut policy = policy();
        policy.markers.builtin = false;
        let re = |r: &str| Regex::new(r).expect("valid regex");
        policy.markers.extra = vec![
            ExtraMarker {
                field: MarkerField::Message,
                regex: re("(?i)generated by chatgpt"),
            },
            ExtraMarker {
                field: MarkerField::Author,
                regex: re(r"<[^>]*@bots\.example\.com>$"),
            },
            ExtraMarker {
                field: MarkerField::Committer,
                regex: re("^CI Bot "),
            },
        ];
        let bot = |name: &str, email: &str| Identity {
            name: name.as_bytes().to_vec(),
            email: email.as_bytes().to_vec(),
        };
        // (message, author, committer, expected evidence substring or none)
        let cases: Vec<(&str, Identity, Identity, Option<&str>)> = vec![
            (
                "Fix\n\nThis was Generated by ChatGPT.\n",
                jane(),
                jane(),
                Some("chatgpt"),
            ),
            (
                "Fix\n",
                bot("Helper", "helper@bots.example.com"),
                jane(),
                Some("author Helper"),
            ),
            (
                "Fix\n",
                jane(),
                bot("CI Bot", "ci@example.com"),
                Some("committer CI Bot"),
            ),
            // Each field only matches its own input.
            (
                "Fix\n",
                jane(),
                bot("Helper", "helper@bots.example.com"),
                None,
            ),
            ("Fix\n", bot("CI Bot", "ci@example.com"), jane(), None),
            (
                "Fix\n\nhelper@bots.example.com and CI Bot here\n",
                jane(),
                jane(),
                None,
            ),
            ("Fix\n---\ngenerated by chatgpt\n", jane(), jane(), None),
        ];
        for (msg, author, committer, want) in cases {
            let f = CommitFacts {
                message: msg.as_bytes().to_vec(),
                author,
                committer,
                ..Default::default()
            };
            let a = assess(&policy, &f, false);
            match want {
                Some(needle) => {
                    assert_eq!(a.markers.len(), 1, "{msg:?}: {:?}", a.markers);
                    assert!(a.markers[0].evidence.contains(needle), "{:?}", a.markers);
                    assert_eq!(codes(&a), ["undeclared-ai"]);
                }
                None => assert!(a.markers.is_empty(), "{msg:?}: {:?}", a.markers),
            }
        }
    }

    #[test]
    fn ai_signoff_only_when_forbidden() {
        let mut policy = policy();
        let msg =
            "Fix\n\nAI-Assisted-by: claude:opus-4\nSigned-off-by: Claude <noreply@anthropic.com>\n";
        let a = assess(&policy, &facts(msg), false);
        assert_eq!(codes(&a), ["ai-signoff"]);
        assert_eq!(a.violations[0].line, Some(3));
        policy.declaration.forbid_ai_signoff = false;
        assert_eq!(
            codes(&assess(&policy, &facts(msg), false)),
            Vec::<&str>::new()
        );
        // A human sign-off is fine.
        policy.declaration.forbid_ai_signoff = true;
        let msg = format!("Fix\n\nAI-Assisted-by: claude:opus-4\n{SOB}\n");
        assert_eq!(
            codes(&assess(&policy, &facts(&msg), false)),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn missing_signoff() {
        let mut policy = policy();
        policy.signoff.required = true;
        // (message, author email, signed off?)
        let cases: &[(&str, &str, bool)] = &[
            ("Fix\n", "jane@example.com", false),
            (
                "Fix\n\nSigned-off-by: Jane Doe <jane@example.com>\n",
                "jane@example.com",
                true,
            ),
            (
                "Fix\n\nSigned-off-by: J. Doe <JANE@Example.COM>\n",
                "jane@example.com",
                true,
            ),
            (
                "Fix\n\nsigned-off-by: Jane Doe <jane@example.com>\n",
                "jane@example.com",
                true,
            ),
            (
                "Fix\n\nSigned-off-by: Bob <bob@example.com>\n",
                "jane@example.com",
                false,
            ),
            ("Fix\n\nSigned-off-by: Jane Doe\n", "", true),
            (
                "Fix\n\nSigned-off-by: Jane Doe <jane@example.com>\n\nMore.\n",
                "jane@example.com",
                false,
            ),
        ];
        for (msg, email, signed) in cases {
            let mut f = facts(msg);
            f.author.email = email.as_bytes().to_vec();
            let a = assess(&policy, &f, false);
            let want: &[&str] = if *signed { &[] } else { &["missing-signoff"] };
            assert_eq!(codes(&a), want, "{msg:?}");
        }
        policy.signoff.required = false;
        assert_eq!(
            codes(&assess(&policy, &facts("Fix\n"), false)),
            Vec::<&str>::new()
        );
    }

    /// An assessment built by hand, so the path rules are tested apart
    /// from trailer parsing.
    fn assessment(keys: &[&str], marked: bool) -> MessageAssessment {
        let policy = policy();
        let trailers: Vec<Trailer> = keys
            .iter()
            .enumerate()
            .map(|(line, k)| Trailer {
                key: k.as_bytes().to_vec(),
                value: b"x:y".to_vec(),
                line: line + 2,
            })
            .collect();
        let declarations = trailers
            .iter()
            .enumerate()
            .filter(|(_, t)| policy.declaration.is_declaration_key(&t.key))
            .map(|(i, _)| i)
            .collect();
        let markers = if marked {
            vec![MarkerHit {
                evidence: "Generated with Cursor".to_owned(),
                line: Some(2),
            }]
        } else {
            Vec::new()
        };
        MessageAssessment {
            trailers,
            declarations,
            markers,
            violations: Vec::new(),
        }
    }

    #[test]
    fn needs_paths_cases() {
        let full = policy();
        let mut no_forbidden = policy();
        no_forbidden.tiers.remove(0);
        no_forbidden.default_tier = 0;
        let mut plain = policy();
        plain.tiers = vec![tier("all", AiRule::Allowed, &[])];
        plain.default_tier = 0;
        // (policy, trailer keys, marked, needs paths)
        let cases: &[(&Policy, &[&str], bool, bool)] = &[
            (&full, &[], false, false),
            (&full, &["Signed-off-by", "Reviewed-by"], false, false),
            (&full, &["AI-Assisted-by"], false, true),
            (&full, &[], true, true),
            (&full, &["AI-Assisted-by", "Reviewed-by"], false, true),
            (&no_forbidden, &["AI-Assisted-by"], false, true),
            (
                &no_forbidden,
                &["AI-Assisted-by", "reviewed-BY"],
                false,
                false,
            ),
            (&no_forbidden, &[], true, true),
            (&plain, &["AI-Assisted-by"], true, false),
            (&plain, &[], false, false),
        ];
        for (i, (policy, keys, marked, want)) in cases.iter().enumerate() {
            let a = assessment(keys, *marked);
            assert_eq!(
                needs_paths(policy, &a, Stage::Ci),
                *want,
                "case {i}: {keys:?} {marked}"
            );
        }
    }

    #[test]
    fn needs_paths_from_messages() {
        let policy = policy();
        let cases: &[(&str, bool)] = &[
            ("Fix\n\nBody.\n", false),
            (
                "Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
                true,
            ),
            (
                "Fix\n\nAI-Assisted-by: claude:opus-4\nReviewed-by: R <r@x>\n",
                true,
            ),
        ];
        for (msg, want) in cases {
            let a = assess(&policy, &facts(msg), false);
            assert_eq!(needs_paths(&policy, &a, Stage::Ci), *want, "{msg:?}");
        }
    }

    /// Classes of paths that are not look-alikes.
    fn classes<'a>(paths: &[(&'a [u8], usize)]) -> Vec<(&'a [u8], Class)> {
        paths
            .iter()
            .map(|&(p, tier)| {
                (
                    p,
                    Class {
                        tier,
                        lookalike: false,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn lookalike_paths_of_a_forbidden_tier() {
        let policy = policy();
        let look = |tier| Class {
            tier,
            lookalike: true,
        };
        let plain = |tier| Class {
            tier,
            lookalike: false,
        };
        let paths: &[(&[u8], Class)] = &[
            (b"CRYPTO/aes.c", look(0)),
            (b"crypto/x.c", plain(0)),
            (b"Target/a.c", look(1)),
            (b"crypto./b.c", look(0)),
        ];
        // Not AI-assisted: nothing.
        assert!(judge_paths(&policy, &assessment(&[], false), paths, Stage::Ci).is_empty());
        let v = judge_paths(
            &policy,
            &assessment(&["AI-Assisted-by"], false),
            paths,
            Stage::Ci,
        );
        check_shape(&v);
        let summary: Vec<_> = v
            .iter()
            .map(|v| (v.rule.as_str(), v.tier.as_deref(), v.paths.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "ai-forbidden-tier",
                    Some("critical"),
                    vec![b"crypto/x.c".to_vec()]
                ),
                (
                    "missing-required-trailer",
                    Some("core"),
                    vec![b"Target/a.c".to_vec()]
                ),
                (
                    "lookalike-path",
                    Some("critical"),
                    vec![b"CRYPTO/aes.c".to_vec(), b"crypto./b.c".to_vec()]
                ),
            ]
        );
        assert_eq!(
            v[2].message,
            "AI-assisted commit touches 2 paths that case-insensitive or normalising file systems (macOS, Windows) check out into tier 'critical' (ai: forbidden)"
        );
    }

    #[test]
    fn path_rules() {
        let policy = policy();
        let paths = &classes(&[
            (b"crypto/aes.c", 0),
            (b"docs/index.md", 2),
            (b"target/arm/cpu.c", 1),
            (b"hw/virtio/net.c", 0),
            (b"crypto/aes.c", 0),
            (b"weird", 99),
        ]);
        // Not AI-assisted: nothing.
        assert!(judge_paths(&policy, &assessment(&[], false), paths, Stage::Ci).is_empty());

        let v = judge_paths(
            &policy,
            &assessment(&["AI-Assisted-by"], false),
            paths,
            Stage::Ci,
        );
        check_shape(&v);
        let summary: Vec<_> = v
            .iter()
            .map(|v| (v.rule.as_str(), v.tier.as_deref(), v.paths.len()))
            .collect();
        assert_eq!(
            summary,
            [
                ("ai-forbidden-tier", Some("critical"), 2),
                ("missing-required-trailer", Some("core"), 2),
            ]
        );
        assert_eq!(
            v[0].paths,
            [b"crypto/aes.c".to_vec(), b"hw/virtio/net.c".to_vec()]
        );
        assert!(v[0].message.contains("2 paths"), "{}", v[0].message);
        assert_eq!(
            v[1].paths,
            [b"target/arm/cpu.c".to_vec(), b"weird".to_vec()]
        );
        assert!(v[1].message.contains("`Reviewed-by:`"), "{}", v[1].message);

        // The required trailer present: only the forbidden tier.
        let a = assessment(&["AI-Assisted-by", "Reviewed-by"], false);
        let v = judge_paths(&policy, &a, paths, Stage::Ci);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].rule, RuleCode::AiForbiddenTier);

        // Only open paths: nothing.
        let v = judge_paths(
            &policy,
            &a,
            &classes(&[(b"docs/a.md", 2), (b"tests/b.c", 2)]),
            Stage::Ci,
        );
        assert!(v.is_empty());

        // Marked (not declared) counts as AI-assisted; two forbidden tiers
        // give one violation each, in policy order.
        let mut two = policy.clone();
        two.tiers
            .push(tier("secret", AiRule::Forbidden, &["Reviewed-by"]));
        let v = judge_paths(
            &two,
            &assessment(&[], true),
            &classes(&[(b"s/x", 3), (b"crypto/a", 0), (b"s/y", 3)]),
            Stage::Ci,
        );
        let summary: Vec<_> = v
            .iter()
            .map(|v| (v.rule.as_str(), v.tier.as_deref(), v.paths.len()))
            .collect();
        assert_eq!(
            summary,
            [
                ("ai-forbidden-tier", Some("critical"), 1),
                ("ai-forbidden-tier", Some("secret"), 2),
            ]
        );
    }

    #[test]
    fn sort_merged_lists() {
        let v = |rule, line| Violation {
            rule,
            message: String::new(),
            tier: None,
            paths: Vec::new(),
            line,
            fix: Fix::RecreateCommit,
        };
        let mut list = vec![
            v(RuleCode::NearMissKey, Some(3)),
            v(RuleCode::UndeclaredAi, Some(5)),
            v(RuleCode::AiForbiddenTier, None),
            v(RuleCode::NearMissKey, Some(1)),
        ];
        sort_violations(&mut list);
        let got: Vec<_> = list.iter().map(|v| (v.rule, v.line)).collect();
        assert_eq!(
            got,
            [
                (RuleCode::AiForbiddenTier, None),
                (RuleCode::UndeclaredAi, Some(5)),
                (RuleCode::NearMissKey, Some(1)),
                (RuleCode::NearMissKey, Some(3)),
            ]
        );
    }

    /// No input makes the engine panic: non-UTF-8 bytes, NULs, CRs,
    /// dividers, lone colons, truncated multi-byte sequences.
    #[test]
    fn arbitrary_bytes_do_not_panic() {
        let mut policy = policy();
        policy.signoff.required = true;
        let pieces: &[&[u8]] = &[
            b"\n",
            b"\n\n",
            b":",
            b" ",
            b"\t",
            b"\r",
            b"-",
            b"---",
            b"\xff",
            b"\xe2\x80",
            b"\0",
            b"AI-Assisted-by",
            b"Co-authored-by",
            b"Signed-off-by",
            b"Claude <noreply@anthropic.com>",
            "\u{ff1a}".as_bytes(),
            "\u{200b}".as_bytes(),
            "\u{410}".as_bytes(),
            b"x",
            b"<",
            b">",
            b"Generated with ",
            b"[Claude Code]",
            b"# ",
            b"(aider)",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let mut msg = Vec::new();
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let n = (seed >> 59) as usize;
            for _ in 0..n {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                msg.extend_from_slice(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let f = CommitFacts {
                message: msg.clone(),
                author: Identity {
                    name: msg.clone(),
                    email: msg.iter().rev().copied().collect(),
                },
                ..Default::default()
            };
            for no_divider in [false, true] {
                let a = assess(&policy, &f, no_divider);
                let _ = needs_paths(&policy, &a, Stage::Ci);
                let _ = judge_paths(&policy, &a, &classes(&[(b"\xff", 0), (b"", 7)]), Stage::Ci);
            }
        }
    }

    #[test]
    fn tree_too_deep_names_depth_and_both_ends_of_the_path() {
        let prefix = "d/".repeat(2049).into_bytes();
        let v = tree_too_deep(2049, 2048, &prefix);
        assert_eq!(v.rule, RuleCode::TreeTooDeep);
        let ends = format!("{}...{}", "d/".repeat(20), "d/".repeat(15));
        assert_eq!(
            v.message,
            format!("directory `{ends}` is nested 2049 levels deep, deeper than git's core.maxTreeDepth (2048); the paths below it cannot be listed")
        );
        assert!(v.paths.is_empty() && v.tier.is_none() && v.line.is_none());
        assert!(v
            .fix
            .to_string()
            .starts_with("Flatten the directory layout"));
        // git's own refusal (SHA-256 repositories) names no path.
        let v = tree_too_deep(2049, 2048, b"");
        assert!(v
            .message
            .starts_with("the commit changes a directory nested deeper than 2048 levels"));
        assert_eq!(abbreviated(b"crypto/aes/"), "crypto/aes/");
        assert_eq!(
            RuleCode::from_code("tree-too-deep"),
            Some(RuleCode::TreeTooDeep)
        );
    }

    /// The policy of [`policy`] with `declaration.value` written per key.
    fn per_key(patterns: &[(&str, &str)]) -> Policy {
        let mut p = policy();
        p.declaration.value = None;
        p.declaration.values = patterns
            .iter()
            .map(|(key, pattern)| crate::policy::KeyValue {
                key: (*key).to_owned(),
                pattern: crate::policy::ValuePattern::preset(pattern).unwrap_or_else(|| {
                    crate::policy::ValuePattern::Regex(Regex::new(pattern).expect("regex"))
                }),
            })
            .collect();
        p
    }

    #[test]
    fn value_patterns_per_key_and_the_rewrite_hint() {
        let kernel = per_key(&[("Assisted-by", "kernel"), ("AI-used-for", "free-text")]);
        let free = per_key(&[("Assisted-by", "free-text")]);
        let opus = facts("Fix foo\n\nAssisted-by: Claude Opus 4.6\n");
        // git's mailing list writes it so: free text accepts it.
        assert!(assess(&free, &opus, false).violations.is_empty());
        // The kernel's form refuses it, and the fix shows it rewritten.
        let a = assess(&kernel, &opus, false);
        assert_eq!(codes(&a), ["malformed-declaration"]);
        let v = &a.violations[0];
        assert_eq!(
            v.message,
            "declaration 'Assisted-by: Claude Opus 4.6' is not in the kernel's form AGENT:MODEL [tools]"
        );
        assert_eq!(
            v.fix.to_string(),
            "Rewrite it as 'Assisted-by: Claude:opus-4.6' (AGENT:MODEL, then any tools)."
        );
        assert_eq!(v.line, Some(2));
        // The kernel's own example, space in the agent name and all.
        let copilot = facts("Fix foo\n\nAssisted-by: GitHub Copilot:claude-sonnet-4.6\n");
        assert!(assess(&kernel, &copilot, false).violations.is_empty());
        // QEMU's draft: free text under AI-used-for; a key without its own
        // pattern takes any non-empty value.
        let qemu = facts(
            "Fix foo\n\nAI-used-for: generating the test skeleton\nAI-Assisted-by: whatever\n",
        );
        assert!(assess(&kernel, &qemu, false).violations.is_empty());
        // Nothing sensible to rewrite: the fix shows the form.
        let one = assess(&kernel, &facts("Fix foo\n\nAssisted-by: claude\n"), false);
        assert_eq!(
            one.violations[0].fix.to_string(),
            "Write the value of 'Assisted-by:' as AGENT:MODEL [tools], e.g. 'Assisted-by: Claude:opus-4.6 [checkpatch]'."
        );
        // A policy regex: the rewrite is offered only when it matches.
        let regex = per_key(&[("Assisted-by", r"^\S+:\S+")]);
        let a = assess(&regex, &opus, false);
        assert_eq!(
            a.violations[0].fix.to_string(),
            r"Rewrite it as 'Assisted-by: Claude:opus-4.6' (the value must match /^\S+:\S+/)."
        );
    }

    #[test]
    fn forbidden_trailers_policy_wide_and_per_tier() {
        let mut p = policy();
        p.forbidden_trailers = vec!["Change-Id".to_owned()];
        p.tiers[2].forbidden_trailers = vec!["Reviewed-by".to_owned()];
        // Policy-wide: a message rule, AI-assisted or not.
        let a = assess(&p, &facts("Fix foo\n\nchange-id: I123\n"), false);
        assert_eq!(codes(&a), ["forbidden-trailer"]);
        assert_eq!(
            a.violations[0].message,
            "trailer 'change-id:' is forbidden by the policy"
        );
        assert_eq!(a.violations[0].line, Some(2));
        // Per tier: only for a commit touching the tier, human or not.
        let human = assessment(&["Reviewed-by"], false);
        assert!(needs_paths(&p, &human, Stage::Ci));
        let open = [(
            b"docs/a.md".as_slice(),
            Class {
                tier: 2,
                lookalike: false,
            },
        )];
        let core = [(
            b"hw/a.c".as_slice(),
            Class {
                tier: 1,
                lookalike: false,
            },
        )];
        let v = judge_paths(&p, &human, &open, Stage::Ci);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].rule, RuleCode::ForbiddenTrailer);
        assert_eq!(v[0].tier.as_deref(), Some("open"));
        assert_eq!(
            v[0].message,
            "trailer 'Reviewed-by:' is forbidden in tier 'open', which the commit touches: 1 path"
        );
        check_shape(&v);
        assert!(judge_paths(&p, &human, &core, Stage::Ci).is_empty());
        assert!(!needs_paths(
            &p,
            &assessment(&["Acked-by"], false),
            Stage::Ci
        ));
    }

    #[test]
    fn any_of_requirements() {
        let mut p = policy();
        p.tiers[1].require = Vec::new();
        p.tiers[1].require_any = vec![crate::policy::AnyOf(vec![
            "Reviewed-by".to_owned(),
            "Acked-by".to_owned(),
        ])];
        let core = [(
            b"hw/a.c".as_slice(),
            Class {
                tier: 1,
                lookalike: false,
            },
        )];
        for (keys, missing) in [
            (&["AI-Assisted-by"][..], true),
            (&["AI-Assisted-by", "Acked-by"][..], false),
            (&["AI-Assisted-by", "reviewed-by"][..], false),
        ] {
            let a = assessment(keys, false);
            let v = judge_paths(&p, &a, &core, Stage::Ci);
            assert_eq!(v.len(), usize::from(missing), "{keys:?}: {v:?}");
            let mut no_forbidden = p.clone();
            no_forbidden.tiers[0].ai = AiRule::Allowed;
            assert_eq!(
                needs_paths(&no_forbidden, &a, Stage::Ci),
                missing,
                "{keys:?}"
            );
        }
        let v = judge_paths(
            &p,
            &assessment(&["AI-Assisted-by"], false),
            &core,
            Stage::Ci,
        );
        assert_eq!(v[0].rule, RuleCode::MissingRequiredTrailer);
        assert_eq!(
            v[0].message,
            "AI-assisted commit touches tier 'core' but lacks one of `Reviewed-by:` or `Acked-by:`"
        );
        check_shape(&v);
    }
}
