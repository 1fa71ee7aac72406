//! End-to-end: helping contributors declare. The prepare-commit-msg hook
//! (installed by install.sh beside commit-msg) and `tiergate fix` turn an
//! AI tool's co-author trailer and footer into the policy's declaration,
//! and the commit-msg hook then judges the result: real `git commit`.

mod support;

use support::hooks::{
    assert_code, git_cmd, output, run_stdin, stderr, stdout, tiergate_bin, Clone,
};

const CLAUDE: &str = "Co-authored-by: Claude <noreply@anthropic.com>";
const FOOTER: &str = "🤖 Generated with [Claude Code](https://claude.com/claude-code)";

fn head_message(c: &Clone) -> String {
    c.git(&["log", "-1", "--format=%B"])
}

#[test]
fn auto_declare_turns_a_claude_co_author_into_a_declaration_commit_msg_accepts() {
    let c = Clone::new();
    c.git(&["config", "tiergate.autoDeclare", "true"]);
    c.write("docs/guide.md", "guide\n");
    c.git(&["add", "-A"]);
    let message =
        format!("docs: add a guide\n\nWritten from the design notes.\n\n{FOOTER}\n\n{CLAUDE}\n");
    let out = c.try_git(&["commit", "-m", &message]);
    assert_code(&out, 0);
    assert_eq!(
        head_message(&c),
        "docs: add a guide\n\nWritten from the design notes.\n\nAI-Assisted-by: claude:unknown\n\n"
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "tiergate: declared AI assistance in the commit message (git config tiergate.autoDeclare):\n  removed line 5: {FOOTER}\n  removed line 7: {CLAUDE}\n  added: AI-Assisted-by: claude:unknown\n"
        )),
        "{err}"
    );
    // The declared commit still may not touch the forbidden tier: the
    // declaration is honest, the tier rule applies.
    c.write("crypto/aes.c", "faster\n");
    c.git(&["add", "-A"]);
    let before = c.rev("HEAD");
    let out = c.try_git(&["commit", "-m", &format!("crypto: faster\n\n{CLAUDE}\n")]);
    assert_code(&out, 1);
    assert!(
        stderr(&out).contains("error[ai-forbidden-tier]"),
        "{}",
        stderr(&out)
    );
    assert_eq!(c.rev("HEAD"), before);
}

#[test]
fn without_auto_declare_the_hook_only_suggests_and_commit_msg_refuses() {
    let c = Clone::new();
    c.write("docs/guide.md", "guide\n");
    c.git(&["add", "-A"]);
    let before = c.rev("HEAD");
    let out = c.try_git(&["commit", "-m", &format!("docs: add a guide\n\n{CLAUDE}\n")]);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "tiergate: the commit message credits an AI tool; the policy asks for a declaration:\n  would be removed line 3: {CLAUDE}\n  would be added: AI-Assisted-by: claude:unknown\nHint: Run `git config tiergate.autoDeclare true` to have this hook write it, or `tiergate fix --yes .git/COMMIT_EDITMSG` once.\n"
        )),
        "{err}"
    );
    assert!(err.contains("error[undeclared-ai]"), "{err}");
    assert_eq!(c.rev("HEAD"), before);
    // A human commit is left alone, silently.
    let out = c.try_git(&["commit", "-m", "docs: add a guide"]);
    assert_code(&out, 0);
    assert!(!stderr(&out).contains("tiergate"), "{}", stderr(&out));
}

#[test]
fn tiergate_fix_asks_before_changing_a_file() {
    let c = Clone::new();
    let file = c.path().join("msg.txt");
    let original = format!("src: tidy\n\nSigned-off-by: A U Thor <author@example.com>\n{CLAUDE}\n");
    std::fs::write(&file, &original).expect("write");
    let fix = |args: &[&str]| {
        let mut cmd = std::process::Command::new(tiergate_bin());
        support::hooks::hermetic(&mut cmd);
        cmd.current_dir(c.path()).arg("fix").args(args);
        output(&mut cmd)
    };
    // Not on a terminal, no --yes: proposed only.
    let out = fix(&["msg.txt"]);
    assert_code(&out, 1);
    assert_eq!(
        stderr(&out),
        format!("tiergate fix: proposed changes to msg.txt:\n  removed line 4: {CLAUDE}\n  added: AI-Assisted-by: claude:unknown\ntiergate fix: not applied\nHint: Run `tiergate fix --yes msg.txt` to apply it.\n")
    );
    assert_eq!(std::fs::read_to_string(&file).expect("read"), original);
    let out = fix(&["--yes", "msg.txt"]);
    assert_code(&out, 0);
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "src: tidy\n\nSigned-off-by: A U Thor <author@example.com>\nAI-Assisted-by: claude:unknown\n"
    );
    // Nothing left to do.
    assert_code(&fix(&["msg.txt"]), 0);
    // A filter on stdin.
    let mut cmd = std::process::Command::new(tiergate_bin());
    support::hooks::hermetic(&mut cmd);
    cmd.current_dir(c.path()).arg("fix");
    let out = run_stdin(&mut cmd, format!("x\n\n{FOOTER}\n").as_bytes());
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "x\n\nAI-Assisted-by: claude:unknown\n");
    // The fixed message passes the commit-msg hook.
    c.write("src/a.c", "a\n");
    c.git(&["add", "-A"]);
    let out = output(git_cmd(&c.path()).args(["commit", "-q", "-F", "msg.txt"]));
    assert_code(&out, 0);
}

#[test]
fn the_editor_flow_keeps_git_s_comments_below_the_declaration() {
    let c = Clone::new();
    c.git(&["config", "tiergate.autoDeclare", "true"]);
    c.write("docs/guide.md", "guide\n");
    c.git(&["add", "-A"]);
    let file = c.path().join("msg.txt");
    std::fs::write(&file, format!("docs: add a guide\n\n{CLAUDE}\n")).expect("write");
    // The editor (`cat`, into a file) sees what the hook wrote: the
    // declaration above git's comment lines.
    let seen = c.path().join("seen.txt");
    let editor = format!("cat >{} <", seen.display());
    let out = output(
        git_cmd(&c.path())
            .env("GIT_EDITOR", &editor)
            .args(["commit", "-q", "-e", "-F", "msg.txt"]),
    );
    assert_code(&out, 0);
    let edited = std::fs::read_to_string(&seen).expect("editor ran");
    assert!(
        edited.starts_with("docs: add a guide\n\nAI-Assisted-by: claude:unknown\n\n# Please enter the commit message"),
        "{edited}"
    );
    assert_eq!(
        head_message(&c),
        "docs: add a guide\n\nAI-Assisted-by: claude:unknown\n\n"
    );
}
