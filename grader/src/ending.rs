//! What a boot's ending means: one pure function, [`meaning`], from how a
//! boot ended and what it printed to the results that count, the verdict
//! the boot forces on the whole run, the notes for the scorecard, and where
//! (if anywhere) to boot next. No QEMU, no files: `ending/tests.rs` checks
//! every ending with literal KTAP.
//!
//! ```text
//! ending        KTAP?  nonce?  results count  forces     next boot
//! exit 33       yes    yes     yes            -          none (done)
//! exit 35       yes    yes     yes            failed *   after the test that ended it
//! crash         yes    yes     yes            crashed    after the test that crashed
//! flood         yes    yes     yes            flooded    after the test that flooded
//! time-out      yes    yes     yes            timed_out  none (a hang costs a whole deadline)
//! any           yes    no      none           its own, or failed   none
//! exit 33/35    no     -       none           no_output  none
//! other         no     -       none           its own    none
//!
//! * only when nothing in the boot failed: every line `ok`, yet the
//!   failure exit. A kernel that contradicts itself does not pass.
//! ```
//!
//! A report that does not add up (a result numbered past the plan, or a
//! test reported twice) forces `failed` too, unless the ending forced worse.
//!
//! Within a boot that echoed the nonce, a result counts only if the grader
//! asked that boot to run the test: not before `start`, inside `only`, and
//! numbered inside the boot's plan (`1..N`). The runner's own `# SKIP` lines
//! for the rest (`ran in an earlier boot`, `not in this boot`) are
//! bookkeeping and ignored; a `# SKIP` for a test it was asked to run is a
//! skipped test. A test reported twice keeps its first result. The test
//! that was running when the boot ended (a `# run` marker without a result)
//! fails, with the reason the boot ended; after a time-out that reason says
//! where the kernel was stuck ([`Hang`], found by the caller), and the test
//! gets a hint about that place.

use std::collections::BTreeSet;
use std::time::Duration;

use fledge_ktap::exit::ExitCode;

use crate::capture::{HEAD, TAIL};
use crate::hang::Hang;
use crate::ktap::Stream;
use crate::qemu::{Ending, FLOOD_LIMIT};
use crate::report::Verdict;

#[cfg(test)]
mod tests;

/// Everything known about one boot once it is over.
pub struct BootEnd<'a> {
    /// How QEMU ended.
    pub ending: Ending,
    /// What the kernel wrote on COM1, parsed.
    pub stream: &'a Stream,
    /// The nonce this boot was given.
    pub nonce: &'a str,
    /// The first test this boot was asked to run.
    pub start: usize,
    /// The only tests it was asked to run; `None` for all.
    pub only: Option<&'a [String]>,
    /// The deadline it had.
    pub timeout: Duration,
    /// What QEMU said on standard error.
    pub stderr: &'a str,
    /// The first lines of COM1, where QEMU prints some of its own errors.
    pub first_lines: &'a str,
    /// How many boots its sequence had before this one.
    pub boots_before: usize,
    /// The tests of its sequence that have a result from earlier boots.
    pub done_before: &'a BTreeSet<String>,
    /// Where the kernel was stuck, if it ran out of time and that is known.
    pub hang: Option<&'a Hang>,
}

/// What the kernel said about one test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Said {
    /// `ok`.
    Passed,
    /// `not ok`, or it was running when the boot ended.
    Failed,
    /// `ok ... # SKIP` for a test the boot was asked to run.
    Skipped,
}

/// One kernel test's result that counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Its number in the kernel's plan.
    pub number: usize,
    /// Its name.
    pub name: String,
    /// Its result.
    pub said: Said,
    /// Why it failed or was skipped.
    pub diagnostic: Option<String>,
    /// What it printed between its `# run` marker and its result.
    pub output: Vec<String>,
    /// How the boot that reported it ended.
    pub ending: Ending,
    /// A hint about how it ended, to show before the manifest's: where a
    /// test that hung was stuck.
    pub hint: Option<String>,
}

/// What one boot amounts to.
#[derive(Debug, PartialEq, Eq)]
pub struct Meaning {
    /// The results that count, in the order reported.
    pub outcomes: Vec<Outcome>,
    /// The verdict this boot forces on the whole run, if any.
    pub verdict: Option<Verdict>,
    /// Notes for the scorecard.
    pub notes: Vec<Note>,
    /// The test the next boot of this sequence starts from; `None` when
    /// the sequence is over.
    pub next: Option<usize>,
}

/// A note for the scorecard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// A phrase about the boot: the caller writes `boot N ` before it
    /// (`boot 2 crashed: ...`), once the boots are numbered.
    Boot(String),
    /// A sentence that stands alone, shown once however many boots say it.
    Said(String),
}

impl Meaning {
    /// Adds a phrase about the boot.
    fn note(&mut self, phrase: String) {
        self.notes.push(Note::Boot(phrase));
    }
}

