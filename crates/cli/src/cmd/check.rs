//! `tiergate check <rev-range>...`: judge the commits a `git rev-list`
//! range names.

use crate::context;
use crate::exit::{usage, Outcome};
use crate::{Format, Global};
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use tiergate_core::check;
use tiergate_core::git::RangeError;
use tiergate_core::plumbing;
use tiergate_core::repo::judging::CheckError;
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
    // A repository libgit2 cannot open (SHA-256, reftable) is judged
    // through git plumbing (`tiergate_core::plumbing`), with the same rules.
    let (repo, loaded) = match context::open_repo_plain(global) {
        Ok(repo) => {
            let loaded = context::load_policy(global, Some(&repo))?;
            (Some(repo), loaded)
        }
        Err(e) => {
            let Some(format) = plumbing::unsupported_format_of(&e) else {
                return Err(e.into());
            };
            tracing::debug!(format, "libgit2 cannot open the repository: git plumbing");
            let found = plumbing::Repo::new(global.repo.as_deref())
                .find_policy(global.policy.as_deref())
                .map_err(plumbing_error)?;
            let loaded = context::LoadedPolicy {
                policy: found.policy,
                repo_path: found.repo_path,
            };
            (None, loaded)
        }
    };
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
    let reopen = || context::open_repo_plain(global);
    // `check::check_range`, with every commit judged as git shows it: a
    // commit whose `encoding` header is not UTF-8 is decoded first, one in
    // an encoding tiergate cannot read stops the check (exit 3).
    let unreadable = std::cell::RefCell::new(None);
    let mut sink = |verdict: &check::CommitVerdict| {
        tracing::debug!(
            commit = %verdict.id,
            ai_assisted = verdict.assessment.ai_assisted(),
            paths = verdict.paths_computed,
            violations = verdict.violations.len(),
            "judged"
        );
        if verdict.violations.is_empty() {
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
    let Some(repo) = repo else {
        let summary = plumbing::Repo::new(global.repo.as_deref())
            .check_revs(policy, &classifier, &args.revs, &mut sink)
            .map_err(plumbing_error)?;
        return finish(
            global,
            policy,
            summary,
            write_error,
            json_commits,
            gitlab_issues,
            out,
        );
    };
    let result = tiergate_core::git::RevWalk::new(&repo, &args.revs)
        .map_err(CheckError::from)
        .and_then(|walk| {
            let commits = tiergate_core::shown::commits(&repo, walk.commits(), &unreadable);
            tiergate_core::repo::judging::check_walked(
                &repo,
                Some(&reopen),
                policy,
                &classifier,
                commits,
                &mut sink,
            )
        });
    let summary = match result {
        Ok(summary) => summary,
        Err(CheckError::Range(RangeError::Revision(e))) => {
            return Err(usage(
                e.message,
                Some("Name commits as `git rev-list` does: `main..topic`, `HEAD~3..`, `--all`."),
            ))
        }
        Err(e) => return Err(e.into()),
    };
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

/// A plumbing error as the CLI reports it: a bad revision or a missing or
/// invalid policy is a usage error (exit 2), anything else exit 3.
fn plumbing_error(e: plumbing::Error) -> anyhow::Error {
    match e {
        plumbing::Error::Revision(message) => usage(
            message,
            Some("Name commits as `git rev-list` does: `main..topic`, `HEAD~3..`, `--all`."),
        ),
        plumbing::Error::Policy(tiergate_core::discover::Error::NotFound { message, hint }) => {
            usage(message, Some(&hint))
        }
        plumbing::Error::Policy(tiergate_core::discover::Error::Load(e)) => e.into(),
        other => anyhow::Error::new(other)
            .context("cannot read the repository through git (libgit2 cannot open it)"),
    }
}

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
