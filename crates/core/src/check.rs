//! Judging commits: the one function every entry point (`tiergate check`,
//! the hooks) uses to turn a commit into a verdict.
//!
//! [`judge`] is pure: it takes the commit's facts and a closure that
//! produces its changed paths, and calls that closure only when the verdict
//! depends on paths (DESIGN.md: "compute diffs lazily"). [`check_commits`]
//! feeds it commits from a repository, one at a time, so memory stays
//! bounded whatever the length of the history.

use crate::classify::Classifier;
use crate::git::{self, ChangedPaths, RangeError, WalkedCommit};
use crate::parallel::{self, Reopen};
use crate::policy::{Mode, Policy};
use crate::rules::{self, CommitFacts, MessageAssessment, Violation};
use crate::trailer::ParseOptions;
use git2::{Oid, Repository};

/// The verdict on one commit.
#[derive(Debug, Clone)]
pub struct CommitVerdict {
    /// Full commit id (hex), or a label such as `(commit message)` for a
    /// commit that does not exist yet.
    pub id: String,
    /// First line of the message.
    pub title: String,
    /// What the message says.
    pub assessment: MessageAssessment,
    /// Names of the tiers the commit touches, in policy order (empty when
    /// paths were not needed).
    pub tiers: Vec<String>,
    /// Whether changed paths were computed.
    pub paths_computed: bool,
    /// All violations, message rules first then tier rules.
    pub violations: Vec<Violation>,
}

/// Judge one commit. `paths` is called at most once, only if the verdict
/// depends on the commit's changed paths.
pub fn judge<E>(
    policy: &Policy,
    classifier: &Classifier,
    facts: &CommitFacts,
    options: &ParseOptions,
    paths: impl FnOnce() -> Result<ChangedPaths, E>,
) -> Result<Judgement, E> {
    judge_deferred(policy, facts, options, || Ok((paths()?, classifier)))
}

/// [`judge`], with the classifier built only for a verdict that needs
/// paths: `paths` returns the changed paths and the classifier. The
/// commit-msg hook uses it to skip compiling the policy's globs for a
/// message-only verdict, most of the cost of a run.
pub fn judge_deferred<E, C: std::borrow::Borrow<Classifier>>(
    policy: &Policy,
    facts: &CommitFacts,
    options: &ParseOptions,
    paths: impl FnOnce() -> Result<(ChangedPaths, C), E>,
) -> Result<Judgement, E> {
    let assessment = rules::assess_message(policy, facts, options);
    let mut violations = assessment.violations.clone();
    let mut tiers = Vec::new();
    let mut paths_computed = false;
    if rules::needs_paths(policy, &assessment) {
        let (changed, classifier) = paths()?;
        let classifier = classifier.borrow();
        paths_computed = true;
        let classified: Vec<(&[u8], crate::classify::Class)> = changed
            .0
            .iter()
            .map(|p| (p.as_slice(), classifier.class_of(p)))
            .collect();
        // The tiers touched, in policy order, from the classes just computed
        // (each path is classified once).
        let mut touched = vec![false; policy.tiers.len()];
        for (_, class) in &classified {
            if let Some(t) = touched.get_mut(class.tier) {
                *t = true;
            }
        }
        tiers = policy
            .tiers
            .iter()
            .zip(touched)
            .filter(|(_, t)| *t)
            .map(|(tier, _)| tier.name.clone())
            .collect();
        violations.extend(rules::judge_paths(policy, &assessment, &classified));
        // A subtree too deep to diff hides paths: refuse rather than judge
        // the commit on part of them.
        if let Some(deep) = &changed.1 {
            violations.push(rules::tree_too_deep(
                deep.depth,
                git::MAX_TREE_DEPTH,
                &deep.prefix,
            ));
        }
        // Rule table order, whatever step found them.
        rules::sort_violations(&mut violations);
    }
    Ok(Judgement {
        assessment,
        tiers,
        paths_computed,
        violations,
    })
}

