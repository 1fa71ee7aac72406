//! Tests of the backends' internals against git itself: real git in
//! temporary directories, hermetic (no caller `GIT_*` variables, no system
//! or global config, fixed identities and dates).

mod changed_paths;
mod files;
mod parallel;

use std::path::Path;
use std::process::Command;

/// Run `git ARGS` in `dir`, hermetic; its stdout. Panics (with git's
/// stderr) when git fails.
fn git_cmd(dir: &Path, args: &[&str]) -> Vec<u8> {
    let mut cmd = Command::new("git");
    for (k, _) in std::env::vars() {
        if k.starts_with("GIT_") {
            cmd.env_remove(k);
        }
    }
    let out = cmd
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "A")
        .env("GIT_AUTHOR_EMAIL", "a@example.com")
        .env("GIT_COMMITTER_NAME", "C")
        .env("GIT_COMMITTER_EMAIL", "c@example.com")
        .env("GIT_AUTHOR_DATE", "1700000000 +0000")
        .env("GIT_COMMITTER_DATE", "1700000000 +0000")
        .args(args)
        .output()
        .expect("spawn git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
