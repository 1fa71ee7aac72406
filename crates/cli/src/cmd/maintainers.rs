//! `tiergate policy init --from-maintainers FILE`: propose a policy from a
//! MAINTAINERS file in the kernel's, QEMU's or DPDK's format (see
//! [`tiergate_core::input::maintainers`] for how sections and patterns are read).
//!
//! Which sections become the `critical` tier (`ai: forbidden`) is chosen
//! by any of `--critical-path PREFIX`, `--critical-section REGEX` (titles),
//! `--critical-group REGEX` (group headings), `--critical-status STATUS`,
//! `--critical-maintainer REGEX` (`M:`/`R:`) and `--critical-list REGEX`
//! (`L:`), all repeatable; `--open-section REGEX` chooses sections for the
//! `open` tier (the documentation and test directories of the tree are
//! open anyway). Everything else is `core`. The tree at `--rev` (default
//! `HEAD` of the repository around, if any) says which names are files and
//! which directories, evaluates `N:` regexes and finds the documentation
//! and test directories. The proposal is checked with the policy validator
//! before it is printed (or written with `--output`), and a summary of what
//! went where goes to stderr.

use crate::exit::{usage, Outcome};
use crate::Global;
use anyhow::Context as _;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use tiergate_core::{input::maintainers, policy};

/// The `--from-maintainers` options of `tiergate policy init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Derive the tiers from this MAINTAINERS file (Linux/QEMU format)
    #[arg(long, value_name = "FILE")]
    pub from_maintainers: Option<PathBuf>,
    /// This path prefix is critical, whole, with the patterns of any
    /// section that lie under it (and nothing else of those sections);
    /// repeatable. Example: --critical-path drivers/crypto/
    #[arg(long, value_name = "PREFIX", requires = "from_maintainers")]
    pub critical_path: Vec<String>,
    /// Sections whose title matches REGEX are critical (ai: forbidden);
    /// repeatable. Example: --critical-section '^CRYPTO|VIRTIO'
    #[arg(long, value_name = "REGEX", requires = "from_maintainers")]
    pub critical_section: Vec<String>,
    /// The sections under a group heading matching REGEX are critical
    /// (headings are underlined with --- or ===, as in QEMU and DPDK);
    /// repeatable. Example: --critical-group '^Crypto Drivers'
    #[arg(long, value_name = "REGEX", requires = "from_maintainers")]
    pub critical_group: Vec<String>,
    /// Sections with an M: or R: line matching REGEX are critical;
    /// repeatable
    #[arg(long, value_name = "REGEX", requires = "from_maintainers")]
    pub critical_maintainer: Vec<String>,
    /// Sections with an L: (list) line matching REGEX are critical;
    /// repeatable. Example: --critical-list linux-crypto
    #[arg(long, value_name = "REGEX", requires = "from_maintainers")]
    pub critical_list: Vec<String>,
    /// Sections with this S: status are critical (Supported, Maintained,
    /// "Odd Fixes", Orphan, Obsolete; case-insensitive, a prefix counts);
    /// repeatable
    #[arg(long, value_name = "STATUS", requires = "from_maintainers")]
    pub critical_status: Vec<String>,
    /// Sections whose title matches REGEX are open (ai: allowed, no extra
    /// trailers); repeatable
    #[arg(long, value_name = "REGEX", requires = "from_maintainers")]
    pub open_section: Vec<String>,
    /// Read the tree at REV to tell files from directories, evaluate N:
    /// regexes and find documentation and test directories [default:
    /// HEAD of the repository around, if there is one]
    #[arg(
        long = "maintainers-rev",
        value_name = "REV",
        requires = "from_maintainers"
    )]
    pub rev: Option<String>,
}

impl InitArgs {
    /// Whether `--from-maintainers` was given.
    pub fn is_requested(&self) -> bool {
        self.from_maintainers.is_some()
    }
}

