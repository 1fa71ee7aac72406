//! Rendering verdicts: human text and JSON.
//!
//! Human output is one block per violation: the commit (short id and
//! title), the rule code, what is wrong, the tier and the offending paths
//! (the first few, then a count), and one line on how to fix it. JSON is one
//! document per run with stable field names and full commit ids; its shape
//! is documented in the README ("JSON output") and tested.

pub use super::shorten::{short_id, PATHS_SHOWN};
use crate::judge::{CommitVerdict, Summary};
use crate::output::show::ProvenanceJson;
use crate::policy::{Mode, Policy};
use crate::rules::{Fix, FixContext, RuleCode, Violation};
use serde::Serialize;
use std::fmt::Write as _;

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
    /// anything non-empty, per no-color.org); `CLICOLOR_FORCE` set to
    /// anything but `0` colours output that is not a terminal (as git's
    /// pager users and CI logs ask for), `NO_COLOR` still winning.
    pub fn for_terminal(is_terminal: bool) -> Colour {
        let set = |key: &str| std::env::var_os(key).filter(|v| !v.is_empty());
        Colour::choose(
            is_terminal,
            set("NO_COLOR").is_some(),
            set("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
        )
    }

    /// The decision of [`Colour::for_terminal`], from its inputs.
    pub fn choose(is_terminal: bool, no_color: bool, force: bool) -> Colour {
        if !no_color && (is_terminal || force) {
            Colour::Always
        } else {
            Colour::Never
        }
    }

    /// `text` in the SGR style `code` (`1;31`: bold red), or as it is.
    pub fn paint(self, code: &str, text: &str) -> String {
        match self {
            Colour::Never => text.to_owned(),
            Colour::Always => format!("\x1b[{code}m{text}\x1b[0m"),
        }
    }
}

/// Render the violations of one commit for humans ("" when it has none),
/// with the fixes for a commit that exists ([`FixContext::History`]).
pub fn human_commit(verdict: &CommitVerdict, mode: Mode, colour: Colour) -> String {
    human_item(verdict, "commit", mode, colour)
}

/// [`human_commit`] for something else than a commit: `kind` replaces the
/// word `commit` (`tiergate check-patch` says `patch 1/3 (0001-x.patch)`).
pub fn human_item(verdict: &CommitVerdict, kind: &str, mode: Mode, colour: Colour) -> String {
    human_in(verdict, kind, mode, colour, &FixContext::History)
}

/// [`human_item`] with each fix said for `context` (a hook's: the commit
/// being made, amended, merged, a patch being applied, a push).
pub fn human_in(
    verdict: &CommitVerdict,
    kind: &str,
    mode: Mode,
    colour: Colour,
    context: &FixContext<'_>,
) -> String {
    let mut out = String::new();
    for violation in &verdict.violations {
        human_violation(&mut out, verdict, kind, violation, mode, colour, context);
    }
    // Warnings: violations of `mode: warn` tiers (or of a ref in a `warn`
    // scope), and `ai-prose` under `markers.prose: warn`, shown as
    // warnings whatever the policy's mode.
    for violation in &verdict.warnings {
        human_violation(
            &mut out,
            verdict,
            kind,
            violation,
            Mode::Warn,
            colour,
            context,
        );
    }
    out
}

fn human_violation(
    out: &mut String,
    verdict: &CommitVerdict,
    kind: &str,
    violation: &Violation,
    mode: Mode,
    colour: Colour,
    context: &FixContext<'_>,
) {
    let level = match mode {
        Mode::Enforce => colour.paint("1;31", "error"),
        Mode::Warn => colour.paint("1;33", "warning"),
    };
    let _ = writeln!(
        out,
        "{level}[{}]: {kind} {} \"{}\"",
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
    let _ = writeln!(
        out,
        "  {} {}",
        colour.paint("1;36", "fix:"),
        violation.fix.render(context)
    );
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
    if summary.warnings > 0 {
        line.push_str(&format!(
            "; {} (warnings fail nothing)",
            plural(summary.warnings, "warning")
        ));
    }
    line
}

/// A JSON document as tiergate prints it: one line, keys in sorted
/// order at every level. Sorted because that is the order every JSON output
/// has had (documents were `serde_json::Value`s, whose maps are sorted),
/// and the snapshot tests pin it; a field added to a type below therefore
/// lands at its sorted place, wherever it is declared.
#[derive(Debug, Clone, Copy)]
pub struct Json<'a, T: ?Sized>(pub &'a T);

