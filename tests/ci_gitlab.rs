//! tiergate's GitLab CI/CD component (templates/tiergate/template.yml),
//! run locally: the script embedded in the template (scripts/ci/gitlab.sh
//! with scripts/ci/tiergate-ci.sh) in a shallow checkout of a scratch
//! repository, with GitLab's predefined variables and the tiergate under
//! test on PATH. Asserts the exit code, the job log and the reports
//! (Code Quality, JUnit) it leaves for `artifacts: reports:`.

mod ci_support;
mod format_support;
mod support;

use ci_support::{run, script, script_cmd, short, Forge, Runner};
use std::path::Path;
use std::process::{Command, Output};
use support::{assert_code, stderr, stdout};

const TEMPLATE: &str = include_str!("../templates/tiergate/template.yml");

#[test]
fn template_is_generated_from_the_scripts() {
    let out = run(Command::new("sh").arg(script("gitlab-template.sh")));
    assert_code(&out, 0);
    assert!(
        stdout(&out) == TEMPLATE,
        "templates/tiergate/template.yml is out of date: run \
         scripts/ci/gitlab-template.sh > templates/tiergate/template.yml"
    );
}

/// The job's script as the template embeds it (the here-document's
/// body, its YAML indentation removed), written into the runner dir.
fn embedded_script(runner: &Runner) -> std::path::PathBuf {
    let start = "      cat >\"$script\" <<'TIERGATE_SCRIPT'\n";
    let body = &TEMPLATE[TEMPLATE.find(start).expect("here-document") + start.len()..];
    let body = &body[..body.find("      TIERGATE_SCRIPT\n").expect("its end")];
    let text: String = body
        .split_inclusive('\n')
        .map(|line| line.strip_prefix("      ").unwrap_or(line))
        .collect();
    let path = runner.path("tiergate-gitlab.sh");
    std::fs::write(&path, text).expect("write script");
    path
}

/// Run the embedded script's `check` in `checkout` with GitLab's
/// variables `env`.
fn job(checkout: &Path, runner: &Runner, env: &[(&str, &str)]) -> Output {
    // The embedded copy, not scripts/ci/gitlab.sh: what a project gets.
    let mut cmd = script_cmd(checkout, &embedded_script(runner), &["check"]);
    cmd.env("TMPDIR", runner.path("tmp"))
        .env("CI", "true")
        .env("GITLAB_CI", "true")
        .env("CI_DEFAULT_BRANCH", "main");
    for (key, value) in env {
        cmd.env(key, value);
    }
    run(&mut cmd)
}

/// The job log's violations of the fixture's two violating commits
/// (`tiergate check`'s human output), then the summary line.
fn log(forge: &Forge, checked: usize) -> String {
    let crypto = forge.origin.git(&["rev-parse", "topic~1"]);
    format!(
        "error[undeclared-ai]: commit {head} \"docs: describe AES\"\n  \
         AI assistance is evident but not declared with 'AI-Assisted-by:': Co-authored-by: Claude <noreply@anthropic.com> (Claude)\n  \
         at line 3 of the message\n  \
         fix: Add the trailer 'AI-Assisted-by: <agent>:<model>' to the last paragraph (`git commit --amend --trailer 'AI-Assisted-by: <agent>:<model>'`).\n\n\
         error[ai-forbidden-tier]: commit {crypto} \"crypto: speed up AES\"\n  \
         AI-assisted commit touches tier 'critical' (ai: forbidden): 1 path\n    \
         crypto/aes.c\n  \
         fix: Split the changes to 'critical' into a commit written without AI assistance, or ask its maintainers.\n\n\
         tiergate: 2 violations in 2 commits ({checked} commits checked)\n",
        head = short(&forge.head),
        crypto = short(crypto.trim()),
    )
}

/// A JUnit test case: its name and the types of its failures.
type Case = (String, Vec<String>);

