//! End-to-end: the commit-msg and applypatch-msg hooks, installed by
//! install.sh, driven by real `git commit`, `git merge` and `git am`.

mod support;

use support::hooks::{assert_code, declared, forbidden_body, git, stderr, Clone, DECLARED};

/// A rejection of the staged `paths` by the forbidden tier, in a commit
/// labelled `label` (`(new)`, `(amend)`, `(merge)`): the violation's block
/// first, each path listed, the summary line naming the policy.
#[track_caller]
fn assert_rejected(out: &std::process::Output, label: &str, paths: &[&str]) {
    assert_code(out, 1);
    let err = stderr(out);
    let opening = format!("error[ai-forbidden-tier]: commit {label} \"");
    assert!(err.starts_with(&opening), "no {label} block first:\n{err}");
    // The block: the violation, its paths, the fix for this kind of
    // commit (see docs/hooks.md), a blank line; then the summary.
    let (block, rest) = err
        .split_once("\n\n")
        .unwrap_or_else(|| panic!("no blank line after the block:\n{err}"));
    assert!(
        block.contains(&format!(
            "AI-assisted commit touches tier 'critical' (ai: forbidden): {}",
            forbidden_count(paths)
        )),
        "{err}"
    );
    for path in paths {
        assert!(
            block.contains(&format!("\n    {path}\n")),
            "{path} not listed:\n{err}"
        );
    }
    assert!(block.contains("\n  fix: "), "no fix:\n{err}");
    let (summary, hint) = rest.split_once('\n').unwrap_or((rest, ""));
    assert!(
        summary.starts_with("tiergate: commit rejected: 1 violation (policy /")
            && summary.ends_with("policy.yaml)"),
        "{err}"
    );
    assert!(
        hint.is_empty()
            || (hint.starts_with("Hint: ")
                && hint.matches('\n').count() == 1
                && hint.ends_with(".\n")),
        "at most one hint line after the summary:\n{err}"
    );
}

/// `1 path`, `2 paths`.
fn forbidden_count(paths: &[&str]) -> String {
    match paths.len() {
        1 => "1 path".to_owned(),
        n => format!("{n} paths"),
    }
}

/// `text` with the clone's work tree written `[WORK]`.
fn without_work_tree(c: &Clone, text: &str) -> String {
    let work = c.path();
    let real = work.canonicalize().expect("canonical work tree");
    text.replace(real.to_str().expect("utf-8"), "[WORK]")
        .replace(work.to_str().expect("utf-8"), "[WORK]")
}

/// The hint on the message saved at `file` (as the user would type it).
fn saved_hint(file: &str) -> String {
    format!("Hint: Your message is saved in {file}: fix it and commit again with `git commit -e -F {file}`.\n")
}

