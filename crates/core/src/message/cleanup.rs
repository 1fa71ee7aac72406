//! Commit message cleanup, as `git commit --cleanup=<mode>` does it.
//!
//! A port of git 2.47's `cleanup_message` (`sequencer.c`), which
//! `git commit` applies to the message after the commit-msg hook ran:
//!
//! - with `--cleanup=scissors` (or `-v`), the message is cut at the
//!   scissors line (`wt_status_locate_end` in `wt-status.c`, see
//!   [`locate_end`]);
//! - then, unless `verbatim`, `strbuf_stripspace` (`strbuf.c`, see
//!   [`stripspace`]) removes trailing whitespace, leading and trailing blank
//!   lines, collapses runs of blank lines into one, ends every line with
//!   `\n` and, for `strip`, drops lines that start with the comment string.
//!
//! The comment string is `core.commentChar` / `core.commentString`
//! (`#` by default); [`comment_string_from_config`] reads it from a
//! repository's configuration as git does.
//!
//! # Example
//!
//! ```
//! use tiergate_core::message::{cleanup, Cleanup};
//!
//! let msg = b"Title  \n\n\n\nBody\n# Please enter the commit message\n\n";
//! assert_eq!(cleanup(msg, Cleanup::Strip, b"#"), b"Title\n\nBody\n");
//! ```

use crate::message::trailer::{c_str, is_git_space};

pub use crate::message::trailer::CUT_LINE;

/// A `--cleanup` mode of `git commit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cleanup {
    /// `strip`: remove comment lines, trailing whitespace, collapse blank lines.
    Strip,
    /// `whitespace`: like strip but keep comment lines.
    Whitespace,
    /// `scissors`: like whitespace, but cut everything from the scissors line.
    Scissors,
    /// `verbatim`: no change.
    Verbatim,
}

/// Clean `message` as git would with `mode`, `comment` being the comment
/// string (`#` by default). This is `cleanup_message` without `-v`; see
/// [`cleanup_verbose`].
pub fn cleanup(message: &[u8], mode: Cleanup, comment: &[u8]) -> Vec<u8> {
    cleanup_verbose(message, mode, comment, false)
}

/// `cleanup_message(msg, mode, verbose)`: with `verbose` (`git commit -v`,
/// whose editor buffer has the diff below a scissors line) the message is
/// cut at the scissors line whatever the mode, as with `scissors`.
pub fn cleanup_verbose(message: &[u8], mode: Cleanup, comment: &[u8], verbose: bool) -> Vec<u8> {
    let mut msg = message;
    if verbose || mode == Cleanup::Scissors {
        // Truncate the message just before the diff, if any.
        msg = &msg[..locate_end(msg, comment)];
    }
    match mode {
        Cleanup::Verbatim => msg.to_vec(),
        Cleanup::Strip => stripspace(msg, Some(comment)),
        Cleanup::Whitespace | Cleanup::Scissors => stripspace(msg, None),
    }
}

/// `wt_status_locate_end`: the length of `message` before the scissors
/// line (`<comment> ------------------------ >8 ------------------------`
/// on a line of its own, newline included), or `message.len()` without
/// one. Only the exact line counts: no trailing whitespace, and like git,
/// only the part of the message before any NUL byte is searched.
pub fn locate_end(message: &[u8], comment: &[u8]) -> usize {
    crate::message::trailer::locate_end(c_str(message), message.len(), comment)
}

/// The offset of the scissors line in `message`, if it has one (see
/// [`locate_end`]).
pub fn scissors_position(message: &[u8], comment: &[u8]) -> Option<usize> {
    let end = locate_end(message, comment);
    (end < message.len()).then_some(end)
}

/// The scissors line for `comment`, newline included
/// (`wt_status_append_cut_line`'s first line).
pub fn scissors_line(comment: &[u8]) -> Vec<u8> {
    let mut line = comment.to_vec();
    line.push(b' ');
    line.extend_from_slice(CUT_LINE);
    line
}

