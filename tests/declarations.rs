//! End-to-end: declarations as projects write them (issue 14), with real
//! git: a value pattern per declaration key and its rewrite hint, `any_of`
//! requirements, forbidden trailers and per-tier `mode: warn` through the
//! commit-msg hook; `refs:` scopes through pre-push, including a commit
//! pushed to a warned `wip/` branch and later to `main` (the server side
//! is in `declarations_server.rs`).

mod support;

use support::hooks::{assert_code, stderr, Clone};

/// The hooks' policy with extra top-level text and the `core` tier's
/// extra keys.
fn policy(top: &str, core: &str) -> String {
    format!(
        "version: 1\n{top}tiers:\n  - name: critical\n    paths: [ \"crypto/\" ]\n    ai: forbidden\n  - name: legacy\n    paths: [ \"legacy/\" ]\n    ai: forbidden\n    mode: warn\n  - name: core\n    paths: [ \"src/\" ]\n    ai: allowed\n{core}  - name: open\n    paths: [ \"docs/\" ]\n    ai: allowed\ndefault_tier: core\n"
    )
}

/// A clone whose policy is `text` (committed without the hooks).
fn clone_with(text: &str) -> Clone {
    let c = Clone::new();
    c.commit_no_verify(&[("policy.yaml", text)], "policy");
    c
}

/// `git commit` of `files` with `message`, through the hooks.
fn commit(c: &Clone, files: &[(&str, &str)], message: &str) -> std::process::Output {
    for (rel, content) in files {
        c.write(rel, content);
    }
    c.git(&["add", "-A"]);
    c.try_git(&["commit", "-q", "-m", message])
}

const KERNEL: &str = "declaration:\n  value:\n    Assisted-by: kernel\n    AI-Assisted-by: kernel\n    AI-used-for: free-text\n";
const FREE: &str = "declaration:\n  value: free-text\n";

#[test]
fn claude_opus_is_free_text_for_one_policy_and_rewritten_by_a_kernel_style_one() {
    let msg = "docs: a\n\nAssisted-by: Claude Opus 4.6\n";
    // git's mailing list writes it so: a free-text policy accepts it.
    let c = clone_with(&policy(FREE, ""));
    let out = commit(&c, &[("docs/a.md", "a\n")], msg);
    assert_code(&out, 0);
    assert_eq!(stderr(&out), "");
    // A kernel-style policy refuses it and shows the value rewritten.
    let c = clone_with(&policy(KERNEL, ""));
    let head = c.rev("HEAD");
    let out = commit(&c, &[("docs/a.md", "a\n")], msg);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "error[malformed-declaration]: commit (new) \"docs: a\"\n  declaration 'Assisted-by: Claude Opus 4.6' is not in the kernel's form AGENT:MODEL [tools]\n  at line 3 of the message\n  fix: Rewrite it as 'Assisted-by: Claude:opus-4.6' (AGENT:MODEL, then any tools).\n"
        ),
        "{err}"
    );
    assert_eq!(c.rev("HEAD"), head);
    // Followed literally, the fix is accepted; so is the kernel's own
    // example with a space in the agent name, and QEMU's free text under
    // `AI-used-for:`.
    for ok in [
        "docs: a\n\nAssisted-by: Claude:opus-4.6\n",
        "docs: b\n\nAssisted-by: GitHub Copilot:claude-sonnet-4.6\n",
        "docs: c\n\nAI-used-for: writing the test skeleton\n",
    ] {
        let out = commit(&c, &[("docs/a.md", ok)], ok);
        assert_code(&out, 0);
        assert_eq!(stderr(&out), "", "{ok}");
    }
}

#[test]
fn any_of_requirement_accepts_either_key() {
    let core = "    require: [ { any_of: [ Reviewed-by, Acked-by ] } ]\n";
    let c = clone_with(&policy("", core));
    let out = commit(
        &c,
        &[("src/a.c", "a\n")],
        "src: a\n\nAI-Assisted-by: claude:opus-4\n",
    );
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("error[missing-required-trailer]: commit (new) \"src: a\"\n  AI-assisted commit touches tier 'core' but lacks one of `Reviewed-by:` or `Acked-by:`\n    src/a.c\n"),
        "{err}"
    );
    for key in ["Acked-by", "Reviewed-by"] {
        let msg =
            format!("src: a\n\nAI-Assisted-by: claude:opus-4\n{key}: Maint <m@example.com>\n");
        let out = commit(&c, &[("src/a.c", key)], &msg);
        assert_code(&out, 0);
        assert_eq!(stderr(&out), "");
    }
}

