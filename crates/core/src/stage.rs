//! Stages: where in a project's workflow a commit is judged, and the kinds
//! of commit an exemption can name.
//!
//! A rule, a tier's `require` entry or an exemption can be limited to some
//! stages. Every entry point judges at exactly one stage and hands it to
//! [`crate::judge::judge`], so two commands at the same stage always give
//! the same verdict on the same commit:
//!
//! | stage | entry points |
//! |---|---|
//! | `commit` | the `commit-msg` hook (a contributor's `git commit`, `git merge`) |
//! | `push` | the `pre-push` hook |
//! | `receive` | the server's `pre-receive` hook and its mirror (`reference-transaction`) mode |
//! | `apply` | `tiergate check-patch` and the `applypatch-msg` hook (`git am`) |
//! | `ci` | `tiergate check`, `show`, `report` (`check --stage` picks another) |
//!
//! `applypatch-msg` runs inside `git am`, which on mailing-list projects
//! is how a maintainer applies a contributor's patch: it is where the
//! maintainer's trailers (`Reviewed-by`, `Acked-by`) are collected, so it
//! judges at `apply`, like `check-patch` on the same mail (a contributor
//! re-applying their own series uses `git am --no-verify` or sets git
//! config `tiergate.applypatchStage` to `commit`).

use crate::rules::facts::CommitFacts;

/// One stage of a workflow (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// A contributor's `git commit` (commit-msg hook).
    Commit,
    /// `git push` on the contributor's clone (pre-push hook).
    Push,
    /// The server receiving a push, or a mirror fetching (pre-receive).
    Receive,
    /// A maintainer applying a patch (`check-patch`, `git am`).
    Apply,
    /// `tiergate check` / `show` / `report`, in CI or by hand.
    Ci,
}

impl Stage {
    /// Every stage, in workflow order.
    pub const ALL: [Stage; 5] = [
        Stage::Commit,
        Stage::Push,
        Stage::Receive,
        Stage::Apply,
        Stage::Ci,
    ];

    /// The name used in the policy and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Commit => "commit",
            Stage::Push => "push",
            Stage::Receive => "receive",
            Stage::Apply => "apply",
            Stage::Ci => "ci",
        }
    }

    /// The stage named `name` (as [`Stage::as_str`] writes it).
    pub fn from_name(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The names of every stage, for messages.
    pub fn names() -> Vec<&'static str> {
        Stage::ALL.iter().map(|s| s.as_str()).collect()
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stages(u8);

impl Stages {
    /// Every stage.
    pub const ALL: Stages = Stages(0b1_1111);
    /// No stage.
    pub const NONE: Stages = Stages(0);

    /// The set of `stages`.
    pub fn of(stages: &[Stage]) -> Stages {
        Stages(stages.iter().fold(0, |acc, s| acc | s.bit()))
    }

    /// Whether `stage` is in the set.
    pub fn contains(self, stage: Stage) -> bool {
        self.0 & stage.bit() != 0
    }

    /// Whether the set holds every stage.
    pub fn is_all(self) -> bool {
        self == Stages::ALL
    }

    /// The stages of the set, in workflow order.
    pub fn iter(self) -> impl Iterator<Item = Stage> {
        Stage::ALL.into_iter().filter(move |s| self.contains(*s))
    }
}

impl Default for Stages {
    fn default() -> Stages {
        Stages::ALL
    }
}

/// `[commit, push]`, or `all stages`.
impl std::fmt::Display for Stages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_all() {
            return f.write_str("all stages");
        }
        let names: Vec<&str> = self.iter().map(Stage::as_str).collect();
        write!(f, "[{}]", names.join(", "))
    }
}

/// A kind of commit an exemption can name (`exemptions[].kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommitKind {
    /// A merge without changes of its own: no path of its result differs
    /// from every parent (its changed paths are empty).
    Merge,
    /// A revert as `git revert` writes it.
    Revert,
    /// A `fixup!`, `squash!` or `amend!` commit, made to be folded into
    /// another by `git rebase --autosquash`.
    Fixup,
}

impl CommitKind {
    /// Every kind.
    pub const ALL: [CommitKind; 3] = [CommitKind::Merge, CommitKind::Revert, CommitKind::Fixup];

    /// The name used in the policy.
    pub fn as_str(self) -> &'static str {
        match self {
            CommitKind::Merge => "merge",
            CommitKind::Revert => "revert",
            CommitKind::Fixup => "fixup",
        }
    }

    /// The stages an exemption of this kind applies at when it does not
    /// say: fixups are work in progress, lifted on the contributor's side
    /// only (`commit`, `push`); the others everywhere.
    pub fn default_stages(self) -> Stages {
        match self {
            CommitKind::Fixup => Stages::of(&[Stage::Commit, Stage::Push]),
            CommitKind::Merge | CommitKind::Revert => Stages::ALL,
        }
    }

    /// Whether a commit with `facts` is of this kind, as far as its
    /// message and parents tell (a merge's own changes are the caller's to
    /// check: they need its paths).
    pub fn matches_message(self, facts: &CommitFacts) -> bool {
        match self {
            CommitKind::Merge => facts.parents > 1,
            CommitKind::Revert => is_revert(&facts.message),
            CommitKind::Fixup => is_fixup(&facts.message),
        }
    }
}

