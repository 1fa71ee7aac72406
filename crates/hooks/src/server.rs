//! The server-side hook: `tiergate-pre-receive` (and `tiergate hook
//! pre-receive`), and its `reference-transaction` mode for mirrors that
//! are updated by `git fetch`.
//!
//! # pre-receive
//!
//! Git runs it in the repository that receives a push, after the objects
//! arrived (in a quarantine directory) and before any ref moves, with one
//! `<old> <new> <ref>` line per ref on stdin. A non-zero exit refuses the
//! whole push: no ref is updated and the quarantined objects are dropped.
//!
//! - Commits judged: exactly those new to the repository, `git rev-list
//!   <new>... --not --all` over every created or updated ref (tags peeled to
//!   their commits), where `--all` leaves out the refs a forge writes
//!   without a push (`refs/pull/*`, `refs/merge-requests/*`, ...: see
//!   [`tiergate_core::server::UNJUDGED_NAMESPACES`]), with [`tiergate_core::check::check_commits`]; one
//!   verdict for the whole push. A branch created at an existing commit, or
//!   a deletion, judges nothing.
//! - Objects: the repository is opened from `GIT_DIR`
//!   ([`tiergate_core::repo::Repo::open_server`]), then the quarantine (`GIT_OBJECT_DIRECTORY`) and
//!   `GIT_ALTERNATE_OBJECT_DIRECTORIES` (C-quoted entries unquoted) are
//!   added as alternates. Nothing is written to the repository.
//! - Policy, from a trusted place only: `--policy FILE`, else git config
//!   `tiergate.policy` (relative to the git directory), else the
//!   `policy.yaml` blob at `HEAD` *before* the push. Never from the pushed
//!   commits; `policy.yaml` itself is in the strictest tier.
//! - Replace refs: a push that creates or updates `refs/replace/*` is
//!   refused (`replace-ref`) unless the policy says `server.replace_refs:
//!   judge`; then a replacement commit is judged with the pushed commits
//!   and a replacement tree or blob is refused. Deletions pass. tiergate
//!   itself never follows replace refs (`tiergate_core::repo`).
//! - Overrides: `git push -o tiergate.override="reason"` (the key is
//!   `server.override.push_option`) accepts a push with violations when the
//!   pusher (see [`tiergate_core::server::IDENTITY_VARS`]) is one of
//!   `server.override.users` and gives a reason.
//! - Audit: one JSON line per push decision appended, under an exclusive
//!   lock, to git config `tiergate.auditLog`, else the policy's
//!   `server.audit_log`.
//! - Output on stderr, each line prefixed `GL-HOOK-ERR: ` under GitLab.
//! - Fail closed: bad stdin, a missing object, a missing or invalid policy,
//!   an unwritable audit log, a panic, `server.timeout` running out: the
//!   push is refused with the reason. `server.on_error: allow` (or git
//!   config `tiergate.onError allow` when the policy itself cannot be
//!   read) accepts only failures of the server's own configuration (the
//!   policy, the audit log), never one a pusher can cause
//!   ([`tiergate_core::server::Failure`]).
//! - Every decision is audited, a timeout or a panic included: the main
//!   thread, the watchdog and the panic handler each claim the decision
//!   before writing, so exactly one record is written per run (when the
//!   audit log is known by then).
//!
//! # reference-transaction (mirrors)
//!
//! `tiergate-pre-receive --reference-transaction <state>`: git runs the
//! `reference-transaction` hook for every ref update, `git fetch` included.
//! In the `prepared` state (refs locked, not yet moved) the commits new to
//! the repository are judged as above. Git config `tiergate.mirror`:
//! `audit` (default) records violations in the audit log and lets the
//! update through; `enforce` refuses it (the fetch fails for those refs).
//! Other states are ignored.
//!
//! Exit codes: 0 accepted, 1 refused for violations, 2 usage or policy
//! error, 3 git or I/O error.

use crate::error::{CommandError, ErrorKind};
use crate::Options;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;
use tiergate_core::check::{self, CommitVerdict};
use tiergate_core::encoding::UnreadableEncoding;
use tiergate_core::policy::{self, Mode, OnError, DEFAULT_SERVER_TIMEOUT};
use tiergate_core::repo::{self, Found, HeadFileError, Repo, DEFAULT_POLICY};
use tiergate_core::report::{self, Colour};
use tiergate_core::rules::{Fix, RuleCode, Violation};
use tiergate_core::server::{
    self, AuditRecord, AuditViolation, Failure, OverrideDecision, Progress, RefUpdate, Verdict,
};

