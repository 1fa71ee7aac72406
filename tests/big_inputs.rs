//! Big and unusual inputs, end to end (issue 8): a 10 MB message (`tiergate
//! check` and the commit-msg hook), a commit touching 200,000 paths, a push
//! of 10,000 refs through the real pre-receive hook, non-UTF-8 messages and
//! paths, and commits whose `encoding` header is not UTF-8. Each must get
//! the verdict the design requires; memory and time are measured in
//! BENCHMARKS.md ("Big inputs"), not asserted here.
//!
//! The big repositories are built with git plumbing (`fast-import`,
//! `update-index --index-info`, `write-tree`, `commit-tree`), not a
//! working tree, so building them costs little.
//!
//! Runs in the tiergate-hooks package (the hook binaries); `tiergate check`
//! is the `tiergate` binary next to them, which `cargo test --workspace`
//! builds (`support::tiergate_bin`).

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;
use support::server::{
    assert_code, bin_dir, git, git_cmd, hermetic, output, run_stdin, stderr, stdout, tiergate_bin,
    Server, DECLARED,
};

/// An AI co-author line (a builtin marker).
const CLAUDE: &str = "Co-authored-by: Claude <noreply@anthropic.com>";

/// `tiergate ARGS` in `dir`, hermetic.
fn tiergate(bin: &Path, dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(bin);
    hermetic(&mut cmd).current_dir(dir).args(args);
    output(&mut cmd)
}

/// `tiergate check --format json RANGE` in `dir`: exit code and document.
fn check_json(bin: &Path, dir: &Path, range: &str) -> (Option<i32>, serde_json::Value) {
    let out = tiergate(bin, dir, &["check", "--format", "json", range]);
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "tiergate check printed no JSON ({e}); stderr: {}",
            stderr(&out)
        )
    });
    (out.status.code(), doc)
}

