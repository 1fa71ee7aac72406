//! Helping contributors declare: turning the co-author trailers and
//! footers AI tools write (`Co-authored-by: Claude <noreply@anthropic.com>`,
//! `🤖 Generated with [Claude Code](https://claude.com/claude-code)`) into
//! the policy's declaration (`AI-Assisted-by: claude:unknown`), in a message
//! being written. Used by the `prepare-commit-msg` hook and `tiergate fix`.
//!
//! Pure: a message in, the new message and what changed out.
//!
//! # What it does
//!
//! - Nothing when the message already declares (the declaration key or an
//!   alias is a trailer git reads), or holds no tool line.
//! - The tool lines are the builtin markers found on a line of the log
//!   message (the same [`crate::rules::assess_message`] that judges
//!   commits finds them): a `Co-authored-by:` naming an AI tool, and a
//!   `Generated with <tool>` footer. They are removed. A `Signed-off-by:`
//!   naming an AI is left alone: it is `ai-signoff`, which the contributor
//!   must resolve (an AI cannot certify the DCO). Comment lines and
//!   everything from the scissors line on are never touched.
//! - One declaration per tool is added, `<Key>: <agent>:<model>`: the
//!   agent is the tool's name in lower case (`claude`, `copilot`, ...),
//!   the model what the co-author's name says after the tool's name
//!   (`Claude Opus 4.5` → `opus-4.5`), else `unknown`. When the policy has
//!   a `declaration.value` pattern the value must match it (`<agent>` alone
//!   is tried too); when neither does, nothing is changed and
//!   [`Error::ValueForm`] says so.
//! - The declaration goes where git reads trailers: appended to the
//!   message's trailer block when its last paragraph is one (after
//!   `Signed-off-by:`, say), else as a new last paragraph; before trailing
//!   comments and the scissors line, as `git interpret-trailers` places a
//!   trailer.

use crate::message::trailer::{self, ParseOptions};
use crate::policy::Policy;
use crate::rules::{self, ai_tool, split_identity, CommitFacts};

/// What [`declare`] changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// The new message.
    pub message: Vec<u8>,
    /// The trailers added (`AI-Assisted-by: claude:unknown`).
    pub added: Vec<String>,
    /// The lines removed, with their 1-based line numbers.
    pub removed: Vec<(usize, String)>,
}

impl Declared {
    /// One line per change, for the user: `removed line 5:
    /// Co-authored-by: ...`, `added: AI-Assisted-by: ...`.
    pub fn describe(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .removed
            .iter()
            .map(|(line, text)| format!("removed line {line}: {text}"))
            .collect();
        out.extend(self.added.iter().map(|t| format!("added: {t}")));
        out
    }
}

/// Why no declaration could be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The policy's `declaration.value` pattern accepts none of the values
    /// tiergate can form for the tool.
    #[error("the policy's declaration.value pattern /{pattern}/ accepts neither `{tried}` nor any other value tiergate can form for {tool}")]
    ValueForm {
        /// The pattern.
        pattern: String,
        /// The value tried first.
        tried: String,
        /// The tool.
        tool: String,
    },
}

/// A tool line found in a message.
struct ToolLine {
    /// 0-based line number.
    line: usize,
    /// Lower-case agent name.
    agent: String,
    /// Model, when the line says.
    model: Option<String>,
}

