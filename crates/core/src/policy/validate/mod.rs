//! Phase two of loading: walk the spanned YAML tree, check every key and
//! value, and build the [`Policy`]; every problem becomes a [`Diagnostic`]
//! and all of them are returned together.
//!
//! [`reader`] holds the generic readers of spanned YAML nodes (typed
//! getters, unknown-key checks, "did you mean" suggestions); each other
//! submodule validates one section of the policy.

mod declaration;
mod includes;
mod markers;
mod paths;
mod reader;
mod refs;
pub(super) mod schema_sync;
mod server;
mod signoff;
mod stages;
mod tiers;

use super::diagnostic::{show, Diagnostic, Source};
use super::node::{Node, SNode};
use super::{Mode, Policy};
use reader::Fields;
use std::ops::Range;

const TOP_KEYS: &[&str] = &[
    "version",
    "mode",
    "declaration",
    "markers",
    "tiers",
    "default_tier",
    "signoff",
    "server",
    "paths",
    "forbidden_trailers",
    "refs",
    "stages",
    "exemptions",
    "baseline",
    "includes",
];

/// Validate a parsed policy.
pub(crate) fn validate(
    src: &Source<'_>,
    root: &SNode,
    matchers: super::Matchers,
) -> Result<Policy, Vec<Diagnostic>> {
    let mut v = Validator {
        src,
        diags: Vec::new(),
        matchers,
        declaration: None,
        forbidden: Vec::new(),
    };
    let policy = v.policy(root);
    match policy {
        Some(policy) if v.diags.is_empty() => Ok(policy),
        _ => {
            if v.diags.is_empty() {
                // Defensive: a policy that did not build always has a reason.
                v.diags
                    .push(Diagnostic::error("policy is not valid").at(v.span(root)));
            }
            Err(v.diags)
        }
    }
}

struct Validator<'s> {
    src: &'s Source<'s>,
    diags: Vec<Diagnostic>,
    /// Whether the tiers' patterns are compiled into matchers here (see
    /// [`super::Matchers`]).
    matchers: super::Matchers,
    /// The policy's declaration once read, for the checks of tiers'
    /// `forbidden_trailers` and `require` against it.
    declaration: Option<super::Declaration>,
    /// The policy-wide `forbidden_trailers` once read (a tier may not
    /// require one).
    forbidden: Vec<String>,
}

