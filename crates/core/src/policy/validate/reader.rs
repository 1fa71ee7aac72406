//! Generic readers of spanned YAML nodes: the known keys of a mapping
//! (unknown, repeated and non-string keys reported, with a "did you
//! mean"), and typed getters that report a wrong type at the node.

use super::Validator;
use crate::policy::diagnostic::{show, Diagnostic};
use crate::policy::node::{Node, SNode};
use crate::policy::{build_glob, Pattern};
use regex::Regex;

/// Common misspellings that edit distance does not catch: (written, meant).
const SYNONYMS: &[(&str, &str)] = &[
    ("exclude", "except"),
    ("excludes", "except"),
    ("exclusions", "except"),
    ("ignore", "except"),
    ("files", "paths"),
    ("globs", "paths"),
    ("patterns", "paths"),
    ("pattern", "paths"),
    ("requires", "require"),
    ("required_trailers", "require"),
    ("trailers", "require"),
    ("default", "default_tier"),
    ("fallback", "default_tier"),
];

/// The known keys of one mapping, each with its key node and value node
/// (first occurrence only; repeats were reported).
pub(super) struct Fields<'n> {
    entries: Vec<(&'static str, &'n SNode, &'n SNode)>,
    /// Keys offered as "did you mean" for an unknown key: a missing
    /// required key that was suggested is not reported a second time.
    suggested: Vec<&'static str>,
}

impl<'n> Fields<'n> {
    pub(super) fn get(&self, key: &str) -> Option<&'n SNode> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, value)| *value)
    }
    /// Like `get`, but an explicit null counts as absent.
    pub(super) fn get_some(&self, key: &str) -> Option<&'n SNode> {
        self.get(key).filter(|n| !matches!(n.value, Node::Null))
    }
    /// Whether `key` was suggested for a misspelt key of this mapping.
    pub(super) fn was_suggested(&self, key: &str) -> bool {
        self.suggested.contains(&key)
    }
}

