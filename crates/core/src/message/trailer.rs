//! Trailers, parsed exactly as git's `trailer.c` parses them.
//!
//! This module is a line-for-line port of the reading half of git 2.47's
//! `trailer.c` (`trailer_info_get`, `parse_trailers`, `format_trailers`) and
//! of the helpers it calls in `commit.c` (`ignored_log_message_bytes`) and
//! `wt-status.c` (`wt_status_locate_end`). It agrees with
//! `git interpret-trailers --parse` byte for byte; the differential tests in
//! `tests/trailers.rs` compare it with the installed git on a corpus of real
//! messages and on generated adversarial ones.
//!
//! # What git does, in order
//!
//! 1. `git interpret-trailers` reads its input and completes the last line
//!    (`strbuf_complete_line`: a final `\n` is added when missing). From
//!    then on the message is handled as a C string, so a NUL byte ends it.
//! 2. `find_end_of_log_message`: unless `--no-divider`, the first line that
//!    starts with `---` followed by whitespace ends the message (the "patch
//!    part" of `git format-patch` output). Then `ignored_log_message_bytes`
//!    drops what `git commit` would ignore at the end: everything from the
//!    scissors line (`# ------------------------ >8 ------------------------`,
//!    with the comment string) on, and a trailing run of comment lines,
//!    empty lines and old-style `Conflicts:` blocks.
//! 3. `find_trailer_block_start`: the first paragraph (the title) is never
//!    trailers. Scanning backward from the end, the last paragraph is the
//!    trailer block if all its lines are trailers (`token: value`, see
//!    [`find_separator`]) or continuation lines (starting with a space or a
//!    tab), or — the 25% rule — if it contains a git-generated line
//!    (`Signed-off-by: `, `(cherry picked from commit `) and at least a
//!    quarter of its lines are trailers.
//! 4. The block is split into lines; a line starting with whitespace is
//!    glued to the previous trailer. Comment lines and non-trailer lines are
//!    skipped; key and value are trimmed and the value unfolded (`--parse`
//!    means `--only-trailers --only-input --unfold`).
//! 5. Each trailer is printed as `key: value\n`.
//!
//! # Committed messages
//!
//! [`parse`] reads a message the way `git interpret-trailers` reads a file
//! (the commit-msg hook case). For messages as stored in commits, use
//! [`parse_committed`], which mirrors `git log --format=%(trailers)`: it
//! implies `--no-divider`, does not complete the last line, and, like
//! `pretty.c`, skips blank lines at the start of the message first (which
//! matters: `"\n\nKey: v\n"` has a trailer for `interpret-trailers` — the
//! empty first paragraph is the title — and none for `%(trailers)`).
//!
//! ### Deviation
//!
//! git also consults the `trailer.*` configuration (`trailer.separators`,
//! `trailer.<token>.key` aliases that count as git-generated prefixes and
//! rename keys). This module does not: separators are always `:` and no key
//! is rewritten, which is what git does with no `trailer.*` configuration.
//!
//! # Example
//!
//! ```
//! use tiergate_core::message::trailer::{parse, render_parse, ParseOptions};
//!
//! let msg = b"Fix the frobnicator\n\nIt was broken.\n\nReviewed-by: A <a@example.com>\nSigned-off-by: B <b@example.com>\n";
//! let block = parse(msg, &ParseOptions::default());
//! assert_eq!(block.trailers.len(), 2);
//! assert_eq!(block.trailers[0].key, b"Reviewed-by");
//! assert_eq!(block.trailers[1].line, 5);
//! assert_eq!(
//!     render_parse(msg, &ParseOptions::default()),
//!     b"Reviewed-by: A <a@example.com>\nSigned-off-by: B <b@example.com>\n"
//! );
//! ```

/// How to parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// `--no-divider`: do not treat a `---` line as the end of the message.
    /// Committed messages are parsed with this set (like `%(trailers)`).
    pub no_divider: bool,
    /// The comment string (`core.commentChar` / `core.commentString`),
    /// default `#`.
    pub comment: Vec<u8>,
}

impl ParseOptions {
    /// The options for messages as stored in commits: `--no-divider`
    /// semantics, like `git log --format=%(trailers)` (the rules then read
    /// the message with [`parse_committed`]). Every judge of stored commits
    /// (`tiergate check`, the hooks, the server) uses these, so that they
    /// agree.
    pub fn stored() -> Self {
        ParseOptions {
            no_divider: true,
            ..ParseOptions::default()
        }
    }
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            no_divider: false,
            comment: b"#".to_vec(),
        }
    }
}