impl<T: Serialize + ?Sized> std::fmt::Display for Json<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Through `Value` for the sorted keys. Serializing these types
        // cannot fail: every map key is a string.
        let value = serde_json::to_value(self.0).map_err(|_| std::fmt::Error)?;
        write!(f, "{value}")
    }
}

/// One commit's verdict in JSON: the one shape of a judged commit behind
/// `tiergate check`, `show`, `check-patch` and the client hooks'
/// `--format json`. `markers` are the evidence strings; `tiers` the names
/// of the tiers touched (empty when paths were not needed); `violations`
/// in [`Violation`]'s own JSON shape (the one the audit log has too).
#[derive(Debug, Clone, Serialize)]
pub struct CommitJson {
    /// Full commit id (or the patch's label).
    pub id: String,
    /// The commit's title.
    pub title: String,
    /// Declared or marked.
    pub ai_assisted: bool,
    /// Declared.
    pub declared: bool,
    /// Evidence of each marker found.
    pub markers: Vec<String>,
    /// Names of the tiers touched, in policy order.
    pub tiers: Vec<String>,
    /// The violations.
    pub violations: Vec<Violation>,
    /// Violations reported as warnings (tiers or refs in `warn` mode);
    /// only when there are some, so documents of policies without them
    /// keep their shape.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Violation>,
    /// The reviewer's view (`show`, `check-patch --show`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<ProvenanceJson>,
    /// Where a patch came from (`check-patch`).
    #[serde(flatten)]
    pub patch: Option<PatchJson>,
}

/// Where a judged patch came from (`tiergate check-patch --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct PatchJson {
    /// The file it was read from (`-` for stdin).
    pub file: String,
    /// 1-based position among all patches read.
    pub index: usize,
    /// The `Subject:` as written (with its `[PATCH n/m]` prefix).
    pub subject: String,
}

/// JSON form of one commit's verdict.
pub fn commit_json(verdict: &CommitVerdict) -> CommitJson {
    commit_json_in(verdict, &FixContext::History)
}

/// [`commit_json`] with each violation's `fix` said for `context` (the
/// JSON of a hook says what the hook's text says).
pub fn commit_json_in(verdict: &CommitVerdict, context: &FixContext<'_>) -> CommitJson {
    let in_context = |list: &[Violation]| -> Vec<Violation> {
        list.iter()
            .map(|v| {
                let mut v = v.clone();
                if *context != FixContext::History {
                    v.fix = Fix::Sentence(v.fix.render(context));
                }
                v
            })
            .collect()
    };
    CommitJson {
        id: verdict.id.clone(),
        title: verdict.title.clone(),
        ai_assisted: verdict.assessment.ai_assisted(),
        declared: verdict.assessment.declared(),
        markers: verdict
            .assessment
            .markers
            .iter()
            .map(|m| m.evidence.clone())
            .collect(),
        tiers: verdict.tiers.clone(),
        violations: in_context(&verdict.violations),
        warnings: in_context(&verdict.warnings),
        provenance: None,
        patch: None,
    }
}

/// The JSON document of a run of `tiergate check` (`check-patch`, the
/// client hooks): `commits` holds the commits with violations (in the order
/// checked). Printed with `Display` ([`Json`]).
#[derive(Debug, Clone, Serialize)]
pub struct RunJson<'a> {
    /// [`JSON_VERSION`].
    pub version: u32,
    /// Where the policy was read from.
    pub policy: &'a str,
    /// The policy's mode.
    pub mode: Mode,
    /// `pass`, `warn` (violations under `mode: warn`) or `fail`.
    pub verdict: &'static str,
    /// Commits judged.
    pub commits_checked: usize,
    /// Commits with violations.
    pub commits_failed: usize,
    /// Violations in all.
    pub violations: usize,
    /// The commits with violations.
    pub commits: Vec<CommitJson>,
}

impl std::fmt::Display for RunJson<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Json(self).fmt(f)
    }
}

/// The JSON document of a run: `commits` holds the commits with
/// violations (in the order checked).
pub fn run_json<'a>(
    policy: &'a Policy,
    summary: &Summary,
    commits: Vec<CommitJson>,
) -> RunJson<'a> {
    let verdict = if summary.violations == 0 {
        "pass"
    } else if policy.mode == Mode::Warn {
        "warn"
    } else {
        "fail"
    };
    RunJson {
        version: JSON_VERSION,
        policy: &policy.source,
        mode: policy.mode,
        verdict,
        commits_checked: summary.commits_checked,
        commits_failed: summary.commits_failed,
        violations: summary.violations,
        commits,
    }
}

