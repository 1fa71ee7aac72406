//! Snapshot test (insta) of the pre-receive hook's output to the pusher:
//! what a developer reads after a refused push. The snapshot under
//! tests/snapshots/ is the specification of that output (see
//! tests/snapshots.rs for the rest of the rendered output and for how
//! insta behaves in CI).
//!
//! The push is real (`git push` over `file://` to a bare repository with
//! the hook installed by install.sh), in the hermetic environment of
//! tests/server_support: fixed identities and dates, so commit ids are the
//! same on every run and appear in the snapshot as they are.

mod server_support;

use server_support::{assert_code, declared, remote_lines, Server};

#[test]
fn pre_receive_refused_push() {
    let s = Server::new();
    s.commit(
        &[("crypto/aes.c", "int aes;\n"), ("docs/aes.md", "AES\n")],
        &declared("crypto: speed up AES"),
    );
    s.commit(
        &[("docs/x.md", "x\n")],
        "docs: tweak\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    );
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 1);
    // Only the hook's lines (`remote: ...`): the rest is git's own report.
    let mut text = remote_lines(&out).join("\n");
    text.push('\n');
    insta::assert_snapshot!(text);
}