#[test]
fn declared_commit_to_forbidden_tier_is_rejected_with_fix_and_reuse_hint() {
    let c = Clone::new();
    let head = c.rev("HEAD");
    c.write("crypto/aes.c", "faster aes\n");
    c.write("docs/aes.md", "doc\n");
    c.git(&["add", "-A"]);
    let msg = declared("crypto: speed up AES");
    let out = c.try_git(&["commit", "-m", &msg]);
    assert_rejected(&out, "(new)", &["crypto/aes.c"]);
    let err = stderr(&out);
    assert!(
        !err.contains("docs/aes.md"),
        "only the forbidden paths: {err}"
    );
    assert!(err.ends_with(&saved_hint(".git/COMMIT_EDITMSG")), "{err}");
    assert_eq!(c.rev("HEAD"), head, "nothing committed");
    let saved = std::fs::read_to_string(c.path().join(".git/COMMIT_EDITMSG")).expect("saved");
    assert!(saved.contains(DECLARED), "{saved}");
    // The hint works from a subdirectory too (GIT_PREFIX).
    let out = support::hooks::output(
        support::hooks::git_cmd(&c.path().join("docs")).args(["commit", "-m", &msg]),
    );
    assert_code(&out, 1);
    assert_rejected(&out, "(new)", &["crypto/aes.c"]);
    assert!(
        stderr(&out).ends_with(&saved_hint("../.git/COMMIT_EDITMSG")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn declared_commit_to_open_tier_and_undeclared_commit_pass_silently() {
    let c = Clone::new();
    c.write("docs/a.md", "a\n");
    c.git(&["add", "-A"]);
    let out = c.try_git(&["commit", "-q", "-m", &declared("docs: a")]);
    assert_code(&out, 0);
    assert_eq!(stderr(&out), "");
    c.write("crypto/aes.c", "by hand\n");
    c.git(&["add", "-A"]);
    let out = c.try_git(&["commit", "-q", "-m", "crypto: by hand"]);
    assert_code(&out, 0);
    assert_eq!(stderr(&out), "");
}

#[test]
fn undeclared_commit_fix_does_not_amend_the_previous_commit() {
    let c = Clone::new();
    let head = c.rev("HEAD");
    c.write("docs/a.md", "a\n");
    c.git(&["add", "-A"]);
    let msg = "docs: a\n\nCo-authored-by: Claude <noreply@anthropic.com>\n";
    let out = c.try_git(&["commit", "-m", msg]);
    assert_code(&out, 1);
    let err = stderr(&out);
    // `git commit --amend --trailer ...` would amend HEAD, a commit that
    // is not the one rejected: the fix reuses the saved message instead.
    // prepare-commit-msg (installed, tiergate.autoDeclare unset) suggests
    // the declaration first; then commit-msg refuses.
    assert_eq!(
        without_work_tree(&c, &err),
        "tiergate: the commit message credits an AI tool; the policy asks for a declaration:\n  \
         would be removed line 3: Co-authored-by: Claude <noreply@anthropic.com>\n  \
         would be added: AI-Assisted-by: claude:unknown\n\
         Hint: Run `git config tiergate.autoDeclare true` to have this hook write it, or \
         `tiergate fix --yes .git/COMMIT_EDITMSG` once.\n\
         error[undeclared-ai]: commit (new) \"docs: a\"\n  \
         AI assistance is evident but not declared with 'AI-Assisted-by:': \
         Co-authored-by: Claude <noreply@anthropic.com> (Claude)\n  \
         at line 3 of the message\n  \
         fix: Add the trailer 'AI-Assisted-by: <agent>:<model>' to the last paragraph \
         (`git commit -e -F .git/COMMIT_EDITMSG --trailer 'AI-Assisted-by: <agent>:<model>'`).\n\n\
         tiergate: commit rejected: 1 violation (policy [WORK]/policy.yaml)\n"
            .to_owned()
            + &saved_hint(".git/COMMIT_EDITMSG")
    );
    assert!(!err.contains("--amend"), "{err}");
    assert_eq!(c.rev("HEAD"), head, "nothing committed");
    // Following the fix commits the staged change, declared.
    let out = support::hooks::output(
        support::hooks::git_cmd(&c.path())
            .env("GIT_EDITOR", "true")
            .args([
                "commit",
                "-q",
                "-e",
                "-F",
                ".git/COMMIT_EDITMSG",
                "--trailer",
                "AI-Assisted-by: claude:claude-sonnet-4",
            ]),
    );
    assert_code(&out, 0);
    assert_eq!(c.rev("HEAD~1"), head);
}

#[test]
fn first_commit_without_head() {
    let c = Clone::bare_start();
    c.install();
    c.write("crypto/aes.c", "aes\n");
    c.write("docs/index.md", "docs\n");
    c.git(&["add", "-A"]);
    let out = c.try_git(&["commit", "-m", &declared("Initial import")]);
    // The policy file itself is in the strictest tier too.
    assert_rejected(&out, "(new)", &["crypto/aes.c", "policy.yaml"]);
    let out = c.try_git(&["commit", "-q", "-m", "Initial import"]);
    assert_code(&out, 0);
}

#[test]
fn commit_all_reads_index_lock() {
    let c = Clone::new();
    // Nothing staged in .git/index; -a stages crypto/aes.c in index.lock.
    c.write("crypto/aes.c", "changed\n");
    let out = c.try_git(&["commit", "-a", "-m", &declared("crypto: change")]);
    assert_rejected(&out, "(new)", &["crypto/aes.c"]);
    // And the other way round: crypto staged in the index would be
    // committed by -a along with docs.
    c.write("docs/index.md", "more docs\n");
    let out = c.try_git(&["commit", "-a", "-m", &declared("docs: more")]);
    assert_code(&out, 1);
}

#[test]
fn partial_commit_reads_the_temporary_index() {
    let c = Clone::new();
    // crypto staged in the real index, but `git commit docs/index.md`
    // commits only docs.
    c.write("crypto/aes.c", "changed\n");
    c.git(&["add", "crypto/aes.c"]);
    c.write("docs/index.md", "more docs\n");
    let out = c.try_git(&[
        "commit",
        "-q",
        "-m",
        &declared("docs: more"),
        "docs/index.md",
    ]);
    assert_code(&out, 0);
    // Only docs/index.md went in.
    assert_eq!(
        c.git(&["diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD"]),
        "docs/index.md\n"
    );
    // The converse: only docs staged, but the partial commit takes crypto.
    c.git(&["reset", "-q"]);
    c.write("docs/index.md", "even more docs\n");
    c.git(&["add", "docs/index.md"]);
    let out = c.try_git(&["commit", "-m", &declared("crypto: x"), "crypto/aes.c"]);
    assert_rejected(&out, "(new)", &["crypto/aes.c"]);
}

#[test]
fn amend_judges_the_whole_amended_commit() {
    let c = Clone::new();
    c.write("crypto/aes.c", "by hand\n");
    c.git(&["add", "-A"]);
    c.git(&["commit", "-q", "-m", "crypto: by hand"]);
    // Amending only the message: the index equals HEAD, but the commit
    // being made changes crypto/aes.c against HEAD's parent.
    let out = c.try_git(&["commit", "--amend", "-m", &declared("crypto: by hand")]);
    assert_rejected(&out, "(amend)", &["crypto/aes.c"]);
    // An amend that adds docs to a docs-only commit passes.
    c.write("docs/x.md", "x\n");
    c.git(&["add", "-A"]);
    c.git(&["commit", "-q", "-m", "docs: x"]);
    c.write("docs/y.md", "y\n");
    c.git(&["add", "-A"]);
    let out = c.try_git(&["commit", "-q", "--amend", "-m", &declared("docs: x and y")]);
    assert_code(&out, 0);
    // `-m --amend` is a message, not an amend: vs HEAD nothing changes.
    c.write("docs/z.md", "z\n");
    c.git(&["add", "-A"]);
    let out = c.try_git(&["commit", "-q", "-m", "--amend", "-m", DECLARED]);
    assert_code(&out, 0);
}

#[test]
fn amend_of_the_root_commit() {
    let c = Clone::new();
    let out = c.try_git(&["commit", "--amend", "-m", &declared("Initial commit")]);
    assert_rejected(&out, "(amend)", &["crypto/aes.c", "policy.yaml"]);
}

#[test]
fn merge_is_judged_on_what_it_introduces() {
    let c = Clone::new();
    c.git(&["checkout", "-q", "-b", "side"]);
    c.commit_no_verify(&[("crypto/aes.c", "side\n")], "crypto: side");
    c.git(&["checkout", "-q", "main"]);
    c.commit_no_verify(&[("docs/index.md", "main\n")], "docs: main");
    // A clean merge introduces nothing of its own: the crypto change came
    // from side, so a declared merge commit is fine (`git merge` runs
    // commit-msg with MERGE_HEAD).
    let out = c.try_git(&[
        "merge",
        "--no-ff",
        "-q",
        "-m",
        &declared("Merge side"),
        "side",
    ]);
    assert_code(&out, 0);
    assert_eq!(c.git(&["rev-list", "--count", "--merges", "HEAD"]), "1\n");

    // A conflict resolved with new code in crypto: the merge introduces it.
    c.git(&["checkout", "-q", "-b", "other", "HEAD~1"]);
    c.commit_no_verify(&[("crypto/aes.c", "other\n")], "crypto: other");
    c.git(&["checkout", "-q", "main"]);
    let out = c.try_git(&["merge", "-q", "other"]);
    assert!(!out.status.success(), "conflict expected");
    c.write("crypto/aes.c", "resolved by an AI\n");
    c.git(&["add", "crypto/aes.c"]);
    let out = c.try_git(&["commit", "-m", &declared("Merge other")]);
    assert_rejected(&out, "(merge)", &["crypto/aes.c"]);
    assert!(
        c.path().join(".git/MERGE_HEAD").exists(),
        "merge still in progress"
    );
    let out = c.try_git(&["commit", "-q", "-m", "Merge other"]);
    assert_code(&out, 0);
}

#[test]
fn merge_rejected_by_git_merge_points_at_merge_msg() {
    let c = Clone::new();
    c.git(&["checkout", "-q", "-b", "side"]);
    c.commit_no_verify(&[("docs/side.md", "side\n")], "docs: side");
    c.git(&["checkout", "-q", "main"]);
    c.commit_no_verify(&[("docs/main.md", "main\n")], "docs: main");
    // An undeclared message with an AI marker: a message rule, no paths.
    let msg = "Merge side\n\nCo-authored-by: Claude <noreply@anthropic.com>\n";
    let out = c.try_git(&["merge", "--no-ff", "-m", msg, "side"]);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("error[undeclared-ai]"), "{err}");
    assert!(
        err.contains("run `git commit` to edit the message and conclude the merge"),
        "{err}"
    );
}

/// An editor that puts `message` above what git wrote in the buffer.
fn editor_prepending(c: &Clone, message: &str) -> String {
    let msg_file = c.tmp.path().join("editor-message");
    std::fs::write(&msg_file, message).expect("write");
    let script = c.tmp.path().join("editor.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncat '{}' \"$1\" > \"$1.new\" && mv \"$1.new\" \"$1\"\n",
            msg_file.display()
        ),
    )
    .expect("write");
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    script.display().to_string()
}

#[test]
fn verbose_commit_is_cut_at_the_scissors_line() {
    let c = Clone::new();
    // The diff below the scissors line holds an AI marker; git does not
    // store it, so the commit is not marked.
    c.write("docs/notes.md", "Generated with Claude Code\n");
    c.git(&["add", "-A"]);
    let editor = editor_prepending(&c, "docs: notes\n");
    let out = support::hooks::output(
        support::hooks::git_cmd(&c.path())
            .env("GIT_EDITOR", &editor)
            .args(["commit", "-q", "-v"]),
    );
    assert_code(&out, 0);
    assert_eq!(c.git(&["log", "-1", "--format=%B"]), "docs: notes\n\n");
    // Above the scissors line it counts.
    c.write("docs/notes.md", "more\n");
    c.git(&["add", "-A"]);
    let editor = editor_prepending(&c, "docs: more\n\nGenerated with Claude Code\n");
    let out = support::hooks::output(
        support::hooks::git_cmd(&c.path())
            .env("GIT_EDITOR", &editor)
            .args(["commit", "-v"]),
    );
    assert_code(&out, 1);
    assert!(
        stderr(&out).contains("error[undeclared-ai]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn comment_char_from_config_and_command_line() {
    let c = Clone::new();
    c.git(&["config", "core.commentChar", ";"]);
    // The buffer's instructions start with ';'. Were they kept, they would
    // be the last paragraph and the declaration would not be a trailer.
    c.write("docs/a.md", "a\n");
    c.git(&["add", "-A"]);
    let editor = editor_prepending(&c, &format!("docs: a\n\n#1 is fixed\n\n{DECLARED}\n"));
    let out = support::hooks::output(
        support::hooks::git_cmd(&c.path())
            .env("GIT_EDITOR", &editor)
            .args(["commit", "-q"]),
    );
    assert_code(&out, 0);
    let stored = c.git(&["log", "-1", "--format=%B"]);
    assert!(stored.contains("#1 is fixed"), "{stored}");
    assert!(!stored.contains("; Please"), "{stored}");
    // The same declaration touching crypto is seen, hence rejected.
    c.write("crypto/aes.c", "ai\n");
    c.git(&["add", "-A"]);
    let editor = editor_prepending(&c, &declared("crypto: ai"));
    let out = support::hooks::output(
        support::hooks::git_cmd(&c.path())
            .env("GIT_EDITOR", &editor)
            .args(["commit"]),
    );
    assert_rejected(&out, "(new)", &["crypto/aes.c"]);
    // `git -c core.commentChar=@` reaches the hook through
    // GIT_CONFIG_PARAMETERS.
    c.git(&["config", "--unset", "core.commentChar"]);
    let out = support::hooks::output(
        support::hooks::git_cmd(&c.path())
            .env("GIT_EDITOR", &editor)
            .args(["-c", "core.commentChar=@", "commit"]),
    );
    assert_rejected(&out, "(new)", &["crypto/aes.c"]);
}

#[test]
fn relative_index_file_from_a_subdirectory() {
    let c = Clone::new();
    // A private index with a relative name, which git takes from the top
    // of the working tree, run from a subdirectory.
    let sub = c.path().join("docs");
    let run = |args: &[&str]| {
        support::hooks::output(
            support::hooks::git_cmd(&sub)
                .env("GIT_INDEX_FILE", ".git/private-index")
                .args(args),
        )
    };
    assert_code(&run(&["read-tree", "HEAD"]), 0);
    c.write("crypto/aes.c", "ai\n");
    assert_code(&run(&["add", "../crypto/aes.c"]), 0);
    let out = run(&["commit", "-m", &declared("crypto: ai")]);
    assert_rejected(&out, "(new)", &["crypto/aes.c"]);
    // The default index has nothing staged: a plain commit would be empty.
    let out = c.try_git(&["commit", "-m", &declared("crypto: ai")]);
    assert!(!out.status.success());
    assert!(
        !stderr(&out).contains("ai-forbidden-tier"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn linked_worktree() {
    let c = Clone::new();
    let wt = c.tmp.path().join("wt");
    c.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "wt",
        wt.to_str().expect("utf-8"),
    ]);
    std::fs::write(wt.join("crypto/aes.c"), "ai\n").expect("write");
    git(&wt, &["add", "-A"]);
    let out = support::hooks::output(support::hooks::git_cmd(&wt).args([
        "commit",
        "-m",
        &declared("crypto: ai"),
    ]));
    assert_rejected(&out, "(new)", &["crypto/aes.c"]);
    // The message is in the worktree's own git dir.
    let err = stderr(&out);
    assert!(err.contains(".git/worktrees/wt/COMMIT_EDITMSG`"), "{err}");
    git(&wt, &["reset", "-q", "--hard"]);
    std::fs::write(wt.join("docs/wt.md"), "wt\n").expect("write");
    git(&wt, &["add", "-A"]);
    let out = support::hooks::output(support::hooks::git_cmd(&wt).args([
        "commit",
        "-q",
        "-m",
        &declared("docs: wt"),
    ]));
    assert_code(&out, 0);
}

#[test]
fn core_hooks_path_is_where_hooks_go() {
    let c = Clone::new();
    // Uninstall from .git/hooks, point core.hooksPath elsewhere, install.
    let out = support::hooks::install_sh(&c.path(), &["--uninstall"]);
    assert_code(&out, 0);
    c.git(&["config", "core.hooksPath", "githooks"]);
    c.install();
    assert!(c.path().join("githooks/commit-msg").exists());
    assert!(!c.path().join(".git/hooks/commit-msg").exists());
    c.write("crypto/aes.c", "ai\n");
    c.git(&["add", "crypto/aes.c"]);
    let out = c.try_git(&["commit", "-m", &declared("crypto: ai")]);
    assert_rejected(&out, "(new)", &["crypto/aes.c"]);
}

#[test]
fn chained_hook_runs_first_and_its_failure_fails_the_commit() {
    let c = Clone::bare_start();
    c.write("README", "x\n");
    c.git(&["add", "-A"]);
    c.git(&["commit", "-q", "-m", "Initial commit"]);
    // A Gerrit-style hook that adds a trailer; it must run before tiergate,
    // which then judges the message with the trailer.
    let hook = c.path().join(".git/hooks/commit-msg");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'chained hook ran' >&2\ngit interpret-trailers --in-place --trailer 'Co-authored-by: Claude <noreply@anthropic.com>' \"$1\"\n",
    )
    .expect("write");
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    c.install();
    assert!(c
        .path()
        .join(".git/hooks/commit-msg.tiergate-chained")
        .exists());
    c.write("docs/a.md", "a\n");
    c.git(&["add", "-A"]);
    let out = c.try_git(&["commit", "-m", "docs: a"]);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(err.starts_with("chained hook ran\n"), "{err}");
    assert!(err.contains("error[undeclared-ai]"), "{err}");
    // A failing chained hook fails the commit, with its own message.
    std::fs::write(
        c.path().join(".git/hooks/commit-msg.tiergate-chained"),
        "#!/bin/sh\necho 'no way' >&2\nexit 7\n",
    )
    .expect("write");
    let out = c.try_git(&["commit", "-m", "docs: a"]);
    assert!(!out.status.success());
    assert_eq!(stderr(&out), "no way\n");
}

#[test]
fn git_am_runs_applypatch_msg_with_the_patch_paths() {
    let c = Clone::new();
    // Make two patches on a branch, then apply them on main with git am.
    c.git(&["checkout", "-q", "-b", "patches"]);
    c.commit_no_verify(&[("docs/am.md", "am\n")], &declared("docs: am"));
    c.commit_no_verify(&[("crypto/aes.c", "am\n")], &declared("crypto: am"));
    let dir = c.tmp.path().join("patches");
    c.git(&[
        "format-patch",
        "-q",
        "-o",
        dir.to_str().expect("utf-8"),
        "main..patches",
    ]);
    c.git(&["checkout", "-q", "main"]);
    let mut patches: Vec<_> = std::fs::read_dir(&dir)
        .expect("patches")
        .map(|e| e.expect("entry").path())
        .collect();
    patches.sort();
    let out = c.try_git(&["am", patches[0].to_str().expect("utf-8")]);
    assert_code(&out, 0);
    let out = c.try_git(&["am", patches[1].to_str().expect("utf-8")]);
    assert!(!out.status.success());
    assert_eq!(
        without_work_tree(&c, &stderr(&out)),
        format!(
            "error[ai-forbidden-tier]: commit (patch) \"crypto: am\"\n{}\n\
             tiergate: patch rejected: 1 violation (policy [WORK]/policy.yaml)\n\
             Hint: Fix the patch's message (or ask its author to) and apply it again \
             (`git am --abort`, then `git am`), or skip this patch with `git am --skip`.\n",
            forbidden_body(&["crypto/aes.c"])
        )
    );
    assert_eq!(c.git(&["log", "-1", "--format=%s"]), "docs: am\n");
}

#[test]
fn warn_mode_reports_but_commits() {
    let c = Clone::new();
    c.write(
        "policy.yaml",
        &format!("mode: warn\n{}", support::hooks::POLICY),
    );
    c.write("crypto/aes.c", "ai\n");
    c.git(&["add", "crypto/aes.c"]);
    let out = c.try_git(&["commit", "-q", "-m", &declared("crypto: ai")]);
    assert_code(&out, 0);
    assert_eq!(
        stderr(&out),
        "warning[ai-forbidden-tier]: commit (new) \"crypto: ai\"\n  \
         AI-assisted commit touches tier 'critical' (ai: forbidden): 1 path\n    \
         crypto/aes.c\n  \
         fix: Leave the changes to 'critical' out of this commit (`git restore --staged -- crypto/aes.c`, \
         then `git commit -e -F .git/COMMIT_EDITMSG`) and write them without AI assistance in a commit \
         of their own, or ask its maintainers.\n\n\
         tiergate: 1 violation (mode: warn, not rejecting)\n"
    );
}

#[test]
fn broken_policy_is_exit_2_with_the_diagnostic() {
    let c = Clone::new();
    c.write("policy.yaml", "version: 1\ntiers: 3\n");
    c.write("docs/a.md", "a\n");
    c.git(&["add", "docs/a.md"]);
    let out = c.try_git(&["commit", "-m", "docs: a"]);
    // git reports any hook failure as a failed commit; run the hook binary
    // directly to see its exit code.
    assert!(!out.status.success());
    assert!(stderr(&out).contains("policy.yaml"), "{}", stderr(&out));
    std::fs::write(c.path().join("msg"), "docs: a\n").expect("write");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tiergate-commit-msg"));
    support::hooks::hermetic(&mut cmd);
    let out = support::hooks::output(cmd.current_dir(c.path()).arg("msg"));
    assert_code(&out, 2);
    // Outside a repository: exit 3.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    std::fs::write(elsewhere.path().join("msg"), "x\n").expect("write");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tiergate-commit-msg"));
    support::hooks::hermetic(&mut cmd).env("GIT_CEILING_DIRECTORIES", elsewhere.path());
    let out = support::hooks::output(cmd.current_dir(elsewhere.path()).arg("msg"));
    assert_code(&out, 3);
    assert!(stderr(&out).starts_with("Error: "), "{}", stderr(&out));
    // Wrong arguments: exit 2.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tiergate-commit-msg"));
    support::hooks::hermetic(&mut cmd);
    let out = support::hooks::output(cmd.current_dir(c.path()));
    assert_code(&out, 2);
}

/// `git diff --cached --name-only --no-renames` against HEAD (or the empty
/// tree on an unborn branch) for the index `index`, sorted.
fn git_diff_cached(dir: &std::path::Path, index: &std::path::Path) -> Vec<Vec<u8>> {
    let out = support::hooks::output(
        support::hooks::git_cmd(dir)
            .env("GIT_INDEX_FILE", index)
            .args(["diff", "--cached", "--name-only", "--no-renames", "-z"]),
    );
    assert_code(&out, 0);
    let mut paths: Vec<Vec<u8>> = out
        .stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    paths.sort();
    paths
}

/// The paths the hook judges, as the repository layer computes them
/// against HEAD (none on an unborn branch).
fn staged(dir: &std::path::Path, index: &std::path::Path) -> Vec<Vec<u8>> {
    let repo = tiergate_core::repo::Repo::open(Some(dir)).expect("open");
    repo.staged_paths(index, false).expect("staged paths").0
}

#[track_caller]
fn assert_staged_like_git(dir: &std::path::Path, index: &std::path::Path, what: &str) {
    let show = |paths: &[Vec<u8>]| -> Vec<String> {
        paths
            .iter()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect()
    };
    let expected = git_diff_cached(dir, index);
    assert!(!expected.is_empty(), "{what}: nothing staged, a weak test");
    assert_eq!(
        show(&staged(dir, index)),
        show(&expected),
        "{what}: staged paths differ from git diff --cached"
    );
}

/// Differential: the staged paths the commit-msg hook judges (read from
/// the index file and merged with HEAD's tree, skipping directories the
/// cache tree shows unchanged) are exactly what `git diff --cached
/// --name-only --no-renames` lists: adds, deletes, modifications, mode
/// changes, a file replaced by a directory and the converse, intent-to-add
/// entries (which git leaves out), a symlink, a submodule (gitlink), with
/// the cache tree invalid, partly valid and fully valid, index versions 2
/// to 4, the temporary index of `git commit <path>` and the `index.lock`
/// of `git commit -a`.
#[test]
fn staged_paths_are_git_diff_cached() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let index = dir.join(".git/index");
    let write = |rel: &str, content: &str| {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    };
    git(dir, &["init", "-q", "-b", "main"]);
    for (rel, content) in [
        ("a.c", "a\n"),
        ("b.c", "b\n"),
        ("exec.sh", "#!/bin/sh\n"),
        ("f2d", "a file, then a directory\n"),
        ("d2f/x", "x\n"),
        ("d2f/y", "y\n"),
        ("deep/a/b/c/d.c", "d\n"),
        ("deep/a/b/same.c", "same\n"),
        ("foo-bar", "sorts before foo/\n"),
        ("foo/inner.c", "i\n"),
        ("foo0", "sorts after foo/\n"),
    ] {
        write(rel, content);
    }
    for i in 0..30 {
        write(&format!("same/d{i}/f.c"), &format!("{i}\n"));
    }
    std::os::unix::fs::symlink("a.c", dir.join("link")).expect("symlink");
    git(dir, &["add", "-A"]);
    // The first commit: everything staged against the empty tree.
    assert_staged_like_git(dir, &index, "unborn branch");
    git(dir, &["commit", "-q", "-m", "base"]);
    let base = git(dir, &["rev-parse", "HEAD"]);
    let base = base.trim();
    git(
        dir,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{base},sub"),
        ],
    );
    git(dir, &["commit", "-q", "-m", "submodule"]);
    let second = git(dir, &["rev-parse", "HEAD"]);

    write("a.c", "modified\n");
    std::fs::remove_file(dir.join("b.c")).expect("rm");
    std::fs::remove_file(dir.join("f2d")).expect("rm");
    write("f2d/inner", "now a directory\n");
    std::fs::remove_dir_all(dir.join("d2f")).expect("rm");
    write("d2f", "now a file\n");
    write("deep/a/b/c/d.c", "deeper change\n");
    write("new/dir/n.c", "added\n");
    write("foo/inner.c", "changed\n");
    std::fs::remove_file(dir.join("link")).expect("rm");
    std::os::unix::fs::symlink("b.c", dir.join("link")).expect("symlink");
    // The submodule is not checked out: `add -A` would stage its removal.
    git(dir, &["add", "-A", "--", ".", ":(exclude)sub"]);
    git(dir, &["update-index", "--chmod=+x", "exec.sh"]);
    write("ita.c", "intent to add\n");
    write("same/d3/ita.c", "intent to add in an unchanged directory\n");
    write("itadir/only.c", "intent to add in a new directory\n");
    git(
        dir,
        &["add", "-N", "ita.c", "same/d3/ita.c", "itadir/only.c"],
    );
    git(
        dir,
        &[
            "update-index",
            "--cacheinfo",
            &format!("160000,{},sub", second.trim()),
        ],
    );
    assert_staged_like_git(dir, &index, "cache tree invalidated by the changes");
    // `git write-tree` makes every directory of the cache tree valid.
    git(dir, &["write-tree"]);
    assert_staged_like_git(dir, &index, "cache tree valid");
    for version in ["4", "3", "2"] {
        git(dir, &["update-index", "--index-version", version]);
        assert_staged_like_git(dir, &index, &format!("index version {version}"));
    }

    // What git hands the commit-msg hook: the temporary index of a partial
    // commit, and index.lock for `git commit -a`. The hook saves a copy of
    // it and git's own answer, then refuses, so HEAD stays.
    let saved = tempfile::tempdir().expect("tempdir");
    let hook = dir.join(".git/hooks/commit-msg");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\ncp \"$GIT_INDEX_FILE\" '{0}/index'\nexit 1\n",
            saved.path().display()
        ),
    )
    .expect("write hook");
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    write("same/d7/f.c", "partial\n");
    write("deep/a/b/same.c", "also changed, committed with -a only\n");
    let copy = saved.path().join("index");
    for (what, args) in [
        (
            "partial commit",
            &["commit", "-q", "-m", "partial", "same/d7/f.c", "a.c"][..],
        ),
        ("commit -a", &["commit", "-q", "-a", "-m", "all"][..]),
    ] {
        let out = support::hooks::output(support::hooks::git_cmd(dir).args(args));
        assert!(!out.status.success(), "{what}: the hook refuses");
        assert_staged_like_git(dir, &copy, what);
    }
}