/// Which server hook runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `pre-receive`: judge a push.
    PreReceive,
    /// `reference-transaction <state>`: judge what a fetch brings into a
    /// mirror (only the `prepared` state does anything).
    ReferenceTransaction(String),
}

impl Kind {
    fn hook_name(&self) -> &'static str {
        match self {
            Kind::PreReceive => "pre-receive",
            Kind::ReferenceTransaction(_) => "reference-transaction",
        }
    }
}

/// `git config tiergate.mirror`: what a mirror does with violations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MirrorMode {
    Audit,
    Enforce,
}

/// What the hook prints and how it exits.
struct Report {
    text: String,
    code: u8,
    json: Option<serde_json::Value>,
}

/// The repository the hook judges, read through the repository layer
/// (the C library, or git plumbing for SHA-256 object ids and reftable
/// references; see [`tiergate_core::repo`]). Same flow, same verdicts.
struct Store(Repo);

/// Why the pushed commits could not be judged.
type CheckFailure = Box<dyn std::error::Error + Send + Sync>;

impl Store {
    fn git_dir(&self) -> PathBuf {
        self.0.git_dir().to_path_buf()
    }

    fn trusted_policy(&self, options: &Options) -> Result<Found, Problem> {
        trusted_policy(options, &self.0)
    }

    fn peel_tip(&self, hex: &str) -> Result<Option<String>, CheckFailure> {
        Ok(self.0.peel_to_commit(hex)?)
    }

    /// Judge the commits `git rev-list ARGS` lists; a commit in an
    /// unreadable encoding ends it with an error and fills `unreadable`.
    fn check(
        &self,
        policy: &policy::Policy,
        classifier: &tiergate_core::classify::Classifier,
        args: &[String],
        unreadable: &std::cell::RefCell<Option<(String, UnreadableEncoding)>>,
        sink: impl FnMut(&CommitVerdict),
    ) -> Result<check::Summary, CheckFailure> {
        // Commits whose `encoding` header is not UTF-8 are judged as git
        // shows them (decoded), shallow boundaries as roots.
        match self.0.check(policy, classifier, args, sink) {
            Err(repo::Error::Unreadable { id, source }) => {
                let message = format!("commit {id}: {source}");
                *unreadable.borrow_mut() = Some((id, source));
                Err(message.into())
            }
            other => Ok(other?),
        }
    }
}

/// The report line and audit violation for a commit in an encoding
/// tiergate cannot read (see [`tiergate_core::encoding`]).
fn unreadable_encoding(id: &str, e: &UnreadableEncoding) -> (String, serde_json::Value) {
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
    let record = serde_json::json!(AuditViolation {
        commit: Some(id),
        title: None,
        refname: None,
        object: None,
        violation: &violation,
    });
    (line, record)
}

/// The summary line of the violations of refs (not of commits), like
/// [`report::human_summary`]'s: `tiergate: 1 violation in 1 ref`.
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

/// Why the hook could not judge.
struct Problem {
    code: u8,
    message: String,
    causes: Vec<String>,
    hint: Option<String>,
}

impl Problem {
    fn new(code: u8, message: impl Into<String>) -> Problem {
        Problem {
            code,
            message: message.into(),
            causes: Vec::new(),
            hint: None,
        }
    }

    fn caused_by(mut self, error: &dyn std::error::Error) -> Problem {
        crate::error::push_causes(&mut self.causes, error);
        self
    }

    fn hint(mut self, hint: &str) -> Problem {
        self.hint = Some(hint.to_owned());
        self
    }

    /// Rendered by the one renderer of the edges, never in colour: git
    /// relays it to the pusher through receive-pack, not to a terminal.
    fn render(&self) -> String {
        let kind = if self.code == 2 {
            ErrorKind::Usage
        } else {
            ErrorKind::Git
        };
        CommandError {
            kind,
            message: self.message.clone(),
            causes: self.causes.clone(),
            hints: self.hint.iter().cloned().collect(),
            rendered: false,
        }
        .render(Colour::Never)
    }

    fn summary(&self) -> String {
        let mut s = self.message.clone();
        for cause in &self.causes {
            s.push_str(": ");
            s.push_str(cause.lines().next().unwrap_or(""));
        }
        s
    }
}

