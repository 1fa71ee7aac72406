//! The one error type of tiergate's edges (the `tiergate` command line,
//! the client hooks, the server hook), its renderer and the panic guard.
//!
//! Modelled on jj's `CommandError`: the error carries its kind (which
//! decides the exit code), what is wrong, the `Caused by:` chain and the
//! hints as data; one renderer prints it, jj-style:
//!
//! ```text
//! Error: <what is wrong>
//! Caused by:
//!    1: <cause>
//! Hint: <imperative sentence>
//! ```
//!
//! Exit codes (README.md, DESIGN.md "Output and exit codes"): 0 pass, 1
//! violations, 2 usage or policy error, 3 git or I/O error (a panic, a bug,
//! counts as 3: every hook treats it as a refusal).
//!
//! Colour: `Error:` and `Hint:` are painted only when stderr is a terminal
//! ([`std::io::IsTerminal`]) and `NO_COLOR` is not set, or when
//! `CLICOLOR_FORCE` asks for it (see [`tiergate_core::output::verdict::Colour`]);
//! never in what git relays from a server hook.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use tiergate_core::output::verdict::Colour;

/// What kind of failure, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad arguments or input named by the user: exit 2.
    Usage,
    /// The policy cannot be loaded or is invalid: exit 2.
    Policy,
    /// The repository cannot be read (git, I/O): exit 3.
    Git,
    /// A bug (a panic): exit 3.
    Internal,
}

impl ErrorKind {
    /// The process exit code for this kind.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Usage | ErrorKind::Policy => 2,
            ErrorKind::Git | ErrorKind::Internal => 3,
        }
    }
}

/// An error at the edge, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandError {
    /// The kind (exit code).
    pub kind: ErrorKind,
    /// What is wrong (`Error: ...`), or a fully rendered diagnostic (a
    /// policy's, with file, line and the offending source line) when
    /// `rendered` is set.
    pub message: String,
    /// The `Caused by:` chain, outermost first (a cause may span lines).
    pub causes: Vec<String>,
    /// Imperative sentences on what to do (`Hint: ...`).
    pub hints: Vec<String>,
    /// `message` is already fully rendered.
    pub rendered: bool,
}

impl CommandError {
    /// An error of `kind` saying `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> CommandError {
        CommandError {
            kind,
            message: message.into(),
            causes: Vec::new(),
            hints: Vec::new(),
            rendered: false,
        }
    }

    /// A usage error (exit 2) with a hint.
    pub fn usage(message: impl Into<String>, hint: &str) -> CommandError {
        CommandError::new(ErrorKind::Usage, message).with_hint(hint)
    }

    /// A diagnostic rendered elsewhere (a policy's), printed as it is.
    pub fn rendered(kind: ErrorKind, text: impl Into<String>) -> CommandError {
        CommandError {
            rendered: true,
            ..CommandError::new(kind, text)
        }
    }

    /// Add a hint.
    pub fn with_hint(mut self, hint: &str) -> CommandError {
        self.hints.push(hint.to_owned());
        self
    }

    /// Add `error` and its sources to the `Caused by:` chain; a cause that
    /// repeats the one before it (wrappers that print their source) is
    /// left out.
    pub fn caused_by(mut self, error: &dyn std::error::Error) -> CommandError {
        push_causes(&mut self.causes, error);
        self
    }

    /// The exit code.
    pub fn exit_code(&self) -> u8 {
        self.kind.exit_code()
    }

    /// `Error: ...` / `Caused by:` / `Hint: ...`, newline-terminated. A
    /// cause of several lines continues indented under its number.
    pub fn render(&self, colour: Colour) -> String {
        if self.rendered {
            let mut out = self.message.clone();
            if !out.ends_with('\n') {
                out.push('\n');
            }
            return out;
        }
        let mut out = format!("{} {}\n", colour.paint("1;31", "Error:"), self.message);
        if !self.causes.is_empty() {
            out.push_str("Caused by:\n");
            for (i, cause) in self.causes.iter().enumerate() {
                for (j, line) in cause.lines().enumerate() {
                    if j == 0 {
                        out.push_str(&format!("{:>4}: {line}\n", i + 1));
                    } else {
                        out.push_str(&format!("      {line}\n"));
                    }
                }
            }
        }
        for hint in &self.hints {
            out.push_str(&format!("{} {hint}\n", colour.paint("1;36", "Hint:")));
        }
        out
    }

    /// Print on stderr (colour as the module docs say) and return the
    /// exit code.
    pub fn report(&self) -> ExitCode {
        let text = self.render(stderr_colour());
        let _ = std::io::stderr().write_all(text.as_bytes());
        ExitCode::from(self.exit_code())
    }
}

