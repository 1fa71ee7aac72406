//! The one support module of the end-to-end tests (tests/*.rs, whichever
//! package declares them): hermetic real git in temp dirs, the binaries
//! under test, and scratch repositories. [`hooks`] adds a developer's clone
//! with the client hooks installed by install.sh, [`server`] a bare server
//! repository with the pre-receive hook and a clone pushing to it,
//! [`differential`] comparisons against git itself.
//!
//! Every git command runs with a controlled environment (gitoxide's
//! practice): no system or global config, fixed identities and dates, and
//! none of the `GIT_*` variables of whatever runs the tests.
#![allow(dead_code)]

/// The tiers of the policy of the hook and server tests: `crypto/`
/// forbidden to AI, `src/` core, `docs/` open, the rest `core`.
macro_rules! tiers_policy {
    () => {
        "\
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
"
    };
}

pub mod differential;
pub mod hooks;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A declaration trailer.
/// A two-tier policy: `crypto/` forbidden to AI, everything else
/// (`docs/` and the default) open.
pub const CRYPTO_DOCS_POLICY: &str = "\
version: 1
tiers:
  - name: critical
    paths: [ \"crypto/\" ]
    ai: forbidden
  - name: open
    paths: [ \"docs/\" ]
    ai: allowed
default_tier: open
";

pub const DECLARED: &str = "AI-Assisted-by: claude:claude-sonnet-4";

/// `title\n\n<declaration>`: a message declaring AI assistance.
pub fn declared(title: &str) -> String {
    format!("{title}\n\n{DECLARED}\n")
}

/// The directory of the binaries under test: cargo puts every binary of
/// the workspace there, the test executables in its `deps/`.
pub fn bin_dir() -> PathBuf {
    // A binary of this test's own package is named by cargo; the tests of
    // both packages (`tiergate`, `tiergate-hooks`) share this module.
    let own = option_env!("CARGO_BIN_EXE_tiergate")
        .or(option_env!("CARGO_BIN_EXE_tiergate-commit-msg"))
        .expect("a package with binaries");
    Path::new(own)
        .parent()
        .expect("binary has a directory")
        .to_path_buf()
}

/// The binary `name` of the workspace. A binary of another package than
/// the test's is built by `cargo test --workspace` (or `cargo build
/// --workspace`), not by a test run of one package: a missing one fails
/// the test rather than skipping what it checks.
#[track_caller]
pub fn bin(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(
        path.is_file(),
        "{} is not built: run `cargo build --workspace` (or `cargo test --workspace`)",
        path.display()
    );
    path
}

/// Path of the `tiergate` binary under test.
#[track_caller]
pub fn tiergate_bin() -> PathBuf {
    match option_env!("CARGO_BIN_EXE_tiergate") {
        Some(path) => PathBuf::from(path),
        None => bin("tiergate"),
    }
}

/// tiergate's source tree (install.sh, hooks/).
pub fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Run `install.sh` with `args` in `dir` (hermetic).
pub fn install_sh(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new("sh");
    hermetic(&mut cmd);
    cmd.arg(source_dir().join("install.sh"))
        .args(args)
        .current_dir(dir);
    output(&mut cmd)
}

/// The variables forges set to name the pusher: never inherited, a test
/// sets the one it means.
pub const FORGE_VARS: &[&str] = &[
    "GL_ID",
    "GL_USERNAME",
    "GL_USER",
    "GL_PROTOCOL",
    "GITHUB_USER_LOGIN",
    "GITEA_PUSHER_NAME",
    "FORGEJO_PUSHER_NAME",
    "REMOTE_USER",
];

/// Remove inherited git, tiergate and forge variables and set a hermetic
/// environment. `GIT_EDITOR=false`: no test can wait on an editor (a test
/// that wants one sets its own).
pub fn hermetic(cmd: &mut Command) -> &mut Command {
    for (key, _) in std::env::vars_os() {
        if let Some(k) = key.to_str() {
            if k.starts_with("GIT_") || k.starts_with("TIERGATE_") || FORGE_VARS.contains(&k) {
                cmd.env_remove(k);
            }
        }
    }
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "A U Thor")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "C O Mitter")
        .env("GIT_COMMITTER_EMAIL", "committer@example.com")
        .env("GIT_AUTHOR_DATE", "1700000000 +0000")
        .env("GIT_COMMITTER_DATE", "1700000000 +0000")
        .env("GIT_EDITOR", "false")
        .env("HOME", "/nonexistent")
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_LOG")
        .env_remove("RUST_BACKTRACE")
        .env("LC_ALL", "C")
}

