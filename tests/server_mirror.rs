//! End-to-end: a mirror updated by `git fetch` runs no pre-receive;
//! `install.sh --server --mirror MODE` installs the reference-transaction
//! mode, tested with a real `git fetch` into a `--mirror` clone.

mod support;

use support::server::{assert_code, declared, git, git_cmd, output, stderr, Server};

fn mirror_of(s: &Server, mode: &str) -> std::path::PathBuf {
    let audit = s.tmp.path().join("mirror-audit.jsonl");
    let (mirror, _) = s.mirror(mode, &["--audit-log", audit.to_str().expect("utf-8")]);
    assert!(mirror.join("hooks/reference-transaction").exists());
    mirror
}

fn audit(s: &Server) -> Vec<serde_json::Value> {
    std::fs::read_to_string(s.tmp.path().join("mirror-audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

fn rev(repo: &std::path::Path, rev: &str) -> String {
    git(repo, &["rev-parse", rev]).trim().to_owned()
}

#[test]
fn enforce_mode_refuses_a_bad_update_from_upstream() {
    // The upstream has no tiergate: it takes anything.
    let s = Server::uninstalled("upstream.git");
    let mirror = mirror_of(&s, "enforce");
    let before = rev(&mirror, "main");
    let good = s.commit(&[("docs/m.md", "m\n")], "docs: fine");
    git(&s.work, &["push", "-q", "origin", "main"]);
    let out = output(git_cmd(&mirror).args(["fetch", "-q"]));
    assert_code(&out, 0);
    assert_eq!(rev(&mirror, "main"), good);
    let bad = s.commit(&[("crypto/m.c", "m\n")], &declared("crypto: upstream"));
    git(&s.work, &["push", "-q", "origin", "main"]);
    let out = output(git_cmd(&mirror).args(["fetch"]));
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error[ai-forbidden-tier]: commit {} \"crypto: upstream\"",
            &bad[..12]
        )),
        "{err}"
    );
    assert!(
        err.contains("tiergate: mirror update refused (tiergate.mirror: enforce); refs not updated (refs/heads/main"),
        "{err}"
    );
    assert_eq!(rev(&mirror, "main"), good);
    assert_ne!(before, good);
    let recs = audit(&s);
    let last = recs.last().expect("audit line");
    assert_eq!(last["hook"], "reference-transaction");
    assert_eq!(last["verdict"], "fail");
    assert_eq!(last["accepted"], false);
    assert_eq!(last["violations"][0]["commit"], bad.as_str());
}

#[test]
fn audit_mode_records_violations_and_lets_the_update_in() {
    let s = Server::uninstalled("upstream.git");
    let mirror = mirror_of(&s, "audit");
    let bad = s.commit(&[("crypto/a.c", "a\n")], &declared("crypto: audited"));
    git(&s.work, &["push", "-q", "origin", "main"]);
    let out = output(git_cmd(&mirror).args(["fetch"]));
    assert_code(&out, 0);
    assert!(
        stderr(&out)
            .contains("tiergate: mirror update accepted and recorded (tiergate.mirror: audit)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(rev(&mirror, "main"), bad);
    let recs = audit(&s);
    let last = recs.last().expect("audit line");
    assert_eq!(last["verdict"], "warn");
    assert_eq!(last["accepted"], true);
    assert_eq!(last["commits_checked"], 1);
    assert_eq!(last["violations"][0]["rule"], "ai-forbidden-tier");
    // Nothing new: no violation recorded again.
    let n = recs.len();
    let out = output(git_cmd(&mirror).args(["fetch"]));
    assert_code(&out, 0);
    assert!(audit(&s).len() <= n + 1);
}
