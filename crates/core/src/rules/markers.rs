//! Markers: evidence of AI use in a commit, by the signature database
//! ([`super::signatures`]) as of the policy's `markers.builtin` version;
//! its identities are shared with the `ai-signoff` rule.
//!
//! How identities are compared is documented on [`ai_tool`].
//!
//! # Where markers are looked for
//!
//! - `Co-authored-by:` lines **anywhere in the log message** (not only in the
//!   trailer block): a co-author line git does not read as a trailer (in the
//!   body of a squash merge, in a second-to-last paragraph) is still
//!   evidence. The key is compared ASCII-case-insensitively after trimming
//!   whitespace around it, like git compares trailer keys.
//! - `Signed-off-by:` lines naming an AI identity, likewise: besides being
//!   `ai-signoff`, an AI that signs off was used, so the commit is
//!   AI-assisted (and the tier rules apply to it).
//! - Body lines `Generated with [Claude Code]`, `Made with Cursor` and the
//!   database's other footers, with or without a leading `🤖` (any leading
//!   punctuation or symbols are skipped), case-insensitive, any amount of
//!   whitespace.
//! - The tools' own trailers (`Replit-Commit-Author: Agent`,
//!   `Amp-Thread-ID: ...`) on any line of the log message, keys compared
//!   ASCII-case-insensitively as git compares trailer keys.
//! - The author's and committer's identities.
//!
//! The "log message" ends at a `---` divider unless the message is parsed
//! with `--no-divider` semantics (as committed messages are): below a
//! divider is a patch, whose quoted lines are not the commit's own words.

use super::signatures::{self, normalize, Version};
use super::{display_text, lines_of, Line};
use crate::message::trailer::Trailer;
use crate::policy::{MarkerField, Policy};
use crate::rules::{CommitFacts, MarkerHit};

/// GitHub's no-reply mail domain (`[<id>+]<login>@users.noreply.github.com`).
const GITHUB_NOREPLY: &str = "users.noreply.github.com";

/// The AI tool an identity (`name`, `email`; bytes as git stores them)
/// belongs to, by the latest signature database
/// ([`super::signatures`], `crates/core/signatures.yaml`); `None` for
/// anyone else.
///
/// Names are compared after trimming, collapsing runs of whitespace into one
/// space and lower-casing; e-mail addresses after trimming and lower-casing.
/// A name suffix or prefix (`Jane (aider)`) decides first; then the entries
/// in database order: whole names, logins (as the name, or as
/// `[<id>+]<login>@users.noreply.github.com`), a base name followed by a
/// model word or a version (`Claude Opus 4`), exact addresses, whole
/// domains, mailbox words at a vendor's domain, substrings.
///
/// Deliberately *not* matched, to keep humans out: any other address at
/// `anthropic.com`, `openai.com`, `google.com`, `cursor.com` or the newer
/// vendors' domains (employees co-author open source too), first names
/// that are also tool names when followed by something that is not a model
/// or product word (`Claude Monet`, `Devin Smith`, `Jules Verne`), and tool
/// names that are also words or names (`Amp`, `Continue`, `Cody`, `Junie`):
/// those tools are matched by address or app account only. A human whose
/// whole name is `Claude`, `Gemini`, `Copilot`, `Codex` or `Cursor` is
/// matched: that is indistinguishable from how the tools sign.
pub fn ai_tool(name: &[u8], email: &[u8]) -> Option<&'static str> {
    ai_tool_at(Version::latest(), name, email)
}

/// [`ai_tool`] by the signature database as of `version` (a policy's
/// `markers.builtin` pin).
pub fn ai_tool_at(version: Version, name: &[u8], email: &[u8]) -> Option<&'static str> {
    // The same few people author, commit and sign off most commits of a
    // history: remember the answer per thread (bounded), it depends on
    // nothing but the identity and the version.
    type Seen = std::collections::HashMap<(Version, Vec<u8>, Vec<u8>), Option<&'static str>>;
    thread_local! {
        static SEEN: std::cell::RefCell<Seen> = std::cell::RefCell::new(Seen::new());
    }
    let key = (version, name.to_vec(), email.to_vec());
    if let Some(answer) = SEEN.with(|seen| seen.borrow().get(&key).copied()) {
        return answer;
    }
    let answer = ai_tool_uncached(version, name, email);
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        if seen.len() >= 1024 {
            seen.clear();
        }
        seen.insert(key, answer);
    });
    answer
}