/// One trailer of a trailer block, as git reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailer {
    /// The key (token) as written, trimmed of surrounding whitespace.
    pub key: Vec<u8>,
    /// The value, trimmed, with continuation lines unfolded as
    /// `git interpret-trailers --unfold` does.
    pub value: Vec<u8>,
    /// 0-based line number in the message of the trailer's first line.
    pub line: usize,
}

/// The trailer block of a message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailerBlock {
    /// Byte offset in the message where the trailer block starts (equal to
    /// `end` when there is no block).
    pub start: usize,
    /// Byte offset where the trailer block ends (the end of the log message
    /// proper: before a `---` divider, scissors line or trailing comments).
    pub end: usize,
    /// The trailers of the block, in order. Non-trailer lines inside the
    /// block (allowed by git's 25% rule) are not included.
    pub trailers: Vec<Trailer>,
}

/// The separators git uses when `trailer.separators` is not configured.
pub const SEPARATORS: &[u8] = b":";

/// The line prefixes git itself generates (`git_generated_prefixes` in
/// `trailer.c`): one of them in the last paragraph lets the 25% rule apply.
pub const GIT_GENERATED_PREFIXES: [&[u8]; 2] = [b"Signed-off-by: ", b"(cherry picked from commit "];

/// The scissors line without its comment string and space
/// (`cut_line` in `wt-status.c`).
pub const CUT_LINE: &[u8] = b"------------------------ >8 ------------------------\n";

/// git's `isspace` (`sane_ctype`): only space, `\t`, `\n` and `\r`; not
/// `\v` nor `\f`, and nothing above ASCII.
pub fn is_git_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// git's `isalnum`: ASCII letters and digits only.
fn is_git_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// The part of `s` git sees when it handles `s` as a C string: everything
/// before the first NUL byte.
pub(crate) fn c_str(s: &[u8]) -> &[u8] {
    match s.iter().position(|&c| c == 0) {
        Some(nul) => &s[..nul],
        None => s,
    }
}

/// `strbuf_trim`: drop git-whitespace at both ends.
fn trim(s: &[u8]) -> &[u8] {
    let mut a = 0;
    let mut b = s.len();
    while b > a && is_git_space(s[b - 1]) {
        b -= 1;
    }
    while a < b && is_git_space(s[a]) {
        a += 1;
    }
    &s[a..b]
}

/// git's `find_separator` with the default separators (`:`).
///
/// If `line` has the form `<token><optional whitespace><separator>...` or
/// `<separator>...`, the byte offset of the separator; otherwise `None`.
/// The token is made of ASCII letters, digits and `-`; whitespace (space or
/// tab) is allowed between token and separator only, and never at the start
/// (`"Bug #43"`-style). `Some(0)` means the line starts with the separator:
/// git does not count such a line as a trailer, so test `>= 1` (or use
/// [`is_trailer_line`]). Scanning stops at the end of the first line (or a
/// NUL byte), as git's does.
pub fn find_separator(line: &[u8]) -> Option<usize> {
    find_separator_in(line, SEPARATORS)
}

/// [`find_separator`] with explicit separators (`trailer.separators`).
pub fn find_separator_in(line: &[u8], separators: &[u8]) -> Option<usize> {
    let mut whitespace_found = false;
    for (i, &c) in line.iter().enumerate() {
        if c == 0 {
            break;
        }
        if separators.contains(&c) {
            return Some(i);
        }
        if !whitespace_found && (is_git_alnum(c) || c == b'-') {
            continue;
        }
        if i != 0 && (c == b' ' || c == b'\t') {
            whitespace_found = true;
            continue;
        }
        break;
    }
    None
}

/// Whether `line` is one of the lines git generates itself
/// ([`GIT_GENERATED_PREFIXES`]).
pub fn is_git_generated(line: &[u8]) -> bool {
    GIT_GENERATED_PREFIXES.iter().any(|p| line.starts_with(p))
}

