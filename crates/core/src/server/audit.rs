//! The audit log's record: one JSON line per push decision, its fields
//! and their order fixed (what log readers parse).

use super::{Failure, OverrideDecision, RefUpdate};
use crate::judge::CommitVerdict;
use crate::rules::Violation;
use serde_json::{json, Value};

/// A violation in the audit log's form: the violation's own JSON shape
/// (its `Serialize`, as `tiergate check --format json` shows it) plus where
/// it was found. `commit` and `title` are always present (null for a ref's
/// violation or an unreadable commit's unknown title); `ref` and `object`
/// only for a ref's violation.
#[derive(Debug, serde::Serialize)]
pub struct AuditViolation<'a> {
    /// The full id of the commit concerned.
    pub commit: Option<&'a str>,
    /// The commit's title.
    pub title: Option<&'a str>,
    /// The ref concerned, for a ref's violation.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub refname: Option<&'a str>,
    /// The object the push sets that ref to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<&'a str>,
    /// The violation.
    #[serde(flatten)]
    pub violation: &'a Violation,
}

/// The verdict of a push decision, as written in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No violations.
    Pass,
    /// Violations, and the push is refused.
    Fail,
    /// Violations under `mode: warn` (or an audit-only mirror): accepted.
    Warn,
    /// Violations, accepted through a granted override.
    Override,
    /// tiergate could not judge (see `error`).
    Error,
}

impl Verdict {
    /// The name used in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Warn => "warn",
            Verdict::Override => "override",
            Verdict::Error => "error",
        }
    }
}

/// One line of the audit log: everything about one push decision.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    /// Seconds since the Unix epoch.
    pub time: u64,
    /// `pre-receive`, or `reference-transaction` for a mirror.
    pub hook: &'static str,
    /// The repository (its git directory).
    pub repo: String,
    /// The pusher and the variable that named them.
    pub user: Option<(String, &'static str)>,
    /// The ref updates.
    pub refs: Vec<RefUpdate>,
    /// Where the policy came from.
    pub policy: Option<String>,
    /// Commits judged.
    pub commits_checked: usize,
    /// The verdict.
    pub verdict: Verdict,
    /// Whether the push (or update) was accepted.
    pub accepted: bool,
    /// The violations, each with its commit (id, title).
    pub violations: Vec<Value>,
    /// The override asked for, if any.
    pub override_: OverrideDecision,
    /// The error, when tiergate could not judge.
    pub error: Option<String>,
    /// What kind of failure, when tiergate could not judge.
    pub reason: Option<Failure>,
    /// Milliseconds from the hook's start to the decision.
    pub elapsed_ms: u64,
}

impl AuditRecord {
    /// The violations of one commit, in the audit log's form (report's
    /// violation JSON plus `commit` and `title`).
    pub fn violations_of(verdict: &CommitVerdict) -> impl Iterator<Item = Value> + '_ {
        verdict.violations.iter().map(|violation| {
            json!(AuditViolation {
                commit: Some(&verdict.id),
                title: Some(&verdict.title),
                refname: None,
                object: None,
                violation,
            })
        })
    }

    /// The record as JSON (stable field names).
    pub fn to_json(&self) -> Value {
        let override_ = match &self.override_ {
            OverrideDecision::NotRequested => Value::Null,
            OverrideDecision::Granted { user, reason } => {
                json!({ "granted": true, "user": user, "reason": reason })
            }
            OverrideDecision::Refused { reason, why } => {
                json!({ "granted": false, "reason": reason, "refused_because": why })
            }
        };
        json!({
            "time": rfc3339_utc(self.time),
            "hook": self.hook,
            "repo": self.repo,
            "user": self.user.as_ref().map(|(u, _)| u),
            "user_from": self.user.as_ref().map(|(_, var)| var),
            "refs": self.refs.iter().map(|u| json!({
                "ref": u.refname, "old": u.old, "new": u.new,
            })).collect::<Vec<_>>(),
            "policy": self.policy,
            "commits_checked": self.commits_checked,
            "verdict": self.verdict.as_str(),
            "accepted": self.accepted,
            "violations": self.violations,
            "override": override_,
            "error": self.error,
            "reason": self.reason.map(Failure::as_str),
            "elapsed_ms": self.elapsed_ms,
        })
    }

    /// The record as one line of JSON, newline-terminated.
    pub fn to_line(&self) -> String {
        let mut line = self.to_json().to_string();
        line.push('\n');
        line
    }
}
/// `secs` since the Unix epoch as an RFC 3339 UTC time,
/// `2026-01-02T03:04:05Z`.
pub fn rfc3339_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::test_data::{violating_commit, B, Z};

    #[test]
    fn times() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn a_commits_violation_is_audited_in_the_check_output_shape_plus_commit_and_title() {
        let verdict = violating_commit(b"src/caf\xe9.c");
        let audited: Vec<_> = AuditRecord::violations_of(&verdict).collect();
        assert_eq!(audited.len(), 1);
        assert_eq!(
            audited[0].to_string(),
            format!("{{\"commit\":\"{B}\",\"fix\":{},\"line\":null,\"message\":\"m\",\"paths\":[\"src/caf\u{fffd}.c\"],\"rule\":\"ai-forbidden-tier\",\"tier\":\"critical\",\"title\":\"crypto: x\"}}", serde_json::Value::from(crate::rules::Fix::RecreateCommit.to_string()))
        );
        // The same violation as `tiergate check --format json` shows it.
        let mut shown = serde_json::to_value(&verdict.violations[0]).expect("serializable");
        let map = shown.as_object_mut().expect("an object");
        map.insert("commit".into(), B.into());
        map.insert("title".into(), "crypto: x".into());
        assert_eq!(audited[0], shown);
    }

    #[test]
    fn audit_record_is_one_line() {
        let record = AuditRecord {
            time: 0,
            hook: "pre-receive",
            repo: "/srv/r.git".into(),
            user: Some(("alice".into(), "REMOTE_USER")),
            refs: vec![RefUpdate {
                old: Z.into(),
                new: B.into(),
                refname: "refs/heads/main".into(),
            }],
            policy: Some("HEAD:policy.yaml".into()),
            commits_checked: 2,
            verdict: Verdict::Override,
            accepted: true,
            violations: vec![json!({"rule": "x", "message": "multi\nline"})],
            override_: OverrideDecision::Granted {
                user: "alice".into(),
                reason: "why".into(),
            },
            error: None,
            reason: None,
            elapsed_ms: 12,
        };
        let line = record.to_line();
        assert_eq!(line.matches('\n').count(), 1);
        let v: Value = serde_json::from_str(&line).expect("json");
        assert_eq!(v["verdict"], "override");
        assert_eq!(v["override"]["reason"], "why");
        assert_eq!(v["refs"][0]["new"], B);
        assert_eq!(v["user_from"], "REMOTE_USER");
        assert_eq!(v["reason"], Value::Null);
        assert_eq!(v["elapsed_ms"], 12);
    }
}