fn ai_tool_uncached(version: Version, name: &[u8], email: &[u8]) -> Option<&'static str> {
    let name = normalize(&String::from_utf8_lossy(name));
    let email = normalize(&String::from_utf8_lossy(email));
    let db = signatures::database();
    // A name suffix or prefix (aider marks the commits it makes by suffixing
    // the author's name) decides before anything else.
    if let Some(entry) = db.entries_at(version).find(|e| {
        e.name_suffixes.iter().any(|s| name.ends_with(s.as_str()))
            || e.name_prefixes.iter().any(|p| name.starts_with(p.as_str()))
    }) {
        return Some(entry.tool.as_str());
    }
    let (mailbox, domain) = email.rsplit_once('@').unwrap_or(("", ""));
    // `12345+login` or `login` at GitHub's no-reply domain.
    let login = if domain == GITHUB_NOREPLY {
        Some(mailbox.split_once('+').map_or(mailbox, |(_, l)| l))
    } else {
        None
    };
    db.entries_at(version)
        .find(|e| e.identity_matches(&name, &email, mailbox, domain, login))
        .map(|e| e.tool.as_str())
}

/// Split `Name <email>` (as in a trailer value or an identity line) into
/// name and e-mail; without angle brackets the whole text is the name.
pub(crate) fn split_identity(value: &[u8]) -> (&[u8], &[u8]) {
    let open = value.iter().position(|&b| b == b'<');
    let close = value.iter().rposition(|&b| b == b'>');
    match (open, close) {
        (Some(o), Some(c)) if o < c => (value[..o].trim_ascii(), value[o + 1..c].trim_ascii()),
        _ => (value.trim_ascii(), &[]),
    }
}

/// The tool whose footer (`Generated with [Claude Code](...)`, `Made with
/// Cursor`) a body line is, by the database as of `version`.
fn footer_tool(version: Version, line: &str) -> Option<&'static str> {
    // Skip the robot emoji, bullets, quotes and other leading decoration.
    let text = normalize(line.trim_start_matches(|c: char| !c.is_alphanumeric()));
    signatures::database()
        .entries_at(version)
        .find(|e| e.footer_matches(&text))
        .map(|e| e.tool.as_str())
}

/// The tool whose own trailer (`Replit-Commit-Author: Agent`) `key: value`
/// is, by the database as of `version`.
fn trailer_tool(version: Version, key: &[u8], value: &[u8]) -> Option<&'static str> {
    signatures::database()
        .entries_at(version)
        .find(|e| e.trailer_matches(key, value))
        .map(|e| e.tool.as_str())
}

/// The first words of every footer's lead at `version` (`generated`,
/// `made`), lower case: a cheap filter before the full comparison.
fn footer_leads(version: Version) -> Vec<&'static str> {
    let mut leads: Vec<&'static str> = signatures::database()
        .entries_at(version)
        .flat_map(signatures::Entry::footer_lead_words)
        .collect();
    leads.sort_unstable();
    leads.dedup();
    leads
}

/// Whether `needle` occurs in `haystack`, ignoring ASCII case.
fn contains_ignore_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    // Candidates start with the first byte in either case (a byte search).
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    memchr::memchr2_iter(lower, upper, haystack).any(|i| {
        haystack
            .get(i + 1..i + 1 + rest.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(rest))
    })
}

/// `key: value` of a line: the text before the first `:` or fullwidth
/// `：` (trimmed of whitespace, as git trims keys) and after it.
fn colon_split(text: &[u8]) -> Option<(&[u8], &[u8])> {
    const FULLWIDTH: &[u8] = "\u{ff1a}".as_bytes();
    let ascii = memchr::memchr(b':', text);
    // Only where the line can hold one before the ASCII colon (most lines
    // hold none: a byte search, not a comparison per position).
    let full = super::find_fullwidth_colon(&text[..ascii.unwrap_or(text.len())]);
    let (end, len) = match (ascii, full) {
        (Some(a), Some(f)) if f < a => (f, FULLWIDTH.len()),
        (Some(a), _) => (a, 1),
        (None, Some(f)) => (f, FULLWIDTH.len()),
        (None, None) => return None,
    };
    Some((text[..end].trim_ascii(), text[end + len..].trim_ascii()))
}