/// Whether git's `find_trailer_block_start` counts `line` (one line, with
/// or without its `\n`) as a trailer line: a git-generated line, or
/// `<token>:` with a non-empty token not preceded by whitespace. Comment
/// lines are not trailers, whatever they look like: check them first with
/// [`is_comment_line`].
pub fn is_trailer_line(line: &[u8]) -> bool {
    is_git_generated(line)
        || (matches!(find_separator(line), Some(p) if p >= 1)
            && !line.first().is_some_and(|&c| is_git_space(c)))
}

/// Whether `line`, inside a trailer block, is glued to the trailer before
/// it (`trailer_info_get`): it starts with git whitespace (space, tab, `\r`
/// or `\n`; a blank line can only be in a block at its very end).
pub fn is_continuation_line(line: &[u8]) -> bool {
    line.first().is_some_and(|&c| is_git_space(c))
}

/// Whether `line` starts with the comment string.
pub fn is_comment_line(line: &[u8], comment: &[u8]) -> bool {
    line.starts_with(comment)
}

/// `next_line`: the offset just after the `\n` ending the line at `pos`,
/// or the end of `buf`.
fn next_line(buf: &[u8], pos: usize) -> usize {
    match buf[pos.min(buf.len())..].iter().position(|&c| c == b'\n') {
        Some(i) => pos + i + 1,
        None => buf.len(),
    }
}

/// `last_line`: start of the last line of `buf[..len]`, `None` if `len` is
/// 0. A final `\n` belongs to the last line.
fn last_line(buf: &[u8], len: usize) -> Option<usize> {
    if len == 0 {
        return None;
    }
    if len == 1 {
        return Some(0);
    }
    // Skip the last character: if it is a newline, it ends the last line.
    let mut i = len - 2;
    loop {
        if buf[i] == b'\n' {
            return Some(i + 1);
        }
        if i == 0 {
            return Some(0);
        }
        i -= 1;
    }
}

/// `is_blank_line` of `trailer.c`: the line at `pos` holds only whitespace.
fn is_blank_line(buf: &[u8], pos: usize) -> bool {
    let mut s = pos;
    while s < buf.len() && buf[s] != b'\n' && is_git_space(buf[s]) {
        s += 1;
    }
    s >= buf.len() || buf[s] == b'\n'
}

/// `wt_status_locate_end` (`wt-status.c`): where the message ends when it
/// contains the scissors line `<comment> ------------------------ >8
/// ------------------------`: 0 if the message starts with it, the start of
/// its first occurrence otherwise, or `len`. `buf` must not contain NUL.
pub(crate) fn locate_end(buf: &[u8], len: usize, comment: &[u8]) -> usize {
    let mut pattern = Vec::with_capacity(comment.len() + CUT_LINE.len() + 2);
    pattern.push(b'\n');
    pattern.extend_from_slice(comment);
    pattern.push(b' ');
    pattern.extend_from_slice(CUT_LINE);
    if buf.starts_with(&pattern[1..]) {
        return 0;
    }
    if let Some(p) = find_bytes(buf, &pattern) {
        let newlen = p + 1;
        if newlen < len {
            return newlen;
        }
    }
    len
}

/// `strstr` on byte slices.
fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    memchr::memmem::find(haystack, needle)
}

/// `ignored_log_message_bytes` (`commit.c`): how many bytes at the end of
/// `buf[..len]` `git commit` would ignore: everything from the scissors
/// line, and the trailing run of comment lines, empty lines and old-style
/// `Conflicts:` blocks (with their tab-indented paths).
fn ignored_log_message_bytes(buf: &[u8], len: usize, comment: &[u8]) -> usize {
    // Beginning of the current run of comments; 0 means "none", exactly as
    // in git (so a run starting at offset 0 only counts from its second
    // line).
    let mut boc = 0;
    let mut bol = 0;
    let mut in_old_conflicts_block = false;
    let cutoff = locate_end(buf, len, comment);

    while bol < cutoff {
        let next = match buf[bol..len].iter().position(|&c| c == b'\n') {
            Some(i) => bol + i + 1,
            None => len,
        };
        if buf[bol..cutoff].starts_with(comment) || buf[bol] == b'\n' {
            // Is this the first of the run of comments?
            if boc == 0 {
                boc = bol;
            }
        } else if buf[bol..].starts_with(b"Conflicts:\n") {
            in_old_conflicts_block = true;
            if boc == 0 {
                boc = bol;
            }
        } else if in_old_conflicts_block && buf[bol] == b'\t' {
            // A pathname in the conflicts block.
        } else if boc != 0 {
            // The previous was not trailing comment.
            boc = 0;
            in_old_conflicts_block = false;
        }
        bol = next;
    }
    if boc != 0 {
        len - boc
    } else {
        len - cutoff
    }
}

