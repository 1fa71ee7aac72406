//! `tiergate report`, `tiergate classify --tree` and `tiergate policy doc`
//! on real repositories with a known mix of commits.

mod support;

use serde_json::Value;
use support::{stdout, Repo};

const POLICY: &str = "\
version: 1
declaration:
  value: '^\\S+:\\S+'
tiers:
  - name: critical
    paths: [ crypto/ ]
    ai: forbidden
  - name: core
    paths: [ hw/ ]
    require: [ Reviewed-by ]
  - name: open
    paths: [ docs/ ]
default_tier: core
";

/// Write files and commit with the given author and committer date.
fn commit_at(repo: &Repo, date: &str, files: &[(&str, &str)], message: &str) {
    let dates = [("GIT_AUTHOR_DATE", date), ("GIT_COMMITTER_DATE", date)];
    support::commit_files_env(repo.path(), files, message, &dates);
}

/// Six commits over three months (none in March):
/// 1. 2024-01 plain, touches critical (policy.yaml, crypto/), core, open;
/// 2. 2024-01 declared claude, open;
/// 3. 2024-02 declared copilot, critical: ai-forbidden-tier;
/// 4. 2024-02 Co-authored-by Claude, undeclared, core without Reviewed-by:
///    undeclared-ai + missing-required-trailer;
/// 5. 2024-04 declared claude + Reviewed-by, core and open;
/// 6. 2024-04 plain, open.
fn history() -> Repo {
    let repo = Repo::new();
    commit_at(
        &repo,
        "2024-01-10T12:00:00 +0000",
        &[
            ("policy.yaml", POLICY),
            ("crypto/aes.c", "aes\n"),
            ("hw/a.c", "a\n"),
            ("docs/index.md", "index\n"),
            ("Makefile", "all:\n"),
        ],
        "Initial import",
    );
    commit_at(
        &repo,
        "2024-01-20T12:00:00 +0000",
        &[("docs/a.md", "a\n")],
        "docs: add a\n\nAI-Assisted-by: claude:claude-sonnet-4 [tools]\n",
    );
    commit_at(
        &repo,
        "2024-02-05T12:00:00 +0000",
        &[("crypto/aes.c", "aes 2\n")],
        "crypto: speed up\n\nAI-Assisted-by: copilot:gpt-4.1\n",
    );
    commit_at(
        &repo,
        "2024-02-15T12:00:00 +0000",
        &[("hw/a.c", "a 2\n")],
        "hw: fix a\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    );
    commit_at(
        &repo,
        "2024-04-01T12:00:00 +0000",
        &[("hw/a.c", "a 3\n"), ("docs/a.md", "a 3\n")],
        "hw, docs: more\n\nAI-Assisted-by: claude:claude-sonnet-4\nReviewed-by: R <r@example.com>\n",
    );
    commit_at(
        &repo,
        "2024-04-02T12:00:00 +0000",
        &[("docs/index.md", "index 2\n")],
        "docs: index",
    );
    repo
}

fn json(repo: &Repo, args: &[&str]) -> Value {
    let out = repo.tiergate(args);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    serde_json::from_slice(&out.stdout).expect("json")
}

fn tier<'a>(month: &'a Value, name: &str) -> &'a Value {
    month["tiers"]
        .as_array()
        .expect("tiers")
        .iter()
        .find(|t| t["tier"] == name)
        .expect("tier present")
}

