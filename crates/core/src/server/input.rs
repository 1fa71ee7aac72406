//! What git and the forge hand the server hook, as plain data: the ref
//! updates on stdin, the quarantine's alternates, push options, the
//! pusher, GitLab's output convention.

use std::path::PathBuf;

/// One `<old> <new> <ref>` line of a `pre-receive` (or
/// `reference-transaction`) hook's stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// The id the ref has now (all zeros: the ref does not exist yet).
    pub old: String,
    /// The id the push sets (all zeros: the ref is deleted).
    pub new: String,
    /// The full ref name (`refs/heads/main`).
    pub refname: String,
}

impl RefUpdate {
    /// Whether the update creates the ref.
    pub fn is_create(&self) -> bool {
        is_zero_id(&self.old)
    }

    /// Whether the update deletes the ref.
    pub fn is_delete(&self) -> bool {
        is_zero_id(&self.new)
    }
}

/// Whether `id` is git's null object id (40 or 64 zeros).
pub fn is_zero_id(id: &str) -> bool {
    matches!(id.len(), 40 | 64) && id.bytes().all(|b| b == b'0')
}

/// Whether `id` is a full object id: 40 (SHA-1) or 64 (SHA-256)
/// lowercase hex digits, as git writes them.
pub fn is_object_id(id: &str) -> bool {
    matches!(id.len(), 40 | 64) && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Why the hook's stdin is not what git writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Nothing on stdin (git always sends at least one line).
    #[error("no ref updates on stdin (expected `<old-id> <new-id> <ref>` lines)")]
    Empty,
    /// A line is malformed.
    #[error("line {line} of stdin is not `<old-id> <new-id> <ref>`: {text:?} ({why})")]
    Line {
        /// 1-based line number.
        line: usize,
        /// The line, lossily decoded and cut to 100 characters.
        text: String,
        /// What is wrong with it.
        why: &'static str,
    },
}

/// Parse the stdin of a `pre-receive` hook: one `<old> <new> <ref>` line
/// per ref the push updates. Ids are 40 or 64 lowercase hex digits, both of
/// the same length; the ref name is anything without spaces. An empty
/// input, or any malformed line, is an error: the hook must fail closed
/// rather than judge part of a push.
///
/// With `symrefs` (the `reference-transaction` hook since git 2.46), an
/// update whose old or new value is `ref:<target>` (a symbolic ref) is
/// skipped: it brings no commits. `symrefs` also allows an empty input.
pub fn parse_updates(stdin: &[u8], symrefs: bool) -> Result<Vec<RefUpdate>, ParseError> {
    let mut updates = Vec::new();
    let body = stdin.strip_suffix(b"\n").unwrap_or(stdin);
    if body.is_empty() {
        return if symrefs {
            Ok(updates)
        } else {
            Err(ParseError::Empty)
        };
    }
    for (n, raw) in body.split(|&b| b == b'\n').enumerate() {
        let bad = |why: &'static str| ParseError::Line {
            line: n + 1,
            text: String::from_utf8_lossy(raw).chars().take(100).collect(),
            why,
        };
        let text = std::str::from_utf8(raw).map_err(|_| bad("not UTF-8"))?;
        let fields: Vec<&str> = text.split(' ').collect();
        let [old, new, refname] = fields[..] else {
            return Err(bad("expected three fields separated by single spaces"));
        };
        if symrefs && (old.starts_with("ref:") || new.starts_with("ref:")) {
            continue;
        }
        if !is_object_id(old) || !is_object_id(new) {
            return Err(bad("object ids must be 40 or 64 lowercase hex digits"));
        }
        if old.len() != new.len() {
            return Err(bad("old and new ids have different lengths"));
        }
        if refname.is_empty() || refname.bytes().any(|b| b.is_ascii_control()) {
            return Err(bad("bad ref name"));
        }
        if is_zero_id(old) && is_zero_id(new) {
            return Err(bad("both ids are zero"));
        }
        updates.push(RefUpdate {
            old: old.to_owned(),
            new: new.to_owned(),
            refname: refname.to_owned(),
        });
    }
    Ok(updates)
}

/// Split a path list as git writes `GIT_ALTERNATE_OBJECT_DIRECTORIES`:
/// entries separated by `:` (`;` on Windows), an entry that starts with
/// `"` being a C-quoted string (git quotes entries that contain the
/// separator or start with a quote; `tmp-objdir.c`'s `env_append`).
/// Empty entries are dropped. An unterminated quote takes the rest of the
/// input as written.
pub fn split_path_list(value: &[u8]) -> Vec<PathBuf> {
    let sep = if cfg!(windows) { b';' } else { b':' };
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        if rest[0] == sep {
            rest = &rest[1..];
            continue;
        }
        let (entry, after) = if rest[0] == b'"' {
            match unquote_c(&rest[1..]) {
                Some((entry, used)) => (entry, &rest[1 + used..]),
                None => (rest.to_vec(), &rest[rest.len()..]),
            }
        } else {
            let end = rest.iter().position(|&b| b == sep).unwrap_or(rest.len());
            (rest[..end].to_vec(), &rest[end..])
        };
        if !entry.is_empty() {
            out.push(bytes_to_path(entry));
        }
        // Skip to the next separator (text after a closing quote is
        // ignored, as git does).
        let next = after.iter().position(|&b| b == sep).unwrap_or(after.len());
        rest = &after[next..];
    }
    out
}

