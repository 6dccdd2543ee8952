//! The hint ladder: how far up each test's hints the learner has climbed.
//!
//! A test's hints in `exercise.toml` are a ladder of rungs: the first names
//! the idea and the place to look (a file, a function, a section of the
//! book), the middle ones the mechanism and the common mistake, the last is
//! close to code. A failing test shows its first rung. `cargo grade NN
//! --hint` grades, then reveals the next rung of the first failing test and
//! remembers it, so that asking again climbs one more rung (rustlings'
//! `hint` works the same way). A rung once revealed stays on the scorecard
//! until the test passes; at the top, the scorecard says so.
//!
//! The climbs are kept in `target/fledge/hints.json`, beside the scores
//! (`history.rs`), so `cargo clean` forgets them too: for each exercise and
//! test, how many rungs are shown.
//!
//! ```json
//! { "exercise-01": { "writer_sends_text_to_the_console": 3 } }
//! ```
//!
//! Only gradings of the learner's work read and write it: `--solution`
//! starts from the first rungs and keeps nothing. A missing or damaged file
//! means nothing was revealed yet, never an error.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::report::Report;

/// How many rungs are shown, by exercise and test. A test that is not
/// here shows its first rung.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ladders(BTreeMap<String, BTreeMap<String, usize>>);

/// What one `--hint` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Climb {
    /// It revealed a rung: now this many are shown.
    Up(usize),
    /// Every rung was shown already.
    AtTop,
}

impl Ladders {
    /// How many rungs of `test`'s ladder are shown: at least the first.
    pub fn shown(&self, exercise: &str, test: &str) -> usize {
        self.0.get(exercise).and_then(|tests| tests.get(test)).copied().unwrap_or(1).max(1)
    }

    /// Reveals the next of `rungs` rungs of `test`'s ladder, if there is one.
    pub fn climb(&mut self, exercise: &str, test: &str, rungs: usize) -> Climb {
        let shown = self.shown(exercise, test);
        if shown >= rungs {
            return Climb::AtTop;
        }
        self.0.entry(exercise.to_string()).or_default().insert(test.to_string(), shown + 1);
        Climb::Up(shown + 1)
    }
}

fn path(root: &Path) -> PathBuf {
    root.join("target").join("fledge").join("hints.json")
}

/// The rungs revealed so far on the learner's work.
pub fn load(root: &Path) -> Ladders {
    fs::read(path(root)).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
}

fn save(root: &Path, ladders: &Ladders) -> Result<()> {
    let file = path(root);
    fs::create_dir_all(file.parent().context("hints folder")?)?;
    // Write beside, then rename: an interrupted write never leaves half a
    // file. The name is this grader's own: graders of two exercises may
    // save at once.
    let tmp = file.with_extension(format!("json.{}.tmp", std::process::id()));
    fs::write(&tmp, serde_json::to_vec_pretty(ladders)?)?;
    fs::rename(&tmp, &file).with_context(|| format!("cannot update {}", file.display()))
}

/// Puts on `report` the rungs revealed before; with `climb` (`--hint`),
/// first reveals the next rung of its first failing test. `learner` says
/// whose work was graded: only the learner's climbs are read and kept.
pub fn reveal(root: &Path, report: &mut Report, climb: bool, learner: bool) -> Result<()> {
    let mut ladders = if learner { load(root) } else { Ladders::default() };
    let climbed = match report.hinted_index().filter(|_| climb) {
        Some(index) => {
            let test = &report.tests[index];
            let step = ladders.climb(&report.exercise, &test.name, test.hints.len());
            (step != Climb::AtTop).then_some(index)
        }
        None => None,
    };
    if climbed.is_some() && learner {
        save(root, &ladders)?;
    }
    apply(report, &ladders, climbed);
    Ok(())
}