#[test]
fn json_counts_per_tier_and_month() {
    let repo = history();
    // Global options after rev-list arguments are understood.
    let doc = json(&repo, &["report", "--all", "--format", "json"]);
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["first_month"], "2024-01");
    assert_eq!(doc["last_month"], "2024-04");
    assert_eq!(doc["totals"]["commits"], 6);
    assert_eq!(doc["totals"]["ai_assisted"], 4);
    assert_eq!(doc["totals"]["ai_declared"], 3);
    assert_eq!(doc["totals"]["undeclared_marker"], 1);
    assert_eq!(doc["totals"]["violations"], 3);
    assert_eq!(doc["totals"]["by_rule"]["ai-forbidden-tier"], 1);
    assert_eq!(doc["totals"]["by_rule"]["undeclared-ai"], 1);
    assert_eq!(doc["totals"]["by_rule"]["missing-required-trailer"], 1);
    assert_eq!(doc["totals"]["by_rule"]["ai-signoff"], 0);

    let months = doc["months"].as_array().expect("months");
    let names: Vec<&str> = months
        .iter()
        .map(|m| m["month"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["2024-01", "2024-02", "2024-04"]);

    let jan = &months[0];
    assert_eq!(jan["all"]["commits"], 2);
    assert_eq!(jan["all"]["ai_declared"], 1);
    assert_eq!(tier(jan, "critical")["commits"], 1);
    assert_eq!(tier(jan, "core")["commits"], 1);
    assert_eq!(tier(jan, "open")["commits"], 2);
    assert_eq!(tier(jan, "open")["ai_declared"], 1);

    let feb = &months[1];
    assert_eq!(feb["all"]["commits"], 2);
    assert_eq!(feb["all"]["ai_assisted"], 2);
    assert_eq!(feb["all"]["undeclared_marker"], 1);
    assert_eq!(tier(feb, "critical")["by_rule"]["ai-forbidden-tier"], 1);
    assert_eq!(tier(feb, "critical")["violations"], 1);
    // Message rules count in the tiers the commit touches.
    assert_eq!(tier(feb, "core")["by_rule"]["undeclared-ai"], 1);
    assert_eq!(tier(feb, "core")["by_rule"]["missing-required-trailer"], 1);
    assert_eq!(tier(feb, "open")["commits"], 0);

    let apr = &months[2];
    assert_eq!(apr["all"]["commits"], 2);
    assert_eq!(apr["all"]["violations"], 0);
    assert_eq!(tier(apr, "core")["ai_declared"], 1);
    assert_eq!(tier(apr, "open")["commits"], 2);

    let tools = doc["tools"].as_array().expect("tools");
    assert_eq!(tools.len(), 2);
    assert_eq!(tools[0]["tool"], "claude:claude-sonnet-4");
    assert_eq!(tools[0]["agent"], "claude");
    assert_eq!(tools[0]["model"], "claude-sonnet-4");
    assert_eq!(tools[0]["commits"], 2);
    assert_eq!(tools[0]["first"], "2024-01");
    assert_eq!(tools[0]["last"], "2024-04");
    assert_eq!(tools[1]["tool"], "copilot:gpt-4.1");
    assert_eq!(tools[1]["commits"], 1);

    let paths = doc["top_paths"].as_array().expect("paths");
    let top: Vec<(&str, &str, u64)> = paths
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap(),
                p["tier"].as_str().unwrap(),
                p["commits"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        top,
        [
            ("docs/a.md", "open", 2),
            ("hw/a.c", "core", 2),
            ("crypto/aes.c", "critical", 1)
        ]
    );
    assert_eq!(doc["top_paths_exact"], true);
}

