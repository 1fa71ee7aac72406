//! End-to-end: install.sh (idempotence, uninstall, dry run, errors,
//! --init-policy) and the shims' TIERGATE_BIN lookup.

mod support;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use support::hooks::{
    assert_code, bin_dir, declared, install_sh, stderr, stdout, tiergate_bin, Clone,
};

/// Every entry of a directory: name -> (mode, content or link target).
fn snapshot(dir: &Path) -> BTreeMap<String, (u32, Vec<u8>)> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let entry = entry.expect("entry");
        let meta = std::fs::symlink_metadata(entry.path()).expect("meta");
        let content = if meta.file_type().is_symlink() {
            std::fs::read_link(entry.path())
                .expect("link")
                .into_os_string()
                .into_encoded_bytes()
        } else {
            std::fs::read(entry.path()).expect("read")
        };
        out.insert(
            entry.file_name().to_string_lossy().into_owned(),
            (meta.permissions().mode(), content),
        );
    }
    out
}

/// Run `tiergate install ARGS` (the binary under test) in `dir`, hermetic.
fn tiergate_install(dir: &Path, args: &[&str]) -> std::process::Output {
    tiergate_install_with(&tiergate_bin(), dir, args)
}

/// Run `TIERGATE install ARGS` in `dir`, hermetic.
fn tiergate_install_with(tiergate: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = std::process::Command::new(tiergate);
    support::hooks::hermetic(&mut cmd)
        .arg("install")
        .args(args)
        .current_dir(dir);
    support::hooks::output(&mut cmd)
}

fn bins() -> String {
    bin_dir().to_str().expect("utf-8").to_owned()
}

#[test]
fn install_twice_then_uninstall_restores_the_hooks_dir_byte_for_byte() {
    let c = Clone::bare_start();
    let hooks = c.path().join(".git/hooks");
    std::fs::write(hooks.join("commit-msg"), "#!/bin/sh\nexit 0\n").expect("write");
    std::fs::set_permissions(hooks.join("commit-msg"), PermissionsExt::from_mode(0o750))
        .expect("chmod");
    // A hook shared by symlink (tools like husky or a team script do this).
    let shared = c.tmp.path().join("shared-pre-push");
    std::fs::write(&shared, "#!/bin/sh\nexit 0\n").expect("write");
    std::os::unix::fs::symlink(&shared, hooks.join("pre-push")).expect("symlink");
    let before = snapshot(&hooks);
    assert!(
        before.contains_key("pre-commit.sample"),
        "git's samples are there"
    );

    let out = install_sh(
        &c.path(),
        &["--no-build", "--no-check", "--bin-dir", &bins()],
    );
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("commit-msg: installed; the hook that was there runs first (kept as commit-msg.tiergate-chained)"), "{text}");
    assert!(text.contains("applypatch-msg: installed\n"), "{text}");
    let once = snapshot(&hooks);
    assert_eq!(
        once.len(),
        before.len() + 4,
        "4 shims (prepare-commit-msg too) + 2 kept hooks - 2 replaced: {:?}",
        once.keys()
    );

    let out = install_sh(
        &c.path(),
        &["--no-build", "--no-check", "--bin-dir", &bins()],
    );
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("commit-msg: updated (already installed)"),
        "{}",
        stdout(&out)
    );
    assert_eq!(snapshot(&hooks), once, "installing twice installs once");

    let out = install_sh(&c.path(), &["--uninstall"]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains(
            "commit-msg: removed tiergate's hook; restored the hook that was there before"
        ),
        "{}",
        stdout(&out)
    );
    // The binaries are named where they were installed, not where a
    // default --bin-dir would have put them.
    assert!(
        stdout(&out).contains(&format!(
            "tiergate's hooks are uninstalled (binaries in {} are left in place).\n",
            bins()
        )),
        "{}",
        stdout(&out)
    );
    assert_eq!(snapshot(&hooks), before);
}

