//! tiergate's GitHub Action (action.yml), run locally: its script
//! (scripts/ci/github-action.sh) in a shallow checkout of a scratch
//! repository, with a fake event payload and the environment a runner
//! gives a step (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_STEP_SUMMARY,
//! GITHUB_OUTPUT, RUNNER_TEMP) and the tiergate under test on PATH.
//! Asserts the exit code, the annotations, the job summary and the step
//! outputs exactly.

mod ci_support;
mod format_support;
mod support;

use ci_support::{run, script, script_cmd, short, Forge, Runner};
use std::path::Path;
use std::process::Output;
use support::{assert_code, stderr, stdout};

/// Run `github-action.sh check` in `checkout` for event `name` with
/// `payload`, plus `env`.
fn action(
    checkout: &Path,
    runner: &Runner,
    name: &str,
    payload: &serde_json::Value,
    env: &[(&str, &str)],
) -> Output {
    std::fs::write(runner.path("event.json"), payload.to_string()).expect("write event");
    let mut cmd = script_cmd(checkout, &script("github-action.sh"), &["check"]);
    cmd.env("GITHUB_EVENT_NAME", name)
        .env("GITHUB_EVENT_PATH", runner.path("event.json"))
        .env("GITHUB_STEP_SUMMARY", runner.path("summary.md"))
        .env("GITHUB_OUTPUT", runner.path("output"))
        .env("RUNNER_TEMP", runner.path("tmp"));
    for (key, value) in env {
        cmd.env(key, value);
    }
    run(&mut cmd)
}

/// A `pull_request` payload for pull request #1 of `forge`.
fn pull_request(forge: &Forge, title: &str, body: &str) -> serde_json::Value {
    serde_json::json!({
        "action": "synchronize",
        "number": 1,
        "pull_request": {
            "number": 1,
            "title": title,
            "body": body,
            "user": { "login": "contributor", "id": 42 },
            "base": { "ref": "main", "sha": forge.base },
            "head": { "ref": "topic", "sha": forge.head, "repo": { "fork": true } },
        },
        "repository": { "default_branch": "main" },
    })
}

/// The commit ids of `forge` shortened, for expected output.
struct Ids {
    fork_point: String,
    base: String,
    head: String,
    crypto: String,
}

fn ids(forge: &Forge) -> Ids {
    let crypto = forge.origin.git(&["rev-parse", "topic~1"]);
    Ids {
        fork_point: forge.fork_point.clone(),
        base: forge.base.clone(),
        head: forge.head.clone(),
        crypto: crypto.trim().to_owned(),
    }
}

/// The annotations of the fixture's two violating commits, as
/// `tiergate check --format github` prints them.
fn commit_annotations(ids: &Ids) -> String {
    format!(
        "::error title=tiergate undeclared-ai::commit {head} \"docs: describe AES\": AI assistance is evident but not declared with 'AI-Assisted-by:': Co-authored-by: Claude <noreply@anthropic.com> (Claude) (line 3 of the message)%0Afix: Add the trailer 'AI-Assisted-by: <agent>:<model>' to the last paragraph (`git commit --amend --trailer 'AI-Assisted-by: <agent>:<model>'`).\n\
         ::error file=crypto/aes.c,title=tiergate ai-forbidden-tier::commit {crypto} \"crypto: speed up AES\": AI-assisted commit touches tier 'critical' (ai: forbidden): 1 path%0A  crypto/aes.c%0Afix: Split the changes to 'critical' into a commit written without AI assistance, or ask its maintainers.\n",
        head = short(&ids.head),
        crypto = short(&ids.crypto),
    )
}

/// The summary table's rows for the fixture's two violating commits.
fn commit_rows(ids: &Ids) -> String {
    format!(
        "| `{head}` docs: describe AES | `undeclared-ai` |  | AI assistance is evident but not declared with 'AI-Assisted-by:': Co-authored-by: Claude &lt;noreply@anthropic.com&gt; (Claude) |\n\
         | `{crypto}` crypto: speed up AES | `ai-forbidden-tier` | critical | AI-assisted commit touches tier 'critical' (ai: forbidden): 1 path<br>crypto/aes.c |\n",
        head = short(&ids.head),
        crypto = short(&ids.crypto),
    )
}

