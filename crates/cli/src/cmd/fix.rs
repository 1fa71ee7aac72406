//! `tiergate fix [FILE]` and the `prepare-commit-msg` hook (`tiergate hook
//! prepare-commit-msg`): turn the co-author trailers and footers AI tools
//! write into the policy's declaration, with the user's agreement, and say
//! what changed (the rewriting itself is
//! [`tiergate_core::message::declare::declare`]).
//!
//! - `tiergate fix FILE` proposes the change and asks on a terminal
//!   (`--yes` applies without asking); not on a terminal and without
//!   `--yes` it only proposes (exit 1). `tiergate fix` / `tiergate fix -`
//!   is a filter: the message on stdin, the fixed message on stdout.
//! - The hook changes the message git is writing only when git config
//!   `tiergate.autoDeclare` is true; otherwise it prints what it would
//!   change. It never fails the commit over this: the commit-msg hook
//!   judges the message that results.

use crate::context;
use crate::exit::{usage, Outcome};
use crate::Global;
use anyhow::Context as _;
use std::ffi::{OsStr, OsString};
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use tiergate_core::message::declare::{self, Declared};
use tiergate_core::message::trailer::ParseOptions;
use tiergate_core::policy::{Matchers, Policy};
use tiergate_core::repo::Repo;

/// Arguments of `tiergate fix`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The message file to fix in place (e.g. .git/COMMIT_EDITMSG); `-` or
    /// none: read the message on stdin and print the result
    #[arg(value_name = "FILE")]
    pub file: Option<OsString>,
    /// Apply the change without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// How a message file being written is read: git's comment string from
/// the repository's configuration (`core.commentChar`/`commentString`).
fn parse_options(repo: Option<&Repo>) -> ParseOptions {
    let comment = repo
        .and_then(|r| r.config().ok())
        .map(|c| c.comment_string())
        .unwrap_or_else(|| b"#".to_vec());
    ParseOptions {
        no_divider: false,
        comment,
    }
}

/// The change for `message`, or a usage error when the policy's value
/// form cannot be met.
fn propose(
    policy: &Policy,
    repo: Option<&Repo>,
    message: &[u8],
) -> anyhow::Result<Option<Declared>> {
    let key = policy.declaration.key.clone();
    declare::declare(policy, message, &parse_options(repo)).map_err(|e| {
        usage(
            e.to_string(),
            Some(&format!(
                "Write the declaration by hand as the message's last paragraph: `{key}: <value the pattern accepts>`."
            )),
        )
    })
}

fn print_changes(err: &mut impl Write, declared: &Declared, verb: &str) -> std::io::Result<()> {
    for line in declared.describe() {
        writeln!(err, "  {verb}{line}")?;
    }
    Ok(())
}

/// Run `tiergate fix`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let repo = context::open_repo(global).ok();
    let file = args.file.filter(|f| f != "-");
    let mut err = std::io::stderr().lock();
    let Some(file) = file else {
        let mut message = Vec::new();
        std::io::stdin()
            .read_to_end(&mut message)
            .context("cannot read the message on stdin")?;
        let policy = context::load_policy(global, repo.as_ref())?.policy;
        let proposed = propose(&policy, repo.as_ref(), &message)?;
        let mut out = std::io::stdout().lock();
        match proposed {
            Some(declared) => {
                writeln!(err, "tiergate fix: changed the message:")?;
                print_changes(&mut err, &declared, "")?;
                out.write_all(&declared.message)?;
            }
            None => out.write_all(&message)?,
        }
        out.flush()?;
        return Ok(Outcome::Pass);
    };
    let path = Path::new(&file);
    let message = std::fs::read(path).map_err(|e| {
        usage(
            format!("cannot read the message file {}: {e}", path.display()),
            Some("Name the file git writes the message to, e.g. .git/COMMIT_EDITMSG."),
        )
    })?;
    let policy = context::load_policy(global, repo.as_ref())?.policy;
    let Some(declared) = propose(&policy, repo.as_ref(), &message)? else {
        writeln!(
            err,
            "tiergate fix: nothing to change in {} (no AI tool's co-author or footer, or already declared)",
            path.display()
        )?;
        return Ok(Outcome::Pass);
    };
    writeln!(err, "tiergate fix: proposed changes to {}:", path.display())?;
    print_changes(&mut err, &declared, "")?;
    let agreed = args.yes || (std::io::stdin().is_terminal() && ask(&mut err)?);
    if !agreed {
        writeln!(err, "tiergate fix: not applied")?;
        writeln!(
            err,
            "Hint: Run `tiergate fix --yes {}` to apply it.",
            path.display()
        )?;
        return Ok(Outcome::Violations);
    }
    std::fs::write(path, &declared.message)
        .with_context(|| format!("cannot write {}", path.display()))?;
    writeln!(err, "tiergate fix: {} updated", path.display())?;
    Ok(Outcome::Pass)
}

/// Ask on the terminal; yes only for `y` or `yes`.
fn ask(err: &mut impl Write) -> anyhow::Result<bool> {
    write!(err, "Apply? [y/N] ")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// git's boolean values (`git config --type=bool`): true, yes, on, 1.
fn git_true(value: Option<String>) -> bool {
    value.is_some_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "true" | "yes" | "on" | "1"
        )
    })
}

/// The `prepare-commit-msg` hook: git passes the message file, and the
/// source of the message (`message`, `template`, `merge`, `squash`,
/// `commit`) with a commit id for `commit`, which change nothing here.
pub fn prepare_commit_msg(global: &Global, file: &OsStr) -> anyhow::Result<Outcome> {
    let repo = context::open_repo(global)?;
    let path = Path::new(file);
    let message = std::fs::read(path).map_err(|e| {
        usage(
            format!("cannot read the message file {}: {e}", path.display()),
            Some("Run the hook through `git commit`, which passes the message file."),
        )
    })?;
    let mut err = std::io::stderr().lock();
    // The policy's globs are not needed here: only their syntax is
    // checked (the commit-msg hook does the same for a message-only
    // verdict), which keeps the hook cheap on every commit.
    let policy = match repo.find_policy_with(global.policy.as_deref(), Matchers::Deferred) {
        Ok(found) => found.policy,
        Err(e) => {
            writeln!(err, "tiergate prepare-commit-msg: {e}")?;
            return Ok(Outcome::Pass);
        }
    };
    let declared = match propose(&policy, Some(&repo), &message) {
        Ok(Some(declared)) => declared,
        Ok(None) => return Ok(Outcome::Pass),
        // Never block the commit over a suggestion: commit-msg judges
        // the message that results.
        Err(e) => {
            writeln!(err, "tiergate prepare-commit-msg: {e}")?;
            return Ok(Outcome::Pass);
        }
    };
    let auto = git_true(
        repo.config()
            .ok()
            .and_then(|c| c.get_string("tiergate.autoDeclare")),
    );
    if auto {
        std::fs::write(path, &declared.message)
            .with_context(|| format!("cannot write {}", path.display()))?;
        writeln!(
            err,
            "tiergate: declared AI assistance in the commit message (git config tiergate.autoDeclare):"
        )?;
        print_changes(&mut err, &declared, "")?;
    } else {
        writeln!(
            err,
            "tiergate: the commit message credits an AI tool; the policy asks for a declaration:"
        )?;
        print_changes(&mut err, &declared, "would be ")?;
        writeln!(
            err,
            "Hint: Run `git config tiergate.autoDeclare true` to have this hook write it, or `tiergate fix --yes {}` once.",
            path.display()
        )?;
    }
    Ok(Outcome::Pass)
}
