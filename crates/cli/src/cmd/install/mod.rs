//! `tiergate install [CLONE]` and `tiergate install --server REPO`: put
//! tiergate's hook shims into the hooks directory git uses, chaining a hook
//! that was there, idempotently; `--uninstall` puts things back.
//!
//! This is the one implementation of the install steps: `install.sh` (a
//! source checkout) builds and then runs the `tiergate` it built with
//! `--from-install-sh`, which only changes the command names in messages.
//!
//! The binaries the hooks run are the ones beside the running `tiergate`
//! (`std::env::current_exe`), copied into `--bin-dir` when one is given.
//! When the hook binaries (`tiergate-commit-msg`, ...) are not there, as
//! after `cargo install tiergate`, the shims run `tiergate hook <name>`
//! from the same directory instead: same code, one binary.
//!
//! Exit codes (as install.sh's): 0 done, 2 usage error (bad option, not a
//! git repository, a chained hook in the way), 3 I/O or git failure.

mod client;
mod server;
mod shim;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::Global;

/// `tiergate install` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The clone to install into (with --server: the repository receiving
    /// pushes) [default: the repository around the current directory]
    #[arg(value_name = "CLONE")]
    repo: Option<PathBuf>,
    /// Install the server-side pre-receive hook into a repository that
    /// receives pushes (usually bare) instead; see docs/server.md
    #[arg(long)]
    server: bool,
    /// Copy the binaries into DIR and have the hooks run them from there
    /// [default: the directory tiergate runs from; nothing is copied]
    #[arg(long, value_name = "DIR")]
    bin_dir: Option<PathBuf>,
    /// Write a starter policy.yaml into the clone if it has none (an
    /// existing policy.yaml is never overwritten)
    #[arg(long, conflicts_with = "server")]
    init_policy: bool,
    /// Remove tiergate's hooks and put back the hooks they replaced (the
    /// binaries are left in place; with --server also tiergate's git config)
    #[arg(long)]
    uninstall: bool,
    /// Say what would be done, change nothing
    #[arg(long, short = 'n')]
    dry_run: bool,
    /// Do not check the clone's last commits after installing
    #[arg(long, conflicts_with = "server")]
    no_check: bool,
    /// With --server: append one JSON line per push decision to FILE (git
    /// config tiergate.auditLog)
    #[arg(long, value_name = "FILE", requires = "server")]
    audit_log: Option<PathBuf>,
    /// With --server: install for GitLab, into
    /// REPO/custom_hooks/pre-receive.d/tiergate
    #[arg(long, requires = "server")]
    gitlab: bool,
    /// With --server: REPO is a mirror updated by `git fetch`; install a
    /// reference-transaction hook that records (audit) or refuses (enforce)
    /// violations
    #[arg(long, value_name = "MODE", requires = "server")]
    mirror: Option<String>,
    /// With --server: leave receive.fsckObjects (fetch.fsckObjects with
    /// --mirror) as it is instead of setting it to true
    #[arg(long, requires = "server")]
    no_fsck: bool,
    /// Messages name install.sh's commands (install.sh runs tiergate so)
    #[arg(long, hide = true)]
    from_install_sh: bool,
    /// The policy --init-policy copies (install.sh: the checkout's example)
    #[arg(long, hide = true, value_name = "FILE")]
    example_policy: Option<PathBuf>,
}

/// Why an install step cannot go on: printed as `Error:` and `Hint:` lines,
/// exit `code` (2 usage, 3 I/O or git).
#[derive(Debug)]
pub struct Failure {
    code: u8,
    message: String,
    hint: Option<String>,
}

impl Failure {
    fn usage(message: impl Into<String>, hint: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    fn io(message: impl Into<String>, hint: Option<String>) -> Failure {
        Failure {
            code: 3,
            message: message.into(),
            hint,
        }
    }
}

/// What every step needs: whether to change anything, and how to name the
/// installer in messages.
struct Run {
    dry_run: bool,
    /// `install.sh` or `tiergate install`: the command hints tell people
    /// to run again.
    caller: &'static str,
}

impl Run {
    /// The first line of a dry run's report; `extra` names the mode
    /// (` --server`).
    fn announce_dry_run(&self, extra: &str) {
        if self.dry_run {
            let name = if self.caller == "install.sh" {
                "tiergate install.sh"
            } else {
                "tiergate install"
            };
            self.say(format!("{name}{extra} --dry-run: nothing will be changed"));
        }
    }

    /// Print a line of the installer's report (stdout, as install.sh's `say`).
    fn say(&self, line: impl AsRef<str>) {
        println!("{}", line.as_ref());
    }

