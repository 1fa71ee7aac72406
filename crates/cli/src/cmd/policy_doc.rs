//! `tiergate policy doc [--format md|html]`: the policy as the
//! contributor guide a project puts in its docs — each tier in plain words
//! with the directories of the actual tree (at `--rev`, default HEAD) that
//! fall in it, how to declare AI assistance, what reviewers check per
//! tier, and how to fix each violation.
//!
//! The guide is built once as a small document model ([`Block`]) and
//! rendered as Markdown or as a self-contained HTML page, so both say the
//! same thing.

use super::classify::tree::tiermap_at;
use super::report::html;
use crate::context;
use crate::exit::Outcome;
use crate::Global;
use anyhow::Context as _;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use tiergate_core::classify::tiermap::{RowKind, TierMap};
use tiergate_core::output::verdict;
use tiergate_core::policy::{
    AiRule, Baseline, CommitKind, ExemptionMatch, MarkerField, Mode, Policy, Stage, Stages, Tier,
};
use tiergate_core::rules::RuleCode;

/// Arguments of `tiergate policy doc`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Markup of the guide: `md` (Markdown, to commit as
    /// docs/ai-contributions.md) or `html` (one self-contained page)
    /// (`--doc-format`, its former name, is still accepted.)
    #[arg(
        long = "format",
        alias = "doc-format",
        value_name = "FORMAT",
        value_enum,
        default_value_t = DocFormat::Md
    )]
    pub doc_format: DocFormat,
    /// Revision whose tree the per-tier directory lists describe
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub rev: String,
    /// How many directories to list per tier (the largest first)
    #[arg(long, value_name = "N", default_value_t = 12)]
    pub max_dirs: usize,
    /// Write the guide to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Markups of `tiergate policy doc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DocFormat {
    /// Markdown
    Md,
    /// A self-contained HTML page
    Html,
}

/// One block of the guide.
enum Block {
    Heading(u8, String),
    /// A paragraph; inline `code` and **bold** as in Markdown.
    Para(String),
    List(Vec<String>),
    Table(Vec<String>, Vec<Vec<String>>),
    Code(String),
}

/// Run `tiergate policy doc`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let repo = context::open_repo(global).ok();
    let loaded = context::load_policy(global, repo.as_ref())?;
    let classifier = loaded.classifier_around(repo.as_ref())?;
    let policy = &loaded.policy;
    // The tree is optional: a policy can be documented outside a
    // repository, or before the first commit.
    let tree = match &repo {
        Some(repo) => match tiermap_at(repo, policy, &classifier, &args.rev) {
            Ok(found) => Some(found),
            Err(e) => {
                tracing::warn!("no directory lists: {e:#}");
                None
            }
        },
        None => None,
    };
    let policy_path = loaded
        .repo_path
        .as_deref()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let blocks = guide(
        policy,
        policy_path.as_deref(),
        tree.as_ref().map(|(m, c)| (m, c.as_str())),
        &args,
    );
    let text = match args.doc_format {
        DocFormat::Md => markdown(&blocks),
        DocFormat::Html => html::page(
            "Contributing with AI assistance",
            &blocks.iter().map(block_html).collect::<String>(),
        ),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .context("cannot write to stdout")?;
        }
    }
    Ok(Outcome::Pass)
}

fn code(text: &str) -> String {
    format!("`{text}`")
}

