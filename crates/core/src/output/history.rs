//! Aggregating a history for `tiergate report`: how AI is used across a
//! repository, per tier and per month.
//!
//! [`History`] is fed one commit at a time — its verdict (from
//! [`crate::judge`], the same judgement `tiergate check` makes) and its
//! changed paths already classified into tiers — and keeps only counters:
//! memory is bounded by the number of months × tiers, the number of
//! distinct tools (at most [`TOOLS_KEPT`], the rest counted as `(other)`)
//! and the paths kept for the top-paths table (at most [`PATHS_KEPT`]).
//! [`History::finish`] turns it into a [`HistoryReport`], a plain
//! serializable value the renderers (table, JSON, CSV, HTML) read.
//!
//! # What is counted
//!
//! - **commits**: commits whose changed paths touch the tier (a commit
//!   touching two tiers counts in both; the `all` row counts it once).
//! - **ai_assisted**: declared or marked (DESIGN.md "What a commit is
//!   judged on"); **ai_declared**: with a declaration trailer;
//!   **undeclared_marker**: marked but not declared.
//!   `ai_assisted = ai_declared + undeclared_marker`.
//! - **violations**, by rule: a tier rule's violation (`ai-forbidden-tier`,
//!   `missing-required-trailer`) counts in the tier it names; a message
//!   rule's violation (`undeclared-ai`, ...) counts in every tier the
//!   commit touches. The `all` row counts each violation once. Warnings
//!   (`ai-prose` under `markers.prose: warn`) count in their rule's column
//!   the same way, but not in `violations`: they fail nothing.
//! - **tools**: the first word of each declaration value
//!   (`AI-Assisted-by: claude:claude-sonnet-4 [tools]` → agent `claude`,
//!   model `claude-sonnet-4`), each commit once per distinct tool.
//! - **top paths**: the paths changed by the most AI-assisted commits.
//!   Counted with the Space-Saving algorithm (Metwally et al.): exact while
//!   fewer than [`PATHS_KEPT`] distinct paths were seen; beyond that a
//!   path's count may be over-estimated by at most its `overcount`.
//! - **month**: the author date's calendar month in the author's own time
//!   zone (`git log --date=format:%Y-%m`).
//! - **violating commits**: the first [`VIOLATIONS_LISTED`] (or the limit
//!   [`History::list_violations`] sets) commits with violations, in the
//!   order they were added (the walk's order: newest first, as `git log`),
//!   each with its violations; the rest are only counted
//!   ([`HistoryReport::violating_commits_omitted`]), so memory stays
//!   bounded by the limit.
//! - **years**: [`HistoryReport::years`] sums the months of each calendar
//!   year, for long histories (the HTML page folds months into years when
//!   the range spans more than [`MONTHS_BEFORE_FOLDING`] months).

use crate::judge::CommitVerdict;
use crate::rules::RuleCode;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};

/// Number of rule codes (columns of violations by rule).
pub const RULES: usize = RuleCode::ALL.len();

/// How many distinct tools are counted individually; later ones go to
/// `(other)`.
pub const TOOLS_KEPT: usize = 256;

/// How many distinct paths the top-paths counter keeps.
pub const PATHS_KEPT: usize = 2000;

/// The name of the tool bucket beyond [`TOOLS_KEPT`].
pub const OTHER_TOOLS: &str = "(other)";

/// How many violating commits are listed unless
/// [`History::list_violations`] says otherwise.
pub const VIOLATIONS_LISTED: usize = 20;

/// Past this many months from the first to the last, renderers fold the
/// month table into years (15 years of months is ~180 rows per tier).
pub const MONTHS_BEFORE_FOLDING: usize = 24;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    /// Year (proleptic Gregorian).
    pub year: i32,
    /// Month, 1..=12.
    pub month: u8,
}

impl YearMonth {
    /// The month of a git timestamp: `seconds` since the epoch, seen in the
    /// time zone `offset_minutes` east of UTC.
    pub fn from_git_time(seconds: i64, offset_minutes: i32) -> YearMonth {
        let local = seconds.saturating_add(i64::from(offset_minutes) * 60);
        let (year, month) = civil_from_days(local.div_euclid(86_400));
        YearMonth {
            year: i32::try_from(year).unwrap_or(if year < 0 { i32::MIN } else { i32::MAX }),
            month,
        }
    }