#[test]
fn forbidden_trailers_policy_wide_and_per_tier() {
    let c = clone_with(&policy(
        "forbidden_trailers: [ Change-Id ]\n",
        "    forbidden_trailers: [ Generated-with ]\n",
    ));
    // Policy-wide: a human commit is refused too.
    let out = commit(&c, &[("docs/a.md", "a\n")], "docs: a\n\nChange-Id: I0123\n");
    assert_code(&out, 1);
    assert!(
        stderr(&out).starts_with("error[forbidden-trailer]: commit (new) \"docs: a\"\n  trailer 'Change-Id:' is forbidden by the policy\n  at line 3 of the message\n  fix: Remove the 'Change-Id:' trailer (`git commit --amend` and delete its line).\n"),
        "{}",
        stderr(&out)
    );
    // Per tier: only where the commit touches the tier.
    let msg = "x: y\n\nGenerated-with: a script\n";
    let out = commit(&c, &[("docs/b.md", "b\n")], msg);
    assert_code(&out, 0);
    let out = commit(&c, &[("src/b.c", "b\n")], msg);
    assert_code(&out, 1);
    assert!(
        stderr(&out).contains("  trailer 'Generated-with:' is forbidden in tier 'core', which the commit touches: 1 path\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_warn_tier_warns_while_the_others_enforce() {
    let c = clone_with(&policy("", ""));
    let out = commit(
        &c,
        &[("legacy/old.c", "x\n")],
        "legacy: x\n\nAI-Assisted-by: claude:opus-4\n",
    );
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(
        err.starts_with("warning[ai-forbidden-tier]: commit (new) \"legacy: x\"\n"),
        "{err}"
    );
    assert!(
        err.ends_with("tiergate: 1 warning (mode: warn tier, not rejecting)\n"),
        "{err}"
    );
    // The same commit touching an enforced tier too is refused.
    let out = commit(
        &c,
        &[("legacy/old.c", "y\n"), ("crypto/aes.c", "y\n")],
        "both: y\n\nAI-Assisted-by: claude:opus-4\n",
    );
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("error[ai-forbidden-tier]: commit (new) \"both: y\"\n"),
        "{err}"
    );
    assert!(
        err.contains("warning[ai-forbidden-tier]: commit (new) \"both: y\"\n"),
        "{err}"
    );
}

const SCOPES: &str = "refs:\n  - { include: [ \"refs/heads/wip/**\" ], mode: warn }\n  - { include: [ \"refs/heads/**\", \"refs/tags/**\" ] }\n  - { include: [ \"refs/notes/**\" ], mode: ignore }\n";

#[test]
fn pre_push_scopes_and_a_wip_commit_later_pushed_to_main() {
    let c = clone_with(&policy(SCOPES, ""));
    assert_code(&c.try_git(&["push", "-q", "origin", "main"]), 0);
    let bad = c.commit_no_verify(
        &[("crypto/aes.c", "ai\n")],
        "crypto: ai\n\nAI-Assisted-by: claude:opus-4\n",
    );
    // wip/: judged, reported as a warning, pushed.
    let out = c.try_git(&["push", "-q", "origin", "HEAD:refs/heads/wip/alice"]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "warning[ai-forbidden-tier]: commit {} \"crypto: ai\"\n",
            &bad[..12]
        )),
        "{err}"
    );
    assert!(
        err.contains("tiergate: 0 violations in 0 commits (1 commit checked); 1 warning (warnings fail nothing)\n"),
        "{err}"
    );
    assert!(c
        .git(&["ls-remote", "origin"])
        .contains("refs/heads/wip/alice"));
    // The same commit to main, now "on the remote" as origin/wip/alice: it
    // is judged again, and refused.
    let out = c.try_git(&["push", "origin", "HEAD:refs/heads/main"]);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "error[ai-forbidden-tier]: commit {} \"crypto: ai\"\n",
            &bad[..12]
        )),
        "{err}"
    );
    assert!(
        err.contains("tiergate: push to origin rejected (refs/heads/main); nothing was pushed\n"),
        "{err}"
    );
    // refs/notes/: ignored (a notes commit is not judged).
    let out = c.try_git(&["push", "-q", "origin", "HEAD:refs/notes/commits"]);
    assert_code(&out, 0);
    assert_eq!(stderr(&out), "");
}
