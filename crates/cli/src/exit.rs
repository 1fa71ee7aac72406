//! Exit codes and error rendering, in one place (DESIGN.md "Output and exit
//! codes"): 0 pass (or `mode: warn`), 1 violations, 2 usage or policy error,
//! 3 git or I/O error.
//!
//! Errors are printed jj-style: `Error: <what is wrong>`, then a
//! `Caused by:` chain, then any `Hint:` lines.

use std::process::ExitCode;
use tiergate_core::policy;
use tiergate_core::repo::GitError;

/// Outcome of a command that ran to completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing wrong (or only warnings).
    Pass,
    /// Violations found.
    Violations,
}

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

/// The exit code for an error: policy and usage errors are 2, anything else
/// (git, I/O) is 3.
pub fn code_of(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if cause.is::<Usage>() || cause.is::<policy::LoadError>() {
            return 2;
        }
        if cause.is::<GitError>() {
            return 3;
        }
    }
    3
}

/// Print the error (if any) and turn the result into the process exit code.
pub fn finish(result: anyhow::Result<Outcome>) -> ExitCode {
    match result {
        Ok(Outcome::Pass) => ExitCode::SUCCESS,
        Ok(Outcome::Violations) => ExitCode::from(1),
        Err(error) => {
            eprint!("{}", render_error(&error));
            ExitCode::from(code_of(&error))
        }
    }
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

/// `Error: ...` / `Caused by:` / `Hint: ...`, newline-terminated.
pub fn render_error(error: &anyhow::Error) -> String {
    let mut out = String::new();
    // Policy diagnostics are already fully rendered (file:line:column with
    // the offending source line); print them as they are.
    if let Some(load) = error.downcast_ref::<policy::LoadError>() {
        out.push_str(&load.to_string());
        if !out.ends_with('\n') {
            out.push('\n');
        }
        return out;
    }
    out.push_str(&format!("Error: {error}\n"));
    let causes: Vec<String> = error.chain().skip(1).map(|c| c.to_string()).collect();
    if !causes.is_empty() {
        out.push_str("Caused by:\n");
        for (i, cause) in causes.iter().enumerate() {
            out.push_str(&format!("{:>4}: {cause}\n", i + 1));
        }
    }
    for cause in error.chain() {
        if let Some(Usage {
            hint: Some(hint), ..
        }) = cause.downcast_ref::<Usage>()
        {
            out.push_str(&format!("Hint: {hint}\n"));
        }
        if let Some(hint) = cause.downcast_ref::<GitError>().and_then(git_hint) {
            out.push_str(&format!("Hint: {hint}\n"));
        }
    }
    out
}
