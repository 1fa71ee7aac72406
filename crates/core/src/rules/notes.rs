//! Git notes as evidence of AI use (`markers.notes`, default
//! `refs/notes/ai`).
//!
//! The repository layer ([`crate::repo`]) finds the notes a commit has
//! under the policy's notes ref and hands their text over in
//! [`CommitFacts::notes`]; this module decides, purely, which of them say
//! that AI was used, and the evidence ([`MarkerHit`]) they add to the
//! commit's markers. A commit with such a note is *marked*, exactly like a
//! commit with `Co-authored-by: Claude`: `undeclared-ai` without a
//! declaration, and the tier rules apply.
//!
//! # What counts in a note
//!
//! - **A git-ai authorship log** (the Git AI Standard v3.0.0,
//!   `specs/git_ai_standard_v3.0.0.md` of github.com/git-ai-project/git-ai:
//!   an attestation section of file paths and two-space-indented
//!   `<session hash> <line ranges>` entries, a line `---`, then a JSON
//!   object whose `schema_version` is `authorship/3.0.0` and whose
//!   `prompts` map each session to an `agent_id` `{ tool, id, model }`):
//!   evidence when it attributes at least one line (an attestation entry)
//!   or records at least one prompt. The spec lets a log of a commit with
//!   no AI content be empty ("MAY have empty authorship logs (no
//!   attestations)"), and such a log is *not* evidence. The evidence names
//!   the `agent_id` tools and models.
//! - **Any other note** that is not blank: the ref is where tools record
//!   AI authorship (git-ai, or a project's own `git notes --ref ai add -m
//!   "agent: claude"`), so a note there says a tool took part. The
//!   evidence quotes its first non-blank line.
//!
//! A note can only add evidence: a note that does not count changes
//! nothing, and nothing in a note can make a marked or declared commit
//! less so (see docs/security.md: a pusher may write notes).

use super::{display_text, CommitFacts, MarkerHit};

/// The most of one note the repository layer reads: the attestation
/// section comes first and its first entry decides; a log cut short here
/// still counts (see [`evidence`]).
pub const NOTE_LIMIT: usize = 1 << 20;

/// The evidence of AI use the notes in `facts` hold (`notes_ref`: the ref
/// they were read from, for the evidence text).
pub(super) fn find(notes_ref: &str, facts: &CommitFacts) -> Vec<MarkerHit> {
    facts
        .notes
        .iter()
        .filter_map(|note| evidence(note))
        .map(|what| MarkerHit {
            evidence: format!("git note in {notes_ref}: {what}"),
            line: None,
        })
        .collect()
}

/// What a note says of AI use, or `None` when it says nothing (blank, or
/// an empty git-ai authorship log).
pub fn evidence(note: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(note);
    if text.trim().is_empty() {
        return None;
    }
    match git_ai_log(&text) {
        Some(log) => {
            if !log.attributes_lines && log.agents.is_empty() {
                return None;
            }
            let agents = if log.agents.is_empty() {
                "AI-attributed lines".to_owned()
            } else {
                log.agents.join(", ")
            };
            Some(format!("git-ai authorship log ({agents})"))
        }
        None => {
            let first = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or_default();
            let shown: String = first.chars().take(80).collect();
            Some(format!("\"{}\"", display_text(shown.as_bytes())))
        }
    }
}

/// What a git-ai authorship log holds that matters here.
struct GitAiLog {
    /// An attestation entry: at least one line attributed to a session.
    attributes_lines: bool,
    /// `tool` or `tool (model)` of each prompt's `agent_id`, deduplicated,
    /// in order.
    agents: Vec<String>,
}

