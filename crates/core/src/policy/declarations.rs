//! The parts of a policy that fit declarations and scopes to the way
//! projects write them: a value pattern per declaration key (with the
//! named presets `kernel` and `free-text`), "any of" requirements,
//! forbidden trailer keys and per-ref scopes. Loaded by
//! `validate/declaration.rs`, `validate/tiers.rs` and `validate/refs.rs`;
//! read by the rules and by the hooks that know which ref they judge.

use regex::Regex;

/// The kernel's `Assisted-by:` form, `AGENT:MODEL [tool1] [tool2]`
/// (Documentation/process/coding-assistants.rst): an agent name that may
/// hold spaces (`GitHub Copilot`) but no colon, a colon, a model without
/// spaces, then optional tools separated by whitespace.
pub const KERNEL_PATTERN: &str = r"^[^:\s](?:[^:]*[^:\s])?:\S+(?:\s+\S+)*$";

/// A value pattern of a declaration key: what `declaration.value` says
/// for it.
#[derive(Debug, Clone)]
pub enum ValuePattern {
    /// `kernel`: [`KERNEL_PATTERN`].
    Kernel(Regex),
    /// `free-text`: any non-empty value (QEMU's `AI-used-for:` draft).
    FreeText,
    /// A regex written in the policy.
    Regex(Regex),
}

impl ValuePattern {
    /// The preset names, as written in the policy.
    pub const PRESETS: [&'static str; 2] = ["kernel", "free-text"];

    /// The preset named `name`, if it is one.
    pub fn preset(name: &str) -> Option<ValuePattern> {
        match name {
            "kernel" => Regex::new(KERNEL_PATTERN).ok().map(ValuePattern::Kernel),
            "free-text" => Some(ValuePattern::FreeText),
            _ => None,
        }
    }

    /// The regex a value must match (`None`: any non-empty value).
    pub fn regex(&self) -> Option<&Regex> {
        match self {
            ValuePattern::Kernel(re) | ValuePattern::Regex(re) => Some(re),
            ValuePattern::FreeText => None,
        }
    }

    /// How the pattern is named in messages: the preset's form or the regex.
    pub fn describe(&self) -> String {
        match self {
            ValuePattern::Kernel(_) => "the kernel's form AGENT:MODEL [tools]".to_owned(),
            ValuePattern::FreeText => "free text".to_owned(),
            ValuePattern::Regex(re) => format!("the policy's pattern /{}/", re.as_str()),
        }
    }
}

/// One entry of `declaration.value` written as a mapping: the value
/// pattern of one declaration key.
#[derive(Debug, Clone)]
pub struct KeyValue {
    /// The declaration key (the canonical key or an alias), as written.
    pub key: String,
    /// Its pattern.
    pub pattern: ValuePattern,
}

/// One element of a tier's `require`: a trailer key, or `{ any_of: [...] }`
/// alternatives, any one of which satisfies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnyOf(pub Vec<String>);

/// What a ref scope does with the commits pushed to its refs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefMode {
    /// Judge and refuse on violations (subject to the policy's `mode`).
    Enforce,
    /// Judge and report violations as warnings; refuse nothing.
    Warn,
    /// Do not judge commits pushed to these refs.
    Ignore,
}

impl RefMode {
    /// The name used in the policy file.
    pub fn as_str(self) -> &'static str {
        match self {
            RefMode::Enforce => "enforce",
            RefMode::Warn => "warn",
            RefMode::Ignore => "ignore",
        }
    }
}

/// One entry of `refs:`.
#[derive(Debug, Clone)]
pub struct RefScope {
    /// Globs of full ref names (`refs/heads/**`) the scope covers.
    pub include: Vec<String>,
    /// Globs of ref names taken out of `include`.
    pub exclude: Vec<String>,
    /// What the scope does.
    pub mode: RefMode,
    /// The compiled `include` globs.
    include_set: globset::GlobSet,
    /// The compiled `exclude` globs.
    exclude_set: globset::GlobSet,
}

impl RefScope {
    /// A scope from its globs (`*` stays within a path component, `**`
    /// spans them, as for paths).
    pub fn new(
        include: Vec<String>,
        exclude: Vec<String>,
        mode: RefMode,
    ) -> Result<RefScope, globset::Error> {
        let include_set = ref_glob_set(&include)?;
        let exclude_set = ref_glob_set(&exclude)?;
        Ok(RefScope {
            include,
            exclude,
            mode,
            include_set,
            exclude_set,
        })
    }

    /// Whether the scope covers `refname`.
    pub fn covers(&self, refname: &str) -> bool {
        self.include_set.is_match(refname) && !self.exclude_set.is_match(refname)
    }
}

/// Compile ref globs with the options every policy glob uses.
pub(crate) fn ref_glob_set(globs: &[String]) -> Result<globset::GlobSet, globset::Error> {
    let mut builder = globset::GlobSetBuilder::new();
    for glob in globs {
        builder.add(super::compile_glob(glob, false)?);
    }
    builder.build()
}