#[test]
fn dry_run_changes_nothing() {
    let c = Clone::bare_start();
    let hooks = c.path().join(".git/hooks");
    std::fs::write(hooks.join("pre-push"), "#!/bin/sh\n").expect("write");
    std::fs::remove_file(c.path().join("policy.yaml")).expect("rm");
    let before = snapshot(&hooks);
    let out = install_sh(
        &c.path(),
        &[
            "--dry-run",
            "--init-policy",
            "--no-build",
            "--bin-dir",
            &bins(),
        ],
    );
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(
        text.starts_with("tiergate install.sh --dry-run: nothing will be changed\n"),
        "{text}"
    );
    assert!(
        text.contains("pre-push: would be installed; the hook that was there runs first"),
        "{text}"
    );
    assert!(text.contains("commit-msg: would be installed\n"), "{text}");
    assert!(
        text.contains("policy:    copied tiergate's example policy to"),
        "{text}"
    );
    assert_eq!(snapshot(&hooks), before);
    assert!(!c.path().join("policy.yaml").exists());

    // Building is not done either, nor a bin dir made.
    let out = install_sh(&c.path(), &["--dry-run", "--bin-dir", "/nonexistent/bin"]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("building:  cargo build --release --locked (in "),
        "{}",
        stdout(&out)
    );
    assert_eq!(snapshot(&hooks), before);
    assert!(!Path::new("/nonexistent/bin").exists());

    // `tiergate install --dry-run` copies no binary into a new bin dir.
    let new_bin = c.tmp.path().join("new-bin");
    let out = tiergate_install(
        &c.path(),
        &["--dry-run", "--bin-dir", new_bin.to_str().expect("utf-8")],
    );
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "  would install tiergate-commit-msg into {}\n",
            new_bin.display()
        )),
        "{text}"
    );
    assert!(!new_bin.exists());
    assert_eq!(snapshot(&hooks), before);
}

