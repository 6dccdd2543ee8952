//! The report stage: the grader's verdict on one run, and the ways it is
//! shown: the scorecard for people ([`scorecard`]), JSON for programs (this
//! type's `Serialize`), JUnit XML for CI ([`junit`]).
//!
//! The JSON shape is a promise to scripts: fields are only ever added.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Serialize, Serializer};

use crate::manifest::Kind;

pub mod junit;
mod scorecard;

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
    /// It never got to run, or its result did not count.
    NotRun,
    /// The kernel skipped it (`# SKIP`) in a boot that was asked to run it.
    Skipped,
    /// A host test whose process died while it ran (a signal: a
    /// segmentation fault, an abort): it has no result of its own.
    Crashed,
}

/// One test on the scorecard. In JSON, a test that did not pass also has
/// `hints`: the rungs of its hint ladder the scorecard shows; a test whose
/// trace was drawn has `trace`, with the paths `json` and `svg`.
#[derive(Clone, Debug)]
pub struct TestReport {
    /// The test's name, as the manifest (or the kernel) gives it.
    pub name: String,
    /// Its full path, when that says more than the name: a host test's
    /// module path (`paging::translate_walks_four_levels`).
    pub path: Option<String>,
    /// Where it ran.
    pub kind: Kind,
    /// How it went.
    pub status: Status,
    /// Points earned.
    pub points: u32,
    /// Points possible.
    pub max_points: u32,
    /// Why it failed.
    pub diagnostic: Option<String>,
    /// The manifest's hints: a ladder, from the idea and the place to look
    /// up to near-code.
    pub hints: Vec<String>,
    /// How many rungs of the ladder `--hint` has revealed (see `hints.rs`);
    /// the first is always shown, so 0 and 1 show the same.
    pub revealed: usize,
    /// Whether this grading's `--hint` revealed the last of them.
    pub just_revealed: bool,
    /// The pictures of the test's scheduler trace, when they were kept: for
    /// a test that failed, and for every test with `--trace`.
    pub trace: Option<TraceFiles>,
}

/// Where a test's scheduler trace was drawn, beside the serial log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceFiles {
    /// Chrome trace-event JSON, for Perfetto and `chrome://tracing`.
    pub json: PathBuf,
    /// The SVG timeline, for a browser.
    pub svg: PathBuf,
}

impl TestReport {
    /// A test worth `max_points` that has not run yet.
    pub fn new(name: String, kind: Kind, max_points: u32, hints: Vec<String>) -> TestReport {
        TestReport {
            name,
            path: None,
            kind,
            status: Status::NotRun,
            points: 0,
            max_points,
            diagnostic: None,
            hints,
            revealed: 0,
            just_revealed: false,
            trace: None,
        }
    }

    /// The hints shown for this test: none once it passed; otherwise the
    /// first rung, and every rung `--hint` revealed before.
    pub fn shown_hints(&self) -> &[String] {
        if self.status == Status::Passed {
            return &[];
        }
        &self.hints[..self.revealed.max(1).min(self.hints.len())]
    }

    /// What goes before the hint at `rung` (from 0): `hint 2/3`, or just
    /// `hint` for a test with one.
    pub fn hint_label(&self, rung: usize) -> String {
        if self.hints.len() > 1 { format!("hint {}/{}", rung + 1, self.hints.len()) } else { "hint".into() }
    }

    /// Whether the ladder has rungs not shown yet.
    pub fn more_hints(&self) -> bool {
        self.shown_hints().len() < self.hints.len()
    }

    /// It passed: all its points.
    pub fn pass(&mut self) {
        self.status = Status::Passed;
        self.points = self.max_points;
        self.diagnostic = None;
    }

    /// It failed, for this reason: no points.
    pub fn fail(&mut self, why: String) {
        self.status = Status::Failed;
        self.points = 0;
        self.diagnostic = Some(why);
    }

    /// Its process died while it ran, for this reason: no points.
    pub fn crash(&mut self, why: String) {
        self.status = Status::Crashed;
        self.points = 0;
        self.diagnostic = Some(why);
    }

    /// The kernel skipped it: no points.
    pub fn skip(&mut self, why: Option<String>) {
        self.status = Status::Skipped;
        self.points = 0;
        self.diagnostic = why;
    }
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
    /// How long the boots and the host tests took.
    #[serde(skip)]
    pub timings: Timings,
}

/// How long parts of a grading took, for `--self-check`'s look at the
/// manifest's `[reference]` times.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// The longest boot, less the time its CPU waited for a core.
    pub longest_boot: Option<Duration>,
    /// The host tests' first run, all at once.
    pub host_tests: Option<Duration>,
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
            timings: Timings::default(),
        }
    }

    /// The test whose hints `--hint` climbs: the first, in scorecard order,
    /// that did not pass and has hints. None while the exercise does not
    /// compile, since the scorecard then shows no tests.
    pub fn hinted_test(&self) -> Option<&TestReport> {
        let index = self.hinted_index()?;
        self.tests.get(index)
    }

    /// Where [`hinted_test`](Self::hinted_test) is in `tests`.
    pub fn hinted_index(&self) -> Option<usize> {
        if self.build_errors.is_some() {
            return None;
        }
        self.tests.iter().position(|t| t.status != Status::Passed && !t.hints.is_empty())
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
}

impl Serialize for TestReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The JSON fields, in the order scripts have always seen them.
        #[derive(Serialize)]
        struct Json<'a> {
            name: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            path: &'a Option<String>,
            kind: Kind,
            status: Status,
            points: u32,
            max_points: u32,
            #[serde(skip_serializing_if = "Option::is_none")]
            diagnostic: &'a Option<String>,
            #[serde(skip_serializing_if = "<[String]>::is_empty")]
            hints: &'a [String],
            #[serde(skip_serializing_if = "Option::is_none")]
            trace: &'a Option<TraceFiles>,
        }
        Json {
            name: &self.name,
            path: &self.path,
            kind: self.kind,
            status: self.status,
            points: self.points,
            max_points: self.max_points,
            diagnostic: &self.diagnostic,
            hints: self.shown_hints(),
            trace: &self.trace,
        }
        .serialize(serializer)
    }
}
