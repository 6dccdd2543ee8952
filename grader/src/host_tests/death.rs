//! How a host test that never reported ended: which signal killed its
//! process, or that it hung, and where ([`super::site`] for the place of a
//! crash, [`crate::hang`] for the place of a hang), in the words of its
//! diagnostic, with the command that runs it alone.

use super::binary::{Binary, command};
use super::libtest::failure_message;
use super::libtest::{Outcome, Ran};
use super::site;
use crate::child::Ending;
use crate::hang::{self, Hang};
use crate::symbols::Frame;

/// The outcome of `name`, which was running when its process ended
/// `ending`; with `locate`, a crash by a signal is looked at in gdb for
/// its place ([`site`]).
pub fn died(
    binary: &Binary<'_>,
    ending: Ending,
    stderr: &str,
    name: &str,
    locate: bool,
    stacks: &[Vec<Frame>],
) -> Outcome {
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
    let hang = (ending == Ending::TimedOut).then(|| hung_where(binary, name, stacks)).flatten();
    let (ran, what) = match ending {
        Ending::TimedOut => (
            Ran::Hung,
            match &hang {
                Some(hang) => format!(
                    "hung: still running after {}s, when the grader stopped it, {}: {}",
                    binary.deadline.as_secs(),
                    hang.doing(),
                    if hang.is_deadlock() {
                        "a spin lock is waited for forever: it was probably taken twice (a deadlock)"
                    } else {
                        "an endless loop, or waiting for something that never happens"
                    }
                ),
                None => format!(
                    "hung: still running after {}s, when the grader stopped it (an endless loop, or waiting for something that never happens)",
                    binary.deadline.as_secs()
                ),
            },
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
    Outcome { ran, diagnostic: Some(diagnostic), output: String::new(), hint: hang.map(|hang| hang.hint) }
}

/// Where the test `name` hung, from its threads' stacks: the place in the
/// learner's files, as for a hung kernel ([`hang::diagnose_stacks`]).
fn hung_where(binary: &Binary<'_>, name: &str, stacks: &[Vec<Frame>]) -> Option<Hang> {
    // The threads are one moment, not samples over time: a thread waiting
    // for a spin lock explains the others (one waiting for the thread that
    // holds it, the test waiting for both), so when there is one, only
    // those count.
    let locking = |stack: &&Vec<Frame>| {
        stack.iter().filter_map(|f| f.file.as_deref()).any(|file| file.starts_with("spin-") && file.contains("/mutex"))
    };
    let chosen: Vec<&Vec<Frame>> = match stacks.iter().filter(locking).collect::<Vec<_>>() {
        locked if !locked.is_empty() => locked,
        _ => stacks.iter().collect(),
    };
    let looks: Vec<(hang::Kind, Vec<&Frame>)> =
        chosen.into_iter().map(|stack| (hang::Kind::Spinning, stack.iter().collect())).collect();
    let exe = binary.exe.strip_prefix(binary.root).unwrap_or(binary.exe).display().to_string();
    let see = format!(
        "To see it for yourself: `gdb --args {exe} {name} --exact`, then `run`; once it hangs, Ctrl-C and \
         `thread apply all bt` show every thread's stack (`thread N`, `frame N` and `info locals` look around)."
    );
    hang::diagnose_stacks(&looks, Some(binary.own), "The test", &see)
}

/// How a test process ended, in words: `died of SIGSEGV, a segmentation
/// fault (...)`.
pub fn died_how(ending: Ending) -> String {
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
