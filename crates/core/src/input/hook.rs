//! The pure parts of the client hooks (`commit-msg`, `pre-push`,
//! `applypatch-msg`): turning what git hands a hook into plain data.
//!
//! Nothing here touches a repository or the process environment; the hook
//! binaries (crate `tiergate-hooks`) gather the inputs and [`crate::repo`]
//! reads the repository.
//!
//! - [`commit_msg_message`]: the message a `commit-msg` hook receives is the
//!   editor buffer *before* git's cleanup. It is cleaned as git will store
//!   it (see that function for the choice of cleanup mode).
//! - [`config_overrides`]: `git -c key=value commit` passes configuration to
//!   hooks in `GIT_CONFIG_PARAMETERS` / `GIT_CONFIG_COUNT`, which the
//!   configuration files tiergate reads do not hold; [`comment_string`] and [`cleanup_setting`] apply them.
//! - [`parse_pre_push`]: the `pre-push` hook's stdin.
//! - [`argv_amends`]: whether a `git commit` command line amends (git does
//!   not tell the hook; see the function).
//! - [`patch_paths`] and [`am_author`]: what `git am` is applying, for
//!   `applypatch-msg`.
//! - [`reuse_path`]: the message file as the user can name it from where
//!   they ran git.

use crate::message::{self, Cleanup};
use crate::rules::Identity;

/// Configuration given on git's command line (`git -c key=value ...`) or
/// in `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_<n>`/`GIT_CONFIG_VALUE_<n>`, in
/// the order git applies it (the `GIT_CONFIG_COUNT` entries first, then
/// `GIT_CONFIG_PARAMETERS`; a later entry wins). Keys are lowercased
/// (section and variable names are case-insensitive; subsections are not,
/// but the keys tiergate reads have none). A key given without `=` has the
/// value `None` (git's "true" shorthand).
///
/// `env` looks up an environment variable. Malformed entries are skipped
/// (git would refuse to run, so a hook never sees them).
pub fn config_overrides(env: impl Fn(&str) -> Option<String>) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    if let Some(count) = env("GIT_CONFIG_COUNT").and_then(|c| c.trim().parse::<usize>().ok()) {
        for i in 0..count {
            let (Some(key), Some(value)) = (
                env(&format!("GIT_CONFIG_KEY_{i}")),
                env(&format!("GIT_CONFIG_VALUE_{i}")),
            ) else {
                continue;
            };
            out.push((key.to_ascii_lowercase(), Some(value)));
        }
    }
    if let Some(params) = env("GIT_CONFIG_PARAMETERS") {
        out.extend(parse_config_parameters(&params));
    }
    out
}

/// Parse `GIT_CONFIG_PARAMETERS`: single-quoted entries separated by
/// spaces, either `'key'='value'` (git >= 2.31), `'key'` or `'key=value'`
/// (older git), with `'\''` standing for a quote inside a quoted string.
pub fn parse_config_parameters(params: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut rest = params.trim_start();
    while !rest.is_empty() {
        let Some((first, after)) = sq_dequote_one(rest) else {
            break;
        };
        rest = after;
        if let Some(after_eq) = rest.strip_prefix('=') {
            let Some((value, after)) = sq_dequote_one(after_eq) else {
                break;
            };
            out.push((first.to_ascii_lowercase(), Some(value)));
            rest = after;
        } else {
            match first.split_once('=') {
                Some((k, v)) => out.push((k.to_ascii_lowercase(), Some(v.to_owned()))),
                None => out.push((first.to_ascii_lowercase(), None)),
            }
        }
        rest = rest.trim_start();
    }
    out
}

/// One shell single-quoted word at the start of `s` (`'a'\''b'` is `a'b`),
/// and what follows it.
fn sq_dequote_one(s: &str) -> Option<(String, &str)> {
    let mut rest = s.strip_prefix('\'')?;
    let mut word = String::new();
    loop {
        let end = rest.find('\'')?;
        word.push_str(&rest[..end]);
        rest = &rest[end + 1..];
        match rest.strip_prefix("\\''") {
            Some(after) => {
                word.push('\'');
                rest = after;
            }
            None => return Some((word, rest)),
        }
    }
}

