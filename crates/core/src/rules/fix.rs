//! How to fix a violation, as data ([`Fix`]), and its one-line rendering
//! for where the user meets it ([`FixContext`]).
//!
//! The rules say *what* would make the commit acceptable (add this trailer,
//! split off these paths, ...); the command that does it depends on where
//! the commit is. `git commit --amend --trailer ...` fixes the last commit
//! of a history, but in a `commit-msg` hook the commit does not exist yet:
//! there it would fold the staged changes into the commit *before* the one
//! refused. So the hooks render the fix for their context (see
//! docs/hooks.md, "What the fix line says"):
//!
//! | context | who | the command re-uses |
//! |---|---|---|
//! | [`FixContext::History`] | `tiergate check`, `show`, reports, JSON, SARIF | `git commit --amend` (the commit exists) |
//! | [`FixContext::NewCommit`] | `commit-msg` of `git commit` | the saved message: `git commit -e -F FILE` |
//! | [`FixContext::Amend`] | `commit-msg` of `git commit --amend` | `git commit --amend -e -F FILE` |
//! | [`FixContext::Merge`] | `commit-msg` of a merge (`MERGE_HEAD`) | `git commit -e -F FILE`, which concludes the merge |
//! | [`FixContext::Patch`] | `applypatch-msg` (`git am`) | nothing: the patch's message is fixed at its source |
//! | [`FixContext::Push`] / [`FixContext::Server`] | `pre-push`, `pre-receive` | as `History` |
//!
//! A message saved from `git commit -v` holds the diff below the scissors
//! line. git cuts there only when it is verbose (builtin/commit.c:
//! `if (verbose || cleanup_mode == COMMIT_MSG_CLEANUP_SCISSORS)
//! wt_status_locate_end`), so the command for such a file has `-v`.
//! `--cleanup=scissors` would cut too, but it is the `whitespace` cleanup
//! plus the cut: the saved file's `#` lines (git's "Please enter the commit
//! message" and status block) would stay in the message. `-v` keeps the
//! default `strip` cleanup of an edited message, which drops them.

use std::fmt;

/// What would make a commit acceptable, one variant per kind of remedy
/// the rules give.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fix {
    /// `undeclared-ai`: declare the tool with a trailer `key: value_hint`
    /// in the last paragraph.
    AddTrailer {
        /// The declaration key (`AI-Assisted-by`).
        key: String,
        /// What the value looks like (`<agent>:<model>`).
        value_hint: String,
    },
    /// `missing-required-trailer`: add the trailers a tier requires, once
    /// earned (a review cannot be declared by the author).
    AddRequiredTrailers {
        /// The missing keys, in the policy's order.
        keys: Vec<String>,
    },
    /// `ai-forbidden-tier`: the changes to `tier` go into a commit written
    /// without AI assistance (or the tier's maintainers say otherwise).
    SplitCommit {
        /// The forbidden tier.
        tier: String,
        /// Its paths the commit changes.
        paths: Vec<Vec<u8>>,
    },
    /// `lookalike-path`: spell the paths as the repository does.
    RespellPaths {
        /// The forbidden tier they check out into.
        tier: String,
    },
    /// `malformed-declaration`: an empty value, or one the policy's
    /// pattern does not match.
    RewriteValue {
        /// The key as written.
        key: String,
        /// The policy's `declaration.value` pattern; `None` for an empty value.
        pattern: Option<String>,
    },
    /// `misplaced-declaration`.
    MoveTrailerToLastParagraph {
        /// The key as written.
        key: String,
    },
    /// `near-miss-key`: write the key exactly.
    RespellKey {
        /// The declaration key it nearly is.
        key: String,
    },
    /// `ai-signoff`: remove the AI's `Signed-off-by` and declare instead.
    RemoveTrailer {
        /// The trailer to remove (`Signed-off-by`).
        key: String,
        /// 0-based line of the message.
        line: Option<usize>,
        /// The declaration key to use instead.
        declare_with: String,
    },
    /// `missing-signoff`: sign off as the author.
    AddSignoff {
        /// The author, `Name <email>`.
        who: String,
    },
    /// `malformed-commit`: recreate the commit with git.
    RecreateCommit,
    /// `tree-too-deep`: flatten the layout.
    FlattenTree {
        /// git's `core.maxTreeDepth` default.
        limit: usize,
    },
    /// `unreadable-encoding`: write the message in UTF-8.
    ReEncode,
    /// `replace-ref` under `server.replace_refs: refuse`.
    DropReplaceRef,
    /// `replace-ref` whose object is not a commit.
    ReplaceCommitsOnly,
    /// A fix said in one sentence, the same wherever it is shown: the
    /// rules whose fix names no command to run (`forbidden-trailer`,
    /// `fixup-commit`, a declaration value rewritten into the policy's
    /// form).
    Sentence(String),
}

