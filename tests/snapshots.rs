//! Snapshot tests (insta) of tiergate's rendered output: `tiergate check`
//! in every format, `tiergate explain` for every rule code, and the
//! diagnostics of `tiergate policy validate`. The snapshots under
//! tests/snapshots/ are the specification of that output: review every
//! change to them as a change of the user interface.
//!
//! insta fails an assertion whose snapshot differs or is missing; with `CI`
//! set it also writes no `.snap.new` file, so CI cannot accept a snapshot
//! by itself (`cargo insta review` accepts them on a developer's machine).
//!
//! One fixture repository, built with real git in the hermetic environment
//! of tests/support (fixed identities and dates), so commit ids are the same
//! on every run and appear in the snapshots as they are.

mod support;

use std::path::Path;
use std::process::Output;
use support::{git, git_cmd, run_stdin, stderr, stdout, Repo};
use tiergate_core::rules::RuleCode;

/// The fixture's policy: crypto/ forbidden to AI, accel/ needs a
/// `Reviewed-by`, docs/ open; declarations must read `AGENT:MODEL`.
const POLICY: &str = "\
version: 1
declaration:
  key: AI-Assisted-by
  value: '^\\S+:\\S+'
tiers:
  - name: critical
    paths: [ \"crypto/\" ]
    ai: forbidden
  - name: core
    paths: [ \"accel/\" ]
    ai: allowed
    require: [ Reviewed-by ]
  - name: open
    paths: [ \"docs/\" ]
    ai: allowed
default_tier: open
";

/// The output of a command as one text: exit code, stdout, stderr.
fn render(out: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status
            .code()
            .map_or_else(|| "signal".to_owned(), |c| c.to_string()),
        stdout(out),
        stderr(out)
    )
}

/// Write a commit object from raw text with `git hash-object --literally`
/// (git's own commands never write a malformed commit); its id.
fn hash_commit(dir: &Path, raw: &str) -> String {
    let mut cmd = git_cmd(dir);
    cmd.args([
        "hash-object",
        "-t",
        "commit",
        "-w",
        "--stdin",
        "--literally",
    ]);
    let out = run_stdin(&mut cmd, raw.as_bytes());
    assert!(out.status.success(), "hash-object: {}", stderr(&out));
    stdout(&out).trim().to_owned()
}

/// The fixture: an initial commit with the policy, then one commit per
/// rule code (and one clean commit, which no report lists). `main` is the
/// last commit, `base` the initial one.
fn fixture() -> Repo {
    let repo = Repo::new();
    repo.commit(
        &[("policy.yaml", POLICY), ("README", "hello\n")],
        "Initial commit\n",
    );
    repo.git(&["tag", "base"]);
    repo.commit(
        &[("crypto/aes.c", "int aes;\n"), ("docs/aes.md", "AES\n")],
        "crypto: speed up AES\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    repo.commit(
        &[("accel/kvm.c", "int kvm;\n")],
        "accel: tweak KVM\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    repo.commit(
        &[("docs/undeclared.md", "u\n")],
        "docs: undeclared help\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    );
    repo.commit(
        &[("docs/malformed.md", "m\n")],
        "docs: malformed declaration\n\nAI-Assisted-by: claude\n",
    );
    repo.commit(
        &[("docs/misplaced.md", "m\n")],
        "docs: misplaced declaration\n\nSome body.\nAI-Assisted-by: claude:claude-sonnet-4\n\n\
         Signed-off-by: A U Thor <author@example.com>\n",
    );
    repo.commit(
        &[("docs/near.md", "n\n")],
        "docs: near-miss key\n\nAI_Assisted_by: claude:claude-sonnet-4\n",
    );
    repo.commit(
        &[("docs/signoff.md", "s\n")],
        "docs: AI sign-off\n\nAI-Assisted-by: claude:claude-sonnet-4\n\
         Signed-off-by: Claude <noreply@anthropic.com>\n",
    );
    repo.commit(&[("docs/clean.md", "c\n")], "docs: a clean change\n");
    // Two `encoding` headers: git reads the first, a second is a trick.
    let parent = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let tree = repo.git(&["rev-parse", "HEAD^{tree}"]).trim().to_owned();
    let who = "A U Thor <author@example.com> 1700000000 +0000";
    let bad = hash_commit(
        repo.path(),
        &format!(
            "tree {tree}\nparent {parent}\nauthor {who}\ncommitter {who}\n\
             encoding UTF-8\nencoding UTF-7\n\ndocs: two encodings\n"
        ),
    );
    repo.git(&["update-ref", "refs/heads/main", &bad]);
    repo
}

/// `tiergate check base..main` with `args` before the range, rendered,
/// the temp dir's path (in the JSON report's `policy`) written `[REPO]`.
fn check(repo: &Repo, args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.extend(["check", "base..main"]);
    let text = render(&repo.tiergate(&all));
    let dir = repo.path().to_str().expect("utf-8 temp dir");
    let real = repo.path().canonicalize().expect("canonical temp dir");
    let real = real.to_str().expect("utf-8 temp dir");
    text.replace(real, "[REPO]").replace(dir, "[REPO]")
}

#[test]
fn fixture_ids_are_stable() {
    // The snapshots name commits by id: the fixture must give the same ids
    // on every run (the hermetic environment fixes identities and dates).
    let a = fixture();
    let b = fixture();
    assert_eq!(
        git(a.path(), &["rev-list", "base..main"]),
        git(b.path(), &["rev-list", "base..main"])
    );
}

#[test]
fn check_human() {
    let repo = fixture();
    insta::assert_snapshot!(check(&repo, &[]));
}

#[test]
fn check_json() {
    let repo = fixture();
    insta::assert_snapshot!(check(&repo, &["--format", "json"]));
}

#[test]
fn check_github() {
    let repo = fixture();
    insta::assert_snapshot!(check(&repo, &["--format", "github"]));
}

#[test]
fn check_gitlab() {
    let repo = fixture();
    insta::assert_snapshot!(check(&repo, &["--format", "gitlab"]));
}

#[test]
fn check_csv_is_refused() {
    let repo = fixture();
    insta::assert_snapshot!(check(&repo, &["--format", "csv"]));
}

#[test]
fn explain_every_rule_code() {
    // Every code of `RuleCode::ALL`: a new code fails here until its
    // explanation has a reviewed snapshot.
    let dir = tempfile::tempdir().expect("tempdir");
    for code in RuleCode::ALL {
        let out = support::tiergate_cmd(dir.path())
            .args(["explain", code.as_str()])
            .output()
            .expect("spawn tiergate");
        insta::assert_snapshot!(format!("explain_{}", code.as_str()), render(&out));
    }
}

#[test]
fn policy_validate_several_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("bad.yaml"),
        "\
version: 1
mode: enforced
declaration:
  key: AI-Assisted-by
  value: '(unclosed'
tier:
  - name: a
tiers:
  - name: critical
    paths: [ \"hw/[virtio\" ]
    ai: maybe
  - name: critical
    paths: [ \"docs/\" ]
    ai: allowed
default_tier: nowhere
",
    )
    .expect("write");
    let out = support::tiergate_cmd(dir.path())
        .args(["policy", "validate", "bad.yaml"])
        .output()
        .expect("spawn tiergate");
    insta::assert_snapshot!(render(&out));
}

/// `tiergate markers`: the signature database as maintainers review it,
/// every version. A change to crates/core/signatures.yaml shows here.
#[test]
fn markers_every_version() {
    let repo = Repo::new();
    for version in ["2026.11", "2026.12"] {
        let out = repo.tiergate(&["markers", "--version", version]);
        insta::assert_snapshot!(format!("markers_{version}"), render(&out));
    }
    // Without --version and without a policy: the latest.
    let out = repo.tiergate(&["markers"]);
    let latest = repo.tiergate(&["markers", "--version", "2026.12"]);
    assert_eq!(
        stdout(&out),
        stdout(&latest).replace("(as asked)", "(the latest)")
    );
}
