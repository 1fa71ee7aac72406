//! `tiergate install [CLONE]`: the commit-msg, pre-push and applypatch-msg
//! shims in a developer's clone.

use super::{git_answer, git_in, install_binaries, shim, Args, Failure, Run};
use crate::Global;
use std::path::{Path, PathBuf};

/// The hooks a clone gets.
/// `prepare-commit-msg` has no binary of its own: its shim runs `tiergate
/// hook prepare-commit-msg`.
const HOOKS: [&str; 4] = [
    "commit-msg",
    "pre-push",
    "applypatch-msg",
    "prepare-commit-msg",
];

/// The binaries they run (the hooks fall back to `tiergate hook`).
const BINARIES: [&str; 4] = [
    "tiergate",
    "tiergate-commit-msg",
    "tiergate-pre-push",
    "tiergate-applypatch-msg",
];

pub fn install(run: &Run, global: &Global, args: &Args) -> Result<(), Failure> {
    let caller = run.caller;
    if global.policy.is_some() {
        return Err(Failure::usage(
            "--policy applies to --server only",
            "In a clone the hooks use policy.yaml at the top of the work tree (or git config tiergate.policy).",
        ));
    }
    let clone = args
        .repo
        .clone()
        .or_else(|| global.repo.clone())
        .unwrap_or_else(|| PathBuf::from("."));
    if !clone.is_dir() {
        return Err(Failure::usage(
            format!("'{}' is not a directory", clone.display()),
            format!("Name the clone to install into, or run {caller} inside it."),
        ));
    }
    let Some(top) = git_answer(git_in(&clone).args(["rev-parse", "--show-toplevel"])) else {
        let bare = git_answer(git_in(&clone).args(["rev-parse", "--is-bare-repository"]));
        if bare.as_deref() == Some(Path::new("true")) {
            return Err(Failure::usage(
                format!(
                    "'{}' is a bare repository: tiergate's client hooks belong in a developer's clone",
                    clone.display()
                ),
                format!(
                    "On a server, install tiergate's pre-receive hook instead: `{caller} --server {}`.",
                    clone.display()
                ),
            ));
        }
        return Err(Failure::usage(
            format!(
                "'{}' is not a git repository (or any of the parent directories)",
                clone.display()
            ),
            format!("Run {caller} inside a clone, or pass its path: `{caller} path/to/clone`."),
        ));
    };
    // Where git runs hooks from: core.hooksPath, a linked worktree's common
    // directory... `--git-path hooks` is git's own answer (relative to the
    // directory git ran in, here the top of the work tree).
    let hooks_dir = git_answer(git_in(&top).args(["rev-parse", "--git-path", "hooks"]))
        .map(|rel| top.join(rel))
        .ok_or_else(|| {
            Failure::io(
                format!(
                    "cannot ask git for the hooks directory of {}",
                    top.display()
                ),
                None,
            )
        })?;
    let bin_dir = super::bin_dir(args)?;

    run.announce_dry_run("");
    run.say(format!("clone:     {}", top.display()));
    run.say(format!("hooks dir: {}", hooks_dir.display()));

    if args.uninstall {
        let mut installed_bin = None;
        for hook in HOOKS {
            let file = hooks_dir.join(hook);
            if let Some(dir) = shim::remove(run, &file, hook)? {
                installed_bin = Some(dir);
            } else if std::fs::symlink_metadata(&file).is_ok() {
                run.say(format!("{hook}: not tiergate's hook; left alone"));
            } else {
                run.say(format!("{hook}: not installed"));
            }
        }
        run.say(format!(
            "tiergate's hooks are uninstalled (binaries in {} are left in place).",
            installed_bin.unwrap_or(bin_dir).display()
        ));
        return Ok(());
    }

    install_binaries(run, &bin_dir, &BINARIES)?;

    run.mkdir(&hooks_dir, None)?;
    for hook in HOOKS {
        let file = hooks_dir.join(hook);
        let state = shim::chain_existing(run, &file, caller)?;
        if run.dry_run {
            run.say(format!("{hook}: would be {state}"));
            continue;
        }
        shim::write(hook, &file, &bin_dir)?;
        run.say(format!("{hook}: {state}"));
    }

    init_or_report_policy(run, args, &top)?;
    super::warn_unless_on_path(&bin_dir);
    if run.dry_run {
        return Ok(());
    }
    if !args.no_check {
        check_last_commits(run, &top, &bin_dir);
    }
    prepare_includes(run, &top);
    run.say("done.");
    Ok(())
}