    /// The month after this one.
    pub fn next(self) -> YearMonth {
        if self.month >= 12 {
            YearMonth {
                year: self.year.saturating_add(1),
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The calendar day of a git timestamp, `YYYY-MM-DD`, in the time zone
/// `offset_minutes` east of UTC (`git log --date=short` shows the author
/// date in the author's zone the same way).
pub fn git_date(seconds: i64, offset_minutes: i32) -> String {
    let local = seconds.saturating_add(i64::from(offset_minutes) * 60);
    let days = local.div_euclid(86_400);
    let (year, month) = civil_from_days(days);
    // The day of the month: days since the first of the month found above.
    let first = days_from_civil(year, month);
    format!("{year:04}-{month:02}-{:02}", days - first + 1)
}

/// Day number since 1970-01-01 of the first day of `month` in `year`
/// (Howard Hinnant's `days_from_civil`, inverse of [`civil_from_days`]).
fn days_from_civil(year: i64, month: u8) -> i64 {
    let month = i64::from(month);
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let mp = if month > 2 { month - 3 } else { month + 9 }; // March = 0
    let doy = (153 * mp + 2) / 5; // day 1 of the month
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Year and month of a day number since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, u8::try_from(month).unwrap_or(1))
}

/// Counters for one cell (a tier in a month, a month, a tier, the whole
/// history).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Commits.
    pub commits: u64,
    /// AI-assisted commits (declared or marked).
    pub ai_assisted: u64,
    /// Commits with a declaration trailer.
    pub ai_declared: u64,
    /// Commits with markers of AI use but no declaration.
    pub undeclared_marker: u64,
    /// Violations, all rules.
    pub violations: u64,
    /// Violations per rule code, in [`RuleCode::ALL`] order (serialized
    /// as a map from code to count, every code present).
    #[serde(serialize_with = "rule_map")]
    pub by_rule: [u64; RULES],
}

impl Counts {
    /// Violations of `rule`.
    pub fn rule(&self, rule: RuleCode) -> u64 {
        RuleCode::ALL
            .iter()
            .position(|r| *r == rule)
            .map_or(0, |i| self.by_rule[i])
    }

    /// Add `other`'s counts to these (a year from its months).
    pub fn add_counts(&mut self, other: &Counts) {
        self.commits += other.commits;
        self.ai_assisted += other.ai_assisted;
        self.ai_declared += other.ai_declared;
        self.undeclared_marker += other.undeclared_marker;
        self.violations += other.violations;
        for (n, m) in self.by_rule.iter_mut().zip(other.by_rule) {
            *n += m;
        }
    }

    fn commit(&mut self, kind: Kind) {
        self.commits += 1;
        if kind.declared || kind.marked {
            self.ai_assisted += 1;
        }
        if kind.declared {
            self.ai_declared += 1;
        } else if kind.marked {
            self.undeclared_marker += 1;
        }
    }

    /// Count a violation of rule `rule` (index into [`RuleCode::ALL`]),
    /// or with `fails` false a warning (`ai-prose` under `markers.prose:
    /// warn`): in its rule's column, not in `violations`.
    fn violation(&mut self, rule: usize, fails: bool) {
        if fails {
            self.violations += 1;
        }
        if let Some(n) = self.by_rule.get_mut(rule) {
            *n += 1;
        }
    }
}

fn rule_map<S: Serializer>(counts: &[u64; RULES], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(RULES))?;
    for (rule, n) in RuleCode::ALL.iter().zip(counts) {
        map.serialize_entry(rule.as_str(), n)?;
    }
    map.end()
}

#[derive(Debug, Clone, Copy)]
struct Kind {
    declared: bool,
    marked: bool,
}

/// The counts of one tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierCounts {
    /// Tier name.
    pub tier: String,
    /// Its counts.
    #[serde(flatten)]
    pub counts: Counts,
}

/// One month of the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthStats {
    /// The month (`YYYY-MM`).
    pub month: YearMonth,
    /// Every commit of the month, each once.
    pub all: Counts,
    /// Per tier, in policy order (every tier present).
    pub tiers: Vec<TierCounts>,
}

/// One tool named in declarations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolStats {
    /// The first word of the declaration value (`claude:claude-sonnet-4`),
    /// or [`OTHER_TOOLS`].
    pub tool: String,
    /// Before the first `:` (`claude`).
    pub agent: String,
    /// After the first `:` (`claude-sonnet-4`; empty without a `:`).
    pub model: String,
    /// Commits declaring it.
    pub commits: u64,
    /// First month it was declared in.
    pub first: YearMonth,
    /// Last month it was declared in.
    pub last: YearMonth,
}

