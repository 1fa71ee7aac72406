//! `near-miss-key`: keys that are almost a declaration key but not one.
//!
//! A key is compared with every declaration key (the canonical key and the
//! aliases) in two ways:
//!
//! 1. **Folding**: both are reduced to a canonical form — invisible
//!    characters (zero-width spaces and joiners, word joiner, BOM, soft
//!    hyphen, bidi controls, ...) removed, the UTS #39 confusable
//!    *skeleton* taken (Cyrillic `А`, Greek `Α`, fullwidth `Ａ` all become
//!    `A`), lower-cased, and every run of spaces, underscores, dots and
//!    hyphens made one `-`. Equal folds mean the key is a disguised or
//!    mistyped declaration key whatever its distance.
//! 2. **Edit distance** between the folds (Levenshtein over characters),
//!    with a threshold scaled by the declaration key's length: 2 for keys
//!    of 10 characters or more, 1 from 6, 0 below (a short key like `AI`
//!    only catches disguises, never typos).
//!
//! # Avoiding false positives
//!
//! Real trailers must never be flagged. A key is never a near miss when
//! it is exactly (ASCII-case-insensitively) a declaration key, or a
//! well-known trailer key ([`KNOWN_KEYS`], plus every key a tier
//! `require`s), and an edit-distance hit only counts when the key is
//! *strictly* closer to the declaration key than to every well-known key.
//! So `Tested-by` (4 edits from `Assisted-by`) stays quiet even under a
//! policy whose alias is `Assisted-by`, and a key one typo away from
//! `Acked-by` is read as a typo of `Acked-by`.

/// Trailer keys in common use (Linux, QEMU, git, GitHub, Gerrit): never
/// near misses, and the guard that keeps typos of them from being
/// mistaken for typos of a declaration key.
pub const KNOWN_KEYS: &[&str] = &[
    "Signed-off-by",
    "Acked-by",
    "Reported-by",
    "Reviewed-by",
    "Tested-by",
    "Co-authored-by",
    "Co-developed-by",
    "Suggested-by",
    "Requested-by",
    "Helped-by",
    "Mentored-by",
    "Inspired-by",
    "Debugged-by",
    "Bisected-by",
    "Analyzed-by",
    "Noticed-by",
    "Originally-by",
    "Based-on-patch-by",
    "Original-patch-by",
    "Reported-and-tested-by",
    "Message-Id",
    "Change-Id",
    "Cc",
    "Fixes",
    "Closes",
    "Link",
    "Bug",
    "Resolves",
    "Refs",
    "See-also",
];

/// A key found to be almost a declaration key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NearMiss {
    /// The declaration key it is almost.
    pub target: String,
    /// How it differs, e.g. `contains invisible character U+200B`.
    pub how: String,
}

/// The folds of a key, computed once and compared with many: whether a
/// key is a target in disguise or exactly is whether they have equal folds
/// (invisible characters removed, confusable skeleton, case and separator
/// runs folded). Targets are plain ASCII. For marker keys
/// (`Co-authored-by` spelled with a Cyrillic `о`), where a near miss is
/// still evidence.
pub(super) struct Folded {
    exact: String,
    folds: [String; 2],
}

impl Folded {
    /// The folds of a plain ASCII target key.
    pub(super) fn of_target(target: &str) -> Folded {
        Folded {
            exact: target.to_owned(),
            folds: folds(target),
        }
    }

    /// The folds of `key`, or `None` when it is too long to fold to a
    /// target of at most `longest` bytes (disguises add at most a few bytes
    /// per character).
    pub(super) fn of_key(key: &str, longest: usize) -> Option<Folded> {
        (key.len() <= longest * 4 + 16).then(|| Folded {
            exact: key.to_owned(),
            folds: folds(key),
        })
    }

    /// Whether this key is `target` in disguise or exactly.
    pub(super) fn matches(&self, target: &Folded) -> bool {
        self.exact.eq_ignore_ascii_case(&target.exact)
            || (self.exact.len() <= target.exact.len() * 4 + 16
                && self.folds.contains(&target.folds[0]))
    }
}

/// Characters that render as nothing (Unicode Default_Ignorable_Code_Point,
/// the UTS #39 table that `skeleton` removes too).
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{115f}'..='\u{1160}' | '\u{17b4}'..='\u{17b5}'
        | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}'
        | '\u{ffa0}' | '\u{fff0}'..='\u{fff8}' | '\u{1bca0}'..='\u{1bca3}'
        | '\u{1d173}'..='\u{1d17a}' | '\u{e0000}'..='\u{e0fff}')
}

