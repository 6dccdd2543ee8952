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
//!    all at once, to see which one dies. At the deadline, a suspect that
//!    had been running for half of it hung; one that had only just started
//!    runs again;
//! 2. the tests that never got a turn run in a new process, with every
//!    test that has a result skipped (`--exact --skip NAME`), and so on
//!    until all have one.
//!
//! A test that died is `crashed`, with the signal and the `cargo test`
//! command that reproduces it; one that hung is stopped at the deadline
//! and fails, named, with the same command. The deadline
//! ([`crate::manifest::Reference`]) is a few times what the reference
//! solution's tests take. A run still going after a third of it drops to
//! a lower CPU priority than QEMU (`nice 10`), so that tests spinning in a
//! deadlock cannot slow the boots beside them into their own deadlines.
//!
//! libtest names a test by its module path, `paging::translate_walks_four_levels`,
//! and the grader keeps that path: two modules may each have a test of the
//! same name. A manifest may name a test by its path or by its name alone;
//! a name alone must then belong to exactly one test ([`Run::find`]).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::child::{self, Ending};

mod libtest;
mod site;
#[cfg(test)]
mod tests;

use libtest::parse;
pub use libtest::{Outcome, Ran};
use libtest::{failure_message, read_report};

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

/// The command that runs one host test of `package` alone.
pub fn command(package: &str, path: &str) -> String {
    format!("cargo test -p {package} --test host -- {path} --exact")
}

/// A host test binary, and how to report on it.
pub struct Binary<'a> {
    /// The test binary.
    pub exe: &'a Path,
    /// Its cargo package, for the commands in diagnostics.
    pub package: &'a str,
    /// The learner's folder (`exercises/05-memory/`), where a crash is
    /// looked for first.
    pub own: &'a str,
    /// How long one run of it may take.
    pub deadline: Duration,
}