/// A path often changed by AI-assisted commits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathStats {
    /// The path (lossily decoded when not UTF-8).
    pub path: String,
    /// Its tier.
    pub tier: String,
    /// AI-assisted commits that changed it (see `overcount`).
    pub commits: u64,
    /// By how much `commits` may over-estimate (0: exact).
    pub overcount: u64,
}

/// One violation of a listed commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitViolation {
    /// The rule code (`ai-forbidden-tier`).
    pub rule: RuleCode,
    /// The tier a tier rule names; `None` for a message rule, which
    /// concerns every tier the commit touches (its `tiers`).
    pub tier: Option<String>,
}

/// A commit with violations, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViolatingCommit {
    /// Full commit id.
    pub id: String,
    /// Its first 12 hex digits (the id renderers print; git's own
    /// `--abbrev` would need the object store to stay unique).
    pub short_id: String,
    /// The author date, `YYYY-MM-DD` in the author's time zone.
    pub date: String,
    /// The first line of the message.
    pub title: String,
    /// The tiers it touches, in policy order.
    pub tiers: Vec<String>,
    /// Its violations, in the order the verdict lists them.
    pub violations: Vec<CommitViolation>,
}

/// A calendar year of the history (the months of [`HistoryReport`]
/// summed), for renderers folding long ranges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearStats {
    /// The year.
    pub year: i32,
    /// Every commit of the year, each once.
    pub all: Counts,
    /// Per tier, in policy order.
    pub tiers: Vec<TierCounts>,
    /// Its months that have commits, oldest first.
    pub months: Vec<MonthStats>,
}

/// The aggregated history: what the renderers print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryReport {
    /// Tier names, in policy order.
    pub tiers: Vec<String>,
    /// Rule codes, in the order of every `by_rule` array.
    pub rules: Vec<&'static str>,
    /// First month with a commit.
    pub first_month: Option<YearMonth>,
    /// Last month with a commit.
    pub last_month: Option<YearMonth>,
    /// The whole history, each commit once.
    pub totals: Counts,
    /// The whole history per tier.
    pub tier_totals: Vec<TierCounts>,
    /// Months that have commits, oldest first.
    pub months: Vec<MonthStats>,
    /// Tools named in declarations, most used first.
    pub tools: Vec<ToolStats>,
    /// Paths changed by the most AI-assisted commits, most first.
    pub top_paths: Vec<PathStats>,
    /// Whether `top_paths` counts are exact (fewer than [`PATHS_KEPT`]
    /// distinct paths seen).
    pub top_paths_exact: bool,
    /// Commits of the range older than the policy's `baseline`: not
    /// judged, and in no other count.
    pub grandfathered: u64,
    /// Commits with violations, at most the listing limit, in walk order.
    pub violating_commits: Vec<ViolatingCommit>,
    /// Commits with violations beyond the listing limit (not listed).
    pub violating_commits_omitted: u64,
}

/// The JSON document of `tiergate report --format json`: the report's
/// fields beside `version` ([`crate::output::verdict::JSON_VERSION`]), `policy`
/// (where it was read from) and `range` (the revision arguments). Printed
/// through [`crate::output::verdict::Json`], keys sorted like every JSON output.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryJson<'a> {
    /// [`crate::output::verdict::JSON_VERSION`].
    pub version: u32,
    /// Where the policy was read from.
    pub policy: &'a str,
    /// The revision arguments, as given.
    pub range: &'a [String],
    /// The report.
    #[serde(flatten)]
    pub report: &'a HistoryReport,
}

impl HistoryReport {
    /// How many months the range spans, first to last (0 without
    /// commits).
    pub fn month_span(&self) -> usize {
        match (self.first_month, self.last_month) {
            (Some(a), Some(b)) if a <= b => {
                let months = (i64::from(b.year) - i64::from(a.year)) * 12 + i64::from(b.month)
                    - i64::from(a.month)
                    + 1;
                usize::try_from(months).unwrap_or(usize::MAX)
            }
            _ => 0,
        }
    }

