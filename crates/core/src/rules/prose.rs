//! `ai-prose`: prose in a message saying a tool generated the change.
//!
//! "This test was generated with Claude AI" (a DPDK commit) is not a
//! trailer, a co-author or a tool's footer: no marker. It is still what a
//! reviewer wants to see, so it is reported as a *suspicion*: a warning
//! under its own rule code, which never fails a check, hook or push
//! unless the policy says `markers.prose: error` (and is not looked for
//! with `off`). It does not make the commit AI-assisted: prose is too
//! loose to be evidence.
//!
//! # What fires
//!
//! On each line of the log message (above a `---` divider of a patch; not
//! the lines a marker already found, such as `Generated with [Claude
//! Code]`, nor trailers git reads, nor quoted `>` lines):
//!
//! - a verb of making (`generated`, `written`, `created`, `authored`,
//!   `produced`, `drafted`, `assisted`) followed by `by`, `with`, `using`
//!   or `via`, optionally `the help of` / `the assistance of`, `an`/`a`,
//!   then a tool name: Claude, ChatGPT, GPT-4..., Copilot, Codex, Cursor,
//!   Gemini, aider, Devin, an LLM, (an) AI (assistant, tool, model);
//! - `AI-generated`, `LLM-generated`, `AI-written`, `AI-authored`,
//!   `ChatGPT-generated`, `Claude-generated`, `Copilot-generated` as one
//!   word.
//!
//! # What does not
//!
//! - the same words without a tool ("generated code is not allowed",
//!   "fixed the generator", "written by hand");
//! - text inside quotes (`"…"`, `` `…` ``, `'…'`): a changelog sentence that
//!   quotes a tool's name or footer talks about it;
//! - a tool name followed by a capitalised word that is not one of its
//!   products (`Claude Shannon`, `Devin Smith`);
//! - a line that negates or prohibits anywhere (`not`, `no`, `never`,
//!   `ban`, `forbid`, `prohibit`, `disallow`, `reject`, `without`):
//!   "AI-generated code is not allowed" talks about a rule, "not generated
//!   by Claude" denies it.

use super::Fix;
use super::{display_text, RuleCode, Violation};
use std::collections::HashSet;

/// Verbs of making, in the past participle.
const VERBS: &[&str] = &[
    "generated",
    "written",
    "created",
    "authored",
    "produced",
    "drafted",
    "assisted",
    "co-written",
    "co-authored",
];

/// Prepositions after the verb.
const LINKS: &[&str] = &["by", "with", "using", "via", "from"];

/// Words that may stand between the preposition and the tool.
const FILLERS: &[&str] = &["the", "help", "of", "assistance", "an", "a", "some", "from"];

/// Tool names (lower case, whole words; `gpt` also as `gpt-4o` etc.).
const TOOLS: &[&str] = &[
    "claude",
    "chatgpt",
    "gpt",
    "copilot",
    "codex",
    "cursor",
    "gemini",
    "aider",
    "devin",
    "llm",
    "llms",
    "ai",
    "openai",
    "anthropic",
    "deepseek",
    "qwen",
    "llama",
    "mistral",
    "windsurf",
    "cline",
    "grok",
];

/// Capitalised words accepted after a tool name (its products, models).
const PRODUCT_WORDS: &[&str] = &[
    "code",
    "ai",
    "opus",
    "sonnet",
    "haiku",
    "pro",
    "flash",
    "cli",
    "agent",
    "chat",
    "assistant",
    "desktop",
    "coder",
    "workspace",
    "model",
];

/// Negations that, on the same line, make it talk about a rule or deny
/// the use rather than report it.
const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "never",
    "ban",
    "bans",
    "banned",
    "forbid",
    "forbids",
    "forbidden",
    "prohibit",
    "prohibits",
    "prohibited",
    "disallow",
    "disallows",
    "disallowed",
    "reject",
    "rejects",
    "without",
    "isn't",
    "wasn't",
    "don't",
];

