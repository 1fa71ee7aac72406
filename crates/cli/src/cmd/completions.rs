//! `tiergate completions SHELL` and `tiergate man [SUBCOMMAND]`: generated
//! from the clap definitions, so they never disagree with `--help`.
//!
//! Install, for example:
//!
//! ```sh
//! tiergate completions bash > ~/.local/share/bash-completion/completions/tiergate
//! tiergate completions zsh  > ~/.zfunc/_tiergate
//! tiergate completions fish > ~/.config/fish/completions/tiergate.fish
//! tiergate man > ~/.local/share/man/man1/tiergate.1
//! tiergate man check > ~/.local/share/man/man1/tiergate-check.1
//! ```

use crate::exit::{usage, Outcome};
use crate::Global;
use anyhow::Context as _;
use clap_complete::Shell;
use std::io::Write;

/// Arguments of `tiergate completions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

/// Run `tiergate completions`.
pub fn run(_global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let mut command = crate::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut command, "tiergate", &mut buf);
    let mut out = std::io::stdout().lock();
    out.write_all(&buf)
        .and_then(|()| out.flush())
        .context("cannot write to stdout")?;
    Ok(Outcome::Pass)
}

/// clap_mangen starts the page with the definition of the `Aq` string
/// (`.ie`/`.el` lines) before `.TH`; put the `.TH` line first, where `man`,
/// `lexgrog` and `mandb` look for it (the definitions still precede every
/// use of the string).
fn th_first(page: &[u8]) -> Vec<u8> {
    let lines: Vec<&[u8]> = page.split_inclusive(|&b| b == b'\n').collect();
    let Some(th) = lines.iter().position(|l| l.starts_with(b".TH ")) else {
        return page.to_vec();
    };
    let mut out = Vec::with_capacity(page.len());
    out.extend_from_slice(lines[th]);
    for (i, line) in lines.iter().enumerate() {
        if i != th {
            out.extend_from_slice(line);
        }
    }
    out
}

/// Arguments of `tiergate man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Print the page of this subcommand (`tiergate-check(1)`) instead of
    /// the main page
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Option<String>,
}

/// Run `tiergate man`: the page in roff on stdout.
pub fn man(_global: &Global, args: ManArgs) -> anyhow::Result<Outcome> {
    let mut command = crate::command();
    // Propagate the global options into the subcommands' pages.
    command.build();
    let page = match &args.subcommand {
        None => command,
        Some(name) => {
            let Some(sub) = command.find_subcommand(name).cloned() else {
                let known: Vec<String> = command
                    .get_subcommands()
                    .map(|c| c.get_name().to_owned())
                    .collect();
                return Err(usage(
                    format!("no subcommand '{name}'"),
                    Some(&format!("Use one of: {}.", known.join(", "))),
                ));
            };
            let full = format!("tiergate-{}", sub.get_name());
            sub.name(full)
                .version(command.get_version().unwrap_or_default().to_owned())
        }
    };
    let mut buf = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut buf)
        .context("cannot render the man page")?;
    let page = th_first(&buf);
    let mut out = std::io::stdout().lock();
    out.write_all(&page)
        .and_then(|()| out.flush())
        .context("cannot write to stdout")?;
    Ok(Outcome::Pass)
}