/// The comment string for the message a hook reads: `from_config` (what
/// the repository's configuration says, see
/// [`message::comment_string_from_config`]) unless the command line
/// overrides it. As in git, the last valid `core.commentChar` or
/// `core.commentString` wins; `auto`, empty and multi-line values are
/// skipped.
///
/// ### Deviation
///
/// `core.commentChar=auto` makes `git commit` pick a character the message
/// does not start a line with; the hook cannot know which, so `#` (or the
/// previous setting) is used, which is what git picks unless the message
/// has lines starting with `#`.
pub fn comment_string(from_config: Vec<u8>, overrides: &[(String, Option<String>)]) -> Vec<u8> {
    let mut comment = from_config;
    for (key, value) in overrides {
        if key != "core.commentchar" && key != "core.commentstring" {
            continue;
        }
        let Some(value) = value else { continue };
        if value.eq_ignore_ascii_case("auto") || value.is_empty() || value.contains('\n') {
            continue;
        }
        comment = value.as_bytes().to_vec();
    }
    comment
}

/// `commit.cleanup` as the hook sees it: the command-line override if any,
/// else `from_config`.
pub fn cleanup_setting(
    from_config: Option<String>,
    overrides: &[(String, Option<String>)],
) -> Option<String> {
    overrides
        .iter()
        .rev()
        .find(|(k, _)| k == "commit.cleanup")
        .map(|(_, v)| v.clone())
        .unwrap_or(from_config)
}

/// The message a `commit-msg` hook was given, cleaned up as `git commit`
/// will store it, for judging.
///
/// git runs the hook *before* its cleanup, and the hook cannot see which
/// cleanup mode applies: the default is `strip` when an editor was used and
/// `whitespace` with `-m`/`-F`, `--cleanup=` may override it, and `-v` cuts
/// at the scissors line. tiergate decides:
///
/// - `commit.cleanup` set to `verbatim`, `whitespace`, `scissors` or
///   `strip` (in git config or `git -c`) is used as is;
/// - otherwise (`default` or unset) `strip`: comment lines (the comment
///   string, see [`comment_string`]) are dropped as with the editor, the
///   common case. With `-m`, git keeps lines that start with the comment
///   string; they can never be trailers git reads, so dropping them does
///   not change the verdict on declarations;
/// - in every mode the message is cut at the scissors line if it has one
///   (`git commit -v` puts the diff below it).
///
/// ### Deviation
///
/// A `--cleanup=` option given on the command line is not visible to a
/// hook. The server (pre-receive) and `pre-push` judge the message as
/// stored, so this only matters for the first line of defence.
pub fn commit_msg_message(raw: &[u8], cleanup: Option<&str>, comment: &[u8]) -> Vec<u8> {
    let mode = match cleanup.map(str::to_ascii_lowercase).as_deref() {
        Some("verbatim") => Cleanup::Verbatim,
        Some("whitespace") => Cleanup::Whitespace,
        Some("scissors") => Cleanup::Scissors,
        _ => Cleanup::Strip,
    };
    message::cleanup_verbose(raw, mode, comment, true)
}

/// One line of a `pre-push` hook's stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushUpdate {
    /// The local ref pushed (`refs/heads/main`, or `(delete)`).
    pub local_ref: String,
    /// The local object id (hex); all zeros for a deletion.
    pub local_oid: String,
    /// The remote ref updated.
    pub remote_ref: String,
    /// What the remote ref points at now (hex); all zeros when it does not
    /// exist (a new branch).
    pub remote_oid: String,
}

impl PushUpdate {
    /// Whether this update deletes the remote ref.
    pub fn is_delete(&self) -> bool {
        is_zero_oid(&self.local_oid)
    }

    /// Whether the remote ref is new (does not exist on the remote).
    pub fn is_new(&self) -> bool {
        is_zero_oid(&self.remote_oid)
    }
}

/// Whether `oid` is git's null object id (40 or 64 zeros).
pub fn is_zero_oid(oid: &str) -> bool {
    (oid.len() == 40 || oid.len() == 64) && oid.bytes().all(|b| b == b'0')
}

