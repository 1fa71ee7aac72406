//! Judging commits: the one function every entry point (`tiergate check`,
//! the hooks) uses to turn a commit into a verdict.
//!
//! [`judge`] is pure: it takes the commit's facts and a closure that
//! produces its changed paths, and calls that closure only when the verdict
//! depends on paths (DESIGN.md: "compute diffs lazily"). The repository
//! layer ([`crate::repo`]) feeds it commits, one at a time, so memory
//! stays bounded whatever the length of the history.

use crate::classify::Classifier;
use crate::policy::{Mode, Policy};
use crate::repo::changed::{ChangedPaths, MAX_TREE_DEPTH};
use crate::rules::{self, CommitFacts, MessageAssessment, Violation};
use crate::trailer::ParseOptions;

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
    /// Findings reported as warnings only, which fail nothing: `ai-prose`
    /// under `markers.prose: warn` (see [`split_warnings`]).
    pub warnings: Vec<Violation>,
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
                MAX_TREE_DEPTH,
                &deep.prefix,
            ));
        }
    }
    // Rule table order, whatever step found them.
    rules::sort_violations(&mut violations);
    let (violations, warnings) = split_warnings(policy, violations);
    Ok(Judgement {
        assessment,
        tiers,
        paths_computed,
        violations,
        warnings,
    })
}

/// The violations reported as warnings apart: `ai-prose` under
/// `markers.prose: warn` (the default) is a suspicion, not a verdict.
fn split_warnings(policy: &Policy, violations: Vec<Violation>) -> (Vec<Violation>, Vec<Violation>) {
    let warns = |v: &Violation| {
        v.rule == rules::RuleCode::AiProse
            && policy.markers.prose == crate::policy::ProseLevel::Warn
    };
    violations.into_iter().partition(|v| !warns(v))
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
    /// Warnings (see [`CommitVerdict::warnings`]).
    pub warnings: Vec<Violation>,
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
            warnings: judgement.warnings,
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
