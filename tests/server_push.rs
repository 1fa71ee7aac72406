//! End-to-end: tiergate's pre-receive hook, installed by `install.sh
//! --server`, driven by real `git push` over `file://` (git runs
//! receive-pack and the hook with the objects in a quarantine).

mod support;

use support::server::{
    assert_code, assert_remote_line, declared, git, remote_lines, stderr, Server, POLICY,
};

const ZERO: &str = "0000000000000000000000000000000000000000";

fn short(id: &str) -> &str {
    &id[..12]
}

#[test]
fn accepted_push_updates_the_ref_and_is_audited() {
    let s = Server::new();
    let before = s.remote_rev("main").expect("main");
    let a = s.commit(&[("docs/a.md", "a\n")], &declared("docs: ai-assisted"));
    let b = s.commit(&[("src/b.c", "b\n")], "src: by hand");
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 0);
    assert!(remote_lines(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(s.remote_rev("main").as_deref(), Some(b.as_str()));
    let rec = s.last_audit();
    assert_eq!(rec["hook"], "pre-receive");
    assert_eq!(rec["verdict"], "pass");
    assert_eq!(rec["accepted"], true);
    assert_eq!(rec["commits_checked"], 2);
    assert_eq!(rec["refs"][0]["ref"], "refs/heads/main");
    assert_eq!(rec["refs"][0]["old"], before.as_str());
    assert_eq!(rec["refs"][0]["new"], b.as_str());
    assert_eq!(rec["policy"], "HEAD:policy.yaml");
    assert!(rec["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    let _ = a;
}

#[test]
fn rejected_push_shows_the_violation_and_leaves_refs_alone() {
    let s = Server::new();
    let refs_before = s.remote_refs();
    s.commit(&[("docs/a.md", "a\n")], "docs: fine");
    let bad = s.commit(&[("crypto/aes.c", "ai\n")], &declared("crypto: ai"));
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 1);
    assert_remote_line(
        &out,
        &format!(
            "error[ai-forbidden-tier]: commit {} \"crypto: ai\"",
            short(&bad)
        ),
    );
    assert_remote_line(&out, "    crypto/aes.c");
    assert_remote_line(
        &out,
        "tiergate: 1 violation in 1 commit (2 commits checked)",
    );
    assert_remote_line(
        &out,
        "tiergate: push rejected (refs/heads/main); no ref was updated",
    );
    assert!(
        stderr(&out).contains(" ! [remote rejected] main -> main (pre-receive hook declined)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.remote_refs(), refs_before);
    // The quarantined objects were dropped with the push.
    assert!(!git(&s.bare, &["cat-file", "--batch-check"]).contains(&bad));
    let rec = s.last_audit();
    assert_eq!(rec["verdict"], "fail");
    assert_eq!(rec["accepted"], false);
    assert_eq!(rec["commits_checked"], 2);
    assert_eq!(rec["violations"][0]["rule"], "ai-forbidden-tier");
    assert_eq!(rec["violations"][0]["commit"], bad.as_str());
    assert_eq!(rec["violations"][0]["paths"][0], "crypto/aes.c");
}

#[test]
fn new_branch_checks_only_commits_new_to_the_repository() {
    let s = Server::new();
    // At an existing commit: nothing new.
    let out = s.push(&["origin", "main:refs/heads/copy"]);
    assert_code(&out, 0);
    let rec = s.last_audit();
    assert_eq!(rec["commits_checked"], 0);
    assert_eq!(rec["refs"][0]["old"], ZERO);
    // A new branch with one new commit (on top of main, which the server
    // has): exactly that commit.
    git(&s.work, &["checkout", "-q", "-b", "topic"]);
    s.commit(&[("docs/t.md", "t\n")], "docs: topic");
    let out = s.push(&["origin", "topic"]);
    assert_code(&out, 0);
    assert_eq!(s.last_audit()["commits_checked"], 1);
    // A bad one on another new branch.
    git(&s.work, &["checkout", "-q", "-b", "topic2"]);
    let bad = s.commit(&[("crypto/x.c", "x\n")], &declared("crypto: x"));
    let out = s.push(&["origin", "topic2"]);
    assert_code(&out, 1);
    assert_remote_line(
        &out,
        &format!(
            "error[ai-forbidden-tier]: commit {} \"crypto: x\"",
            short(&bad)
        ),
    );
    assert_eq!(s.remote_rev("refs/heads/topic2"), None);
}

#[test]
fn deletion_is_accepted_and_audited() {
    let s = Server::new();
    assert_code(&s.push(&["origin", "main:refs/heads/gone"]), 0);
    let out = s.push(&["origin", ":refs/heads/gone"]);
    assert_code(&out, 0);
    assert_eq!(s.remote_rev("refs/heads/gone"), None);
    let rec = s.last_audit();
    assert_eq!(rec["refs"][0]["new"], ZERO);
    assert_eq!(rec["commits_checked"], 0);
    assert_eq!(rec["verdict"], "pass");
}

#[test]
fn force_push_judges_the_rewritten_commits() {
    let s = Server::new();
    s.commit(&[("docs/a.md", "a\n")], "docs: a");
    assert_code(&s.push(&["origin", "main"]), 0);
    let pushed = s.remote_rev("main").expect("main");
    // Rewrite the last commit into a bad one.
    git(&s.work, &["reset", "-q", "--hard", "HEAD~1"]);
    let bad = s.commit(&[("crypto/a.c", "a\n")], &declared("crypto: rewritten"));
    let out = s.push(&["--force", "origin", "main"]);
    assert_code(&out, 1);
    assert_remote_line(
        &out,
        &format!(
            "error[ai-forbidden-tier]: commit {} \"crypto: rewritten\"",
            short(&bad)
        ),
    );
    assert_eq!(s.remote_rev("main").as_deref(), Some(pushed.as_str()));
    // A good rewrite goes in; only the new commit is judged.
    git(&s.work, &["reset", "-q", "--hard", "HEAD~1"]);
    let good = s.commit(&[("docs/b.md", "b\n")], "docs: rewritten");
    let out = s.push(&["--force", "origin", "main"]);
    assert_code(&out, 0);
    assert_eq!(s.remote_rev("main").as_deref(), Some(good.as_str()));
    assert_eq!(s.last_audit()["commits_checked"], 1);
}

#[test]
fn annotated_tags_are_peeled_and_their_commits_judged() {
    let s = Server::new();
    // A tag of a bad commit that is on no branch.
    git(&s.work, &["checkout", "-q", "-b", "side"]);
    let bad = s.commit(&[("crypto/t.c", "t\n")], &declared("crypto: tagged"));
    git(&s.work, &["tag", "-a", "-m", "release", "v1", &bad]);
    git(&s.work, &["checkout", "-q", "main"]);
    let out = s.push(&["origin", "refs/tags/v1"]);
    assert_code(&out, 1);
    assert_remote_line(
        &out,
        &format!(
            "error[ai-forbidden-tier]: commit {} \"crypto: tagged\"",
            short(&bad)
        ),
    );
    assert_eq!(s.remote_rev("refs/tags/v1"), None);
    // A tag (of a tag) of a commit the server has: nothing new, accepted.
    git(&s.work, &["tag", "-a", "-m", "ok", "v0", "main"]);
    git(
        &s.work,
        &["tag", "-a", "-m", "tag of tag", "v0-outer", "v0"],
    );
    let out = s.push(&["origin", "refs/tags/v0", "refs/tags/v0-outer"]);
    assert_code(&out, 0);
    assert_eq!(s.last_audit()["commits_checked"], 0);
    // A tag of a tree: no commit to judge.
    let tree = s.rev("main^{tree}");
    git(&s.work, &["tag", "-a", "-m", "tree", "vtree", &tree]);
    assert_code(&s.push(&["origin", "refs/tags/vtree"]), 0);
}

#[test]
fn multi_ref_push_with_one_bad_ref_updates_nothing() {
    let s = Server::new();
    let refs_before = s.remote_refs();
    s.commit(&[("docs/a.md", "a\n")], "docs: fine");
    git(&s.work, &["checkout", "-q", "-b", "bad"]);
    s.commit(&[("crypto/b.c", "b\n")], &declared("crypto: bad"));
    git(&s.work, &["checkout", "-q", "main"]);
    git(&s.work, &["tag", "light"]);
    let out = s.push(&["origin", "main", "bad", "refs/tags/light"]);
    assert_code(&out, 1);
    assert_remote_line(
        &out,
        "tiergate: push rejected (refs/heads/main, refs/heads/bad, refs/tags/light); no ref was updated",
    );
    assert_eq!(s.remote_refs(), refs_before);
    let rec = s.last_audit();
    assert_eq!(rec["refs"].as_array().map(Vec::len), Some(3));
    // One verdict for the push: both new commits judged once each.
    assert_eq!(rec["commits_checked"], 2);
}

#[test]
fn override_by_a_listed_user_is_accepted_and_logged() {
    let s = Server::new();
    let bad = s.commit(&[("crypto/o.c", "o\n")], &declared("crypto: hotfix"));
    let out = s.push_env(
        &[
            "-o",
            "tiergate.override=CVE-2026-1 hotfix, reviewed by bob",
            "origin",
            "main",
        ],
        &[("TIERGATE_USER", "alice")],
    );
    assert_code(&out, 0);
    assert_remote_line(
        &out,
        "tiergate: override by alice accepted: \"CVE-2026-1 hotfix, reviewed by bob\" (recorded in the audit log)",
    );
    assert_eq!(s.remote_rev("main").as_deref(), Some(bad.as_str()));
    let rec = s.last_audit();
    assert_eq!(rec["verdict"], "override");
    assert_eq!(rec["accepted"], true);
    assert_eq!(rec["user"], "alice");
    assert_eq!(rec["user_from"], "TIERGATE_USER");
    assert_eq!(rec["override"]["granted"], true);
    assert_eq!(
        rec["override"]["reason"],
        "CVE-2026-1 hotfix, reviewed by bob"
    );
    assert_eq!(rec["violations"][0]["rule"], "ai-forbidden-tier");
}

#[test]
fn override_by_an_unlisted_user_or_without_reason_is_refused() {
    let s = Server::new();
    s.commit(&[("crypto/o.c", "o\n")], &declared("crypto: sneaky"));
    let before = s.remote_rev("main");
    let out = s.push_env(
        &["-o", "tiergate.override=trust me", "origin", "main"],
        &[("TIERGATE_USER", "mallory")],
    );
    assert_code(&out, 1);
    assert_remote_line(
        &out,
        "tiergate: override refused: user 'mallory' is not in the policy's server.override.users",
    );
    assert_eq!(s.remote_rev("main"), before);
    let rec = s.last_audit();
    assert_eq!(rec["verdict"], "fail");
    assert_eq!(rec["override"]["granted"], false);
    assert_eq!(rec["override"]["reason"], "trust me");
    // Listed, but no reason.
    let out = s.push_env(
        &["-o", "tiergate.override", "origin", "main"],
        &[("TIERGATE_USER", "alice")],
    );
    assert_code(&out, 1);
    assert_remote_line(
        &out,
        "tiergate: override refused: an override needs a reason: git push --no-verify -o tiergate.override=\"why this push must go in\" (--no-verify: a client pre-push hook refuses the push before it reaches the server)",
    );
    // Nobody identified.
    let out = s.push(&["-o", "tiergate.override=x", "origin", "main"]);
    assert_code(&out, 1);
    assert!(
        remote_lines(&out)
            .iter()
            .any(|l| l.starts_with("tiergate: override refused: the pusher is unknown")),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.remote_rev("main"), before);
}

#[test]
fn a_push_cannot_loosen_the_policy_it_is_judged_by() {
    let s = Server::new();
    let before = s.remote_rev("main");
    // A human commit that allows AI in crypto/, then an AI commit in
    // crypto/ relying on it: judged by the policy before the push.
    s.commit(
        &[(
            "policy.yaml",
            &POLICY.replace("ai: forbidden", "ai: allowed"),
        )],
        "policy: allow AI everywhere",
    );
    let bad = s.commit(&[("crypto/k.c", "k\n")], &declared("crypto: now allowed?"));
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 1);
    assert_remote_line(
        &out,
        &format!(
            "error[ai-forbidden-tier]: commit {} \"crypto: now allowed?\"",
            short(&bad)
        ),
    );
    assert_eq!(s.remote_rev("main"), before);
    // An AI-assisted edit of the policy itself is in the strictest tier.
    git(&s.work, &["reset", "-q", "--hard", "origin/main"]);
    let edit = s.commit(
        &[(
            "policy.yaml",
            &POLICY.replace("ai: forbidden", "ai: allowed"),
        )],
        &declared("policy: loosen"),
    );
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 1);
    assert_remote_line(
        &out,
        &format!(
            "error[ai-forbidden-tier]: commit {} \"policy: loosen\"",
            short(&edit)
        ),
    );
    assert_remote_line(&out, "    policy.yaml");
}

#[test]
fn garbage_on_stdin_is_rejected_with_a_clear_message() {
    let s = Server::new();
    let out = s.run_hook(b"this is not a ref update\n", &[]);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.starts_with("Error: tiergate pre-receive: bad input\nCaused by:\n   1: line 1 of stdin is not `<old-id> <new-id> <ref>`: \"this is not a ref update\""),
        "{err}"
    );
    assert!(
        err.contains("tiergate: push rejected: tiergate could not check it (fail closed)\n"),
        "{err}"
    );
    let out = s.run_hook(b"", &[]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("no ref updates on stdin"),
        "{}",
        stderr(&out)
    );
    // A well-formed line naming an object the repository lacks.
    let missing = format!("{ZERO} {} refs/heads/x\n", "1".repeat(40));
    let out = s.run_hook(missing.as_bytes(), &[]);
    assert_code(&out, 3);
    assert!(
        stderr(&out).contains(&format!(
            "Error: tiergate: cannot read {} (the new value of refs/heads/x)",
            "1".repeat(40)
        )),
        "{}",
        stderr(&out)
    );
    let rec = s.last_audit();
    assert_eq!(rec["verdict"], "error");
    assert_eq!(rec["accepted"], false);
}

#[test]
fn missing_or_corrupt_policy_rejects_with_the_reason() {
    let s = Server::new();
    s.commit(&[("docs/a.md", "a\n")], "docs: fine");
    let missing = s.tmp.path().join("nope.yaml");
    git(
        &s.bare,
        &[
            "config",
            "tiergate.policy",
            missing.to_str().expect("utf-8"),
        ],
    );
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 1);
    assert_remote_line(
        &out,
        "Error: tiergate: cannot load the policy; push rejected",
    );
    assert!(
        remote_lines(&out)
            .iter()
            .any(|l| l.contains(&format!("cannot read policy {}", missing.display()))),
        "{}",
        stderr(&out)
    );
    let corrupt = s.tmp.path().join("corrupt.yaml");
    std::fs::write(&corrupt, "version: 1\ntier:\n  - x\n").expect("write");
    git(
        &s.bare,
        &[
            "config",
            "tiergate.policy",
            corrupt.to_str().expect("utf-8"),
        ],
    );
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 1);
    assert!(
        remote_lines(&out)
            .iter()
            .any(|l| l.contains("unknown key `tier`")),
        "{}",
        stderr(&out)
    );
    assert_remote_line(
        &out,
        "tiergate: push rejected: tiergate could not check it (fail closed)",
    );
    // An empty repository has no policy at HEAD yet.
    let empty = s.tmp.path().join("empty.git");
    git(
        s.tmp.path(),
        &["init", "-q", "--bare", "-b", "main", "empty.git"],
    );
    support::server::install_server(&empty, &[]);
    let url = format!("file://{}", empty.display());
    let out = s.push(&[&url, "main"]);
    assert_code(&out, 1);
    assert!(
        remote_lines(&out)
            .iter()
            .any(|l| l.starts_with("Error: tiergate: no policy: HEAD of ")),
        "{}",
        stderr(&out)
    );
    // The hint does not suggest pushing policy.yaml: that push is refused too.
    assert_remote_line(
        &out,
        "Hint: Install the policy on the server with `install.sh --server REPO.git --policy FILE` (git config tiergate.policy): the first push into an empty repository cannot bring its own policy.",
    );
}

