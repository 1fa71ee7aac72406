//! Markers: evidence of AI use in a commit, and the table of AI identities
//! shared with the `ai-signoff` rule.
//!
//! The identity table is documented on [`ai_tool`].
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
//! - Body lines `Generated with [Claude Code]`, `Generated with Cursor` and
//!   the like, with or without a leading `🤖` (any leading punctuation or
//!   symbols are skipped), case-insensitive, any amount of whitespace.
//! - The author's and committer's identities.
//!
//! The "log message" ends at a `---` divider unless the message is parsed
//! with `--no-divider` semantics (as committed messages are): below a
//! divider is a patch, whose quoted lines are not the commit's own words.

use super::{display_text, lines_of, Line};
use crate::policy::{MarkerField, Policy};
use crate::rules::{CommitFacts, MarkerHit};
use crate::trailer::Trailer;

/// One AI tool the builtin markers know.
struct Tool {
    /// Display name, used in evidence.
    name: &'static str,
    /// Whole names (normalized) that are the tool.
    names: &'static [&'static str],
    /// Base names that, followed by a model or product word from `words`
    /// (or a word starting with a digit: a version), are the tool.
    bases: &'static [&'static str],
    /// Words accepted after a base name.
    words: &'static [&'static str],
    /// Exact e-mail addresses.
    emails: &'static [&'static str],
    /// Mail domains where every address is the tool.
    domains: &'static [&'static str],
    /// Mail domains where an address is the tool when its mailbox contains
    /// one of `mailbox_words` (bot mailboxes at big employers' domains).
    bot_domains: &'static [&'static str],
    /// See `bot_domains`.
    mailbox_words: &'static [&'static str],
    /// GitHub logins (lower case; `[bot]` included for apps).
    logins: &'static [&'static str],
    /// Substrings of name or e-mail that identify the tool.
    contains: &'static [&'static str],
}

/// The builtin identity table (see the module documentation).
const TOOLS: &[Tool] = &[
    Tool {
        name: "Claude",
        names: &["claude", "claude code", "anthropic claude"],
        bases: &["claude"],
        words: &["code", "opus", "sonnet", "haiku", "instant", "ai"],
        emails: &["noreply@anthropic.com", "claude@anthropic.com"],
        domains: &[],
        bot_domains: &["anthropic.com"],
        mailbox_words: &["claude"],
        logins: &["claude[bot]"],
        contains: &[],
    },
    Tool {
        name: "Copilot",
        names: &["copilot", "github copilot"],
        bases: &["copilot", "github copilot"],
        words: &["agent", "coding", "swe", "chat", "workspace"],
        emails: &["copilot@github.com"],
        domains: &[],
        bot_domains: &[],
        mailbox_words: &[],
        logins: &["copilot", "copilot[bot]", "copilot-swe-agent[bot]"],
        contains: &["copilot-swe-agent"],
    },
    Tool {
        name: "Codex",
        names: &["codex", "openai codex", "chatgpt codex connector"],
        bases: &["codex", "openai codex"],
        words: &["cli", "cloud", "agent"],
        emails: &["codex@openai.com", "noreply@openai.com"],
        domains: &[],
        bot_domains: &["openai.com"],
        mailbox_words: &["codex"],
        logins: &["chatgpt-codex-connector[bot]", "codex[bot]"],
        contains: &["chatgpt-codex-connector"],
    },
    Tool {
        name: "Cursor",
        names: &["cursor", "cursor agent", "cursoragent", "cursor ai"],
        bases: &[],
        words: &[],
        emails: &["cursoragent@cursor.com"],
        domains: &[],
        bot_domains: &["cursor.com", "anysphere.co"],
        mailbox_words: &["cursoragent", "agent"],
        logins: &["cursor[bot]", "cursor-agent[bot]"],
        contains: &[],
    },
    Tool {
        name: "aider",
        names: &["aider"],
        bases: &[],
        words: &[],
        emails: &[],
        domains: &["aider.chat"],
        bot_domains: &[],
        mailbox_words: &[],
        logins: &[],
        contains: &[],
    },
    Tool {
        name: "Devin",
        names: &["devin ai", "devin-ai", "devin-ai-integration"],
        bases: &[],
        words: &[],
        emails: &[],
        domains: &[],
        bot_domains: &[],
        mailbox_words: &[],
        logins: &["devin-ai-integration[bot]"],
        contains: &["devin-ai-integration"],
    },
    Tool {
        name: "Gemini",
        names: &[
            "gemini",
            "gemini code assist",
            "gemini cli",
            "google gemini",
        ],
        bases: &["gemini", "google gemini"],
        words: &["code", "cli", "pro", "flash", "ultra", "assist", "advanced"],
        emails: &[],
        domains: &[],
        bot_domains: &["google.com"],
        mailbox_words: &["gemini"],
        logins: &["gemini-code-assist[bot]", "gemini-cli[bot]"],
        contains: &["gemini-code-assist"],
    },
    Tool {
        name: "Jules",
        names: &["google-labs-jules"],
        bases: &[],
        words: &[],
        emails: &[],
        domains: &[],
        bot_domains: &["google.com"],
        mailbox_words: &["jules"],
        logins: &["google-labs-jules[bot]"],
        contains: &["google-labs-jules"],
    },
];

