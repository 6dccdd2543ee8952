//! The part of an output a block shows, cut out of a fresh run by the
//! parts its marker names (see `spec.rs`), with `...` where lines are left
//! out. The same cut is what `--bless` writes into the book.

use anyhow::{Result, bail};

use crate::spec::{Anchor, End, Part};

/// The lines a block with these parts shows, for this output.
pub fn excerpt(lines: &[String], parts: &[Part]) -> Result<Vec<String>> {
    if parts.is_empty() {
        return Ok(lines.to_vec());
    }
    // Ranges of line indices (inclusive), and `None` for a forced gap.
    let mut picked: Vec<Option<(usize, usize)>> = Vec::new();
    let mut next = 0;
    for part in parts {
        let ranges = match part {
            Part::Gap => {
                picked.push(None);
                continue;
            }
            Part::Tests(names) => tests(lines, names)?,
            Part::Test(name) => match test_entries(lines).into_iter().find(|(n, _, _)| n == name) {
                Some((_, start, end)) => vec![(start, end)],
                None => bail!("the scorecard has no test `{name}`"),
            },
            Part::Tail => {
                let start = lines.iter().position(|l| l.starts_with("note:") || l.starts_with("Score:"));
                let Some(start) = start else { bail!("no `note:` or `Score:` line: is this a scorecard?") };
                vec![(start, lines.len() - 1)]
            }
            Part::Notes => {
                let notes: Vec<(usize, usize)> =
                    lines.iter().enumerate().filter(|(_, l)| l.starts_with("note:")).map(|(k, _)| (k, k)).collect();
                if notes.is_empty() {
                    bail!("the scorecard has no notes");
                }
                notes
            }
            Part::Boots(boots) => boots.iter().map(|&n| boot(lines, n)).collect::<Result<_>>()?,
            Part::Range { from, to } => vec![range(lines, next, from, to)?],
        };
        for (start, end) in ranges {
            if start < next {
                bail!(
                    "the parts are not in the output's order: one starts at line {}, before line {next}, where the one before it ends",
                    start + 1
                );
            }
            picked.push(Some((start, end)));
            next = end + 1;
        }
    }
    Ok(render(lines, &picked))
}

/// Joins the picked ranges, with a gap wherever lines are left out or the
/// marker asks for one.
fn render(lines: &[String], picked: &[Option<(usize, usize)>]) -> Vec<String> {
    let gap = |at: usize| {
        let line = lines.get(at).map(String::as_str).unwrap_or("");
        format!("{}...", &line[..line.len() - line.trim_start().len()])
    };
    let mut out = Vec::new();
    let mut last: Option<usize> = None;
    let mut forced = false;
    for pick in picked {
        match *pick {
            None => forced = true,
            Some((start, end)) => {
                let skipped = last.map_or(start > 0 && forced, |l| start > l + 1);
                // Blank lines alone are kept rather than shown as a gap.
                let blanks = last.is_some_and(|l| lines[l + 1..start].iter().all(|b| b.is_empty()));
                if forced || (skipped && !blanks) {
                    out.push(gap(last.map_or(start, |l| l + 1)));
                } else if skipped {
                    out.extend(lines[last.map_or(start, |l| l + 1)..start].iter().cloned());
                }
                out.extend(lines[start..=end].iter().cloned());
                last = Some(end);
                forced = false;
            }
        }
    }
    if forced {
        out.push(gap(last.map_or(0, |l| l + 1)));
    }
    out
}

/// A scorecard's title, the named tests with their diagnostics and hints,
/// and everything after the tests.
fn tests(lines: &[String], names: &[String]) -> Result<Vec<(usize, usize)>> {
    let entries = test_entries(lines);
    let (Some(first), Some(last)) = (entries.first().map(|e| e.1), entries.last().map(|e| e.2)) else {
        bail!("no test lines: is this a scorecard?");
    };
    let mut ranges = Vec::new();
    if first > 0 {
        ranges.push((0, first - 1));
    }
    for name in names {
        let Some(&(_, start, end)) = entries.iter().find(|(n, _, _)| n == name) else {
            bail!("the scorecard has no test `{name}`");
        };
        ranges.push((start, end));
    }
    if last + 1 < lines.len() {
        ranges.push((last + 1, lines.len() - 1));
    }
    Ok(ranges)
}

/// Each test line of a scorecard, as (name, first line, last line of its
/// diagnostic and hints).
fn test_entries(lines: &[String]) -> Vec<(String, usize, usize)> {
    let mut entries: Vec<(String, usize, usize)> = Vec::new();
    for (k, line) in lines.iter().enumerate() {
        if let Some(name) = test_name(line) {
            entries.push((name.to_string(), k, k));
        } else if let Some(entry) = entries.last_mut().filter(|e| e.2 + 1 == k && line.starts_with("   ")) {
            entry.2 = k;
        }
    }
    entries
}

/// `  FAIL  qemu  hello_line   0/2` gives `hello_line`.
fn test_name(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("  ")?;
    let rest = ["PASS  ", "FAIL  ", "----  ", "SKIP  "].iter().find_map(|m| rest.strip_prefix(m))?;
    let rest = ["host  ", "qemu  "].iter().find_map(|k| rest.strip_prefix(k))?;
    rest.split_whitespace().next()
}