/// The reports the job leaves in `checkout`: the Code Quality issues'
/// (check name, path) and the JUnit test cases.
fn reports(checkout: &Path) -> (Vec<(String, String)>, Vec<Case>) {
    let quality: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(checkout.join("gl-code-quality.json"))
            .expect("Code Quality report"),
    )
    .expect("JSON");
    let issues = quality
        .as_array()
        .expect("an array")
        .iter()
        .map(|i| {
            (
                i["check_name"].as_str().unwrap_or_default().to_owned(),
                i["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    let xml = std::fs::read(checkout.join("tiergate-junit.xml")).expect("JUnit report");
    let mut cases: Vec<Case> = Vec::new();
    for element in format_support::assert_junit_well_formed(&xml) {
        match element.name.as_str() {
            "testcase" => cases.push((element.attrs[0].1.clone(), Vec::new())),
            "failure" => {
                if let Some(case) = cases.last_mut() {
                    case.1.push(element.attrs[0].1.clone());
                }
            }
            _ => {}
        }
    }
    (issues, cases)
}

/// GitLab's variables in merge request !1's pipeline, plus `more`.
fn merge_request<'a>(forge: &'a Forge, more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut env = vec![
        ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ("CI_MERGE_REQUEST_IID", "1"),
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", forge.fork_point.as_str()),
        ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"),
    ];
    env.extend_from_slice(more);
    env
}

/// What the job prints for merge request !1: the range, then the log.
fn merge_request_log(forge: &Forge) -> String {
    format!(
        "tiergate: checking the commits of merge request !1: {}..{}\n{}",
        forge.fork_point,
        forge.head,
        log(forge, 3)
    )
}

#[test]
fn merge_request_pipeline() {
    // GitLab's checkout of a merge request: its head, shallow. The merge
    // request weakens policy.yaml: the diff base's policy judges it.
    let forge = Forge::new();
    let checkout = forge.topic_checkout();
    let runner = Runner::new();
    let out = job(
        checkout.path(),
        &runner,
        &merge_request(&forge, &[("CI_COMMIT_SHA", &forge.head)]),
    );
    assert_code(&out, 1);
    assert_eq!(stdout(&out), merge_request_log(&forge));
    assert_eq!(stderr(&out), "");
    let (issues, cases) = reports(checkout.path());
    assert_eq!(
        issues,
        vec![
            (
                "tiergate/undeclared-ai".to_owned(),
                "policy.yaml".to_owned()
            ),
            (
                "tiergate/ai-forbidden-tier".to_owned(),
                "crypto/aes.c".to_owned()
            ),
        ]
    );
    let crypto = forge.origin.git(&["rev-parse", "--short=12", "topic~1"]);
    let weaken = forge.origin.git(&["rev-parse", "--short=12", "topic~2"]);
    assert_eq!(
        cases,
        vec![
            (
                format!("{} docs: describe AES", short(&forge.head)),
                vec!["undeclared-ai".to_owned()]
            ),
            (
                format!("{} crypto: speed up AES", crypto.trim()),
                vec!["ai-forbidden-tier".to_owned()]
            ),
            (
                format!("{} policy: let AI help with crypto", weaken.trim()),
                vec![]
            ),
        ]
    );
}

#[test]
fn merged_results_pipeline_checks_the_source_branch() {
    // HEAD is the merge with the target's tip: the target's newer commit
    // (docs: news) is not the merge request's and is not checked.
    let forge = Forge::new();
    let merge = forge.pull_refs();
    let checkout = forge.shallow_checkout("refs/pull/1/merge", "refs/remotes/origin/merge");
    assert_eq!(
        support::git(checkout.path(), &["rev-parse", "HEAD"]).trim(),
        merge
    );
    let runner = Runner::new();
    let out = job(
        checkout.path(),
        &runner,
        &merge_request(
            &forge,
            &[
                ("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", &forge.head),
                ("CI_COMMIT_SHA", &merge),
            ],
        ),
    );
    assert_code(&out, 1);
    assert_eq!(stdout(&out), merge_request_log(&forge));
}

#[test]
fn branch_pipeline_checks_before_to_after() {
    let forge = Forge::new();
    let before = forge
        .origin
        .git(&["rev-parse", "topic~2"])
        .trim()
        .to_owned();
    let checkout = forge.topic_checkout();
    let runner = Runner::new();
    let out = job(
        checkout.path(),
        &runner,
        &[
            ("CI_PIPELINE_SOURCE", "push"),
            ("CI_COMMIT_BRANCH", "topic"),
            ("CI_COMMIT_REF_NAME", "topic"),
            ("CI_COMMIT_BEFORE_SHA", &before),
            ("CI_COMMIT_SHA", &forge.head),
        ],
    );
    assert_code(&out, 1);
    assert_eq!(
        stdout(&out),
        format!(
            "tiergate: checking the commits pushed to topic: {before}..{}\n{}",
            forge.head,
            log(&forge, 2)
        )
    );
    let (issues, cases) = reports(checkout.path());
    assert_eq!(issues.len(), 2);
    assert_eq!(cases.len(), 2);
}

#[test]
fn new_branch_pipeline_checks_what_is_not_on_the_default_branch() {
    let forge = Forge::new();
    let checkout = forge.topic_checkout();
    let runner = Runner::new();
    let out = job(
        checkout.path(),
        &runner,
        &[
            ("CI_PIPELINE_SOURCE", "push"),
            ("CI_COMMIT_BRANCH", "topic"),
            (
                "CI_COMMIT_BEFORE_SHA",
                "0000000000000000000000000000000000000000",
            ),
            ("CI_COMMIT_SHA", &forge.head),
        ],
    );
    assert_code(&out, 1);
    assert_eq!(
        stdout(&out),
        format!(
            "tiergate: checking the commits of topic that are not on main: {} --not refs/remotes/origin/main\n{}",
            forge.head,
            log(&forge, 3)
        )
    );
}

#[test]
fn a_policy_error_fails_the_job_with_its_code() {
    let forge = Forge::new();
    let checkout = forge.topic_checkout();
    let runner = Runner::new();
    let out = job(
        checkout.path(),
        &runner,
        &[
            ("TIERGATE_RANGE", "HEAD"),
            ("TIERGATE_POLICY", "missing.yaml"),
        ],
    );
    assert_code(&out, 2);
    assert_eq!(stdout(&out), "tiergate: checking the range given: HEAD\n");
    assert!(stderr(&out).contains("missing.yaml"), "{}", stderr(&out));
    assert!(!checkout.path().join("gl-code-quality.json").exists());
}
