//! The reviewer's view of one commit or patch (`tiergate show`,
//! `tiergate check-patch --show`): the provenance facts on one screen.
//!
//! [`Provenance::new`] gathers them from the message assessment and the
//! changed paths: the tiers touched with their paths, the declarations
//! (with tool, model and tools parsed from `AGENT:MODEL [tools]`), the
//! markers found, the `require` trailers of the touched tiers (present or
//! missing), and the verdict. [`Provenance::human`] and
//! [`Provenance::into_json`] render it.
//!
//! Unlike `tiergate check`, which computes paths only when the verdict
//! depends on them, the view always shows them: the caller passes them.

use crate::classify::Classifier;
use crate::judge::CommitVerdict;
use crate::output::shorten::{short_id, PATHS_SHOWN};
use crate::policy::{AiRule, Mode, Policy};
use crate::rules::lossy_paths;
use crate::rules::{Identity, MarkerHit};
use serde::Serialize;
use std::fmt::Write as _;

/// A tier the change touches, with its paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierPaths {
    /// The tier's name.
    pub name: String,
    /// Whether AI assistance is allowed there.
    pub ai: AiRule,
    /// The changed paths in it, sorted.
    #[serde(serialize_with = "lossy_paths")]
    pub paths: Vec<Vec<u8>>,
}

/// A declaration trailer, with its value parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declaration {
    /// The key as written (`AI-Assisted-by`, an alias).
    pub key: String,
    /// The value as written.
    pub value: String,
    /// Agent (tool) named before the `:` of the first word, when there is
    /// one (`claude` in `claude:claude-sonnet-4`).
    pub agent: Option<String>,
    /// Model named after it (`claude-sonnet-4`).
    pub model: Option<String>,
    /// Further tools: the words after the first, brackets and commas
    /// removed (`[coccinelle] sparse` → `coccinelle`, `sparse`).
    pub tools: Vec<String>,
}

/// Parse a declaration value as `AGENT:MODEL [TOOL1] [TOOL2]` (the Linux
/// kernel's `Assisted-by:` format; tools may also be written bare or
/// comma-separated). A first word without `:` is taken as the agent.
pub fn parse_declaration(value: &str) -> (Option<String>, Option<String>, Vec<String>) {
    let mut words = value.split_whitespace();
    let (agent, model) = match words.next() {
        Some(first) => match first.split_once(':') {
            Some((a, m)) => (
                (!a.is_empty()).then(|| a.to_owned()),
                (!m.is_empty()).then(|| m.to_owned()),
            ),
            None => (Some(first.to_owned()), None),
        },
        None => (None, None),
    };
    let tools = words
        .flat_map(|w| w.split(','))
        .map(|w| w.trim_matches(|c| matches!(c, '[' | ']' | '(' | ')')))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    (agent, model, tools)
}

/// A trailer a touched tier requires of AI-assisted changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequiredTrailer {
    /// The tier asking for it.
    pub tier: String,
    /// The trailer key.
    pub key: String,
    /// Whether the message carries it.
    pub present: bool,
}

/// Everything a reviewer needs about one commit or patch. Its JSON form
/// is [`ProvenanceJson`].
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    /// The author, when known.
    pub author: Option<Identity>,
    /// Tiers touched, in policy order.
    pub tiers: Vec<TierPaths>,
    /// Declarations found (trailers git reads).
    pub declarations: Vec<Declaration>,
    /// Markers of AI tools found.
    pub markers: Vec<MarkerHit>,
    /// `require` trailers of the touched tiers.
    pub required: Vec<RequiredTrailer>,
}

