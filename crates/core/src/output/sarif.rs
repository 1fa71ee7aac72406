//! SARIF 2.1.0 output (`tiergate check --format sarif`), the format GitHub
//! code scanning and other static-analysis dashboards read.
//!
//! One log with one run: `tool.driver` names tiergate and its version and
//! lists every rule code as a rule (`id` the code, `help` and
//! `fullDescription` the text of `tiergate explain`), so a result's
//! `ruleIndex` is the code's position in [`RuleCode::ALL`] whatever the
//! run found. One result per violation: `level` `error` (`warning` under
//! `mode: warn`), the message as the other machine formats word it (commit,
//! what is wrong, the first paths, the fix), and:
//!
//! - a violation about paths is located at each offending path (`uri` the
//!   repository-relative path, percent-encoded as a URI reference must be,
//!   `startLine` 1), at most [`LOCATIONS_SHOWN`] of them: GitHub code
//!   scanning accepts 1,000 locations per result and shows only the first
//!   100 ("SARIF results exceed soft limits"), so the rest are counted in
//!   the message instead;
//! - a violation about the message has no file of its own and is located
//!   at the policy file that states the rule, as the GitLab format does.
//!
//! `partialFingerprints` carries a stable hash of the rule, the full commit
//! id, the tier and the offending paths ([`crate::output::verdict::fingerprint`]):
//! the same violation of the same commit has the same fingerprint on every
//! run, so a dashboard can tell new results from ones it has seen.
//! `properties` holds the full commit id and the tier for other consumers.
//!
//! ### Deviation
//!
//! `tool.driver.informationUri` is omitted: the schema makes it optional and
//! tiergate has no canonical home page to name yet.

use crate::judge::CommitVerdict;
use crate::output::verdict::{explanation, fingerprint, plain_description};
use crate::policy::Mode;
use crate::rules::{RuleCode, Violation};
use serde::Serialize;
use std::fmt::Write as _;

/// The schema URI SARIF logs name: the OASIS standard's 2.1.0 (errata 01)
/// schema, the file vendored in tests/fixtures and validated against.
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Locations listed per result before the rest are only counted (GitHub
/// code scanning shows the first 100 locations of a result).
pub const LOCATIONS_SHOWN: usize = 100;

/// A SARIF log (`sarifLog`).
#[derive(Debug, Clone, Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Debug, Clone, Serialize)]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
}

#[derive(Debug, Clone, Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Debug, Clone, Serialize)]
struct Driver {
    name: &'static str,
    version: String,
    rules: Vec<Rule>,
}

/// A `reportingDescriptor`: one rule code.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    short_description: Text,
    full_description: Text,
    help: Text,
    default_configuration: Configuration,
}

#[derive(Debug, Clone, Serialize)]
struct Configuration {
    level: &'static str,
}

/// A `message` or `multiformatMessageString`: plain text.
#[derive(Debug, Clone, Serialize)]
struct Text {
    text: String,
}

/// One result: a violation.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: Fingerprints,
    properties: Properties,
}

/// `partialFingerprints`: one key, versioned, so that a change of what is
/// hashed gets a new key rather than new values under the old one.
#[derive(Debug, Clone, Serialize)]
struct Fingerprints {
    #[serde(rename = "tiergateViolation/v1")]
    violation: String,
}

#[derive(Debug, Clone, Serialize)]
struct Properties {
    commit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tier: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Debug, Clone, Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

fn level(mode: Mode) -> &'static str {
    match mode {
        Mode::Enforce => "error",
        Mode::Warn => "warning",
    }
}

/// The SARIF results for one commit's violations (none when it has none).
/// `policy_path` locates the violations that concern the message.
pub fn results(verdict: &CommitVerdict, mode: Mode, policy_path: &str) -> Vec<SarifResult> {
    verdict
        .violations
        .iter()
        .map(|violation| result(verdict, violation, mode, policy_path))
        .collect()
}

