//! Self-contained HTML pages with inline SVG charts, drawn here: no script,
//! no external stylesheet, font or image, so a page opens offline and can
//! be attached to a mailing-list post or a CI artefact as it is.
//!
//! Shared by `tiergate report --html`, `tiergate classify --tree --html`,
//! `tiergate boundary --html` and `tiergate policy doc --format html`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use tiergate_core::classify::tiermap::{Dir, TierMap};

/// Colours for tiers, by index (the first tier, usually the strictest, is
/// red); more tiers cycle.
const TIER_COLOURS: [&str; 8] = [
    "#d0433a", "#2f6db5", "#3a9a4b", "#e08a1e", "#8057b0", "#8c5a3c", "#d35fa6", "#6b7280",
];

/// The colour of the "all tiers" line, apart from every tier's.
pub const ALL_TIERS_COLOUR: &str = "#9ca3af";

/// Colours for rules, by index in `RuleCode::ALL`: none is a tier's (nor
/// near one: a rule's bar or swatch must not read as a tier, the test
/// below measures it), and there are more than rule codes today so that
/// new codes get their own before the list cycles.
const RULE_COLOURS: [&str; 20] = [
    "#c0ca33", "#26a69a", "#c2b280", "#2b3d26", "#1de9b6", "#827717", "#f99379", "#880e4f",
    "#4a148c", "#aed581", "#f3c300", "#ec407a", "#e68fac", "#ce93d8", "#006064", "#3e2723",
    "#4dd0e1", "#263238", "#1a237e", "#9e9d24",
];

/// The colour of tier `index`.
pub fn tier_colour(index: usize) -> &'static str {
    TIER_COLOURS[index % TIER_COLOURS.len()]
}

/// The colour of rule `index`.
pub fn rule_colour(index: usize) -> &'static str {
    RULE_COLOURS[index % RULE_COLOURS.len()]
}