impl Validator<'_> {
    fn span(&self, node: &SNode) -> Range<usize> {
        self.src.range_of(&node.referenced)
    }

    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.src.text.len());
        self.src.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn policy(&mut self, root: &SNode) -> Option<Policy> {
        let fields = match &root.value {
            Node::Null => {
                self.push(
                    Diagnostic::error("policy is empty")
                        .at(self.span(root))
                        .help("a policy needs at least `version: 1` and a `tiers:` list; `tiergate policy init` prints a documented starter policy"),
                );
                return None;
            }
            Node::Map(_) => self.mapping(root, "policy", TOP_KEYS)?,
            _ => {
                self.push(
                    Diagnostic::error(format!(
                        "expected a mapping at the top of the policy, found {}",
                        root.value.kind()
                    ))
                    .at(self.span(root))
                    .label("expected `version: 1`, `tiers:` and other keys")
                    .help("`tiergate policy init` prints a documented starter policy"),
                );
                return None;
            }
        };
        let start = self.span(root).start..self.span(root).start;

        let version_ok = self.version(&fields, &start);
        let mode = match fields.get("mode") {
            None => Some(Mode::Enforce),
            Some(n) => self
                .choice(n, "`mode`", &["enforce", "warn"])
                .map(|i| [Mode::Enforce, Mode::Warn][i]),
        };
        let declaration = self.declaration(fields.get_some("declaration"));
        let markers = self.markers(fields.get_some("markers"));
        self.declaration = declaration.clone();
        let forbidden_trailers = match fields.get("forbidden_trailers") {
            Some(n) => self.forbidden_trailers(n, "`forbidden_trailers`", declaration.as_ref()),
            None => Some(Vec::new()),
        };
        self.forbidden = forbidden_trailers.clone().unwrap_or_default();
        let refs = self.refs(fields.get_some("refs"));
        let mut names = Vec::new();
        let tiers = self.tiers(&fields, &start, &mut names);
        // Checked against the names even when some tier is invalid; when all
        // tiers are valid, `names` are their names in order.
        let default_tier = self.default_tier(fields.get("default_tier"), &names);
        let signoff = self.signoff(fields.get_some("signoff"));
        let server = self.server(fields.get_some("server"));
        let paths = self.paths(fields.get_some("paths"));
        let rule_stages = self.rule_stages(fields.get_some("stages"));
        let exemptions = self.exemptions(fields.get_some("exemptions"));
        let baseline = self.baseline(fields.get_some("baseline"));
        let includes = self.includes(fields.get_some("includes"));

        let policy = Policy {
            source: self.src.name.to_owned(),
            mode: mode?,
            declaration: declaration?,
            markers: markers?,
            tiers: tiers?,
            default_tier: default_tier?,
            signoff: signoff?,
            server: server?,
            paths: paths?,
            forbidden_trailers: forbidden_trailers?,
            refs: refs?,
            rule_stages: rule_stages?,
            exemptions: exemptions?,
            baseline: baseline?,
            includes: includes?,
        };
        (version_ok && self.classifies(&policy, &fields, &start)).then_some(policy)
    }

    /// Whether the classifier compiles for `policy`, as every command
    /// builds it: besides each tier's `paths` and `except` (checked with
    /// the tier), the directories its patterns protect and, with
    /// `paths.lookalikes`, the case-insensitive copy. So a policy that
    /// loads always classifies.
    fn classifies(&mut self, policy: &Policy, fields: &Fields<'_>, start: &Range<usize>) -> bool {
        if self.matchers == super::Matchers::Deferred {
            return true;
        }
        let Err(err) = crate::policy::glob::compiles(policy) else {
            return true;
        };
        let at = if err.case_insensitive {
            fields
                .get("paths")
                .map(|n| self.span(n))
                .unwrap_or_else(|| start.clone())
        } else {
            fields
                .get("tiers")
                .map(|n| self.span(n))
                .unwrap_or_else(|| start.clone())
        };
        let part = if err.case_insensitive {
            format!("case-insensitive {}", err.part)
        } else {
            err.part.to_owned()
        };
        let what = if err.tier.is_empty() {
            format!("the {part} patterns of all tiers do not compile into one matcher")
        } else if err.pattern.is_empty() {
            format!(
                "the {part} patterns of tier `{}` do not compile into one matcher",
                err.tier
            )
        } else {
            format!(
                "pattern {} of tier `{}` does not compile into a matcher ({part})",
                show(&err.pattern),
                err.tier,
            )
        };
        let d = Diagnostic::error(what)
            .at(at)
            .note(format!("the glob matcher says: {}", err.source.kind()));
        let d = if err.case_insensitive {
            d.help("simplify the tier's patterns, or turn `paths.lookalikes` off")
        } else {
            d.help(
                "simplify the patterns: fewer `*` and `?` in a row, fewer or shorter alternatives",
            )
        };
        self.push(d);
        false
    }

    fn version(&mut self, fields: &Fields<'_>, start: &Range<usize>) -> bool {
        let Some(node) = fields.get("version") else {
            if fields.was_suggested("version") {
                return false;
            }
            self.push(
                Diagnostic::error("missing required key `version` in policy")
                    .at(start.clone())
                    .help("add `version: 1` at the top of the policy"),
            );
            return false;
        };
        match &node.value {
            Node::Int(1) => true,
            Node::Int(n) => {
                self.push(
                    Diagnostic::error(format!("unsupported policy version `{n}`"))
                        .at(self.span(node))
                        .label("expected 1")
                        .help("this tiergate reads version 1 policies; write `version: 1`"),
                );
                false
            }
            Node::Str(s) if s.trim() == "1" => {
                self.push(
                    Diagnostic::error("expected the integer 1 for `version`, found a string")
                        .at(self.span(node))
                        .label("expected 1")
                        .help("remove the quotes: `version: 1`"),
                );
                false
            }
            _ => {
                self.push(
                    Diagnostic::error(format!(
                        "expected the integer 1 for `version`, found {}",
                        node.value.kind()
                    ))
                    .at(self.span(node))
                    .label("expected 1")
                    .help("write `version: 1`"),
                );
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::{from_yaml, LoadError, STARTER};

    /// The rendered diagnostics and count of an invalid policy.
    pub(super) fn err_n(yaml: &[u8]) -> (String, usize) {
        match from_yaml(yaml, "policy.yaml") {
            Ok(_) => panic!(
                "policy unexpectedly valid:\n{}",
                String::from_utf8_lossy(yaml)
            ),
            Err(LoadError::Invalid {
                rendered,
                count,
                source_name,
            }) => {
                assert_eq!(source_name, "policy.yaml");
                (rendered, count)
            }
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    pub(super) fn err(yaml: &str) -> String {
        err_n(yaml.as_bytes()).0
    }

    /// Size for `lookalike_matcher_too_big`.
    const LITERALS: usize = 6_000;

    /// A valid tier list to complete policies under test.
    pub(super) const TIERS: &str = "tiers:\n  - name: open\n    paths: [ \"docs/\" ]\n";

    #[test]
    fn lookalike_matcher_too_big() {
        // Literal patterns need no automaton when matched as bytes (a hash
        // set), but the case-insensitive copy is one: many of them load
        // without `paths.lookalikes` and are refused, at the key, with it.
        let many: Vec<String> = (0..LITERALS)
            .map(|i| format!("\"src/module{i}/implementation_of_feature_{i}.c\""))
            .collect();
        let tiers = format!(
            "tiers:\n  - name: big\n    paths: [ {} ]\n",
            many.join(", ")
        );
        let off = format!("version: 1\n{tiers}paths: {{ lookalikes: false }}\n");
        let policy = from_yaml(off.as_bytes(), "policy.yaml").expect("loads without lookalikes");
        crate::classify::Classifier::new(&policy, None).expect("classifies");
        let (text, count) =
            err_n(format!("version: 1\n{tiers}paths: {{ lookalikes: true }}\n").as_bytes());
        assert_eq!(count, 1, "{}", &text[..text.len().min(2000)]);
        assert!(
            text.starts_with("error: the case-insensitive paths patterns of tier `big` do not compile into one matcher\n --> policy.yaml:5:8"),
            "{}",
            &text[..text.len().min(2000)]
        );
        assert!(
            text.contains("= help: simplify the tier's patterns, or turn `paths.lookalikes` off"),
            "{}",
            &text[..text.len().min(2000)]
        );
    }

    #[test]
    fn versions() {
        let text = err(&format!("version: 2\n{TIERS}"));
        assert!(
            text.contains("error: unsupported policy version `2`\n --> policy.yaml:1:10"),
            "{text}"
        );
        let text = err(&format!("version: \"1\"\n{TIERS}"));
        assert!(
            text.contains("= help: remove the quotes: `version: 1`"),
            "{text}"
        );
        let text = err(TIERS);
        assert!(
            text.contains("error: missing required key `version` in policy\n --> policy.yaml:1:1"),
            "{text}"
        );
    }

    #[test]
    fn yaml_syntax_error() {
        let text = err("version: 1\ntiers:\n  - name: a\n    paths: [a/\n");
        assert!(text.starts_with("error: invalid YAML: "), "{text}");
        assert!(text.contains(" --> policy.yaml:4:"), "{text}");
        let text = err("version: 1\n\tbad: tab\n");
        assert!(text.starts_with("error: invalid YAML: "), "{text}");
        let text = err("--- a\n--- b\n");
        assert!(text.starts_with("error: invalid YAML: "), "{text}");
    }

    #[test]
    fn not_a_mapping() {
        let text = err("");
        assert!(
            text.starts_with("error: policy is empty\n --> policy.yaml:1:1"),
            "{text}"
        );
        let text = err("# just a comment\n");
        assert!(text.starts_with("error: policy is empty"), "{text}");
        let text = err("- version: 1\n");
        assert!(
            text.starts_with("error: expected a mapping at the top of the policy, found a list"),
            "{text}"
        );
        let text = err("{ 1: a }\n");
        assert!(
            text.contains("expected a string key in policy, found an integer"),
            "{text}"
        );
    }

    #[test]
    fn non_utf8_is_a_diagnostic() {
        let (text, count) = err_n(b"version: 1\ntiers: \xff\xfe\n");
        assert_eq!(count, 1);
        assert_eq!(
            text,
            "\
error: policy is not valid UTF-8
 --> policy.yaml:2:8
  |
2 | tiers: \u{fffd}\u{fffd}
  |        ^ invalid byte here
  |
  = help: save the policy as UTF-8
"
        );
    }

    #[test]
    fn all_problems_are_accumulated() {
        let (text, count) = err_n(
            b"version: 3\nmode: loud\ntiers:\n  - name: a\n    paths: [ \"[\" ]\n    ai: maybe\n  - name: a\n    paths: [ b/ ]\ndefault_tier: zzz\nextra: 1\n",
        );
        assert_eq!(count, 7, "{text}");
        assert!(
            text.ends_with("error: 7 problems in policy.yaml\n"),
            "{text}"
        );
        // In source order.
        let lines: Vec<usize> = text
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("--> policy.yaml:"))
            .filter_map(|l| l.split(':').next()?.parse().ok())
            .collect();
        assert_eq!(lines, vec![1, 2, 5, 6, 7, 9, 10], "{text}");
    }

    #[test]
    fn never_panics_on_mangled_input() {
        // Deterministic xorshift: truncations, byte flips and splices of
        // the starter policy, plus random bytes.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let base = STARTER.as_bytes();
        for cut in (0..base.len()).step_by(7) {
            let _ = from_yaml(&base[..cut], "p");
        }
        let specials = b"[]{}:-,#&*!|>'\"%@`\n\t \\?\xff\x00";
        for _ in 0..1500 {
            let mut bytes = base.to_vec();
            for _ in 0..(next() % 6 + 1) {
                let at = (next() as usize) % bytes.len();
                let b = specials[(next() as usize) % specials.len()];
                match next() % 3 {
                    0 => bytes[at] = b,
                    1 => bytes.insert(at, b),
                    _ => {
                        bytes.remove(at);
                    }
                }
            }
            let _ = from_yaml(&bytes, "p");
        }
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let _ = from_yaml(&bytes, "p");
        }
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let _ = from_yaml(deep.as_bytes(), "p");
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
        let _ = from_yaml(bomb.as_bytes(), "p");
    }
}