/// A policy whose patterns are valid one by one but do not build into a
/// matcher: the hook compiles the globs only for a verdict that needs
/// paths, and then refuses with the diagnostic `tiergate policy validate`
/// gives (exit 2). A message-only verdict does not read the globs.
#[test]
fn globs_are_compiled_only_for_verdicts_that_need_paths() {
    let c = Clone::new();
    let stars = "*".repeat(100_000);
    c.write(
        "policy.yaml",
        &format!(
            "version: 1\ntiers:\n  - name: a\n    paths: [ \"{stars}\" ]\n    ai: forbidden\n  - name: b\n    paths: [ docs/ ]\n"
        ),
    );
    c.write("docs/a.md", "a\n");
    c.git(&["add", "docs/a.md"]);
    let run = |message: &str| {
        std::fs::write(c.path().join("msg"), message).expect("write");
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tiergate-commit-msg"));
        support::hooks::hermetic(&mut cmd);
        support::hooks::output(cmd.current_dir(c.path()).arg("msg"))
    };
    let out = run(&declared("docs: a"));
    assert_code(&out, 2);
    let err = stderr(&out);
    let expected = format!(
        "error: path pattern in `paths` of tier `a` is too complex\n --> {}:4:14\n",
        c.path().join("policy.yaml").display()
    );
    assert!(
        err.starts_with(&expected),
        "{}",
        &err[..err.len().min(2000)]
    );
    let out = run("docs: a\n\nWritten by hand.\n");
    assert_code(&out, 0);
    assert_eq!(stderr(&out), "");
}

