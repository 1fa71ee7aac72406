//! Evasion suite: attempts to slip an AI-assisted change past the rules,
//! each pushed through the real pre-receive hook (installed by `install.sh
//! --server`) and judged by the verdict the design requires: the set of
//! rule codes in the audit record, or a pass.
//!
//! One server and one clone serve every case; each case builds its commits
//! on a fresh branch from the server's initial commit and pushes them to
//! `refs/heads/case/<name>` (or what the case pushes), so cases do not
//! see each other's commits.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use support::server::{git, git_cmd, output, stderr, Server, DECLARED};

/// An AI co-author line.
const CLAUDE: &str = "Co-authored-by: Claude <noreply@anthropic.com>";

/// What a case does in the clone before pushing; returns the push
/// arguments (after `origin`), default `HEAD:refs/heads/case/<name>`.
type Setup = fn(&Ctx) -> Option<Vec<String>>;

struct Case {
    name: &'static str,
    setup: Setup,
    /// Rule codes expected in the audit record; empty: accepted.
    expect: &'static [&'static str],
}

struct Ctx<'a> {
    s: &'a Server,
    name: &'a str,
}

impl Ctx<'_> {
    fn work(&self) -> &Path {
        &self.s.work
    }

    fn git(&self, args: &[&str]) -> String {
        git(self.work(), args)
    }

    /// Commit `files` with the exact message `msg` (no cleanup), with
    /// extra environment (identities).
    fn commit_env(&self, files: &[(&str, &str)], msg: &[u8], env: &[(&str, &str)]) -> String {
        for (rel, content) in files {
            self.s.write(rel, content);
        }
        // Only what the case wrote: a case that staged by hand (a mode,
        // a gitlink) keeps its index.
        if !files.is_empty() {
            self.git(&["add", "-A"]);
        }
        let file = self.s.tmp.path().join("msg");
        std::fs::write(&file, msg).expect("write message");
        let mut cmd = git_cmd(self.work());
        cmd.args(["commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F"])
            .arg(&file);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = output(&mut cmd);
        assert!(out.status.success(), "commit: {}", stderr(&out));
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    fn commit(&self, files: &[(&str, &str)], msg: &str) -> String {
        self.commit_env(files, msg.as_bytes(), &[])
    }

    fn branch(&self) -> String {
        format!("refs/heads/case/{}", self.name)
    }
}

/// `title\n\nAI-Assisted-by: ...\n`.
fn declared(title: &str) -> String {
    format!("{title}\n\n{DECLARED}\n")
}

/// A crypto change with `msg`.
fn crypto(c: &Ctx, msg: &str) {
    c.commit(&[("crypto/aes.c", &format!("{msg}\n"))], msg);
}

macro_rules! msg_case {
    ($name:literal, $msg:expr, [$($rule:literal),*]) => {
        Case {
            name: $name,
            setup: |c| {
                crypto(c, &$msg);
                None
            },
            expect: &[$($rule),*],
        }
    };
}

