//! `tiers:` and `default_tier:`.

use super::reader::{suggest, Fields};
use super::Validator;
use crate::policy::diagnostic::{show, Diagnostic};
use crate::policy::node::{Node, SNode};
use crate::policy::{AiRule, AnyOf, Mode, Pattern, Stages, Tier};
use std::ops::Range;

/// A tier's `require`, read: the keys, where each applies, and the
/// `any_of` entries.
type Requirements = (Vec<String>, Vec<Stages>, Vec<AnyOf>);

pub(super) const TIER_KEYS: &[&str] = &[
    "name",
    "paths",
    "except",
    "ai",
    "require",
    "forbidden_trailers",
    "mode",
    "follow_includes",
];

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
        let Err(err) = crate::policy::glob::check_set(patterns.iter().map(|p| p.text.as_str()))
        else {
            return true;
        };
        let Some(node) = node else { return false };
        let items = match &node.value {
            Node::Seq(items) => items.as_slice(),
            _ => &[],
        };
        let culprit = items.iter().find(|item| match &item.value {
            Node::Str(text) => crate::policy::glob::check_set([text.as_str()]).is_err(),
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
            Some(n) => self.requirements(n, &what),
            None => Some((Vec::new(), Vec::new(), Vec::new())),
        };
        let forbidden_trailers = match fields.get("forbidden_trailers") {
            Some(n) => {
                let declaration = self.declaration.clone();
                let fwhat = format!("`forbidden_trailers` of {what}");
                self.forbidden_trailers(n, &fwhat, declaration.as_ref())
            }
            None => Some(Vec::new()),
        };
        let mode = match fields.get("mode") {
            Some(n) => self
                .choice(n, &format!("`mode` of {what}"), &["enforce", "warn"])
                .map(|i| [Mode::Enforce, Mode::Warn][i]),
            None => Some(Mode::Enforce),
        };
        let forbidden_trailers = match (&require, forbidden_trailers) {
            (Some((keys, _, any)), Some(forbidden)) => self
                .required_and_forbidden(fields.get("require"), keys, any, &forbidden, &what)
                .then_some(forbidden),
            (_, forbidden) => forbidden,
        };
        let follow_includes = match fields.get("follow_includes") {
            Some(n) => self.boolean(n, &format!("`follow_includes` of {what}")),
            None => Some(false),
        };
        let paths = paths.filter(|p| self.pattern_set(p, fields.get("paths"), "paths", &what));
        let except = except.filter(|p| self.pattern_set(p, fields.get("except"), "except", &what));
        Some(Tier {
            name: name?,
            paths: paths?,
            except: except?,
            ai: ai?,
            require: require.clone()?.0,
            require_stages: require.clone()?.1,
            require_any: require?.2,
            forbidden_trailers: forbidden_trailers?,
            mode: mode?,
            follow_includes: follow_includes?,
        })
    }

    /// A tier's `require`: trailer keys (with the stages where each
    /// applies: a plain key everywhere, `{ trailer: K, stages: [...] }` at
    /// those), and `{ any_of: [A, B] }` entries (at least one of the keys),
    /// side by side.
    fn requirements(&mut self, node: &SNode, what: &str) -> Option<Requirements> {
        let rwhat = format!("`require` of {what}");
        let items = self.list(node, &rwhat)?;
        let mut keys = Vec::new();
        let mut stages = Vec::new();
        let mut any = Vec::new();
        let mut ok = true;
        for item in items {
            let staged = match &item.value {
                Node::Map(entries) => entries.iter().any(
                    |(k, _)| matches!(&k.value, Node::Str(s) if s == "trailer" || s == "stages"),
                ),
                _ => true,
            };
            if staged {
                match self.requirement(item, &rwhat) {
                    Some((k, s)) => {
                        keys.push(k);
                        stages.push(s);
                    }
                    None => ok = false,
                }
                continue;
            }
            let awhat = format!("an entry of {rwhat}");
            let Some(fields) = self.mapping(item, &awhat, &["any_of"]) else {
                ok = false;
                continue;
            };
            let Some(list) = fields.get("any_of") else {
                if !fields.was_suggested("any_of") {
                    self.push(
                        Diagnostic::error(format!("{awhat} has no `any_of`"))
                            .at(self.span(item))
                            .label("expected `{ any_of: [ ... ] }`")
                            .help("write `{ any_of: [ Reviewed-by, Acked-by ] }`: any one of the keys satisfies it"),
                    );
                }
                ok = false;
                continue;
            };
            let lwhat = format!("`any_of` in {rwhat}");
            let Some(entries) = self.list(list, &lwhat) else {
                ok = false;
                continue;
            };
            if entries.is_empty() {
                self.push(
                    Diagnostic::error(format!("empty `any_of` in {rwhat}"))
                        .at(self.span(list))
                        .label("no key could satisfy it")
                        .help("list the keys any one of which is enough, e.g. `any_of: [ Reviewed-by, Acked-by ]`"),
                );
                ok = false;
                continue;
            }
            let mut alternatives = Vec::new();
            for entry in entries {
                match self.trailer_key(entry, &lwhat) {
                    Some(k) => alternatives.push(k),
                    None => ok = false,
                }
            }
            any.push(AnyOf(alternatives));
        }
        ok.then_some((keys, stages, any))
    }

    /// Whether no key a tier requires (alone or as the only way to meet an
    /// `any_of`) is forbidden, by the tier or the whole policy: such a tier
    /// refuses every AI-assisted commit, which `ai: forbidden` says plainly.
    fn required_and_forbidden(
        &mut self,
        node: Option<&SNode>,
        keys: &[String],
        any: &[AnyOf],
        forbidden: &[String],
        what: &str,
    ) -> bool {
        let is_forbidden = |k: &str| {
            forbidden
                .iter()
                .chain(self.forbidden.iter())
                .any(|f| f.eq_ignore_ascii_case(k))
        };
        let clash = keys.iter().find(|k| is_forbidden(k)).cloned().or_else(|| {
            any.iter()
                .find(|a| a.0.iter().all(|k| is_forbidden(k)))
                .and_then(|a| a.0.first().cloned())
        });
        let Some(key) = clash else { return true };
        let span = node.map(|n| self.span(n)).unwrap_or_default();
        self.push(
            Diagnostic::error(format!(
                "{what} requires {} and forbids it",
                show(&key)
            ))
            .at(span)
            .label("required here")
            .help("no commit could meet both: drop the key from `require` or from `forbidden_trailers` (for a tier that refuses AI-assisted commits, write `ai: forbidden`)"),
        );
        false
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

    #[test]
    fn any_of_forbidden_and_mode_of_a_tier() {
        let yaml = "version: 1\ntiers:\n  - name: core\n    paths: [ src/ ]\n    require: [ Tested-by, { any_of: [ Reviewed-by, Acked-by ] } ]\n    forbidden_trailers: [ Change-Id ]\n    mode: warn\n";
        let p = from_yaml(yaml.as_bytes(), "policy.yaml").expect("valid");
        let t = &p.tiers[0];
        assert_eq!(t.require, ["Tested-by"]);
        assert_eq!(
            t.require_any,
            [crate::policy::AnyOf(vec![
                "Reviewed-by".into(),
                "Acked-by".into()
            ])]
        );
        assert_eq!(t.forbidden_trailers, ["Change-Id"]);
        assert_eq!(t.mode, crate::policy::Mode::Warn);
        let (text, count) = err_n(
            b"version: 1\nforbidden_trailers: [ Acked-by ]\ntiers:\n  - name: a\n    paths: [ a/ ]\n    require: [ { any_of: [] }, { anyof: [ X ] } ]\n    mode: loud\n  - name: b\n    paths: [ b/ ]\n    require: [ { any_of: [ Acked-by ] } ]\n  - name: c\n    paths: [ c/ ]\n    require: [ Reviewed-by ]\n    forbidden_trailers: [ reviewed-by, AI-used-for ]\n",
        );
        assert_eq!(count, 5, "{text}");
        for want in [
            "error: empty `any_of` in `require` of tier `a`\n --> policy.yaml:6:26\n",
            "error: unknown key `anyof` in an entry of `require` of tier `a`\n",
            "= help: did you mean `any_of`?\n",
            "error: invalid value `loud` for `mode` of tier `a`\n",
            "error: tier `b` requires `Acked-by` and forbids it\n  --> policy.yaml:10:14\n",
            "error: `AI-used-for` in `forbidden_trailers` of tier `c` is a declaration key\n",
        ] {
            assert!(text.contains(want), "{want}\n---\n{text}");
        }
    }
}
