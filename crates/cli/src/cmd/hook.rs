//! `tiergate hook <commit-msg|pre-push|applypatch-msg|pre-receive> ARGS...`: the same
//! code as the hook binaries (`tiergate-commit-msg`, ...), for hook
//! managers that prefer one binary; and `prepare-commit-msg`, which has no
//! binary of its own (see [`crate::cmd::fix`]). `--repo`, `--policy` and
//! `--format json` apply.

use crate::{Format, Global, TextFormat};
use std::ffi::OsString;
use std::process::ExitCode;
use tiergate_hooks::{Hook, Options};

/// Arguments of `tiergate hook`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format (before or after the hook's name)
    #[arg(long, global = true, value_enum, default_value_t)]
    pub format: TextFormat,
    /// The hook to run.
    #[command(subcommand)]
    pub command: Command,
}

/// `tiergate hook` subcommands: one per git hook, taking git's arguments.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Judge the message of the commit being made against the staged paths
    /// (git passes the message file)
    CommitMsg {
        /// The message file git passes (e.g. .git/COMMIT_EDITMSG)
        #[arg(value_name = "MESSAGE-FILE")]
        file: OsString,
    },
    /// Judge every commit a push sends that the remote lacks (ref updates
    /// on stdin, as git writes them)
    PrePush {
        /// Remote name (or URL when pushing to a URL)
        #[arg(value_name = "REMOTE")]
        remote: OsString,
        /// Remote URL
        #[arg(value_name = "URL")]
        url: Option<OsString>,
    },
    /// Judge the message and paths of the patch `git am` applies
    ApplypatchMsg {
        /// The message file git am passes (.git/rebase-apply/final-commit)
        #[arg(value_name = "MESSAGE-FILE")]
        file: OsString,
    },
    /// Offer (or, with git config tiergate.autoDeclare, write) the policy's
    /// declaration in place of an AI tool's co-author trailer or footer
    PrepareCommitMsg {
        /// The message file git passes (e.g. .git/COMMIT_EDITMSG)
        #[arg(value_name = "MESSAGE-FILE")]
        file: OsString,
        /// Where the message comes from (message, template, merge, squash, commit)
        #[arg(value_name = "SOURCE")]
        source: Option<OsString>,
        /// The commit of `-c`/`-C`/`--amend`
        #[arg(value_name = "COMMIT")]
        commit: Option<OsString>,
    },
    /// Server side: judge the commits a push brings that are new to the
    /// repository (ref updates on stdin), like `tiergate-pre-receive`
    PreReceive {
        /// Run as a mirror's reference-transaction hook (git passes the
        /// state: prepared, committed, aborted)
        #[arg(long, value_name = "STATE")]
        reference_transaction: Option<String>,
    },
}

/// Run `tiergate hook ...`; prints its own errors and returns the exit
/// code (0 pass, 1 violations, 2 usage/policy, 3 git/IO).
pub fn run(global: &Global, command: Command) -> ExitCode {
    let options = Options {
        repo: global.repo.clone(),
        policy: global.policy.clone(),
        json: global.format == Format::Json,
    };
    let (hook, args) = match command {
        Command::CommitMsg { file } => (Hook::CommitMsg, vec![file]),
        Command::PrePush { remote, url } => {
            (Hook::PrePush, std::iter::once(remote).chain(url).collect())
        }
        Command::ApplypatchMsg { file } => (Hook::ApplypatchMsg, vec![file]),
        Command::PrepareCommitMsg { file, .. } => {
            return crate::exit::finish(crate::cmd::fix::prepare_commit_msg(global, &file));
        }
        Command::PreReceive {
            reference_transaction,
        } => {
            let kind = match reference_transaction {
                Some(state) => tiergate_hooks::server::Kind::ReferenceTransaction(state),
                None => tiergate_hooks::server::Kind::PreReceive,
            };
            return tiergate_hooks::server::run(&options, &kind);
        }
    };
    tiergate_hooks::finish(tiergate_hooks::run(hook, &options, &args))
}
