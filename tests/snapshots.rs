//! Snapshot tests (insta) of tiergate's rendered output: `tiergate check`
//! in every format, `tiergate show` and `tiergate report` (human, JSON,
//! CSV), `tiergate check-patch --show --format json`, `tiergate explain`
//! for every rule code, and the diagnostics of `tiergate policy validate`. The snapshots under
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

mod format_support;
mod support;

use format_support::{assert_junit_well_formed, assert_valid_sarif};
use std::process::Output;
use support::{git, hash_commit, stderr, stdout, Repo};
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
        format!(
            "tree {tree}\nparent {parent}\nauthor {who}\ncommitter {who}\n\
             encoding UTF-8\nencoding UTF-7\n\ndocs: two encodings\n"
        )
        .as_bytes(),
    );
    repo.git(&["update-ref", "refs/heads/main", &bad]);
    repo
}

/// `tiergate check base..main` with `args` before the range, rendered,
/// the temp dir's path (in the JSON report's `policy`) written `[REPO]`.
fn check(repo: &Repo, args: &[&str]) -> String {
    let mut all = vec!["check", "base..main"];
    all.extend_from_slice(args);
    run(repo, &all)
}

/// `tiergate ARGS` in the fixture, rendered, the temp dir's path written
/// `[REPO]`.
fn run(repo: &Repo, args: &[&str]) -> String {
    let text = render(&repo.tiergate(args));
    let dir = repo.path().to_str().expect("utf-8 temp dir");
    let real = repo.path().canonicalize().expect("canonical temp dir");
    let real = real.to_str().expect("utf-8 temp dir");
    text.replace(real, "[REPO]").replace(dir, "[REPO]")
}

/// The commits `tiergate show` snapshots: a forbidden tier (with the paths
/// of two tiers), a missing required trailer, an undeclared marker, a
/// malformed declaration, and a clean commit.
const SHOWN: &[&str] = &["main~8", "main~7", "main~6", "main~5", "main~1"];

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

/// A `--format` value the command cannot print: clap's error, with the
/// values this command takes (each command has its own list).
#[test]
fn report_github_is_refused() {
    let repo = fixture();
    let out = repo.tiergate(&["report", "base..main", "--format", "github"]);
    insta::assert_snapshot!(render(&out));
}

#[test]
fn policy_doc_json_is_refused() {
    let repo = fixture();
    let out = repo.tiergate(&["policy", "doc", "--format", "json"]);
    insta::assert_snapshot!(render(&out));
}

#[test]
fn show_json() {
    let repo = fixture();
    let mut args = vec!["show", "--format", "json"];
    args.extend(SHOWN);
    insta::assert_snapshot!(run(&repo, &args));
}

#[test]
fn show_human() {
    let repo = fixture();
    let mut args = vec!["show"];
    args.extend(SHOWN);
    insta::assert_snapshot!(run(&repo, &args));
}

#[test]
fn report_json() {
    let repo = fixture();
    insta::assert_snapshot!(run(&repo, &["report", "--format", "json", "base..main~1"]));
}

#[test]
fn report_csv() {
    let repo = fixture();
    insta::assert_snapshot!(run(&repo, &["report", "--format", "csv", "base..main~1"]));
}

#[test]
fn report_human() {
    let repo = fixture();
    insta::assert_snapshot!(run(&repo, &["report", "base..main~1"]));
}

/// The violating-commits section bounded by `--violations`: three listed,
/// the four others counted.
#[test]
fn report_violations_limited() {
    let repo = fixture();
    insta::assert_snapshot!(run(&repo, &["report", "--violations", "3", "base..main~1"]));
}

#[test]
fn report_violations_csv() {
    let repo = fixture();
    insta::assert_snapshot!(run(
        &repo,
        &[
            "report",
            "--format",
            "csv",
            "--table",
            "violations",
            "base..main~1"
        ]
    ));
}

