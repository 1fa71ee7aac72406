//! The decision on a push, as a pure function of what the hook gathered.

use super::{
    AuditRecord, AuditViolation, Problem, RefUpdate, RefViolation, Verdict, IDENTITY_VARS,
};
use crate::judge::{CommitVerdict, Summary};
use crate::message::encoding::UnreadableEncoding;
use crate::output::verdict::{self, Colour};
use crate::policy::{Mode, OnError, Policy};
use crate::rules::{Fix, RuleCode, Violation};
use serde_json::{json, Value};

/// What becomes of an override the push asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverrideDecision {
    /// The push does not ask for one.
    NotRequested,
    /// Granted: the pusher is listed and gave a reason.
    Granted {
        /// The pusher.
        user: String,
        /// The reason given.
        reason: String,
    },
    /// Refused, and why (a sentence).
    Refused {
        /// The reason given, possibly empty.
        reason: String,
        /// Why the override does not count.
        why: String,
    },
}

/// Decide an override: `requested` is [`requested_override`]'s answer,
/// `user` the pusher ([`pusher`]), `users` the policy's
/// `server.override.users`. It is granted only to a listed user (exact
/// match) who gave a non-empty reason.
pub fn decide_override(
    requested: Option<&str>,
    user: Option<&str>,
    users: &[String],
    option_key: &str,
) -> OverrideDecision {
    let Some(reason) = requested else {
        return OverrideDecision::NotRequested;
    };
    let refused = |why: String| OverrideDecision::Refused {
        reason: reason.to_owned(),
        why,
    };
    match user {
        None => refused(format!(
            "the pusher is unknown (none of {} is set), and only the policy's override users may override",
            IDENTITY_VARS.join(", ")
        )),
        Some(user) if !users.iter().any(|u| u == user) => refused(format!(
            "user '{user}' is not in the policy's server.override.users"
        )),
        Some(_) if reason.is_empty() => refused(format!(
            "an override needs a reason: git push --no-verify -o {option_key}=\"why this push must go in\" (--no-verify: a client pre-push hook refuses the push before it reaches the server)"
        )),
        Some(user) => OverrideDecision::Granted {
            user: user.to_owned(),
            reason: reason.to_owned(),
        },
    }
}

/// Why the hook could not judge a push. What matters is who can cause
/// it: `server.on_error: allow` exists so that a server's own
/// misconfiguration does not stop every push, and must not become a way
/// for a pusher to get a push accepted unchecked. See [`on_error_for`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The trusted policy is missing, unreadable or invalid. It comes
    /// from the server's config or from the default branch *before* the
    /// push: the push cannot change it.
    Policy,
    /// The audit log cannot be written (the server's configuration or
    /// file system).
    AuditLog,
    /// The hook's stdin is not what git writes. Git validates ref names
    /// before it runs the hook, so only someone running the hook by hand
    /// gets here; nothing was judged, so it refuses.
    Input,
    /// The pushed objects (or the repository) cannot be read. A pusher can
    /// send a tip whose commits or trees are missing or corrupt: git runs
    /// pre-receive even when its own connectivity check has failed.
    Objects,
    /// tiergate failed (a panic): input crafted by a pusher may trigger it.
    Internal,
    /// `server.timeout` ran out: a pusher decides how big and slow to
    /// judge a push is.
    Timeout,
}

impl Failure {
    /// The name written as the audit record's `reason`.
    pub fn as_str(self) -> &'static str {
        match self {
            Failure::Policy => "policy",
            Failure::AuditLog => "audit-log",
            Failure::Input => "input",
            Failure::Objects => "objects",
            Failure::Internal => "internal",
            Failure::Timeout => "timeout",
        }
    }

    /// Whether the pusher (not the server's own configuration) can cause
    /// this failure.
    pub fn pusher_can_cause(self) -> bool {
        !matches!(self, Failure::Policy | Failure::AuditLog)
    }
}

/// What a failure does to a push: `configured` (`server.on_error`, or git
/// config `tiergate.onError` while the policy cannot be read) applies only
/// to failures the pusher cannot cause; any other failure refuses. An
/// audit-only mirror (`tiergate.mirror: audit`) refuses nothing: it records.
pub fn on_error_for(failure: Failure, configured: OnError, audit_only_mirror: bool) -> OnError {
    if audit_only_mirror {
        OnError::Allow
    } else if failure.pusher_can_cause() {
        OnError::Reject
    } else {
        configured
    }
}

/// What `git config tiergate.mirror` makes a mirror do with violations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MirrorMode {
    /// `audit` (the default): record them and let the update through; a
    /// failure is recorded and refuses nothing either.
    Audit,
    /// `enforce`: refuse the update (the fetch fails for those refs).
    Enforce,
}

