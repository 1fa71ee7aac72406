//! Snapshot tests (insta) of the pre-receive hook's output to the pusher
//! (what a developer reads after a refused push) and of the audit record
//! it writes for that push. The snapshots under
//! tests/snapshots/ are the specification of that output (see
//! tests/snapshots.rs for the rest of the rendered output and for how
//! insta behaves in CI).
//!
//! The push is real (`git push` over `file://` to a bare repository with
//! the hook installed by install.sh), in the hermetic environment of
//! tests/support (server.rs): fixed identities and dates, so commit ids are the
//! same on every run and appear in the snapshot as they are.

mod support;

use support::server::{assert_code, declared, remote_lines, Server};

/// The refused push of the snapshots: an AI-assisted change to crypto/
/// and an undeclared AI co-author.
fn refused_push() -> (Server, std::process::Output) {
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
    (s, out)
}

#[test]
fn pre_receive_refused_push() {
    let (_s, out) = refused_push();
    assert_code(&out, 1);
    // Only the hook's lines (`remote: ...`): the rest is git's own report.
    let mut text = remote_lines(&out).join("\n");
    text.push('\n');
    insta::assert_snapshot!(text);
}

#[test]
fn pre_receive_audit_record() {
    // The audit line of the refused push, as written: one line of JSON,
    // keys sorted (re-serializing it gives the same bytes). Redacted: the
    // time, the milliseconds taken and the temp dir's path.
    let (s, out) = refused_push();
    assert_code(&out, 1);
    let text = std::fs::read_to_string(&s.audit).expect("audit log");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "one record per push:\n{text}");
    let mut record: serde_json::Value = serde_json::from_str(lines[0]).expect("JSON");
    assert_eq!(record.to_string(), lines[0], "compact, keys sorted");
    let time = record["time"].as_str().expect("time").to_owned();
    assert!(
        time.len() == 20 && time.ends_with('Z') && time.as_bytes()[10] == b'T',
        "RFC 3339 UTC time: {time}"
    );
    assert!(record["elapsed_ms"].is_u64(), "{record}");
    record["time"] = "[TIME]".into();
    record["elapsed_ms"] = "[MS]".into();
    let tmp = s.tmp.path().to_str().expect("utf-8 temp dir");
    let real = s.tmp.path().canonicalize().expect("canonical temp dir");
    let real = real.to_str().expect("utf-8 temp dir");
    let line = record
        .to_string()
        .replace(real, "[TMP]")
        .replace(tmp, "[TMP]");
    insta::assert_snapshot!(line);
}