/// `strbuf_stripspace(sb, comment_prefix)`: remove trailing whitespace of
/// each line, drop leading and trailing blank lines, collapse runs of
/// blank lines into one, end the last line with `\n`; with a comment
/// prefix, also drop the lines that start with it. What `git stripspace`
/// (`-s`) prints.
pub fn stripspace(message: &[u8], comment_prefix: Option<&[u8]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 1);
    let mut empties = 0usize;
    let mut i = 0;
    while i < message.len() {
        let len = match message[i..].iter().position(|&c| c == b'\n') {
            Some(eol) => eol + 1,
            None => message.len() - i,
        };
        let line = &message[i..i + len];
        i += len;
        if let Some(prefix) = comment_prefix {
            if line.starts_with(prefix) {
                continue;
            }
        }
        // cleanup(): drop trailing whitespace, the newline included.
        let mut newlen = line.len();
        while newlen > 0 && is_git_space(line[newlen - 1]) {
            newlen -= 1;
        }
        // Not just an empty line?
        if newlen > 0 {
            if empties > 0 && !out.is_empty() {
                out.push(b'\n');
            }
            empties = 0;
            out.extend_from_slice(&line[..newlen]);
            out.push(b'\n');
        } else {
            empties += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripspace_table() {
        let cases: &[(&str, &str, &str)] = &[
            // (input, stripspace, stripspace -s)
            ("", "", ""),
            ("\n\n", "", ""),
            ("a", "a\n", "a\n"),
            ("  a  \n", "  a\n", "  a\n"),
            ("\n\na\n\n\n\nb\n\n", "a\n\nb\n", "a\n\nb\n"),
            ("a\n# c\n\nb\n", "a\n# c\n\nb\n", "a\n\nb\n"),
            ("a\n#\n\n#\nb", "a\n#\n\n#\nb\n", "a\n\nb\n"),
            ("a\r\n\r\nb\r\n", "a\n\nb\n", "a\n\nb\n"),
            ("a\x0b\n", "a\x0b\n", "a\x0b\n"),
            ("# only\n", "# only\n", ""),
            ("a\n \t \nb\n", "a\n\nb\n", "a\n\nb\n"),
        ];
        for (input, plain, strip) in cases {
            assert_eq!(
                String::from_utf8_lossy(&stripspace(input.as_bytes(), None)),
                *plain,
                "{input:?}"
            );
            assert_eq!(
                String::from_utf8_lossy(&stripspace(input.as_bytes(), Some(b"#"))),
                *strip,
                "-s {input:?}"
            );
        }
    }

    #[test]
    fn scissors() {
        let cut = "# ------------------------ >8 ------------------------\n";
        let msg = format!("Title\n\nbody\n{cut}diff\n");
        assert_eq!(scissors_position(msg.as_bytes(), b"#"), Some(12));
        assert_eq!(
            cleanup(msg.as_bytes(), Cleanup::Scissors, b"#"),
            b"Title\n\nbody\n"
        );
        // Strip keeps what follows the (comment) scissors line ...
        assert_eq!(
            cleanup(msg.as_bytes(), Cleanup::Strip, b"#"),
            b"Title\n\nbody\ndiff\n"
        );
        // ... unless verbose.
        assert_eq!(
            cleanup_verbose(msg.as_bytes(), Cleanup::Strip, b"#", true),
            b"Title\n\nbody\n"
        );
        // At the very start.
        assert_eq!(locate_end(format!("{cut}x\n").as_bytes(), b"#"), 0);
        // Not at the start of a line, or with trailing space, or without
        // its newline: not a scissors line.
        for bad in [
            format!("Title\nx{cut}y\n"),
            format!("Title\n{}  \ny\n", cut.trim_end()),
            format!("Title\n{}", cut.trim_end()),
        ] {
            assert_eq!(scissors_position(bad.as_bytes(), b"#"), None, "{bad:?}");
        }
        // Custom comment string.
        let msg = "T\n// ------------------------ >8 ------------------------\nx\n";
        assert_eq!(scissors_position(msg.as_bytes(), b"//"), Some(2));
        assert_eq!(scissors_position(msg.as_bytes(), b"#"), None);
        assert_eq!(scissors_line(b"//"), &msg.as_bytes()[2..58]);
        // After a NUL git does not look.
        let msg = format!("T\n\0\n{cut}x\n");
        assert_eq!(scissors_position(msg.as_bytes(), b"#"), None);
    }

    #[test]
    fn verbatim_is_identity() {
        let msg = b"  a \n\n\n# x\n";
        assert_eq!(cleanup(msg, Cleanup::Verbatim, b"#"), msg);
    }
}
