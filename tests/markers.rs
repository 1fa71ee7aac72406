//! End-to-end: the builtin signature database (crates/core/signatures.yaml)
//! judged through every entry point. A history of real-looking commits,
//! each touching the `critical` tier (`ai: forbidden`) without a
//! declaration: those an AI tool made must be refused as `undeclared-ai`
//! and `ai-forbidden-tier` by `tiergate check`, by the pre-receive hook on
//! a real push and by `tiergate check-patch` on `git format-patch` output,
//! all three alike; humans whose names look like the tools must pass all
//! three. And a policy that pins `markers: { builtin: 2026.11 }` does not
//! flag an identity that only the 2026.12 database knows, where `builtin:
//! true` (the latest) does.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use support::server::{
    assert_code, bin_dir, git, hermetic, output, remote_lines, stderr, stdout, Server, POLICY,
};

/// One commit of the table: its `--author`, the lines below its title, and
/// the tool the builtin markers must name (`None`: a human, must pass).
struct Case {
    author: &'static str,
    body: &'static str,
    tool: Option<&'static str>,
}

const fn agent(author: &'static str, body: &'static str, tool: &'static str) -> Case {
    Case {
        author,
        body,
        tool: Some(tool),
    }
}

const fn human(author: &'static str, body: &'static str) -> Case {
    Case {
        author,
        body,
        tool: None,
    }
}

const HAND: &str = "Ann Dev <ann@example.com>";

const CASES: &[Case] = &[
    agent(
        "claude-code-action[bot] <208546643+claude-code-action[bot]@users.noreply.github.com>",
        "Apply the review suggestions.",
        "Claude",
    ),
    agent(HAND, "Fix the key schedule.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>", "Claude"),
    agent(
        "openai-codex[bot] <215057067+openai-codex[bot]@users.noreply.github.com>",
        "Address the Codex review.",
        "Codex",
    ),
    agent(HAND, "Squashed.\n\nCo-authored-by: chatgpt-codex-connector[bot] <199175422+chatgpt-codex-connector[bot]@users.noreply.github.com>", "Codex"),
    agent(
        "amazon-q-developer[bot] <208079219+amazon-q-developer[bot]@users.noreply.github.com>",
        "Fix syntax errors.",
        "Amazon Q Developer",
    ),
    agent(
        "cline[bot] <205137888+cline[bot]@users.noreply.github.com>",
        "Refactor the helpers.",
        "Cline",
    ),
    agent(
        "continue[bot] <230936708+continue[bot]@users.noreply.github.com>",
        "Apply the suggested change.",
        "Continue",
    ),
    agent(HAND, "Tidy.\n\nCo-authored-by: sourcegraph-cody[bot] <201248094+sourcegraph-cody[bot]@users.noreply.github.com>", "Sourcegraph Cody"),
    agent(HAND, "Use the constant-time compare.\n\nAmp-Thread-ID: https://ampcode.com/threads/T-5a7b9c\nCo-authored-by: Amp <amp@ampcode.com>", "Amp"),
    agent(
        "jetbrains-ai[bot] <220155983+jetbrains-ai[bot]@users.noreply.github.com>",
        "Generate the tests.",
        "JetBrains AI",
    ),
    agent(HAND, "Checkpoint.\n\nReplit-Commit-Author: Agent\nReplit-Commit-Session-Id: 8530e9e7-5d2c-4d57-9a3c-2f6c1e0b8a11", "Replit Agent"),
    agent(HAND, "Speed up the rounds.\n\n🤖 Generated with Codebuff\nCo-Authored-By: Codebuff <noreply@codebuff.com>", "Codebuff"),
    agent(HAND, "Fix the padding.\n\nCo-authored-by: openhands <openhands@all-hands.dev>", "OpenHands"),
    agent(HAND, "Harden the parser.\n\nCo-authored-by: factory-droid[bot] <138933559+factory-droid[bot]@users.noreply.github.com>", "Factory Droid"),
    agent(
        "kiro-agent <244629292+kiro-agent@users.noreply.github.com>",
        "Implement the spec.",
        "Kiro",
    ),
    agent(HAND, "Release.\n\nCo-authored-by: Qwen-Coder <qwen-coder@alibabacloud.com>", "Qwen Code"),
    agent(HAND, "Port the tables.\n\n🤖 Generated with [opencode](https://opencode.ai)\n\nCo-Authored-By: opencode <noreply@opencode.ai>", "opencode"),
    agent(HAND, "Load the table.\n\n💘 Generated with Crush\n\nCo-Authored-By: Crush <crush@charm.land>", "Crush"),
    agent(HAND, "Update the docs.\n\nMade with [Cursor](https://cursor.com)", "Cursor"),
    agent("Jane Doe (aider) <jane@example.com>", "Use SIMD.", "aider"),
    agent(HAND, "Add the regression test.\n\nCo-Authored-By: Oz <oz-agent@warp.dev>", "Warp"),
    // Humans whose names or words look like the tools.
    human("Claude Dioudonnat <claude@dioudonnat.fr>", "Fix the IV handling."),
    human("Devin Jones <devin@example.org>", "Fix a typo."),
    human("Jules Verne <jules@example.com>", "Twenty thousand leagues."),
    human("Cody Allen <cody@example.com>", "Rename the field."),
    human("Junie Moon <junie@example.com>", "Drop the dead code."),
    human(
        "localai-org-maint-bot <123456+localai-org-maint-bot@users.noreply.github.com>",
        "Bump the version.",
    ),
    human(
        "Sam Engineer <sam@openai.com>",
        "Fix the build by hand.\n\nSigned-off-by: Sam Engineer <sam@openai.com>",
    ),
    human(HAND, "Continue the series.\n\nContinue with the remaining ciphers; made with care.\n\nCo-authored-by: Amp Kumar <amp.kumar@example.in>"),
    human("Amp Kumar <amp@example.in>", "Generated with care and continue-on-error."),
    human("Oz Pearlman <oz@example.com>", "Fix the tests."),
];