#[test]
fn pull_request_from_a_shallow_checkout() {
    // actions/checkout's default: the test merge, one commit deep. The
    // pull request weakens policy.yaml in a human commit: the AI-assisted
    // commit in crypto/ is still judged by the base's policy.
    let forge = Forge::new();
    let ids = ids(&forge);
    let checkout = forge.merge_checkout();
    let runner = Runner::new();
    let sarif = runner.path("tiergate.sarif");
    let sarif = sarif.to_str().expect("utf-8");
    let out = action(
        checkout.path(),
        &runner,
        "pull_request",
        &pull_request(&forge, "Speed up AES", "Faster.\r\n"),
        &[("TIERGATE_SARIF", sarif)],
    );
    assert_code(&out, 1);
    let range = format!("{}..{}", ids.fork_point, ids.head);
    assert_eq!(
        stdout(&out),
        format!(
            "tiergate: checking the commits of pull request #1: {range}\n{}\
             tiergate: 2 violations in 2 commits (3 commits checked)\n",
            commit_annotations(&ids)
        )
    );
    assert_eq!(stderr(&out), "");
    assert_eq!(
        runner.read("summary.md"),
        format!(
            "## tiergate: fail\n\n\
             2 violations in 2 commits (3 commits checked): the commits of pull request #1, against `policy.yaml` as committed at `{base}`.\n\n\
             | commit | rule | tier | message |\n\
             | --- | --- | --- | --- |\n\
             {rows}\n\
             `tiergate explain RULE` says what a rule means and how to fix a violation of it.\n",
            base = short(&ids.base),
            rows = commit_rows(&ids),
        )
    );
    assert_eq!(
        runner.read("output"),
        format!("range={range}\nsarif={sarif}\nverdict=fail\nviolations=2\n")
    );
    let log: serde_json::Value =
        serde_json::from_str(&runner.read("tiergate.sarif")).expect("SARIF is JSON");
    format_support::assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(2));
}

