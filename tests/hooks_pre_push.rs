//! End-to-end: the pre-push hook, installed by install.sh, driven by real
//! `git push` to a local bare remote.

mod support;

use support::hooks::{assert_code, declared, forbidden_body, stderr, Clone};

/// A clone whose main is pushed to origin.
fn pushed_clone() -> Clone {
    let c = Clone::new();
    let out = c.try_git(&["push", "-q", "-u", "origin", "main"]);
    assert_code(&out, 0);
    c
}

fn remote_has(c: &Clone, rev: &str) -> bool {
    support::hooks::output(support::hooks::git_cmd(&c.remote()).args([
        "rev-parse",
        "-q",
        "--verify",
        rev,
    ]))
    .status
    .success()
}

/// What `git push` prints when the hook refuses the commit `bad`
/// (`crypto: ai`, declared, touching crypto/aes.c): the violation's block,
/// the hook's `summary` lines, its hint, then git's own error.
fn rejection(bad: &str, summary: &str) -> String {
    format!(
        "error[ai-forbidden-tier]: commit {} \"crypto: ai\"\n{}\n\
         {summary}\
         Hint: Fix the commits above (`git rebase -i` with `reword`, or `edit` to split one), then push again; \
         `tiergate explain <rule>` says more.\n\
         error: failed to push some refs to '../remote.git'\n",
        &bad[..12],
        forbidden_body(&["crypto/aes.c"])
    )
}

#[test]
fn new_branch_with_a_violation_is_rejected_and_nothing_is_pushed() {
    let c = pushed_clone();
    c.git(&["checkout", "-q", "-b", "topic"]);
    c.commit_no_verify(&[("docs/a.md", "a\n")], "docs: fine");
    let bad = c.commit_no_verify(&[("crypto/aes.c", "ai\n")], &declared("crypto: ai"));
    let out = c.try_git(&["push", "origin", "topic"]);
    assert_code(&out, 1);
    assert_eq!(
        stderr(&out),
        rejection(
            &bad,
            "tiergate: 1 violation in 1 commit (2 commits checked)\n\
             tiergate: push to origin rejected (refs/heads/topic); nothing was pushed\n"
        )
    );
    assert!(!remote_has(&c, "refs/heads/topic"));
}

#[test]
fn every_stdin_line_is_read_and_the_whole_push_is_rejected() {
    let c = pushed_clone();
    c.commit_no_verify(&[("docs/a.md", "a\n")], "docs: fine");
    c.git(&["checkout", "-q", "-b", "zzz"]);
    let bad = c.commit_no_verify(&[("crypto/aes.c", "ai\n")], &declared("crypto: ai"));
    c.git(&["checkout", "-q", "main"]);
    // Two refs in one push: the bad commit is on the second line.
    let out = c.try_git(&["push", "origin", "main", "zzz"]);
    assert_code(&out, 1);
    assert_eq!(
        stderr(&out),
        rejection(
            &bad,
            "tiergate: 1 violation in 1 commit (2 commits checked)\n\
             tiergate: push to origin rejected (refs/heads/main, refs/heads/zzz); nothing was pushed\n"
        )
    );
    // Neither ref moved on the remote.
    assert!(!remote_has(&c, "refs/heads/zzz"));
    assert_ne!(
        support::hooks::git(&c.remote(), &["rev-parse", "main"]),
        c.git(&["rev-parse", "main"])
    );
}

#[test]
fn only_commits_the_remote_lacks_are_judged() {
    let c = pushed_clone();
    // A bad commit that is already on the remote (pushed with --no-verify).
    c.commit_no_verify(&[("crypto/aes.c", "ai\n")], &declared("crypto: ai"));
    let out = c.try_git(&["push", "-q", "--no-verify", "origin", "main"]);
    assert_code(&out, 0);
    // A good commit on top: only it is new.
    c.commit_no_verify(&[("docs/a.md", "a\n")], &declared("docs: a"));
    let out = c.try_git(&["push", "-q", "origin", "main"]);
    assert_code(&out, 0);
    assert_eq!(stderr(&out), "");
    // A new branch from there: its commits reachable from
    // refs/remotes/origin/* are not new either (--remotes=origin).
    c.git(&["checkout", "-q", "-b", "topic"]);
    c.commit_no_verify(&[("docs/b.md", "b\n")], &declared("docs: b"));
    let out = c.try_git(&["push", "-q", "origin", "topic"]);
    assert_code(&out, 0);
    assert!(remote_has(&c, "refs/heads/topic"));
}

#[test]
fn push_to_the_url_of_a_remote_judges_what_that_remote_lacks() {
    let c = pushed_clone();
    // A bad commit already on the remote (pushed with --no-verify).
    c.commit_no_verify(&[("crypto/aes.c", "ai\n")], &declared("crypto: ai"));
    let out = c.try_git(&["push", "-q", "--no-verify", "origin", "main"]);
    assert_code(&out, 0);
    // `git push URL` passes the URL as the remote's name: origin's
    // tracking refs still say what the remote has.
    c.git(&["checkout", "-q", "-b", "topic"]);
    c.commit_no_verify(&[("docs/b.md", "b\n")], &declared("docs: b"));
    let url = c.remote().to_str().expect("utf-8").to_owned();
    let out = c.try_git(&["push", "-q", &url, "topic"]);
    assert_code(&out, 0);
    assert_eq!(stderr(&out), "");
    assert!(remote_has(&c, "refs/heads/topic"));
}