/// Where the fix is shown: what the user has at hand to follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixContext<'a> {
    /// A commit that exists, anywhere in a history (`tiergate check`,
    /// `show`, reports and every machine format).
    History,
    /// `commit-msg` of a new commit: its message is saved in
    /// `message_file` (as the user can name it from where they ran git).
    NewCommit {
        /// The saved message.
        message_file: &'a str,
        /// The file holds a scissors line (`git commit -v`).
        verbose: bool,
    },
    /// `commit-msg` of `git commit --amend`.
    Amend {
        /// The saved message.
        message_file: &'a str,
        /// The file holds a scissors line.
        verbose: bool,
    },
    /// `commit-msg` of a merge being concluded (`git merge`, or `git
    /// commit` with `MERGE_HEAD`).
    Merge {
        /// The saved message (`.git/MERGE_MSG` from `git merge`).
        message_file: &'a str,
        /// The file holds a scissors line.
        verbose: bool,
    },
    /// `applypatch-msg`: a patch `git am` applies.
    Patch,
    /// `pre-push`: commits that exist locally.
    Push,
    /// `pre-receive`: commits pushed to the server.
    Server,
}

impl FixContext<'_> {
    /// The command that makes the commit again from its saved message
    /// (`git commit [--amend] [-v] -e -F FILE`), for the contexts of a
    /// commit not made yet.
    fn recommit(&self) -> Option<String> {
        let (amend, file, verbose) = match *self {
            FixContext::NewCommit {
                message_file,
                verbose,
            }
            | FixContext::Merge {
                message_file,
                verbose,
            } => ("", message_file, verbose),
            FixContext::Amend {
                message_file,
                verbose,
            } => (" --amend", message_file, verbose),
            _ => return None,
        };
        let verbose = if verbose { " -v" } else { "" };
        Some(format!(
            "git commit{amend}{verbose} -e -F {}",
            shell_word(file)
        ))
    }

    /// The command that adds `args` to the commit concerned, `None` where
    /// no command applies (a patch).
    fn redo_with(&self, args: &str) -> Option<String> {
        match self {
            FixContext::Patch => None,
            FixContext::History | FixContext::Push | FixContext::Server => {
                Some(format!("git commit --amend {args}"))
            }
            _ => self.recommit().map(|c| format!("{c} {args}")),
        }
    }
}

