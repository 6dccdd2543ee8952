//! Judging a kernel test from its scheduler trace (`[test.trace]`), once the
//! kernel said `ok` and the rest of its manifest entry holds.
//!
//! ```text
//! boot-N/com2.log ──marked──> the test's dumps, joined ──check──> measure (each check asked for)
//!                                       └──draw──> logs/<label>.<test>.trace.json and .svg
//! ```
//!
//! The COM2 read is that of the boot whose result for the test counts. A
//! trace that is missing, garbled, cut short, has holes or breaks a rule
//! every executor keeps fails the test, as does any check asked for; the
//! diagnostic names the line of `com2.log` and the numbers measured. The
//! pictures are drawn beside the serial log when the trace fails, or when
//! the caller says to keep them (`--trace`, or a test that failed in
//! another way); otherwise an earlier grading's are removed.

use std::path::{Path, PathBuf};

use crate::manifest::TraceSpec;
use crate::report::TraceFiles;
use crate::trace::check::check;
use crate::trace::files::draw;
use crate::trace::marked::{self, MARKER};
use crate::trace::{Dump, measure};

/// Where one test's trace is read from and drawn to.
pub struct Place<'a> {
    /// The test's name, as its marker gives it.
    pub test: &'a str,
    /// The boot (from 1) whose result for the test counts.
    pub boot: usize,
    /// That boot's `com2.log`.
    pub com2: &'a Path,
    /// The serial log; the pictures go beside it.
    pub log: &'a Path,
    /// Draw the pictures even when the trace passes (`--trace`, or the
    /// test failed in another way).
    pub keep: bool,
}

/// The verdict on the trace, and its pictures if they were kept.
pub fn judge(spec: &TraceSpec, place: &Place<'_>) -> (Result<(), String>, Option<TraceFiles>) {
    let files = files(place);
    let (dump, verdict) = read_and_measure(spec, place);
    let keep = place.keep || verdict.is_err();
    let drawn = match dump {
        Some(dump) if keep => match draw(&dump, place.test, &files.json, &files.svg) {
            Ok(()) => Some(files),
            // The verdict stands; the pictures are a help, and say why not.
            Err(error) => return (verdict.and(Err(format!("{error:#}"))), None),
        },
        _ => {
            let _ = std::fs::remove_file(&files.json);
            let _ = std::fs::remove_file(&files.svg);
            None
        }
    };
    (verdict, drawn)
}

/// `logs/exercise-07-sched.log` gives `logs/exercise-07-sched.TEST.trace.json` and `.svg`.
fn files(place: &Place<'_>) -> TraceFiles {
    let stem = place.log.file_stem().map_or_else(|| "trace".into(), |s| s.to_string_lossy().into_owned());
    let named = |ext: &str| place.log.with_file_name(format!("{stem}.{}.trace.{ext}", place.test));
    TraceFiles { json: named("json"), svg: named("svg") }
}

/// The test's trace, if it decoded, and whether it passes every check.
fn read_and_measure(spec: &TraceSpec, place: &Place<'_>) -> (Option<Dump>, Result<(), String>) {
    let com2 = place.com2.display();
    let boot = place.boot;
    let text = match std::fs::read(place.com2) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(error) => {
            return (None, Err(format!("cannot read boot {boot}'s COM2, {com2}, where the test's trace is: {error}")));
        }
    };
    let dump = match marked::of_test(&text, place.test) {
        Ok(Some(dump)) => dump,
        Ok(None) => {
            return (
                None,
                Err(format!(
                    "the test returned, but boot {boot}'s COM2 ({com2}) holds no trace of it: the test writes the line `{MARKER}{}` there, then dumps its trace",
                    place.test
                )),
            );
        }
        Err(error) => {
            let why =
                format!("the test's trace on COM2 cannot be read: line {} of {com2}: {}", error.line, error.problem);
            return (None, Err(why));
        }
    };
    if let Err(error) = check(&dump) {
        let why = format!("the test's trace breaks a rule: line {} of {com2}: {}", error.line, error.problem);
        return (Some(dump), Err(why));
    }
    let verdict = measures(spec, &dump)
        .map_err(|(check, why)| format!("the test's trace fails `{check}`: {why} (line numbers of {com2})"));
    (Some(dump), verdict)
}

/// Each check `spec` asks for, in the manifest's order of keys; the first
/// that fails, by its key.
fn measures(spec: &TraceSpec, dump: &Dump) -> Result<(), (&'static str, String)> {
    if let Some(fair) = &spec.fair {
        measure::fair(dump, &fair.prefix, fair.within).map_err(|why| ("fair", why))?;
    }
    if let Some(sleep) = &spec.not_before {
        measure::not_before(dump, &sleep.task, sleep.ms).map_err(|why| ("not_before", why))?;
    }
    if let Some(share) = spec.idle_share {
        measure::idle_share(dump, share).map_err(|why| ("idle_share", why))?;
    }
    if let Some(wakes) = spec.irq_wakes {
        measure::irq_wakes(dump, wakes).map_err(|why| ("irq_wakes", why))?;
    }
    Ok(())
}

/// Boot `boot`'s COM2 file in the boots' folder `dir`.
pub fn com2_of(dir: &Path, boot: usize) -> PathBuf {
    dir.join(format!("boot-{boot}")).join("com2.log")
}

#[cfg(test)]
mod book;
#[cfg(test)]
mod tests;
