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
//! TODO(rules helper): implementation.

use crate::policy::Policy;
use crate::trailer::{ParseOptions, Trailer};

/// A person as git records them in a commit header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// Name as recorded (bytes: git does not enforce an encoding).
    pub name: Vec<u8>,
    /// E-mail as recorded, without the angle brackets.
    pub email: Vec<u8>,
}

/// What the rules need to know about a commit besides its paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitFacts {
    /// The full message, as stored (or as cleaned up for commit-msg).
    pub message: Vec<u8>,
    /// Author.
    pub author: Identity,
    /// Committer.
    pub committer: Identity,
}

/// Stable rule codes, used in output, JSON and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleCode {
    /// AI-assisted and touches a tier with `ai: forbidden`.
    AiForbiddenTier,
    /// AI-assisted, touches a tier whose `require` trailers are absent.
    MissingRequiredTrailer,
    /// Marked but not declared.
    UndeclaredAi,
    /// A declaration value that does not match `declaration.value`, or empty.
    MalformedDeclaration,
    /// A declaration-like line that git would not read as a trailer.
    MisplacedDeclaration,
    /// A trailer key that is almost the declaration key.
    NearMissKey,
    /// A Signed-off-by names an AI identity.
    AiSignoff,
    /// `signoff.required` and no Signed-off-by matching the author.
    MissingSignoff,
}

impl RuleCode {
    /// Every rule code, in documentation order.
    pub const ALL: [RuleCode; 8] = [
        RuleCode::AiForbiddenTier,
        RuleCode::MissingRequiredTrailer,
        RuleCode::UndeclaredAi,
        RuleCode::MalformedDeclaration,
        RuleCode::MisplacedDeclaration,
        RuleCode::NearMissKey,
        RuleCode::AiSignoff,
        RuleCode::MissingSignoff,
    ];

    /// The stable kebab-case code (`ai-forbidden-tier`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RuleCode::AiForbiddenTier => "ai-forbidden-tier",
            RuleCode::MissingRequiredTrailer => "missing-required-trailer",
            RuleCode::UndeclaredAi => "undeclared-ai",
            RuleCode::MalformedDeclaration => "malformed-declaration",
            RuleCode::MisplacedDeclaration => "misplaced-declaration",
            RuleCode::NearMissKey => "near-miss-key",
            RuleCode::AiSignoff => "ai-signoff",
            RuleCode::MissingSignoff => "missing-signoff",
        }
    }

    /// Parse a code as printed by [`RuleCode::as_str`].
    pub fn from_code(code: &str) -> Option<RuleCode> {
        RuleCode::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

impl std::fmt::Display for RuleCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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
    /// One line on how to fix it (imperative sentence).
    pub fix: String,
}

/// Evidence of AI use found in a commit (a builtin or extra marker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkerHit {
    /// Human description, e.g. `Co-authored-by: Claude <noreply@anthropic.com>`.
    pub evidence: String,
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
    /// Violations of message-only rules.
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
}

/// Step 1: judge the message and identities of a commit.
pub fn assess_message(
    policy: &Policy,
    facts: &CommitFacts,
    options: &ParseOptions,
) -> MessageAssessment {
    let _ = (policy, facts, options);
    MessageAssessment::default()
}

/// Whether the verdict on a commit with this assessment depends on its
/// changed paths (AI-assisted, and some tier is forbidden or requires
/// trailers that are missing).
pub fn needs_paths(policy: &Policy, assessment: &MessageAssessment) -> bool {
    let _ = (policy, assessment);
    false
}

/// Step 2: the tier rules. `classified` holds each changed path with the
/// index (into `policy.tiers`) of its tier.
pub fn judge_paths(
    policy: &Policy,
    assessment: &MessageAssessment,
    classified: &[(&[u8], usize)],
) -> Vec<Violation> {
    let _ = (policy, assessment, classified);
    Vec::new()
}
