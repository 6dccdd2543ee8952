//! What a `check:` marker says: the command whose output the block quotes,
//! and which part of that output it shows.
//!
//! ```text
//! <!-- check: `cargo grade 02`; tests report_names_the_test_the_place_and_the_message plain_panic -->
//! <!-- check: `cargo grade 02`; file target/fledge/logs/exercise-02-panic.log; boot 3 -->
//! <!-- check: `cargo grade 02`; patch book/patches/ch02-handler-done.diff; notes -->
//! <!-- check: `cargo grade 04 --solution`; file target/fledge/logs/solution-04-timer.log;
//!      from "# run 3" to "ok 3"; from "# run 7" to "ok 8"; mask numbers -->
//! ```
//!
//! Clauses, separated by `;` after the backquoted command (which runs with
//! `sh -c` from the repository root):
//!
//! | clause | meaning |
//! |---|---|
//! | `patch FILE` | apply this patch to the tree for the run, and restore the files after |
//! | `touches FILE` | the command changes this file: save it before, and put it back after |
//! | `stderr` | the block quotes standard error (cargo's own status lines left out) |
//! | `file PATH` | the block quotes this file, as the command left it |
//! | `tests NAME...` | a scorecard: its title, these tests, then its notes and score |
//! | `test NAME` | one test of a scorecard: its line, diagnostic and hints |
//! | `tail` | a scorecard's last lines, from the first note or the score |
//! | `notes` | a scorecard's `note:` lines |
//! | `boot N...` | a serial log's boots, whole |
//! | `line "TEXT"` | the first line that contains TEXT |
//! | `from "TEXT" to "TEXT"` | the lines from one that contains the first TEXT to the next that contains the second (`to end`: to the last line; `lines N`: N lines) |
//! | `...` | a gap here, even where nothing is left out between two parts |
//! | `mask numbers`, `mask addresses` | compare with every number, or every hex address, masked (measurements; a build's layout) |
//! | `note: TEXT` | a remark for the reader of the marker; no effect |
//!
//! A `"TEXT"` may be followed by `-N` or `+N` to start (or end) N lines
//! before or after the line that contains it. Parts follow each other in
//! the output in the order given, and where lines are left out between two
//! parts the block shows `...`. With no part named, the block is the whole
//! output.

use anyhow::{Context, Result, anyhow, bail};

/// A parsed `check:` marker.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Spec {
    /// The command, run with `sh -c` from the repository root.
    pub command: String,
    /// Patches applied for the run.
    pub patches: Vec<String>,
    /// Files the command itself changes, put back after it.
    pub touches: Vec<String>,
    /// What the block quotes.
    pub source: Source,
    /// The parts of the output the block shows, in order.
    pub parts: Vec<Part>,
    /// Mask every number when comparing.
    pub mask_numbers: bool,
    /// Mask every hex address when comparing.
    pub mask_addresses: bool,
}

/// Where the quoted text comes from.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Source {
    /// Standard output.
    #[default]
    Stdout,
    /// Standard error, without cargo's status lines.
    Stderr,
    /// A file the command left, relative to the repository root.
    File(String),
}

/// One part of the output.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// A scorecard with only these tests.
    Tests(Vec<String>),
    /// One test's entry in a scorecard.
    Test(String),
    /// A scorecard's last lines.
    Tail,
    /// A scorecard's notes.
    Notes,
    /// A serial log's boots.
    Boots(Vec<usize>),
    /// A run of lines.
    Range {
        /// Where it starts.
        from: Anchor,
        /// Where it ends.
        to: End,
    },
    /// A gap, shown as `...`.
    Gap,
}

/// A line found by its text, moved by an offset.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    /// Text the line contains.
    pub text: String,
    /// Lines to move from it.
    pub offset: isize,
}

/// Where a range ends.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    /// At the next line (from the start) that contains this text, moved.
    To(Anchor),
    /// After this many lines.
    Lines(usize),
    /// At the last line.
    Eof,
}

