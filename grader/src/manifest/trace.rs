//! `[test.trace]`: a kernel test judged from its scheduler trace (exercise
//! 07), not from the kernel's word.
//!
//! The test dumps `fledge-trace`'s ring on COM2 at its end, each dump
//! directly after a line that names the test:
//!
//! ```text
//! # trace yielders_take_turns                 <- the marker: `# trace ` and the test's name
//! fledge-trace version=1 tsc-hz=2000000000    <- the dump, as fledge-trace writes it
//! ...
//! end events=310 dropped=0
//! ```
//!
//! A test may dump several times (a ring smaller than its events); its
//! trace is all its dumps, in order, joined. Dumps with no marker, or
//! another test's, are not its. The trace is decoded, checked (the rules
//! of `grader/src/trace/check.rs`), and then measured by the checks the
//! test asks for, on the host:
//!
//! ```toml
//! [test.trace]
//! fair = { prefix = "yielder", within = 1 }  # while all are alive, their poll counts stay within 1
//! not_before = { task = "sleeper", ms = 50 } # after arming a sleep, not polled for 50 ms of TSC time
//! idle_share = 0.8                           # halted for at least 80 % of the trace's time
//! irq_wakes = 1000                           # at least 1000 wakes by an interrupt, none lost
//! ```
//!
//! Every check a test names must hold; a test must name at least one.
//! `grader/src/trace/measure.rs` says exactly what each computes.

use serde::Deserialize;

/// The checks one test's trace must pass.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TraceSpec {
    /// The tasks whose names start with `prefix` are polled in turn.
    #[serde(default)]
    pub fair: Option<Fair>,
    /// The task named `task` sleeps at least `ms` milliseconds each time.
    #[serde(default)]
    pub not_before: Option<NotBefore>,
    /// The least fraction of the trace's time the CPU spends halted.
    #[serde(default)]
    pub idle_share: Option<f64>,
    /// The least number of wakes by an interrupt; none may be lost.
    #[serde(default)]
    pub irq_wakes: Option<u32>,
}

/// `fair = { prefix = "yielder", within = 1 }`
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Fair {
    /// The beginning of the names of the tasks compared (at least two).
    pub prefix: String,
    /// How far apart their poll counts may be at any moment.
    pub within: u32,
}

/// `not_before = { task = "sleeper", ms = 50 }`
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NotBefore {
    /// The task's whole name (every task of that name is held to it).
    pub task: String,
    /// Milliseconds of TSC time from arming a sleep to the next poll.
    pub ms: u64,
}

impl TraceSpec {
    /// What is wrong with the checks as written, if anything: a sentence
    /// for the manifest's error.
    pub fn problem(&self) -> Option<String> {
        if *self == TraceSpec::default() {
            return Some(
                "[test.trace] names no check: give at least one of fair, not_before, idle_share, irq_wakes".into(),
            );
        }
        if let Some(share) = self.idle_share
            && !(share > 0.0 && share <= 1.0)
        {
            return Some(format!("trace.idle_share is {share}; it is a fraction of the time, above 0 and at most 1"));
        }
        if self.fair.as_ref().is_some_and(|f| f.prefix.is_empty()) {
            return Some("trace.fair.prefix is empty: name the tasks compared by the beginning of their names".into());
        }
        if self.not_before.as_ref().is_some_and(|n| n.ms == 0) {
            return Some("trace.not_before.ms is 0, which every trace passes: give the sleep's length".into());
        }
        if self.irq_wakes == Some(0) {
            return Some("trace.irq_wakes is 0, which every trace passes: give how many wakes the test makes".into());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_reads_and_holds_together() {
        let spec: TraceSpec = toml::from_str(
            "fair = { prefix = \"yielder\", within = 1 }\nnot_before = { task = \"sleeper\", ms = 50 }\n\
             idle_share = 0.8\nirq_wakes = 1000\n",
        )
        .unwrap();
        assert_eq!(spec.fair, Some(Fair { prefix: "yielder".into(), within: 1 }));
        assert_eq!(spec.not_before, Some(NotBefore { task: "sleeper".into(), ms: 50 }));
        assert_eq!((spec.idle_share, spec.irq_wakes), (Some(0.8), Some(1000)));
        assert_eq!(spec.problem(), None);
    }

    #[test]
    fn checks_that_would_assert_nothing_are_refused() {
        let problem = |text: &str| toml::from_str::<TraceSpec>(text).unwrap().problem().unwrap_or_default();
        assert!(problem("").contains("names no check"));
        assert!(problem("idle_share = 0.0").contains("above 0 and at most 1"));
        assert!(problem("idle_share = 80.0").contains("above 0 and at most 1"));
        assert!(problem("fair = { prefix = \"\", within = 1 }").contains("prefix is empty"));
        assert!(problem("not_before = { task = \"s\", ms = 0 }").contains("ms is 0"));
        assert!(problem("irq_wakes = 0").contains("irq_wakes is 0"));
        assert!(toml::from_str::<TraceSpec>("fairness = 1").is_err(), "unknown keys are errors");
    }
}
