//! End-to-end tests of git notes as evidence of AI use (`markers.notes`)
//! and of prose suspicion (`ai-prose`) in `tiergate check`, `show` and
//! `report`, on real repositories (both backends: libgit2 for SHA-1,
//! git's plumbing for SHA-256).

mod support;

use support::{assert_code, git, stdout, tiergate_cmd, Repo};

const POLICY: &str = "\
version: 1
declaration:
  key: AI-Assisted-by
tiers:
  - name: critical
    paths: [ \"crypto/\" ]
    ai: forbidden
  - name: open
    paths: [ \"docs/\", \"tests/\" ]
    ai: allowed
default_tier: open
";

/// A git-ai authorship log (Git AI Standard v3.0.0) attributing lines to
/// a Cursor session.
const GIT_AI_LOG: &str = "crypto/aes.c\n  abcd1234abcd1234 1-2\n---\n{\n  \"schema_version\": \"authorship/3.0.0\",\n  \"base_commit_sha\": \"0000000000000000000000000000000000000000\",\n  \"prompts\": {\n    \"abcd1234abcd1234\": {\n      \"agent_id\": { \"tool\": \"cursor\", \"id\": \"s1\", \"model\": \"claude-4.5-opus\" },\n      \"messages\": [], \"total_additions\": 2, \"total_deletions\": 0, \"accepted_lines\": 2, \"overriden_lines\": 0\n    }\n  }\n}\n";

/// A git-ai log of a commit without AI content: no attestation, no prompt.
const EMPTY_GIT_AI_LOG: &str = "---\n{\"schema_version\": \"authorship/3.0.0\", \"base_commit_sha\": \"0000000000000000000000000000000000000000\", \"prompts\": {}}\n";

fn repo_with(policy: &str) -> Repo {
    let repo = Repo::new();
    repo.commit(
        &[("policy.yaml", policy), ("README", "hi\n")],
        "Initial commit",
    );
    repo
}

/// A human-looking commit touching the forbidden tier; its id.
fn crypto_commit(repo: &Repo) -> String {
    repo.commit(&[("crypto/aes.c", "faster\n")], "crypto: speed up AES")
}

fn expected_flagged(id: &str, evidence: &str) -> String {
    format!(
        "\
error[ai-forbidden-tier]: commit {short} \"crypto: speed up AES\"
  AI-assisted commit touches tier 'critical' (ai: forbidden): 1 path
    crypto/aes.c
  fix: Split the changes to 'critical' into a commit written without AI assistance, or ask its maintainers.

error[undeclared-ai]: commit {short} \"crypto: speed up AES\"
  AI assistance is evident but not declared with 'AI-Assisted-by:': {evidence}
  fix: Add the trailer 'AI-Assisted-by: <agent>:<model>' to the last paragraph (`git commit --amend --trailer 'AI-Assisted-by: <agent>:<model>'`).

tiergate: 2 violations in 1 commit (1 commit checked)
",
        short = &id[..12]
    )
}

#[test]
fn a_note_under_refs_notes_ai_flags_the_commit_check_and_show() {
    let repo = repo_with(POLICY);
    let id = crypto_commit(&repo);
    // Without the note: a human commit, nothing to say.
    let out = repo.tiergate(&["check", "HEAD~1..HEAD"]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "");

    repo.git(&["notes", "--ref", "ai", "add", "-m", "agent: claude", "HEAD"]);
    let out = repo.tiergate(&["check", "HEAD~1..HEAD"]);
    assert_code(&out, 1);
    assert_eq!(
        stdout(&out),
        expected_flagged(&id, "git note in refs/notes/ai: \"agent: claude\"")
    );
    // `show` reads the same note.
    let out = repo.tiergate(&["show", "--format", "json", "HEAD"]);
    assert_code(&out, 1);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        doc["commits"][0]["markers"],
        serde_json::json!(["git note in refs/notes/ai: \"agent: claude\""])
    );
    // A note under another ref is not read; `markers.notes` picks the ref.
    let other = repo_with(POLICY);
    crypto_commit(&other);
    other.git(&["notes", "add", "-m", "agent: claude", "HEAD"]);
    assert_code(&other.tiergate(&["check", "HEAD~1..HEAD"]), 0);
    let custom = POLICY.replace("tiers:", "markers:\n  notes: commits\ntiers:");
    other.write("policy.yaml", &custom);
    assert_code(&other.tiergate(&["check", "HEAD~1..HEAD"]), 1);
    // `false` turns notes off.
    repo.write(
        "policy.yaml",
        &POLICY.replace("tiers:", "markers:\n  notes: false\ntiers:"),
    );
    assert_code(&repo.tiergate(&["check", "HEAD~1..HEAD"]), 0);
}

#[test]
fn git_ai_authorship_logs_count_when_they_attribute_lines() {
    let repo = repo_with(POLICY);
    let id = crypto_commit(&repo);
    repo.git(&[
        "notes",
        "--ref",
        "ai",
        "add",
        "-m",
        EMPTY_GIT_AI_LOG,
        "HEAD",
    ]);
    assert_code(&repo.tiergate(&["check", "HEAD~1..HEAD"]), 0);
    repo.git(&[
        "notes", "--ref", "ai", "add", "-f", "-m", GIT_AI_LOG, "HEAD",
    ]);
    let out = repo.tiergate(&["check", "HEAD~1..HEAD"]);
    assert_code(&out, 1);
    assert_eq!(
        stdout(&out),
        expected_flagged(
            &id,
            "git note in refs/notes/ai: git-ai authorship log (cursor (claude-4.5-opus))"
        )
    );
}

#[test]
fn notes_in_a_sha256_repository_through_git_plumbing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main", "--object-format=sha256"]);
    std::fs::write(dir.join("policy.yaml"), POLICY).expect("write");
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "Initial commit"]);
    std::fs::create_dir(dir.join("crypto")).expect("mkdir");
    std::fs::write(dir.join("crypto/aes.c"), "faster\n").expect("write");
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "crypto: speed up AES"]);
    let run = || {
        tiergate_cmd(dir)
            .args(["check", "HEAD~1..HEAD"])
            .output()
            .expect("spawn")
    };
    assert_code(&run(), 0);
    git(
        dir,
        &["notes", "--ref", "ai", "add", "-m", "agent: claude", "HEAD"],
    );
    let out = run();
    assert_code(&out, 1);
    let id = git(dir, &["rev-parse", "HEAD"]);
    assert_eq!(
        stdout(&out),
        expected_flagged(id.trim(), "git note in refs/notes/ai: \"agent: claude\"")
    );
}

