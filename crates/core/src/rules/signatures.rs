//! The builtin AI signature database: `crates/core/signatures.yaml`,
//! embedded in the binary and parsed at first use.
//!
//! The file is the reviewed source of truth (its header documents every
//! field); this module parses it, answers "which tool is this identity,
//! footer or trailer" at a given database version, and its unit tests
//! check the file: every entry sourced, versions known, no identity claimed
//! by two entries, every `forms` example detected as its own tool.
//!
//! # Versions
//!
//! Each entry carries the database version it appeared in (`since`). A
//! policy may pin a version (`markers: { builtin: 2026.11 }`): the entries
//! of later versions are then ignored, so upgrading tiergate changes no
//! verdict until the policy is changed. Without a pin the latest version
//! is used.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::OnceLock;

/// The database as written in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// Every version, oldest first.
    pub versions: Vec<String>,
    /// The entries, in the order they are tried.
    pub tools: Vec<Entry>,
}

/// One entry: a tool's signatures as of one database version.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Display name, used in evidence.
    pub tool: String,
    /// The version the entry appeared in.
    pub since: String,
    /// Where the signatures were seen (URLs).
    pub sources: Vec<String>,
    /// Whole names that are the tool.
    #[serde(default)]
    pub names: Vec<String>,
    /// Base names that, followed by one of `words` or a version, are the tool.
    #[serde(default)]
    pub bases: Vec<String>,
    /// See `bases`.
    #[serde(default)]
    pub words: Vec<String>,
    /// Name endings that are the tool.
    #[serde(default)]
    pub name_suffixes: Vec<String>,
    /// Name beginnings that are the tool.
    #[serde(default)]
    pub name_prefixes: Vec<String>,
    /// Exact e-mail addresses.
    #[serde(default)]
    pub emails: Vec<String>,
    /// Mail domains where every address is the tool.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Mail domains where a mailbox containing one of `mailbox_words` is.
    #[serde(default)]
    pub bot_domains: Vec<String>,
    /// See `bot_domains`.
    #[serde(default)]
    pub mailbox_words: Vec<String>,
    /// GitHub logins.
    #[serde(default)]
    pub logins: Vec<String>,
    /// Substrings of name or e-mail.
    #[serde(default)]
    pub contains: Vec<String>,
    /// Message lines `<lead> with <tool words>`.
    #[serde(default)]
    pub footers: Vec<String>,
    /// `Key: value` (or `Key:`, any value) lines.
    #[serde(default)]
    pub trailers: Vec<String>,
    /// Lines the tool writes, checked by the unit tests.
    #[serde(default)]
    pub forms: Vec<String>,
    /// `since` as an index into [`Database::versions`] (set at load;
    /// `usize::MAX` for an unknown version, which [`Database::problems`]
    /// reports and no pin reaches).
    #[serde(skip)]
    since_index: usize,
}

/// A version of the database (an index into [`Database::versions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(usize);

impl Version {
    /// The newest version this tiergate knows.
    pub fn latest() -> Version {
        Version(database().versions.len().saturating_sub(1))
    }

    /// The version written `text` (`2026.11`), if this tiergate knows it.
    pub fn parse(text: &str) -> Option<Version> {
        database()
            .versions
            .iter()
            .position(|v| v == text.trim())
            .map(Version)
    }

    /// Every known version, oldest first.
    pub fn known() -> impl Iterator<Item = Version> {
        (0..database().versions.len()).map(Version)
    }

    /// As written in the database (`2026.11`).
    pub fn as_str(self) -> &'static str {
        database().versions.get(self.0).map_or("", String::as_str)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The embedded file.
const TEXT: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/signatures.yaml"));

/// The parsed database (parsed once, at first use).
pub fn database() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db: Database = serde_saphyr::from_str(TEXT)
            // Compiled-in data, parsed by the unit tests of every build:
            // it cannot fail at run time.
            .expect("signatures.yaml is checked by the unit tests");
        db.index();
        db
    })
}

impl Database {
    /// Normalize the entries and index their versions (once, at load).
    fn index(&mut self) {
        for entry in &mut self.tools {
            entry.normalize();
            entry.since_index = self
                .versions
                .iter()
                .position(|v| *v == entry.since)
                .unwrap_or(usize::MAX);
        }
    }

    /// The entries in force at `version`, in order.
    pub fn entries_at(&self, version: Version) -> impl Iterator<Item = &Entry> {
        self.tools
            .iter()
            .filter(move |e| e.since_index <= version.0)
    }

