//! Judging the commits of a repository: walks of the repository layer fed
//! to the one judge, [`crate::judge::judge`], on all cores where the
//! backend allows it.

use crate::classify::Classifier;
use crate::judge::{judge, CommitVerdict, Summary};
use crate::message::trailer::ParseOptions;
use crate::policy::Policy;
use crate::repo::changed::ChangedPaths;
use crate::repo::commit::commit_facts_from_raw;
use crate::repo::diff::{changed_paths, changed_paths_from_raw, commit_facts_and_paths};
use crate::repo::libgit2::{self as git, RangeError, WalkedCommit};
use crate::repo::notes::{read_libgit2, NoteIndex};
use crate::repo::parallel::{self, Reopen};
use crate::stage::Stage;
use git2::{Oid, Repository};

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

/// Judge every commit of a walk, calling `sink` with each verdict
/// (commits without violations included), in walk order; on all cores
/// when `reopen` can open the repository again for each worker thread
/// (see [`crate::repo::parallel`]). Commits a walk already read (see
/// [`git::RevWalk::commits`]) are not read again. Committed messages are
/// parsed as stored ([`ParseOptions::stored`]).
// The judge's inputs (policy, classifier, stage, notes) plus the walk and
// its sink; a struct for four borrowed arguments would only rename them.
#[allow(clippy::too_many_arguments)]
pub fn check_walked(
    repo: &Repository,
    reopen: Option<Reopen<'_>>,
    policy: &Policy,
    classifier: &Classifier,
    stage: Stage,
    notes: &NoteIndex,
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
        |repo, commit| judge_stored(repo, policy, classifier, notes, &options, stage, commit),
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
                Some(raw) => changed_paths_from_raw(repo, commit.id, raw)?,
                None => changed_paths(repo, commit.id)?,
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
    notes: &NoteIndex,
    options: &ParseOptions,
    stage: Stage,
    commit: WalkedCommit,
) -> Result<CommitVerdict, CheckError> {
    let id = commit.id;
    let mut info = match &commit.raw {
        Some(raw) => commit_facts_from_raw(raw),
        None => git::commit_facts(repo, id)?,
    };
    info.facts.notes = read_libgit2(repo, notes, &id.to_string())?;
    let judgement = judge(
        policy,
        classifier,
        &info.facts,
        options,
        stage,
        || match &commit.raw {
            Some(raw) => changed_paths_from_raw(repo, id, raw),
            None => changed_paths(repo, id),
        },
    )?;
    Ok(CommitVerdict::new(id.to_string(), info.title, judgement))
}

/// Like [`check_walked`], for reports that need every commit's changed
/// paths whatever its verdict (`tiergate report`): each commit is read
/// once (or not at all when the walk already read it), its paths computed
/// once and handed to [`judge`] (whose verdict is the same as in
/// [`check_walked`]) and then to `sink` with the verdict and the author
/// time (seconds, offset in minutes). The first error of `sink` stops the
/// walk.
pub fn check_commits_with_paths(
    repo: &Repository,
    policy: &Policy,
    classifier: &Classifier,
    stage: Stage,
    notes: &NoteIndex,
    commits: impl IntoIterator<Item = Result<WalkedCommit, git::Error>>,
    mut sink: impl FnMut(&CommitVerdict, &ChangedPaths, (i64, i32)) -> Result<(), git::Error>,
) -> Result<Summary, CheckError> {
    let options = ParseOptions::stored();
    let mut summary = Summary::default();
    for commit in commits {
        let commit = commit?;
        let id = commit.id;
        let (mut info, changed) = match &commit.raw {
            Some(raw) => (
                commit_facts_from_raw(raw),
                changed_paths_from_raw(repo, id, raw)?,
            ),
            None => commit_facts_and_paths(repo, id)?,
        };
        info.facts.notes = read_libgit2(repo, notes, &id.to_string())?;
        let judgement = judge(policy, classifier, &info.facts, &options, stage, || {
            Ok::<_, git::Error>(changed.clone())
        })?;
        let verdict = CommitVerdict::new(id.to_string(), info.title, judgement);
        summary.add(&verdict);
        sink(&verdict, &changed, info.author_time)?;
    }
    Ok(summary)
}
