//! Rendering verdicts: human text and JSON.
//!
//! Human output is one block per violation: the commit (short id and
//! title), the rule code, what is wrong, the tier and the offending paths
//! (the first few, then a count), and one line on how to fix it. JSON is one
//! document per run with stable field names and full commit ids; its shape
//! is documented in the README ("JSON output") and tested.

use crate::check::{CommitVerdict, Summary};
use crate::policy::{Mode, Policy};
use crate::rules::{RuleCode, Violation};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// How many paths a human-readable violation lists before "and N more".
pub const PATHS_SHOWN: usize = 5;

/// Version of the JSON document format.
pub const JSON_VERSION: u32 = 1;

/// Whether to use ANSI colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// Plain text.
    Never,
    /// ANSI escapes.
    Always,
}

impl Colour {
    /// Colour only on a terminal, and never when `NO_COLOR` is set (to
    /// anything non-empty, per no-color.org).
    pub fn for_terminal(is_terminal: bool) -> Colour {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if is_terminal && !no_color {
            Colour::Always
        } else {
            Colour::Never
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        match self {
            Colour::Never => text.to_owned(),
            Colour::Always => format!("\x1b[{code}m{text}\x1b[0m"),
        }
    }
}

/// The short form of a commit id shown to humans (12 hex digits).
pub fn short_id(id: &str) -> &str {
    if id.len() > 12 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        &id[..12]
    } else {
        id
    }
}

/// Render the violations of one commit for humans ("" when it has none).
pub fn human_commit(verdict: &CommitVerdict, mode: Mode, colour: Colour) -> String {
    let mut out = String::new();
    for violation in &verdict.violations {
        human_violation(&mut out, verdict, violation, mode, colour);
    }
    out
}

fn human_violation(
    out: &mut String,
    verdict: &CommitVerdict,
    violation: &Violation,
    mode: Mode,
    colour: Colour,
) {
    let level = match mode {
        Mode::Enforce => colour.paint("1;31", "error"),
        Mode::Warn => colour.paint("1;33", "warning"),
    };
    let _ = writeln!(
        out,
        "{level}[{}]: commit {} \"{}\"",
        violation.rule,
        short_id(&verdict.id),
        verdict.title
    );
    let _ = writeln!(out, "  {}", violation.message);
    if let Some(line) = violation.line {
        let _ = writeln!(out, "  at line {} of the message", line + 1);
    }
    if !violation.paths.is_empty() {
        for path in violation.paths.iter().take(PATHS_SHOWN) {
            let _ = writeln!(out, "    {}", String::from_utf8_lossy(path));
        }
        if violation.paths.len() > PATHS_SHOWN {
            let _ = writeln!(
                out,
                "    ... and {} more",
                violation.paths.len() - PATHS_SHOWN
            );
        }
    }
    let _ = writeln!(out, "  {} {}", colour.paint("1;36", "fix:"), violation.fix);
    let _ = writeln!(out);
}

/// The one-line summary of a run, e.g.
/// `tiergate: 2 violations in 1 commit (5 commits checked)`.
pub fn human_summary(summary: &Summary, policy: &Policy) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let mut line = format!(
        "tiergate: {} in {} ({} checked)",
        plural(summary.violations, "violation"),
        plural(summary.commits_failed, "commit"),
        plural(summary.commits_checked, "commit"),
    );
    if summary.violations > 0 && policy.mode == Mode::Warn {
        line.push_str("; mode: warn, not failing");
    }
    line
}

/// JSON form of one violation.
pub fn violation_json(violation: &Violation) -> Value {
    json!({
        "rule": violation.rule.as_str(),
        "message": violation.message,
        "tier": violation.tier,
        "paths": violation
            .paths
            .iter()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect::<Vec<_>>(),
        "line": violation.line.map(|l| l + 1),
        "fix": violation.fix,
    })
}

/// JSON form of one commit's verdict.
pub fn commit_json(verdict: &CommitVerdict) -> Value {
    json!({
        "id": verdict.id,
        "title": verdict.title,
        "ai_assisted": verdict.assessment.ai_assisted(),
        "declared": verdict.assessment.declared(),
        "markers": verdict
            .assessment
            .markers
            .iter()
            .map(|m| m.evidence.clone())
            .collect::<Vec<_>>(),
        "tiers": verdict.tiers,
        "violations": verdict.violations.iter().map(violation_json).collect::<Vec<_>>(),
    })
}