/// `find_end_of_log_message`: the end of the log message proper in `buf`
/// (already a C string, line-completed as git does).
fn find_end_of_log_message(buf: &[u8], no_divider: bool, comment: &[u8]) -> usize {
    // Assume the naive end of the input is already what we want.
    let mut end = buf.len();
    // Optionally skip over any patch part ("---" line and below).
    if !no_divider {
        let mut s = 0;
        while s < buf.len() {
            if buf[s..].starts_with(b"---") && buf.get(s + 3).is_some_and(|&c| is_git_space(c)) {
                end = s;
                break;
            }
            s = next_line(buf, s);
        }
    }
    // Skip over other ignorable bits.
    end - ignored_log_message_bytes(buf, end, comment)
}

/// `find_trailer_block_start`: the offset of the first line of the trailer
/// block in `buf[..len]`, or `len` if there is none.
fn find_trailer_block_start(buf: &[u8], len: usize, comment: &[u8]) -> usize {
    let mut only_spaces = true;
    let mut recognized_prefix = false;
    let mut trailer_lines: usize = 0;
    let mut non_trailer_lines: usize = 0;
    // Possible continuation lines seen: reset to 0 on a trailer (they were
    // its continuation), added to non_trailer_lines on a non-trailer.
    let mut possible_continuation_lines: usize = 0;

    // The first paragraph is the title and cannot be trailers.
    let mut s = 0;
    while s < len {
        if buf[s..len].starts_with(comment) {
            s = next_line(buf, s);
            continue;
        }
        if is_blank_line(buf, s) {
            break;
        }
        s = next_line(buf, s);
    }
    let end_of_title = s;

    // Get the start of the trailers by looking starting from the end for a
    // blank line before a set of non-blank lines that (i) are all
    // trailers, or (ii) contains at least one Git-generated trailer and
    // consists of at least 25% trailers.
    let mut l = last_line(buf, len);
    while let Some(bol) = l {
        if bol < end_of_title {
            break;
        }
        l = last_line(buf, bol);

        if buf[bol..len].starts_with(comment) {
            non_trailer_lines += possible_continuation_lines;
            possible_continuation_lines = 0;
            continue;
        }
        if is_blank_line(buf, bol) {
            if only_spaces {
                continue;
            }
            non_trailer_lines += possible_continuation_lines;
            if (recognized_prefix && trailer_lines * 3 >= non_trailer_lines)
                || (trailer_lines > 0 && non_trailer_lines == 0)
            {
                return next_line(buf, bol);
            }
            return len;
        }
        only_spaces = false;

        let line = &buf[bol..];
        if is_git_generated(line) {
            trailer_lines += 1;
            possible_continuation_lines = 0;
            recognized_prefix = true;
            continue;
        }

        let starts_with_space = is_git_space(buf[bol]);
        if matches!(find_separator(line), Some(p) if p >= 1) && !starts_with_space {
            trailer_lines += 1;
            possible_continuation_lines = 0;
            // (git would also look the token up in trailer.<name>.key here.)
        } else if starts_with_space {
            possible_continuation_lines += 1;
        } else {
            non_trailer_lines += 1;
            non_trailer_lines += possible_continuation_lines;
            possible_continuation_lines = 0;
        }
    }
    len
}

/// `unfold_value`: each newline and the whitespace after it become one
/// space; the result is trimmed.
fn unfold_value(val: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(val.len());
    let mut i = 0;
    while i < val.len() {
        let c = val[i];
        i += 1;
        if c == b'\n' {
            // Collapse continuation down to a single space.
            while i < val.len() && is_git_space(val[i]) {
                i += 1;
            }
            out.push(b' ');
        } else {
            out.push(c);
        }
    }
    // Empty lines may have left us with whitespace cruft at the edges.
    trim(&out).to_vec()
}

