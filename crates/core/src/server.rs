//! The pure parts of the server-side hook (`pre-receive`, and the
//! `reference-transaction` mode for mirrors): turning what git and the
//! forge hand the hook into plain data, and the records it writes.
//!
//! Nothing here touches a repository or the process environment: the
//! environment is passed in as a lookup function, so every decision is
//! testable without a server. The hook binary (`tiergate-pre-receive`, crate
//! `tiergate-hooks`) gathers the inputs and [`crate::check`] judges the
//! commits.
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
//! - [`replace_ref_violations`]: the replace refs (`refs/replace/*`) a
//!   push creates or updates that `server.replace_refs` does not let
//!   through, as [`RefViolation`]s.
//! - [`AuditRecord`]: the one JSON line written per push decision.
//! - [`Failure`] and [`on_error_for`]: when tiergate cannot judge a push,
//!   who could have caused it decides whether `server.on_error: allow`
//!   applies; [`unfinished_record`] is the record of a push whose judging
//!   was cut short (a timeout, a panic).

use crate::check::CommitVerdict;
use crate::policy::OnError;
use crate::policy::ReplaceRefs;
use crate::rules::{Fix, RuleCode, Violation};
use serde_json::{json, Value};
use std::path::PathBuf;

/// One `<old> <new> <ref>` line of a `pre-receive` (or
/// `reference-transaction`) hook's stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// The id the ref has now (all zeros: the ref does not exist yet).
    pub old: String,
    /// The id the push sets (all zeros: the ref is deleted).
    pub new: String,
    /// The full ref name (`refs/heads/main`).
    pub refname: String,
}

impl RefUpdate {
    /// Whether the update creates the ref.
    pub fn is_create(&self) -> bool {
        is_zero_id(&self.old)
    }

    /// Whether the update deletes the ref.
    pub fn is_delete(&self) -> bool {
        is_zero_id(&self.new)
    }
}

/// Whether `id` is git's null object id (40 or 64 zeros).
pub fn is_zero_id(id: &str) -> bool {
    matches!(id.len(), 40 | 64) && id.bytes().all(|b| b == b'0')
}

/// Whether `id` is a full object id: 40 (SHA-1) or 64 (SHA-256)
/// lowercase hex digits, as git writes them.
pub fn is_object_id(id: &str) -> bool {
    matches!(id.len(), 40 | 64) && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Why the hook's stdin is not what git writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Nothing on stdin (git always sends at least one line).
    #[error("no ref updates on stdin (expected `<old-id> <new-id> <ref>` lines)")]
    Empty,
    /// A line is malformed.
    #[error("line {line} of stdin is not `<old-id> <new-id> <ref>`: {text:?} ({why})")]
    Line {
        /// 1-based line number.
        line: usize,
        /// The line, lossily decoded and cut to 100 characters.
        text: String,
        /// What is wrong with it.
        why: &'static str,
    },
}

/// Parse the stdin of a `pre-receive` hook: one `<old> <new> <ref>` line
/// per ref the push updates. Ids are 40 or 64 lowercase hex digits, both of
/// the same length; the ref name is anything without spaces. An empty
/// input, or any malformed line, is an error: the hook must fail closed
/// rather than judge part of a push.
///
/// With `symrefs` (the `reference-transaction` hook since git 2.46), an
/// update whose old or new value is `ref:<target>` (a symbolic ref) is
/// skipped: it brings no commits. `symrefs` also allows an empty input.
pub fn parse_updates(stdin: &[u8], symrefs: bool) -> Result<Vec<RefUpdate>, ParseError> {
    let mut updates = Vec::new();
    let body = stdin.strip_suffix(b"\n").unwrap_or(stdin);
    if body.is_empty() {
        return if symrefs {
            Ok(updates)
        } else {
            Err(ParseError::Empty)
        };
    }
    for (n, raw) in body.split(|&b| b == b'\n').enumerate() {
        let bad = |why: &'static str| ParseError::Line {
            line: n + 1,
            text: String::from_utf8_lossy(raw).chars().take(100).collect(),
            why,
        };
        let text = std::str::from_utf8(raw).map_err(|_| bad("not UTF-8"))?;
        let fields: Vec<&str> = text.split(' ').collect();
        let [old, new, refname] = fields[..] else {
            return Err(bad("expected three fields separated by single spaces"));
        };
        if symrefs && (old.starts_with("ref:") || new.starts_with("ref:")) {
            continue;
        }
        if !is_object_id(old) || !is_object_id(new) {
            return Err(bad("object ids must be 40 or 64 lowercase hex digits"));
        }
        if old.len() != new.len() {
            return Err(bad("old and new ids have different lengths"));
        }
        if refname.is_empty() || refname.bytes().any(|b| b.is_ascii_control()) {
            return Err(bad("bad ref name"));
        }
        if is_zero_id(old) && is_zero_id(new) {
            return Err(bad("both ids are zero"));
        }
        updates.push(RefUpdate {
            old: old.to_owned(),
            new: new.to_owned(),
            refname: refname.to_owned(),
        });
    }
    Ok(updates)
}

