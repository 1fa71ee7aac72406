//! # tiergate-hooks
//!
//! The client-side git hooks of tiergate, shared by the small binaries
//! (`tiergate-commit-msg`, `tiergate-pre-push`, `tiergate-applypatch-msg`)
//! and by `tiergate hook <name>`, so both behave identically.
//!
//! Each hook gathers what git hands it (arguments, stdin, environment, the
//! repository's state), judges with [`tiergate_core::judge::judge`] /
//! [`tiergate_core::judge::check_commits`] — the same engine as
//! `tiergate check` and the server — and renders the verdict on stderr.
//!
//! | hook | judges | paths from |
//! |---|---|---|
//! | `commit-msg FILE` | the message being committed, cleaned up as git will store it | the index (`GIT_INDEX_FILE`) vs the parents of the commit being made |
//! | `pre-push REMOTE URL` | every commit the push sends that the remote lacks | each commit's tree vs its parents |
//! | `applypatch-msg FILE` | the message of the patch `git am` applies | the patch (`rebase-apply/patch`) |
//!
//! Exit codes (DESIGN.md "Output and exit codes"): 0 pass (or `mode:
//! warn`), 1 violations, 2 usage or policy error, 3 git or I/O error.
//! Nothing is printed on success.
#![deny(missing_docs)]

pub mod error;
pub mod server;

pub use error::{finish, guard, CommandError, ErrorKind, Outcome};

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tiergate_core::judge::{self, CommitVerdict, Summary};
use tiergate_core::message::trailer::ParseOptions;
use tiergate_core::output::verdict::{self, Colour};
use tiergate_core::policy::{Mode, RefMode};
use tiergate_core::repo::{self, policy_blob as discover, ChangedPaths, Config, Found, Repo};
use tiergate_core::rules::{CommitFacts, FixContext, Identity};
use tiergate_core::stage::Stage;
use tiergate_core::{input::hook, message, message::encoding};

/// Options the CLI passes down (`tiergate --repo DIR --policy FILE hook
/// ...`); the hook binaries use the defaults.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Repository [default: git's environment, or the current directory].
    pub repo: Option<PathBuf>,
    /// Policy file [default: see `tiergate_core::repo::policy_blob`].
    pub policy: Option<PathBuf>,
    /// Print one JSON document on stdout instead of text on stderr.
    pub json: bool,
}

/// A hook's error: what [`error::CommandError`] says, exit 2 or 3.
fn io_error(what: String, error: &std::io::Error) -> CommandError {
    CommandError::new(ErrorKind::Git, what).caused_by(error)
}

fn git_error(error: &dyn std::error::Error) -> CommandError {
    CommandError::new(ErrorKind::Git, "tiergate cannot read the repository").caused_by(error)
}

impl From<discover::Error> for CommandError {
    fn from(error: discover::Error) -> CommandError {
        match error {
            discover::Error::NotFound { message, hint } => CommandError::usage(
                format!("tiergate hook: {message}"),
                &format!("{hint} (Bypass the hook once with `--no-verify`.)"),
            ),
            discover::Error::Load(e) => CommandError::rendered(ErrorKind::Policy, e.to_string()),
            other => CommandError::new(ErrorKind::Git, "tiergate cannot load the policy")
                .caused_by(&other),
        }
    }
}

impl From<repo::Error> for CommandError {
    fn from(error: repo::Error) -> CommandError {
        match error {
            repo::Error::Policy(e) => e.into(),
            other => git_error(&other),
        }
    }
}

/// The hooks tiergate provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// `commit-msg FILE`.
    CommitMsg,
    /// `pre-push REMOTE URL` (updates on stdin).
    PrePush,
    /// `applypatch-msg FILE` (`git am`).
    ApplypatchMsg,
}

impl Hook {
    /// The git hook name.
    pub fn name(self) -> &'static str {
        match self {
            Hook::CommitMsg => "commit-msg",
            Hook::PrePush => "pre-push",
            Hook::ApplypatchMsg => "applypatch-msg",
        }
    }

    fn usage(self) -> &'static str {
        match self {
            Hook::CommitMsg => "commit-msg <message-file>",
            Hook::PrePush => "pre-push <remote-name> <remote-url>  (ref updates on stdin)",
            Hook::ApplypatchMsg => "applypatch-msg <message-file>",
        }
    }
}

