//! `tiergate report [<rev-range>...]`: how AI is used across a history,
//! per tier and per month, per tool, and where.
//!
//! Every commit is judged by the same engine as `tiergate check`
//! ([`check::check_commits_with_paths`]) and counted by
//! [`tiergate_core::output::history`]; this module only renders. The report never
//! fails on violations: it exits 0 whatever it finds.
//!
//! CSV (`--format csv`) prints one table, chosen by `--table`:
//! - `months` (default): `month,tier,commits,ai_assisted,ai_declared,
//!   undeclared_marker,violations,<one column per rule code>`: one row per
//!   month and tier (every tier, every month that has commits), then a row
//!   with tier `*` for the month as a whole (each commit once);
//! - `tools`: `tool,agent,model,commits,first,last`;
//! - `paths`: `path,tier,commits,overcount`;
//! - `violations`: `id,date,title,rule,tier`: one row per violation of
//!   each listed violating commit (at most `--violations N` commits); a
//!   message rule's row names the tiers the commit touches, `;`-separated.

pub(crate) mod html;

use crate::context;
use crate::exit::Outcome;
use crate::rev_args::RevArgs;
use crate::{Format, Global, ReportFormat};
use anyhow::Context as _;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tiergate_core::judge::CommitVerdict;
use tiergate_core::output::history::{
    Counts, History, HistoryJson, HistoryReport, ViolatingCommit, MONTHS_BEFORE_FOLDING,
    VIOLATIONS_LISTED,
};
use tiergate_core::repo::ChangedPaths;
use tiergate_core::rules::RuleCode;
use tiergate_core::stage::Stage;

/// Arguments of `tiergate report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Commits to report on: revisions and git's commit-selecting options
    /// [default: HEAD, the whole history]
    #[command(flatten)]
    pub revs: RevArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    /// Write a self-contained HTML page with charts (AI-assisted commits
    /// per tier over time, violations by rule) and the tables to FILE
    /// instead of printing the report
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// How many paths the "top paths of AI-assisted changes" table lists
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
    /// With --format csv: which table to print
    #[arg(long, value_enum, default_value_t = CsvTable::Months)]
    pub table: CsvTable,
    /// How many violating commits the "violating commits" section lists
    /// (the rest are counted)
    #[arg(long, value_name = "N", default_value_t = VIOLATIONS_LISTED)]
    pub violations: usize,
}

/// The tables `--format csv` can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvTable {
    /// Per month and tier: commits, AI-assisted, declared, undeclared, violations by rule
    Months,
    /// Per tool/model named in declarations
    Tools,
    /// Top paths of AI-assisted changes
    Paths,
    /// The violating commits listed (one row per violation)
    Violations,
}

/// Run `tiergate report`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    // Through the repository layer: every commit as git shows it, in any
    // repository format.
    let (repo, loaded) = context::open_with_policy(global)?;
    let classifier = loaded.classifier_in(&repo)?;
    let policy = &loaded.policy;
    // Nothing, or only options (`--since=2.weeks`): from HEAD, as `git log`.
    let revs: Vec<OsString> = if args.revs.args.is_empty() {
        vec![OsString::from("HEAD")]
    } else {
        tiergate_core::repo::default_to_head(&args.revs.args)
    };
    let tiers: Vec<String> = policy.tiers.iter().map(|t| t.name.clone()).collect();
    let mut history = History::new(tiers).list_violations(args.violations);
    let progress = Progress::new(!global.quiet && std::io::stderr().is_terminal());
    let mut count = |verdict: &CommitVerdict, changed: &ChangedPaths, when: (i64, i32)| {
        let classified: Vec<(&[u8], usize)> = changed
            .0
            .iter()
            .map(|p| (p.as_slice(), classifier.tier_of(p)))
            .collect();
        history.add_at(when, verdict, &classified);
        progress.tick();
    };
    let result = repo.check_with_paths(policy, &classifier, Stage::Ci, &revs, &mut count);
    progress.finish();
    result.map_err(|e| context::repo_error(e, Some(RANGE_HINT)))?;
    // Commits a baseline commit grandfathers were left out of the walk;
    // they are counted apart (a date baseline's come through the walk).
    let grandfathered = repo
        .count_grandfathered(policy, &revs)
        .map_err(|e| context::repo_error(e, Some(RANGE_HINT)))?;
    history.add_grandfathered(grandfathered as u64);
    let shown = policy_in_repo(&policy.source, repo.workdir().as_deref(), repo.git_dir());
    render(global, &args, policy, &shown, history, &revs)
}