/// Unquote a C-style quoted string whose opening `"` is already consumed:
/// the bytes and how many input bytes were used (closing quote included),
/// or `None` if the quote is not closed or an escape is invalid.
fn unquote_c(input: &[u8]) -> Option<(Vec<u8>, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'"' => return Some((out, i + 1)),
            b'\\' => {
                let c = *input.get(i + 1)?;
                i += 2;
                let byte = match c {
                    b'a' => 0x07,
                    b'b' => 0x08,
                    b'f' => 0x0c,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'v' => 0x0b,
                    b'\\' | b'"' => c,
                    b'0'..=b'3' => {
                        let digits = input.get(i..i + 2)?;
                        if !digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                            return None;
                        }
                        i += 2;
                        ((c - b'0') << 6) | ((digits[0] - b'0') << 3) | (digits[1] - b'0')
                    }
                    _ => return None,
                };
                out.push(byte);
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    None
}

#[cfg(unix)]
fn bytes_to_path(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn bytes_to_path(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

/// The push options of this push (`git push -o OPTION`), in order, from
/// `GIT_PUSH_OPTION_COUNT` and `GIT_PUSH_OPTION_<n>`. Git passes them only
/// when the repository sets `receive.advertisePushOptions=true`.
pub fn push_options(env: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let Some(count) = env("GIT_PUSH_OPTION_COUNT").and_then(|c| c.trim().parse::<usize>().ok())
    else {
        return Vec::new();
    };
    (0..count)
        .filter_map(|i| env(&format!("GIT_PUSH_OPTION_{i}")))
        .collect()
}

/// The override asked for with the push option `key` (`key=reason`): the
/// reason (trimmed; empty when written `key` or `key=`), or `None` when
/// the push does not ask. The last such option wins.
pub fn requested_override(options: &[String], key: &str) -> Option<String> {
    options.iter().rev().find_map(|option| {
        let (k, v) = match option.split_once('=') {
            Some((k, v)) => (k, v),
            None => (option.as_str(), ""),
        };
        (k == key).then(|| v.trim().to_owned())
    })
}

/// Environment variables naming the pusher, in order of precedence: the
/// first one set (non-empty) names the pusher.
///
/// Forges set their own variable and nothing a pusher controls, so they
/// come first: GitLab (`GL_USERNAME`), gitolite (`GL_USER`), GitHub
/// Enterprise Server (`GITHUB_USER_LOGIN`), Gitea and Forgejo
/// (`GITEA_PUSHER_NAME`, `FORGEJO_PUSHER_NAME`). Then `REMOTE_USER`, set by
/// the web server in front of `git http-backend` after authentication. Last
/// `TIERGATE_USER`, for setups that name the user themselves (an ssh
/// forced command, `environment=` in `authorized_keys`); make sure pushers
/// cannot set it (sshd's `AcceptEnv` must not pass it).
pub const IDENTITY_VARS: &[&str] = &[
    "GL_USERNAME",
    "GL_USER",
    "GITHUB_USER_LOGIN",
    "GITEA_PUSHER_NAME",
    "FORGEJO_PUSHER_NAME",
    "REMOTE_USER",
    "TIERGATE_USER",
];

/// Who is pushing: the value of the first of [`IDENTITY_VARS`] that is set
/// and not blank, and the variable's name.
pub fn pusher(env: impl Fn(&str) -> Option<String>) -> Option<(String, &'static str)> {
    IDENTITY_VARS.iter().find_map(|var| {
        env(var)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .map(|v| (v, *var))
    })
}

/// Whether the hook runs under GitLab (Gitaly sets `GL_ID`, `GL_USERNAME`
/// and `GL_PROTOCOL` for its hooks; gitolite sets `GL_USER`, which does not
/// count).
pub fn is_gitlab(env: impl Fn(&str) -> Option<String>) -> bool {
    ["GL_ID", "GL_USERNAME", "GL_PROTOCOL"]
        .iter()
        .any(|v| env(v).is_some_and(|v| !v.is_empty()))
}

/// Prefix every line of `text` with `GL-HOOK-ERR: ` (GitLab shows only
/// such lines in its web UI; `git push` shows them all).
pub fn gitlab_prefix(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.lines() {
        out.push_str("GL-HOOK-ERR: ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::test_data::{A, B, Z};
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn parses_updates() {
        let input =
            format!("{A} {B} refs/heads/main\n{Z} {B} refs/tags/v1\n{A} {Z} refs/heads/old\n");
        let u = parse_updates(input.as_bytes(), false).expect("parses");
        assert_eq!(u.len(), 3);
        assert!(!u[0].is_create() && !u[0].is_delete());
        assert!(u[1].is_create());
        assert!(u[2].is_delete());
        assert_eq!(u[1].refname, "refs/tags/v1");
        // No final newline; SHA-256.
        let a = "a".repeat(64);
        let z = "0".repeat(64);
        let u = parse_updates(format!("{z} {a} refs/heads/x").as_bytes(), false).expect("sha256");
        assert!(u[0].is_create());
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "hello\n".to_owned(),
            format!("{A} {B}\n"),
            format!("{A}  {B} refs/heads/x\n"),
            format!("{A} {} refs/heads/x\n", "2".repeat(64)),
            format!("{} {B} refs/heads/x\n", A.to_uppercase().replace('1', "G")),
            format!("{Z} {Z} refs/heads/x\n"),
            format!("{A} {B} refs/heads/x\n\n"),
            format!("{A} {B} refs/heads/x extra\n"),
        ] {
            assert!(
                matches!(
                    parse_updates(bad.as_bytes(), false),
                    Err(ParseError::Line { .. })
                ),
                "{bad:?}"
            );
        }
        assert_eq!(parse_updates(b"", false), Err(ParseError::Empty));
        assert_eq!(parse_updates(b"\n", false), Err(ParseError::Empty));
        assert_eq!(parse_updates(b"", true), Ok(Vec::new()));
        assert!(parse_updates(b"\xff\xfe", false).is_err());
    }

    #[test]
    fn skips_symref_updates_in_reference_transactions() {
        let input = format!("ref:refs/heads/a ref:refs/heads/b HEAD\n{A} {B} refs/heads/main\n");
        let u = parse_updates(input.as_bytes(), true).expect("parses");
        assert_eq!(u.len(), 1);
        assert!(parse_updates(input.as_bytes(), false).is_err());
    }

    #[test]
    fn splits_quoted_alternates() {
        assert_eq!(
            split_path_list(b"/a/objects:/b/objects"),
            vec![PathBuf::from("/a/objects"), PathBuf::from("/b/objects")]
        );
        assert_eq!(
            split_path_list(b"\"/srv/x:y/objects\":/b"),
            vec![PathBuf::from("/srv/x:y/objects"), PathBuf::from("/b")]
        );
        assert_eq!(
            split_path_list(b"\"/q\\\"uote\\\\d\\t\\303\\251\":"),
            vec![PathBuf::from("/q\"uote\\d\té")]
        );
        assert_eq!(split_path_list(b"::"), Vec::<PathBuf>::new());
        // Unterminated quote: taken as written.
        assert_eq!(split_path_list(b"\"/x"), vec![PathBuf::from("\"/x")]);
    }

    #[test]
    fn reads_push_options_and_overrides() {
        let e = env(&[
            ("GIT_PUSH_OPTION_COUNT", "3"),
            ("GIT_PUSH_OPTION_0", "ci.skip"),
            ("GIT_PUSH_OPTION_1", "tiergate.override=hotfix for CVE"),
            ("GIT_PUSH_OPTION_2", "other=x"),
        ]);
        let options = push_options(&e);
        assert_eq!(options.len(), 3);
        assert_eq!(
            requested_override(&options, "tiergate.override").as_deref(),
            Some("hotfix for CVE")
        );
        assert_eq!(requested_override(&options, "nope"), None);
        assert_eq!(
            requested_override(&["tiergate.override".to_owned()], "tiergate.override").as_deref(),
            Some("")
        );
        assert!(push_options(env(&[])).is_empty());
        assert!(push_options(env(&[("GIT_PUSH_OPTION_COUNT", "x")])).is_empty());
    }

    #[test]
    fn pusher_precedence() {
        assert_eq!(pusher(env(&[])), None);
        assert_eq!(
            pusher(env(&[("TIERGATE_USER", "t"), ("REMOTE_USER", "web")])),
            Some(("web".to_owned(), "REMOTE_USER"))
        );
        assert_eq!(
            pusher(env(&[("GL_USER", "gito"), ("GL_USERNAME", " lab ")])),
            Some(("lab".to_owned(), "GL_USERNAME"))
        );
        assert_eq!(
            pusher(env(&[("GL_USERNAME", ""), ("TIERGATE_USER", "t")])),
            Some(("t".to_owned(), "TIERGATE_USER"))
        );
    }

    #[test]
    fn gitlab_detection_and_prefix() {
        assert!(is_gitlab(env(&[("GL_ID", "user-1"), ("GL_USERNAME", "a")])));
        assert!(is_gitlab(env(&[("GL_PROTOCOL", "ssh")])));
        // gitolite is not GitLab.
        assert!(!is_gitlab(env(&[("GL_USER", "a")])));
        assert!(!is_gitlab(env(&[])));
        assert_eq!(
            gitlab_prefix("a\n\nb"),
            "GL-HOOK-ERR: a\nGL-HOOK-ERR: \nGL-HOOK-ERR: b\n"
        );
    }
}
