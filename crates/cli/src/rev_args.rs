//! Revisions and git's commit-selecting options on tiergate's command line
//! (`check`, `report`, `classify --rev`), parsed by clap like every other
//! option, so that they mix freely with tiergate's own:
//! `tiergate report HEAD~50..HEAD --html r.html --top 5 --no-merges`.
//!
//! Why not one positional with `allow_hyphen_values` (or
//! `trailing_var_arg`) that takes everything: once such a positional has a
//! value, clap hands it every later `--...` argument too, known options
//! included (its parser treats a long option as a possible hyphen value
//! before looking it up), so `--html f` became a revision and git refused
//! it. Instead each option of git's table
//! ([`tiergate_core::repo::REV_LIST_OPTIONS`]: the options that select or
//! order commits) is a clap option of its own, revisions are a plain
//! positional (a revision never starts with `-`; `-5` is let through as
//! git's `-<number>`), and the command line is put back together in the
//! order it was given, from clap's argument indices: order matters to git
//! (`--not` flips the revisions after it, `--exclude` applies to the next
//! `--all`/`--branches`). Arguments after `--` are kept apart, to be
//! refused by the repository layer with its own message: a verdict is
//! about whole commits, never some of their paths.

use clap::{Arg, ArgAction, ArgMatches};
use std::ffi::OsString;
use tiergate_core::repo::{OptionValue, REV_LIST_OPTIONS};

/// The positional's id.
const REVS: &str = "revs";
/// Arguments after `--`.
const AFTER_DASHES: &str = "after-dashes";

/// Options shown in `--help`; the others are accepted and hidden (all are
/// in git-rev-list(1)).
const SHOWN: &[(&str, &str)] = &[
    ("max-count", "At most N commits (also -N)"),
    (
        "since",
        "Only commits more recent than DATE (`2.weeks`, `2026-01-31`)",
    ),
    ("until", "Only commits older than DATE"),
    ("author", "Only commits whose author matches PATTERN"),
    ("committer", "Only commits whose committer matches PATTERN"),
    ("grep", "Only commits whose message matches PATTERN"),
    ("no-merges", "Leave merge commits out"),
    ("merges", "Only merge commits"),
    ("first-parent", "Follow only the first parent of merges"),
    ("all", "Start from every ref"),
    ("branches", "Start from the branches (matching PATTERN)"),
    (
        "not",
        "Exclude the revisions that follow (until the next --not)",
    ),
];

/// Revisions and rev-list options, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevArgs {
    /// What `git rev-list` is given: revisions and options as one sequence
    /// (options in their `--name=value` spelling), then `--` and the
    /// arguments that followed it, if any.
    pub args: Vec<OsString>,
    /// Whether any rev-list option was given (not only revisions).
    pub has_options: bool,
}

impl RevArgs {
    /// The arguments given before `--` and after it, without the `--`, for
    /// commands that read them as paths (`classify` without `--rev`).
    pub fn without_dashes(&self) -> Vec<OsString> {
        self.args.iter().filter(|a| *a != "--").cloned().collect()
    }
}

fn id(name: &str) -> String {
    format!("rev-list-{name}")
}

impl clap::FromArgMatches for RevArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut given: Vec<(usize, OsString)> = Vec::new();
        let mut has_options = false;
        if let (Ok(Some(values)), Some(indices)) =
            (matches.try_get_raw(REVS), matches.indices_of(REVS))
        {
            given.extend(indices.zip(values.map(ToOwned::to_owned)));
        }
        for option in REV_LIST_OPTIONS {
            let id = id(option.name);
            let (Ok(Some(values)), Some(indices)) =
                (matches.try_get_raw(&id), matches.indices_of(&id))
            else {
                continue;
            };
            has_options = true;
            for (index, value) in indices.zip(values) {
                // One argument each, so that a value can never be read as
                // a revision (`--author --all` means author "--all", as in
                // git).
                let mut arg = OsString::from(format!("--{}", option.name));
                if option.value == OptionValue::Required || !value.is_empty() {
                    arg.push("=");
                    arg.push(value);
                }
                given.push((index, arg));
            }
        }
        given.sort_by_key(|(index, _)| *index);
        let mut args: Vec<OsString> = given.into_iter().map(|(_, arg)| arg).collect();
        if let Ok(Some(after)) = matches.try_get_raw(AFTER_DASHES) {
            args.push("--".into());
            args.extend(after.map(ToOwned::to_owned));
        }
        Ok(RevArgs { args, has_options })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = RevArgs::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for RevArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        let cmd = cmd
            .arg(
                Arg::new(REVS)
                    .value_name("REV-RANGE")
                    .help(
                        "Commits, as git rev-list takes them: `main..topic`, `HEAD~5..`, \
                         `^v1.0 HEAD`, `A...B`; with options only (`--since=2.weeks`), HEAD",
                    )
                    .action(ArgAction::Append)
                    .value_parser(clap::value_parser!(OsString))
                    // git's `-<number>` (`-5`): as many commits.
                    .allow_negative_numbers(true),
            )
            .arg(
                Arg::new(AFTER_DASHES)
                    .value_name("PATH")
                    .action(ArgAction::Append)
                    .value_parser(clap::value_parser!(OsString))
                    .last(true)
                    .hide(true),
            )
            .next_help_heading("Commit selection (git rev-list options, in git's meaning)");
        let cmd = REV_LIST_OPTIONS.iter().fold(cmd, |cmd, option| {
            let help = SHOWN.iter().find(|(name, _)| *name == option.name);
            let mut arg = Arg::new(id(option.name))
                .long(option.name)
                .action(ArgAction::Append)
                .value_parser(clap::value_parser!(OsString))
                .hide(help.is_none());
            if let Some((_, help)) = help {
                arg = arg.help(*help);
            }
            if let Some(letter) = option.short {
                arg = arg.short(letter);
            }
            arg = match option.value {
                // git's `parse_long_opt`: the value may be the next
                // argument whatever it looks like.
                OptionValue::Required => arg
                    .num_args(1)
                    .allow_hyphen_values(true)
                    .value_name(value_name(option.name)),
                // Only `--branches=PATTERN`: `--branches main` is the
                // option and a revision.
                OptionValue::Optional => arg
                    .num_args(0..=1)
                    .require_equals(true)
                    .default_missing_value("")
                    .value_name(value_name(option.name)),
                OptionValue::Flag => arg.num_args(0).default_missing_value(""),
            };
            cmd.arg(arg)
        });
        // The command's own options declared after these keep the
        // default heading.
        cmd.next_help_heading(None)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        RevArgs::augment_args(cmd)
    }
}