/// The commands of the `fix:` line of `rule` in a hook's stderr (the
/// backticked parts), in order.
#[track_caller]
fn fix_commands(err: &str, rule: &str) -> Vec<String> {
    let block = err
        .split(&format!("error[{rule}]"))
        .nth(1)
        .unwrap_or_else(|| panic!("no {rule} in {err}"));
    let fix = block
        .lines()
        .find_map(|l| l.strip_prefix("  fix: "))
        .unwrap_or_else(|| panic!("no fix line in {err}"));
    fix.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The command of the `Hint:` line (its last backticked part).
#[track_caller]
fn hint_command(err: &str) -> String {
    // The last hint: commit-msg's (prepare-commit-msg, which runs first,
    // may have printed its own suggestion above).
    let hint = err
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("Hint: "))
        .unwrap_or_else(|| panic!("no hint in {err}"));
    hint.split('`')
        .skip(1)
        .step_by(2)
        .last()
        .unwrap_or_else(|| panic!("no command in {hint}"))
        .to_owned()
}

/// Run `command` as printed, through `sh -c` in the work tree (as a user
/// pastes it), with an editor that keeps the buffer as it is.
fn run_printed(c: &Clone, command: &str) -> std::process::Output {
    let mut cmd = std::process::Command::new("sh");
    support::hooks::hermetic(&mut cmd);
    support::hooks::output(
        cmd.current_dir(c.path())
            .env("GIT_EDITOR", "true")
            .args(["-c", command]),
    )
}