/// What [`judge`] returns.
#[derive(Debug, Clone)]
pub struct Judgement {
    /// What the message says.
    pub assessment: MessageAssessment,
    /// Names of the tiers touched (when paths were computed).
    pub tiers: Vec<String>,
    /// Whether paths were computed.
    pub paths_computed: bool,
    /// All violations.
    pub violations: Vec<Violation>,
}

impl CommitVerdict {
    /// The verdict on commit `id` (or a label such as `patch 1/3 (file)`)
    /// titled `title`, from [`judge`]'s judgement.
    pub fn new(id: String, title: String, judgement: Judgement) -> CommitVerdict {
        CommitVerdict {
            id,
            title,
            assessment: judgement.assessment,
            tiers: judgement.tiers,
            paths_computed: judgement.paths_computed,
            violations: judgement.violations,
        }
    }
}

/// Totals over a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Commits judged.
    pub commits_checked: usize,
    /// Commits with at least one violation.
    pub commits_failed: usize,
    /// Violations in all.
    pub violations: usize,
}

impl Summary {
    /// Count one judged commit.
    pub fn add(&mut self, verdict: &CommitVerdict) {
        self.commits_checked += 1;
        if !verdict.violations.is_empty() {
            self.commits_failed += 1;
            self.violations += verdict.violations.len();
        }
    }

    /// Whether the run fails under `policy` (violations and `mode:
    /// enforce`).
    pub fn fails(&self, policy: &Policy) -> bool {
        self.violations > 0 && policy.mode == Mode::Enforce
    }
}