/// Parses the text after `check:`.
pub fn parse(text: &str) -> Result<Spec> {
    let text = text.trim();
    let rest = text.strip_prefix('`').ok_or_else(|| anyhow!("a check starts with its command in backquotes"))?;
    let close = rest.find('`').ok_or_else(|| anyhow!("the command's closing backquote is missing"))?;
    let mut spec = Spec { command: rest[..close].trim().to_string(), ..Spec::default() };
    let rest = rest[close + 1..].trim();
    if rest.is_empty() {
        return Ok(spec);
    }
    let rest = rest.strip_prefix(';').ok_or_else(|| anyhow!("clauses follow the command after a `;`"))?;
    for clause in split_clauses(rest) {
        let words = words(&clause)?;
        let Some(first) = words.first() else { continue };
        clause_into(&mut spec, first, &words[1..]).with_context(|| format!("in the clause `{}`", clause.trim()))?;
    }
    Ok(spec)
}

fn clause_into(spec: &mut Spec, first: &str, args: &[String]) -> Result<()> {
    let one = |what: &str| -> Result<String> {
        match args {
            [a] => Ok(a.clone()),
            _ => bail!("`{first}` takes one {what}"),
        }
    };
    match first {
        "patch" => spec.patches.push(one("patch file")?),
        "touches" => spec.touches.push(one("path")?),
        "stderr" => spec.source = Source::Stderr,
        "file" => spec.source = Source::File(one("path")?),
        "tests" if !args.is_empty() => spec.parts.push(Part::Tests(args.to_vec())),
        "test" => spec.parts.push(Part::Test(one("test name")?)),
        "tail" => spec.parts.push(Part::Tail),
        "notes" => spec.parts.push(Part::Notes),
        "boot" | "boots" => {
            let boots = args.iter().map(|a| a.trim_end_matches(',').parse()).collect::<Result<Vec<usize>, _>>();
            spec.parts.push(Part::Boots(boots.context("boot numbers")?));
        }
        "line" => {
            let (from, rest) = anchor(args)?;
            if !rest.is_empty() {
                bail!("`line \"TEXT\"` takes nothing after the text but an offset");
            }
            spec.parts.push(Part::Range { from, to: End::Lines(1) });
        }
        "from" => {
            let (from, rest) = anchor(args)?;
            let to = match rest {
                [to, end] if to == "to" && end == "end" => End::Eof,
                [to, ..] if to == "to" => {
                    let (a, more) = anchor(&rest[1..])?;
                    if !more.is_empty() {
                        bail!("unexpected `{}`", more.join(" "));
                    }
                    End::To(a)
                }
                [lines, n] if lines == "lines" => End::Lines(n.parse().context("a number of lines")?),
                _ => bail!("`from \"TEXT\"` goes on with `to \"TEXT\"`, `to end` or `lines N`"),
            };
            spec.parts.push(Part::Range { from, to });
        }
        "..." => spec.parts.push(Part::Gap),
        "note:" | "note" => {}
        "mask" => {
            for what in args {
                match what.as_str() {
                    "numbers" => spec.mask_numbers = true,
                    "addresses" => spec.mask_addresses = true,
                    other => bail!("cannot mask `{other}`: `numbers` or `addresses`"),
                }
            }
        }
        other => bail!("unknown clause `{other}`"),
    }
    Ok(())
}

/// `"TEXT" [-N|+N]`, and what follows.
fn anchor(args: &[String]) -> Result<(Anchor, &[String])> {
    let text = args.first().ok_or_else(|| anyhow!("a quoted text is missing"))?;
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .ok_or_else(|| anyhow!("the text `{text}` must be in double quotes"))?;
    let mut offset = 0;
    let mut rest = &args[1..];
    if let Some(o) = rest.first().filter(|o| o.starts_with(['-', '+']) && o.len() > 1) {
        offset = o.trim_start_matches('+').parse().context("an offset such as -1 or +2")?;
        rest = &rest[1..];
    }
    Ok((Anchor { text: text.replace("\\\"", "\""), offset }, rest))
}