/// Turn the tool co-author trailers and footers of `message` into the
/// policy's declaration; `Ok(None)` when there is nothing to do.
/// `options`: how the message is read (comment string; a message file
/// being written is read as `git interpret-trailers` reads it).
pub fn declare(
    policy: &Policy,
    message: &[u8],
    options: &ParseOptions,
) -> Result<Option<Declared>, Error> {
    // Judge the message with the builtin markers only: a project's extra
    // markers say nothing about which tool to declare.
    let mut builtin = policy.clone();
    builtin.markers.extra.clear();
    builtin.markers.notes = None;
    let facts = CommitFacts {
        message: message.to_vec(),
        ..Default::default()
    };
    let assessment = rules::assess_message(&builtin, &facts, options);
    if assessment.declared() {
        return Ok(None);
    }
    let end = trailer::parse(message, options).end;
    let lines: Vec<&[u8]> = message.split(|&b| b == b'\n').collect();
    let mut found: Vec<ToolLine> = Vec::new();
    for hit in &assessment.markers {
        let Some(no) = hit.line else { continue };
        let Some(text) = lines.get(no) else { continue };
        // Only lines of the log message proper: not a comment, not below
        // the scissors line.
        let start: usize = lines[..no].iter().map(|l| l.len() + 1).sum();
        if start >= end || trailer::is_comment_line(text, &options.comment) {
            continue;
        }
        if let Some(tool) = tool_line(no, text, &hit.evidence) {
            if !found.iter().any(|t| t.line == no) {
                found.push(tool);
            }
        }
    }
    if found.is_empty() {
        return Ok(None);
    }
    // One declaration per agent: the first model named wins.
    let mut values: Vec<(String, String)> = Vec::new();
    for tool in &found {
        let value = format!(
            "{}:{}",
            tool.agent,
            tool.model.as_deref().unwrap_or("unknown")
        );
        if let Some(existing) = values.iter_mut().find(|(agent, _)| *agent == tool.agent) {
            if existing.1.ends_with(":unknown") && tool.model.is_some() {
                existing.1 = value;
            }
        } else {
            values.push((tool.agent.clone(), value));
        }
    }
    let key = &policy.declaration.key;
    let mut added = Vec::new();
    for (agent, value) in values {
        let chosen = match &policy.declaration.value {
            None => value,
            Some(pattern) => [value.clone(), format!("{agent}:unknown"), agent.clone()]
                .into_iter()
                .find(|v| pattern.is_match(v))
                .ok_or_else(|| Error::ValueForm {
                    pattern: pattern.as_str().to_owned(),
                    tried: value.clone(),
                    tool: agent.clone(),
                })?,
        };
        added.push(format!("{key}: {chosen}"));
    }

    // The log message without the tool lines, trailing blank lines
    // dropped; then the declaration; then what followed the log message
    // (blank lines, comments, the scissors line) as it was.
    let removed_lines: Vec<usize> = found.iter().map(|t| t.line).collect();
    let mut log = Vec::new();
    let mut offset = 0;
    // A removed line that was a paragraph of its own (a footer between
    // blank lines) takes one of its blank lines with it.
    let mut drop_blank = false;
    for (no, text) in lines.iter().enumerate() {
        let next = offset + text.len() + 1;
        if offset >= end {
            break;
        }
        let blank = text.iter().all(|&b| trailer::is_git_space(b));
        if removed_lines.contains(&no) {
            drop_blank = log.is_empty() || log.ends_with(b"\n\n");
        } else if !(drop_blank && blank) {
            log.extend_from_slice(text);
            log.push(b'\n');
            drop_blank = false;
        } else {
            drop_blank = false;
        }
        offset = next;
    }
    while log.ends_with(b"\n\n") || (log.len() == 1 && log.ends_with(b"\n")) {
        log.pop();
    }
    let tail = message.get(end..).unwrap_or_default();
    let in_block = {
        let block = trailer::parse(&log, options);
        !block.trailers.is_empty()
    };
    let mut out = log;
    if !out.is_empty() && !in_block {
        out.push(b'\n');
    }
    for trailer in &added {
        out.extend_from_slice(trailer.as_bytes());
        out.push(b'\n');
    }
    out.extend_from_slice(tail);
    let removed = found
        .iter()
        .map(|t| {
            (
                t.line + 1,
                String::from_utf8_lossy(lines[t.line]).trim().to_owned(),
            )
        })
        .collect();
    Ok(Some(Declared {
        message: out,
        added,
        removed,
    }))
}

/// The tool of marker line `text` (0-based `no`), found with `evidence`:
/// a `Co-authored-by:` line naming an AI, or a `Generated with` footer
/// (its tool is the `(Tool)` the evidence ends with). `None` for other
/// marker lines (an AI's `Signed-off-by:`).
fn tool_line(no: usize, text: &[u8], evidence: &str) -> Option<ToolLine> {
    let colon = text.iter().position(|&b| b == b':');
    if let Some(colon) = colon {
        let key = text[..colon].trim_ascii();
        if key.eq_ignore_ascii_case(b"Co-authored-by") {
            let value = text[colon + 1..].trim_ascii();
            let (name, email) = split_identity(value);
            let tool = ai_tool(name, email)?;
            return Some(ToolLine {
                line: no,
                agent: tool.to_lowercase(),
                model: model_of(&String::from_utf8_lossy(name), tool),
            });
        }
        if key.eq_ignore_ascii_case(b"Signed-off-by") {
            return None;
        }
    }
    let lower = String::from_utf8_lossy(text).to_lowercase();
    if !lower.contains("generated with") {
        return None;
    }
    // The evidence of a footer ends with `(Tool)`.
    let tool = evidence.rsplit_once('(')?.1.strip_suffix(')')?;
    Some(ToolLine {
        line: no,
        agent: tool.to_lowercase(),
        model: None,
    })
}