/// The environment as the hook reads it (non-UTF-8 values count as unset).
fn env_var(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// A duration in milliseconds from a debug-only environment variable.
#[cfg(debug_assertions)]
fn debug_ms(key: &str) -> Option<std::time::Duration> {
    env_var(key)
        .and_then(|v| v.parse().ok())
        .map(std::time::Duration::from_millis)
}

/// The `main` of `tiergate-pre-receive`: no arguments for pre-receive,
/// `--reference-transaction <state>` for a mirror's reference-transaction
/// hook.
pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let kind = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => Kind::PreReceive,
        ["--reference-transaction", state] => Kind::ReferenceTransaction(state.to_owned()),
        ["-h" | "--help"] => {
            println!(
                "tiergate-pre-receive {}: tiergate's server-side git hook\n\n\
                 Usage: tiergate-pre-receive                                   (git's pre-receive hook; ref updates on stdin)\n\
                 \x20      tiergate-pre-receive --reference-transaction <state>   (a mirror's reference-transaction hook)\n\n\
                 Install it on a server with `install.sh --server REPO.git` (see docs/server.md).\n\
                 Exit: 0 accepted, 1 violations, 2 usage or policy error, 3 git or I/O error.",
                env!("CARGO_PKG_VERSION")
            );
            return ExitCode::SUCCESS;
        }
        ["-V" | "--version"] => {
            println!("tiergate-pre-receive {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        _ => {
            return CommandError::usage(
                format!("tiergate-pre-receive: unexpected arguments {args:?}"),
                "git runs this hook without arguments (pre-receive), or install it as a \
                 reference-transaction hook with `--reference-transaction \"$1\"`; see `--help`.",
            )
            .report();
        }
    };
    run(&Options::default(), &kind)
}

/// Run a server hook: read stdin, judge, print on stderr, append to the
/// audit log and return the exit code. Never panics (a panic inside is
/// caught and refuses the push unless `on_error: allow`).
pub fn run(options: &Options, kind: &Kind) -> ExitCode {
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .without_time()
            .try_init();
    }
    let gitlab = server::is_gitlab(env_var);
    let _ = START.set(Instant::now());
    let mut stdin = Vec::new();
    let read = std::io::stdin().read_to_end(&mut stdin);
    watchdog(kind, gitlab);
    // The default panic message would bypass the GitLab prefix: the
    // guard prints nothing, the report below says it.
    let result = crate::error::catch_panic(|| match read {
        Ok(_) => serve(options, kind, &stdin),
        Err(e) => fail_report(
            &Problem::new(
                3,
                format!("tiergate {}: cannot read stdin", kind.hook_name()),
            )
            .caused_by(&e),
            Failure::Input,
            OnError::Reject,
            false,
        ),
    });
    let report = result.unwrap_or_else(|panic| {
        let what = panic.message;
        let problem = Problem::new(3, format!("tiergate {}: internal error", kind.hook_name()))
            .caused_by(&std::io::Error::other(what))
            .hint("This is a bug in tiergate; please report it with the push that caused it.");
        decide_unfinished(&problem, Failure::Internal)
    });
    // A run that ended without taking the decision (it could not open the
    // repository, or had nothing to judge) takes it now, so that a
    // watchdog firing this late does not print a second verdict.
    if !DECIDED.load(Ordering::SeqCst) && !claim() {
        loop {
            std::thread::park();
        }
    }
    let text = if gitlab {
        server::gitlab_prefix(&report.text)
    } else {
        report.text
    };
    let _ = std::io::stderr().write_all(text.as_bytes());
    if let Some(json) = report.json.filter(|_| options.json) {
        println!("{json}");
    }
    ExitCode::from(report.code)
}

/// `server.timeout` of the policy in force (milliseconds; the default
/// until the policy is read).
static TIMEOUT_MS: AtomicU64 = AtomicU64::new(DEFAULT_SERVER_TIMEOUT.as_millis() as u64);

/// When the hook started (for the timeout and the records' `elapsed_ms`).
static START: OnceLock<Instant> = OnceLock::new();

/// Whether this run's decision is taken. The main thread
/// ([`Session::finish`]), the watchdog and the panic handler each
/// [`claim`] it before writing the audit record: exactly one of them
/// records and reports, the others stand aside.
static DECIDED: AtomicBool = AtomicBool::new(false);