/// The JSON document of `tiergate show`: every commit shown, each with its
/// `provenance`.
#[derive(Debug, Clone, Serialize)]
pub struct ShowJson<'a> {
    /// [`JSON_VERSION`].
    pub version: u32,
    /// Where the policy was read from.
    pub policy: &'a str,
    /// The commits, in the order asked for.
    pub commits: Vec<CommitJson>,
}

impl std::fmt::Display for ShowJson<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Json(self).fmt(f)
    }
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
        RuleCode::UnreadableEncoding => {
            "\
unreadable-encoding: the commit's `encoding` header names a character set
tiergate cannot decode (UTF-7, UTF-16/32, EBCDIC, ISO-2022, an unknown name).
git re-encodes such messages for display, so what reviewers see in `git log`
is not what tiergate could read; the server refuses the commit rather than
pass it unchecked (whatever `server.on_error` says).

How to fix: write the message in UTF-8 (git's default: unset
i18n.commitEncoding) and recreate the commit (`git commit --amend`, or
`git rebase -i` with `reword`)."
        }
        RuleCode::MalformedCommit => {
            "\
malformed-commit: the commit's header is not laid out as git writes it: a
second `tree` line, a `parent` line that does not follow the tree line, two
`author` or `committer` lines, identities out of order, two `encoding` lines.
git itself never writes such a commit (it can only be made by hand, e.g. with
`git hash-object --literally`), and git's own readers disagree about it: git
uses the first `tree` and only the leading `parent` lines, `git log` prints
every `author` line while `%an` shows the last. tiergate judges the tree and
parents git uses, and refuses the commit, since no verdict on it can be
trusted to match what reviewers and checkouts see.

How to fix: recreate the commit with git itself (`git commit`, `git rebase`,
`git cherry-pick`)."
        }
        RuleCode::ReplaceRef => {
            "\
replace-ref: a push creates or moves a replace ref, `refs/replace/<id>`
(what `git replace` writes). git reads such a ref as \"wherever the
object named in the ref is read, show this one\": `git log`, `git show`,
`git archive` and the tools built on git on the server would show the
replacement instead of the commit, tree or blob that is really in the
history, and so would every clone that fetches `refs/replace/*`. tiergate
judges the objects themselves, so the server refuses replace refs
(`server.replace_refs: refuse`, the default). With
`server.replace_refs: judge` a replacement commit is judged like any
pushed commit; a replacement tree or blob is still refused, since no
commit says who wrote it or how. Deleting a replace ref is always allowed.

How to fix: push without the replace ref (`git push` sends
`refs/replace/*` only when asked to), or rewrite the history for real
(`git rebase`, `git filter-repo`) and push that. A maintainer who wants
judged replace refs sets `server.replace_refs: judge` in the policy."
        }
        RuleCode::TreeTooDeep => {
            "\
tree-too-deep: the commit's tree holds directories nested deeper than 2048
levels, git's own limit (`core.maxTreeDepth`): `git diff-tree`, `git
ls-tree -r` and `git checkout` refuse such a tree with \"exceeded maximum
allowed tree depth\", and tiergate does not descend into it either, so the
paths the commit changes there cannot be classified. Only hand-made trees
(`git mktree`, `git hash-object -t tree`) get this deep; the commit is
refused rather than judged on part of its paths.

How to fix: flatten the directory layout (no path with more than 2048
directories) and recreate the commit."
        }
        RuleCode::LookalikePath => {
            "\
lookalike-path: an AI-assisted commit changes a path that is not in a tier
with `ai: forbidden` as written, but that case-insensitive or normalising file
systems check out into one: `CRYPTO/aes.c` or `Crypto/aes.c` land in
`crypto/` on macOS and Windows, `crypto./aes.c` too on Windows (trailing dots
and spaces are dropped), an NFD-decomposed name is its NFC form on macOS, and
HFS+ ignores zero-width and direction-mark characters. The policy turns this
check on with `paths: { lookalikes: true }`.

How to fix: spell the path as the repository spells it, outside the forbidden
tier (rename it), or put the change in a commit written without AI
assistance. Run `tiergate classify --explain PATH` to see which tier the path
lands in and why."
        }
        RuleCode::ForbiddenTrailer => {
            "\
forbidden-trailer: the commit carries a trailer whose key the policy forbids,
either everywhere (`forbidden_trailers:` at the top of the policy) or in a
tier the commit touches (`forbidden_trailers:` of the tier), AI-assisted or
not. Projects forbid keys their workflow adds itself (a `Change-Id:` where
Gerrit is not used, a `Reviewed-by:` that only maintainers add when they
apply a patch) or that a tool writes where the project does not want it.

How to fix: remove the trailer's line (`git commit --amend`, or `git rebase
-i` with `reword` for an older commit)."
        }
        RuleCode::FixupCommit => {
            "\
fixup-commit: the commit's subject starts with `fixup! `, `squash! ` or
`amend! `: it was made with `git commit --fixup` / `--squash` to be folded
into another commit by `git rebase --autosquash`, and was not. Such commits
are the contributor's work in progress; by default they are refused only where
history becomes final (the `receive` stage: the server), and let through on
the contributor's side (`commit`, `push`). The policy moves the rule with
`stages: { fixup-commit: [...] }` or lifts it with an exemption
(`exemptions: [ { kind: fixup, rules: all, stages: [receive] } ]`).

How to fix: fold the fixups into their commits with `git rebase -i
--autosquash <base>` and push again."
        }
        RuleCode::AiProse => {
            "\
ai-prose: the message says, in prose, that a tool generated the change
(\"This test was generated with Claude AI\", \"written with the help of
Copilot\", \"AI-generated\"). Prose is not evidence the way a co-author
trailer or a tool's footer is: the commit is not counted as AI-assisted for
it, and the finding is a warning that never fails a check, hook or push,
unless the policy raises it (`markers: { prose: error }`) or turns it off
(`prose: off`). Quoted text, negations (\"AI-generated code is not allowed\")
and people (\"Claude Shannon\") do not fire.

How to fix: if a tool was used, declare it with the policy's declaration
trailer (`tiergate fix` or the prepare-commit-msg hook writes it, e.g.
`AI-Assisted-by: claude:unknown`); if not, reword the sentence."
        }
    }
}

/// Escape workflow-command data for GitHub Actions (`%`, CR, LF), as the
/// Actions toolkit's `escapeData` does.
pub fn github_escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow-command property value (`file=`, `title=`): the data
/// escapes plus `:` and `,`, as the toolkit's `escapeProperty` does.
pub fn github_escape_property(text: &str) -> String {
    github_escape_data(text)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// The plain-text description of a violation of `verdict` (no colour):
/// what is wrong, the paths (first few, then a count) and the fix.
pub(crate) fn plain_description(
    verdict: &CommitVerdict,
    kind: &str,
    violation: &Violation,
) -> String {
    let mut text = format!(
        "{kind} {} \"{}\": {}",
        short_id(&verdict.id),
        verdict.title,
        violation.message
    );
    if let Some(line) = violation.line {
        let _ = write!(text, " (line {} of the message)", line + 1);
    }
    for path in violation.paths.iter().take(PATHS_SHOWN) {
        let _ = write!(text, "\n  {}", String::from_utf8_lossy(path));
    }
    if violation.paths.len() > PATHS_SHOWN {
        let _ = write!(
            text,
            "\n  ... and {} more",
            violation.paths.len() - PATHS_SHOWN
        );
    }
    let _ = write!(text, "\nfix: {}", violation.fix);
    text
}

/// GitHub Actions annotations for one commit's violations ("" when it has
/// none): one `::error` (`::warning` under `mode: warn`) workflow command
/// per violation, `file=` the first offending path when the rule concerns
/// paths, `title=tiergate <rule-code>`, the message, paths and fix as the
/// data (newlines escaped as `%0A`).
pub fn github_commit(verdict: &CommitVerdict, mode: Mode) -> String {
    let level_of = |warning: bool| match (mode, warning) {
        (Mode::Enforce, false) => "error",
        _ => "warning",
    };
    let mut out = String::new();
    for (violation, warning) in with_warnings(verdict) {
        let level = level_of(warning);
        let mut props = Vec::new();
        if let Some(path) = violation.paths.first() {
            props.push(format!(
                "file={}",
                github_escape_property(&String::from_utf8_lossy(path))
            ));
        }
        props.push(format!(
            "title={}",
            github_escape_property(&format!("tiergate {}", violation.rule))
        ));
        let _ = writeln!(
            out,
            "::{level} {}::{}",
            props.join(","),
            github_escape_data(&plain_description(verdict, "commit", violation))
        );
    }
    out
}

/// The violations of `verdict`, then its warnings (violations of tiers or
/// refs in `warn` mode), each with whether it is a warning.
fn with_warnings(verdict: &CommitVerdict) -> impl Iterator<Item = (&Violation, bool)> {
    let violations = verdict.violations.iter().map(|v| (v, false));
    violations.chain(verdict.warnings.iter().map(|v| (v, true)))
}

/// A stable fingerprint (32 hex digits) of `parts`: two FNV-1a 64-bit
/// hashes with different offsets. The same violation of the same commit
/// always has the same fingerprint, so GitLab can tell new issues from
/// old ones.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x6c62_272e_07bb_0142;
    for part in parts {
        for &byte in part.iter().chain(std::iter::once(&0xff)) {
            a = (a ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
            b = (b ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{a:016x}{b:016x}")
}

/// One issue of a GitLab Code Quality report (`tiergate check --format
/// gitlab`), in the fields GitLab reads.
#[derive(Debug, Clone, Serialize)]
pub struct GitlabIssue {
    /// Always `issue`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The violation in one paragraph.
    pub description: String,
    /// `tiergate/<rule-code>`.
    pub check_name: String,
    /// Always `["Style"]`.
    pub categories: [&'static str; 1],
    /// Stable across runs: rule, commit, tier, path and line.
    pub fingerprint: String,
    /// `major`, or `minor` under `mode: warn`.
    pub severity: &'static str,
    /// Where GitLab shows it.
    pub location: GitlabLocation,
}

/// `location` of a [`GitlabIssue`].
#[derive(Debug, Clone, Serialize)]
pub struct GitlabLocation {
    /// The offending path, or the policy file.
    pub path: String,
    /// Always `{"begin": 1}`.
    pub lines: GitlabLines,
}

/// `location.lines` of a [`GitlabIssue`].
#[derive(Debug, Clone, Copy, Serialize)]
pub struct GitlabLines {
    /// The first line.
    pub begin: u32,
}

/// GitLab Code Quality issues for one commit's violations (the report is
/// the JSON array of the issues of every commit). A violation about paths
/// gives one issue per offending path (`location.path` that path), so
/// each file shows it in the merge request; a violation about the message
/// has no file of its own and is located at `policy_path` (the policy file
/// that states the rule). `location.lines.begin` is 1; severity `major`
/// (`minor` under `mode: warn`); `check_name` is `tiergate/<rule-code>`.
pub fn gitlab_issues(verdict: &CommitVerdict, mode: Mode, policy_path: &str) -> Vec<GitlabIssue> {
    let severity_of = |warning: bool| match (mode, warning) {
        (Mode::Enforce, false) => "major",
        _ => "minor",
    };
    let mut issues = Vec::new();
    for (violation, warning) in with_warnings(verdict) {
        let severity = severity_of(warning);
        let description = plain_description(verdict, "commit", violation);
        let line = violation
            .line
            .map(|l| (l + 1).to_string())
            .unwrap_or_default();
        let issue = |path: String| GitlabIssue {
            kind: "issue",
            description: description.clone(),
            check_name: format!("tiergate/{}", violation.rule),
            categories: ["Style"],
            fingerprint: fingerprint(&[
                violation.rule.as_str().as_bytes(),
                verdict.id.as_bytes(),
                violation.tier.as_deref().unwrap_or("").as_bytes(),
                path.as_bytes(),
                line.as_bytes(),
            ]),
            severity,
            location: GitlabLocation {
                path,
                lines: GitlabLines { begin: 1 },
            },
        };
        if violation.paths.is_empty() {
            issues.push(issue(policy_path.to_owned()));
        } else {
            for path in &violation.paths {
                issues.push(issue(String::from_utf8_lossy(path).into_owned()));
            }
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_or_when_forced_and_never_with_no_color() {
        assert_eq!(Colour::choose(true, false, false), Colour::Always);
        assert_eq!(Colour::choose(false, false, false), Colour::Never);
        assert_eq!(Colour::choose(false, false, true), Colour::Always);
        assert_eq!(Colour::choose(true, true, false), Colour::Never);
        assert_eq!(Colour::choose(false, true, true), Colour::Never);
        assert_eq!(Colour::Never.paint("1", "x"), "x");
        assert_eq!(Colour::Always.paint("1", "x"), "\x1b[1mx\x1b[0m");
    }

    #[test]
    fn github_escapes() {
        assert_eq!(github_escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(github_escape_property("dir/a:b,c%.c"), "dir/a%3Ab%2Cc%25.c");
    }

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        let a = fingerprint(&[b"x", b"y"]);
        assert_eq!(a, fingerprint(&[b"x", b"y"]));
        assert_eq!(a.len(), 32);
        assert_ne!(a, fingerprint(&[b"xy"]));
        assert_ne!(a, fingerprint(&[b"x", b"z"]));
    }

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