/// What the hook knows of a push so far: who pushes what where, and the
/// settings in force. The main thread fills it in as it gathers; the
/// watchdog and the panic handler decide on what it holds when judging
/// is cut short ([`decide_unfinished`]).
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// `None` for `pre-receive`; a mirror's `reference-transaction` hook
    /// and its `tiergate.mirror`.
    pub mirror: Option<MirrorMode>,
    /// The repository (its git directory).
    pub repo: String,
    /// The pusher and the variable that named them.
    pub user: Option<(String, &'static str)>,
    /// The ref updates (empty when stdin was not parsed yet).
    pub refs: Vec<RefUpdate>,
    /// Where the policy came from (once read).
    pub policy: Option<String>,
    /// `server.on_error` (or `tiergate.onError`) as far as known.
    pub on_error: OnError,
    /// Commits judged so far.
    pub commits_checked: usize,
}

impl Progress {
    /// The hook's name in the audit record: `pre-receive`, or
    /// `reference-transaction` for a mirror.
    pub fn hook(&self) -> &'static str {
        match self.mirror {
            None => "pre-receive",
            Some(_) => "reference-transaction",
        }
    }

    /// Whether this is an audit-only mirror, which never refuses.
    pub fn audit_only_mirror(&self) -> bool {
        self.mirror == Some(MirrorMode::Audit)
    }

    /// The audit record of a decision on this push.
    fn record(&self, verdict: Verdict, accepted: bool, clock: Clock) -> AuditRecord {
        AuditRecord {
            time: clock.time,
            hook: self.hook(),
            repo: self.repo.clone(),
            user: self.user.clone(),
            refs: self.refs.clone(),
            policy: self.policy.clone(),
            commits_checked: self.commits_checked,
            verdict,
            accepted,
            violations: Vec::new(),
            override_: OverrideDecision::NotRequested,
            error: None,
            reason: None,
            elapsed_ms: clock.elapsed_ms,
        }
    }
}

/// When a decision is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    /// Seconds since the Unix epoch.
    pub time: u64,
    /// Milliseconds since the hook started.
    pub elapsed_ms: u64,
}

/// The record of a push whose judging was cut short by `failure` (a
/// timeout, a panic) at `time` (seconds since the epoch), `elapsed_ms`
/// after the hook started, with the error message `error`: refused
/// unless [`on_error_for`] allows it, no violations (judging did not
/// finish), `commits_checked` saying how far it got.
pub fn unfinished_record(
    progress: &Progress,
    failure: Failure,
    error: String,
    time: u64,
    elapsed_ms: u64,
) -> AuditRecord {
    let accepted =
        on_error_for(failure, progress.on_error, progress.audit_only_mirror()) == OnError::Allow;
    AuditRecord {
        error: Some(error),
        reason: Some(failure),
        ..progress.record(Verdict::Error, accepted, Clock { time, elapsed_ms })
    }
}

/// What judging a push found: the verdicts the decision is taken on.
#[derive(Debug, Clone)]
pub struct Judged {
    /// The policy in force (its `mode`, `server.override` and the wording
    /// of the summary).
    pub policy: Policy,
    /// The judged commits that have violations, in the order judged.
    pub commits: Vec<CommitVerdict>,
    /// A commit in an encoding tiergate cannot read, which ended the
    /// judging: its id and encoding.
    pub unreadable: Option<(String, UnreadableEncoding)>,
    /// The counts of the judging.
    pub summary: Summary,
    /// The violations of refs (replace refs), not of commits.
    pub refs: Vec<RefViolation>,
    /// The reason given with the override push option, when the push asks
    /// for one ([`requested_override`](super::requested_override)).
    pub override_requested: Option<String>,
}

/// How judging a push ended.
#[derive(Debug, Clone)]
pub enum Judgement {
    /// Every commit and ref was judged.
    Judged(Box<Judged>),
    /// tiergate could not judge: why, and who could have caused it.
    Failed(Problem, Failure),
}

/// What the decision does with the push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No violations (or nothing to judge): accepted.
    Accept,
    /// Violations, accepted: `mode: warn`, or an audit-only mirror.
    AcceptWithWarnings,
    /// Violations, accepted through a granted override.
    AcceptWithOverride,
    /// Violations: refused.
    Refuse,
    /// tiergate could not judge, and the failure is the server's own with
    /// `server.on_error: allow` (or this is an audit-only mirror).
    AcceptDespiteError,
    /// tiergate could not judge: refused (fail closed).
    RefuseOnError,
}

/// The decision on a push: what becomes of it, the hook's exit code, the
/// audit record to write, and what to print for the pusher.
#[derive(Debug, Clone)]
pub struct Decision {
    /// What becomes of the push.
    pub outcome: Outcome,
    /// The exit code: 0 accepted, 1 violations, 2 usage or policy error,
    /// 3 git or I/O error.
    pub code: u8,
    /// The audit record (`None` when nothing is to be recorded: nothing
    /// was decided, the audit log is not known yet, or it is recorded
    /// already).
    pub record: Option<AuditRecord>,
    /// The output for the pusher (without the GitLab prefix).
    pub text: String,
    /// `server.on_error` and the mirror mode, for [`Decision::unrecorded`].
    on_error: OnError,
    audit_only_mirror: bool,
}

impl Decision {
    /// The decision of a hook run with nothing to decide (a
    /// `reference-transaction` state other than `prepared`): accepted,
    /// silent, not recorded.
    pub fn nothing_to_decide() -> Decision {
        Decision {
            outcome: Outcome::Accept,
            code: 0,
            record: None,
            text: String::new(),
            on_error: OnError::Reject,
            audit_only_mirror: false,
        }
    }