#[test]
fn outside_a_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = std::process::Command::new("sh");
    support::hooks::hermetic(&mut cmd)
        .env("GIT_CEILING_DIRECTORIES", dir.path())
        .arg(support::hooks::source_dir().join("install.sh"))
        .args(["--no-build", "--bin-dir", &bins()])
        .current_dir(dir.path());
    let out = support::hooks::output(&mut cmd);
    assert_code(&out, 2);
    assert!(
        stderr(&out).starts_with("Error: '.' is not a git repository"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("Hint: "), "{}", stderr(&out));
    // An unknown option too.
    let out = install_sh(dir.path(), &["--frobnicate"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("unknown option '--frobnicate'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn init_policy_copies_but_never_overwrites() {
    let c = Clone::bare_start();
    std::fs::remove_file(c.path().join("policy.yaml")).expect("rm");
    let out = install_sh(
        &c.path(),
        &["--no-build", "--no-check", "--bin-dir", &bins()],
    );
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("The hooks refuse commits until"),
        "{}",
        stderr(&out)
    );
    let out = install_sh(
        &c.path(),
        &[
            "--init-policy",
            "--no-build",
            "--no-check",
            "--bin-dir",
            &bins(),
        ],
    );
    assert_code(&out, 0);
    let example = std::fs::read(support::hooks::source_dir().join("policy.yaml")).expect("example");
    assert_eq!(
        std::fs::read(c.path().join("policy.yaml")).expect("copied"),
        example
    );
    std::fs::write(c.path().join("policy.yaml"), "mine\n").expect("write");
    let out = install_sh(
        &c.path(),
        &[
            "--init-policy",
            "--no-build",
            "--no-check",
            "--bin-dir",
            &bins(),
        ],
    );
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("kept the existing"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        std::fs::read_to_string(c.path().join("policy.yaml")).expect("kept"),
        "mine\n"
    );
}

#[test]
fn shims_find_binaries_through_tiergate_bin() {
    let c = Clone::new();
    // Reinstall pointing at a directory without binaries...
    let empty = c.tmp.path().join("empty-bin");
    for b in [
        "tiergate-commit-msg",
        "tiergate-pre-push",
        "tiergate-applypatch-msg",
    ] {
        std::fs::create_dir_all(&empty).expect("mkdir");
        std::os::unix::fs::symlink(bin_dir().join(b), empty.join(b)).expect("link");
    }
    std::os::unix::fs::symlink(tiergate_bin(), empty.join("tiergate")).expect("link");
    let out = install_sh(
        &c.path(),
        &[
            "--no-build",
            "--no-check",
            "--bin-dir",
            empty.to_str().expect("utf-8"),
        ],
    );
    assert_code(&out, 0);
    // The links are the binaries already: nothing was copied over them.
    assert!(
        stdout(&out).contains(&format!(
            "binaries:  {} (already there: nothing to copy)\n",
            empty.display()
        )),
        "{}",
        stdout(&out)
    );
    for b in [
        "tiergate",
        "tiergate-commit-msg",
        "tiergate-pre-push",
        "tiergate-applypatch-msg",
    ] {
        std::fs::remove_file(empty.join(b)).expect("rm");
    }
    c.write("crypto/aes.c", "ai\n");
    c.git(&["add", "-A"]);
    let msg = declared("crypto: ai");
    // ... then the hook cannot run: a clear error, the commit fails.
    let out = c.try_git(&["commit", "-m", &msg]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("Error: tiergate commit-msg hook: cannot find tiergate-commit-msg"),
        "{}",
        stderr(&out)
    );
    // TIERGATE_BIN names the directory of the binaries.
    let out = support::hooks::output(
        support::hooks::git_cmd(&c.path())
            .env("TIERGATE_BIN", bin_dir())
            .args(["commit", "-m", &msg]),
    );
    assert_code(&out, 1);
    assert!(
        stderr(&out).contains("error[ai-forbidden-tier]"),
        "{}",
        stderr(&out)
    );
    // A TIERGATE_BIN that holds nothing is an error, not a silent pass.
    let out = support::hooks::output(
        support::hooks::git_cmd(&c.path())
            .env("TIERGATE_BIN", &empty)
            .args(["commit", "-m", "crypto: by hand"]),
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("holds neither tiergate-commit-msg nor tiergate"),
        "{}",
        stderr(&out)
    );
}

/// The real pre-commit framework (when installed: `pip install pre-commit`)
/// with .pre-commit-hooks.yaml, on a commit and on a push. Ignored by a
/// plain `cargo test`; run with `-- --ignored` (as `.ci/run` does), a
/// missing pre-commit fails it.
#[test]
#[ignore = "needs pre-commit: python3 -m pip install pre-commit; .ci/run installs it and runs it"]
fn pre_commit_framework_runs_the_hooks() {
    let found = std::process::Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        panic!(
            "pre-commit is not installed (python3 -m pip install pre-commit); this test needs it"
        );
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    // A hook repository holding what pre-commit reads from tiergate's.
    let hook_repo = tmp.path().join("hookrepo");
    std::fs::create_dir_all(hook_repo.join("hooks")).expect("mkdir");
    let src = support::hooks::source_dir();
    std::fs::copy(
        src.join(".pre-commit-hooks.yaml"),
        hook_repo.join(".pre-commit-hooks.yaml"),
    )
    .expect("copy");
    std::fs::copy(
        src.join("hooks/pre-commit-framework.sh"),
        hook_repo.join("hooks/pre-commit-framework.sh"),
    )
    .expect("copy");
    support::hooks::git(tmp.path(), &["init", "-q", "-b", "main", "hookrepo"]);
    support::hooks::git(&hook_repo, &["add", "-A"]);
    support::hooks::git(&hook_repo, &["commit", "-q", "-m", "hooks"]);
    let rev = support::hooks::git(&hook_repo, &["rev-parse", "HEAD"]);
    let c = Clone::bare_start();
    c.write(
        ".pre-commit-config.yaml",
        &format!(
            "default_install_hook_types: [commit-msg, pre-push]\nrepos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: tiergate-commit-msg\n      - id: tiergate-pre-push\n",
            hook_repo.display(),
            rev.trim()
        ),
    );
    c.write("docs/index.md", "x\n");
    c.git(&["add", "-A"]);
    c.git(&["commit", "-q", "-m", "Initial commit"]);
    let pre_commit = |args: &[&str]| {
        let mut cmd = support::hooks::git_cmd(&c.path());
        cmd.env("PRE_COMMIT_HOME", tmp.path().join("cache"))
            .env("TIERGATE_BIN", bin_dir());
        cmd.args(args);
        cmd
    };
    let mut install = std::process::Command::new("pre-commit");
    support::hooks::hermetic(&mut install)
        .env("PRE_COMMIT_HOME", tmp.path().join("cache"))
        .current_dir(c.path())
        .arg("install");
    assert_code(&support::hooks::output(&mut install), 0);
    c.write("crypto/aes.c", "ai\n");
    c.git(&["add", "-A"]);
    let out = support::hooks::output(&mut pre_commit(&["commit", "-m", &declared("crypto: ai")]));
    assert_code(&out, 1);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        text.contains("error[ai-forbidden-tier]: commit (new)"),
        "{text}"
    );
    // Push a bad commit made with --no-verify: pre-push rejects it.
    c.git(&["commit", "-q", "--no-verify", "-m", &declared("crypto: ai")]);
    let out = support::hooks::output(&mut pre_commit(&["push", "origin", "main"]));
    assert_code(&out, 1);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("tiergate: push to origin rejected"), "{text}");
}