/// Check that the fix of `rule` in `err` prints exactly `expected`, then
/// run each command as printed; every one must succeed.
#[track_caller]
fn follow_fix(c: &Clone, err: &str, rule: &str, expected: &[&str]) {
    let commands = fix_commands(err, rule);
    assert_eq!(commands, expected, "{err}");
    for command in &commands {
        let out = run_printed(c, command);
        assert_code(&out, 0);
    }
}

const MARKED: &str = "Co-authored-by: Claude <noreply@anthropic.com>";

#[test]
fn fix_after_a_refused_verbose_commit_cuts_the_diff_off() {
    let c = Clone::new();
    let head = c.rev("HEAD");
    c.write("docs/notes.md", "notes\n");
    c.git(&["add", "-A"]);
    let editor = editor_prepending(&c, &format!("docs: notes\n\n{MARKED}\n"));
    let out = support::hooks::output(
        support::hooks::git_cmd(&c.path())
            .env("GIT_EDITOR", &editor)
            .args(["commit", "-v"]),
    );
    assert_code(&out, 1);
    let err = stderr(&out);
    // The saved message holds the diff below the scissors line; only `-v`
    // makes git cut it off again (and strip the `#` lines above it).
    let saved = std::fs::read_to_string(c.path().join(".git/COMMIT_EDITMSG")).expect("saved");
    assert!(saved.contains("diff --git a/docs/notes.md"), "{saved}");
    assert_eq!(
        hint_command(&err),
        "git commit -v -e -F .git/COMMIT_EDITMSG",
        "{err}"
    );
    // The hint's command, run unchanged, meets the same refusal (and
    // nothing of the diff reaches the judged message).
    let again = run_printed(&c, &hint_command(&err));
    assert_code(&again, 1);
    assert_eq!(
        fix_commands(&stderr(&again), "undeclared-ai"),
        fix_commands(&err, "undeclared-ai")
    );
    // The fix's command, run unchanged, commits the message without the
    // diff, declared.
    follow_fix(
        &c,
        &err,
        "undeclared-ai",
        &["git commit -v -e -F .git/COMMIT_EDITMSG --trailer 'AI-Assisted-by: <agent>:<model>'"],
    );
    assert_eq!(c.rev("HEAD~1"), head);
    assert_eq!(
        c.git(&["log", "-1", "--format=%B"]),
        format!("docs: notes\n\n{MARKED}\nAI-Assisted-by: <agent>:<model>\n\n")
    );
}