/// All markers in a commit. `log_end` is where the log message proper ends
/// (a `---` divider), `trailers` are the parsed trailers.
pub(super) fn find(
    policy: &Policy,
    facts: &CommitFacts,
    trailers: &[Trailer],
    log_end: usize,
) -> Vec<MarkerHit> {
    let mut hits = Vec::new();
    let message = &facts.message;
    let lines: Vec<Line<'_>> = lines_of(message)
        .take_while(|l| l.start < log_end)
        .collect();
    if policy.markers.builtin {
        let version = policy.markers.version();
        let leads = footer_leads(version);
        // A set: a message can hold many thousands of co-author lines.
        let mut identity_lines = std::collections::HashSet::new();
        for line in &lines {
            if let Some((key, value)) = colon_split(line.text) {
                if let Some(label) = identity_key(key) {
                    identity_lines.insert(line.no);
                    identity_hit(&mut hits, version, label, value, Some(line.no));
                    continue;
                }
                if let Some(tool) = trailer_tool(version, key, value) {
                    hits.push(MarkerHit {
                        evidence: format!("\"{}\" ({tool})", display_text(line.text)),
                        line: Some(line.no),
                    });
                    continue;
                }
            }
            // Cheap filter first: most lines never mention a footer's lead.
            if !leads
                .iter()
                .any(|lead| contains_ignore_ascii_case(line.text, lead.as_bytes()))
            {
                continue;
            }
            let text = String::from_utf8_lossy(line.text);
            if let Some(tool) = footer_tool(version, &text) {
                hits.push(MarkerHit {
                    evidence: format!("\"{}\" ({tool})", display_text(line.text)),
                    line: Some(line.no),
                });
            }
        }
        // A trailer folded over continuation lines is only whole in the
        // parsed trailer.
        for t in trailers {
            if let Some(label) = identity_key(&t.key) {
                if !identity_lines.contains(&t.line) {
                    identity_hit(&mut hits, version, label, &t.value, Some(t.line));
                }
            }
        }
        let identities = [("author", &facts.author), ("committer", &facts.committer)]
            .into_iter()
            .chain(
                facts
                    .other_identities
                    .iter()
                    .map(|(role, who)| (*role, who)),
            );
        for (role, who) in identities {
            if let Some(tool) = ai_tool_at(version, &who.name, &who.email) {
                hits.push(MarkerHit {
                    evidence: format!("{role} {} ({tool})", identity_text(&who.name, &who.email)),
                    line: None,
                });
            }
        }
    }
    for extra in &policy.markers.extra {
        match extra.field {
            MarkerField::Message => {
                for line in &lines {
                    if extra.regex.is_match(&String::from_utf8_lossy(line.text)) {
                        hits.push(MarkerHit {
                            evidence: format!(
                                "\"{}\" (matches /{}/)",
                                display_text(line.text),
                                extra.regex.as_str()
                            ),
                            line: Some(line.no),
                        });
                    }
                }
            }
            MarkerField::Author | MarkerField::Committer => {
                let (role, who) = if extra.field == MarkerField::Author {
                    ("author", &facts.author)
                } else {
                    ("committer", &facts.committer)
                };
                let ident = format!(
                    "{} <{}>",
                    String::from_utf8_lossy(&who.name),
                    String::from_utf8_lossy(&who.email)
                );
                if extra.regex.is_match(&ident) {
                    hits.push(MarkerHit {
                        evidence: format!(
                            "{role} {} (matches /{}/)",
                            identity_text(&who.name, &who.email),
                            extra.regex.as_str()
                        ),
                        line: None,
                    });
                }
            }
        }
    }
    hits
}

/// Trailer keys whose value is an identity that is evidence when it is an
/// AI's; the canonical spelling for evidence. Disguised spellings count
/// too (`Cо-authored-by` with a Cyrillic `о`, a zero-width space, `_` for
/// `-`: see [`super::near_miss`]): git and forges do not read them as
/// co-authors, but the AI identity in them is still evidence.
fn identity_key(key: &[u8]) -> Option<&'static str> {
    const KEYS: [&str; 2] = ["Co-authored-by", "Signed-off-by"];
    if let Some(k) = KEYS
        .into_iter()
        .find(|k| key.eq_ignore_ascii_case(k.as_bytes()))
    {
        return Some(k);
    }
    // Checked for every `key: value` line of every message: the key is
    // folded once and compared with the keys' folds, computed once.
    static FOLDED: std::sync::OnceLock<[super::near_miss::Folded; 2]> = std::sync::OnceLock::new();
    let folded = FOLDED.get_or_init(|| KEYS.map(super::near_miss::Folded::of_target));
    let key = String::from_utf8_lossy(key);
    let key = super::near_miss::Folded::of_key(&key, KEYS[0].len().max(KEYS[1].len()))?;
    KEYS.into_iter()
        .zip(folded)
        .find(|(_, target)| key.matches(target))
        .map(|(k, _)| k)
}

