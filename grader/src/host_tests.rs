//! Running an exercise's host tests and reading libtest's report.
//!
//! Host tests are ordinary `#[test]` functions in one test binary. The
//! grader runs it with libtest's JSON report (`-Z unstable-options --format
//! json`, which the pinned nightly's libtest accepts), because that says
//! when each test *starts*, not only how it ended:
//!
//! ```text
//! { "type": "test", "event": "started", "name": "paging::translate_walks_four_levels" }
//! { "type": "test", "name": "cases::an_empty_map_has_no_frames", "event": "ok" }
//! { "type": "test", "name": "heap::freed_blocks_are_reused", "event": "failed", "stdout": "thread ... panicked at ..." }
//! ```
//!
//! A test that brings the whole process down (a segmentation fault from a
//! bad pointer, an abort, a stack overflow) or never returns leaves a
//! `started` without a result. The binary is then run again ([`run`]):
//!
//! 1. each test that had started and not finished is a suspect. After a
//!    crash, a single suspect is named at once; several (they ran on
//!    several threads) are each run again on their own, `NAME --exact`,
//!    all at once, to see which one dies. At a third of the deadline (past
//!    what the reference solution's tests take), a run with tests still
//!    running stops, and those run again alone, all at once, with a whole
//!    deadline: one still going then hung (so a hang is named after four
//!    thirds of a deadline); one that ends was only slow
//!    among the others and the boots, and that result stands (exercise
//!    01's `lines_from_two_threads_stay_whole`, a spin lock held across a
//!    yield, took 5 s once among them, 0.05 s alone). When more tests run
//!    alone at once than the machine has cores, they run at `nice 10`, so
//!    that tests spinning in a deadlock make way for the boots;
//! 2. the tests that never got a turn run in a new process, with every
//!    test that has a result skipped (`--exact --skip NAME`), and so on
//!    until all have one.
//!
//! A test that died is `crashed`, with the signal and the `cargo test`
//! command that reproduces it; one that hung is stopped at the deadline
//! and fails, named, with the same command. The deadline
//! ([`crate::manifest::Reference`]) is a few times what the reference
//! solution's tests take. The tests keep their full share of the CPU
//! throughout: a lower priority once they run long starved exercise 01's
//! `lines_from_two_threads_stay_whole` (a spin lock held across a yield)
//! past its deadline on a busy machine, and the boots' deadlines leave
//! room for tests that spin beside them.
//!
//! libtest names a test by its module path, `paging::translate_walks_four_levels`,
//! and the grader keeps that path: two modules may each have a test of the
//! same name. A manifest may name a test by its path or by its name alone;
//! a name alone must then belong to exactly one test ([`Run::find`]).

use std::collections::BTreeMap;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::child::{self, Ending};
use crate::symbols::Frame;

mod binary;
mod death;
mod libtest;
mod site;
#[cfg(test)]
mod tests;

pub use binary::{Binary, command};
use death::{died, died_how};
use libtest::parse;
use libtest::{Live, read_report};
pub use libtest::{Outcome, Ran};

/// What the runs of a host test binary said.
#[derive(Debug, Default)]
pub struct Run {
    /// Each test's outcome, by its module path.
    pub outcomes: BTreeMap<String, Outcome>,
    /// How long the first run took, all tests at once.
    pub elapsed: Duration,
    /// Why some tests may have no outcome: the binary died before any test
    /// started.
    pub unfinished: Option<String>,
}

impl Run {
    /// The test a manifest calls `name`: the one whose path is `name`, or
    /// ends with `::name`. More than one is an error that says how to
    /// tell them apart.
    pub fn find(&self, name: &str) -> Result<Option<(&str, &Outcome)>, String> {
        if let Some((path, outcome)) = self.outcomes.get_key_value(name) {
            return Ok(Some((path, outcome)));
        }
        let suffix = format!("::{name}");
        let found: Vec<(&str, &Outcome)> =
            self.outcomes.iter().filter(|(path, _)| path.ends_with(&suffix)).map(|(p, o)| (p.as_str(), o)).collect();
        match &found[..] {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            many => {
                let paths: Vec<String> = many.iter().map(|(path, _)| format!("`{path}`")).collect();
                Err(format!(
                    "the host test name `{name}` fits {} tests: {}. Write the module path in its [[test]] entry instead, for example `name = \"{}\"`",
                    many.len(),
                    paths.join(", "),
                    many[0].0
                ))
            }
        }
    }
}