#[test]
fn the_server_policy_from_install_is_used() {
    let s = Server::uninstalled("srv.git");
    let strict = s.tmp.path().join("server-policy.yaml");
    std::fs::write(
        &strict,
        POLICY.replace(
            "paths: [ \"docs/\" ]\n    ai: allowed",
            "paths: [ \"docs/\" ]\n    ai: forbidden",
        ),
    )
    .expect("write");
    s.install(&["--policy", strict.to_str().expect("utf-8")]);
    assert_eq!(
        git(&s.bare, &["config", "tiergate.policy"]).trim(),
        strict.to_str().expect("utf-8")
    );
    s.commit(&[("docs/a.md", "a\n")], &declared("docs: ai"));
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 1);
    assert_eq!(s.last_audit()["policy"], strict.to_str().expect("utf-8"));
}

#[test]
fn warn_mode_prints_and_accepts() {
    let s = Server::uninstalled("srv.git");
    let warn = s.tmp.path().join("warn.yaml");
    std::fs::write(&warn, format!("mode: warn\n{POLICY}")).expect("write");
    s.install(&["--policy", warn.to_str().expect("utf-8")]);
    let bad = s.commit(&[("crypto/w.c", "w\n")], &declared("crypto: warn"));
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 0);
    assert_remote_line(
        &out,
        &format!(
            "warning[ai-forbidden-tier]: commit {} \"crypto: warn\"",
            short(&bad)
        ),
    );
    assert_remote_line(
        &out,
        "tiergate: 1 violation in 1 commit (1 commit checked); mode: warn, not failing",
    );
    assert_eq!(s.remote_rev("main").as_deref(), Some(bad.as_str()));
    assert_eq!(s.last_audit()["verdict"], "warn");
}

