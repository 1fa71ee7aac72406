//! End-to-end: the policy's `refs:` scopes in tiergate's pre-receive
//! hook, driven by real `git push` (issue 14): a warned `wip/` namespace,
//! an ignored `refs/notes/`, unlisted refs enforced, a commit pushed to
//! `wip/` and later to `main` judged then, and replace refs judged
//! whatever their scope.

mod support;

use support::server::{assert_code, assert_remote_line, remote_lines, stderr, Server};

/// The policy with extra top-level text and the `core` tier's
/// extra keys.
fn policy(top: &str, core: &str) -> String {
    format!(
        "version: 1\n{top}tiers:\n  - name: critical\n    paths: [ \"crypto/\" ]\n    ai: forbidden\n  - name: legacy\n    paths: [ \"legacy/\" ]\n    ai: forbidden\n    mode: warn\n  - name: core\n    paths: [ \"src/\" ]\n    ai: allowed\n{core}  - name: open\n    paths: [ \"docs/\" ]\n    ai: allowed\ndefault_tier: core\n"
    )
}

const SCOPES: &str = "refs:\n  - { include: [ \"refs/heads/wip/**\" ], mode: warn }\n  - { include: [ \"refs/heads/**\", \"refs/tags/**\" ] }\n  - { include: [ \"refs/notes/**\" ], mode: ignore }\n";

/// A server whose policy is `text`, with the hook installed after the
/// policy reached `main`.
fn server_with(text: &str) -> Server {
    let s = Server::uninstalled("srv.git");
    s.commit(&[("policy.yaml", text)], "policy");
    let out = s.push(&["-q", "origin", "main"]);
    assert_code(&out, 0);
    s.install(&[]);
    s
}

#[test]
fn pre_receive_judges_a_commit_from_wip_when_it_reaches_main() {
    let s = server_with(&policy(SCOPES, ""));
    let bad = s.commit(
        &[("crypto/aes.c", "ai\n")],
        "crypto: ai\n\nAI-Assisted-by: claude:opus-4\n",
    );
    // wip/: warned, accepted.
    let out = s.push(&["origin", "HEAD:refs/heads/wip/alice"]);
    assert_code(&out, 0);
    assert_remote_line(
        &out,
        &format!(
            "warning[ai-forbidden-tier]: commit {} \"crypto: ai\"",
            &bad[..12]
        ),
    );
    assert_eq!(
        s.remote_rev("refs/heads/wip/alice").as_deref(),
        Some(bad.as_str())
    );
    // The commit is now in the repository, reachable from wip/alice; the
    // `--not --all` walk would call it known. It is judged, and refused.
    let out = s.push(&["origin", "HEAD:refs/heads/main"]);
    assert_code(&out, 1);
    assert_remote_line(
        &out,
        &format!(
            "error[ai-forbidden-tier]: commit {} \"crypto: ai\"",
            &bad[..12]
        ),
    );
    assert_remote_line(
        &out,
        "tiergate: push rejected (refs/heads/main); no ref was updated",
    );
    assert_ne!(
        s.remote_rev("refs/heads/main").as_deref(),
        Some(bad.as_str())
    );
    // An ignored ref: not judged, accepted without a word.
    let out = s.push(&["origin", "HEAD:refs/notes/commits"]);
    assert_code(&out, 0);
    assert!(remote_lines(&out).is_empty(), "{}", stderr(&out));
    // And still judged when it goes to main from there.
    let out = s.push(&["origin", "HEAD:refs/heads/main"]);
    assert_code(&out, 1);
    // A ref no scope lists is enforced (fail closed).
    let out = s.push(&["origin", "HEAD:refs/for/main"]);
    assert_code(&out, 1);
}

#[test]
fn a_replace_ref_in_an_ignored_scope_is_still_refused() {
    let scopes = "refs:\n  - { include: [ \"refs/replace/**\" ], mode: ignore }\n";
    let s = server_with(&policy(scopes, ""));
    let head = s.rev("HEAD");
    let other = s.commit(&[("docs/x.md", "x\n")], "docs: x");
    let out = s.push(&["origin", &format!("{other}:refs/replace/{head}")]);
    assert_code(&out, 1);
    assert!(
        remote_lines(&out)
            .iter()
            .any(|l| l.starts_with("error[replace-ref]")),
        "{}",
        stderr(&out)
    );
}
