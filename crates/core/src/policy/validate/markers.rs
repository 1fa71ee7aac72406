//! `markers:` (what marks a commit as AI-assisted without a declaration).

use super::Validator;
use crate::policy::diagnostic::Diagnostic;
use crate::policy::node::{Node, SNode};
use crate::policy::{ExtraMarker, MarkerField, Markers, ProseLevel, DEFAULT_NOTES_REF};
use crate::rules::signatures::Version;

pub(super) const MARKERS_KEYS: &[&str] = &["builtin", "extra", "notes", "prose"];
pub(super) const EXTRA_KEYS: &[&str] = &["field", "regex"];

impl Validator<'_> {
    pub(super) fn markers(&mut self, node: Option<&SNode>) -> Option<Markers> {
        let mut out = Markers {
            builtin: true,
            pinned: None,
            extra: Vec::new(),
            notes: Some(DEFAULT_NOTES_REF.to_owned()),
            prose: ProseLevel::Warn,
        };
        let Some(node) = node else { return Some(out) };
        let fields = self.mapping(node, "`markers`", MARKERS_KEYS)?;
        let mut ok = true;
        if let Some(n) = fields.get("builtin") {
            match self.builtin(n) {
                Some((b, pinned)) => (out.builtin, out.pinned) = (b, pinned),
                None => ok = false,
            }
        }
        if let Some(n) = fields.get("extra") {
            match self.list(n, "`markers.extra`") {
                Some(items) => {
                    for item in items {
                        match self.extra_marker(item) {
                            Some(m) => out.extra.push(m),
                            None => ok = false,
                        }
                    }
                }
                None => ok = false,
            }
        }
        if let Some(n) = fields.get("notes") {
            match self.notes_ref(n) {
                Some(r) => out.notes = r,
                None => ok = false,
            }
        }
        if let Some(n) = fields.get("prose") {
            match self.choice(n, "`markers.prose`", &["warn", "error", "off"]) {
                Some(i) => out.prose = [ProseLevel::Warn, ProseLevel::Error, ProseLevel::Off][i],
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// `markers.builtin`: `true` (the latest signatures), `false` (none) or
    /// a database version to pin (`2026.11`).
    fn builtin(&mut self, node: &SNode) -> Option<(bool, Option<Version>)> {
        // YAML reads `2026.11` as a number (and `2026.10` as 2026.1): the
        // version is taken as written in the file, quoted or not.
        let written = match &node.value {
            Node::Bool(b) => return Some((*b, None)),
            Node::Str(s) if s.contains(|c: char| c.is_ascii_digit()) => s.trim().to_owned(),
            Node::Float | Node::Int(_) => {
                let span = self.span(node);
                self.src.text.get(span).unwrap_or("").trim().to_owned()
            }
            _ => {
                self.wrong_type(node, "`markers.builtin`", "`true`, `false` or a version");
                return None;
            }
        };
        if let Some(v) = Version::parse(&written) {
            return Some((true, Some(v)));
        }
        let known: Vec<String> = Version::known().map(|v| v.to_string()).collect();
        self.push(
            Diagnostic::error(format!(
                "unknown signature database version `{written}` for `markers.builtin`"
            ))
            .at(self.span(node))
            .label(format!("this tiergate knows {}", known.join(", ")))
            .help("pin a version this tiergate knows (`tiergate markers` lists them), or upgrade tiergate"),
        );
        None
    }

    /// `markers.notes`: `false`, an empty string (off) or a notes ref,
    /// expanded as git's `expand_notes_ref` (notes.c) expands `--ref`:
    /// `refs/notes/X` as is, `notes/X` under `refs/`, anything else under
    /// `refs/notes/`.
    fn notes_ref(&mut self, node: &SNode) -> Option<Option<String>> {
        let text = match &node.value {
            Node::Bool(false) | Node::Null => return Some(None),
            Node::Str(s) => s.trim().to_owned(),
            _ => {
                self.wrong_type(node, "`markers.notes`", "a notes ref or `false`");
                return None;
            }
        };
        if text.is_empty() {
            return Some(None);
        }
        let full = if text.starts_with("refs/notes/") {
            text.clone()
        } else if text.starts_with("notes/") {
            format!("refs/{text}")
        } else {
            format!("refs/notes/{text}")
        };
        // The ref is handed to git: only what `git check-ref-format`
        // accepts, and nothing git could read as an option or a revision
        // expression.
        let bad = full
            .split('/')
            .any(|c| c.is_empty() || c.starts_with('.') || c.ends_with(".lock"))
            || full.contains("..")
            || full.contains("@{")
            || full.ends_with('.')
            || full
                .bytes()
                .any(|b| b <= b' ' || b == 0x7f || b"~^:?*[\\".contains(&b));
        if bad {
            self.push(
                Diagnostic::error(format!("invalid notes ref `{text}` for `markers.notes`"))
                    .at(self.span(node))
                    .label("expected a ref name git accepts, e.g. `refs/notes/ai`")
                    .help("write `markers.notes: refs/notes/ai`, or `false` to not read notes"),
            );
            return None;
        }
        Some(Some(full))
    }

    pub(super) fn extra_marker(&mut self, node: &SNode) -> Option<ExtraMarker> {
        let fields = self.mapping(node, "a `markers.extra` entry", EXTRA_KEYS)?;
        let field = match fields.get("field") {
            Some(n) => self
                .choice(
                    n,
                    "`field` of a marker",
                    &["message", "author", "committer"],
                )
                .map(|i| {
                    [
                        MarkerField::Message,
                        MarkerField::Author,
                        MarkerField::Committer,
                    ][i]
                }),
            None => {
                self.push(
                    Diagnostic::error("marker has no `field`")
                        .at(self.span(node))
                        .label("expected `field: message`, `author` or `committer`")
                        .help("write e.g. `{ field: message, regex: '(?i)generated by chatgpt' }`"),
                );
                None
            }
        };
        let regex = match fields.get("regex") {
            Some(n) => self.regex(n, "`regex` of a marker"),
            None => {
                self.push(
                    Diagnostic::error("marker has no `regex`")
                        .at(self.span(node))
                        .label("expected `regex: ...`")
                        .help("write e.g. `{ field: message, regex: '(?i)generated by chatgpt' }`"),
                );
                None
            }
        };
        Some(ExtraMarker {
            field: field?,
            regex: regex?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{err, TIERS};

    #[test]
    fn notes_and_prose() {
        use crate::policy::{ProseLevel, DEFAULT_NOTES_REF};
        let load = |markers: &str| {
            crate::policy::from_yaml(
                format!("version: 1\n{TIERS}markers:\n{markers}").as_bytes(),
                "policy.yaml",
            )
        };
        let p = load("  builtin: true\n").expect("loads");
        assert_eq!(p.markers.notes.as_deref(), Some(DEFAULT_NOTES_REF));
        assert_eq!(p.markers.prose, ProseLevel::Warn);
        for (value, want) in [
            ("false", None),
            ("''", None),
            ("ai", Some("refs/notes/ai")),
            ("notes/x", Some("refs/notes/x")),
            ("refs/notes/agents/y", Some("refs/notes/agents/y")),
        ] {
            let p = load(&format!("  notes: {value}\n")).expect(value);
            assert_eq!(p.markers.notes.as_deref(), want, "{value}");
        }
        for (value, want) in [
            ("warn", ProseLevel::Warn),
            ("error", ProseLevel::Error),
            ("off", ProseLevel::Off),
        ] {
            assert_eq!(
                load(&format!("  prose: {value}\n"))
                    .expect(value)
                    .markers
                    .prose,
                want
            );
        }
        let text = err(&format!(
            "version: 1\n{TIERS}markers:\n  notes: 'a..b'\n  prose: loud\n"
        ));
        assert!(
            text.contains("invalid notes ref `a..b` for `markers.notes`"),
            "{text}"
        );
        assert!(
            text.contains("invalid value `loud` for `markers.prose`"),
            "{text}"
        );
    }

    #[test]
    fn markers_need_field_and_regex() {
        let text = err(&format!(
            "version: 1\n{TIERS}markers:\n  extra:\n    - {{ field: body, regex: x }}\n    - {{ regex: x }}\n    - {{ field: author }}\n"
        ));
        assert!(
            text.contains("invalid value `body` for `field` of a marker"),
            "{text}"
        );
        assert!(
            text.contains("expected one of: message, author, committer"),
            "{text}"
        );
        assert!(
            text.contains("error: marker has no `field`\n --> policy.yaml:8:7"),
            "{text}"
        );
        assert!(
            text.contains("error: marker has no `regex`\n --> policy.yaml:9:7"),
            "{text}"
        );
    }
}

#[cfg(test)]
mod builtin_tests {
    use super::super::tests::{err, TIERS};
    use crate::policy::from_yaml;

    fn markers(builtin: &str) -> crate::policy::Markers {
        let text = format!("version: 1\n{TIERS}markers:\n  builtin: {builtin}\n");
        match from_yaml(text.as_bytes(), "policy.yaml") {
            Ok(p) => p.markers,
            Err(e) => panic!("{builtin}: {e:?}"),
        }
    }

    #[test]
    fn builtin_is_a_boolean_or_a_version() {
        let m = markers("true");
        assert!(m.builtin && m.pinned.is_none());
        assert_eq!(m.version().as_str(), "2026.12");
        let m = markers("false");
        assert!(!m.builtin && m.pinned.is_none());
        // Unquoted, YAML reads a number; the version is taken as written.
        for written in ["2026.11", "'2026.11'", "\"2026.11\""] {
            let m = markers(written);
            assert!(m.builtin, "{written}");
            assert_eq!(m.version().as_str(), "2026.11", "{written}");
        }
        assert_eq!(markers("2026.12").version().as_str(), "2026.12");
    }

    #[test]
    fn unknown_versions_are_refused() {
        for (written, shown) in [
            ("2027.01", "2027.01"),
            ("2026.1", "2026.1"),
            ("'9'", "9"),
            ("2026", "2026"),
        ] {
            let text = err(&format!(
                "version: 1\n{TIERS}markers:\n  builtin: {written}\n"
            ));
            assert!(
                text.contains(&format!(
                    "error: unknown signature database version `{shown}` for `markers.builtin`\n --> policy.yaml:6:12"
                )),
                "{text}"
            );
            assert!(
                text.contains("this tiergate knows 2026.11, 2026.12"),
                "{text}"
            );
        }
        let text = err(&format!("version: 1\n{TIERS}markers:\n  builtin: [ 1 ]\n"));
        assert!(
            text.contains(
                "expected `true`, `false` or a version for `markers.builtin`, found a list"
            ),
            "{text}"
        );
    }
}