/// Why a check could not complete.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// A bad range argument.
    #[error(transparent)]
    Range(#[from] RangeError),
    /// The repository could not be read.
    #[error(transparent)]
    Git(#[from] git::Error),
}

/// Judge every commit `ids` yields, calling `sink` with each verdict
/// (commits without violations included), in the order of `ids`.
/// Committed messages are parsed as stored, with `--no-divider` semantics
/// like `%(trailers)` (`no_divider: true` makes the rules use
/// [`crate::trailer::parse_committed`]).
pub fn check_commits(
    repo: &Repository,
    policy: &Policy,
    classifier: &Classifier,
    ids: impl IntoIterator<Item = Result<Oid, git::Error>>,
    sink: impl FnMut(&CommitVerdict),
) -> Result<Summary, CheckError> {
    check_commits_on(repo, None, policy, classifier, ids, sink)
}

/// [`check_commits`], on all cores when `reopen` can open the repository
/// again for each worker thread (see [`crate::parallel`]). Same verdicts,
/// same order.
pub fn check_commits_on(
    repo: &Repository,
    reopen: Option<Reopen<'_>>,
    policy: &Policy,
    classifier: &Classifier,
    ids: impl IntoIterator<Item = Result<Oid, git::Error>>,
    sink: impl FnMut(&CommitVerdict),
) -> Result<Summary, CheckError> {
    let commits = ids
        .into_iter()
        .map(|id| id.map(|id| WalkedCommit { id, raw: None }));
    check_walked(repo, reopen, policy, classifier, commits, sink)
}

/// [`check_commits_on`] for commits a walk may already have read (see
/// [`git::RevWalk::commits`]): those are not read again.
pub fn check_walked(
    repo: &Repository,
    reopen: Option<Reopen<'_>>,
    policy: &Policy,
    classifier: &Classifier,
    commits: impl IntoIterator<Item = Result<WalkedCommit, git::Error>>,
    mut sink: impl FnMut(&CommitVerdict),
) -> Result<Summary, CheckError> {
    let options = ParseOptions::stored();
    let mut summary = Summary::default();
    parallel::map_commits(
        repo,
        reopen,
        parallel::workers_for(parallel::Workload::Judging),
        commits,
        |repo, commit| judge_stored(repo, policy, classifier, &options, commit),
        |verdict: CommitVerdict| {
            summary.add(&verdict);
            sink(&verdict);
            Ok(())
        },
    )?;
    Ok(summary)
}

/// `tiergate classify --rev`: the tiers (indexes into the policy's tiers,
/// in policy order) each commit's changed paths fall in, for every commit
/// of the walk, in walk order. Every commit needs its paths: the worst
/// case of the engine.
pub fn classify_walked(
    repo: &Repository,
    reopen: Option<Reopen<'_>>,
    classifier: &Classifier,
    commits: impl IntoIterator<Item = Result<WalkedCommit, git::Error>>,
    mut sink: impl FnMut(Oid, &[usize]) -> Result<(), git::Error>,
) -> Result<(), git::Error> {
    parallel::map_commits(
        repo,
        reopen,
        parallel::workers_for(parallel::Workload::Diffing),
        commits,
        |repo, commit| {
            let changed = match &commit.raw {
                Some(raw) => git::changed_paths_from_raw(repo, commit.id, raw)?,
                None => git::changed_paths(repo, commit.id)?,
            };
            Ok((commit.id, classifier.tiers_touched(&changed.0)))
        },
        |(id, tiers): (Oid, Vec<usize>)| sink(id, &tiers),
    )
}

/// Judge one stored commit.
fn judge_stored(
    repo: &Repository,
    policy: &Policy,
    classifier: &Classifier,
    options: &ParseOptions,
    commit: WalkedCommit,
) -> Result<CommitVerdict, CheckError> {
    let id = commit.id;
    let info = match &commit.raw {
        Some(raw) => git::commit_facts_from_raw(id, raw),
        None => git::commit_facts(repo, id)?,
    };
    let judgement = judge(policy, classifier, &info.facts, options, || {
        match &commit.raw {
            Some(raw) => git::changed_paths_from_raw(repo, id, raw),
            None => git::changed_paths(repo, id),
        }
    })?;
    Ok(CommitVerdict::new(id.to_string(), info.title, judgement))
}

/// Like [`check_walked`], for reports that need every commit's changed
/// paths whatever its verdict (`tiergate report`): each commit is read
/// once (or not at all when the walk already read it), its paths computed
/// once and handed to [`judge`] (whose verdict is the same as in
/// [`check_commits`]) and then to `sink` with the verdict and the author
/// time (seconds, offset in minutes). The first error of `sink` stops the
/// walk.
pub fn check_commits_with_paths(
    repo: &Repository,
    policy: &Policy,
    classifier: &Classifier,
    commits: impl IntoIterator<Item = Result<WalkedCommit, git::Error>>,
    mut sink: impl FnMut(&CommitVerdict, &ChangedPaths, (i64, i32)) -> Result<(), git::Error>,
) -> Result<Summary, CheckError> {
    let options = ParseOptions::stored();
    let mut summary = Summary::default();
    for commit in commits {
        let commit = commit?;
        let id = commit.id;
        let (info, changed) = match &commit.raw {
            Some(raw) => (
                git::commit_facts_from_raw(id, raw),
                git::changed_paths_from_raw(repo, id, raw)?,
            ),
            None => git::commit_facts_and_paths(repo, id)?,
        };
        let judgement = judge(policy, classifier, &info.facts, &options, || {
            Ok::<_, git::Error>(changed.clone())
        })?;
        let verdict = CommitVerdict::new(id.to_string(), info.title, judgement);
        summary.add(&verdict);
        sink(&verdict, &changed, info.author_time)?;
    }
    Ok(summary)
}

/// `tiergate check <rev-range>...`: judge the commits `git rev-list
/// <args>` would list.
pub fn check_range<S: AsRef<std::ffi::OsStr>>(
    repo: &Repository,
    reopen: Option<Reopen<'_>>,
    policy: &Policy,
    classifier: &Classifier,
    args: &[S],
    sink: impl FnMut(&CommitVerdict),
) -> Result<Summary, CheckError> {
    let walk = git::RevWalk::new(repo, args)?;
    check_walked(repo, reopen, policy, classifier, walk.commits(), sink)
}