/// Runs the test binary with `threads` test threads, again as often as
/// crashes and hangs make it, each run stopped at the deadline.
pub fn run(binary: &Binary<'_>, threads: usize) -> Result<Run> {
    let deadline = binary.deadline;
    let mut all = Run::default();
    for round in 0..64 {
        let skip: Vec<&str> = all.outcomes.keys().map(String::as_str).collect();
        let pass = once(binary.exe, None, &skip, threads, deadline)?;
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
            // A test that ran for half the deadline and more hung; one that
            // had only just started gets another run, with the time it needs.
            let end = pass.start + pass.elapsed;
            let long = |name: &&String| end.duration_since(pass.started[*name]) >= deadline / 2;
            let stalled = all.outcomes.len() == before && !suspects.iter().any(long);
            for name in suspects.iter().filter(|name| stalled || long(name)) {
                all.outcomes.insert((*name).clone(), died(binary, pass.ending, &pass.stderr, name, false));
            }
            continue;
        }
        if let [name] = &suspects[..] {
            all.outcomes.insert((*name).clone(), died(binary, pass.ending, &pass.stderr, name, true));
            continue;
        }
        // Several ran when the process died: each alone, all at once, says
        // which one it was.
        let alone: Vec<Result<Outcome>> = thread::scope(|scope| {
            let runs: Vec<_> = suspects
                .iter()
                .map(|name| {
                    scope.spawn(move || {
                        let again = once(binary.exe, Some(name), &[], 1, deadline)?;
                        Ok(match again.finished.get(*name) {
                            Some(outcome) => outcome.clone(),
                            None => died(binary, again.ending, &again.stderr, name, true),
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
                let mut outcome = died(binary, pass.ending, &pass.stderr, name, false);
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
    /// When each test that started did.
    started: BTreeMap<String, Instant>,
    finished: BTreeMap<String, Outcome>,
    ending: Ending,
    stderr: String,
    start: Instant,
    elapsed: Duration,
}

/// Runs the test binary once: only the test `only` (exactly) if given, and
/// not those in `skip`. After a third of the deadline, much longer than
/// the tests should take, it runs at a lower CPU priority than QEMU: a
/// test that spins for ever must not slow the boots towards their
/// deadlines.
fn once(exe: &Path, only: Option<&str>, skip: &[&str], threads: usize, deadline: Duration) -> Result<Pass> {
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
    let report = thread::spawn(move || read_report(stdout));
    let stderr = read_bounded(stderr, 64 << 10);
    let ending = child::wait_lowering(&mut child, start, deadline, deadline / 3, 10)?;
    let elapsed = start.elapsed();
    let ((report, started), stderr) = (report.join().unwrap_or_default(), stderr.join().unwrap_or_default());
    if ending == Ending::Interrupted {
        bail!("interrupted while the host tests ran");
    }
    let (_, finished) = parse(&report);
    Ok(Pass { started, finished, ending, stderr, start, elapsed })
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

/// The outcome of `name`, which was running when its process ended
/// `ending`; with `locate`, a crash by a signal is looked at in gdb for
/// its place ([`site`]).
fn died(binary: &Binary<'_>, ending: Ending, stderr: &str, name: &str, locate: bool) -> Outcome {
    let thread = format!("thread '{name}'");
    let overflowed = stderr.lines().any(|l| l.starts_with(&thread) && l.contains("has overflowed its stack"));
    // A panic where none may unwind (the debug checks of `unsafe` code, a
    // panic while panicking) is written on standard error, then aborts.
    let panicked = stderr.lines().position(|l| l.starts_with(&thread) && l.contains("panicked at ")).map(|at| {
        let lines: Vec<&str> = stderr.lines().collect();
        failure_message(&lines[at..].join("\n")).unwrap_or_default()
    });
    let signal = matches!(ending, Ending::Signalled(n) if n != libc::SIGKILL);
    let site = (locate && signal && panicked.is_none())
        .then(|| site::find(binary.exe, name, binary.own, binary.deadline))
        .flatten()
        .map(|site| format!(", in {site}"))
        .unwrap_or_default();
    let (ran, what) = match ending {
        Ending::TimedOut => (
            Ran::Hung,
            format!(
                "hung: still running after {}s, when the grader stopped it (an endless loop, or waiting for something that never happens)",
                binary.deadline.as_secs()
            ),
        ),
        _ if overflowed => (
            Ran::Crashed,
            format!(
                "crashed: its thread overflowed its stack{site} (an endless recursion?), and the process aborted (SIGABRT)"
            ),
        ),
        Ending::Signalled(libc::SIGABRT) if panicked.is_some() => (
            Ran::Crashed,
            format!(
                "crashed: it {}, where a panic cannot unwind (a debug check on an `unsafe` operation, or a panic while panicking), and the process aborted (SIGABRT)",
                panicked.unwrap_or_default()
            ),
        ),
        ending => (Ran::Crashed, format!("crashed: the test process {}{site}, while this test ran", died_how(ending))),
    };
    let diagnostic = format!("{what}. Run it alone: `{}`", command(binary.package, name));
    Outcome { ran, diagnostic: Some(diagnostic), output: String::new() }
}

/// How a test process ended, in words: `died of SIGSEGV, a segmentation
/// fault (...)`.
fn died_how(ending: Ending) -> String {
    let signal = |n: i32| match n {
        libc::SIGSEGV => "SIGSEGV, a segmentation fault (a read or write through a bad pointer)".to_string(),
        libc::SIGBUS => "SIGBUS, a bus error (a bad or misaligned pointer)".into(),
        libc::SIGABRT => "SIGABRT, an abort".into(),
        libc::SIGILL => "SIGILL, an illegal instruction (`unreachable_unchecked`, or a corrupt jump)".into(),
        libc::SIGFPE => "SIGFPE, an arithmetic exception".into(),
        libc::SIGKILL => "SIGKILL (out of memory?)".into(),
        n => format!("signal {n}"),
    };
    match ending {
        Ending::Signalled(n) => format!("died of {}", signal(n)),
        Ending::Exited(code) => format!("exited with status {code} (a `std::process::exit`?)"),
        Ending::TimedOut => "was stopped at the deadline".into(),
        Ending::Interrupted | Ending::Stopped => "was stopped".into(),
    }
}
