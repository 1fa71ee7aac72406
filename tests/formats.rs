//! Repository formats libgit2 (1.9) cannot open: SHA-256 object ids
//! (`git init --object-format=sha256`) and reftable references (`git init
//! --ref-format=reftable`). `tiergate check`, `classify --rev`, `show`,
//! `report` and the server hook read them through git plumbing
//! (`tiergate_core::repo::plumbing`); the verdicts and outputs must be those of
//! the libgit2 path on the same history in a classic repository.
//! The client hooks (commit-msg, pre-push) read them the same way.

mod support;

use std::path::Path;
use std::process::Command;
use support::server::{
    assert_code, bin_dir, git, git_cmd, hermetic, install_server, output, stderr, stdout, tiergate,
    POLICY,
};
use support::{commit_files, commit_latin1, LATIN1_MESSAGE};

use support::FORMATS;

fn commit(dir: &Path, files: &[(&str, &str)], message: &str) {
    commit_files(dir, files, message);
}

/// The same history in every format: root, declared commits in allowed
/// and forbidden tiers, an undeclared marker, a rename into crypto/, a
/// merge that brings a change, a Latin-1 commit.
fn build(dir: &Path, init: &[&str]) {
    let mut args = vec!["init", "-q", "-b", "main"];
    args.extend_from_slice(init);
    args.push(".");
    git(dir, &args);
    commit(dir, &[("policy.yaml", POLICY), ("src/a.c", "a\n")], "root");
    commit(
        dir,
        &[("docs/x.md", "x\n")],
        "docs: declared\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    commit(
        dir,
        &[("crypto/aes.c", "x\n")],
        "crypto: declared\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    commit(
        dir,
        &[("src/b.c", "b\n")],
        "src: marked\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    );
    git(dir, &["checkout", "-q", "-b", "side", "main~2"]);
    commit(dir, &[("src/side.c", "s\n")], "side: plain");
    std::fs::create_dir_all(dir.join("crypto")).expect("mkdir");
    git(dir, &["mv", "src/a.c", "crypto/a.c"]);
    commit(
        dir,
        &[],
        "side: rename into crypto\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    git(dir, &["checkout", "-q", "main"]);
    // An evil merge: it adds crypto/evil.c, which neither parent has.
    git(dir, &["merge", "-q", "--no-ff", "--no-commit", "side"]);
    commit(
        dir,
        &[("crypto/evil.c", "e\n")],
        "merge side\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    commit_latin1(dir, LATIN1_MESSAGE);
}

/// `(title, [(rule, tier, paths)])` of every commit with violations, sorted.
fn verdicts(doc: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = doc["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| {
            let v: Vec<String> = c["violations"]
                .as_array()
                .expect("violations")
                .iter()
                .map(|v| format!("{} {} {}", v["rule"], v["tier"], v["paths"]))
                .collect();
            format!("{}: {}", c["title"], v.join("; "))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn check_gives_the_same_verdicts_in_every_format() {
    let mut baseline = None;
    for (name, init) in FORMATS {
        let tmp = tempfile::tempdir().expect("tempdir");
        build(tmp.path(), init);
        let out = tiergate(tmp.path(), &["check", "--format", "json", "--all"]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(doc["commits_checked"], 8, "{name}: {doc}");
        let got = verdicts(&doc);
        eprintln!("{name}: {got:#?}");
        match &baseline {
            None => baseline = Some(got),
            Some(want) => assert_eq!(&got, want, "{name} differs from the libgit2 path"),
        }
        // Full ids of the format.
        let id_len = if name.starts_with("sha256") { 64 } else { 40 };
        assert_eq!(doc["commits"][0]["id"].as_str().map(str::len), Some(id_len));
        // A range, and a bad revision (exit 2).
        let out = tiergate(tmp.path(), &["check", "main~1..main"]);
        assert_code(&out, 1);
        assert!(
            stdout(&out).contains("error[undeclared-ai]"),
            "{}",
            stdout(&out)
        );
        assert!(
            stdout(&out).contains("\"Caf\u{e9} fix\""),
            "{}",
            stdout(&out)
        );
        let out = tiergate(tmp.path(), &["check", "nope..main"]);
        assert_code(&out, 2);
    }
    let baseline = baseline.expect("ran");
    assert_eq!(baseline.len(), 5, "{baseline:#?}");
}

#[test]
fn commit_msg_judges_the_staged_paths_in_every_format() {
    for (name, init) in &FORMATS[1..] {
        let tmp = tempfile::tempdir().expect("tempdir");
        build(tmp.path(), init);
        std::fs::write(tmp.path().join("msg"), "x\n\nAI-Assisted-by: claude:x\n").expect("write");
        let run = || {
            let mut cmd = Command::new(bin_dir().join("tiergate-commit-msg"));
            hermetic(&mut cmd).current_dir(tmp.path()).arg("msg");
            output(&mut cmd)
        };
        // Nothing staged in a forbidden tier: the declared commit passes.
        std::fs::write(tmp.path().join("docs/y.md"), "y\n").expect("write");
        git(tmp.path(), &["add", "docs/y.md"]);
        let out = run();
        assert_code(&out, 0);
        // A staged change in crypto/: refused, read through `git
        // diff-index --cached` (libgit2 cannot open these formats).
        std::fs::write(tmp.path().join("crypto/new.c"), "n\n").expect("write");
        git(tmp.path(), &["add", "crypto/new.c"]);
        let out = run();
        assert_code(&out, 1);
        assert!(
            stderr(&out).contains("error[ai-forbidden-tier]"),
            "{name}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("crypto/new.c"),
            "{name}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn pre_receive_judges_sha256_and_reftable_servers() {
    for (name, init) in &FORMATS[1..] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let work = tmp.path().join("work");
        std::fs::create_dir(&work).expect("mkdir");
        build(&work, init);
        let bare = tmp.path().join("srv.git");
        let mut args = vec!["init", "-q", "--bare", "-b", "main"];
        args.extend_from_slice(init);
        args.push("srv.git");
        git(tmp.path(), &args);
        // The server starts with the root commit (policy.yaml at HEAD).
        git(
            &work,
            &["push", "-q", "../srv.git", "main~5:refs/heads/main"],
        );
        let audit = tmp.path().join("audit.jsonl");
        install_server(&bare, &["--audit-log", audit.to_str().expect("utf-8")]);
        let push = |refspec: &str| output(git_cmd(&work).args(["push", "../srv.git", refspec]));
        // A declared commit in docs/: accepted.
        let out = push("main~4:refs/heads/docs");
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        // Declared and touching crypto/: refused, with the rule.
        let out = push("main~3:refs/heads/crypto");
        assert!(!out.status.success(), "{name}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("error[ai-forbidden-tier]"),
            "{name}: {}",
            stderr(&out)
        );
        let out = output(git_cmd(&bare).args(["for-each-ref", "refs/heads/crypto"]));
        assert_eq!(stdout(&out), "", "{name}: refused ref");
        // The whole history: refused; the audit log has every decision.
        let out = push("main:refs/heads/all");
        assert!(!out.status.success(), "{name}: {}", stderr(&out));
        let text = std::fs::read_to_string(&audit).expect("audit log");
        let records: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect();
        assert_eq!(records.len(), 3, "{name}: {text}");
        assert_eq!(records[0]["verdict"], "pass", "{name}: {text}");
        assert_eq!(records[1]["verdict"], "fail", "{name}: {text}");
        assert_eq!(records[2]["verdict"], "fail", "{name}: {text}");
        let rules: Vec<&str> = records[2]["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .filter_map(|v| v["rule"].as_str())
            .collect();
        assert!(rules.contains(&"undeclared-ai"), "{name}: {text}");
        assert!(rules.contains(&"ai-forbidden-tier"), "{name}: {text}");
    }
}

/// `text` with `dir` replaced by `<dir>` and every commit id of the
/// repository at `dir` (full, or abbreviated to 12 or 7 digits) replaced
/// by `<subject>`, so outputs of the same history in different formats
/// compare equal.
fn without_ids(dir: &Path, text: &str) -> String {
    let out = output(git_cmd(dir).args(["log", "--all", "--format=%H%x09%s"]));
    assert_code(&out, 0);
    let mut ids: Vec<(String, String)> = stdout(&out)
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(id, subject)| (id.to_owned(), format!("<{subject}>")))
        .collect();
    // Full ids before their prefixes.
    ids.sort_by_key(|(id, _)| std::cmp::Reverse(id.len()));
    let mut text = text.to_owned();
    // The policy's source names the temporary directory.
    if let Ok(real) = std::fs::canonicalize(dir) {
        text = text.replace(real.to_str().expect("utf-8"), "<dir>");
    }
    text = text.replace(dir.to_str().expect("utf-8"), "<dir>");
    for (id, label) in &ids {
        text = text.replace(id.as_str(), label);
    }
    for len in [12, 7] {
        for (id, label) in &ids {
            text = text.replace(&id[..len], label);
        }
    }
    text
}

/// Run `args` in every format; the outputs (ids replaced) and exit codes
/// must be those of the libgit2 path on the SHA-1 history.
fn same_in_every_format(args: &[&str], code: i32) {
    let mut baseline: Option<String> = None;
    for (name, init) in FORMATS {
        let tmp = tempfile::tempdir().expect("tempdir");
        build(tmp.path(), init);
        let out = tiergate(tmp.path(), args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{name} {args:?}: {}",
            stderr(&out)
        );
        let got = without_ids(tmp.path(), &stdout(&out));
        match &baseline {
            None => {
                eprintln!("{args:?}:\n{got}");
                assert!(!got.trim().is_empty(), "{args:?}: no output");
                baseline = Some(got);
            }
            Some(want) => assert_eq!(&got, want, "{name} {args:?} differs from the libgit2 path"),
        }
    }
}

#[test]
fn classify_rev_is_the_same_in_every_format() {
    same_in_every_format(&["classify", "--rev", "--all"], 0);
    same_in_every_format(
        &["classify", "--format", "json", "--rev", "main~2..main"],
        0,
    );
}

/// The tree listing (`git ls-tree -r` through git for SHA-256 and
/// reftable) gives the same map.
#[test]
fn classify_tree_is_the_same_in_every_format() {
    same_in_every_format(&["classify", "--tree", "main"], 0);
    same_in_every_format(&["classify", "--format", "json", "--tree", "main~1"], 0);
}

#[test]
fn show_is_the_same_in_every_format() {
    same_in_every_format(
        &["show", "HEAD", "main~1", "main~2", "main~1^2", "main~5"],
        1,
    );
    same_in_every_format(&["show", "--format", "json", "main~1", "main~4"], 1);
    same_in_every_format(&["show", "main~4"], 0);
}

#[test]
fn report_is_the_same_in_every_format() {
    same_in_every_format(&["report"], 0);
    same_in_every_format(&["report", "--format", "json", "--all"], 0);
    same_in_every_format(&["report", "--format", "csv", "--table", "paths"], 0);
}

#[test]
fn bad_revisions_are_usage_errors_in_every_format() {
    for (name, init) in FORMATS {
        let tmp = tempfile::tempdir().expect("tempdir");
        build(tmp.path(), init);
        for args in [
            &["classify", "--rev", "nope..main"][..],
            &["show", "nope"],
            &["report", "nope..main"],
        ] {
            let out = tiergate(tmp.path(), args);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{name} {args:?}: {}",
                stderr(&out)
            );
        }
        // Without a policy: a usage error too, the same as with libgit2.
        std::fs::remove_file(tmp.path().join("policy.yaml")).expect("rm");
        let out = tiergate(tmp.path(), &["show"]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("no policy"),
            "{name}: {}",
            stderr(&out)
        );
    }
}

/// A declared commit whose tree is 3,000 directories deep: in SHA-1 the
/// libgit2 path stops its diff at git's `core.maxTreeDepth` (2048), in
/// SHA-256 `git diff-tree` itself stops there; both refuse the commit as
/// `tree-too-deep` (the plumbing path cannot say where: git does not).
#[test]
fn a_tree_deeper_than_git_allows_is_refused_in_every_format() {
    for (name, init) in [FORMATS[0], FORMATS[1]] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        let mut args = vec!["init", "-q", "-b", "main"];
        args.extend_from_slice(init);
        args.push(".");
        git(dir, &args);
        commit(dir, &[("policy.yaml", POLICY)], "root");
        let path = format!("{}f", "d/".repeat(3000));
        let message = "deep\n\nAI-Assisted-by: claude:claude-sonnet-4\n";
        let stream = format!(
            "commit refs/heads/main\ncommitter C <c@example.com> 1700000000 +0000\n\
             data {}\n{message}\nfrom refs/heads/main^0\nM 100644 inline {path}\ndata 2\nx\n\n",
            message.len()
        );
        let out = support::server::run_stdin(
            git_cmd(dir).args(["fast-import", "--quiet"]),
            stream.as_bytes(),
        );
        assert_code(&out, 0);
        let out = tiergate(dir, &["check", "--format", "json", "main^..main"]);
        assert_code(&out, 1);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let violations = &doc["commits"][0]["violations"];
        assert_eq!(
            violations.as_array().map(Vec::len),
            Some(1),
            "{name}: {doc}"
        );
        assert_eq!(violations[0]["rule"], "tree-too-deep", "{name}: {doc}");
        let message = violations[0]["message"].as_str().expect("message");
        let want = if name == "sha1" {
            "is nested 2049 levels deep, deeper than git's core.maxTreeDepth (2048)"
        } else {
            "nested deeper than 2048 levels (git's core.maxTreeDepth)"
        };
        assert!(message.contains(want), "{name}: {message}");
    }
}
