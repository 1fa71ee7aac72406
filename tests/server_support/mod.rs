//! Support for the end-to-end tests of the server-side hook: a bare
//! repository with tiergate's pre-receive hook installed by `install.sh
//! --server --no-build --bin-dir <the debug binaries under test>`, and a
//! developer clone that pushes to it with real git.
//!
//! Hermetic like the other end-to-end tests: no system or global git
//! config, fixed identities and dates, none of the caller's `GIT_*` or
//! `TIERGATE_*` variables (and none of the forge identity variables).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The policy the server judges by: `crypto/` forbidden to AI, `src/`
/// needs nothing, `docs/` open; `alice` may override.
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
server:
  override:
    users: [ alice ]
";

/// A declaration trailer.
pub const DECLARED: &str = "AI-Assisted-by: claude:claude-sonnet-4";

/// A message declaring AI assistance.
pub fn declared(title: &str) -> String {
    format!("{title}\n\n{DECLARED}\n")
}

/// The directory of the binaries under test.
pub fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_tiergate-pre-receive"))
        .parent()
        .expect("binary has a directory")
        .to_path_buf()
}

/// The hook binary under test.
pub fn hook_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tiergate-pre-receive"))
}

/// tiergate's source tree (install.sh, hooks/).
pub fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[path = "../support/mod.rs"]
mod support;

#[allow(unused_imports)] // each test binary uses its own share
pub use support::{assert_code, git, git_cmd, hermetic, output, run_stdin, stderr, stdout};

/// The remote's output lines (`remote: ...`) of a push, without git's
/// `remote: ` prefix and the padding git appends.
pub fn remote_lines(out: &Output) -> Vec<String> {
    stderr(out)
        .lines()
        .filter_map(|l| l.strip_prefix("remote: "))
        .map(|l| l.trim_end().to_owned())
        .collect()
}

/// Whether the remote output has exactly the line `line`.
#[track_caller]
pub fn assert_remote_line(out: &Output, line: &str) {
    let lines = remote_lines(out);
    assert!(
        lines.iter().any(|l| l == line),
        "no remote line {line:?} in:\n{}",
        stderr(out)
    );
}

/// Run `install.sh` with `args` (hermetic, from the source tree).
pub fn install(args: &[&str]) -> Output {
    let mut cmd = Command::new("sh");
    hermetic(&mut cmd);
    cmd.arg(source_dir().join("install.sh"))
        .args(args)
        .current_dir(source_dir());
    output(&mut cmd)
}

/// A server repository (bare) and a developer clone pushing to it.
pub struct Server {
    /// Keeps everything alive.
    pub tmp: tempfile::TempDir,
    /// The bare repository.
    pub bare: PathBuf,
    /// The clone.
    pub work: PathBuf,
    /// The audit log.
    pub audit: PathBuf,
}

impl Server {
    /// A bare repository named `srv.git` whose `main` holds [`POLICY`] as
    /// `policy.yaml`, with the hook installed (audit log configured).
    pub fn new() -> Server {
        Server::named("srv.git", &[])
    }

    /// Like [`Server::new`] with the bare repository named `name` and extra
    /// `install.sh --server` arguments.
    pub fn named(name: &str, install_args: &[&str]) -> Server {
        let s = Server::uninstalled(name);
        s.install(install_args);
        s
    }

    /// The repositories, without the hook.
    pub fn uninstalled(name: &str) -> Server {
        Server::uninstalled_format(name, &[])
    }

    /// Like [`Server::new`], both repositories created with the extra
    /// `git init` arguments `init` (`--object-format=sha256`,
    /// `--ref-format=reftable`).
    pub fn with_format(init: &[&str]) -> Server {
        let s = Server::uninstalled_format("srv.git", init);
        s.install(&[]);
        s
    }

    /// [`Server::uninstalled`] with extra `git init` arguments.
    pub fn uninstalled_format(name: &str, init: &[&str]) -> Server {
        let tmp = tempfile::tempdir().expect("tempdir");
        let bare = tmp.path().join(name);
        let work = tmp.path().join("work");
        let audit = tmp.path().join("audit.jsonl");
        let mut args = vec!["init", "-q", "--bare", "-b", "main"];
        args.extend_from_slice(init);
        args.push(name);
        git(tmp.path(), &args);
        let mut args = vec!["init", "-q", "-b", "main"];
        args.extend_from_slice(init);
        args.push("work");
        git(tmp.path(), &args);
        let s = Server {
            tmp,
            bare,
            work,
            audit,
        };
        s.write("policy.yaml", POLICY);
        s.commit(
            &[("README", "hello\n"), ("src/lib.c", "int x;\n")],
            "initial",
        );
        let url = s.url();
        git(&s.work, &["remote", "add", "origin", &url]);
        git(&s.work, &["push", "-q", "origin", "main"]);
        s
    }