#[test]
fn pull_request_body_is_judged_as_the_squash_commit() {
    // The description declares AI assistance: the squash commit (all of
    // the change's paths, the title and description as its message)
    // touches crypto/ and the policy file, both in the forbidden tier.
    // A title with markup is escaped in the summary.
    let forge = Forge::new();
    let ids = ids(&forge);
    let checkout = forge.merge_checkout();
    let runner = Runner::new();
    let out = action(
        checkout.path(),
        &runner,
        "pull_request",
        &pull_request(
            &forge,
            "Speed up <AES> | docs",
            "Faster AES.\r\n\r\nAI-Assisted-by: claude:claude-sonnet-4\r\n",
        ),
        &[("TIERGATE_CHECK_PR_BODY", "true")],
    );
    assert_code(&out, 1);
    let outputs = runner.read("output");
    let range = outputs
        .lines()
        .find_map(|l| l.strip_prefix("range="))
        .expect("range output");
    let squash = range
        .split(' ')
        .nth(1)
        .expect("the squash commit in the range")
        .to_owned();
    assert_eq!(
        range,
        format!(
            "{fp}..{head} {squash} ^{fp}",
            fp = ids.fork_point,
            head = ids.head
        )
    );
    // The squash commit as GitHub would make it, left unreferenced.
    let raw = support::git(checkout.path(), &["cat-file", "commit", &squash]);
    let tree = support::git(
        checkout.path(),
        &["rev-parse", &format!("{}^{{tree}}", ids.head)],
    );
    assert_eq!(
        raw,
        format!(
            "tree {tree}parent {fp}\n\
             author contributor <42+contributor@users.noreply.github.com> 1700000000 +0000\n\
             committer GitHub <noreply@github.com> 1700000000 +0000\n\n\
             Speed up <AES> | docs (#1)\n\nFaster AES.\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
            tree = tree,
            fp = ids.fork_point
        )
    );
    assert_eq!(
        support::git(checkout.path(), &["for-each-ref", "--contains", &squash]),
        ""
    );
    // rev-list's order: newest first, the squash commit (dated as the
    // head) after the head.
    let annotations = commit_annotations(&ids);
    let mut annotations = annotations.split_inclusive('\n');
    assert_eq!(
        stdout(&out),
        format!(
            "tiergate: checking the commits of pull request #1 and its squash commit (title and description): {range}\n\
             {undeclared}\
             ::error file=crypto/aes.c,title=tiergate ai-forbidden-tier::commit {sq} \"Speed up <AES> | docs (#1)\": AI-assisted commit touches tier 'critical' (ai: forbidden): 2 paths%0A  crypto/aes.c%0A  policy.yaml%0Afix: Split the changes to 'critical' into a commit written without AI assistance, or ask its maintainers.\n\
             {crypto}\
             tiergate: 3 violations in 3 commits (4 commits checked)\n",
            sq = short(&squash),
            undeclared = annotations.next().expect("first"),
            crypto = annotations.next().expect("second"),
        )
    );
    let rows = commit_rows(&ids);
    let mut rows = rows.split_inclusive('\n');
    assert_eq!(
        runner.read("summary.md"),
        format!(
            "## tiergate: fail\n\n\
             3 violations in 3 commits (4 commits checked): the commits of pull request #1 and its squash commit (title and description), against `policy.yaml` as committed at `{base}`.\n\n\
             | commit | rule | tier | message |\n\
             | --- | --- | --- | --- |\n\
             {undeclared}\
             | squash commit Speed up &lt;AES&gt; \\| docs (#1) | `ai-forbidden-tier` | critical | AI-assisted commit touches tier 'critical' (ai: forbidden): 2 paths<br>crypto/aes.c<br>policy.yaml |\n\
             {crypto}\n\
             `tiergate explain RULE` says what a rule means and how to fix a violation of it.\n",
            base = short(&ids.base),
            undeclared = rows.next().expect("first"),
            crypto = rows.next().expect("second"),
        )
    );
}

#[test]
fn annotations_beyond_the_step_limit_go_to_the_summary() {
    // Twelve AI-assisted commits in crypto/: ten annotations (GitHub
    // shows no more per step and kind), every one in the summary.
    let forge = Forge::new();
    forge.origin.git(&["checkout", "-q", "topic"]);
    for i in 0..9 {
        forge.origin.commit(
            &[(&format!("crypto/more{i}.c"), "x\n")],
            &format!("crypto: more {i}\n\nAI-Assisted-by: claude:claude-sonnet-4\n"),
        );
    }
    let head = forge.origin.git(&["rev-parse", "HEAD"]).trim().to_owned();
    forge.origin.git(&["checkout", "-q", "main"]);
    let forge = Forge { head, ..forge };
    let checkout = forge.merge_checkout();
    let runner = Runner::new();
    let run = |env: &[(&str, &str)]| {
        action(
            checkout.path(),
            &runner,
            "pull_request",
            &pull_request(&forge, "More crypto", ""),
            env,
        )
    };
    let out = run(&[]);
    assert_code(&out, 1);
    let text = stdout(&out);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("::error ")).count(),
        10,
        "{text}"
    );
    assert!(
        text.ends_with("\ntiergate: 11 violations in 11 commits (12 commits checked)\n"),
        "{text}"
    );
    let summary = runner.read("summary.md");
    assert_eq!(
        summary.lines().filter(|l| l.starts_with("| `")).count(),
        11,
        "{summary}"
    );
    assert!(
        summary.contains(
            "\n1 violation beyond GitHub's limit of 10 annotations per step is listed only here.\n\n"
        ),
        "{summary}"
    );
    assert!(!summary.contains("Only the first"), "{summary}");
    // The summary's own limit (GitHub takes 1 MiB per step), lowered.
    std::fs::remove_file(runner.path("summary.md")).expect("rm");
    assert_code(&run(&[("TIERGATE_SUMMARY_ROWS", "4")]), 1);
    let summary = runner.read("summary.md");
    assert_eq!(
        summary.lines().filter(|l| l.starts_with("| `")).count(),
        4,
        "{summary}"
    );
    assert!(
        summary.contains(
            "|\n\nOnly the first 4 violations are listed (a step summary holds at most 1 MiB); the SARIF log or `tiergate check` lists them all.\n\n"
        ),
        "{summary}"
    );
}