    /// Create a directory (and its parents), or say it would be; `hint`
    /// for when it cannot be.
    fn mkdir(&self, dir: &Path, hint: Option<&str>) -> Result<(), Failure> {
        if self.dry_run {
            self.say(format!("  would run: mkdir -p {}", dir.display()));
            return Ok(());
        }
        std::fs::create_dir_all(dir).map_err(|e| {
            Failure::io(
                format!("cannot create {}: {e}", dir.display()),
                hint.map(str::to_owned),
            )
        })
    }

    /// Rename `from` to `to`, or say it would be.
    fn rename(&self, from: &Path, to: &Path) -> Result<(), Failure> {
        if self.dry_run {
            self.say(format!(
                "  would run: mv {} {}",
                from.display(),
                to.display()
            ));
            return Ok(());
        }
        std::fs::rename(from, to).map_err(|e| {
            Failure::io(
                format!("cannot move {} to {}: {e}", from.display(), to.display()),
                None,
            )
        })
    }

    /// Remove a file, or say it would be.
    fn remove(&self, file: &Path) -> Result<(), Failure> {
        if self.dry_run {
            self.say(format!("  would run: rm -f {}", file.display()));
            return Ok(());
        }
        match std::fs::remove_file(file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Failure::io(
                format!("cannot remove {}: {e}", file.display()),
                None,
            )),
            _ => Ok(()),
        }
    }
}

/// Run `tiergate install ...`; prints its own report and errors.
pub fn run(global: &Global, args: Args) -> ExitCode {
    let run = Run {
        dry_run: args.dry_run,
        caller: if args.from_install_sh {
            "install.sh"
        } else {
            "tiergate install"
        },
    };
    let result = if args.server {
        server::install(&run, global, &args)
    } else {
        client::install(&run, global, &args)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("Error: {}", failure.message);
            if let Some(hint) = failure.hint {
                eprintln!("Hint: {hint}");
            }
            ExitCode::from(failure.code)
        }
    }
}

/// `--bin-dir`, absolute; by default the directory tiergate runs from.
fn bin_dir(args: &Args) -> Result<PathBuf, Failure> {
    match &args.bin_dir {
        Some(dir) => absolute(dir),
        None => std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(Path::to_path_buf))
            .ok_or_else(|| Failure::io("cannot find the directory tiergate runs from", None)),
    }
}

/// `path` made absolute against the current directory (not resolved: the
/// hooks keep the path the user named, as install.sh does).
fn absolute(path: &Path) -> Result<PathBuf, Failure> {
    std::path::absolute(path).map_err(|e| {
        Failure::io(
            format!("cannot make {} absolute: {e}", path.display()),
            None,
        )
    })
}

/// `git` run in `dir` on the repository found there: the variables that
/// would point git at another repository (those `git rev-parse
/// --local-env-vars` lists: GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE, ...,
/// set when tiergate install runs from inside a hook or a `git -C` alias)
/// are removed, so CLONE names the repository. The user's configuration is
/// kept: core.hooksPath in ~/.gitconfig decides where hooks go.
fn git_in(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    for var in local_env_vars() {
        cmd.env_remove(var);
    }
    cmd.current_dir(dir);
    cmd
}

/// The variables git itself names as local to a repository.
fn local_env_vars() -> &'static [OsString] {
    static VARS: std::sync::OnceLock<Vec<OsString>> = std::sync::OnceLock::new();
    VARS.get_or_init(|| {
        let fallback = || {
            [
                "GIT_DIR",
                "GIT_WORK_TREE",
                "GIT_COMMON_DIR",
                "GIT_INDEX_FILE",
            ]
            .map(OsString::from)
            .to_vec()
        };
        match Command::new("git")
            .args(["rev-parse", "--local-env-vars"])
            .output()
        {
            Ok(out) if out.status.success() => out
                .stdout
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| OsStr::from_bytes(l).to_owned())
                .collect(),
            _ => fallback(),
        }
    })
}

