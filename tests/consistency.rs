//! Every entry point judges the same commit the same way, in every
//! repository format: `tiergate check --format json`, `tiergate report
//! --format json`, `tiergate show --format json`, the pre-push hook and
//! the pre-receive hook all read the repository through one layer
//! (`tiergate_core::repo`) and judge with one engine.
//!
//! The history, in a SHA-1, a SHA-256 and a reftable repository:
//! - a commit whose message and author are ISO-8859-1 (`git -c
//!   i18n.commitEncoding=ISO-8859-1 commit`) with an undeclared AI
//!   co-author: `undeclared-ai`, seen only once the message is decoded
//!   the way `git log` shows it;
//! - a declared commit in docs/ on a side branch: passes;
//! - an evil merge: declared, and it adds crypto/evil.c, which no parent
//!   has: `ai-forbidden-tier`;
//! - a declared tip in docs/: passes, except where it is the boundary of a
//!   shallow clone (`clone --depth 1`): git shows it as a root whose whole
//!   tree (crypto/ included) is new, so `ai-forbidden-tier` (in the clone,
//!   and on a server that takes the shallow push);
//! - a commit whose `encoding` header says UTF-7, which tiergate cannot
//!   read: every entry point refuses to judge it (the commands exit 3, the
//!   server refuses the push with `unreadable-encoding`).

mod server_support;