    /// The months with commits grouped by calendar year, oldest first.
    pub fn years(&self) -> Vec<YearStats> {
        let mut years: Vec<YearStats> = Vec::new();
        for month in &self.months {
            let year = match years.last_mut() {
                Some(y) if y.year == month.month.year => y,
                _ => {
                    years.push(YearStats {
                        year: month.month.year,
                        all: Counts::default(),
                        tiers: self
                            .tiers
                            .iter()
                            .map(|t| TierCounts {
                                tier: t.clone(),
                                counts: Counts::default(),
                            })
                            .collect(),
                        months: Vec::new(),
                    });
                    let last = years.len() - 1;
                    &mut years[last]
                }
            };
            year.all.add_counts(&month.all);
            for (sum, tier) in year.tiers.iter_mut().zip(&month.tiers) {
                sum.counts.add_counts(&tier.counts);
            }
            year.months.push(month.clone());
        }
        years
    }

    /// Every month from the first to the last, with months without commits
    /// filled with zeros (for charts over time).
    pub fn months_filled(&self) -> Vec<MonthStats> {
        let (Some(first), Some(last)) = (self.first_month, self.last_month) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut given = self.months.iter().peekable();
        let mut month = first;
        while month <= last {
            match given.peek() {
                Some(m) if m.month == month => {
                    out.push((*m).clone());
                    given.next();
                }
                _ => out.push(MonthStats {
                    month,
                    all: Counts::default(),
                    tiers: self
                        .tiers
                        .iter()
                        .map(|t| TierCounts {
                            tier: t.clone(),
                            counts: Counts::default(),
                        })
                        .collect(),
                }),
            }
            month = month.next();
        }
        out
    }
}

#[derive(Debug, Clone)]
struct MonthAcc {
    all: Counts,
    tiers: Vec<Counts>,
}

#[derive(Debug, Clone)]
struct PathCount {
    commits: u64,
    overcount: u64,
    tier: usize,
}

/// The accumulator (see the module docs).
#[derive(Debug, Clone)]
pub struct History {
    tiers: Vec<String>,
    totals: Counts,
    tier_totals: Vec<Counts>,
    months: BTreeMap<YearMonth, MonthAcc>,
    tools: HashMap<String, ToolStats>,
    paths: HashMap<Vec<u8>, PathCount>,
    paths_evicted: bool,
    paths_kept: usize,
    grandfathered: u64,
    violations_listed: usize,
    violating: Vec<ViolatingCommit>,
    violating_omitted: u64,
}

impl History {
    /// An empty history for a policy with these tiers (names, in policy
    /// order).
    pub fn new(tiers: Vec<String>) -> History {
        History::with_capacity(tiers, PATHS_KEPT)
    }

    /// Like [`History::new`], keeping at most `paths_kept` distinct paths
    /// for the top-paths table (at least 1).
    pub fn with_capacity(tiers: Vec<String>, paths_kept: usize) -> History {
        let n = tiers.len();
        History {
            tiers,
            totals: Counts::default(),
            tier_totals: vec![Counts::default(); n],
            grandfathered: 0,
            months: BTreeMap::new(),
            tools: HashMap::new(),
            paths: HashMap::new(),
            paths_evicted: false,
            paths_kept: paths_kept.max(1),
            violations_listed: VIOLATIONS_LISTED,
            violating: Vec::new(),
            violating_omitted: 0,
        }
    }

    /// List at most `limit` violating commits (0: list none, count them
    /// all as omitted).
    pub fn list_violations(mut self, limit: usize) -> History {
        self.violations_listed = limit;
        self
    }

    /// Like [`History::add`] for a commit written at git time `seconds`,
    /// `offset_minutes` (its author date): counted in that month, and
    /// listed among the violating commits when it has violations.
    pub fn add_at(
        &mut self,
        (seconds, offset_minutes): (i64, i32),
        verdict: &CommitVerdict,
        paths: &[(&[u8], usize)],
    ) {
        self.add(
            YearMonth::from_git_time(seconds, offset_minutes),
            verdict,
            paths,
        );
        if verdict.grandfathered || verdict.violations.is_empty() {
            return;
        }
        if self.violating.len() >= self.violations_listed {
            self.violating_omitted += 1;
            return;
        }
        self.violating.push(ViolatingCommit {
            id: verdict.id.clone(),
            short_id: verdict.id.chars().take(12).collect(),
            date: git_date(seconds, offset_minutes),
            title: verdict.title.clone(),
            // From the paths handed in: the verdict names tiers only when
            // its rules needed the paths.
            tiers: self
                .tiers
                .iter()
                .enumerate()
                .filter(|(i, _)| paths.iter().any(|&(_, t)| t == *i))
                .map(|(_, name)| name.clone())
                .collect(),
            violations: verdict
                .violations
                .iter()
                .map(|v| CommitViolation {
                    rule: v.rule,
                    tier: v.tier.clone(),
                })
                .collect(),
        });
    }

