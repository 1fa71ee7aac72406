//! `tiers:` and `default_tier:`.

use super::reader::{suggest, Fields};
use super::Validator;
use crate::policy::diagnostic::{show, Diagnostic};
use crate::policy::node::{Node, SNode};
use crate::policy::{AiRule, Pattern, Tier};
use std::ops::Range;

const TIER_KEYS: &[&str] = &["name", "paths", "except", "ai", "require"];

impl Validator<'_> {
    /// Whether the valid `patterns` of one tier's `key` (`paths` or
    /// `except`) also compile together, as the classifier builds them: one
    /// matcher per list. Each pattern can be fine on its own while the
    /// whole set is too big (e.g. 100,000 `*`), which would otherwise pass
    /// validation and fail when a commit is judged. Reports at the pattern
    /// that is too big on its own, else at the list.
    pub(super) fn pattern_set(
        &mut self,
        patterns: &[Pattern],
        node: Option<&SNode>,
        key: &str,
        what: &str,
    ) -> bool {
        if self.matchers == crate::policy::Matchers::Deferred {
            return true;
        }
        let Err(err) = crate::classify::check_set(patterns.iter().map(|p| p.text.as_str())) else {
            return true;
        };
        let Some(node) = node else { return false };
        let items = match &node.value {
            Node::Seq(items) => items.as_slice(),
            _ => &[],
        };
        let culprit = items.iter().find(|item| match &item.value {
            Node::Str(text) => crate::classify::check_set([text.as_str()]).is_err(),
            _ => false,
        });
        let span = self.span(culprit.unwrap_or(node));
        let (message, label) = match culprit {
            Some(_) => (
                format!("path pattern in `{key}` of {what} is too complex"),
                "this pattern does not compile into a matcher",
            ),
            None => (
                format!("the `{key}` patterns of {what} are too complex together"),
                "these patterns do not compile into one matcher",
            ),
        };
        self.push(
            Diagnostic::error(message)
                .at(span)
                .label(label)
                .note(format!("the glob matcher says: {}", err.kind()))
                .help("simplify the patterns: fewer `*` and `?` in a row, fewer or shorter alternatives"),
        );
        false
    }

    /// The tiers; `names` receives the valid, distinct tier names seen.
    pub(super) fn tiers(
        &mut self,
        fields: &Fields<'_>,
        start: &Range<usize>,
        names: &mut Vec<(String, Range<usize>)>,
    ) -> Option<Vec<Tier>> {
        let Some(node) = fields.get("tiers") else {
            if fields.was_suggested("tiers") {
                return None;
            }
            self.push(
                Diagnostic::error("missing required key `tiers` in policy")
                    .at(start.clone())
                    .help("add a `tiers:` list, e.g. `tiers: [ { name: open, paths: [ \"docs/\" ], ai: allowed } ]`; `tiergate policy init` prints a starter policy"),
            );
            return None;
        };
        let items = self.list(node, "`tiers`")?;
        if items.is_empty() {
            self.push(
                Diagnostic::error("empty tier list")
                    .at(self.span(node))
                    .label("expected at least one tier")
                    .help("list tiers as `- name: ...` entries with `paths:` and `ai:`"),
            );
            return None;
        }
        let mut tiers = Vec::new();
        let mut ok = true;
        for (index, item) in items.iter().enumerate() {
            match self.tier(item, index, names) {
                Some(t) => tiers.push(t),
                None => ok = false,
            }
        }
        ok.then_some(tiers)
    }

    pub(super) fn tier(
        &mut self,
        node: &SNode,
        index: usize,
        names: &mut Vec<(String, Range<usize>)>,
    ) -> Option<Tier> {
        // Name the tier in messages about its keys when it has a usable name.
        let mut what = match &node.value {
            Node::Map(entries) => entries
                .iter()
                .find_map(|(k, v)| match (&k.value, &v.value) {
                    (Node::Str(k), Node::Str(name)) if k == "name" && !name.trim().is_empty() => {
                        Some(format!("tier {}", show(name)))
                    }
                    _ => None,
                }),
            _ => None,
        }
        .unwrap_or_else(|| format!("tier #{}", index + 1));
        let fields = self.mapping(node, &what, TIER_KEYS)?;
        let name = match fields.get("name") {
            Some(n) => {
                let name = self.non_empty_string(n, &format!("`name` of {what}"));
                if let Some(name) = &name {
                    what = format!("tier {}", show(name));
                    let span = self.span(n);
                    if let Some((_, first)) = names.iter().find(|(other, _)| other == name) {
                        let first = first.clone();
                        let line = self.line_of(first.start);
                        self.push(
                            Diagnostic::error(format!("duplicate tier name {}", show(name)))
                                .at(span)
                                .label("second tier with this name")
                                .context(first, "first defined here")
                                .note(format!(
                                    "tier {} is first defined on line {line}",
                                    show(name)
                                ))
                                .help("give each tier a unique name"),
                        );
                        return None;
                    }
                    names.push((name.clone(), span));
                }
                name
            }
            None if fields.was_suggested("name") => None,
            None => {
                self.push(
                    Diagnostic::error(format!("{what} has no `name`"))
                        .at(self.span(node))
                        .label("expected `name: ...`")
                        .help("name every tier, e.g. `name: critical`"),
                );
                None
            }
        };
        let paths = match fields.get("paths") {
            Some(n) => {
                let patterns = self.patterns(n, &format!("`paths` of {what}"));
                if matches!(&patterns, Some(p) if p.is_empty()) {
                    self.push(
                        Diagnostic::error(format!("{what} has no paths"))
                            .at(self.span(n))
                            .label("expected at least one pattern")
                            .help("list the files of the tier, e.g. `paths: [ \"crypto/\", \"**/*.S\" ]`"),
                    );
                    None
                } else {
                    patterns
                }
            }
            None if fields.was_suggested("paths") => None,
            None => {
                self.push(
                    Diagnostic::error(format!("{what} has no paths"))
                        .at(self.span(node))
                        .label("expected `paths: [ ... ]`")
                        .help(
                            "list the files of the tier, e.g. `paths: [ \"crypto/\", \"**/*.S\" ]`",
                        ),
                );
                None
            }
        };
        let except = match fields.get("except") {
            Some(n) => self.patterns(n, &format!("`except` of {what}")),
            None => Some(Vec::new()),
        };
        let ai = match fields.get("ai") {
            Some(n) => self
                .choice(n, &format!("`ai` of {what}"), &["forbidden", "allowed"])
                .map(|i| [AiRule::Forbidden, AiRule::Allowed][i]),
            None => Some(AiRule::Allowed),
        };
        let require = match fields.get("require") {
            Some(n) => {
                let rwhat = format!("`require` of {what}");
                match self.list(n, &rwhat) {
                    Some(items) => {
                        let mut keys = Vec::new();
                        let mut ok = true;
                        for item in items {
                            match self.requirement(item, &rwhat) {
                                Some(k) => keys.push(k),
                                None => ok = false,
                            }
                        }
                        ok.then_some(keys)
                    }
                    None => None,
                }
            }
            None => Some(Vec::new()),
        };
        let (require, require_stages): (Option<Vec<String>>, Option<Vec<_>>) = match require {
            Some(entries) => {
                let (keys, stages) = entries.into_iter().unzip();
                (Some(keys), Some(stages))
            }
            None => (None, None),
        };
        let paths = paths.filter(|p| self.pattern_set(p, fields.get("paths"), "paths", &what));
        let except = except.filter(|p| self.pattern_set(p, fields.get("except"), "except", &what));
        Some(Tier {
            name: name?,
            paths: paths?,
            except: except?,
            ai: ai?,
            require: require?,
            require_stages: require_stages?,
        })
    }

    pub(super) fn default_tier(
        &mut self,
        node: Option<&SNode>,
        tiers: &[(String, Range<usize>)],
    ) -> Option<usize> {
        let Some(node) = node else {
            return tiers.len().checked_sub(1);
        };
        let name = self.string(node, "`default_tier`")?;
        if let Some(i) = tiers.iter().position(|(t, _)| *t == name) {
            return Some(i);
        }
        if tiers.is_empty() {
            // No tier has a usable name: that is reported already.
            return None;
        }
        let names: Vec<&str> = tiers.iter().map(|(t, _)| t.as_str()).collect();
        let d = Diagnostic::error(format!("unknown default tier {}", show(&name)))
            .at(self.span(node))
            .label(format!("expected one of: {}", names.join(", ")));
        let d = match suggest(&name, &names) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help("`default_tier` names one of the tiers listed under `tiers`"),
        };
        self.push(d);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{err, err_n};
    use crate::policy::{from_yaml, LoadError};

    #[test]
    fn deferred_matchers_still_check_each_pattern() {
        use crate::policy::{from_yaml_with, Matchers};
        let stars = "*".repeat(100_000);
        let too_big = format!("version: 1\ntiers:\n  - name: a\n    paths: [ \"{stars}\" ]\n");
        // Deferred: loads; the classifier is where it fails.
        let policy =
            from_yaml_with(too_big.as_bytes(), "policy.yaml", Matchers::Deferred).expect("loads");
        assert!(crate::classify::Classifier::new(&policy, None).is_err());
        assert!(from_yaml_with(too_big.as_bytes(), "policy.yaml", Matchers::Checked).is_err());
        // A pattern that is not a glob is refused either way.
        let bad = b"version: 1\ntiers:\n  - name: a\n    paths: [ \"a/[b\" ]\n";
        for matchers in [Matchers::Deferred, Matchers::Checked] {
            match from_yaml_with(bad, "policy.yaml", matchers) {
                Err(LoadError::Invalid { rendered, .. }) => {
                    assert!(rendered.contains("invalid path pattern"), "{rendered}")
                }
                other => panic!("{matchers:?}: {other:?}"),
            }
        }
    }

    /// Sizes for `pattern_sets_too_big_for_the_matcher`.
    const TOGETHER: usize = 400;
    const PER: usize = 200;

    #[test]
    fn pattern_sets_too_big_for_the_matcher() {
        // One glob of 100,000 `*` compiles on its own but not into the
        // tier's matcher: reported at the pattern, not at judge time.
        let stars = "*".repeat(100_000);
        let (text, count) = err_n(
            format!(
                "version: 1\ntiers:\n  - name: a\n    paths: [ docs/, \"{stars}\" ]\n  - name: b\n    paths: [ src/ ]\n    except: [ \"{stars}\" ]\n"
            )
            .as_bytes(),
        );
        assert_eq!(count, 2, "{text}");
        assert!(
            text.contains(
                "error: path pattern in `paths` of tier `a` is too complex\n --> policy.yaml:4:21"
            ),
            "{}",
            &text[..text.len().min(2000)]
        );
        assert!(
            text.contains(
                "error: path pattern in `except` of tier `b` is too complex\n --> policy.yaml:7:15"
            ),
            "{}",
            &text[..text.len().min(2000)]
        );
        assert!(
            text.contains("= note: the glob matcher says: "),
            "{}",
            &text[..2000]
        );
        // Patterns that compile one by one but not together: at the list.
        let many: Vec<String> = (0..TOGETHER)
            .map(|i| format!("\"d{i}/{}\"", "?*".repeat(PER)))
            .collect();
        let yaml = format!(
            "version: 1\ntiers:\n  - name: big\n    paths: [ {} ]\n",
            many.join(", ")
        );
        let (text, count) = err_n(yaml.as_bytes());
        assert_eq!(count, 1, "{}", &text[..text.len().min(2000)]);
        assert!(
            text.contains("error: the `paths` patterns of tier `big` are too complex together\n --> policy.yaml:4:12"),
            "{}",
            &text[..text.len().min(2000)]
        );
        // Every policy that loads classifies.
        let ok = format!(
            "version: 1\ntiers:\n  - name: a\n    paths: [ \"{}\" ]\n",
            "*".repeat(50)
        );
        let policy = from_yaml(ok.as_bytes(), "p").expect("valid");
        crate::classify::Classifier::new(&policy, None).expect("classifies");
    }

    #[test]
    fn duplicate_tier_name_points_at_second_and_mentions_first() {
        let text = err("version: 1\ntiers:\n  - name: core\n    paths: [ a/ ]\n  - name: core\n    paths: [ b/ ]\n");
        assert_eq!(
            text,
            "\
error: duplicate tier name `core`
 --> policy.yaml:5:11
  |
3 |   - name: core
  |           ---- first defined here
4 |     paths: [ a/ ]
5 |   - name: core
  |           ^^^^ second tier with this name
  |
  = help: give each tier a unique name
  = note: tier `core` is first defined on line 3
"
        );
    }

    #[test]
    fn unknown_default_tier() {
        let text = err("version: 1\ntiers:\n  - name: critical\n    paths: [ a/ ]\n  - name: core\n    paths: [ b/ ]\ndefault_tier: cor\n");
        assert_eq!(
            text,
            "\
error: unknown default tier `cor`
 --> policy.yaml:7:15
  |
7 | default_tier: cor
  |               ^^^ expected one of: critical, core
  |
  = help: did you mean `core`?
"
        );
    }

    #[test]
    fn empty_tier_list_and_tier_without_paths() {
        let text = err("version: 1\ntiers: []\n");
        assert!(
            text.contains("error: empty tier list\n --> policy.yaml:2:8"),
            "{text}"
        );
        let text = err("version: 1\ntiers:\n");
        assert!(
            text.contains("error: empty tier list\n --> policy.yaml:2:"),
            "{text}"
        );
        let text =
            err("version: 1\ntiers:\n  - name: a\n    paths: []\n  - name: b\n    ai: allowed\n");
        assert!(
            text.contains("error: tier `a` has no paths\n --> policy.yaml:4:12"),
            "{text}"
        );
        assert!(
            text.contains("error: tier `b` has no paths\n --> policy.yaml:5:5"),
            "{text}"
        );
        let text = err("version: 1\ntiers:\n  - paths: [ a/ ]\n");
        assert!(text.contains("error: tier #1 has no `name`"), "{text}");
    }
}
