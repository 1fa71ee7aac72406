//! Patches as they are mailed: `git format-patch` output and mbox files,
//! read the way `git mailsplit` and `git mailinfo` (so `git am`) read them,
//! for `tiergate check-patch`.
//!
//! [`read_patches`] splits an input into mails ([`split_mbox`]) and turns
//! each into a [`Patch`] ([`parse_mail`]): the commit message `git am`
//! would make (title from the `Subject:`, body from the mail), the author
//! from `From:`, and the paths the diff changes ([`patch_paths`]).
//!
//! # What is read
//!
//! - **Splitting**: a new mail starts at every line that looks like an mbox
//!   `From ` line (`From <sender> <date with HH:MM[:SS]> ... <year>`), which
//!   covers format-patch's `From <sha> Mon Sep 17 00:00:00 2001`. An input
//!   that does not start with such a line is one mail (as `git mailsplit`
//!   treats a single patch file).
//! - **Headers**: folded lines are unfolded; RFC 2047 encoded words
//!   (`=?UTF-8?q?...?=`, `=?UTF-8?b?...?=`) are decoded in `Subject:` and
//!   `From:` (UTF-8, US-ASCII and ISO-8859-1 charsets; any other charset is
//!   decoded as UTF-8, lossily); whitespace between encoded words is dropped.
//! - **Body**: `Content-Transfer-Encoding: quoted-printable` and `base64`
//!   are decoded; an ISO-8859-1 `charset` is converted to UTF-8. In-body
//!   `From:`, `Subject:` and `Date:` lines at the top of the body override
//!   the mail's headers, as `git mailinfo` does.
//! - **Title**: the subject cleaned as `git mailinfo` does without `-k`:
//!   leading `Re:`, `[...]` groups (`[PATCH v2 1/3]`, `[RFC]`), spaces and
//!   colons removed.
//! - **Message**: title, a blank line, then the body up to the diff (the
//!   first `diff -` or `Index: ` line). The `---` divider and the notes and
//!   diffstat below it are kept, so that the rules see the divider as
//!   `git am` does: a declaration written below it is not a trailer and is
//!   reported as `misplaced-declaration`. Messages are parsed with
//!   `ParseOptions { no_divider: false, .. }`.
//! - **Cover letters** (`[PATCH 0/N]`, any zero-numbered `[... 0/N]`
//!   prefix) are marked [`Patch::cover_letter`]; callers skip them.
//!
//! ### Deviation
//!
//! - MIME multipart mails (`format-patch --attach` / `--inline`) are not
//!   taken apart: the message is read from the whole body, so a patch
//!   mailed as an attachment has its paths found only if the attachment is
//!   not encoded.
//! - mboxrd `>From ` unescaping (`git mailsplit --mboxrd`) and the scissors
//!   line (`git am --scissors`) are not applied.
//! - Charsets other than UTF-8, US-ASCII and ISO-8859-1 are not converted.

use crate::rules::Identity;
use regex::bytes::Regex;
use std::sync::OnceLock;

pub use crate::input::hook::patch_paths;

/// One mail of a patch series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    /// The decoded `Subject:` as mailed (with its `[PATCH ...]` prefix).
    pub subject: String,
    /// The commit title `git am` would make (prefix removed).
    pub title: String,
    /// The author (`From:`, or an in-body `From:`), when there is one.
    pub author: Option<Identity>,
    /// The message to judge: title, blank line, body up to the diff
    /// (divider and notes included, see the module docs).
    pub message: Vec<u8>,
    /// Paths the diff changes (both sides of renames), sorted.
    pub paths: Vec<Vec<u8>>,
    /// Whether the mail holds a diff at all.
    pub has_diff: bool,
    /// A cover letter (`[PATCH 0/N]`).
    pub cover_letter: bool,
}

impl Patch {
    /// Whether this is a mail at all: it has a `Subject:` or a `From:`
    /// (in the headers or at the top of the body). `git am` refuses an
    /// input without them ("Patch format detection failed"): a bare
    /// `git diff` or the output of `git show` has no commit message to
    /// judge.
    pub fn is_mail(&self) -> bool {
        !self.subject.trim().is_empty() || self.author.is_some()
    }
}

/// Split and parse every mail of an input (a format-patch file, several
/// concatenated, or an mbox).
pub fn read_patches(input: &[u8]) -> Vec<Patch> {
    split_mbox(input).into_iter().map(parse_mail).collect()
}

