//! End-to-end: git notes as evidence in the pre-push hook (installed by
//! install.sh), driven by real `git push` to a local bare remote: the
//! clone's notes under `refs/notes/ai` flag the commits they annotate.

mod support;

use support::hooks::{assert_code, stderr, Clone};

#[test]
fn a_local_note_makes_pre_push_refuse_the_commit() {
    let c = Clone::new();
    assert_code(&c.try_git(&["push", "-q", "-u", "origin", "main"]), 0);
    let id = c.commit_no_verify(&[("crypto/aes.c", "faster\n")], "crypto: speed up AES");
    c.git(&["notes", "--ref", "ai", "add", "-m", "agent: claude", "HEAD"]);
    let out = c.try_git(&["push", "origin", "main"]);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error[undeclared-ai]: commit {} \"crypto: speed up AES\"\n  AI assistance is evident but not declared with 'AI-Assisted-by:': git note in refs/notes/ai: \"agent: claude\"\n",
            &id[..12]
        )),
        "{err}"
    );
    assert!(
        err.contains("tiergate: push to origin rejected (refs/heads/main); nothing was pushed"),
        "{err}"
    );
    // Without the note the same commit is pushed.
    c.git(&["notes", "--ref", "ai", "remove", "HEAD"]);
    assert_code(&c.try_git(&["push", "-q", "origin", "main"]), 0);
}