/// The JSON document of a run: `commits` holds the commits with
/// violations (in the order checked).
pub fn run_json(policy: &Policy, summary: &Summary, commits: Vec<Value>) -> Value {
    let verdict = if summary.violations == 0 {
        "pass"
    } else if policy.mode == Mode::Warn {
        "warn"
    } else {
        "fail"
    };
    json!({
        "version": JSON_VERSION,
        "policy": policy.source,
        "mode": match policy.mode { Mode::Enforce => "enforce", Mode::Warn => "warn" },
        "verdict": verdict,
        "commits_checked": summary.commits_checked,
        "commits_failed": summary.commits_failed,
        "violations": summary.violations,
        "commits": commits,
    })
}

/// What a rule means and how to fix a violation of it
/// (`tiergate explain <code>`).
pub fn explanation(rule: RuleCode) -> &'static str {
    match rule {
        RuleCode::AiForbiddenTier => {
            "\
ai-forbidden-tier: an AI-assisted commit changes paths in a tier whose policy says `ai: forbidden`.

A commit is AI-assisted when it declares it (an AI-Assisted-by: trailer or an
alias) or when it carries a marker of an AI tool (for example a
`Co-authored-by: Claude` trailer). The policy forbids such changes in some
parts of the tree (typically crypto, security-sensitive or core code).

How to fix: split the commit so the AI-assisted part does not touch the
forbidden tier (`git reset HEAD^` and commit the parts separately), or write
that part without AI assistance. Run `tiergate classify --explain PATH` to
see why a path is in the tier."
        }
        RuleCode::MissingRequiredTrailer => {
            "\
missing-required-trailer: an AI-assisted commit touches a tier whose `require`
list names trailers the commit does not carry (for example Reviewed-by).

How to fix: get the review the tier asks for and add the trailer to the last
paragraph of the message (`git commit --amend --trailer 'Reviewed-by: Name <email>'`)."
        }
        RuleCode::UndeclaredAi => {
            "\
undeclared-ai: the commit carries evidence of an AI tool (a Co-authored-by of
an AI agent, a \"Generated with ...\" line, an author such as `Name (aider)` or
a tool's [bot] account) but does not declare AI assistance.

How to fix: add the declaration trailer to the last paragraph of the message,
e.g. `git commit --amend --trailer 'AI-Assisted-by: claude:claude-sonnet-4'`."
        }
        RuleCode::MalformedDeclaration => {
            "\
malformed-declaration: a declaration trailer is empty, or its value does not
match the policy's `declaration.value` pattern (by default AGENT:MODEL, e.g.
`AI-Assisted-by: claude:claude-sonnet-4 [tools]`).

How to fix: amend the message so the declaration names the tool and model in
the form the policy asks for."
        }
        RuleCode::MisplacedDeclaration => {
            "\
misplaced-declaration: a line looks like a declaration, but git does not read
it as a trailer: it is not in the last paragraph of the message, it follows a
`---` divider, it is in the title, or a blank line splits the trailer block.
What git does not read as a trailer, reviewers and tools do not see either.

How to fix: move the line into the last paragraph, with the other trailers
(check with `git interpret-trailers --parse`)."
        }
        RuleCode::NearMissKey => {
            "\
near-miss-key: a trailer key is almost, but not exactly, the declaration key:
a typo, spaces or underscores instead of hyphens, look-alike Unicode letters
(Cyrillic, fullwidth) or invisible zero-width characters. It is not read as a
declaration.

How to fix: spell the key exactly as the policy's `declaration.key` (by
default `AI-Assisted-by`), in plain ASCII."
        }
        RuleCode::AiSignoff => {
            "\
ai-signoff: a Signed-off-by trailer names an AI tool. Signing off certifies
the Developer Certificate of Origin, which only a human can do.

How to fix: remove the AI's Signed-off-by (keep your own) and declare the
assistance with the declaration trailer instead."
        }
        RuleCode::MissingSignoff => {
            "\
missing-signoff: the policy requires every commit to carry a Signed-off-by of
its author (DCO), and this commit has none matching the author's e-mail.

How to fix: `git commit --amend --signoff` (or `git rebase --signoff` for a
series)."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids() {
        assert_eq!(short_id("0123456789abcdef0123"), "0123456789ab");
        assert_eq!(short_id("(commit message)"), "(commit message)");
    }

    #[test]
    fn every_rule_is_explained() {
        for rule in RuleCode::ALL {
            let text = explanation(rule);
            assert!(text.starts_with(rule.as_str()), "{rule}");
            assert!(text.contains("How to fix"), "{rule}");
        }
    }

    #[test]
    fn colour_respects_no_color_and_terminals() {
        assert_eq!(Colour::for_terminal(false), Colour::Never);
        assert_eq!(Colour::Never.paint("31", "x"), "x");
        assert_eq!(Colour::Always.paint("31", "x"), "\x1b[31mx\x1b[0m");
    }
}