use server_support::{
    assert_code, bin_dir, git, git_cmd, hermetic, install, output, run_stdin, stderr, stdout,
    DECLARED, POLICY,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

const FORMATS: &[(&str, &[&str])] = &[
    ("sha1", &[]),
    ("sha256", &["--object-format=sha256"]),
    ("reftable", &["--ref-format=reftable"]),
];

/// Rule codes (sorted) of every commit with violations, by commit id.
type Verdicts = BTreeMap<String, Vec<String>>;

/// The `tiergate` binary, a binary of another package of the workspace:
/// built by `cargo test --workspace` (or `cargo build`).
fn tiergate_bin() -> std::path::PathBuf {
    let bin = bin_dir().join("tiergate");
    assert!(
        bin.is_file(),
        "{} is not built: run `cargo build -p tiergate` first",
        bin.display()
    );
    bin
}

fn tiergate(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(tiergate_bin());
    hermetic(&mut cmd).current_dir(dir).args(args);
    output(&mut cmd)
}

fn commit(dir: &Path, files: &[(&str, &str)], message: &str) -> String {
    for (rel, content) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
    git(dir, &["rev-parse", "HEAD"]).trim().to_owned()
}

/// The history of the module documentation in a new repository at `dir`;
/// the ids of the Latin-1 commit, the evil merge, the tip of `main` and
/// the UTF-7 commit (on branch `utf7`).
fn build(dir: &Path, init: &[&str]) -> (String, String, String, String) {
    let mut args = vec!["init", "-q", "-b", "main"];
    args.extend_from_slice(init);
    args.push(".");
    git(dir, &args);
    commit(
        dir,
        &[
            ("policy.yaml", POLICY),
            ("src/a.c", "a\n"),
            ("crypto/k.c", "k\n"),
        ],
        "root",
    );
    std::fs::write(dir.join("src/b.c"), "b\n").expect("write");
    git(dir, &["add", "-A"]);
    std::fs::write(
        dir.join("latin1.msg"),
        b"Caf\xe9 fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    )
    .expect("write");
    let mut latin = git_cmd(dir);
    latin.args([
        "-c",
        "i18n.commitEncoding=ISO-8859-1",
        "commit",
        "-q",
        "-F",
        "latin1.msg",
    ]);
    assert_code(&output(&mut latin), 0);
    std::fs::remove_file(dir.join("latin1.msg")).expect("rm");
    let latin1 = git(dir, &["rev-parse", "HEAD"]).trim().to_owned();
    git(dir, &["checkout", "-q", "-b", "side", "main~1"]);
    commit(
        dir,
        &[("docs/side.md", "s\n")],
        &format!("docs: side\n\n{DECLARED}\n"),
    );
    git(dir, &["checkout", "-q", "main"]);
    git(dir, &["merge", "-q", "--no-ff", "--no-commit", "side"]);
    let merge = commit(
        dir,
        &[("crypto/evil.c", "e\n")],
        &format!("merge side\n\n{DECLARED}\n"),
    );
    let tip = commit(
        dir,
        &[("docs/tip.md", "t\n")],
        &format!("docs: tip\n\n{DECLARED}\n"),
    );
    // UTF-7 hides the marker from byte matching (`+AEM-` is `C`); git
    // writes such a commit only when asked to take it literally.
    let tree = git(dir, &["rev-parse", "HEAD^{tree}"]).trim().to_owned();
    let raw = format!(
        "tree {tree}\nparent {tip}\nauthor A <a@example.com> 1700000000 +0000\ncommitter C <c@example.com> 1700000000 +0000\nencoding UTF-7\n\nFix\n\n+AEM-o-authored-by: Claude <noreply@anthropic.com>\n"
    );
    let out = run_stdin(
        git_cmd(dir).args([
            "hash-object",
            "-t",
            "commit",
            "-w",
            "--literally",
            "--stdin",
        ]),
        raw.as_bytes(),
    );
    assert_code(&out, 0);
    let utf7 = stdout(&out).trim().to_owned();
    git(dir, &["update-ref", "refs/heads/utf7", &utf7]);
    (latin1, merge, tip, utf7)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

fn rules_of(violations: &serde_json::Value) -> Vec<String> {
    let mut rules: Vec<String> = violations
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| v["rule"].as_str().expect("rule").to_owned())
        .collect();
    rules.sort();
    rules
}

/// The verdicts of a `check`-shaped JSON document (`commits`, each with
/// `id` and `violations`), and the ids whose `ai` field (a JSON pointer
/// into the commit) is true.
fn verdicts_at(doc: &serde_json::Value, ai: &str) -> (Verdicts, Vec<String>) {
    let mut verdicts = Verdicts::new();
    let mut assisted = Vec::new();
    for c in doc["commits"].as_array().expect("commits") {
        let id = c["id"].as_str().expect("id").to_owned();
        if c.pointer(ai) == Some(&serde_json::Value::Bool(true)) {
            assisted.push(id.clone());
        }
        let rules = rules_of(&c["violations"]);
        if !rules.is_empty() {
            verdicts.insert(id, rules);
        }
    }
    assisted.sort();
    (verdicts, assisted)
}

/// [`verdicts_at`] of the documents of `check` and the pre-push hook.
fn verdicts(doc: &serde_json::Value) -> (Verdicts, Vec<String>) {
    verdicts_at(doc, "/ai_assisted")
}

/// The commits `git rev-list ARGS` lists in `dir`.
fn rev_list(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut cmd = git_cmd(dir);
    cmd.arg("rev-list").args(args);
    stdout(&output(&mut cmd))
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `show --format json` of every commit of `ids`: verdicts and AI flags.
fn show_all(dir: &Path, ids: &[String]) -> (Verdicts, Vec<String>) {
    let mut args = vec!["--format", "json", "show"];
    args.extend(ids.iter().map(String::as_str));
    let out = tiergate(dir, &args);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    verdicts_at(&json(&out), "/provenance/ai_assisted")
}

/// `report --format json ARGS`: AI-assisted commits and violations by
/// rule, over the whole range.
fn report_totals(dir: &Path, args: &[&str]) -> (u64, u64, BTreeMap<String, u64>) {
    let mut all = vec!["--format", "json", "report"];
    all.extend_from_slice(args);
    let out = tiergate(dir, &all);
    assert_code(&out, 0);
    let doc = json(&out);
    let totals = &doc["totals"];
    let by_rule = totals["by_rule"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_u64().filter(|&n| n > 0).map(|n| (k.clone(), n)))
                .collect()
        })
        .unwrap_or_default();
    (
        totals["commits"]
            .as_u64()
            .unwrap_or_else(|| panic!("{doc}")),
        totals["ai_assisted"]
            .as_u64()
            .unwrap_or_else(|| panic!("{doc}")),
        by_rule,
    )
}

/// Violations counted by rule.
fn counted(verdicts: &Verdicts) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for rules in verdicts.values() {
        for rule in rules {
            *counts.entry(rule.clone()).or_insert(0) += 1;
        }
    }
    counts
}

/// `tiergate --format json hook pre-push` in `dir`, pushing `tip` as a new
/// branch to the repository at `remote`, named by its path as `git push
/// PATH` names it (no remote-tracking refs stand for it).
fn pre_push(dir: &Path, tip: &str, remote: &str) -> Output {
    let zero = "0".repeat(tip.len());
    let stdin = format!("refs/heads/main {tip} refs/heads/main {zero}\n");
    let mut cmd = Command::new(tiergate_bin());
    hermetic(&mut cmd)
        .current_dir(dir)
        .args(["--format", "json", "hook", "pre-push", remote, remote]);
    run_stdin(&mut cmd, stdin.as_bytes())
}

/// An empty bare repository `name` in `tmp`, in the format `init`.
fn empty_remote(tmp: &Path, name: &str, init: &[&str]) -> std::path::PathBuf {
    let mut args = vec!["init", "-q", "--bare"];
    args.extend_from_slice(init);
    args.push(name);
    git(tmp, &args);
    tmp.join(name)
}