/// Shows on each test of `report` the rungs `ladders` says; `climbed` is
/// the test whose last shown rung is new.
fn apply(report: &mut Report, ladders: &Ladders, climbed: Option<usize>) {
    for (index, test) in report.tests.iter_mut().enumerate() {
        test.revealed = ladders.shown(&report.exercise, &test.name);
        test.just_revealed = climbed == Some(index);
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::manifest::Kind;
    use crate::report::TestReport;

    /// A report on exercise `id` with tests `a` (passed), `b` and `c`
    /// (failed), three hints each.
    fn report(id: &str) -> Report {
        let tests = ["a", "b", "c"]
            .into_iter()
            .map(|name| {
                let hints = (1..=3).map(|n| format!("{name} rung {n}")).collect();
                let mut test = TestReport::new(name.into(), Kind::Host, 1, hints);
                if name == "a" {
                    test.pass();
                } else {
                    test.fail("no".into());
                }
                test
            })
            .collect();
        let mut report = Report::new(id.into(), String::new(), tests);
        report.finish(None);
        report
    }

    fn shown(report: &Report, test: usize) -> Vec<&str> {
        report.tests[test].shown_hints().iter().map(String::as_str).collect()
    }

    #[test]
    fn each_hint_climbs_one_rung_of_the_first_failing_test_and_stops_at_the_top() {
        let root = tempfile::tempdir().unwrap();
        let mut first = report("exercise-01");
        reveal(root.path(), &mut first, false, true).unwrap();
        assert_eq!(shown(&first, 1), ["b rung 1"]);
        assert!(shown(&first, 0).is_empty(), "a passed test shows no hints");
        for rungs in 2..=3 {
            let mut again = report("exercise-01");
            reveal(root.path(), &mut again, true, true).unwrap();
            assert_eq!(shown(&again, 1).len(), rungs);
            assert!(again.tests[1].just_revealed);
            assert_eq!(shown(&again, 2), ["c rung 1"], "only the first failing test climbs");
        }
        let mut top = report("exercise-01");
        reveal(root.path(), &mut top, true, true).unwrap();
        assert_eq!(shown(&top, 1), ["b rung 1", "b rung 2", "b rung 3"]);
        assert!(!top.tests[1].just_revealed, "nothing new at the top");
        // Without --hint, what was revealed stays.
        let mut later = report("exercise-01");
        reveal(root.path(), &mut later, false, true).unwrap();
        assert_eq!(shown(&later, 1).len(), 3);
        assert!(!later.tests[1].just_revealed);
    }

    #[test]
    fn ladders_are_per_test_and_per_exercise() {
        let mut ladders = Ladders::default();
        assert_eq!(ladders.climb("exercise-01", "b", 3), Climb::Up(2));
        assert_eq!(ladders.shown("exercise-01", "b"), 2);
        assert_eq!(ladders.shown("exercise-01", "c"), 1);
        assert_eq!(ladders.shown("exercise-02", "b"), 1);
        assert_eq!(ladders.climb("exercise-02", "b", 2), Climb::Up(2));
        assert_eq!(ladders.climb("exercise-02", "b", 2), Climb::AtTop);
        assert_eq!(ladders.climb("exercise-01", "one_rung", 1), Climb::AtTop);
        // A ladder that got shorter since shows all it has.
        assert_eq!(ladders.climb("exercise-01", "b", 2), Climb::AtTop);
    }

    #[test]
    fn the_solution_and_a_passing_test_keep_nothing() {
        let root = tempfile::tempdir().unwrap();
        let mut solution = report("exercise-01");
        reveal(root.path(), &mut solution, true, false).unwrap();
        assert_eq!(shown(&solution, 1).len(), 2, "--hint still shows the next rung");
        assert!(!path(root.path()).exists(), "but a solution's climb is not kept");
        let mut passed = report("exercise-01");
        for test in &mut passed.tests {
            test.pass();
        }
        passed.finish(None);
        reveal(root.path(), &mut passed, true, true).unwrap();
        assert!(!path(root.path()).exists(), "nothing to climb on full marks");
    }

    #[test]
    fn a_damaged_or_missing_file_is_nothing_revealed() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(load(root.path()), Ladders::default());
        fs::create_dir_all(root.path().join("target/fledge")).unwrap();
        for damaged in ["{not json", "[1, 2]", r#"{"exercise-01": {"b": "two"}}"#, ""] {
            fs::write(path(root.path()), damaged).unwrap();
            assert_eq!(load(root.path()), Ladders::default(), "{damaged}");
            let mut report = report("exercise-01");
            reveal(root.path(), &mut report, true, true).unwrap();
            assert_eq!(shown(&report, 1).len(), 2, "a damaged file is replaced by a good one");
        }
        let text = fs::read_to_string(path(root.path())).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            serde_json::json!({"exercise-01": {"b": 2}})
        );
    }

    #[test]
    fn nothing_climbs_while_the_exercise_does_not_compile() {
        let root = tempfile::tempdir().unwrap();
        let mut broken = report("exercise-01");
        broken.build_errors = Some("error[E0425]".into());
        reveal(root.path(), &mut broken, true, true).unwrap();
        assert_eq!(load(root.path()), Ladders::default());
    }
}
