//! `includes:` (how `#include` directives are resolved for the tiers with
//! `follow_includes`).

use super::Validator;
use crate::policy::diagnostic::{show, Diagnostic};
use crate::policy::node::SNode;
use crate::policy::IncludeSettings;

pub(super) const INCLUDES_KEYS: &[&str] = &["roots"];

impl Validator<'_> {
    /// `includes:`: `roots`, a list of repository-relative directories.
    pub(super) fn includes(&mut self, node: Option<&SNode>) -> Option<IncludeSettings> {
        let Some(node) = node else {
            return Some(IncludeSettings::default());
        };
        let fields = self.mapping(node, "`includes`", INCLUDES_KEYS)?;
        let Some(roots) = fields.get("roots") else {
            return Some(IncludeSettings::default());
        };
        let items = self.list(roots, "`includes.roots`")?;
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            let Some(text) = self.string(item, "an entry of `includes.roots`") else {
                ok = false;
                continue;
            };
            match include_root(&text) {
                Ok(root) => out.push(root),
                Err(why) => {
                    ok = false;
                    self.push(
                        Diagnostic::error(format!(
                            "include root {} is not a directory of the repository",
                            show(&text)
                        ))
                        .at(self.span(item))
                        .label(why)
                        .help("name a directory relative to the top of the repository, as a compiler's `-I` would from there: `include`, `lib/eal/include`, `.` for the top"),
                    );
                }
            }
        }
        ok.then_some(IncludeSettings { roots: out })
    }
}

/// `text` as an include root (no trailing `/`; `.` is the top, written
/// empty), or why it cannot be one. Include roots are looked up in the
/// tree's list of paths, which are relative and normalised (git refuses
/// `.`, `..` and empty path components in trees: `verify_path` in git's
/// `read-cache.c`), so a root that is absolute or steps out would silently
/// resolve nothing.
fn include_root(text: &str) -> Result<String, &'static str> {
    if text.trim().is_empty() {
        return Err("empty");
    }
    if text.starts_with('/') {
        return Err("absolute: roots are relative to the top of the repository");
    }
    if text.contains('\\') {
        return Err("`\\` is not a separator in git paths: use `/`");
    }
    let mut parts = Vec::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("`..` steps out of the repository"),
            part => parts.push(part),
        }
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{err, TIERS};
    use super::include_root;
    use crate::policy::from_yaml;

    #[test]
    fn includes_section() {
        let load = |yaml: &str| match from_yaml(yaml.as_bytes(), "policy.yaml") {
            Ok(p) => p.includes.roots,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(load(&format!("version: 1\n{TIERS}")), ["include"]);
        assert_eq!(
            load(&format!("version: 1\n{TIERS}includes:\n")),
            ["include"]
        );
        assert_eq!(
            load(&format!(
                "version: 1\n{TIERS}includes:\n  roots: [ lib/eal/include/, ./config, . ]\n"
            )),
            ["lib/eal/include", "config", ""]
        );
        assert_eq!(
            load(&format!("version: 1\n{TIERS}includes: {{ roots: [] }}\n")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn follow_includes_is_a_boolean_of_a_tier() {
        let p = from_yaml(
            b"version: 1\ntiers:\n  - name: critical\n    paths: [ crypto/ ]\n    ai: forbidden\n    follow_includes: true\n  - name: open\n    paths: [ docs/ ]\n",
            "policy.yaml",
        )
        .expect("loads");
        assert!(p.tiers[0].follow_includes);
        assert!(!p.tiers[1].follow_includes, "off by default");
        assert!(p.follows_includes());
        let text = err("version: 1\ntiers:\n  - name: critical\n    paths: [ crypto/ ]\n    follow_includes: yes\n");
        assert_eq!(
            text,
            "\
error: expected `true` or `false` for `follow_includes` of tier `critical`, found a string
 --> policy.yaml:5:22
  |
5 |     follow_includes: yes
  |                      ^^^ expected `true` or `false`
"
        );
    }

    #[test]
    fn bad_roots_are_refused_at_the_entry() {
        let text = err(&format!(
            "version: 1\n{TIERS}includes:\n  roots: [ include, /usr/include, ../x ]\n"
        ));
        assert!(
            text.starts_with(
                "\
error: include root `/usr/include` is not a directory of the repository
 --> policy.yaml:6:21
  |
6 |   roots: [ include, /usr/include, ../x ]
  |                     ^^^^^^^^^^^^ absolute: roots are relative to the top of the repository
  |
  = help: name a directory relative to the top of the repository"
            ),
            "{text}"
        );
        assert!(
            text.contains("error: include root `../x` is not a directory of the repository"),
            "{text}"
        );
        assert!(text.contains("`..` steps out of the repository"), "{text}");
        let text = err(&format!("version: 1\n{TIERS}includes: {{ root: [ x ] }}\n"));
        assert!(text.contains("did you mean `roots`?"), "{text}");
        let text = err(&format!(
            "version: 1\n{TIERS}includes: {{ roots: include }}\n"
        ));
        assert!(
            text.contains("expected a list for `includes.roots`"),
            "{text}"
        );
    }

    #[test]
    fn roots_are_normalised() {
        assert_eq!(include_root("include/"), Ok("include".into()));
        assert_eq!(include_root("a//b/./c/"), Ok("a/b/c".into()));
        assert_eq!(include_root("."), Ok(String::new()));
        assert!(include_root("").is_err());
        assert!(include_root("a/../b").is_err());
        assert!(include_root("a\\b").is_err());
    }
}