/// `install.sh --server` sets `receive.fsckObjects=true`, so git refuses a
/// malformed object before the hook judges it; `--no-fsck` leaves the
/// setting alone; `--uninstall` keeps it.
#[test]
fn server_install_turns_on_fsck_unless_told_not_to() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    support::hooks::git(dir, &["init", "-q", "--bare", "-b", "main", "srv.git"]);
    support::hooks::git(dir, &["init", "-q", "-b", "main", "work"]);
    let policy = dir.join("policy.yaml");
    std::fs::write(
        &policy,
        "version: 1\ntiers:\n  - name: critical\n    paths: [ \"crypto/\" ]\n    ai: forbidden\n  - name: rest\n    paths: [ \"**\" ]\n",
    )
    .expect("write");
    let bare = dir.join("srv.git");
    let bare_arg = bare.to_str().expect("utf-8").to_owned();
    let policy_arg = policy.to_str().expect("utf-8").to_owned();
    let install = |extra: &[&str]| {
        let mut args = vec!["--server", bare_arg.as_str(), "--no-build", "--bin-dir"];
        let bins = bins();
        args.push(&bins);
        args.extend_from_slice(&["--policy", policy_arg.as_str()]);
        args.extend_from_slice(extra);
        let out = install_sh(dir, &args);
        assert_code(&out, 0);
        stdout(&out)
    };
    let fsck = || {
        support::hooks::git(&bare, &["config", "--get", "receive.fsckObjects"])
            .trim()
            .to_owned()
    };
    let text = install(&[]);
    assert!(
        text.lines().any(|l| l
            == "fsck:       receive.fsckObjects=true (malformed objects are refused before the hook runs; --no-fsck to leave it alone)"),
        "{text}"
    );
    assert_eq!(fsck(), "true");

    // A commit with two author headers: git and tools may read either one.
    let work = dir.join("work");
    std::fs::write(work.join("a.txt"), "a\n").expect("write");
    support::hooks::git(&work, &["add", "-A"]);
    support::hooks::git(&work, &["commit", "-q", "-m", "first"]);
    let tree = support::hooks::git(&work, &["rev-parse", "HEAD^{tree}"]);
    let parent = support::hooks::git(&work, &["rev-parse", "HEAD"]);
    let raw = format!(
        "tree {}\nparent {}\nauthor A U Thor <author@example.com> 1700000000 +0000\nauthor Claude <noreply@anthropic.com> 1700000000 +0000\ncommitter C O Mitter <committer@example.com> 1700000000 +0000\n\ntwo authors\n",
        tree.trim(),
        parent.trim()
    );
    let bad = support::hash_commit(&work, raw.as_bytes());
    let url = format!("file://{bare_arg}");
    let push = |refspec: &str| {
        support::hooks::output(support::hooks::git_cmd(&work).args(["push", &url, refspec]))
    };
    assert_code(&push("main"), 0);
    let out = push(&format!("{bad}:refs/heads/bad"));
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("multipleAuthors"), "{}", stderr(&out));

    // --no-fsck: the setting is left as the admin set it (here: off), and
    // the same object reaches the hook (which sees the second author).
    support::hooks::git(&bare, &["config", "receive.fsckObjects", "false"]);
    let text = install(&["--no-fsck"]);
    assert!(
        text.lines()
            .any(|l| l == "fsck:       receive.fsckObjects left as it is (--no-fsck): false"),
        "{text}"
    );
    assert_eq!(fsck(), "false");
    let out = push(&format!("{bad}:refs/heads/bad"));
    assert_code(&out, 1);
    assert!(
        !stderr(&out).contains("multipleAuthors"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(&format!(
            "remote: error[undeclared-ai]: commit {} \"two authors\"",
            &bad[..12]
        )),
        "{}",
        stderr(&out)
    );

    // Installing again without --no-fsck turns it back on, and says so.
    let text = install(&[]);
    assert!(
        text.contains("fsck:       receive.fsckObjects=true, was false"),
        "{text}"
    );
    assert_eq!(fsck(), "true");

    // --uninstall keeps it (documented in docs/server.md).
    let out = install_sh(dir, &["--server", bare_arg.as_str(), "--uninstall"]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains(
            "receive.fsckObjects and fetch.fsckObjects left as they are (they protect the repository with or without tiergate)."
        ),
        "{}",
        stdout(&out)
    );
    assert_eq!(fsck(), "true");
}

