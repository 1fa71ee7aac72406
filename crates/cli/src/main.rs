//! `tiergate`: the command line. Thin: argument handling and rendering; all
//! decisions live in `tiergate-core`.

mod cmd;
mod context;
mod exit;
mod rev_args;

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

/// Options every subcommand takes (anywhere on the line: `global`), and
/// the output format the subcommand's own `--format` chose.
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
    /// Set from the subcommand's `--format` ([`Command::format`]): each
    /// command takes only the formats it can print, so clap refuses the
    /// others with the list.
    #[arg(skip)]
    pub format: Format,
    /// More diagnostics on stderr (repeat for more; RUST_LOG also works)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print nothing but errors and violations
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// When to colour output: auto (on a terminal, unless NO_COLOR is set
    /// or CLICOLOR_FORCE asks for it), always, never
    #[arg(long, global = true, value_enum, default_value_t, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal; NO_COLOR and CLICOLOR_FORCE are honoured
    #[default]
    Auto,
    /// Always colour (as CLICOLOR_FORCE=1)
    Always,
    /// Never colour (as NO_COLOR=1)
    Never,
}

impl ColorChoice {
    /// Make the choice the environment's, which every renderer reads
    /// (`Colour::for_terminal`): one rule for the whole process, the
    /// conventions of no-color.org and CLICOLOR_FORCE.
    fn apply(self) {
        // Set once, first thing, before any thread starts.
        match self {
            ColorChoice::Auto => {}
            ColorChoice::Always => {
                std::env::remove_var("NO_COLOR");
                std::env::set_var("CLICOLOR_FORCE", "1");
            }
            ColorChoice::Never => std::env::set_var("NO_COLOR", "1"),
        }
    }
}

/// Every output format, as the renderers see it; on the command line each
/// command offers its own subset (below).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Human-readable text
    #[default]
    Human,
    /// One JSON document per run
    Json,
    /// Comma-separated values (`tiergate report`)
    Csv,
    /// GitHub Actions `::error` workflow commands (`tiergate check`)
    Github,
    /// GitLab Code Quality JSON report (`tiergate check`)
    Gitlab,
    /// SARIF 2.1.0 log, for code scanning (`tiergate check`)
    Sarif,
    /// JUnit XML test report (`tiergate check`)
    Junit,
}

/// `--format` of `tiergate check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CheckFormat {
    /// Human-readable text
    #[default]
    Human,
    /// One JSON document per run
    Json,
    /// GitHub Actions `::error` workflow commands
    Github,
    /// GitLab Code Quality JSON report
    Gitlab,
    /// SARIF 2.1.0 (GitHub code scanning and other static-analysis viewers)
    Sarif,
    /// JUnit XML (GitLab, Jenkins test reports)
    Junit,
}

/// `--format` of `tiergate report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReportFormat {
    /// Human-readable tables
    #[default]
    Human,
    /// One JSON document
    Json,
    /// Comma-separated values (one table, see --table)
    Csv,
}

/// `--format` of the commands that print text or JSON (classify, show,
/// check-patch, policy validate, hook).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TextFormat {
    /// Human-readable text
    #[default]
    Human,
    /// JSON
    Json,
}

impl From<CheckFormat> for Format {
    fn from(f: CheckFormat) -> Format {
        match f {
            CheckFormat::Human => Format::Human,
            CheckFormat::Json => Format::Json,
            CheckFormat::Github => Format::Github,
            CheckFormat::Gitlab => Format::Gitlab,
            CheckFormat::Sarif => Format::Sarif,
            CheckFormat::Junit => Format::Junit,
        }
    }
}

impl From<ReportFormat> for Format {
    fn from(f: ReportFormat) -> Format {
        match f {
            ReportFormat::Human => Format::Human,
            ReportFormat::Json => Format::Json,
            ReportFormat::Csv => Format::Csv,
        }
    }
}