/// A `push` payload.
fn push(before: &str, after: &str, branch: &str) -> serde_json::Value {
    serde_json::json!({
        "ref": format!("refs/heads/{branch}"),
        "before": before,
        "after": after,
        "repository": { "default_branch": "main" },
    })
}

const ZERO: &str = "0000000000000000000000000000000000000000";

#[test]
fn push_of_a_new_branch_checks_what_is_not_on_the_default_branch() {
    let forge = Forge::new();
    let ids = ids(&forge);
    let checkout = forge.topic_checkout();
    let runner = Runner::new();
    let out = action(
        checkout.path(),
        &runner,
        "push",
        &push(ZERO, &forge.head, "topic"),
        &[],
    );
    assert_code(&out, 1);
    assert_eq!(
        stdout(&out),
        format!(
            "tiergate: checking the commits of refs/heads/topic that are not on main: {head} --not refs/remotes/origin/main\n{}\
             tiergate: 2 violations in 2 commits (3 commits checked)\n",
            commit_annotations(&ids),
            head = ids.head,
        )
    );
    assert_eq!(
        runner.read("output"),
        format!(
            "range={} --not refs/remotes/origin/main\nverdict=fail\nviolations=2\n",
            ids.head
        )
    );
}

#[test]
fn push_to_a_branch_checks_before_to_after() {
    // The policy comes from the default branch, not from the pushed
    // branch's old tip (which the pusher wrote).
    let forge = Forge::new();
    let ids = ids(&forge);
    let before = forge
        .origin
        .git(&["rev-parse", "topic~2"])
        .trim()
        .to_owned();
    let checkout = forge.topic_checkout();
    let runner = Runner::new();
    let out = action(
        checkout.path(),
        &runner,
        "push",
        &push(&before, &forge.head, "topic"),
        &[],
    );
    assert_code(&out, 1);
    assert_eq!(
        stdout(&out),
        format!(
            "tiergate: checking the commits pushed to refs/heads/topic: {before}..{head}\n{}\
             tiergate: 2 violations in 2 commits (2 commits checked)\n",
            commit_annotations(&ids),
            head = ids.head,
        )
    );
    assert!(
        runner.read("summary.md").contains(&format!(
            "against `policy.yaml` as committed at `{}`.",
            short(&ids.base)
        )),
        "{}",
        runner.read("summary.md")
    );
}

#[test]
fn deleted_branch_has_nothing_to_check() {
    let forge = Forge::new();
    let checkout = forge.shallow_checkout("refs/heads/main", "refs/remotes/origin/main");
    let runner = Runner::new();
    let out = action(
        checkout.path(),
        &runner,
        "push",
        &push(&forge.head, ZERO, "topic"),
        &[],
    );
    assert_code(&out, 0);
    assert_eq!(
        stdout(&out),
        "tiergate: nothing: refs/heads/topic was deleted\n"
    );
    assert_eq!(
        runner.read("summary.md"),
        "## tiergate: pass\n\nNothing to check: refs/heads/topic was deleted.\n"
    );
    assert_eq!(runner.read("output"), "verdict=pass\nviolations=0\n");
}

#[test]
fn other_events_need_a_range() {
    let forge = Forge::new();
    let checkout = forge.shallow_checkout("refs/heads/main", "refs/remotes/origin/main");
    let runner = Runner::new();
    let payload = serde_json::json!({});
    let out = action(checkout.path(), &runner, "workflow_dispatch", &payload, &[]);
    assert_code(&out, 2);
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "tiergate: cannot tell which commits a 'workflow_dispatch' event brings: set the action's 'range' input (git rev-list arguments)\n"
    );
    // With a range (the checked-out policy, the whole history here).
    let out = action(
        checkout.path(),
        &runner,
        "workflow_dispatch",
        &payload,
        &[("TIERGATE_RANGE", "HEAD")],
    );
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "tiergate: checking the range given: HEAD\n");
    assert_eq!(
        runner.read("summary.md"),
        "## tiergate: pass\n\nNo violations (1 commit checked): the range given, against the checked-out `policy.yaml`.\n\n"
    );
}