/// The policy's source as the HTML page names it: relative to the
/// repository when the policy is a file in it, the file name alone when it
/// is a file elsewhere (a page is shared: it must not carry the local
/// directory layout), as it is otherwise (`HEAD:policy.yaml`, a relative
/// path given on the command line). Also the tree map pages'
/// (`classify --tree --html`, `boundary --html`).
pub(crate) fn policy_in_repo(
    source: &str,
    workdir: Option<&std::path::Path>,
    git_dir: &std::path::Path,
) -> String {
    let path = std::path::Path::new(source);
    if !path.is_absolute() {
        return source.to_owned();
    }
    // Both as given and canonical: the temp dir or home may be reached
    // through a symbolic link on one side only.
    let real = path.canonicalize().ok();
    for top in workdir.into_iter().chain([git_dir]) {
        let real_top = top.canonicalize().ok();
        for top in [Some(top), real_top.as_deref()].into_iter().flatten() {
            for path in [Some(path), real.as_deref()].into_iter().flatten() {
                if let Ok(rest) = path.strip_prefix(top) {
                    return rest.to_string_lossy().into_owned();
                }
            }
        }
    }
    path.file_name().map_or_else(
        || source.to_owned(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// Print (or write as HTML) the report of a finished walk.
fn render(
    global: &Global,
    args: &Args,
    policy: &tiergate_core::policy::Policy,
    policy_shown: &str,
    history: History,
    revs: &[OsString],
) -> anyhow::Result<Outcome> {
    let report = history.finish(args.top);
    let range: Vec<String> = revs
        .iter()
        .map(|r| r.to_string_lossy().into_owned())
        .collect();
    if let Some(path) = &args.html {
        let page = html_page(&report, &range, policy_shown);
        std::fs::write(path, page).with_context(|| format!("cannot write {}", path.display()))?;
        if global.verbose > 0 && !global.quiet {
            eprintln!(
                "tiergate: wrote {} ({} commits)",
                path.display(),
                report.totals.commits
            );
        }
        return Ok(Outcome::Pass);
    }
    let text = match global.format {
        Format::Json => {
            let doc = HistoryJson {
                version: tiergate_core::output::verdict::JSON_VERSION,
                policy: &policy.source,
                range: &range,
                report: &report,
            };
            format!("{}\n", tiergate_core::output::verdict::Json(&doc))
        }
        Format::Csv => csv(&report, args.table),
        _ => human(&report, &range, &policy.source),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write to stdout")?;
    Ok(Outcome::Pass)
}

const RANGE_HINT: &str = "Name commits as `git rev-list` does: `HEAD`, `v1.0..main`, `--all`.";

/// A spinner with a commit count on stderr, shown only on a terminal and
/// only once the walk has taken more than half a second (short histories
/// print nothing).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    start: Instant,
    shown: std::cell::Cell<bool>,
}

impl Progress {
    fn new(enabled: bool) -> Progress {
        let bar = enabled.then(|| {
            let bar = indicatif::ProgressBar::hidden();
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} tiergate report: {pos} commits ({per_sec}, {elapsed})",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            start: Instant::now(),
            shown: std::cell::Cell::new(false),
        }
    }

    fn tick(&self) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if !self.shown.get() && self.start.elapsed() > Duration::from_millis(500) {
            self.shown.set(true);
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

// --- human ---

/// Render rows as an aligned table: `numeric` columns are right-aligned.
fn aligned(headers: &[&str], numeric: &[bool], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            if i > 0 {
                text.push_str("  ");
            }
            if numeric.get(i).copied().unwrap_or(false) {
                let _ = write!(text, "{cell:>w$}");
            } else {
                let _ = write!(text, "{cell:<w$}");
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    let header: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    line(&header, &mut out);
    for row in rows {
        line(row, &mut out);
    }
    out
}

fn count_cells(c: &Counts) -> [String; 5] {
    [
        c.commits.to_string(),
        c.ai_assisted.to_string(),
        c.ai_declared.to_string(),
        c.undeclared_marker.to_string(),
        c.violations.to_string(),
    ]
}

const COUNT_HEADERS: [&str; 5] = [
    "commits",
    "AI-assisted",
    "declared",
    "undeclared",
    "violations",
];

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn period(report: &HistoryReport) -> String {
    match (report.first_month, report.last_month) {
        (Some(a), Some(b)) if a == b => format!("in {a}"),
        (Some(a), Some(b)) => format!("from {a} to {b}"),
        _ => "(no commits)".to_owned(),
    }
}

fn human(report: &HistoryReport, range: &[String], source: &str) -> String {
    let t = &report.totals;
    let mut out = format!(
        "tiergate report: {}, {} {} (policy {source})\n",
        range.join(" "),
        plural(t.commits, "commit"),
        period(report)
    );
    let _ = writeln!(
        out,
        "AI-assisted: {} ({} declared, {} with undeclared markers); {}",
        plural(t.ai_assisted, "commit"),
        t.ai_declared,
        t.undeclared_marker,
        plural(t.violations, "violation")
    );
    if report.grandfathered > 0 {
        let _ = writeln!(
            out,
            "Grandfathered: {} before the policy's baseline, not judged (in no other count)",
            plural(report.grandfathered, "commit")
        );
    }
    if t.commits == 0 {
        return out;
    }

    out.push_str(
        "\nBy month and tier (a commit counts in every tier it touches; `all` counts it once)\n",
    );
    let mut rows = Vec::new();
    for month in &report.months {
        let mut first = true;
        let label = |first: &mut bool| {
            if std::mem::take(first) {
                month.month.to_string()
            } else {
                String::new()
            }
        };
        for tier in &month.tiers {
            if tier.counts.commits == 0 && tier.counts.violations == 0 {
                continue;
            }
            let mut row = vec![label(&mut first), tier.tier.clone()];
            row.extend(count_cells(&tier.counts));
            rows.push(row);
        }
        let mut row = vec![label(&mut first), "all".to_owned()];
        row.extend(count_cells(&month.all));
        rows.push(row);
    }
    let mut headers = vec!["month", "tier"];
    headers.extend(COUNT_HEADERS);
    let numeric = [false, false, true, true, true, true, true];
    out.push_str(&aligned(&headers, &numeric, &rows));

    out.push_str("\nBy tier\n");
    let mut rows: Vec<Vec<String>> = report
        .tier_totals
        .iter()
        .map(|tc| {
            let mut row = vec![tc.tier.clone()];
            row.extend(count_cells(&tc.counts));
            row
        })
        .collect();
    let mut row = vec!["all".to_owned()];
    row.extend(count_cells(t));
    rows.push(row);
    let mut headers = vec!["tier"];
    headers.extend(COUNT_HEADERS);
    out.push_str(&aligned(&headers, &numeric[1..], &rows));

    out.push_str("\nViolations by rule\n");
    if t.violations == 0 {
        out.push_str("none\n");
    } else {
        let mut headers = vec!["rule"];
        headers.extend(report.tiers.iter().map(String::as_str));
        headers.push("all");
        let mut rows = Vec::new();
        for rule in RuleCode::ALL {
            if t.rule(rule) == 0 {
                continue;
            }
            let mut row = vec![rule.as_str().to_owned()];
            row.extend(
                report
                    .tier_totals
                    .iter()
                    .map(|tc| tc.counts.rule(rule).to_string()),
            );
            row.push(t.rule(rule).to_string());
            rows.push(row);
        }
        let mut numeric = vec![true; headers.len()];
        numeric[0] = false;
        out.push_str(&aligned(&headers, &numeric, &rows));
    }

    out.push_str(&human_violating(report));

    out.push_str("\nTools and models named in declarations\n");
    if report.tools.is_empty() {
        out.push_str("none\n");
    } else {
        let rows: Vec<Vec<String>> = report
            .tools
            .iter()
            .map(|tool| {
                vec![
                    tool.agent.clone(),
                    tool.model.clone(),
                    tool.commits.to_string(),
                    tool.first.to_string(),
                    tool.last.to_string(),
                ]
            })
            .collect();
        out.push_str(&aligned(
            &["agent", "model", "commits", "first", "last"],
            &[false, false, true, false, false],
            &rows,
        ));
    }

    out.push_str("\nTop paths of AI-assisted changes\n");
    if report.top_paths.is_empty() {
        out.push_str("none\n");
    } else {
        let rows: Vec<Vec<String>> = report
            .top_paths
            .iter()
            .map(|p| {
                let count = if p.overcount > 0 {
                    format!("<={}", p.commits)
                } else {
                    p.commits.to_string()
                };
                vec![p.path.clone(), p.tier.clone(), count]
            })
            .collect();
        out.push_str(&aligned(
            &["path", "tier", "commits"],
            &[false, false, true],
            &rows,
        ));
    }
    out
}

/// The tier cell of one violation: the tier a tier rule names, or for a
/// message rule the tiers the commit touches (it counts in each of them).
fn violation_tier(commit: &ViolatingCommit, tier: Option<&str>, separator: &str) -> String {
    match tier {
        Some(tier) => tier.to_owned(),
        None => commit.tiers.join(separator),
    }
}

/// At most `max` characters of `title`, an ellipsis marking a cut.
fn shortened(title: &str, max: usize) -> String {
    if title.chars().count() <= max {
        return title.to_owned();
    }
    let mut text: String = title.chars().take(max.saturating_sub(1)).collect();
    text.push('…');
    text
}

/// How many violating commits were not listed, as a sentence (`None`
/// when all were).
fn omitted_sentence(report: &HistoryReport) -> Option<String> {
    let n = report.violating_commits_omitted;
    let s = if n == 1 { "" } else { "s" };
    (n > 0).then(|| {
        if report.violating_commits.is_empty() {
            format!("{n} violating commit{s}, not listed (list them with --violations N)")
        } else {
            format!(
                "... and {n} more violating commit{s}, not listed (list more with --violations N)"
            )
        }
    })
}

/// The "violating commits" section of the text report: one row per
/// violation, the commit's cells on its first row only.
fn human_violating(report: &HistoryReport) -> String {
    let mut out = String::from("\nViolating commits (in git log order)\n");
    if report.violating_commits.is_empty() {
        let sentence = omitted_sentence(report).unwrap_or_else(|| "none".to_owned());
        let _ = writeln!(out, "{sentence}");
        return out;
    }
    let mut rows = Vec::new();
    for commit in &report.violating_commits {
        for (i, v) in commit.violations.iter().enumerate() {
            let (id, date, title) = if i == 0 {
                (
                    commit.short_id.clone(),
                    commit.date.clone(),
                    shortened(&commit.title, 50),
                )
            } else {
                Default::default()
            };
            rows.push(vec![
                id,
                date,
                title,
                v.rule.as_str().to_owned(),
                violation_tier(commit, v.tier.as_deref(), ", "),
            ]);
        }
    }
    out.push_str(&aligned(
        &["commit", "date", "title", "rule", "tier"],
        &[false; 5],
        &rows,
    ));
    if let Some(sentence) = omitted_sentence(report) {
        let _ = writeln!(out, "{sentence}");
    }
    out
}

// --- csv ---

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn csv_counts(c: &Counts) -> String {
    let mut cells: Vec<String> = count_cells(c).to_vec();
    cells.extend(c.by_rule.iter().map(u64::to_string));
    cells.join(",")
}

fn csv(report: &HistoryReport, table: CsvTable) -> String {
    let mut out = String::new();
    match table {
        CsvTable::Months => {
            let _ = writeln!(
                out,
                "month,tier,commits,ai_assisted,ai_declared,undeclared_marker,violations,{}",
                report.rules.join(",")
            );
            for month in &report.months {
                for tier in &month.tiers {
                    let _ = writeln!(
                        out,
                        "{},{},{}",
                        month.month,
                        csv_field(&tier.tier),
                        csv_counts(&tier.counts)
                    );
                }
                let _ = writeln!(out, "{},*,{}", month.month, csv_counts(&month.all));
            }
        }
        CsvTable::Tools => {
            out.push_str("tool,agent,model,commits,first,last\n");
            for t in &report.tools {
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{}",
                    csv_field(&t.tool),
                    csv_field(&t.agent),
                    csv_field(&t.model),
                    t.commits,
                    t.first,
                    t.last
                );
            }
        }
        CsvTable::Violations => {
            out.push_str("id,date,title,rule,tier\n");
            for commit in &report.violating_commits {
                for v in &commit.violations {
                    let _ = writeln!(
                        out,
                        "{},{},{},{},{}",
                        commit.id,
                        commit.date,
                        csv_field(&commit.title),
                        v.rule.as_str(),
                        csv_field(&violation_tier(commit, v.tier.as_deref(), ";"))
                    );
                }
            }
        }
        CsvTable::Paths => {
            out.push_str("path,tier,commits,overcount\n");
            for p in &report.top_paths {
                let _ = writeln!(
                    out,
                    "{},{},{},{}",
                    csv_field(&p.path),
                    csv_field(&p.tier),
                    p.commits,
                    p.overcount
                );
            }
        }
    }
    out
}

// --- html ---

fn html_page(report: &HistoryReport, range: &[String], source: &str) -> String {
    use html::escape;
    let t = &report.totals;
    let mut body = format!(
        "<h1>tiergate report</h1><p class=\"sub\"><code>{}</code> · {} {} · policy <code>{}</code></p>",
        escape(&range.join(" ")),
        plural(t.commits, "commit"),
        escape(&period(report)),
        escape(source)
    );
    body.push_str("<div class=\"cards\">");
    for (value, label) in [
        (t.commits, "commits"),
        (t.ai_assisted, "AI-assisted"),
        (t.ai_declared, "declared"),
        (t.undeclared_marker, "undeclared markers"),
        (t.violations, "violations"),
        (report.grandfathered, "grandfathered"),
    ] {
        if label == "grandfathered" && value == 0 {
            // No baseline, or nothing before it: no card.
            continue;
        }
        let _ = write!(
            body,
            "<div class=\"card\"><b>{value}</b><span>{label}</span></div>"
        );
    }
    body.push_str("</div>");

    // Chart 1: AI-assisted commits per tier per month.
    body.push_str("<h2>AI-assisted commits per tier, by month</h2>");
    if t.ai_assisted == 0 {
        // A flat line at zero reads as a broken chart: say it.
        let _ = write!(
            body,
            "<p class=\"no-ai\">No AI use: none of the {} declares AI assistance or carries a marker of it.</p>",
            plural(t.commits, "commit")
        );
    } else {
        body.push_str(&ai_chart(report));
    }
    body.push_str(&html_rest(report));
    html::page("tiergate report", &body)
}

/// The line chart of AI-assisted commits per tier and month, with its
/// legend.
fn ai_chart(report: &HistoryReport) -> String {
    let months = report.months_filled();
    let labels: Vec<String> = months.iter().map(|m| m.month.to_string()).collect();
    let tier_count = report.tiers.len();
    let mut series: Vec<html::Series<'_>> = report
        .tiers
        .iter()
        .enumerate()
        .map(|(i, name)| html::Series {
            name,
            colour: html::tier_colour(i),
            dashed: false,
            width: 2.0 + 2.0 * (tier_count - 1 - i) as f64,
            values: months
                .iter()
                .map(|m| m.tiers.get(i).map_or(0, |tc| tc.counts.ai_assisted))
                .collect(),
        })
        .collect();
    series.insert(
        0,
        html::Series {
            name: "all tiers",
            colour: html::ALL_TIERS_COLOUR,
            dashed: true,
            width: 2.0,
            values: months.iter().map(|m| m.all.ai_assisted).collect(),
        },
    );
    let mut body = String::new();
    let mut legend: Vec<(&str, &str)> =
        vec![("all tiers (each commit once)", html::ALL_TIERS_COLOUR)];
    legend.extend(
        report
            .tiers
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), html::tier_colour(i))),
    );
    body.push_str(&html::legend(&legend));
    body.push_str(&html::line_chart(&labels, &series, "AI-assisted commits"));
    body
}

/// The page after the first chart: violations by rule, the violating
/// commits and the tables.
fn html_rest(report: &HistoryReport) -> String {
    use html::escape;
    let t = &report.totals;
    let mut body = String::new();

    // Chart 2: violations by rule.
    body.push_str("<h2>Violations by rule</h2>");
    let bars: Vec<(String, u64, &str)> = RuleCode::ALL
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            (
                rule.as_str().to_owned(),
                t.rule(*rule),
                html::rule_colour(i),
            )
        })
        .collect();
    body.push_str(&html::bar_chart(&bars));
    body.push_str(&html_violating(report));

    // Tables.
    body.push_str("<h2>By tier</h2>");
    let numeric = [false, true, true, true, true, true];
    let mut rows: Vec<Vec<String>> = report
        .tier_totals
        .iter()
        .map(|tc| {
            let mut row = vec![escape(&tc.tier)];
            row.extend(count_cells(&tc.counts));
            row
        })
        .collect();
    let mut row = vec!["<i>all</i>".to_owned()];
    row.extend(count_cells(t));
    rows.push(row);
    let mut headers = vec!["tier"];
    headers.extend(COUNT_HEADERS);
    body.push_str(&html::table(&headers, &numeric, &rows));

    body.push_str(&html_months(report));

    body.push_str("<h2>Tools and models named in declarations</h2>");
    if report.tools.is_empty() {
        body.push_str("<p class=\"muted\">none</p>");
    } else {
        let rows: Vec<Vec<String>> = report
            .tools
            .iter()
            .map(|tool| {
                vec![
                    escape(&tool.agent),
                    escape(&tool.model),
                    tool.commits.to_string(),
                    tool.first.to_string(),
                    tool.last.to_string(),
                ]
            })
            .collect();
        body.push_str(&html::table(
            &["agent", "model", "commits", "first", "last"],
            &[false, false, true, false, false],
            &rows,
        ));
    }

    body.push_str("<h2>Top paths of AI-assisted changes</h2>");
    if report.top_paths.is_empty() {
        body.push_str("<p class=\"muted\">none</p>");
    } else {
        let rows: Vec<Vec<String>> = report
            .top_paths
            .iter()
            .map(|p| {
                let count = if p.overcount > 0 {
                    format!("≤{}", p.commits)
                } else {
                    p.commits.to_string()
                };
                vec![
                    format!("<code>{}</code>", escape(&p.path)),
                    escape(&p.tier),
                    count,
                ]
            })
            .collect();
        body.push_str(&html::table(
            &["path", "tier", "AI-assisted commits"],
            &[false, false, true],
            &rows,
        ));
    }
    body
}