#[test]
fn fix_after_a_refused_amend_amends() {
    let c = Clone::new();
    c.commit_no_verify(&[("docs/a.md", "a\n")], "docs: a");
    let parent = c.rev("HEAD~1");
    let out = c.try_git(&["commit", "--amend", "-m", &format!("docs: a\n\n{MARKED}\n")]);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("error[undeclared-ai]: commit (amend) \"docs: a\""),
        "{err}"
    );
    assert_eq!(
        hint_command(&err),
        "git commit --amend -e -F .git/COMMIT_EDITMSG",
        "{err}"
    );
    follow_fix(
        &c,
        &err,
        "undeclared-ai",
        &["git commit --amend -e -F .git/COMMIT_EDITMSG --trailer 'AI-Assisted-by: <agent>:<model>'"],
    );
    // Amended: the commit replaced HEAD rather than going on top of it.
    assert_eq!(c.rev("HEAD~1"), parent);
    assert_eq!(
        c.git(&["log", "-1", "--format=%B"]),
        format!("docs: a\n\n{MARKED}\nAI-Assisted-by: <agent>:<model>\n\n")
    );
}

#[test]
fn fix_of_a_merge_refused_by_git_merge_concludes_it() {
    let c = Clone::new();
    c.git(&["checkout", "-q", "-b", "side"]);
    c.commit_no_verify(&[("docs/side.md", "side\n")], "docs: side");
    c.git(&["checkout", "-q", "main"]);
    c.commit_no_verify(&[("docs/main.md", "main\n")], "docs: main");
    let out = c.try_git(&[
        "merge",
        "--no-ff",
        "-m",
        &format!("Merge side\n\n{MARKED}\n"),
        "side",
    ]);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("error[undeclared-ai]: commit (merge) \"Merge side\""),
        "{err}"
    );
    follow_fix(
        &c,
        &err,
        "undeclared-ai",
        &["git commit -e -F .git/MERGE_MSG --trailer 'AI-Assisted-by: <agent>:<model>'"],
    );
    assert_eq!(
        c.git(&["rev-list", "--count", "--merges", "HEAD~1..HEAD"]),
        "1\n"
    );
    assert!(
        !c.path().join(".git/MERGE_HEAD").exists(),
        "merge concluded"
    );
}