/// A `git` command, hermetic, running in `dir`.
pub fn git_cmd(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    hermetic(&mut cmd);
    cmd.current_dir(dir);
    cmd
}

/// Run a command with stdin closed; its output.
pub fn output(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("spawn")
}

/// Run git in `dir` with `args`; panic with its output on failure; stdout.
#[track_caller]
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = output(git_cmd(dir).args(args));
    assert!(
        out.status.success(),
        "git {:?} failed:\n{}{}",
        args,
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

/// Assert the exit code, showing the output on failure.
#[track_caller]
pub fn assert_code(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

/// Run git with `input` on stdin; the full output.
pub fn git_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    run_stdin(git_cmd(dir).args(args), input)
}

/// Run `cmd` with `input` on stdin and collect its output.
pub fn run_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer thread");
    out
}

/// `tiergate ARGS` in `dir`, hermetic, stdin closed.
pub fn tiergate(dir: &Path, args: &[&str]) -> Output {
    output(tiergate_cmd(dir).args(args))
}

/// A `tiergate` command, hermetic, running in `dir`.
pub fn tiergate_cmd(dir: &Path) -> Command {
    let mut cmd = Command::new(tiergate_bin());
    hermetic(&mut cmd);
    cmd.current_dir(dir);
    cmd
}

/// Write `content` to `rel` below `dir` (creating directories).
pub fn write_file(dir: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, content).expect("write");
}

/// In the work tree `dir`: write `files`, `git add -A` and commit with
/// `message` as given (`--cleanup=verbatim`); the new id.
pub fn commit_files(dir: &Path, files: &[(&str, &str)], message: &str) -> String {
    commit_files_env(dir, files, message, &[])
}

/// [`commit_files`] with `env` added to the commit's environment (other
/// dates: `GIT_AUTHOR_DATE`, `GIT_COMMITTER_DATE`).
pub fn commit_files_env(
    dir: &Path,
    files: &[(&str, &str)],
    message: &str,
    env: &[(&str, &str)],
) -> String {
    for (rel, content) in files {
        write_file(dir, rel, content);
    }
    git(dir, &["add", "-A"]);
    let mut cmd = git_cmd(dir);
    cmd.args(["commit", "-q", "--allow-empty", "--cleanup=verbatim", "-m"])
        .arg(message)
        .envs(env.iter().copied());
    assert_code(&output(&mut cmd), 0);
    git(dir, &["rev-parse", "HEAD"]).trim().to_owned()
}

/// An ISO-8859-1 message (`Café fix`) with an undeclared AI co-author:
/// `undeclared-ai`, seen once the message is decoded as `git log` shows it.
pub const LATIN1_MESSAGE: &[u8] =
    b"Caf\xe9 fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\n";

/// Commit what is staged in `dir` with the ISO-8859-1 message `message`
/// (`git -c i18n.commitEncoding=ISO-8859-1 commit -F`: git stores the
/// bytes as given and an `encoding ISO-8859-1` header); the new id.
pub fn commit_latin1(dir: &Path, message: &[u8]) -> String {
    let file = dir.join(".git-latin1.msg");
    std::fs::write(&file, message).expect("write");
    let mut cmd = git_cmd(dir);
    cmd.args(["-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-q"])
        .args(["--allow-empty", "-F"])
        .arg(&file);
    assert_code(&output(&mut cmd), 0);
    std::fs::remove_file(&file).expect("rm");
    git(dir, &["rev-parse", "HEAD"]).trim().to_owned()
}