#[test]
fn deletions_are_skipped() {
    let c = pushed_clone();
    c.git(&["checkout", "-q", "-b", "old"]);
    c.commit_no_verify(&[("crypto/aes.c", "ai\n")], &declared("crypto: ai"));
    let out = c.try_git(&["push", "-q", "--no-verify", "origin", "old"]);
    assert_code(&out, 0);
    let out = c.try_git(&["push", "-q", "origin", ":old"]);
    assert_code(&out, 0);
    assert!(!remote_has(&c, "refs/heads/old"));
}

#[test]
fn chained_pre_push_hook_gets_stdin_too() {
    let c = Clone::bare_start();
    c.write("README", "x\n");
    c.git(&["add", "-A"]);
    c.git(&["commit", "-q", "-m", "Initial commit"]);
    let log = c.tmp.path().join("chained.log");
    let hook = c.path().join(".git/hooks/pre-push");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\necho \"$1 $2\" > '{0}'\ncat >> '{0}'\n",
            log.display()
        ),
    )
    .expect("write");
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    c.install();
    c.commit_no_verify(&[("crypto/aes.c", "ai\n")], &declared("crypto: ai"));
    let out = c.try_git(&["push", "origin", "main"]);
    // tiergate saw the line too and rejected the push.
    assert_code(&out, 1);
    assert!(
        stderr(&out).contains("error[ai-forbidden-tier]"),
        "{}",
        stderr(&out)
    );
    let seen = std::fs::read_to_string(&log).expect("chained hook ran");
    let head = c.rev("HEAD");
    assert!(seen.starts_with("origin ../remote.git\n"), "{seen}");
    assert!(
        seen.contains(&format!("refs/heads/main {head} refs/heads/main ")),
        "{seen}"
    );
    // A failing chained hook fails the push.
    std::fs::write(
        c.path().join(".git/hooks/pre-push.tiergate-chained"),
        "#!/bin/sh\nexit 5\n",
    )
    .expect("write");
    c.git(&["reset", "-q", "--hard", "HEAD~1"]);
    let out = c.try_git(&["push", "origin", "main"]);
    assert!(!out.status.success());
}

#[test]
fn bad_stdin_is_a_usage_error() {
    let c = Clone::new();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tiergate-pre-push"));
    support::hooks::hermetic(&mut cmd);
    let out = support::run_stdin(
        cmd.current_dir(c.path()).args(["origin", "x"]),
        b"garbage\n",
    );
    assert_code(&out, 2);
    assert_eq!(
        stderr(&out),
        "Error: pre-push: line 1 of stdin is not \
         `<local-ref> <local-oid> <remote-ref> <remote-oid>`: \"garbage\"\n\
         Hint: git writes these lines itself; run the hook through `git push`.\n"
    );
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tiergate-pre-push"));
    support::hooks::hermetic(&mut cmd);
    let out = support::run_stdin(cmd.current_dir(c.path()).args(["origin", "x"]), b"");
    assert_code(&out, 0);
}

#[test]
fn pre_push_from_a_shallow_clone_judges_without_missing_parents() {
    let c = pushed_clone();
    // The tip of origin is a declared commit: a shallow clone's boundary
    // commit that needs its paths.
    c.commit_no_verify(&[("docs/ai.md", "ai\n")], &declared("docs: ai"));
    assert_code(&c.try_git(&["push", "-q", "origin", "main"]), 0);
    let shallow = c.tmp.path().join("shallow");
    let url = format!("file://{}", c.remote().display());
    support::hooks::git(
        c.tmp.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    assert!(shallow.join(".git/shallow").exists());
    let out = support::hooks::install_sh(
        &shallow,
        &[
            "--no-build",
            "--no-check",
            "--bin-dir",
            support::hooks::bin_dir().to_str().expect("utf-8 path"),
        ],
    );
    assert_code(&out, 0);
    let git = |args: &[&str]| support::hooks::output(support::hooks::git_cmd(&shallow).args(args));
    let commit = |path: &str, message: &str| {
        std::fs::create_dir_all(shallow.join(path).parent().expect("parent")).expect("mkdir");
        std::fs::write(shallow.join(path), "x\n").expect("write");
        assert_code(&git(&["add", "-A"]), 0);
        assert_code(&git(&["commit", "-q", "--no-verify", "-m", message]), 0);
    };
    // To origin, which has the history: only the new commits are judged.
    commit("docs/b.md", "docs: b");
    let out = git(&["push", "origin", "HEAD:refs/heads/s1"]);
    assert_code(&out, 0);
    commit("crypto/ai.c", &declared("crypto: ai"));
    let out = git(&["push", "origin", "HEAD:refs/heads/s2"]);
    assert_code(&out, 1);
    assert!(
        stderr(&out).contains("error[ai-forbidden-tier]"),
        "{}",
        stderr(&out)
    );
    assert!(!remote_has(&c, "refs/heads/s2"));
    // To an empty remote, the boundary commit itself is pushed: git shows
    // it as a root (its parent is not here), and so is it judged — its
    // whole tree, crypto/ and policy.yaml included — not an error.
    support::hooks::git(c.tmp.path(), &["init", "-q", "--bare", "empty.git"]);
    let out = git(&["push", "../empty.git", "HEAD~2:refs/heads/main"]);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(!err.contains("cannot read"), "{err}");
    assert!(err.contains("error[ai-forbidden-tier]"), "{err}");
    assert!(err.contains("\"docs: ai\""), "{err}");
    assert!(err.contains("\n    crypto/aes.c\n"), "{err}");
}