/// Rule codes (sorted) by commit title, for every commit with violations.
type Verdicts = BTreeMap<String, Vec<String>>;

/// `tiergate ARGS` in `dir`, hermetic. The binary belongs to another
/// package of the workspace: built by `cargo test --workspace` (or `cargo
/// build`). (The unified tests/support on main has this as
/// `support::tiergate`.)
fn tiergate(dir: &Path, args: &[&str]) -> Output {
    let bin = bin_dir().join("tiergate");
    assert!(
        bin.is_file(),
        "{} is not built: run `cargo build -p tiergate` first",
        bin.display()
    );
    let mut cmd = Command::new(bin);
    hermetic(&mut cmd).current_dir(dir).args(args);
    output(&mut cmd)
}

fn title(i: usize) -> String {
    format!("crypto: case {i:02}")
}

/// Commit every case in the clone, each adding its own file under
/// crypto/; the ids, in order.
fn commit_cases(s: &Server) -> Vec<String> {
    CASES
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let file = format!("crypto/case{i:02}.c");
            s.write(&file, "int k;\n");
            git(&s.work, &["add", "-A"]);
            let message = format!("{}\n\n{}\n", title(i), case.body);
            git(
                &s.work,
                &[
                    "commit",
                    "-q",
                    "--cleanup=verbatim",
                    "--author",
                    case.author,
                    "-m",
                    &message,
                ],
            );
            s.rev("HEAD")
        })
        .collect()
}

/// What the table expects.
fn expected() -> Verdicts {
    CASES
        .iter()
        .enumerate()
        .filter(|(_, c)| c.tool.is_some())
        .map(|(i, _)| {
            (
                title(i),
                vec!["ai-forbidden-tier".to_owned(), "undeclared-ai".to_owned()],
            )
        })
        .collect()
}

fn rules(value: &serde_json::Value) -> Vec<String> {
    let mut rules: Vec<String> = value["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| v["rule"].as_str().expect("rule").to_owned())
        .collect();
    rules.sort();
    rules.dedup();
    rules
}

#[test]
fn agents_are_flagged_and_look_alikes_pass_at_every_entry_point() {
    let s = Server::new();
    let base = s.rev("HEAD");
    let ids = commit_cases(&s);
    let want = expected();

    // tiergate check.
    let out = tiergate(
        &s.work,
        &["check", "--format", "json", &format!("{base}..HEAD")],
    );
    assert_code(&out, 1);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let mut by_check = Verdicts::new();
    for c in doc["commits"].as_array().expect("commits") {
        let title = c["title"].as_str().expect("title").to_owned();
        let i: usize = title["crypto: case ".len()..].parse().expect("case number");
        if let Some(tool) = CASES[i].tool {
            let markers = c["markers"].to_string();
            assert!(
                markers.contains(&format!("({tool})")),
                "{title}: {tool} not in {markers}"
            );
        }
        by_check.insert(title, rules(c));
    }
    assert_eq!(by_check, want, "tiergate check");
    assert_eq!(doc["commits_checked"], CASES.len());

    // tiergate check-patch on git format-patch output.
    git(
        &s.work,
        &[
            "format-patch",
            "-q",
            "-N",
            "-o",
            "out",
            &format!("{base}..HEAD"),
        ],
    );
    let mut patches: Vec<String> = std::fs::read_dir(s.work.join("out"))
        .expect("out")
        .map(|e| format!("out/{}", e.expect("entry").file_name().to_string_lossy()))
        .collect();
    patches.sort();
    assert_eq!(patches.len(), CASES.len());
    let mut args = vec!["check-patch", "--format", "json"];
    args.extend(patches.iter().map(String::as_str));
    let out = tiergate(&s.work, &args);
    assert_code(&out, 1);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let by_patch: Verdicts = doc["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| {
            let subject = c["subject"].as_str().expect("subject");
            let subject = subject.strip_prefix("[PATCH] ").unwrap_or(subject);
            (subject.to_owned(), rules(c))
        })
        .collect();
    assert_eq!(by_patch, want, "tiergate check-patch");
    std::fs::remove_dir_all(s.work.join("out")).expect("rm out");

    // The pre-receive hook, on a real push.
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 1);
    assert!(
        remote_lines(&out)
            .iter()
            .any(|l| l.starts_with("tiergate: push rejected")),
        "{}",
        stderr(&out)
    );
    let rec = s.last_audit();
    assert_eq!(rec["commits_checked"], CASES.len());
    let mut by_server = Verdicts::new();
    for v in rec["violations"].as_array().expect("violations") {
        let id = v["commit"].as_str().expect("commit");
        let i = ids.iter().position(|c| c == id).expect("a case's commit");
        let rules = by_server.entry(title(i)).or_default();
        rules.push(v["rule"].as_str().expect("rule").to_owned());
        rules.sort();
        rules.dedup();
    }
    assert_eq!(by_server, want, "pre-receive");
}