/// Runs the test binary with `threads` test threads, again as often as
/// crashes and hangs make it, each run stopped at the deadline.
pub fn run(binary: &Binary<'_>, threads: usize) -> Result<Run> {
    let mut all = Run::default();
    for round in 0..64 {
        let skip: Vec<&str> = all.outcomes.keys().map(String::as_str).collect();
        let pass = once(binary, None, &skip, threads, How::Together)?;
        if round == 0 {
            all.elapsed = pass.elapsed;
        }
        let suspects: Vec<&String> = pass.started.keys().filter(|n| !pass.finished.contains_key(*n)).collect();
        let before = all.outcomes.len();
        all.outcomes.extend(pass.finished.clone());
        if suspects.is_empty() {
            if !matches!(pass.ending, Ending::Exited(0 | 101)) && pass.finished.is_empty() {
                all.unfinished = Some(format!("the test binary {} before any test started", died_how(pass.ending)));
            }
            break;
        }
        if pass.ending == Ending::TimedOut {
            // A test that was still running at a third of the deadline ran again
            // alone, with a whole deadline: if that run too was still going
            // at its end, it hung; if it ended, it was only slow beside
            // the others (a spin lock held across a yield, with the boots on
            // the cores), and its result stands. A test the run had not got
            // to runs in the next pass.
            let stalled = all.outcomes.len() == before && pass.alone.is_empty();
            for name in &suspects {
                let outcome = match pass.alone.get(*name) {
                    Some(alone) => match alone.finished.get(*name) {
                        Some(outcome) => outcome.clone(),
                        None => died(
                            binary,
                            alone.ending,
                            &alone.stderr,
                            name,
                            alone.ending != Ending::TimedOut,
                            &alone.stacks,
                        ),
                    },
                    None if stalled => died(binary, pass.ending, &pass.stderr, name, false, &[]),
                    None => continue,
                };
                all.outcomes.insert((*name).clone(), outcome);
            }
            continue;
        }
        if let [name] = &suspects[..] {
            all.outcomes.insert((*name).clone(), died(binary, pass.ending, &pass.stderr, name, true, &[]));
            continue;
        }
        // Several ran when the process died: each alone, all at once, says
        // which one it was.
        let how = How::alone(suspects.len());
        let alone: Vec<Result<Outcome>> = thread::scope(|scope| {
            let runs: Vec<_> = suspects
                .iter()
                .map(|name| {
                    scope.spawn(move || {
                        let again = once(binary, Some(name), &[], 1, how)?;
                        Ok(match again.finished.get(*name) {
                            Some(outcome) => outcome.clone(),
                            None => died(binary, again.ending, &again.stderr, name, true, &again.stacks),
                        })
                    })
                })
                .collect();
            runs.into_iter().map(|run| run.join().unwrap_or_else(|_| bail!("a rerun's thread panicked"))).collect()
        });
        let mut found = BTreeMap::new();
        for (name, outcome) in suspects.iter().zip(alone) {
            found.insert((*name).clone(), outcome?);
        }
        if found.values().all(|o| matches!(o.ran, Ran::Passed | Ran::Failed)) {
            // None of them dies alone: together they do.
            let names: Vec<&str> = suspects.iter().map(|n| n.as_str()).collect();
            for name in &suspects {
                let mut outcome = died(binary, pass.ending, &pass.stderr, name, false, &[]);
                outcome.diagnostic = outcome
                    .diagnostic
                    .map(|d| format!("{d} (alone it ends; it died running beside {})", names.join(", ")));
                found.insert((*name).clone(), outcome);
            }
        }
        all.outcomes.extend(found);
    }
    Ok(all)
}

/// One run of the test binary.
struct Pass {
    /// The tests that started.
    started: BTreeMap<String, Instant>,
    finished: BTreeMap<String, Outcome>,
    ending: Ending,
    stderr: String,
    elapsed: Duration,
    /// The runs alone, from a third of the deadline, of the tests still running
    /// then (the run stopped there).
    alone: BTreeMap<String, Pass>,
    /// A test run alone and still running at the deadline: its threads'
    /// stacks, as gdb found them just before the grader stopped it.
    stacks: Vec<Vec<Frame>>,
}

/// How long gdb may take to attach to a hung test and print its stacks.
const LOOK: Duration = Duration::from_secs(5);

/// How a run of the test binary goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum How {
    /// All the tests at once: a run with tests still running at a third of
    /// the deadline stops there (as if at the deadline), and each of them
    /// runs again alone, all at once, with a whole deadline.
    Together,
    /// One test alone; with `make_way`, at `nice 10`.
    Alone { make_way: bool },
}