/// The `ai-prose` findings of a message. `log_end`: where the log message
/// ends (a `---` divider); `skip`: lines already found as markers or read
/// as trailers.
pub(super) fn find(message: &[u8], log_end: usize, skip: &HashSet<usize>) -> Vec<Violation> {
    let mut found = Vec::new();
    // Only the lines holding one of the verbs are read word by word: one
    // literal search over the log message finds them (a 10 MB message
    // must not cost a word split, or even a call, per line).
    let text = message.get(..log_end).unwrap_or(message);
    let lower = text.to_ascii_lowercase();
    let mut hits: Vec<usize> = STEMS
        .iter()
        .flat_map(|stem| memchr::memmem::find_iter(&lower, stem))
        .collect();
    hits.sort_unstable();
    let (mut counted_to, mut line_no, mut next_line) = (0, 0, 0);
    for hit in hits {
        if hit < next_line {
            continue;
        }
        let start = memchr::memrchr(b'\n', &text[..hit]).map_or(0, |p| p + 1);
        let end = memchr::memchr(b'\n', &text[hit..]).map_or(text.len(), |p| hit + p);
        line_no += memchr::memchr_iter(b'\n', &text[counted_to..start]).count();
        counted_to = start;
        next_line = end + 1;
        let line = &text[start..end];
        if skip.contains(&line_no)
            || line.trim_ascii_start().starts_with(b">")
            || looks_like_trailer(line)
        {
            continue;
        }
        if let Some(phrase) = phrase(&String::from_utf8_lossy(line)) {
            found.push(Violation {
                rule: RuleCode::AiProse,
                message: format!(
                    "the message says a tool generated the change: \"{}\" (\"{}\")",
                    display_text(line),
                    phrase
                ),
                tier: None,
                paths: Vec::new(),
                line: Some(line_no),
                fix: Fix::Sentence("If an AI tool was used, declare it with the policy's declaration trailer (`tiergate fix` writes it); otherwise reword the sentence.".to_owned()),
            });
        }
    }
    found
}

/// What every word of [`VERBS`] (and so every `AI-generated`-style word)
/// contains, in lower case.
const STEMS: [&[u8]; 7] = [
    b"generat", b"writ", b"creat", b"author", b"produc", b"draft", b"assist",
];

/// `Key: value` with a key of one word (`AI_Assisted_by: claude`,
/// `Generated-by: copilot`): a trailer-like line, which the declaration
/// rules (`misplaced-declaration`, `near-miss-key`) judge, not prose.
fn looks_like_trailer(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return false;
    };
    let key = line[..colon].trim_ascii();
    if key.is_empty() {
        return false;
    }
    if !key.iter().any(u8::is_ascii_whitespace) {
        return true;
    }
    // `AI Assisted by: claude` (a near-miss key, judged by `near-miss-key`):
    // a few words ending in a preposition, then the colon.
    let words: Vec<&[u8]> = key
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty())
        .collect();
    words.len() <= 4
        && words
            .last()
            .is_some_and(|w| LINKS.iter().any(|l| w.eq_ignore_ascii_case(l.as_bytes())))
}

/// The phrase of `line` that says a tool generated the change.
fn phrase(line: &str) -> Option<String> {
    let unquoted = without_quotes(line);
    // Words with their original spelling (for capitalisation), split on
    // whitespace and punctuation other than `-` and `'`.
    let words: Vec<&str> = unquoted
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'' || c == '.'))
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    for i in 0..words.len() {
        let negated = || lower.iter().any(|w| NEGATIONS.contains(&w.as_str()));
        // `AI-generated`, `Claude-written`, ...
        if let Some((tool, verb)) = lower[i].split_once('-') {
            if ["ai", "llm", "chatgpt", "claude", "copilot", "gpt"].contains(&tool)
                && VERBS.contains(&verb)
            {
                if negated() {
                    return None;
                }
                return Some(words[i].to_owned());
            }
        }
        if !VERBS.contains(&lower[i].as_str()) {
            continue;
        }
        // Optional adverb (`entirely`, `partly`, `mostly`, ...).
        let mut j = i + 1;
        if lower.get(j).is_some_and(|w| w.ends_with("ly")) {
            j += 1;
        }
        if !lower.get(j).is_some_and(|w| LINKS.contains(&w.as_str())) {
            continue;
        }
        j += 1;
        while lower.get(j).is_some_and(|w| FILLERS.contains(&w.as_str())) {
            j += 1;
        }
        let Some(tool) = lower.get(j) else { continue };
        let is_tool = TOOLS.contains(&tool.as_str())
            || (tool.starts_with("gpt-") || tool.starts_with("o1") || tool.starts_with("o3"));
        if !is_tool {
            continue;
        }
        // `Claude Shannon`: a capitalised word after the name that is not
        // one of the tool's products is a person's surname.
        if let Some(next) = words.get(j + 1) {
            let capitalised = next.chars().next().is_some_and(char::is_uppercase);
            if capitalised && !PRODUCT_WORDS.contains(&lower[j + 1].as_str()) {
                continue;
            }
        }
        if negated() {
            return None;
        }
        return Some(words[i..=j].join(" "));
    }
    None
}

