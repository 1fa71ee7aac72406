//! `tiergate classify PATH...`: print the tier of each path.

use crate::context;
use crate::exit::Outcome;
use crate::{Format, Global};
use serde_json::json;
use std::ffi::OsString;
use std::io::Write;
use tiergate_core::classify::Reason;

/// Arguments of `tiergate classify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Repository-relative paths (`/`-separated, as git shows them; they need
    /// not exist)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<OsString>,
    /// Say which tier and which pattern decided, and which `except`
    /// patterns kept the path out of earlier tiers
    #[arg(long)]
    pub explain: bool,
}

/// Run `tiergate classify`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let repo = context::open_repo(global).ok();
    let loaded = context::load_policy(global, repo.as_ref())?;
    let classifier = loaded.classifier()?;
    let policy = &loaded.policy;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut json_paths = Vec::new();
    for path in &args.paths {
        let bytes = path.as_encoded_bytes();
        let shown = String::from_utf8_lossy(bytes);
        let found = classifier.explain(policy, bytes);
        let tier = &policy.tiers[found.tier].name;
        let (pattern, why) = match &found.reason {
            Reason::Pattern(p) => (
                Some(p.text.clone()),
                format!(
                    "pattern '{}' at {}:{}:{}",
                    p.text, policy.source, p.line, p.column
                ),
            ),
            Reason::PolicyFile => (
                None,
                "the policy file itself is always in the strictest tier".to_owned(),
            ),
            Reason::Default => (None, "no tier matches: default_tier".to_owned()),
        };
        match global.format {
            Format::Json => json_paths.push(json!({
                "path": shown,
                "tier": tier,
                "pattern": pattern,
                "reason": match found.reason {
                    Reason::Pattern(_) => "pattern",
                    Reason::PolicyFile => "policy-file",
                    Reason::Default => "default",
                },
                "excepted_by": found.excepted_by.iter().map(|(t, p)| json!({
                    "tier": policy.tiers[*t].name, "pattern": p.text,
                })).collect::<Vec<_>>(),
            })),
            Format::Human if args.explain => {
                out.write_all(bytes)?;
                writeln!(out, ": tier {tier}, by {why}")?;
                for (t, p) in &found.excepted_by {
                    writeln!(
                        out,
                        "  not in tier {}: excepted by '{}' at {}:{}:{}",
                        policy.tiers[*t].name, p.text, policy.source, p.line, p.column
                    )?;
                }
            }
            Format::Human => {
                out.write_all(bytes)?;
                writeln!(out, "\t{tier}")?;
            }
        }
    }
    if global.format == Format::Json {
        writeln!(out, "{}", json!({ "paths": json_paths }))?;
    }
    Ok(Outcome::Pass)
}