/// Whether `c` stands where a hyphen could: spaces and underscores are
/// the usual substitutes; dots and Unicode dashes fold to `-` as well.
fn separator_like(c: char) -> bool {
    c.is_whitespace() || matches!(c, '_' | '-' | '.' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

/// The canonical form of a key (see the module documentation). Two
/// variants: skeleton of the lower-cased key (so case never matters) and
/// lower-cased skeleton (so `Al` matches `AI`, which the skeleton maps
/// to `Al`).
fn folds(key: &str) -> [String; 2] {
    // Trailer keys repeat from message to message (`Reported-by`,
    // `Helped-by`, ...): remember recent folds per thread (bounded).
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<String, [String; 2]>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(f) = SEEN.with(|seen| seen.borrow().get(key).cloned()) {
        return f;
    }
    let f = folds_uncached(key);
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        if seen.len() >= 1024 {
            seen.clear();
        }
        seen.insert(key.to_owned(), f.clone());
    });
    f
}

fn folds_uncached(key: &str) -> [String; 2] {
    if key.is_ascii() {
        // Fast path (most keys): for ASCII the skeleton is a per-character
        // mapping (NFD is the identity, nothing is ignorable), so a table
        // computed once gives exactly what `skeleton` would.
        // One pass per variant, straight into the result (this runs for
        // every key-looking line of every message).
        let table = ascii_skeletons();
        let fold = |lower_first: bool| -> String {
            let mut out = String::with_capacity(key.len());
            let mut pending = false;
            for b in key.bytes() {
                let b = if lower_first {
                    b.to_ascii_lowercase()
                } else {
                    b
                };
                for c in table[usize::from(b)].chars() {
                    squash_push(&mut out, &mut pending, c);
                }
            }
            out
        };
        return [fold(true), fold(false)];
    }
    let visible: String = key.chars().filter(|&c| !invisible(c)).collect();
    let a: String = unicode_security::skeleton(&visible.to_lowercase()).collect();
    let b: String = unicode_security::skeleton(&visible).collect();
    [squash(&a.to_lowercase()), squash(&b.to_lowercase())]
}

/// The UTS #39 skeleton of each ASCII character, lower-cased (what
/// [`folds`] takes of each character before squashing).
fn ascii_skeletons() -> &'static [String; 128] {
    static TABLE: std::sync::OnceLock<[String; 128]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        std::array::from_fn(|b| {
            let c = char::from(u8::try_from(b).unwrap_or(0));
            let skeleton: String = unicode_security::skeleton(&c.to_string()).collect();
            skeleton.to_lowercase()
        })
    })
}

/// Runs of separator-like characters become one `-`; trimmed.
fn squash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending = false;
    for c in text.chars() {
        squash_push(&mut out, &mut pending, c);
    }
    out
}

/// One character of [`squash`].
fn squash_push(out: &mut String, pending: &mut bool, c: char) {
    if separator_like(c) {
        *pending = true;
    } else {
        if *pending && !out.is_empty() {
            out.push('-');
        }
        *pending = false;
        out.push(c);
    }
}

/// Edit-distance threshold for a declaration key whose fold is `len`
/// characters long.
fn threshold(len: usize) -> usize {
    match len {
        10.. => 2,
        6.. => 1,
        _ => 0,
    }
}

/// Near-miss detection for one policy: the folds of the declaration keys
/// are computed once, those of the well-known keys only when an
/// edit-distance hit needs the guard.
pub(super) struct Checker<'a> {
    /// Declaration keys with their folds.
    declarations: Vec<(&'a str, [String; 2])>,
    /// Well-known keys that are not declaration keys.
    known: Vec<&'a str>,
    /// Folds of `known`, computed on first need.
    known_folds: std::cell::OnceCell<Vec<String>>,
}

impl<'a> Checker<'a> {
    /// A checker for `declaration_keys`; `extra_known` are further real
    /// keys (the policy's `require` keys).
    pub(super) fn new(declaration_keys: &[&'a str], extra_known: &[&'a str]) -> Self {
        let known = KNOWN_KEYS
            .iter()
            .chain(extra_known)
            .copied()
            .filter(|k| !declaration_keys.iter().any(|d| d.eq_ignore_ascii_case(k)))
            .collect();
        Checker {
            declarations: declaration_keys.iter().map(|&d| (d, folds(d))).collect(),
            known,
            known_folds: std::cell::OnceCell::new(),
        }
    }