/// The rows of one period (a month, a year) of the month or year table:
/// each tier with commits or violations in it, then `all`.
fn period_rows(
    label: &str,
    all: &Counts,
    tiers: &[tiergate_core::output::history::TierCounts],
) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for tier in tiers
        .iter()
        .filter(|tc| tc.counts.commits > 0 || tc.counts.violations > 0)
    {
        let mut row = vec![label.to_owned(), html::escape(&tier.tier)];
        row.extend(count_cells(&tier.counts));
        rows.push(row);
    }
    let mut row = vec![label.to_owned(), "<i>all</i>".to_owned()];
    row.extend(count_cells(all));
    rows.push(row);
    rows
}

/// The rows of the month table.
fn month_rows(months: &[tiergate_core::output::history::MonthStats]) -> Vec<Vec<String>> {
    months
        .iter()
        .flat_map(|m| period_rows(&m.month.to_string(), &m.all, &m.tiers))
        .collect()
}

/// The month table, or past [`MONTHS_BEFORE_FOLDING`] months a year table
/// with each year's months folded under it (`<details>`: no script).
fn html_months(report: &HistoryReport) -> String {
    let numeric = [false, false, true, true, true, true, true];
    if report.month_span() <= MONTHS_BEFORE_FOLDING {
        let mut body = String::from("<h2>By month and tier</h2><p class=\"muted\">A commit counts in every tier it touches; <i>all</i> counts it once.</p>");
        let mut headers = vec!["month", "tier"];
        headers.extend(COUNT_HEADERS);
        body.push_str(&html::table(
            &headers,
            &numeric,
            &month_rows(&report.months),
        ));
        return body;
    }
    let years = report.years();
    let mut body = format!(
        "<h2>By year and tier</h2><p class=\"muted\">{} months from {} to {}, folded into years; open a year for its months. A commit counts in every tier it touches; <i>all</i> counts it once.</p>",
        report.month_span(),
        report.first_month.map(|m| m.to_string()).unwrap_or_default(),
        report.last_month.map(|m| m.to_string()).unwrap_or_default(),
    );
    let rows: Vec<Vec<String>> = years
        .iter()
        .flat_map(|y| period_rows(&y.year.to_string(), &y.all, &y.tiers))
        .collect();
    let mut headers = vec!["year", "tier"];
    headers.extend(COUNT_HEADERS);
    body.push_str(&html::table(&headers, &numeric, &rows));
    let mut headers = vec!["month", "tier"];
    headers.extend(COUNT_HEADERS);
    for year in &years {
        let _ = write!(
            body,
            "<details class=\"year\"><summary>{} by month ({} with commits)</summary>{}</details>",
            year.year,
            plural(year.months.len() as u64, "month"),
            html::table(&headers, &numeric, &month_rows(&year.months))
        );
    }
    body
}