/// How a boot ended, as a crash; `None` if it was no crash.
fn crash(boot: &BootEnd<'_>) -> Option<String> {
    let stderr = one_line(boot.stderr);
    Some(match boot.ending {
        Ending::TripleFault => {
            "the CPU triple-faulted (an exception it could not deliver, then a double fault it could not deliver either)"
                .into()
        }
        Ending::Reset => "the guest reset the machine".into(),
        Ending::UnknownReset => "the machine reset: a triple fault, or a reset the guest asked for (QEMU's event log, which tells them apart, was not written)".into(),
        Ending::KvmError => "KVM could not run an instruction of the guest (QEMU said `KVM internal error`), so the grader stopped QEMU; under a nested KVM, `int N` fails this way: grade without --accel kvm".into(),
        Ending::Signalled(signal) if stderr.is_empty() => format!("QEMU was killed by signal {signal}"),
        Ending::Signalled(signal) => format!("QEMU was killed by signal {signal}; it said: {stderr}"),
        Ending::Exited(code) if ExitCode::from_qemu_status(code).is_none() => {
            // QEMU prints some errors (bad options) on standard output,
            // which is COM1's pipe.
            let said = if stderr.is_empty() { one_line(boot.first_lines) } else { stderr };
            format!("QEMU failed with status {code}: {said}")
        }
        _ => return None,
    })
}

/// Lines of QEMU's text, trimmed, joined with ` / `.
fn one_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" / ")
}

/// Decides what a boot's ending means. Pure: same input, same answer.
pub fn meaning(boot: &BootEnd<'_>) -> Meaning {
    let stream = boot.stream;
    let mut meaning = Meaning { outcomes: Vec::new(), verdict: None, notes: Vec::new(), next: None };
    let secs = boot.timeout.as_secs();
    let (forced, why_unfinished) = match (boot.ending, crash(boot)) {
        (_, Some(how)) => {
            meaning.note(format!("crashed: {how}"));
            (Some(Verdict::Crashed), Some(format!("crashed during this test: {how}")))
        }
        (Ending::TimedOut, _) => {
            let doing = boot.hang.map(|hang| format!(", {}", hang.doing())).unwrap_or_default();
            // A lock waited for forever is no slowness.
            let slow = if boot.hang.is_some_and(Hang::is_deadlock) {
                String::new()
            } else {
                "; raise the limit with --timeout SECS if it is just slow".into()
            };
            meaning.note(format!("was stopped after {secs}s{doing}{slow}"));
            let why = match boot.hang {
                Some(hang) => hang.why(secs),
                None => format!(
                    "still running after {secs}s: the kernel hung (an endless loop, or waiting for something that never comes), or needs longer"
                ),
            };
            (Some(Verdict::TimedOut), Some(why))
        }
        (Ending::Flooded, _) => {
            meaning.note(format!(
                "wrote more than {} MiB and was stopped; its log keeps the first {} MiB and the last {} MiB",
                FLOOD_LIMIT >> 20,
                HEAD >> 20,
                TAIL >> 20
            ));
            let why = format!(
                "wrote more than {} MiB of output during this test, so the grader stopped it (a print in an endless loop?)",
                FLOOD_LIMIT >> 20
            );
            (Some(Verdict::Flooded), Some(why))
        }
        (Ending::Interrupted, _) => {
            meaning.note("was interrupted".into());
            return meaning;
        }
        // One of the two exits: what it means depends on the report.
        _ => (None, None),
    };
    if !stream.started {
        if forced.is_none() {
            meaning.note("exited without writing `KTAP version 1` on COM1".into());
        }
        meaning.verdict = Some(forced.unwrap_or(Verdict::NoOutput));
        return meaning;
    }
    if stream.nonce.as_deref() != Some(boot.nonce) {
        meaning.note(format!(
            "did not echo this run's nonce ({}) in its KTAP header, so its results do not count",
            boot.nonce
        ));
        meaning.verdict = Some(forced.unwrap_or(Verdict::Failed));
        return meaning;
    }
    meaning.verdict = forced;
    count_results(boot, &mut meaning);
    let failed = |m: &Meaning| m.outcomes.iter().any(|o| o.said == Said::Failed);
    match boot.ending.exit_code() {
        Some(ExitCode::Success) => {
            // Skips count here: the kernel went past those tests.
            let reported = stream.results.iter().map(|r| r.number).max().unwrap_or(0);
            let plan = stream.plan.unwrap_or(0);
            if reported < plan {
                meaning.note(format!(
                    "left QEMU with the success exit after {reported} of the {plan} tests it planned; the rest never ran"
                ));
            }
            return meaning;
        }
        Some(ExitCode::Failure) => {
            let why = match &stream.bail_out {
                Some(why) => format!("the kernel gave up during this test: {why}"),
                None => "the kernel exited with failure during this test without reporting it".into(),
            };
            unfinished(boot, why, &mut meaning);
            if let Some(why) = &stream.bail_out {
                meaning.notes.push(Note::Said(format!("the kernel gave up: {why}")));
            }
            if !failed(&meaning) {
                if stream.bail_out.is_none() {
                    meaning.note(format!(
                        "left QEMU with the failure exit (status {}), yet none of its results that count is a failure: a kernel that contradicts itself does not pass",
                        ExitCode::Failure.qemu_status()
                    ));
                }
                meaning.verdict = Some(Verdict::Failed);
            }
        }
        None => {
            if let Some(why) = why_unfinished {
                unfinished(boot, why, &mut meaning);
            }
            if boot.ending == Ending::TimedOut {
                // Unlike a crash, a hang costs a whole deadline: booting
                // again for each later test could cost one per test.
                return meaning;
            }
        }
    }
    meaning.next = next(boot, &meaning);
    meaning
}

