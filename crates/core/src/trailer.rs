//! Trailers, parsed exactly as git's `trailer.c` parses them.
//!
//! TODO(trailer helper): implementation mirroring git.

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

/// Parse the trailer block of `message`.
pub fn parse(message: &[u8], options: &ParseOptions) -> TrailerBlock {
    let _ = (message, options);
    TrailerBlock::default()
}

/// What `git interpret-trailers --parse` prints for `message`.
pub fn render_parse(message: &[u8], options: &ParseOptions) -> Vec<u8> {
    let _ = (message, options);
    Vec::new()
}