/// The rule codes of every violation in a check document.
fn rules(doc: &serde_json::Value) -> Vec<String> {
    doc["commits"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["violations"].as_array().into_iter().flatten())
        .map(|v| v["rule"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Run `git fast-import --quiet` in `dir` on `stream`; asserts success.
fn fast_import(dir: &Path, stream: &[u8]) {
    let out = run_stdin(git_cmd(dir).args(["fast-import", "--quiet"]), stream);
    assert!(out.status.success(), "fast-import: {}", stderr(&out));
}

/// A fast-import `commit` command on `branch` (continuing from its tip,
/// or from `from`), with a raw `message` and `files` (raw paths).
fn fi_commit(branch: &str, from: Option<&str>, message: &[u8], files: &[&[u8]]) -> Vec<u8> {
    let mut s = Vec::new();
    s.extend_from_slice(format!("commit refs/heads/{branch}\n").as_bytes());
    s.extend_from_slice(b"author A U Thor <author@example.com> 1700000000 +0000\n");
    s.extend_from_slice(b"committer C O Mitter <committer@example.com> 1700000000 +0000\n");
    s.extend_from_slice(format!("data {}\n", message.len()).as_bytes());
    s.extend_from_slice(message);
    s.push(b'\n');
    if let Some(from) = from {
        s.extend_from_slice(format!("from {from}\n").as_bytes());
    }
    for path in files {
        s.extend_from_slice(b"M 100644 inline ");
        s.extend_from_slice(path);
        s.extend_from_slice(b"\ndata 2\nx\n\n");
    }
    s
}

/// A message of about `size` bytes: title, prose, then `tail` as the last
/// paragraph.
fn big_message(size: usize, tail: &str) -> Vec<u8> {
    let mut m = b"crypto: speed up AES\n\n".to_vec();
    let line = b"This paragraph explains the change at great length, again and again.\n";
    while m.len() < size {
        m.extend_from_slice(line);
    }
    m.extend_from_slice(format!("\n{tail}\n").as_bytes());
    m
}

// ---------------------------------------------------------------------------

#[test]
fn ten_megabyte_messages() {
    let t0 = Instant::now();
    let s = Server::new();
    // Declared, touching crypto/: ai-forbidden-tier, in check and commit-msg.
    let declared = big_message(10 << 20, DECLARED);
    s.write("crypto/aes.c", "x\n");
    git(&s.work, &["add", "-A"]);
    let file = s.tmp.path().join("msg");
    std::fs::write(&file, &declared).expect("write message");
    let msg_path = file.to_str().expect("utf-8 path");

    let hook = bin_dir().join("tiergate-commit-msg");
    let mut cmd = Command::new(&hook);
    hermetic(&mut cmd).current_dir(&s.work).arg(msg_path);
    let out = output(&mut cmd);
    assert_code(&out, 1);
    assert!(
        stderr(&out).contains("ai-forbidden-tier"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("crypto/aes.c"), "{}", stderr(&out));

    git(
        &s.work,
        &["commit", "-q", "--cleanup=verbatim", "-F", msg_path],
    );
    {
        let bin = tiergate_bin();
        let (code, doc) = check_json(&bin, &s.work, "HEAD~1..HEAD");
        assert_eq!(code, Some(1), "{doc}");
        assert_eq!(rules(&doc), ["ai-forbidden-tier"], "{doc}");
        assert_eq!(doc["commits"][0]["title"], "crypto: speed up AES");
        assert_eq!(
            doc["commits"][0]["violations"][0]["paths"],
            serde_json::json!(["crypto/aes.c"])
        );
    }

    // One 10 MB line, then an undeclared AI co-author: undeclared-ai.
    let mut one_line = b"docs: a title\n\n".to_vec();
    one_line.extend(std::iter::repeat_n(b'x', 10 << 20));
    one_line.extend_from_slice(format!("\n\n{CLAUDE}\n").as_bytes());
    std::fs::write(&file, &one_line).expect("write message");
    let mut cmd = Command::new(&hook);
    hermetic(&mut cmd).current_dir(&s.work).arg(msg_path);
    let out = output(&mut cmd);
    assert_code(&out, 1);
    assert!(stderr(&out).contains("undeclared-ai"), "{}", stderr(&out));

    // The same through the server: the declared 10 MB commit is refused.
    let out = s.push(&["origin", "HEAD:refs/heads/big"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(s.remote_rev("refs/heads/big").is_none());
    let audit = s.last_audit();
    assert_eq!(audit["verdict"], "fail", "{audit}");
    eprintln!(
        "10 MB messages: {:.1?} (the hook: {} ms)",
        t0.elapsed(),
        audit["elapsed_ms"]
    );
}

#[test]
fn commit_touching_200000_paths() {
    const PATHS: usize = 200_000;
    const CRYPTO: usize = 250;
    let t0 = Instant::now();
    let s = Server::new();
    let work = &s.work;
    // Index of HEAD plus 200,000 new files (one blob), in a scratch index.
    let blob = git(work, &["hash-object", "-w", "--stdin"]);
    let blob = blob.trim();
    let index = s.tmp.path().join("big.index");
    let index_s = index.to_str().expect("utf-8 path");
    let mut read_tree = git_cmd(work);
    read_tree
        .env("GIT_INDEX_FILE", index_s)
        .args(["read-tree", "HEAD"]);
    assert_code(&output(&mut read_tree), 0);
    let mut lines = Vec::with_capacity(PATHS * 40);
    for i in 0..PATHS {
        let path = if i < CRYPTO {
            format!("crypto/f{i:06}.c")
        } else {
            format!("src/d{:03}/f{i:06}.c", i / 1000)
        };
        lines.extend_from_slice(format!("100644 {blob}\t{path}\n").as_bytes());
    }
    let mut update = git_cmd(work);
    update
        .env("GIT_INDEX_FILE", index_s)
        .args(["update-index", "--index-info"]);
    let out = run_stdin(&mut update, &lines);
    assert!(out.status.success(), "update-index: {}", stderr(&out));
    let mut write_tree = git_cmd(work);
    write_tree.env("GIT_INDEX_FILE", index_s).arg("write-tree");
    let out = output(&mut write_tree);
    assert_code(&out, 0);
    let tree = stdout(&out).trim().to_owned();
    let message = format!("Add generated tables\n\n{DECLARED}\n");
    let commit = git(work, &["commit-tree", &tree, "-p", "HEAD", "-m", &message]);
    let commit = commit.trim();
    git(work, &["update-ref", "refs/heads/huge", commit]);
    eprintln!("200,000 paths: built in {:.1?}", t0.elapsed());

    let bin = tiergate_bin();
    let t1 = Instant::now();
    let (code, doc) = check_json(&bin, work, "main..huge");
    eprintln!("200,000 paths: tiergate check in {:.1?}", t1.elapsed());
    assert_eq!(
        code,
        Some(1),
        "{}",
        &doc.to_string()[..500.min(doc.to_string().len())]
    );
    assert_eq!(rules(&doc), ["ai-forbidden-tier"]);
    let violation = &doc["commits"][0]["violations"][0];
    assert_eq!(violation["tier"], "critical");
    let paths = violation["paths"].as_array().expect("paths");
    assert_eq!(paths.len(), CRYPTO);
    assert_eq!(paths[0], "crypto/f000000.c");
    assert_eq!(
        doc["commits"][0]["tiers"],
        serde_json::json!(["critical", "core"])
    );
    // Human output lists the first few and the count of the rest.
    let out = tiergate(&bin, work, &["check", "main..huge"]);
    assert_code(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("    crypto/f000000.c\n"), "{text}");
    assert!(text.contains("more"), "{text}");
    assert!(text.lines().count() < 40, "{text}");
}

#[test]
fn push_of_10000_refs() {
    const REFS: usize = 10_000;
    let t0 = Instant::now();
    let s = Server::new();
    // git fsyncs every loose ref it writes: 10,000 of them cost seconds of
    // system time, none of it tiergate's. Not a test of the disk.
    git(&s.bare, &["config", "core.fsync", "none"]);
    git(&s.work, &["config", "core.fsync", "none"]);
    let clean = s.commit(&[("docs/a.md", "a\n")], "docs: add a\n");
    let bad = {
        git(&s.work, &["checkout", "-q", "-b", "ai", "main~1"]);
        let id = s.commit(
            &[("crypto/aes.c", "x\n")],
            &support::server::declared("crypto: AES"),
        );
        git(&s.work, &["checkout", "-q", "main"]);
        id
    };
    let refs = |prefix: &str, odd_one: Option<&str>| {
        let mut cmds = String::new();
        for i in 0..REFS {
            let target = match odd_one {
                Some(id) if i == REFS / 2 => id,
                _ => clean.as_str(),
            };
            cmds.push_str(&format!("create refs/heads/{prefix}/{i:05} {target}\n"));
        }
        let out = run_stdin(
            git_cmd(&s.work).args(["update-ref", "--stdin"]),
            cmds.as_bytes(),
        );
        assert!(out.status.success(), "update-ref: {}", stderr(&out));
    };

    // 10,000 refs at a clean commit: accepted, one audit record.
    refs("ok", None);
    let out = s.push(&["origin", "refs/heads/ok/*:refs/heads/ok/*"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let audit = s.last_audit();
    assert_eq!(audit["verdict"], "pass", "{}", &audit.to_string()[..300]);
    assert_eq!(
        git(
            &s.bare,
            &["for-each-ref", "--count=20000", "refs/heads/ok/"]
        )
        .lines()
        .count(),
        REFS
    );

    // 10,000 refs, one of them at a declared commit touching crypto/: the
    // whole push is refused.
    refs("mix", Some(&bad));
    let out = s.push(&["origin", "refs/heads/mix/*:refs/heads/mix/*"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("ai-forbidden-tier"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        git(&s.bare, &["for-each-ref", "refs/heads/mix/"]),
        "",
        "no ref of a refused push"
    );
    let audit = s.last_audit();
    assert_eq!(audit["verdict"], "fail");
    let text = audit.to_string();
    assert!(text.contains(&bad), "{}", &text[..300.min(text.len())]);
    eprintln!("10,000 refs: two pushes in {:.1?}", t0.elapsed());
}

#[test]
fn non_utf8_messages_and_paths() {
    let s = Server::new();
    let main = s.rev("main");
    // Latin-1 bytes in the title and trailer block, a path that is not
    // UTF-8 under crypto/, another under docs/.
    let message = b"crypto: caf\xe9 \xff\n\nAI-Assisted-by: claude:claude-sonnet-4\n";
    let stream = fi_commit(
        "bytes",
        Some(&main),
        message,
        &[b"crypto/caf\xe9.c", b"docs/\xff\xfe.md"],
    );
    fast_import(&s.work, &stream);
    {
        let bin = tiergate_bin();
        let (code, doc) = check_json(&bin, &s.work, "main..bytes");
        assert_eq!(code, Some(1), "{doc}");
        assert_eq!(rules(&doc), ["ai-forbidden-tier"], "{doc}");
        assert_eq!(doc["commits"][0]["title"], "crypto: caf\u{fffd} \u{fffd}");
        assert_eq!(
            doc["commits"][0]["violations"][0]["paths"],
            serde_json::json!(["crypto/caf\u{fffd}.c"])
        );
    }
    let out = s.push(&["origin", "bytes"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("ai-forbidden-tier"),
        "{}",
        stderr(&out)
    );

    // Undeclared, marked in an invalid-UTF-8 message: undeclared-ai.
    let message = b"docs: \xff\n\n\xfe\xfe\n\nCo-authored-by: Claude <noreply@anthropic.com>\n";
    fast_import(
        &s.work,
        &fi_commit("marked", Some(&main), message, &[b"docs/\xe9"]),
    );
    let out = s.push(&["origin", "marked"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("undeclared-ai"), "{}", stderr(&out));
    // A plain non-UTF-8 commit, neither declared nor marked, passes.
    let message = b"docs: r\xe9sum\xe9\n\nNothing to declare.\n";
    fast_import(
        &s.work,
        &fi_commit("plain", Some(&main), message, &[b"crypto/\xe9"]),
    );
    let out = s.push(&["origin", "plain"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Write a raw commit object (`git hash-object -t commit`) on top of
/// `parent` with `tree`; its id.
fn raw_commit(dir: &Path, tree: &str, parent: &str, headers: &str, message: &[u8]) -> String {
    let mut raw = format!(
        "tree {tree}\nparent {parent}\nauthor A U Thor <author@example.com> 1700000000 +0000\ncommitter C O Mitter <committer@example.com> 1700000000 +0000\n{headers}\n"
    )
    .into_bytes();
    raw.extend_from_slice(message);
    support::hash_commit(dir, &raw)
}

#[test]
fn commit_encodings() {
    // Without receive.fsckObjects: git's fsck would refuse the UTF-16
    // commit below (`nulInCommit`) before the hook sees it; this test is
    // about what the hook itself does.
    let s = Server::named("srv.git", &["--no-fsck"]);
    // A Latin-1 commit made by git itself: message and author name in
    // ISO-8859-1, an `encoding ISO-8859-1` header; undeclared AI co-author.
    git(&s.work, &["checkout", "-q", "-b", "latin1", "main"]);
    s.write("docs/caf\u{e9}.md", "x\n");
    git(&s.work, &["add", "-A"]);
    let msg = s.tmp.path().join("latin1.msg");
    std::fs::write(
        &msg,
        b"Caf\xe9: fix the menu\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    )
    .expect("write");
    let mut commit = git_cmd(&s.work);
    commit
        .env(
            "GIT_AUTHOR_NAME",
            <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"Ren\xe9 Latin"),
        )
        .args(["-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-q", "-F"])
        .arg(&msg);
    assert_code(&output(&mut commit), 0);
    let raw = git(&s.work, &["cat-file", "commit", "HEAD"]);
    assert!(raw.contains("\nencoding ISO-8859-1\n"), "{raw}");
    assert_eq!(
        git(&s.work, &["log", "-1", "--format=%an|%s"]).trim(),
        "Ren\u{e9} Latin|Caf\u{e9}: fix the menu",
        "git log shows it decoded"
    );
    {
        let bin = tiergate_bin();
        let (code, doc) = check_json(&bin, &s.work, "main..latin1");
        assert_eq!(code, Some(1), "{doc}");
        assert_eq!(rules(&doc), ["undeclared-ai"], "{doc}");
        // Judged (and shown) as git shows it.
        assert_eq!(doc["commits"][0]["title"], "Caf\u{e9}: fix the menu");
    }
    let out = s.push(&["origin", "latin1"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("undeclared-ai"), "{}", stderr(&out));

    // The commit-msg hook decodes the message file by i18n.commitEncoding.
    git(&s.work, &["config", "i18n.commitEncoding", "ISO-8859-1"]);
    let hook = bin_dir().join("tiergate-commit-msg");
    let mut cmd = Command::new(&hook);
    hermetic(&mut cmd).current_dir(&s.work).arg(&msg);
    let out = output(&mut cmd);
    assert_code(&out, 1);
    assert!(stderr(&out).contains("undeclared-ai"), "{}", stderr(&out));
    assert!(stderr(&out).contains("Caf\u{e9}"), "{}", stderr(&out));
    // ... and refuses an encoding it cannot read.
    git(&s.work, &["config", "i18n.commitEncoding", "UTF-7"]);
    let out = output(
        hermetic(&mut Command::new(&hook))
            .current_dir(&s.work)
            .arg(&msg),
    );
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("i18n.commitEncoding: encoding `UTF-7` is not one tiergate can read"),
        "{}",
        stderr(&out)
    );
    git(&s.work, &["config", "--unset", "i18n.commitEncoding"]);

    // UTF-7 hides a marker from byte matching (`+AEM-` is `C`); git log on
    // a system whose iconv has UTF-7 shows `Co-authored-by: Claude`.
    // tiergate cannot read it: `check` stops (exit 3), the server refuses.
    let main = s.rev("main");
    let tree = s.rev("main^{tree}");
    let utf7 = raw_commit(
        &s.work,
        &tree,
        &main,
        "encoding UTF-7\n",
        b"Fix\n\n+AEM-o-authored-by: Claude <noreply@anthropic.com>\n",
    );
    git(&s.work, &["update-ref", "refs/heads/utf7", &utf7]);
    {
        let bin = tiergate_bin();
        let out = tiergate(&bin, &s.work, &["check", "main..utf7"]);
        assert_code(&out, 3);
        assert!(
            stderr(&out).contains(&format!(
                "commit {utf7}: encoding `UTF-7` is not one tiergate can read"
            )),
            "{}",
            stderr(&out)
        );
    }
    let out = s.push(&["origin", "utf7"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error[unreadable-encoding]"),
        "{}",
        stderr(&out)
    );
    let audit = s.last_audit();
    assert_eq!(audit["verdict"], "fail", "{audit}");
    assert_eq!(
        audit["violations"][0]["rule"], "unreadable-encoding",
        "{audit}"
    );
    assert_eq!(audit["violations"][0]["commit"], utf7.as_str(), "{audit}");
    // The whole violation, in the audit log's one shape (that of
    // `tiergate check --format json`, plus `commit` and `title`): no
    // title, it is in the encoding tiergate cannot read.
    assert_eq!(
        audit["violations"][0].to_string(),
        format!(
            "{{\"commit\":\"{utf7}\",\"fix\":\"Write the message in UTF-8 (git's default: unset i18n.commitEncoding) and recreate the commit, e.g. `git commit --amend` or `git rebase -i` with `reword`.\",\"line\":null,\"message\":\"commit declares encoding `UTF-7`, which tiergate cannot read: what git shows cannot be checked\",\"paths\":[],\"rule\":\"unreadable-encoding\",\"tier\":null,\"title\":null}}"
        ),
        "{audit}"
    );
    // UTF-16 (whose NUL bytes git cuts the message at): refused too.
    let mut utf16 = Vec::new();
    for unit in "Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let id = raw_commit(&s.work, &tree, &main, "encoding UTF-16LE\n", &utf16);
    git(&s.work, &["update-ref", "refs/heads/utf16", &id]);
    let out = s.push(&["origin", "utf16"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error[unreadable-encoding]"),
        "{}",
        stderr(&out)
    );
    // A declared Latin-1 commit in an allowed tier passes.
    let ok = raw_commit(
        &s.work,
        &tree,
        &main,
        "encoding latin1\n",
        b"Docs: r\xe9sum\xe9\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    git(&s.work, &["update-ref", "refs/heads/latin1-ok", &ok]);
    let out = s.push(&["origin", "latin1-ok"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A tree 10,000 directories deep (issue 11): git's own default limit,
/// `core.maxTreeDepth`, is 2048, but git still runs pre-receive on a push
/// that brings one (its connectivity check fails too, later). The hook
/// used to recurse once per level and die of a stack overflow (SIGABRT,
/// exit 134) with no audit record; now the commit is refused as
/// `tree-too-deep`, by the server, pre-push and `tiergate check` alike.
#[test]
fn tree_10000_levels_deep() {
    let s = Server::new();
    let deep = [&b"d/".repeat(10_000)[..], b"f"].concat();
    let message = format!("Deep\n\n{DECLARED}\n");
    fast_import(
        &s.work,
        &fi_commit("deep", Some("main"), message.as_bytes(), &[&deep]),
    );
    let id = s.rev("deep");
    let before = s.audit_lines().len();
    // The client's git refuses to pack so deep a tree unless told not to.
    let out = output(git_cmd(&s.work).args([
        "-c",
        "core.maxTreeDepth=100000",
        "push",
        "--no-verify",
        "origin",
        "deep",
    ]));
    assert!(!out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let remote: Vec<&str> = err.lines().filter(|l| l.starts_with("remote: ")).collect();
    let remote = remote.join("\n");
    assert!(
        remote.contains(&format!(
            "remote: error[tree-too-deep]: commit {}",
            &id[..12]
        )),
        "{remote}"
    );
    assert!(
        remote.contains("is nested 2049 levels deep, deeper than git's core.maxTreeDepth (2048)"),
        "{remote}"
    );
    for crash in ["overflow", "signal", "Aborted", "internal error"] {
        assert!(!remote.contains(crash), "{crash}: {remote}");
    }
    assert_eq!(s.remote_rev("deep"), None);
    let audit = s.audit_lines();
    assert_eq!(audit.len(), before + 1, "exactly one record: {audit:?}");
    let record = &audit[before];
    assert_eq!(record["verdict"], "fail", "{record}");
    assert_eq!(record["accepted"], false, "{record}");
    assert_eq!(record["violations"][0]["rule"], "tree-too-deep", "{record}");
    assert_eq!(record["violations"][0]["commit"], id.as_str(), "{record}");

    // The client's pre-push hook, on the same push.
    let line = format!("refs/heads/deep {id} refs/heads/deep {}\n", "0".repeat(40));
    let out = run_stdin(
        hermetic(&mut Command::new(bin_dir().join("tiergate-pre-push")))
            .current_dir(&s.work)
            .args(["origin", &s.url()]),
        line.as_bytes(),
    );
    assert_code(&out, 1);
    assert!(
        stderr(&out).contains(&format!("error[tree-too-deep]: commit {}", &id[..12])),
        "{}",
        stderr(&out)
    );

    {
        let bin = tiergate_bin();
        let (code, doc) = check_json(&bin, &s.work, "main..deep");
        assert_eq!(code, Some(1), "{doc}");
        assert_eq!(rules(&doc), ["tree-too-deep"], "{doc}");
        let out = tiergate(&bin, &s.work, &["check", "main..deep"]);
        assert_code(&out, 1);
        assert!(
            stdout(&out).contains(&format!("error[tree-too-deep]: commit {}", &id[..12])),
            "{}",
            stdout(&out)
        );
    }
}
