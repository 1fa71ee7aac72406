//! `declaration:` (the trailer that declares AI assistance).

use super::Validator;
use crate::policy::diagnostic::{show, Diagnostic};
use crate::policy::node::{Node, SNode};
use crate::policy::{
    Declaration, KeyValue, ValuePattern, DEFAULT_ALIASES, DEFAULT_DECLARATION_KEY,
};

pub(super) const DECLARATION_KEYS: &[&str] = &["key", "aliases", "value", "forbid_ai_signoff"];

impl Validator<'_> {
    pub(super) fn declaration(&mut self, node: Option<&SNode>) -> Option<Declaration> {
        let mut out = Declaration {
            key: DEFAULT_DECLARATION_KEY.to_owned(),
            aliases: DEFAULT_ALIASES.iter().map(|s| (*s).to_owned()).collect(),
            value: None,
            values: Vec::new(),
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
            match &n.value {
                Node::Map(_) => match self.values_per_key(n, &out) {
                    Some(values) => out.values = values,
                    None => ok = false,
                },
                _ => match self.value_pattern(n, "`declaration.value`") {
                    Some(pattern) => out.value = pattern.regex().cloned(),
                    None => ok = false,
                },
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
}

impl Validator<'_> {
    /// One value pattern: a preset name (`kernel`, `free-text`) or a regex.
    fn value_pattern(&mut self, node: &SNode, what: &str) -> Option<ValuePattern> {
        if let Node::Str(text) = &node.value {
            if let Some(preset) = ValuePattern::preset(text) {
                return Some(preset);
            }
        }
        self.regex(node, what).map(ValuePattern::Regex)
    }

    /// `declaration.value` written as a mapping: `{ <declaration key>:
    /// <preset or regex> }`. Each key must be the declaration key or one
    /// of the aliases (a pattern for a key that declares nothing would
    /// never apply), once.
    fn values_per_key(&mut self, node: &SNode, declaration: &Declaration) -> Option<Vec<KeyValue>> {
        let Node::Map(entries) = &node.value else {
            return None;
        };
        let keys: Vec<&str> = declaration.keys().collect();
        let mut out: Vec<KeyValue> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let mut ok = true;
        for (k, v) in entries {
            let Some(key) = self.trailer_key(k, "a key of `declaration.value`") else {
                ok = false;
                continue;
            };
            if !declaration.is_declaration_key(key.as_bytes()) {
                let d = Diagnostic::error(format!(
                    "{} in `declaration.value` is not a declaration key",
                    show(&key)
                ))
                .at(self.span(k))
                .label(format!("expected one of: {}", keys.join(", ")));
                let d = match super::reader::suggest(&key, &keys) {
                    Some(s) => d.help(format!("did you mean `{s}`? Otherwise add `{key}` to `declaration.aliases`")),
                    None => d.help(format!(
                        "give patterns for the declaration key and its aliases only, or add `{key}` to `declaration.aliases`"
                    )),
                };
                self.push(d);
                ok = false;
                continue;
            }
            if seen.iter().any(|k| k.eq_ignore_ascii_case(&key)) {
                self.push(
                    Diagnostic::error(format!(
                        "two value patterns for {} in `declaration.value`",
                        show(&key)
                    ))
                    .at(self.span(k))
                    .label("repeated here (keys compare case-insensitively, as git compares them)")
                    .help("keep one pattern per key"),
                );
                ok = false;
                continue;
            }
            seen.push(key.clone());
            let what = format!("`declaration.value.{key}`");
            match self.value_pattern(v, &what) {
                Some(pattern) => out.push(KeyValue { key, pattern }),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// `forbidden_trailers` (of the policy, or of a tier as `what` says):
    /// trailer keys, none of them a declaration key (forbidding the
    /// declaration would refuse every declared commit, and an undeclared
    /// AI-assisted one is refused anyway).
    pub(super) fn forbidden_trailers(
        &mut self,
        node: &SNode,
        what: &str,
        declaration: Option<&Declaration>,
    ) -> Option<Vec<String>> {
        let items = self.list(node, what)?;
        let mut keys: Vec<String> = Vec::new();
        let mut ok = true;
        for item in items {
            let Some(key) = self.trailer_key(item, what) else {
                ok = false;
                continue;
            };
            if declaration.is_some_and(|d| d.is_declaration_key(key.as_bytes())) {
                self.push(
                    Diagnostic::error(format!(
                        "{} in {what} is a declaration key",
                        show(&key)
                    ))
                    .at(self.span(item))
                    .label("commits declare AI assistance with this key")
                    .help(format!(
                        "to stop accepting `{key}:` as a declaration, remove it from `declaration.aliases` (then a commit using it is `undeclared-ai` or `near-miss-key`)"
                    )),
                );
                ok = false;
                continue;
            }
            keys.push(key);
        }
        ok.then_some(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::err;
    use crate::policy::{from_yaml, ValuePattern};

    const TIERS: &str = "tiers:\n  - name: open\n    paths: [ \"docs/\" ]\n";

    #[test]
    fn value_per_key_with_presets() {
        let yaml = format!(
            "version: 1\ndeclaration:\n  value:\n    AI-Assisted-by: kernel\n    assisted-by: kernel\n    AI-used-for: free-text\n    Generated-by: '^\\S+$'\n{TIERS}"
        );
        let p = from_yaml(yaml.as_bytes(), "policy.yaml").expect("valid");
        let d = &p.declaration;
        assert!(d.value.is_none());
        assert!(matches!(
            d.pattern_for(b"Assisted-by"),
            Some(ValuePattern::Kernel(_))
        ));
        assert!(matches!(
            d.pattern_for(b"ai-used-for"),
            Some(ValuePattern::FreeText)
        ));
        assert!(matches!(
            d.pattern_for(b"Generated-by"),
            Some(ValuePattern::Regex(_))
        ));
        // A scalar preset applies to every key.
        let yaml = format!("version: 1\ndeclaration:\n  value: kernel\n{TIERS}");
        let p = from_yaml(yaml.as_bytes(), "policy.yaml").expect("valid");
        assert!(matches!(
            p.declaration.pattern_for(b"AI-used-for"),
            Some(ValuePattern::Kernel(_))
        ));
        let yaml = format!("version: 1\ndeclaration:\n  value: free-text\n{TIERS}");
        let p = from_yaml(yaml.as_bytes(), "policy.yaml").expect("valid");
        assert!(p.declaration.pattern_for(b"AI-Assisted-by").is_none());
    }

    #[test]
    fn value_per_key_errors() {
        let text = err(&format!(
            "version: 1\ndeclaration:\n  value:\n    Asisted-by: kernel\n    AI-used-for: '^(x'\n    ai-used-for: free-text\n{TIERS}"
        ));
        assert_eq!(
            text,
            "\
error: `Asisted-by` in `declaration.value` is not a declaration key
 --> policy.yaml:4:5
  |
4 |     Asisted-by: kernel
  |     ^^^^^^^^^^ expected one of: AI-Assisted-by, Assisted-by, AI-used-for, Generated-by
  |
  = help: did you mean `Assisted-by`? Otherwise add `Asisted-by` to `declaration.aliases`

error: invalid regex `^(x` for `declaration.value.AI-used-for`
 --> policy.yaml:5:18
  |
5 |     AI-used-for: '^(x'
  |                  ^^^^^ unclosed group
  |
  = help: regexes use the syntax of the Rust `regex` crate (no look-around, no backreferences)

error: two value patterns for `ai-used-for` in `declaration.value`
 --> policy.yaml:6:5
  |
6 |     ai-used-for: free-text
  |     ^^^^^^^^^^^ repeated here (keys compare case-insensitively, as git compares them)
  |
  = help: keep one pattern per key

error: 3 problems in policy.yaml
"
        );
    }

    #[test]
    fn forbidden_declaration_key() {
        let text = err(&format!(
            "version: 1\nforbidden_trailers: [ Change-Id, assisted-by ]\n{TIERS}"
        ));
        assert_eq!(
            text,
            "\
error: `assisted-by` in `forbidden_trailers` is a declaration key
 --> policy.yaml:2:34
  |
2 | forbidden_trailers: [ Change-Id, assisted-by ]
  |                                  ^^^^^^^^^^^ commits declare AI assistance with this key
  |
  = help: to stop accepting `assisted-by:` as a declaration, remove it from `declaration.aliases` (then a commit using it is `undeclared-ai` or `near-miss-key`)
"
        );
    }
}