impl Provenance {
    /// Gather the view of `verdict` (judged by [`crate::judge::judge`])
    /// whose changed paths are `paths`.
    pub fn new(
        policy: &Policy,
        classifier: &Classifier,
        verdict: &CommitVerdict,
        author: Option<Identity>,
        paths: &[Vec<u8>],
    ) -> Provenance {
        let mut per_tier: Vec<Vec<Vec<u8>>> = vec![Vec::new(); policy.tiers.len()];
        for path in paths {
            let tier = classifier.tier_of(path);
            let tier = if tier < per_tier.len() {
                tier
            } else {
                policy.default_tier
            };
            if let Some(list) = per_tier.get_mut(tier) {
                list.push(path.clone());
            }
        }
        let mut tiers = Vec::new();
        let mut required = Vec::new();
        for (tier, mut paths) in policy.tiers.iter().zip(per_tier) {
            if paths.is_empty() {
                continue;
            }
            paths.sort();
            paths.dedup();
            // What the verdict's stage requires (a `require` entry may
            // apply at some stages only).
            for key in tier.required_at(verdict.stage) {
                required.push(RequiredTrailer {
                    tier: tier.name.clone(),
                    key: key.to_owned(),
                    present: verdict.assessment.has_trailer(key),
                });
            }
            // An `any_of` requirement: one line, met by any of its keys.
            for any in &tier.require_any {
                required.push(RequiredTrailer {
                    tier: tier.name.clone(),
                    key: any.0.join(" or "),
                    present: any.0.iter().any(|k| verdict.assessment.has_trailer(k)),
                });
            }
            tiers.push(TierPaths {
                name: tier.name.clone(),
                ai: tier.ai,
                paths,
            });
        }
        let assessment = &verdict.assessment;
        let declarations = assessment
            .declarations
            .iter()
            .filter_map(|&i| assessment.trailers.get(i))
            .map(|t| {
                let value = String::from_utf8_lossy(&t.value).into_owned();
                let (agent, model, tools) = parse_declaration(&value);
                Declaration {
                    key: String::from_utf8_lossy(&t.key).into_owned(),
                    value,
                    agent,
                    model,
                    tools,
                }
            })
            .collect();
        Provenance {
            author,
            tiers,
            declarations,
            markers: assessment.markers.clone(),
            required,
        }
    }

    /// The human block: a header line (`kind` and id, title), then one
    /// labelled line (or group) per fact. Paths are listed up to
    /// [`PATHS_SHOWN`] per tier, then counted.
    pub fn human(&self, kind: &str, verdict: &CommitVerdict, mode: Mode) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{kind} {} \"{}\"",
            short_id(&verdict.id),
            verdict.title
        );
        const PAD: &str = "               ";
        if let Some(author) = &self.author {
            let _ = writeln!(out, "  author:      {}", identity(author));
        }
        if self.tiers.is_empty() {
            let _ = writeln!(out, "  tiers:       none (no paths changed)");
        }
        for (i, tier) in self.tiers.iter().enumerate() {
            let label = if i == 0 { "  tiers:       " } else { PAD };
            let _ = writeln!(
                out,
                "{label}{} (ai: {}): {}",
                tier.name,
                ai_word(tier.ai),
                count(tier.paths.len(), "path")
            );
            for path in tier.paths.iter().take(PATHS_SHOWN) {
                let _ = writeln!(out, "{PAD}  {}", String::from_utf8_lossy(path));
            }
            if tier.paths.len() > PATHS_SHOWN {
                let _ = writeln!(
                    out,
                    "{PAD}  ... and {} more",
                    tier.paths.len() - PATHS_SHOWN
                );
            }
        }
        if self.declarations.is_empty() {
            let _ = writeln!(out, "  declared:    no");
        }
        for (i, d) in self.declarations.iter().enumerate() {
            let label = if i == 0 { "  declared:    " } else { PAD };
            let _ = writeln!(out, "{label}{}: {}", d.key, d.value);
            let mut parts = Vec::new();
            if let Some(agent) = &d.agent {
                parts.push(format!("tool {agent}"));
            }
            parts.push(match &d.model {
                Some(model) => format!("model {model}"),
                None => "model not named".to_owned(),
            });
            if !d.tools.is_empty() {
                parts.push(format!("with {}", d.tools.join(", ")));
            }
            let _ = writeln!(out, "{PAD}  {}", parts.join(", "));
        }
        if self.markers.is_empty() {
            let _ = writeln!(out, "  markers:     none");
        }
        for (i, m) in self.markers.iter().enumerate() {
            let label = if i == 0 { "  markers:     " } else { PAD };
            match m.line {
                Some(line) => {
                    let _ = writeln!(out, "{label}{} (line {})", m.evidence, line + 1);
                }
                None => {
                    let _ = writeln!(out, "{label}{}", m.evidence);
                }
            }
        }
        let ai = verdict.assessment.ai_assisted();
        if self.required.is_empty() {
            let _ = writeln!(out, "  required:    none");
        }
        for (i, r) in self.required.iter().enumerate() {
            let label = if i == 0 { "  required:    " } else { PAD };
            let state = match (r.present, ai) {
                (true, _) => "present",
                (false, true) => "MISSING",
                (false, false) => "missing (needed only if AI-assisted)",
            };
            let _ = writeln!(out, "{label}{} (tier {}): {state}", r.key, r.tier);
        }
        let _ = writeln!(
            out,
            "  ai-assisted: {}",
            match (verdict.assessment.declared(), !self.markers.is_empty()) {
                (true, true) => "yes (declared, and marked)",
                (true, false) => "yes (declared)",
                (false, true) => "yes (marked, not declared)",
                (false, false) => "no",
            }
        );
        let _ = writeln!(out, "  verdict:     {}", verdict_line(verdict, mode));
        out
    }

    /// The JSON form (stable field names): the view and the verdict.
    pub fn into_json(self, verdict: &CommitVerdict, mode: Mode) -> ProvenanceJson {
        ProvenanceJson {
            ai_assisted: verdict.assessment.ai_assisted(),
            verdict: verdict_word(verdict, mode),
            view: self,
        }
    }
}

