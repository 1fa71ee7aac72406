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
//!   [`tiergate_core::server::UNJUDGED_NAMESPACES`]), with [`tiergate_core::judge::check_commits`]; one
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
//! - The decision itself is [`tiergate_core::server::decide`], a pure
//!   function of what this module gathers (the push, the pusher, the
//!   policy's settings, the verdicts or the failure); this module gathers,
//!   writes the record and prints.
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

use crate::error::CommandError;
use crate::Options;
use std::cell::RefCell;
use std::collections::HashSet;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;
use tiergate_core::classify::Classifier;
use tiergate_core::judge::{self, CommitVerdict};
use tiergate_core::message::encoding::UnreadableEncoding;
use tiergate_core::policy::{self, OnError, Policy, RefMode, DEFAULT_SERVER_TIMEOUT};
use tiergate_core::repo::{self, Found, HeadFileError, Repo, DEFAULT_POLICY};
use tiergate_core::server::{
    self, Clock, Decision, Failure, Judged, Judgement, MirrorMode, Problem, Progress, RefUpdate,
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

/// The repository the hook judges, read through the repository layer
/// (the C library, or git plumbing for SHA-256 object ids and reftable
/// references; see [`tiergate_core::repo`]). Same flow, same verdicts.
struct Store(Repo);

/// Why the pushed commits could not be judged.
type CheckFailure = Box<dyn std::error::Error + Send + Sync>;

/// Why judging stopped, and who could have caused it.
type Failed = (Problem, Failure);

impl Store {
    fn git_dir(&self) -> PathBuf {
        self.0.git_dir().to_path_buf()
    }

    fn trusted_policy(&self, options: &Options) -> Result<Found, Problem> {
        trusted_policy(options, &self.0)
    }

    /// The classifier, as every entry point builds it: with
    /// `follow_includes`, the files only a tier's code includes are read
    /// from HEAD, the tree the committed policy is read from, as it is
    /// before the push ([`Repo::classifier`]); never from the pushed
    /// commits, which could drop the `#include` in the same push.
    fn classifier(&self, found: &Found) -> Result<Classifier, Failed> {
        self.0.classifier_for(found).map_err(|e| match e {
            repo::ClassifierError::Pattern(e) => (
                Problem::new(2, "tiergate: the policy has an invalid pattern").caused_by(&e),
                Failure::Policy,
            ),
            other => (
                Problem::new(
                    3,
                    "tiergate: cannot read the trusted tree (HEAD) for follow_includes",
                )
                .caused_by(&other),
                Failure::Objects,
            ),
        })
    }

    fn peel_tip(&self, hex: &str) -> Result<Option<String>, CheckFailure> {
        Ok(self.0.peel_to_commit(hex)?)
    }

    /// Judge the commits `git rev-list ARGS` lists; a commit in an
    /// unreadable encoding ends it with an error and fills `unreadable`.
    fn check(
        &self,
        policy: &Policy,
        classifier: &Classifier,
        args: &[String],
        unreadable: &RefCell<Option<(String, UnreadableEncoding)>>,
        sink: impl FnMut(&CommitVerdict),
    ) -> Result<judge::Summary, CheckFailure> {
        // Commits whose `encoding` header is not UTF-8 are judged as git
        // shows them (decoded), shallow boundaries as roots. A push and
        // what a mirror fetches are judged alike: the `receive` stage.
        match self.0.check(
            policy,
            classifier,
            tiergate_core::stage::Stage::Receive,
            args,
            sink,
        ) {
            Err(repo::Error::Unreadable { id, source }) => {
                let message = format!("commit {id}: {source}");
                *unreadable.borrow_mut() = Some((id, source));
                Err(message.into())
            }
            other => Ok(other?),
        }
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
/// caught, recorded and refuses the push; an audit-only mirror records it
/// and lets the update through).
pub fn run(options: &Options, kind: &Kind) -> ExitCode {
    if std::env::var_os("RUST_LOG").is_some() {
        // git relays stderr to the pusher as `remote:` lines: never
        // escape sequences.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .with_ansi(false)
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
        Err(e) => server::decide_unrecorded(
            &Problem::new(
                3,
                format!("tiergate {}: cannot read stdin", kind.hook_name()),
            )
            .caused_by(&e),
            Failure::Input,
            None,
        ),
    });
    let decision = result.unwrap_or_else(|panic| decide_after_panic(kind, panic.message));
    // A run that ended without taking the decision (it could not open the
    // repository, or had nothing to judge) takes it now, so that a
    // watchdog firing this late does not print a second verdict.
    if !DECIDED.load(Ordering::SeqCst) && !claim() {
        loop {
            std::thread::park();
        }
    }
    print(&decision, gitlab);
    if let Some(record) = decision.record.as_ref().filter(|_| options.json) {
        println!("{}", record.to_json());
    }
    ExitCode::from(decision.code)
}

/// Print what the decision says for the pusher on stderr (which every git
/// server relays), each line prefixed for GitLab's web UI when under
/// GitLab.
fn print(decision: &Decision, gitlab: bool) {
    let text = if gitlab {
        server::gitlab_prefix(&decision.text)
    } else {
        decision.text.clone()
    };
    let _ = std::io::stderr().write_all(text.as_bytes());
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

/// Set once the main thread has claimed the decision.
static DECIDED_BY_MAIN: AtomicBool = AtomicBool::new(false);

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

/// Now, for a decision's record: the wall clock, and the milliseconds
/// since the hook started.
fn clock() -> Clock {
    Clock {
        time: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        elapsed_ms: START
            .get()
            .map(|s| u64::try_from(s.elapsed().as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0),
    }
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
        let decision = record_unfinished(&problem, Failure::Timeout);
        print(&decision, gitlab);
        std::process::exit(i32::from(decision.code));
    });
}

/// The decision after a panic (`payload`): recorded, unless the watchdog
/// took the decision first, in which case this thread waits for it to end
/// the process.
fn decide_after_panic(kind: &Kind, what: String) -> Decision {
    let problem = Problem::new(3, format!("tiergate {}: internal error", kind.hook_name()))
        .caused_by(&std::io::Error::other(what))
        .hint("This is a bug in tiergate; please report it with the push that caused it.");
    if claim() {
        return record_unfinished(&problem, Failure::Internal);
    }
    if !DECIDED_BY_MAIN.load(Ordering::SeqCst) {
        // The watchdog is writing its record and will exit.
        loop {
            std::thread::park();
        }
    }
    // The main thread had decided (and recorded) before it failed.
    let known = PROGRESS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    server::decide_unrecorded(&problem, Failure::Internal, known.as_ref().map(|(p, _)| p))
}

/// Record (when the audit log is known) and report a decision the main
/// thread did not finish; the caller has [`claim`]ed it.
fn record_unfinished(problem: &Problem, failure: Failure) -> Decision {
    let known = PROGRESS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let Some((mut progress, audit_log)) = known else {
        return server::decide_unrecorded(problem, failure, None);
    };
    progress.commits_checked = COMMITS_JUDGED.load(Ordering::SeqCst);
    let mut decision = write_record(
        server::decide_unfinished(&progress, problem, failure, clock()),
        audit_log.as_deref(),
    );
    // Only the main thread's decision is printed as JSON (`--json`).
    decision.record = None;
    decision
}

/// Write the decision's record to the audit log (when there are both):
/// a record that cannot be written changes the decision
/// ([`Decision::unrecorded`]).
fn write_record(decision: Decision, audit_log: Option<&Path>) -> Decision {
    let (Some(path), Some(record)) = (audit_log, &decision.record) else {
        return decision;
    };
    match append_line(path, record.to_line().as_bytes()) {
        Ok(()) => decision,
        Err(e) => {
            let problem = Problem::new(
                3,
                format!("tiergate: cannot write the audit log {}", path.display()),
            )
            .caused_by(&e)
            .hint("Make the audit log writable by the user the git server runs hooks as.");
            decision.unrecorded(&problem)
        }
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

/// Gather, decide, record: the main thread's work.
fn serve(options: &Options, kind: &Kind, stdin: &[u8]) -> Decision {
    if let Kind::ReferenceTransaction(state) = kind {
        if state != "prepared" {
            return Decision::nothing_to_decide();
        }
    }
    // Debug builds only: `TIERGATE_DEBUG_PANIC=1` panics here, before
    // anything is known; `=judging` once the policy is read.
    #[cfg(debug_assertions)]
    if env_var("TIERGATE_DEBUG_PANIC").is_some_and(|v| v != "judging") {
        panic!("TIERGATE_DEBUG_PANIC is set");
    }
    let store = match Repo::open_server(options.repo.as_deref()) {
        Ok(repo) => Store(repo),
        Err(e) => return server::decide_unrecorded(&open_problem(&e), Failure::Objects, None),
    };
    let mut session = Session::start(kind, &store);
    session.publish();
    let judgement = match session.judge(options, &store, stdin) {
        Ok(judged) => Judgement::Judged(Box::new(judged)),
        Err((problem, failure)) => Judgement::Failed(problem, failure),
    };
    let next = session.next_head.take();
    let decision = session.finish(judgement);
    if decision.code == 0 {
        if let Some(next) = next {
            next.prepare(&store);
        }
    }
    decision
}

/// What the next push will judge with, when this one moves the branch
/// `HEAD` points at: the new tip, and the policy this push was judged by
/// (the next push's, unless this one changes the committed policy: see
/// [`NextHead::policy`]).
struct NextHead {
    commit: String,
    policy: Policy,
    policy_path: Option<Vec<u8>>,
}

impl NextHead {
    /// Bring the kept include graph and answer to the new tip once the
    /// push is accepted ([`Repo::prepare_classifier`]), so that the next
    /// push, which judges with this tip as `HEAD`, finds them ready
    /// instead of paying for the diff (or, after the first push to an
    /// empty repository, for reading the whole tree). The decision is
    /// taken and recorded already: a failure here only costs the next
    /// push time.
    fn prepare(self, store: &Store) {
        // A bug here must not turn the decision taken into a refusal: a
        // panic is caught and only logged, like an error.
        let prepared = crate::error::catch_panic(|| {
            let Some(policy) = self.policy(store).filter(Policy::follows_includes) else {
                return Ok(0);
            };
            store
                .0
                .prepare_classifier(&policy, self.policy_path.as_deref(), &self.commit)
        });
        match prepared {
            Ok(Ok(files)) => {
                tracing::debug!(commit = %self.commit, files, "follow_includes prepared for the next push")
            }
            Ok(Err(e)) => {
                tracing::debug!(commit = %self.commit, error = %e, "follow_includes not prepared")
            }
            Err(panic) => {
                tracing::debug!(commit = %self.commit, panic = %panic.message, "follow_includes not prepared")
            }
        }
    }

    /// The policy the next push will be judged by. A policy committed on
    /// the default branch is the new tip's: a push that turns
    /// `follow_includes` on is judged by the policy before it, but the
    /// next one by its own. `None` when the new tip's cannot be read.
    fn policy(&self, store: &Store) -> Option<Policy> {
        let committed = format!("HEAD:{DEFAULT_POLICY}");
        if self.policy.source != committed {
            return Some(self.policy.clone());
        }
        let before = store
            .0
            .head_commit()
            .and_then(|head| store.0.blob_id_at(&head, DEFAULT_POLICY));
        let after = store.0.blob_id_at(&self.commit, DEFAULT_POLICY)?;
        if before.as_deref() == Some(after.as_str()) {
            return Some(self.policy.clone());
        }
        let blob = store.0.file_at(&self.commit, DEFAULT_POLICY)?;
        policy::from_yaml(&blob, &committed).ok()
    }
}

/// One hook run's knowledge of the push, gathered step by step.
struct Session {
    /// What the decision is taken on, published for the watchdog and the
    /// panic handler as it grows.
    known: Progress,
    /// Git config `tiergate.auditLog`, else the policy's `server.audit_log`.
    audit_log: Option<PathBuf>,
    git_dir: PathBuf,
    /// Git config `tiergate.onError`: in force while the policy cannot be
    /// read; `allow` there also wins over the policy's `server.on_error`.
    config_on_error: OnError,
    /// See [`NextHead`].
    next_head: Option<NextHead>,
}

impl Session {
    /// What the repository's git config and the environment say before
    /// stdin and the policy are read: the mirror mode, `tiergate.onError`,
    /// `tiergate.auditLog`, the pusher.
    fn start(kind: &Kind, store: &Store) -> Session {
        let config = store.0.config().ok();
        let config_str = |key: &str| config.as_ref().and_then(|c| c.get_string(key));
        let git_dir = store.git_dir();
        let config_on_error = match config_str("tiergate.onError").as_deref() {
            Some("allow") => OnError::Allow,
            _ => OnError::Reject,
        };
        let mirror = match kind {
            Kind::PreReceive => None,
            Kind::ReferenceTransaction(_) => match config_str("tiergate.mirror").as_deref() {
                Some("enforce") => Some(MirrorMode::Enforce),
                _ => Some(MirrorMode::Audit),
            },
        };
        let audit_log = config_str("tiergate.auditLog").map(|p| resolve(&git_dir, p.into()));
        Session {
            known: Progress {
                mirror,
                repo: git_dir.display().to_string(),
                user: server::pusher(env_var),
                refs: Vec::new(),
                policy: None,
                on_error: config_on_error,
                commits_checked: 0,
            },
            audit_log,
            git_dir,
            config_on_error,
            next_head: None,
        }
    }

    /// Share what is known so far with the watchdog and the panic handler
    /// (see [`PROGRESS`]).
    fn publish(&self) {
        *PROGRESS.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((self.known.clone(), self.audit_log.clone()));
    }

    /// Read stdin, the policy, the pushed refs and commits, and judge
    /// them. Stdin comes before the policy: the audit record names the
    /// refs even when the policy cannot be read.
    fn judge(&mut self, options: &Options, store: &Store, stdin: &[u8]) -> Result<Judged, Failed> {
        self.known.refs = read_updates(&self.known, stdin)?;
        self.publish();
        let found = store
            .trusted_policy(options)
            .map_err(|problem| (problem, Failure::Policy))?;
        self.adopt_policy(&found.policy);
        self.publish();
        set_timeout(found.policy.server.timeout);
        pause_once_policy_read();
        let classifier = store.classifier(&found)?;
        let tips = peel_tips(store, &found.policy, &self.known.refs)?;
        // Replace refs (`refs/replace/*`): git would show their objects in
        // place of the replaced ones (tiergate itself never follows them;
        // see `tiergate_core::repo`), so they are refused or judged as the
        // policy's `server.replace_refs` says.
        let refs = server::replace_ref_violations(
            &self.known.refs,
            env_var("GIT_REPLACE_REF_BASE").as_deref(),
            found.policy.server.replace_refs,
            |update| tips.peeled.contains(&update.new),
        );
        // A push that updates the policy's notes ref carries notes on its
        // commits (`git push origin main refs/notes/ai`): they count as
        // evidence besides the notes the server has. A note can only add
        // evidence, so trusting what the pusher wrote there is safe (see
        // docs/security.md).
        if let Some(notes_ref) = &found.policy.markers.notes {
            for update in self.known.refs.iter() {
                if &update.refname == notes_ref && !update.is_delete() {
                    store.0.add_pushed_notes(&update.new);
                }
            }
        }
        let walked = judge_commits(store, &found.policy, &classifier, &tips)?;
        self.next_head = next_head(store, &found, &self.known.refs);
        tracing::debug!(
            commits = walked.summary.commits_checked,
            violations = walked.summary.violations,
            ref_violations = refs.len(),
            "judged"
        );
        let override_requested = server::requested_override(
            &server::push_options(env_var),
            &found.policy.server.override_.push_option,
        );
        Ok(Judged {
            policy: found.policy,
            commits: walked.commits,
            unreadable: walked.unreadable,
            summary: walked.summary,
            refs,
            override_requested,
        })
    }

    /// Take the policy's settings where git config does not set them:
    /// `server.audit_log`, `server.on_error`.
    fn adopt_policy(&mut self, policy: &Policy) {
        self.known.policy = Some(policy.source.clone());
        if self.audit_log.is_none() {
            self.audit_log = policy
                .server
                .audit_log
                .clone()
                .map(|p| resolve(&self.git_dir, p));
        }
        if self.config_on_error == OnError::Reject {
            self.known.on_error = policy.server.on_error;
        }
    }

    /// Finish: take the decision, write its audit record (if there is a
    /// log). An audit log that cannot be written fails the hook (unless
    /// `on_error: allow`): a decision that cannot be recorded is not taken.
    /// When the watchdog took the decision first (a timeout), this thread
    /// writes nothing and waits for the watchdog to end the process.
    fn finish(self, judgement: Judgement) -> Decision {
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
        let decision = server::decide(&self.known, judgement, clock());
        write_record(decision, self.audit_log.as_deref())
    }
}

/// A path from git config or the policy: relative to the git directory.
fn resolve(git_dir: &Path, path: PathBuf) -> PathBuf {
    if path.is_relative() {
        git_dir.join(path)
    } else {
        path
    }
}

/// Debug builds only, for the tests of timeouts and panics: once the
/// policy is read, sleep (`TIERGATE_DEBUG_SLEEP_MS`), or panic
/// (`TIERGATE_DEBUG_PANIC=judging`).
fn pause_once_policy_read() {
    #[cfg(debug_assertions)]
    {
        if let Some(ms) = debug_ms("TIERGATE_DEBUG_SLEEP_MS") {
            std::thread::sleep(ms);
        }
        if env_var("TIERGATE_DEBUG_PANIC").as_deref() == Some("judging") {
            panic!("TIERGATE_DEBUG_PANIC is set");
        }
    }
}

/// The ref updates on stdin.
fn read_updates(known: &Progress, stdin: &[u8]) -> Result<Vec<RefUpdate>, Failed> {
    server::parse_updates(stdin, known.mirror.is_some()).map_err(|e| {
        let problem = Problem::new(2, format!("tiergate {}: bad input", known.hook()))
            .caused_by(&e)
            .hint("git writes these lines itself: run the hook through `git push`, or give it `<old-id> <new-id> <ref>` lines.");
        (problem, Failure::Input)
    })
}

/// The tips of a push: every created or updated ref's new id peeled to a
/// commit (a replace ref's too: its replacement commit is judged like
/// any pushed commit), by the mode of the policy's `refs:` scope its ref
/// is in.
struct Tips {
    /// Tips of refs in an enforced scope, in the order of the updates.
    commits: Vec<String>,
    /// Tips of refs in a `warn` scope: judged after the enforced ones,
    /// their violations reported as warnings. A ref in an `ignore` scope
    /// brings no tip.
    warned: Vec<String>,
    /// The new ids that peel to a commit.
    peeled: HashSet<String>,
}

/// Peel every created or updated ref's new id.
fn peel_tips(store: &Store, policy: &Policy, updates: &[RefUpdate]) -> Result<Tips, Failed> {
    let mut tips = Tips {
        commits: Vec::new(),
        warned: Vec::new(),
        peeled: HashSet::new(),
    };
    let replace_base = env_var("GIT_REPLACE_REF_BASE");
    for update in updates.iter().filter(|u| !u.is_delete()) {
        // A replace ref is judged whatever its scope: what it does to
        // every reader is not a namespace's business (see
        // `replace_ref_violations`).
        let scope = if server::is_replace_ref(&update.refname, replace_base.as_deref()) {
            RefMode::Enforce
        } else {
            policy.refs.mode_for(&update.refname)
        };
        match store.peel_tip(&update.new) {
            Ok(Some(id)) => {
                tips.peeled.insert(update.new.clone());
                match scope {
                    RefMode::Enforce => tips.commits.push(id),
                    RefMode::Warn => tips.warned.push(id),
                    RefMode::Ignore => {}
                }
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
                return Err((problem, Failure::Objects));
            }
        }
    }
    Ok(tips)
}

/// For `tiergate install --server`: read the include graph of the
/// repository's `HEAD` and keep it with the answer, as the hook would
/// need them, when the policy the hook will find follows includes, so
/// that the first push after installing does not pay for reading the
/// whole tree. The number of files followed into a tier, or `None` when
/// there is nothing to prepare (no `follow_includes`, an unborn `HEAD`).
pub fn prepare_head(repo: &Path) -> Result<Option<usize>, String> {
    crate::error::catch_panic(|| prepare_head_in(repo))
        .unwrap_or_else(|panic| Err(format!("internal error: {}", panic.message)))
}

fn prepare_head_in(repo: &Path) -> Result<Option<usize>, String> {
    let repo = Repo::open_server(Some(repo)).map_err(|e| e.to_string())?;
    let options = Options::default();
    let found = match trusted_policy(&options, &repo) {
        Ok(found) => found,
        // No policy yet: the hook refuses pushes until there is one, and
        // nothing can be prepared.
        Err(_) => return Ok(None),
    };
    if !found.policy.follows_includes() {
        return Ok(None);
    }
    let Some(head) = repo.head_commit() else {
        return Ok(None);
    };
    repo.prepare_classifier(&found.policy, found.repo_path.as_deref(), &head)
        .map(Some)
        .map_err(|e| {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                text.push_str(&format!(": {s}"));
                source = s.source();
            }
            text
        })
}

/// The new tip of the branch `HEAD` points at, if the push moves it and
/// the next push may follow includes: this policy does, or it is the
/// committed one, which the push may change (see [`NextHead`]).
fn next_head(store: &Store, found: &Found, updates: &[RefUpdate]) -> Option<NextHead> {
    let committed = found.policy.source == format!("HEAD:{DEFAULT_POLICY}");
    if !found.policy.follows_includes() && !committed {
        return None;
    }
    let branch = store.0.head_branch()?;
    let update = updates
        .iter()
        .find(|u| u.refname == branch && !u.is_delete())?;
    let commit = store.peel_tip(&update.new).ok()??;
    Some(NextHead {
        commit,
        policy: found.policy.clone(),
        policy_path: found.repo_path.clone(),
    })
}

/// What judging the pushed commits found.
#[derive(Default)]
struct Walked {
    /// The commits with violations or warnings, in the order judged.
    commits: Vec<CommitVerdict>,
    /// A commit in an encoding tiergate cannot read, which ended the walk.
    unreadable: Option<(String, UnreadableEncoding)>,
    summary: judge::Summary,
}

/// Judge the commits new to the repository from `tips`: those of the
/// enforced refs, then those of the warned refs minus what the first walk
/// judged (a commit pushed to `main` and `wip/x` at once is enforced),
/// their violations turned into warnings. Refs in non-enforced scopes are
/// left out of the "already there" set ([`server::scoped_push_walk_args`]).
fn judge_commits(
    store: &Store,
    policy: &Policy,
    classifier: &Classifier,
    tips: &Tips,
) -> Result<Walked, Failed> {
    let mut walked = Walked::default();
    #[cfg(debug_assertions)]
    let commit_sleep = debug_ms("TIERGATE_DEBUG_COMMIT_SLEEP_MS");
    let walks = [
        (&tips.commits, &[][..], false),
        (&tips.warned, tips.commits.as_slice(), true),
    ];
    for (walk_tips, also_known, warn) in walks {
        if walk_tips.is_empty() {
            continue;
        }
        let args = server::scoped_push_walk_args(walk_tips, also_known, &policy.refs);
        let unreadable = RefCell::new(None);
        let result = store.check(policy, classifier, &args, &unreadable, |v| {
            COMMITS_JUDGED.fetch_add(1, Ordering::SeqCst);
            // Debug builds: each commit takes this long.
            #[cfg(debug_assertions)]
            if let Some(ms) = commit_sleep {
                std::thread::sleep(ms);
            }
            if !v.is_clean() {
                let mut v = v.clone();
                if warn {
                    v.downgrade();
                }
                walked.commits.push(v);
            }
        });
        walked.unreadable = unreadable.into_inner();
        match result {
            Ok(s) if warn => {
                walked.summary.commits_checked += s.commits_checked;
                walked.summary.warnings += s.warnings + s.violations;
            }
            Ok(s) => walked.summary = s,
            Err(_) if walked.unreadable.is_some() => {
                // The walk ended at the unreadable commit: it counts as the
                // failed commit, with the violations found before it.
                walked.summary.commits_failed = 1;
                walked.summary.violations = walked
                    .commits
                    .iter()
                    .map(|c| c.violations.len())
                    .sum::<usize>()
                    + 1;
                break;
            }
            Err(e) => {
                let problem = Problem::new(3, "tiergate: cannot read the pushed commits")
                    .caused_by(e.as_ref());
                return Err((problem, Failure::Objects));
            }
        }
    }
    Ok(walked)
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
