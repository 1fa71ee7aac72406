//! `tiergate classify --tree [REV] [--html FILE]`: where the boundary runs
//! through the tree at a revision — its directories with their tier,
//! collapsing subtrees whose files share one tier (see
//! [`tiergate_core::classify::tiermap`]), or a tree map coloured by tier.

use crate::cmd::report::{html, policy_in_repo};
use crate::context;
use crate::exit::Outcome;
use crate::{Format, Global};
use anyhow::Context as _;
use serde_json::json;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use tiergate_core::classify::tiermap::{Row, RowKind, TierMap};
use tiergate_core::classify::Classifier;
use tiergate_core::policy::Policy;
use tiergate_core::repo::Repo;

/// The tier map of the tree at `rev`, and the commit id it names.
pub(crate) fn tiermap_at(
    repo: &Repo,
    policy: &Policy,
    classifier: &Classifier,
    rev: &str,
) -> anyhow::Result<(TierMap, String)> {
    let mut files: Vec<(Vec<u8>, usize)> = Vec::new();
    let commit = repo
        .for_each_tree_file(rev, |path| {
            files.push((path.to_vec(), classifier.tier_of(path)));
        })
        .map_err(|e| context::repo_error(e, Some(context::COMMIT_HINT)))?;
    let tiers = policy.tiers.iter().map(|t| t.name.clone()).collect();
    let map = TierMap::build(tiers, files.iter().map(|(p, t)| (p.as_slice(), *t)));
    Ok((map, commit))
}

fn tier_name(map: &TierMap, tier: Option<usize>) -> &str {
    match tier {
        Some(t) => map.tiers.get(t).map_or("?", String::as_str),
        None => "mixed",
    }
}

fn mix(map: &TierMap, row: &Row) -> String {
    if row.tier.is_some() {
        return String::new();
    }
    row.counts
        .iter()
        .map(|(t, n)| format!("{} {n}", tier_name(map, Some(*t))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Run `tiergate classify --tree REV`.
pub fn run(global: &Global, rev: &str, html_file: Option<&Path>) -> anyhow::Result<Outcome> {
    let repo = context::open_repo(global)?;
    let loaded = context::load_policy(global, Some(&repo))?;
    let classifier = loaded.classifier()?;
    let policy = &loaded.policy;
    let (map, commit) = tiermap_at(&repo, policy, &classifier, rev)?;
    let rows = map.rows();
    if let Some(path) = html_file {
        let source = policy_in_repo(&policy.source, repo.workdir().as_deref(), repo.git_dir());
        let page = html_page(&map, &rows, rev, &commit, &source);
        std::fs::write(path, page).with_context(|| format!("cannot write {}", path.display()))?;
        return Ok(Outcome::Pass);
    }
    let text = match global.format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    let tiers: serde_json::Map<String, serde_json::Value> = r
                        .counts
                        .iter()
                        .map(|(t, n)| (tier_name(&map, Some(*t)).to_owned(), json!(n)))
                        .collect();
                    json!({
                        "path": r.path,
                        "depth": r.depth,
                        "kind": match r.kind {
                            RowKind::Dir => "dir",
                            RowKind::File => "file",
                            RowKind::Files => "files",
                        },
                        "tier": r.tier.map(|t| tier_name(&map, Some(t)).to_owned()),
                        "files": r.files,
                        "tiers": tiers,
                    })
                })
                .collect();
            format!(
                "{}\n",
                json!({ "rev": rev, "commit": commit, "tiers": map.tiers, "rows": rows })
            )
        }
        _ => human(&map, &rows),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write to stdout")?;
    Ok(Outcome::Pass)
}

/// `path  tier  files  [mix]`, indented by depth, aligned.
fn human(map: &TierMap, rows: &[Row]) -> String {
    let shown: Vec<(String, &str, String, String)> = rows
        .iter()
        .map(|r| {
            (
                format!("{}{}", "  ".repeat(r.depth), r.path),
                tier_name(map, r.tier),
                r.files.to_string(),
                mix(map, r),
            )
        })
        .collect();
    let w0 = shown
        .iter()
        .map(|s| s.0.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let w1 = shown
        .iter()
        .map(|s| s.1.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let w2 = shown.iter().map(|s| s.2.len()).max().unwrap_or(0).max(5);
    let mut out = String::new();
    let _ = writeln!(out, "{:<w0$}  {:<w1$}  {:>w2$}", "path", "tier", "files");
    for (path, tier, files, mix) in shown {
        let line = format!("{path:<w0$}  {tier:<w1$}  {files:>w2$}  {mix}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// What a tree map page says of the tree it draws.
pub(crate) struct MapPage<'a> {
    /// The heading.
    pub title: &'a str,
    /// The revision as given, and the commit it named.
    pub rev: &'a str,
    pub commit: &'a str,
    /// Where the policy was read from, as a shared page names it
    /// ([`crate::cmd::report::policy_in_repo`]).
    pub source: &'a str,
}

/// The top of a tree map page, shared by `classify --tree --html` and
/// `boundary --html`: the heading, the tiers' legend, `mark_legend` (HTML,
/// empty for none) and the map of `map` with `marks` drawn on it.
pub(crate) fn map_section(
    map: &TierMap,
    page: &MapPage<'_>,
    marks: &html::Marks,
    mark_legend: &str,
) -> String {
    use html::escape;
    let mut body = format!(
        "<h1>{}</h1><p class=\"sub\"><code>{}</code> ({}) · {} files · policy <code>{}</code></p>",
        escape(page.title),
        escape(page.rev),
        escape(page.commit.get(..12).unwrap_or(page.commit)),
        map.root.total(),
        escape(page.source)
    );
    let mut legend: Vec<(String, &str)> = map
        .tiers
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let n = map.root.counts.get(i).copied().unwrap_or(0);
            (format!("{name} ({n} files)"), html::tier_colour(i))
        })
        .collect();
    legend.push(("mixed directory".to_owned(), "#4b5563"));
    let legend: Vec<(&str, &str)> = legend.iter().map(|(l, c)| (l.as_str(), *c)).collect();
    body.push_str(&html::legend(&legend));
    body.push_str(mark_legend);
    body.push_str("<p class=\"muted\">Area is the number of files; a box whose files share one tier is drawn as one; hover a box for its path and counts.</p>");
    body.push_str(&html::treemap(map, 1060.0, 680.0, marks));
    body
}

fn html_page(map: &TierMap, rows: &[Row], rev: &str, commit: &str, source: &str) -> String {
    use html::escape;
    let page = MapPage {
        title: "Tiers of the tree",
        rev,
        commit,
        source,
    };
    let mut body = map_section(map, &page, &html::Marks::default(), "");
    body.push_str("<h2>Directories</h2>");
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let colour = match r.tier {
                Some(t) => html::tier_colour(t),
                None => "#4b5563",
            };
            vec![
                format!(
                    "<span style=\"padding-left:{}px\"><code>{}</code></span>",
                    r.depth * 16,
                    escape(&r.path)
                ),
                format!(
                    "<span style=\"color:{colour};font-weight:600\">{}</span>",
                    escape(tier_name(map, r.tier))
                ),
                r.files.to_string(),
                escape(&mix(map, r)),
            ]
        })
        .collect();
    body.push_str(&html::table(
        &["path", "tier", "files", "mixed: files per tier"],
        &[false, false, true, false],
        &table_rows,
    ));
    html::page("tiergate: tiers of the tree", &body)
}