const PROSE: &str = "tests: add a parser test\n\nThis test was generated with Claude AI.\n";

#[test]
fn prose_is_a_warning_in_check_show_and_report() {
    let repo = repo_with(POLICY);
    let id = repo.commit(&[("tests/parse.c", "test\n")], PROSE);
    let warning = format!(
        "\
warning[ai-prose]: commit {} \"tests: add a parser test\"
  the message says a tool generated the change: \"This test was generated with Claude AI.\" (\"generated with Claude\")
  at line 3 of the message
  fix: If an AI tool was used, declare it with the policy's declaration trailer (`tiergate fix` writes it); otherwise reword the sentence.

",
        &id[..12]
    );
    let summary = "tiergate: 0 violations in 0 commits (1 commit checked); 1 warning (warnings fail nothing)\n";
    let out = repo.tiergate(&["check", "HEAD~1..HEAD"]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), format!("{warning}{summary}"));

    let out = repo.tiergate(&["show", "HEAD"]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("  ai-assisted: no\n  verdict:     pass\n\n"),
        "{text}"
    );
    assert!(
        text.ends_with(&format!("\n\n{}\n", warning.trim_end())),
        "{text}"
    );

    let out = repo.tiergate(&["check", "--format", "json", "HEAD~1..HEAD"]);
    assert_code(&out, 0);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["verdict"], "pass");
    assert_eq!(doc["violations"], 0);
    assert_eq!(doc["commits"][0]["warnings"][0]["rule"], "ai-prose");
    assert_eq!(doc["commits"][0]["warnings"][0]["line"], 3);
    assert_eq!(doc["commits"][0]["ai_assisted"], false);

    // report: counted in the `ai-prose` column, not as a violation.
    let out = repo.tiergate(&["report", "--format", "csv"]);
    assert_code(&out, 0);
    let text = stdout(&out);
    let header: Vec<&str> = text.lines().next().expect("header").split(',').collect();
    let prose = header
        .iter()
        .position(|c| *c == "ai-prose")
        .expect("ai-prose column");
    let violations = header
        .iter()
        .position(|c| *c == "violations")
        .expect("column");
    let all: Vec<&str> = text
        .lines()
        .find(|l| l.split(',').nth(1) == Some("*"))
        .expect("all row")
        .split(',')
        .collect();
    assert_eq!((all[prose], all[violations]), ("1", "0"), "{text}");

    // `markers.prose: error` raises it; `off` silences it.
    repo.write(
        "policy.yaml",
        &POLICY.replace("tiers:", "markers:\n  prose: error\ntiers:"),
    );
    let out = repo.tiergate(&["check", "HEAD~1..HEAD"]);
    assert_code(&out, 1);
    assert!(stdout(&out).starts_with(&format!("error[ai-prose]: commit {}", &id[..12])));
    repo.write(
        "policy.yaml",
        &POLICY.replace("tiers:", "markers:\n  prose: off\ntiers:"),
    );
    let out = repo.tiergate(&["check", "HEAD~1..HEAD"]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "");
}

#[test]
fn prose_controls_do_not_fire() {
    let repo = repo_with(POLICY);
    for message in [
        "docs: generated code is not allowed in crypto/",
        "build: fixed the generator of the tables",
        "docs: cite Claude Shannon\n\nThe estimate follows Claude Shannon's entropy, as written by Claude Shannon.\n",
        "changelog: note the \"Generated by ChatGPT\" footer we now strip\n\nThe changelog quotes `generated with Copilot` verbatim.\n",
        "docs: policy\n\nAI-generated code is not allowed in crypto/.\n",
    ] {
        repo.commit(&[("docs/x.md", message)], message);
    }
    let out = repo.tiergate(&["check", "HEAD~5..HEAD"]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "");
}
