//! `tiergate boundary [--rev REV] [--include-root DIR]...`: the files
//! outside each forbidden tier that its code includes, transitively, with
//! who includes them (see [`tiergate_core::classify::boundary`]).

use crate::context;
use crate::exit::Outcome;
use crate::{Format, Global};
use anyhow::Context as _;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write as _;
use tiergate_core::policy::AiRule;

/// Arguments of `tiergate boundary`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The tree to read: a commit, branch or tag
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    rev: String,
    /// A directory `#include <...>` (and `"..."`, after the including
    /// file's own directory) is searched in, as the compiler's `-I`; in
    /// the order given [default: the policy's `includes.roots`, else
    /// include]
    #[arg(long = "include-root", value_name = "DIR")]
    include_roots: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::TextFormat,
}

/// One file outside a tier that the tier's code reaches.
#[derive(Debug, Serialize)]
struct Reached {
    path: String,
    /// The tier the file is in by the policy's patterns.
    tier: String,
    /// The files that include it directly (in the tier, or reached).
    included_by: Vec<String>,
    /// Only the tier's code (and headers only it includes) includes it:
    /// what `follow_includes` makes part of the tier.
    exclusive: bool,
}

/// One forbidden tier and what it reaches.
#[derive(Debug, Serialize)]
struct TierBoundary {
    tier: String,
    files: Vec<Reached>,
}

#[derive(Debug, Serialize)]
struct Document<'a> {
    rev: &'a str,
    commit: &'a str,
    include_roots: &'a [String],
    sources: usize,
    tiers: Vec<TierBoundary>,
}

/// Run `tiergate boundary`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let (repo, loaded) = context::open_with_policy(global)?;
    let classifier = loaded.classifier()?;
    let policy = &loaded.policy;
    let roots: Vec<String> = if args.include_roots.is_empty() {
        policy.includes.roots.clone()
    } else {
        args.include_roots.clone()
    };
    let root_bytes: Vec<Vec<u8>> = roots.iter().map(|r| r.as_bytes().to_vec()).collect();
    let tree = repo
        .includes_at(&args.rev, &root_bytes)
        .map_err(|e| context::repo_error(e, Some(context::COMMIT_HINT)))?;
    let sources = tree
        .graph
        .files()
        .filter(|f| tiergate_core::classify::boundary::is_source(f))
        .count();
    let mut tiers = Vec::new();
    for (t, tier) in policy.tiers.iter().enumerate() {
        if tier.ai != AiRule::Forbidden {
            continue;
        }
        let files = tree
            .graph
            .reached_from(|p| classifier.tier_of(p), t)
            .into_iter()
            .filter_map(|reached| {
                let own = classifier.tier_of(&reached.path);
                // A file of another forbidden tier is protected already.
                let own_tier = policy.tiers.get(own)?;
                (own_tier.ai != AiRule::Forbidden).then(|| Reached {
                    exclusive: reached.exclusive,
                    path: String::from_utf8_lossy(&reached.path).into_owned(),
                    tier: own_tier.name.clone(),
                    included_by: reached
                        .included_by
                        .iter()
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .collect(),
                })
            })
            .collect();
        tiers.push(TierBoundary {
            tier: tier.name.clone(),
            files,
        });
    }
    let doc = Document {
        rev: &args.rev,
        commit: &tree.commit,
        include_roots: &roots,
        sources,
        tiers,
    };
    let text = match global.format {
        Format::Json => format!("{}\n", serde_json::to_string(&doc)?),
        _ => human(&doc),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write to stdout")?;
    Ok(Outcome::Pass)
}

/// Includers shown per file in human output; `--format json` lists all.
const INCLUDERS_SHOWN: usize = 3;

fn includers(list: &[String]) -> String {
    let mut text = list
        .iter()
        .take(INCLUDERS_SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if list.len() > INCLUDERS_SHOWN {
        let _ = write!(text, " and {} more", list.len() - INCLUDERS_SHOWN);
    }
    text
}

fn human(doc: &Document<'_>) -> String {
    let mut out = String::new();
    if doc.tiers.is_empty() {
        out.push_str("no tier has `ai: forbidden`: there is no boundary to follow\n");
    }
    for tier in &doc.tiers {
        if tier.files.is_empty() {
            let _ = writeln!(
                out,
                "tier '{}': its code includes no file outside forbidden tiers",
                tier.tier
            );
            continue;
        }
        let n = tier.files.len();
        let only = tier.files.iter().filter(|f| f.exclusive).count();
        let _ = writeln!(
            out,
            "tier '{}': its code includes {n} file{} outside it, {only} included by nothing else:",
            tier.tier,
            if n == 1 { "" } else { "s" }
        );
        let path_width = tier.files.iter().map(|f| f.path.len()).max().unwrap_or(0);
        let tier_width = tier.files.iter().map(|f| f.tier.len()).max().unwrap_or(0);
        // Files only this tier includes first: they are the leak.
        for exclusive in [true, false] {
            for file in tier.files.iter().filter(|f| f.exclusive == exclusive) {
                let _ = writeln!(
                    out,
                    "  {:path_width$}  {:tier_width$}  {:6}  included by {}",
                    file.path,
                    file.tier,
                    if exclusive { "only" } else { "shared" },
                    includers(&file.included_by)
                );
            }
        }
    }
    let short = doc.commit.get(..12).unwrap_or(doc.commit);
    let _ = writeln!(
        out,
        "{} ({short}): {} C/C++ file{} read for #include (roots: {})",
        doc.rev,
        doc.sources,
        if doc.sources == 1 { "" } else { "s" },
        doc.include_roots.join(", ")
    );
    out
}