fn from_line_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        #[allow(clippy::expect_used)]
        Regex::new(r"^From \S+ .*\d\d?:\d\d(:\d\d)?( .*)? \d{4}\r?$").expect("valid regex")
    })
}

/// Whether `line` (without its newline) starts a new mail in an mbox.
pub fn is_from_line(line: &[u8]) -> bool {
    line.starts_with(b"From ") && from_line_regex().is_match(line)
}

/// The mails of an input: each starts at an mbox `From ` line (which is
/// not part of the mail returned). An input that does not start with one
/// is a single mail. Empty mails are dropped.
pub fn split_mbox(input: &[u8]) -> Vec<&[u8]> {
    let first_line = input.split(|&b| b == b'\n').next().unwrap_or_default();
    if !is_from_line(first_line) {
        return if input.iter().all(u8::is_ascii_whitespace) {
            Vec::new()
        } else {
            vec![input]
        };
    }
    let mut mails = Vec::new();
    let mut start: Option<usize> = None;
    let mut pos = 0;
    while pos < input.len() {
        let end = input[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(input.len(), |i| pos + i + 1);
        let line = input[pos..end]
            .strip_suffix(b"\n")
            .unwrap_or(&input[pos..end]);
        if is_from_line(line) {
            if let Some(s) = start {
                mails.push(&input[s..pos]);
            }
            start = Some(end);
        }
        pos = end;
    }
    if let Some(s) = start {
        mails.push(&input[s..]);
    }
    mails.retain(|m| !m.iter().all(u8::is_ascii_whitespace));
    mails
}

/// Headers of a mail (unfolded), and the offset where its body starts.
fn split_headers(mail: &[u8]) -> (Vec<(String, Vec<u8>)>, usize) {
    let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
    let mut pos = 0;
    while pos < mail.len() {
        let end = mail[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(mail.len(), |i| pos + i + 1);
        let raw = &mail[pos..end];
        let line = raw.strip_suffix(b"\n").unwrap_or(raw);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return (headers, end);
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if let Some((_, value)) = headers.last_mut() {
                value.extend_from_slice(line);
            }
        } else if let Some(colon) = line.iter().position(|&b| b == b':') {
            let name = String::from_utf8_lossy(&line[..colon]).to_ascii_lowercase();
            if name.is_empty() || name.contains(' ') {
                // Not a header: the mail has no header block.
                return (headers, pos);
            }
            headers.push((name, line[colon + 1..].trim_ascii().to_vec()));
        } else {
            return (headers, pos);
        }
        pos = end;
    }
    (headers, mail.len())
}

fn header<'a>(headers: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a [u8]> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_slice())
}

/// Parse one mail into a [`Patch`].
pub fn parse_mail(mail: &[u8]) -> Patch {
    let (headers, body_start) = split_headers(mail);
    let mut subject = header(&headers, "subject")
        .map(decode_header)
        .unwrap_or_default();
    let mut from = header(&headers, "from").map(decode_header);

    let encoding = header(&headers, "content-transfer-encoding")
        .map(|v| String::from_utf8_lossy(v).trim().to_ascii_lowercase());
    let raw_body = &mail[body_start..];
    let mut body = match encoding.as_deref() {
        Some("quoted-printable") => decode_quoted_printable(raw_body),
        Some("base64") => decode_base64(raw_body).unwrap_or_else(|| raw_body.to_vec()),
        _ => raw_body.to_vec(),
    };
    let latin1 = header(&headers, "content-type").is_some_and(|ct| {
        let ct = String::from_utf8_lossy(ct).to_ascii_lowercase();
        ct.contains("iso-8859-1") || ct.contains("latin1")
    });
    if latin1 {
        body = latin1_to_utf8(&body);
    }

    // In-body headers (mailinfo's check_inbody_header).
    let mut rest: &[u8] = &body;
    // Leading blank lines are dropped.
    while let Some(after) = rest
        .strip_prefix(b"\n")
        .or_else(|| rest.strip_prefix(b"\r\n"))
    {
        rest = after;
    }
    let mut saw_inbody = false;
    loop {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| i + 1);
        let line = rest[..end].trim_ascii_end();
        let lower = line.to_ascii_lowercase();
        if lower.starts_with(b"from:") {
            from = Some(decode_header(line[5..].trim_ascii()));
        } else if lower.starts_with(b"subject:") {
            subject = decode_header(line[8..].trim_ascii());
        } else if lower.starts_with(b"date:") {
        } else {
            break;
        }
        saw_inbody = true;
        rest = &rest[end..];
    }
    if saw_inbody {
        while let Some(after) = rest
            .strip_prefix(b"\n")
            .or_else(|| rest.strip_prefix(b"\r\n"))
        {
            rest = after;
        }
    }

    // Message up to the diff; the diff for paths.
    let diff_start = find_diff_start(rest);
    let message_body = &rest[..diff_start.unwrap_or(rest.len())];
    let title = cleanup_subject(&subject);
    let mut message = title.as_bytes().to_vec();
    message.push(b'\n');
    let message_body = strip_crlf(message_body);
    let trimmed = message_body.trim_ascii();
    if !trimmed.is_empty() {
        message.push(b'\n');
        let body = message_body.trim_ascii_end();
        message.extend_from_slice(body);
        message.push(b'\n');
    }
    let paths = diff_start
        .map(|d| patch_paths(&rest[d..]))
        .unwrap_or_default();
    Patch {
        cover_letter: is_cover_letter(&subject),
        subject,
        title,
        author: from.map(|f| parse_address(&f)),
        message,
        paths,
        has_diff: diff_start.is_some(),
    }
}