/// The `provenance` of a commit in `tiergate show --format json` (and of a
/// patch in `tiergate check-patch --show --format json`): `author`,
/// `tiers`, `declarations`, `markers` (line 1-based), `required`, plus
/// `ai_assisted` and `verdict` (`pass`, `fail` or `warn`).
#[derive(Debug, Clone, Serialize)]
pub struct ProvenanceJson {
    /// The view.
    #[serde(flatten)]
    pub view: Provenance,
    /// Whether the commit is AI-assisted (declared or marked).
    pub ai_assisted: bool,
    /// [`verdict_word`].
    pub verdict: &'static str,
}

/// `pass`, `fail` or `warn` (violations under `mode: warn`).
pub fn verdict_word(verdict: &CommitVerdict, mode: Mode) -> &'static str {
    match (verdict.violations.is_empty(), mode) {
        (true, _) => "pass",
        (false, Mode::Enforce) => "fail",
        (false, Mode::Warn) => "warn",
    }
}

fn verdict_line(verdict: &CommitVerdict, mode: Mode) -> String {
    if verdict.grandfathered {
        return "pass (grandfathered: before the policy's baseline, not judged)".to_owned();
    }
    if verdict.violations.is_empty() {
        return "pass".to_owned();
    }
    let mut codes: Vec<&str> = verdict.violations.iter().map(|v| v.rule.as_str()).collect();
    codes.dedup();
    format!(
        "{}: {} ({})",
        verdict_word(verdict, mode),
        count(verdict.violations.len(), "violation"),
        codes.join(", ")
    )
}

fn identity(id: &Identity) -> String {
    format!(
        "{} <{}>",
        String::from_utf8_lossy(&id.name),
        String::from_utf8_lossy(&id.email)
    )
}

fn ai_word(ai: AiRule) -> &'static str {
    match ai {
        AiRule::Forbidden => "forbidden",
        AiRule::Allowed => "allowed",
    }
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("{n} {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_are_parsed() {
        assert_eq!(
            parse_declaration("claude:claude-sonnet-4 [coccinelle] sparse"),
            (
                Some("claude".into()),
                Some("claude-sonnet-4".into()),
                vec!["coccinelle".into(), "sparse".into()]
            )
        );
        assert_eq!(
            parse_declaration("Copilot"),
            (Some("Copilot".into()), None, vec![])
        );
        assert_eq!(
            parse_declaration("aider:gpt-5 [ruff, mypy]"),
            (
                Some("aider".into()),
                Some("gpt-5".into()),
                vec!["ruff".into(), "mypy".into()]
            )
        );
        assert_eq!(parse_declaration(""), (None, None, vec![]));
    }
}