/// The first line of a message (git's subject: up to the first newline,
/// after leading blank lines, as `%s` shows it).
fn subject(message: &[u8]) -> &[u8] {
    let start = message
        .iter()
        .position(|&b| b != b'\n')
        .unwrap_or(message.len());
    let rest = &message[start..];
    let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    &rest[..end]
}

/// A `fixup!`, `squash!` or `amend!` commit: the subject prefixes `git
/// rebase --autosquash` acts on (git's `sequencer.c`, `todo_list_rearrange_squash`
/// skips `fixup! `, `amend! ` and `squash! `, each with its space).
pub fn is_fixup(message: &[u8]) -> bool {
    let s = subject(message);
    [&b"fixup! "[..], b"squash! ", b"amend! "]
        .iter()
        .any(|p| s.starts_with(p))
}

/// A revert as `git revert` writes it (git's `sequencer.c`,
/// `do_pick_commit`): subject `Revert "<title>"` (or `Reapply "<title>"`,
/// git 2.43+ for the revert of a revert), and a line `This reverts commit
/// <full id>.` (or `..., reversing` when reverting a merge, the rest on the
/// next line). Only the message is read: see the security note in
/// docs/security.md.
pub fn is_revert(message: &[u8]) -> bool {
    let s = subject(message);
    let quoted =
        (s.starts_with(b"Revert \"") || s.starts_with(b"Reapply \"")) && s.ends_with(b"\"");
    quoted
        && message.split(|&b| b == b'\n').any(|line| {
            let Some(rest) = line.strip_prefix(b"This reverts commit ") else {
                return false;
            };
            let hex = rest.iter().take_while(|b| b.is_ascii_hexdigit()).count();
            (hex == 40 || hex == 64) && matches!(&rest[hex..], b"." | b", reversing")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_round_trip() {
        for s in Stage::ALL {
            assert_eq!(Stage::from_name(s.as_str()), Some(s));
        }
        assert_eq!(Stage::from_name("Commit"), None);
        assert_eq!(Stage::from_name("review"), None);
    }

    #[test]
    fn stage_sets() {
        let s = Stages::of(&[Stage::Receive, Stage::Apply]);
        assert!(s.contains(Stage::Receive) && s.contains(Stage::Apply));
        assert!(!s.contains(Stage::Commit) && !s.contains(Stage::Ci));
        assert_eq!(s.to_string(), "[receive, apply]");
        assert_eq!(Stages::ALL.to_string(), "all stages");
        assert_eq!(Stages::of(&Stage::ALL), Stages::ALL);
        assert_eq!(Stages::NONE.iter().count(), 0);
    }

    #[test]
    fn fixups_by_subject() {
        assert!(is_fixup(b"fixup! add parser\n"));
        assert!(is_fixup(b"squash! add parser\n\nmore\n"));
        assert!(is_fixup(b"amend! add parser\n"));
        assert!(is_fixup(b"\nfixup! leading blank line\n"));
        assert!(!is_fixup(b"fixup!add parser\n"));
        assert!(!is_fixup(b"Fixup! add parser\n"));
        assert!(!is_fixup(b"add parser\n\nfixup! in the body\n"));
    }

    #[test]
    fn reverts_as_git_writes_them() {
        let id = "0123456789abcdef0123456789abcdef01234567";
        let plain = format!("Revert \"add parser\"\n\nThis reverts commit {id}.\n");
        assert!(is_revert(plain.as_bytes()));
        let merge = format!(
            "Revert \"Merge branch 'x'\"\n\nThis reverts commit {id}, reversing\nchanges made to {id}.\n"
        );
        assert!(is_revert(merge.as_bytes()));
        let reapply = format!("Reapply \"add parser\"\n\nThis reverts commit {id}.\n");
        assert!(is_revert(reapply.as_bytes()));
        // The subject alone, a short id, or no quotes: not git's revert.
        assert!(!is_revert(b"Revert \"add parser\"\n"));
        let short = "Revert \"add parser\"\n\nThis reverts commit 0123456.\n";
        assert!(!is_revert(short.as_bytes()));
        let unquoted = format!("Revert add parser\n\nThis reverts commit {id}.\n");
        assert!(!is_revert(unquoted.as_bytes()));
    }

    #[test]
    fn merges_by_parent_count() {
        let mut facts = CommitFacts::default();
        assert!(!CommitKind::Merge.matches_message(&facts));
        facts.parents = 2;
        assert!(CommitKind::Merge.matches_message(&facts));
    }
}
