//! `cargo grade --self-check`: the promise every exercise makes, checked.
//!
//! The tests are single-sourced, so the same tests that grade a learner also
//! grade the starter and the reference solution. For each exercise:
//!
//! - the starter, as shipped, must not pass: every test marked
//!   `covers_hole` (the default) fails, and the exit status is non-zero;
//! - the reference solution must score full marks.
//!
//! The last line is `N passed, M failed`, which CI reads.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::grade::{self, Options};
use crate::manifest;
use crate::report::{Status, Verdict};

/// Checks every exercise and prints one line per check.
pub fn run(root: &Path, options: Options) -> Result<ExitCode> {
    let mut passed = 0;
    let mut failed = 0;
    for m in manifest::discover(root)? {
        let starter = grade::exercise(root, &m, false, options)?;
        let leaks: Vec<&str> = m
            .tests
            .iter()
            .zip(&starter.tests)
            .filter(|(spec, test)| spec.covers_hole && test.status == Status::Passed)
            .map(|(spec, _)| spec.name.as_str())
            .collect();
        let starter_ok =
            starter.verdict != Verdict::Passed && starter.verdict != Verdict::BuildFailed && leaks.is_empty();
        report_line(
            starter_ok,
            &format!(
                "{} starter: {}/{} ({}), every test over a hole fails",
                m.id(),
                starter.score,
                starter.max_score,
                starter.verdict.as_str()
            ),
            &if leaks.is_empty() {
                format!("{:?}", starter.notes)
            } else {
                format!("passes with holes: {}", leaks.join(", "))
            },
        );
        if starter_ok {
            passed += 1
        } else {
            failed += 1
        }

        let solution = grade::exercise(root, &m, true, options)?;
        let solution_ok = solution.verdict == Verdict::Passed && solution.score == solution.max_score;
        report_line(
            solution_ok,
            &format!("{} solution: {}/{} ({})", m.id(), solution.score, solution.max_score, solution.verdict.as_str()),
            &solution.scorecard(),
        );
        if solution_ok { passed += 1 } else { failed += 1 }
    }
    println!("self-check: {passed} passed, {failed} failed");
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn report_line(ok: bool, what: &str, detail: &str) {
    if ok {
        println!("ok      {what}");
    } else {
        println!("FAILED  {what}\n{detail}");
    }
}
