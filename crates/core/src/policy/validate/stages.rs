//! `stages:`, the `stages` of a tier's `require` entries, `exemptions:`
//! and `baseline:`.

use super::reader::suggest;
use super::Validator;
use crate::policy::diagnostic::{show, Diagnostic};
use crate::policy::node::{Node, SNode};
use crate::policy::{Baseline, Exemption, ExemptionMatch};
use crate::rules::code::RuleCode;
use crate::stage::{CommitKind, Stage, Stages};

pub(super) const REQUIRE_KEYS: &[&str] = &["trailer", "stages"];
pub(super) const EXEMPTION_KEYS: &[&str] = &["kind", "author", "rules", "stages"];
pub(super) const AUTHOR_KEYS: &[&str] = &["name", "email"];
pub(super) const BASELINE_KEYS: &[&str] = &["since"];

impl Validator<'_> {
    /// A list of stage names, non-empty.
    pub(super) fn stage_list(&mut self, node: &SNode, what: &str) -> Option<Stages> {
        let items = self.list(node, what)?;
        if items.is_empty() {
            self.push(
                Diagnostic::error(format!("{what} lists no stage"))
                    .at(self.span(node))
                    .label("expected at least one stage")
                    .help(format!(
                        "list where it applies, e.g. `[receive, apply]` (stages: {}); to drop it everywhere, remove it",
                        Stage::names().join(", ")
                    )),
            );
            return None;
        }
        let mut stages = Vec::new();
        let mut ok = true;
        for item in items {
            let Some(name) = self.string(item, what) else {
                ok = false;
                continue;
            };
            match Stage::from_name(&name) {
                Some(s) => stages.push(s),
                None => {
                    let names = Stage::names();
                    let d = Diagnostic::error(format!("unknown stage {} in {what}", show(&name)))
                        .at(self.span(item))
                        .label(format!("expected one of: {}", names.join(", ")));
                    let d = match suggest(&name, &names).or_else(|| stage_synonym(&name)) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => d.help("stages: `commit` (commit-msg), `push` (pre-push), `receive` (the server), `apply` (check-patch, git am), `ci` (tiergate check)"),
                    };
                    self.push(d);
                    ok = false;
                }
            }
        }
        ok.then(|| Stages::of(&stages))
    }

    /// One rule code.
    fn rule_code(&mut self, node: &SNode, what: &str) -> Option<RuleCode> {
        let name = self.string(node, what)?;
        if let Some(code) = RuleCode::from_code(&name) {
            return Some(code);
        }
        let codes: Vec<&str> = RuleCode::ALL.iter().map(|c| c.as_str()).collect();
        let d = Diagnostic::error(format!("unknown rule {} in {what}", show(&name)))
            .at(self.span(node))
            .label("not a rule code");
        let d = match suggest(&name, &codes) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(format!(
                "rule codes: {} (`tiergate explain CODE` says what each means)",
                codes.join(", ")
            )),
        };
        self.push(d);
        None
    }

    /// `stages:` at the top: rule code -> list of stages.
    pub(super) fn rule_stages(&mut self, node: Option<&SNode>) -> Option<Vec<(RuleCode, Stages)>> {
        let Some(node) = node else {
            return Some(Vec::new());
        };
        let Node::Map(entries) = &node.value else {
            self.wrong_type(
                node,
                "`stages`",
                "a mapping of rule codes to lists of stages",
            );
            return None;
        };
        let mut out: Vec<(RuleCode, Stages)> = Vec::new();
        let mut ok = true;
        for (key, value) in entries {
            let Some(rule) = self.rule_code(key, "`stages`") else {
                ok = false;
                continue;
            };
            if out.iter().any(|(r, _)| *r == rule) {
                self.push(
                    Diagnostic::error(format!("duplicate rule `{rule}` in `stages`"))
                        .at(self.span(key))
                        .label("repeated here")
                        .help("list each rule once"),
                );
                ok = false;
                continue;
            }
            match self.stage_list(value, &format!("`stages.{rule}`")) {
                Some(stages) => out.push((rule, stages)),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// One entry of a tier's `require`: a trailer key (every stage), or
    /// `{ trailer: KEY, stages: [...] }`.
    pub(super) fn requirement(&mut self, node: &SNode, what: &str) -> Option<(String, Stages)> {
        if !matches!(node.value, Node::Map(_)) {
            return self.trailer_key(node, what).map(|k| (k, Stages::ALL));
        }
        let fields = self.mapping(node, &format!("an entry of {what}"), REQUIRE_KEYS)?;
        let key = match fields.get("trailer") {
            Some(n) => self.trailer_key(n, what),
            None if fields.was_suggested("trailer") => None,
            None => {
                self.push(
                    Diagnostic::error(format!("an entry of {what} has no `trailer`"))
                        .at(self.span(node))
                        .label("expected `trailer: KEY`")
                        .help("write `{ trailer: Reviewed-by, stages: [receive, apply] }`, or the key alone for every stage"),
                );
                None
            }
        };
        let stages = match fields.get("stages") {
            Some(n) => self.stage_list(n, &format!("`stages` of {what}")),
            None => Some(Stages::ALL),
        };
        Some((key?, stages?))
    }

    /// `exemptions:`.
    pub(super) fn exemptions(&mut self, node: Option<&SNode>) -> Option<Vec<Exemption>> {
        let Some(node) = node else {
            return Some(Vec::new());
        };
        let items = self.list(node, "`exemptions`")?;
        let mut out = Vec::new();
        let mut ok = true;
        for (index, item) in items.iter().enumerate() {
            match self.exemption(item, index) {
                Some(e) => out.push(e),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn exemption(&mut self, node: &SNode, index: usize) -> Option<Exemption> {
        let what = format!("exemption #{}", index + 1);
        let fields = self.mapping(node, &what, EXEMPTION_KEYS)?;
        let span = self.span(node);
        let line = self.line_of(span.start);
        let matches = match (fields.get("kind"), fields.get("author")) {
            (Some(_), Some(author)) => {
                self.push(
                    Diagnostic::error(format!("{what} has both `kind` and `author`"))
                        .at(self.span(author))
                        .label("one of `kind` or `author` per exemption")
                        .help("split it into two exemptions, one with `kind:`, one with `author:`"),
                );
                None
            }
            (Some(kind), None) => {
                let names: Vec<&'static str> = CommitKind::ALL.iter().map(|k| k.as_str()).collect();
                self.choice(kind, &format!("`kind` of {what}"), &names)
                    .map(|i| ExemptionMatch::Kind(CommitKind::ALL[i]))
            }
            (None, Some(author)) => self.author_match(author, &what),
            (None, None) => {
                if !fields.was_suggested("kind") && !fields.was_suggested("author") {
                    self.push(
                        Diagnostic::error(format!("{what} names no commits"))
                            .at(span.clone())
                            .label("expected `kind:` or `author:`")
                            .help("write `kind: merge` (or `revert`, `fixup`), or `author: { email: '^49699333\\+dependabot\\[bot\\]@users\\.noreply\\.github\\.com$' }`"),
                    );
                }
                None
            }
        };
        let rules = match fields.get("rules") {
            Some(n) => self.exempted_rules(n, &what),
            None => {
                if !fields.was_suggested("rules") {
                    self.push(
                        Diagnostic::error(format!("{what} does not say which rules it lifts"))
                            .at(span)
                            .label("expected `rules: all` or `rules: [ CODE, ... ]`")
                            .help("name the rules, e.g. `rules: [missing-signoff]`, or write `rules: all`"),
                    );
                }
                None
            }
        };
        let stages = match fields.get("stages") {
            Some(n) => self.stage_list(n, &format!("`stages` of {what}")),
            None => Some(match &matches {
                Some(ExemptionMatch::Kind(kind)) => kind.default_stages(),
                _ => Stages::ALL,
            }),
        };
        Some(Exemption {
            matches: matches?,
            rules: rules?,
            stages: stages?,
            line,
        })
    }

    /// `rules:` of an exemption: `all` or a non-empty list of codes.
    fn exempted_rules(&mut self, node: &SNode, what: &str) -> Option<Option<Vec<RuleCode>>> {
        let rwhat = format!("`rules` of {what}");
        match &node.value {
            Node::Str(s) if s == "all" => return Some(None),
            Node::Str(_) => {
                // A single code: read it as the list of one, and say so.
                let code = self.rule_code(node, &rwhat)?;
                self.push(
                    Diagnostic::error(format!("expected `all` or a list for {rwhat}"))
                        .at(self.span(node))
                        .label("a single rule code")
                        .help(format!("write a list, even of one rule: `rules: [{code}]`")),
                );
                return None;
            }
            _ => {}
        }
        let items = self.list(node, &rwhat)?;
        if items.is_empty() {
            self.push(
                Diagnostic::error(format!("{rwhat} lists no rule"))
                    .at(self.span(node))
                    .label("lifts nothing")
                    .help("name the rules it lifts, write `rules: all`, or remove the exemption"),
            );
            return None;
        }
        let mut codes = Vec::new();
        let mut ok = true;
        for item in items {
            match self.rule_code(item, &rwhat) {
                Some(c) => codes.push(c),
                None => ok = false,
            }
        }
        ok.then_some(Some(codes))
    }

    fn author_match(&mut self, node: &SNode, what: &str) -> Option<ExemptionMatch> {
        let awhat = format!("`author` of {what}");
        let fields = self.mapping(node, &awhat, AUTHOR_KEYS)?;
        let name = match fields.get("name") {
            Some(n) => Some(self.regex(n, &format!("`author.name` of {what}"))?),
            None => None,
        };
        let email = match fields.get("email") {
            Some(n) => Some(self.regex(n, &format!("`author.email` of {what}"))?),
            None => None,
        };
        if name.is_none() && email.is_none() {
            self.push(
                Diagnostic::error(format!("{awhat} matches every author"))
                    .at(self.span(node))
                    .label("expected `name:` or `email:`")
                    .help("give a regex for the bot's e-mail, e.g. `email: '^49699333\\+dependabot\\[bot\\]@users\\.noreply\\.github\\.com$'`"),
            );
            return None;
        }
        Some(ExemptionMatch::Author { name, email })
    }

    /// `baseline: { since: <full commit id | YYYY-MM-DD> }`.
    pub(super) fn baseline(&mut self, node: Option<&SNode>) -> Option<Option<Baseline>> {
        let Some(node) = node else {
            return Some(None);
        };
        let fields = self.mapping(node, "`baseline`", BASELINE_KEYS)?;
        let Some(since) = fields.get("since") else {
            if !fields.was_suggested("since") {
                self.push(
                    Diagnostic::error("`baseline` has no `since`")
                        .at(self.span(node))
                        .label("expected `since: <commit id or YYYY-MM-DD>`")
                        .help("write `baseline: { since: 2026-01-01 }` or the full id of the last grandfathered commit (`git rev-parse HEAD`)"),
                );
            }
            return None;
        };
        let text = match &since.value {
            Node::Str(s) => s.trim().to_owned(),
            // YAML reads an unquoted all-digit id as a number.
            Node::Int(n) => n.to_string(),
            _ => {
                self.wrong_type(since, "`baseline.since`", "a commit id or a date");
                return None;
            }
        };
        if let Some(baseline) = parse_baseline(&text) {
            return Some(Some(baseline));
        }
        let looks_hex = !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit());
        let help = if looks_hex {
            format!(
                "write the full id ({} hex digits): `git rev-parse {text}` prints it",
                if text.len() > 40 { 64 } else { 40 }
            )
        } else {
            "write a date as YYYY-MM-DD (e.g. `2026-01-01`, quoted or not) or a full commit id (`git rev-parse <rev>`)".to_owned()
        };
        self.push(
            Diagnostic::error(format!("invalid baseline {}", show(&text)))
                .at(self.span(since))
                .label("expected a full commit id or a date YYYY-MM-DD")
                .help(help),
        );
        None
    }
}

/// What people write for a stage.
fn stage_synonym(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "commit-msg" | "client" | "local" => Some("commit"),
        "pre-push" => Some("push"),
        "pre-receive" | "server" | "mirror" | "update" => Some("receive"),
        "am" | "applypatch-msg" | "check-patch" | "patch" | "maintainer" => Some("apply"),
        "check" | "report" | "show" => Some("ci"),
        _ => None,
    }
}

/// A full commit id (40 or 64 lowercase or uppercase hex digits, stored
/// lowercase as git prints ids) or a date `YYYY-MM-DD` (00:00 UTC).
pub(crate) fn parse_baseline(text: &str) -> Option<Baseline> {
    if (text.len() == 40 || text.len() == 64) && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(Baseline::Commit(text.to_ascii_lowercase()));
    }
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(r)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, m, d) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1970..=9999).contains(&y) || d < 1 || d > days_in_month {
        return None;
    }
    Some(Baseline::Date {
        text: text.to_owned(),
        seconds: days_from_civil(y, m, d) * 86_400,
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::super::tests::err;
    use super::*;
    use crate::policy::from_yaml;

    const TIERS: &str = "version: 1\ntiers:\n  - name: core\n    paths: [ \"src/\" ]\n";

    #[test]
    fn baselines_parse() {
        assert_eq!(
            parse_baseline("2026-01-01"),
            Some(Baseline::Date {
                text: "2026-01-01".into(),
                seconds: 1_767_225_600
            })
        );
        assert_eq!(
            parse_baseline("1970-01-01").map(|b| match b {
                Baseline::Date { seconds, .. } => seconds,
                Baseline::Commit(_) => -1,
            }),
            Some(0)
        );
        let id = "ABCDEF0123456789abcdef0123456789abcdef01";
        assert_eq!(
            parse_baseline(id),
            Some(Baseline::Commit(id.to_ascii_lowercase()))
        );
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "2026-1-1",
            "26-01-01",
            "abcdef0",
            "yesterday",
            "+026-01-01",
        ] {
            assert_eq!(parse_baseline(bad), None, "{bad}");
        }
        assert!(parse_baseline("2024-02-29").is_some());
        assert!(parse_baseline("2023-02-29").is_none());
    }

    #[test]
    fn stages_and_exemptions_load() {
        let yaml = format!(
            "{TIERS}    require: [ Acked-by, {{ trailer: Reviewed-by, stages: [receive, apply] }} ]\nstages:\n  missing-signoff: [push, receive]\nexemptions:\n  - {{ kind: merge, rules: all }}\n  - {{ kind: fixup, rules: [fixup-commit] }}\n  - author: {{ email: 'dependabot' }}\n    rules: [missing-signoff]\n    stages: [ci]\nbaseline: {{ since: '2026-01-01' }}\n"
        );
        let p = from_yaml(yaml.as_bytes(), "p.yaml").unwrap();
        let t = &p.tiers[0];
        assert_eq!(t.require, ["Acked-by", "Reviewed-by"]);
        assert_eq!(
            t.required_at(Stage::Commit).collect::<Vec<_>>(),
            ["Acked-by"]
        );
        assert_eq!(
            t.required_at(Stage::Apply).collect::<Vec<_>>(),
            ["Acked-by", "Reviewed-by"]
        );
        assert_eq!(
            p.rule_stages(RuleCode::MissingSignoff),
            Stages::of(&[Stage::Push, Stage::Receive])
        );
        assert_eq!(p.rule_stages(RuleCode::AiForbiddenTier), Stages::ALL);
        assert_eq!(
            p.rule_stages(RuleCode::FixupCommit),
            Stages::of(&[Stage::Receive])
        );
        assert_eq!(p.exemptions.len(), 3);
        assert!(p.exemptions[0].rules.is_none() && p.exemptions[0].stages.is_all());
        assert_eq!(
            p.exemptions[1].stages,
            Stages::of(&[Stage::Commit, Stage::Push])
        );
        assert_eq!(p.exemptions[2].stages, Stages::of(&[Stage::Ci]));
        assert_eq!(p.exemptions[2].line, 11);
        assert!(matches!(p.baseline, Some(Baseline::Date { .. })));
    }

    #[test]
    fn wrong_stages_are_reported_with_a_fix() {
        let e = err(&format!(
            "{TIERS}    require: [ {{ trailer: Reviewed-by, stages: [recieve] }} ]\n"
        ));
        assert!(
            e.contains("unknown stage `recieve` in `stages` of `require` of tier `core`"),
            "{e}"
        );
        assert!(e.contains("policy.yaml:5:"), "{e}");
        assert!(e.contains("did you mean `receive`?"), "{e}");
        let e = err(&format!("{TIERS}stages:\n  missing-signoff: [server]\n"));
        assert!(e.contains("unknown stage `server`"), "{e}");
        assert!(e.contains("did you mean `receive`?"), "{e}");
        let e = err(&format!("{TIERS}stages:\n  missing-sign-off: [push]\n"));
        assert!(
            e.contains("unknown rule `missing-sign-off` in `stages`"),
            "{e}"
        );
        assert!(e.contains("did you mean `missing-signoff`?"), "{e}");
        let e = err(&format!("{TIERS}stages:\n  missing-signoff: []\n"));
        assert!(e.contains("`stages.missing-signoff` lists no stage"), "{e}");
    }

    #[test]
    fn wrong_exemptions_are_reported_with_a_fix() {
        let e = err(&format!(
            "{TIERS}exemptions:\n  - {{ kind: merge, rules: [missing-sign-off] }}\n"
        ));
        assert!(
            e.contains("unknown rule `missing-sign-off` in `rules` of exemption #1"),
            "{e}"
        );
        assert!(e.contains("policy.yaml:6:"), "{e}");
        assert!(e.contains("did you mean `missing-signoff`?"), "{e}");
        let e = err(&format!(
            "{TIERS}exemptions:\n  - {{ kind: merges, rules: all }}\n"
        ));
        assert!(
            e.contains("invalid value `merges` for `kind` of exemption #1"),
            "{e}"
        );
        assert!(e.contains("did you mean `merge`?"), "{e}");
        let e = err(&format!("{TIERS}exemptions:\n  - {{ kind: merge }}\n"));
        assert!(
            e.contains("exemption #1 does not say which rules it lifts"),
            "{e}"
        );
        let e = err(&format!(
            "{TIERS}exemptions:\n  - {{ kind: merge, author: {{ name: x }}, rules: all }}\n"
        ));
        assert!(e.contains("has both `kind` and `author`"), "{e}");
        let e = err(&format!(
            "{TIERS}exemptions:\n  - {{ author: {{}}, rules: all }}\n"
        ));
        assert!(e.contains("matches every author"), "{e}");
        let e = err(&format!(
            "{TIERS}exemptions:\n  - {{ kind: revert, rules: missing-signoff }}\n"
        ));
        assert!(
            e.contains("write a list, even of one rule: `rules: [missing-signoff]`"),
            "{e}"
        );
        let e = err(&format!(
            "{TIERS}exemptions:\n  - {{ kind: revert, rules: all, stages: [pre-push] }}\n"
        ));
        assert!(e.contains("did you mean `push`?"), "{e}");
    }

    #[test]
    fn bad_baselines_are_reported_with_a_fix() {
        let e = err(&format!("{TIERS}baseline: {{ since: abc1234 }}\n"));
        assert!(e.contains("invalid baseline `abc1234`"), "{e}");
        assert!(e.contains("policy.yaml:5:"), "{e}");
        assert!(e.contains("`git rev-parse abc1234` prints it"), "{e}");
        let e = err(&format!("{TIERS}baseline: {{ since: 2026-02-30 }}\n"));
        assert!(e.contains("invalid baseline `2026-02-30`"), "{e}");
        assert!(e.contains("YYYY-MM-DD"), "{e}");
        let e = err(&format!("{TIERS}baseline: {{ until: x }}\n"));
        assert!(e.contains("unknown key `until` in `baseline`"), "{e}");
    }
}