fn result(
    verdict: &CommitVerdict,
    violation: &Violation,
    mode: Mode,
    policy_path: &str,
) -> SarifResult {
    let mut text = plain_description(verdict, "commit", violation);
    let located: Vec<&[u8]> = if violation.paths.is_empty() {
        vec![policy_path.as_bytes()]
    } else {
        violation
            .paths
            .iter()
            .take(LOCATIONS_SHOWN)
            .map(Vec::as_slice)
            .collect()
    };
    if violation.paths.len() > LOCATIONS_SHOWN {
        let _ = write!(
            text,
            "\n(located at the first {LOCATIONS_SHOWN} of {} paths)",
            violation.paths.len()
        );
    }
    let mut hashed: Vec<&[u8]> = vec![
        violation.rule.as_str().as_bytes(),
        verdict.id.as_bytes(),
        violation.tier.as_deref().unwrap_or("").as_bytes(),
    ];
    hashed.extend(violation.paths.iter().map(Vec::as_slice));
    SarifResult {
        rule_id: violation.rule.as_str(),
        rule_index: RuleCode::ALL
            .iter()
            .position(|r| *r == violation.rule)
            .unwrap_or_default(),
        level: level(mode),
        message: Text { text },
        locations: located
            .into_iter()
            .map(|path| Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: uri_reference(path),
                    },
                    region: Region { start_line: 1 },
                },
            })
            .collect(),
        partial_fingerprints: Fingerprints {
            violation: fingerprint(&hashed),
        },
        properties: Properties {
            commit: verdict.id.clone(),
            tier: violation.tier.clone(),
        },
    }
}

/// The SARIF log of a run: every rule code as a rule, then `results` (in
/// the order the commits were checked). `version` is tiergate's.
pub fn log(results: Vec<SarifResult>, mode: Mode, version: &str) -> Log {
    let rules = RuleCode::ALL
        .iter()
        .map(|&rule| {
            let full = explanation(rule);
            // The explanation's first paragraph, without its `code: ` lead,
            // on one line.
            let first = full.split("\n\n").next().unwrap_or(full);
            let first = first.strip_prefix(rule.as_str()).unwrap_or(first);
            let short = first
                .trim_start_matches(':')
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            Rule {
                id: rule.as_str(),
                short_description: Text { text: short },
                full_description: Text {
                    text: full.to_owned(),
                },
                help: Text {
                    text: full.to_owned(),
                },
                default_configuration: Configuration { level: level(mode) },
            }
        })
        .collect();
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "tiergate",
                    version: version.to_owned(),
                    rules,
                },
            },
            results,
        }],
    }
}

/// A repository path as a relative URI reference (RFC 3986): every byte
/// but the unreserved characters and `/` percent-encoded, so a path with a
/// space, `%`, `#`, `?`, `:` or bytes that are not UTF-8 (git allows any
/// byte but NUL in a path) still names that path. A first segment with a
/// `:` would read as a scheme; encoded, it cannot.
pub fn uri_reference(path: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for &byte in path {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_encode_what_a_uri_reference_cannot_hold() {
        assert_eq!(uri_reference(b"crypto/aes.c"), "crypto/aes.c");
        assert_eq!(uri_reference(b"a b/c%d#e?f"), "a%20b/c%25d%23e%3Ff");
        assert_eq!(uri_reference(b"c:/x"), "c%3A/x");
        assert_eq!(uri_reference(b"caf\xc3\xa9/\xff"), "caf%C3%A9/%FF");
    }

    #[test]
    fn every_rule_has_a_one_line_short_description() {
        let log = log(Vec::new(), Mode::Enforce, "0.0.0");
        let rules = &log.runs[0].tool.driver.rules;
        assert_eq!(rules.len(), RuleCode::ALL.len());
        for rule in rules {
            assert!(!rule.short_description.text.is_empty(), "{}", rule.id);
            assert!(!rule.short_description.text.contains('\n'), "{}", rule.id);
            assert!(!rule.short_description.text.starts_with(' '), "{}", rule.id);
        }
    }
}