#[test]
fn gitlab_output_is_prefixed() {
    let s = Server::new();
    s.commit(&[("crypto/g.c", "g\n")], &declared("crypto: gl"));
    let out = s.push_env(
        &["origin", "main"],
        &[
            ("GL_ID", "user-7"),
            ("GL_USERNAME", "bob"),
            ("GL_PROTOCOL", "ssh"),
        ],
    );
    assert_code(&out, 1);
    let lines = remote_lines(&out);
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(
            line.starts_with("GL-HOOK-ERR:"),
            "{line:?} in\n{}",
            stderr(&out)
        );
    }
    assert_remote_line(
        &out,
        "GL-HOOK-ERR: tiergate: push rejected (refs/heads/main); no ref was updated",
    );
    assert_eq!(s.last_audit()["user"], "bob");
    assert_eq!(s.last_audit()["user_from"], "GL_USERNAME");
}

#[test]
fn quarantine_with_quoted_alternates_is_read() {
    // A ':' in the repository's path makes git C-quote it in
    // GIT_ALTERNATE_OBJECT_DIRECTORIES; libgit2's own environment handling
    // would not find the repository's objects.
    let s = Server::named("srv:x.git", &[]);
    s.commit(&[("docs/q.md", "q\n")], "docs: quarantine");
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 0);
    assert_eq!(s.last_audit()["commits_checked"], 1);
    let bad = s.commit(&[("crypto/q.c", "q\n")], &declared("crypto: q"));
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 1);
    assert_remote_line(
        &out,
        &format!(
            "error[ai-forbidden-tier]: commit {} \"crypto: q\"",
            short(&bad)
        ),
    );
}

