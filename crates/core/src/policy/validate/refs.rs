//! `refs:` (which ref namespaces are enforced, warned about or ignored).

use super::Validator;
use crate::policy::diagnostic::{show, Diagnostic};
use crate::policy::node::SNode;
use crate::policy::{RefMode, RefScope, RefScopes};

pub(super) const SCOPE_KEYS: &[&str] = &["include", "exclude", "mode"];

/// A ref name the glob `glob` matches, to test whether an earlier scope
/// hides it: `**`, `*` and `?` written as one letter. `None` for globs
/// with classes or alternatives, which are not checked.
fn sample_ref(glob: &str) -> Option<String> {
    if glob.contains(['[', '{', '\\']) {
        return None;
    }
    Some(glob.replace("**", "x").replace(['*', '?'], "x"))
}

impl Validator<'_> {
    pub(super) fn refs(&mut self, node: Option<&SNode>) -> Option<RefScopes> {
        let Some(node) = node else {
            return Some(RefScopes::default());
        };
        let items = self.list(node, "`refs`")?;
        let mut scopes: Vec<(RefScope, Vec<&SNode>)> = Vec::new();
        let mut ok = true;
        for (index, item) in items.iter().enumerate() {
            let what = format!("ref scope #{}", index + 1);
            match self.ref_scope(item, &what) {
                Some(scope) => scopes.push(scope),
                None => ok = false,
            }
        }
        // First match wins: a scope whose include glob an earlier scope of
        // another mode already covers never applies to those refs.
        for (later, (scope, globs)) in scopes.iter().enumerate() {
            for (glob, glob_node) in scope.include.iter().zip(globs) {
                let Some(sample) = sample_ref(glob) else {
                    continue;
                };
                let Some((earlier, first)) = scopes[..later]
                    .iter()
                    .enumerate()
                    .find(|(_, (s, _))| s.covers(&sample) && s.mode != scope.mode)
                else {
                    continue;
                };
                self.push(
                    Diagnostic::error(format!(
                        "ref scope #{} ({}) is hidden by ref scope #{} ({})",
                        later + 1,
                        scope.mode.as_str(),
                        earlier + 1,
                        first.0.mode.as_str()
                    ))
                    .at(self.span(glob_node))
                    .label(format!("`{sample}` matches scope #{} first", earlier + 1))
                    .note("the first scope that covers a ref decides what it gets")
                    .help(format!(
                        "move this scope above scope #{}, or add {} to its `exclude`",
                        earlier + 1,
                        show(glob)
                    )),
                );
                ok = false;
            }
        }
        ok.then(|| RefScopes {
            scopes: scopes.into_iter().map(|(s, _)| s).collect(),
        })
    }

    /// One scope, with the nodes of its include globs (for the overlap
    /// check's positions).
    fn ref_scope<'n>(&mut self, node: &'n SNode, what: &str) -> Option<(RefScope, Vec<&'n SNode>)> {
        let fields = self.mapping(node, what, SCOPE_KEYS)?;
        let include = match fields.get("include") {
            Some(n) => {
                let globs = self.ref_globs(n, &format!("`include` of {what}"));
                if matches!(&globs, Some((g, _)) if g.is_empty()) {
                    self.push(
                        Diagnostic::error(format!("{what} includes no refs"))
                            .at(self.span(n))
                            .label("expected at least one ref glob")
                            .help("list the refs it covers, e.g. `include: [ \"refs/heads/**\" ]`"),
                    );
                    None
                } else {
                    globs
                }
            }
            None => {
                if !fields.was_suggested("include") {
                    self.push(
                        Diagnostic::error(format!("{what} has no `include`"))
                            .at(self.span(node))
                            .label("expected `include: [ ... ]`")
                            .help("list the refs it covers, e.g. `include: [ \"refs/heads/**\" ]`"),
                    );
                }
                None
            }
        };
        let exclude = match fields.get("exclude") {
            Some(n) => self.ref_globs(n, &format!("`exclude` of {what}")),
            None => Some((Vec::new(), Vec::new())),
        };
        let mode = match fields.get("mode") {
            Some(n) => self
                .choice(
                    n,
                    &format!("`mode` of {what}"),
                    &["enforce", "warn", "ignore"],
                )
                .map(|i| [RefMode::Enforce, RefMode::Warn, RefMode::Ignore][i]),
            None => Some(RefMode::Enforce),
        };
        let (include, nodes) = include?;
        let scope = RefScope::new(include, exclude?.0, mode?).ok()?;
        Some((scope, nodes))
    }

    /// A list of ref globs: full ref names (`refs/...`), valid globs.
    fn ref_globs<'n>(
        &mut self,
        node: &'n SNode,
        what: &str,
    ) -> Option<(Vec<String>, Vec<&'n SNode>)> {
        let items = self.list(node, what)?;
        let mut globs = Vec::new();
        let mut nodes = Vec::new();
        let mut ok = true;
        for item in items {
            let Some(glob) = self.string(item, what) else {
                ok = false;
                continue;
            };
            if !glob.starts_with("refs/") {
                let d = Diagnostic::error(format!(
                    "ref glob {} in {what} is not a full ref name",
                    show(&glob)
                ))
                .at(self.span(item))
                .label("hooks see full names such as `refs/heads/main`");
                let d = if glob.starts_with("heads/") || glob.starts_with("tags/") {
                    d.help(format!("write `refs/{glob}`"))
                } else {
                    d.help(format!(
                        "write `refs/heads/{glob}` for branches, `refs/tags/{glob}` for tags"
                    ))
                };
                self.push(d);
                ok = false;
                continue;
            }
            if let Err(err) = crate::policy::compile_glob(&glob, false) {
                self.push(
                    Diagnostic::error(format!("invalid ref glob {} in {what}", show(&glob)))
                        .at(self.span(item))
                        .label(err.kind().to_string())
                        .help("`*` stays within a ref name component, `**` spans them: `refs/heads/wip/**`"),
                );
                ok = false;
                continue;
            }
            globs.push(glob);
            nodes.push(item);
        }
        ok.then_some((globs, nodes))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{err, TIERS};
    use crate::policy::{from_yaml, RefMode};

    #[test]
    fn scopes_load_in_order() {
        let yaml = format!(
            "version: 1\n{TIERS}refs:\n  - {{ include: [ \"refs/heads/wip/**\" ], mode: warn }}\n  - {{ include: [ \"refs/heads/**\", \"refs/tags/**\" ] }}\n  - {{ include: [ \"refs/notes/**\" ], mode: ignore }}\n"
        );
        let p = from_yaml(yaml.as_bytes(), "policy.yaml").expect("valid");
        assert_eq!(p.refs.mode_for("refs/heads/wip/a"), RefMode::Warn);
        assert_eq!(p.refs.mode_for("refs/heads/main"), RefMode::Enforce);
        assert_eq!(p.refs.mode_for("refs/notes/commits"), RefMode::Ignore);
    }

    #[test]
    fn hidden_scope_and_bad_globs() {
        let text = err(&format!(
            "version: 1\n{TIERS}refs:\n  - {{ include: [ \"refs/heads/**\" ] }}\n  - {{ include: [ \"refs/heads/wip/**\" ], mode: warn }}\n  - {{ include: [ \"heads/x\", \"refs/[\" ], mode: ignor }}\n  - {{ include: [] }}\n"
        ));
        assert_eq!(
            text,
            "\
error: ref scope #2 (warn) is hidden by ref scope #1 (enforce)
 --> policy.yaml:7:18
  |
7 |   - { include: [ \"refs/heads/wip/**\" ], mode: warn }
  |                  ^^^^^^^^^^^^^^^^^^^ `refs/heads/wip/x` matches scope #1 first
  |
  = help: move this scope above scope #1, or add `refs/heads/wip/**` to its `exclude`
  = note: the first scope that covers a ref decides what it gets

error: ref glob `heads/x` in `include` of ref scope #3 is not a full ref name
 --> policy.yaml:8:18
  |
8 |   - { include: [ \"heads/x\", \"refs/[\" ], mode: ignor }
  |                  ^^^^^^^^^ hooks see full names such as `refs/heads/main`
  |
  = help: write `refs/heads/x`

error: invalid ref glob `refs/[` in `include` of ref scope #3
 --> policy.yaml:8:29
  |
8 |   - { include: [ \"heads/x\", \"refs/[\" ], mode: ignor }
  |                             ^^^^^^^^ unclosed character class; missing ']'
  |
  = help: `*` stays within a ref name component, `**` spans them: `refs/heads/wip/**`

error: invalid value `ignor` for `mode` of ref scope #3
 --> policy.yaml:8:47
  |
8 |   - { include: [ \"heads/x\", \"refs/[\" ], mode: ignor }
  |                                               ^^^^^ expected one of: enforce, warn, ignore
  |
  = help: did you mean `ignore`?

error: ref scope #4 includes no refs
 --> policy.yaml:9:16
  |
9 |   - { include: [] }
  |                ^ expected at least one ref glob
  |
  = help: list the refs it covers, e.g. `include: [ \"refs/heads/**\" ]`

error: 5 problems in policy.yaml
"
        );
    }
}