fn identity_hit(
    hits: &mut Vec<MarkerHit>,
    version: Version,
    label: &str,
    value: &[u8],
    line: Option<usize>,
) {
    let (name, email) = split_identity(value);
    if let Some(tool) = ai_tool_at(version, name, email) {
        hits.push(MarkerHit {
            evidence: format!("{label}: {} ({tool})", display_text(value)),
            line,
        });
    }
}

/// `Name <email>` for messages.
pub(super) fn identity_text(name: &[u8], email: &[u8]) -> String {
    format!("{} <{}>", display_text(name), display_text(email))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_table() {
        // (name, email, expected tool)
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("Claude", "noreply@anthropic.com", Some("Claude")),
            ("claude", "", Some("Claude")),
            ("Claude Opus 4.1", "x@example.com", Some("Claude")),
            ("Claude Sonnet 4.5", "", Some("Claude")),
            ("Claude  Code", "", Some("Claude")),
            ("Anyone", "NoReply@Anthropic.com", Some("Claude")),
            (
                "claude[bot]",
                "209825114+claude[bot]@users.noreply.github.com",
                Some("Claude"),
            ),
            (
                "Bot",
                "209825114+claude[bot]@users.noreply.github.com",
                Some("Claude"),
            ),
            (
                "Copilot",
                "175728472+Copilot@users.noreply.github.com",
                Some("Copilot"),
            ),
            ("Someone", "copilot@github.com", Some("Copilot")),
            ("GitHub Copilot", "", Some("Copilot")),
            (
                "copilot-swe-agent[bot]",
                "198982749+Copilot@users.noreply.github.com",
                Some("Copilot"),
            ),
            ("Codex", "codex@openai.com", Some("Codex")),
            ("OpenAI Codex", "", Some("Codex")),
            ("Bot", "noreply@openai.com", Some("Codex")),
            ("chatgpt-codex-connector[bot]", "", Some("Codex")),
            ("Cursor Agent", "cursoragent@cursor.com", Some("Cursor")),
            ("Anyone", "CursorAgent@cursor.com", Some("Cursor")),
            (
                "cursor[bot]",
                "206951365+cursor[bot]@users.noreply.github.com",
                Some("Cursor"),
            ),
            ("aider (gpt-4o)", "noreply@aider.chat", Some("aider")),
            ("Jane Doe (aider)", "jane@example.com", Some("aider")),
            ("Jane Doe  (aider) ", "jane@example.com", Some("aider")),
            ("Anyone", "aider@aider.chat", Some("aider")),
            (
                "Devin AI",
                "158243242+devin-ai-integration[bot]@users.noreply.github.com",
                Some("Devin"),
            ),
            ("devin-ai-integration[bot]", "", Some("Devin")),
            ("Gemini", "gemini@google.com", Some("Gemini")),
            ("Gemini", "noreply@google.com", Some("Gemini")),
            ("Gemini Code Assist", "", Some("Gemini")),
            (
                "gemini-code-assist[bot]",
                "176961590+gemini-code-assist[bot]@users.noreply.github.com",
                Some("Gemini"),
            ),
            ("Bot", "gemini-code-assist@google.com", Some("Gemini")),
            (
                "google-labs-jules[bot]",
                "161369871+google-labs-jules[bot]@users.noreply.github.com",
                Some("Jules"),
            ),
            // Humans.
            ("Jane Doe", "jane@google.com", None),
            ("Jane Doe", "jane@anthropic.com", None),
            ("Sam", "sam@openai.com", None),
            ("Ann", "ann@cursor.com", None),
            ("Claude Monet", "claude@monet.fr", None),
            ("Devin Smith", "devin@example.com", None),
            ("Jules Verne", "jules@example.com", None),
            ("Jane Doe", "12345+janedoe@users.noreply.github.com", None),
            (
                "dependabot[bot]",
                "49699333+dependabot[bot]@users.noreply.github.com",
                None,
            ),
            ("", "", None),
        ];
        for (name, email, want) in cases {
            assert_eq!(
                ai_tool(name.as_bytes(), email.as_bytes()),
                *want,
                "{name} <{email}>"
            );
        }
    }

    #[test]
    fn identity_non_utf8() {
        assert_eq!(ai_tool(b"\xff\xfe (aider)", b"\xff"), Some("aider"));
        assert_eq!(ai_tool(b"\xff\xfe", b"\xff@\xfe"), None);
    }

    #[test]
    fn generated_with_lines() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
                Some("Claude"),
            ),
            (
                "Generated with [Claude Code](https://claude.ai/code)",
                Some("Claude"),
            ),
            ("generated   with  claude code", Some("Claude")),
            ("  🤖  Generated with Cursor", Some("Cursor")),
            ("Generated with Cursor.", Some("Cursor")),
            (
                "🤖 Generated with [Cursor](https://cursor.com)",
                Some("Cursor"),
            ),
            ("Generated with GitHub Copilot", Some("Copilot")),
            ("Generated with Cursory glance", None),
            ("Generated with care", None),
            ("This was not generated with anything", None),
            ("", None),
        ];
        for (line, want) in cases {
            assert_eq!(footer_tool(Version::latest(), line), *want, "{line}");
        }
    }

    #[test]
    fn split_identities() {
        assert_eq!(
            split_identity(b" Claude  <noreply@anthropic.com> "),
            (&b"Claude"[..], &b"noreply@anthropic.com"[..])
        );
        assert_eq!(split_identity(b"Claude"), (&b"Claude"[..], &b""[..]));
        assert_eq!(split_identity(b"a > b <"), (&b"a > b <"[..], &b""[..]));
    }
}