#[test]
fn a_panic_fails_closed() {
    let s = Server::new();
    s.commit(&[("docs/p.md", "p\n")], "docs: fine");
    let out = s.push_env(&["origin", "main"], &[("TIERGATE_DEBUG_PANIC", "1")]);
    if cfg!(debug_assertions) {
        assert_code(&out, 1);
        assert_remote_line(&out, "Error: tiergate pre-receive: internal error");
        assert_remote_line(
            &out,
            "tiergate: push rejected: tiergate could not check it (fail closed)",
        );
        assert_ne!(s.remote_rev("main"), Some(s.rev("main")));
    }
}

/// `server.on_error: allow` accepts a push only when the failure is the
/// server's own (here: an audit log that cannot be written); a failure
/// the pusher can cause (a panic, a missing object) still refuses, and is
/// audited.
#[test]
fn on_error_allow_covers_only_the_servers_own_failures() {
    let s = Server::uninstalled("srv.git");
    let open = s.tmp.path().join("open.yaml");
    std::fs::write(&open, format!("{POLICY}  on_error: allow\n")).expect("write");
    s.install(&["--policy", open.to_str().expect("utf-8")]);
    s.commit(&[("docs/p.md", "p\n")], "docs: fine");
    if cfg!(debug_assertions) {
        let out = s.push_env(&["origin", "main"], &[("TIERGATE_DEBUG_PANIC", "judging")]);
        assert_code(&out, 1);
        assert_remote_line(&out, "Error: tiergate pre-receive: internal error");
        assert_remote_line(
            &out,
            "tiergate: server.on_error: allow does not apply: a push can cause this failure",
        );
        let audit = s.audit_lines();
        assert_eq!(audit.len(), 1, "{audit:?}");
        assert_eq!(audit[0]["verdict"], "error");
        assert_eq!(audit[0]["accepted"], false);
        assert_eq!(audit[0]["reason"], "internal");
        assert_ne!(s.remote_rev("main"), Some(s.rev("main")));
    }
    // A tip that is not in the repository: the pusher's objects.
    let missing = format!("{ZERO} {} refs/heads/x\n", "1".repeat(40));
    let out = s.run_hook(missing.as_bytes(), &[]);
    assert_code(&out, 3);
    assert!(
        stderr(&out).contains(
            "tiergate: push rejected: tiergate could not check it (fail closed)\n\
             tiergate: server.on_error: allow does not apply: a push can cause this failure\n"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.last_audit()["reason"], "objects");
    // The server's own failure: the audit log is a directory.
    let dir = s.tmp.path().join("audit-dir");
    std::fs::create_dir(&dir).expect("mkdir");
    git(
        &s.bare,
        &["config", "tiergate.auditLog", dir.to_str().expect("utf-8")],
    );
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 0);
    assert_remote_line(
        &out,
        "tiergate: accepted without a check (server.on_error: allow)",
    );
    assert_eq!(s.remote_rev("main"), Some(s.rev("main")));
}