#[test]
fn ranges_select_commits() {
    let repo = history();
    let doc = json(&repo, &["report", "--format", "json", "HEAD~2..HEAD"]);
    assert_eq!(doc["totals"]["commits"], 2);
    assert_eq!(doc["first_month"], "2024-04");
    // Default: HEAD, the whole history.
    let doc = json(&repo, &["report", "--format", "json"]);
    assert_eq!(doc["totals"]["commits"], 6);
    let bad = repo.tiergate(&["report", "no-such-rev"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn human_tables() {
    let repo = history();
    let out = repo.tiergate(&["report"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "report never fails on violations"
    );
    let text = stdout(&out);
    assert!(
        text.starts_with("tiergate report: HEAD, 6 commits from 2024-01 to 2024-04"),
        "{text}"
    );
    assert!(
        text.contains(
            "AI-assisted: 4 commits (3 declared, 1 with undeclared markers); 3 violations"
        ),
        "{text}"
    );
    // Aligned: the header and rows of the month table.
    assert!(
        text.contains(
            "month    tier      commits  AI-assisted  declared  undeclared  violations\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "2024-02  critical        1            1         1           0           1\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "         all             2            2         1           1           3\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("ai-forbidden-tier                1     0     0    1\n"),
        "{text}"
    );
    assert!(
        text.contains("claude   claude-sonnet-4        2  2024-01  2024-04\n"),
        "{text}"
    );
    assert!(
        text.contains("copilot  gpt-4.1                1  2024-02  2024-02\n"),
        "{text}"
    );
    assert!(text.contains("docs/a.md     open            2\n"), "{text}");
    // No progress output on a non-terminal stderr.
    assert!(out.stderr.is_empty(), "{}", support::stderr(&out));
}

#[test]
fn csv_tables() {
    let repo = history();
    let out = repo.tiergate(&["report", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "month,tier,commits,ai_assisted,ai_declared,undeclared_marker,violations,ai-forbidden-tier,missing-required-trailer,undeclared-ai,malformed-declaration,misplaced-declaration,near-miss-key,ai-signoff,missing-signoff,unreadable-encoding,malformed-commit,replace-ref,tree-too-deep,lookalike-path,forbidden-trailer,fixup-commit,ai-prose"
    );
    // 3 months x (3 tiers + `*`).
    assert_eq!(lines.len(), 1 + 3 * 4);
    assert!(lines.contains(&"2024-02,critical,1,1,1,0,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0"));
    assert!(lines.contains(&"2024-02,core,1,1,0,1,2,0,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0"));
    assert!(lines.contains(&"2024-02,*,2,2,1,1,3,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0"));
    assert!(lines.contains(&"2024-04,open,2,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0"));

    let tools = stdout(&repo.tiergate(&["report", "--format", "csv", "--table", "tools"]));
    assert_eq!(
        tools,
        "tool,agent,model,commits,first,last\nclaude:claude-sonnet-4,claude,claude-sonnet-4,2,2024-01,2024-04\ncopilot:gpt-4.1,copilot,gpt-4.1,1,2024-02,2024-02\n"
    );
    let paths = stdout(&repo.tiergate(&[
        "report", "--format", "csv", "--table", "paths", "--top", "1",
    ]));
    assert_eq!(paths, "path,tier,commits,overcount\ndocs/a.md,open,2,0\n");

    let refused = repo.tiergate(&["report", "--format", "github"]);
    assert_eq!(refused.status.code(), Some(2));
}

#[test]
fn html_is_self_contained_with_charts() {
    let repo = history();
    let file = repo.path().join("report.html");
    let out = repo.tiergate(&["report", "--html", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    assert!(out.stdout.is_empty());
    let html = std::fs::read_to_string(&file).expect("html written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Two charts: the line chart (one line per tier + all) and the bars.
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 2);
    assert_eq!(html.matches("<polyline class=\"series\"").count(), 4);
    // One bar per rule.
    assert_eq!(html.matches("<rect class=\"bar\"").count(), 16);
    // Months are filled: January to April is 4 points per line.
    assert!(html.contains("<title>critical 2024-03: 0</title>"));
    assert!(html.contains("<title>critical 2024-02: 1</title>"));
    assert!(html.contains("<title>ai-forbidden-tier: 1</title>"));
    assert!(html.contains("claude-sonnet-4"));
    // Offline: nothing fetched from anywhere.
    for needle in [
        "http:", "https:", "src=", "href=", "<script", "url(", "@import",
    ] {
        assert!(!html.contains(needle), "found {needle}");
    }
}

/// `git rev-parse --short=12 REV`, the report's short ids.
fn short(repo: &Repo, rev: &str) -> String {
    repo.git(&["rev-parse", "--short=12", rev])
        .trim()
        .to_owned()
}

#[test]
fn violating_commits_are_listed() {
    let repo = history();
    // git log order: commit 4 (two violations) before commit 3.
    let (hw, crypto) = (short(&repo, "HEAD~2"), short(&repo, "HEAD~3"));
    let doc = json(&repo, &["report", "--format", "json"]);
    let listed = doc["violating_commits"].as_array().expect("listed");
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["short_id"], hw.as_str());
    assert_eq!(listed[0]["id"], repo.git(&["rev-parse", "HEAD~2"]).trim());
    assert_eq!(listed[0]["date"], "2024-02-15");
    assert_eq!(listed[0]["title"], "hw: fix a");
    assert_eq!(listed[0]["tiers"], serde_json::json!(["core"]));
    assert_eq!(
        listed[0]["violations"],
        serde_json::json!([
            {"rule": "missing-required-trailer", "tier": "core"},
            {"rule": "undeclared-ai", "tier": null}
        ])
    );
    assert_eq!(listed[1]["short_id"], crypto.as_str());
    assert_eq!(
        listed[1]["violations"],
        serde_json::json!([{"rule": "ai-forbidden-tier", "tier": "critical"}])
    );
    assert_eq!(doc["violating_commits_omitted"], 0);

    let text = stdout(&repo.tiergate(&["report"]));
    let expected = format!(
        "
Violating commits (in git log order)
commit        date        title             rule                      tier
{hw}  2024-02-15  hw: fix a         missing-required-trailer  core
                                            undeclared-ai             core
{crypto}  2024-02-05  crypto: speed up  ai-forbidden-tier         critical
"
    );
    assert!(text.contains(&expected), "{text}");

    // Bounded: the rest is counted.
    let out = repo.tiergate(&["report", "--violations", "1"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains(&format!("{hw}  2024-02-15")), "{text}");
    assert!(!text.contains(&crypto), "{text}");
    assert!(
        text.contains(
            "... and 1 more violating commit, not listed (list more with --violations N)\n"
        ),
        "{text}"
    );
    let doc = json(&repo, &["report", "--violations", "0", "--format", "json"]);
    assert_eq!(doc["violating_commits"], serde_json::json!([]));
    assert_eq!(doc["violating_commits_omitted"], 2);
    // The counts do not depend on the limit.
    assert_eq!(doc["totals"]["violations"], 3);
    let text = stdout(&repo.tiergate(&["report", "--violations", "0"]));
    assert!(
        text.contains("2 violating commits, not listed (list them with --violations N)\n"),
        "{text}"
    );
    // Within a range without violations.
    let text = stdout(&repo.tiergate(&["report", "HEAD~2..HEAD"]));
    assert!(
        text.contains("\nViolating commits (in git log order)\nnone\n"),
        "{text}"
    );

    let csv = stdout(&repo.tiergate(&["report", "--format", "csv", "--table", "violations"]));
    let (hw_id, crypto_id) = (
        repo.git(&["rev-parse", "HEAD~2"]).trim().to_owned(),
        repo.git(&["rev-parse", "HEAD~3"]).trim().to_owned(),
    );
    assert_eq!(
        csv,
        format!(
            "id,date,title,rule,tier\n\
             {hw_id},2024-02-15,hw: fix a,missing-required-trailer,core\n\
             {hw_id},2024-02-15,hw: fix a,undeclared-ai,core\n\
             {crypto_id},2024-02-05,crypto: speed up,ai-forbidden-tier,critical\n"
        )
    );
    // A bad limit is a usage error.
    assert_eq!(
        repo.tiergate(&["report", "--violations", "-1"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn html_names_the_policy_in_the_repository_and_lists_violations() {
    let repo = history();
    let file = repo.path().join("report.html");
    let out = repo.tiergate(&["report", "--html", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let html = std::fs::read_to_string(&file).expect("html written");
    assert!(
        html.contains(" · policy <code>policy.yaml</code></p>"),
        "{html}"
    );
    let dir = repo.path().to_str().expect("utf-8 temp dir");
    let real = repo.path().canonicalize().expect("canonical temp dir");
    for local in [dir, real.to_str().expect("utf-8 temp dir")] {
        assert!(!html.contains(local), "the page names {local}");
    }
    assert!(html.contains("<h2>Violating commits</h2>"));
    let hw = short(&repo, "HEAD~2");
    assert!(
        html.contains(&format!(
            "\">{hw}</code></td><td>2024-02-15</td><td>hw: fix a</td>"
        )),
        "{html}"
    );
    // ai-forbidden-tier is the first rule code: the first rule colour.
    assert!(html.contains(
        "<td><i class=\"swatch\" style=\"background:#c0ca33\"></i>ai-forbidden-tier</td><td>critical</td>"
    ));
    // Months, not years: four months.
    assert!(html.contains("<h2>By month and tier</h2>"));
    assert!(!html.contains("<details"));
    assert!(!html.contains("class=\"no-ai\""));

    // A policy outside the repository: its file name only.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let policy = elsewhere.path().join("strict.yaml");
    std::fs::write(&policy, POLICY).expect("policy written");
    let out = repo.tiergate(&[
        "report",
        "--policy",
        policy.to_str().unwrap(),
        "--html",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let html = std::fs::read_to_string(&file).expect("html written");
    assert!(
        html.contains(" · policy <code>strict.yaml</code></p>"),
        "{html}"
    );
    assert!(!html.contains(elsewhere.path().to_str().unwrap()));
}

/// Commits over three years, none AI-assisted (the repository of the
/// folded-years and no-AI checks).
fn three_years_without_ai() -> Repo {
    let repo = Repo::new();
    commit_at(
        &repo,
        "2022-01-10T12:00:00 +0000",
        &[("policy.yaml", POLICY), ("hw/a.c", "a\n")],
        "Initial import",
    );
    for (i, date) in [
        "2022-07-01T12:00:00 +0000",
        "2023-03-01T12:00:00 +0000",
        "2023-09-01T12:00:00 +0000",
        "2024-12-01T12:00:00 +0000",
    ]
    .iter()
    .enumerate()
    {
        let text = format!("docs {i}\n");
        commit_at(&repo, date, &[("docs/a.md", &text)], &format!("docs: {i}"));
    }
    repo
}

#[test]
fn html_folds_years_and_says_when_there_is_no_ai() {
    let repo = three_years_without_ai();
    let file = repo.path().join("report.html");
    let out = repo.tiergate(&["report", "--html", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let html = std::fs::read_to_string(&file).expect("html written");
    // No line chart at zero: a sentence instead; the bars stay.
    assert!(html.contains(
        "<p class=\"no-ai\">No AI use: none of the 5 commits declares AI assistance or carries a marker of it.</p>"
    ));
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 1);
    assert!(!html.contains("<polyline"));
    // 36 months: a year table, months folded under each year.
    assert!(html.contains("<h2>By year and tier</h2>"), "{html}");
    assert!(!html.contains("<h2>By month and tier</h2>"));
    assert!(html.contains("36 months from 2022-01 to 2024-12, folded into years"));
    assert!(html.contains("<tr><td>2023</td><td><i>all</i></td><td class=\"n\">2</td>"));
    assert_eq!(html.matches("<details class=\"year\">").count(), 3);
    for summary in [
        "<summary>2022 by month (2 months with commits)</summary>",
        "<summary>2023 by month (2 months with commits)</summary>",
        "<summary>2024 by month (1 month with commits)</summary>",
    ] {
        assert!(html.contains(summary), "{summary}");
    }
    assert!(html.contains("<tr><td>2023-09</td><td>open</td>"));
    assert!(html.contains("<h2>Violating commits</h2><p class=\"muted\">none</p>"));
    // 24 months or less: months, not folded.
    let out = repo.tiergate(&["report", "HEAD~3..HEAD", "--html", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let html = std::fs::read_to_string(&file).expect("html written");
    assert!(html.contains("<h2>By month and tier</h2>"), "{html}");
    assert!(!html.contains("<details"));
}

#[test]
fn classify_tree_collapses_uniform_subtrees() {
    let repo = history();
    repo.commit(
        &[
            ("hw/net/e1000.c", "x\n"),
            ("hw/core/a.c", "x\n"),
            ("hw/core/b.c", "x\n"),
            ("crypto/sub/x.c", "x\n"),
        ],
        "more files",
    );
    let out = repo.tiergate(&["classify", "--tree"]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    assert_eq!(
        stdout(&out),
        "\
path           tier      files
./             mixed        10  critical 3, core 5, open 2
  crypto/      critical      2
  docs/        open          2
  hw/          core          4
  policy.yaml  critical      1
  Makefile     core          1
"
    );
    // Now a mixed subdirectory: hw/crypto.c is core, hw/../crypto is not.
    let policy = POLICY.replace("paths: [ crypto/ ]", "paths: [ crypto/, hw/net/ ]");
    repo.commit(&[("policy.yaml", &policy)], "policy: hw/net is critical");
    let doc = json(&repo, &["classify", "--tree", "HEAD", "--format", "json"]);
    let rows = doc["rows"].as_array().expect("rows");
    let hw = rows.iter().find(|r| r["path"] == "hw/").expect("hw row");
    assert_eq!(hw["tier"], Value::Null);
    assert_eq!(hw["tiers"]["critical"], 1);
    assert_eq!(hw["tiers"]["core"], 3);
    let net = rows
        .iter()
        .find(|r| r["path"] == "hw/net/")
        .expect("hw/net row");
    assert_eq!(net["tier"], "critical");
    assert_eq!(net["depth"], 2);
    // An older tree, classified by the same (working tree) policy: before
    // hw/net/ existed, hw/ is all core.
    let old = json(&repo, &["classify", "--tree", "HEAD~2", "--format", "json"]);
    let hw = old["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "hw/")
        .expect("hw row")
        .clone();
    assert_eq!(hw["tier"], "core");

    let file = repo.path().join("tree.html");
    let out = repo.tiergate(&["classify", "--tree", "--html", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    // The policy as the repository names it (a page is shared, it must
    // not carry the local directory layout), nothing outside the page.
    let html = support::read_shared_page(&file, &repo);
    assert!(html.contains("<svg class=\"treemap\""));
    assert!(html.contains("<title>hw/net/: critical (1 files)</title>"));
    assert!(html.contains("<title>hw/: mixed (critical 1, core 3)</title>"));
    // Paths and --tree do not mix.
    assert_eq!(
        repo.tiergate(&["classify", "--tree", "--", "x"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn policy_doc_describes_the_tree() {
    let repo = history();
    let out = repo.tiergate(&["policy", "doc"]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let md = stdout(&out);
    assert!(md.starts_with("# Contributing with AI assistance\n"));
    assert!(md.contains("| **critical** | not accepted | 2 |"), "{md}");
    assert!(
        md.contains("| **core** | accepted with Reviewed-by | 2 |"),
        "{md}"
    );
    assert!(md.contains("| **open** | welcome, declared | 2 |"), "{md}");
    assert!(md.contains("### Tier `critical`\n"));
    assert!(md.contains("- `crypto/` (1 file)\n"), "{md}");
    assert!(md.contains("- `docs/` (2 files)\n"), "{md}");
    assert!(md.contains("The policy file `policy.yaml` is always in this tier"));
    assert!(md.contains("AI-Assisted-by: claude:claude-sonnet-4 [checkpatch]"));
    assert!(md.contains("The value must match `^\\S+:\\S+`"), "{md}");
    // Every rule has its fix.
    for rule in [
        "ai-forbidden-tier",
        "missing-required-trailer",
        "undeclared-ai",
        "malformed-declaration",
        "misplaced-declaration",
        "near-miss-key",
        "ai-signoff",
        "missing-signoff",
    ] {
        assert!(md.contains(&format!("### `{rule}`\n")), "{rule}");
    }
    assert!(md.contains("How to fix: get the review the tier asks for"));

    let out = repo.tiergate(&["policy", "doc", "--doc-format", "html"]);
    assert_eq!(out.status.code(), Some(0));
    let html = stdout(&out);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<h3>Tier <code>critical</code></h3>"));
    assert!(html.contains("<li><code>crypto/</code> (1 file)</li>"));
    assert!(!html.contains("http"));
}

/// Render the pages in a real browser (scripts/check-html.sh). Ignored by
/// a plain `cargo test`; run with `-- --ignored` (as `.ci/run` does, after
/// installing Debian's chromium), a missing chromium fails it.
#[test]
#[ignore = "needs chromium: apt-get install chromium; .ci/run installs it and runs it"]
fn pages_render_in_chromium() {
    let has_chromium = std::process::Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_chromium {
        panic!("chromium is not installed (apt-get install chromium, or run scripts/check-html.sh, which installs it); this test needs it");
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new("sh")
        .arg(root.join("scripts/check-html.sh"))
        .arg(out_dir.path())
        .env("TIERGATE_BIN", support::tiergate_bin())
        .output()
        .expect("run check-html.sh");
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        support::stderr(&out)
    );
    for page in ["report", "tree", "boundary", "policy"] {
        assert!(out_dir.path().join(format!("{page}.png")).exists());
    }
    // The boundary of the demo (crypto/f0.c includes two headers, one of
    // which util/ includes too) as the browser parsed it.
    let dom = dump_dom(&out_dir.path().join("boundary.html"));
    assert!(
        dom.contains("<tr><td><code>include/qemu/f1.c</code></td><td><span style=\"color:#2f6db5;font-weight:600\">core</span></td><td><b>only</b></td><td>crypto/f0.c</td></tr>"),
        "{dom}"
    );
    assert!(dom.contains(">1 only · 1 shared</text>"), "{dom}");
    // The demo's report as the browser parsed it: the policy named in the
    // repository (the demo is under OUT_DIR), the violating commits.
    let dom = dump_dom(&out_dir.path().join("report.html"));
    assert!(
        dom.contains(" · policy <code>policy.yaml</code></p>"),
        "{dom}"
    );
    assert!(!dom.contains(out_dir.path().to_str().unwrap()));
    assert!(dom.contains("<h2>Violating commits</h2><table>"), "{dom}");
    assert!(
        dom.contains(">ai-forbidden-tier</td><td>critical</td>"),
        "{dom}"
    );

    // Three years without AI: the sentence, the years with their months
    // folded (a closed <details> the browser keeps closed).
    let repo = three_years_without_ai();
    let page = out_dir.path().join("years.html");
    let out = repo.tiergate(&["report", "--html", page.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let dom = dump_dom(&page);
    assert!(
        dom.contains("<p class=\"no-ai\">No AI use: none of the 5 commits declares"),
        "{dom}"
    );
    assert!(dom.contains("<h2>By year and tier</h2>"), "{dom}");
    assert_eq!(dom.matches("<details class=\"year\">").count(), 3, "{dom}");
    assert!(!dom.contains("<details class=\"year\" open"), "{dom}");
    assert!(!dom.contains("<polyline"), "{dom}");
    screenshot(&page, &out_dir.path().join("years.png"));
}

/// Chromium's headless flags for a page of ours: no network, no profile
/// left behind.
fn chromium(profile: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new("chromium");
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// The DOM of `page` after chromium loaded it (`--dump-dom`).
fn dump_dom(page: &std::path::Path) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let out = chromium(profile.path())
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "{}", support::stderr(&out));
    String::from_utf8(out.stdout).expect("utf-8 DOM")
}

/// A screenshot of `page` to `png`, asserted written and not empty.
fn screenshot(page: &std::path::Path, png: &std::path::Path) {
    let profile = tempfile::tempdir().expect("profile dir");
    let out = chromium(profile.path())
        .args(["--hide-scrollbars", "--window-size=1200,1600"])
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "{}", support::stderr(&out));
    let size = std::fs::metadata(png).map_or(0, |m| m.len());
    assert!(
        size > 1000,
        "screenshot of {} is {size} bytes",
        page.display()
    );
}
