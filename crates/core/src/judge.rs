//! Judging commits: the one function every entry point (`tiergate check`,
//! the hooks) uses to turn a commit into a verdict.
//!
//! [`judge`] is pure: it takes the commit's facts and a closure that
//! produces its changed paths, and calls that closure only when the verdict
//! depends on paths (DESIGN.md: "compute diffs lazily"). The repository
//! layer ([`crate::repo`]) feeds it commits, one at a time, so memory
//! stays bounded whatever the length of the history.

use crate::classify::Classifier;
use crate::message::trailer::ParseOptions;
use crate::policy::{Baseline, ExemptionMatch, Mode, Policy};
use crate::repo::changed::{ChangedPaths, MAX_TREE_DEPTH};
use crate::rules::{self, CommitFacts, MessageAssessment, Violation};
use crate::stage::{CommitKind, Stage};

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
    /// Violations reported as warnings only: those of tiers with `mode:
    /// warn`, or all of them for a ref in a `warn` scope (see
    /// [`CommitVerdict::downgrade`]). They never fail a run.
    pub warnings: Vec<Violation>,
    /// Whether the commit is older than the policy's `baseline` (not
    /// judged).
    pub grandfathered: bool,
    /// The stage it was judged at.
    pub stage: Stage,
}

/// Judge one commit at `stage`. `paths` is called at most once, only if
/// the verdict depends on the commit's changed paths.
pub fn judge<E>(
    policy: &Policy,
    classifier: &Classifier,
    facts: &CommitFacts,
    options: &ParseOptions,
    stage: Stage,
    paths: impl FnOnce() -> Result<ChangedPaths, E>,
) -> Result<Judgement, E> {
    judge_deferred(policy, facts, options, stage, || Ok((paths()?, classifier)))
}