impl From<TextFormat> for Format {
    fn from(f: TextFormat) -> Format {
        match f {
            TextFormat::Human => Format::Human,
            TextFormat::Json => Format::Json,
        }
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
    /// Files outside each forbidden tier that its C/C++ code includes (--html: on the tier tree map)
    Boundary(cmd::boundary::Args),
    /// List the builtin AI signatures (the version the policy pins by default)
    #[command(disable_version_flag = true)]
    Markers(cmd::markers::Args),
    /// Run a git hook (commit-msg, pre-push, applypatch-msg) as the hook binaries do
    Hook(cmd::hook::Args),
    /// Install tiergate's hooks into a clone (or, with --server, a repository receiving pushes)
    Install(cmd::install::Args),
    /// Turn an AI tool's co-author trailer or footer into the policy's declaration in a message file
    Fix(cmd::fix::Args),
}

impl Command {
    /// The output format the subcommand's `--format` chose (human for
    /// commands without one).
    fn format(&self) -> Format {
        match self {
            Command::Check(args) => args.format.into(),
            Command::Classify(args) => args.format.into(),
            Command::Report(args) => args.format.into(),
            Command::CheckPatch(args) => args.format.into(),
            Command::Show(args) => args.format.into(),
            Command::Policy(cmd::policy::Command::Validate { format, .. }) => (*format).into(),
            Command::Policy(cmd::policy::Command::Lint(args)) => args.format.into(),
            Command::Boundary(args) => args.format.into(),
            Command::Markers(args) => args.format.into(),
            Command::Hook(args) => args.format.into(),
            Command::Policy(_)
            | Command::Trailers(_)
            | Command::Explain(_)
            | Command::Completions(_)
            | Command::Man(_)
            | Command::Install(_)
            | Command::Fix(_) => Format::Human,
        }
    }
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => exit_on_parse_error(e),
    };
    if !matches!(cli.command, Command::Hook(_)) {
        stop_quietly_on_closed_stdout();
    }
    cli.global.color.apply();
    let global = Global {
        format: cli.command.format(),
        ..cli.global
    };
    init_tracing(&global);
    let result = match cli.command {
        Command::Check(args) => cmd::check::run(&global, args),
        Command::Classify(args) => cmd::classify::run(&global, args),
        Command::Trailers(args) => cmd::trailers::run(&global, args),
        Command::Policy(command) => cmd::policy::run(&global, command),
        Command::Explain(args) => cmd::explain::run(&global, args),
        Command::Report(args) => cmd::report::run(&global, args),
        Command::CheckPatch(args) => cmd::check_patch::run(&global, args),
        Command::Show(args) => cmd::show::run(&global, args),
        Command::Completions(args) => cmd::completions::run(&global, args),
        Command::Man(args) => cmd::completions::man(&global, args),
        Command::Boundary(args) => cmd::boundary::run(&global, args),
        Command::Markers(args) => cmd::markers::run(&global, args),
        Command::Hook(args) => return cmd::hook::run(&global, args.command),
        Command::Install(args) => return cmd::install::run(&global, args),
        Command::Fix(args) => cmd::fix::run(&global, args),
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

/// Print clap's error (or help, or version) and exit as clap does (2 for
/// a usage error), except for an unknown `--option` given to a command
/// that takes rev-list arguments: that is taken for a `git rev-list`
/// option tiergate does not pass on (`--objects`, `--pretty`, ...), and
/// said as the repository layer says it, with the options it does take.
/// A near miss of the command's own options (`report --htm`) keeps clap's
/// "a similar argument exists"; a near miss of a rev-list option
/// (`--parents`, suggested `--max-parents`) is the unsupported option.
fn exit_on_parse_error(error: clap::Error) -> ! {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let own_option_suggested = match error.get(ContextKind::SuggestedArg) {
        Some(ContextValue::String(s)) => !is_rev_list_option(s),
        Some(ContextValue::StyledStr(s)) => !is_rev_list_option(&s.to_string()),
        Some(ContextValue::Strings(s)) => s.iter().any(|s| !is_rev_list_option(s)),
        _ => false,
    };
    if error.kind() == ErrorKind::UnknownArgument && !own_option_suggested {
        let takes_revisions = command()
            .ignore_errors(true)
            .try_get_matches()
            .ok()
            .is_some_and(|m| matches!(m.subcommand_name(), Some("check" | "report" | "classify")));
        if let Some(ContextValue::String(arg)) = error.get(ContextKind::InvalidArg) {
            if takes_revisions && arg.starts_with("--") {
                // clap names the option without its `=value`; say it as
                // it was given (`--pretty=%H`).
                let given = std::env::args_os()
                    .filter_map(|a| a.into_string().ok())
                    .find(|a| {
                        a.strip_prefix(arg.as_str())
                            .is_some_and(|v| v.starts_with('='))
                    })
                    .unwrap_or_else(|| arg.clone());
                let error = exit::usage(
                    tiergate_core::repo::unsupported_option(&given).to_string(),
                    Some("Run `git rev-list` itself for other output; `--help` lists the common options."),
                );
                let error = exit::command_error(&error);
                eprint!("{}", error.render(tiergate_hooks::error::stderr_colour()));
                std::process::exit(i32::from(error.exit_code()));
            }
        }
    }
    error.exit()
}

/// Whether `arg` (`--name`, as clap suggests it) is one of git's
/// rev-list options.
fn is_rev_list_option(arg: &str) -> bool {
    let name = arg.trim_start_matches('-');
    tiergate_core::repo::REV_LIST_OPTIONS
        .iter()
        .any(|o| o.name == name)
}

fn init_tracing(global: &Global) {
    use tracing_subscriber::EnvFilter;
    let default = match global.verbose {
        0 => "warn",
        1 => "tiergate=info,tiergate_core=info",
        _ => "tiergate=debug,tiergate_core=debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // No escape sequences in a log that is not a terminal (a file, a
    // pipe, a CI log): the same rule as every other output.
    let ansi =
        tiergate_hooks::error::stderr_colour() == tiergate_core::output::verdict::Colour::Always;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .without_time()
        .init();
}
