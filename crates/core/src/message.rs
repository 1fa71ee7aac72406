//! Commit message cleanup, as `git commit --cleanup=<mode>` does it.
//!
//! TODO(trailer helper): implementation mirroring git's `strbuf_stripspace`
//! and `wt_status_locate_end` (scissors).

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
/// string (`#` by default).
pub fn cleanup(message: &[u8], mode: Cleanup, comment: &[u8]) -> Vec<u8> {
    let _ = (mode, comment);
    message.to_vec()
}
