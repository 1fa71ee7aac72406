//! Shared support for end-to-end tests: hermetic real git in temp dirs.
//!
//! Every git command runs with a controlled environment (gitoxide's
//! practice): no system or global config, fixed identities and dates, and
//! none of the `GIT_*` variables of whatever runs the tests.
#![allow(dead_code)]

pub mod differential;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Path of the `tiergate` binary under test.
pub fn tiergate_bin() -> PathBuf {
    // `option_env!`: this module is also used by the tests of the
    // tiergate-hooks package, which has no `tiergate` binary.
    match option_env!("CARGO_BIN_EXE_tiergate") {
        Some(path) => PathBuf::from(path),
        None => panic!("the tiergate binary is not built for this test target"),
    }
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

/// A `tiergate` command, hermetic, running in `dir`.
pub fn tiergate_cmd(dir: &Path) -> Command {
    let mut cmd = Command::new(tiergate_bin());
    hermetic(&mut cmd);
    cmd.current_dir(dir);
    cmd
}

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
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }

    /// Write files, `git add -A` and commit with `message`; the new id.
    pub fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        for (rel, content) in files {
            self.write(rel, content);
        }
        git(self.path(), &["add", "-A"]);
        git(
            self.path(),
            &[
                "commit",
                "-q",
                "--allow-empty",
                "--cleanup=verbatim",
                "-m",
                message,
            ],
        );
        git(self.path(), &["rev-parse", "HEAD"]).trim().to_owned()
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
