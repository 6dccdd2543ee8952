//! A timeline as an SVG picture that any browser opens: a row per lane
//! (a `<g class="lane">`, in the timeline's order) with its name on the
//! left, spans as bars, marks as ticks, and a time axis along the bottom.
//! Hovering over a bar or a tick shows what it was (an SVG `<title>`); the
//! picture's title is also the document's, which a browser shows on its tab.
//!
//! ```text
//!              0 µs       100 µs      200 µs
//! blink (0)    ▮▮    |      ▮▮
//! idle            ▯▯▯▯▯▯▯▯
//! interrupts            |
//!              ├──────────┼──────────┤
//! ```
//!
//! Written as text, with no library: the picture is a few kinds of
//! element, and every piece of text in it (a task's name) is escaped,
//! control characters included, which XML does not allow even escaped: a
//! name's `\x1b` is shown as the dump wrote it.

use std::fmt::Write;

use super::timeline::{SpanKind, Timeline, duration};

const WIDTH: f64 = 1200.0;
/// The column of lane names.
const LABELS: f64 = 190.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 36.0;
const LANE: f64 = 26.0;
const AXIS: f64 = 44.0;

/// The SVG document for `timeline`, titled `title`.
pub fn svg(timeline: &Timeline, title: &str) -> String {
    let height = TOP + LANE * timeline.lanes.len() as f64 + AXIS;
    let total = timeline.micros(timeline.end).max(1e-3);
    let plot = WIDTH - LABELS - RIGHT;
    let x = |tsc: u64| LABELS + timeline.micros(tsc) / total * plot;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    let _ = writeln!(out, r#"<rect width="{WIDTH}" height="{height}" fill="white"/>"#);
    let _ = writeln!(out, r#"<text x="8" y="22" font-size="15" font-weight="bold">{}</text>"#, escape(title));
    for (index, lane) in timeline.lanes.iter().enumerate() {
        let y = TOP + LANE * index as f64;
        out.push_str("<g class=\"lane\">\n");
        if index % 2 == 0 {
            let _ = writeln!(out, r##"<rect x="0" y="{y}" width="{WIDTH}" height="{LANE}" fill="#f3f3f3"/>"##);
        }
        let _ = writeln!(out, r#"<text x="8" y="{:.1}">{}</text>"#, y + LANE / 2.0 + 4.0, escape(&lane.name));
        for span in &lane.spans {
            let (left, right) = (x(span.start), x(span.end));
            let hint = format!(
                "{}: {} from {}",
                span.kind.label(),
                duration(((timeline.micros(span.end) - timeline.micros(span.start)) * 1e3) as u64),
                duration((timeline.micros(span.start) * 1e3) as u64)
            );
            let _ = writeln!(
                out,
                r#"<rect x="{left:.2}" y="{:.1}" width="{:.2}" height="{:.1}" fill="{}"><title>{}</title></rect>"#,
                y + 5.0,
                (right - left).max(1.0),
                LANE - 10.0,
                colour(span.kind),
                escape(&hint)
            );
        }
        for mark in &lane.marks {
            let at = x(mark.at);
            let colour = if lane.name == "interrupts" { "#e07b00" } else { "#222222" };
            let hint = format!("{} at {}", mark.label, duration((timeline.micros(mark.at) * 1e3) as u64));
            let _ = writeln!(
                out,
                r#"<line x1="{at:.2}" y1="{:.1}" x2="{at:.2}" y2="{:.1}" stroke="{colour}" stroke-width="1.5"><title>{}</title></line>"#,
                y + 3.0,
                y + LANE - 3.0,
                escape(&hint)
            );
        }
        out.push_str("</g>\n");
    }
    axis(&mut out, TOP + LANE * timeline.lanes.len() as f64, total, plot);
    out.push_str("</svg>\n");
    out
}

/// The time axis at height `y`: a line, and about eight labelled ticks at
/// a round step.
fn axis(out: &mut String, y: f64, total: f64, plot: f64) {
    out.push_str("<g class=\"axis\">\n");
    let _ = writeln!(out, r##"<line x1="{LABELS}" y1="{y}" x2="{:.1}" y2="{y}" stroke="#444444"/>"##, LABELS + plot);
    let step = round_step(total / 8.0);
    let mut tick = 0.0;
    while tick <= total * 1.000_001 {
        let at = LABELS + tick / total * plot;
        let _ = writeln!(out, r##"<line x1="{at:.2}" y1="{y}" x2="{at:.2}" y2="{:.1}" stroke="#444444"/>"##, y + 5.0);
        let label = duration((tick * 1e3).round() as u64);
        let _ =
            writeln!(out, r#"<text x="{at:.2}" y="{:.1}" text-anchor="middle">{}</text>"#, y + 19.0, escape(&label));
        tick += step;
    }
    let _ = writeln!(
        out,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="end">time since the first event</text>"#,
        LABELS + plot,
        y + 36.0
    );
    out.push_str("</g>\n");
}

/// The smallest of 1, 2 or 5 times a power of ten that is at least `raw`.
fn round_step(raw: f64) -> f64 {
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * power).find(|&s| s >= raw * 0.999_999).unwrap_or(10.0 * power)
}

fn colour(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::PollReady => "#2e8b57",
        SpanKind::PollPending => "#3b73c9",
        SpanKind::PollUnfinished => "#d0312d",
        SpanKind::Idle => "#b5b5b5",
        SpanKind::Halted => "#6f6f6f",
    }
}

/// `text` safe inside an XML element or a double-quoted attribute. A
/// control character (XML 1.0 refuses most of them, even as `&#27;`) is
/// shown as `\xHH`, and U+FFFE and U+FFFF (not XML characters either) as
/// U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::decode::decode;

    fn picture() -> String {
        let text = "fledge-trace version=1 tsc-hz=1000000\n0 spawn 0 <b&a>\n0 poll 0\n100 pending 0\n100 idle\n\
                    700 irq 32\n700 busy\n800 wake 0 irq 32\n800 poll 0\n1000 ready 0\nend events=9 dropped=0\n";
        svg(&Timeline::new(&decode(text).unwrap()), "exercise 07: fairness")
    }

    #[test]
    fn lanes_bars_ticks_and_an_axis() {
        let svg = picture();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{svg}");
        assert!(svg.ends_with("</svg>\n"));
        for name in ["&lt;b&amp;a&gt; (task 0)", "idle", "interrupts", "exercise 07: fairness"] {
            assert!(svg.contains(&format!(">{name}</text>")), "no label {name}");
        }
        // Three bars (two polls, one idle stretch), two marks on the task's
        // lane (spawned, woken), one on the interrupts' lane.
        assert_eq!(svg.matches("<title>poll").count(), 2);
        assert_eq!(svg.matches("<title>idle: 600 µs from 100 µs</title>").count(), 1);
        assert_eq!(svg.matches("stroke=\"#e07b00\"").count(), 1);
        assert!(svg.contains("<title>woken by irq 32 at 800 µs</title>"));
        // The axis runs from 0 to 1 ms in steps of 200 µs (1 ms / 8 rounds up to 200).
        for label in ["0 ns", "200 µs", "1 ms"] {
            assert!(svg.contains(&format!(">{label}</text>")), "no axis label {label}");
        }
    }

    #[test]
    fn any_name_is_text_of_well_formed_xml() {
        // `<`, `&`, `"` and `>` as a kernel writes them, then as escapes:
        // ESC, NUL, DEL (XML refuses the first two even as `&#27;`), an é,
        // and U+FFFE, which is no XML character either.
        let text = "fledge-trace version=1 tsc-hz=unknown\n0 spawn 0 <b&\"a\">\\x1b\\x00\\x7f\\xc3\\xa9\\xef\\xbf\\xbe\n\
                    end events=1 dropped=0\n";
        let svg = svg(&Timeline::new(&decode(text).unwrap()), "a & <b> \"c\" \u{7}");
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("not XML: {e}\n{svg}"));
        let texts: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
        assert_eq!(
            texts[..2],
            ["a & <b> \"c\" \\x07", "<b&\"a\">\\x1b\\x00\\x7f\u{e9}\u{fffd} (task 0)"],
            "the title, then the first lane's name"
        );
        let title = doc.root_element().first_element_child().unwrap();
        assert_eq!((title.tag_name().name(), title.text()), ("title", Some("a & <b> \"c\" \\x07")));
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(round_step(125.0), 200.0);
        assert_eq!(round_step(0.3), 0.5);
        assert_eq!(round_step(1000.0), 1000.0);
        assert_eq!(round_step(6000.0), 10000.0);
    }
}