/// `refs:` of a policy: the scopes in the order written.
///
/// **Precedence: the first scope that covers a ref decides** (like the
/// tiers: first match wins). A ref no scope covers is enforced: the
/// server fails closed, so a ref namespace the policy forgot (`refs/for/`,
/// a forge's own) is judged rather than open. Write the narrow scope
/// (`refs/heads/wip/**`) before the wide one (`refs/heads/**`);
/// `tiergate policy validate` refuses a scope that an earlier one hides
/// entirely.
#[derive(Debug, Clone, Default)]
pub struct RefScopes {
    /// The scopes, in order.
    pub scopes: Vec<RefScope>,
}

impl RefScopes {
    /// What happens to commits pushed to `refname` (a full ref name).
    pub fn mode_for(&self, refname: &str) -> RefMode {
        self.scopes
            .iter()
            .find(|s| s.covers(refname))
            .map_or(RefMode::Enforce, |s| s.mode)
    }

    /// Whether any ref is not enforced (so the "already known" commits of
    /// a push walk must leave such refs out).
    pub fn any_unenforced(&self) -> bool {
        self.scopes.iter().any(|s| s.mode != RefMode::Enforce)
    }

    /// git `wildmatch` patterns (flags 0: `*` crosses `/`) that match at
    /// least every ref a `warn` or `ignore` scope includes: each include
    /// glob's literal prefix (up to its first `*`, `?`, `[`, `{` or `\`)
    /// followed by `*`, or the glob itself when it has none of them.
    /// A scope's `exclude` is not subtracted: a superset is what the
    /// callers need (refs whose commits must not count as judged).
    pub fn unenforced_prefixes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for scope in self.scopes.iter().filter(|s| s.mode != RefMode::Enforce) {
            for glob in &scope.include {
                let pattern = match glob.find(['*', '?', '[', '{', '\\']) {
                    Some(i) => format!("{}*", &glob[..i]),
                    None => glob.clone(),
                };
                if !out.contains(&pattern) {
                    out.push(pattern);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(list: &[(&[&str], &[&str], RefMode)]) -> RefScopes {
        RefScopes {
            scopes: list
                .iter()
                .map(|(inc, exc, mode)| {
                    RefScope::new(
                        inc.iter().map(|s| (*s).to_owned()).collect(),
                        exc.iter().map(|s| (*s).to_owned()).collect(),
                        *mode,
                    )
                    .expect("valid globs")
                })
                .collect(),
        }
    }

    #[test]
    fn first_matching_scope_decides() {
        let s = scopes(&[
            (&["refs/heads/wip/**"], &[], RefMode::Warn),
            (&["refs/heads/**", "refs/tags/**"], &[], RefMode::Enforce),
            (&["refs/notes/**"], &[], RefMode::Ignore),
        ]);
        assert_eq!(s.mode_for("refs/heads/main"), RefMode::Enforce);
        assert_eq!(s.mode_for("refs/heads/wip/alice/x"), RefMode::Warn);
        assert_eq!(s.mode_for("refs/tags/v1.0"), RefMode::Enforce);
        assert_eq!(s.mode_for("refs/notes/commits"), RefMode::Ignore);
        assert_eq!(s.mode_for("refs/for/main"), RefMode::Enforce, "not listed");
        assert!(s.any_unenforced());
        assert_eq!(
            s.unenforced_prefixes(),
            ["refs/heads/wip/*", "refs/notes/*"]
        );
        // `*` does not cross `/`.
        let s = scopes(&[(&["refs/heads/*"], &["refs/heads/tmp"], RefMode::Enforce)]);
        assert_eq!(s.mode_for("refs/heads/main"), RefMode::Enforce);
        assert_eq!(s.mode_for("refs/heads/a/b"), RefMode::Enforce);
        assert!(!s.any_unenforced());
        let s = scopes(&[(&["refs/heads/*"], &["refs/heads/tmp"], RefMode::Ignore)]);
        assert_eq!(s.mode_for("refs/heads/main"), RefMode::Ignore);
        assert_eq!(s.mode_for("refs/heads/tmp"), RefMode::Enforce, "excluded");
        assert_eq!(RefScopes::default().mode_for("refs/x"), RefMode::Enforce);
    }

    #[test]
    fn kernel_preset() {
        let Some(ValuePattern::Kernel(re)) = ValuePattern::preset("kernel") else {
            panic!("kernel is a preset");
        };
        for ok in [
            "GitHub Copilot:claude-sonnet-4.6",
            "claude:opus-4 [checkpatch]",
            "Claude:claude-3-opus coccinelle sparse",
        ] {
            assert!(re.is_match(ok), "{ok}");
        }
        for bad in [
            "Claude Opus 4.6",
            ":opus",
            "claude:",
            " claude:x",
            "claude :x",
        ] {
            assert!(!re.is_match(bad), "{bad}");
        }
        assert!(ValuePattern::preset("free-text").is_some_and(|p| p.regex().is_none()));
        assert!(ValuePattern::preset("^x").is_none());
    }
}
