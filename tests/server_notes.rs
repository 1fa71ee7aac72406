//! End-to-end: git notes as evidence on the server (pre-receive, installed
//! by install.sh), driven by real `git push`: notes a push carries along
//! with its commits, and notes the server already has.

mod support;

use support::server::{assert_code, assert_remote_line, Server};

/// A commit touching the forbidden tier, with nothing in its message that
/// says AI; its id.
fn human_looking(s: &Server) -> String {
    s.commit(&[("crypto/aes.c", "faster\n")], "crypto: speed up AES")
}

fn assert_flagged(out: &std::process::Output, id: &str) {
    assert_code(out, 1);
    assert_remote_line(
        out,
        &format!(
            "error[undeclared-ai]: commit {} \"crypto: speed up AES\"",
            &id[..12]
        ),
    );
    assert_remote_line(
        out,
        "  AI assistance is evident but not declared with 'AI-Assisted-by:': git note in refs/notes/ai: \"agent: claude\"",
    );
    assert_remote_line(
        out,
        &format!(
            "error[ai-forbidden-tier]: commit {} \"crypto: speed up AES\"",
            &id[..12]
        ),
    );
}

#[test]
fn the_same_commit_without_a_note_is_accepted() {
    let s = Server::new();
    let id = human_looking(&s);
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 0);
    assert_eq!(
        s.remote_rev("refs/heads/main").as_deref(),
        Some(id.as_str())
    );
}

#[test]
fn notes_pushed_with_the_commits_flag_them() {
    let s = Server::new();
    let before = s.remote_refs();
    let id = human_looking(&s);
    support::server::git(
        &s.work,
        &["notes", "--ref", "ai", "add", "-m", "agent: claude", "HEAD"],
    );
    // Notes pushed in the same push as the commits they annotate.
    let out = s.push(&["origin", "main", "refs/notes/ai"]);
    assert_flagged(&out, &id);
    assert_remote_line(
        &out,
        "tiergate: push rejected (refs/heads/main, refs/notes/ai); no ref was updated",
    );
    assert_eq!(s.remote_refs(), before);
    let rec = s.last_audit();
    assert_eq!(rec["violations"][0]["commit"], id.as_str());
}

#[test]
fn notes_already_on_the_server_flag_the_commits_pushed_later() {
    let s = Server::new();
    let id = human_looking(&s);
    support::server::git(
        &s.work,
        &["notes", "--ref", "ai", "add", "-m", "agent: claude", "HEAD"],
    );
    // The notes alone: their commit is not on the server yet, and the notes
    // commit itself says nothing of AI.
    assert_code(&s.push(&["origin", "refs/notes/ai"]), 0);
    assert!(s.remote_rev("refs/notes/ai").is_some());
    let out = s.push(&["origin", "main"]);
    assert_flagged(&out, &id);
    // A push that rewinds the notes ref does not hide them: the server
    // reads its own notes and the pushed ones together.
    support::server::git(&s.work, &["update-ref", "-d", "refs/notes/ai"]);
    support::server::git(
        &s.work,
        &["notes", "--ref", "ai", "add", "-m", "reviewed", "HEAD~1"],
    );
    let out = s.push(&["origin", "main", "+refs/notes/ai"]);
    assert_flagged(&out, &id);
}