/// git's answer on stdout, without the final newline; `None` when git
/// fails (or cannot run).
fn git_answer(cmd: &mut Command) -> Option<PathBuf> {
    let out = cmd.stderr(std::process::Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let mut text = out.stdout;
    if text.last() == Some(&b'\n') {
        text.pop();
    }
    Some(PathBuf::from(OsStr::from_bytes(&text)))
}

/// The binaries `names`: found beside the running tiergate, copied into
/// `bin_dir` unless they are already the same files there. Returns the
/// names that `bin_dir` lacks afterwards (hooks then run `tiergate hook`).
fn install_binaries(run: &Run, bin_dir: &Path, names: &[&str]) -> Result<Vec<String>, Failure> {
    let exe = std::env::current_exe()
        .map_err(|e| Failure::io(format!("cannot find the running tiergate: {e}"), None))?;
    let from = exe.parent().unwrap_or(Path::new("/")).to_path_buf();
    let to_copy: Vec<&str> = names
        .iter()
        .copied()
        .filter(|b| from.join(b).is_file() && !same_file(&from.join(b), &bin_dir.join(b)))
        .collect();
    if to_copy.is_empty() {
        run.say(format!(
            "binaries:  {} (already there: nothing to copy)",
            bin_dir.display()
        ));
    } else {
        run.say(format!("binaries:  {}", bin_dir.display()));
        run.mkdir(
            bin_dir,
            Some("Choose a writable directory with --bin-dir DIR."),
        )?;
        for b in &to_copy {
            if run.dry_run {
                run.say(format!("  would install {b} into {}", bin_dir.display()));
            } else {
                copy_binary(&from.join(b), bin_dir, b)?;
            }
        }
    }
    let missing: Vec<String> = names
        .iter()
        .filter(|b| !is_executable(&bin_dir.join(b)) && !to_copy.contains(b))
        .map(|b| (*b).to_owned())
        .collect();
    for b in &missing {
        if let Some(hook) = b.strip_prefix("tiergate-") {
            run.say(format!(
                "  {b} is not there: the {hook} hook runs `tiergate hook {hook}` instead"
            ));
        }
    }
    Ok(missing)
}

/// Whether two paths name the same file (after symlinks).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Copy then rename: a binary that is running (a hook in the middle of a
/// push) is never seen half-written.
fn copy_binary(from: &Path, bin_dir: &Path, name: &str) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt;
    let tmp = bin_dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let fail = |e: std::io::Error| {
        let _ = std::fs::remove_file(&tmp);
        Failure::io(
            format!("cannot copy {name} into {}: {e}", bin_dir.display()),
            Some("Choose a writable directory with --bin-dir DIR.".to_owned()),
        )
    };
    std::fs::copy(from, &tmp).map_err(fail)?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).map_err(fail)?;
    std::fs::rename(&tmp, bin_dir.join(name)).map_err(fail)
}

/// Warn (stderr) when `bin_dir` is not on PATH: the hooks do not need it
/// (the shims carry the directory), but people typing `tiergate` do, and a
/// stock Debian does not put ~/.local/bin on PATH.
fn warn_unless_on_path(bin_dir: &Path) {
    if let Some(line) = path_advice(bin_dir, std::env::var_os("PATH").as_deref()) {
        eprintln!(
            "Warning: {} is not on PATH: the hooks find it, but `tiergate` typed in a shell will not.",
            bin_dir.display()
        );
        eprintln!("Hint: Add this line to your shell profile (~/.profile, ~/.bashrc or ~/.zshrc), then open a new shell:");
        eprintln!("  {line}");
    }
}

/// The profile line that puts `bin_dir` on PATH, or `None` when it is on
/// `path` already (compared after resolving symlinks).
fn path_advice(bin_dir: &Path, path: Option<&OsStr>) -> Option<String> {
    let resolved = std::fs::canonicalize(bin_dir).unwrap_or_else(|_| bin_dir.to_path_buf());
    let on_path = path.is_some_and(|p| {
        std::env::split_paths(p).any(|entry| {
            entry == bin_dir || std::fs::canonicalize(&entry).is_ok_and(|e| e == resolved)
        })
    });
    if on_path {
        return None;
    }
    let dir = bin_dir.to_string_lossy();
    // Inside double quotes the shell still expands `$`, `` ` `` and `\`;
    // a directory holding them is quoted with single quotes instead.
    if dir.contains(['"', '$', '`', '\\']) {
        Some(format!(
            "export PATH='{}':\"$PATH\"",
            dir.replace('\'', "'\\''")
        ))
    } else {
        Some(format!("export PATH=\"{dir}:$PATH\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_advice_names_the_line_to_add() {
        let dir = Path::new("/home/u/.local/bin");
        assert_eq!(
            path_advice(dir, Some(OsStr::new("/usr/bin:/bin"))).as_deref(),
            Some("export PATH=\"/home/u/.local/bin:$PATH\"")
        );
        assert_eq!(
            path_advice(dir, Some(OsStr::new("/usr/bin:/home/u/.local/bin"))),
            None
        );
        assert_eq!(
            path_advice(Path::new("/opt/a$b"), None).as_deref(),
            Some("export PATH='/opt/a$b':\"$PATH\"")
        );
        assert_eq!(
            path_advice(Path::new("/opt/it's$"), Some(OsStr::new(""))).as_deref(),
            Some("export PATH='/opt/it'\\''s$':\"$PATH\"")
        );
    }
}