impl Validator<'_> {
    /// A "wrong type" diagnostic: `what` expected, `node` found.
    pub(super) fn wrong_type(&mut self, node: &SNode, what: &str, expected: &str) {
        let d = Diagnostic::error(format!(
            "expected {expected} for {what}, found {}",
            node.value.kind()
        ))
        .at(self.span(node))
        .label(format!("expected {expected}"));
        let d = match (&node.value, expected) {
            (Node::Int(_) | Node::Float | Node::Bool(_), e) if e.contains("string") => {
                d.help("put the value in quotes to make it a string")
            }
            _ => d,
        };
        self.push(d);
    }

    /// Check that `node` is a mapping whose keys are all in `known`;
    /// report unknown, repeated and non-string keys.
    pub(super) fn mapping<'n>(
        &mut self,
        node: &'n SNode,
        what: &str,
        known: &[&'static str],
    ) -> Option<Fields<'n>> {
        let Node::Map(entries) = &node.value else {
            self.wrong_type(node, what, "a mapping");
            return None;
        };
        let mut fields = Fields {
            entries: Vec::new(),
            suggested: Vec::new(),
        };
        for (key, value) in entries {
            let Node::Str(name) = &key.value else {
                self.push(
                    Diagnostic::error(format!(
                        "expected a string key in {what}, found {}",
                        key.value.kind()
                    ))
                    .at(self.span(key))
                    .help(format!("valid keys here: {}", list(known))),
                );
                continue;
            };
            let Some(&canonical) = known.iter().find(|k| **k == name.as_str()) else {
                let d = Diagnostic::error(format!("unknown key {} in {what}", show(name)))
                    .at(self.span(key));
                let d = match suggest(name, known) {
                    Some(s) => {
                        fields.suggested.push(s);
                        d.help(format!("did you mean `{s}`?"))
                    }
                    None => d.help(format!("valid keys here: {}", list(known))),
                };
                self.push(d);
                continue;
            };
            if let Some((_, first, _)) = fields.entries.iter().find(|(k, _, _)| *k == canonical) {
                let first_span = self.span(first);
                let first_line = self.line_of(first_span.start);
                self.push(
                    Diagnostic::error(format!("duplicate key `{canonical}` in {what}"))
                        .at(self.span(key))
                        .label("repeated here")
                        .context(first_span, "first defined here")
                        .help(format!(
                            "remove one of them: a key may appear once (first on line {first_line})"
                        )),
                );
                continue;
            }
            fields.entries.push((canonical, key, value));
        }
        Some(fields)
    }

    pub(super) fn string(&mut self, node: &SNode, what: &str) -> Option<String> {
        match &node.value {
            Node::Str(s) => Some(s.clone()),
            _ => {
                self.wrong_type(node, what, "a string");
                None
            }
        }
    }

    pub(super) fn non_empty_string(&mut self, node: &SNode, what: &str) -> Option<String> {
        let s = self.string(node, what)?;
        if s.trim().is_empty() {
            self.push(
                Diagnostic::error(format!("{what} is empty"))
                    .at(self.span(node))
                    .label("expected a non-empty string"),
            );
            return None;
        }
        Some(s)
    }

    pub(super) fn boolean(&mut self, node: &SNode, what: &str) -> Option<bool> {
        match &node.value {
            Node::Bool(b) => Some(*b),
            _ => {
                self.wrong_type(node, what, "`true` or `false`");
                None
            }
        }
    }

    /// A list; an explicit null is an empty list.
    pub(super) fn list<'n>(&mut self, node: &'n SNode, what: &str) -> Option<&'n [SNode]> {
        match &node.value {
            Node::Seq(items) => Some(items),
            Node::Null => Some(&[]),
            Node::Str(s) => {
                self.push(
                    Diagnostic::error(format!("expected a list for {what}, found a string"))
                        .at(self.span(node))
                        .label("expected a list")
                        .help(format!("write a list, even of one entry: `[ {s:?} ]`")),
                );
                None
            }
            _ => {
                self.wrong_type(node, what, "a list");
                None
            }
        }
    }

    /// One of `choices`; the index.
    pub(super) fn choice(
        &mut self,
        node: &SNode,
        what: &str,
        choices: &[&'static str],
    ) -> Option<usize> {
        let expected = format!("expected one of: {}", choices.join(", "));
        let Node::Str(s) = &node.value else {
            self.push(
                Diagnostic::error(format!(
                    "invalid value for {what}: found {}",
                    node.value.kind()
                ))
                .at(self.span(node))
                .label(expected),
            );
            return None;
        };
        if let Some(i) = choices.iter().position(|c| *c == s.as_str()) {
            return Some(i);
        }
        let d = Diagnostic::error(format!("invalid value {} for {what}", show(s)))
            .at(self.span(node))
            .label(expected);
        let d = match suggest(s, choices) {
            Some(m) => d.help(format!("did you mean `{m}`?")),
            None => d,
        };
        self.push(d);
        None
    }

    pub(super) fn regex(&mut self, node: &SNode, what: &str) -> Option<Regex> {
        let text = self.string(node, what)?;
        match regex::RegexBuilder::new(&text).size_limit(1 << 22).build() {
            Ok(re) => Some(re),
            Err(err) => {
                let reason = regex_reason(&err);
                self.push(
                    Diagnostic::error(format!("invalid regex {} for {what}", show(&text)))
                        .at(self.span(node))
                        .label(reason)
                        .help("regexes use the syntax of the Rust `regex` crate (no look-around, no backreferences)"),
                );
                None
            }
        }
    }

    /// A trailer key as git recognizes one: ASCII letters, digits and `-`.
    pub(super) fn trailer_key(&mut self, node: &SNode, what: &str) -> Option<String> {
        let key = self.string(node, what)?;
        if is_trailer_key(&key) {
            return Some(key);
        }
        let suggestion: String = key
            .trim()
            .trim_end_matches(':')
            .trim()
            .chars()
            .map(|c| if c == ' ' || c == '_' { '-' } else { c })
            .collect();
        let d = Diagnostic::error(format!(
            "{} is not a valid trailer key for {what}",
            show(&key)
        ))
        .at(self.span(node))
        .label("a trailer key is ASCII letters, digits and `-`, like `Reviewed-by`");
        let d = if is_trailer_key(&suggestion) {
            d.help(format!("did you mean `{suggestion}`?"))
        } else {
            d
        };
        self.push(d);
        None
    }

    pub(super) fn pattern(&mut self, node: &SNode, what: &str) -> Option<Pattern> {
        let text = self.string(node, what)?;
        if glob_body_is_empty(&text) {
            self.push(
                Diagnostic::error(format!("empty path pattern in {what}"))
                    .at(self.span(node))
                    .label("matches nothing")
                    .help("write a directory (`docs/`), a glob (`hw/**/*.c`) or a file name (`Kconfig`)"),
            );
            return None;
        }
        if let Err(err) = build_glob(&text) {
            self.push(
                Diagnostic::error(format!("invalid path pattern {} in {what}", show(&text)))
                    .at(self.span(node))
                    .label(err.kind().to_string())
                    .help("patterns are globs: `*` and `?` stay within a directory, `**` spans directories, `[abc]` a class, `{a,b}` alternatives"),
            );
            return None;
        }
        Some(Pattern {
            text,
            line: usize::try_from(node.referenced.line()).unwrap_or(0),
            column: usize::try_from(node.referenced.column()).unwrap_or(0),
        })
    }

    pub(super) fn patterns(&mut self, node: &SNode, what: &str) -> Option<Vec<Pattern>> {
        let items = self.list(node, what)?;
        let mut ok = true;
        let mut out = Vec::new();
        for item in items {
            match self.pattern(item, what) {
                Some(p) => out.push(p),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A duration: whole seconds (`5`) or a number with a unit (`500ms`,
    /// `5s`, `2m`), between 1 ms and 1 hour.
    pub(super) fn duration(&mut self, node: &SNode, what: &str) -> Option<std::time::Duration> {
        use std::time::Duration;
        let parsed = match &node.value {
            Node::Int(n) => u64::try_from(*n).ok().map(Duration::from_secs),
            Node::Str(text) => {
                let text = text.trim();
                let (digits, unit) = text.split_at(
                    text.find(|c: char| !c.is_ascii_digit())
                        .unwrap_or(text.len()),
                );
                let n: Option<u64> = digits.parse().ok();
                match (n, unit.trim()) {
                    (Some(n), "ms") => Some(Duration::from_millis(n)),
                    (Some(n), "s" | "") => Some(Duration::from_secs(n)),
                    (Some(n), "m") => n.checked_mul(60).map(Duration::from_secs),
                    _ => None,
                }
            }
            _ => None,
        };
        match parsed {
            Some(d) if d >= Duration::from_millis(1) && d <= Duration::from_secs(3600) => Some(d),
            _ => {
                self.push(
                    Diagnostic::error(format!("invalid duration for {what}"))
                        .at(self.span(node))
                        .label("expected seconds (`5`) or a number with `ms`, `s` or `m` (`500ms`, `5s`, `2m`), from 1ms to 1 hour"),
                );
                None
            }
        }
    }
}

/// Whether `key` is a trailer key as git's trailer.c recognizes one:
/// one or more ASCII letters, digits and `-`.
pub(crate) fn is_trailer_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Whether a pattern translates to an empty glob (`""`, `"/"`).
fn glob_body_is_empty(pattern: &str) -> bool {
    pattern.trim_matches('/').is_empty()
}

/// The closest candidate to `word`, if close enough to be a likely typo.
pub(crate) fn suggest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = word.to_ascii_lowercase().replace([' ', '-'], "_");
    if let Some((_, meant)) = SYNONYMS.iter().find(|(w, _)| *w == lower) {
        if let Some(c) = candidates.iter().find(|c| **c == *meant) {
            return Some(c);
        }
    }
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase()),
                *c,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The useful line of a regex error (`unclosed group`, ...).
fn regex_reason(err: &regex::Error) -> String {
    match err {
        regex::Error::Syntax(text) => text
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("error: "))
            .unwrap_or("invalid syntax")
            .to_owned(),
        regex::Error::CompiledTooBig(limit) => {
            format!("compiled regex exceeds the size limit of {limit} bytes")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{err, err_n, TIERS};

    #[test]
    fn unknown_top_level_key_with_suggestion() {
        let (text, count) = err_n(b"version: 1\ntier:\n  - name: open\n    paths: [docs/]\n");
        assert_eq!(count, 1, "the missing `tiers` is not reported again");
        assert_eq!(
            text,
            "\
error: unknown key `tier` in policy
 --> policy.yaml:2:1
  |
2 | tier:
  | ^^^^
  |
  = help: did you mean `tiers`?
"
        );
    }

    #[test]
    fn unknown_key_without_suggestion_lists_valid_keys() {
        let text = err(&format!("version: 1\n{TIERS}colour: blue\n"));
        assert!(
            text.contains("error: unknown key `colour` in policy"),
            "{text}"
        );
        assert!(text.contains(" --> policy.yaml:5:1"), "{text}");
        assert!(
            text.contains("= help: valid keys here: `version`, `mode`, `declaration`"),
            "{text}"
        );
    }

    #[test]
    fn unknown_nested_keys() {
        let text = err(
            "version: 1\ntiers:\n  - name: critical\n    path: [ crypto/ ]\n    exclude: [ a ]\ndeclaration:\n  kye: X\n",
        );
        assert!(
            text.contains("error: unknown key `path` in tier `critical`\n --> policy.yaml:4:5"),
            "{text}"
        );
        assert!(text.contains("= help: did you mean `paths`?"), "{text}");
        assert!(
            text.contains("error: unknown key `exclude` in tier `critical`\n --> policy.yaml:5:5"),
            "{text}"
        );
        assert!(text.contains("= help: did you mean `except`?"), "{text}");
        assert!(
            text.contains("error: unknown key `kye` in `declaration`\n --> policy.yaml:7:3"),
            "{text}"
        );
        assert!(text.contains("= help: did you mean `key`?"), "{text}");
        // `path` was taken for `paths`: no second diagnostic for the missing `paths`.
        assert!(!text.contains("has no paths"), "{text}");
        assert!(
            text.ends_with("error: 3 problems in policy.yaml\n"),
            "{text}"
        );
    }

    #[test]
    fn invalid_enum_value() {
        let text =
            err("version: 1\ntiers:\n  - name: critical\n    paths: [ crypto/ ]\n    ai: maybe\n");
        assert_eq!(
            text,
            "\
error: invalid value `maybe` for `ai` of tier `critical`
 --> policy.yaml:5:9
  |
5 |     ai: maybe
  |         ^^^^^ expected one of: forbidden, allowed
"
        );
        let text = err(&format!("version: 1\nmode: enforced\n{TIERS}"));
        assert!(text.contains("expected one of: enforce, warn"), "{text}");
        assert!(text.contains("= help: did you mean `enforce`?"), "{text}");
        let text = err(&format!("version: 1\n{TIERS}server:\n  on_error: true\n"));
        assert!(
            text.contains("error: invalid value for `server.on_error`: found a boolean"),
            "{text}"
        );
        assert!(text.contains("expected one of: reject, allow"), "{text}");
    }

    #[test]
    fn invalid_glob_at_its_own_span() {
        let text = err(
            "version: 1\ntiers:\n  - name: critical\n    paths: [ \"crypto/\", \"hw/[virtio\" ]\n",
        );
        assert_eq!(
            text,
            "\
error: invalid path pattern `hw/[virtio` in `paths` of tier `critical`
 --> policy.yaml:4:25
  |
4 |     paths: [ \"crypto/\", \"hw/[virtio\" ]
  |                         ^^^^^^^^^^^^ unclosed character class; missing ']'
  |
  = help: patterns are globs: `*` and `?` stay within a directory, `**` spans directories, `[abc]` a class, `{a,b}` alternatives
"
        );
        let text = err("version: 1\ntiers:\n  - name: a\n    paths: [ a/ ]\n    except:\n      - \"{x\"\n      - \"\"\n");
        assert!(
            text.contains(
                "invalid path pattern `{x` in `except` of tier `a`\n --> policy.yaml:6:9"
            ),
            "{text}"
        );
        assert!(
            text.contains("empty path pattern in `except` of tier `a`\n --> policy.yaml:7:9"),
            "{text}"
        );
    }

    #[test]
    fn invalid_regex_at_its_span() {
        let text = err(&format!(
            "version: 1\n{TIERS}declaration:\n  value: '^(\\S+:'\nmarkers:\n  extra:\n    - {{ field: message, regex: 'a[' }}\n"
        ));
        assert!(
            text.contains(
                "error: invalid regex `^(\\S+:` for `declaration.value`\n --> policy.yaml:6:10"
            ),
            "{text}"
        );
        assert!(text.contains("unclosed group"), "{text}");
        assert!(
            text.contains(
                "error: invalid regex `a[` for `regex` of a marker\n --> policy.yaml:9:32"
            ),
            "{text}"
        );
        assert!(text.contains("unclosed character class"), "{text}");
        assert!(text.contains("error: 2 problems in policy.yaml"), "{text}");
    }

    #[test]
    fn duplicate_key() {
        let text = err(&format!("version: 1\nmode: warn\n{TIERS}mode: enforce\n"));
        assert!(
            text.contains("error: duplicate key `mode` in policy\n --> policy.yaml:6:1"),
            "{text}"
        );
        assert!(text.contains("first defined here"), "{text}");
    }

    #[test]
    fn require_entries_must_be_trailer_keys() {
        let text = err("version: 1\ntiers:\n  - name: core\n    paths: [ a/ ]\n    require: [ \"Reviewed by\", \"Acked-by:\", 7 ]\n");
        assert!(
            text.contains("error: `Reviewed by` is not a valid trailer key for `require` of tier `core`\n --> policy.yaml:5:16"),
            "{text}"
        );
        assert!(
            text.contains("= help: did you mean `Reviewed-by`?"),
            "{text}"
        );
        assert!(text.contains("= help: did you mean `Acked-by`?"), "{text}");
        assert!(
            text.contains(
                "error: expected a string for `require` of tier `core`, found an integer"
            ),
            "{text}"
        );
        assert!(text.contains("error: 3 problems in policy.yaml"), "{text}");
        let text = err(&format!(
            "version: 1\n{TIERS}declaration:\n  key: \"AI Assisted\"\n  aliases: [ ok, \"\" ]\n"
        ));
        assert!(
            text.contains("`AI Assisted` is not a valid trailer key for `declaration.key`"),
            "{text}"
        );
        assert!(
            text.contains("`` is not a valid trailer key for `declaration.aliases`"),
            "{text}"
        );
    }

    #[test]
    fn wrong_types() {
        let text = err(&format!(
            "version: 1\n{TIERS}declaration: [ a ]\nmarkers:\n  builtin: yes\n  extra: nope\nsignoff: {{ required: 1 }}\n"
        ));
        assert!(
            text.contains(
                "error: expected a mapping for `declaration`, found a list\n --> policy.yaml:5:14"
            ),
            "{text}"
        );
        assert!(
            text.contains("error: expected `true`, `false` or a version for `markers.builtin`, found a string\n --> policy.yaml:7:12"),
            "{text}"
        );
        assert!(
            text.contains("error: expected a list for `markers.extra`, found a string"),
            "{text}"
        );
        assert!(
            text.contains(
                "error: expected `true` or `false` for `signoff.required`, found an integer"
            ),
            "{text}"
        );
        let text = err("version: 1\ntiers:\n  - name: 2024\n    paths: crypto/\n");
        assert!(
            text.contains("error: expected a string for `name` of tier #1, found an integer"),
            "{text}"
        );
        assert!(
            text.contains("= help: put the value in quotes to make it a string"),
            "{text}"
        );
        assert!(
            text.contains("= help: write a list, even of one entry: `[ \"crypto/\" ]`"),
            "{text}"
        );
    }
}
