//! What the CI script tests (tests/ci_github.rs, tests/ci_gitlab.rs)
//! share: a forge's repository with a base branch and a change to it, a
//! shallow CI checkout of it as the forges make one, and a run of a script
//! of scripts/ci in that checkout with the forge's environment.
#![allow(dead_code)]

use crate::support::{self, git, Repo};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The base branch's policy: crypto/ forbidden to AI, docs/ open.
pub const POLICY: &str = support::CRYPTO_DOCS_POLICY;

/// What the change does to the policy: it would let AI into crypto/.
pub const WEAKENED_POLICY: &str = "\
version: 1
tiers:
  - name: critical
    paths: [ \"crypto/\" ]
    ai: allowed
  - name: open
    paths: [ \"docs/\" ]
    ai: allowed
default_tier: open
";

/// The forge's repository (`origin`): `main` with the policy, a `topic`
/// branch forked from it with three commits (a human commit weakening the
/// policy, an AI-assisted commit in crypto/, a commit with an undeclared
/// AI co-author), then one more commit on `main`, so that the base's tip
/// is not the merge base.
pub struct Forge {
    /// The repository served as `origin`.
    pub origin: Repo,
    /// `main` where `topic` forked from it.
    pub fork_point: String,
    /// `main`'s tip.
    pub base: String,
    /// `topic`'s tip.
    pub head: String,
}

impl Forge {
    /// Build the forge's repository.
    pub fn new() -> Forge {
        let origin = Repo::new();
        origin.commit(
            &[("policy.yaml", POLICY), ("README", "hello\n")],
            "Initial commit\n",
        );
        let fork_point = origin.git(&["rev-parse", "HEAD"]).trim().to_owned();
        origin.git(&["checkout", "-q", "-b", "topic"]);
        origin.commit(
            &[("policy.yaml", WEAKENED_POLICY)],
            "policy: let AI help with crypto\n",
        );
        origin.commit(
            &[("crypto/aes.c", "int aes;\n")],
            "crypto: speed up AES\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
        );
        let head = origin.commit(
            &[("docs/aes.md", "AES\n")],
            "docs: describe AES\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
        );
        origin.git(&["checkout", "-q", "main"]);
        let base = origin.commit(&[("docs/news.md", "news\n")], "docs: news\n");
        // Serve any commit by id, as GitHub and GitLab do.
        origin.git(&["config", "uploadpack.allowAnySHA1InWant", "true"]);
        Forge {
            origin,
            fork_point,
            base,
            head,
        }
    }

    /// The URL of `origin`: file://, since git ignores --depth for a
    /// plain local path.
    pub fn url(&self) -> String {
        format!("file://{}", self.origin.path().display())
    }

    /// Create `refs/pull/1/head` and `refs/pull/1/merge` (the test merge
    /// GitHub makes, what actions/checkout checks out for a pull request);
    /// the merge's id.
    pub fn pull_refs(&self) -> String {
        let tree = self
            .origin
            .git(&["merge-tree", "--write-tree", &self.base, &self.head]);
        let merge = self
            .origin
            .git(&[
                "commit-tree",
                tree.trim(),
                "-p",
                &self.base,
                "-p",
                &self.head,
                "-m",
                "Merge topic into main",
            ])
            .trim()
            .to_owned();
        self.origin
            .git(&["update-ref", "refs/pull/1/head", &self.head]);
        self.origin
            .git(&["update-ref", "refs/pull/1/merge", &merge]);
        merge
    }

    /// A CI checkout: a new repository with `origin` and only `refspec`
    /// fetched, one commit deep, checked out detached (as actions/checkout
    /// does by default).
    pub fn shallow_checkout(&self, refspec: &str, local: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        git(dir.path(), &["init", "-q"]);
        git(dir.path(), &["remote", "add", "origin", &self.url()]);
        git(
            dir.path(),
            &[
                "fetch",
                "-q",
                "--no-tags",
                "--depth=1",
                "origin",
                &format!("+{refspec}:{local}"),
            ],
        );
        git(dir.path(), &["checkout", "-q", "--detach", local]);
        dir
    }
}

impl Forge {
    /// A branch pipeline's or a push's checkout: `topic`, shallow.
    pub fn topic_checkout(&self) -> tempfile::TempDir {
        self.shallow_checkout("refs/heads/topic", "refs/remotes/origin/topic")
    }

    /// actions/checkout's default for pull request #1: the test merge,
    /// shallow (the pull request's refs are made first).
    pub fn merge_checkout(&self) -> tempfile::TempDir {
        self.pull_refs();
        self.shallow_checkout("refs/pull/1/merge", "refs/remotes/pull/1/merge")
    }
}

/// The short (12 digit) form of `id`.
pub fn short(id: &str) -> &str {
    &id[..12]
}

/// A directory for what the runner provides (event file, summary,
/// outputs, temp dir).
pub struct Runner {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
}

impl Runner {
    /// A new empty runner directory.
    pub fn new() -> Runner {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("tmp")).expect("mkdir");
        Runner { dir }
    }

    /// Path of `name` in the runner directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The content of `name`, "" when absent.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }
}

/// Path of a script of scripts/ci.
pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scripts/ci")
        .join(name)
}

/// A hermetic command running the shell script `script` with `args` in
/// `dir`, with the tiergate under test first on PATH.
pub fn script_cmd(dir: &Path, script: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("sh");
    support::hermetic(&mut cmd);
    for (key, _) in std::env::vars_os() {
        if let Some(k) = key.to_str() {
            if k.starts_with("GITHUB_") || k.starts_with("CI_") || k.starts_with("RUNNER_") {
                cmd.env_remove(k);
            }
        }
    }
    let bin = support::tiergate_bin();
    let bin_dir = bin.parent().expect("bin dir");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin_dir.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    cmd.env("PATH", std::env::join_paths(dirs).expect("PATH"))
        .arg(script)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null());
    cmd
}

/// Run `cmd`; its output.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("spawn sh")
}
