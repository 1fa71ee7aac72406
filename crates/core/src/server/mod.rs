//! The pure parts of the server-side hook (`pre-receive`, and the
//! `reference-transaction` mode for mirrors): what git and the forge hand
//! the hook, turned into plain data, and the decision taken on it.
//!
//! Nothing here touches a repository or the process environment: the
//! environment is passed in as a lookup function, so every decision is
//! testable without a server. The hook binary (`tiergate-pre-receive`, crate
//! `tiergate-hooks`) gathers the inputs, [`crate::judge`] judges the
//! commits, and [`decide`] takes the decision.
//!
//! - [`parse_updates`]: the `<old> <new> <ref>` lines on the hook's stdin
//!   (SHA-1 or SHA-256 ids; the zero id for a creation or a deletion).
//! - [`split_path_list`]: `GIT_ALTERNATE_OBJECT_DIRECTORIES` as git writes
//!   it in a push quarantine (`:`-separated, an entry with a `:` or a
//!   leading `"` C-quoted).
//! - [`push_options`]: `git push -o ...` as `GIT_PUSH_OPTION_COUNT` /
//!   `GIT_PUSH_OPTION_<n>`; [`requested_override`] and [`decide_override`].
//! - [`pusher`]: who is pushing, from the forge's environment
//!   ([`IDENTITY_VARS`], in order of precedence).
//! - [`is_gitlab`] and [`gitlab_prefix`]: GitLab shows a hook's messages
//!   in its web UI only on lines starting `GL-HOOK-ERR: `.
//! - [`push_walk_args`]: the commits new to the repository.
//! - [`replace_ref_violations`]: the replace refs (`refs/replace/*`) a
//!   push creates or updates that `server.replace_refs` does not let
//!   through, as [`RefViolation`]s.
//! - [`decide`]: the decision on a push (accept, refuse, accept with an
//!   override, accept despite an error), its exit code, its audit record
//!   and its output; [`decide_unfinished`] for a push whose judging was
//!   cut short (a timeout, a panic).
//! - [`AuditRecord`]: the one JSON line written per push decision.
//! - [`Failure`] and [`on_error_for`]: when tiergate cannot judge a push,
//!   who could have caused it decides whether `server.on_error: allow`
//!   applies.

mod audit;
mod decision;
mod input;
mod problem;
mod refs;

pub use audit::{rfc3339_utc, AuditRecord, AuditViolation, Verdict};
pub use decision::{
    decide, decide_override, decide_unfinished, decide_unrecorded, on_error_for, unfinished_record,
    Clock, Decision, Failure, Judged, Judgement, MirrorMode, Outcome, OverrideDecision, Progress,
};
pub use input::{
    gitlab_prefix, is_gitlab, is_object_id, is_zero_id, parse_updates, push_options, pusher,
    requested_override, split_path_list, ParseError, RefUpdate, IDENTITY_VARS,
};
pub use problem::Problem;
pub use refs::{
    is_replace_ref, push_walk_args, replace_ref_violations, scoped_push_walk_args, RefViolation,
    REPLACE_REF_BASE, UNJUDGED_NAMESPACES,
};

/// Object ids and a verdict the unit tests of the server modules share.
#[cfg(test)]
mod test_data {
    use crate::judge::CommitVerdict;
    use crate::rules::{RuleCode, Violation};

    pub const A: &str = "1111111111111111111111111111111111111111";
    pub const B: &str = "2222222222222222222222222222222222222222";
    pub const Z: &str = "0000000000000000000000000000000000000000";

    /// Commit `B`, `crypto: x`, with one `ai-forbidden-tier` violation
    /// (message `m`, fix `f`) of `path` in tier `critical`.
    pub fn violating_commit(path: &[u8]) -> CommitVerdict {
        CommitVerdict {
            warnings: Vec::new(),
            id: B.to_owned(),
            title: "crypto: x".to_owned(),
            assessment: Default::default(),
            tiers: vec!["critical".to_owned()],
            paths_computed: true,
            grandfathered: false,
            stage: crate::stage::Stage::Receive,
            violations: vec![Violation {
                rule: RuleCode::AiForbiddenTier,
                message: "m".to_owned(),
                tier: Some("critical".to_owned()),
                paths: vec![path.to_vec()],
                line: None,
                fix: crate::rules::Fix::RecreateCommit,
            }],
        }
    }
}