fn strip_crlf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for line in text.split_inclusive(|&b| b == b'\n') {
        match line.strip_suffix(b"\r\n") {
            Some(l) => {
                out.extend_from_slice(l);
                out.push(b'\n');
            }
            None => out.extend_from_slice(line),
        }
    }
    out
}

/// Offset of the first line that starts a diff (`diff -`, `Index: `), as
/// mailinfo's `patchbreak` finds it (the `---` divider is kept in the
/// message, see the module docs).
fn find_diff_start(body: &[u8]) -> Option<usize> {
    let mut pos = 0;
    for line in body.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"diff -") || line.starts_with(b"Index: ") {
            return Some(pos);
        }
        pos += line.len();
    }
    None
}

/// Whether a subject is a cover letter's: a bracketed prefix numbered
/// `0/N` (`[PATCH 0/3]`, `[PATCH v2 00/12]`, `[RFC PATCH 0/2]`).
pub fn is_cover_letter(subject: &str) -> bool {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        #[allow(clippy::expect_used)]
        regex::Regex::new(r"^\s*(?:\[[^\]]*\]\s*)*\[[^\]]*\b0+/\d+\s*\]").expect("valid regex")
    });
    re.is_match(subject)
}

/// The title `git mailinfo` makes of a subject (`cleanup_subject` without
/// `-k`/`-b`): leading `Re:` (any case), `[...]` groups, spaces, tabs and
/// colons removed, then trimmed.
pub fn cleanup_subject(subject: &str) -> String {
    let mut s = subject.as_bytes().to_vec();
    // mailinfo moves past a non-matching `r` only to stop: removals
    // always happen at the start.
    let at = 0;
    while at < s.len() {
        match s[at] {
            b'r' | b'R' => {
                if s.len() <= at + 3 {
                    break;
                }
                if matches!(s[at + 1], b'e' | b'E') && s[at + 2] == b':' {
                    s.drain(at..at + 3);
                    continue;
                }
                break;
            }
            b' ' | b'\t' | b':' => {
                s.remove(at);
                continue;
            }
            b'[' => {
                let Some(close) = s[at..].iter().position(|&b| b == b']') else {
                    break;
                };
                s.drain(at..at + close + 1);
                continue;
            }
            _ => break,
        }
    }
    String::from_utf8_lossy(s.trim_ascii()).into_owned()
}

/// `Name <email>`, `"Name" <email>`, `email (Name)` or a bare address.
pub fn parse_address(from: &str) -> Identity {
    let from = from.trim();
    if let (Some(open), Some(close)) = (from.rfind('<'), from.rfind('>')) {
        if open < close {
            let mut name = from[..open].trim();
            if name.len() >= 2 && name.starts_with('"') && name.ends_with('"') {
                name = &name[1..name.len() - 1];
            }
            let name = name.replace("\\\"", "\"").replace("\\\\", "\\");
            return Identity {
                name: name.into_bytes(),
                email: from[open + 1..close].trim().as_bytes().to_vec(),
            };
        }
    }
    if let (Some(open), Some(close)) = (from.find('('), from.rfind(')')) {
        if open < close {
            return Identity {
                name: from[open + 1..close].trim().as_bytes().to_vec(),
                email: from[..open].trim().as_bytes().to_vec(),
            };
        }
    }
    Identity {
        name: Vec::new(),
        email: from.as_bytes().to_vec(),
    }
}

