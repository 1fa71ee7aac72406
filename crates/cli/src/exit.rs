//! Exit codes and errors of the `tiergate` command (DESIGN.md "Output and
//! exit codes"): 0 pass (or `mode: warn`), 1 violations, 2 usage or policy
//! error, 3 git or I/O error.
//!
//! Commands return `anyhow` errors; [`command_error`] turns one into the
//! edges' one error type, [`tiergate_hooks::CommandError`] (kind -> exit
//! code, message, `Caused by:` chain, hints), which the hooks use too and
//! which renders jj-style.

use std::process::ExitCode;
use tiergate_core::policy;
use tiergate_core::repo::GitError;
pub use tiergate_hooks::Outcome;
use tiergate_hooks::{CommandError, ErrorKind};

/// A usage error found by the CLI itself (bad combination of arguments,
/// unreadable input named on the command line...): exit 2.
#[derive(Debug)]
pub struct Usage {
    /// What is wrong.
    pub message: String,
    /// How to fix it, an imperative sentence (optional).
    pub hint: Option<String>,
}

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Usage {}

/// Build a usage error.
pub fn usage(message: impl Into<String>, hint: Option<&str>) -> anyhow::Error {
    anyhow::Error::new(Usage {
        message: message.into(),
        hint: hint.map(str::to_owned),
    })
}

/// The kind of an error, which decides its exit code: policy and usage
/// errors are 2, anything else (git, I/O) is 3.
fn kind_of(error: &anyhow::Error) -> ErrorKind {
    for cause in error.chain() {
        if cause.is::<Usage>() {
            return ErrorKind::Usage;
        }
        if cause.is::<policy::LoadError>() {
            return ErrorKind::Policy;
        }
        if cause.is::<GitError>() {
            return ErrorKind::Git;
        }
    }
    ErrorKind::Git
}

/// Print the error (if any) and turn the result into the process exit code.
pub fn finish(result: anyhow::Result<Outcome>) -> ExitCode {
    tiergate_hooks::finish(result.map_err(|e| command_error(&e)))
}

/// What to do about the git errors people meet most.
fn git_hint(error: &GitError) -> Option<&'static str> {
    let GitError::Git { context, .. } = error else {
        return None;
    };
    if context.starts_with("cannot find a git repository") {
        Some("Run tiergate inside a git repository, or name one with `--repo DIR`.")
    } else if context.starts_with("cannot open repository") {
        Some("Check that `--repo` names a git repository (a work tree, or a bare repository's directory).")
    } else {
        None
    }
}

/// The edge's one error type for a command's error: the message, the
/// `Caused by:` chain and the hints its causes carry.
pub fn command_error(error: &anyhow::Error) -> CommandError {
    let kind = kind_of(error);
    // Policy diagnostics are already fully rendered (file:line:column with
    // the offending source line); print them as they are.
    if let Some(load) = error.downcast_ref::<policy::LoadError>() {
        return CommandError::rendered(kind, load.to_string());
    }
    let mut out = CommandError::new(kind, error.to_string());
    out.causes = error.chain().skip(1).map(|c| c.to_string()).collect();
    for cause in error.chain() {
        if let Some(Usage {
            hint: Some(hint), ..
        }) = cause.downcast_ref::<Usage>()
        {
            out.hints.push(hint.clone());
        }
        if let Some(hint) = cause.downcast_ref::<GitError>().and_then(git_hint) {
            out.hints.push(hint.to_owned());
        }
    }
    out
}