#[test]
fn a_repository_owned_by_another_user_opens() {
    // Only root can give the repository to another user.
    if !std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n")
    {
        eprintln!("skipping: not running as root, cannot chown the repository");
        return;
    }
    let s = Server::new();
    git(&s.bare, &["config", "--add", "safe.directory", "*"]);
    let status = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(&s.bare)
        .status()
        .expect("chown");
    assert!(status.success());
    // The audit log must stay writable; receive-pack (as root) needs
    // safe.directory to serve the repository at all.
    let bad = s.commit(&[("crypto/own.c", "o\n")], &declared("crypto: owner"));
    let out = s.push(&[
        "--receive-pack=git -c safe.directory=* receive-pack",
        "origin",
        "main",
    ]);
    assert_code(&out, 1);
    assert_remote_line(
        &out,
        &format!(
            "error[ai-forbidden-tier]: commit {} \"crypto: owner\"",
            short(&bad)
        ),
    );
}

#[test]
fn install_chains_an_existing_hook_is_idempotent_and_uninstalls() {
    let s = Server::uninstalled("srv.git");
    let hook = s.bare.join("hooks/pre-receive");
    let seen = s.tmp.path().join("seen");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\ncat >>'{}'\nexit ${{CHAINED_EXIT:-0}}\n",
            seen.display()
        ),
    )
    .expect("write");
    let mut perm = std::fs::metadata(&hook).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&hook, perm).expect("chmod");
    let out = s.install(&[]);
    assert!(
        support::server::stdout(&out)
            .contains("pre-receive: installed; the hook that was there runs first"),
        "{}",
        support::server::stdout(&out)
    );
    let out = s.install(&[]);
    assert!(support::server::stdout(&out).contains("pre-receive: updated (already installed)"));
    assert!(s.bare.join("hooks/pre-receive.tiergate-chained").exists());
    assert_eq!(
        git(&s.bare, &["config", "receive.advertisePushOptions"]).trim(),
        "true"
    );
    // Both hooks get the updates.
    let good = s.commit(&[("docs/c.md", "c\n")], "docs: chained");
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 0);
    let lines = std::fs::read_to_string(&seen).expect("chained hook ran");
    assert!(
        lines.ends_with(&format!(" {good} refs/heads/main\n")),
        "{lines}"
    );
    assert_eq!(s.last_audit()["commits_checked"], 1);
    // The chained hook's refusal refuses the push.
    s.commit(&[("docs/d.md", "d\n")], "docs: refused by the other hook");
    let out = s.push_env(&["origin", "main"], &[("CHAINED_EXIT", "1")]);
    assert_code(&out, 1);
    assert_eq!(s.remote_rev("main").as_deref(), Some(good.as_str()));
    // Uninstall restores the original hook and removes the config.
    let out =
        support::server::install(&["--server", s.bare.to_str().expect("utf-8"), "--uninstall"]);
    assert_code(&out, 0);
    // The binaries are named where they were installed (no --bin-dir here).
    assert!(
        support::server::stdout(&out).contains(&format!(
            "(binaries in {} are left in place)",
            support::server::bin_dir().display()
        )),
        "{}",
        support::server::stdout(&out)
    );
    let restored = std::fs::read_to_string(&hook).expect("restored");
    assert!(restored.contains("cat >>"), "{restored}");
    assert!(!s.bare.join("hooks/pre-receive.tiergate-chained").exists());
    assert!(
        support::server::output(
            support::server::git_cmd(&s.bare).args(["config", "tiergate.auditLog"])
        )
        .status
        .code()
            == Some(1)
    );
    // GitLab layout.
    s.install(&["--gitlab"]);
    let gl = s.bare.join("custom_hooks/pre-receive.d/tiergate");
    assert!(std::fs::read_to_string(&gl)
        .expect("gitlab hook")
        .starts_with("#!/bin/sh\n# tiergate-shim: pre-receive"));
    // Dry run changes nothing.
    let out = support::server::install(&[
        "--server",
        s.bare.to_str().expect("utf-8"),
        "--uninstall",
        "--dry-run",
    ]);
    assert_code(&out, 0);
    assert!(gl.exists());
}