/// A bare repository `name` in `tmp`, in the format `init`,
/// with the pre-receive hook installed (policy from `policy`, audit log
/// `audit`); its path.
fn server(tmp: &Path, name: &str, init: &[&str], policy: &Path, audit: &Path) -> String {
    let bare = empty_remote(tmp, name, init);
    let out = install(&[
        "--server",
        bare.to_str().expect("utf-8"),
        "--no-build",
        "--bin-dir",
        bin_dir().to_str().expect("utf-8"),
        "--policy",
        policy.to_str().expect("utf-8"),
        "--audit-log",
        audit.to_str().expect("utf-8"),
    ]);
    assert_code(&out, 0);
    bare.to_str().expect("utf-8").to_owned()
}

/// The violations of the last audit record, by commit.
fn audited(audit: &Path) -> (String, Verdicts) {
    let text = std::fs::read_to_string(audit).expect("audit log");
    let last: serde_json::Value =
        serde_json::from_str(text.lines().last().expect("a record")).expect("JSON");
    let mut verdicts = Verdicts::new();
    for v in last["violations"].as_array().expect("violations") {
        let id = v["commit"].as_str().unwrap_or("").to_owned();
        verdicts
            .entry(id)
            .or_default()
            .push(v["rule"].as_str().expect("rule").to_owned());
    }
    for rules in verdicts.values_mut() {
        rules.sort();
    }
    (last["verdict"].as_str().unwrap_or("").to_owned(), verdicts)
}