/// The hooks directory of two clones set up alike, one installed by
/// install.sh and one by `tiergate install`: the same files, byte for byte
/// (modes too), and the same again after uninstalling.
#[test]
fn install_sh_and_tiergate_install_write_the_same_files() {
    let setup = || {
        let c = Clone::bare_start();
        let hooks = c.path().join(".git/hooks");
        std::fs::write(hooks.join("commit-msg"), "#!/bin/sh\nexit 0\n").expect("write");
        std::fs::set_permissions(hooks.join("commit-msg"), PermissionsExt::from_mode(0o750))
            .expect("chmod");
        c
    };
    let (a, b) = (setup(), setup());
    let before = snapshot(&a.path().join(".git/hooks"));
    let out = install_sh(
        &a.path(),
        &["--no-build", "--no-check", "--bin-dir", &bins()],
    );
    assert_code(&out, 0);
    let out = tiergate_install(&b.path(), &["--no-check", "--bin-dir", &bins()]);
    assert_code(&out, 0);
    let (sa, sb) = (
        snapshot(&a.path().join(".git/hooks")),
        snapshot(&b.path().join(".git/hooks")),
    );
    assert_eq!(sa.keys().collect::<Vec<_>>(), sb.keys().collect::<Vec<_>>());
    for (name, entry) in &sa {
        assert_eq!(Some(entry), sb.get(name), "{name} differs");
    }
    // The shim is the embedded template with the bin dir written in.
    let shim = String::from_utf8(sa["pre-push"].1.clone()).expect("utf-8");
    assert!(
        shim.starts_with("#!/bin/sh\n# tiergate-shim: pre-push\n"),
        "{shim}"
    );
    assert!(
        shim.contains(&format!("\ntiergate_bin_dir='{}'\n", bins())),
        "{shim}"
    );
    assert_eq!(sa["pre-push"].0 & 0o777, 0o755);

    let out = install_sh(&a.path(), &["--uninstall", "--bin-dir", &bins()]);
    assert_code(&out, 0);
    let out = tiergate_install(&b.path(), &["--uninstall"]);
    assert_code(&out, 0);
    assert_eq!(snapshot(&a.path().join(".git/hooks")), before);
    assert_eq!(snapshot(&b.path().join(".git/hooks")), before);
}

