//! The scorecard: a report as printed on a terminal.
//!
//! ```text
//! Exercise 01: Hello, serial port (your work, exercise-01-serial)
//!
//!   PASS  host  writer_sends_text_to_the_console       1/1
//!   FAIL  qemu  hello_line                             0/2
//!               the test returned, but the line ... never appeared ...
//!               hint: ...
//!
//! note: ...
//! Score: 16/18   verdict: failed
//! Serial log: target/fledge/logs/exercise-01-serial.log
//! Stuck? Read book/src/ch01-serial.md; `--hint` shows every hint.
//! ```
//!
//! Names, diagnostics and notes can quote the guest: they go through
//! [`sanitize`], so its control characters are shown, never obeyed.

use console::style;

use super::{Report, Status, Verdict};
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
                let hints = if self.all_hints { &test.hints[..] } else { &test.hints[..test.hints.len().min(1)] };
                for hint in hints {
                    line(&mut out, format!("              {} {hint}", style("hint:").cyan().bold()));
                }
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
            let more = if self.all_hints || self.build_errors.is_some() { "" } else { "; `--hint` shows every hint" };
            line(&mut out, format!("Stuck? Read {chapter}{more}."));
        }
        out
    }
}