    /// Whether the push is accepted.
    pub fn accepted(&self) -> bool {
        self.code == 0
    }

    /// The decision once its record could not be written (`problem` says
    /// why): a decision that cannot be recorded is not taken, so an
    /// accepted push is refused, unless [`on_error_for`] allows an audit
    /// log failure.
    pub fn unrecorded(mut self, problem: &Problem) -> Decision {
        let failed = failure_decision(
            problem,
            Failure::AuditLog,
            self.on_error,
            self.audit_only_mirror,
        );
        self.text.push_str(&failed.text);
        if self.accepted() && !failed.accepted() {
            self.code = failed.code;
            self.outcome = Outcome::RefuseOnError;
        }
        self
    }
}

/// The decision on a push: `known` is what the hook gathered (the push,
/// the pusher, `server.on_error`, the mirror mode), `judgement` how
/// judging ended, `clock` when.
///
/// | judgement | hook, settings | outcome | exit |
/// |---|---|---|---|
/// | no violations | any | accept | 0 |
/// | violations | audit-only mirror | accept with warnings | 0 |
/// | violations | enforcing mirror | refuse | 1 |
/// | violations | `mode: warn` | accept with warnings | 0 |
/// | violations | override granted | accept with override | 0 |
/// | violations | no override, or refused | refuse | 1 |
/// | failure | [`on_error_for`] allows | accept despite error | 0 |
/// | failure | otherwise | refuse on error | the problem's (2, 3) |
pub fn decide(known: &Progress, judgement: Judgement, clock: Clock) -> Decision {
    match judgement {
        Judgement::Failed(problem, failure) => {
            let mut decision =
                failure_decision(&problem, failure, known.on_error, known.audit_only_mirror());
            decision.record = Some(AuditRecord {
                error: Some(problem.summary()),
                reason: Some(failure),
                ..known.record(Verdict::Error, decision.accepted(), clock)
            });
            decision
        }
        Judgement::Judged(judged) => decide_judged(known, *judged, clock),
    }
}

/// [`decide`] on a push that was judged to the end.
fn decide_judged(known: &Progress, judged: Judged, clock: Clock) -> Decision {
    let policy = &judged.policy;
    let mut text = String::new();
    let mut violations = Vec::new();
    for verdict in &judged.commits {
        text.push_str(&verdict::human_commit(verdict, policy.mode, Colour::Never));
        violations.extend(AuditRecord::violations_of(verdict));
    }
    if let Some((id, encoding)) = &judged.unreadable {
        let (line, record) = unreadable_encoding(id, encoding);
        text.push_str(&line);
        violations.push(record);
    }
    for violation in &judged.refs {
        text.push_str(&violation.human());
        violations.push(violation.to_json());
    }
    let known = Progress {
        commits_checked: judged.summary.commits_checked,
        ..known.clone()
    };
    let mut override_ = OverrideDecision::NotRequested;
    let (outcome, verdict) = if judged.summary.violations == 0 && judged.refs.is_empty() {
        (Outcome::Accept, Verdict::Pass)
    } else {
        if judged.summary.violations > 0 {
            text.push_str(&verdict::human_summary(&judged.summary, policy));
            text.push('\n');
        }
        if !judged.refs.is_empty() {
            text.push_str(&ref_summary(judged.refs.len(), policy.mode));
            text.push('\n');
        }
        let refs: Vec<&str> = known.refs.iter().map(|u| u.refname.as_str()).collect();
        let refs = refs.join(", ");
        match known.mirror {
            Some(MirrorMode::Audit) => {
                text.push_str(&format!(
                    "tiergate: mirror update accepted and recorded (tiergate.mirror: audit) ({refs})\n"
                ));
                (Outcome::AcceptWithWarnings, Verdict::Warn)
            }
            Some(MirrorMode::Enforce) => {
                text.push_str(&format!(
                    "tiergate: mirror update refused (tiergate.mirror: enforce); refs not updated ({refs})\n"
                ));
                (Outcome::Refuse, Verdict::Fail)
            }
            None if policy.mode == Mode::Warn => (Outcome::AcceptWithWarnings, Verdict::Warn),
            None => {
                let key = &policy.server.override_.push_option;
                override_ = decide_override(
                    judged.override_requested.as_deref(),
                    known.user.as_ref().map(|(u, _)| u.as_str()),
                    &policy.server.override_.users,
                    key,
                );
                match &override_ {
                    OverrideDecision::Granted { user, reason } => {
                        text.push_str(&format!(
                            "tiergate: override by {user} accepted: \"{reason}\" (recorded in the audit log)\n"
                        ));
                        (Outcome::AcceptWithOverride, Verdict::Override)
                    }
                    refused => {
                        if let OverrideDecision::Refused { why, .. } = refused {
                            text.push_str(&format!("tiergate: override refused: {why}\n"));
                        }
                        text.push_str(&format!(
                            "tiergate: push rejected ({refs}); no ref was updated\n"
                        ));
                        text.push_str("Hint: Fix the commits above (`git rebase -i` with `reword`, or `edit` to split one) and push again; `tiergate explain <rule>` says more.\n");
                        (Outcome::Refuse, Verdict::Fail)
                    }
                }
            }
        }
    };
    let accepted = outcome != Outcome::Refuse;
    Decision {
        outcome,
        code: if accepted { 0 } else { 1 },
        record: Some(AuditRecord {
            violations,
            override_,
            ..known.record(verdict, accepted, clock)
        }),
        text,
        on_error: known.on_error,
        audit_only_mirror: known.audit_only_mirror(),
    }
}