/// What `cargo install --path crates/cli` leaves: a lone `tiergate`, no
/// hook binaries beside it, no checkout. `tiergate install` then installs
/// shims that run `tiergate hook <name>` from that directory; real commits
/// and pushes are judged; a hook that was there runs first and comes back
/// on uninstall; the bin dir not being on PATH is said, with the line to add.
#[test]
fn a_lone_tiergate_installs_hooks_that_run_tiergate_hook() {
    let c = Clone::bare_start();
    c.write("README", "hello\n");
    c.write("crypto/aes.c", "aes\n");
    c.git(&["add", "-A"]);
    c.git(&["commit", "-q", "-m", "Initial commit"]);
    let root_bin = c.tmp.path().join("root/bin");
    std::fs::create_dir_all(&root_bin).expect("mkdir");
    std::fs::copy(tiergate_bin(), root_bin.join("tiergate")).expect("copy");
    let lone = root_bin.join("tiergate");
    let hooks = c.path().join(".git/hooks");
    let ran = c.tmp.path().join("chained-ran");
    let chained_text = format!("#!/bin/sh\necho ran >>'{}'\n", ran.display());
    std::fs::write(hooks.join("commit-msg"), &chained_text).expect("write");
    std::fs::set_permissions(hooks.join("commit-msg"), PermissionsExt::from_mode(0o755))
        .expect("chmod");

    let out = tiergate_install_with(&lone, &c.path(), &[]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "binaries:  {} (already there: nothing to copy)\n  tiergate-commit-msg is not there: the commit-msg hook runs `tiergate hook commit-msg` instead\n",
            root_bin.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("commit-msg: installed; the hook that was there runs first (kept as commit-msg.tiergate-chained)\n"),
        "{text}"
    );
    assert!(
        text.contains("with the installed tiergate (tiergate check HEAD):\n  pass: no violations."),
        "{text}"
    );
    assert!(text.ends_with("done.\n"), "{text}");
    assert!(
        stderr(&out).contains(&format!(
            "Warning: {dir} is not on PATH: the hooks find it, but `tiergate` typed in a shell will not.\nHint: Add this line to your shell profile (~/.profile, ~/.bashrc or ~/.zshrc), then open a new shell:\n  export PATH=\"{dir}:$PATH\"\n",
            dir = root_bin.display()
        )),
        "{}",
        stderr(&out)
    );

    // A forbidden commit is refused by the real `git commit`, after the
    // chained hook ran; an allowed one passes.
    c.write("crypto/aes.c", "ai\n");
    c.git(&["add", "-A"]);
    let out = c.try_git(&["commit", "-m", &declared("crypto: ai")]);
    assert_code(&out, 1);
    assert!(
        stderr(&out).contains("error[ai-forbidden-tier]"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&ran).expect("ran"), "ran\n");
    let out = c.try_git(&["commit", "-q", "-m", "crypto: by hand"]);
    assert_code(&out, 0);

    // A bad commit made with --no-verify is refused by pre-push.
    c.commit_no_verify(&[("crypto/aes.c", "ai again\n")], &declared("crypto: ai"));
    let out = c.try_git(&["push", "-q", "origin", "main"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("tiergate: push to origin rejected"),
        "{}",
        stderr(&out)
    );

    // On PATH: no warning.
    let path = format!(
        "{}:{}",
        root_bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = std::process::Command::new(&lone);
    support::hooks::hermetic(&mut cmd)
        .env("PATH", path)
        .args(["install", "--no-check"])
        .current_dir(c.path());
    let out = support::hooks::output(&mut cmd);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("commit-msg: updated (already installed)\n"));
    assert_eq!(stderr(&out), "");

    let out = tiergate_install_with(&lone, &c.path(), &["--uninstall"]);
    assert_code(&out, 0);
    assert_eq!(
        std::fs::read_to_string(hooks.join("commit-msg")).expect("restored"),
        chained_text
    );
    assert!(!hooks.join("pre-push").exists());
    assert!(!hooks.join("commit-msg.tiergate-chained").exists());
}

/// `tiergate install`'s refusals: exit 2 with the reason and a hint, and
/// nothing changed.
#[test]
fn tiergate_install_refuses_clearly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    support::hooks::git(tmp.path(), &["init", "-q", "--bare", "srv.git"]);
    let out = tiergate_install(tmp.path(), &["srv.git"]);
    assert_code(&out, 2);
    assert_eq!(
        stderr(&out),
        "Error: 'srv.git' is a bare repository: tiergate's client hooks belong in a developer's clone\nHint: On a server, install tiergate's pre-receive hook instead: `tiergate install --server srv.git`.\n"
    );
    let out = tiergate_install(
        tmp.path(),
        &["--server", "srv.git", "--mirror", "sometimes"],
    );
    assert_code(&out, 2);
    assert_eq!(
        stderr(&out),
        "Error: --mirror takes audit or enforce, not 'sometimes'\nHint: Use `--mirror audit` to record violations or `--mirror enforce` to refuse them.\n"
    );
    let out = tiergate_install(tmp.path(), &["nowhere"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).starts_with("Error: 'nowhere' is not a directory\n"),
        "{}",
        stderr(&out)
    );

    // A hook in the way of a chained one: refused, both left as they are.
    let c = Clone::bare_start();
    let hooks = c.path().join(".git/hooks");
    std::fs::write(hooks.join("pre-push"), "#!/bin/sh\n").expect("write");
    std::fs::write(hooks.join("pre-push.tiergate-chained"), "#!/bin/sh\n").expect("write");
    let before = snapshot(&hooks);
    let out = tiergate_install(&c.path(), &["--no-check"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains(
            "pre-push.tiergate-chained already exists\nHint: Merge the two hooks by hand into "
        ),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).ends_with(", and run tiergate install again.\n"),
        "{}",
        stderr(&out)
    );
    let after = snapshot(&hooks);
    assert_eq!(after["pre-push"], before["pre-push"]);
    assert_eq!(
        after["pre-push.tiergate-chained"],
        before["pre-push.tiergate-chained"]
    );

    // --init-policy without a checkout writes the starter policy.
    std::fs::remove_file(c.path().join("policy.yaml")).expect("rm");
    std::fs::remove_file(hooks.join("pre-push")).expect("rm");
    let out = tiergate_install(&c.path(), &["--no-check", "--init-policy"]);
    assert_code(&out, 0);
    let mut cmd = std::process::Command::new(tiergate_bin());
    support::hooks::hermetic(&mut cmd).args(["policy", "init"]);
    let starter = support::hooks::output(&mut cmd);
    assert_code(&starter, 0);
    assert_eq!(
        std::fs::read(c.path().join("policy.yaml")).expect("written"),
        starter.stdout
    );
}

