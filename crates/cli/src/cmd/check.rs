//! `tiergate check <rev-range>...`: judge the commits a `git rev-list`
//! range names.

use crate::context;
use crate::exit::Outcome;
use crate::{Format, Global};
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use tiergate_core::check;
use tiergate_core::report::{self, Colour};

/// Arguments of `tiergate check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Commits to judge, as git rev-list takes them: `main..topic`,
    /// `HEAD~5..`, `^v1.0 HEAD`, `A...B`, `--all`, `--branches`, `--not`
    #[arg(required = true, allow_hyphen_values = true, value_name = "REV-RANGE")]
    pub revs: Vec<OsString>,
}

/// Run `tiergate check`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    if global.format == Format::Csv {
        return Err(global.format.unsupported(
            "tiergate check",
            &[Format::Human, Format::Json, Format::Github, Format::Gitlab],
        ));
    }
    // The repository layer reads SHA-1, SHA-256 and reftable repositories
    // alike, every commit as git shows it.
    let (repo, loaded) = context::open_with_policy(global)?;
    let classifier = loaded.classifier()?;
    let policy = &loaded.policy;
    let colour = Colour::for_terminal(std::io::stdout().is_terminal());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut json_commits = Vec::new();
    // GitLab Code Quality: a violation about the message is located at the
    // policy file (see `report::gitlab_issues`).
    let policy_path = loaded
        .repo_path
        .as_deref()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .unwrap_or_else(|| "policy.yaml".to_owned());
    let mut gitlab_issues = Vec::new();
    let mut write_error = None;
    // Every commit is judged as git shows it: a commit whose `encoding`
    // header is not UTF-8 is decoded first, one in an encoding tiergate
    // cannot read stops the check (exit 3).
    let mut sink = |verdict: &check::CommitVerdict| {
        tracing::debug!(
            commit = %verdict.id,
            ai_assisted = verdict.assessment.ai_assisted(),
            paths = verdict.paths_computed,
            violations = verdict.violations.len(),
            "judged"
        );
        if verdict.violations.is_empty() && verdict.warnings.is_empty() {
            return;
        }
        match global.format {
            Format::Json => json_commits.push(report::commit_json(verdict)),
            Format::Gitlab => {
                gitlab_issues.extend(report::gitlab_issues(verdict, policy.mode, &policy_path))
            }
            Format::Github => {
                let text = report::github_commit(verdict, policy.mode);
                if let Err(e) = out.write_all(text.as_bytes()) {
                    write_error.get_or_insert(e);
                }
            }
            _ => {
                let text = report::human_commit(verdict, policy.mode, colour);
                if let Err(e) = out.write_all(text.as_bytes()) {
                    write_error.get_or_insert(e);
                }
            }
        }
    };
    let summary = repo
        .check(policy, &classifier, &args.revs, &mut sink)
        .map_err(|e| context::repo_error(e, Some(RANGE_HINT)))?;
    finish(
        global,
        policy,
        summary,
        write_error,
        json_commits,
        gitlab_issues,
        out,
    )
}

const RANGE_HINT: &str = "Name commits as `git rev-list` does: `main..topic`, `HEAD~3..`, `--all`.";

/// Print what was collected and decide the outcome.
fn finish(
    global: &Global,
    policy: &tiergate_core::policy::Policy,
    summary: check::Summary,
    write_error: Option<std::io::Error>,
    json_commits: Vec<serde_json::Value>,
    gitlab_issues: Vec<serde_json::Value>,
    mut out: std::io::StdoutLock<'_>,
) -> anyhow::Result<Outcome> {
    if let Some(e) = write_error {
        return Err(anyhow::Error::new(e).context("cannot write to stdout"));
    }
    match global.format {
        Format::Json => {
            let doc = report::run_json(policy, &summary, json_commits);
            writeln!(out, "{doc}")?;
        }
        Format::Gitlab => {
            writeln!(out, "{}", serde_json::Value::Array(gitlab_issues))?;
        }
        _ => {
            // The summary comes with violations, or on success when asked
            // for with -v.
            if summary.violations > 0 || (global.verbose > 0 && !global.quiet) {
                writeln!(out, "{}", report::human_summary(&summary, policy))?;
            }
        }
    }
    out.flush()?;
    Ok(if summary.fails(policy) {
        Outcome::Violations
    } else {
        Outcome::Pass
    })
}
