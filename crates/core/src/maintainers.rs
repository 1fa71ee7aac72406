//! A policy proposed from a Linux/QEMU-style MAINTAINERS file
//! (`tiergate policy init --from-maintainers FILE`).
//!
//! # The file
//!
//! A section is a title line followed by `X: value` lines (`M:`, `R:`,
//! `L:`, `S:`, `F:`, `X:`, `N:`, `K:`, ...; a tab or spaces after the
//! colon); the first line that is not a tag line ends it. Everything else
//! (the introduction, the indented description of the tags, QEMU's
//! underlined group headings) is skipped. [`parse`] keeps each section's
//! title, line, status (`S:`), file patterns (`F:`) and exclusions (`X:`).
//!
//! # Patterns
//!
//! [`translate`] turns an `F:`/`X:` pattern into policy patterns that match
//! the same paths as `scripts/get_maintainer.pl` does:
//!
//! - `dir/` (trailing slash): the directory and everything below →
//!   `dir/` (the policy's own directory syntax);
//! - `dir/*.c`: `*` and `?` stay within one level (get_maintainer.pl
//!   requires as many `/` in the path as in the pattern) → `dir/*.c`;
//! - a name without a trailing slash or wildcard (`include/linux/foo.h`,
//!   `drivers/net/foo`) is a file, or — get_maintainer.pl checks the tree —
//!   a directory and everything below: both are proposed (`drivers/net/foo`
//!   and `drivers/net/foo/`), so the policy is right whichever it is,
//!   without needing the tree;
//! - a pattern without `/` names a top-level entry only (MAINTAINERS
//!   patterns are anchored at the top), so it is anchored with a leading `/`
//!   (`/Makefile`, `/*.S`), since a policy pattern without `/` would match at
//!   any depth.
//!
//! `N:` (file-name regexes) and `K:` (content keywords) cannot be written
//! as path patterns; they are named in a comment and otherwise skipped.
//!
//! ### Deviation
//!
//! - get_maintainer.pl matches a pattern as a regex prefix, so
//!   `F: include/linux/foo.h` also matches `include/linux/foo.hx`, and a `*`
//!   before a trailing slash (`arch/*/kvm/`) may span levels; tiergate's
//!   translation matches the name exactly and `*` within one level, which is
//!   what the MAINTAINERS documentation describes.
//!
//! # The proposal
//!
//! [`propose`] writes a policy (YAML with comments naming the source
//! section and line of every pattern): tier `critical` (`ai: forbidden`)
//! from the sections chosen by title regex or status; tier `open` from the
//! sections chosen as open and the documentation and test directories the
//! file names (`Documentation/`, `docs/`, `tests/`, `tools/testing/`);
//! tier `core` (`ai: allowed`, `require: [Reviewed-by]`) for everything
//! else. Tiers are listed in that order (first match wins), so a critical
//! section's file inside `tests/` stays critical.

use regex::Regex;
use std::fmt::Write as _;

/// One MAINTAINERS section.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    /// The title line.
    pub title: String,
    /// 1-based line of the title (of the first tag line when untitled).
    pub line: usize,
    /// `S:` value, if any.
    pub status: Option<String>,
    /// `F:` patterns, as written.
    pub files: Vec<String>,
    /// `X:` patterns, as written.
    pub excludes: Vec<String>,
    /// `N:` and `K:` entries (`N: regex`), which are not path patterns.
    pub untranslatable: Vec<String>,
}

/// Parse the sections of a MAINTAINERS file (see the module docs).
pub fn parse(text: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut current: Option<Section> = None;
    let mut previous: Option<(usize, &str)> = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if let Some((tag, value)) = tag_line(line) {
            let section = current.get_or_insert_with(|| match previous {
                Some((no, title)) if !title.trim().is_empty() => Section {
                    title: title.trim().to_owned(),
                    line: no,
                    ..Section::default()
                },
                _ => Section {
                    title: "(untitled)".to_owned(),
                    line: line_no,
                    ..Section::default()
                },
            });
            let value = value.trim().to_owned();
            match tag {
                'S' => section.status = Some(value),
                'F' if !value.is_empty() => section.files.push(value),
                'X' if !value.is_empty() => section.excludes.push(value),
                'N' | 'K' => section.untranslatable.push(format!("{tag}: {value}")),
                _ => {}
            }
            previous = None;
            continue;
        }
        if let Some(done) = current.take() {
            sections.push(done);
        }
        previous = Some((line_no, line));
    }
    if let Some(done) = current {
        sections.push(done);
    }
    sections
}

