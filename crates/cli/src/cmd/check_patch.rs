//! `tiergate check-patch FILE...|-`: judge `git format-patch` output and
//! mbox files, for projects that take patches by mail.
//!
//! Each mail is read as `git am` reads it ([`tiergate_core::input::patch`]): the
//! message from the `Subject:` (its `[PATCH ...]` prefix removed) and the
//! body, the `---` divider ending the log message (a declaration written
//! below it is not a trailer), the author from `From:`, the changed paths
//! from the diff headers (both sides of a rename). Cover letters
//! (`[PATCH 0/N]`) are skipped. Every patch is judged by
//! [`tiergate_core::judge::judge`], the function `tiergate check` and the
//! hooks use, and reported as `patch N/M (FILE)` with its title; N counts
//! the patches of all the inputs together. The committer is unknown for a
//! mailed patch: committer markers do not apply.
//!
//! Output is like `tiergate check`: the violations (nothing when all
//! pass), then a summary line; `--show` adds the reviewer's view of every
//! patch (the block of `tiergate show`). `--format json` prints one
//! document. Exit 0 pass (or `mode: warn`), 1 violations, 2 usage or
//! policy error (also: an unreadable input, no patch in the input, or an
//! input that is not a mail, such as `git diff` output), 3
//! I/O error.

use crate::context;
use crate::exit::{usage, Outcome};
use crate::{Format, Global};
use anyhow::Context as _;
use std::convert::Infallible;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use tiergate_core::input::patch::{self, Patch};
use tiergate_core::judge::{self, CommitVerdict, Summary};
use tiergate_core::message::trailer::ParseOptions;
use tiergate_core::output::show::Provenance;
use tiergate_core::output::verdict::{self, Colour};
use tiergate_core::policy::Mode;
use tiergate_core::repo::ChangedPaths;
use tiergate_core::rules::CommitFacts;

/// Arguments of `tiergate check-patch`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Patch files (`git format-patch` output) or mbox files; `-` reads
    /// stdin
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Also print the reviewer's view of every patch: tiers and paths,
    /// declaration, markers, required trailers, verdict
    #[arg(long)]
    pub show: bool,
    /// Judge as at this stage of the workflow: `apply` (a maintainer
    /// applying the patch) unless told otherwise, e.g. `commit` for a
    /// contributor checking their own series before sending it
    #[arg(long, default_value = "apply", value_parser = super::check::stage_parser(), value_name = "STAGE")]
    pub stage: tiergate_core::stage::Stage,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::TextFormat,
}

/// Run `tiergate check-patch`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    // The repository is only where the policy may come from.
    let repo = match context::open_repo(global) {
        Ok(repo) => Some(repo),
        Err(e) if global.repo.is_some() => return Err(e),
        Err(_) => None,
    };
    let loaded = context::load_policy(global, repo.as_ref())?;
    let classifier = loaded.classifier_around(repo.as_ref())?;
    let policy = &loaded.policy;

    let mut patches: Vec<(String, Patch)> = Vec::new();
    for file in &args.files {
        let (name, input) = read_input(file)?;
        let mails = patch::read_patches(&input);
        if mails.is_empty() {
            tracing::warn!(file = %name, "no mail in this input");
        }
        for patch in mails {
            if !patch.is_mail() {
                // `git am` refuses it too ("Patch format detection failed").
                return Err(usage(
                    format!("{name} is not a patch mail: it has no `Subject:` or `From:` header, so there is no commit message to judge (a `git diff` or `git show` output?)"),
                    Some("Pass files written by `git format-patch`, or an mbox of patches; for commits, use `tiergate check <rev-range>`."),
                ));
            }
            if patch.cover_letter {
                tracing::info!(file = %name, subject = %patch.subject, "cover letter skipped");
                continue;
            }
            patches.push((name.clone(), patch));
        }
    }
    if patches.is_empty() {
        return Err(usage(
            "no patch found in the input",
            Some("Pass files written by `git format-patch`, or an mbox of patches (cover letters are skipped)."),
        ));
    }

    let options = ParseOptions::default();
    let colour = Colour::for_terminal(std::io::stdout().is_terminal());
    let total = patches.len();
    let mut summary = Summary::default();
    let mut out = std::io::stdout().lock();
    let mut json_patches = Vec::new();
    for (i, (name, patch)) in patches.into_iter().enumerate() {
        let facts = CommitFacts {
            message: patch.message.clone(),
            author: patch.author.clone().unwrap_or_default(),
            ..Default::default()
        };
        let Ok(judgement) = judge::judge(policy, &classifier, &facts, &options, args.stage, || {
            Ok::<_, Infallible>(ChangedPaths(patch.paths.clone(), None))
        });
        let verdict = CommitVerdict::new(
            format!("{}/{total} ({name})", i + 1),
            patch.title.clone(),
            judgement,
        );
        summary.add(&verdict);
        let view = args.show.then(|| {
            Provenance::new(
                policy,
                &classifier,
                &verdict,
                patch.author.clone(),
                &patch.paths,
            )
        });
        match global.format {
            Format::Json => {
                if verdict.violations.is_empty() && view.is_none() {
                    continue;
                }
                let mut commit = verdict::commit_json(&verdict);
                commit.patch = Some(verdict::PatchJson {
                    file: name.clone(),
                    index: i + 1,
                    subject: patch.subject.clone(),
                });
                commit.provenance = view.map(|view| view.into_json(&verdict, policy.mode));
                json_patches.push(commit);
            }
            _ => {
                if let Some(view) = &view {
                    out.write_all(view.human("patch", &verdict, policy.mode).as_bytes())?;
                    writeln!(out)?;
                }
                let text = verdict::human_item(&verdict, "patch", policy.mode, colour);
                out.write_all(text.as_bytes())?;
            }
        }
    }
    match global.format {
        Format::Json => {
            let doc = verdict::run_json(policy, &summary, json_patches);
            writeln!(out, "{doc}")?;
        }
        _ => {
            if summary.violations > 0 || args.show || (global.verbose > 0 && !global.quiet) {
                writeln!(out, "{}", summary_line(&summary, policy.mode))?;
            }
        }
    }
    out.flush().context("cannot write to stdout")?;
    Ok(if summary.fails(policy) {
        Outcome::Violations
    } else {
        Outcome::Pass
    })
}

/// The name to show for an input and its bytes.
fn read_input(file: &std::path::Path) -> anyhow::Result<(String, Vec<u8>)> {
    if file.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .context("cannot read patches from stdin")?;
        return Ok(("stdin".to_owned(), buf));
    }
    let bytes = std::fs::read(file).map_err(|e| {
        usage(
            format!("cannot read {}: {e}", file.display()),
            Some("Name a readable patch or mbox file, or `-` for stdin."),
        )
    })?;
    Ok((file.display().to_string(), bytes))
}

/// `tiergate: 2 violations in 1 patch (3 patches checked)`.
fn summary_line(summary: &Summary, mode: Mode) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}es")
        }
    };
    let violations = if summary.violations == 1 {
        "1 violation".to_owned()
    } else {
        format!("{} violations", summary.violations)
    };
    let mut line = format!(
        "tiergate: {violations} in {} ({} checked)",
        plural(summary.commits_failed, "patch"),
        plural(summary.commits_checked, "patch"),
    );
    if summary.violations > 0 && mode == Mode::Warn {
        line.push_str("; mode: warn, not failing");
    }
    line
}