/// What the watchdog and the panic handler need to record a decision the
/// main thread did not finish: the push as far as known, and the audit
/// log (`None` until the session exists).
static PROGRESS: Mutex<Option<(Progress, Option<PathBuf>)>> = Mutex::new(None);

/// Commits judged so far (the record's `commits_checked` when judging is
/// cut short).
static COMMITS_JUDGED: AtomicUsize = AtomicUsize::new(0);

/// Take this run's decision; `false` when another thread already has.
fn claim() -> bool {
    DECIDED
        .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
}

/// Milliseconds since the hook started.
fn elapsed_ms() -> u64 {
    START
        .get()
        .map(|s| u64::try_from(s.elapsed().as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Set what the watchdog enforces (from the policy, once read).
fn set_timeout(timeout: std::time::Duration) {
    TIMEOUT_MS.store(
        u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
        Ordering::SeqCst,
    );
}

/// Start the watchdog: once the hook has run longer than `server.timeout`
/// it takes the decision (unless the main thread has taken it already and
/// is recording it), writes the audit record, prints why and ends the
/// process, so a pathological push never holds a forge's worker. A
/// timeout refuses whatever `server.on_error` says: a pusher can make a
/// push as slow as they like (an audit-only mirror still accepts).
fn watchdog(kind: &Kind, gitlab: bool) {
    let name = kind.hook_name();
    std::thread::spawn(move || loop {
        std::thread::sleep(std::time::Duration::from_millis(10));
        let limit = std::time::Duration::from_millis(TIMEOUT_MS.load(Ordering::SeqCst));
        if START.get_or_init(Instant::now).elapsed() < limit {
            continue;
        }
        let problem = Problem::new(
            3,
            format!("tiergate {name}: timed out after {limit:?} (server.timeout)"),
        )
        .hint("Push fewer commits at a time, or ask the server's admin to raise `server.timeout` in the policy.");
        if !claim() {
            // The main thread decided first and is recording it.
            return;
        }
        let report = record_unfinished(&problem, Failure::Timeout);
        let text = if gitlab {
            server::gitlab_prefix(&report.text)
        } else {
            report.text
        };
        let _ = std::io::stderr().write_all(text.as_bytes());
        std::process::exit(i32::from(report.code));
    });
}

/// The decision on a push whose judging stopped with `failure` (a panic):
/// recorded, unless the watchdog took the decision first, in which case
/// this thread waits for it to end the process.
fn decide_unfinished(problem: &Problem, failure: Failure) -> Report {
    if claim() {
        return record_unfinished(problem, failure);
    }
    if !DECIDED_BY_MAIN.load(Ordering::SeqCst) {
        // The watchdog is writing its record and will exit.
        loop {
            std::thread::park();
        }
    }
    // The main thread had decided (and recorded) before it failed.
    let (on_error, mirror) = progress_on_error();
    fail_report(problem, failure, on_error, mirror)
}

/// Set once the main thread has claimed the decision.
static DECIDED_BY_MAIN: AtomicBool = AtomicBool::new(false);

/// `server.on_error` as far as known, and whether this is an audit-only
/// mirror.
fn progress_on_error() -> (OnError, bool) {
    let guard = PROGRESS.lock().unwrap_or_else(|e| e.into_inner());
    guard
        .as_ref()
        .map(|(p, _)| (p.on_error, p.audit_only_mirror))
        .unwrap_or((OnError::Reject, false))
}

/// Record (when the audit log is known) and report a decision the main
/// thread did not finish; the caller has [`claim`]ed it.
fn record_unfinished(problem: &Problem, failure: Failure) -> Report {
    let known = PROGRESS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let Some((mut progress, audit_log)) = known else {
        return fail_report(problem, failure, OnError::Reject, false);
    };
    progress.commits_checked = COMMITS_JUDGED.load(Ordering::SeqCst);
    let mut report = fail_report(
        problem,
        failure,
        progress.on_error,
        progress.audit_only_mirror,
    );
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let record =
        server::unfinished_record(&progress, failure, problem.summary(), time, elapsed_ms());
    if let Some(path) = &audit_log {
        if let Err(e) = append_line(path, record.to_line().as_bytes()) {
            let failed = audit_failure(path, &e, progress.on_error, progress.audit_only_mirror);
            report.text.push_str(&failed.text);
            if report.code == 0 {
                report.code = failed.code;
            }
        }
    }
    report
}

/// The report of an audit log that cannot be written.
fn audit_failure(path: &Path, e: &std::io::Error, on_error: OnError, mirror: bool) -> Report {
    let problem = Problem::new(
        3,
        format!("tiergate: cannot write the audit log {}", path.display()),
    )
    .caused_by(e)
    .hint("Make the audit log writable by the user the git server runs hooks as.");
    fail_report(&problem, Failure::AuditLog, on_error, mirror)
}

/// The report of a failure: rejected (exit `problem.code`) or, when
/// `configured` is `allow` and the failure is the server's own (see
/// [`server::on_error_for`]), accepted with a note.
fn fail_report(problem: &Problem, failure: Failure, configured: OnError, mirror: bool) -> Report {
    let mut text = problem.render();
    let code = match server::on_error_for(failure, configured, mirror) {
        OnError::Reject => {
            text.push_str("tiergate: push rejected: tiergate could not check it (fail closed)\n");
            if configured == OnError::Allow {
                text.push_str("tiergate: server.on_error: allow does not apply: a push can cause this failure\n");
            }
            problem.code
        }
        OnError::Allow => {
            text.push_str("tiergate: accepted without a check (server.on_error: allow)\n");
            0
        }
    };
    Report {
        text,
        code,
        json: None,
    }
}

/// The state of one hook run, gathered for the audit record.
struct Session {
    kind: Kind,
    repo_dir: String,
    user: Option<(String, &'static str)>,
    updates: Vec<RefUpdate>,
    policy_source: Option<String>,
    audit_log: Option<PathBuf>,
    on_error: OnError,
    audit_only_mirror: bool,
    commits_checked: usize,
    violations: Vec<serde_json::Value>,
    override_: OverrideDecision,
}

impl Session {
    /// Share what is known so far with the watchdog and the panic handler
    /// (see [`PROGRESS`]).
    fn publish(&self) {
        let progress = Progress {
            hook: self.kind.hook_name(),
            repo: self.repo_dir.clone(),
            user: self.user.clone(),
            refs: self.updates.clone(),
            policy: self.policy_source.clone(),
            on_error: self.on_error,
            audit_only_mirror: self.audit_only_mirror,
            commits_checked: 0,
        };
        *PROGRESS.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((progress, self.audit_log.clone()));
    }

    /// Finish: write the audit record (if there is a log), and produce the
    /// report. An audit log that cannot be written fails the hook (unless
    /// `on_error: allow`): a decision that cannot be recorded is not taken.
    /// When the watchdog took the decision first (a timeout), this thread
    /// writes nothing and waits for the watchdog to end the process.
    fn finish(
        self,
        verdict: Verdict,
        accepted: bool,
        error: Option<(&Problem, Failure)>,
        text: String,
    ) -> Report {
        if !claim() {
            loop {
                std::thread::park();
            }
        }
        DECIDED_BY_MAIN.store(true, Ordering::SeqCst);
        // Debug builds: the decision takes this long to record, so a
        // test can time the watchdog to fire meanwhile.
        #[cfg(debug_assertions)]
        if let Some(ms) = debug_ms("TIERGATE_DEBUG_FINISH_SLEEP_MS") {
            std::thread::sleep(ms);
        }
        let code_if_refused = match (verdict, error) {
            (_, Some((problem, _))) => problem.code,
            _ => 1,
        };
        let record = AuditRecord {
            time: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            hook: self.kind.hook_name(),
            repo: self.repo_dir,
            user: self.user,
            refs: self.updates,
            policy: self.policy_source,
            commits_checked: self.commits_checked,
            verdict,
            accepted,
            violations: self.violations,
            override_: self.override_,
            error: error.map(|(problem, _)| problem.summary()),
            reason: error.map(|(_, failure)| failure),
            elapsed_ms: elapsed_ms(),
        };
        let json = record.to_json();
        let mut report = Report {
            text,
            code: if accepted { 0 } else { code_if_refused },
            json: Some(json),
        };
        if let Some(path) = &self.audit_log {
            if let Err(e) = append_line(path, record.to_line().as_bytes()) {
                let failed = audit_failure(path, &e, self.on_error, self.audit_only_mirror);
                report.text.push_str(&failed.text);
                if accepted {
                    report.code = failed.code;
                }
            }
        }
        report
    }
}

/// Append `line` to `path` under an exclusive lock, so concurrent pushes
/// never interleave or lose lines.
fn append_line(path: &Path, line: &[u8]) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.lock()?;
    let result = (&file).write_all(line).and_then(|()| file.sync_data());
    let unlocked = file.unlock();
    result.and(unlocked)
}

fn serve(options: &Options, kind: &Kind, stdin: &[u8]) -> Report {
    if let Kind::ReferenceTransaction(state) = kind {
        if state != "prepared" {
            return Report {
                text: String::new(),
                code: 0,
                json: None,
            };
        }
    }
    // Debug builds only: `TIERGATE_DEBUG_PANIC=1` panics here, before
    // anything is known; `=judging` once the policy is read (below).
    #[cfg(debug_assertions)]
    if env_var("TIERGATE_DEBUG_PANIC").is_some_and(|v| v != "judging") {
        panic!("TIERGATE_DEBUG_PANIC is set");
    }
    let store = match Repo::open_server(options.repo.as_deref()) {
        Ok(repo) => Store(repo),
        Err(e) => return fail_report(&open_problem(&e), Failure::Objects, OnError::Reject, false),
    };
    let config = store.0.config().ok();
    let config_str = |key: &str| config.as_ref().and_then(|c| c.get_string(key));
    let git_dir = store.git_dir();
    let resolve = |p: PathBuf| if p.is_relative() { git_dir.join(p) } else { p };
    let config_on_error = match config_str("tiergate.onError").as_deref() {
        Some("allow") => OnError::Allow,
        _ => OnError::Reject,
    };
    let mirror_mode = match config_str("tiergate.mirror").as_deref() {
        Some("enforce") => MirrorMode::Enforce,
        _ => MirrorMode::Audit,
    };
    let mut session = Session {
        kind: kind.clone(),
        repo_dir: git_dir.display().to_string(),
        user: server::pusher(env_var),
        updates: Vec::new(),
        policy_source: None,
        audit_log: config_str("tiergate.auditLog").map(|p| resolve(PathBuf::from(p))),
        on_error: config_on_error,
        // An audit-only mirror never refuses, not even on errors.
        audit_only_mirror: matches!(kind, Kind::ReferenceTransaction(_))
            && mirror_mode == MirrorMode::Audit,
        commits_checked: 0,
        violations: Vec::new(),
        override_: OverrideDecision::NotRequested,
    };
    let is_mirror = matches!(kind, Kind::ReferenceTransaction(_));
    let error_out = |session: Session, failure: Failure, problem: Problem| {
        let failed = fail_report(
            &problem,
            failure,
            session.on_error,
            session.audit_only_mirror,
        );
        let accepted = failed.code == 0;
        session.finish(
            Verdict::Error,
            accepted,
            Some((&problem, failure)),
            failed.text,
        )
    };
    session.publish();

    // Parse stdin before the policy: the audit record names the refs even
    // when the policy cannot be read.
    match server::parse_updates(stdin, is_mirror) {
        Ok(updates) => {
            session.updates = updates;
            session.publish();
        }
        Err(e) => {
            let problem = Problem::new(2, format!("tiergate {}: bad input", kind.hook_name()))
                .caused_by(&e)
                .hint("git writes these lines itself: run the hook through `git push`, or give it `<old-id> <new-id> <ref>` lines.");
            return error_out(session, Failure::Input, problem);
        }
    }
    let found = match store.trusted_policy(options) {
        Ok(found) => found,
        Err(problem) => return error_out(session, Failure::Policy, problem),
    };
    let policy = &found.policy;
    session.policy_source = Some(policy.source.clone());
    if session.audit_log.is_none() {
        session.audit_log = policy.server.audit_log.clone().map(resolve);
    }
    if config_on_error == OnError::Reject {
        session.on_error = policy.server.on_error;
    }
    session.publish();
    set_timeout(policy.server.timeout);
    // Debug builds only, for the tests of timeouts and panics: once the
    // policy is read, sleep (`TIERGATE_DEBUG_SLEEP_MS`), or panic
    // (`TIERGATE_DEBUG_PANIC=judging`).
    #[cfg(debug_assertions)]
    {
        if let Some(ms) = debug_ms("TIERGATE_DEBUG_SLEEP_MS") {
            std::thread::sleep(ms);
        }
        if env_var("TIERGATE_DEBUG_PANIC").as_deref() == Some("judging") {
            panic!("TIERGATE_DEBUG_PANIC is set");
        }
    }
    #[cfg(debug_assertions)]
    let commit_sleep = debug_ms("TIERGATE_DEBUG_COMMIT_SLEEP_MS");

    let classifier = match found.classifier() {
        Ok(c) => c,
        Err(e) => {
            let problem =
                Problem::new(2, "tiergate: the policy has an invalid pattern").caused_by(&e);
            return error_out(session, Failure::Policy, problem);
        }
    };
    // The tips: every created or updated ref's new id, peeled to a commit
    // (a replace ref's too: its replacement commit is judged like any
    // pushed commit).
    let mut tips = Vec::new();
    let mut peeled = std::collections::HashSet::new();
    for update in session.updates.iter().filter(|u| !u.is_delete()) {
        match store.peel_tip(&update.new) {
            Ok(Some(id)) => {
                peeled.insert(update.new.clone());
                tips.push(id);
            }
            Ok(None) => {}
            Err(e) => {
                let problem = Problem::new(
                    3,
                    format!(
                        "tiergate: cannot read {} (the new value of {})",
                        update.new, update.refname
                    ),
                )
                .caused_by(e.as_ref());
                return error_out(session, Failure::Objects, problem);
            }
        }
    }
    // Replace refs (`refs/replace/*`): git would show their objects in
    // place of the replaced ones (tiergate itself never follows them; see
    // `tiergate_core::repo`), so they are refused or judged as the
    // policy's `server.replace_refs` says.
    let ref_violations = server::replace_ref_violations(
        &session.updates,
        env_var("GIT_REPLACE_REF_BASE").as_deref(),
        policy.server.replace_refs,
        |update| peeled.contains(&update.new),
    );
    let colour = Colour::Never;
    let mut text = String::new();
    let mut violations = Vec::new();
    let mut summary = check::Summary::default();
    if !tips.is_empty() {
        let args = server::push_walk_args(&tips);
        let unreadable = std::cell::RefCell::new(None);
        let result = store.check(
            policy,
            &classifier,
            &args,
            &unreadable,
            |v: &CommitVerdict| {
                COMMITS_JUDGED.fetch_add(1, Ordering::SeqCst);
                // Debug builds: each commit takes this long.
                #[cfg(debug_assertions)]
                if let Some(ms) = commit_sleep {
                    std::thread::sleep(ms);
                }
                if !v.violations.is_empty() {
                    text.push_str(&report::human_commit(v, policy.mode, colour));
                    violations.extend(AuditRecord::violations_of(v));
                }
            },
        );
        let unreadable = unreadable.into_inner();
        match result {
            Ok(s) => summary = s,
            Err(_) if unreadable.is_some() => {
                if let Some((id, e)) = unreadable {
                    let (line, record) = unreadable_encoding(&id, &e);
                    text.push_str(&line);
                    violations.push(record);
                }
                summary.commits_failed += 1;
                summary.violations = violations.len();
            }
            Err(e) => {
                let problem = Problem::new(3, "tiergate: cannot read the pushed commits")
                    .caused_by(e.as_ref());
                return error_out(session, Failure::Objects, problem);
            }
        }
    }
    for violation in &ref_violations {
        text.push_str(&violation.human());
        violations.push(violation.to_json());
    }
    session.commits_checked = summary.commits_checked;
    session.violations = violations;
    tracing::debug!(
        commits = summary.commits_checked,
        violations = summary.violations,
        ref_violations = ref_violations.len(),
        "judged"
    );

    if summary.violations == 0 && ref_violations.is_empty() {
        return session.finish(Verdict::Pass, true, None, text);
    }
    if summary.violations > 0 {
        text.push_str(&report::human_summary(&summary, policy));
        text.push('\n');
    }
    if !ref_violations.is_empty() {
        text.push_str(&ref_summary(ref_violations.len(), policy.mode));
        text.push('\n');
    }
    let refs: Vec<&str> = session.updates.iter().map(|u| u.refname.as_str()).collect();
    let refs = refs.join(", ");
    if is_mirror {
        return match mirror_mode {
            MirrorMode::Audit => {
                text.push_str(&format!(
                    "tiergate: mirror update accepted and recorded (tiergate.mirror: audit) ({refs})\n"
                ));
                session.finish(Verdict::Warn, true, None, text)
            }
            MirrorMode::Enforce => {
                text.push_str(&format!(
                    "tiergate: mirror update refused (tiergate.mirror: enforce); refs not updated ({refs})\n"
                ));
                session.finish(Verdict::Fail, false, None, text)
            }
        };
    }
    if policy.mode == Mode::Warn {
        return session.finish(Verdict::Warn, true, None, text);
    }
    let key = &policy.server.override_.push_option;
    let options_given = server::push_options(env_var);
    let requested = server::requested_override(&options_given, key);
    session.override_ = server::decide_override(
        requested.as_deref(),
        session.user.as_ref().map(|(u, _)| u.as_str()),
        &policy.server.override_.users,
        key,
    );
    match &session.override_ {
        OverrideDecision::Granted { user, reason } => {
            text.push_str(&format!(
                "tiergate: override by {user} accepted: \"{reason}\" (recorded in the audit log)\n"
            ));
            session.finish(Verdict::Override, true, None, text)
        }
        decision => {
            if let OverrideDecision::Refused { why, .. } = decision {
                text.push_str(&format!("tiergate: override refused: {why}\n"));
            }
            text.push_str(&format!(
                "tiergate: push rejected ({refs}); no ref was updated\n"
            ));
            text.push_str("Hint: Fix the commits above (`git rebase -i` with `reword`, or `edit` to split one) and push again; `tiergate explain <rule>` says more.\n");
            session.finish(Verdict::Fail, false, None, text)
        }
    }
}

/// Why the repository could not be opened, as the hook reports it.
fn open_problem(e: &repo::Error) -> Problem {
    match e.context_and_source() {
        Some((context, source)) => {
            Problem::new(3, format!("tiergate: {context}")).caused_by(source)
        }
        None => Problem::new(3, "tiergate: cannot open the repository").caused_by(e),
    }
}

/// The policy, from a trusted place only (see the module docs).
fn trusted_policy(options: &Options, repo: &Repo) -> Result<Found, Problem> {
    let hint = "Install the policy on the server with `install.sh --server REPO.git --policy FILE` (git config tiergate.policy), or commit policy.yaml on the default branch.";
    let load_error = |e: policy::LoadError| {
        Problem::new(2, "tiergate: cannot load the policy; push rejected")
            .caused_by(&e)
            .hint(hint)
    };
    let repo_path = Some(DEFAULT_POLICY.as_bytes().to_vec());
    if let Some(path) = &options.policy {
        let policy = policy::load_file(path).map_err(load_error)?;
        return Ok(Found { policy, repo_path });
    }
    let config = repo
        .config()
        .map_err(|e| Problem::new(3, "tiergate: cannot read git config").caused_by(&e))?;
    if let Some(configured) = config.get_path("tiergate.policy") {
        let path = if configured.is_relative() {
            repo.git_dir().join(configured)
        } else {
            configured
        };
        let policy = policy::load_file(&path).map_err(load_error)?;
        return Ok(Found { policy, repo_path });
    }
    // The policy committed on the default branch, as it is before the push
    // (pre-receive runs before any ref moves).
    let spec = format!("HEAD:{DEFAULT_POLICY}");
    let blob = repo.head_file(DEFAULT_POLICY).map_err(|e| match e {
        HeadFileError::Unborn(_) => Problem::new(
            2,
            format!("tiergate: no policy: HEAD of {} does not point at a commit yet, so there is no {spec}", repo.git_dir().display()),
        )
        .caused_by(&e)
        // Committing policy.yaml cannot help here: the push that brings
        // it is judged by the policy before the push, which is none.
        .hint("Install the policy on the server with `install.sh --server REPO.git --policy FILE` (git config tiergate.policy): the first push into an empty repository cannot bring its own policy."),
        HeadFileError::Missing(_) => Problem::new(
            2,
            format!("tiergate: no policy: the default branch has no {DEFAULT_POLICY}"),
        )
        .caused_by(&e)
        .hint(hint),
        HeadFileError::Unreadable(e) => {
            Problem::new(3, format!("tiergate: cannot read {spec}")).caused_by(&e)
        }
    })?;
    let policy = policy::from_yaml(&blob, &spec).map_err(load_error)?;
    Ok(Found { policy, repo_path })
}
