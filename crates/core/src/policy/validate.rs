//! Phase two of loading: walk the spanned YAML tree, check every key and
//! value, and build the [`Policy`]; every problem becomes a [`Diagnostic`]
//! and all of them are returned together.

use super::diagnostic::{show, Diagnostic, Source};
use super::node::{Node, SNode};
use super::{
    build_glob, AiRule, Declaration, ExtraMarker, MarkerField, Markers, Mode, OnError, Override,
    PathSettings, Pattern, Policy, ReplaceRefs, Server, Signoff, Tier, DEFAULT_ALIASES,
    DEFAULT_DECLARATION_KEY, DEFAULT_PUSH_OPTION,
};
use regex::Regex;
use std::ops::Range;
use std::path::PathBuf;

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
];
const DECLARATION_KEYS: &[&str] = &["key", "aliases", "value", "forbid_ai_signoff"];
const MARKERS_KEYS: &[&str] = &["builtin", "extra"];
const EXTRA_KEYS: &[&str] = &["field", "regex"];
const TIER_KEYS: &[&str] = &["name", "paths", "except", "ai", "require"];
const SIGNOFF_KEYS: &[&str] = &["required"];
const SERVER_KEYS: &[&str] = &[
    "on_error",
    "override",
    "audit_log",
    "timeout",
    "replace_refs",
];
const OVERRIDE_KEYS: &[&str] = &["push_option", "users"];
const PATHS_KEYS: &[&str] = &["lookalikes"];

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

/// The known keys of one mapping, each with its key node and value node
/// (first occurrence only; repeats were reported).
struct Fields<'n> {
    entries: Vec<(&'static str, &'n SNode, &'n SNode)>,
    /// Keys offered as "did you mean" for an unknown key: a missing
    /// required key that was suggested is not reported a second time.
    suggested: Vec<&'static str>,
}

impl<'n> Fields<'n> {
    fn get(&self, key: &str) -> Option<&'n SNode> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, value)| *value)
    }
    /// Like `get`, but an explicit null counts as absent.
    fn get_some(&self, key: &str) -> Option<&'n SNode> {
        self.get(key).filter(|n| !matches!(n.value, Node::Null))
    }
    /// Whether `key` was suggested for a misspelt key of this mapping.
    fn was_suggested(&self, key: &str) -> bool {
        self.suggested.contains(&key)
    }
}