/// `X:\tvalue` / `X: value` at the start of a line.
fn tag_line(line: &str) -> Option<(char, &str)> {
    let mut chars = line.chars();
    let tag = chars.next()?;
    if !tag.is_ascii_uppercase() || chars.next()? != ':' {
        return None;
    }
    let rest = &line[2..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((tag, rest))
}

/// The policy patterns for one MAINTAINERS `F:`/`X:` pattern (see the
/// module docs). Glob braces are escaped (they are literal in MAINTAINERS).
///
/// ```
/// use tiergate_core::maintainers::translate;
/// assert_eq!(translate("crypto/"), ["crypto/"]);
/// assert_eq!(translate("drivers/net/*.c"), ["drivers/net/*.c"]);
/// assert_eq!(translate("hw/virtio"), ["hw/virtio", "hw/virtio/"]);
/// assert_eq!(translate("Makefile"), ["/Makefile", "/Makefile/"]);
/// assert_eq!(translate("*.S"), ["/*.S"]);
/// ```
pub fn translate(pattern: &str) -> Vec<String> {
    let pattern = pattern.trim().trim_start_matches("./");
    if pattern.is_empty() {
        return Vec::new();
    }
    let escaped = pattern.replace('{', "\\{").replace('}', "\\}");
    let anchored = if escaped.contains('/') {
        escaped
    } else {
        format!("/{escaped}")
    };
    if anchored.ends_with('/') || anchored.contains(['*', '?']) {
        vec![anchored]
    } else {
        vec![anchored.clone(), format!("{anchored}/")]
    }
}

/// Which sections go where.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Regexes on section titles: matching sections are critical.
    pub critical_sections: Vec<String>,
    /// Statuses (`S:`; case-insensitive, a prefix counts: `Orphan`
    /// matches `Orphan / Obsolete`): matching sections are critical.
    pub critical_status: Vec<String>,
    /// Regexes on section titles: matching sections are open.
    pub open_sections: Vec<String>,
}

/// Why no policy could be proposed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A `--critical-section` / `--open-section` regex does not compile.
    #[error("invalid section regex '{regex}': {source}")]
    Regex {
        /// The regex as given.
        regex: String,
        /// Why.
        source: regex::Error,
    },
    /// The file has no section with file patterns.
    #[error("no MAINTAINERS sections with F: patterns in {source_name}")]
    NoSections {
        /// The file.
        source_name: String,
    },
    /// No section was chosen as critical (or none has patterns).
    #[error("no section of {source_name} is chosen as critical ({sections} sections read)")]
    NoCritical {
        /// The file.
        source_name: String,
        /// How many sections were read.
        sections: usize,
    },
}

/// A proposed policy.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The policy, YAML with comments.
    pub yaml: String,
    /// Titles of the sections made critical.
    pub critical: Vec<String>,
    /// Titles of the sections made open.
    pub open: Vec<String>,
}

/// The documentation and test directories proposed as open when the
/// MAINTAINERS file names them.
pub const OPEN_DIRS: [&str; 4] = ["Documentation/", "docs/", "tests/", "tools/testing/"];

fn compile(regexes: &[String]) -> Result<Vec<Regex>, Error> {
    regexes
        .iter()
        .map(|r| {
            Regex::new(r).map_err(|source| Error::Regex {
                regex: r.clone(),
                source,
            })
        })
        .collect()
}