/// The note read as a git-ai authorship log, or `None` when it is not
/// one: no `---` line followed by a JSON object with an
/// `authorship/...` `schema_version` (a log cut short by [`NOTE_LIMIT`]
/// keeps its attestation section and is still recognised by its version
/// string).
fn git_ai_log(text: &str) -> Option<GitAiLog> {
    let mut lines = text.lines();
    let mut attributes_lines = false;
    for line in lines.by_ref() {
        if line == "---" {
            break;
        }
        // `  <hex session hash> <ranges>`: exactly two spaces, 7 or 16 hex
        // digits (section 1.2.3).
        if let Some(entry) = line.strip_prefix("  ") {
            let mut words = entry.split(' ');
            let hash = words.next().unwrap_or_default();
            let ranges = words.next().unwrap_or_default();
            if (hash.len() == 16 || hash.len() == 7)
                && hash.bytes().all(|b| b.is_ascii_hexdigit())
                && !ranges.is_empty()
                && ranges
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'-' || b == b',')
            {
                attributes_lines = true;
            }
        }
    }
    let metadata: String = lines.collect::<Vec<_>>().join("\n");
    if !metadata.contains("\"authorship/") {
        return None;
    }
    let mut agents = Vec::new();
    if let Ok(serde_json::Value::Object(doc)) = serde_json::from_str::<serde_json::Value>(&metadata)
    {
        if let Some(serde_json::Value::Object(prompts)) = doc.get("prompts") {
            for prompt in prompts.values() {
                let agent = prompt.get("agent_id");
                let field = |k: &str| {
                    agent
                        .and_then(|a| a.get(k))
                        .and_then(serde_json::Value::as_str)
                        .map(|s| s.chars().take(40).collect::<String>())
                };
                let shown = match (field("tool"), field("model")) {
                    (Some(tool), Some(model)) => format!("{tool} ({model})"),
                    (Some(tool), None) => tool,
                    (None, Some(model)) => model,
                    (None, None) => "unnamed agent".to_owned(),
                };
                if !agents.contains(&shown) {
                    agents.push(shown);
                }
            }
        }
    } else {
        // Cut short or malformed: the version string says it is a log; a
        // log that cannot be read in full counts if it attributes lines
        // or names a prompt at all.
        if metadata.contains("\"agent_id\"") {
            agents.push("unreadable agent".to_owned());
        }
    }
    Some(GitAiLog {
        attributes_lines,
        agents,
    })
}

#[cfg(test)]
mod tests {
    use super::evidence;

    const LOG: &str = "src/main.rs\n  abcd1234abcd1234 1-10,15-20\n---\n{\n  \"schema_version\": \"authorship/3.0.0\",\n  \"base_commit_sha\": \"7734793b756b3921c88db5375a8c156e9532447b\",\n  \"prompts\": {\n    \"abcd1234abcd1234\": {\n      \"agent_id\": { \"tool\": \"cursor\", \"id\": \"6ef2\", \"model\": \"claude-4.5-opus\" },\n      \"messages\": [], \"total_additions\": 1, \"total_deletions\": 0, \"accepted_lines\": 1, \"overriden_lines\": 0\n    }\n  }\n}\n";

    #[test]
    fn git_ai_logs() {
        assert_eq!(
            evidence(LOG.as_bytes()).as_deref(),
            Some("git-ai authorship log (cursor (claude-4.5-opus))")
        );
        // An empty log (no attestations, no prompts) is git-ai saying no
        // AI took part.
        let empty = "---\n{\"schema_version\": \"authorship/3.0.0\", \"base_commit_sha\": \"x\", \"prompts\": {}}\n";
        assert_eq!(evidence(empty.as_bytes()), None);
        // Attested lines without readable metadata still count.
        let cut = "a.rs\n  0123456789abcdef 1-3\n---\n{\"schema_version\": \"authorship/3.0.0\", \"prompts\": {\"0123";
        assert_eq!(
            evidence(cut.as_bytes()).as_deref(),
            Some("git-ai authorship log (AI-attributed lines)")
        );
    }

    #[test]
    fn other_notes() {
        assert_eq!(evidence(b""), None);
        assert_eq!(evidence(b"  \n\n"), None);
        assert_eq!(
            evidence(b"\nagent: claude\nmodel: opus\n").as_deref(),
            Some("\"agent: claude\"")
        );
        // A `---` and JSON without the authorship version: an ordinary note.
        assert_eq!(evidence(b"x\n---\n{}\n").as_deref(), Some("\"x\""));
    }

    #[test]
    fn a_note_marks_the_commit() {
        use crate::rules::{assess_message, CommitFacts, RuleCode};
        let mut facts = CommitFacts {
            message: b"Add a parser\n".to_vec(),
            ..Default::default()
        };
        let policy = |notes: &str| {
            let yaml = format!("version: 1\nmarkers: {{ notes: {notes} }}\ntiers:\n  - name: open\n    paths: [ docs/ ]\n");
            crate::policy::from_yaml(yaml.as_bytes(), "policy.yaml").expect("valid")
        };
        let options = crate::message::trailer::ParseOptions::stored();
        let on = policy("refs/notes/ai");
        assert!(!assess_message(&on, &facts, &options).ai_assisted());
        facts.notes = vec![b"agent: claude\n".to_vec()];
        let a = assess_message(&on, &facts, &options);
        assert_eq!(a.markers.len(), 1);
        assert_eq!(
            a.markers[0].evidence,
            "git note in refs/notes/ai: \"agent: claude\""
        );
        assert_eq!(a.violations[0].rule, RuleCode::UndeclaredAi);
        // Off: the same note is not read.
        assert!(!assess_message(&policy("false"), &facts, &options).ai_assisted());
        // A note does not undo a declaration or a marker.
        facts.message = b"Add a parser\n\nAI-Assisted-by: claude:opus\n".to_vec();
        facts.notes = vec![b"human: yes, no AI here\n".to_vec()];
        assert!(assess_message(&on, &facts, &options).ai_assisted());
    }
}
