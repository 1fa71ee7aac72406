//! `tiergate install --server REPO`: the pre-receive shim (or, for GitLab,
//! `custom_hooks/pre-receive.d/tiergate`; for a mirror, a
//! reference-transaction hook) in a repository that receives pushes, and
//! the git config it relies on. See docs/server.md.

use super::{absolute, git_answer, git_in, install_binaries, shim, Args, Failure, Run};
use crate::Global;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The binaries the server hook runs (the shim falls back to `tiergate
/// hook pre-receive`).
const BINARIES: [&str; 2] = ["tiergate-pre-receive", "tiergate"];

/// The git config keys tiergate sets (and `--uninstall` removes).
const KEYS: [&str; 3] = ["tiergate.policy", "tiergate.auditLog", "tiergate.mirror"];

pub fn install(run: &Run, global: &Global, args: &Args) -> Result<(), Failure> {
    let again = if args.from_install_sh {
        "install.sh --server"
    } else {
        "tiergate install --server"
    };
    match args.mirror.as_deref() {
        None | Some("audit" | "enforce") => {}
        Some(other) => {
            return Err(Failure::usage(
                format!("--mirror takes audit or enforce, not '{other}'"),
                "Use `--mirror audit` to record violations or `--mirror enforce` to refuse them.",
            ))
        }
    }
    if args.mirror.is_some() && args.gitlab {
        return Err(Failure::usage(
            "--mirror and --gitlab do not go together",
            "A GitLab pull mirror runs GitLab's hooks; install without --mirror.",
        ));
    }
    let Some(repo) = args.repo.clone().or_else(|| global.repo.clone()) else {
        return Err(Failure::usage(
            "no repository given",
            format!("Run `{again} path/to/repo.git`."),
        ));
    };
    if !repo.is_dir() {
        return Err(Failure::usage(
            format!("'{}' is not a directory", repo.display()),
            "Name the server's repository, e.g. /srv/git/project.git.",
        ));
    }
    // GIT_DIR=. first: a bare repository is its own git directory, and
    // without it git would look upwards (a bare repository inside a work
    // tree would be taken for that work tree's).
    let git_dir = git_answer(
        git_in(&repo)
            .env("GIT_DIR", ".")
            .args(["rev-parse", "--absolute-git-dir"]),
    )
    .or_else(|| git_answer(git_in(&repo).args(["rev-parse", "--absolute-git-dir"])))
    .ok_or_else(|| {
        Failure::usage(
            format!("'{}' is not a git repository", repo.display()),
            "Name the server's repository (a bare repository such as project.git).",
        )
    })?;
    let gitc = |args: &[&str]| -> Command {
        let mut cmd = git_in(&git_dir);
        cmd.arg("--git-dir").arg(&git_dir).args(args);
        cmd
    };

    let (hooks_dir, hook_name) = if args.gitlab {
        (git_dir.join("custom_hooks/pre-receive.d"), "tiergate")
    } else {
        let rel = git_answer(git_in(&git_dir).env("GIT_DIR", ".").args([
            "rev-parse",
            "--git-path",
            "hooks",
        ]))
        .ok_or_else(|| {
            Failure::io(
                format!(
                    "cannot ask git for the hooks directory of {}",
                    git_dir.display()
                ),
                None,
            )
        })?;
        let name = if args.mirror.is_some() {
            "reference-transaction"
        } else {
            "pre-receive"
        };
        (git_dir.join(rel), name)
    };
    let bin_dir = super::bin_dir(args)?;

    run.announce_dry_run(" --server");
    run.say(format!("repository: {}", git_dir.display()));
    run.say(format!(
        "hook:       {}",
        hooks_dir.join(hook_name).display()
    ));

    let set = |key: &str, value: &str| -> Result<(), Failure> {
        if run.dry_run {
            run.say(format!(
                "  would run: git --git-dir={} config {key} {value}",
                git_dir.display()
            ));
            return Ok(());
        }
        let ok = gitc(&["config", key, value])
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            Ok(())
        } else {
            Err(Failure::io(
                format!("cannot set git config {key} in {}", git_dir.display()),
                None,
            ))
        }
    };
    let get = |key: &str| git_answer(&mut gitc(&["config", "--get", key]));

    if args.uninstall {
        let mut installed_bin = None;
        let places = [
            hooks_dir.join(hook_name),
            git_dir.join("hooks/pre-receive"),
            git_dir.join("hooks/reference-transaction"),
            git_dir.join("custom_hooks/pre-receive.d/tiergate"),
        ];
        for file in &places {
            let label = file.display().to_string();
            if let Some(dir) = shim::remove(run, file, &label)? {
                installed_bin = Some(dir);
            }
        }
        for key in KEYS {
            if get(key).is_some() {
                if run.dry_run {
                    run.say(format!(
                        "  would run: git --git-dir={} config --unset {key}",
                        git_dir.display()
                    ));
                } else if !gitc(&["config", "--unset", key])
                    .status()
                    .is_ok_and(|s| s.success())
                {
                    return Err(Failure::io(
                        format!("cannot unset git config {key} in {}", git_dir.display()),
                        None,
                    ));
                }
                run.say(format!("git config {key}: removed"));
            }
        }
        run.say("receive.advertisePushOptions left as it is (other hooks may use push options).");
        run.say("receive.fsckObjects and fetch.fsckObjects left as they are (they protect the repository with or without tiergate).");
        run.say(format!(
            "tiergate's server hook is uninstalled (binaries in {} are left in place).",
            installed_bin.unwrap_or(bin_dir).display()
        ));
        return Ok(());
    }

    install_binaries(run, &bin_dir, &BINARIES)?;

    // ------------------------------------------------------------ policy
    if let Some(policy) = &global.policy {
        if !policy.is_file() {
            return Err(Failure::usage(
                format!("policy file '{}' does not exist", policy.display()),
                "Pass the path of the server's policy.yaml.",
            ));
        }
        let policy_abs = absolute(policy)?;
        // Loaded here, as the hook will load it: a policy that does not
        // load would refuse every push.
        if let Err(e) = tiergate_core::policy::load_file(&policy_abs) {
            let error = crate::exit::command_error(&anyhow::Error::new(e));
            eprint!("{}", error.render(tiergate_hooks::error::stderr_colour()));
            return Err(Failure::usage(
                format!(
                    "the policy {} does not load (see above)",
                    policy_abs.display()
                ),
                "Fix it (`tiergate policy validate`), then install again.",
            ));
        }
        set("tiergate.policy", &policy_abs.to_string_lossy())?;
        run.say(format!(
            "policy:     {} (git config tiergate.policy)",
            policy_abs.display()
        ));
    } else if let Some(configured) = get("tiergate.policy") {
        run.say(format!(
            "policy:     {} (git config tiergate.policy, kept)",
            configured.display()
        ));
    } else if gitc(&["cat-file", "-e", "HEAD:policy.yaml"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
    {
        run.say("policy:     policy.yaml on the default branch (HEAD), as it is before each push");
    } else {
        eprintln!("policy:     none yet! Pushes are refused until HEAD has a policy.yaml or --policy FILE is given.");
    }
    if let Some(audit_log) = &args.audit_log {
        let audit_log = absolute(audit_log)?;
        set("tiergate.auditLog", &audit_log.to_string_lossy())?;
        run.say(format!(
            "audit log:  {} (git config tiergate.auditLog)",
            audit_log.display()
        ));
    }
    if let Some(mode) = &args.mirror {
        set("tiergate.mirror", mode)?;
        run.say(format!("mirror:     {mode} (git config tiergate.mirror)"));
    } else {
        // `git push -o` reaches the hook only when the receiving side
        // advertises push options (receive-pack.c, advertise_push_options).
        set("receive.advertisePushOptions", "true")?;
        run.say("push options: advertised (receive.advertisePushOptions=true)");
    }
    // git checks every object a push (a fetch, for a mirror) brings with
    // fsck and refuses malformed ones before any hook runs: a commit with
    // two author headers, a tree with duplicate entries or a `.git` entry,
    // which git and libgit2 could read differently from what tiergate
    // judged.
    let fsck_key = if args.mirror.is_some() {
        "fetch.fsckObjects"
    } else {
        "receive.fsckObjects"
    };
    if args.no_fsck {
        let now = get(fsck_key).map_or_else(|| "unset".to_owned(), |v| v.display().to_string());
        run.say(format!(
            "fsck:       {fsck_key} left as it is (--no-fsck): {now}"
        ));
    } else {
        let was = get(fsck_key);
        set(fsck_key, "true")?;
        match was {
            Some(was) if was != Path::new("true") => run.say(format!(
                "fsck:       {fsck_key}=true, was {} (malformed objects are refused before the hook runs; --no-fsck to leave it alone)",
                was.display()
            )),
            _ => run.say(format!(
                "fsck:       {fsck_key}=true (malformed objects are refused before the hook runs; --no-fsck to leave it alone)"
            )),
        }
    }

    // -------------------------------------------------------------- hook
    let file: PathBuf = hooks_dir.join(hook_name);
    let state = shim::chain_existing(run, &file, again)?;
    super::warn_unless_on_path(&bin_dir);
    if run.dry_run {
        run.say(format!("{hook_name}: would be {state}"));
        return Ok(());
    }
    std::fs::create_dir_all(&hooks_dir)
        .map_err(|e| Failure::io(format!("cannot create {}: {e}", hooks_dir.display()), None))?;
    shim::write("pre-receive", &file, &bin_dir)?;
    run.say(format!("{hook_name}: {state}"));
    // With `follow_includes`, HEAD's include graph now rather than on the
    // first push (a tree of 5,000 C files takes a few tens of
    // milliseconds to read; each push after that reads only the diff).
    match tiergate_hooks::server::prepare_head(&git_dir) {
        Ok(Some(files)) => run.say(format!(
            "includes:   HEAD's #include graph read and kept in tiergate/ (follow_includes: {files} files followed into a tier)"
        )),
        Ok(None) => {}
        Err(e) => eprintln!("includes:   HEAD's #include graph not read now ({e}); the first push will read it"),
    }
    run.say("done.");
    Ok(())
}