/// Run `hook` with git's arguments `args` (without the program name).
pub fn run(hook: Hook, options: &Options, args: &[OsString]) -> Result<Outcome, CommandError> {
    let wrong_args = || {
        CommandError::usage(
            format!(
                "tiergate {}: expected {}, got {} argument(s)",
                hook.name(),
                hook.usage(),
                args.len()
            ),
            "git runs this hook itself; install it with install.sh, or run `tiergate hook --help`.",
        )
    };
    match hook {
        Hook::CommitMsg => {
            let [file] = args else {
                return Err(wrong_args());
            };
            commit_msg(options, Path::new(file))
        }
        Hook::ApplypatchMsg => {
            let [file] = args else {
                return Err(wrong_args());
            };
            applypatch_msg(options, Path::new(file))
        }
        Hook::PrePush => {
            // git passes the remote name and URL; the name is the URL
            // when pushing to a URL directly.
            let (remote, url) = match args {
                [remote, url] => (remote, url),
                [remote] => (remote, remote),
                _ => return Err(wrong_args()),
            };
            let mut stdin = Vec::new();
            std::io::stdin()
                .read_to_end(&mut stdin)
                .map_err(|e| io_error("tiergate pre-push: cannot read stdin".into(), &e))?;
            pre_push(
                options,
                &remote.to_string_lossy(),
                &url.to_string_lossy(),
                &stdin,
            )
        }
    }
}

