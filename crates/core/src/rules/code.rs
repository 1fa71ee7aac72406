//! The stable rule codes (`ai-forbidden-tier`, ...): the names every
//! output, JSON document, policy key (`stages:`, exemptions) and `tiergate
//! explain` use. Kept apart from the rules themselves so that the policy
//! can name codes without depending on the rule engine.

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
    /// The commit's `encoding` header names a charset tiergate cannot
    /// decode, so what git shows cannot be checked (server side; see
    /// `crate::message::encoding`).
    UnreadableEncoding,
    /// The commit's header is not laid out as git writes it (a second
    /// `tree`, a stray `parent`, two `author` lines, ...): only a commit
    /// written by hand has one, and git's own readers disagree on it.
    MalformedCommit,
    /// A push creates or updates a replace ref (`refs/replace/<id>`) that
    /// `server.replace_refs` does not let through (server side; see
    /// `crate::server::replace_ref_violations`).
    ReplaceRef,
    /// The commit's tree diff meets a subtree nested deeper than git's
    /// `core.maxTreeDepth` default (see `crate::repo::MAX_TREE_DEPTH`):
    /// its changed paths cannot all be listed.
    TreeTooDeep,
    /// AI-assisted and touches a path that case-insensitive or normalising
    /// file systems check out into a tier with `ai: forbidden`
    /// (`paths.lookalikes`).
    LookalikePath,
    /// The commit carries a trailer key the policy forbids
    /// (`forbidden_trailers`, policy-wide or of a tier it touches).
    ForbiddenTrailer,
    /// A `fixup!`, `squash!` or `amend!` commit (work in progress for
    /// `git rebase --autosquash`) reached a stage where history is final
    /// (`receive` by default; see [`crate::stage`]).
    FixupCommit,
    /// Prose in the message says a tool generated the change ("generated
    /// with Claude"): a warning unless `markers.prose: error`.
    AiProse,
}

impl RuleCode {
    /// Every rule code, in documentation order.
    pub const ALL: [RuleCode; 16] = [
        RuleCode::AiForbiddenTier,
        RuleCode::MissingRequiredTrailer,
        RuleCode::UndeclaredAi,
        RuleCode::MalformedDeclaration,
        RuleCode::MisplacedDeclaration,
        RuleCode::NearMissKey,
        RuleCode::AiSignoff,
        RuleCode::MissingSignoff,
        RuleCode::UnreadableEncoding,
        RuleCode::MalformedCommit,
        RuleCode::ReplaceRef,
        RuleCode::TreeTooDeep,
        RuleCode::LookalikePath,
        RuleCode::ForbiddenTrailer,
        RuleCode::FixupCommit,
        RuleCode::AiProse,
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
            RuleCode::UnreadableEncoding => "unreadable-encoding",
            RuleCode::MalformedCommit => "malformed-commit",
            RuleCode::ReplaceRef => "replace-ref",
            RuleCode::TreeTooDeep => "tree-too-deep",
            RuleCode::LookalikePath => "lookalike-path",
            RuleCode::ForbiddenTrailer => "forbidden-trailer",
            RuleCode::FixupCommit => "fixup-commit",
            RuleCode::AiProse => "ai-prose",
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

/// A rule code serializes as its code string (`ai-forbidden-tier`), the
/// form `tiergate explain` takes and every JSON output shows.
impl serde::Serialize for RuleCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
