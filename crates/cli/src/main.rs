//! `tiergate`: the command line. Thin: argument handling and rendering; all
//! decisions live in `tiergate-core`.

mod cmd;
mod context;
mod exit;

use clap::{Parser, Subcommand};
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
    /// Run a git hook (commit-msg, pre-push, applypatch-msg) as the hook binaries do
    #[command(subcommand)]
    Hook(cmd::hook::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(&cli.global);
    let result = match cli.command {
        Command::Check(args) => cmd::check::run(&cli.global, args),
        Command::Classify(args) => cmd::classify::run(&cli.global, args),
        Command::Trailers(args) => cmd::trailers::run(&cli.global, args),
        Command::Policy(command) => cmd::policy::run(&cli.global, command),
        Command::Explain(args) => cmd::explain::run(&cli.global, args),
        Command::Hook(command) => return cmd::hook::run(&cli.global, command),
    };
    exit::finish(result)
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
