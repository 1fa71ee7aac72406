//! JUnit XML output (`tiergate check --format junit`), the test report
//! format GitLab (`artifacts: reports: junit`), Jenkins and most CI
//! dashboards read.
//!
//! One `<testsuites>` holding one `<testsuite>` for the run, one
//! `<testcase>` per commit checked (passing commits included, so the
//! report counts what was checked): `name` the short id and the title,
//! `classname` `tiergate.<tier>` with the first tier the commit touches in
//! policy order (`tiergate.commit` when its verdict needed no paths). Each
//! violation is a `<failure>`: `type` the rule code, `message` what is
//! wrong, the text the offending paths (the first few, then a count) and
//! the fix. Under `mode: warn` the violations are still failures (a test
//! report has no warning level); the suite's `mode` property says so.
//!
//! Written by hand: the whole document is a few elements, and the one
//! thing that needs care is escaping ([`escape`]).

use crate::judge::{CommitVerdict, Summary};
use crate::output::shorten::{short_id, PATHS_SHOWN};
use crate::policy::Mode;
use std::fmt::Write as _;

/// The test cases of a run, rendered as the commits are checked (one
/// commit at a time: nothing but the text is kept).
#[derive(Debug, Clone, Default)]
pub struct Cases {
    xml: String,
}

impl Cases {
    /// Add the test case of one checked commit.
    pub fn add(&mut self, verdict: &CommitVerdict) {
        let classname = match verdict.tiers.first() {
            Some(tier) => format!("tiergate.{tier}"),
            None => "tiergate.commit".to_owned(),
        };
        let name = format!("{} {}", short_id(&verdict.id), verdict.title);
        let _ = write!(
            self.xml,
            "    <testcase name=\"{}\" classname=\"{}\"",
            escape(&name),
            escape(&classname)
        );
        if verdict.violations.is_empty() {
            self.xml.push_str("/>\n");
            return;
        }
        self.xml.push_str(">\n");
        for violation in &verdict.violations {
            let mut body = String::new();
            for path in violation.paths.iter().take(PATHS_SHOWN) {
                let _ = writeln!(body, "{}", String::from_utf8_lossy(path));
            }
            if violation.paths.len() > PATHS_SHOWN {
                let _ = writeln!(body, "... and {} more", violation.paths.len() - PATHS_SHOWN);
            }
            let _ = write!(body, "fix: {}", violation.fix);
            let _ = writeln!(
                self.xml,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                violation.rule,
                escape(&violation.message),
                escape(&body)
            );
        }
        self.xml.push_str("    </testcase>\n");
    }
}

/// The JUnit document of a run.
pub fn document(cases: &Cases, summary: &Summary, mode: Mode) -> String {
    let mode = match mode {
        Mode::Enforce => "enforce",
        Mode::Warn => "warn",
    };
    // A test case fails once however many violations it has: JUnit counts
    // failed cases.
    let counts = format!(
        "tests=\"{}\" failures=\"{}\" errors=\"0\"",
        summary.commits_checked, summary.commits_failed
    );
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"tiergate\" {counts}>\n\
         \x20 <testsuite name=\"tiergate check\" {counts} skipped=\"0\">\n\
         \x20   <properties>\n\
         \x20     <property name=\"mode\" value=\"{mode}\"/>\n\
         \x20   </properties>\n\
         {}\
         \x20 </testsuite>\n\
         </testsuites>\n",
        cases.xml
    )
}

/// Escape text for XML 1.0 character data and attribute values (double or
/// single quoted): `&`, `<`, `>`, `"` and `'` as entities; tab, LF and CR
/// as character references, so that attribute-value normalisation (XML 1.0
/// section 3.3.3) does not turn them into spaces; and every character XML
/// 1.0 does not allow at all (the C0 controls but tab, LF and CR, and
/// U+FFFE/U+FFFF; section 2.2, `Char`), which not even a character
/// reference may name, written as visible text `\u{XX}`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_become_entities() {
        assert_eq!(
            escape(r#"a<b>&"c"'d'"#),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;"
        );
    }

    #[test]
    fn whitespace_survives_attribute_normalisation() {
        assert_eq!(escape("a\tb\nc\r\n"), "a&#9;b&#10;c&#13;&#10;");
    }

    #[test]
    fn characters_xml_forbids_are_shown_not_written() {
        assert_eq!(escape("\u{0}x\u{1b}[1m\u{7}"), "\\u{0}x\\u{1b}[1m\\u{7}");
        assert_eq!(escape("\u{fffe}\u{ffff}"), "\\u{fffe}\\u{ffff}");
        // DEL and the C1 controls are allowed (discouraged) in XML 1.0.
        assert_eq!(escape("\u{7f}\u{85}é"), "\u{7f}\u{85}é");
    }
}
