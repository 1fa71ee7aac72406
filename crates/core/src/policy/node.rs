//! The raw form of a policy: a YAML tree in which every node carries its
//! source span. Validation (`validate/`) walks this tree by hand, so that
//! unknown keys, wrong types and bad values are all reported at once, each
//! at its own place.

use super::diagnostic::{Diagnostic, Source};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};
use std::fmt;
use std::ops::Range;

/// A YAML node, untyped; children carry their spans.
#[derive(Debug)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Int(i128),
    Float,
    Str(String),
    Seq(Vec<SNode>),
    /// Entries in document order; duplicate keys are kept (validation
    /// reports them).
    Map(Vec<(SNode, SNode)>),
}

/// A node with its source location.
pub(crate) type SNode = Spanned<Node>;

impl Node {
    /// What the node is, for "expected X, found Y" messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Node::Null => "nothing (null)",
            Node::Bool(_) => "a boolean",
            Node::Int(_) => "an integer",
            Node::Float => "a number",
            Node::Str(_) => "a string",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        Ok(Node::Int(i128::try_from(v).unwrap_or(i128::MAX)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        {
            let _ = v;
            Ok(Node::Float)
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Node, E> {
        Ok(Node::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Node::Map(entries))
    }
}

/// Largest policy accepted, in bytes: far above any real policy, low
/// enough that a stray binary file is refused quickly.
const MAX_POLICY_BYTES: usize = 1 << 20;

/// Parse `text` into a spanned tree, or the diagnostic saying why not.
pub(crate) fn parse(src: &Source<'_>) -> Result<SNode, Box<Diagnostic>> {
    let text = src.text;
    if text.len() > MAX_POLICY_BYTES {
        return Err(Box::new(
            Diagnostic::error(format!(
                "policy is too large ({} bytes; at most {MAX_POLICY_BYTES} are accepted)",
                text.len()
            ))
            .at(0..0),
        ));
    }
    let mut options = serde_saphyr::Options::default();
    // YAML 1.2: only true/false are booleans, so `on`, `yes`, `n` stay strings.
    options.strict_booleans = true;
    // Hand repeated keys to the visitor: validation reports them with both places.
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::PassThrough;
    options.with_snippet = false;
    // Nothing reads the comments (a documented policy is mostly comments):
    // they are still checked as YAML, only not handed over as events.
    options.emit_comments = false;
    serde_saphyr::from_str_with_options::<SNode>(text, options).map_err(|err| {
        use serde_saphyr::MessageFormatter;
        let err = err.without_snippet();
        let message = serde_saphyr::DefaultMessageFormatter.format_message(err);
        let message: String = message
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let span = err.location().map(|loc| src.range_of(&loc)).unwrap_or(0..0);
        if message.contains("multiple YAML documents") {
            // The parser's wording names its own API; say what is wrong
            // with the file, at the `---` that starts a second document.
            let span = second_document_marker(text).unwrap_or(span);
            let what = "invalid YAML: a policy is one YAML document, but this file holds more than one";
            let help = "remove this `---` line and what follows it, or merge the documents into one mapping";
            return Box::new(
                Diagnostic::error(what)
                    .at(span)
                    .label("a second document starts here")
                    .help(help),
            );
        }
        Box::new(Diagnostic::error(format!("invalid YAML: {message}")).at(span))
    })
}

/// The byte range of the `---` line that starts a second YAML document:
/// the first document marker after some content (a marker before any
/// content only opens the first document).
fn second_document_marker(text: &str) -> Option<Range<usize>> {
    let mut seen_content = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        let is_marker = bare == "---" || bare.starts_with("--- ") || bare.starts_with("---\t");
        if is_marker && seen_content {
            return Some(offset..offset + 3);
        }
        let trimmed = bare.trim();
        if is_marker || (!trimmed.is_empty() && !trimmed.starts_with('#')) {
            seen_content = true;
        }
        offset += line.len();
    }
    None
}

impl Source<'_> {
    /// The byte range of `loc` in the text, limited to one line and to
    /// char boundaries (a block collection's span is empty: its start).
    pub(crate) fn range_of(&self, loc: &Location) -> Range<usize> {
        let text = self.text;
        let span = loc.span();
        let start = match span.byte_offset().and_then(|o| usize::try_from(o).ok()) {
            Some(o) if o <= text.len() && text.is_char_boundary(o) => o,
            _ => self.offset_of(loc.line(), loc.column()),
        };
        let len = span
            .byte_len()
            .and_then(|l| usize::try_from(l).ok())
            .unwrap_or(0);
        let mut end = start.saturating_add(len).min(text.len());
        if let Some(nl) = text.get(start..end).and_then(|s| s.find('\n')) {
            end = start + nl;
        }
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        start..end
    }

    /// Byte offset of a 1-based line and (character) column, clamped to the text.
    pub(crate) fn offset_of(&self, line: u64, column: u64) -> usize {
        let text = self.text;
        let mut start = 0;
        let mut current = 1u64;
        while current < line {
            match text[start..].find('\n') {
                Some(nl) => {
                    start += nl + 1;
                    current += 1;
                }
                None => return text.len(),
            }
        }
        let line_text = text[start..].split('\n').next().unwrap_or("");
        let skip = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
        start
            + line_text
                .char_indices()
                .nth(skip)
                .map_or(line_text.len(), |(i, _)| i)
    }
}