/// [`judge`], with the classifier built only for a verdict that needs
/// paths: `paths` returns the changed paths and the classifier. The
/// commit-msg hook uses it to skip compiling the policy's globs for a
/// message-only verdict, most of the cost of a run.
///
/// The stage decides, in this order:
/// 1. a commit committed before a `baseline.since` date is grandfathered
///    (at `push` and `ci` only: a server cannot trust a date the pusher
///    wrote, and `commit`/`apply` make new commits); a commit-id baseline
///    is applied by the walks instead ([`crate::repo::Repo::check`]);
/// 2. the message rules, `fixup-commit` and, when needed, the tier rules
///    (a tier's `require` entries that apply at `stage` only);
/// 3. rules that do not apply at `stage` (`stages:`) are dropped;
/// 4. exemptions that apply at `stage` and match the commit lift their
///    rules. A merge's own changes are its changed paths (the paths whose
///    result differs from every parent), computed only when an exemption
///    of kind `merge` would lift something.
pub fn judge_deferred<E, C: std::borrow::Borrow<Classifier>>(
    policy: &Policy,
    facts: &CommitFacts,
    options: &ParseOptions,
    stage: Stage,
    paths: impl FnOnce() -> Result<(ChangedPaths, C), E>,
) -> Result<Judgement, E> {
    let assessment = rules::assess_message(policy, facts, options);
    if grandfathered(policy, facts, stage) {
        return Ok(Judgement {
            assessment,
            tiers: Vec::new(),
            paths_computed: false,
            violations: Vec::new(),
            warnings: Vec::new(),
            grandfathered: true,
            stage,
        });
    }
    let mut violations = assessment.violations.clone();
    violations.extend(rules::fixup_commit(facts));
    let mut tiers = Vec::new();
    let mut computed: Option<(ChangedPaths, C)> = None;
    let mut paths = Some(paths);
    let mut compute = |computed: &mut Option<(ChangedPaths, C)>| -> Result<(), E> {
        if computed.is_none() {
            if let Some(paths) = paths.take() {
                *computed = Some(paths()?);
            }
        }
        Ok(())
    };
    if rules::needs_paths(policy, &assessment, stage) {
        compute(&mut computed)?;
    }
    if let Some((changed, classifier)) = &computed {
        let classifier = classifier.borrow();
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
        violations.extend(rules::judge_paths(policy, &assessment, &classified, stage));
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
    violations.retain(|v| policy.rule_stages(v.rule).contains(stage));
    for exemption in &policy.exemptions {
        if violations.is_empty() {
            break;
        }
        if !exemption.stages.contains(stage) || !violations.iter().any(|v| exemption.lifts(v.rule))
        {
            continue;
        }
        let applies = match &exemption.matches {
            ExemptionMatch::Kind(CommitKind::Merge) => {
                // A merge without changes of its own: judged on its
                // changed paths (empty: every path of its result comes
                // from a parent, and the parents are judged themselves).
                // At `commit` the merge is not written yet: the paths
                // the hook has are the index against HEAD, not the
                // merge's own changes, so it never applies there.
                stage != Stage::Commit && facts.parents > 1 && {
                    compute(&mut computed)?;
                    computed
                        .as_ref()
                        .is_some_and(|(c, _)| c.0.is_empty() && c.1.is_none())
                }
            }
            ExemptionMatch::Kind(kind) => kind.matches_message(facts),
            ExemptionMatch::Author { name, email } => {
                let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
                name.as_ref()
                    .is_none_or(|r| r.is_match(&text(&facts.author.name)))
                    && email
                        .as_ref()
                        .is_none_or(|r| r.is_match(&text(&facts.author.email)))
            }
        };
        if applies {
            violations.retain(|v| !exemption.lifts(v.rule));
        }
    }
    // Rule table order, whatever step found them.
    rules::sort_violations(&mut violations);
    let (violations, warnings) = split_warnings(policy, violations);
    Ok(Judgement {
        assessment,
        tiers,
        paths_computed: computed.is_some(),
        violations,
        warnings,
        grandfathered: false,
        stage,
    })
}

/// The violations reported as warnings apart: those of tiers with `mode:
/// warn` (the other tiers enforce), and `ai-prose` under `markers.prose:
/// warn` (the default: a suspicion, not a verdict).
fn split_warnings(policy: &Policy, violations: Vec<Violation>) -> (Vec<Violation>, Vec<Violation>) {
    let warns = |v: &Violation| {
        (v.rule == rules::RuleCode::AiProse
            && policy.markers.prose == crate::policy::ProseLevel::Warn)
            || v.tier.as_deref().is_some_and(|name| {
                policy
                    .tier(name)
                    .is_some_and(|(_, tier)| tier.mode == Mode::Warn)
            })
    };
    violations.into_iter().partition(|v| !warns(v))
}

/// Whether `facts` is grandfathered by a `baseline.since` date at
/// `stage` (see [`judge_deferred`]).
fn grandfathered(policy: &Policy, facts: &CommitFacts, stage: Stage) -> bool {
    match &policy.baseline {
        Some(Baseline::Date { seconds, .. }) => {
            matches!(stage, Stage::Push | Stage::Ci)
                && facts.committer_time != 0
                && facts.committer_time < *seconds
        }
        _ => false,
    }
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
    /// Violations of tiers with `mode: warn`: reported, never failing.
    pub warnings: Vec<Violation>,
    /// Whether the commit is older than the policy's `baseline` and so
    /// not judged (no violations).
    pub grandfathered: bool,
    /// The stage it was judged at.
    pub stage: Stage,
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
            grandfathered: judgement.grandfathered,
            stage: judgement.stage,
        }
    }

    /// Turn every violation into a warning: the commit was pushed to a
    /// ref in a `warn` scope of the policy's `refs:`.
    pub fn downgrade(&mut self) {
        self.warnings.append(&mut self.violations);
        rules::sort_violations(&mut self.warnings);
    }

    /// Whether there is nothing to report (no violation, no warning).
    pub fn is_clean(&self) -> bool {
        self.violations.is_empty() && self.warnings.is_empty()
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
    /// Warnings in all (violations of tiers or refs in `warn` mode).
    pub warnings: usize,
    /// Commits older than the policy's `baseline`, not judged (not in
    /// `commits_checked`).
    pub commits_grandfathered: usize,
}

impl Summary {
    /// Count one judged commit.
    pub fn add(&mut self, verdict: &CommitVerdict) {
        if verdict.grandfathered {
            self.commits_grandfathered += 1;
            return;
        }
        self.commits_checked += 1;
        if !verdict.violations.is_empty() {
            self.commits_failed += 1;
            self.violations += verdict.violations.len();
        }
        self.warnings += verdict.warnings.len();
    }