/// The decision on a push whose judging was cut short by `failure` (a
/// timeout, a panic): [`unfinished_record`], refused unless
/// [`on_error_for`] allows it. `commits_checked` is how far judging got.
pub fn decide_unfinished(
    known: &Progress,
    problem: &Problem,
    failure: Failure,
    clock: Clock,
) -> Decision {
    let mut decision =
        failure_decision(problem, failure, known.on_error, known.audit_only_mirror());
    decision.record = Some(unfinished_record(
        known,
        failure,
        problem.summary(),
        clock.time,
        clock.elapsed_ms,
    ));
    decision
}

/// The decision of a failure that is not recorded (`known` is `None`
/// before the audit log is known, and then `server.on_error` is not
/// either: it refuses; or the decision is recorded already).
pub fn decide_unrecorded(
    problem: &Problem,
    failure: Failure,
    known: Option<&Progress>,
) -> Decision {
    match known {
        Some(known) => {
            failure_decision(problem, failure, known.on_error, known.audit_only_mirror())
        }
        None => failure_decision(problem, failure, OnError::Reject, false),
    }
}

/// A failure's decision without a record: refused with `problem`'s exit
/// code or, when [`on_error_for`] allows it, accepted with a note.
fn failure_decision(
    problem: &Problem,
    failure: Failure,
    configured: OnError,
    audit_only_mirror: bool,
) -> Decision {
    let mut text = problem.render();
    let (outcome, code) = match on_error_for(failure, configured, audit_only_mirror) {
        OnError::Reject => {
            text.push_str("tiergate: push rejected: tiergate could not check it (fail closed)\n");
            if configured == OnError::Allow {
                text.push_str("tiergate: server.on_error: allow does not apply: a push can cause this failure\n");
            }
            (Outcome::RefuseOnError, problem.code())
        }
        OnError::Allow => {
            text.push_str("tiergate: accepted without a check (server.on_error: allow)\n");
            (Outcome::AcceptDespiteError, 0)
        }
    };
    Decision {
        outcome,
        code,
        record: None,
        text,
        on_error: configured,
        audit_only_mirror,
    }
}

/// The report block and audit violation of a commit in an encoding
/// tiergate cannot read (see [`crate::message::encoding`]).
fn unreadable_encoding(id: &str, e: &UnreadableEncoding) -> (String, Value) {
    let fix = Fix::ReEncode;
    let message = format!("commit declares encoding `{}`, which tiergate cannot read: what git shows cannot be checked", e.label);
    let line = format!(
        "error[{}]: commit {}\n  {message}\n  fix: {fix}\n\n",
        RuleCode::UnreadableEncoding,
        &id[..12.min(id.len())]
    );
    // No title: it is in the encoding tiergate cannot read.
    let violation = Violation {
        rule: RuleCode::UnreadableEncoding,
        message,
        tier: None,
        paths: Vec::new(),
        line: None,
        fix,
    };
    let record = json!(AuditViolation {
        commit: Some(id),
        title: None,
        refname: None,
        object: None,
        violation: &violation,
    });
    (line, record)
}