/// Run `tiergate policy init --from-maintainers`.
pub fn init(global: &Global, output: Option<&Path>, args: InitArgs) -> anyhow::Result<Outcome> {
    let Some(file) = &args.from_maintainers else {
        return Err(usage("--from-maintainers FILE is required", None));
    };
    let text = std::fs::read(file).map_err(|e| {
        usage(
            format!("cannot read {}: {e}", file.display()),
            Some("Name the project's MAINTAINERS file."),
        )
    })?;
    let text = String::from_utf8_lossy(&text);
    let options = maintainers::Options {
        critical_sections: args.critical_section,
        critical_groups: args.critical_group,
        critical_paths: args.critical_path,
        critical_status: args.critical_status,
        critical_maintainers: args.critical_maintainer,
        critical_lists: args.critical_list,
        open_sections: args.open_section,
    };
    let tree = tree_files(global, args.rev.as_deref())?;
    let source = file.display().to_string();
    let proposal = match maintainers::propose(&text, &source, tree.as_ref().map(|(t, _)| t), &options) {
        Ok(p) => p,
        Err(e @ maintainers::Error::NoCritical { .. }) => {
            return Err(usage(
                e.to_string(),
                Some("Choose what is critical with `--critical-path PREFIX` (e.g. `drivers/crypto/`), `--critical-section REGEX` (titles), `--critical-group REGEX` (group headings), `--critical-status STATUS`, `--critical-maintainer REGEX` or `--critical-list REGEX`."),
            ))
        }
        Err(e) => return Err(usage(e.to_string(), None)),
    };
    // The proposal must be a valid policy: check it as `policy validate`
    // would.
    let proposed = policy::from_yaml(proposal.yaml.as_bytes(), "<proposed policy>")
        .context("internal error: the proposed policy does not validate")?;
    tracing::info!(critical = ?proposal.critical, open = ?proposal.open, "proposed");
    if !global.quiet {
        let summary = summary(&proposal, &proposed, tree.as_ref())?;
        eprint!("{summary}");
    }
    match output {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(proposal.yaml.as_bytes())
                .and_then(|()| out.flush())
                .context("cannot write to stdout")?;
        }
        Some(path) => {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .map_err(|e| {
                    if e.kind() == std::io::ErrorKind::AlreadyExists {
                        usage(
                            format!("refusing to overwrite {}", path.display()),
                            Some("Remove it first, or leave out --output to print the policy."),
                        )
                    } else {
                        anyhow::Error::new(e).context(format!("cannot create {}", path.display()))
                    }
                })?;
            f.write_all(proposal.yaml.as_bytes())
                .and_then(|()| f.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(Outcome::Pass)
}

/// The files of the tree at `rev` (or at `HEAD` of the repository around,
/// when there is one and no `rev` is given), and the commit id.
fn tree_files(
    global: &Global,
    rev: Option<&str>,
) -> anyhow::Result<Option<(BTreeSet<String>, String)>> {
    let repo = match (crate::context::open_repo(global), rev) {
        (Ok(repo), _) => repo,
        (Err(e), Some(_)) => return Err(e),
        (Err(_), None) => return Ok(None),
    };
    let mut files = BTreeSet::new();
    let commit =
        match repo.for_each_tree_file(rev.unwrap_or("HEAD"), |path| {
            files.insert(String::from_utf8_lossy(path).into_owned());
        }) {
            Ok(commit) => commit,
            // An unborn HEAD, as in a fresh clone of nothing: no tree.
            Err(_) if rev.is_none() => return Ok(None),
            Err(e) => return Err(crate::context::repo_error(
                e,
                Some(
                    "Name a commit with --maintainers-rev: `HEAD`, a branch, a tag or a commit id.",
                ),
            )),
        };
    Ok(Some((files, commit)))
}

/// What went where, for stderr: the tiers' patterns, the documentation of
/// critical sections kept open, and (with a tree) the files left to the
/// default tier, counted by the same lint as `tiergate policy lint`.
fn summary(
    proposal: &maintainers::Proposal,
    proposed: &policy::Policy,
    tree: Option<&(BTreeSet<String>, String)>,
) -> anyhow::Result<String> {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "tiergate: {} sections read ({} group headings); {} chosen as critical",
        proposal.sections,
        proposal.groups,
        proposal.critical.len()
    );
    let _ = writeln!(
        out,
        "  critical: {} pattern{}: {}",
        proposal.critical_patterns.len(),
        if proposal.critical_patterns.len() == 1 {
            ""
        } else {
            "s"
        },
        shortened(&proposal.critical_patterns)
    );
    let _ = writeln!(
        out,
        "  open:     {} pattern{}: {}",
        proposal.open_patterns.len(),
        if proposal.open_patterns.len() == 1 {
            ""
        } else {
            "s"
        },
        shortened(&proposal.open_patterns)
    );
    if !proposal.kept_out.is_empty() {
        let _ = writeln!(
            out,
            "  not critical: {} pattern{} of chosen sections (documentation and tests, or outside --critical-path): {}",
            proposal.kept_out.len(),
            if proposal.kept_out.len() == 1 { "" } else { "s" },
            shortened(&proposal.kept_out)
        );
    }
    match tree {
        Some((files, commit)) => {
            let classifier = tiergate_core::classify::Classifier::new(proposed, None)
                .context("cannot compile the proposed policy's patterns")?;
            let mut per_tier = vec![0usize; proposed.tiers.len()];
            let mut rest_by_top: std::collections::BTreeMap<&str, usize> = Default::default();
            let rest = proposed.default_tier;
            for f in files {
                let t = classifier.tier_of(f.as_bytes());
                if let Some(n) = per_tier.get_mut(t) {
                    *n += 1;
                }
                if t == rest {
                    let top = f.find('/').map_or(f.as_str(), |i| &f[..=i]);
                    *rest_by_top.entry(top).or_default() += 1;
                }
            }
            let mut top: Vec<(&str, usize)> = rest_by_top.into_iter().collect();
            top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let tiers: Vec<String> = proposed
                .tiers
                .iter()
                .zip(&per_tier)
                .map(|(t, n)| format!("{} {n}", t.name))
                .collect();
            let top: Vec<String> = top.iter().take(5).map(|(p, n)| format!("{p} {n}")).collect();
            let _ = writeln!(
                out,
                "  tree {} ({} files): {}; left to '{}': {}",
                commit.get(..12).unwrap_or(commit),
                files.len(),
                tiers.join(", "),
                proposed.tiers.get(rest).map_or("?", |t| t.name.as_str()),
                top.join(", ")
            );
        }
        None => out.push_str("  no tree read (not in a repository): names without a '/' at the end are proposed as both file and directory\n"),
    }
    Ok(out)
}

fn shortened(list: &[String]) -> String {
    const SHOWN: usize = 6;
    let mut text = list
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if list.len() > SHOWN {
        let _ = std::fmt::Write::write_fmt(
            &mut text,
            format_args!(", ... ({} more)", list.len() - SHOWN),
        );
    }
    text
}