    /// Whether the run fails under `policy` (violations and `mode:
    /// enforce`).
    pub fn fails(&self, policy: &Policy) -> bool {
        self.violations > 0 && policy.mode == Mode::Enforce
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::repo::changed::ChangedPaths;

    #[test]
    fn a_warn_tier_reports_warnings_while_the_others_enforce() {
        let yaml = b"version: 1\ntiers:\n  - name: critical\n    paths: [ crypto/ ]\n    ai: forbidden\n  - name: legacy\n    paths: [ old/ ]\n    ai: forbidden\n    mode: warn\n  - name: open\n    paths: [ docs/ ]\n";
        let policy = crate::policy::from_yaml(yaml, "p").expect("valid");
        let classifier = Classifier::new(&policy, None).expect("classifies");
        let facts = CommitFacts {
            message: b"x\n\nAI-Assisted-by: claude:opus\n".to_vec(),
            ..Default::default()
        };
        let judge_with = |paths: &[&str]| {
            let paths: Vec<Vec<u8>> = paths.iter().map(|p| p.as_bytes().to_vec()).collect();
            let j = judge(
                &policy,
                &classifier,
                &facts,
                &ParseOptions::default(),
                Stage::Ci,
                || Ok::<_, std::convert::Infallible>(ChangedPaths(paths, None)),
            );
            match j {
                Ok(j) => CommitVerdict::new("x".into(), "x".into(), j),
                Err(e) => match e {},
            }
        };
        let legacy = judge_with(&["old/a.c"]);
        assert!(legacy.violations.is_empty());
        assert_eq!(legacy.warnings.len(), 1);
        assert_eq!(legacy.warnings[0].tier.as_deref(), Some("legacy"));
        let mut summary = Summary::default();
        summary.add(&legacy);
        assert_eq!((summary.violations, summary.warnings), (0, 1));
        assert!(!summary.fails(&policy));
        let both = judge_with(&["old/a.c", "crypto/b.c"]);
        assert_eq!((both.violations.len(), both.warnings.len()), (1, 1));
        summary.add(&both);
        assert!(summary.fails(&policy));
        // A ref in a `warn` scope: everything becomes a warning.
        let mut down = both.clone();
        down.downgrade();
        assert!(down.violations.is_empty() && down.warnings.len() == 2);
        assert!(!down.is_clean());
    }

    use crate::policy::from_yaml;
    use crate::rules::{Identity, RuleCode};
    use std::convert::Infallible;

    const POLICY: &str = "version: 1
tiers:
  - { name: critical, paths: [ \"crypto/\" ], ai: forbidden }
  - name: core
    paths: [ \"src/\" ]
    require: [ { trailer: Reviewed-by, stages: [receive, apply] } ]
  - { name: open, paths: [ \"docs/\" ] }
signoff: { required: true }
exemptions:
  - { kind: merge, rules: all }
  - { kind: revert, rules: [missing-signoff] }
  - { kind: fixup, rules: all }
  - author: { email: '^49699333\\+dependabot\\[bot\\]@users\\.noreply\\.github\\.com$' }
    rules: [missing-signoff]
baseline: { since: 2026-01-01 }
";

    fn facts(message: &str) -> CommitFacts {
        CommitFacts {
            message: message.as_bytes().to_vec(),
            author: Identity {
                name: b"A U Thor".to_vec(),
                email: b"a@example.org".to_vec(),
            },
            committer_time: 1_800_000_000,
            parents: 1,
            ..Default::default()
        }
    }

    /// The rule codes of `facts` judged at `stage` with `paths` changed.
    fn codes(
        policy: &Policy,
        facts: &CommitFacts,
        stage: Stage,
        paths: &[&str],
    ) -> Vec<&'static str> {
        let classifier = Classifier::new(policy, None).expect("classifier");
        let changed = ChangedPaths(paths.iter().map(|p| p.as_bytes().to_vec()).collect(), None);
        let j = judge(
            policy,
            &classifier,
            facts,
            &ParseOptions::stored(),
            stage,
            || Ok::<_, Infallible>(changed.clone()),
        )
        .expect("infallible");
        j.violations.iter().map(|v| v.rule.as_str()).collect()
    }

    fn policy() -> Policy {
        from_yaml(POLICY.as_bytes(), "p.yaml").expect("valid policy")
    }

    #[test]
    fn a_requirement_applies_only_at_its_stages() {
        let p = policy();
        let f = facts(
            "src: x\n\nAI-Assisted-by: claude:opus\nSigned-off-by: A U Thor <a@example.org>\n",
        );
        for stage in [Stage::Commit, Stage::Push, Stage::Ci] {
            assert!(codes(&p, &f, stage, &["src/a.c"]).is_empty(), "{stage}");
        }
        for stage in [Stage::Receive, Stage::Apply] {
            assert_eq!(
                codes(&p, &f, stage, &["src/a.c"]),
                ["missing-required-trailer"],
                "{stage}"
            );
        }
        // Forbidden tiers everywhere.
        for stage in Stage::ALL {
            assert_eq!(
                codes(&p, &f, stage, &["crypto/a.c"]),
                ["ai-forbidden-tier"],
                "{stage}"
            );
        }
        let reviewed = facts("src: x\n\nAI-Assisted-by: claude:opus\nReviewed-by: M <m@example.org>\nSigned-off-by: A U Thor <a@example.org>\n");
        assert!(codes(&p, &reviewed, Stage::Receive, &["src/a.c"]).is_empty());
    }

    #[test]
    fn rules_limited_by_stages() {
        let yaml = format!("{POLICY}stages: {{ missing-signoff: [receive] }}\n");
        let p = from_yaml(yaml.as_bytes(), "p.yaml").expect("valid");
        let f = facts("docs: x\n");
        assert!(codes(&p, &f, Stage::Commit, &["docs/a"]).is_empty());
        assert_eq!(
            codes(&p, &f, Stage::Receive, &["docs/a"]),
            ["missing-signoff"]
        );
    }

    #[test]
    fn merges_without_own_changes_are_exempt_but_not_with_them() {
        let p = policy();
        let mut f = facts("Merge branch 'topic'\n");
        f.parents = 2;
        assert!(codes(&p, &f, Stage::Receive, &[]).is_empty());
        assert_eq!(
            codes(&p, &f, Stage::Receive, &["docs/evil"]),
            ["missing-signoff"]
        );
        // At commit time the merge's own changes are not known.
        assert_eq!(codes(&p, &f, Stage::Commit, &[]), ["missing-signoff"]);
        // One parent, no changes: not a merge.
        f.parents = 1;
        assert_eq!(codes(&p, &f, Stage::Receive, &[]), ["missing-signoff"]);
    }

    #[test]
    fn reverts_bots_and_fixups() {
        let p = policy();
        let id = "0123456789abcdef0123456789abcdef01234567";
        let revert = facts(&format!("Revert \"x\"\n\nThis reverts commit {id}.\n"));
        assert!(codes(&p, &revert, Stage::Receive, &["docs/a"]).is_empty());
        // The revert exemption lifts only what it names.
        let ai_revert = facts(&format!(
            "Revert \"x\"\n\nThis reverts commit {id}.\n\nAI-Assisted-by: claude:opus\n"
        ));
        assert_eq!(
            codes(&p, &ai_revert, Stage::Receive, &["crypto/a"]),
            ["ai-forbidden-tier"]
        );

        let mut bot = facts("Bump serde\n");
        bot.author = Identity {
            name: b"dependabot[bot]".to_vec(),
            email: b"49699333+dependabot[bot]@users.noreply.github.com".to_vec(),
        };
        assert!(codes(&p, &bot, Stage::Ci, &["docs/a"]).is_empty());
        bot.author.email = b"49699333+dependabot[bot]@users.noreply.github.com.evil".to_vec();
        assert_eq!(codes(&p, &bot, Stage::Ci, &["docs/a"]), ["missing-signoff"]);

        let fixup = facts("fixup! docs: x\n\nSigned-off-by: A U Thor <a@example.org>\n");
        assert!(codes(&p, &fixup, Stage::Commit, &["docs/a"]).is_empty());
        assert!(codes(&p, &fixup, Stage::Push, &["docs/a"]).is_empty());
        assert_eq!(
            codes(&p, &fixup, Stage::Receive, &["docs/a"]),
            ["fixup-commit"]
        );
        assert!(codes(&p, &fixup, Stage::Ci, &["docs/a"]).is_empty());
    }

    #[test]
    fn a_date_baseline_grandfathers_at_push_and_ci_only() {
        let p = policy();
        let mut f = facts("old: x\n");
        f.committer_time = 1_700_000_000; // 2023
        let classifier = Classifier::new(&p, None).expect("classifier");
        let run = |stage| {
            judge(&p, &classifier, &f, &ParseOptions::stored(), stage, || {
                Ok::<_, Infallible>(ChangedPaths(Vec::new(), None))
            })
            .expect("infallible")
        };
        for stage in [Stage::Push, Stage::Ci] {
            let j = run(stage);
            assert!(j.grandfathered && j.violations.is_empty(), "{stage}");
        }
        for stage in [Stage::Commit, Stage::Receive, Stage::Apply] {
            let j = run(stage);
            assert!(!j.grandfathered, "{stage}");
            assert_eq!(j.violations[0].rule, RuleCode::MissingSignoff);
        }
        let mut summary = Summary::default();
        summary.add(&CommitVerdict::new("x".into(), "t".into(), run(Stage::Ci)));
        assert_eq!(
            (summary.commits_checked, summary.commits_grandfathered),
            (0, 1)
        );
    }
}