/// YAML single-quoted scalar.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A comment line's text (no newlines).
fn comment(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// Patterns of a tier, grouped by section, with comments.
#[derive(Default)]
struct TierList {
    paths: String,
    except: String,
    seen_paths: std::collections::HashSet<String>,
    seen_except: std::collections::HashSet<String>,
    count: usize,
}

impl TierList {
    fn add_section(&mut self, section: &Section, why: &str) {
        let header = format!(
            "      # {} (S: {}), line {}{why}\n",
            comment(&section.title),
            comment(section.status.as_deref().unwrap_or("none")),
            section.line
        );
        let mut block = String::new();
        for f in &section.files {
            for p in translate(f) {
                if self.seen_paths.insert(p.clone()) {
                    let _ = writeln!(block, "      - {}", quote(&p));
                    self.count += 1;
                }
            }
        }
        if !section.untranslatable.is_empty() {
            let _ = writeln!(
                block,
                "      # not translated (not path patterns): {}",
                comment(&section.untranslatable.join("; "))
            );
        }
        if !block.is_empty() {
            self.paths.push_str(&header);
            self.paths.push_str(&block);
        }
        let mut block = String::new();
        for x in &section.excludes {
            for p in translate(x) {
                if self.seen_except.insert(p.clone()) {
                    let _ = writeln!(block, "      - {}", quote(&p));
                }
            }
        }
        if !block.is_empty() {
            self.except.push_str(&header);
            self.except.push_str(&block);
        }
    }

    fn render(&self, out: &mut String) {
        out.push_str("    paths:\n");
        out.push_str(&self.paths);
        if !self.except.is_empty() {
            out.push_str("    except:                     # X: lines of those sections\n");
            out.push_str(&self.except);
        }
    }
}

/// Propose a policy from the MAINTAINERS `text` (read from `source_name`)
/// (see the module docs).
pub fn propose(text: &str, source_name: &str, options: &Options) -> Result<Proposal, Error> {
    let critical_res = compile(&options.critical_sections)?;
    let open_res = compile(&options.open_sections)?;
    let statuses: Vec<String> = options
        .critical_status
        .iter()
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    let sections: Vec<Section> = parse(text)
        .into_iter()
        .filter(|s| !s.files.is_empty())
        .collect();
    if sections.is_empty() {
        return Err(Error::NoSections {
            source_name: source_name.to_owned(),
        });
    }
    let mut critical = TierList::default();
    let mut open = TierList::default();
    let mut critical_titles = Vec::new();
    let mut open_titles = Vec::new();
    for section in &sections {
        let by_title = critical_res.iter().find(|re| re.is_match(&section.title));
        let status = section
            .status
            .as_deref()
            .map(|s| s.trim().to_ascii_lowercase());
        let by_status = status
            .as_deref()
            .and_then(|st| statuses.iter().find(|want| st.starts_with(want.as_str())));
        let why = match (by_title, by_status) {
            (Some(re), _) => Some(format!("; --critical-section {}", quote(re.as_str()))),
            (None, Some(_)) => Some("; --critical-status".to_owned()),
            (None, None) => None,
        };
        if let Some(why) = why {
            critical.add_section(section, &why);
            critical_titles.push(section.title.clone());
        } else if let Some(re) = open_res.iter().find(|re| re.is_match(&section.title)) {
            open.add_section(section, &format!("; --open-section {}", quote(re.as_str())));
            open_titles.push(section.title.clone());
        }
    }
    if critical.count == 0 {
        return Err(Error::NoCritical {
            source_name: source_name.to_owned(),
            sections: sections.len(),
        });
    }
    // Documentation and test directories the file names.
    let mut open_dirs = String::new();
    for dir in OPEN_DIRS {
        let named = sections
            .iter()
            .flat_map(|s| &s.files)
            .any(|f| f.trim_start_matches("./").starts_with(dir));
        if named && open.seen_paths.insert(dir.to_owned()) {
            let _ = writeln!(open_dirs, "      - {}", quote(dir));
            open.count += 1;
        }
    }
    if !open_dirs.is_empty() {
        open.paths
            .push_str("      # documentation and tests named in the file\n");
        open.paths.push_str(&open_dirs);
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# tiergate policy proposed from {} by `tiergate policy init --from-maintainers`:",
        comment(source_name)
    );
    let _ = writeln!(
        out,
        "# {} of {} sections with F: patterns are critical{}.",
        critical_titles.len(),
        sections.len(),
        if open_titles.is_empty() {
            String::new()
        } else {
            format!(", {} open", open_titles.len())
        }
    );
    out.push_str(
        "# MAINTAINERS patterns are translated as get_maintainer.pl reads them: \"dir/\" is the\n\
         # directory and everything below, \"*\" stays within one level, a name without a\n\
         # trailing slash is a file or a directory (both listed), a name without \"/\" is at\n\
         # the top (\"/Makefile\"). Review the tiers, then run `tiergate policy validate`.\n\
         \n\
         version: 1\n\
         mode: enforce                   # enforce | warn (report only, reject nothing)\n\
         \n\
         declaration:\n\
         \x20 key: AI-Assisted-by           # e.g. AI-Assisted-by: claude:claude-sonnet-4 [coccinelle]\n\
         \x20 aliases: [Assisted-by, AI-used-for, Generated-by]\n\
         \x20 forbid_ai_signoff: true\n\
         \n\
         tiers:                          # a path is in the FIRST tier that matches\n\
         \x20 - name: critical\n\
         \x20   ai: forbidden               # no AI-assisted changes here\n",
    );
    critical.render(&mut out);
    if open.count > 0 {
        out.push_str(
            "\n  - name: open\n    ai: allowed                 # AI-assisted changes welcome (declared)\n",
        );
        open.render(&mut out);
    }
    out.push_str(
        "\n  - name: core\n\
         \x20   ai: allowed\n\
         \x20   require: [ Reviewed-by ]    # an AI-assisted change needs a human review\n\
         \x20   paths: [ '**' ]             # everything else\n\
         \n\
         default_tier: core\n",
    );
    Ok(Proposal {
        yaml: out,
        critical: critical_titles,
        open: open_titles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
List of maintainers

Descriptions of section entries:

\tM: Mail patches to: FullName <address@domain>
\tF: Files and directories wildcard patterns.

Crypto API
---------------------
CRYPTO API
M:\tHerbert <h@example.com>
S:\tMaintained
F:\tcrypto/
F:\tinclude/crypto/*.h
X:\tcrypto/README
K:\tcrypto_alloc

VIRTIO CORE
M: Michael <m@example.com>
S: Supported
F: hw/virtio
F: Makefile.virtio

DOCUMENTATION
S: Odd Fixes
F: Documentation/
";

    #[test]
    fn sections_are_parsed() {
        let sections = parse(SAMPLE);
        assert_eq!(sections.len(), 3);
        assert_eq!(sections[0].title, "CRYPTO API");
        assert_eq!(sections[0].line, 10);
        assert_eq!(sections[0].status.as_deref(), Some("Maintained"));
        assert_eq!(sections[0].files, ["crypto/", "include/crypto/*.h"]);
        assert_eq!(sections[0].excludes, ["crypto/README"]);
        assert_eq!(sections[0].untranslatable, ["K: crypto_alloc"]);
        assert_eq!(sections[1].title, "VIRTIO CORE");
        assert_eq!(sections[2].status.as_deref(), Some("Odd Fixes"));
    }

    #[test]
    fn proposal_validates_and_classifies() {
        let options = Options {
            critical_sections: vec!["^CRYPTO".into()],
            critical_status: vec!["supported".into()],
            open_sections: vec![],
        };
        let proposal = propose(SAMPLE, "MAINTAINERS", &options).expect("proposal");
        assert_eq!(proposal.critical, ["CRYPTO API", "VIRTIO CORE"]);
        let policy =
            crate::policy::from_yaml(proposal.yaml.as_bytes(), "generated").expect("valid policy");
        let classifier = crate::classify::Classifier::new(&policy, None).expect("classifier");
        let tier = |p: &str| policy.tiers[classifier.tier_of(p.as_bytes())].name.clone();
        assert_eq!(tier("crypto/aes.c"), "critical");
        assert_eq!(tier("crypto/README"), "core");
        assert_eq!(tier("include/crypto/aes.h"), "critical");
        assert_eq!(tier("include/crypto/sub/aes.h"), "core");
        assert_eq!(tier("hw/virtio/virtio.c"), "critical");
        assert_eq!(tier("Makefile.virtio"), "critical");
        assert_eq!(tier("sub/Makefile.virtio"), "core");
        assert_eq!(tier("Documentation/x.rst"), "open");
        assert_eq!(tier("block/io.c"), "core");
        assert!(proposal
            .yaml
            .contains("# CRYPTO API (S: Maintained), line 10"));
        assert!(proposal.yaml.contains("not translated"));
    }

    #[test]
    fn nothing_critical_is_an_error() {
        let err = propose(SAMPLE, "M", &Options::default()).expect_err("no critical");
        assert!(matches!(err, Error::NoCritical { sections: 3, .. }));
        let err = propose("intro\n", "M", &Options::default()).expect_err("no sections");
        assert!(matches!(err, Error::NoSections { .. }));
    }
}