/// Escape text for HTML and SVG (element content and attribute values).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}h3{font-size:15px;margin:20px 0 6px}
.sub{color:#57606a;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:22px}
.card span{color:#57606a;font-size:12px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;padding:1px 4px;border-radius:4px}
pre{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;padding:8px 12px;border-radius:6px;overflow:auto}
.legend{display:flex;flex-wrap:wrap;gap:14px;margin:6px 0;font-size:13px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.legend svg{display:inline-block;margin-right:5px;vertical-align:-4px}
svg{display:block;max-width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:#1f2328}
.muted{color:#57606a}
.no-ai{font-size:15px;padding:10px 14px;border:1px solid #d0d7de;border-radius:6px;background:#f6f8fa}
i.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px}
details.year{margin:4px 0}details.year summary{cursor:pointer}
";

/// A complete page around `body` (already HTML).
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n",
        escape(title)
    )
}

/// A legend: coloured squares with labels.
pub fn legend(items: &[(&str, &str)]) -> String {
    let mut out = String::from("<div class=\"legend\">");
    for (label, colour) in items {
        let _ = write!(
            out,
            "<span><i style=\"background:{colour}\"></i>{}</span>",
            escape(label)
        );
    }
    out.push_str("</div>");
    out
}

/// A step for axis ticks: 1, 2 or 5 times a power of ten, giving at most
/// about `ticks` ticks up to `max`.
fn nice_step(max: u64, ticks: u64) -> u64 {
    let raw = max.div_ceil(ticks.max(1)).max(1);
    let mut power = 1u64;
    while power.saturating_mul(10) <= raw {
        power = power.saturating_mul(10);
    }
    for m in [1, 2, 5, 10] {
        if power.saturating_mul(m) >= raw {
            return power.saturating_mul(m);
        }
    }
    power.saturating_mul(10)
}

/// One line of a [`line_chart`].
pub struct Series<'a> {
    /// Name (legend, tooltips).
    pub name: &'a str,
    /// Stroke colour.
    pub colour: &'a str,
    /// Dashed (for a total drawn behind the others).
    pub dashed: bool,
    /// Stroke width: draw wider lines first so that a line hidden under
    /// an equal one still shows as its border.
    pub width: f64,
    /// One value per label.
    pub values: Vec<u64>,
}

/// A line chart of `series` over `labels` (x axis), with a y axis from 0.
/// Each point has a `<title>` tooltip.
pub fn line_chart(labels: &[String], series: &[Series<'_>], y_title: &str) -> String {
    let (width, height) = (1000.0_f64, 320.0_f64);
    let (left, right, top, bottom) = (56.0, 20.0, 16.0, 64.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let step = nice_step(max, 5);
    let y_max = max.div_ceil(step) * step;
    let n = labels.len().max(1);
    let x_of = |i: usize| -> f64 {
        if n == 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y_of = |v: u64| -> f64 { top + plot_h - plot_h * v as f64 / y_max as f64 };
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        escape(y_title)
    );
    // Grid and y axis.
    let mut v = 0;
    while v <= y_max {
        let y = y_of(v);
        let _ = write!(
            svg,
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#e5e7eb\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>",
            left + plot_w,
            left - 6.0,
            y + 4.0
        );
        v += step;
    }
    let _ = write!(
        svg,
        "<text transform=\"translate(14 {:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        top + plot_h / 2.0,
        escape(y_title)
    );
    // X labels: at most ~16.
    let every = n.div_ceil(16).max(1);
    for (i, label) in labels.iter().enumerate() {
        if i % every != 0 && i + 1 != n {
            continue;
        }
        let x = x_of(i);
        let y = top + plot_h;
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#9ca3af\"/><text transform=\"translate({x:.1} {:.1}) rotate(-40)\" text-anchor=\"end\">{}</text>",
            y + 4.0,
            y + 16.0,
            escape(label)
        );
    }
    let _ = write!(
        svg,
        "<line x1=\"{left}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#6b7280\"/>",
        top + plot_h,
        left + plot_w,
        top + plot_h
    );
    for s in series {
        let points: Vec<String> = s
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x_of(i), y_of(*v)))
            .collect();
        let dash = if s.dashed {
            " stroke-dasharray=\"5 4\""
        } else {
            ""
        };
        let _ = write!(
            svg,
            "<polyline class=\"series\" fill=\"none\" stroke=\"{}\" stroke-width=\"{:.1}\" stroke-linejoin=\"round\"{dash} points=\"{}\"/>",
            s.colour,
            s.width,
            points.join(" ")
        );
        for (i, v) in s.values.iter().enumerate() {
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\"><title>{} {}: {v}</title></circle>",
                x_of(i),
                y_of(*v),
                s.colour,
                escape(s.name),
                escape(labels.get(i).map_or("", String::as_str)),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A horizontal bar chart: one bar per item `(label, value, colour)`.
pub fn bar_chart(items: &[(String, u64, &str)]) -> String {
    let width = 1000.0_f64;
    let (label_w, right, bar_h, gap) = (220.0, 60.0, 22.0, 8.0);
    let height = (items.len().max(1) as f64) * (bar_h + gap) + gap;
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1);
    let plot_w = width - label_w - right;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\">"
    );
    for (i, (label, value, colour)) in items.iter().enumerate() {
        let y = gap + i as f64 * (bar_h + gap);
        let w = (plot_w * *value as f64 / max as f64).max(if *value > 0 { 2.0 } else { 0.0 });
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect class=\"bar\" x=\"{label_w}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{bar_h}\" fill=\"{colour}\" rx=\"2\"><title>{}: {value}</title></rect><text x=\"{:.1}\" y=\"{:.1}\">{value}</text>",
            label_w - 8.0,
            y + bar_h / 2.0 + 4.0,
            escape(label),
            escape(label),
            label_w + w + 6.0,
            y + bar_h / 2.0 + 4.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// An HTML table; cells are already-escaped HTML; `numeric` marks
/// right-aligned columns.
pub fn table(headers: &[&str], numeric: &[bool], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let class = if numeric.get(i).copied().unwrap_or(false) {
                " class=\"n\""
            } else {
                ""
            };
            let _ = write!(out, "<td{class}>{cell}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

// --- tree map ---

#[derive(Clone, Copy)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// One box to lay out: a subdirectory or the files of one tier directly
/// in a directory.
enum Item<'a> {
    Dir(&'a Dir),
    Files {
        dir: &'a Dir,
        tier: usize,
        count: u64,
    },
}

impl Item<'_> {
    fn size(&self) -> f64 {
        match self {
            Item::Dir(d) => d.total() as f64,
            Item::Files { count, .. } => *count as f64,
        }
    }
}

/// How a [`treemap`] marks the box that holds a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MarkKind {
    /// A dashed frame.
    Dashed,
    /// Diagonal hatching in a solid frame. In a box holding files of both
    /// kinds it is the one drawn (the tooltip lists every file).
    Hatched,
}

/// One file marked on a [`treemap`].
#[derive(Debug, Clone)]
pub struct Mark {
    /// How its box is marked.
    pub kind: MarkKind,
    /// Its line in the box's tooltip (plain text).
    pub note: String,
}

/// Files to mark on a [`treemap`], by path as the tree lists them.
#[derive(Debug, Default)]
pub struct Marks {
    files: BTreeMap<Vec<u8>, Mark>,
    /// What a marked box's badge calls its files of each kind
    /// (`3 only · 1 shared`): hatched, dashed.
    names: [String; 2],
}

impl Marks {
    /// No marks yet; a box's badge counts its files as `N hatched`,
    /// `N dashed`.
    pub fn new(hatched: &str, dashed: &str) -> Marks {
        Marks {
            files: BTreeMap::new(),
            names: [hatched.to_owned(), dashed.to_owned()],
        }
    }

    /// Mark `path`; a second mark of the same path replaces the first.
    pub fn insert(&mut self, path: Vec<u8>, mark: Mark) {
        self.files.insert(path, mark);
    }

    /// `3 only · 1 shared`: the files of each kind among `marked`.
    fn badge(&self, marked: &[&Mark]) -> String {
        let count = |kind| marked.iter().filter(|m| m.kind == kind).count();
        [
            (count(MarkKind::Hatched), &self.names[0]),
            (count(MarkKind::Dashed), &self.names[1]),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, name)| format!("{n} {name}"))
        .collect::<Vec<_>>()
        .join(" · ")
    }

    /// The marks of the files below a directory (`dir` ends in `/`, or is
    /// empty for the root), in path order.
    fn under<'a>(&'a self, dir: &'a [u8]) -> impl Iterator<Item = &'a Mark> + 'a {
        self.files
            .range(dir.to_vec()..)
            .take_while(move |(path, _)| path.starts_with(dir))
            .map(|(_, mark)| mark)
    }
}

/// Tooltip lines of marked files shown per box; the rest are counted.
const MARK_NOTES: usize = 8;

/// The frame and hatching colour of marks: darker than every tier colour,
/// so that it reads on each of them.
const MARK_COLOUR: &str = "#111827";

/// A squarified tree map (Bruls, Huizing, van Wijk) of `map`: area is the
/// number of files, colour the tier; a directory whose files share one
/// tier is one box; a mixed directory has a title band and its contents
/// inside. Every box has a `<title>` tooltip. A box that holds a file of
/// `marks` is marked (see [`MarkKind`]) and its tooltip lists them.
pub fn treemap(map: &TierMap, width: f64, height: f64, marks: &Marks) -> String {
    let mut svg = format!(
        "<svg class=\"treemap\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"tree map of tiers\">"
    );
    let rect = Rect {
        x: 0.0,
        y: 0.0,
        w: width,
        h: height,
    };
    draw_dir(map, &map.root, rect, 0, marks, &mut svg);
    svg.push_str("</svg>");
    svg
}

/// A legend for the marks of a [`treemap`]: a swatch drawn as the map
/// draws the mark, and its label.
pub fn mark_legend(items: &[(MarkKind, &str)]) -> String {
    let mut out = String::from("<div class=\"legend\">");
    for (kind, label) in items {
        let mut swatch = String::from(
            "<svg width=\"18\" height=\"18\" viewBox=\"0 0 18 18\" aria-hidden=\"true\"><rect width=\"18\" height=\"18\" fill=\"#9ca3af\"/>",
        );
        let mark = Mark {
            kind: *kind,
            note: String::new(),
        };
        draw_mark(
            &mut swatch,
            Rect {
                x: 0.0,
                y: 0.0,
                w: 18.0,
                h: 18.0,
            },
            &[&mark],
        );
        swatch.push_str("</svg>");
        let _ = write!(out, "<span>{swatch}{}</span>", escape(label));
    }
    out.push_str("</div>");
    out
}

fn tier_summary(map: &TierMap, dir: &Dir) -> String {
    dir.counts
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(t, n)| format!("{} {n}", map.tiers.get(t).map_or("?", String::as_str)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn dir_label(dir: &Dir) -> String {
    if dir.path.is_empty() {
        "./".to_owned()
    } else {
        String::from_utf8_lossy(&dir.path).into_owned()
    }
}

/// `tooltip`, then a line per marked file (at most [`MARK_NOTES`]).
fn with_notes(tooltip: &str, marked: &[&Mark]) -> String {
    let mut text = tooltip.to_owned();
    for mark in marked.iter().take(MARK_NOTES) {
        text.push('\n');
        text.push_str(&mark.note);
    }
    if marked.len() > MARK_NOTES {
        let _ = write!(text, "\n… and {} more", marked.len() - MARK_NOTES);
    }
    text
}

/// The mark of a box holding `marked` files (nothing when there are none):
/// drawn inside the box, 1.5 px in, since boxes abut.
fn draw_mark(svg: &mut String, r: Rect, marked: &[&Mark]) {
    let Some(kind) = marked.iter().map(|m| m.kind).max() else {
        return;
    };
    let inset = 1.5;
    let (x0, y0) = (r.x + inset, r.y + inset);
    let (x1, y1) = (
        x0 + (r.w - 2.0 * inset).max(0.0),
        y0 + (r.h - 2.0 * inset).max(0.0),
    );
    if kind == MarkKind::Hatched {
        // Lines x + y = c every `step`, cut to the box by hand: a pattern
        // or clip path would need `url(#id)`, which check-html.sh refuses
        // as a possible reference outside the page.
        let step = 6.0;
        let mut c = x0 + y0 + step;
        while c < x1 + y1 {
            let (ua, ub) = ((c - y1).max(x0), (c - y0).min(x1));
            if ub > ua {
                let _ = write!(
                    svg,
                    "<line x1=\"{ua:.1}\" y1=\"{:.1}\" x2=\"{ub:.1}\" y2=\"{:.1}\" stroke=\"{MARK_COLOUR}\" stroke-opacity=\"0.55\" stroke-width=\"1.5\"/>",
                    c - ua,
                    c - ub
                );
            }
            c += step;
        }
    }
    let dash = match kind {
        MarkKind::Dashed => " stroke-dasharray=\"5 3\"",
        MarkKind::Hatched => "",
    };
    let _ = write!(
        svg,
        "<rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"{MARK_COLOUR}\" stroke-width=\"2.5\"{dash}/>",
        x1 - x0,
        y1 - y0
    );
}

/// A box: `marked` are the marked files it holds, `badge` their count.
fn draw_box(
    svg: &mut String,
    r: Rect,
    fill: &str,
    label: &str,
    tooltip: &str,
    marked: &[&Mark],
    badge: &str,
) {
    let _ = write!(
        svg,
        "<g><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\" stroke=\"#fff\" stroke-width=\"1\"/>",
        escape(&with_notes(tooltip, marked)),
        r.x,
        r.y,
        r.w.max(0.0),
        r.h.max(0.0)
    );
    draw_mark(svg, r, marked);
    // A label only where it fits (about 6.5 px per character).
    if r.w > 30.0 && r.h > 15.0 {
        let max_chars = ((r.w - 6.0) / 6.5).floor() as usize;
        let mut text: String = label.chars().take(max_chars).collect();
        if label.chars().count() > max_chars && max_chars > 1 {
            text.pop();
            text.push('…');
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" style=\"fill:#fff;font-weight:600\">{}</text>",
            r.x + 4.0,
            r.y + 13.0,
            escape(&text)
        );
    }
    // The badge under the label, on a dark ground to read over hatching.
    let badge_w = badge.chars().count() as f64 * 6.5 + 8.0;
    if !marked.is_empty() && r.w > badge_w + 10.0 && r.h > 40.0 {
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{badge_w:.1}\" height=\"16\" rx=\"3\" fill=\"{MARK_COLOUR}\"/><text x=\"{:.1}\" y=\"{:.1}\" style=\"fill:#fff\">{}</text>",
            r.x + 4.0,
            r.y + 18.0,
            r.x + 8.0,
            r.y + 30.0,
            escape(badge)
        );
    }
    svg.push_str("</g>");
}

fn draw_dir(map: &TierMap, dir: &Dir, r: Rect, depth: usize, marks: &Marks, svg: &mut String) {
    let label = dir_label(dir);
    if let Some(tier) = dir.tier() {
        let name = map.tiers.get(tier).map_or("?", String::as_str);
        let tooltip = format!("{label}: {name} ({} files)", dir.total());
        let marked: Vec<&Mark> = marks.under(&dir.path).collect();
        let badge = marks.badge(&marked);
        draw_box(svg, r, tier_colour(tier), &label, &tooltip, &marked, &badge);
        return;
    }
    if dir.total() == 0 {
        return;
    }
    // A mixed directory: a grey frame with a title band, contents inside.
    let band = if r.h > 40.0 && r.w > 40.0 { 17.0 } else { 0.0 };
    let pad = if depth < 6 { 2.0 } else { 1.0 };
    let inner = Rect {
        x: r.x + pad,
        y: r.y + band + pad,
        w: (r.w - 2.0 * pad).max(0.0),
        h: (r.h - band - 2.0 * pad).max(0.0),
    };
    // Too small to draw its contents: the directory's box holds their marks.
    let too_small = inner.w < 2.0 || inner.h < 2.0;
    let marked: Vec<&Mark> = if too_small {
        marks.under(&dir.path).collect()
    } else {
        Vec::new()
    };
    let _ = write!(
        svg,
        "<g><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#4b5563\" stroke=\"#fff\" stroke-width=\"1\"/>",
        escape(&with_notes(
            &format!("{label}: mixed ({})", tier_summary(map, dir)),
            &marked
        )),
        r.x,
        r.y,
        r.w.max(0.0),
        r.h.max(0.0)
    );
    draw_mark(svg, r, &marked);
    if band > 0.0 {
        let max_chars = ((r.w - 6.0) / 6.5).floor() as usize;
        let text: String = format!("{label} (mixed)").chars().take(max_chars).collect();
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" style=\"fill:#fff\">{}</text>",
            r.x + 4.0,
            r.y + 12.5,
            escape(&text)
        );
    }
    svg.push_str("</g>");
    if too_small {
        return;
    }
    let mut items: Vec<Item<'_>> = dir.dirs.values().map(Item::Dir).collect();
    for (tier, files) in dir.file_groups() {
        items.push(Item::Files {
            dir,
            tier,
            count: files.len() as u64,
        });
    }
    items.sort_by(|a, b| b.size().total_cmp(&a.size()));
    let sizes: Vec<f64> = items.iter().map(Item::size).collect();
    let rects = squarify(&sizes, inner);
    for (item, rect) in items.iter().zip(rects) {
        match item {
            Item::Dir(sub) => draw_dir(map, sub, rect, depth + 1, marks, svg),
            Item::Files { dir, tier, count } => {
                let name = map.tiers.get(*tier).map_or("?", String::as_str);
                let label = format!("{}*", dir_label(dir));
                let tooltip = format!("{count} files directly in {}: {name}", dir_label(dir));
                let marked: Vec<&Mark> = dir
                    .files
                    .iter()
                    .filter(|(_, t)| t == tier)
                    .filter_map(|(path, _)| marks.files.get(path))
                    .collect();
                let badge = marks.badge(&marked);
                draw_box(
                    svg,
                    rect,
                    tier_colour(*tier),
                    &label,
                    &tooltip,
                    &marked,
                    &badge,
                );
            }
        }
    }
}

/// Lay out `sizes` (sorted, largest first) in `r`, squarified.
fn squarify(sizes: &[f64], r: Rect) -> Vec<Rect> {
    let total: f64 = sizes.iter().sum();
    let mut out = Vec::with_capacity(sizes.len());
    if total <= 0.0 || r.w <= 0.0 || r.h <= 0.0 {
        out.resize(
            sizes.len(),
            Rect {
                x: r.x,
                y: r.y,
                w: 0.0,
                h: 0.0,
            },
        );
        return out;
    }
    let scale = r.w * r.h / total;
    let areas: Vec<f64> = sizes.iter().map(|s| s * scale).collect();
    let mut rest = r;
    let mut i = 0;
    while i < areas.len() {
        let side = rest.w.min(rest.h);
        let mut row_end = i + 1;
        let mut best = worst(&areas[i..row_end], side);
        while row_end < areas.len() {
            let next = worst(&areas[i..row_end + 1], side);
            if next > best {
                break;
            }
            best = next;
            row_end += 1;
        }
        let row = &areas[i..row_end];
        let row_area: f64 = row.iter().sum();
        if rest.w >= rest.h {
            // A column on the left.
            let col_w = if rest.h > 0.0 { row_area / rest.h } else { 0.0 };
            let mut y = rest.y;
            for a in row {
                let h = if col_w > 0.0 { a / col_w } else { 0.0 };
                out.push(Rect {
                    x: rest.x,
                    y,
                    w: col_w,
                    h,
                });
                y += h;
            }
            rest.x += col_w;
            rest.w = (rest.w - col_w).max(0.0);
        } else {
            // A row on top.
            let row_h = if rest.w > 0.0 { row_area / rest.w } else { 0.0 };
            let mut x = rest.x;
            for a in row {
                let w = if row_h > 0.0 { a / row_h } else { 0.0 };
                out.push(Rect {
                    x,
                    y: rest.y,
                    w,
                    h: row_h,
                });
                x += w;
            }
            rest.y += row_h;
            rest.h = (rest.h - row_h).max(0.0);
        }
        i = row_end;
    }
    out
}

/// The worst aspect ratio of a row of `areas` laid along a side of
/// length `side`.
fn worst(areas: &[f64], side: f64) -> f64 {
    let sum: f64 = areas.iter().sum();
    if sum <= 0.0 || side <= 0.0 {
        return f64::INFINITY;
    }
    let max = areas.iter().copied().fold(0.0, f64::max);
    let min = areas.iter().copied().fold(f64::INFINITY, f64::min);
    let s2 = side * side;
    let sum2 = sum * sum;
    (s2 * max / sum2).max(sum2 / (s2 * min))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    /// CIE L*a*b* of an sRGB `#rrggbb` colour (D65).
    fn lab(hex: &str) -> [f64; 3] {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")) / 255.0;
            if c > 0.04045 {
                ((c + 0.055) / 1.055).powf(2.4)
            } else {
                c / 12.92
            }
        };
        let (r, g, b) = (channel(1), channel(3), channel(5));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        let (x, y, z) = (f(x), f(y), f(z));
        [116.0 * y - 16.0, 500.0 * (x - y), 200.0 * (y - z)]
    }

    #[test]
    fn rule_colours_are_not_tier_colours() {
        let tiers: Vec<&str> = TIER_COLOURS
            .iter()
            .copied()
            .chain([ALL_TIERS_COLOUR])
            .collect();
        // Every rule code has a colour of its own.
        let rules = tiergate_core::rules::RuleCode::ALL.len();
        assert!(
            RULE_COLOURS.len() >= rules,
            "add colours for new rule codes"
        );
        for (i, rule) in RULE_COLOURS.iter().enumerate() {
            assert!(
                !RULE_COLOURS[..i].contains(rule),
                "rule colour {rule} is used twice"
            );
            for tier in &tiers {
                // CIE76 distance: about 2.3 is just noticeable; 25 is a
                // different colour, not a shade of the tier's.
                let (a, b) = (lab(rule), lab(tier));
                let distance = a
                    .iter()
                    .zip(b)
                    .map(|(p, q)| (p - q).powi(2))
                    .sum::<f64>()
                    .sqrt();
                assert!(
                    distance >= 25.0,
                    "rule colour {rule} is too close to tier colour {tier} ({distance:.1})"
                );
            }
        }
        for i in 0..rules {
            assert!(!tiers.contains(&rule_colour(i)));
        }
    }

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(1, 5), 1);
        assert_eq!(nice_step(7, 5), 2);
        assert_eq!(nice_step(23, 5), 5);
        assert_eq!(nice_step(120, 5), 50);
    }

    fn mark(kind: MarkKind, note: &str) -> Mark {
        Mark {
            kind,
            note: note.to_owned(),
        }
    }

    #[test]
    fn marks_under_a_directory_are_the_files_below_it() {
        let mut marks = Marks::new("only", "shared");
        for path in ["a/x", "a/y/z", "ab/c", "b", "a.h"] {
            marks.insert(path.as_bytes().to_vec(), mark(MarkKind::Dashed, path));
        }
        let notes = |dir: &str| -> Vec<String> {
            marks
                .under(dir.as_bytes())
                .map(|m| m.note.clone())
                .collect()
        };
        // Not `ab/` nor `a.h`, which sort between `a/`'s files and after.
        assert_eq!(notes("a/"), ["a/x", "a/y/z"]);
        assert_eq!(notes("a/y/"), ["a/y/z"]);
        assert_eq!(notes(""), ["a.h", "a/x", "a/y/z", "ab/c", "b"]);
        assert!(notes("c/").is_empty());
    }

    #[test]
    fn a_badge_counts_each_kind_and_leaves_out_none() {
        let marks = Marks::new("only", "shared");
        let (h, d) = (mark(MarkKind::Hatched, ""), mark(MarkKind::Dashed, ""));
        assert_eq!(marks.badge(&[&d, &h, &d]), "1 only · 2 shared");
        assert_eq!(marks.badge(&[&d]), "1 shared");
        assert_eq!(marks.badge(&[&h, &h]), "2 only");
        assert_eq!(marks.badge(&[]), "");
    }

    #[test]
    fn notes_beyond_the_limit_are_counted() {
        let marks: Vec<Mark> = (0..MARK_NOTES + 2)
            .map(|i| mark(MarkKind::Dashed, &format!("f{i}")))
            .collect();
        let marked: Vec<&Mark> = marks.iter().collect();
        let text = with_notes("dir/: core (10 files)", &marked);
        assert_eq!(text.lines().count(), 1 + MARK_NOTES + 1);
        assert!(text.starts_with("dir/: core (10 files)\nf0\nf1\n"));
        assert!(text.ends_with("\nf7\n… and 2 more"), "{text}");
        assert_eq!(with_notes("x", &[]), "x");
    }

    /// The numbers of `name="..."` attributes in `svg`, in order.
    fn attrs(svg: &str, name: &str) -> Vec<f64> {
        svg.split(&format!(" {name}=\""))
            .skip(1)
            .map(|rest| {
                rest[..rest.find('"').expect("quote")]
                    .parse()
                    .expect("number")
            })
            .collect()
    }

    #[test]
    fn hatching_stays_inside_its_box() {
        let r = Rect {
            x: 10.0,
            y: 20.0,
            w: 50.0,
            h: 30.0,
        };
        let mut svg = String::new();
        draw_mark(&mut svg, r, &[&mark(MarkKind::Hatched, "")]);
        let lines = svg.matches("<line").count();
        // One line every 6 px along x + y, across 47 + 27 px.
        assert_eq!(lines, 12, "{svg}");
        let (x1, y1, x2, y2) = (
            attrs(&svg, "x1"),
            attrs(&svg, "y1"),
            attrs(&svg, "x2"),
            attrs(&svg, "y2"),
        );
        for i in 0..lines {
            for (x, y) in [(x1[i], y1[i]), (x2[i], y2[i])] {
                assert!(
                    (11.5..=58.5).contains(&x) && (21.5..=48.5).contains(&y),
                    "{svg}"
                );
            }
            // At 45 degrees: x + y is the same at both ends.
            assert!(((x1[i] + y1[i]) - (x2[i] + y2[i])).abs() < 0.11, "{svg}");
        }
        // The solid frame, inside the box.
        assert!(svg.ends_with(
            "<rect x=\"11.5\" y=\"21.5\" width=\"47.0\" height=\"27.0\" fill=\"none\" stroke=\"#111827\" stroke-width=\"2.5\"/>"
        ));
        let mut dashed = String::new();
        draw_mark(&mut dashed, r, &[&mark(MarkKind::Dashed, "")]);
        assert_eq!(
            dashed,
            "<rect x=\"11.5\" y=\"21.5\" width=\"47.0\" height=\"27.0\" fill=\"none\" stroke=\"#111827\" stroke-width=\"2.5\" stroke-dasharray=\"5 3\"/>"
        );
        // Hatched wins in a box holding both.
        let mut both = String::new();
        let (h, d) = (mark(MarkKind::Hatched, ""), mark(MarkKind::Dashed, ""));
        draw_mark(&mut both, r, &[&d, &h]);
        assert_eq!(both, svg);
        let mut none = String::new();
        draw_mark(&mut none, r, &[]);
        assert_eq!(none, "");
    }

    fn small_map() -> TierMap {
        let files: [(&[u8], usize); 4] = [
            (b"crypto/aes.c", 0),
            (b"include/crypto/aes.h", 1),
            (b"include/qemu/osdep.h", 1),
            (b"docs/a.md", 1),
        ];
        TierMap::build(vec!["critical".into(), "core".into()], files)
    }

    #[test]
    fn the_box_holding_a_marked_file_is_marked() {
        let map = small_map();
        let plain = treemap(&map, 600.0, 400.0, &Marks::default());
        assert!(!plain.contains("fill=\"none\"") && !plain.contains("<line"));
        let mut marks = Marks::new("only", "shared");
        marks.insert(
            b"include/qemu/osdep.h".to_vec(),
            mark(MarkKind::Dashed, "include/qemu/osdep.h: shared"),
        );
        let svg = treemap(&map, 600.0, 400.0, &marks);
        // One frame, in the box of include/ (all core: one box).
        assert_eq!(svg.matches("fill=\"none\"").count(), 1, "{svg}");
        let start = svg
            .find("<g><title>include/: core (2 files)\ninclude/qemu/osdep.h: shared</title>")
            .expect("include/ box");
        let end = start + svg[start..].find("</g>").expect("</g>");
        assert!(svg[start..end].contains("stroke-dasharray"));
        assert!(svg[start..end].contains(">1 shared</text>"));
        // Everything else is drawn as without marks.
        let plain_end = start + plain[start..].find("</g>").expect("</g>");
        assert_eq!(svg[..start], plain[..start]);
        assert_eq!(svg[end..], plain[plain_end..]);
    }

    #[test]
    fn the_files_of_a_tier_directly_in_a_mixed_directory_hold_their_marks() {
        let files: [(&[u8], usize); 3] = [(b"crypto/a.c", 0), (b"x.h", 1), (b"y.h", 1)];
        let map = TierMap::build(vec!["critical".into(), "core".into()], files);
        let mut marks = Marks::new("only", "shared");
        marks.insert(b"y.h".to_vec(), mark(MarkKind::Hatched, "y.h: only"));
        let svg = treemap(&map, 600.0, 400.0, &marks);
        assert!(
            svg.contains("<g><title>2 files directly in ./: core\ny.h: only</title>"),
            "{svg}"
        );
        assert_eq!(svg.matches("fill=\"none\"").count(), 1, "{svg}");
        assert!(svg.contains(">1 only</text>"), "{svg}");
    }

    #[test]
    fn a_mixed_directory_too_small_to_open_holds_the_marks_below_it() {
        let map = small_map();
        let mut marks = Marks::new("only", "shared");
        marks.insert(
            b"include/crypto/aes.h".to_vec(),
            mark(MarkKind::Hatched, "include/crypto/aes.h: only"),
        );
        // 3 x 3 px: the root (mixed) has no room for its contents.
        let svg = treemap(&map, 3.0, 3.0, &marks);
        assert!(
            svg.contains(
                "<g><title>./: mixed (critical 1, core 3)\ninclude/crypto/aes.h: only</title>"
            ),
            "{svg}"
        );
        assert_eq!(svg.matches("fill=\"none\"").count(), 1, "{svg}");
    }

    #[test]
    fn squarify_fills_the_rectangle() {
        let r = Rect {
            x: 0.0,
            y: 0.0,
            w: 600.0,
            h: 400.0,
        };
        let rects = squarify(&[6.0, 6.0, 4.0, 3.0, 2.0, 2.0, 1.0], r);
        let area: f64 = rects.iter().map(|r| r.w * r.h).sum();
        assert!((area - 240_000.0).abs() < 1e-6);
        for q in &rects {
            assert!(q.x >= -1e-9 && q.y >= -1e-9);
            assert!(q.x + q.w <= 600.0 + 1e-6 && q.y + q.h <= 400.0 + 1e-6);
        }
    }
}