#[test]
fn check_patch_show_json() {
    // The fixture's commits as `git format-patch` mails (no signature: it
    // names git's version), judged with the reviewer's view.
    let repo = fixture();
    let mails = repo.git(&[
        "format-patch",
        "--stdout",
        "--no-signature",
        "main~8..main~5",
    ]);
    repo.write("series.mbox", &mails);
    insta::assert_snapshot!(run(
        &repo,
        &["check-patch", "--show", "--format", "json", "series.mbox"]
    ));
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

/// `tiergate check` output parsed as one JSON document.
#[track_caller]
fn json_stdout(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", stdout(out)))
}

#[test]
fn check_sarif() {
    let repo = fixture();
    let out = repo.tiergate(&["check", "base..main", "--format", "sarif"]);
    let log = json_stdout(&out);
    assert_valid_sarif(&log);
    // Snapshot the document indented, so a change reads as a diff.
    let text = format!(
        "exit: {}\n--- stdout (indented)\n{}\n--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        serde_json::to_string_pretty(&log).expect("print"),
        stderr(&out)
    );
    insta::assert_snapshot!(text.replace(
        concat!("\"version\": \"", env!("CARGO_PKG_VERSION"), "\""),
        "\"version\": \"[VERSION]\""
    ));
}

#[test]
fn sarif_fingerprints_are_stable_across_runs() {
    let repo = fixture();
    let fingerprints = || {
        let log = json_stdout(&repo.tiergate(&["check", "base..main", "--format", "sarif"]));
        let results = log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .clone();
        results
            .iter()
            .map(|r| r["partialFingerprints"].to_string())
            .collect::<Vec<_>>()
    };
    let first = fingerprints();
    assert_eq!(first.len(), 8, "{first:?}");
    assert_eq!(first, fingerprints());
    let mut distinct = first.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), first.len(), "{first:?}");
}

#[test]
fn sarif_warn_mode_odd_paths_and_location_cap() {
    // Under `mode: warn` results are warnings and the run passes; paths
    // that a URI cannot hold as they are (space, `%`, `#`, `:`) are
    // percent-encoded; a violation with more paths than GitHub shows is
    // located at the first 100 and says how many there are.
    let repo = Repo::new();
    repo.commit(
        &[(
            "policy.yaml",
            "version: 1\nmode: warn\ntiers:\n  - name: critical\n    paths: [ \"crypto/\" ]\n    ai: forbidden\n  - name: open\n    paths: [ \"docs/\" ]\n    ai: allowed\n",
        )],
        "Initial commit\n",
    );
    let mut files: Vec<(String, &str)> = (0..101)
        .map(|i| (format!("crypto/f{i:03}.c"), "x\n"))
        .collect();
    files.push(("crypto/a b%c#d:e.c".to_owned(), "x\n"));
    let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    repo.commit(
        &files,
        "crypto: many files\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    let out = repo.tiergate(&["check", "HEAD~1..HEAD", "--format", "sarif"]);
    support::assert_code(&out, 0);
    let log = json_stdout(&out);
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1);
    let result = &results[0];
    assert_eq!(result["level"], "warning");
    assert_eq!(result["ruleId"], "ai-forbidden-tier");
    let locations = result["locations"].as_array().expect("locations");
    assert_eq!(locations.len(), 100);
    // Paths in git's order: `crypto/a b...` sorts before `crypto/f000.c`.
    assert_eq!(
        locations[0]["physicalLocation"]["artifactLocation"]["uri"],
        "crypto/a%20b%25c%23d%3Ae.c"
    );
    assert_eq!(
        locations[99]["physicalLocation"]["artifactLocation"]["uri"],
        "crypto/f098.c"
    );
    let message = result["message"]["text"].as_str().expect("message");
    assert!(
        message.ends_with("\n(located at the first 100 of 102 paths)"),
        "{message}"
    );
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert_eq!(rules.len(), RuleCode::ALL.len());
    assert_eq!(rules[0]["defaultConfiguration"]["level"], "warning");
}

#[test]
fn check_junit() {
    let repo = fixture();
    let out = repo.tiergate(&["check", "base..main", "--format", "junit"]);
    let text = render(&out);
    assert_junit_well_formed(&out.stdout);
    insta::assert_snapshot!(text);
}

#[test]
fn junit_escapes_markup_and_control_characters() {
    let repo = Repo::new();
    repo.commit(&[("policy.yaml", POLICY)], "Initial commit\n");
    repo.commit(
        &[("crypto/x.c", "x\n")],
        "crypto: <a> & \"b\" 'c' \u{1}\u{1b}[31m\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    let out = repo.tiergate(&["check", "HEAD~1..HEAD", "--format", "junit"]);
    support::assert_code(&out, 1);
    let elements = assert_junit_well_formed(&out.stdout);
    let case = elements
        .iter()
        .find(|e| e.name == "testcase")
        .expect("a testcase");
    let id = repo.git(&["rev-parse", "--short=12", "HEAD"]);
    assert_eq!(
        case.attrs,
        vec![
            (
                "name".to_owned(),
                format!(
                    "{} crypto: <a> & \"b\" 'c' \\u{{1}}\\u{{1b}}[31m",
                    id.trim()
                )
            ),
            ("classname".to_owned(), "tiergate.critical".to_owned()),
        ]
    );
    let failure = elements
        .iter()
        .find(|e| e.name == "failure")
        .expect("a failure");
    assert_eq!(
        failure.attrs[0],
        ("type".to_owned(), "ai-forbidden-tier".to_owned())
    );
    assert!(
        failure.text.starts_with("crypto/x.c\nfix: "),
        "{:?}",
        failure.text
    );
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