impl Fix {
    /// The fix as one imperative sentence for `context`.
    pub fn render(&self, context: &FixContext<'_>) -> String {
        match self {
            Fix::AddTrailer { key, value_hint } => {
                let trailer = format!("{key}: {value_hint}");
                let mut out = format!("Add the trailer '{trailer}' to the last paragraph");
                if let Some(cmd) = context.redo_with(&format!("--trailer {}", shell_word(&trailer)))
                {
                    out.push_str(&format!(" (`{cmd}`)"));
                }
                out.push('.');
                out
            }
            Fix::AddRequiredTrailers { keys } => {
                let names: Vec<&str> = keys.iter().map(String::as_str).collect();
                let list = super::quoted_list(&names);
                let mut out = format!("Add {list} to the trailer block once earned");
                let first = keys.first().map(String::as_str).unwrap_or_default();
                let trailer = format!("{first}: Name <email>");
                if let Some(cmd) = context.redo_with(&format!("--trailer {}", shell_word(&trailer)))
                {
                    out.push_str(&format!(" (e.g. `{cmd}`)"));
                }
                out.push('.');
                out
            }
            Fix::SplitCommit { tier, paths } => {
                // `git restore --staged` puts the index entries back to
                // HEAD's, so the commit made next leaves them out; an
                // amended commit replaces HEAD and is judged against
                // HEAD's parent, so that is the version to restore.
                let (what, source) = match context {
                    FixContext::NewCommit { .. } | FixContext::Merge { .. } => ("this commit", ""),
                    FixContext::Amend { .. } => ("the amended commit", " --source=HEAD~"),
                    _ => {
                        return format!(
                            "Split the changes to '{tier}' into a commit written without AI assistance, or ask its maintainers."
                        )
                    }
                };
                let cmd = context.recommit().unwrap_or_default();
                format!(
                    "Leave the changes to '{tier}' out of {what} (`git restore --staged{source} -- {}`, then `{cmd}`) and write them without AI assistance in a commit of their own, or ask its maintainers.",
                    shell_words(paths)
                )
            }
            Fix::RespellPaths { tier } => format!(
                "Spell the paths as the repository spells them, outside '{tier}', or split them into a commit written without AI assistance; `tiergate classify --explain PATH` shows where they land."
            ),
            Fix::RewriteValue { key, pattern: None } => {
                format!("Name the tool that helped after '{key}:'.")
            }
            Fix::RewriteValue {
                key,
                pattern: Some(re),
            } => format!("Rewrite the value of '{key}:' to match /{re}/."),
            Fix::MoveTrailerToLastParagraph { key } => format!(
                "Move '{key}:' into the final paragraph of trailers, unindented, with no blank line inside it and above any '---'."
            ),
            Fix::RespellKey { key } => {
                format!("Write the key exactly as '{key}:' (plain ASCII letters and hyphens).")
            }
            Fix::RemoveTrailer {
                key, declare_with, ..
            } => format!(
                "Remove this {key} (only a human can certify the DCO) and declare the tool with '{declare_with}:'."
            ),
            Fix::AddSignoff { who } => match context.redo_with("--signoff") {
                Some(cmd) => format!("Sign off as the author: `{cmd}` (adds 'Signed-off-by: {who}')."),
                None => format!("Sign off as the author (add 'Signed-off-by: {who}' to the last paragraph)."),
            },
            Fix::RecreateCommit => "Recreate the commit with git itself (`git commit`, `git rebase`, `git cherry-pick`): git never writes such a header, and tools disagree on what it means.".to_owned(),
            Fix::FlattenTree { limit } => format!(
                "Flatten the directory layout (no path more than {limit} directories deep) and recreate the commit."
            ),
            Fix::ReEncode => "Write the message in UTF-8 (git's default: unset i18n.commitEncoding) and recreate the commit, e.g. `git commit --amend` or `git rebase -i` with `reword`.".to_owned(),
            Fix::DropReplaceRef => "Push without the replace ref, or rewrite the history for real (`git rebase`) and push that; a maintainer may set `server.replace_refs: judge` in the policy to accept replacement commits that pass.".to_owned(),
            Fix::ReplaceCommitsOnly => "Replace commits, not trees or blobs (`git replace --edit <commit>`, `git replace --graft`), or push without the replace ref.".to_owned(),
            Fix::Sentence(text) => text.clone(),
        }
    }
}

/// The fix for a commit that exists ([`FixContext::History`]): the form
/// of `tiergate check`, the JSON `fix` field and the audit log.
impl fmt::Display for Fix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&FixContext::History))
    }
}