/// The violating commits: one row per violation, the rule with its
/// colour (the bar chart's).
fn html_violating(report: &HistoryReport) -> String {
    use html::escape;
    let mut body = String::from("<h2>Violating commits</h2>");
    if report.violating_commits.is_empty() {
        let sentence = omitted_sentence(report).unwrap_or_else(|| "none".to_owned());
        let _ = write!(body, "<p class=\"muted\">{}</p>", escape(&sentence));
        return body;
    }
    let mut rows = Vec::new();
    for commit in &report.violating_commits {
        for (i, v) in commit.violations.iter().enumerate() {
            let (id, date, title) = if i == 0 {
                (
                    format!(
                        "<code title=\"{}\">{}</code>",
                        escape(&commit.id),
                        escape(&commit.short_id)
                    ),
                    escape(&commit.date),
                    escape(&commit.title),
                )
            } else {
                Default::default()
            };
            let colour = RuleCode::ALL
                .iter()
                .position(|r| *r == v.rule)
                .map_or(html::ALL_TIERS_COLOUR, html::rule_colour);
            rows.push(vec![
                id,
                date,
                title,
                format!(
                    "<i class=\"swatch\" style=\"background:{colour}\"></i>{}",
                    escape(v.rule.as_str())
                ),
                escape(&violation_tier(commit, v.tier.as_deref(), ", ")),
            ]);
        }
    }
    body.push_str(&html::table(
        &["commit", "date", "title", "rule", "tier"],
        &[false; 5],
        &rows,
    ));
    if let Some(sentence) = omitted_sentence(report) {
        let _ = write!(body, "<p class=\"muted\">{}</p>", escape(&sentence));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn policy_paths_are_shown_relative_to_the_repository() {
        let (top, git_dir) = (Path::new("/no/such/repo"), Path::new("/no/such/repo/.git"));
        let shown = |source: &str| policy_in_repo(source, Some(top), git_dir);
        assert_eq!(shown("/no/such/repo/policy.yaml"), "policy.yaml");
        assert_eq!(shown("/no/such/repo/ci/tiers.yaml"), "ci/tiers.yaml");
        // Outside the repository: the file name, not the local layout.
        assert_eq!(shown("/home/someone/strict.yaml"), "strict.yaml");
        // Not a local absolute path: as given.
        assert_eq!(shown("HEAD:policy.yaml"), "HEAD:policy.yaml");
        assert_eq!(shown("policy.yaml"), "policy.yaml");
        // A bare repository: relative to the git directory.
        assert_eq!(
            policy_in_repo("/srv/x.git/policy.yaml", None, Path::new("/srv/x.git")),
            "policy.yaml"
        );
    }

    #[test]
    fn titles_are_shortened_on_a_character_boundary() {
        assert_eq!(shortened("short", 50), "short");
        assert_eq!(shortened("ééééé", 3), "éé…");
    }
}