#[test]
fn split_fix_of_a_new_commit_leaves_the_forbidden_paths_out() {
    let c = Clone::new();
    c.write("crypto/aes.c", "faster aes\n");
    c.write("docs/aes.md", "doc\n");
    c.git(&["add", "-A"]);
    let out = c.try_git(&["commit", "-m", &declared("crypto: speed up AES")]);
    assert_rejected(&out, "(new)", &["crypto/aes.c"]);
    follow_fix(
        &c,
        &stderr(&out),
        "ai-forbidden-tier",
        &[
            "git restore --staged -- crypto/aes.c",
            "git commit -e -F .git/COMMIT_EDITMSG",
        ],
    );
    assert_eq!(
        c.git(&["show", "--format=", "--name-only", "HEAD"]),
        "docs/aes.md\n"
    );
    // The forbidden change is still in the work tree, not committed.
    assert_eq!(c.git(&["status", "--porcelain"]), " M crypto/aes.c\n");
}

#[test]
fn split_fix_of_an_amend_leaves_the_forbidden_paths_out_of_the_amended_commit() {
    let c = Clone::new();
    let parent = c.commit_no_verify(&[("docs/a.md", "a\n")], "docs: a");
    c.commit_no_verify(
        &[("crypto/aes.c", "by hand\n"), ("docs/b.md", "b\n")],
        "docs: b",
    );
    let out = c.try_git(&["commit", "--amend", "-m", &declared("docs: b")]);
    assert_rejected(&out, "(amend)", &["crypto/aes.c"]);
    follow_fix(
        &c,
        &stderr(&out),
        "ai-forbidden-tier",
        &[
            "git restore --staged --source=HEAD~ -- crypto/aes.c",
            "git commit --amend -e -F .git/COMMIT_EDITMSG",
        ],
    );
    assert_eq!(c.rev("HEAD~1"), parent);
    assert_eq!(
        c.git(&["show", "--format=", "--name-only", "HEAD"]),
        "docs/b.md\n"
    );
}
