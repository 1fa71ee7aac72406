//! `declaration:` (the trailer that declares AI assistance).

use super::Validator;
use crate::policy::node::SNode;
use crate::policy::{Declaration, DEFAULT_ALIASES, DEFAULT_DECLARATION_KEY};

const DECLARATION_KEYS: &[&str] = &["key", "aliases", "value", "forbid_ai_signoff"];

impl Validator<'_> {
    pub(super) fn declaration(&mut self, node: Option<&SNode>) -> Option<Declaration> {
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
}