    /// Whether `key` (a trailer key or the text before the `:` of a
    /// key-looking line, trimmed) is almost a declaration key.
    pub(super) fn check(&self, key: &str) -> Option<NearMiss> {
        let exact = |k: &&str| k.eq_ignore_ascii_case(key);
        if self.declarations.iter().map(|(d, _)| d).any(exact) || self.known.iter().any(exact) {
            return None;
        }
        // Keys are short; anything much longer is prose with a colon in it.
        if key.chars().count() > 64 {
            return None;
        }
        // Only text that starts like a key (a letter or digit, once
        // invisible characters are set aside): not `+AI-Assisted-by` in a
        // quoted diff, not `# ...` comments or `> ...` quotes.
        if !key
            .chars()
            .find(|&c| !invisible(c))
            .is_some_and(char::is_alphanumeric)
        {
            return None;
        }
        let key_folds = folds(key);
        let key_len = key_folds[0].chars().count();
        let mut best: Option<(usize, &str)> = None;
        for (decl, decl_folds) in &self.declarations {
            if key_folds[0] == decl_folds[0] || key_folds[1] == decl_folds[1] {
                return Some(NearMiss {
                    target: (*decl).to_owned(),
                    how: describe(key, decl, 0),
                });
            }
            let decl_len = decl_folds[0].chars().count();
            let limit = threshold(decl_len);
            // The distance is at least the difference in lengths.
            if key_len.abs_diff(decl_len) > limit {
                continue;
            }
            let d = strsim::levenshtein(&key_folds[0], &decl_folds[0]);
            if d <= limit && !matches!(best, Some((b, _)) if b <= d) {
                best = Some((d, decl));
            }
        }
        let (distance, decl) = best?;
        let known_folds = self
            .known_folds
            .get_or_init(|| self.known.iter().map(|k| folds(k)[0].clone()).collect());
        let nearest_known = known_folds
            .iter()
            .map(|k| strsim::levenshtein(&key_folds[0], k))
            .min()
            .unwrap_or(usize::MAX);
        (distance < nearest_known).then(|| NearMiss {
            target: decl.to_owned(),
            how: describe(key, decl, distance),
        })
    }
}

/// [`Checker::check`] for a one-off question (tests).
#[cfg(test)]
fn check(key: &str, declaration_keys: &[&str], extra_known: &[&str]) -> Option<NearMiss> {
    Checker::new(declaration_keys, extra_known).check(key)
}

/// How `key` differs from `decl`, for the violation message.
fn describe(key: &str, decl: &str, distance: usize) -> String {
    let mut how = Vec::new();
    let hidden: Vec<String> = key
        .chars()
        .filter(|&c| invisible(c))
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect();
    if !hidden.is_empty() {
        how.push(format!("contains invisible {}", list(&hidden)));
    }
    let foreign: Vec<String> = key
        .chars()
        .filter(|&c| !c.is_ascii() && !invisible(c) && !separator_like(c))
        .map(|c| format!("'{c}' U+{:04X}", u32::from(c)))
        .collect();
    if !foreign.is_empty() {
        how.push(format!("uses look-alike {}", list(&foreign)));
    }
    let decl_has = |c: char| decl.contains(c);
    if key
        .chars()
        .any(|c| separator_like(c) && c != '-' && !decl_has(c))
    {
        how.push("has spaces or underscores where hyphens belong".to_owned());
    }
    if distance > 0 {
        let s = if distance == 1 { "" } else { "s" };
        how.push(format!("is {distance} edit{s} away"));
    }
    if how.is_empty() {
        // Equal folds with only ASCII: `l` for `I`, `0` for `O`.
        how.push("uses look-alike letters".to_owned());
    }
    how.join(", ")
}

/// `a`, `a and b`, `a, b and 1 more`.
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => format!("character {a}"),
        [a, b] => format!("characters {a} and {b}"),
        [a, b, rest @ ..] => format!("characters {a}, {b} and {} more", rest.len()),
    }
}

/// Agent names as people write them before the model (longest first, so
/// `GitHub Copilot` wins over `Copilot`), for [`rewrite_value`]: a value
/// starting with one keeps it whole as the agent, spaces and all, as the
/// kernel's own example `GitHub Copilot:claude-sonnet-4.6` does.
const AGENTS: &[&str] = &[
    "GitHub Copilot",
    "Claude Code",
    "Gemini CLI",
    "Codex CLI",
    "Copilot",
    "Claude",
    "ChatGPT",
    "Codex",
    "Cursor",
    "Gemini",
    "aider",
    "Devin",
];