/// Write the commit object `raw` as given with `git hash-object -t commit
/// --literally` (git's own commands never write a malformed commit); its
/// id.
#[track_caller]
pub fn hash_commit(dir: &Path, raw: &[u8]) -> String {
    let mut cmd = git_cmd(dir);
    cmd.args([
        "hash-object",
        "-t",
        "commit",
        "-w",
        "--literally",
        "--stdin",
    ]);
    let out = run_stdin(&mut cmd, raw);
    assert!(out.status.success(), "hash-object: {}", stderr(&out));
    stdout(&out).trim().to_owned()
}

/// Every repository format git writes: `git init` arguments by name.
pub const FORMATS: &[(&str, &[&str])] = &[
    ("sha1", &[]),
    ("sha256", &["--object-format=sha256"]),
    ("reftable", &["--ref-format=reftable"]),
    (
        "sha256-reftable",
        &["--object-format=sha256", "--ref-format=reftable"],
    ),
];

/// A scratch repository in a temp dir.
pub struct Repo {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
}

impl Repo {
    /// `git init` a new non-bare repository with branch `main`.
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        git(dir.path(), &["init", "-q", "-b", "main"]);
        Repo { dir }
    }

    /// The work tree.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write `content` to `rel` (creating directories).
    pub fn write(&self, rel: &str, content: &str) {
        write_file(self.path(), rel, content);
    }

    /// Write files, `git add -A` and commit with `message`; the new id.
    pub fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        commit_files(self.path(), files, message)
    }

    /// Run git here.
    pub fn git(&self, args: &[&str]) -> String {
        git(self.path(), args)
    }

    /// Run tiergate here with `args`.
    pub fn tiergate(&self, args: &[&str]) -> Output {
        tiergate_cmd(self.path())
            .args(args)
            .output()
            .expect("spawn tiergate")
    }
}

/// Lossy stdout.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Lossy stderr.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The HTML page at `path` that tiergate wrote in `repo`, checked for what
/// every page meant to be shared must be: it names the policy as the
/// repository does (`policy.yaml`), carries no local absolute path, and
/// refers to nothing outside itself (no script, link, image, font or
/// stylesheet to fetch).
pub fn read_shared_page(path: &Path, repo: &Repo) -> String {
    let html = std::fs::read_to_string(path).expect("page written");
    assert!(
        html.contains(" · policy <code>policy.yaml</code></p>"),
        "{html}"
    );
    assert!(!html.contains(repo.path().to_str().expect("utf-8 path")));
    for needle in [
        "http:", "https:", "src=", "href=", "<script", "url(", "@import",
    ] {
        assert!(!html.contains(needle), "found {needle}");
    }
    html
}

/// The corpus of real messages, if present (`../shared/corpus` from the
/// project root). `None` (with the path printed) when absent.
pub fn corpus_path() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let p = root.join("../shared/corpus/buildroot-messages.nul.gz");
    if p.exists() {
        Some(p)
    } else {
        eprintln!("corpus {} is absent", p.display());
        None
    }
}

/// The commits tiergate walks for rev-list `args` in `repo`: the ids
/// `classify --rev ARGS` lists, in its order (one line per commit), after
/// checking that `check ARGS` judged as many (`commits_checked`).
#[track_caller]
pub fn commits_walked(repo: &Repo, args: &[&str]) -> Vec<String> {
    let mut classify = vec!["classify", "--rev"];
    classify.extend_from_slice(args);
    let out = repo.tiergate(&classify);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    let listed: Vec<String> = stdout(&out)
        .lines()
        .map(|l| l.split(' ').next().expect("id").to_owned())
        .collect();
    let mut check = vec!["check", "--format", "json"];
    check.extend_from_slice(args);
    let out = repo.tiergate(&check);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", stderr(&out)));
    assert_eq!(doc["commits_checked"], listed.len(), "{args:?}");
    listed
}
