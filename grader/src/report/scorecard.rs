//! The scorecard: a report as printed on a terminal.
//!
//! ```text
//! Exercise 01: Hello, serial port (your work, exercise-01-serial)
//!
//!   PASS  host  writer_sends_text_to_the_console       1/1
//!   FAIL  qemu  hello_line                             0/2
//!               the test returned, but the line ... never appeared ...
//!               hint 1/3: ...
//!               hint 2/3 (new): ...
//!   FAIL  qemu  sleep_lasts_50_ms                      0/2
//!               the trace of boot 1 (.../boot-1/com2.log) fails not_before: ...
//!               hint 1/2: ...
//!               timeline: target/fledge/logs/exercise-07-sched.sleep_lasts_50_ms.trace.svg
//!               trace events: target/fledge/logs/exercise-07-sched.sleep_lasts_50_ms.trace.json
//!
//! note: ...
//! Score: 16/18   verdict: failed
//! Serial log: target/fledge/logs/exercise-01-serial.log
//! Stuck? Read book/src/ch01-serial.md; `--hint` shows hint 3/3 of `hello_line`.
//! ```
//!
//! A failing test shows the first rung of its hint ladder, and the rungs
//! `--hint` revealed before (`hints.rs` remembers them); `(new)` marks the
//! one this grading's `--hint` revealed. A test judged from its scheduler
//! trace names the trace's pictures when they were kept (it failed, or
//! `--trace`). The `Stuck?` line says what the next `--hint` would show.
//!
//! Names, diagnostics and notes can quote the guest: they go through
//! [`sanitize`], so its control characters are shown, never obeyed.

use console::style;

use super::{Report, Status, TestReport, Verdict};
use crate::manifest::Kind;
use crate::sanitize;

impl Report {
    /// The scorecard, as printed on a terminal.
    pub fn scorecard(&self) -> String {
        let mut out = String::new();
        let line = |out: &mut String, text: String| {
            out.push_str(&text);
            out.push('\n');
        };
        line(&mut out, format!("{}", style(&self.title).bold()));
        line(&mut out, String::new());
        if let Some(errors) = &self.build_errors {
            line(&mut out, format!("{}", style("It does not compile yet. The compiler says:").red().bold()));
            line(&mut out, String::new());
            for l in errors.lines() {
                line(&mut out, format!("    {l}"));
            }
            line(&mut out, String::new());
            line(
                &mut out,
                "Fix the first error (the file and line are in the message), then run the same command again.".into(),
            );
            line(&mut out, format!("None of the {} tests could run.", self.tests.len()));
            line(&mut out, String::new());
        }
        let tests = if self.build_errors.is_some() { &[][..] } else { &self.tests[..] };
        let names: Vec<String> = self.tests.iter().map(|t| sanitize::line(&t.name)).collect();
        let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
        for (test, name) in tests.iter().zip(&names) {
            let mark = match test.status {
                Status::Passed => style("PASS").green().bold(),
                Status::Failed => style("FAIL").red().bold(),
                Status::NotRun => style("----").yellow().bold(),
                Status::Skipped => style("SKIP").yellow().bold(),
                Status::Crashed => style("CRSH").red().bold(),
            };
            let kind = match test.kind {
                Kind::Host => "host",
                Kind::Qemu => "qemu",
            };
            line(&mut out, format!("  {mark}  {kind}  {name:width$}  {:>2}/{}", test.points, test.max_points));
            if test.status != Status::Passed {
                if let Some(why) = &test.diagnostic {
                    line(&mut out, format!("              {}", style(sanitize::line(why)).dim()));
                }
                for (rung, hint) in test.shown_hints().iter().enumerate() {
                    line(&mut out, format!("              {} {hint}", style(hint_label(test, rung)).cyan().bold()));
                }
            }
            if let Some(trace) = &test.trace {
                line(&mut out, format!("              {} {}", style("timeline:").cyan(), trace.svg.display()));
                line(&mut out, format!("              {} {}", style("trace events:").cyan(), trace.json.display()));
            }
        }
        if !tests.is_empty() {
            line(&mut out, String::new());
        }
        for note in &self.notes {
            line(&mut out, format!("{} {}", style("note:").yellow().bold(), sanitize::line(note)));
        }
        let verdict = match self.verdict {
            Verdict::Passed => style(self.verdict.as_str()).green().bold(),
            _ => style(self.verdict.as_str()).red().bold(),
        };
        line(&mut out, format!("Score: {}/{}   verdict: {verdict}", self.score, self.max_score));
        if let Some(log) = &self.log {
            line(&mut out, format!("Serial log: {}", log.display()));
        }
        if self.verdict != Verdict::Passed
            && let Some(chapter) = &self.chapter
        {
            line(&mut out, self.stuck(chapter));
        }
        out
    }

