//! Support for the end-to-end tests of the client hooks and install.sh:
//! hermetic real git in temp dirs, with tiergate's hooks installed by
//! `install.sh --no-build --bin-dir <the debug binaries under test>`.
//!
//! (`tests/support` names the `tiergate` binary, which is not a binary of
//! the `tiergate-hooks` package these tests belong to, hence this module.)
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The policy of the test repositories: `crypto/` forbidden to AI,
/// `docs/` open, the rest `core`.
pub const POLICY: &str = "\
version: 1
declaration:
  key: AI-Assisted-by
tiers:
  - name: critical
    paths: [ \"crypto/\" ]
    ai: forbidden
  - name: core
    paths: [ \"src/\" ]
    ai: allowed
  - name: open
    paths: [ \"docs/\" ]
    ai: allowed
default_tier: core
";

/// A declaration trailer block.
pub const DECLARED: &str = "AI-Assisted-by: claude:claude-sonnet-4";

/// The directory of the hook binaries under test (the cargo target dir).
pub fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_tiergate-commit-msg"))
        .parent()
        .expect("binary has a directory")
        .to_path_buf()
}

/// The `tiergate` binary beside the hook binaries under test: install.sh
/// hands the installing to it (`tiergate install`). It is not a binary of
/// this package, so cargo builds it only for the workspace: `cargo test
/// --workspace`, or `cargo build -p tiergate` before `cargo test -p
/// tiergate-hooks` (a stale one installs with yesterday's code).
pub fn tiergate_bin() -> PathBuf {
    let bin = bin_dir().join("tiergate");
    assert!(
        bin.is_file(),
        "{} is missing: run `cargo build -p tiergate` (or `cargo test --workspace`)",
        bin.display()
    );
    bin
}

/// tiergate's source tree (where install.sh and hooks/ live).
pub fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[path = "../support/mod.rs"]
mod support;

#[allow(unused_imports)] // each test binary uses its own share
pub use support::{assert_code, git, git_cmd, hermetic, output, run_stdin, stderr, stdout};

/// Run `install.sh` with `args` in `dir` (hermetic).
pub fn install_sh(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new("sh");
    hermetic(&mut cmd);
    cmd.arg(source_dir().join("install.sh"))
        .args(args)
        .current_dir(dir);
    output(&mut cmd)
}

/// A developer's clone with tiergate's hooks installed, and a bare remote.
pub struct Clone {
    /// Keeps the directories alive.
    pub tmp: tempfile::TempDir,
}

impl Clone {
    /// `git init` (branch `main`), without a commit; policy.yaml in the work
    /// tree (not committed). Hooks not installed yet.
    pub fn bare_start() -> Clone {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(tmp.path().join("work")).expect("mkdir");
        git(&tmp.path().join("work"), &["init", "-q", "-b", "main"]);
        git(
            tmp.path(),
            &["init", "-q", "--bare", "-b", "main", "remote.git"],
        );
        let c = Clone { tmp };
        c.git(&["remote", "add", "origin", "../remote.git"]);
        c.write("policy.yaml", POLICY);
        c
    }

    /// A clone whose first commit (policy, README, crypto/aes.c,
    /// docs/index.md) exists, with the hooks installed.
    pub fn new() -> Clone {
        let c = Clone::bare_start();
        c.write("README", "hello\n");
        c.write("crypto/aes.c", "aes\n");
        c.write("docs/index.md", "docs\n");
        c.git(&["add", "-A"]);
        c.git(&["commit", "-q", "-m", "Initial commit"]);
        c.install();
        c
    }

    /// Run install.sh on the work tree with the binaries under test.
    pub fn install(&self) {
        tiergate_bin();
        let out = install_sh(
            &self.path(),
            &[
                "--no-build",
                "--no-check",
                "--bin-dir",
                bin_dir().to_str().expect("utf-8 path"),
            ],
        );
        assert_code(&out, 0);
    }

    /// The work tree.
    pub fn path(&self) -> PathBuf {
        self.tmp.path().join("work")
    }

    /// The bare remote.
    pub fn remote(&self) -> PathBuf {
        self.tmp.path().join("remote.git")
    }

    /// Write a file in the work tree.
    pub fn write(&self, rel: &str, content: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }

    /// Run git in the work tree (must succeed).
    pub fn git(&self, args: &[&str]) -> String {
        git(&self.path(), args)
    }

    /// Run git in the work tree; the output whatever the status.
    pub fn try_git(&self, args: &[&str]) -> Output {
        output(git_cmd(&self.path()).args(args))
    }

    /// `git rev-parse <rev>`.
    pub fn rev(&self, rev: &str) -> String {
        self.git(&["rev-parse", rev]).trim().to_owned()
    }

    /// A commit that bypasses the hooks.
    pub fn commit_no_verify(&self, files: &[(&str, &str)], message: &str) -> String {
        for (rel, content) in files {
            self.write(rel, content);
        }
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-verify", "-m", message]);
        self.rev("HEAD")
    }
}

/// `title\n\n<declaration>`.
pub fn declared(title: &str) -> String {
    format!("{title}\n\n{DECLARED}\n")
}