/// `trailer_info_get` + `parse_trailers` on `buf` (a C string): the block
/// with offsets into `buf`.
fn parse_buf(buf: &[u8], no_divider: bool, comment: &[u8]) -> TrailerBlock {
    let end = find_end_of_log_message(buf, no_divider, comment);
    let start = find_trailer_block_start(buf, end, comment);

    // Split the block into lines, gluing continuation lines (starting with
    // whitespace) to the previous trailer. Each entry: (offset of the
    // first line, text including continuations and newlines).
    let mut strings: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut last: Option<usize> = None;
    let mut pos = start;
    while pos < end {
        let next = match buf[pos..end].iter().position(|&c| c == b'\n') {
            Some(i) => pos + i + 1,
            None => end,
        };
        let piece = &buf[pos..next];
        match last {
            Some(idx) if is_git_space(piece[0]) => {
                strings[idx].1.extend_from_slice(piece);
            }
            _ => {
                last = match find_separator(piece) {
                    Some(p) if p >= 1 => Some(strings.len()),
                    _ => None,
                };
                strings.push((pos, piece.to_vec()));
            }
        }
        pos = next;
    }

    let mut trailers = Vec::new();
    // Line numbers counted incrementally (offsets only grow): counting
    // from the start for each trailer is quadratic in a message with
    // thousands of trailers.
    let (mut counted_to, mut line) = (0, 0);
    for (offset, text) in strings {
        line += buf[counted_to..offset]
            .iter()
            .filter(|&&c| c == b'\n')
            .count();
        counted_to = offset;
        if text.starts_with(comment) {
            continue;
        }
        let Some(sep) = find_separator(&text).filter(|&p| p >= 1) else {
            continue;
        };
        trailers.push(Trailer {
            key: trim(&text[..sep]).to_vec(),
            value: unfold_value(trim(&text[sep + 1..])),
            line,
        });
    }
    TrailerBlock {
        start,
        end,
        trailers,
    }
}

/// Parse the trailer block of `message` as `git interpret-trailers` does
/// (the commit-msg hook case: the message is the file git hands the hook).
///
/// Like git, a missing final newline is supplied before parsing and a NUL
/// byte ends the message. Offsets are into `message` (never past its end).
pub fn parse(message: &[u8], options: &ParseOptions) -> TrailerBlock {
    // read_input_file(): strbuf_complete_line(), then C-string handling.
    let completed;
    let buf = if message.contains(&0) {
        c_str(message)
    } else if message.last().is_some_and(|&c| c != b'\n') {
        let mut v = Vec::with_capacity(message.len() + 1);
        v.extend_from_slice(message);
        v.push(b'\n');
        completed = v;
        &completed[..]
    } else {
        message
    };
    let mut block = parse_buf(buf, options.no_divider, &options.comment);
    block.start = block.start.min(message.len());
    block.end = block.end.min(message.len());
    block
}

/// `skip_blank_lines` of `pretty.c`: the length of the run of blank lines
/// (whitespace only, a final line without newline included) that starts
/// `message`.
pub fn leading_blank_lines(message: &[u8]) -> usize {
    let mut pos = 0;
    while pos < message.len() {
        let next = next_line(message, pos);
        if !message[pos..next].iter().all(|&c| is_git_space(c)) {
            break;
        }
        pos = next;
    }
    pos
}

/// Parse the trailers of a message as stored in a commit, exactly as
/// `git log --format=%(trailers)` does (`format_trailers_from_commit`):
/// `--no-divider` semantics, no newline completion, and leading blank lines
/// skipped first. Offsets and line numbers are into `message`.
pub fn parse_committed(message: &[u8], comment: &[u8]) -> TrailerBlock {
    let buf = c_str(message);
    let skip = leading_blank_lines(buf);
    let skipped_lines = buf[..skip].iter().filter(|&&c| c == b'\n').count();
    let mut block = parse_buf(&buf[skip..], true, comment);
    block.start += skip;
    block.end += skip;
    for t in &mut block.trailers {
        t.line += skipped_lines;
    }
    block
}

/// How `format_trailers` prints the trailers with `--only-trailers`:
/// `key: value\n` each (the `: ` is left out if the key already ends with
/// a separator, which only configured keys can).
pub fn render(block: &TrailerBlock) -> Vec<u8> {
    let mut out = Vec::new();
    for t in &block.trailers {
        out.extend_from_slice(&t.key);
        let last_non_space = t.key.iter().rev().find(|&&c| !is_git_space(c));
        if let Some(c) = last_non_space {
            if !SEPARATORS.contains(c) {
                out.push(SEPARATORS[0]);
                out.push(b' ');
            }
        }
        out.extend_from_slice(&t.value);
        out.push(b'\n');
    }
    out
}