    /// The last line of a scorecard that is not full marks: what to read,
    /// and what `--hint` would show next.
    fn stuck(&self, chapter: &str) -> String {
        let Some(test) = self.hinted_test() else {
            return format!("Stuck? Read {chapter}.");
        };
        let name = sanitize::line(&test.name);
        if test.more_hints() {
            let next = test.hint_label(test.shown_hints().len());
            return format!("Stuck? Read {chapter}; `--hint` shows {next} of `{name}`.");
        }
        let place = match section(&test.hints[0]) {
            Some(section) => format!("section \"{section}\" of {chapter}"),
            None => chapter.to_string(),
        };
        format!("Stuck? Every hint of `{name}` is shown above; read {place} once more.")
    }
}

/// `hint 2/3:`, with `(new)` for the rung this grading's `--hint` revealed.
fn hint_label(test: &TestReport, rung: usize) -> String {
    let new = test.just_revealed && rung + 1 == test.shown_hints().len();
    format!("{}{}:", test.hint_label(rung), if new { " (new)" } else { "" })
}

/// The book section a first hint names: `section "..."`.
fn section(hint: &str) -> Option<&str> {
    let (_, rest) = hint.split_once("section \"")?;
    rest.split_once('"').map(|(section, _)| section)
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::manifest::Kind;

    /// A failing test with three hints, `revealed` of them revealed.
    fn card(revealed: usize, just_revealed: bool) -> String {
        console::set_colors_enabled(false);
        let hints = vec![
            "the idea (book/src/ch01-serial.md, section \"The serial port\")".to_string(),
            "the mechanism".to_string(),
            "near-code".to_string(),
        ];
        let mut test = TestReport::new("hello_line".into(), Kind::Qemu, 2, hints);
        test.fail("no line".into());
        test.revealed = revealed;
        test.just_revealed = just_revealed;
        let mut report = Report::new("exercise-01".into(), "Exercise 01".into(), vec![test]);
        report.chapter = Some("book/src/ch01-serial.md".into());
        report.finish(None);
        report.scorecard()
    }

    #[test]
    fn a_failing_test_shows_its_first_rung_and_the_next_hint_is_named() {
        let card = card(0, false);
        assert!(card.contains("hint 1/3: the idea"), "{card}");
        assert!(!card.contains("the mechanism"), "{card}");
        assert!(
            card.contains("Stuck? Read book/src/ch01-serial.md; `--hint` shows hint 2/3 of `hello_line`."),
            "{card}"
        );
    }

    #[test]
    fn revealed_rungs_stay_and_the_new_one_is_marked() {
        let now = card(2, true);
        assert!(now.contains("hint 1/3: the idea"), "{now}");
        assert!(now.contains("hint 2/3 (new): the mechanism"), "{now}");
        assert!(now.contains("`--hint` shows hint 3/3 of `hello_line`"), "{now}");
        let later = card(2, false);
        assert!(later.contains("hint 2/3: the mechanism"), "{later}");
    }

    #[test]
    fn at_the_top_the_section_is_named() {
        let card = card(3, false);
        assert!(card.contains("hint 3/3: near-code"), "{card}");
        assert!(
            card.contains(
                "Stuck? Every hint of `hello_line` is shown above; read section \"The serial port\" of book/src/ch01-serial.md once more."
            ),
            "{card}"
        );
    }

    #[test]
    fn a_drawn_trace_is_named_on_the_scorecard_and_in_json() {
        console::set_colors_enabled(false);
        let mut test = TestReport::new("sleeps".into(), Kind::Qemu, 2, vec!["look".into()]);
        test.fail("the test's trace fails `not_before`: ...".into());
        let logs = std::path::Path::new("target/fledge/logs");
        test.trace = Some(crate::report::TraceFiles {
            json: logs.join("exercise-07-sched.sleeps.trace.json"),
            svg: logs.join("exercise-07-sched.sleeps.trace.svg"),
        });
        let mut report = Report::new("exercise-07".into(), "Exercise 07".into(), vec![test]);
        report.finish(None);
        let card = report.scorecard();
        assert!(
            card.contains(
                "              hint: look\n              timeline: target/fledge/logs/exercise-07-sched.sleeps.trace.svg\n              trace events: target/fledge/logs/exercise-07-sched.sleeps.trace.json\n"
            ),
            "{card}"
        );
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["tests"][0]["trace"]["svg"], "target/fledge/logs/exercise-07-sched.sleeps.trace.svg");
        assert_eq!(json["tests"][0]["trace"]["json"], "target/fledge/logs/exercise-07-sched.sleeps.trace.json");
    }
}
