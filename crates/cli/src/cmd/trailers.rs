//! `tiergate trailers [FILE]`: print a message's trailers exactly as
//! `git interpret-trailers --parse` does.
//!
//! The message is read from FILE, or from stdin without one. The output is
//! raw bytes, `key: value` per line, byte for byte what git prints
//! (messages need not be UTF-8).
//!
//! - `--no-divider`: a `---` line does not end the message (git's option of
//!   the same name; this is how committed messages are parsed).
//! - `--batch`: the input holds many messages, each terminated (or
//!   separated) by a NUL byte; the answer for each is printed followed by a
//!   NUL byte. A final NUL does not start another message, so `a\0b\0` and
//!   `a\0b` are both two messages and empty input is none.
//!
//! # Comment string
//!
//! Comment lines (and the scissors line) start with the comment string.
//! Like `git interpret-trailers`, tiergate takes it from git config
//! `core.commentChar` / `core.commentString` (the last one set wins;
//! `auto` is ignored, as interpret-trailers ignores it) of the repository
//! given by `--repo`, or found from `GIT_DIR` / the current directory, or,
//! outside any repository, from the global and system configuration; `#`
//! when unset. `--comment-string STRING` overrides the configuration. One
//! difference from git: settings made with `git -c` are not seen (the
//! configuration is read from its files, not `GIT_CONFIG_PARAMETERS`); pass
//! `--comment-string` instead.
//!
//! `trailer.*` configuration (custom separators, key aliases) is not
//! applied: tiergate always reads trailers as git does without it.

use crate::context;
use crate::exit::{usage, Outcome};
use crate::Global;
use anyhow::Context as _;
use std::io::{Read, Write};
use std::path::PathBuf;
use tiergate_core::message::trailer::{render_parse, ParseOptions};
use tiergate_core::repo::Config;

/// Arguments of `tiergate trailers`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The message [default: stdin]
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Do not treat a `---` line as the end of the message
    #[arg(long)]
    pub no_divider: bool,
    /// Read NUL-separated messages; print each answer followed by a NUL
    #[arg(long)]
    pub batch: bool,
    /// Comment string [default: git config core.commentString or
    /// core.commentChar, else `#`]
    #[arg(long, value_name = "STRING")]
    pub comment_string: Option<String>,
}

/// Run `tiergate trailers`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let comment = match &args.comment_string {
        Some(c) if c.is_empty() => {
            return Err(usage(
                "--comment-string must have at least one character",
                Some("Pass the comment string git uses, for example `--comment-string '#'`."),
            ))
        }
        Some(c) if c.contains('\n') => {
            return Err(usage("--comment-string cannot contain a newline", None))
        }
        Some(c) => c.as_bytes().to_vec(),
        None => configured_comment(global)?,
    };
    let options = ParseOptions {
        no_divider: args.no_divider,
        comment,
    };

    let input = match &args.file {
        Some(path) => std::fs::read(path).map_err(|e| {
            usage(
                format!("cannot read {}: {e}", path.display()),
                Some("Name a readable file, or pass the message on stdin."),
            )
        })?,
        None => {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .context("cannot read the message from stdin")?;
            buf
        }
    };

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.batch {
        let body = input.strip_suffix(b"\0").unwrap_or(&input);
        if !input.is_empty() {
            for message in body.split(|&c| c == 0) {
                out.write_all(&render_parse(message, &options))?;
                out.write_all(b"\0")?;
            }
        }
    } else {
        out.write_all(&render_parse(&input, &options))?;
    }
    out.flush()?;
    Ok(Outcome::Pass)
}

/// The comment string of the surrounding repository's configuration (or of
/// the global and system configuration outside one).
fn configured_comment(global: &Global) -> anyhow::Result<Vec<u8>> {
    let config = match context::open_repo(global) {
        Ok(repo) => repo
            .config()
            .context("cannot read the repository's configuration")?,
        // `--repo` names a repository that must exist.
        Err(e) if global.repo.is_some() => return Err(e),
        Err(_) => Config::open_default()?,
    };
    Ok(config.comment_string())
}