/// The model a co-author name gives after the tool's name: `Claude Opus
/// 4.5` → `opus-4.5`; `None` for the bare name or a product name (`Claude
/// Code`, `GitHub Copilot`).
fn model_of(name: &str, tool: &str) -> Option<String> {
    let words: Vec<String> = name.split_whitespace().map(str::to_lowercase).collect();
    let at = words.iter().position(|w| w == &tool.to_lowercase())?;
    let rest: Vec<&str> = words[at + 1..]
        .iter()
        .map(String::as_str)
        .filter(|w| !["code", "ai", "agent", "cli", "assist", "(aider)"].contains(w))
        .collect();
    if rest.is_empty() {
        return None;
    }
    let model = rest.join("-");
    // Only what a trailer value can hold without breaking `<agent>:<model>`.
    model
        .chars()
        .all(|c| c.is_alphanumeric() || "-._".contains(c))
        .then_some(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(value: Option<&str>) -> Policy {
        let value = value
            .map(|v| format!("  value: '{v}'\n"))
            .unwrap_or_default();
        let yaml = format!(
            "version: 1\ndeclaration:\n  key: AI-Assisted-by\n{value}tiers:\n  - name: open\n    paths: [ docs/ ]\n"
        );
        crate::policy::from_yaml(yaml.as_bytes(), "policy.yaml").expect("valid")
    }

    fn run(message: &str) -> Option<Declared> {
        declare(&policy(None), message.as_bytes(), &ParseOptions::default()).expect("ok")
    }

    #[test]
    fn co_author_becomes_a_declaration() {
        let d = run("Fix the parser\n\nBody.\n\nCo-authored-by: Claude <noreply@anthropic.com>\n")
            .expect("changed");
        assert_eq!(
            String::from_utf8_lossy(&d.message),
            "Fix the parser\n\nBody.\n\nAI-Assisted-by: claude:unknown\n"
        );
        assert_eq!(
            d.describe(),
            [
                "removed line 5: Co-authored-by: Claude <noreply@anthropic.com>",
                "added: AI-Assisted-by: claude:unknown"
            ]
        );
    }

    #[test]
    fn footer_and_trailer_block_and_comments() {
        let msg = "Fix\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nSigned-off-by: A U Thor <author@example.com>\nCo-authored-by: Claude Opus 4.5 <noreply@anthropic.com>\n\n# Please enter the commit message.\n# Lines starting with '#' will be ignored.\n";
        let d = run(msg).expect("changed");
        assert_eq!(
            String::from_utf8_lossy(&d.message),
            "Fix\n\nSigned-off-by: A U Thor <author@example.com>\nAI-Assisted-by: claude:opus-4.5\n\n# Please enter the commit message.\n# Lines starting with '#' will be ignored.\n"
        );
    }

    #[test]
    fn nothing_to_do() {
        assert_eq!(run("Fix\n\nBody\n"), None);
        assert_eq!(
            run(
                "Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\nAI-Assisted-by: claude:x\n"
            ),
            None
        );
        // A commented-out co-author line is not the message's.
        assert_eq!(
            run("Fix\n\n# Co-authored-by: Claude <noreply@anthropic.com>\n"),
            None
        );
        // Claude Monet is a person.
        assert_eq!(
            run("Fix\n\nCo-authored-by: Claude Monet <cm@example.com>\n"),
            None
        );
    }

    #[test]
    fn the_policy_value_form() {
        let msg = b"Fix\n\nCo-authored-by: Copilot <copilot@github.com>\n";
        let d = declare(&policy(Some(r"^\S+:\S+")), msg, &ParseOptions::default())
            .expect("ok")
            .expect("changed");
        assert_eq!(d.added, ["AI-Assisted-by: copilot:unknown"]);
        let d = declare(&policy(Some(r"^[a-z]+$")), msg, &ParseOptions::default())
            .expect("ok")
            .expect("changed");
        assert_eq!(d.added, ["AI-Assisted-by: copilot"]);
        let e = declare(
            &policy(Some(r"^[A-Z]+ v\d$")),
            msg,
            &ParseOptions::default(),
        );
        assert!(matches!(e, Err(Error::ValueForm { .. })), "{e:?}");
    }
}
