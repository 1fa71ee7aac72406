//! `tiergate check <rev-range>...`: judge the commits a `git rev-list`
//! range names.

use crate::context;
use crate::exit::Outcome;
use crate::rev_args::RevArgs;
use crate::{CheckFormat, Format, Global};
use std::io::{IsTerminal, Write};
use tiergate_core::judge;
use tiergate_core::output::verdict::{self, Colour};
use tiergate_core::policy::RefMode;
use tiergate_core::repo;
use tiergate_core::stage::Stage;
use tiergate_core::{output::junit, output::sarif};

/// Arguments of `tiergate check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Commits to judge: revisions and git's commit-selecting options
    #[command(flatten)]
    pub revs: RevArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: CheckFormat,
    /// Judge the commits as if pushed to this ref (full name,
    /// `refs/heads/main`): the policy's `refs:` scope of the ref applies to
    /// every commit of the range (enforce, warn, or ignore: nothing
    /// judged). Without it, every commit is enforced.
    #[arg(long = "ref", value_name = "REFNAME")]
    pub refname: Option<String>,
    /// Judge as at this stage of the workflow (the rules, `require`
    /// entries and exemptions the policy limits to stages): what the
    /// server's hook (`receive`) or a maintainer (`apply`) would say
    #[arg(long, default_value = "ci", value_parser = stage_parser(), value_name = "STAGE")]
    pub stage: Stage,
}

/// `--stage`: one of the stage names, listed by `--help` and in clap's
/// error for another value.
pub fn stage_parser() -> impl clap::builder::TypedValueParser<Value = Stage> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(Stage::names()).try_map(|name: String| {
        Stage::from_name(&name).ok_or_else(|| format!("unknown stage `{name}`"))
    })
}

/// Run `tiergate check`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    // The repository layer reads SHA-1, SHA-256 and reftable repositories
    // alike, every commit as git shows it.
    let (repo, loaded) = context::open_with_policy(global)?;
    // Only options (`--since=2.weeks --no-merges`): from HEAD, as `git log`.
    let revs = repo::default_to_head(&args.revs.args);
    let classifier = loaded.classifier_in(&repo)?;
    let policy = &loaded.policy;
    let scope = args
        .refname
        .as_deref()
        .map_or(RefMode::Enforce, |r| policy.refs.mode_for(r));
    if scope == RefMode::Ignore {
        // The policy's `refs:` ignores the ref: nothing to judge.
        if !global.quiet {
            eprintln!(
                "tiergate: {} is in an `ignore` scope of the policy's `refs:`; nothing judged",
                args.refname.as_deref().unwrap_or_default()
            );
        }
        return finish(
            global,
            policy,
            judge::Summary::default(),
            None,
            Collected::default(),
            std::io::stdout().lock(),
        );
    }
    let colour = Colour::for_terminal(std::io::stdout().is_terminal());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut collected = Collected::default();
    // GitLab Code Quality and SARIF: a violation about the message is
    // located at the policy file (see `verdict::gitlab_issues`).
    let policy_path = loaded
        .repo_path
        .as_deref()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .unwrap_or_else(|| "policy.yaml".to_owned());
    let mut write_error = None;
    // Every commit is judged as git shows it: a commit whose `encoding`
    // header is not UTF-8 is decoded first, one in an encoding tiergate
    // cannot read stops the check (exit 3).
    let mut sink = |verdict: &judge::CommitVerdict| {
        let mut verdict = verdict.clone();
        if scope == RefMode::Warn {
            verdict.downgrade();
        }
        let verdict = &verdict;
        tracing::debug!(
            commit = %verdict.id,
            ai_assisted = verdict.assessment.ai_assisted(),
            paths = verdict.paths_computed,
            violations = verdict.violations.len(),
            "judged"
        );
        // JUnit counts every commit checked as a test case.
        if global.format == Format::Junit {
            collected.junit.add(verdict);
        }
        if verdict.is_clean() {
            return;
        }
        match global.format {
            Format::Json => collected.json.push(verdict::commit_json(verdict)),
            Format::Gitlab => {
                collected
                    .gitlab
                    .extend(verdict::gitlab_issues(verdict, policy.mode, &policy_path))
            }
            Format::Sarif => {
                collected
                    .sarif
                    .extend(sarif::results(verdict, policy.mode, &policy_path))
            }
            Format::Junit => {}
            Format::Github => {
                let text = verdict::github_commit(verdict, policy.mode);
                if let Err(e) = out.write_all(text.as_bytes()) {
                    write_error.get_or_insert(e);
                }
            }
            _ => {
                let text = verdict::human_commit(verdict, policy.mode, colour);
                if let Err(e) = out.write_all(text.as_bytes()) {
                    write_error.get_or_insert(e);
                }
            }
        }
    };
    let mut summary = repo
        .check(policy, &classifier, args.stage, &revs, &mut sink)
        .map_err(|e| context::repo_error(e, Some(RANGE_HINT)))?;
    if scope == RefMode::Warn {
        summary.warnings += summary.violations;
        summary.violations = 0;
        summary.commits_failed = 0;
    }
    finish(global, policy, summary, write_error, collected, out)
}

/// What the machine formats collect while commits are judged, to print as
/// one document at the end.
#[derive(Default)]
struct Collected {
    /// `--format json`: the commits with violations.
    json: Vec<verdict::CommitJson>,
    /// `--format gitlab`: Code Quality issues.
    gitlab: Vec<verdict::GitlabIssue>,
    /// `--format sarif`: one result per violation.
    sarif: Vec<sarif::SarifResult>,
    /// `--format junit`: one test case per commit checked.
    junit: junit::Cases,
}

const RANGE_HINT: &str = "Name commits as `git rev-list` does: `main..topic`, `HEAD~3..`, `--all`.";

/// Print what was collected and decide the outcome.
fn finish(
    global: &Global,
    policy: &tiergate_core::policy::Policy,
    summary: judge::Summary,
    write_error: Option<std::io::Error>,
    collected: Collected,
    mut out: std::io::StdoutLock<'_>,
) -> anyhow::Result<Outcome> {
    if let Some(e) = write_error {
        return Err(anyhow::Error::new(e).context("cannot write to stdout"));
    }
    match global.format {
        Format::Json => {
            let doc = verdict::run_json(policy, &summary, collected.json);
            writeln!(out, "{doc}")?;
        }
        Format::Gitlab => {
            writeln!(out, "{}", verdict::Json(&collected.gitlab))?;
        }
        Format::Sarif => {
            let log = sarif::log(collected.sarif, policy.mode, env!("CARGO_PKG_VERSION"));
            serde_json::to_writer(&mut out, &log)?;
            writeln!(out)?;
        }
        Format::Junit => {
            let doc = junit::document(&collected.junit, &summary, policy.mode);
            out.write_all(doc.as_bytes())?;
        }
        _ => {
            // The summary comes with violations, or on success when asked
            // for with -v.
            if summary.violations > 0
                || summary.warnings > 0
                || (global.verbose > 0 && !global.quiet)
            {
                writeln!(out, "{}", verdict::human_summary(&summary, policy))?;
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