    /// The problems of the file (an empty list when it is sound): entries
    /// without a source, unknown or unordered versions, an identity, footer
    /// or trailer claimed by two entries, malformed footers.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (i, v) in self.versions.iter().enumerate() {
            if self.versions[..i].contains(v) {
                problems.push(format!("version {v} listed twice"));
            }
        }
        // What each string is claimed as: (tool, kind, entry).
        let mut claimed: std::collections::HashMap<String, (String, &str, String)> =
            std::collections::HashMap::new();
        let mut last_since = 0;
        for e in &self.tools {
            let who = format!("{} ({})", e.tool, e.since);
            match self.versions.iter().position(|v| *v == e.since) {
                Some(i) if i < last_since => {
                    problems.push(format!("{who}: entries are not in version order"));
                }
                Some(i) => last_since = i,
                None => problems.push(format!("{who}: unknown version {}", e.since)),
            }
            if e.sources.is_empty() {
                problems.push(format!("{who}: no source"));
            }
            for s in &e.sources {
                if !s.starts_with("https://") || s.contains(char::is_whitespace) {
                    problems.push(format!("{who}: source is not an https URL: {s}"));
                }
            }
            if e.forms.is_empty() {
                problems.push(format!("{who}: no forms to check the entry by"));
            }
            if e.bases.is_empty() != e.words.is_empty() {
                problems.push(format!("{who}: bases and words go together"));
            }
            if e.bot_domains.is_empty() != e.mailbox_words.is_empty() {
                problems.push(format!("{who}: bot_domains and mailbox_words go together"));
            }
            for f in &e.footers {
                if !f.contains(" with ") {
                    problems.push(format!("{who}: footer `{f}` is not `<lead> with <tool>`"));
                }
            }
            for t in &e.trailers {
                if !t.contains(':') {
                    problems.push(format!("{who}: trailer `{t}` has no `:`"));
                }
            }
            let kinds: [(&str, &[String]); 9] = [
                ("name", &e.names),
                ("name suffix", &e.name_suffixes),
                ("name prefix", &e.name_prefixes),
                ("e-mail", &e.emails),
                ("domain", &e.domains),
                ("login", &e.logins),
                ("substring", &e.contains),
                ("footer", &e.footers),
                ("trailer", &e.trailers),
            ];
            // A string may be, say, both a name and a login of one tool
            // (`copilot`), never anything of two tools, nor the same kind
            // twice.
            for (kind, items) in kinds {
                for item in items {
                    let key = normalize(item);
                    match claimed.get(&key) {
                        Some((tool, first_kind, first))
                            if *tool != e.tool || *first_kind == kind =>
                        {
                            problems.push(format!(
                                "{who}: {kind} `{item}` is already claimed by {first}"
                            ));
                        }
                        Some(_) => {}
                        None => {
                            claimed.insert(key, (e.tool.clone(), kind, who.clone()));
                        }
                    }
                }
            }
        }
        problems
    }
}

