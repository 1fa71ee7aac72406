//! Policy: what `policy.yaml` (version 1) says, loaded and validated.
//!
//! Loading is two phases, like cargo-deny: deserialize with spans, then
//! validate everything and report *all* problems at once, each pointing at
//! the file, line and column of the offending value and saying what would be
//! valid. A policy that loads is fully compiled: globs and regexes are known
//! to be valid, tier names unique, `default_tier` resolved to an index.
//!
//! TODO(policy helper): loading from YAML with serde-saphyr spans.

use regex::Regex;
use std::path::PathBuf;

/// A validated, compiled policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Where the policy was read from (a file path, or a description such as
    /// `HEAD:policy.yaml`), used in messages.
    pub source: String,
    /// `mode`: enforce (violations fail) or warn (report, never reject).
    pub mode: Mode,
    /// `declaration`: how a commit declares AI assistance.
    pub declaration: Declaration,
    /// `markers`: evidence of AI use.
    pub markers: Markers,
    /// `tiers`, in the order listed (first match wins). Never empty.
    pub tiers: Vec<Tier>,
    /// Index into `tiers` of the tier of a path no tier matches.
    pub default_tier: usize,
    /// `signoff`: DCO requirements.
    pub signoff: Signoff,
    /// `server`: settings used by the pre-receive hook.
    pub server: Server,
}

/// `mode:` of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Violations fail the check / reject the commit or push.
    Enforce,
    /// Violations are reported; the check still passes.
    Warn,
}

/// `declaration:` section.
#[derive(Debug, Clone)]
pub struct Declaration {
    /// Canonical trailer key (default `AI-Assisted-by`), compared
    /// case-insensitively like git compares trailer keys.
    pub key: String,
    /// Other keys accepted as a declaration (default
    /// `[Assisted-by, AI-used-for, Generated-by]`).
    pub aliases: Vec<String>,
    /// Optional regex every declaration value must match.
    pub value: Option<Regex>,
    /// Whether an AI identity in `Signed-off-by` is a violation (default true).
    pub forbid_ai_signoff: bool,
}

impl Declaration {
    /// The canonical key followed by the aliases.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.key.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// Whether `key` (as written in a trailer) is the declaration key or an
    /// alias, compared ASCII-case-insensitively as git does.
    pub fn is_declaration_key(&self, key: &[u8]) -> bool {
        self.keys().any(|k| k.as_bytes().eq_ignore_ascii_case(key))
    }
}

/// `markers:` section.
#[derive(Debug, Clone)]
pub struct Markers {
    /// Whether the builtin tool signatures are used (default true).
    pub builtin: bool,
    /// Project-specific markers.
    pub extra: Vec<ExtraMarker>,
}

/// One entry of `markers.extra`.
#[derive(Debug, Clone)]
pub struct ExtraMarker {
    /// What the regex is matched against.
    pub field: MarkerField,
    /// The compiled regex.
    pub regex: Regex,
}

/// The `field:` of an extra marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerField {
    /// The whole commit message (after cleanup), matched line by line.
    Message,
    /// `Name <email>` of the author.
    Author,
    /// `Name <email>` of the committer.
    Committer,
}

/// `ai:` of a tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AiRule {
    /// AI-assisted commits may not touch this tier.
    Forbidden,
    /// AI-assisted commits may touch this tier (subject to `require`).
    Allowed,
}

/// One tier of the policy.
#[derive(Debug, Clone)]
pub struct Tier {
    /// Unique name (`critical`, `core`, ...).
    pub name: String,
    /// `paths:` patterns, as written.
    pub paths: Vec<Pattern>,
    /// `except:` patterns, as written: paths matching these are not in the
    /// tier even if `paths` match.
    pub except: Vec<Pattern>,
    /// `ai:` rule.
    pub ai: AiRule,
    /// Trailer keys an AI-assisted commit touching this tier must carry.
    pub require: Vec<String>,
}

/// A path pattern as written in the policy, with its location (for
/// `classify --explain` and diagnostics). Known to compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The pattern exactly as written in the policy.
    pub text: String,
    /// 1-based line in the policy file (0 when unknown).
    pub line: usize,
    /// 1-based column in the policy file (0 when unknown).
    pub column: usize,
}

/// `signoff:` section.
#[derive(Debug, Clone, Default)]
pub struct Signoff {
    /// Every commit needs a `Signed-off-by` of its author.
    pub required: bool,
}

/// `server:` section.
#[derive(Debug, Clone)]
pub struct Server {
    /// What the server does when tiergate itself fails.
    pub on_error: OnError,
    /// Push-option overrides.
    pub override_: Override,
    /// Where the pre-receive hook appends its JSON lines.
    pub audit_log: Option<PathBuf>,
}

/// `server.on_error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    /// Fail closed (default).
    Reject,
    /// Fail open.
    Allow,
}

/// `server.override`.
#[derive(Debug, Clone)]
pub struct Override {
    /// The push option key (default `tiergate.override`).
    pub push_option: String,
    /// Users allowed to override.
    pub users: Vec<String>,
}

/// Why a policy could not be loaded.
///
/// `Display` renders every diagnostic, each naming the file, line and column
/// and what would be valid (this is what the CLI prints as is).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("Error: cannot read policy {path}: {source}")]
    Io {
        /// The path as given.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file was read but is not a valid policy; `rendered` holds all
    /// diagnostics.
    #[error("{rendered}")]
    Invalid {
        /// Where the policy came from.
        source_name: String,
        /// Number of problems found.
        count: usize,
        /// All diagnostics, rendered (plain text, no colour).
        rendered: String,
    },
}

/// Load and validate a policy file.
pub fn load_file(path: &std::path::Path) -> Result<Policy, LoadError> {
    let text = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.display().to_string(),
        source,
    })?;
    from_yaml(&text, &path.display().to_string())
}

/// Load and validate a policy from its YAML text. `source_name` names it
/// in diagnostics (a path, or e.g. `HEAD:policy.yaml`).
pub fn from_yaml(text: &[u8], source_name: &str) -> Result<Policy, LoadError> {
    let _ = text;
    Err(LoadError::Invalid {
        source_name: source_name.to_owned(),
        count: 1,
        rendered: "not implemented".into(),
    })
}