/// `tiergate install --server`: a refused push through the installed
/// hook; uninstall takes the hook and tiergate's config away again and
/// puts back the hook it chained.
#[test]
fn tiergate_install_server_then_a_refused_push_then_uninstall() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    support::hooks::git(dir, &["init", "-q", "--bare", "-b", "main", "srv.git"]);
    support::hooks::git(dir, &["init", "-q", "-b", "main", "work"]);
    let bare = dir.join("srv.git");
    std::fs::write(dir.join("policy.yaml"), support::hooks::POLICY).expect("write");
    let mine = "#!/bin/sh\ncat >/dev/null\n";
    std::fs::write(bare.join("hooks/pre-receive"), mine).expect("write");
    std::fs::set_permissions(
        bare.join("hooks/pre-receive"),
        PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");

    let out = tiergate_install(
        dir,
        &[
            "--server",
            "srv.git",
            "--policy",
            "policy.yaml",
            "--bin-dir",
            &bins(),
        ],
    );
    assert_code(&out, 0);
    let text = stdout(&out);
    for line in [
        format!("repository: {}", bare.canonicalize().expect("canon").display()),
        format!("policy:     {}/policy.yaml (git config tiergate.policy)", dir.display()),
        "push options: advertised (receive.advertisePushOptions=true)".to_owned(),
        "pre-receive: installed; the hook that was there runs first (kept as pre-receive.tiergate-chained)".to_owned(),
        "done.".to_owned(),
    ] {
        assert!(text.lines().any(|l| l == line), "{line}\n{text}");
    }

    let work = dir.join("work");
    std::fs::create_dir_all(work.join("crypto")).expect("mkdir");
    std::fs::write(work.join("crypto/aes.c"), "ai\n").expect("write");
    support::hooks::git(&work, &["add", "-A"]);
    support::hooks::git(&work, &["commit", "-q", "-m", &declared("crypto: ai")]);
    let url = format!("file://{}", bare.display());
    let out = support::hooks::output(support::hooks::git_cmd(&work).args(["push", &url, "main"]));
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("remote: error[ai-forbidden-tier]: commit"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("! [remote rejected] main -> main (pre-receive hook declined)"),
        "{}",
        stderr(&out)
    );

    let out = tiergate_install(dir, &["--server", "srv.git", "--uninstall"]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("git config tiergate.policy: removed\n"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        std::fs::read_to_string(bare.join("hooks/pre-receive")).expect("restored"),
        mine
    );
    let out = support::hooks::output(support::hooks::git_cmd(&bare).args([
        "config",
        "--get",
        "tiergate.policy",
    ]));
    assert_code(&out, 1);
    let out =
        support::hooks::output(support::hooks::git_cmd(&work).args(["push", "-q", &url, "main"]));
    assert_code(&out, 0);
}