/// Lower-case, trim and collapse whitespace runs into one space.
pub(super) fn normalize(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Entry {
    fn normalize(&mut self) {
        for list in [
            &mut self.names,
            &mut self.bases,
            &mut self.words,
            &mut self.name_suffixes,
            &mut self.name_prefixes,
            &mut self.emails,
            &mut self.domains,
            &mut self.bot_domains,
            &mut self.mailbox_words,
            &mut self.logins,
            &mut self.contains,
            &mut self.footers,
        ] {
            for item in list.iter_mut() {
                *item = normalize(item);
            }
        }
    }

    /// Whether the identity (normalized `name` and `email`, split into
    /// `mailbox` and `domain`; `login` at GitHub's no-reply domain) is
    /// this entry's tool.
    pub(super) fn identity_matches(
        &self,
        name: &str,
        email: &str,
        mailbox: &str,
        domain: &str,
        login: Option<&str>,
    ) -> bool {
        let has = |list: &[String], s: &str| list.iter().any(|x| x == s);
        if self
            .name_suffixes
            .iter()
            .any(|s| name.ends_with(s.as_str()))
            || self
                .name_prefixes
                .iter()
                .any(|p| name.starts_with(p.as_str()))
        {
            return true;
        }
        if has(&self.names, name) || has(&self.logins, name) {
            return true;
        }
        if login.is_some_and(|l| has(&self.logins, l)) {
            return true;
        }
        if self
            .bases
            .iter()
            .any(|base| base_with_word(name, base, &self.words))
        {
            return true;
        }
        if !email.is_empty() {
            if has(&self.emails, email) || has(&self.domains, domain) {
                return true;
            }
            if has(&self.bot_domains, domain)
                && self
                    .mailbox_words
                    .iter()
                    .any(|w| mailbox.contains(w.as_str()))
            {
                return true;
            }
        }
        self.contains
            .iter()
            .any(|c| name.contains(c.as_str()) || email.contains(c.as_str()))
    }

    /// Whether a message line (normalized, leading decoration skipped) is
    /// one of this entry's footers.
    pub(super) fn footer_matches(&self, text: &str) -> bool {
        self.footers.iter().any(|footer| {
            let Some((lead, phrase)) = footer.split_once(" with ") else {
                return false;
            };
            let Some(rest) = text
                .strip_prefix(lead)
                .and_then(|r| r.strip_prefix(" with "))
            else {
                return false;
            };
            let rest = rest.trim_start_matches(['[', ' ', '*', '_', '`']);
            rest.strip_prefix(phrase)
                // A whole word: `Cursor`, `Cursor.`, `[Cursor](...)`, not `Cursory`.
                .is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric()))
        })
    }

    /// Whether `key: value` (trimmed) is one of this entry's trailers:
    /// the key compared ASCII-case-insensitively as git compares trailer
    /// keys, the value (when the database gives one) case-insensitively.
    pub(super) fn trailer_matches(&self, key: &[u8], value: &[u8]) -> bool {
        self.trailers.iter().any(|t| {
            let Some((k, v)) = t.split_once(':') else {
                return false;
            };
            let v = v.trim();
            key.eq_ignore_ascii_case(k.trim().as_bytes())
                && if v.is_empty() {
                    !value.trim_ascii().is_empty()
                } else {
                    value.trim_ascii().eq_ignore_ascii_case(v.as_bytes())
                }
        })
    }

    /// The first words of the footers' leads (`generated`, `made`): a line
    /// without one of them holds no footer.
    pub(super) fn footer_lead_words(&self) -> impl Iterator<Item = &str> {
        self.footers.iter().filter_map(|f| f.split(' ').next())
    }
}

/// `name` is `base` followed by a word from `words` or a version number
/// (`claude opus 4`, `gemini 2.5 pro`), but not `claude monet`.
fn base_with_word(name: &str, base: &str, words: &[String]) -> bool {
    let Some(rest) = name.strip_prefix(base) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix(' ') else {
        return false;
    };
    let word = rest.split([' ', '-']).next().unwrap_or("");
    word.starts_with(|c: char| c.is_ascii_digit()) || words.iter().any(|w| w == word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_is_sound() {
        let db = database();
        assert_eq!(db.problems(), Vec::<String>::new());
        assert_eq!(
            Version::parse("2026.11").map(Version::as_str),
            Some("2026.11")
        );
        assert_eq!(Version::latest().as_str(), "2026.12");
        assert_eq!(Version::parse("2026.1"), None);
        assert_eq!(Version::parse("2027.01"), None);
    }

    #[test]
    fn problems_are_found() {
        let text = "versions: [\"1\", \"1\"]\ntools:\n  - tool: A\n    since: \"2\"\n    sources: []\n    logins: [x]\n    footers: [nothing]\n    trailers: [Key]\n  - tool: B\n    since: \"1\"\n    sources: [ftp://x]\n    logins: [X]\n    names: [y]\n    forms: [x]\n  - tool: A\n    since: \"1\"\n    sources: [https://x]\n    names: [Y]\n    logins: [x]\n    forms: [x]\n";
        let mut db: Database = serde_saphyr::from_str(text).unwrap();
        db.index();
        let problems = db.problems();
        let want = [
            "version 1 listed twice",
            "A (2): unknown version 2",
            "A (2): no source",
            "A (2): no forms to check the entry by",
            "A (2): footer `nothing` is not `<lead> with <tool>`",
            "A (2): trailer `Key` has no `:`",
            "B (1): source is not an https URL: ftp://x",
            "B (1): login `x` is already claimed by A (2)",
            "A (1): name `y` is already claimed by B (1)",
            "A (1): login `x` is already claimed by A (2)",
        ];
        for w in want {
            assert!(problems.iter().any(|p| p == w), "{w} not in {problems:#?}");
        }
    }

    #[test]
    fn pinned_versions_see_only_their_entries() {
        let db = database();
        let old = Version::parse("2026.11").unwrap();
        let tools: Vec<&str> = db.entries_at(old).map(|e| e.tool.as_str()).collect();
        assert_eq!(
            tools,
            ["Claude", "Copilot", "Codex", "Cursor", "aider", "Devin", "Gemini", "Jules"]
        );
        assert!(db.entries_at(Version::latest()).count() > tools.len());
    }
}