#[test]
fn merge_base_out_of_reach_is_a_clear_error() {
    // The base commit is not on the forge at all: nothing can be fetched.
    let forge = Forge::new();
    let checkout = forge.merge_checkout();
    let runner = Runner::new();
    let mut payload = pull_request(&forge, "x", "");
    payload["pull_request"]["base"]["sha"] = "1234567890123456789012345678901234567890".into();
    payload["pull_request"]["base"]["ref"] = "gone".into();
    let out = action(checkout.path(), &runner, "pull_request", &payload, &[]);
    assert_code(&out, 3);
    assert_eq!(
        stderr(&out),
        "tiergate: cannot fetch the pull request's base 1234567890123456789012345678901234567890 from origin\n"
    );
}

#[test]
fn install_runs_cargo_install_as_asked() {
    // A fake cargo records its arguments.
    let runner = Runner::new();
    let bin = runner.path("bin");
    std::fs::create_dir(&bin).expect("mkdir");
    let log = runner.path("cargo.log");
    let fake = bin.join("cargo");
    std::fs::write(
        &fake,
        format!("#!/bin/sh\nprintf '%s\\n' \"$*\" >>'{}'\n", log.display()),
    )
    .expect("write");
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let install = |env: &[(&str, &str)]| {
        let mut cmd = script_cmd(runner.dir.path(), &script("github-action.sh"), &["install"]);
        cmd.env("PATH", &path);
        for (k, v) in env {
            cmd.env(k, v);
        }
        run(&mut cmd)
    };
    assert_code(&install(&[]), 0);
    assert_code(&install(&[("TIERGATE_VERSION", "0.2.0")]), 0);
    assert_code(
        &install(&[
            ("TIERGATE_GIT", "https://example.org/tiergate.git"),
            ("TIERGATE_VERSION", "v0.2.0"),
        ]),
        0,
    );
    assert_code(&install(&[("TIERGATE_INSTALL", "none")]), 0);
    let out = install(&[("TIERGATE_INSTALL", "brew")]);
    assert_code(&out, 2);
    assert_eq!(
        stderr(&out),
        "tiergate: install: 'brew' is not an install method (cargo or none)\n"
    );
    assert_eq!(
        std::fs::read_to_string(&log).expect("cargo ran"),
        "install --locked tiergate\n\
         install --locked --version 0.2.0 tiergate\n\
         install --locked --git https://example.org/tiergate.git --rev v0.2.0 tiergate\n"
    );
}

#[test]
fn first_policy_comes_from_the_pull_request_with_a_warning() {
    // The target branch has no `tiergate.yaml` yet: the pull request that
    // adds it is judged by it, and the run says so.
    let forge = Forge::new();
    forge.origin.git(&["checkout", "-q", "topic"]);
    let head = forge.origin.commit(
        &[("tiergate.yaml", ci_support::POLICY)],
        "Add a tiergate policy\n",
    );
    forge.origin.git(&["checkout", "-q", "main"]);
    let forge = Forge { head, ..forge };
    let checkout = forge.merge_checkout();
    let runner = Runner::new();
    let out = action(
        checkout.path(),
        &runner,
        "pull_request",
        &pull_request(&forge, "Adopt tiergate", ""),
        &[("TIERGATE_POLICY", "tiergate.yaml")],
    );
    assert_code(&out, 1);
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!(
            "::warning title=tiergate::tiergate.yaml is not on the target branch ({}): judging with the checked-out tiergate.yaml\n\
             tiergate: checking the commits of pull request #1: ",
            short(&forge.base)
        )),
        "{text}"
    );
    let summary = runner.read("summary.md");
    assert!(
        summary.contains("(4 commits checked): the commits of pull request #1, against the checked-out `tiergate.yaml`.\n"),
        "{summary}"
    );
}
