//! `tiergate`: the command line. Thin: argument handling and rendering; all
//! decisions live in `tiergate-core`.

mod cmd;
mod context;
mod exit;

use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

/// Enforce path-tiered rules on AI-assisted commits.
///
/// tiergate classifies the paths a commit changes into tiers (critical,
/// core, open, ...) and checks the commit's AI declaration trailers against
/// each tier's rules, as written in the project's policy.yaml.
#[derive(Debug, Parser)]
#[command(name = "tiergate", version, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// Repository to work on [default: discovered from the current
    /// directory, or GIT_DIR]
    #[arg(long, global = true, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    /// Policy file [default: git config tiergate.policy, else policy.yaml
    /// at the top of the working tree, else the policy.yaml blob at HEAD]
    #[arg(long, global = true, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// More diagnostics on stderr (repeat for more; RUST_LOG also works)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print nothing but errors and violations
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// Output format of commands that print verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text
    Human,
    /// One JSON document per run
    Json,
    /// Comma-separated values (`tiergate report`)
    Csv,
    /// GitHub Actions `::error` workflow commands (`tiergate check`)
    Github,
    /// GitLab Code Quality JSON report (`tiergate check`)
    Gitlab,
}

impl Format {
    /// The name as given on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Github => "github",
            Format::Gitlab => "gitlab",
        }
    }

    /// The usage error for a format `command` does not support.
    pub fn unsupported(self, command: &str, supported: &[Format]) -> anyhow::Error {
        let names: Vec<&str> = supported.iter().map(|f| f.name()).collect();
        exit::usage(
            format!("`{command}` cannot print --format {}", self.name()),
            Some(&format!("Use one of: {}.", names.join(", "))),
        )
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Judge commits (takes git rev-list arguments: `main..topic`, `--all`, `HEAD~5..`)
    Check(cmd::check::Args),
    /// Print the tier of each path
    Classify(cmd::classify::Args),
    /// Print a message's trailers exactly as `git interpret-trailers --parse` does
    Trailers(cmd::trailers::Args),
    /// Validate or create a policy file
    #[command(subcommand)]
    Policy(cmd::policy::Command),
    /// Explain what a rule code means and how to fix a violation of it
    Explain(cmd::explain::Args),
    /// AI use across a history: per tier and month, tools, violations (table, json, csv, html)
    Report(cmd::report::Args),
    /// Judge `git format-patch` / mbox input (mailing-list workflows)
    CheckPatch(cmd::check_patch::Args),
    /// A commit's provenance on one screen: tiers and paths, declaration, markers, verdict
    Show(cmd::show::Args),
    /// Print shell completions
    Completions(cmd::completions::Args),
    /// Print the man page (roff)
    Man(cmd::completions::ManArgs),
    /// Files outside each forbidden tier that its C/C++ code includes
    Boundary(cmd::boundary::Args),
    /// Run a git hook (commit-msg, pre-push, applypatch-msg) as the hook binaries do
    #[command(subcommand)]
    Hook(cmd::hook::Command),
    /// Install tiergate's hooks into a clone (or, with --server, a repository receiving pushes)
    Install(cmd::install::Args),
    /// Turn an AI tool's co-author trailer or footer into the policy's declaration in a message file
    Fix(cmd::fix::Args),
}

/// The clap definition of the whole command line (for completions and the
/// man page).
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

fn main() -> ExitCode {
    // A panic is a bug: exit 3 with a clear message, never 101.
    tiergate_hooks::guard("tiergate", run)
}

fn run() -> ExitCode {
    let cli = Cli::parse_from(hoist_global_options(std::env::args_os().collect()));
    if !matches!(cli.command, Command::Hook(_)) {
        stop_quietly_on_closed_stdout();
    }
    init_tracing(&cli.global);
    let result = match cli.command {
        Command::Check(args) => cmd::check::run(&cli.global, args),
        Command::Classify(args) => cmd::classify::run(&cli.global, args),
        Command::Trailers(args) => cmd::trailers::run(&cli.global, args),
        Command::Policy(command) => cmd::policy::run(&cli.global, command),
        Command::Explain(args) => cmd::explain::run(&cli.global, args),
        Command::Report(args) => cmd::report::run(&cli.global, args),
        Command::CheckPatch(args) => cmd::check_patch::run(&cli.global, args),
        Command::Show(args) => cmd::show::run(&cli.global, args),
        Command::Completions(args) => cmd::completions::run(&cli.global, args),
        Command::Man(args) => cmd::completions::man(&cli.global, args),
        Command::Boundary(args) => cmd::boundary::run(&cli.global, args),
        Command::Hook(command) => return cmd::hook::run(&cli.global, command),
        Command::Install(args) => return cmd::install::run(&cli.global, args),
        Command::Fix(args) => cmd::fix::run(&cli.global, args),
    };
    exit::finish(result)
}

/// `tiergate check --all | head`: when the reader goes away, stop as git
/// and other Unix tools do (killed by SIGPIPE, nothing printed), not with
/// a panic on the next `println!` (Rust ignores SIGPIPE by default). Hooks
/// keep Rust's default: a server hook must finish its decision and its
/// audit record even if git stops reading its output.
fn stop_quietly_on_closed_stdout() {
    #[cfg(unix)]
    // SAFETY: restoring a signal's default disposition, before any other
    // thread is started; no handler code runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Subcommands that take rev-list arguments accept values starting with
/// `-` (`--all`, `--not`), and clap then swallows every later argument,
/// global options included, as a revision. Global options are valid before
/// the subcommand too, so move them there: `tiergate check --all --format
/// json` means what it says. Nothing after a `--` is moved.
fn hoist_global_options(args: Vec<OsString>) -> Vec<OsString> {
    const WITH_VALUE: [&str; 3] = ["--format", "--repo", "--policy"];
    const FLAGS: [&str; 4] = ["--verbose", "--quiet", "-q", "-v"];
    let Some(sub) = args
        .iter()
        .skip(1)
        .position(|a| matches!(a.to_str(), Some("check" | "classify" | "report")))
        .map(|i| i + 1)
    else {
        return args;
    };
    let mut globals = Vec::new();
    let mut rest = Vec::new();
    let mut iter = args[sub + 1..].iter().cloned();
    while let Some(arg) = iter.next() {
        let text = arg.to_str().unwrap_or("");
        if text == "--" {
            rest.push(arg);
            rest.extend(iter.by_ref());
            break;
        }
        let is_valued = WITH_VALUE
            .iter()
            .any(|o| text.starts_with(&format!("{o}=")));
        let is_flag = FLAGS.contains(&text)
            || (text.starts_with("-v") && text[1..].bytes().all(|b| b == b'v'));
        if WITH_VALUE.contains(&text) {
            globals.push(arg);
            if let Some(value) = iter.next() {
                globals.push(value);
            }
        } else if is_valued || is_flag {
            globals.push(arg);
        } else {
            rest.push(arg);
        }
    }
    let mut out = args[..sub].to_vec();
    out.extend(globals);
    out.push(args[sub].clone());
    out.extend(rest);
    out
}

fn init_tracing(global: &Global) {
    use tracing_subscriber::EnvFilter;
    let default = match global.verbose {
        0 => "warn",
        1 => "tiergate=info,tiergate_core=info",
        _ => "tiergate=debug,tiergate_core=debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .init();
}
