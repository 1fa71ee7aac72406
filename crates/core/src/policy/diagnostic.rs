//! Policy diagnostics and their rendering (rustc/cargo-deny style, plain
//! text through `annotate-snippets`).

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::ops::Range;

/// The text a policy was loaded from, with the name used in messages.
pub(crate) struct Source<'a> {
    pub(crate) name: &'a str,
    pub(crate) text: &'a str,
}

/// One problem found in a policy.
#[derive(Debug, Clone)]
pub(crate) struct Diagnostic {
    /// What is wrong (the `error:` line).
    pub(crate) message: String,
    /// Byte range of the offending text.
    pub(crate) span: Range<usize>,
    /// Text under the caret: what would be valid.
    pub(crate) label: Option<String>,
    /// A second place that explains the first (e.g. the first definition).
    pub(crate) context: Option<(Range<usize>, String)>,
    /// `= help:` line: how to fix it.
    pub(crate) help: Option<String>,
    /// `= note:` line.
    pub(crate) note: Option<String>,
}

impl Diagnostic {
    pub(crate) fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            span: 0..0,
            label: None,
            context: None,
            help: None,
            note: None,
        }
    }
    pub(crate) fn at(mut self, span: Range<usize>) -> Self {
        self.span = span;
        self
    }
    pub(crate) fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
    pub(crate) fn context(mut self, span: Range<usize>, label: impl Into<String>) -> Self {
        self.context = Some((span, label.into()));
        self
    }
    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub(crate) fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// At most this many diagnostics are rendered; the rest are counted.
const MAX_RENDERED: usize = 50;

/// Render all diagnostics, in source order, separated by blank lines, with
/// a final count when there is more than one. Plain text, no colour.
pub(crate) fn render(src: &Source<'_>, diagnostics: &[Diagnostic]) -> String {
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by_key(|d| d.span.start);
    let mut out = String::new();
    for d in sorted.iter().take(MAX_RENDERED) {
        out.push_str(&render_one(src, d));
        out.push_str("\n\n");
    }
    if sorted.len() > MAX_RENDERED {
        out.push_str(&format!(
            "error: {} more problems not shown\n\n",
            sorted.len() - MAX_RENDERED
        ));
    }
    if sorted.len() > 1 {
        out.push_str(&format!(
            "error: {} problems in {}\n",
            sorted.len(),
            src.name
        ));
    } else if out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Clamp `r` into `text`, on char boundaries.
fn clamp(text: &str, r: &Range<usize>) -> Range<usize> {
    let mut start = r.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = r.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    start..end.max(start)
}

fn render_one(src: &Source<'_>, d: &Diagnostic) -> String {
    let text = src.text;
    let primary = clamp(text, &d.span);
    let context = d.context.as_ref().map(|(r, l)| (clamp(text, r), l));
    // Only the lines the annotations cover are handed to the renderer.
    let lo = context
        .as_ref()
        .map_or(primary.start, |(r, _)| r.start.min(primary.start));
    let hi = context
        .as_ref()
        .map_or(primary.end, |(r, _)| r.end.max(primary.end));
    let first = text[..lo].rfind('\n').map_or(0, |i| i + 1);
    let last = text[hi..].find('\n').map_or(text.len(), |i| hi + i);
    let line_start = text.as_bytes()[..first]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    let slice = &text[first..last];
    let shift = |r: &Range<usize>| (r.start - first)..(r.end - first);

    let mut snippet = Snippet::source(slice)
        .line_start(line_start)
        .path(src.name)
        .fold(true)
        .annotation(
            AnnotationKind::Primary
                .span(shift(&primary))
                .label(d.label.as_deref()),
        );
    if let Some((r, label)) = &context {
        snippet = snippet.annotation(AnnotationKind::Context.span(shift(r)).label(label.as_str()));
    }
    let mut group = Level::ERROR
        .primary_title(d.message.as_str())
        .element(snippet);
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    if let Some(note) = &d.note {
        group = group.element(Level::NOTE.message(note.as_str()));
    }
    let report: [Group<'_>; 1] = [group];
    Renderer::plain().render(&report)
}

/// `s` quoted for a message: control characters escaped, long text cut.
pub(crate) fn show(s: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    format!("`{out}`")
}
