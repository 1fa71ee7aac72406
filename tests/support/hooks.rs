//! A developer's clone with tiergate's client hooks installed by
//! `install.sh --no-build --bin-dir <the debug binaries under test>`, and a
//! bare remote.

use std::path::PathBuf;
use std::process::Output;

// The shared helpers under this module's path too: a test imports all it
// uses from one place.
#[allow(unused_imports)]
pub use super::*;

/// The policy of the test repositories: `crypto/` forbidden to AI,
/// `docs/` open, the rest `core`.
pub const POLICY: &str = tiers_policy!();

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
        write_file(&self.path(), rel, content);
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

/// The lines of an `ai-forbidden-tier` violation of `paths` (by the
/// [`POLICY`]'s `critical` tier) after its first: what is wrong, the paths,
/// the fix; as every hook prints them.
pub fn forbidden_body(paths: &[&str]) -> String {
    let count = match paths.len() {
        1 => "1 path".to_owned(),
        n => format!("{n} paths"),
    };
    let listed: String = paths.iter().map(|p| format!("    {p}\n")).collect();
    format!(
        "  AI-assisted commit touches tier 'critical' (ai: forbidden): {count}\n{listed}  \
         fix: Split the changes to 'critical' into a commit written without AI assistance, \
         or ask its maintainers.\n"
    )
}