/// `server.timeout`: a push that takes longer is refused, whatever
/// `server.on_error` says (a pusher can make a push slow on purpose), and
/// the watchdog writes its one audit record: reason `timeout`, how many
/// commits were judged, the refs, the time taken.
#[test]
fn a_timeout_refuses_and_is_audited_whatever_on_error_says() {
    if !cfg!(debug_assertions) {
        // The TIERGATE_DEBUG_* variables exist only in debug builds of the
        // hook (`cargo test --release` builds both without debug
        // assertions).
        eprintln!("skipped: needs a debug build of tiergate-pre-receive");
        return;
    }
    let s = Server::new();
    let slow = [("TIERGATE_DEBUG_SLEEP_MS", "20000")];
    let policy = format!("{POLICY}  timeout: 1s\n");
    s.commit(&[("policy.yaml", policy.as_str())], "policy: timeout");
    assert_code(&s.push(&["origin", "main"]), 0);
    let timed_out = |out: &std::process::Output, before: usize| {
        assert_code(out, 1);
        assert_remote_line(
            out,
            "Error: tiergate pre-receive: timed out after 1s (server.timeout)",
        );
        assert_remote_line(
            out,
            "tiergate: push rejected: tiergate could not check it (fail closed)",
        );
        let audit = s.audit_lines();
        assert_eq!(audit.len(), before + 1, "one record: {audit:?}");
        let record = audit[before].clone();
        assert_eq!(record["verdict"], "error", "{record}");
        assert_eq!(record["accepted"], false, "{record}");
        assert_eq!(record["reason"], "timeout", "{record}");
        assert_eq!(
            record["error"],
            "tiergate pre-receive: timed out after 1s (server.timeout)"
        );
        assert_eq!(record["refs"][0]["ref"], "refs/heads/main", "{record}");
        assert_eq!(record["policy"], "HEAD:policy.yaml", "{record}");
        assert!(
            record["elapsed_ms"].as_u64().expect("elapsed") >= 1000,
            "{record}"
        );
        assert_ne!(s.remote_rev("main"), Some(s.rev("HEAD")));
        record
    };
    s.commit(&[("docs/a.md", "a\n")], "docs: a");
    let start = std::time::Instant::now();
    let before = s.audit_lines().len();
    let out = s.push_env(&["origin", "main"], &slow);
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
    let record = timed_out(&out, before);
    assert_eq!(record["commits_checked"], 0, "{record}");

    // on_error: allow does not let a timeout through (policy changed by a
    // normal push).
    let allow = policy.replace("server:\n", "server:\n  on_error: allow\n");
    s.commit(&[("policy.yaml", allow.as_str())], "policy: allow on error");
    assert_code(&s.push(&["origin", "main"]), 0);
    s.commit(&[("docs/b.md", "b\n")], "docs: b");
    let before = s.audit_lines().len();
    let out = s.push_env(&["origin", "main"], &slow);
    timed_out(&out, before);
    assert_remote_line(
        &out,
        "tiergate: server.on_error: allow does not apply: a push can cause this failure",
    );

    // Cut short while judging: the record says how far it got. Six
    // commits at 300 ms each do not fit in 1 s.
    for i in 0..6 {
        let path = format!("docs/c{i}.md");
        s.commit(&[(path.as_str(), "c\n")], &format!("docs: c{i}"));
    }
    let before = s.audit_lines().len();
    let out = s.push_env(
        &["origin", "main"],
        &[("TIERGATE_DEBUG_COMMIT_SLEEP_MS", "300")],
    );
    let record = timed_out(&out, before);
    let judged = record["commits_checked"].as_u64().expect("count");
    assert!((1..6).contains(&judged), "{record}");
}