/// Decode RFC 2047 encoded words in a header value; whitespace between two
/// encoded words is dropped. Returns UTF-8 text (invalid bytes replaced).
pub fn decode_header(value: &[u8]) -> String {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        #[allow(clippy::expect_used)]
        Regex::new(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=").expect("valid regex")
    });
    let mut out = String::new();
    let mut last = 0;
    let mut prev_encoded = false;
    for caps in re.captures_iter(value) {
        let (Some(whole), Some(charset), Some(enc), Some(text)) =
            (caps.get(0), caps.get(1), caps.get(2), caps.get(3))
        else {
            continue;
        };
        let between = &value[last..whole.start()];
        if !(prev_encoded && between.iter().all(u8::is_ascii_whitespace)) {
            out.push_str(&String::from_utf8_lossy(between));
        }
        let bytes = if enc.as_bytes().eq_ignore_ascii_case(b"q") {
            Some(decode_q(text.as_bytes()))
        } else {
            decode_base64(text.as_bytes())
        };
        match bytes {
            Some(bytes) => out.push_str(&to_utf8(charset.as_bytes(), &bytes)),
            None => out.push_str(&String::from_utf8_lossy(whole.as_bytes())),
        }
        last = whole.end();
        prev_encoded = true;
    }
    out.push_str(&String::from_utf8_lossy(&value[last..]));
    out
}

