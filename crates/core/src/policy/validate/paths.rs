//! `paths:` (how changed paths are compared with the tiers).

use super::Validator;
use crate::policy::node::SNode;
use crate::policy::PathSettings;

pub(super) const PATHS_KEYS: &[&str] = &["lookalikes"];

impl Validator<'_> {
    /// `paths:` (how changed paths are compared with the tiers).
    pub(super) fn paths(&mut self, node: Option<&SNode>) -> Option<PathSettings> {
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
}

#[cfg(test)]
mod tests {
    use super::super::tests::{err, TIERS};
    use crate::policy::from_yaml;

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
}