#[cfg(test)]
mod database_tests {
    use super::*;

    /// The tool a database `forms` line is detected as at `version`: an
    /// identity line (`Author:`, `Co-authored-by:`) by its identity, any
    /// other line as a tool trailer or footer.
    fn form_tool(version: Version, form: &str) -> Option<&'static str> {
        if let Some((key, value)) = colon_split(form.as_bytes()) {
            if key.eq_ignore_ascii_case(b"author") || identity_key(key).is_some() {
                let (name, email) = split_identity(value);
                return ai_tool_at(version, name, email);
            }
            if let Some(tool) = trailer_tool(version, key, value) {
                return Some(tool);
            }
        }
        footer_tool(version, form)
    }

    #[test]
    fn every_form_is_detected_as_its_tool_from_its_version_on() {
        let db = signatures::database();
        for entry in &db.tools {
            let since = Version::parse(&entry.since).expect("known version");
            for form in &entry.forms {
                for version in Version::known() {
                    let got = form_tool(version, form);
                    if version >= since {
                        assert_eq!(got, Some(entry.tool.as_str()), "{form} at {version}");
                    } else {
                        assert_eq!(got, None, "{form} at {version}, before {since}");
                    }
                }
            }
        }
    }

    #[test]
    fn look_alikes_are_not_tools() {
        let latest = Version::latest();
        // (name, email): humans and bots that only look like the tools.
        let humans: &[(&str, &str)] = &[
            ("Claude Dioudonnat", "claude@dioudonnat.fr"),
            ("Claude Paroz", "claude@2xlibre.net"),
            ("Devin Jones", "devin@example.org"),
            ("Jules Verne", "jules@example.com"),
            ("Cody Allen", "cody@example.com"),
            ("Cody", "cody.allen@example.com"),
            ("Junie Moon", "junie@example.com"),
            ("Amp", "amp@example.com"),
            ("Amp Kumar", "amp.kumar@example.in"),
            ("Continue", "someone@example.com"),
            (
                "localai-org-maint-bot",
                "localai-org-maint-bot@users.noreply.github.com",
            ),
            (
                "localai-org-maint-bot[bot]",
                "1+localai-org-maint-bot[bot]@users.noreply.github.com",
            ),
            ("cline-fan", "12+cline-fan@users.noreply.github.com"),
            ("Sam Altman", "sam@openai.com"),
            ("Jules Doe", "jules@openai.com"),
            ("Quinn", "quinn@ampcode.com"),
            ("Christian", "christian@charm.land"),
            ("Jane", "jane@all-hands.dev"),
            ("Jane", "jane@codebuff.com"),
            ("Jane", "jane@opencode.ai"),
            ("Jane", "jane@alibabacloud.com"),
            (
                "renovate[bot]",
                "29139614+renovate[bot]@users.noreply.github.com",
            ),
        ];
        for (name, email) in humans {
            assert_eq!(
                ai_tool_at(latest, name.as_bytes(), email.as_bytes()),
                None,
                "{name} <{email}>"
            );
        }
        // Lines that mention a tool's word without being its footer or trailer.
        let lines = [
            "Continue with the rest of the migration",
            "Generated with continue-on-error set",
            "Made with care",
            "Made with Cursory review",
            "Replit-Commit-Author: Jane Doe",
            "Amp-Thread-ID:",
            "The amp thread is in the ticket",
            "Generated with Codebuffer",
        ];
        for line in lines {
            assert_eq!(form_tool(latest, line), None, "{line}");
        }
    }
}