fn to_utf8(charset: &[u8], bytes: &[u8]) -> String {
    let charset = charset.to_ascii_lowercase();
    // RFC 2231 language suffix: utf-8*en
    let charset = charset.split(|&b| b == b'*').next().unwrap_or_default();
    if charset == b"iso-8859-1" || charset == b"latin1" {
        bytes.iter().map(|&b| char::from(b)).collect()
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

fn latin1_to_utf8(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|&b| char::from(b))
        .collect::<String>()
        .into_bytes()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// RFC 2047 "Q" encoding: `_` is a space, `=XX` a byte.
fn decode_q(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' => match (
                text.get(i + 1).and_then(|&b| hex(b)),
                text.get(i + 2).and_then(|&b| hex(b)),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'='),
            },
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// Quoted-printable (RFC 2045): `=XX` bytes, `=` at the end of a line is a
/// soft line break.
pub fn decode_quoted_printable(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        if c == b'=' {
            let rest = &text[i + 1..];
            if rest.starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if rest.starts_with(b"\n") {
                i += 2;
                continue;
            }
            if let (Some(h), Some(l)) = (
                rest.first().and_then(|&b| hex(b)),
                rest.get(1).and_then(|&b| hex(b)),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Base64 (standard alphabet); whitespace is ignored. `None` when the text
/// is not base64.
pub fn decode_base64(text: &[u8]) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in text {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == b'=' {
            break;
        }
        acc = (acc << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_cleaned_as_mailinfo_does() {
        let cases = [
            ("[PATCH] crypto: fix", "crypto: fix"),
            ("[PATCH v2 3/7] hw/virtio: x", "hw/virtio: x"),
            ("Re: [RFC][PATCH 1/2] a: b", "a: b"),
            ("RE:re: [x] [y]  title ", "title"),
            ("Reduce stuff", "Reduce stuff"),
            ("[unterminated title", "[unterminated title"),
        ];
        for (subject, want) in cases {
            assert_eq!(cleanup_subject(subject), want, "{subject}");
        }
    }

    #[test]
    fn cover_letters() {
        assert!(is_cover_letter("[PATCH 0/3] series"));
        assert!(is_cover_letter("[PATCH v2 00/12] series"));
        assert!(is_cover_letter("[RFC] [PATCH 0/2] x"));
        assert!(!is_cover_letter("[PATCH 1/3] x"));
        assert!(!is_cover_letter("[PATCH 10/30] x"));
        assert!(!is_cover_letter("[PATCH] fix 0/3 bug"));
    }

    #[test]
    fn encoded_words() {
        assert_eq!(
            decode_header(b"=?UTF-8?q?[PATCH]=20cr=C3=A9er_un?= =?UTF-8?q?_fichier?="),
            "[PATCH] créer un fichier"
        );
        assert_eq!(decode_header(b"=?utf-8?B?w6k=?= x"), "é x");
        assert_eq!(decode_header(b"=?iso-8859-1?q?=E9?="), "é");
        assert_eq!(decode_header(b"plain = text"), "plain = text");
        assert_eq!(
            decode_quoted_printable(b"a=3Db=\nc=C3=A9\n"),
            "a=bcé\n".as_bytes()
        );
    }

    #[test]
    fn addresses() {
        let id = parse_address("\"Thor, A U\" <a@example.com>");
        assert_eq!(id.name, b"Thor, A U");
        assert_eq!(id.email, b"a@example.com");
        let id = parse_address("a@example.com (A U Thor)");
        assert_eq!(id.name, b"A U Thor");
        assert_eq!(id.email, b"a@example.com");
    }

    #[test]
    fn mbox_split_and_parse() {
        let mbox = b"From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\n\
From: A U Thor <a@example.com>\n\
Subject: [PATCH 0/2] cover\n\
\n\
cover text\n\
From 2222222222222222222222222222222222222222 Mon Sep 17 00:00:00 2001\n\
From: A U Thor <a@example.com>\n\
Subject: [PATCH 1/2] crypto: a very long subject that\n\
\x20was folded\n\
Content-Transfer-Encoding: quoted-printable\n\
\n\
Body with caf=C3=A9.\n\
\n\
Signed-off-by: A U Thor <a@example.com>\n\
---\n\
AI-Assisted-by: x:y\n\
\x20crypto/aes.c | 1 +\n\
\n\
diff --git a/crypto/aes.c b/crypto/aes.c\n\
--- a/crypto/aes.c\n\
+++ b/crypto/aes.c\n\
@@ -1 +1,2 @@\n\
\x20x\n\
+y\n\
-- \n\
2.47.3\n\
\n\
From 3333333333333333333333333333333333333333 Mon Sep 17 00:00:00 2001\n\
From: Someone Else <s@example.com>\n\
Subject: [PATCH 2/2] docs: x\n\
\n\
From: Real Author <r@example.com>\n\
\n\
Text.\n";
        let patches = read_patches(mbox);
        assert_eq!(patches.len(), 3);
        assert!(patches[0].cover_letter);
        let p = &patches[1];
        assert!(!p.cover_letter);
        assert_eq!(p.title, "crypto: a very long subject that was folded");
        assert_eq!(
            String::from_utf8_lossy(&p.message),
            "crypto: a very long subject that was folded\n\nBody with café.\n\nSigned-off-by: A U Thor <a@example.com>\n---\nAI-Assisted-by: x:y\n crypto/aes.c | 1 +\n"
        );
        assert_eq!(p.paths, vec![b"crypto/aes.c".to_vec()]);
        let q = &patches[2];
        assert_eq!(
            q.author.as_ref().map(|a| a.email.clone()),
            Some(b"r@example.com".to_vec())
        );
        assert_eq!(String::from_utf8_lossy(&q.message), "docs: x\n\nText.\n");
        assert!(!q.has_diff);
    }

    #[test]
    fn input_without_mail_headers_is_not_a_mail() {
        let diff = b"diff --git a/crypto/aes.c b/crypto/aes.c\n--- a/crypto/aes.c\n+++ b/crypto/aes.c\n@@ -1 +1,2 @@\n x\n+y\n";
        let patches = read_patches(diff);
        assert_eq!(patches.len(), 1);
        assert!(!patches[0].is_mail());
        let show = b"commit 1111111111111111111111111111111111111111\nAuthor: A U Thor <a@example.com>\nDate:   Mon Sep 17 00:00:00 2001 +0000\n\n    t\n\n    AI-Assisted-by: x:y\n\ndiff --git a/a b/a\n";
        assert!(!read_patches(show)[0].is_mail());
        assert!(read_patches(b"Subject: [PATCH] t\n\nb\n")[0].is_mail());
        assert!(read_patches(b"From: A <a@example.com>\n\nb\n")[0].is_mail());
    }

    #[test]
    fn single_mail_without_from_line() {
        let patches = read_patches(b"Subject: [PATCH] t\n\nb\n");
        assert_eq!(patches.len(), 1);
        assert_eq!(patches[0].message, b"t\n\nb\n");
        assert!(read_patches(b"\n\n").is_empty());
    }
}