/// The summary line of the violations of refs (not of commits), like
/// [`verdict::human_summary`]'s: `tiergate: 1 violation in 1 ref`.
fn ref_summary(count: usize, mode: Mode) -> String {
    let (violations, refs) = if count == 1 {
        ("violation", "ref")
    } else {
        ("violations", "refs")
    };
    let mut line = format!("tiergate: {count} {violations} in {count} {refs}");
    if mode == Mode::Warn {
        line.push_str("; mode: warn, not failing");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::test_data::{A, B};

    #[test]
    fn override_decisions() {
        let users = vec!["alice".to_owned()];
        let k = "tiergate.override";
        assert_eq!(
            decide_override(None, Some("alice"), &users, k),
            OverrideDecision::NotRequested
        );
        assert_eq!(
            decide_override(Some("hotfix"), Some("alice"), &users, k),
            OverrideDecision::Granted {
                user: "alice".into(),
                reason: "hotfix".into()
            }
        );
        assert!(matches!(
            decide_override(Some(""), Some("alice"), &users, k),
            OverrideDecision::Refused { why, .. } if why.contains("needs a reason")
        ));
        assert!(matches!(
            decide_override(Some("x"), Some("bob"), &users, k),
            OverrideDecision::Refused { why, .. } if why.contains("'bob' is not in")
        ));
        assert!(matches!(
            decide_override(Some("x"), None, &users, k),
            OverrideDecision::Refused { why, .. } if why.contains("unknown")
        ));
    }

    #[test]
    fn on_error_allow_covers_only_the_servers_own_failures() {
        use Failure::*;
        for failure in [Policy, AuditLog] {
            assert!(!failure.pusher_can_cause());
            assert_eq!(on_error_for(failure, OnError::Allow, false), OnError::Allow);
            assert_eq!(
                on_error_for(failure, OnError::Reject, false),
                OnError::Reject
            );
        }
        for failure in [Input, Objects, Internal, Timeout] {
            assert!(failure.pusher_can_cause(), "{failure:?}");
            assert_eq!(
                on_error_for(failure, OnError::Allow, false),
                OnError::Reject,
                "{failure:?}"
            );
        }
        // An audit-only mirror records and never refuses.
        assert_eq!(on_error_for(Timeout, OnError::Reject, true), OnError::Allow);
    }

    #[test]
    fn a_timeout_is_recorded_as_refused_whatever_on_error_says() {
        let progress = Progress {
            mirror: None,
            repo: "/srv/r.git".into(),
            user: Some(("bob".into(), "REMOTE_USER")),
            refs: vec![RefUpdate {
                old: A.into(),
                new: B.into(),
                refname: "refs/heads/main".into(),
            }],
            policy: Some("HEAD:policy.yaml".into()),
            on_error: OnError::Allow,
            commits_checked: 17,
        };
        let record = unfinished_record(
            &progress,
            Failure::Timeout,
            "timed out after 300ms (server.timeout)".into(),
            1_700_000_000,
            301,
        );
        let v = record.to_json();
        assert_eq!(v["verdict"], "error");
        assert_eq!(v["accepted"], false);
        assert_eq!(v["reason"], "timeout");
        assert_eq!(v["commits_checked"], 17);
        assert_eq!(v["elapsed_ms"], 301);
        assert_eq!(v["refs"][0]["ref"], "refs/heads/main");
        assert_eq!(v["error"], "timed out after 300ms (server.timeout)");
        assert_eq!(v["violations"], json!([]));
        // A panic on an audit-only mirror is recorded and accepted.
        let mirror = Progress {
            mirror: Some(MirrorMode::Audit),
            ..progress
        };
        let record = unfinished_record(&mirror, Failure::Internal, "boom".into(), 0, 0);
        assert!(record.accepted);
        assert_eq!(record.to_json()["reason"], "internal");
    }
}

/// The decision table ([`decide`]'s doc, docs/server.md "How the decision
/// is made"), over every combination of its inputs.
#[cfg(test)]
mod table {
    use super::*;
    use crate::policy::from_yaml;
    use crate::server::test_data::{violating_commit, A, B, Z};

    /// What judging found, or how it failed.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Found {
        Clean,
        CommitViolation,
        ReplaceRef,
        Unreadable,
        Failed(Failure),
    }

    /// The override the push asks for, and who pushes.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Asked {
        Absent,
        Granted,
        Unauthorised,
        NoReason,
        UnknownPusher,
    }

    const FAILURES: [Failure; 6] = [
        Failure::Policy,
        Failure::AuditLog,
        Failure::Input,
        Failure::Objects,
        Failure::Internal,
        Failure::Timeout,
    ];

    fn every_found() -> Vec<Found> {
        let mut all = vec![
            Found::Clean,
            Found::CommitViolation,
            Found::ReplaceRef,
            Found::Unreadable,
        ];
        all.extend(FAILURES.map(Found::Failed));
        all
    }

    /// The exit code a failure's problem refuses with (as the hook makes
    /// them: 2 for input and policy, 3 for git and I/O).
    fn problem_code(failure: Failure) -> u8 {
        match failure {
            Failure::Policy | Failure::Input => 2,
            _ => 3,
        }
    }

    /// The policy under `mode` (parsed once per mode: the table asks
    /// hundreds of times).
    fn policy(mode: Mode) -> Policy {
        static POLICIES: std::sync::LazyLock<[Policy; 2]> = std::sync::LazyLock::new(|| {
            ["enforce", "warn"].map(|mode| {
                let yaml = format!("version: 1\nmode: {mode}\ntiers:\n  - {{ name: open, paths: [x/] }}\nserver:\n  override:\n    users: [alice]\n");
                from_yaml(yaml.as_bytes(), "HEAD:policy.yaml").expect("valid policy")
            })
        });
        let policy = &POLICIES[usize::from(mode == Mode::Warn)];
        assert_eq!(policy.mode, mode);
        policy.clone()
    }

    fn known(mirror: Option<MirrorMode>, on_error: OnError, asked: Asked) -> Progress {
        let user = match asked {
            Asked::UnknownPusher => None,
            Asked::Unauthorised => Some(("bob".to_owned(), "REMOTE_USER")),
            _ => Some(("alice".to_owned(), "REMOTE_USER")),
        };
        Progress {
            mirror,
            repo: "/srv/r.git".into(),
            user,
            refs: vec![
                RefUpdate {
                    old: A.into(),
                    new: B.into(),
                    refname: "refs/heads/main".into(),
                },
                RefUpdate {
                    old: Z.into(),
                    new: B.into(),
                    refname: format!("refs/replace/{A}"),
                },
            ],
            policy: Some("HEAD:policy.yaml".into()),
            on_error,
            commits_checked: 0,
        }
    }

    fn judgement(found: Found, mode: Mode, asked: Asked) -> Judgement {
        let override_requested = match asked {
            Asked::Absent => None,
            Asked::NoReason => Some(String::new()),
            _ => Some("hotfix".to_owned()),
        };
        let mut judged = Judged {
            policy: policy(mode),
            commits: Vec::new(),
            unreadable: None,
            summary: Summary {
                commits_checked: 3,
                ..Summary::default()
            },
            refs: Vec::new(),
            override_requested,
        };
        match found {
            Found::Clean => {}
            Found::CommitViolation => {
                judged.commits.push(violating_commit(b"crypto/aes.c"));
                judged.summary.commits_failed = 1;
                judged.summary.violations = 1;
            }
            Found::ReplaceRef => {
                let updates = known(None, OnError::Reject, asked).refs;
                judged.refs = crate::server::replace_ref_violations(
                    &updates,
                    None,
                    crate::policy::ReplaceRefs::Refuse,
                    |_| true,
                );
            }
            Found::Unreadable => {
                judged.unreadable = Some((
                    A.to_owned(),
                    UnreadableEncoding {
                        label: "x-klingon".into(),
                    },
                ));
                judged.summary = Summary {
                    commits_checked: 0,
                    commits_failed: 1,
                    violations: 1,
                    ..Summary::default()
                };
            }
            Found::Failed(failure) => {
                let problem = Problem::new(problem_code(failure), "tiergate: it failed")
                    .caused_by(&std::io::Error::other("because"));
                return Judgement::Failed(problem, failure);
            }
        }
        Judgement::Judged(Box::new(judged))
    }

    /// The table, row by row, first match wins.
    fn expected(
        found: Found,
        mirror: Option<MirrorMode>,
        mode: Mode,
        asked: Asked,
        on_error: OnError,
    ) -> (Outcome, u8, Verdict) {
        use Outcome::*;
        match (found, mirror, mode, asked) {
            (Found::Failed(_), Some(MirrorMode::Audit), ..) => {
                (AcceptDespiteError, 0, Verdict::Error)
            }
            (Found::Failed(Failure::Policy | Failure::AuditLog), ..)
                if on_error == OnError::Allow =>
            {
                (AcceptDespiteError, 0, Verdict::Error)
            }
            (Found::Failed(f), ..) => (RefuseOnError, problem_code(f), Verdict::Error),
            (Found::Clean, ..) => (Accept, 0, Verdict::Pass),
            (_, Some(MirrorMode::Audit), ..) => (AcceptWithWarnings, 0, Verdict::Warn),
            (_, Some(MirrorMode::Enforce), ..) => (Refuse, 1, Verdict::Fail),
            (_, None, Mode::Warn, _) => (AcceptWithWarnings, 0, Verdict::Warn),
            (_, None, Mode::Enforce, Asked::Granted) => (AcceptWithOverride, 0, Verdict::Override),
            _ => (Refuse, 1, Verdict::Fail),
        }
    }

    #[test]
    fn every_combination_decides_as_the_table_says() {
        let mut cases = 0;
        for found in every_found() {
            for mirror in [None, Some(MirrorMode::Audit), Some(MirrorMode::Enforce)] {
                for mode in [Mode::Enforce, Mode::Warn] {
                    for asked in [
                        Asked::Absent,
                        Asked::Granted,
                        Asked::Unauthorised,
                        Asked::NoReason,
                        Asked::UnknownPusher,
                    ] {
                        for on_error in [OnError::Reject, OnError::Allow] {
                            cases += 1;
                            let case =
                                format!("{found:?} {mirror:?} {mode:?} {asked:?} {on_error:?}");
                            let known = known(mirror, on_error, asked);
                            let decision = decide(
                                &known,
                                judgement(found, mode, asked),
                                Clock {
                                    time: 1_700_000_000,
                                    elapsed_ms: 7,
                                },
                            );
                            let (outcome, code, verdict) =
                                expected(found, mirror, mode, asked, on_error);
                            assert_eq!(decision.outcome, outcome, "{case}");
                            assert_eq!(decision.code, code, "{case}");
                            assert_eq!(decision.accepted(), code == 0, "{case}");
                            let record = decision.record.as_ref().expect("always recorded");
                            assert_eq!(record.verdict, verdict, "{case}");
                            assert_eq!(record.accepted, code == 0, "{case}");
                            assert_eq!(record.hook, known.hook(), "{case}");
                            assert_eq!(record.time, 1_700_000_000, "{case}");
                            assert_eq!(record.elapsed_ms, 7, "{case}");
                            assert_eq!(record.refs, known.refs, "{case}");
                            check_override(&decision, mirror, mode, asked, found, &case);
                            check_failure(&decision, found, on_error, &case);
                            check_violations(&decision, found, &case);
                        }
                    }
                }
            }
        }
        assert_eq!(cases, 10 * 3 * 2 * 5 * 2);
    }

    /// The override is asked about only where it can change the decision
    /// (a pre-receive push with violations under `mode: enforce`), and
    /// then recorded, granted or refused, with a line saying which.
    fn check_override(
        decision: &Decision,
        mirror: Option<MirrorMode>,
        mode: Mode,
        asked: Asked,
        found: Found,
        case: &str,
    ) {
        let record = decision.record.as_ref().expect("recorded");
        let consulted = mirror.is_none()
            && mode == Mode::Enforce
            && !matches!(found, Found::Clean | Found::Failed(_));
        let want = match asked {
            _ if !consulted => OverrideDecision::NotRequested,
            Asked::Absent => OverrideDecision::NotRequested,
            Asked::Granted => OverrideDecision::Granted {
                user: "alice".into(),
                reason: "hotfix".into(),
            },
            Asked::Unauthorised => OverrideDecision::Refused {
                reason: "hotfix".into(),
                why: "user 'bob' is not in the policy's server.override.users".into(),
            },
            Asked::NoReason => OverrideDecision::Refused {
                reason: String::new(),
                why: "an override needs a reason: git push --no-verify -o tiergate.override=\"why this push must go in\" (--no-verify: a client pre-push hook refuses the push before it reaches the server)".into(),
            },
            Asked::UnknownPusher => OverrideDecision::Refused {
                reason: "hotfix".into(),
                why: format!(
                    "the pusher is unknown (none of {} is set), and only the policy's override users may override",
                    IDENTITY_VARS.join(", ")
                ),
            },
        };
        match &want {
            OverrideDecision::Granted { .. } => assert!(
                decision.text.ends_with(
                    "tiergate: override by alice accepted: \"hotfix\" (recorded in the audit log)\n"
                ),
                "{case}"
            ),
            OverrideDecision::Refused { why, .. } => assert!(
                decision
                    .text
                    .contains(&format!("tiergate: override refused: {why}\ntiergate: push rejected (refs/heads/main, refs/replace/{A}); no ref was updated\nHint: ")),
                "{case}: {}",
                decision.text
            ),
            OverrideDecision::NotRequested => {
                assert!(!decision.text.contains("override"), "{case}")
            }
        }
        assert_eq!(record.override_, want, "{case}");
    }

    /// A failure is recorded with its message and class, and says whether
    /// `on_error: allow` applied.
    fn check_failure(decision: &Decision, found: Found, on_error: OnError, case: &str) {
        let record = decision.record.as_ref().expect("recorded");
        let Found::Failed(failure) = found else {
            assert_eq!(record.error, None, "{case}");
            assert_eq!(record.reason, None, "{case}");
            assert_eq!(
                record.commits_checked,
                if found == Found::Unreadable { 0 } else { 3 },
                "{case}"
            );
            return;
        };
        assert_eq!(
            record.error.as_deref(),
            Some("tiergate: it failed: because"),
            "{case}"
        );
        assert_eq!(record.reason, Some(failure), "{case}");
        assert_eq!(record.commits_checked, 0, "{case}");
        assert!(record.violations.is_empty(), "{case}");
        assert!(
            decision
                .text
                .starts_with("Error: tiergate: it failed\nCaused by:\n   1: because\n"),
            "{case}"
        );
        let last = if decision.accepted() {
            "tiergate: accepted without a check (server.on_error: allow)\n"
        } else if on_error == OnError::Allow {
            "tiergate: push rejected: tiergate could not check it (fail closed)\ntiergate: server.on_error: allow does not apply: a push can cause this failure\n"
        } else {
            "tiergate: push rejected: tiergate could not check it (fail closed)\n"
        };
        assert!(decision.text.ends_with(last), "{case}: {}", decision.text);
    }

    /// Every violation found is printed and recorded.
    fn check_violations(decision: &Decision, found: Found, case: &str) {
        let record = decision.record.as_ref().expect("recorded");
        let rules: Vec<&str> = record
            .violations
            .iter()
            .map(|v| v["rule"].as_str().unwrap_or_default())
            .collect();
        let want: &[&str] = match found {
            Found::CommitViolation => &["ai-forbidden-tier"],
            Found::ReplaceRef => &["replace-ref"],
            Found::Unreadable => &["unreadable-encoding"],
            Found::Clean | Found::Failed(_) => &[],
        };
        assert_eq!(rules, want, "{case}");
        for rule in want {
            assert!(decision.text.contains(&format!("[{rule}]: ")), "{case}");
        }
        if found == Found::Clean {
            assert_eq!(decision.text, "", "{case}");
        }
    }

    #[test]
    fn the_output_of_a_refused_push_and_its_record() {
        let known = known(None, OnError::Reject, Asked::Absent);
        let decision = decide(
            &known,
            judgement(Found::ReplaceRef, Mode::Enforce, Asked::Absent),
            Clock::default(),
        );
        let refs = format!("refs/heads/main, refs/replace/{A}");
        assert!(decision.text.ends_with(&format!(
            "tiergate: 1 violation in 1 ref\ntiergate: push rejected ({refs}); no ref was updated\nHint: Fix the commits above (`git rebase -i` with `reword`, or `edit` to split one) and push again; `tiergate explain <rule>` says more.\n"
        )), "{}", decision.text);
        let json = decision.record.expect("recorded").to_json();
        assert_eq!(json["verdict"], "fail");
        assert_eq!(json["time"], "1970-01-01T00:00:00Z");
        assert_eq!(json["user"], "alice");
        assert_eq!(json["policy"], "HEAD:policy.yaml");
        assert_eq!(json["violations"][0]["ref"], format!("refs/replace/{A}"));
        assert_eq!(json["override"], Value::Null);

        // Under mode: warn the summary says so, and the push goes in.
        let decision = decide(
            &known,
            judgement(Found::CommitViolation, Mode::Warn, Asked::Absent),
            Clock::default(),
        );
        assert!(
            decision.text.ends_with(
                "tiergate: 1 violation in 1 commit (3 commits checked); mode: warn, not failing\n"
            ),
            "{}",
            decision.text
        );
        assert!(
            decision
                .text
                .starts_with("warning[ai-forbidden-tier]: commit 222222222222 \"crypto: x\"\n"),
            "{}",
            decision.text
        );

        // A mirror names what it did with the refs.
        for (mirror, line) in [
            (MirrorMode::Audit, format!("tiergate: mirror update accepted and recorded (tiergate.mirror: audit) ({refs})\n")),
            (MirrorMode::Enforce, format!("tiergate: mirror update refused (tiergate.mirror: enforce); refs not updated ({refs})\n")),
        ] {
            let decision = decide(
                &self::known(Some(mirror), OnError::Reject, Asked::Absent),
                judgement(Found::Unreadable, Mode::Enforce, Asked::Absent),
                Clock::default(),
            );
            assert!(decision.text.starts_with(&format!("error[unreadable-encoding]: commit {}\n  commit declares encoding `x-klingon`", &A[..12])), "{}", decision.text);
            assert!(decision.text.ends_with(&line), "{}", decision.text);
            let json = decision.record.expect("recorded").to_json();
            assert_eq!(json["hook"], "reference-transaction");
            assert_eq!(json["violations"][0]["title"], Value::Null);
        }
    }

    #[test]
    fn an_audit_log_that_cannot_be_written_refuses_unless_the_server_allows_it() {
        let problem = Problem::new(3, "tiergate: cannot write the audit log /x");
        for found in every_found() {
            for mirror in [None, Some(MirrorMode::Audit), Some(MirrorMode::Enforce)] {
                for on_error in [OnError::Reject, OnError::Allow] {
                    let case = format!("{found:?} {mirror:?} {on_error:?}");
                    let before = decide(
                        &known(mirror, on_error, Asked::Absent),
                        judgement(found, Mode::Enforce, Asked::Absent),
                        Clock::default(),
                    );
                    let after = before.clone().unrecorded(&problem);
                    assert!(after.text.starts_with(&before.text), "{case}");
                    assert!(
                        after.text[before.text.len()..]
                            .starts_with("Error: tiergate: cannot write the audit log /x\n"),
                        "{case}"
                    );
                    if !before.accepted() {
                        // Refused stays refused, with its own exit code.
                        assert_eq!(
                            (after.outcome, after.code),
                            (before.outcome, before.code),
                            "{case}"
                        );
                    } else if mirror == Some(MirrorMode::Audit) || on_error == OnError::Allow {
                        assert_eq!((after.outcome, after.code), (before.outcome, 0), "{case}");
                    } else {
                        assert_eq!(
                            (after.outcome, after.code),
                            (Outcome::RefuseOnError, 3),
                            "{case}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_timeout_or_a_panic_is_decided_on_what_is_known() {
        let problem = Problem::new(
            3,
            "tiergate pre-receive: timed out after 300ms (server.timeout)",
        );
        for failure in [Failure::Timeout, Failure::Internal] {
            for on_error in [OnError::Reject, OnError::Allow] {
                let mut known = known(None, on_error, Asked::Absent);
                known.commits_checked = 17;
                let d = decide_unfinished(&known, &problem, failure, Clock::default());
                assert_eq!((d.outcome, d.code), (Outcome::RefuseOnError, 3));
                let record = d.record.expect("recorded");
                assert_eq!(record.commits_checked, 17);
                assert_eq!(record.reason, Some(failure));
                assert!(!record.accepted);
                // An audit-only mirror records and accepts.
                known.mirror = Some(MirrorMode::Audit);
                let d = decide_unfinished(&known, &problem, failure, Clock::default());
                assert_eq!((d.outcome, d.code), (Outcome::AcceptDespiteError, 0));
            }
        }
        // Before anything is known (no audit log, no settings): refused,
        // nothing to record.
        let d = decide_unrecorded(&problem, Failure::Policy, None);
        assert_eq!(
            (d.outcome, d.code, d.record.is_none()),
            (Outcome::RefuseOnError, 3, true)
        );
        let allow = known(None, OnError::Allow, Asked::Absent);
        let d = decide_unrecorded(&problem, Failure::Policy, Some(&allow));
        assert_eq!((d.outcome, d.code), (Outcome::AcceptDespiteError, 0));
        let d = Decision::nothing_to_decide();
        assert_eq!(
            (d.outcome, d.code, d.text.as_str()),
            (Outcome::Accept, 0, "")
        );
    }
}