    /// Count one commit: its verdict, the month it was written in, and its
    /// changed paths with the index of each one's tier (as
    /// [`crate::classify::Classifier::tier_of`] gives it; an index out of
    /// range is ignored).
    ///
    /// A grandfathered verdict (older than the policy's `baseline`) is
    /// counted apart, in [`HistoryReport::grandfathered`] only.
    pub fn add(&mut self, month: YearMonth, verdict: &CommitVerdict, paths: &[(&[u8], usize)]) {
        if verdict.grandfathered {
            self.grandfathered += 1;
            return;
        }
        let n = self.tiers.len();
        let assessment = &verdict.assessment;
        let kind = Kind {
            declared: assessment.declared(),
            marked: !assessment.markers.is_empty(),
        };
        let mut touched = vec![false; n];
        for &(_, tier) in paths {
            if let Some(t) = touched.get_mut(tier) {
                *t = true;
            }
        }
        let acc = self.months.entry(month).or_insert_with(|| MonthAcc {
            all: Counts::default(),
            tiers: vec![Counts::default(); n],
        });
        acc.all.commit(kind);
        self.totals.commit(kind);
        for tier in (0..n).filter(|&t| touched[t]) {
            acc.tiers[tier].commit(kind);
            self.tier_totals[tier].commit(kind);
        }
        let warnings = verdict.warnings.iter().map(|w| (w, false));
        for (violation, fails) in verdict.violations.iter().map(|v| (v, true)).chain(warnings) {
            let Some(rule) = RuleCode::ALL.iter().position(|r| *r == violation.rule) else {
                continue;
            };
            acc.all.violation(rule, fails);
            self.totals.violation(rule, fails);
            let named = violation
                .tier
                .as_deref()
                .and_then(|name| self.tiers.iter().position(|t| t == name));
            match named {
                Some(tier) => {
                    acc.tiers[tier].violation(rule, fails);
                    self.tier_totals[tier].violation(rule, fails);
                }
                None => {
                    for tier in (0..n).filter(|&t| touched[t]) {
                        acc.tiers[tier].violation(rule, fails);
                        self.tier_totals[tier].violation(rule, fails);
                    }
                }
            }
        }
        self.count_tools(month, verdict);
        if kind.declared || kind.marked {
            let mut seen: Vec<&[u8]> = Vec::new();
            for &(path, tier) in paths {
                if tier < n && !seen.contains(&path) {
                    seen.push(path);
                    self.count_path(path, tier);
                }
            }
        }
    }

    fn count_tools(&mut self, month: YearMonth, verdict: &CommitVerdict) {
        let assessment = &verdict.assessment;
        let mut names: Vec<String> = Vec::new();
        for &i in &assessment.declarations {
            let Some(trailer) = assessment.trailers.get(i) else {
                continue;
            };
            let value = String::from_utf8_lossy(&trailer.value);
            let Some(word) = value.split_whitespace().next() else {
                continue;
            };
            let mut name = word.to_owned();
            if !self.tools.contains_key(&name) && self.tools.len() >= TOOLS_KEPT {
                name = OTHER_TOOLS.to_owned();
            }
            if !names.contains(&name) {
                names.push(name);
            }
        }
        for name in names {
            let stats = self.tools.entry(name.clone()).or_insert_with(|| {
                let (agent, model) = match name.split_once(':') {
                    _ if name == OTHER_TOOLS => (name.clone(), String::new()),
                    Some((a, m)) => (a.to_owned(), m.to_owned()),
                    None => (name.clone(), String::new()),
                };
                ToolStats {
                    tool: name.clone(),
                    agent,
                    model,
                    commits: 0,
                    first: month,
                    last: month,
                }
            });
            stats.commits += 1;
            stats.first = stats.first.min(month);
            stats.last = stats.last.max(month);
        }
    }