#[test]
fn every_entry_point_agrees_in_every_format() {
    for (name, init) in FORMATS {
        let tmp = tempfile::tempdir().expect("tempdir");
        let work = tmp.path().join("work");
        std::fs::create_dir(&work).expect("mkdir");
        let (latin1, merge, tip, utf7) = build(&work, init);
        let policy = work.join("policy.yaml");
        let want: Verdicts = [
            (latin1.clone(), vec!["undeclared-ai".to_owned()]),
            (merge.clone(), vec!["ai-forbidden-tier".to_owned()]),
        ]
        .into_iter()
        .collect();

        // check: every commit of main.
        let out = tiergate(&work, &["--format", "json", "check", "main"]);
        assert_code(&out, 1);
        let (checked, _) = verdicts(&json(&out));
        assert_eq!(checked, want, "{name}: check");

        // show: the same verdicts, and which commits are AI-assisted.
        let ids = rev_list(&work, &["main"]);
        assert_eq!(ids.len(), 5, "{name}");
        let (shown, ai) = show_all(&work, &ids);
        assert_eq!(shown, want, "{name}: show");
        let mut want_ai = vec![latin1.clone(), merge.clone(), tip.clone()];
        want_ai.push(rev_list(&work, &["-1", "side"])[0].clone());
        want_ai.sort();
        assert_eq!(ai, want_ai, "{name}: AI-assisted (show)");

        // report: the same AI-assisted commits and violations.
        let (commits, ai_assisted, by_rule) = report_totals(&work, &["main"]);
        assert_eq!(commits, 5, "{name}: report");
        assert_eq!(ai_assisted, want_ai.len() as u64, "{name}: report");
        assert_eq!(by_rule, counted(&want), "{name}: report");

        // pre-push: pushing main to an empty remote judges every commit.
        let empty = empty_remote(tmp.path(), "empty.git", init);
        let out = pre_push(&work, &tip, empty.to_str().expect("utf-8"));
        assert_code(&out, 1);
        let (pushed, _) = verdicts(&json(&out));
        assert_eq!(pushed, want, "{name}: pre-push");

        // pre-receive: the same push, refused for the same commits.
        let audit = tmp.path().join("audit.jsonl");
        let bare = server(tmp.path(), "srv.git", init, &policy, &audit);
        let out = output(git_cmd(&work).args(["push", &bare, "main"]));
        assert!(!out.status.success(), "{name}: {}", stderr(&out));
        let (verdict, received) = audited(&audit);
        assert_eq!(verdict, "fail", "{name}");
        assert_eq!(received, want, "{name}: pre-receive");

        // UTF-7: no entry point judges what it cannot read.
        let range = format!("main..{utf7}");
        let unreadable = format!("commit {utf7}: encoding `UTF-7` is not one tiergate can read");
        for args in [
            vec!["check", range.as_str()],
            vec!["report", range.as_str()],
            vec!["show", utf7.as_str()],
        ] {
            let out = tiergate(&work, &args);
            assert_code(&out, 3);
            assert!(
                stderr(&out).contains(&unreadable),
                "{name} {args:?}: {}",
                stderr(&out)
            );
        }
        let out = pre_push(&work, &utf7, empty.to_str().expect("utf-8"));
        assert_code(&out, 3);
        assert!(
            stderr(&out).contains(&unreadable),
            "{name}: {}",
            stderr(&out)
        );
        let out = output(git_cmd(&work).args(["push", &bare, "utf7"]));
        assert!(!out.status.success(), "{name}: {}", stderr(&out));
        let (verdict, received) = audited(&audit);
        assert_eq!(verdict, "fail", "{name}");
        assert_eq!(
            received.get(&utf7),
            Some(&vec!["unreadable-encoding".to_owned()]),
            "{name}: pre-receive, UTF-7: {received:?}"
        );

        // A shallow clone's boundary: a root whose whole tree is new.
        let url = format!("file://{}", work.display());
        let mut args = vec!["clone", "-q", "--depth", "1", "--branch", "main"];
        if init.contains(&"--ref-format=reftable") {
            args.push("--ref-format=reftable");
        }
        args.extend([url.as_str(), "shallow"]);
        git(tmp.path(), &args);
        let shallow = tmp.path().join("shallow");
        let want_shallow: Verdicts = [(tip.clone(), vec!["ai-forbidden-tier".to_owned()])]
            .into_iter()
            .collect();
        let out = tiergate(&shallow, &["--format", "json", "check", "HEAD"]);
        assert_code(&out, 1);
        assert_eq!(
            verdicts(&json(&out)).0,
            want_shallow,
            "{name}: shallow check"
        );
        let (shown, _) = show_all(&shallow, std::slice::from_ref(&tip));
        assert_eq!(shown, want_shallow, "{name}: shallow show");
        let (commits, _, by_rule) = report_totals(&shallow, &["HEAD"]);
        assert_eq!(commits, 1, "{name}: shallow report");
        assert_eq!(by_rule, counted(&want_shallow), "{name}: shallow report");
        let empty2 = empty_remote(tmp.path(), "empty2.git", init);
        let out = pre_push(&shallow, &tip, empty2.to_str().expect("utf-8"));
        assert_code(&out, 1);
        assert_eq!(
            verdicts(&json(&out)).0,
            want_shallow,
            "{name}: shallow pre-push"
        );
        // The same push to a server that takes shallow pushes
        // (`receive.shallowUpdate`): git hands the hook the boundary in
        // GIT_SHALLOW_FILE, and the server judges it as a root too.
        let audit2 = tmp.path().join("audit2.jsonl");
        let bare2 = server(tmp.path(), "srv2.git", init, &policy, &audit2);
        git(
            Path::new(&bare2),
            &["config", "receive.shallowUpdate", "true"],
        );
        let out = output(git_cmd(&shallow).args(["push", &bare2, "main"]));
        assert!(!out.status.success(), "{name}: {}", stderr(&out));
        let (verdict, received) = audited(&audit2);
        assert_eq!(verdict, "fail", "{name}: {}", stderr(&out));
        assert_eq!(received, want_shallow, "{name}: shallow pre-receive");

        // A pusher chooses what its push lists as shallow: a commit whose
        // parent the server has is still judged against that parent, so
        // an AI commit that deletes crypto/k.c cannot pass as a root whose
        // tree simply lacks the file.
        let root = rev_list(&work, &["--max-parents=0", "main"])[0].clone();
        let out = output(git_cmd(&work).args(["push", &bare2, &format!("{root}:refs/heads/root")]));
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        git(&work, &["checkout", "-q", "-b", "drop", &root]);
        git(&work, &["rm", "-q", "crypto/k.c"]);
        let drop = commit(&work, &[], &format!("crypto: drop k\n\n{DECLARED}\n"));
        let shallow_file = git(&work, &["rev-parse", "--git-path", "shallow"]);
        std::fs::write(work.join(shallow_file.trim()), format!("{drop}\n")).expect("write");
        let out = output(git_cmd(&work).args(["push", &bare2, "drop"]));
        assert!(!out.status.success(), "{name}: {}", stderr(&out));
        let (_, received) = audited(&audit2);
        let want_drop: Verdicts = [(drop.clone(), vec!["ai-forbidden-tier".to_owned()])]
            .into_iter()
            .collect();
        assert_eq!(received, want_drop, "{name}: forged shallow pre-receive");
        // The deletion itself, not the tree (whose policy.yaml is in the
        // strictest tier too).
        let text = std::fs::read_to_string(&audit2).expect("audit log");
        let last: serde_json::Value =
            serde_json::from_str(text.lines().last().expect("a record")).expect("JSON");
        assert_eq!(
            last["violations"][0]["paths"],
            serde_json::json!(["crypto/k.c"]),
            "{name}: {last}"
        );
    }
}
