//! End to end: stages, exemptions and the baseline (issue 14), with real
//! git, the client hooks installed by install.sh, the server's
//! pre-receive hook, `git am` (applypatch-msg), `tiergate check-patch`,
//! `check` and `report`.
//!
//! - A mailing-list project: `Reviewed-by` is required in `core` at
//!   `receive` and `apply` only. The contributor's AI-declared commit
//!   commits and pushes through the client hooks; the server, `git am`
//!   and `check-patch` refuse it until the trailer is there.
//! - A GitHub-style merge (`git merge --no-ff`, no changes of its own), a
//!   `git revert`, a dependabot commit and a grandfathered commit pass
//!   where the policy exempts them, and are judged where it does not.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use support::server::{
    assert_code, bin_dir, git, git_cmd, hermetic, output, source_dir, stderr, stdout, Server,
};

/// The mailing-list project's policy: AI forbidden in `crypto/`,
/// `Reviewed-by` required in `src/` where a maintainer adds it.
const ML_POLICY: &str = "\
version: 1
tiers:
  - name: critical
    paths: [ \"crypto/\" ]
    ai: forbidden
  - name: core
    paths: [ \"src/\" ]
    require: [ { trailer: Reviewed-by, stages: [receive, apply] } ]
  - name: open
    paths: [ \"docs/\" ]
default_tier: core
";

/// The `tiergate` binary (another package of the workspace).
fn tiergate(dir: &Path, args: &[&str]) -> Output {
    let bin = bin_dir().join("tiergate");
    assert!(
        bin.is_file(),
        "{} is not built: run `cargo build -p tiergate` first",
        bin.display()
    );
    let mut cmd = Command::new(bin);
    hermetic(&mut cmd).current_dir(dir).args(args);
    output(&mut cmd)
}

/// install.sh (client hooks) in the work tree `dir`.
fn install_client(dir: &Path) {
    let mut cmd = Command::new("sh");
    hermetic(&mut cmd);
    cmd.arg(source_dir().join("install.sh"))
        .args([
            "--no-build",
            "--no-check",
            "--bin-dir",
            bin_dir().to_str().expect("utf-8 path"),
        ])
        .current_dir(dir);
    assert_code(&output(&mut cmd), 0);
}

/// A server whose `main` holds `policy` as policy.yaml (pushed before
/// the hook is installed), with the hook installed.
fn server_with(policy: &str) -> Server {
    let s = Server::uninstalled("srv.git");
    s.commit(&[("policy.yaml", policy)], "policy");
    assert_code(&s.push(&["-q", "origin", "main"]), 0);
    s.install(&[]);
    s
}

fn try_git(dir: &Path, args: &[&str]) -> Output {
    output(git_cmd(dir).args(args))
}

#[test]
fn reviewed_by_is_required_where_the_maintainer_adds_it() {
    let s = server_with(ML_POLICY);
    install_client(&s.work);
    let base = s.rev("HEAD");

    // The contributor: an AI-declared change to `core`, no Reviewed-by.
    s.write("src/lib.c", "int x = 1;\n");
    git(&s.work, &["add", "-A"]);
    let out = try_git(
        &s.work,
        &[
            "commit",
            "-q",
            "-m",
            "core: set x\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
        ],
    );
    assert_code(&out, 0);
    let contributed = s.rev("HEAD");

    // CI and `check --stage` on the contributor's side: nothing to say;
    // at the server's stage, the trailer is missing.
    let range = format!("{base}..HEAD");
    assert_code(&tiergate(&s.work, &["check", &range]), 0);
    assert_code(&tiergate(&s.work, &["check", "--stage", "push", &range]), 0);
    let out = tiergate(&s.work, &["check", "--stage", "receive", &range]);
    assert_code(&out, 1);
    assert!(
        stdout(&out).contains("error[missing-required-trailer]"),
        "{}",
        stdout(&out)
    );
    let out = tiergate(&s.work, &["check", "--stage", "review", &range]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("[possible values: commit, push, receive, apply, ci]"),
        "{}",
        stderr(&out)
    );

    // The patch mailed to the list: `check-patch` judges at `apply`.
    let patch = git(&s.work, &["format-patch", "-1", "--stdout", "HEAD"]);
    std::fs::write(s.tmp.path().join("1.patch"), &patch).expect("write patch");
    let out = tiergate(&s.work, &["check-patch", "../1.patch"]);
    assert_code(&out, 1);
    assert!(
        stdout(&out).contains("AI-assisted commit touches tier 'core' but lacks required trailer `Reviewed-by:`\n    src/lib.c\n"),
        "{}",
        stdout(&out)
    );
    assert_code(
        &tiergate(&s.work, &["check-patch", "--stage", "commit", "../1.patch"]),
        0,
    );

    // A maintainer's clone with the hooks: `git am` runs applypatch-msg,
    // at `apply`: refused until the trailer is there.
    git(s.tmp.path(), &["clone", "-q", &s.url(), "maint"]);
    let maint = s.tmp.path().join("maint");
    install_client(&maint);
    let out = try_git(&maint, &["am", "-q", "../1.patch"]);
    assert!(!out.status.success(), "git am accepted:\n{}", stderr(&out));
    assert!(
        stderr(&out).contains("missing-required-trailer"),
        "{}",
        stderr(&out)
    );
    git(&maint, &["am", "--abort"]);

    // The push: pre-push (`push`) lets it through, the server refuses.
    let out = s.push(&["origin", "main"]);
    assert!(!out.status.success(), "push accepted:\n{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("missing-required-trailer"), "{err}");
    assert!(
        !err.contains("tiergate: push to origin rejected"),
        "refused by pre-push:\n{err}"
    );
    assert_eq!(s.remote_rev("main").as_deref(), Some(base.as_str()));

    // The maintainer's review, as `git am` applies it with the trailer:
    // accepted everywhere.
    let out = try_git(
        &s.work,
        &[
            "commit",
            "-q",
            "--amend",
            "--no-edit",
            "--trailer",
            "Reviewed-by: M Aintainer <m@example.org>",
        ],
    );
    assert_code(&out, 0);
    assert_ne!(s.rev("HEAD"), contributed);
    assert_code(
        &tiergate(&s.work, &["check", "--stage", "receive", &range]),
        0,
    );
    let patch = git(&s.work, &["format-patch", "-1", "--stdout", "HEAD"]);
    std::fs::write(s.tmp.path().join("2.patch"), &patch).expect("write patch");
    assert_code(&tiergate(&s.work, &["check-patch", "../2.patch"]), 0);
    assert_code(&try_git(&maint, &["am", "-q", "../2.patch"]), 0);
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 0);
    assert_eq!(s.remote_rev("main"), Some(s.rev("HEAD")));
}

/// The policy of the second test: sign-off required; the exemptions
/// and baseline appended by the caller.
const DCO_POLICY: &str = "\
version: 1
tiers:
  - name: core
    paths: [ \"src/\" ]
signoff: { required: true }
";

const DEPENDABOT: &str = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>";

fn signed(title: &str) -> String {
    format!("{title}\n\nSigned-off-by: A U Thor <author@example.com>\n")
}

/// Commit in `dir` without hooks.
fn commit(dir: &Path, files: &[(&str, &str)], message: &str, extra: &[&str]) -> String {
    for (rel, content) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }
    git(dir, &["add", "-A"]);
    let mut args = vec!["commit", "-q", "--no-verify", "-m", message];
    args.extend_from_slice(extra);
    git(dir, &args);
    git(dir, &["rev-parse", "HEAD"]).trim().to_owned()
}

/// The commits of `range` that `tiergate check --format json` fails, by
/// title, with their rule codes.
fn failed(dir: &Path, policy: &str, extra: &[&str], range: &str) -> (i32, Vec<String>) {
    let mut args = vec!["--policy", policy, "check", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(range);
    let out = tiergate(dir, &args);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(&out), stderr(&out)));
    let mut failed: Vec<String> = doc["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| {
            let rules: Vec<&str> = c["violations"]
                .as_array()
                .expect("violations")
                .iter()
                .map(|v| v["rule"].as_str().expect("rule"))
                .collect();
            format!(
                "{}: {}",
                c["title"].as_str().expect("title"),
                rules.join(",")
            )
        })
        .collect();
    failed.sort();
    (out.status.code().unwrap_or(-1), failed)
}

#[test]
fn merges_reverts_bots_and_grandfathered_commits_pass_where_exempt() {
    let s = Server::uninstalled("srv.git");
    let work = s.work.clone();
    // History before the policy: one commit without a sign-off.
    let legacy = commit(&work, &[("src/old.c", "old\n")], "legacy: no sign-off", &[]);
    let start = legacy.clone();
    // A pull request merged GitHub's way: a merge commit of its own, no
    // changes of its own, no sign-off (GitHub's merge button writes none).
    git(&work, &["checkout", "-q", "-b", "topic"]);
    commit(&work, &[("src/feature.c", "f\n")], &signed("feature"), &[]);
    git(&work, &["checkout", "-q", "main"]);
    let fix = commit(&work, &[("src/fix.c", "x\n")], &signed("fix"), &[]);
    git(
        &work,
        &[
            "merge",
            "-q",
            "--no-ff",
            "--no-verify",
            "-m",
            "Merge pull request #1 from someone/topic",
            "topic",
        ],
    );
    // `git revert` (no sign-off: `git revert` adds one only with -s).
    git(&work, &["revert", "--no-edit", &fix]);
    // dependabot, without sign-off.
    commit(
        &work,
        &[("src/deps.lock", "serde 2\n")],
        "Bump serde from 1 to 2",
        &["--author", DEPENDABOT],
    );

    let strict = s.tmp.path().join("strict.yaml");
    std::fs::write(&strict, DCO_POLICY).expect("write");
    let exempt = s.tmp.path().join("exempt.yaml");
    std::fs::write(
        &exempt,
        format!(
            "{DCO_POLICY}exemptions:
  - {{ kind: merge, rules: all }}
  - {{ kind: revert, rules: [missing-signoff] }}
  - author: {{ email: '^49699333\\+dependabot\\[bot\\]@users\\.noreply\\.github\\.com$' }}
    rules: [missing-signoff]
baseline: {{ since: {legacy} }}
"
        ),
    )
    .expect("write");
    let (strict, exempt) = (
        strict.to_str().expect("utf-8").to_owned(),
        exempt.to_str().expect("utf-8").to_owned(),
    );
    let range = format!("{start}~1..HEAD");

    // Judged where the policy does not exempt them.
    let (code, fails) = failed(&work, &strict, &[], &range);
    assert_eq!(code, 1);
    assert_eq!(
        fails,
        [
            "Bump serde from 1 to 2: missing-signoff",
            "Merge pull request #1 from someone/topic: missing-signoff",
            "Revert \"fix\": missing-signoff",
            "legacy: no sign-off: missing-signoff",
        ]
    );
    // Passed where it does.
    let (code, fails) = failed(&work, &exempt, &[], &range);
    assert_eq!((code, fails), (0, Vec::<String>::new()));

    // `report` counts the grandfathered commit apart.
    let out = tiergate(&work, &["--policy", &exempt, "report", &range]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("Grandfathered: 1 commit before the policy's baseline, not judged"),
        "{text}"
    );
    assert!(text.contains(", 5 commits "), "{text}");
    let out = tiergate(
        &work,
        &["--policy", &exempt, "report", &range, "--format", "json"],
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(doc["grandfathered"], 1);
    assert_eq!(doc["totals"]["commits"], 5);

    // `show` says what `check` says of the grandfathered commit.
    let out = tiergate(&work, &["--policy", &exempt, "show", &legacy]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains(
            "  verdict:     pass (grandfathered: before the policy's baseline, not judged)\n"
        ),
        "{}",
        stdout(&out)
    );
    let out = tiergate(&work, &["--policy", &strict, "show", &legacy]);
    assert_code(&out, 1);

    // A merge with changes of its own is judged, exemption or not.
    git(&work, &["checkout", "-q", "-b", "topic2", &fix]);
    commit(&work, &[("src/two.c", "2\n")], &signed("two"), &[]);
    git(&work, &["checkout", "-q", "main"]);
    git(&work, &["merge", "-q", "--no-ff", "--no-commit", "topic2"]);
    std::fs::write(work.join("src/evil.c"), "evil\n").expect("write");
    git(&work, &["add", "-A"]);
    git(
        &work,
        &["commit", "-q", "--no-verify", "-m", "Merge branch 'topic2'"],
    );
    let (code, fails) = failed(&work, &exempt, &[], "HEAD~1..HEAD");
    assert_eq!(code, 1);
    assert_eq!(fails, ["Merge branch 'topic2': missing-signoff"]);
    git(&work, &["reset", "-q", "--hard", "HEAD~1"]);

    // The server: a push of the whole history since its first commit,
    // judged by a policy installed on the server (git config
    // tiergate.policy). Refused by the strict policy (the legacy commit,
    // the merge, the revert, the bot), accepted with the exemptions and
    // baseline.
    let first = s.remote_rev("main");
    s.install(&[]);
    git(&s.bare, &["config", "tiergate.policy", &strict]);
    let out = s.push(&["origin", "main"]);
    assert!(!out.status.success(), "accepted:\n{}", stderr(&out));
    assert!(stderr(&out).contains("missing-signoff"), "{}", stderr(&out));
    assert_eq!(s.remote_rev("main"), first);
    git(&s.bare, &["config", "tiergate.policy", &exempt]);
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 0);
    assert_eq!(s.remote_rev("main"), Some(s.rev("HEAD")));
}

#[test]
fn fixups_pass_the_client_and_are_refused_by_the_server() {
    let s = server_with(ML_POLICY);
    install_client(&s.work);
    let base = s.rev("HEAD");
    s.write("docs/a.md", "a\n");
    git(&s.work, &["add", "-A"]);
    assert_code(&try_git(&s.work, &["commit", "-q", "-m", "docs: a"]), 0);
    s.write("docs/a.md", "b\n");
    git(&s.work, &["add", "-A"]);
    assert_code(&try_git(&s.work, &["commit", "-q", "--fixup", "HEAD"]), 0);
    let out = s.push(&["origin", "main"]);
    assert!(!out.status.success(), "accepted:\n{}", stderr(&out));
    assert!(stderr(&out).contains("fixup-commit"), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("tiergate: push to origin rejected"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.remote_rev("main").as_deref(), Some(base.as_str()));
    // Folded as the fix says: accepted.
    let out = output(git_cmd(&s.work).env("GIT_SEQUENCE_EDITOR", "true").args([
        "rebase",
        "-q",
        "-i",
        "--autosquash",
        &base,
    ]));
    assert_code(&out, 0);
    assert_code(&s.push(&["origin", "main"]), 0);
}