/// Append `error` and its sources to `causes`, leaving out a cause that
/// repeats the one before it (wrappers that print their source).
pub fn push_causes(causes: &mut Vec<String>, error: &dyn std::error::Error) {
    let mut cause: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = cause {
        let text = e.to_string();
        if causes.last() != Some(&text) {
            causes.push(text);
        }
        cause = e.source();
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CommandError {}

/// Whether to colour what goes to stderr.
pub fn stderr_colour() -> Colour {
    Colour::for_terminal(std::io::stderr().is_terminal())
}

/// How a command that ran to completion ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing wrong, or only warnings (`mode: warn`): exit 0.
    Pass,
    /// Violations: exit 1 (git refuses the commit or push).
    Violations,
}

/// Print the error (if any) on stderr and turn the result into the exit
/// code.
pub fn finish(result: Result<Outcome, CommandError>) -> ExitCode {
    match result {
        Ok(Outcome::Pass) => ExitCode::SUCCESS,
        Ok(Outcome::Violations) => ExitCode::from(1),
        Err(error) => error.report(),
    }
}

/// A panic caught by [`catch_panic`]: its message and where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    /// The panic's message (`unknown panic` when it is not a string).
    pub message: String,
    /// `file:line` of the panic, when known.
    pub location: Option<String>,
}

impl Panic {
    /// The internal error to report for it: `Error: <name>: internal
    /// error`, the panic as the cause, and `hint`.
    pub fn error(&self, name: &str, hint: &str) -> CommandError {
        let place = self
            .location
            .as_ref()
            .map(|p| format!(" at {p}"))
            .unwrap_or_default();
        let mut error = CommandError::new(ErrorKind::Internal, format!("{name}: internal error"))
            .with_hint(hint);
        error.causes.push(format!("panic{place}: {}", self.message));
        error
    }
}

/// Run `body`, catching a panic (a bug) instead of letting Rust print its
/// message and backtrace: the caller reports it its own way (the server
/// hook must prefix every line for GitLab and write the audit log). The
/// panic hook it installs records where the panic happened and prints
/// nothing.
pub fn catch_panic<T>(body: impl FnOnce() -> T) -> Result<T, Panic> {
    static WHERE: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut slot) = WHERE.lock() {
            *slot = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()));
        }
    }));
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).map_err(|payload| Panic {
        message: payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned()),
        location: WHERE.lock().ok().and_then(|slot| slot.clone()),
    })
}

/// Run a binary's `main` body so that a panic never escapes as Rust's
/// exit code 101 with a backtrace: it is reported as `Error: <name>:
/// internal error` with the panic message and where it happened, and the
/// process exits 3. Used by `tiergate` and the client hooks (the server
/// hook calls [`catch_panic`] itself, to audit the failure).
///
/// In debug builds, `TIERGATE_DEBUG_PANIC=1` makes the body panic first,
/// so tests can see the guard work.
pub fn guard(name: &str, body: impl FnOnce() -> ExitCode) -> ExitCode {
    catch_panic(|| {
        #[cfg(debug_assertions)]
        if std::env::var_os("TIERGATE_DEBUG_PANIC").is_some() {
            panic!("TIERGATE_DEBUG_PANIC is set");
        }
        body()
    })
    .unwrap_or_else(|panic| {
        panic
            .error(
                name,
                "This is a bug in tiergate; please report it with the input that caused it.",
            )
            .report()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_jj_style_plain_and_painted() {
        let e = CommandError::new(ErrorKind::Git, "tiergate cannot read the repository")
            .caused_by(&std::io::Error::other("first\nsecond line"))
            .with_hint("Run it inside a repository.");
        assert_eq!(e.exit_code(), 3);
        assert_eq!(
            e.render(Colour::Never),
            "Error: tiergate cannot read the repository\nCaused by:\n   1: first\n      second line\nHint: Run it inside a repository.\n"
        );
        assert_eq!(
            e.render(Colour::Always),
            "\x1b[1;31mError:\x1b[0m tiergate cannot read the repository\nCaused by:\n   1: first\n      second line\n\x1b[1;36mHint:\x1b[0m Run it inside a repository.\n"
        );
        let policy = CommandError::rendered(ErrorKind::Policy, "error: bad\n --> policy.yaml:1:1");
        assert_eq!(policy.exit_code(), 2);
        assert_eq!(
            policy.render(Colour::Always),
            "error: bad\n --> policy.yaml:1:1\n"
        );
        assert_eq!(CommandError::usage("x", "y").exit_code(), 2);
    }

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let caught = catch_panic(|| -> u8 { panic!("boom") }).expect_err("panicked");
        assert_eq!(caught.message, "boom");
        assert!(caught
            .location
            .as_deref()
            .is_some_and(|l| l.contains("error.rs")));
        let e = caught.error("tiergate", "Report it.");
        assert_eq!(e.exit_code(), 3);
        assert!(e
            .render(Colour::Never)
            .starts_with("Error: tiergate: internal error\nCaused by:\n   1: panic at "));
        assert_eq!(catch_panic(|| 7), Ok(7));
    }
}