struct Validator<'s> {
    src: &'s Source<'s>,
    diags: Vec<Diagnostic>,
    /// Whether the tiers' patterns are compiled into matchers here (see
    /// [`super::Matchers`]).
    matchers: super::Matchers,
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

    /// A "wrong type" diagnostic: `what` expected, `node` found.
    fn wrong_type(&mut self, node: &SNode, what: &str, expected: &str) {
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
    fn mapping<'n>(
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

    fn string(&mut self, node: &SNode, what: &str) -> Option<String> {
        match &node.value {
            Node::Str(s) => Some(s.clone()),
            _ => {
                self.wrong_type(node, what, "a string");
                None
            }
        }
    }

    fn non_empty_string(&mut self, node: &SNode, what: &str) -> Option<String> {
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

    fn boolean(&mut self, node: &SNode, what: &str) -> Option<bool> {
        match &node.value {
            Node::Bool(b) => Some(*b),
            _ => {
                self.wrong_type(node, what, "`true` or `false`");
                None
            }
        }
    }

    /// A list; an explicit null is an empty list.
    fn list<'n>(&mut self, node: &'n SNode, what: &str) -> Option<&'n [SNode]> {
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
    fn choice(&mut self, node: &SNode, what: &str, choices: &[&'static str]) -> Option<usize> {
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

    fn regex(&mut self, node: &SNode, what: &str) -> Option<Regex> {
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
    fn trailer_key(&mut self, node: &SNode, what: &str) -> Option<String> {
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

    fn pattern(&mut self, node: &SNode, what: &str) -> Option<Pattern> {
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

    fn patterns(&mut self, node: &SNode, what: &str) -> Option<Vec<Pattern>> {
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

    /// Whether the valid `patterns` of one tier's `key` (`paths` or
    /// `except`) also compile together, as the classifier builds them: one
    /// matcher per list. Each pattern can be fine on its own while the
    /// whole set is too big (e.g. 100,000 `*`), which would otherwise pass
    /// validation and fail when a commit is judged. Reports at the pattern
    /// that is too big on its own, else at the list.
    fn pattern_set(
        &mut self,
        patterns: &[Pattern],
        node: Option<&SNode>,
        key: &str,
        what: &str,
    ) -> bool {
        if self.matchers == super::Matchers::Deferred {
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

    // ---- the sections -------------------------------------------------

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
        let mut names = Vec::new();
        let tiers = self.tiers(&fields, &start, &mut names);
        // Checked against the names even when some tier is invalid; when all
        // tiers are valid, `names` are their names in order.
        let default_tier = self.default_tier(fields.get("default_tier"), &names);
        let signoff = self.signoff(fields.get_some("signoff"));
        let server = self.server(fields.get_some("server"));
        let paths = self.paths(fields.get_some("paths"));

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
        let Err(err) = crate::classify::Classifier::new(policy, None) else {
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

    /// `paths:` (how changed paths are compared with the tiers).
    fn paths(&mut self, node: Option<&SNode>) -> Option<PathSettings> {
        let Some(node) = node else {
            return Some(PathSettings::default());
        };
        let fields = self.mapping(node, "`paths`", PATHS_KEYS)?;
        match fields.get("lookalikes") {
            Some(n) => self
                .boolean(n, "`paths.lookalikes`")
                .map(|lookalikes| PathSettings { lookalikes }),
            None => Some(PathSettings::default()),
        }
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

    fn declaration(&mut self, node: Option<&SNode>) -> Option<Declaration> {
        let mut out = Declaration {
            key: DEFAULT_DECLARATION_KEY.to_owned(),
            aliases: DEFAULT_ALIASES.iter().map(|s| (*s).to_owned()).collect(),
            value: None,
            forbid_ai_signoff: true,
        };
        let Some(node) = node else { return Some(out) };
        let fields = self.mapping(node, "`declaration`", DECLARATION_KEYS)?;
        let mut ok = true;
        if let Some(n) = fields.get("key") {
            match self.trailer_key(n, "`declaration.key`") {
                Some(k) => out.key = k,
                None => ok = false,
            }
        }
        if let Some(n) = fields.get("aliases") {
            match self.list(n, "`declaration.aliases`") {
                Some(items) => {
                    let mut aliases = Vec::new();
                    for item in items {
                        match self.trailer_key(item, "`declaration.aliases`") {
                            Some(k) => aliases.push(k),
                            None => ok = false,
                        }
                    }
                    out.aliases = aliases;
                }
                None => ok = false,
            }
        }
        if let Some(n) = fields.get_some("value") {
            match self.regex(n, "`declaration.value`") {
                Some(re) => out.value = Some(re),
                None => ok = false,
            }
        }
        if let Some(n) = fields.get("forbid_ai_signoff") {
            match self.boolean(n, "`declaration.forbid_ai_signoff`") {
                Some(b) => out.forbid_ai_signoff = b,
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn markers(&mut self, node: Option<&SNode>) -> Option<Markers> {
        let mut out = Markers {
            builtin: true,
            extra: Vec::new(),
        };
        let Some(node) = node else { return Some(out) };
        let fields = self.mapping(node, "`markers`", MARKERS_KEYS)?;
        let mut ok = true;
        if let Some(n) = fields.get("builtin") {
            match self.boolean(n, "`markers.builtin`") {
                Some(b) => out.builtin = b,
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
        ok.then_some(out)
    }

    fn extra_marker(&mut self, node: &SNode) -> Option<ExtraMarker> {
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

    /// The tiers; `names` receives the valid, distinct tier names seen.
    fn tiers(
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

    fn tier(
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
                            match self.trailer_key(item, &rwhat) {
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
        let paths = paths.filter(|p| self.pattern_set(p, fields.get("paths"), "paths", &what));
        let except = except.filter(|p| self.pattern_set(p, fields.get("except"), "except", &what));
        Some(Tier {
            name: name?,
            paths: paths?,
            except: except?,
            ai: ai?,
            require: require?,
        })
    }

    fn default_tier(
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

    fn signoff(&mut self, node: Option<&SNode>) -> Option<Signoff> {
        let Some(node) = node else {
            return Some(Signoff::default());
        };
        let fields = self.mapping(node, "`signoff`", SIGNOFF_KEYS)?;
        match fields.get("required") {
            Some(n) => self
                .boolean(n, "`signoff.required`")
                .map(|required| Signoff { required }),
            None => Some(Signoff::default()),
        }
    }

    fn server(&mut self, node: Option<&SNode>) -> Option<Server> {
        let mut out = Server {
            on_error: OnError::Reject,
            override_: Override {
                push_option: DEFAULT_PUSH_OPTION.to_owned(),
                users: Vec::new(),
            },
            audit_log: None,
            timeout: super::DEFAULT_SERVER_TIMEOUT,
            replace_refs: ReplaceRefs::Refuse,
        };
        let Some(node) = node else { return Some(out) };
        let fields = self.mapping(node, "`server`", SERVER_KEYS)?;
        let mut ok = true;
        if let Some(n) = fields.get("on_error") {
            match self.choice(n, "`server.on_error`", &["reject", "allow"]) {
                Some(i) => out.on_error = [OnError::Reject, OnError::Allow][i],
                None => ok = false,
            }
        }
        if let Some(n) = fields.get_some("override") {
            match self.override_(n) {
                Some(o) => out.override_ = o,
                None => ok = false,
            }
        }
        if let Some(n) = fields.get_some("audit_log") {
            match self.non_empty_string(n, "`server.audit_log`") {
                Some(p) => out.audit_log = Some(PathBuf::from(p)),
                None => ok = false,
            }
        }
        if let Some(n) = fields.get("timeout") {
            match self.duration(n, "`server.timeout`") {
                Some(d) => out.timeout = d,
                None => ok = false,
            }
        }
        if let Some(n) = fields.get("replace_refs") {
            match self.choice(n, "`server.replace_refs`", &["refuse", "judge"]) {
                Some(i) => out.replace_refs = [ReplaceRefs::Refuse, ReplaceRefs::Judge][i],
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A duration: whole seconds (`5`) or a number with a unit (`500ms`,
    /// `5s`, `2m`), between 1 ms and 1 hour.
    fn duration(&mut self, node: &SNode, what: &str) -> Option<std::time::Duration> {
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

    fn override_(&mut self, node: &SNode) -> Option<Override> {
        let fields = self.mapping(node, "`server.override`", OVERRIDE_KEYS)?;
        let mut out = Override {
            push_option: DEFAULT_PUSH_OPTION.to_owned(),
            users: Vec::new(),
        };
        let mut ok = true;
        if let Some(n) = fields.get("push_option") {
            match self.non_empty_string(n, "`server.override.push_option`") {
                Some(p)
                    if p.chars()
                        .any(|c| c == '=' || c.is_whitespace() || c.is_control()) =>
                {
                    self.push(
                        Diagnostic::error(format!(
                            "invalid push option name {} for `server.override.push_option`",
                            show(&p)
                        ))
                        .at(self.span(n))
                        .label("expected a name without `=` or spaces, like `tiergate.override`")
                        .help("users pass it as `git push -o NAME=\"reason\"`"),
                    );
                    ok = false;
                }
                Some(p) => out.push_option = p,
                None => ok = false,
            }
        }
        if let Some(n) = fields.get("users") {
            match self.list(n, "`server.override.users`") {
                Some(items) => {
                    for item in items {
                        match self.non_empty_string(item, "`server.override.users`") {
                            Some(u) => out.users.push(u),
                            None => ok = false,
                        }
                    }
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
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
    use crate::policy::{from_yaml, LoadError, STARTER};

    /// The rendered diagnostics and count of an invalid policy.
    fn err_n(yaml: &[u8]) -> (String, usize) {
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

    fn err(yaml: &str) -> String {
        err_n(yaml.as_bytes()).0
    }

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
    /// Size for `lookalike_matcher_too_big`.
    const LITERALS: usize = 6_000;

    /// A valid tier list to complete policies under test.
    const TIERS: &str = "tiers:\n  - name: open\n    paths: [ \"docs/\" ]\n";

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
    fn duplicate_key() {
        let text = err(&format!("version: 1\nmode: warn\n{TIERS}mode: enforce\n"));
        assert!(
            text.contains("error: duplicate key `mode` in policy\n --> policy.yaml:6:1"),
            "{text}"
        );
        assert!(text.contains("first defined here"), "{text}");
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
            text.contains("error: expected `true` or `false` for `markers.builtin`, found a string\n --> policy.yaml:7:12"),
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

    #[test]
    fn paths_section() {
        let load = |yaml: &str| match from_yaml(yaml.as_bytes(), "policy.yaml") {
            Ok(p) => p.paths.lookalikes,
            Err(e) => panic!("{e}"),
        };
        assert!(!load(&format!("version: 1\n{TIERS}")), "off by default");
        assert!(!load(&format!("version: 1\n{TIERS}paths:\n")));
        assert!(!load(&format!("version: 1\n{TIERS}paths: {{}}\n")));
        assert!(load(&format!(
            "version: 1\n{TIERS}paths:\n  lookalikes: true\n"
        )));
        let text = err(&format!(
            "version: 1\n{TIERS}paths: {{ lookalikes: yes }}\n"
        ));
        assert_eq!(
            text,
            "\
error: expected `true` or `false` for `paths.lookalikes`, found a string
 --> policy.yaml:5:22
  |
5 | paths: { lookalikes: yes }
  |                      ^^^ expected `true` or `false`
"
        );
        let text = err(&format!("version: 1\n{TIERS}paths:\n  lookalike: true\n"));
        assert!(
            text.contains("error: unknown key `lookalike` in `paths`\n --> policy.yaml:6:3"),
            "{text}"
        );
        assert!(
            text.contains("= help: did you mean `lookalikes`?"),
            "{text}"
        );
        let text = err(&format!("version: 1\n{TIERS}paths: [ lookalikes ]\n"));
        assert!(
            text.contains(
                "error: expected a mapping for `paths`, found a list\n --> policy.yaml:5:8"
            ),
            "{text}"
        );
    }

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

    #[test]
    fn push_option_and_users() {
        let text = err(&format!(
            "version: 1\n{TIERS}server:\n  override:\n    push_option: \"a=b\"\n    users: [ \"\" ]\n"
        ));
        assert!(text.contains("invalid push option name `a=b`"), "{text}");
        assert!(text.contains("`server.override.users` is empty"), "{text}");
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
