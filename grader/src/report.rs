//! The grader's verdict on one run, and the ways it is shown: the
//! scorecard for people, JSON for programs.

use std::path::PathBuf;

use console::style;
use serde::Serialize;

use crate::manifest::Kind;
use crate::sanitize;

/// The one-word summary of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Full marks.
    Passed,
    /// Everything ran; some tests failed.
    Failed,
    /// A boot did not finish in time and was stopped.
    TimedOut,
    /// The guest died without saying goodbye: a triple fault, a reset, QEMU
    /// killed or failing.
    Crashed,
    /// The exercise did not compile.
    BuildFailed,
    /// The guest finished without writing any KTAP.
    NoOutput,
    /// The guest wrote so much that the grader stopped it.
    Flooded,
}

impl Verdict {
    /// The word the JSON report uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::TimedOut => "timed_out",
            Verdict::Crashed => "crashed",
            Verdict::BuildFailed => "build_failed",
            Verdict::NoOutput => "no_output",
            Verdict::Flooded => "flooded",
        }
    }
}

/// Whether one test passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// It passed, and so did the host-side checks on it.
    Passed,
    /// It failed, or its output was not what was expected.
    Failed,
    /// It never got to run.
    NotRun,
}

/// One test on the scorecard.
#[derive(Clone, Debug, Serialize)]
pub struct TestReport {
    /// The test's name.
    pub name: String,
    /// Where it ran.
    pub kind: Kind,
    /// How it went.
    pub status: Status,
    /// Points earned.
    pub points: u32,
    /// Points possible.
    pub max_points: u32,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostic: Option<String>,
    /// The manifest's hints.
    #[serde(skip)]
    pub hints: Vec<String>,
}

/// The grader's verdict on one exercise (or one `--kernel`).
#[derive(Debug, Serialize)]
pub struct Report {
    /// `exercise-01`, or the kernel's path.
    pub exercise: String,
    /// Points earned.
    pub score: u32,
    /// Points possible.
    pub max_score: u32,
    /// The summary.
    pub verdict: Verdict,
    /// Each test.
    pub tests: Vec<TestReport>,
    /// Where the serial log was saved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<PathBuf>,
    /// Things the learner should know that belong to no single test.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The title, for the scorecard's first line.
    #[serde(skip)]
    pub title: String,
    /// The book chapter to read.
    #[serde(skip)]
    pub chapter: Option<String>,
    /// Compiler errors, when the build failed.
    #[serde(skip)]
    pub build_errors: Option<String>,
    /// Whether all hints are shown, not only the first.
    #[serde(skip)]
    pub all_hints: bool,
}

impl Report {
    /// A report on `tests`, none of them graded yet.
    pub fn new(exercise: String, title: String, tests: Vec<TestReport>) -> Report {
        Report {
            exercise,
            score: 0,
            max_score: tests.iter().map(|t| t.max_points).sum(),
            verdict: Verdict::Failed,
            tests,
            log: None,
            notes: Vec::new(),
            title,
            chapter: None,
            build_errors: None,
            all_hints: false,
        }
    }

    /// Adds up the points and settles the verdict from the tests, unless a
    /// harder verdict (time-out, crash, ...) was already given.
    pub fn finish(&mut self, ending: Option<Verdict>) {
        self.score = self.tests.iter().map(|t| t.points).sum();
        self.max_score = self.tests.iter().map(|t| t.max_points).sum();
        self.verdict = match ending {
            Some(verdict) => verdict,
            None if self.score == self.max_score && self.tests.iter().all(|t| t.status == Status::Passed) => {
                Verdict::Passed
            }
            None => Verdict::Failed,
        };
    }

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
        // Names, diagnostics and notes can quote the guest: show its control
        // characters, never send them to the terminal.
        let names: Vec<String> = self.tests.iter().map(|t| sanitize::line(&t.name)).collect();
        let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
        for (test, name) in tests.iter().zip(&names) {
            let mark = match test.status {
                Status::Passed => style("PASS").green().bold(),
                Status::Failed => style("FAIL").red().bold(),
                Status::NotRun => style("----").yellow().bold(),
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