/// A declaration value rewritten into the kernel's `AGENT:MODEL [tools]`
/// form, for the fix of a value the policy's pattern refuses: the
/// near miss of a *value*, as [`Checker`] finds near misses of keys.
///
/// `Claude Opus 4.6` becomes `Claude:opus-4.6` (a known agent name, or
/// else the first word, is the agent; the rest, lower-cased and joined by
/// `-`, the model); `claude/opus-4 (aider)` becomes `claude:opus-4
/// [aider]`; bracketed tools are kept at the end. `None` when nothing
/// sensible comes out (a value of one word, or already with a colon).
pub(super) fn rewrite_value(value: &str) -> Option<String> {
    let value = value.trim();
    if value.contains(':') {
        return None;
    }
    // Trailing `[tool]` / `(tool)` groups are tools.
    let mut rest = value;
    let mut tools = Vec::new();
    while let Some(open) = rest.rfind(['[', '(']) {
        let close = if rest[open..].starts_with('[') {
            ']'
        } else {
            ')'
        };
        if !rest.ends_with(close) {
            break;
        }
        let tool = rest[open + 1..rest.len() - 1].trim();
        // `(Opus 4.6)` is the model in parentheses, `(aider)` a tool.
        if close == ')' && tool.contains(char::is_whitespace) {
            break;
        }
        if !tool.is_empty() {
            tools.push(format!("[{tool}]"));
        }
        rest = rest[..open].trim_end();
    }
    tools.reverse();
    let lower = rest.to_ascii_lowercase();
    let (agent, model) = match AGENTS
        .iter()
        .find(|a| lower.starts_with(&a.to_ascii_lowercase()) && rest.is_char_boundary(a.len()))
    {
        Some(a) => (&rest[..a.len()], &rest[a.len()..]),
        None => match rest.find(|c: char| c.is_whitespace() || c == '/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => return None,
        },
    };
    let model = model
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '/' | '-' | ','))
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .to_lowercase();
    if agent.is_empty() || model.is_empty() {
        return None;
    }
    let mut out = format!("{agent}:{model}");
    for tool in tools {
        out.push(' ');
        out.push_str(&tool);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_rewritten_into_the_kernel_form() {
        for (value, want) in [
            ("Claude Opus 4.6", Some("Claude:opus-4.6")),
            (
                "GitHub Copilot claude-sonnet-4.6",
                Some("GitHub Copilot:claude-sonnet-4.6"),
            ),
            ("claude/opus-4 (aider)", Some("claude:opus-4 [aider]")),
            (
                "Claude Code (Opus 4.6) [checkpatch]",
                Some("Claude Code:opus-4.6 [checkpatch]"),
            ),
            ("Gemini 2.5 Pro [sparse]", Some("Gemini:2.5-pro [sparse]")),
            ("Claude Code", None),
            ("claude", None),
            ("claude:opus", None),
        ] {
            assert_eq!(rewrite_value(value).as_deref(), want, "{value}");
        }
    }

    const DECL: &[&str] = &[
        "AI-Assisted-by",
        "Assisted-by",
        "AI-used-for",
        "Generated-by",
    ];

    #[test]
    fn techniques() {
        // (key, declaration key it is almost, words the description holds)
        let cases: &[(&str, &str, &str)] = &[
            ("AI-Asisted-by", "AI-Assisted-by", "1 edit"),
            ("AI-Assisted-bt", "AI-Assisted-by", "1 edit"),
            ("AI-Asisted-bt", "AI-Assisted-by", "2 edits"),
            ("AI-Assited-by", "AI-Assisted-by", "1 edit"),
            ("Asisted-by", "Assisted-by", "1 edit"),
            ("Generatd-by", "Generated-by", "1 edit"),
            ("AI-usedfor", "AI-used-for", "1 edit"),
            ("AI Assisted by", "AI-Assisted-by", "spaces or underscores"),
            ("AI_Assisted_by", "AI-Assisted-by", "spaces or underscores"),
            ("ai assisted-by", "AI-Assisted-by", "spaces or underscores"),
            (
                "AI - Assisted - by",
                "AI-Assisted-by",
                "spaces or underscores",
            ),
            ("\u{410}I-Assisted-by", "AI-Assisted-by", "U+0410"),
            ("AI-\u{410}ssist\u{435}d-by", "AI-Assisted-by", "U+0410"),
            ("\u{391}\u{399}-Assisted-by", "AI-Assisted-by", "U+0391"),
            ("ＡＩ-Ａｓｓｉｓｔｅｄ-ｂｙ", "AI-Assisted-by", "U+FF21"),
            ("AI-Assisted\u{200b}-by", "AI-Assisted-by", "U+200B"),
            ("\u{200c}AI-Assisted-by", "AI-Assisted-by", "U+200C"),
            ("AI-Assis\u{200d}ted-by", "AI-Assisted-by", "U+200D"),
            ("AI\u{2060}-Assisted-by", "AI-Assisted-by", "U+2060"),
            ("\u{feff}Assisted-by", "Assisted-by", "U+FEFF"),
            ("Al-Assisted-by", "AI-Assisted-by", "look-alike letters"),
            ("Assisted-by\u{200b}", "Assisted-by", "U+200B"),
        ];
        for (key, target, how) in cases {
            let hit = check(key, DECL, &[]);
            let hit = hit.unwrap_or_else(|| panic!("{key:?} should be a near miss"));
            assert_eq!(hit.target, *target, "{key:?}");
            assert!(hit.how.contains(how), "{key:?}: {}", hit.how);
        }
    }

    #[test]
    fn real_keys_are_not_near_misses() {
        let keys = [
            "Signed-off-by",
            "Acked-by",
            "Reported-by",
            "Reviewed-by",
            "Tested-by",
            "Co-authored-by",
            "Co-Authored-By",
            "Suggested-by",
            "Requested-by",
            "Helped-by",
            "Fixes",
            "Link",
            "Cc",
            "Change-Id",
            // The declaration keys themselves, in any ASCII case.
            "AI-Assisted-by",
            "ai-assisted-by",
            "AI-ASSISTED-BY",
            "Assisted-by",
            "AI-used-for",
            "Generated-by",
            // Unrelated text before a colon.
            "https",
            "Note",
            "Fix",
            "AI",
            "Assisted",
            "This was AI-assisted by a tool",
            "+AI-Assisted-by",
            "# AI-Assisted-by",
            "> AI_Assisted_by",
            "",
            "\u{200b}",
        ];
        for key in keys {
            assert_eq!(check(key, DECL, &[]), None, "{key:?}");
        }
    }

    #[test]
    fn typos_of_real_keys_stay_with_real_keys() {
        assert_eq!(check("Tsted-by", DECL, &[]), None);
        assert_eq!(check("Acked-bu", DECL, &[]), None);
        // Within the threshold of a declaration key but as close to a
        // well-known key: read as a typo of the well-known key.
        let decl = ["Acked-by-AI"];
        assert_eq!(check("Acked-by-x", &decl, &[]), None);
        assert!(check("Acked-by-ax", &decl, &[]).is_some());
        // A short alias: threshold 0 below six characters, so only
        // disguises count.
        let short = ["AI-by"];
        assert_eq!(check("AI-bx", &short, &[]), None);
        assert!(check("AI by", &short, &[]).is_some());
        // An alias one edit from a required key: the required key wins.
        let decl = ["Vetted-by"];
        assert!(check("Vetted-bx", &decl, &[]).is_some());
        assert_eq!(check("Netted-by", &decl, &["Netted-by"]), None);
        // A declaration key that is also a well-known key is not a guard
        // against itself.
        let decl = ["Tested-by"];
        assert!(check("Tested_by", &decl, &[]).is_some());
    }

    #[test]
    fn ascii_fast_path_agrees_with_skeleton() {
        for key in [
            "AI-Assisted-by",
            "rn-m",
            "I1l|0O",
            "a_b c.d",
            "`'\"",
            "Signed-off-by",
        ] {
            let visible: String = key.to_owned();
            let a: String = unicode_security::skeleton(&visible.to_lowercase()).collect();
            let b: String = unicode_security::skeleton(&visible).collect();
            assert_eq!(
                folds(key),
                [squash(&a.to_lowercase()), squash(&b.to_lowercase())],
                "{key}"
            );
        }
        // Every ASCII character, alone and in context.
        for b in 0u8..128 {
            let key = format!("x{}y", char::from(b));
            let a: String = unicode_security::skeleton(&key.to_lowercase()).collect();
            let s: String = unicode_security::skeleton(&key).collect();
            assert_eq!(
                folds(&key),
                [squash(&a.to_lowercase()), squash(&s.to_lowercase())]
            );
        }
    }

    #[test]
    fn folding() {
        assert_eq!(folds("AI - Assisted__by")[0], "ai-assisted-by");
        assert_eq!(folds("\u{200b}AI\u{feff}-by.")[0], "ai-by");
        assert_eq!(folds("ＡＩ")[0], "ai");
    }
}