/// GitHub's no-reply mail domain (`[<id>+]<login>@users.noreply.github.com`).
const GITHUB_NOREPLY: &str = "users.noreply.github.com";

/// Lower-case, trim and collapse whitespace runs into one space.
fn normalize(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The AI tool an identity (`name`, `email`; bytes as git stores them)
/// belongs to, by the builtin table below; `None` for anyone else.
///
/// # Identity table
///
/// Names are compared after trimming, collapsing runs of whitespace into one
/// space and lower-casing; e-mail addresses after trimming and lower-casing.
///
/// | tool    | names                                                        | e-mail                                         | GitHub accounts (`<login>[bot]` as name, or `[<id>+]<login>@users.noreply.github.com`) |
/// |---------|--------------------------------------------------------------|------------------------------------------------|------|
/// | Claude  | `Claude`, `Claude Code`, `Claude <model>` (Opus, Sonnet, Haiku, a version) | `noreply@anthropic.com`; `anthropic.com` addresses whose mailbox names `claude` | `claude[bot]` |
/// | Copilot | `Copilot`, `GitHub Copilot`, `Copilot <agent…>`              | `copilot@github.com`                           | `Copilot`, `copilot[bot]`, `copilot-swe-agent[bot]` |
/// | Codex   | `Codex`, `OpenAI Codex`, `Codex <cli…>`                      | `noreply@openai.com`; `openai.com` addresses whose mailbox names `codex` | `chatgpt-codex-connector[bot]`, `codex[bot]` |
/// | Cursor  | `Cursor`, `Cursor Agent`, `CursorAgent`                      | `cursor.com` / `anysphere.co` addresses whose mailbox names `agent` (`cursoragent@cursor.com`) | `cursor[bot]` |
/// | aider   | `aider`, `aider (<model>)`, any name ending in `(aider)`     | any address at `aider.chat`                    | |
/// | Devin   | `Devin AI`, `devin-ai-integration`                           | any address containing `devin-ai-integration`  | `devin-ai-integration[bot]` |
/// | Gemini  | `Gemini`, `Gemini <model or product>` (Code Assist, CLI, a version) | `google.com` addresses whose mailbox names `gemini` | `gemini-code-assist[bot]`, `gemini-cli[bot]` |
/// | Jules   | `google-labs-jules`                                          | `google.com` addresses whose mailbox names `jules` | `google-labs-jules[bot]` |
///
/// Deliberately *not* matched, to keep humans out: any other address at
/// `anthropic.com`, `openai.com`, `google.com` or `cursor.com` (employees
/// co-author open source too), and first names that are also tool names
/// when followed by something that is not a model or product word
/// (`Claude Monet`, `Devin Smith`, `Jules Verne`). A human whose whole
/// name is `Claude`, `Gemini`, `Copilot`, `Codex` or `Cursor` is matched:
/// that is indistinguishable from how the tools sign.
pub fn ai_tool(name: &[u8], email: &[u8]) -> Option<&'static str> {
    // The same few people author, commit and sign off most commits of a
    // history: remember the answer per thread (bounded), it depends on
    // nothing but the identity.
    type Seen = std::collections::HashMap<(Vec<u8>, Vec<u8>), Option<&'static str>>;
    thread_local! {
        static SEEN: std::cell::RefCell<Seen> = std::cell::RefCell::new(Seen::new());
    }
    let key = (name.to_vec(), email.to_vec());
    if let Some(answer) = SEEN.with(|seen| seen.borrow().get(&key).copied()) {
        return answer;
    }
    let answer = ai_tool_uncached(name, email);
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        if seen.len() >= 1024 {
            seen.clear();
        }
        seen.insert(key, answer);
    });
    answer
}