/// What `git interpret-trailers --parse` prints for `message`.
pub fn render_parse(message: &[u8], options: &ParseOptions) -> Vec<u8> {
    render(&parse(message, options))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(no_divider: bool) -> ParseOptions {
        ParseOptions {
            no_divider,
            comment: b"#".to_vec(),
        }
    }

    /// (message, expected `--parse` output, expected `--parse --no-divider`)
    /// — expectations checked by hand against git 2.47.3.
    const CASES: &[(&str, &str, &str)] = &[
        ("", "", ""),
        ("Title only", "", ""),
        ("Key: value", "", ""),
        ("Title\n\nKey: value", "Key: value\n", "Key: value\n"),
        ("Title\n\nKey: value\n", "Key: value\n", "Key: value\n"),
        ("Title\nKey: value\n", "", ""),
        ("\n\nKey: value\n", "Key: value\n", "Key: value\n"),
        ("Title\n\nbody\nKey: value\n", "", ""),
        ("Title\n\nKey :  v  \n", "Key: v\n", "Key: v\n"),
        ("Title\n\nKey\t: v\n", "Key: v\n", "Key: v\n"),
        ("Title\n\n Key: v\n", "", ""),
        ("Title\n\nKey:\n", "Key: \n", "Key: \n"),
        ("Title\n\n: v\nKey: w\n", "", ""),
        ("Title\n\nKey two: v\n", "", ""),
        ("Title\n\nK_y: v\n", "", ""),
        (
            "Title\n\nKey: a\n  b\n\tc\n",
            "Key: a b c\n",
            "Key: a b c\n",
        ),
        ("Title\n\nKey: a\n  \n", "Key: a\n", "Key: a\n"),
        // The 25% rule.
        (
            "Title\n\nnot a trailer\nSigned-off-by: A\n",
            "Signed-off-by: A\n",
            "Signed-off-by: A\n",
        ),
        (
            "Title\n\nno\nno\nno\nSigned-off-by: A\n",
            "Signed-off-by: A\n",
            "Signed-off-by: A\n",
        ),
        ("Title\n\nno\nno\nno\nno\nSigned-off-by: A\n", "", ""),
        ("Title\n\nnot a trailer\nAcked-by: A\n", "", ""),
        ("Title\n\nx\n(cherry picked from commit abc)\n", "", ""),
        (
            "Title\n\nx\n(cherry picked from commit abc)\nK: v\n",
            "K: v\n",
            "K: v\n",
        ),
        // Signed-off-by without the space is not the generated prefix.
        ("Title\n\nx\nSigned-off-by:A\n", "", ""),
        // Divider.
        ("Title\n\nA: b\n---\nC: d\n", "A: b\n", ""),
        ("Title\n\nA: b\n--- \n\nC: d\n", "A: b\n", "C: d\n"),
        ("Title\n\nA: b\n----\n", "", ""),
        ("Title\n\nA: b\n---", "A: b\n", ""),
        // Comments and scissors.
        ("Title\n\nA: b\n# comment\n\n# more\n", "A: b\n", "A: b\n"),
        (
            "Title\n\nA: b\n# C: d\nE: f\n",
            "A: b\nE: f\n",
            "A: b\nE: f\n",
        ),
        (
            "Title\n\nA: b\n# ------------------------ >8 ------------------------\nC: d\n",
            "A: b\n",
            "A: b\n",
        ),
        (
            "# ------------------------ >8 ------------------------\n\nA: b\n",
            "",
            "",
        ),
        ("Title\n\nA: b\nConflicts:\n\tx.c\n", "A: b\n", "A: b\n"),
        // CRLF.
        ("Title\r\n\r\nA: b\r\n", "A: b\n", "A: b\n"),
        ("Title\r\n\r\nA: b\r\n c\r\n", "A: b\r c\n", "A: b\r c\n"),
        // A NUL ends the message.
        ("Title\n\nA: b\n\0C: d\n", "A: b\n", "A: b\n"),
        ("Title\n\nA: b\0\nC: d\n", "A: b\n", "A: b\n"),
    ];

    #[test]
    fn table() {
        for (msg, want, want_nd) in CASES {
            let got = render_parse(msg.as_bytes(), &opts(false));
            assert_eq!(
                String::from_utf8_lossy(&got),
                *want,
                "divider mode, message {msg:?}"
            );
            let got = render_parse(msg.as_bytes(), &opts(true));
            assert_eq!(
                String::from_utf8_lossy(&got),
                *want_nd,
                "no-divider mode, message {msg:?}"
            );
        }
    }

    #[test]
    fn separator() {
        let cases: &[(&str, Option<usize>)] = &[
            ("Key: v", Some(3)),
            (": v", Some(0)),
            ("Key : v", Some(4)),
            ("Key \t: v", Some(5)),
            (" Key: v", None),
            ("Key x: v", None),
            ("Ke_y: v", None),
            ("a-b-c:", Some(5)),
            ("-:", Some(1)),
            ("Key", None),
            ("Key\n: v", None),
            ("Kéy: v", None),
            ("", None),
        ];
        for (line, want) in cases {
            assert_eq!(find_separator(line.as_bytes()), *want, "{line:?}");
        }
        assert!(is_trailer_line(b"Signed-off-by: A"));
        assert!(is_trailer_line(b"(cherry picked from commit x)"));
        assert!(!is_trailer_line(b": x"));
        assert!(!is_trailer_line(b" Key: x"));
        assert!(is_continuation_line(b"\tmore"));
        assert!(!is_continuation_line(b"x \n"));
    }

    #[test]
    fn offsets_and_lines() {
        let msg = b"Title\n\nbody\n\nA: b\n c\nD: e\n---\npatch\n";
        let block = parse(msg, &opts(false));
        assert_eq!(block.start, 13);
        assert_eq!(&msg[block.start..block.end], b"A: b\n c\nD: e\n");
        let lines: Vec<usize> = block.trailers.iter().map(|t| t.line).collect();
        assert_eq!(lines, [4, 6]);
        assert_eq!(block.trailers[0].value, b"b c");

        // Without a final newline, offsets stay within the message.
        let msg = b"T\n\nA: b";
        let block = parse(msg, &opts(true));
        assert_eq!((block.start, block.end), (3, 7));

        let none = parse(b"Title\n\nbody\n", &opts(false));
        assert_eq!(none.start, none.end);
        assert!(none.trailers.is_empty());
    }

    #[test]
    fn committed_skips_leading_blank_lines() {
        let msg = b"\n \nA: b\n";
        assert!(parse_committed(msg, b"#").trailers.is_empty());
        assert_eq!(parse(msg, &opts(true)).trailers.len(), 1);
        let msg = b"\n\nT\n\nA: b\n";
        let block = parse_committed(msg, b"#");
        assert_eq!(block.trailers[0].line, 4);
        assert_eq!(&msg[block.start..block.end], b"A: b\n");
    }

    #[test]
    fn custom_comment_string() {
        let o = ParseOptions {
            no_divider: false,
            comment: b"Note".to_vec(),
        };
        // "Note: x" is a comment line, not a trailer.
        assert_eq!(render_parse(b"T\n\nA: b\nNote: x\n", &o), b"A: b\n");
        let o = ParseOptions {
            no_divider: false,
            comment: b";".to_vec(),
        };
        assert_eq!(
            render_parse(
                b"T\n\nA: b\n; ------------------------ >8 ------------------------\nC: d\n",
                &o
            ),
            b"A: b\n"
        );
        assert_eq!(render_parse(b"T\n\nA: b\n# x\n", &o), b"");
    }

    #[test]
    fn no_panic_on_odd_input() {
        let inputs: &[&[u8]] = &[
            b"\n",
            b"\n\n\n",
            b"\0",
            b"#",
            b"# ------------------------ >8 ------------------------\n",
            b"---",
            b"---\n",
            b" ",
            b"\xff\xfe:\n\n\xff: \xfe",
            b"T\n\n\t\n \n",
        ];
        for input in inputs {
            for nd in [false, true] {
                let _ = render_parse(input, &opts(nd));
                let _ = parse_committed(input, b"#");
                let _ = parse_committed(input, b"");
            }
            let _ = render_parse(
                input,
                &ParseOptions {
                    no_divider: false,
                    comment: Vec::new(),
                },
            );
        }
    }
}
