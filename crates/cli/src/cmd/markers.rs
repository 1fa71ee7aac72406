//! `tiergate markers [--version V]`: the builtin AI signature database
//! (crates/core/signatures.yaml), as of the version the policy pins (or the
//! latest), for maintainers to review what marks a commit as AI-assisted.

use crate::exit::{usage, Outcome};
use crate::{context, Format, Global};
use serde_json::json;
use std::fmt::Write as _;
use tiergate_core::rules::signatures::{database, Entry, Version};

/// Arguments of `tiergate markers`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The database version to list (`2026.11`); default: the version the
    /// policy pins with `markers.builtin`, or the latest without a pin
    #[arg(long = "version", value_name = "V")]
    pub db_version: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::TextFormat,
}

/// Which version is listed, and why.
enum Chosen {
    /// `--version`.
    Asked,
    /// The policy's `markers.builtin` pin.
    Pinned,
    /// The latest (the policy pins none, or there is no policy).
    Latest,
    /// The policy turns the builtin markers off (`markers.builtin: false`).
    Off,
}

/// Run `tiergate markers`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let (version, chosen) = match &args.db_version {
        Some(text) => match Version::parse(text) {
            Some(v) => (v, Chosen::Asked),
            None => {
                let known: Vec<String> = Version::known().map(|v| v.to_string()).collect();
                return Err(usage(
                    format!("unknown signature database version '{text}'"),
                    Some(&format!("This tiergate knows {}.", known.join(", "))),
                ));
            }
        },
        None => match context::find_policy(global)? {
            Some(policy) if !policy.markers.builtin => (Version::latest(), Chosen::Off),
            Some(policy) => match policy.markers.pinned {
                Some(v) => (v, Chosen::Pinned),
                None => (Version::latest(), Chosen::Latest),
            },
            None => (Version::latest(), Chosen::Latest),
        },
    };
    let mut entries: Vec<&Entry> = database().entries_at(version).collect();
    // One tool's entries together, in database order otherwise.
    let order: Vec<&str> = {
        let mut seen = Vec::new();
        for e in &entries {
            if !seen.contains(&e.tool.as_str()) {
                seen.push(e.tool.as_str());
            }
        }
        seen
    };
    entries.sort_by_key(|e| order.iter().position(|t| *t == e.tool));
    if global.format == Format::Json {
        let doc = json!({
            "version": version.as_str(),
            "latest": Version::latest().as_str(),
            "chosen_by": match chosen {
                Chosen::Asked => "option",
                Chosen::Pinned => "policy",
                Chosen::Latest => "latest",
                Chosen::Off => "latest-policy-off",
            },
            "identity_trailers": ["Co-authored-by", "Signed-off-by"],
            "tools": entries,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(Outcome::Pass);
    }
    print!("{}", human(version, &chosen, &entries));
    Ok(Outcome::Pass)
}

/// The listing as text.
fn human(version: Version, chosen: &Chosen, entries: &[&Entry]) -> String {
    let mut out = String::new();
    let why = match chosen {
        Chosen::Asked => "as asked".to_owned(),
        Chosen::Pinned => "pinned by the policy's markers.builtin".to_owned(),
        Chosen::Latest => "the latest".to_owned(),
        Chosen::Off => {
            "the latest; the policy turns builtin markers off (markers.builtin: false)".to_owned()
        }
    };
    let _ = writeln!(
        out,
        "Signature database {version} ({why}); latest {}",
        Version::latest()
    );
    let _ = writeln!(
        out,
        "Identities are read from Co-authored-by: and Signed-off-by: lines anywhere in the log message,\nand from the author, committer and other identity headers.\n"
    );
    for e in entries {
        let _ = writeln!(out, "{} (since {})", e.tool, e.since);
        let mut field = |label: &str, items: Vec<String>| {
            if !items.is_empty() {
                let _ = writeln!(out, "  {label:<13} {}", items.join(", "));
            }
        };
        field("names:", e.names.clone());
        // `a | b followed by c | d`: pairs of lists that only match together.
        let pair = |left: &[String], middle: &str, right: &[String], end: &str| {
            if left.is_empty() {
                Vec::new()
            } else {
                vec![format!(
                    "{}{middle}{}{end}",
                    left.join(" | "),
                    right.join(" | ")
                )]
            }
        };
        field(
            "name + word:",
            pair(&e.bases, " followed by ", &e.words, " or a version"),
        );
        field("name ends:", e.name_suffixes.clone());
        field("name starts:", e.name_prefixes.clone());
        field("e-mails:", e.emails.clone());
        field(
            "domains:",
            e.domains.iter().map(|d| format!("*@{d}")).collect(),
        );
        field(
            "mailboxes:",
            pair(&e.bot_domains, " containing ", &e.mailbox_words, "")
                .into_iter()
                .map(|p| format!("at {p}"))
                .collect(),
        );
        field("logins:", e.logins.clone());
        field("contains:", e.contains.clone());
        field("footers:", e.footers.clone());
        field("trailers:", e.trailers.clone());
        for (i, s) in e.sources.iter().enumerate() {
            let label = if i == 0 { "source:" } else { "" };
            let _ = writeln!(out, "  {label:<13} {s}");
        }
        out.push('\n');
    }
    out
}
