//! Commit encodings: judge what git shows, not the bytes it stores.
//!
//! A commit may carry an `encoding` header (`git -c
//! i18n.commitEncoding=ISO-8859-1 commit`): its message and identities are
//! then stored in that encoding, and `git log` re-encodes them to UTF-8
//! (`i18n.logOutputEncoding`) for display. tiergate reads raw bytes, so
//! without this module a commit could show a reviewer one text and tiergate
//! another: in UTF-7, `+AEM-o-authored-by: Claude` is `Co-authored-by:
//! Claude` once decoded, a marker tiergate would not see.
//!
//! - No `encoding` header, or a UTF-8 one: the bytes are judged as stored.
//! - An ASCII-compatible encoding that [`encoding_rs`] implements (the
//!   ISO-8859 family, windows-125x, KOI8, Shift_JIS, EUC-JP, EUC-KR, GBK,
//!   gb18030, Big5, ...): the message and the `author` and `committer`
//!   lines are decoded to UTF-8 before judging ([`to_utf8`]); a sequence
//!   that does not decode becomes U+FFFD, as git's `log` shows it.
//! - Any other encoding — UTF-7, UTF-16 and UTF-32 (whose NUL bytes git
//!   itself cuts the message at), EBCDIC, ISO-2022 variants, names nobody
//!   knows: [`UnreadableEncoding`]. The server refuses such a push, whatever
//!   `server.on_error` says; `tiergate check` stops with exit 3.
//!
//! WHATWG labels are used, so `ISO-8859-1` and `latin1` decode as
//! windows-1252 (identical except for C1 control characters).

use crate::repo::object;
use encoding_rs::Encoding;
use std::borrow::Cow;

/// What a commit's `encoding` header (or `i18n.commitEncoding`) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// UTF-8, or no header: judged as stored.
    Utf8,
    /// An ASCII-compatible encoding tiergate decodes before judging.
    Decoded(&'static Encoding),
}

/// An encoding tiergate cannot read, so cannot judge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("encoding `{label}` is not one tiergate can read (git would re-encode the message for display, tiergate cannot check what it says)")]
pub struct UnreadableEncoding {
    /// The encoding's name as written (lossily decoded).
    pub label: String,
}

/// The charset an encoding name stands for (git compares names
/// case-insensitively, `utf8` included).
pub fn charset(label: &[u8]) -> Result<Charset, UnreadableEncoding> {
    let label = label.trim_ascii();
    if label.eq_ignore_ascii_case(b"utf-8") || label.eq_ignore_ascii_case(b"utf8") {
        return Ok(Charset::Utf8);
    }
    match Encoding::for_label_no_replacement(label) {
        Some(e) if e == encoding_rs::UTF_8 => Ok(Charset::Utf8),
        Some(e) if e.is_ascii_compatible() && e != encoding_rs::ISO_2022_JP => {
            Ok(Charset::Decoded(e))
        }
        _ => Err(UnreadableEncoding {
            label: String::from_utf8_lossy(label).into_owned(),
        }),
    }
}

/// The value of the `encoding` header of a raw commit, if any.
pub fn header(raw: &[u8]) -> Option<&[u8]> {
    // The first one, as git's `find_commit_header` reads it (a second one
    // is a `malformed-commit`). Read for every commit of a walk: a scan of
    // the header lines, not a whole parse.
    object::first_header(raw, "encoding")
}

/// Decode `bytes` from `charset` to UTF-8 (malformed sequences become
/// U+FFFD).
pub fn decode(bytes: &[u8], charset: Charset) -> Cow<'_, [u8]> {
    match charset {
        Charset::Utf8 => Cow::Borrowed(bytes),
        Charset::Decoded(e) => match e.decode_without_bom_handling(bytes).0 {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        },
    }
}