fn is_oid(oid: &str) -> bool {
    (oid.len() == 40 || oid.len() == 64) && oid.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A `pre-push` stdin line that is not `<local-ref> <local-oid>
/// <remote-ref> <remote-oid>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("pre-push: line {line} of stdin is not `<local-ref> <local-oid> <remote-ref> <remote-oid>`: {text:?}")]
pub struct PushParseError {
    /// 1-based line number.
    pub line: usize,
    /// The line (lossily decoded).
    pub text: String,
}

/// Parse all of a `pre-push` hook's stdin (every line, not just the first;
/// blank lines are skipped).
pub fn parse_pre_push(stdin: &[u8]) -> Result<Vec<PushUpdate>, PushParseError> {
    let mut out = Vec::new();
    for (i, raw) in stdin.split(|&b| b == b'\n').enumerate() {
        let line = String::from_utf8_lossy(raw);
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let error = || PushParseError {
            line: i + 1,
            text: line.to_owned(),
        };
        let fields: Vec<&str> = line.split(' ').collect();
        let [local_ref, local_oid, remote_ref, remote_oid] = fields[..] else {
            return Err(error());
        };
        if !is_oid(local_oid)
            || !is_oid(remote_oid)
            || local_ref.is_empty()
            || remote_ref.is_empty()
        {
            return Err(error());
        }
        out.push(PushUpdate {
            local_ref: local_ref.to_owned(),
            local_oid: local_oid.to_owned(),
            remote_ref: remote_ref.to_owned(),
            remote_oid: remote_oid.to_owned(),
        });
    }
    Ok(out)
}

/// Whether a git command line (`argv` of the `git` process that runs the
/// hook, e.g. `git commit --amend -m x`) amends HEAD.
///
/// git runs `commit-msg` for `git commit --amend` with HEAD still the
/// commit being replaced, and does not tell the hook it is amending. The
/// hook binaries read the command line of their nearest `git` ancestor
/// process and ask this function. Options that take a value (`-m`, `-F`,
/// `-C`, `--author`, ...) are skipped with their value so that
/// `git commit -m --amend` is not taken for an amend; unique prefixes
/// (`--amen`) count, as git's option parser accepts them; `--no-amend`
/// cancels; nothing after `--` is an option.
pub fn argv_amends(argv: &[Vec<u8>]) -> bool {
    // git's own options before the subcommand.
    const GIT_VALUE_OPTS: [&[u8]; 5] = [b"-c", b"-C", b"--git-dir", b"--work-tree", b"--namespace"];
    // Options whose value is required (and may be the next argument);
    // those with an optional value (`-S`, `-u`) only take it attached.
    const SHORT_VALUE: &[u8] = b"mFcCt";
    const LONG_VALUE: [&[u8]; 12] = [
        b"--message",
        b"--file",
        b"--reuse-message",
        b"--reedit-message",
        b"--author",
        b"--date",
        b"--template",
        b"--cleanup",
        b"--fixup",
        b"--squash",
        b"--trailer",
        b"--pathspec-from-file",
    ];
    let mut args = argv.iter().skip(1);
    // Skip git's global options up to the subcommand.
    while let Some(arg) = args.next() {
        if GIT_VALUE_OPTS.contains(&arg.as_slice()) {
            // Its value is the next argument.
            if args.next().is_none() {
                return false;
            }
            continue;
        }
        if arg.starts_with(b"-") {
            continue;
        }
        break; // the subcommand (commit, or an alias)
    }
    let mut amend = false;
    while let Some(arg) = args.next() {
        let arg = arg.as_slice();
        if arg == b"--" {
            break;
        }
        if let Some(long) = arg.strip_prefix(b"--") {
            let (name, has_value) = match long.iter().position(|&b| b == b'=') {
                Some(eq) => (&long[..eq], true),
                None => (long, false),
            };
            if name.len() >= 2 && b"amend".starts_with(name) {
                amend = true;
            } else if name.len() >= 5 && b"no-amend".starts_with(name) {
                amend = false;
            } else if !has_value && LONG_VALUE.iter().any(|opt| opt[2..] == *name) {
                // `--message value`: skip the value.
                args.next();
            }
            continue;
        }
        if let Some(short) = arg.strip_prefix(b"-") {
            for (i, c) in short.iter().enumerate() {
                if SHORT_VALUE.contains(c) {
                    // The rest is the value, or the next argument is.
                    if i + 1 == short.len() {
                        args.next();
                    }
                    break;
                }
            }
        }
    }
    amend
}

/// The paths a patch (`git format-patch` / `git diff` output, as `git am`
/// keeps it in `rebase-apply/patch`) changes: both sides of every file
/// diff, repository-relative with the `a/` / `b/` prefix removed (git am's
/// default `-p1`), `/dev/null` left out, C-quoted names unquoted; sorted,
/// without duplicates.
///
/// Hunks are skipped by their line counts, so a removed line that reads
/// `-- foo` is not taken for a `--- ` header.
///
/// ### Deviation
///
/// `git am -p<n>` and `--directory=` are not known to the hook: paths are
/// read as with `-p1`.
pub fn patch_paths(patch: &[u8]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut section_has_paths = false;
    let mut header_fallback: Option<Vec<Vec<u8>>> = None;
    let mut lines = patch.split(|&b| b == b'\n');
    let finish = |out: &mut Vec<Vec<u8>>, has: bool, fallback: &mut Option<Vec<Vec<u8>>>| {
        if !has {
            if let Some(paths) = fallback.take() {
                out.extend(paths);
            }
        }
        *fallback = None;
    };
    while let Some(line) = lines.next() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(rest) = line.strip_prefix(b"diff --git ") {
            finish(&mut out, section_has_paths, &mut header_fallback);
            section_has_paths = false;
            header_fallback = Some(diff_git_header_paths(rest));
            continue;
        }
        if let Some(rest) = line.strip_prefix(b"--- ") {
            if let Some(path) = patch_name(rest, true) {
                out.push(path);
            }
            section_has_paths = true;
            continue;
        }
        if let Some(rest) = line.strip_prefix(b"+++ ") {
            if let Some(path) = patch_name(rest, true) {
                out.push(path);
            }
            section_has_paths = true;
            continue;
        }
        for prefix in [
            &b"rename from "[..],
            b"rename to ",
            b"copy from ",
            b"copy to ",
        ] {
            if let Some(rest) = line.strip_prefix(prefix) {
                if let Some(path) = patch_name(rest, false) {
                    out.push(path);
                }
                section_has_paths = true;
            }
        }
        if let Some(rest) = line.strip_prefix(b"@@ -") {
            // Skip the hunk by its counts.
            let (mut old, mut new) = hunk_counts(rest);
            while old > 0 || new > 0 {
                let Some(body) = lines.next() else { break };
                match body.first() {
                    Some(b'+') => new = new.saturating_sub(1),
                    Some(b'-') => old = old.saturating_sub(1),
                    Some(b'\\') => {}
                    _ => {
                        old = old.saturating_sub(1);
                        new = new.saturating_sub(1);
                    }
                }
            }
        }
    }
    finish(&mut out, section_has_paths, &mut header_fallback);
    out.sort();
    out.dedup();
    out
}

/// `-l,s +l,s @@`: the old and new line counts (a missing count is 1).
fn hunk_counts(rest: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(rest);
    let mut parts = text.split_whitespace();
    let count = |range: Option<&str>| -> usize {
        match range.and_then(|r| r.split_once(',')) {
            Some((_, n)) => n.parse().unwrap_or(0),
            None => 1,
        }
    };
    let old = count(parts.next());
    let new = count(parts.next().map(|p| p.trim_start_matches('+')));
    (old, new)
}

/// The two names of `diff --git a/X b/Y` (used when a file diff has no
/// `---`/`+++` lines: mode changes, binary files, pure renames are covered
/// by `rename` lines). Unquoted names with spaces are split where both
/// halves name the same path, as git does.
fn diff_git_header_paths(rest: &[u8]) -> Vec<Vec<u8>> {
    if rest.starts_with(b"\"") {
        let mut out = Vec::new();
        let mut s = rest;
        while let Some((name, after)) = c_unquote(s) {
            out.extend(strip_component(&name));
            s = after.trim_ascii_start();
            if s.is_empty() {
                break;
            }
            if !s.starts_with(b"\"") {
                out.extend(strip_component(s));
                break;
            }
        }
        return out;
    }
    // a/X b/X with the same X: split in the middle.
    let len = rest.len();
    if len % 2 == 1 {
        let half = len / 2;
        let (a, b) = (&rest[..half], &rest[half + 1..]);
        if rest[half] == b' ' {
            if let (Some(a), Some(b)) = (strip_component(a), strip_component(b)) {
                if a == b {
                    return vec![a];
                }
            }
        }
    }
    // Different names without spaces.
    let parts: Vec<&[u8]> = rest.split(|&b| b == b' ').collect();
    if parts.len() == 2 {
        return parts.into_iter().filter_map(strip_component).collect();
    }
    Vec::new()
}

/// A file name on a `---`/`+++` (prefixed, `strip`) or `rename from` line.
fn patch_name(rest: &[u8], strip: bool) -> Option<Vec<u8>> {
    let name = if rest.starts_with(b"\"") {
        c_unquote(rest)?.0
    } else {
        // A non-git diff may follow the name with a tab and a timestamp.
        let end = rest.iter().position(|&b| b == b'\t').unwrap_or(rest.len());
        rest[..end].trim_ascii_end().to_vec()
    };
    if name == b"/dev/null" {
        return None;
    }
    if strip {
        strip_component(&name)
    } else {
        Some(name)
    }
}

/// Remove the first path component (`a/`), as `-p1` does.
fn strip_component(name: &[u8]) -> Option<Vec<u8>> {
    let slash = name.iter().position(|&b| b == b'/')?;
    let rest = &name[slash + 1..];
    (!rest.is_empty()).then(|| rest.to_vec())
}

/// Unquote a C-quoted string at the start of `s` (git's `quote_c_style`):
/// the string and what follows it.
fn c_unquote(s: &[u8]) -> Option<(Vec<u8>, &[u8])> {
    let mut rest = s.strip_prefix(b"\"")?;
    let mut out = Vec::new();
    loop {
        let (&c, after) = rest.split_first()?;
        rest = after;
        match c {
            b'"' => return Some((out, rest)),
            b'\\' => {
                let (&e, after) = rest.split_first()?;
                rest = after;
                match e {
                    b'a' => out.push(7),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'v' => out.push(11),
                    b'0'..=b'3' => {
                        let digits = rest.get(..2)?;
                        if !digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                            return None;
                        }
                        out.push(
                            ((e - b'0') << 6) | ((digits[0] - b'0') << 3) | (digits[1] - b'0'),
                        );
                        rest = &rest[2..];
                    }
                    other => out.push(other),
                }
            }
            other => out.push(other),
        }
    }
}

/// The author of the patch `git am` is applying, from `rebase-apply/info`
/// (`Author: Name` and `Email: address` lines written by `git mailinfo`).
pub fn am_author(info: &[u8]) -> Option<Identity> {
    let mut name = None;
    let mut email = None;
    for line in info.split(|&b| b == b'\n') {
        if let Some(v) = line.strip_prefix(b"Author: ") {
            name = Some(v.to_vec());
        } else if let Some(v) = line.strip_prefix(b"Email: ") {
            email = Some(v.to_vec());
        }
    }
    if name.is_none() && email.is_none() {
        return None;
    }
    Some(Identity {
        name: name.unwrap_or_default(),
        email: email.unwrap_or_default(),
    })
}

/// How the user can name the message file `path` (as git passed it to the
/// hook: relative to the top of the working tree, or absolute) from the
/// directory they ran git in, `git_prefix` (`GIT_PREFIX`: that directory
/// relative to the top, `/`-terminated, empty at the top).
pub fn reuse_path(path: &str, git_prefix: Option<&str>) -> String {
    if path.starts_with('/') {
        return path.to_owned();
    }
    let depth = git_prefix
        .unwrap_or("")
        .split('/')
        .filter(|c| !c.is_empty())
        .count();
    format!("{}{}", "../".repeat(depth), path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<Vec<u8>> {
        s.split(' ').map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn amend_detection() {
        let cases = [
            ("git commit --amend", true),
            ("git commit --amend -m x", true),
            ("git commit -m --amend", false),
            ("git commit --message --amend", false),
            ("git commit --message=x --amend", true),
            ("git commit -am x", false),
            ("git commit -a --amen", true),
            ("git commit --am", true),
            ("git commit --amend --no-amend", false),
            ("git commit -- --amend", false),
            ("git -c core.x=y -C dir commit --amend", true),
            ("git -c --amend commit", false),
            ("git commit -F msg --amend", true),
            ("git commit -Fmsg", false),
            ("git ci --amend", true),
            ("git commit", false),
            ("git", false),
        ];
        for (line, want) in cases {
            assert_eq!(argv_amends(&argv(line)), want, "{line}");
        }
    }

    #[test]
    fn config_parameters() {
        assert_eq!(
            parse_config_parameters(
                "'core.commentChar'=';' 'user.name'='a'\\''b' 'x.flag' 'old.form=v'"
            ),
            vec![
                ("core.commentchar".into(), Some(";".into())),
                ("user.name".into(), Some("a'b".into())),
                ("x.flag".into(), None),
                ("old.form".into(), Some("v".into())),
            ]
        );
        let env = |k: &str| match k {
            "GIT_CONFIG_COUNT" => Some("1".to_owned()),
            "GIT_CONFIG_KEY_0" => Some("core.commentString".to_owned()),
            "GIT_CONFIG_VALUE_0" => Some("//".to_owned()),
            "GIT_CONFIG_PARAMETERS" => {
                Some("'core.commentchar'='auto' 'commit.cleanup'='verbatim'".to_owned())
            }
            _ => None,
        };
        let overrides = config_overrides(env);
        assert_eq!(comment_string(b"#".to_vec(), &overrides), b"//");
        assert_eq!(comment_string(b";".to_vec(), &[]), b";");
        assert_eq!(
            cleanup_setting(Some("strip".into()), &overrides).as_deref(),
            Some("verbatim")
        );
        assert_eq!(
            cleanup_setting(Some("strip".into()), &[]).as_deref(),
            Some("strip")
        );
    }

    #[test]
    fn commit_msg_cleanup() {
        let raw = b"Title\n\nBody\n\nAI-Assisted-by: a:b\n# Please enter the commit message\n# ------------------------ >8 ------------------------\ndiff --git a/x b/x\n";
        assert_eq!(
            commit_msg_message(raw, None, b"#"),
            b"Title\n\nBody\n\nAI-Assisted-by: a:b\n"
        );
        let raw = b"Title\n; comment\n#not a comment\n; ------------------------ >8 ------------------------\nx\n";
        assert_eq!(
            commit_msg_message(raw, None, b";"),
            b"Title\n#not a comment\n"
        );
        assert_eq!(
            commit_msg_message(b"T\n# kept\n", Some("whitespace"), b"#"),
            b"T\n# kept\n"
        );
    }

    #[test]
    fn pre_push_lines() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let input =
            format!("refs/heads/main {a} refs/heads/main {z}\n(delete) {z} refs/heads/old {a}\n\n");
        let updates = parse_pre_push(input.as_bytes()).expect("parses");
        assert_eq!(updates.len(), 2);
        assert!(updates[0].is_new() && !updates[0].is_delete());
        assert!(updates[1].is_delete());
        let err = parse_pre_push(b"refs/heads/main deadbeef\n").expect_err("bad");
        assert_eq!(err.line, 1);
        assert!(parse_pre_push(b"").expect("empty").is_empty());
    }

    #[test]
    fn patch_paths_from_format_patch() {
        let patch = b"diff --git a/crypto/aes.c b/crypto/aes.c\n\
index 1..2 100644\n\
--- a/crypto/aes.c\n\
+++ b/crypto/aes.c\n\
@@ -1,2 +1,2 @@\n\
--- not a header\n\
+++ nor this\n\
 ctx\n\
diff --git a/docs/old.md b/docs/new.md\n\
similarity index 100%\n\
rename from docs/old.md\n\
rename to docs/new.md\n\
diff --git a/bin b/bin\n\
new file mode 100644\n\
index 0..1\n\
Binary files /dev/null and b/bin differ\n\
diff --git \"a/t\\303\\251st\" \"b/t\\303\\251st\"\n\
new file mode 100644\n\
--- /dev/null\n\
+++ \"b/t\\303\\251st\"\n\
@@ -0,0 +1 @@\n\
+x\n";
        let paths: Vec<String> = patch_paths(patch)
            .into_iter()
            .map(|p| String::from_utf8_lossy(&p).into_owned())
            .collect();
        assert_eq!(
            paths,
            ["bin", "crypto/aes.c", "docs/new.md", "docs/old.md", "tést"]
        );
    }

    #[test]
    fn author_and_reuse_path() {
        let id =
            am_author(b"Author: A U Thor\nEmail: a@example.com\nSubject: x\n").expect("author");
        assert_eq!(id.name, b"A U Thor");
        assert_eq!(id.email, b"a@example.com");
        assert_eq!(am_author(b"Subject: x\n"), None);
        assert_eq!(
            reuse_path(".git/COMMIT_EDITMSG", Some("")),
            ".git/COMMIT_EDITMSG"
        );
        assert_eq!(
            reuse_path(".git/COMMIT_EDITMSG", Some("a/b/")),
            "../../.git/COMMIT_EDITMSG"
        );
        assert_eq!(
            reuse_path("/r/.git/worktrees/w/COMMIT_EDITMSG", Some("a/")),
            "/r/.git/worktrees/w/COMMIT_EDITMSG"
        );
    }
}