/// The `main` of a hook binary: git's arguments from the process, `-h` /
/// `--help` / `--version` handled, exit code per DESIGN.md.
pub fn main(hook: Hook) -> ExitCode {
    if std::env::var_os("RUST_LOG").is_some() {
        // Diagnostics only on request: a hook must start fast.
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .with_ansi(error::stderr_colour() == tiergate_core::output::verdict::Colour::Always)
            .without_time()
            .init();
    }
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if let Some(first) = args.first().and_then(|a| a.to_str()) {
        match first {
            "-h" | "--help" => {
                println!(
                    "tiergate-{name} {version}: tiergate's {name} git hook\n\n\
                     Usage: tiergate-{usage}\n\n\
                     git runs it; install it into a clone with tiergate's install.sh.\n\
                     Exit: 0 pass, 1 violations, 2 usage or policy error, 3 git or I/O error.",
                    name = hook.name(),
                    usage = hook.usage(),
                    version = env!("CARGO_PKG_VERSION"),
                );
                return ExitCode::SUCCESS;
            }
            "--version" | "-V" => {
                println!("tiergate-{} {}", hook.name(), env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            _ => {}
        }
    }
    let name = format!("tiergate-{}", hook.name());
    guard(&name, || finish(run(hook, &Options::default(), &args)))
}

fn open_repo(options: &Options) -> Result<Repo, CommandError> {
    Ok(Repo::open(options.repo.as_deref())?)
}

fn load_policy(options: &Options, repo: &Repo) -> Result<Found, CommandError> {
    Ok(repo.find_policy(options.policy.as_deref())?)
}

fn config(repo: &Repo) -> Result<Config, CommandError> {
    repo.config().map_err(|e| {
        CommandError::new(ErrorKind::Git, "tiergate: cannot read git config").caused_by(&e)
    })
}

/// The classifier of `found`, with `follow_includes` read from HEAD
/// ([`Repo::classifier_for`], as `tiergate check` and pre-receive build it).
fn classifier(
    repo: &Repo,
    found: &Found,
) -> Result<tiergate_core::classify::Classifier, CommandError> {
    repo.classifier_for(found).map_err(|e| match e {
        repo::ClassifierError::Pattern(e) => classifier_failure(&e),
        other => git_error(&other),
    })
}

fn classifier_failure(error: &tiergate_core::classify::Error) -> CommandError {
    CommandError::new(
        ErrorKind::Policy,
        "tiergate: the policy has an invalid pattern",
    )
    .caused_by(error)
}

fn env_string(key: &str) -> Option<String> {
    std::env::var_os(key).map(|v| v.to_string_lossy().into_owned())
}

/// Who git records as author and committer of the commit being made: the
/// `GIT_AUTHOR_*` / `GIT_COMMITTER_*` environment (`git commit` exports the
/// author, `--amend` and `--author` included), else `author.*` /
/// `committer.*`, else `user.*` configuration.
fn pending_identities(repo: &Repo) -> (Identity, Identity) {
    let config = repo.config().ok();
    let get = |key: &str| -> Option<Vec<u8>> {
        config
            .as_ref()
            .and_then(|c| c.get_string(key))
            .map(String::into_bytes)
    };
    let identity = |role: &str| -> Identity {
        let upper = role.to_ascii_uppercase();
        let pick = |field: &str, env_field: &str| -> Vec<u8> {
            env_string(&format!("GIT_{upper}_{env_field}"))
                .map(String::into_bytes)
                .or_else(|| get(&format!("{role}.{field}")))
                .or_else(|| get(&format!("user.{field}")))
                .unwrap_or_default()
        };
        Identity {
            name: pick("name", "NAME"),
            email: pick("email", "EMAIL"),
        }
    };
    (identity("author"), identity("committer"))
}

/// Write `text` to stderr, ignoring a closed stderr (nothing better to do).
fn eprint_all(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

fn colour() -> Colour {
    error::stderr_colour()
}

/// Render a single-commit verdict (commit-msg, applypatch-msg) and decide.
fn single_verdict(
    options: &Options,
    found: &Found,
    verdict: &CommitVerdict,
    context: &FixContext<'_>,
    hint: &str,
) -> Outcome {
    let what = match context {
        FixContext::Patch => "patch",
        _ => "commit",
    };
    let policy = &found.policy;
    let summary = Summary {
        commits_checked: 1,
        commits_failed: usize::from(!verdict.violations.is_empty()),
        violations: verdict.violations.len(),
        warnings: verdict.warnings.len(),
        commits_grandfathered: 0,
    };
    if options.json {
        let commits = if verdict.is_clean() {
            Vec::new()
        } else {
            vec![verdict::commit_json_in(verdict, context)]
        };
        println!("{}", verdict::run_json(policy, &summary, commits));
    } else if verdict.violations.is_empty() && !verdict.warnings.is_empty() {
        // Only violations of `mode: warn` tiers: shown, not rejecting.
        let mut text = verdict::human_commit(verdict, policy.mode, colour());
        text.push_str(&format!(
            "tiergate: {} (mode: warn tier, not rejecting)\n",
            plural(verdict.warnings.len(), "warning")
        ));
        eprint_all(&text);
    } else if !verdict.violations.is_empty() {
        let mut text = verdict::human_in(verdict, "commit", policy.mode, colour(), context);
        match policy.mode {
            Mode::Enforce => {
                text.push_str(&format!(
                    "tiergate: {what} rejected: {} (policy {})\n",
                    plural(verdict.violations.len(), "violation"),
                    policy.source
                ));
                text.push_str(&format!("Hint: {hint}\n"));
            }
            Mode::Warn => text.push_str(&format!(
                "tiergate: {} (mode: warn, not rejecting)\n",
                plural(verdict.violations.len(), "violation")
            )),
        }
        eprint_all(&text);
    }
    if summary.fails(policy) {
        Outcome::Violations
    } else {
        Outcome::Pass
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The charset of the commit being made: `i18n.commitEncoding`, UTF-8 by
/// default. One tiergate cannot read is a configuration error (exit 2,
/// the commit is not made): the server would refuse the commit.
fn commit_charset(config: &Config) -> Result<encoding::Charset, CommandError> {
    let label = match config.get_string("i18n.commitEncoding") {
        Some(label) => label.into_bytes(),
        None if !config.is_set("i18n.commitEncoding") => return Ok(encoding::Charset::Utf8),
        // Not UTF-8, so no encoding's name.
        None => b"?".to_vec(),
    };
    encoding::charset(&label).map_err(|e| {
        CommandError::new(ErrorKind::Usage, format!("tiergate commit-msg: i18n.commitEncoding: {e}")).with_hint(
            "Unset it (`git config --unset i18n.commitEncoding`) to write messages in UTF-8; a server running tiergate refuses commits in this encoding.",
        )
    })
}

/// `commit-msg FILE`: judge the message of the commit being made against
/// the paths it stages.
///
/// - The message is cleaned up as git will store it
///   ([`hook::commit_msg_message`]: comment lines with
///   `core.commentChar`/`core.commentString`, the scissors line of
///   `git commit -v`), and parsed as a stored message is.
/// - Paths (computed only if the verdict depends on them) are the
///   difference between the index git is committing (`GIT_INDEX_FILE`,
///   relative to the working tree top where git runs hooks; `index.lock`
///   for `-a`, a temporary index for `git commit <paths>`) and the parents
///   of the commit being made ([`git::pending_parents`]): none on the
///   first commit, HEAD and `MERGE_HEAD` for a merge (only what the merge
///   introduces), HEAD's parents for `--amend` (the whole amended commit,
///   not just the amendment).
/// - `--amend` is not announced to hooks: it is read from the command line
///   of the `git` process that runs the hook ([`hook::argv_amends`]). Where
///   that is not readable (no `/proc` and no `ps`), or when the amend
///   happens inside another git command (`git rebase` fixups), the paths
///   are those the amendment itself changes; `pre-push` and the server
///   still judge the whole commit.
pub fn commit_msg(options: &Options, file: &Path) -> Result<Outcome, CommandError> {
    let raw = std::fs::read(file).map_err(|e| {
        io_error(
            format!(
                "tiergate commit-msg: cannot read the commit message file {}",
                file.display()
            ),
            &e,
        )
    })?;
    let repo = open_repo(options)?;
    // The globs are compiled (and their matchers checked) only if the
    // verdict needs paths, below: for a message-only verdict that was most
    // of the hook's time (issue 12, BENCHMARKS.md).
    let found = repo.find_policy_with(
        options.policy.as_deref(),
        tiergate_core::policy::Matchers::Deferred,
    )?;
    let config = config(&repo)?;
    // git stores the message in i18n.commitEncoding (with an `encoding`
    // header) and shows it decoded: judge it decoded, like pre-receive.
    let charset = commit_charset(&config)?;
    let raw = encoding::decode(&raw, charset).into_owned();
    let overrides = hook::config_overrides(env_string);
    let comment = hook::comment_string(config.comment_string(), &overrides);
    let cleanup = hook::cleanup_setting(config.get_string("commit.cleanup"), &overrides);
    let cleaned = hook::commit_msg_message(&raw, cleanup.as_deref(), &comment);
    if cleaned.is_empty() {
        // git aborts an empty commit itself ("Aborting commit due to empty
        // commit message").
        return Ok(Outcome::Pass);
    }
    let (mut author, mut committer) = pending_identities(&repo);
    for identity in [&mut author, &mut committer] {
        identity.name = encoding::decode(&identity.name, charset).into_owned();
        identity.email = encoding::decode(&identity.email, charset).into_owned();
    }
    let facts = CommitFacts {
        message: cleaned,
        author,
        committer,
        ..Default::default()
    };
    let index_path = match std::env::var_os("GIT_INDEX_FILE") {
        // Relative to the current directory: git runs hooks at the top of
        // the working tree.
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => repo.git_dir().join("index"),
    };
    // What is being made, for the paths, the label and the fix: git tells
    // the hook neither (see `amending`); a merge being concluded leaves
    // `MERGE_HEAD` until the commit is made. Amending is read from the
    // process table only when needed (paths, or a refusal): where there is
    // no `/proc`, that costs a `ps`.
    let amend_cell = std::cell::OnceCell::new();
    let amend = || *amend_cell.get_or_init(amending);
    let merging = repo.git_dir().join("MERGE_HEAD").exists()
        || file.file_name().is_some_and(|n| n == "MERGE_MSG");
    let judgement = judge::judge_deferred(
        &found.policy,
        &facts,
        &ParseOptions::stored(),
        Stage::Commit,
        || -> Result<_, CommandError> {
            let classifier = match repo.classifier_for(&found) {
                Ok(classifier) => classifier,
                Err(repo::ClassifierError::Pattern(e)) => {
                    // Loaded without checking the matchers: load the policy
                    // again as every command does, for its diagnostic
                    // (exit 2); the error itself if that loads after all.
                    load_policy(options, &repo)?;
                    return Err(classifier_failure(&e));
                }
                Err(other) => return Err(git_error(&other)),
            };
            let amend = amend();
            tracing::debug!(amend, index = %index_path.display(), "commit-msg: staged paths");
            let paths = repo.staged_paths(&index_path, amend)?;
            Ok((paths, classifier))
        },
    )?;
    let shown = hook::reuse_path(&file.to_string_lossy(), env_string("GIT_PREFIX").as_deref());
    // A message saved from `git commit -v` keeps the diff below the
    // scissors line; the command suggested must cut there (see
    // `tiergate_core::rules::FixContext`).
    let verbose = message::scissors_position(&raw, &comment).is_some();
    let (context, label) = if merging {
        (
            FixContext::Merge {
                message_file: &shown,
                verbose,
            },
            "(merge)",
        )
    } else if !judgement.violations.is_empty() && amend() {
        (
            FixContext::Amend {
                message_file: &shown,
                verbose,
            },
            "(amend)",
        )
    } else {
        (
            FixContext::NewCommit {
                message_file: &shown,
                verbose,
            },
            "(new)",
        )
    };
    let verdict = CommitVerdict::new(label.into(), repo::title_of(&facts.message), judgement);
    let hint = commit_msg_hint(file, &context);
    Ok(single_verdict(options, &found, &verdict, &context, &hint))
}

/// The `Hint:` line of a refused commit: how to make it again from the
/// message git saved.
fn commit_msg_hint(file: &Path, context: &FixContext<'_>) -> String {
    let (FixContext::NewCommit {
        message_file,
        verbose,
    }
    | FixContext::Amend {
        message_file,
        verbose,
    }
    | FixContext::Merge {
        message_file,
        verbose,
    }) = *context
    else {
        return String::new();
    };
    let v = if verbose { " -v" } else { "" };
    let message_file = tiergate_core::rules::shell_word(message_file);
    match context {
        // `git merge` saved the message in MERGE_MSG, which a plain
        // `git commit` picks up to conclude the merge.
        FixContext::Merge { .. } if file.file_name().is_some_and(|n| n == "MERGE_MSG") => format!(
            "The merge is still in progress and its message is saved in {message_file}: run `git commit` to edit the message and conclude the merge, or `git merge --abort`."
        ),
        FixContext::Merge { .. } => format!(
            "The merge is still in progress and your message is saved in {message_file}: fix it and conclude the merge with `git commit{v} -e -F {message_file}`, or `git merge --abort`."
        ),
        FixContext::Amend { .. } => format!(
            "Your message is saved in {message_file}: fix it and amend again with `git commit --amend{v} -e -F {message_file}`."
        ),
        _ => format!(
            "Your message is saved in {message_file}: fix it and commit again with `git commit{v} -e -F {message_file}`."
        ),
    }
}

/// The remote whose remote-tracking refs say what the receiving side
/// already has. git names the remote, except for `git push URL ...`, where
/// it passes the URL as the name: a configured remote with that URL (or
/// push URL) then stands for it, so that commits the remote already has
/// are not judged again.
/// `--exclude` patterns of the remote-tracking refs of `remote` that stand
/// for remote refs in a `warn` or `ignore` scope: with git's default
/// refspec `refs/heads/*:refs/remotes/<remote>/*`, `refs/heads/wip/*`
/// becomes `refs/remotes/<remote>/wip/*`; a glob that reaches into
/// `refs/heads/` from above (`refs/**`) excludes every tracking ref of the
/// remote, which only means judging more commits; one elsewhere
/// (`refs/notes/*`, `refs/tags/*`) has no tracking refs.
fn tracking_excludes(refs: &tiergate_core::policy::RefScopes, remote: &str) -> Vec<String> {
    if remote.is_empty() {
        return Vec::new();
    }
    refs.unenforced_prefixes()
        .into_iter()
        .filter_map(|pattern| {
            if let Some(rest) = pattern.strip_prefix("refs/heads/") {
                return Some(format!("refs/remotes/{remote}/{rest}"));
            }
            let literal = pattern.strip_suffix('*').unwrap_or(&pattern);
            "refs/heads/"
                .starts_with(literal)
                .then(|| format!("refs/remotes/{remote}/*"))
        })
        .collect()
}

fn tracking_remote(repo: &Repo, remote: &str, url: &str) -> String {
    if remote.is_empty() {
        return remote.to_owned();
    }
    let remotes = repo.remotes();
    if remotes.iter().any(|(name, _)| name == remote) {
        return remote.to_owned();
    }
    for (name, urls) in &remotes {
        if urls.iter().any(|u| same_url(u, url) || same_url(u, remote)) {
            tracing::debug!(remote, name, "pre-push: URL of a configured remote");
            return name.to_owned();
        }
    }
    remote.to_owned()
}

/// Whether two remote URLs name the same repository: equal, or local
/// paths (`file://` or plain, relative ones taken from the top of the work
/// tree, where git runs hooks) of the same directory.
fn same_url(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let local = |u: &str| -> Option<PathBuf> {
        let path = u.strip_prefix("file://").unwrap_or(u);
        if path.contains("://") || path.is_empty() {
            return None;
        }
        std::fs::canonicalize(path).ok()
    };
    matches!((local(a), local(b)), (Some(x), Some(y)) if x == y)
}

/// Whether the `git` process running this hook is `git commit --amend`.
fn amending() -> bool {
    ancestor_git_argv().is_some_and(|argv| hook::argv_amends(&argv))
}

/// The command line of the nearest `git` ancestor process (the hook's
/// parent, or its grandparent when a shim or a hook manager sits between).
#[cfg(unix)]
fn ancestor_git_argv() -> Option<Vec<Vec<u8>>> {
    let mut pid = std::os::unix::process::parent_id();
    for _ in 0..6 {
        if pid <= 1 {
            return None;
        }
        let (argv, ppid) = process_info(pid)?;
        let is_git = argv.first().is_some_and(|arg0| {
            let base = arg0.rsplit(|&b| b == b'/').next().unwrap_or(arg0);
            base == b"git" || base == b"git.exe"
        });
        if is_git {
            return Some(argv);
        }
        pid = ppid;
    }
    None
}

#[cfg(not(unix))]
fn ancestor_git_argv() -> Option<Vec<Vec<u8>>> {
    None
}

/// The argv and parent pid of `pid`: from `/proc` (Linux), else `ps`
/// (macOS, BSDs), whose output splits arguments at spaces (enough to find
/// `--amend`).
#[cfg(unix)]
fn process_info(pid: u32) -> Option<(Vec<Vec<u8>>, u32)> {
    if let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // `pid (comm) state ppid ...`; comm may contain spaces and ')'.
        let after = &stat[stat.rfind(')')? + 1..];
        let ppid = after.split_whitespace().nth(1)?.parse().ok()?;
        let argv = cmdline
            .split(|&b| b == 0)
            .filter(|a| !a.is_empty())
            .map(<[u8]>::to_vec)
            .collect();
        return Some((argv, ppid));
    }
    let out = std::process::Command::new("ps")
        .args(["-o", "ppid=", "-o", "args=", "-p", &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut words = text.split_whitespace();
    let ppid = words.next()?.parse().ok()?;
    let argv = words.map(|w| w.as_bytes().to_vec()).collect();
    Some((argv, ppid))
}

/// `pre-push REMOTE URL`: judge every commit the push would send that the
/// remote does not have yet (`<local-oid>... --not <remote-oid>...
/// --remotes=<remote>`), new branches included; deletions are skipped.
/// Any violation rejects the whole push.
pub fn pre_push(
    options: &Options,
    remote: &str,
    url: &str,
    stdin: &[u8],
) -> Result<Outcome, CommandError> {
    let updates = hook::parse_pre_push(stdin).map_err(|e| {
        CommandError::usage(
            e.to_string(),
            "git writes these lines itself; run the hook through `git push`.",
        )
    })?;
    let pushed: Vec<&hook::PushUpdate> = updates.iter().filter(|u| !u.is_delete()).collect();
    tracing::debug!(remote, url, updates = updates.len(), "pre-push");
    if pushed.is_empty() {
        if options.json {
            // Nothing to judge; still one document per run.
            let repo = open_repo(options)?;
            let found = load_policy(options, &repo)?;
            println!(
                "{}",
                verdict::run_json(&found.policy, &Summary::default(), Vec::new())
            );
        }
        return Ok(Outcome::Pass);
    }
    let repo = open_repo(options)?;
    let found = load_policy(options, &repo)?;
    let classifier = classifier(&repo, &found)?;
    let policy = &found.policy;
    let oid = |hex: &str| {
        if hex.len() >= 40 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(hex.to_owned())
        } else {
            Err(CommandError::usage(
                format!("tiergate pre-push: bad object id {hex:?} on stdin"),
                "git writes these lines itself; run the hook through `git push`.",
            ))
        }
    };
    // The policy's `refs:` scopes, by the remote ref each update writes:
    // enforced tips, warned tips, and nothing for an ignored ref. Only
    // what an enforced remote ref held counts as already judged.
    let mut tips = Vec::new();
    let mut warn_tips = Vec::new();
    let mut known = Vec::new();
    let mut warn_known = Vec::new();
    for update in &pushed {
        let mode = policy.refs.mode_for(&update.remote_ref);
        match mode {
            RefMode::Enforce => tips.push(oid(&update.local_oid)?),
            RefMode::Warn => warn_tips.push(oid(&update.local_oid)?),
            RefMode::Ignore => {}
        }
        if !update.is_new() {
            match mode {
                RefMode::Enforce => known.push(oid(&update.remote_oid)?),
                _ => warn_known.push(oid(&update.remote_oid)?),
            }
        }
    }
    let tracking = tracking_remote(&repo, remote, url);
    let colour = colour();
    let mut text = String::new();
    let mut json_commits = Vec::new();
    // Remote-tracking refs of remote refs in a `warn` or `ignore` scope do
    // not count as judged (see `server::scoped_push_walk_args`).
    let tracking_excludes = tracking_excludes(&policy.refs, &tracking);
    let mut summary = Summary::default();
    // Enforced tips first; then the warned ones, minus what that judged.
    warn_known.extend(known.iter().cloned());
    warn_known.extend(tips.iter().cloned());
    for (tips, known, warn) in [(&tips, &known, false), (&warn_tips, &warn_known, true)] {
        if tips.is_empty() {
            continue;
        }
        // Judged as git shows them: a commit whose `encoding` header is not
        // UTF-8 is decoded; one tiergate cannot read stops the hook (exit 3).
        let judged = repo
            .check_push_excluding(
                policy,
                &classifier,
                tips,
                known,
                &tracking,
                &tracking_excludes,
                |verdict| {
                    let mut verdict = verdict.clone();
                    if warn {
                        verdict.downgrade();
                    }
                    if verdict.is_clean() {
                        return;
                    }
                    if options.json {
                        json_commits.push(verdict::commit_json_in(&verdict, &FixContext::Push));
                    } else {
                        text.push_str(&verdict::human_in(
                            &verdict,
                            "commit",
                            policy.mode,
                            colour,
                            &FixContext::Push,
                        ));
                    }
                },
            )
            .map_err(|e| match e {
                repo::Error::Revision(_) => CommandError::new(
                    ErrorKind::Git,
                    "tiergate pre-push: cannot list the commits to push",
                )
                .caused_by(&e),
                other => git_error(&other),
            })?;
        summary.commits_checked += judged.commits_checked;
        if warn {
            summary.warnings += judged.violations + judged.warnings;
        } else {
            summary.commits_failed += judged.commits_failed;
            summary.violations += judged.violations;
            summary.warnings += judged.warnings;
        }
    }
    if options.json {
        println!("{}", verdict::run_json(policy, &summary, json_commits));
    } else if summary.violations > 0 || summary.warnings > 0 {
        text.push_str(&verdict::human_summary(&summary, policy));
        text.push('\n');
        if summary.fails(policy) {
            let refs: Vec<&str> = pushed.iter().map(|u| u.remote_ref.as_str()).collect();
            text.push_str(&format!(
                "tiergate: push to {remote} rejected ({}); nothing was pushed\n",
                refs.join(", ")
            ));
            text.push_str(
                "Hint: Fix the commits above (`git rebase -i` with `reword`, or `edit` to split one), then push again; `tiergate explain <rule>` says more.\n",
            );
            if !policy.server.override_.users.is_empty() {
                text.push_str(&override_hint(
                    &policy.server.override_.push_option,
                    remote,
                    &pushed,
                ));
            }
        }
        eprint_all(&text);
    }
    Ok(if summary.fails(policy) {
        Outcome::Violations
    } else {
        Outcome::Pass
    })
}

/// The stage `applypatch-msg` judges at: `apply` (`git am` is how a
/// maintainer applies a contributor's mail, see [`Stage`]), or what git
/// config `tiergate.applypatchStage` says (`commit` for a contributor who
/// re-applies their own series). Another value is a usage error (exit 2).
fn applypatch_stage(config: &Config) -> Result<Stage, CommandError> {
    let Some(value) = config.get_string("tiergate.applypatchStage") else {
        return Ok(Stage::Apply);
    };
    match Stage::from_name(value.trim()) {
        Some(stage) => Ok(stage),
        None => Err(CommandError::usage(
            format!("tiergate applypatch-msg: invalid git config tiergate.applypatchStage `{value}`"),
            "set it to `apply` (the default) or `commit`: `git config tiergate.applypatchStage apply`",
        )),
    }
}

/// The `Hint:` line for a user the policy lets override: the push again,
/// with the override push option and `--no-verify`. The server judges and
/// audits an override, but this hook cannot tell who pushes, and it runs
/// before the server sees the push: without `--no-verify` it refuses the
/// push again, override or not.
fn override_hint(option_key: &str, remote: &str, pushed: &[&hook::PushUpdate]) -> String {
    let word = tiergate_core::rules::shell_word;
    let refspecs: Vec<String> = pushed
        .iter()
        .map(|u| word(&format!("{}:{}", u.local_ref, u.remote_ref)))
        .collect();
    format!(
        "Hint: A user listed in the policy's server.override.users may push anyway, giving a reason the server records: `git push --no-verify -o {} {} {}` (--no-verify: this hook would refuse the push again before the server sees it).\n",
        word(&format!("{option_key}=<reason>")),
        word(remote),
        refspecs.join(" ")
    )
}

/// `applypatch-msg FILE`: judge the message of the patch `git am` is about
/// to apply (`git am` does not run `commit-msg`).
///
/// The message is judged as stored (git am commits it as it is). Paths come
/// from the patch being applied, `rebase-apply/patch` next to the message
/// file ([`hook::patch_paths`], read as with `-p1`); the author from
/// `rebase-apply/info`. If the patch file is not there (another tool
/// running the hook), the paths are unknown and only the message rules
/// apply (message-only); a debug line says so.
pub fn applypatch_msg(options: &Options, file: &Path) -> Result<Outcome, CommandError> {
    let raw = std::fs::read(file).map_err(|e| {
        io_error(
            format!(
                "tiergate applypatch-msg: cannot read the message file {}",
                file.display()
            ),
            &e,
        )
    })?;
    let repo = open_repo(options)?;
    let found = load_policy(options, &repo)?;
    let classifier = classifier(&repo, &found)?;
    let dir = file.parent().unwrap_or(Path::new("."));
    let (mut author, committer) = pending_identities(&repo);
    if let Some(from_patch) = std::fs::read(dir.join("info"))
        .ok()
        .and_then(|info| hook::am_author(&info))
    {
        author = from_patch;
    }
    let facts = CommitFacts {
        message: raw,
        author,
        committer,
        ..Default::default()
    };
    let patch_file = dir.join("patch");
    let stage = applypatch_stage(&config(&repo)?)?;
    let judgement = judge::judge(
        &found.policy,
        &classifier,
        &facts,
        &ParseOptions::stored(),
        stage,
        || -> Result<ChangedPaths, CommandError> {
            match std::fs::read(&patch_file) {
                Ok(patch) => Ok(ChangedPaths(hook::patch_paths(&patch), None)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    tracing::debug!(patch = %patch_file.display(), "no patch: message-only");
                    Ok(ChangedPaths::default())
                }
                Err(e) => Err(io_error(
                    format!(
                        "tiergate applypatch-msg: cannot read {}",
                        patch_file.display()
                    ),
                    &e,
                )),
            }
        },
    )?;
    let verdict = CommitVerdict::new("(patch)".into(), repo::title_of(&facts.message), judgement);
    let hint = "Fix the patch's message (or ask its author to) and apply it again (`git am --abort`, then `git am`), or skip this patch with `git am --skip`.";
    Ok(single_verdict(
        options,
        &found,
        &verdict,
        &FixContext::Patch,
        hint,
    ))
}

#[cfg(test)]
mod tests {
    use super::tracking_excludes;

    #[test]
    fn tracking_refs_of_unenforced_scopes() {
        let yaml = b"version: 1\ntiers:\n  - { name: a, paths: [ a/ ] }\nrefs:\n  - { include: [ \"refs/heads/wip/**\" ], mode: warn }\n  - { include: [ \"refs/notes/**\", \"refs/tags/nightly-*\" ], mode: ignore }\n";
        let policy = tiergate_core::policy::from_yaml(yaml, "p").expect("valid");
        // wip maps onto the remote's tracking refs; notes and tags have none.
        assert_eq!(
            tracking_excludes(&policy.refs, "origin"),
            ["refs/remotes/origin/wip/*"]
        );
        assert!(tracking_excludes(&policy.refs, "").is_empty());
        // A glob above refs/heads/ reaches every tracking ref.
        let yaml = b"version: 1\ntiers:\n  - { name: a, paths: [ a/ ] }\nrefs:\n  - { include: [ \"refs/**\" ], mode: ignore }\n";
        let policy = tiergate_core::policy::from_yaml(yaml, "p").expect("valid");
        assert_eq!(tracking_excludes(&policy.refs, "up"), ["refs/remotes/up/*"]);
    }
}