fn codes<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| code(s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// In plain words: what AI-assisted changes may do in a tier.
fn tier_rule(policy: &Policy, index: usize) -> String {
    let tier = &policy.tiers[index];
    match (tier.ai, no_requirements(tier)) {
        (AiRule::Forbidden, _) => "not accepted".to_owned(),
        (AiRule::Allowed, true) => "welcome, declared".to_owned(),
        (AiRule::Allowed, false) => format!("accepted with {}", required(tier).join(", ")),
    }
}

/// A tier's `require` entries in words: `Reviewed-by` or, for an entry
/// limited to some stages, `Reviewed-by (at receive, apply)`.
fn required(tier: &Tier) -> Vec<String> {
    let any = tier.require_any.iter().map(|a| a.0.join(" or "));
    tier.require
        .iter()
        .enumerate()
        .map(|(i, key)| match tier.require_stages.get(i) {
            Some(stages) if !stages.is_all() => format!("{key} (at {})", stage_words(*stages)),
            _ => key.clone(),
        })
        .chain(any)
        .collect()
}

/// Whether a tier requires no trailer (neither a key nor an `any_of`).
fn no_requirements(tier: &Tier) -> bool {
    tier.require.is_empty() && tier.require_any.is_empty()
}

/// [`required`] with the keys as code: `` `Reviewed-by:` (at receive, apply) ``.
fn required_md(tier: &Tier) -> String {
    tier.require
        .iter()
        .enumerate()
        .map(|(i, key)| match tier.require_stages.get(i) {
            Some(stages) if !stages.is_all() => {
                format!("{} (at {})", code(&format!("{key}:")), stage_words(*stages))
            }
            _ => code(&format!("{key}:")),
        })
        .chain(tier.require_any.iter().map(|a| {
            a.0.iter()
                .map(|k| code(&format!("{k}:")))
                .collect::<Vec<_>>()
                .join(" or ")
        }))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `receive, apply`.
fn stage_words(stages: Stages) -> String {
    stages
        .iter()
        .map(Stage::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the workflow stages mean, for the guide.
const STAGE_MEANING: &[(&str, &str)] = &[
    ("commit", "when you commit (commit-msg hook)"),
    ("push", "when you push (pre-push hook)"),
    ("receive", "when the project's server receives a push"),
    (
        "apply",
        "when a maintainer applies a patch (`git am`, `tiergate check-patch`)",
    ),
    ("ci", "in CI (`tiergate check`)"),
];

/// The "Where the rules are checked" section: stage-limited rules,
/// exemptions and the baseline (nothing when the policy uses none).
fn stages_section(policy: &Policy, b: &mut Vec<Block>) {
    let limited_require = policy
        .tiers
        .iter()
        .any(|t| t.require_stages.iter().any(|s| !s.is_all()));
    let limited_rules: Vec<(RuleCode, Stages)> = RuleCode::ALL
        .into_iter()
        .map(|r| (r, policy.rule_stages(r)))
        .filter(|(_, s)| !s.is_all())
        .collect();
    b.push(Block::Heading(2, "Where the rules are checked".into()));
    b.push(Block::Para(format!(
        "tiergate checks a commit at several stages: {}. A rule applies at every stage unless the policy says otherwise.",
        STAGE_MEANING
            .iter()
            .map(|(s, m)| format!("{} {m}", code(s)))
            .collect::<Vec<_>>()
            .join("; ")
    )));
    let mut items = Vec::new();
    if limited_require {
        for tier in &policy.tiers {
            for (i, key) in tier.require.iter().enumerate() {
                if let Some(stages) = tier.require_stages.get(i).filter(|s| !s.is_all()) {
                    items.push(format!(
                        "{} in tier **{}** is required only at {}: you do not add it yourself, it is added when the change is reviewed.",
                        code(&format!("{key}:")),
                        tier.name,
                        stage_words(*stages)
                    ));
                }
            }
        }
    }
    for (rule, stages) in limited_rules {
        items.push(format!(
            "{} is checked only at {}.",
            code(rule.as_str()),
            if stages.iter().count() == 0 {
                "no stage".to_owned()
            } else {
                stage_words(stages)
            }
        ));
    }
    for e in &policy.exemptions {
        let who = match &e.matches {
            ExemptionMatch::Kind(CommitKind::Merge) => {
                "Merge commits without changes of their own".to_owned()
            }
            ExemptionMatch::Kind(CommitKind::Revert) => {
                format!("Reverts made by {}", code("git revert"))
            }
            ExemptionMatch::Kind(CommitKind::Fixup) => {
                format!("{} and {} commits", code("fixup!"), code("squash!"))
            }
            ExemptionMatch::Author { name, email } => {
                let mut parts = Vec::new();
                if let Some(r) = name {
                    parts.push(format!("name matches {}", code(r.as_str())));
                }
                if let Some(r) = email {
                    parts.push(format!("e-mail matches {}", code(r.as_str())));
                }
                format!("Commits whose author's {}", parts.join(" and "))
            }
        };
        let rules = match &e.rules {
            None => "every rule".to_owned(),
            Some(rules) => codes(&rules.iter().map(|r| r.as_str()).collect::<Vec<_>>()),
        };
        let at = if e.stages.is_all() {
            String::new()
        } else {
            format!(" at {}", stage_words(e.stages))
        };
        items.push(format!("{who} are exempt from {rules}{at}."));
    }
    match &policy.baseline {
        Some(Baseline::Commit(id)) => items.push(format!(
            "History up to commit {} (it and every commit it contains) is grandfathered: not checked.",
            code(&id[..id.len().min(12)])
        )),
        Some(Baseline::Date { text, .. }) => items.push(format!(
            "Commits committed before {text} are grandfathered: not checked (by {} and on your side; the server checks every new commit whatever its date).",
            code("tiergate check")
        )),
        None => {}
    }
    if items.is_empty() {
        items.push("This policy checks every rule at every stage, with no exemptions.".into());
    }
    b.push(Block::List(items));
}

fn guide(
    policy: &Policy,
    policy_path: Option<&str>,
    tree: Option<(&TierMap, &str)>,
    args: &Args,
) -> Vec<Block> {
    let key = &policy.declaration.key;
    let mut b = Vec::new();
    b.push(Block::Heading(1, "Contributing with AI assistance".into()));
    b.push(Block::Para(format!(
        "This project accepts AI-assisted contributions in some parts of the tree and not in others. The rules below are the project's policy ({}), and they are checked by tiergate when you commit (commit-msg hook) and when changes reach the project (push, patch review). {}",
        code(policy_path.unwrap_or(&policy.source)),
        match policy.mode {
            Mode::Enforce => "A commit that breaks them is rejected.",
            Mode::Warn => "For now the policy runs in **warn** mode: a commit that breaks them is reported, not rejected.",
        }
    )));
    b.push(Block::Para(format!(
        "A commit is **AI-assisted** when it says so with an {} trailer, or when it carries the mark of an AI tool (for example a {} trailer naming an AI agent). Every path a commit changes falls in one **tier**: the first tier below whose patterns match it. A commit is held to the rules of every tier it touches.",
        code(&format!("{key}:")),
        code("Co-authored-by:")
    )));

    // Summary table.
    b.push(Block::Heading(2, "Tiers".into()));
    let mut rows = Vec::new();
    for (i, tier) in policy.tiers.iter().enumerate() {
        let files = tree
            .and_then(|(m, _)| m.root.counts.get(i).copied())
            .map_or_else(|| "-".to_owned(), |n| n.to_string());
        rows.push(vec![
            format!("**{}**", tier.name),
            tier_rule(policy, i),
            files,
        ]);
    }
    let files_header = match tree {
        Some((_, commit)) => format!(
            "files at {} ({})",
            args.rev,
            &commit[..commit.len().min(12)]
        ),
        None => "files".to_owned(),
    };
    b.push(Block::Table(
        vec!["tier".into(), "AI-assisted changes".into(), files_header],
        rows,
    ));
    b.push(Block::Para(format!(
        "To see the tier of a path and the pattern that decides it, run {}; {} lists every directory of the tree with its tier.",
        code("tiergate classify --explain PATH"),
        code("tiergate classify --tree")
    )));
    b.push(Block::Para(
        "A symlink, file or submodule at the path of a directory a tier names (or of a directory above one) replaces that directory when the tree is checked out, so it is in that tier too when the tier is stricter: a link cannot take a protected directory's place.".to_owned(),
    ));
    if policy.paths.lookalikes {
        b.push(Block::Para(format!(
            "Paths are also compared as macOS and Windows store them: a path that those file systems check out into a stricter tier's directory ({}, {}, a name in another Unicode normal form) is in that tier ({} when the tier does not accept AI-assisted changes). Spell paths as the repository does.",
            code("CRYPTO/aes.c"),
            code("crypto./aes.c"),
            code(RuleCode::LookalikePath.as_str())
        )));
    }

    let strictest = tiergate_core::classify::strictest_tier(policy);
    for (i, tier) in policy.tiers.iter().enumerate() {
        b.push(Block::Heading(3, format!("Tier `{}`", tier.name)));
        let words = match tier.ai {
            AiRule::Forbidden => format!(
                "**AI-assisted changes are not accepted here.** Write changes to these paths without AI assistance. An AI-assisted commit that touches them is rejected ({}); if only part of your work was AI-assisted, put that part in a separate commit.",
                code(RuleCode::AiForbiddenTier.as_str())
            ),
            AiRule::Allowed if no_requirements(tier) => format!(
                "**AI-assisted changes are welcome here**, declared with an {} trailer.",
                code(&format!("{key}:"))
            ),
            AiRule::Allowed => format!(
                "**AI-assisted changes are accepted here when the commit also carries {}** (in addition to the {} declaration): someone other than the tool must have reviewed the change before it goes in ({} otherwise).",
                required_md(tier),
                code(&format!("{key}:")),
                code(RuleCode::MissingRequiredTrailer.as_str())
            ),
        };
        b.push(Block::Para(words));
        let mut facts = vec![format!(
            "Paths: {}",
            if tier.paths.is_empty() {
                "(no patterns)".to_owned()
            } else {
                codes(
                    &tier
                        .paths
                        .iter()
                        .map(|p| p.text.as_str())
                        .collect::<Vec<_>>(),
                )
            }
        )];
        if !tier.except.is_empty() {
            facts.push(format!(
                "Except: {} (these go on to the next tiers)",
                codes(
                    &tier
                        .except
                        .iter()
                        .map(|p| p.text.as_str())
                        .collect::<Vec<_>>()
                )
            ));
        }
        if i == policy.default_tier {
            facts.push("Paths that no tier matches fall in this tier (`default_tier`).".into());
        }
        if i == strictest {
            if let Some(path) = policy_path {
                facts.push(format!(
                    "The policy file {} is always in this tier: loosening the rules is held to the strictest rules.",
                    code(path)
                ));
            }
        }
        b.push(Block::List(facts));
        if let Some((map, _)) = tree {
            let areas = map.areas(i);
            if areas.is_empty() {
                b.push(Block::Para(format!(
                    "No file of the tree at {} is in this tier.",
                    code(&args.rev)
                )));
            } else {
                b.push(Block::Para(format!("In the tree at {}:", code(&args.rev))));
                let mut items: Vec<String> = areas
                    .iter()
                    .take(args.max_dirs)
                    .map(|r| match r.kind {
                        RowKind::Dir if r.path == "./" => {
                            format!("the whole tree ({})", plural(r.files, "file"))
                        }
                        RowKind::Dir => format!("{} ({})", code(&r.path), plural(r.files, "file")),
                        RowKind::File => code(&r.path),
                        RowKind::Files => format!(
                            "{} files directly in {}",
                            r.files,
                            code(r.path.trim_end_matches('*'))
                        ),
                    })
                    .collect();
                if areas.len() > args.max_dirs {
                    let rest: u64 = areas.iter().skip(args.max_dirs).map(|r| r.files).sum();
                    items.push(format!(
                        "and {} more ({})",
                        areas.len() - args.max_dirs,
                        plural(rest, "file")
                    ));
                }
                b.push(Block::List(items));
            }
        }
    }

    // Declaring.
    b.push(Block::Heading(2, "Declaring AI assistance".into()));
    b.push(Block::Para(format!(
        "When a tool wrote or substantially shaped any part of a commit, say so with an {} trailer in the **last paragraph** of the commit message, with the other trailers. git must read it as a trailer: check with {}.",
        code(&format!("{key}:")),
        code("git interpret-trailers --parse < message")
    )));
    let example_value = "claude:claude-sonnet-4 [checkpatch]";
    b.push(Block::Code(format!(
        "net: fix the length check in the frobnicator\n\nThe length was compared before the header was parsed.\n\n{key}: {example_value}\nSigned-off-by: Your Name <you@example.org>"
    )));
    b.push(Block::Para(format!(
        "or, when committing: {}.",
        code(&format!("git commit --trailer \"{key}: {example_value}\""))
    )));
    let mut facts = Vec::new();
    if !policy.declaration.aliases.is_empty() {
        facts.push(format!(
            "Keys accepted as a declaration: {} and {} (case does not matter).",
            code(key),
            codes(&policy.declaration.aliases)
        ));
    }
    let per_key: Vec<String> = policy
        .declaration
        .values
        .iter()
        .map(|kv| {
            format!(
                "{} takes {}",
                code(&format!("{}:", kv.key)),
                kv.pattern.describe()
            )
        })
        .collect();
    if !per_key.is_empty() {
        facts.push(format!(
            "The value depends on the key: {} (any other key: a non-empty value); otherwise {}.",
            per_key.join("; "),
            code(RuleCode::MalformedDeclaration.as_str())
        ));
    }
    match &policy.declaration.value {
        _ if !per_key.is_empty() => {}
        Some(regex) => facts.push(format!(
            "The value must match {} — name the agent and the model as {} (the Linux kernel's `AGENT:MODEL [tools]`); otherwise {}.",
            code(regex.as_str()),
            code("AGENT:MODEL"),
            code(RuleCode::MalformedDeclaration.as_str())
        )),
        None => facts.push("The value must not be empty; name the tool and model.".into()),
    }
    facts.push(format!(
        "A key that is almost right (a typo, spaces for hyphens, look-alike Unicode letters) is not a declaration ({}).",
        code(RuleCode::NearMissKey.as_str())
    ));
    if policy.markers.builtin {
        let version = policy.markers.version();
        let mut tools: Vec<&str> = Vec::new();
        for e in tiergate_core::rules::signatures::database().entries_at(version) {
            if !tools.contains(&e.tool.as_str()) {
                tools.push(e.tool.as_str());
            }
        }
        facts.push(format!(
            "Marks of AI tools are recognised even without a declaration (tiergate's signature database {version}, {}): {} trailers of {}; lines such as {}; authors such as {} and the tools' {} accounts. A marked commit must also declare ({}).",
            code("tiergate markers"),
            code("Co-authored-by:"),
            tools.join(", "),
            code("Generated with [Claude Code]"),
            code("Name (aider)"),
            code("[bot]"),
            code(RuleCode::UndeclaredAi.as_str())
        ));
    }
    for extra in &policy.markers.extra {
        let field = match extra.field {
            MarkerField::Message => "a message line",
            MarkerField::Author => "the author",
            MarkerField::Committer => "the committer",
        };
        facts.push(format!(
            "This project also treats {field} matching {} as a mark of AI use.",
            code(extra.regex.as_str())
        ));
    }
    if policy.declaration.forbid_ai_signoff {
        facts.push(format!(
            "Never let a tool add {} for itself: only a person can certify the Developer Certificate of Origin ({}).",
            code("Signed-off-by:"),
            code(RuleCode::AiSignoff.as_str())
        ));
    }
    if policy.signoff.required {
        facts.push(format!(
            "Every commit needs its author's {} ({}; {}).",
            code("Signed-off-by:"),
            code("git commit -s"),
            code(RuleCode::MissingSignoff.as_str())
        ));
    }
    b.push(Block::List(facts));

    stages_section(policy, &mut b);

    // Reviewers.
    b.push(Block::Heading(2, "What reviewers check".into()));
    b.push(Block::Para(format!(
        "tiergate checks what a commit says; reviewers check that it says the truth. Run {} to see which tiers a series touches and whether it passes.",
        code("tiergate check main..topic")
    )));
    let mut items = Vec::new();
    for tier in &policy.tiers {
        let text = match tier.ai {
            AiRule::Forbidden => format!(
                "**{}**: the change must not be AI-assisted. Look for the signs tiergate cannot see: generated-looking code or comments, a contributor who declared AI use elsewhere in the series. When in doubt, ask.",
                tier.name
            ),
            AiRule::Allowed if no_requirements(tier) => format!(
                "**{}**: if the commit is AI-assisted, the declaration names the tool and model; review it as any other change.",
                tier.name
            ),
            AiRule::Allowed => format!(
                "**{}**: if the commit is AI-assisted, the declaration names the tool and model, and {} names a person who actually reviewed this version of the change — add yours only after reading it.",
                tier.name,
                required_md(tier)
            ),
        };
        items.push(text);
    }
    b.push(Block::List(items));

    // Fixing violations.
    b.push(Block::Heading(2, "Fixing a rejected commit".into()));
    b.push(Block::Para(format!(
        "A rejection names a rule; {} prints the same text.",
        code("tiergate explain RULE")
    )));
    for rule in RuleCode::ALL {
        b.push(Block::Heading(3, code(rule.as_str())));
        let text = verdict::explanation(rule);
        let body = text.split_once(": ").map_or(text, |(_, rest)| rest);
        for para in body.split("\n\n") {
            b.push(Block::Para(
                para.split_whitespace().collect::<Vec<_>>().join(" "),
            ));
        }
    }
    b.push(Block::Para(format!(
        "This guide was generated from the policy by {}.",
        code("tiergate policy doc")
    )));
    b
}

// --- markdown ---

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                let _ = writeln!(out, "{} {text}\n", "#".repeat(usize::from(*level)));
            }
            Block::Para(text) => {
                let _ = writeln!(out, "{text}\n");
            }
            Block::List(items) => {
                for item in items {
                    let _ = writeln!(out, "- {item}");
                }
                out.push('\n');
            }
            Block::Table(headers, rows) => {
                let _ = writeln!(
                    out,
                    "| {} |",
                    headers
                        .iter()
                        .map(|h| md_cell(h))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let _ = writeln!(out, "|{}", "---|".repeat(headers.len()));
                for row in rows {
                    let _ = writeln!(
                        out,
                        "| {} |",
                        row.iter()
                            .map(|c| md_cell(c))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                }
                out.push('\n');
            }
            Block::Code(text) => {
                let _ = writeln!(out, "```\n{text}\n```\n");
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

// --- html ---

/// Inline Markdown used by the guide (`code`, **bold**) as HTML.
fn inline_html(text: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push_str(if in_code { "</code>" } else { "<code>" });
            in_code = !in_code;
        }
        if in_code {
            out.push_str(&html::escape(part));
        } else {
            let mut bold = false;
            for (j, piece) in part.split("**").enumerate() {
                if j > 0 {
                    out.push_str(if bold { "</strong>" } else { "<strong>" });
                    bold = !bold;
                }
                out.push_str(&html::escape(piece));
            }
            if bold {
                out.push_str("</strong>");
            }
        }
    }
    if in_code {
        out.push_str("</code>");
    }
    out
}

fn block_html(block: &Block) -> String {
    match block {
        Block::Heading(level, text) => format!("<h{level}>{}</h{level}>\n", inline_html(text)),
        Block::Para(text) => format!("<p>{}</p>\n", inline_html(text)),
        Block::List(items) => {
            let mut out = String::from("<ul>");
            for item in items {
                let _ = write!(out, "<li>{}</li>", inline_html(item));
            }
            out.push_str("</ul>\n");
            out
        }
        Block::Table(headers, rows) => {
            let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| r.iter().map(|c| inline_html(c)).collect())
                .collect();
            let numeric: Vec<bool> = (0..headers.len()).map(|i| i + 1 == headers.len()).collect();
            html::table(&headers, &numeric, &rows) + "\n"
        }
        Block::Code(text) => format!("<pre>{}</pre>\n", html::escape(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup() {
        assert_eq!(
            inline_html("a `b<c>` **d** e"),
            "a <code>b&lt;c&gt;</code> <strong>d</strong> e"
        );
    }

    #[test]
    fn stages_exemptions_and_baseline_in_words() {
        let yaml = "version: 1
tiers:
  - name: core
    paths: [ \"src/\" ]
    require: [ Acked-by, { trailer: Reviewed-by, stages: [receive, apply] } ]
stages: { missing-signoff: [push, receive] }
exemptions:
  - { kind: fixup, rules: [fixup-commit] }
  - { author: { name: '^renovate' }, rules: all, stages: [ci] }
baseline: { since: 2026-01-01 }
";
        let policy = tiergate_core::policy::from_yaml(yaml.as_bytes(), "p.yaml").expect("valid");
        let tier = &policy.tiers[0];
        assert_eq!(
            required(tier),
            ["Acked-by", "Reviewed-by (at receive, apply)"]
        );
        assert_eq!(
            required_md(tier),
            "`Acked-by:`, `Reviewed-by:` (at receive, apply)"
        );
        let mut blocks = Vec::new();
        stages_section(&policy, &mut blocks);
        let Some(Block::List(items)) = blocks.last() else {
            panic!("a list last");
        };
        assert_eq!(
            items,
            &[
                "`Reviewed-by:` in tier **core** is required only at receive, apply: you do not add it yourself, it is added when the change is reviewed.",
                "`missing-signoff` is checked only at push, receive.",
                "`fixup-commit` is checked only at receive.",
                "`fixup!` and `squash!` commits are exempt from `fixup-commit` at commit, push.",
                "Commits whose author's name matches `^renovate` are exempt from every rule at ci.",
                "Commits committed before 2026-01-01 are grandfathered: not checked (by `tiergate check` and on your side; the server checks every new commit whatever its date).",
            ]
        );
    }
}
