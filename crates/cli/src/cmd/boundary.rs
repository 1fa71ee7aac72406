//! `tiergate boundary [--rev REV] [--include-root DIR]... [--html FILE]`:
//! the files outside each forbidden tier that its code includes,
//! transitively, with who includes them (see
//! [`tiergate_core::classify::boundary`]), listed or drawn on the tier tree
//! map of `classify --tree --html`.

use crate::cmd::classify::tree;
use crate::cmd::report::{self, html};
use crate::context;
use crate::exit::Outcome;
use crate::{Format, Global};
use anyhow::Context as _;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use tiergate_core::classify::tiermap::TierMap;
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
    /// Write the tier tree map of the tree at REV (as `classify --tree
    /// --html` draws it) with the files listed marked on it, and their
    /// table, to FILE (self-contained HTML) instead of the listing
    #[arg(long, value_name = "FILE", conflicts_with = "format")]
    html: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::TextFormat,
}

/// One file outside a tier that the tier's code reaches.
#[derive(Debug, Serialize)]
struct Reached {
    path: String,
    /// The path as the tree has it (`path` is lossy UTF-8), to find its
    /// box on the tree map.
    #[serde(skip)]
    raw_path: Vec<u8>,
    /// The tier the file is in by the policy's patterns.
    tier: String,
    /// Its index in the policy's tiers (the map's colour).
    #[serde(skip)]
    tier_index: usize,
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
                (own_tier.ai != AiRule::Forbidden).then(move || Reached {
                    exclusive: reached.exclusive,
                    path: String::from_utf8_lossy(&reached.path).into_owned(),
                    tier: own_tier.name.clone(),
                    tier_index: own,
                    included_by: reached
                        .included_by
                        .iter()
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .collect(),
                    raw_path: reached.path,
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
    if let Some(path) = &args.html {
        // The map of the very commit the includes were read from, not of
        // REV resolved a second time (a branch can move in between).
        let (map, _) = tree::tiermap_at(&repo, policy, &classifier, &tree.commit)?;
        let source =
            report::policy_in_repo(&policy.source, repo.workdir().as_deref(), repo.git_dir());
        let page = html_page(&map, &doc, &source);
        std::fs::write(path, page).with_context(|| format!("cannot write {}", path.display()))?;
        return Ok(Outcome::Pass);
    }
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

const NO_FORBIDDEN_TIER: &str = "no tier has `ai: forbidden`: there is no boundary to follow";

/// What a tier's code reaches, in a sentence (no tier name, no stop).
fn reach_summary(tier: &TierBoundary) -> String {
    if tier.files.is_empty() {
        return "its code includes no file outside forbidden tiers".to_owned();
    }
    let n = tier.files.len();
    let only = tier.files.iter().filter(|f| f.exclusive).count();
    format!(
        "its code includes {n} file{} outside it, {only} included by nothing else",
        if n == 1 { "" } else { "s" }
    )
}

/// A tier's files as they are listed: those only this tier includes
/// first (they are the leak), then the shared ones, each in path order.
fn listed(tier: &TierBoundary) -> impl Iterator<Item = &Reached> {
    [true, false]
        .into_iter()
        .flat_map(|exclusive| tier.files.iter().filter(move |f| f.exclusive == exclusive))
}

fn only_or_shared(file: &Reached) -> &'static str {
    if file.exclusive {
        "only"
    } else {
        "shared"
    }
}

/// The last line: the tree and what was read.
fn read_summary(doc: &Document<'_>) -> String {
    let short = doc.commit.get(..12).unwrap_or(doc.commit);
    format!(
        "{} ({short}): {} C/C++ file{} read for #include (roots: {})",
        doc.rev,
        doc.sources,
        if doc.sources == 1 { "" } else { "s" },
        doc.include_roots.join(", ")
    )
}

fn human(doc: &Document<'_>) -> String {
    let mut out = String::new();
    if doc.tiers.is_empty() {
        let _ = writeln!(out, "{NO_FORBIDDEN_TIER}");
    }
    for tier in &doc.tiers {
        let colon = if tier.files.is_empty() { "" } else { ":" };
        let _ = writeln!(out, "tier '{}': {}{colon}", tier.tier, reach_summary(tier));
        let path_width = tier.files.iter().map(|f| f.path.len()).max().unwrap_or(0);
        let tier_width = tier.files.iter().map(|f| f.tier.len()).max().unwrap_or(0);
        for file in listed(tier) {
            let _ = writeln!(
                out,
                "  {:path_width$}  {:tier_width$}  {:6}  included by {}",
                file.path,
                file.tier,
                only_or_shared(file),
                includers(&file.included_by)
            );
        }
    }
    let _ = writeln!(out, "{}", read_summary(doc));
    out
}

/// The tree map of the tree with every file the boundary reaches marked
/// (hatched: only a forbidden tier's code includes it; dashed: shared),
/// then a table per forbidden tier.
fn html_page(map: &TierMap, doc: &Document<'_>, source: &str) -> String {
    use html::escape;
    // A file reached from several forbidden tiers is one box: its mark is
    // "only" if it is only for one of them, and its tooltip names each.
    let mut reached: BTreeMap<&[u8], Vec<(&str, &Reached)>> = BTreeMap::new();
    for tier in &doc.tiers {
        for file in &tier.files {
            reached
                .entry(&file.raw_path)
                .or_default()
                .push((&tier.tier, file));
        }
    }
    let mut marks = html::Marks::new("only", "shared");
    for (path, by) in reached {
        let notes: Vec<String> = by
            .iter()
            .map(|(tier, file)| {
                if file.exclusive {
                    format!("only tier {tier}'s code includes it (follow_includes would make it {tier})")
                } else {
                    format!("tier {tier}'s code includes it, and so does other code (shared)")
                }
            })
            .collect();
        let kind = if by.iter().any(|(_, f)| f.exclusive) {
            html::MarkKind::Hatched
        } else {
            html::MarkKind::Dashed
        };
        let note = format!("{}: {}", String::from_utf8_lossy(path), notes.join("; "));
        marks.insert(path.to_vec(), html::Mark { kind, note });
    }
    let legend = html::mark_legend(&[
        (
            html::MarkKind::Hatched,
            "holds a file only a forbidden tier's code includes (only: follow_includes would make it part of that tier)",
        ),
        (
            html::MarkKind::Dashed,
            "holds a file a forbidden tier's code includes and other code too (shared: it stays in its own tier)",
        ),
    ]);
    let page = tree::MapPage {
        title: "The include boundary",
        rev: doc.rev,
        commit: doc.commit,
        source,
    };
    let mut body = tree::map_section(map, &page, &marks, &legend);
    if doc.tiers.is_empty() {
        let _ = write!(body, "<p>{}.</p>", escape(NO_FORBIDDEN_TIER));
    }
    for tier in &doc.tiers {
        let _ = write!(
            body,
            "<h2>Tier <code>{name}</code> (ai: forbidden)</h2><p>Tier {name}: {}.</p>",
            escape(&reach_summary(tier)),
            name = escape(&tier.tier),
        );
        if tier.files.is_empty() {
            continue;
        }
        let rows: Vec<Vec<String>> = listed(tier)
            .map(|file| {
                let kind = only_or_shared(file);
                vec![
                    format!("<code>{}</code>", escape(&file.path)),
                    format!(
                        "<span style=\"color:{};font-weight:600\">{}</span>",
                        html::tier_colour(file.tier_index),
                        escape(&file.tier)
                    ),
                    if file.exclusive {
                        format!("<b>{kind}</b>")
                    } else {
                        kind.to_owned()
                    },
                    escape(&includers(&file.included_by)),
                ]
            })
            .collect();
        body.push_str(&html::table(
            &["file", "its tier", "only / shared", "included by"],
            &[false, false, false, false],
            &rows,
        ));
    }
    let _ = write!(
        body,
        "<p class=\"muted\">{}.</p>",
        escape(&read_summary(doc))
    );
    html::page("tiergate: the include boundary", &body)
}