/// Keeps the results this boot was asked for, once each, and notes the
/// rest that cannot count.
fn count_results(boot: &BootEnd<'_>, meaning: &mut Meaning) {
    let plan = boot.stream.plan;
    let mut past_plan = Vec::new();
    for result in &boot.stream.results {
        if !asked(boot, result.number, &result.name) {
            continue;
        }
        if plan.is_none_or(|plan| result.number > plan) {
            past_plan.push(format!("{} `{}`", result.number, result.name));
            continue;
        }
        let said = match (&result.skip, result.ok) {
            (Some(_), _) => Said::Skipped,
            (None, true) => Said::Passed,
            (None, false) => Said::Failed,
        };
        let outcome = Outcome {
            number: result.number,
            name: result.name.clone(),
            said,
            diagnostic: result
                .skip
                .as_ref()
                .map(|why| format!("the kernel skipped it: {why}"))
                .or_else(|| (!result.ok).then(|| result.diagnostic.clone().unwrap_or_else(|| "failed".into()))),
            output: result.output.clone(),
            ending: boot.ending,
            hint: None,
        };
        add(outcome, meaning);
    }
    if !past_plan.is_empty() {
        meaning.verdict.get_or_insert(Verdict::Failed);
        meaning.note(match plan {
            Some(plan) => format!(
                "reported results numbered past its plan of {plan} tests, which score nothing: {}",
                past_plan.join(", ")
            ),
            None => format!("reported results without a plan (`1..N`), which score nothing: {}", past_plan.join(", ")),
        });
    }
}

/// Whether the grader asked this boot to run test `number` called `name`.
fn asked(boot: &BootEnd<'_>, number: usize, name: &str) -> bool {
    number >= boot.start && boot.only.is_none_or(|only| only.iter().any(|n| n == name))
}

/// Adds an outcome unless the test already has one in this boot: then the
/// first stands, and the report that does not add up cannot pass.
fn add(outcome: Outcome, meaning: &mut Meaning) {
    match meaning.outcomes.iter().find(|o| o.number == outcome.number) {
        Some(first) => {
            let word = match first.said {
                Said::Passed => "ok",
                Said::Failed => "not ok",
                Said::Skipped => "a skip",
            };
            let note = format!(
                "reported test {} (`{}`) more than once; its first result, {word}, stands",
                first.number, first.name
            );
            if !meaning.notes.contains(&Note::Boot(note.clone())) {
                meaning.note(note);
            }
            meaning.verdict.get_or_insert(Verdict::Failed);
        }
        None => meaning.outcomes.push(outcome),
    }
}

/// Fails the test that was running when the boot ended, if there was one
/// and the boot was asked to run it.
fn unfinished(boot: &BootEnd<'_>, why: String, meaning: &mut Meaning) {
    let Some((number, name, output)) = &boot.stream.unfinished else { return };
    let in_plan = boot.stream.plan.is_some_and(|plan| *number <= plan);
    if asked(boot, *number, name) && in_plan {
        let hint = boot.hang.filter(|_| boot.ending == Ending::TimedOut).map(|hang| hang.hint.clone());
        let outcome = Outcome {
            number: *number,
            name: name.clone(),
            said: Said::Failed,
            diagnostic: Some(why),
            output: output.clone(),
            ending: boot.ending,
            hint,
        };
        add(outcome, meaning);
    }
}

/// Where the next boot of the sequence starts: after the last test this
/// boot got to, if it got anywhere, tests are left, the sequence has not
/// booted once per test already, and some of its tests still want a result.
fn next(boot: &BootEnd<'_>, meaning: &Meaning) -> Option<usize> {
    let last = meaning.outcomes.iter().map(|o| o.number).max()?;
    let plan = boot.stream.plan?;
    let done = |name: &String| boot.done_before.contains(name) || meaning.outcomes.iter().any(|o| &o.name == name);
    let all_done = boot.only.is_some_and(|only| only.iter().all(done));
    (last < plan && boot.boots_before < plan && !all_done).then_some(last + 1)
}