/// Boot `n` of a serial log: its header line and everything up to the next.
fn boot(lines: &[String], n: usize) -> Result<(usize, usize)> {
    let header = format!("===== boot {n}:");
    let Some(start) = lines.iter().position(|l| l.starts_with(&header)) else {
        bail!("the log has no boot {n}");
    };
    let end =
        lines[start + 1..].iter().position(|l| l.starts_with("===== boot ")).map_or(lines.len(), |k| start + 1 + k);
    Ok((start, end - 1))
}

fn range(lines: &[String], from_line: usize, from: &Anchor, to: &End) -> Result<(usize, usize)> {
    let found = find(lines, from_line, from)?;
    let start = shift(lines, found, from.offset, &from.text)?;
    let end = match to {
        End::Eof => lines.len() - 1,
        End::Lines(0) => bail!("`lines 0` shows nothing"),
        End::Lines(n) => start + n - 1,
        End::To(anchor) => shift(lines, find(lines, found, anchor)?, anchor.offset, &anchor.text)?,
    };
    if end >= lines.len() || end < start {
        bail!("the range from the line with \"{}\" runs past the output", from.text);
    }
    Ok((start, end))
}

fn find(lines: &[String], from_line: usize, anchor: &Anchor) -> Result<usize> {
    match lines.iter().skip(from_line).position(|l| l.contains(&anchor.text)) {
        Some(k) => Ok(from_line + k),
        None => bail!("no line contains \"{}\"", anchor.text),
    }
}

fn shift(lines: &[String], at: usize, offset: isize, text: &str) -> Result<usize> {
    match at.checked_add_signed(offset).filter(|&k| k < lines.len()) {
        Some(k) => Ok(k),
        None => bail!("{offset:+} lines from the line with \"{text}\" is outside the output"),
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::spec::parse;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    fn cut(text: &str, spec: &str) -> String {
        let spec = parse(&format!("`x`; {spec}")).unwrap();
        excerpt(&lines(text), &spec.parts).map(|l| l.join("\n")).unwrap_or_else(|e| format!("error: {e}"))
    }

    const CARD: &str = "Exercise 02: When\n\n  FAIL  host  one   0/2\n              panicked\n              hint: a\n  FAIL  host  two   0/1\n              hint: b\n  PASS  qemu  three 1/1\n  FAIL  qemu  four  0/2\n              hint: d\n\nnote: gave up\nScore: 1/6   verdict: failed\nSerial log: x.log";

    #[test]
    fn a_scorecard_with_some_tests() {
        assert_eq!(
            cut(CARD, "tests one four"),
            "Exercise 02: When\n\n  FAIL  host  one   0/2\n              panicked\n              hint: a\n  ...\n  FAIL  qemu  four  0/2\n              hint: d\n\nnote: gave up\nScore: 1/6   verdict: failed\nSerial log: x.log"
        );
        assert_eq!(
            cut(CARD, "tests two"),
            "Exercise 02: When\n\n  ...\n  FAIL  host  two   0/1\n              hint: b\n  ...\n\nnote: gave up\nScore: 1/6   verdict: failed\nSerial log: x.log"
        );
        assert_eq!(cut(CARD, "tail"), "note: gave up\nScore: 1/6   verdict: failed\nSerial log: x.log");
        assert_eq!(cut(CARD, "notes"), "note: gave up");
        assert_eq!(cut(CARD, "test two"), "  FAIL  host  two   0/1\n              hint: b");
        assert_eq!(
            cut(CARD, "test four; tail"),
            "  FAIL  qemu  four  0/2\n              hint: d\n\nnote: gave up\nScore: 1/6   verdict: failed\nSerial log: x.log"
        );
        assert_eq!(cut(CARD, "tests five"), "error: the scorecard has no test `five`");
        assert_eq!(
            cut(CARD, "tests four one"),
            "error: the parts are not in the output's order: one starts at line 3, before line 10, where the one before it ends"
        );
    }

    #[test]
    fn boots_and_ranges_of_a_log() {
        let log = "===== boot 1: a\nKTAP version 1\n# run 1 x\nok 1 x\n# run 2 y\nok 2 y\n===== boot 2: b\nKTAP version 1\n# run 3 z\nnot ok 3 z";
        assert_eq!(cut(log, "boot 2"), "===== boot 2: b\nKTAP version 1\n# run 3 z\nnot ok 3 z");
        assert_eq!(cut(log, "boot 1; boot 2"), lines(log).join("\n"));
        assert_eq!(
            cut(log, "from \"# run 1\" to \"ok 1\"; from \"# run 3\" lines 2"),
            "# run 1 x\nok 1 x\n...\n# run 3 z\nnot ok 3 z"
        );
        assert_eq!(cut(log, "line \"# run 2\" -1; line \"KTAP\""), "ok 1 x\n...\nKTAP version 1");
        assert_eq!(
            cut(log, "from \"KTAP\" to \"ok 2\"; ..."),
            "KTAP version 1\n# run 1 x\nok 1 x\n# run 2 y\nok 2 y\n..."
        );
        assert_eq!(cut(log, "from \"run 3\" to end"), "# run 3 z\nnot ok 3 z");
        assert_eq!(cut(log, "line \"nothing\""), "error: no line contains \"nothing\"");
    }
}