/// A raw commit as git would show it: when its `encoding` header names
/// another charset, the message and the `author` and `committer` lines
/// decoded to UTF-8 and the header dropped; otherwise unchanged.
pub fn reencode_commit(raw: &[u8]) -> Result<Cow<'_, [u8]>, UnreadableEncoding> {
    let Some(label) = header(raw) else {
        return Ok(Cow::Borrowed(raw));
    };
    let charset = charset(label)?;
    if charset == Charset::Utf8 {
        return Ok(Cow::Borrowed(raw));
    }
    let mut lines = object::header_lines(raw);
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 4);
    for line in lines.by_ref() {
        if line.starts_with(b"encoding ") {
            continue;
        }
        if line.starts_with(b"author ") || line.starts_with(b"committer ") {
            out.extend_from_slice(&decode(line, charset));
        } else {
            out.extend_from_slice(line);
        }
        out.push(b'\n');
    }
    out.push(b'\n');
    let body = lines.message_offset.unwrap_or(raw.len());
    out.extend_from_slice(&decode(&raw[body..], charset));
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &[u8] = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor Ren\xe9 <r@x> 1 +0000\ncommitter C <c@x> 1 +0000\n";

    fn commit(encoding: Option<&str>, message: &[u8]) -> Vec<u8> {
        let mut raw = HEAD.to_vec();
        if let Some(e) = encoding {
            raw.extend_from_slice(format!("encoding {e}\n").as_bytes());
        }
        raw.push(b'\n');
        raw.extend_from_slice(message);
        raw
    }

    #[test]
    fn charsets() {
        for utf8 in ["UTF-8", "utf-8", "utf8", "UTF8", " UTF-8 "] {
            assert_eq!(charset(utf8.as_bytes()), Ok(Charset::Utf8), "{utf8}");
        }
        for latin in [
            "ISO-8859-1",
            "iso-8859-1",
            "latin1",
            "ISO-8859-15",
            "windows-1252",
            "KOI8-R",
            "Shift_JIS",
            "EUC-JP",
            "GBK",
            "Big5",
        ] {
            assert!(
                matches!(charset(latin.as_bytes()), Ok(Charset::Decoded(_))),
                "{latin}"
            );
        }
        for bad in [
            "UTF-7",
            "UTF-16",
            "UTF-16LE",
            "UTF-16BE",
            "UTF-32",
            "IBM037",
            "ISO-2022-JP",
            "ISO-2022-KR",
            "hz-gb-2312",
            "x-nothing",
            "",
            "\u{ff}",
        ] {
            assert!(charset(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn latin1_commits_are_decoded() {
        let raw = commit(
            Some("ISO-8859-1"),
            b"Caf\xe9 fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
        );
        assert_eq!(header(&raw), Some(&b"ISO-8859-1"[..]));
        let out = reencode_commit(&raw).expect("readable");
        let text = std::str::from_utf8(&out).expect("UTF-8");
        assert_eq!(
            text,
            "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor Ren\u{e9} <r@x> 1 +0000\ncommitter C <c@x> 1 +0000\n\nCaf\u{e9} fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"
        );
        let info = crate::repo::commit_facts_from_raw(&out);
        assert_eq!(info.title, "Caf\u{e9} fix");
        assert_eq!(info.facts.author.name, "Ren\u{e9}".as_bytes());
    }

    #[test]
    fn utf8_and_headerless_commits_are_unchanged() {
        for raw in [commit(None, b"T\xff\n"), commit(Some("UTF-8"), b"T\xff\n")] {
            assert!(matches!(reencode_commit(&raw), Ok(Cow::Borrowed(_))));
        }
        // A message line that looks like a header is not one.
        let raw = commit(None, b"encoding UTF-7\n");
        assert_eq!(header(&raw), None);
    }

    #[test]
    fn unreadable_encodings_are_refused() {
        let raw = commit(
            Some("UTF-7"),
            b"Fix\n\n+AEM-o-authored-by: Claude <noreply@anthropic.com>\n",
        );
        let err = reencode_commit(&raw).expect_err("UTF-7");
        assert_eq!(err.label, "UTF-7");
        assert!(err
            .to_string()
            .contains("`UTF-7` is not one tiergate can read"));
        let raw = commit(Some("UTF-16LE"), b"F\0i\0x\0");
        assert!(reencode_commit(&raw).is_err());
    }

    #[test]
    fn multi_line_headers_are_kept() {
        let mut raw = HEAD.to_vec();
        raw.extend_from_slice(b"encoding latin1\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\n\nT\xe9\n");
        let out = reencode_commit(&raw).expect("readable");
        let text = String::from_utf8(out.into_owned()).expect("UTF-8");
        assert!(text.contains("gpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\n\nT\u{e9}\n"), "{text}");
        assert!(!text.contains("encoding"), "{text}");
    }
}