fn value_name(option: &str) -> &'static str {
    match option {
        "since" | "after" | "until" | "before" | "since-as-filter" | "max-age" | "min-age" => {
            "DATE"
        }
        "max-count" | "skip" | "min-parents" | "max-parents" => "N",
        "ancestry-path" => "COMMIT",
        "no-walk" => "sorted|unsorted",
        _ => "PATTERN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Line {
        #[command(flatten)]
        revs: RevArgs,
        #[arg(long)]
        html: Option<String>,
        #[arg(long, short)]
        verbose: bool,
    }

    fn parse(args: &[&str]) -> (Vec<String>, Option<String>) {
        let line = Line::try_parse_from(std::iter::once("t").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        let revs = line
            .revs
            .args
            .into_iter()
            .map(|a| a.into_string().expect("utf-8"))
            .collect();
        (revs, line.html)
    }

    #[test]
    fn own_options_anywhere_rev_list_options_in_order() {
        assert_eq!(
            parse(&["HEAD~50..HEAD", "--html", "r.html", "--no-merges"]),
            (
                vec!["HEAD~50..HEAD".into(), "--no-merges".into()],
                Some("r.html".into())
            )
        );
        assert_eq!(
            parse(&["main", "--not", "--html=x", "topic", "-v", "--since", "2.weeks"]).0,
            ["main", "--not", "topic", "--since=2.weeks"]
        );
        assert_eq!(
            parse(&["-n", "3", "-5", "-i", "--grep", "-x", "HEAD"]).0,
            [
                "--max-count=3",
                "-5",
                "--regexp-ignore-case",
                "--grep=-x",
                "HEAD"
            ]
        );
        // `--exclude` before the `--all` it applies to; optional values
        // only after `=`.
        assert_eq!(
            parse(&["--exclude=wip/*", "--branches", "--tags=v*", "main"]).0,
            ["--exclude=wip/*", "--branches", "--tags=v*", "main"]
        );
    }

    #[test]
    fn own_options_after_the_flatten_keep_their_heading() {
        let cmd = <Line as clap::CommandFactory>::command();
        let heading = |id: &str| {
            cmd.get_arguments()
                .find(|a| a.get_id() == id)
                .and_then(|a| a.get_help_heading().map(str::to_owned))
        };
        assert_eq!(heading("html"), None);
        assert_eq!(
            heading("rev-list-since").as_deref(),
            Some("Commit selection (git rev-list options, in git's meaning)")
        );
    }

    #[test]
    fn after_dashes_is_kept_apart() {
        assert_eq!(parse(&["HEAD", "--"]).0, ["HEAD"]);
        assert_eq!(parse(&["HEAD", "--", "docs"]).0, ["HEAD", "--", "docs"]);
        assert_eq!(parse(&["--", "HEAD"]).0, ["--", "HEAD"]);
        assert!(parse(&["--"]).0.is_empty());
    }

    #[test]
    fn options_that_change_the_output_are_unknown() {
        for bad in ["--objects", "--pretty=%H", "--no-merges=1"] {
            assert!(Line::try_parse_from(["t", bad, "HEAD"]).is_err(), "{bad}");
        }
    }
}