    /// Space-Saving: a path not kept replaces the least counted one and
    /// inherits its count (recorded as possible over-count).
    fn count_path(&mut self, path: &[u8], tier: usize) {
        if let Some(count) = self.paths.get_mut(path) {
            count.commits += 1;
            return;
        }
        if self.paths.len() < self.paths_kept {
            self.paths.insert(
                path.to_vec(),
                PathCount {
                    commits: 1,
                    overcount: 0,
                    tier,
                },
            );
            return;
        }
        let least = self
            .paths
            .iter()
            .min_by(|a, b| a.1.commits.cmp(&b.1.commits).then_with(|| b.0.cmp(a.0)))
            .map(|(p, c)| (p.clone(), c.commits));
        if let Some((victim, min)) = least {
            self.paths.remove(&victim);
            self.paths_evicted = true;
            self.paths.insert(
                path.to_vec(),
                PathCount {
                    commits: min + 1,
                    overcount: min,
                    tier,
                },
            );
        }
    }

    /// Count `n` grandfathered commits the walk left out (reachable from
    /// the policy's baseline commit; see
    /// [`crate::repo::Repo::count_grandfathered`]).
    pub fn add_grandfathered(&mut self, n: u64) {
        self.grandfathered += n;
    }

    /// The report, with at most `top_paths` paths.
    pub fn finish(self, top_paths: usize) -> HistoryReport {
        let tier_counts = |counts: Vec<Counts>, tiers: &[String]| -> Vec<TierCounts> {
            tiers
                .iter()
                .cloned()
                .zip(counts)
                .map(|(tier, counts)| TierCounts { tier, counts })
                .collect()
        };
        let months: Vec<MonthStats> = self
            .months
            .into_iter()
            .map(|(month, acc)| MonthStats {
                month,
                all: acc.all,
                tiers: tier_counts(acc.tiers, &self.tiers),
            })
            .collect();
        let mut tools: Vec<ToolStats> = self.tools.into_values().collect();
        tools.sort_by(|a, b| {
            (a.tool == OTHER_TOOLS)
                .cmp(&(b.tool == OTHER_TOOLS))
                .then(b.commits.cmp(&a.commits))
                .then_with(|| a.tool.cmp(&b.tool))
        });
        let mut paths: Vec<(Vec<u8>, PathCount)> = self.paths.into_iter().collect();
        paths.sort_by(|a, b| b.1.commits.cmp(&a.1.commits).then_with(|| a.0.cmp(&b.0)));
        let top_paths = paths
            .into_iter()
            .take(top_paths)
            .map(|(path, count)| PathStats {
                path: String::from_utf8_lossy(&path).into_owned(),
                tier: self.tiers.get(count.tier).cloned().unwrap_or_default(),
                commits: count.commits,
                overcount: count.overcount,
            })
            .collect();
        HistoryReport {
            rules: RuleCode::ALL.iter().map(|r| r.as_str()).collect(),
            first_month: months.first().map(|m| m.month),
            last_month: months.last().map(|m| m.month),
            totals: self.totals,
            tier_totals: tier_counts(self.tier_totals, &self.tiers),
            months,
            tools,
            top_paths,
            top_paths_exact: !self.paths_evicted,
            tiers: self.tiers,
            grandfathered: self.grandfathered,
            violating_commits: self.violating,
            violating_commits_omitted: self.violating_omitted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::trailer::Trailer;
    use crate::rules::{MarkerHit, MessageAssessment, Violation};

    fn verdict(
        declared: Option<&str>,
        marked: bool,
        rules: &[(RuleCode, Option<&str>)],
    ) -> CommitVerdict {
        let mut assessment = MessageAssessment::default();
        if let Some(value) = declared {
            assessment.trailers.push(Trailer {
                key: b"AI-Assisted-by".to_vec(),
                value: value.as_bytes().to_vec(),
                line: 2,
            });
            assessment.declarations.push(0);
        }
        if marked {
            assessment.markers.push(MarkerHit {
                evidence: "Co-authored-by: Claude".into(),
                line: Some(3),
            });
        }
        CommitVerdict {
            warnings: Vec::new(),
            id: "x".into(),
            title: "t".into(),
            assessment,
            tiers: Vec::new(),
            paths_computed: true,
            grandfathered: false,
            stage: crate::stage::Stage::Ci,
            violations: rules
                .iter()
                .map(|(rule, tier)| Violation {
                    rule: *rule,
                    message: String::new(),
                    tier: tier.map(str::to_owned),
                    paths: Vec::new(),
                    line: None,
                    fix: crate::rules::Fix::RecreateCommit,
                })
                .collect(),
        }
    }

    fn ym(year: i32, month: u8) -> YearMonth {
        YearMonth { year, month }
    }

    #[test]
    fn months_from_git_time() {
        assert_eq!(YearMonth::from_git_time(0, 0), ym(1970, 1));
        // 2023-11-14T22:13:20Z
        assert_eq!(YearMonth::from_git_time(1_700_000_000, 0), ym(2023, 11));
        // 2024-02-29T23:30Z is March in +01:00, still February in -05:00.
        assert_eq!(YearMonth::from_git_time(1_709_249_400, 60), ym(2024, 3));
        assert_eq!(YearMonth::from_git_time(1_709_249_400, -300), ym(2024, 2));
        assert_eq!(YearMonth::from_git_time(-1, 0), ym(1969, 12));
        assert_eq!(ym(2024, 12).next(), ym(2025, 1));
        assert_eq!(ym(2024, 3).to_string(), "2024-03");
    }

    #[test]
    fn counts_per_tier_and_month() {
        let tiers = vec!["critical".to_owned(), "core".to_owned(), "open".to_owned()];
        let mut h = History::new(tiers);
        let crit: &[u8] = b"crypto/aes.c";
        let docs: &[u8] = b"docs/a.md";
        // Declared, touches critical and open: ai-forbidden-tier in critical.
        h.add(
            ym(2024, 1),
            &verdict(
                Some("claude:claude-sonnet-4 [tools]"),
                false,
                &[(RuleCode::AiForbiddenTier, Some("critical"))],
            ),
            &[(crit, 0), (docs, 2)],
        );
        // Marked, undeclared, touches open.
        h.add(
            ym(2024, 1),
            &verdict(None, true, &[(RuleCode::UndeclaredAi, None)]),
            &[(docs, 2)],
        );
        // Plain commit in March, core.
        h.add(ym(2024, 3), &verdict(None, false, &[]), &[(b"hw/x.c", 1)]);
        let r = h.finish(10);
        assert_eq!(r.first_month, Some(ym(2024, 1)));
        assert_eq!(r.months.len(), 2);
        assert_eq!(r.months_filled().len(), 3);
        let jan = &r.months[0];
        assert_eq!(jan.all.commits, 2);
        assert_eq!(jan.all.ai_assisted, 2);
        assert_eq!(jan.all.ai_declared, 1);
        assert_eq!(jan.all.undeclared_marker, 1);
        assert_eq!(jan.all.violations, 2);
        assert_eq!(jan.tiers[0].counts.commits, 1);
        assert_eq!(jan.tiers[0].counts.rule(RuleCode::AiForbiddenTier), 1);
        assert_eq!(jan.tiers[2].counts.commits, 2);
        assert_eq!(jan.tiers[2].counts.rule(RuleCode::UndeclaredAi), 1);
        assert_eq!(jan.tiers[2].counts.rule(RuleCode::AiForbiddenTier), 0);
        assert_eq!(r.totals.commits, 3);
        assert_eq!(r.tier_totals[1].counts.commits, 1);
        assert_eq!(r.tools.len(), 1);
        assert_eq!(r.tools[0].agent, "claude");
        assert_eq!(r.tools[0].model, "claude-sonnet-4");
        assert_eq!(r.top_paths[0].path, "docs/a.md");
        assert_eq!(r.top_paths[0].commits, 2);
        assert!(r.top_paths_exact);
        let json = serde_json::to_value(&r).expect("serializes");
        assert_eq!(json["months"][0]["month"], "2024-01");
        assert_eq!(json["months"][0]["tiers"][0]["tier"], "critical");
        assert_eq!(json["totals"]["by_rule"]["undeclared-ai"], 1);
    }

    #[test]
    fn top_paths_are_bounded() {
        let mut h = History::with_capacity(vec!["t".to_owned()], 10);
        let v = verdict(Some("a:b"), false, &[]);
        for _ in 0..5 {
            h.add(ym(2024, 1), &v, &[(b"hot", 0)]);
        }
        for i in 0..20u8 {
            let p = [b'p', i];
            h.add(ym(2024, 1), &v, &[(&p, 0)]);
        }
        let r = h.finish(10);
        assert_eq!(r.top_paths.len(), 10);
        assert_eq!(r.top_paths[0].path, "hot");
        assert_eq!(r.top_paths[0].commits, 5);
        assert_eq!(r.top_paths[0].overcount, 0);
        assert!(r.top_paths.iter().any(|p| p.overcount > 0));
        assert!(!r.top_paths_exact);
    }

    #[test]
    fn dates_from_git_time() {
        assert_eq!(git_date(0, 0), "1970-01-01");
        assert_eq!(git_date(1_700_000_000, 0), "2023-11-14");
        // 2024-02-29T23:30Z: March 1st in +01:00, still the 29th in -05:00.
        assert_eq!(git_date(1_709_249_400, 60), "2024-03-01");
        assert_eq!(git_date(1_709_249_400, -300), "2024-02-29");
        assert_eq!(git_date(-1, 0), "1969-12-31");
        // 2000-12-31T12:00Z (day 366 of a leap year).
        assert_eq!(git_date(978_264_000, 0), "2000-12-31");
    }

    fn with_id(mut v: CommitVerdict, id: &str, title: &str) -> CommitVerdict {
        v.id = id.to_owned();
        v.title = title.to_owned();
        v
    }

    #[test]
    fn violating_commits_are_listed_up_to_the_limit() {
        let tiers = vec!["critical".to_owned(), "open".to_owned()];
        let mut h = History::new(tiers).list_violations(2);
        let crit: &[u8] = b"crypto/aes.c";
        let docs: &[u8] = b"docs/a.md";
        // 2023-11-14T22:13:20Z, seen in +02:00: the 15th.
        let at = (1_700_000_000, 120);
        let forbidden = verdict(
            Some("a:b"),
            false,
            &[(RuleCode::AiForbiddenTier, Some("critical"))],
        );
        h.add_at(
            at,
            &with_id(forbidden, &"a".repeat(40), "crypto: fast"),
            &[(crit, 0), (docs, 1)],
        );
        // Clean: not listed, not counted as omitted.
        h.add_at(at, &verdict(None, false, &[]), &[(docs, 1)]);
        let undeclared = verdict(None, true, &[(RuleCode::UndeclaredAi, None)]);
        h.add_at(at, &with_id(undeclared.clone(), "b", "docs"), &[(docs, 1)]);
        h.add_at(
            at,
            &with_id(undeclared.clone(), "c", "docs 2"),
            &[(docs, 1)],
        );
        h.add_at(at, &with_id(undeclared, "d", "docs 3"), &[(docs, 1)]);
        let r = h.finish(10);
        assert_eq!(r.totals.commits, 5);
        assert_eq!(r.violating_commits.len(), 2);
        assert_eq!(r.violating_commits_omitted, 2);
        let first = &r.violating_commits[0];
        assert_eq!(first.short_id, "a".repeat(12));
        assert_eq!(first.date, "2023-11-15");
        assert_eq!(first.title, "crypto: fast");
        assert_eq!(first.tiers, ["critical", "open"]);
        assert_eq!(
            first.violations,
            [CommitViolation {
                rule: RuleCode::AiForbiddenTier,
                tier: Some("critical".to_owned())
            }]
        );
        assert_eq!(r.violating_commits[1].id, "b");
        assert_eq!(r.violating_commits[1].tiers, ["open"]);
        let json = serde_json::to_value(&r).expect("serializes");
        assert_eq!(
            json["violating_commits"][1]["violations"][0]["rule"],
            "undeclared-ai"
        );
        assert_eq!(
            json["violating_commits"][1]["violations"][0]["tier"],
            serde_json::Value::Null
        );
        assert_eq!(json["violating_commits_omitted"], 2);
    }

    #[test]
    fn months_fold_into_years() {
        let mut h = History::new(vec!["t".to_owned()]);
        let v = verdict(Some("a:b"), false, &[(RuleCode::AiSignoff, None)]);
        for month in [ym(2021, 3), ym(2021, 11), ym(2023, 1)] {
            h.add(month, &v, &[(b"x", 0)]);
        }
        h.add(ym(2023, 2), &verdict(None, false, &[]), &[(b"x", 0)]);
        let r = h.finish(10);
        assert_eq!(r.month_span(), 24);
        let years = r.years();
        let summary: Vec<(i32, u64, u64, usize)> = years
            .iter()
            .map(|y| (y.year, y.all.commits, y.all.ai_assisted, y.months.len()))
            .collect();
        assert_eq!(summary, [(2021, 2, 2, 2), (2023, 2, 1, 2)]);
        assert_eq!(years[0].tiers[0].counts.rule(RuleCode::AiSignoff), 2);
        assert_eq!(years[1].all.violations, 1);
        assert_eq!(History::new(Vec::new()).finish(1).month_span(), 0);
    }
}