/// A policy like the server's with `markers.builtin` set to `builtin`.
fn policy(builtin: &str) -> String {
    POLICY.replace("tiers:", &format!("markers:\n  builtin: {builtin}\ntiers:"))
}

#[test]
fn a_pinned_database_version_keeps_verdicts_across_upgrades() {
    let s = Server::new();
    // The policy change itself is a human commit in the default tier.
    s.commit(&[("policy.yaml", &policy("2026.11"))], "pin the markers");
    assert_code(&s.push(&["origin", "main"]), 0);
    let message = "crypto: constant-time compare\n\nCo-authored-by: Amp <amp@ampcode.com>\n";
    let amp = s.commit(&[("crypto/cmp.c", "int cmp;\n")], message);

    // Pinned to 2026.11, which does not know Amp: passes everywhere.
    let out = tiergate(&s.work, &["check", "HEAD~1..HEAD"]);
    assert_code(&out, 0);
    let out = tiergate(&s.work, &["markers", "--format", "json"]);
    assert_code(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(doc["version"], "2026.11");
    assert_eq!(doc["chosen_by"], "policy");
    assert_code(&s.push(&["origin", "main"]), 0);
    assert_eq!(s.remote_rev("main").as_deref(), Some(amp.as_str()));

    // The latest database knows Amp: the same kind of commit is refused.
    s.commit(
        &[("policy.yaml", &policy("true"))],
        "follow the latest markers",
    );
    assert_code(&s.push(&["origin", "main"]), 0);
    let again = s.commit(&[("crypto/cmp2.c", "int cmp2;\n")], message);
    let out = tiergate(&s.work, &["check", "--format", "json", "HEAD~1..HEAD"]);
    assert_code(&out, 1);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(
        rules(&doc["commits"][0]),
        ["ai-forbidden-tier", "undeclared-ai"]
    );
    assert_eq!(
        doc["commits"][0]["markers"][0],
        "Co-authored-by: Amp <amp@ampcode.com> (Amp)"
    );
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 1);
    let rec = s.last_audit();
    assert_eq!(rec["violations"][0]["commit"], again.as_str());
    assert_eq!(rec["accepted"], false);

    // And `builtin: false` turns the builtin markers off: the commit is
    // not AI-assisted at all.
    git(&s.work, &["reset", "-q", "--hard", "HEAD~1"]);
    s.commit(&[("policy.yaml", &policy("false"))], "no builtin markers");
    assert_code(&s.push(&["origin", "main"]), 0);
    s.commit(&[("crypto/cmp3.c", "int cmp3;\n")], message);
    assert_code(&tiergate(&s.work, &["check", "HEAD~1..HEAD"]), 0);
    assert_code(&s.push(&["origin", "main"]), 0);
}

#[test]
fn a_policy_pinning_an_unknown_version_fails_closed() {
    let s = Server::new();
    s.commit(&[("policy.yaml", &policy("2099.01"))], "pin the future");
    let out = tiergate(&s.work, &["check", "HEAD~1..HEAD"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("unknown signature database version `2099.01` for `markers.builtin`"),
        "{}",
        stderr(&out)
    );
    let out = tiergate(&s.work, &["markers"]);
    assert_code(&out, 2);
}