/// `line` with quoted spans (`"…"`, `“…”`, `` `…` ``, and `'…'` opened
/// after a space or at the start) blanked out.
fn without_quotes(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut closing: Option<char> = None;
    let mut prev = ' ';
    for c in line.chars() {
        match closing {
            Some(close) => {
                if c == close {
                    closing = None;
                }
                out.push(' ');
            }
            None => {
                let close = match c {
                    '"' => Some('"'),
                    '“' => Some('”'),
                    '`' => Some('`'),
                    '\'' if !prev.is_alphanumeric() => Some('\''),
                    _ => None,
                };
                match close {
                    Some(close) => {
                        closing = Some(close);
                        out.push(' ');
                    }
                    None => out.push(c),
                }
            }
        }
        prev = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::phrase;

    #[test]
    fn fires() {
        for (line, want) in [
            (
                "This test was generated with Claude AI",
                "generated with Claude",
            ),
            ("Patch generated by ChatGPT.", "generated by ChatGPT"),
            (
                "Written with the help of Copilot",
                "Written with the help of Copilot",
            ),
            ("AI-generated", "AI-generated"),
            (
                "Most of this was written entirely by an AI assistant",
                "written entirely by an AI",
            ),
            ("Docs drafted using GPT-4o", "drafted using GPT-4o"),
            (
                "Created with Claude Code, reviewed by me",
                "Created with Claude",
            ),
        ] {
            assert_eq!(phrase(line).as_deref(), Some(want), "{line}");
        }
    }

    #[test]
    fn controls() {
        for line in [
            "generated code is not allowed",
            "fixed the generator",
            "Use Claude Shannon's entropy formula for the estimate",
            "entropy as written by Claude Shannon in 1948",
            "changelog: document the \"Generated by ChatGPT\" footer we strip",
            "changelog: mention `generated with Copilot` in the FAQ",
            "AI-generated code is not allowed in crypto/",
            "This was not generated by Claude",
            "written by hand",
            "generated by the build script",
            "Co-authored-by: Jane",
        ] {
            assert_eq!(phrase(line), None, "{line}");
        }
        for line in [
            "AI_Assisted_by: claude:claude-sonnet-4",
            "Generated-by: copilot",
            "AI Assisted by: claude:opus-4",
        ] {
            assert!(super::looks_like_trailer(line.as_bytes()), "{line}");
        }
        assert!(!super::looks_like_trailer(
            b"This test was generated with Claude AI: see below"
        ));
    }

    #[test]
    fn policy_levels() {
        use crate::rules::{CommitFacts, RuleCode};
        let facts = CommitFacts {
            message: b"Add a test\n\nThis test was generated with Claude AI.\n".to_vec(),
            ..Default::default()
        };
        let judge = |prose: &str| {
            let yaml = format!("version: 1\nmarkers: {{ prose: {prose} }}\ntiers:\n  - name: open\n    paths: [ docs/ ]\n");
            let policy = crate::policy::from_yaml(yaml.as_bytes(), "policy.yaml").expect("valid");
            let classifier = crate::classify::Classifier::new(&policy, None).expect("classifier");
            let options = crate::message::trailer::ParseOptions::stored();
            crate::judge::judge(
                &policy,
                &classifier,
                &facts,
                &options,
                crate::stage::Stage::Ci,
                || Ok::<_, std::convert::Infallible>(crate::repo::ChangedPaths::default()),
            )
            .expect("judged")
        };
        // The message rule finds it; the judge makes it a warning.
        let warn = judge("warn");
        assert!(
            warn.violations.is_empty() && !warn.assessment.ai_assisted(),
            "{warn:?}"
        );
        assert_eq!(warn.warnings.len(), 1);
        assert_eq!(warn.warnings[0].rule, RuleCode::AiProse);
        assert_eq!(warn.warnings[0].line, Some(2));
        let error = judge("error");
        assert!(error.warnings.is_empty());
        assert_eq!(error.violations.len(), 1);
        assert_eq!(error.violations[0].rule, RuleCode::AiProse);
        let off = judge("off");
        assert!(off.warnings.is_empty() && off.violations.is_empty());
    }

    #[test]
    fn markers_and_trailers_are_not_prose() {
        use crate::rules::{assess_message, CommitFacts};
        let facts = CommitFacts {
            message: "Fix\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nGenerated-by: claude:opus\n".as_bytes().to_vec(),
            ..Default::default()
        };
        let policy = crate::policy::from_yaml(
            b"version: 1\ntiers:\n  - name: open\n    paths: [ docs/ ]\n",
            "policy.yaml",
        )
        .expect("valid");
        let a = assess_message(
            &policy,
            &facts,
            &crate::message::trailer::ParseOptions::stored(),
        );
        assert!(a.violations.is_empty(), "{:?}", a.violations);
    }
}