/// The main thread and the watchdog race for the decision: when the main
/// thread has decided and is still writing its record as the timeout
/// fires, the watchdog stands aside; one record, the main thread's.
#[test]
fn a_decision_being_recorded_is_not_cut_short_by_the_timeout() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: needs a debug build of tiergate-pre-receive");
        return;
    }
    let s = Server::new();
    let policy = format!("{POLICY}  timeout: 300ms\n");
    s.commit(&[("policy.yaml", policy.as_str())], "policy: timeout");
    assert_code(&s.push(&["origin", "main"]), 0);
    s.commit(&[("docs/a.md", "a\n")], "docs: a");
    let before = s.audit_lines().len();
    let out = s.push_env(
        &["origin", "main"],
        &[("TIERGATE_DEBUG_FINISH_SLEEP_MS", "1000")],
    );
    assert_code(&out, 0);
    assert!(!stderr(&out).contains("timed out"), "{}", stderr(&out));
    let audit = s.audit_lines();
    assert_eq!(audit.len(), before + 1, "{audit:?}");
    assert_eq!(audit[before]["verdict"], "pass");
    assert_eq!(audit[before]["reason"], serde_json::Value::Null);
    assert_eq!(s.remote_rev("main"), Some(s.rev("HEAD")));
}

/// Security issue 11: a symlink at the path of a forbidden directory. In one
/// push, a human commit removes `migration/` and an AI-assisted commit adds
/// `docs/mig/m.c` and a symlink `migration -> docs/mig`: every checkout
/// would have AI-written `migration/m.c`. The symlink is in the tier of the
/// directory it replaces.
#[cfg(unix)]
#[test]
fn a_symlink_cannot_replace_a_forbidden_directory() {
    let s = Server::new();
    let policy = POLICY.replace("[ \"crypto/\" ]", "[ \"crypto/\", \"migration/\" ]");
    assert_ne!(policy, POLICY);
    s.commit(
        &[("policy.yaml", &policy), ("migration/m.c", "human\n")],
        "migration: add, by hand",
    );
    assert_code(&s.push(&["origin", "main"]), 0);
    let before = s.remote_rev("main");

    git(&s.work, &["rm", "-q", "-r", "migration"]);
    s.commit(&[], "migration: remove, by hand");
    s.write("docs/mig/m.c", "ai\n");
    std::os::unix::fs::symlink("docs/mig", s.work.join("migration")).expect("symlink");
    let bad = s.commit(&[], &declared("docs: move the migration notes"));
    assert_eq!(
        git(&s.work, &["ls-tree", "HEAD", "migration"]),
        format!(
            "120000 blob {}\tmigration\n",
            git(&s.work, &["rev-parse", "HEAD:migration"]).trim()
        ),
        "a symlink in the tree"
    );
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 1);
    assert_remote_line(
        &out,
        &format!(
            "error[ai-forbidden-tier]: commit {} \"docs: move the migration notes\"",
            short(&bad)
        ),
    );
    assert_remote_line(
        &out,
        "  AI-assisted commit touches tier 'critical' (ai: forbidden): 1 path",
    );
    assert_remote_line(&out, "    migration");
    assert_remote_line(
        &out,
        "tiergate: 1 violation in 1 commit (2 commits checked)",
    );
    assert_eq!(s.remote_rev("main"), before);
    let rec = s.last_audit();
    assert_eq!(rec["violations"][0]["rule"], "ai-forbidden-tier");
    assert_eq!(rec["violations"][0]["commit"], bad.as_str());
    assert_eq!(
        rec["violations"][0]["paths"],
        serde_json::json!(["migration"])
    );

    // Honest AI-assisted changes near the tier's name still pass: a symlink
    // inside one tier, a rename, files whose names only start like it.
    git(&s.work, &["reset", "-q", "--hard", "origin/main"]);
    s.write("docs/b.md", "b\n");
    std::os::unix::fs::symlink("b.md", s.work.join("docs/a.md")).expect("symlink");
    s.commit(&[], &declared("docs: a is b"));
    s.commit(&[("docs/old.md", "old\n")], "docs: old, by hand");
    git(&s.work, &["mv", "docs/old.md", "docs/new.md"]);
    s.commit(&[], &declared("docs: rename old to new"));
    s.commit(
        &[
            ("docs/migration-notes.txt", "notes\n"),
            ("migrationX", "x\n"),
        ],
        &declared("docs: migration notes"),
    );
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 0);
    assert!(remote_lines(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(s.last_audit()["commits_checked"], 4);
    assert_eq!(s.remote_rev("main"), Some(s.rev("HEAD")));
}

#[test]
fn override_with_client_hooks_installed_needs_no_verify_as_the_hint_says() {
    let s = Server::new();
    // The developer's clone has tiergate's client hooks too.
    let mut cmd = std::process::Command::new("sh");
    support::server::hermetic(&mut cmd);
    let out = support::server::output(
        cmd.arg(support::server::source_dir().join("install.sh"))
            .args(["--no-build", "--no-check", "--bin-dir"])
            .arg(support::server::bin_dir())
            .current_dir(&s.work),
    );
    assert_code(&out, 0);
    let before = s.remote_rev("main");
    // Committed past the client's commit-msg hook.
    s.write("crypto/o.c", "o\n");
    git(&s.work, &["add", "-A"]);
    let msg = declared("crypto: hotfix");
    git(&s.work, &["commit", "-q", "--no-verify", "-m", &msg]);
    let bad = s.rev("HEAD");
    let alice = [("TIERGATE_USER", "alice")];
    // The override option alone: the client's pre-push hook refuses
    // first, and the server never hears of it.
    let out = s.push_env(
        &["-o", "tiergate.override=CVE fix", "origin", "main"],
        &alice,
    );
    assert_code(&out, 1);
    assert!(remote_lines(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(s.remote_rev("main"), before);
    let err = stderr(&out);
    let hint = err
        .lines()
        .find(|l| l.starts_with("Hint: A user listed in the policy's server.override.users"))
        .unwrap_or_else(|| panic!("no override hint in {err}"));
    let command = hint.split('`').nth(1).expect("a command");
    assert_eq!(
        command,
        "git push --no-verify -o 'tiergate.override=<reason>' origin refs/heads/main:refs/heads/main"
    );
    // The command as printed reaches the server, which grants alice's
    // override and records it.
    let mut cmd = std::process::Command::new("sh");
    support::server::hermetic(&mut cmd);
    let out = support::server::output(
        cmd.args(["-c", command])
            .env("TIERGATE_USER", "alice")
            .current_dir(&s.work),
    );
    assert_code(&out, 0);
    assert_remote_line(
        &out,
        "tiergate: override by alice accepted: \"<reason>\" (recorded in the audit log)",
    );
    assert_eq!(s.remote_rev("main").as_deref(), Some(bad.as_str()));
    assert_eq!(s.last_audit()["verdict"], "override");
}
