//! `tiergate show [COMMIT]...`: the provenance facts a reviewer needs
//! about a commit, on one screen: the tiers its changed paths fall in (with
//! the paths: the first few, then a count), the declaration (tool, model
//! and tools parsed from `AGENT:MODEL [tools]`), the markers of AI tools
//! found, the `require` trailers of the touched tiers (present or
//! missing), and the verdict with its violations (as `tiergate check`
//! prints them).
//!
//! Unlike `tiergate check`, the paths are always computed, AI-assisted or
//! not. `--format json` prints one document. Exit 0 when every commit
//! passes (or `mode: warn`), 1 when one has violations, 2 for a bad
//! revision or policy, 3 for a git error.

use crate::context;
use crate::exit::Outcome;
use crate::{Format, Global};
use anyhow::Context as _;
use std::io::{IsTerminal, Write};
use tiergate_core::judge::{self, CommitVerdict};
use tiergate_core::message::trailer::ParseOptions;
use tiergate_core::output::show::Provenance;
use tiergate_core::output::verdict::{self, Colour};
use tiergate_core::policy::Mode;

const RESOLVE_HINT: &str = "Name a commit as `git rev-parse` takes it: `HEAD`, `main~2`, an id.";

/// Arguments of `tiergate show`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Commits to show (anything `git rev-parse` takes)
    #[arg(value_name = "COMMIT", default_value = "HEAD")]
    pub commits: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::TextFormat,
}

/// Run `tiergate show`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    // Through the repository layer: the commit as git shows it (decoded, a
    // shallow boundary as a root), in any repository format.
    let (repo, loaded) = context::open_with_policy(global)?;
    let classifier = loaded.classifier_in(&repo)?;
    let policy = &loaded.policy;
    let options = ParseOptions::stored();
    let colour = Colour::for_terminal(std::io::stdout().is_terminal());
    let mut out = std::io::stdout().lock();
    let mut failed = false;
    let mut json_commits = Vec::new();
    for (n, rev) in args.commits.iter().enumerate() {
        let (commit, paths) = repo
            .show(rev)
            .map_err(|e| context::repo_error(e, Some(RESOLVE_HINT)))?;
        let (id, mut info) = (commit.id, commit.info);
        info.facts.notes = repo
            .notes_of(policy, &id)
            .map_err(|e| context::repo_error(e, None))?;
        let judgement = judge::judge(
            policy,
            &classifier,
            &info.facts,
            &options,
            tiergate_core::stage::Stage::Ci,
            || Ok::<_, std::convert::Infallible>(paths.clone()),
        )?;
        let mut judgement = judgement;
        // A commit the policy's baseline commit grandfathers is left out
        // of `check`'s walk: say the same here.
        if repo
            .reachable_from_baseline(policy, &id)
            .map_err(|e| context::repo_error(e, None))?
        {
            judgement.violations.clear();
            judgement.grandfathered = true;
        }
        let verdict = CommitVerdict::new(id, info.title, judgement);
        failed |= !verdict.violations.is_empty();
        let view = Provenance::new(
            policy,
            &classifier,
            &verdict,
            Some(info.facts.author.clone()),
            &paths.0,
        );
        match global.format {
            Format::Json => {
                let mut commit = verdict::commit_json(&verdict);
                commit.provenance = Some(view.into_json(&verdict, policy.mode));
                json_commits.push(commit);
            }
            _ => {
                if n > 0 {
                    writeln!(out)?;
                }
                out.write_all(view.human("commit", &verdict, policy.mode).as_bytes())?;
                if !verdict.is_clean() {
                    writeln!(out)?;
                    let text = verdict::human_commit(&verdict, policy.mode, colour);
                    out.write_all(text.trim_end().as_bytes())?;
                    writeln!(out)?;
                }
            }
        }
    }
    if global.format == Format::Json {
        let doc = verdict::ShowJson {
            version: verdict::JSON_VERSION,
            policy: &policy.source,
            commits: json_commits,
        };
        writeln!(out, "{doc}")?;
    }
    out.flush().context("cannot write to stdout")?;
    Ok(if failed && policy.mode == Mode::Enforce {
        Outcome::Violations
    } else {
        Outcome::Pass
    })
}