fn ai_tool_uncached(name: &[u8], email: &[u8]) -> Option<&'static str> {
    let name = normalize(&String::from_utf8_lossy(name));
    let email = normalize(&String::from_utf8_lossy(email));
    // aider marks the commits it makes by suffixing the author's name.
    if name.ends_with("(aider)") || name.starts_with("aider (") {
        return Some("aider");
    }
    let (mailbox, domain) = email.rsplit_once('@').unwrap_or(("", ""));
    // `12345+login` or `login` at GitHub's no-reply domain.
    let login = if domain == GITHUB_NOREPLY {
        Some(mailbox.split_once('+').map_or(mailbox, |(_, l)| l))
    } else {
        None
    };
    TOOLS
        .iter()
        .find(|tool| tool_matches(tool, &name, &email, mailbox, domain, login))
        .map(|tool| tool.name)
}

fn tool_matches(
    tool: &Tool,
    name: &str,
    email: &str,
    mailbox: &str,
    domain: &str,
    login: Option<&str>,
) -> bool {
    if tool.names.contains(&name) || tool.logins.contains(&name) {
        return true;
    }
    if login.is_some_and(|l| tool.logins.contains(&l)) {
        return true;
    }
    if tool
        .bases
        .iter()
        .any(|base| base_with_word(name, base, tool.words))
    {
        return true;
    }
    if !email.is_empty() {
        if tool.emails.contains(&email) || tool.domains.contains(&domain) {
            return true;
        }
        if tool.bot_domains.contains(&domain)
            && tool.mailbox_words.iter().any(|w| mailbox.contains(w))
        {
            return true;
        }
    }
    tool.contains
        .iter()
        .any(|c| name.contains(c) || email.contains(c))
}

/// `name` is `base` followed by a word from `words` or a version number
/// (`claude opus 4`, `gemini 2.5 pro`), but not `claude monet`.
fn base_with_word(name: &str, base: &str, words: &[&str]) -> bool {
    let Some(rest) = name.strip_prefix(base) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix(' ') else {
        return false;
    };
    let word = rest.split([' ', '-']).next().unwrap_or("");
    word.starts_with(|c: char| c.is_ascii_digit()) || words.contains(&word)
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

/// What follows `Generated with` in a body line, mapped to the tool.
const GENERATED_WITH: &[(&str, &str)] = &[
    ("claude code", "Claude"),
    ("claude", "Claude"),
    ("cursor", "Cursor"),
    ("github copilot", "Copilot"),
    ("copilot", "Copilot"),
    ("codex", "Codex"),
    ("aider", "aider"),
    ("devin", "Devin"),
    ("gemini", "Gemini"),
];

/// The tool a `Generated with [Claude Code](...)` style line names.
fn generated_with(line: &str) -> Option<&'static str> {
    // Skip the robot emoji, bullets, quotes and other leading decoration.
    let text = normalize(line.trim_start_matches(|c: char| !c.is_alphanumeric()));
    let rest = text.strip_prefix("generated with ")?;
    let rest = rest.trim_start_matches(['[', ' ', '*', '_', '`']);
    GENERATED_WITH.iter().find_map(|(phrase, tool)| {
        let after = rest.strip_prefix(phrase)?;
        // A whole word: `Cursor`, `Cursor.`, `[Cursor](...)`, not `Cursory`.
        (!after.starts_with(|c: char| c.is_alphanumeric())).then_some(*tool)
    })
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
        // A set: a message can hold many thousands of co-author lines.
        let mut identity_lines = std::collections::HashSet::new();
        for line in &lines {
            if let Some((key, value)) = colon_split(line.text) {
                if let Some(label) = identity_key(key) {
                    identity_lines.insert(line.no);
                    identity_hit(&mut hits, label, value, Some(line.no));
                    continue;
                }
            }
            // Cheap filter first: most lines never mention it.
            if !contains_ignore_ascii_case(line.text, b"generated") {
                continue;
            }
            let text = String::from_utf8_lossy(line.text);
            if let Some(tool) = generated_with(&text) {
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
                    identity_hit(&mut hits, label, &t.value, Some(t.line));
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
            if let Some(tool) = ai_tool(&who.name, &who.email) {
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

fn identity_hit(hits: &mut Vec<MarkerHit>, label: &str, value: &[u8], line: Option<usize>) {
    let (name, email) = split_identity(value);
    if let Some(tool) = ai_tool(name, email) {
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
            assert_eq!(generated_with(line), *want, "{line}");
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