/// Splits at `;`s that are not inside double quotes.
fn split_clauses(text: &str) -> Vec<String> {
    let mut clauses = vec![String::new()];
    let mut quoted = false;
    let mut escaped = false;
    for c in text.chars() {
        match c {
            ';' if !quoted => clauses.push(String::new()),
            _ => {
                if c == '"' && !escaped {
                    quoted = !quoted;
                }
                escaped = c == '\\' && !escaped;
                clauses.last_mut().expect("one at least").push(c);
            }
        }
    }
    clauses
}

/// Words, keeping a double-quoted text (with `\"` inside) as one, quotes
/// included.
fn words(clause: &str) -> Result<Vec<String>> {
    let mut words = Vec::new();
    let mut chars = clause.trim().chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            let mut word = String::from(chars.next().expect("peeked"));
            let mut closed = false;
            while let Some(c) = chars.next() {
                word.push(c);
                if c == '\\' {
                    if let Some(next) = chars.next() {
                        word.push(next);
                    }
                } else if c == '"' {
                    closed = true;
                    break;
                }
            }
            if !closed {
                bail!("a quoted text is not closed");
            }
            words.push(word);
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek().filter(|c| !c.is_whitespace()) {
                word.push(c);
                chars.next();
            }
            words.push(word);
        }
    }
    Ok(words)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn a_whole_scorecard() {
        let spec = parse("`cargo grade 02`").unwrap();
        assert_eq!(spec, Spec { command: "cargo grade 02".into(), ..Spec::default() });
    }

    #[test]
    fn every_clause() {
        let spec = parse(
            "`cargo grade 01 --json | python3 -m json.tool`; patch book/patches/a.diff; touches src/lib.rs; file target/x.log; \
             tests a b; test c; tail; notes; boot 5 6; line \"say \\\"hi\\\"; there\" -1; from \"# run 3\" to \"ok 3\" +1; \
             from \"x\" lines 3; from \"y\" to end; ...; mask numbers addresses; note: it's \"quoted\"",
        )
        .unwrap();
        assert_eq!(spec.command, "cargo grade 01 --json | python3 -m json.tool");
        assert_eq!(spec.patches, vec!["book/patches/a.diff"]);
        assert_eq!(spec.touches, vec!["src/lib.rs"]);
        assert_eq!(spec.source, Source::File("target/x.log".into()));
        assert!(spec.mask_numbers && spec.mask_addresses);
        let a = |text: &str, offset| Anchor { text: text.into(), offset };
        assert_eq!(
            spec.parts,
            vec![
                Part::Tests(vec!["a".into(), "b".into()]),
                Part::Test("c".into()),
                Part::Tail,
                Part::Notes,
                Part::Boots(vec![5, 6]),
                Part::Range { from: a("say \"hi\"; there", -1), to: End::Lines(1) },
                Part::Range { from: a("# run 3", 0), to: End::To(a("ok 3", 1)) },
                Part::Range { from: a("x", 0), to: End::Lines(3) },
                Part::Range { from: a("y", 0), to: End::Eof },
                Part::Gap,
            ]
        );
    }

    #[test]
    fn mistakes_are_named() {
        for (spec, says) in [
            ("cargo grade", "backquotes"),
            ("`cargo grade` tail", "`;`"),
            ("`cargo grade`; tial", "unknown clause `tial`"),
            ("`cargo grade`; from \"a\"", "goes on with"),
            ("`cargo grade`; line a", "double quotes"),
        ] {
            let error = format!("{:#}", parse(spec).unwrap_err());
            assert!(error.contains(says), "{spec}: {error}");
        }
    }
}