/// With `follow_includes` in the clone's policy, read HEAD's `#include`
/// graph now and keep it, as the server's install does: the first commit
/// after installing would otherwise read every C file of the tree; each
/// commit after it reads only what changed. Nothing to say without
/// `follow_includes` or before the first commit.
fn prepare_includes(run: &Run, top: &Path) {
    let Ok(repo) = tiergate_core::repo::Repo::open(Some(top)) else {
        return;
    };
    let Ok(found) = repo.find_policy(None) else {
        return;
    };
    let Some(head) = repo.head_commit() else {
        return;
    };
    if !found.policy.follows_includes() {
        return;
    }
    // Installing is done: a bug here is reported, not a failed install.
    let prepared = tiergate_hooks::error::catch_panic(|| {
        repo.prepare_classifier(&found.policy, found.repo_path.as_deref(), &head)
            .map_err(|e| e.to_string())
    })
    .unwrap_or_else(|panic| Err(format!("internal error: {}", panic.message)));
    match prepared {
        Ok(files) => run.say(format!(
            "includes:  HEAD's #include graph read and kept in .git/tiergate/ (follow_includes: {files} files followed into a tier)"
        )),
        Err(e) => eprintln!("includes:  HEAD's #include graph not read now ({e}); the first commit will read it"),
    }
}

/// `--init-policy` writes a policy unless one exists; otherwise say which
/// policy the hooks will use (stderr when there is none: every commit
/// would be refused).
fn init_or_report_policy(run: &Run, args: &Args, top: &Path) -> Result<(), Failure> {
    let policy = top.join("policy.yaml");
    let configured = git_answer(git_in(top).args(["config", "--get", "tiergate.policy"]));
    if args.init_policy {
        if std::fs::symlink_metadata(&policy).is_ok() {
            run.say(format!(
                "policy:    kept the existing {} (--init-policy never overwrites)",
                policy.display()
            ));
            return Ok(());
        }
        let (text, what) = match &args.example_policy {
            Some(example) => (
                std::fs::read(example).map_err(|e| {
                    Failure::io(
                        format!("{} is missing: {e}", example.display()),
                        Some(format!(
                            "Run {} from a complete tiergate checkout.",
                            run.caller
                        )),
                    )
                })?,
                "copied tiergate's example policy",
            ),
            None => (
                tiergate_core::policy::STARTER.as_bytes().to_vec(),
                "wrote tiergate's starter policy",
            ),
        };
        if run.dry_run {
            run.say(format!("  would write {}", policy.display()));
        } else {
            // create_new: a policy that appeared meanwhile is never overwritten.
            use std::io::Write;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&policy)
                .and_then(|mut f| f.write_all(&text))
                .map_err(|e| {
                    Failure::io(format!("cannot write {}: {e}", policy.display()), None)
                })?;
        }
        run.say(format!(
            "policy:    {what} to {}; adapt it and commit it",
            policy.display()
        ));
    } else if let Some(configured) = configured {
        run.say(format!(
            "policy:    {} (git config tiergate.policy)",
            configured.display()
        ));
    } else if std::fs::symlink_metadata(&policy).is_ok() {
        run.say(format!("policy:    {}", policy.display()));
    } else {
        eprintln!(
            "policy:    none yet! The hooks refuse commits until {} exists.",
            policy.display()
        );
        let start = if args.from_install_sh {
            "tiergate's example"
        } else {
            "a documented starter policy"
        };
        eprintln!(
            "Hint: Run `{} --init-policy` to start from {start}, or `tiergate policy init`.",
            run.caller
        );
    }
    Ok(())
}

/// Show the hooks at work: `tiergate check` on the last 5 commits, with
/// the installed tiergate. Its verdict is information, not the install's
/// outcome (those commits exist already).
fn check_last_commits(run: &Run, top: &Path, bin_dir: &Path) {
    let tiergate = bin_dir.join("tiergate");
    if !super::is_executable(&tiergate)
        || git_answer(git_in(top).args(["rev-parse", "-q", "--verify", "HEAD"])).is_none()
    {
        return;
    }
    let base = git_answer(git_in(top).args(["rev-list", "--max-count=1", "--skip=5", "HEAD"]))
        .filter(|b| !b.as_os_str().is_empty());
    let (range, what) = match base {
        Some(base) => (format!("{}..HEAD", base.display()), "the last 5 commits"),
        None => ("HEAD".to_owned(), "all commits"),
    };
    run.say("");
    run.say(format!(
        "Checking {what} of {} with the installed tiergate (tiergate check {range}):",
        top.display()
    ));
    let mut check = std::process::Command::new(&tiergate);
    for var in super::local_env_vars() {
        check.env_remove(var);
    }
    let passed = check
        .args(["check", &range])
        .current_dir(top)
        .status()
        .is_ok_and(|s| s.success());
    if passed {
        run.say("  pass: no violations. From now on every commit and push is checked.");
    } else {
        run.say("  (these commits exist already; the hooks judge new commits and pushes)");
    }
}