fn cases() -> Vec<Case> {
    vec![
        // --- the plain cases the others are variations of ---------------
        msg_case!("plain-declared", declared("crypto: ai"), ["ai-forbidden-tier"]),
        msg_case!("plain-human", "crypto: by hand\n\nSigned-off-by: A U Thor <author@example.com>\n", []),
        msg_case!("plain-marked", format!("crypto: x\n\n{CLAUDE}\n"), ["ai-forbidden-tier", "undeclared-ai"]),
        // --- the declaration key disguised -------------------------------
        msg_case!("key-cyrillic-a", "crypto: x\n\n\u{410}I-Assisted-by: claude:opus\n", ["near-miss-key"]),
        msg_case!("key-cyrillic-s", "crypto: x\n\nAI-A\u{441}\u{441}isted-by: claude:opus\n", ["near-miss-key"]),
        msg_case!("key-greek-alpha", "crypto: x\n\n\u{391}I-Assisted-by: claude:opus\n", ["near-miss-key"]),
        msg_case!("key-fullwidth", "crypto: x\n\n\u{ff21}\u{ff29}-Assisted-by: claude:opus\n", ["near-miss-key"]),
        msg_case!("key-fullwidth-colon", "crypto: x\n\nAI-Assisted-by\u{ff1a} claude:opus\n", ["misplaced-declaration"]),
        msg_case!("key-zero-width-space", "crypto: x\n\nAI-\u{200b}Assisted-by: claude:opus\n", ["near-miss-key"]),
        msg_case!("key-zero-width-joiner", "crypto: x\n\nAI\u{200d}-Assisted-by: claude:opus\n", ["near-miss-key"]),
        msg_case!("key-bom-prefix", "crypto: x\n\n\u{feff}AI-Assisted-by: claude:opus\n", ["near-miss-key"]),
        msg_case!("key-soft-hyphen", "crypto: x\n\nAI-Assis\u{ad}ted-by: claude:opus\n", ["near-miss-key"]),
        msg_case!("key-underscores", "crypto: x\n\nAI_Assisted_by: claude:opus\n", ["near-miss-key"]),
        msg_case!("key-spaces", "crypto: x\n\nAI Assisted by: claude:opus\n", ["near-miss-key"]),
        msg_case!("key-typo", "crypto: x\n\nAI-Asisted-by: claude:opus\n", ["near-miss-key"]),
        msg_case!("key-no-colon", "crypto: x\n\nAI-Assisted-by claude:opus\n", ["misplaced-declaration"]),
        msg_case!("key-equals", "crypto: x\n\nAI-Assisted-by= claude:opus\n", ["misplaced-declaration"]),
        // --- spellings git reads: declared, so the tier rule applies ------
        msg_case!("key-lowercase", "crypto: x\n\nai-assisted-by: claude:opus\n", ["ai-forbidden-tier"]),
        msg_case!("key-uppercase", "crypto: x\n\nAI-ASSISTED-BY: claude:opus\n", ["ai-forbidden-tier"]),
        msg_case!("key-space-before-colon", "crypto: x\n\nAI-Assisted-by : claude:opus\n", ["ai-forbidden-tier"]),
        msg_case!("key-alias", "crypto: x\n\nAssisted-by: claude:opus\n", ["ai-forbidden-tier"]),
        msg_case!("declaration-empty", "crypto: x\n\nAI-Assisted-by:\n", ["ai-forbidden-tier", "malformed-declaration"]),
        msg_case!("crlf-declared", "crypto: x\r\n\r\nAI-Assisted-by: claude:opus\r\n", ["ai-forbidden-tier"]),
        msg_case!("crlf-marked", format!("crypto: x\r\n\r\n{CLAUDE}\r\n"), ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("declaration-folded", "crypto: x\n\nAI-Assisted-by:\n claude:opus\n", ["ai-forbidden-tier"]),
        // --- where the declaration stands --------------------------------
        msg_case!("declaration-in-title", "AI-Assisted-by: claude:opus\n", ["misplaced-declaration"]),
        msg_case!("declaration-title-paragraph", "crypto: x\nAI-Assisted-by: claude:opus\n", ["misplaced-declaration"]),
        msg_case!("declaration-before-blank", "crypto: x\n\nAI-Assisted-by: claude:opus\n\nMore words about it.\n", ["misplaced-declaration"]),
        // git does not read a trailer followed by a `---` line in the same
        // paragraph, even in a stored message (`%(trailers)`).
        msg_case!("declaration-above-divider", "crypto: x\n\nAI-Assisted-by: claude:opus\n---\n crypto/aes.c | 1 +\n", ["misplaced-declaration"]),
        msg_case!("declaration-mixed-paragraph", "crypto: x\n\nThis is prose.\nMore prose here.\nAnd even more prose.\nAI-Assisted-by: claude:opus\n", ["misplaced-declaration"]),
        msg_case!("declaration-indented", "crypto: x\n\n  AI-Assisted-by: claude:opus\n", ["misplaced-declaration"]),
        msg_case!("declaration-comment-line", "crypto: x\n\n# AI-Assisted-by: claude:opus\n", ["misplaced-declaration"]),
        msg_case!("declaration-below-scissors", "crypto: x\n\nbody\n# ------------------------ >8 ------------------------\nAI-Assisted-by: claude:opus\n", ["misplaced-declaration"]),
        // --- markers disguised --------------------------------------------
        msg_case!("coauthor-case", "crypto: x\n\nco-AUTHORED-by: CLAUDE <NoReply@Anthropic.COM>\n", ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("coauthor-spaces", "crypto: x\n\nCo-authored-by :   Claude    Code   <noreply@anthropic.com>  \n", ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("coauthor-email-only", "crypto: x\n\nCo-authored-by: Helper <NOREPLY@anthropic.com>\n", ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("coauthor-non-final-paragraph", format!("crypto: x\n\n{CLAUDE}\n\nMore words.\n"), ["ai-forbidden-tier", "undeclared-ai"]),
        // git folds the continuation into the sign-off's value, which then
        // names Claude: an AI sign-off as git reads it.
        msg_case!("coauthor-continuation", format!("crypto: x\n\nSigned-off-by: A U Thor <author@example.com>\n {CLAUDE}\n"), ["ai-forbidden-tier", "undeclared-ai", "ai-signoff"]),
        // A co-author mentioned inside a sentence is not a co-author line
        // (no forge credits it either); the design's markers are lines.
        msg_case!("coauthor-in-title", format!("crypto: x {CLAUDE}\n"), []),
        msg_case!("coauthor-fullwidth-colon", "crypto: x\n\nCo-authored-by\u{ff1a} Claude <noreply@anthropic.com>\n", ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("coauthor-underscores", "crypto: x\n\nCo_Authored_By: Claude <noreply@anthropic.com>\n", ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("signoff-greek-key", "crypto: x\n\nSigned-\u{3bf}ff-by: Claude <noreply@anthropic.com>\n", ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("coauthor-cyrillic-key", "crypto: x\n\nC\u{43e}-authored-by: Claude <noreply@anthropic.com>\n", ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("coauthor-zero-width-key", "crypto: x\n\nCo-author\u{200b}ed-by: Claude <noreply@anthropic.com>\n", ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("coauthor-below-divider", format!("crypto: x\n\n---\n{CLAUDE}\n"), ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("coauthor-below-scissors", format!("crypto: x\n\nbody\n# ------------------------ >8 ------------------------\n{CLAUDE}\n"), ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("coauthor-copilot-noreply", "crypto: x\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>\n", ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("coauthor-swe-agent", "crypto: x\n\nCo-authored-by: copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>\n", ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("coauthor-cursor", "crypto: x\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\n", ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("coauthor-aider-model", "crypto: x\n\nCo-authored-by: aider (openai/gpt-4o) <noreply@aider.chat>\n", ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("coauthor-devin", "crypto: x\n\nCo-authored-by: devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>\n", ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("generated-with-claude-code", "crypto: x\n\n\u{1f916} Generated with [Claude Code](https://claude.com/claude-code)\n", ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("generated-in-comment-line", "crypto: x\n\n# Generated with [Claude Code](https://claude.com/claude-code)\n", ["ai-forbidden-tier", "undeclared-ai"]),
        msg_case!("ai-signoff-undeclared", "crypto: x\n\nSigned-off-by: Claude <noreply@anthropic.com>\n", ["ai-forbidden-tier", "undeclared-ai", "ai-signoff"]),
        msg_case!("ai-signoff-declared", "docs: x\n\nAI-Assisted-by: claude:opus\nSigned-off-by: Claude <noreply@anthropic.com>\n", ["ai-forbidden-tier", "ai-signoff"]),
        // --- identities ----------------------------------------------------
        Case {
            name: "aider-committer-only",
            setup: |c| {
                c.commit_env(&[("crypto/aes.c", "x\n")], b"crypto: x\n", &[("GIT_COMMITTER_NAME", "C O Mitter (aider)")]);
                None
            },
            expect: &["ai-forbidden-tier", "undeclared-ai"],
        },
        Case {
            name: "aider-author-only",
            setup: |c| {
                c.commit_env(&[("crypto/aes.c", "x\n")], b"crypto: x\n", &[("GIT_AUTHOR_NAME", "A U Thor (aider)")]);
                None
            },
            expect: &["ai-forbidden-tier", "undeclared-ai"],
        },
        Case {
            name: "bot-author",
            setup: |c| {
                c.commit_env(&[("crypto/aes.c", "x\n")], b"crypto: x\n", &[
                    ("GIT_AUTHOR_NAME", "copilot-swe-agent[bot]"),
                    ("GIT_AUTHOR_EMAIL", "198982749+Copilot@users.noreply.github.com"),
                ]);
                None
            },
            expect: &["ai-forbidden-tier", "undeclared-ai"],
        },
        Case {
            name: "bot-email-committer-upper",
            setup: |c| {
                c.commit_env(&[("crypto/aes.c", "x\n")], b"crypto: x\n", &[
                    ("GIT_COMMITTER_NAME", "Helper"),
                    ("GIT_COMMITTER_EMAIL", "NoReply@Anthropic.COM"),
                ]);
                None
            },
            expect: &["ai-forbidden-tier", "undeclared-ai"],
        },
        // --- what the change is -------------------------------------------
        Case {
            name: "rename-into-critical",
            setup: |c| {
                std::fs::create_dir_all(c.work().join("crypto")).expect("mkdir");
                c.git(&["mv", "src/lib.c", "crypto/lib.c"]);
                c.commit(&[], &declared("move lib"));
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            name: "rename-out-of-critical",
            setup: |c| {
                c.commit(&[("crypto/old.c", "old\n")], "crypto: by hand");
                c.git(&["mv", "crypto/old.c", "src/old.c"]);

                c.commit(&[], &declared("move out"));
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            name: "delete-in-critical",
            setup: |c| {
                c.commit(&[("crypto/old.c", "old\n")], "crypto: by hand");
                c.git(&["rm", "-q", "crypto/old.c"]);
                c.commit(&[], &declared("drop old"));
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            name: "mode-change-in-critical",
            setup: |c| {
                c.commit(&[("crypto/run.sh", "true\n")], "crypto: by hand");
                c.git(&["update-index", "--chmod=+x", "crypto/run.sh"]);
                c.commit(&[], &declared("make it executable"));
                c.git(&["reset", "-q", "--hard"]);
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            name: "symlink-under-critical",
            setup: |c| {
                std::fs::create_dir_all(c.work().join("crypto")).expect("mkdir");
                std::os::unix::fs::symlink("../src/lib.c", c.work().join("crypto/link")).expect("symlink");
                c.git(&["add", "-A"]);
                c.commit(&[], &declared("link"));
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            // A symlink elsewhere pointing into crypto/ changes nothing there.
            name: "symlink-into-critical",
            setup: |c| {
                std::os::unix::fs::symlink("../crypto/aes.c", c.work().join("src/aes-link")).expect("symlink");
                c.git(&["add", "-A"]);
                c.commit(&[], &declared("link"));
                None
            },
            expect: &[],
        },
        Case {
            // Security issue 11: a human removes the critical directory,
            // an AI-assisted commit puts a symlink out of it in its place;
            // checkouts would have AI-written crypto/k.c.
            name: "symlink-replaces-critical",
            setup: |c| {
                c.commit(&[("crypto/k.c", "k\n")], "crypto: by hand");
                c.git(&["rm", "-q", "-r", "crypto"]);
                c.commit(&[], "crypto: remove, by hand");
                c.s.write("docs/k/k.c", "ai\n");
                std::os::unix::fs::symlink("docs/k", c.work().join("crypto")).expect("symlink");
                c.git(&["add", "-A"]);
                c.commit(&[], &declared("docs: k"));
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            name: "file-at-critical-directory",
            setup: |c| {
                c.commit(&[("crypto", "not a directory\n")], &declared("a file named crypto"));
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            name: "submodule-at-critical-directory",
            setup: |c| {
                let base = c.git(&["rev-parse", "HEAD"]);
                let info = format!("160000 commit {}\tcrypto", base.trim());
                let mut cmd = git_cmd(c.work());
                cmd.args(["update-index", "--add", "--index-info"]);
                let out = support::server::run_stdin(&mut cmd, info.as_bytes());
                assert!(out.status.success(), "{}", stderr(&out));
                c.commit(&[], &declared("submodule at crypto"));
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            // Look-alike paths are judged by their bytes unless the policy
            // sets `paths.lookalikes` (this one does not): `CRYPTO/` is in
            // the default tier.
            name: "case-lookalike-of-critical-without-lookalikes",
            setup: |c| {
                c.commit(&[("CRYPTO/aes.c", "x\n")], &declared("CRYPTO"));
                None
            },
            expect: &[],
        },
        Case {
            name: "submodule-under-critical",
            setup: |c| {
                let base = c.git(&["rev-parse", "HEAD"]);
                let info = format!("160000 commit {}\tcrypto/sub", base.trim());
                let mut cmd = git_cmd(c.work());
                cmd.args(["update-index", "--add", "--index-info"]);
                let out = support::server::run_stdin(&mut cmd, info.as_bytes());
                assert!(out.status.success(), "{}", stderr(&out));
                c.commit(&[], &declared("submodule"));
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            name: "policy-edit-declared",
            setup: |c| {
                let policy = std::fs::read_to_string(c.work().join("policy.yaml")).expect("policy");
                c.commit(&[("policy.yaml", &policy.replace("forbidden", "allowed"))], &declared("policy: relax"));
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            // A human relaxes the policy and an AI commit follows in the
            // same push: judged by the policy before the push.
            name: "policy-relaxed-then-ai",
            setup: |c| {
                let policy = std::fs::read_to_string(c.work().join("policy.yaml")).expect("policy");
                c.commit(&[("policy.yaml", &policy.replace("forbidden", "allowed"))], "policy: relax");
                crypto(c, &declared("crypto: ai"));
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            name: "case-folded-dir-is-another-path",
            setup: |c| {
                c.commit(&[("Crypto/aes.c", "x\n")], &declared("Crypto: not crypto"));
                None
            },
            expect: &[],
        },
        // --- history tricks -------------------------------------------------
        Case {
            name: "evil-merge-declared",
            setup: |c| {
                let base = c.git(&["rev-parse", "HEAD"]).trim().to_owned();
                c.commit(&[("docs/side.md", "side\n")], "docs: side");
                let side = c.git(&["rev-parse", "HEAD"]).trim().to_owned();
                c.git(&["checkout", "-q", "--detach", &base]);
                c.commit(&[("docs/main.md", "main\n")], "docs: main");
                c.git(&["merge", "-q", "--no-commit", "--no-ff", &side]);
                c.commit(&[("crypto/aes.c", "evil\n")], &declared("Merge side"));
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            name: "evil-merge-marked",
            setup: |c| {
                let base = c.git(&["rev-parse", "HEAD"]).trim().to_owned();
                c.commit(&[("docs/side.md", "side\n")], "docs: side");
                let side = c.git(&["rev-parse", "HEAD"]).trim().to_owned();
                c.git(&["checkout", "-q", "--detach", &base]);
                c.git(&["merge", "-q", "--no-commit", "--no-ff", &side]);
                c.commit(&[("crypto/aes.c", "evil\n")], &format!("Merge side\n\n{CLAUDE}\n"));
                None
            },
            expect: &["ai-forbidden-tier", "undeclared-ai"],
        },
        Case {
            // A declared merge of a human crypto change introduces nothing.
            name: "clean-merge-declared",
            setup: |c| {
                let base = c.git(&["rev-parse", "HEAD"]).trim().to_owned();
                c.commit(&[("crypto/aes.c", "by hand\n")], "crypto: by hand");
                let side = c.git(&["rev-parse", "HEAD"]).trim().to_owned();
                c.git(&["checkout", "-q", "--detach", &base]);
                c.commit(&[("docs/main.md", "main\n")], "docs: main");
                c.git(&["merge", "-q", "--no-commit", "--no-ff", &side]);
                c.commit(&[], &declared("Merge side"));
                None
            },
            expect: &[],
        },
        Case {
            name: "ai-commit-behind-a-merge",
            setup: |c| {
                let base = c.git(&["rev-parse", "HEAD"]).trim().to_owned();
                crypto(c, &declared("crypto: ai"));
                let side = c.git(&["rev-parse", "HEAD"]).trim().to_owned();
                c.git(&["checkout", "-q", "--detach", &base]);
                c.commit(&[("docs/main.md", "main\n")], "docs: main");
                c.git(&["merge", "-q", "--no-ff", "-m", "Merge", &side]);
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            // Only the last commit is declared: the first is, by the rules,
            // a human's (tiergate cannot know otherwise).
            name: "split-only-last-declared",
            setup: |c| {
                c.commit(&[("crypto/aes.c", "x\n")], "crypto: by hand");
                c.commit(&[("docs/a.md", "x\n")], &declared("docs: ai"));
                None
            },
            expect: &[],
        },
        Case {
            name: "split-first-marked",
            setup: |c| {
                crypto(c, &format!("crypto: x\n\n{CLAUDE}\n"));
                c.commit(&[("docs/a.md", "x\n")], &declared("docs: ai"));
                None
            },
            expect: &["ai-forbidden-tier", "undeclared-ai"],
        },
        Case {
            name: "split-ai-then-revert-in-push",
            setup: |c| {
                crypto(c, &declared("crypto: ai"));
                c.git(&["revert", "--no-edit", "HEAD"]);
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        // --- what is pushed ---------------------------------------------------
        Case {
            name: "lightweight-tag",
            setup: |c| {
                crypto(c, &declared("crypto: ai"));
                c.git(&["tag", "lw-evasion"]);
                Some(vec!["refs/tags/lw-evasion".into()])
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            name: "annotated-tag",
            setup: |c| {
                crypto(c, &declared("crypto: ai"));
                c.git(&["tag", "-a", "-m", "release", "an-evasion"]);
                Some(vec!["refs/tags/an-evasion".into()])
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            name: "tag-of-a-tag",
            setup: |c| {
                crypto(c, &declared("crypto: ai"));
                c.git(&["tag", "-a", "-m", "inner", "inner-evasion"]);
                c.git(&["tag", "-a", "-m", "outer", "outer-evasion", "inner-evasion"]);
                c.git(&["tag", "-d", "inner-evasion"]);
                Some(vec!["refs/tags/outer-evasion".into()])
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            name: "odd-ref-namespace",
            setup: |c| {
                crypto(c, &declared("crypto: ai"));
                Some(vec!["HEAD:refs/pull/1/head".into()])
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            // The forge wrote the AI commit as a pull request head (no push
            // through the hook): merging it to a branch must judge it.
            name: "forge-pull-ref",
            setup: |c| {
                crypto(c, &declared("crypto: ai via a pull request"));
                let work = c.work().to_str().expect("utf-8").to_owned();
                git(&c.s.bare, &["fetch", "-q", &work, "HEAD:refs/pull/77/head"]);
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            name: "forge-merge-request-ref",
            setup: |c| {
                crypto(c, &declared("crypto: ai via a merge request"));
                let work = c.work().to_str().expect("utf-8").to_owned();
                git(&c.s.bare, &["fetch", "-q", &work, "HEAD:refs/merge-requests/5/head"]);
                None
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            name: "notes-ref",
            setup: |c| {
                crypto(c, &declared("crypto: ai"));
                Some(vec!["HEAD:refs/notes/commits".into()])
            },
            expect: &["ai-forbidden-tier"],
        },
        Case {
            name: "two-refs-one-bad",
            setup: |c| {
                c.commit(&[("docs/a.md", "x\n")], "docs: fine");
                c.git(&["branch", "-f", "case-good"]);
                crypto(c, &declared("crypto: ai"));
                Some(vec!["case-good:refs/heads/case/good".into(), format!("HEAD:{}", c.branch())])
            },
            expect: &["ai-forbidden-tier"],
        },
    ]
}

#[test]
fn evasion_attempts_get_the_verdict_the_design_requires() {
    let s = Server::new();
    let base = s.rev("HEAD");
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() >= 40, "{} cases", all.len());
    let mut names = BTreeSet::new();
    for case in &all {
        assert!(names.insert(case.name), "duplicate case {}", case.name);
        git(&s.work, &["checkout", "-q", "-f", "--detach", &base]);
        git(&s.work, &["clean", "-q", "-fdx"]);
        let c = Ctx {
            s: &s,
            name: case.name,
        };
        let refspecs = (case.setup)(&c).unwrap_or_else(|| vec![format!("HEAD:{}", c.branch())]);
        let mut args = vec!["origin".to_owned()];
        args.extend(refspecs);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let before = s.audit_lines().len();
        let out = s.push(&args);
        let audit = s.audit_lines();
        let got: BTreeSet<String> = match audit.get(before) {
            Some(rec) => rec["violations"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .filter_map(|v| v["rule"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            None => {
                failures.push(format!(
                    "{}: no audit record; push: {}",
                    case.name,
                    stderr(&out)
                ));
                continue;
            }
        };
        let want: BTreeSet<String> = case.expect.iter().map(|s| (*s).to_owned()).collect();
        let accepted = out.status.success();
        if got != want || accepted != want.is_empty() {
            failures.push(format!(
                "{}: want {:?} got {:?} (push {})\n{}",
                case.name,
                want,
                got,
                if accepted { "accepted" } else { "refused" },
                stderr(&out)
                    .lines()
                    .filter(|l| l.starts_with("remote: "))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n\n{}",
        failures.len(),
        all.len(),
        failures.join("\n\n")
    );
}