    /// Install the hook (`install.sh --server BARE --no-build --bin-dir ...
    /// --audit-log AUDIT ARGS`); asserts success.
    pub fn install(&self, args: &[&str]) -> Output {
        let bare = self.bare.to_str().expect("utf-8 path").to_owned();
        let bin = bin_dir().to_str().expect("utf-8 path").to_owned();
        let audit = self.audit.to_str().expect("utf-8 path").to_owned();
        let mut all = vec![
            "--server",
            bare.as_str(),
            "--no-build",
            "--bin-dir",
            bin.as_str(),
            "--audit-log",
            audit.as_str(),
        ];
        all.extend_from_slice(args);
        let out = install(&all);
        assert_code(&out, 0);
        out
    }

    /// `file://` URL of the bare repository.
    pub fn url(&self) -> String {
        format!("file://{}", self.bare.display())
    }

    /// Write a file in the clone.
    pub fn write(&self, rel: &str, content: &str) {
        let p = self.work.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }

    /// Commit files in the clone; the new id.
    pub fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        for (rel, content) in files {
            self.write(rel, content);
        }
        git(&self.work, &["add", "-A"]);
        git(
            &self.work,
            &[
                "commit",
                "-q",
                "--allow-empty",
                "--cleanup=verbatim",
                "-m",
                message,
            ],
        );
        self.rev("HEAD")
    }

    /// A commit id in the clone.
    pub fn rev(&self, rev: &str) -> String {
        git(&self.work, &["rev-parse", rev]).trim().to_owned()
    }

    /// A ref of the server, or `None`.
    pub fn remote_rev(&self, rev: &str) -> Option<String> {
        let out = output(git_cmd(&self.bare).args(["rev-parse", "-q", "--verify", rev]));
        out.status.success().then(|| stdout(&out).trim().to_owned())
    }

    /// All refs of the server (`git for-each-ref`).
    pub fn remote_refs(&self) -> String {
        git(&self.bare, &["for-each-ref"])
    }

    /// `git push ARGS` from the clone, with `env` added.
    pub fn push_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = git_cmd(&self.work);
        cmd.arg("push").args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        output(&mut cmd)
    }

    /// `git push ARGS` from the clone.
    pub fn push(&self, args: &[&str]) -> Output {
        self.push_env(args, &[])
    }

    /// The audit log's lines, each parsed (panics on a line that is not
    /// valid JSON).
    pub fn audit_lines(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(&self.audit).unwrap_or_default();
        text.lines()
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("bad audit line {l:?}: {e}"))
            })
            .collect()
    }

    /// The last audit record.
    #[track_caller]
    pub fn last_audit(&self) -> serde_json::Value {
        self.audit_lines().pop().expect("an audit line")
    }

    /// Run the hook binary directly in the bare repository, as git would
    /// (`GIT_DIR=.`), with `stdin`.
    pub fn run_hook(&self, stdin: &[u8], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(hook_bin());
        hermetic(&mut cmd);
        cmd.current_dir(&self.bare).env("GIT_DIR", ".");
        for (k, v) in env {
            cmd.env(k, v);
        }
        run_stdin(&mut cmd, stdin)
    }
}

/// A free TCP port on 127.0.0.1 (bound then released; a race with other
/// processes is possible but unlikely).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Wait until something listens on `port` (up to 10 s).
pub fn wait_for_port(port: u16) -> bool {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}

/// A child process killed (by its own id) when dropped.
pub struct Daemon(pub std::process::Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A `git daemon` serving the repositories below `base` (receive-pack on)
/// on a free loopback port, or `None` (the reason printed) when git has no
/// `git-daemon` program. It runs the `git-daemon` program itself, not `git
/// daemon`: stopping `git` would leave its `git-daemon` child serving after
/// the test. Stopped when the [`Daemon`] is dropped.
pub fn git_daemon(base: &Path) -> Option<(Daemon, u16)> {
    let exec = output(Command::new("git").arg("--exec-path"));
    let program = Path::new(stdout(&exec).trim()).join("git-daemon");
    if !program.exists() {
        eprintln!("{} is absent", program.display());
        return None;
    }
    let port = free_port();
    let base = base.to_str().expect("utf-8 path");
    let mut cmd = Command::new(program);
    hermetic(&mut cmd);
    cmd.args([
        "--reuseaddr",
        "--listen=127.0.0.1",
        &format!("--port={port}"),
        &format!("--base-path={base}"),
        "--export-all",
        "--enable=receive-pack",
        "--informative-errors",
        base,
    ])
    .stdin(std::process::Stdio::null())
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null());
    let daemon = Daemon(cmd.spawn().expect("start git daemon"));
    assert!(
        wait_for_port(port),
        "git daemon did not start on port {port}"
    );
    Some((daemon, port))
}