/// A fix serializes as its [`FixContext::History`] sentence: the JSON
/// `fix` field stays the string every consumer reads.
impl serde::Serialize for Fix {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// `word` as one POSIX shell word: as is when it holds only characters
/// no shell treats specially, else single-quoted (`'` written `'\''`).
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._/-+=:,@%".contains(&b));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// Paths as shell words, space-separated (lossy UTF-8: a path that is not
/// UTF-8 cannot be typed as printed anyway).
fn shell_words(paths: &[Vec<u8>]) -> String {
    paths
        .iter()
        .map(|p| shell_word(&String::from_utf8_lossy(p)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEW: FixContext<'static> = FixContext::NewCommit {
        message_file: ".git/COMMIT_EDITMSG",
        verbose: false,
    };

    fn declare() -> Fix {
        Fix::AddTrailer {
            key: "AI-Assisted-by".into(),
            value_hint: "<agent>:<model>".into(),
        }
    }

    #[test]
    fn add_trailer_per_context() {
        let f = declare();
        assert_eq!(f.to_string(), "Add the trailer 'AI-Assisted-by: <agent>:<model>' to the last paragraph (`git commit --amend --trailer 'AI-Assisted-by: <agent>:<model>'`).");
        assert_eq!(f.render(&FixContext::Server), f.to_string());
        assert_eq!(f.render(&NEW), "Add the trailer 'AI-Assisted-by: <agent>:<model>' to the last paragraph (`git commit -e -F .git/COMMIT_EDITMSG --trailer 'AI-Assisted-by: <agent>:<model>'`).");
        let verbose_amend = FixContext::Amend {
            message_file: "../.git/COMMIT_EDITMSG",
            verbose: true,
        };
        assert_eq!(f.render(&verbose_amend), "Add the trailer 'AI-Assisted-by: <agent>:<model>' to the last paragraph (`git commit --amend -v -e -F ../.git/COMMIT_EDITMSG --trailer 'AI-Assisted-by: <agent>:<model>'`).");
        assert_eq!(
            f.render(&FixContext::Patch),
            "Add the trailer 'AI-Assisted-by: <agent>:<model>' to the last paragraph."
        );
    }

    #[test]
    fn required_split_and_signoff() {
        let f = Fix::AddRequiredTrailers {
            keys: vec!["Reviewed-by".into(), "Acked-by".into()],
        };
        assert_eq!(f.to_string(), "Add `Reviewed-by:`, `Acked-by:` to the trailer block once earned (e.g. `git commit --amend --trailer 'Reviewed-by: Name <email>'`).");
        assert_eq!(
            f.render(&FixContext::Patch),
            "Add `Reviewed-by:`, `Acked-by:` to the trailer block once earned."
        );
        let split = Fix::SplitCommit {
            tier: "critical".into(),
            paths: vec![b"crypto/aes.c".to_vec(), b"crypto/it's.c".to_vec()],
        };
        assert_eq!(split.to_string(), "Split the changes to 'critical' into a commit written without AI assistance, or ask its maintainers.");
        assert_eq!(split.render(&NEW), "Leave the changes to 'critical' out of this commit (`git restore --staged -- crypto/aes.c 'crypto/it'\\''s.c'`, then `git commit -e -F .git/COMMIT_EDITMSG`) and write them without AI assistance in a commit of their own, or ask its maintainers.");
        let amend = FixContext::Amend {
            message_file: ".git/COMMIT_EDITMSG",
            verbose: false,
        };
        assert_eq!(split.render(&amend), "Leave the changes to 'critical' out of the amended commit (`git restore --staged --source=HEAD~ -- crypto/aes.c 'crypto/it'\\''s.c'`, then `git commit --amend -e -F .git/COMMIT_EDITMSG`) and write them without AI assistance in a commit of their own, or ask its maintainers.");
        let signoff = Fix::AddSignoff {
            who: "A <a@x>".into(),
        };
        assert_eq!(
            signoff.to_string(),
            "Sign off as the author: `git commit --amend --signoff` (adds 'Signed-off-by: A <a@x>')."
        );
        assert_eq!(
            signoff.render(&NEW),
            "Sign off as the author: `git commit -e -F .git/COMMIT_EDITMSG --signoff` (adds 'Signed-off-by: A <a@x>')."
        );
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word(".git/COMMIT_EDITMSG"), ".git/COMMIT_EDITMSG");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("$(rm)"), "'$(rm)'");
    }

    #[test]
    fn serializes_as_the_history_sentence() {
        let json = serde_json::to_string(&Fix::RecreateCommit).expect("json");
        assert!(json.starts_with("\"Recreate the commit"), "{json}");
    }
}