/// Split a path list as git writes `GIT_ALTERNATE_OBJECT_DIRECTORIES`:
/// entries separated by `:` (`;` on Windows), an entry that starts with
/// `"` being a C-quoted string (git quotes entries that contain the
/// separator or start with a quote; `tmp-objdir.c`'s `env_append`).
/// Empty entries are dropped. An unterminated quote takes the rest of the
/// input as written.
pub fn split_path_list(value: &[u8]) -> Vec<PathBuf> {
    let sep = if cfg!(windows) { b';' } else { b':' };
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        if rest[0] == sep {
            rest = &rest[1..];
            continue;
        }
        let (entry, after) = if rest[0] == b'"' {
            match unquote_c(&rest[1..]) {
                Some((entry, used)) => (entry, &rest[1 + used..]),
                None => (rest.to_vec(), &rest[rest.len()..]),
            }
        } else {
            let end = rest.iter().position(|&b| b == sep).unwrap_or(rest.len());
            (rest[..end].to_vec(), &rest[end..])
        };
        if !entry.is_empty() {
            out.push(bytes_to_path(entry));
        }
        // Skip to the next separator (text after a closing quote is
        // ignored, as git does).
        let next = after.iter().position(|&b| b == sep).unwrap_or(after.len());
        rest = &after[next..];
    }
    out
}

/// Unquote a C-style quoted string whose opening `"` is already consumed:
/// the bytes and how many input bytes were used (closing quote included),
/// or `None` if the quote is not closed or an escape is invalid.
fn unquote_c(input: &[u8]) -> Option<(Vec<u8>, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'"' => return Some((out, i + 1)),
            b'\\' => {
                let c = *input.get(i + 1)?;
                i += 2;
                let byte = match c {
                    b'a' => 0x07,
                    b'b' => 0x08,
                    b'f' => 0x0c,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'v' => 0x0b,
                    b'\\' | b'"' => c,
                    b'0'..=b'3' => {
                        let digits = input.get(i..i + 2)?;
                        if !digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                            return None;
                        }
                        i += 2;
                        ((c - b'0') << 6) | ((digits[0] - b'0') << 3) | (digits[1] - b'0')
                    }
                    _ => return None,
                };
                out.push(byte);
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    None
}

