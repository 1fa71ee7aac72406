//! `server:` (the pre-receive hook's settings).

use super::Validator;
use crate::policy::diagnostic::{show, Diagnostic};
use crate::policy::node::SNode;
use crate::policy::{
    OnError, Override, ReplaceRefs, Server, DEFAULT_PUSH_OPTION, DEFAULT_SERVER_TIMEOUT,
};
use std::path::PathBuf;

pub(super) const SERVER_KEYS: &[&str] = &[
    "on_error",
    "override",
    "audit_log",
    "timeout",
    "replace_refs",
];
pub(super) const OVERRIDE_KEYS: &[&str] = &["push_option", "users"];

impl Validator<'_> {
    pub(super) fn server(&mut self, node: Option<&SNode>) -> Option<Server> {
        let mut out = Server {
            on_error: OnError::Reject,
            override_: Override {
                push_option: DEFAULT_PUSH_OPTION.to_owned(),
                users: Vec::new(),
            },
            audit_log: None,
            timeout: DEFAULT_SERVER_TIMEOUT,
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

    pub(super) fn override_(&mut self, node: &SNode) -> Option<Override> {
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

#[cfg(test)]
mod tests {
    use super::super::tests::{err, TIERS};

    #[test]
    fn push_option_and_users() {
        let text = err(&format!(
            "version: 1\n{TIERS}server:\n  override:\n    push_option: \"a=b\"\n    users: [ \"\" ]\n"
        ));
        assert!(text.contains("invalid push option name `a=b`"), "{text}");
        assert!(text.contains("`server.override.users` is empty"), "{text}");
    }
}