impl How {
    /// How each of `count` tests that run alone at the same time runs:
    /// more of them than the machine has cores (tests spinning in a
    /// deadlock, as in exercise 01's printer) make way for the boots beside
    /// them; fewer leave a core free anyway and keep their full share,
    /// which a test that is only slow needs on a busy machine.
    fn alone(count: usize) -> How {
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        How::Alone { make_way: count > cores }
    }
}

/// Runs the test binary once: only the test `only` (exactly) if given, and
/// not those in `skip`.
fn once(binary: &Binary<'_>, only: Option<&str>, skip: &[&str], threads: usize, how: How) -> Result<Pass> {
    let (exe, deadline) = (binary.exe, binary.deadline);
    let mut cmd = Command::new(exe);
    cmd.args(["-Z", "unstable-options", "--format", "json", "--color", "never", "--exact"]);
    cmd.args(["--test-threads", &threads.max(1).to_string()]);
    cmd.args(only);
    for name in skip {
        cmd.args(["--skip", name]);
    }
    // libtest takes `-Z unstable-options` from a nightly; RUSTC_BOOTSTRAP
    // lets a stable one take it too.
    cmd.env("RUST_BACKTRACE", "0").env("RUSTC_BOOTSTRAP", "1");
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = child::spawn(&mut cmd).with_context(|| format!("cannot run {}", exe.display()))?;
    let stdout = child.stdout.take().context("test binary's output")?;
    let stderr = child.stderr.take().context("test binary's errors")?;
    let live = Arc::new(Mutex::new(Live::default()));
    let report = {
        let live = Arc::clone(&live);
        thread::spawn(move || read_report(stdout, &live))
    };
    let stderr = read_bounded(stderr, 64 << 10);
    // Together, the tests still running at a third of the deadline: the
    // run stops there, and they run again alone.
    let mut running: Vec<String> = Vec::new();
    let early = AtomicBool::new(false);
    let mut tick = |elapsed: Duration| {
        if how == How::Together && elapsed >= deadline / 3 && running.is_empty() {
            running = live.lock().unwrap_or_else(|e| e.into_inner()).running();
            early.store(!running.is_empty(), Ordering::SeqCst);
        }
    };
    // Alone, a test still running at the deadline is looked at before it
    // is stopped: where each of its threads is ([`site::stacks`]).
    let mut stacks = Vec::new();
    let pid = child.id();
    let mut look = || {
        if only.is_some() {
            stacks = site::stacks(pid, binary.root, LOOK);
        }
    };
    let ending = match how {
        How::Together | How::Alone { make_way: false } => {
            child::wait_ticking(&mut child, start, deadline, &early, &mut tick, &mut look)?
        }
        How::Alone { make_way: true } => {
            child::wait_lowering(&mut child, start, deadline, Duration::ZERO, 10, &mut look)?
        }
    };
    let elapsed = start.elapsed();
    let (report, stderr) = (report.join().unwrap_or_default(), stderr.join().unwrap_or_default());
    let (ending, alone) = if ending == Ending::Stopped {
        let how = How::alone(running.len());
        let alone = thread::scope(|scope| {
            let runs: Vec<_> =
                running.iter().map(|name| (name, scope.spawn(move || once(binary, Some(name), &[], 1, how)))).collect();
            runs.into_iter().filter_map(|(name, run)| Some((name.clone(), run.join().ok()?.ok()?))).collect()
        });
        (Ending::TimedOut, alone)
    } else {
        (ending, BTreeMap::new())
    };
    if ending == Ending::Interrupted {
        bail!("interrupted while the host tests ran");
    }
    let started = std::mem::take(&mut live.lock().unwrap_or_else(|e| e.into_inner()).started);
    let (_, finished) = parse(&report);
    Ok(Pass { started, finished, ending, stderr, elapsed, alone, stacks })
}

/// Reads the first `limit` bytes of `pipe` on a thread of its own, and
/// drops the rest, so that a test that prints without end cannot block on
/// a full pipe.
fn read_bounded(mut pipe: impl Read + Send + 'static, limit: u64) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = Vec::new();
        let _ = pipe.by_ref().take(limit).read_to_end(&mut text);
        let _ = std::io::copy(&mut pipe, &mut std::io::sink());
        String::from_utf8_lossy(&text).into_owned()
    })
}