#[cfg(unix)]
fn bytes_to_path(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn bytes_to_path(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

/// The push options of this push (`git push -o OPTION`), in order, from
/// `GIT_PUSH_OPTION_COUNT` and `GIT_PUSH_OPTION_<n>`. Git passes them only
/// when the repository sets `receive.advertisePushOptions=true`.
pub fn push_options(env: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let Some(count) = env("GIT_PUSH_OPTION_COUNT").and_then(|c| c.trim().parse::<usize>().ok())
    else {
        return Vec::new();
    };
    (0..count)
        .filter_map(|i| env(&format!("GIT_PUSH_OPTION_{i}")))
        .collect()
}

/// The override asked for with the push option `key` (`key=reason`): the
/// reason (trimmed; empty when written `key` or `key=`), or `None` when
/// the push does not ask. The last such option wins.
pub fn requested_override(options: &[String], key: &str) -> Option<String> {
    options.iter().rev().find_map(|option| {
        let (k, v) = match option.split_once('=') {
            Some((k, v)) => (k, v),
            None => (option.as_str(), ""),
        };
        (k == key).then(|| v.trim().to_owned())
    })
}

/// Environment variables naming the pusher, in order of precedence: the
/// first one set (non-empty) names the pusher.
///
/// Forges set their own variable and nothing a pusher controls, so they
/// come first: GitLab (`GL_USERNAME`), gitolite (`GL_USER`), GitHub
/// Enterprise Server (`GITHUB_USER_LOGIN`), Gitea and Forgejo
/// (`GITEA_PUSHER_NAME`, `FORGEJO_PUSHER_NAME`). Then `REMOTE_USER`, set by
/// the web server in front of `git http-backend` after authentication. Last
/// `TIERGATE_USER`, for setups that name the user themselves (an ssh
/// forced command, `environment=` in `authorized_keys`); make sure pushers
/// cannot set it (sshd's `AcceptEnv` must not pass it).
pub const IDENTITY_VARS: &[&str] = &[
    "GL_USERNAME",
    "GL_USER",
    "GITHUB_USER_LOGIN",
    "GITEA_PUSHER_NAME",
    "FORGEJO_PUSHER_NAME",
    "REMOTE_USER",
    "TIERGATE_USER",
];

/// Who is pushing: the value of the first of [`IDENTITY_VARS`] that is set
/// and not blank, and the variable's name.
pub fn pusher(env: impl Fn(&str) -> Option<String>) -> Option<(String, &'static str)> {
    IDENTITY_VARS.iter().find_map(|var| {
        env(var)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .map(|v| (v, *var))
    })
}

/// Whether the hook runs under GitLab (Gitaly sets `GL_ID`, `GL_USERNAME`
/// and `GL_PROTOCOL` for its hooks; gitolite sets `GL_USER`, which does not
/// count).
pub fn is_gitlab(env: impl Fn(&str) -> Option<String>) -> bool {
    ["GL_ID", "GL_USERNAME", "GL_PROTOCOL"]
        .iter()
        .any(|v| env(v).is_some_and(|v| !v.is_empty()))
}

/// Prefix every line of `text` with `GL-HOOK-ERR: ` (GitLab shows only
/// such lines in its web UI; `git push` shows them all).
pub fn gitlab_prefix(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.lines() {
        out.push_str("GL-HOOK-ERR: ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

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

/// Ref namespaces a forge writes itself, without a push through this hook
/// (pull and merge request heads, GitLab's keep-around, pipeline and
/// environment refs). Their commits were never judged here, so they do
/// not count as "already in the repository": a commit that reached the
/// server as `refs/pull/7/head` is judged when it is pushed (or merged)
/// to a branch.
pub const UNJUDGED_NAMESPACES: &[&str] = &[
    "refs/pull/*",
    "refs/merge-requests/*",
    "refs/keep-around/*",
    "refs/pipelines/*",
    "refs/environments/*",
];

/// The `git rev-list` arguments of a push: the new tips, minus every
/// commit already reachable from a ref that went through this hook
/// (`--all` without [`UNJUDGED_NAMESPACES`]).
pub fn push_walk_args(tips: &[String]) -> Vec<String> {
    let mut args = tips.to_vec();
    args.push("--not".into());
    args.extend(
        UNJUDGED_NAMESPACES
            .iter()
            .map(|glob| format!("--exclude={glob}")),
    );
    args.push("--all".into());
    args
}

/// Where git looks for replace refs: `refs/replace/`, unless
/// `GIT_REPLACE_REF_BASE` names another prefix (git's `setup_git_env`).
pub const REPLACE_REF_BASE: &str = "refs/replace/";

/// Whether `refname` is a replace ref: under [`REPLACE_REF_BASE`], or under
/// `base` (the hook's `GIT_REPLACE_REF_BASE`, when set and not empty).
///
/// git reads every ref under the base as "show the object this ref points
/// at wherever the object named by the ref's last path component is read"
/// (`replace-object.c`'s `register_replace_ref`, so
/// `refs/replace/any/dir/<id>` counts too). The prefix is compared without
/// ASCII case: on a case-insensitive file system a loose ref pushed as
/// `refs/Replace/<id>` lands in the `refs/replace/` directory git reads.
pub fn is_replace_ref(refname: &str, base: Option<&str>) -> bool {
    let under = |prefix: &str| {
        refname
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    under(REPLACE_REF_BASE) || base.is_some_and(|b| !b.is_empty() && under(b))
}

/// A ref update refused for what the ref is, not for a commit it brings
/// (reported and audited like a commit's violation, with the ref instead
/// of a commit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefViolation {
    /// The rule ([`RuleCode::ReplaceRef`]).
    pub rule: RuleCode,
    /// The ref the push creates or updates.
    pub refname: String,
    /// The object the push sets it to.
    pub object: String,
    /// What is wrong (one line).
    pub message: String,
    /// How to fix it.
    pub fix: Fix,
}

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

impl RefViolation {
    /// The report block, in the form of a commit's violation:
    /// `error[rule]: ref NAME`, the message, the fix, a blank line.
    pub fn human(&self) -> String {
        format!(
            "error[{}]: ref {}\n  {}\n  fix: {}\n\n",
            self.rule, self.refname, self.message, self.fix
        )
    }

    /// The violation in the audit log's form (the fields of a commit's
    /// violation, `commit` null, plus `ref` and `object`).
    pub fn to_json(&self) -> Value {
        let violation = Violation {
            rule: self.rule,
            message: self.message.clone(),
            tier: None,
            paths: Vec::new(),
            line: None,
            fix: self.fix.clone(),
        };
        json!(AuditViolation {
            commit: None,
            title: None,
            refname: Some(&self.refname),
            object: Some(&self.object),
            violation: &violation,
        })
    }
}

/// The replace refs among `updates` that `mode` does not let through.
///
/// A deletion is always allowed (it restores what the replaced object
/// really is). Any other update of a replace ref ([`is_replace_ref`] with
/// `base`) is refused under [`ReplaceRefs::Refuse`]; under
/// [`ReplaceRefs::Judge`] it is refused only when `peels_to_commit` says
/// its new object is not a commit or a tag chain ending at one (a
/// replacement tree or blob changes what git shows with no commit to
/// judge); a replacement commit is judged with the push's other commits.
pub fn replace_ref_violations(
    updates: &[RefUpdate],
    base: Option<&str>,
    mode: ReplaceRefs,
    mut peels_to_commit: impl FnMut(&RefUpdate) -> bool,
) -> Vec<RefViolation> {
    let short = |id: &str| id[..12.min(id.len())].to_owned();
    updates
        .iter()
        .filter(|u| !u.is_delete() && is_replace_ref(&u.refname, base))
        .filter_map(|u| {
            // git takes the replaced object's id from the last component.
            let replaced = u.refname.rsplit('/').next().unwrap_or_default();
            let (message, fix) = match mode {
                ReplaceRefs::Refuse => (
                    format!(
                        "replace ref: git would show {} wherever {replaced} is read (git log, git show, git archive); replace refs are refused (server.replace_refs: refuse)",
                        short(&u.new)
                    ),
                    Fix::DropReplaceRef,
                ),
                ReplaceRefs::Judge if !peels_to_commit(u) => (
                    format!(
                        "replace ref: {} replaces {replaced} but is not a commit, so tiergate cannot judge what it changes (server.replace_refs: judge judges replacement commits only)",
                        short(&u.new)
                    ),
                    Fix::ReplaceCommitsOnly,
                ),
                ReplaceRefs::Judge => return None,
            };
            Some(RefViolation {
                rule: RuleCode::ReplaceRef,
                refname: u.refname.clone(),
                object: u.new.clone(),
                message,
                fix,
            })
        })
        .collect()
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

/// What the hook knew of a push when its judging was cut short: enough
/// for [`unfinished_record`].
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// `pre-receive` or `reference-transaction`.
    pub hook: &'static str,
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
    /// Whether this is an audit-only mirror.
    pub audit_only_mirror: bool,
    /// Commits judged so far.
    pub commits_checked: usize,
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
        on_error_for(failure, progress.on_error, progress.audit_only_mirror) == OnError::Allow;
    AuditRecord {
        time,
        hook: progress.hook,
        repo: progress.repo.clone(),
        user: progress.user.clone(),
        refs: progress.refs.clone(),
        policy: progress.policy.clone(),
        commits_checked: progress.commits_checked,
        verdict: Verdict::Error,
        accepted,
        violations: Vec::new(),
        override_: OverrideDecision::NotRequested,
        error: Some(error),
        reason: Some(failure),
        elapsed_ms,
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
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn parses_updates() {
        let input =
            format!("{A} {B} refs/heads/main\n{Z} {B} refs/tags/v1\n{A} {Z} refs/heads/old\n");
        let u = parse_updates(input.as_bytes(), false).expect("parses");
        assert_eq!(u.len(), 3);
        assert!(!u[0].is_create() && !u[0].is_delete());
        assert!(u[1].is_create());
        assert!(u[2].is_delete());
        assert_eq!(u[1].refname, "refs/tags/v1");
        // No final newline; SHA-256.
        let a = "a".repeat(64);
        let z = "0".repeat(64);
        let u = parse_updates(format!("{z} {a} refs/heads/x").as_bytes(), false).expect("sha256");
        assert!(u[0].is_create());
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "hello\n".to_owned(),
            format!("{A} {B}\n"),
            format!("{A}  {B} refs/heads/x\n"),
            format!("{A} {} refs/heads/x\n", "2".repeat(64)),
            format!("{} {B} refs/heads/x\n", A.to_uppercase().replace('1', "G")),
            format!("{Z} {Z} refs/heads/x\n"),
            format!("{A} {B} refs/heads/x\n\n"),
            format!("{A} {B} refs/heads/x extra\n"),
        ] {
            assert!(
                matches!(
                    parse_updates(bad.as_bytes(), false),
                    Err(ParseError::Line { .. })
                ),
                "{bad:?}"
            );
        }
        assert_eq!(parse_updates(b"", false), Err(ParseError::Empty));
        assert_eq!(parse_updates(b"\n", false), Err(ParseError::Empty));
        assert_eq!(parse_updates(b"", true), Ok(Vec::new()));
        assert!(parse_updates(b"\xff\xfe", false).is_err());
    }

    #[test]
    fn skips_symref_updates_in_reference_transactions() {
        let input = format!("ref:refs/heads/a ref:refs/heads/b HEAD\n{A} {B} refs/heads/main\n");
        let u = parse_updates(input.as_bytes(), true).expect("parses");
        assert_eq!(u.len(), 1);
        assert!(parse_updates(input.as_bytes(), false).is_err());
    }

    #[test]
    fn splits_quoted_alternates() {
        assert_eq!(
            split_path_list(b"/a/objects:/b/objects"),
            vec![PathBuf::from("/a/objects"), PathBuf::from("/b/objects")]
        );
        assert_eq!(
            split_path_list(b"\"/srv/x:y/objects\":/b"),
            vec![PathBuf::from("/srv/x:y/objects"), PathBuf::from("/b")]
        );
        assert_eq!(
            split_path_list(b"\"/q\\\"uote\\\\d\\t\\303\\251\":"),
            vec![PathBuf::from("/q\"uote\\d\té")]
        );
        assert_eq!(split_path_list(b"::"), Vec::<PathBuf>::new());
        // Unterminated quote: taken as written.
        assert_eq!(split_path_list(b"\"/x"), vec![PathBuf::from("\"/x")]);
    }

    #[test]
    fn reads_push_options_and_overrides() {
        let e = env(&[
            ("GIT_PUSH_OPTION_COUNT", "3"),
            ("GIT_PUSH_OPTION_0", "ci.skip"),
            ("GIT_PUSH_OPTION_1", "tiergate.override=hotfix for CVE"),
            ("GIT_PUSH_OPTION_2", "other=x"),
        ]);
        let options = push_options(&e);
        assert_eq!(options.len(), 3);
        assert_eq!(
            requested_override(&options, "tiergate.override").as_deref(),
            Some("hotfix for CVE")
        );
        assert_eq!(requested_override(&options, "nope"), None);
        assert_eq!(
            requested_override(&["tiergate.override".to_owned()], "tiergate.override").as_deref(),
            Some("")
        );
        assert!(push_options(env(&[])).is_empty());
        assert!(push_options(env(&[("GIT_PUSH_OPTION_COUNT", "x")])).is_empty());
    }

    #[test]
    fn pusher_precedence() {
        assert_eq!(pusher(env(&[])), None);
        assert_eq!(
            pusher(env(&[("TIERGATE_USER", "t"), ("REMOTE_USER", "web")])),
            Some(("web".to_owned(), "REMOTE_USER"))
        );
        assert_eq!(
            pusher(env(&[("GL_USER", "gito"), ("GL_USERNAME", " lab ")])),
            Some(("lab".to_owned(), "GL_USERNAME"))
        );
        assert_eq!(
            pusher(env(&[("GL_USERNAME", ""), ("TIERGATE_USER", "t")])),
            Some(("t".to_owned(), "TIERGATE_USER"))
        );
    }

    #[test]
    fn gitlab_detection_and_prefix() {
        assert!(is_gitlab(env(&[("GL_ID", "user-1"), ("GL_USERNAME", "a")])));
        assert!(is_gitlab(env(&[("GL_PROTOCOL", "ssh")])));
        // gitolite is not GitLab.
        assert!(!is_gitlab(env(&[("GL_USER", "a")])));
        assert!(!is_gitlab(env(&[])));
        assert_eq!(
            gitlab_prefix("a\n\nb"),
            "GL-HOOK-ERR: a\nGL-HOOK-ERR: \nGL-HOOK-ERR: b\n"
        );
    }

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
    fn replace_refs_are_recognized() {
        let r = |name: &str| is_replace_ref(name, None);
        assert!(r("refs/replace/1111111111111111111111111111111111111111"));
        assert!(r(
            "refs/replace/dir/1111111111111111111111111111111111111111"
        ));
        assert!(r("refs/replace/not-an-id"));
        assert!(r("refs/Replace/x"), "case-insensitive file systems");
        assert!(r("REFS/REPLACE/x"));
        assert!(!r("refs/replace"));
        assert!(!r("refs/heads/refs/replace/x"));
        assert!(!r("refs/replacements/x"));
        assert!(!r("refs/heads/main"));
        assert!(!r("refs/rep"));
        assert!(is_replace_ref("refs/alt/x", Some("refs/alt/")));
        assert!(is_replace_ref("refs/replace/x", Some("refs/alt/")));
        assert!(!is_replace_ref("refs/heads/x", Some("")));
    }

    #[test]
    fn replace_ref_decisions() {
        let update = |old: &str, new: &str, name: &str| RefUpdate {
            old: old.into(),
            new: new.into(),
            refname: name.into(),
        };
        let replace = format!("refs/replace/{A}");
        let updates = vec![
            update(Z, B, &replace),
            update(Z, B, "refs/heads/main"),
            update(
                B,
                Z,
                "refs/replace/3333333333333333333333333333333333333333",
            ),
        ];
        // Refuse: the creation (not the branch, not the deletion); the
        // commit check is not even asked.
        let refused = replace_ref_violations(&updates, None, ReplaceRefs::Refuse, |_| {
            panic!("not asked under refuse")
        });
        assert_eq!(refused.len(), 1);
        let v = &refused[0];
        assert_eq!(v.rule, RuleCode::ReplaceRef);
        assert_eq!(v.refname, replace);
        assert_eq!(v.object, B);
        assert_eq!(
            v.human(),
            format!(
                "error[replace-ref]: ref {replace}\n  replace ref: git would show 222222222222 wherever {A} is read (git log, git show, git archive); replace refs are refused (server.replace_refs: refuse)\n  fix: Push without the replace ref, or rewrite the history for real (`git rebase`) and push that; a maintainer may set `server.replace_refs: judge` in the policy to accept replacement commits that pass.\n\n"
            )
        );
        let json = v.to_json();
        assert_eq!(json["rule"], "replace-ref");
        assert_eq!(json["ref"], replace.as_str());
        assert_eq!(json["object"], B);
        assert_eq!(json["commit"], Value::Null);
        // The exact bytes of the audit log: a commit's violation's fields,
        // `commit` and `title` null, plus `ref` and `object`.
        assert_eq!(
            json.to_string(),
            format!(
                "{{\"commit\":null,\"fix\":{},\"line\":null,\"message\":{},\"object\":\"{B}\",\"paths\":[],\"ref\":\"{replace}\",\"rule\":\"replace-ref\",\"tier\":null,\"title\":null}}",
                Value::from(v.fix.to_string()),
                Value::from(v.message.as_str()),
            )
        );
        // An update of an existing replace ref is refused too.
        let moved = [update(A, B, &replace)];
        assert_eq!(
            replace_ref_violations(&moved, None, ReplaceRefs::Refuse, |_| true).len(),
            1
        );
        // Judge: a commit passes here (it is judged with the push); a
        // tree or blob is refused.
        assert!(replace_ref_violations(&updates, None, ReplaceRefs::Judge, |_| true).is_empty());
        let tree = replace_ref_violations(&updates, None, ReplaceRefs::Judge, |_| false);
        assert_eq!(tree.len(), 1);
        assert!(
            tree[0].message.contains("is not a commit"),
            "{}",
            tree[0].message
        );
        // GIT_REPLACE_REF_BASE.
        let alt = [update(Z, B, "refs/alt/x")];
        assert!(replace_ref_violations(&alt, None, ReplaceRefs::Refuse, |_| true).is_empty());
        assert_eq!(
            replace_ref_violations(&alt, Some("refs/alt/"), ReplaceRefs::Refuse, |_| true).len(),
            1
        );
    }

    #[test]
    fn times() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn a_commits_violation_is_audited_in_the_check_output_shape_plus_commit_and_title() {
        let verdict = CommitVerdict {
            id: B.to_owned(),
            title: "crypto: x".to_owned(),
            assessment: Default::default(),
            tiers: vec!["critical".to_owned()],
            paths_computed: true,
            violations: vec![Violation {
                rule: RuleCode::AiForbiddenTier,
                message: "m".to_owned(),
                tier: Some("critical".to_owned()),
                paths: vec![b"src/caf\xe9.c".to_vec()],
                line: None,
                fix: Fix::RecreateCommit,
            }],
        };
        let audited: Vec<_> = AuditRecord::violations_of(&verdict).collect();
        assert_eq!(audited.len(), 1);
        assert_eq!(
            audited[0].to_string(),
            format!("{{\"commit\":\"{B}\",\"fix\":{},\"line\":null,\"message\":\"m\",\"paths\":[\"src/caf\u{fffd}.c\"],\"rule\":\"ai-forbidden-tier\",\"tier\":\"critical\",\"title\":\"crypto: x\"}}", Value::from(Fix::RecreateCommit.to_string()))
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
            hook: "pre-receive",
            repo: "/srv/r.git".into(),
            user: Some(("bob".into(), "REMOTE_USER")),
            refs: vec![RefUpdate {
                old: A.into(),
                new: B.into(),
                refname: "refs/heads/main".into(),
            }],
            policy: Some("HEAD:policy.yaml".into()),
            on_error: OnError::Allow,
            audit_only_mirror: false,
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
            audit_only_mirror: true,
            ..progress
        };
        let record = unfinished_record(&mirror, Failure::Internal, "boom".into(), 0, 0);
        assert!(record.accepted);
        assert_eq!(record.to_json()["reason"], "internal");
    }
}
