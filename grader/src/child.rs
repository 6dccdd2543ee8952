//! Child processes the grader starts and must never lose.
//!
//! QEMU and the host test binaries both run learner code that may hang. So
//! every child is started in its own process group, which the grader kills
//! as a whole at the deadline or on Ctrl-C. If the grader itself dies, the
//! kernel kills the child for it (`PR_SET_PDEATHSIG`, Linux only).
//!
//! Linux sends that signal when the *thread* that started the child ends,
//! not the process. Several boots run at once, each started by a worker
//! thread of [`crate::pool`], which waits for its child before it moves on:
//! so a child never outlives the thread that started it, and every child
//! dies with the grader. Each child has its own deadline, and all of them
//! see the same Ctrl-C flag.

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

/// Set by the Ctrl-C handler; [`wait`] stops the child when it sees it.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// How a child ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// It exited with this status.
    Exited(i32),
    /// It was killed by this signal, not by the grader.
    Signalled(i32),
    /// The deadline passed and the grader stopped it.
    TimedOut,
    /// The person at the terminal pressed Ctrl-C.
    Interrupted,
    /// The caller's `stop` flag was raised, and the grader stopped it.
    Stopped,
}

/// Starts `cmd` in a process group of its own, tied to the grader's life.
pub fn spawn(cmd: &mut Command) -> std::io::Result<Child> {
    spawn_nice(cmd, 0)
}

/// [`spawn`], with the child's CPU priority lowered by `nice` (0 to 19).
pub fn spawn_nice(cmd: &mut Command, nice: i32) -> std::io::Result<Child> {
    // SAFETY: the closure runs in the child between fork and exec and calls
    // only `setpgid`, `prctl` and `nice`, which are async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            libc::setpgid(0, 0);
            #[cfg(target_os = "linux")]
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            if nice > 0 {
                libc::nice(nice);
            }
            Ok(())
        });
    }
    cmd.spawn()
}

/// Waits for a child started by [`spawn`] until it ends, `timeout` has
/// passed since `start`, `stop` is raised (by a thread reading its output,
/// say), or Ctrl-C; in all but the first case kills its whole process
/// group. The child is reaped either way.
pub fn wait(child: &mut Child, start: Instant, timeout: Duration, stop: &AtomicBool) -> Result<Ending> {
    wait_loop(child, start, timeout, stop, &mut || {}, &mut |_, _| {}, None)
}

/// [`wait`] for a boot: at the deadline `at_deadline` runs first, while
/// the child is still alive (the grader looks at a hung QEMU before
/// stopping it), and the deadline counts the time the guest's CPU had, not
/// the time it waited for a core of the host: see [`starved`]. That time,
/// as last read, is left in `waited`.
pub fn wait_then(
    child: &mut Child,
    start: Instant,
    timeout: Duration,
    stop: &AtomicBool,
    at_deadline: &mut dyn FnMut(),
    waited: &mut Duration,
) -> Result<Ending> {
    wait_loop(child, start, timeout, stop, at_deadline, &mut |_, _| {}, Some(waited))
}

/// [`wait`], and once `after` has passed, the child's whole process group
/// runs at the lower priority `nice`: a clippy that takes much longer than
/// a regrade's is checking every dependency, and must not slow the boots
/// beside it, while one that is quick keeps its full share of the CPU.
/// (Host tests that must make way for the boots from the start pass a
/// zero `after`.) At the deadline, `at_deadline` runs while the child is
/// still alive.
pub fn wait_lowering(
    child: &mut Child,
    start: Instant,
    timeout: Duration,
    after: Duration,
    nice: i32,
    at_deadline: &mut dyn FnMut(),
) -> Result<Ending> {
    let mut lowered = false;
    let mut tick = |child: &Child, elapsed: Duration| {
        if !lowered && elapsed >= after {
            // SAFETY: `setpriority` changes the priority of the process
            // group the child leads (`spawn` made it); the child is not
            // reaped yet, so the group is still its own. No memory effects.
            unsafe { libc::setpriority(libc::PRIO_PGRP, child.id(), nice) };
            lowered = true;
        }
    };
    wait_loop(child, start, timeout, &AtomicBool::new(false), at_deadline, &mut tick, None)
}

/// [`wait`], calling `tick` with the time since `start` each time it looks
/// at the child (every few milliseconds); `tick` may raise `stop`. At the
/// deadline, `at_deadline` runs while the child is still alive.
pub fn wait_ticking(
    child: &mut Child,
    start: Instant,
    timeout: Duration,
    stop: &AtomicBool,
    tick: &mut dyn FnMut(Duration),
    at_deadline: &mut dyn FnMut(),
) -> Result<Ending> {
    wait_loop(child, start, timeout, stop, at_deadline, &mut |_, elapsed| tick(elapsed), None)
}

fn wait_loop(
    child: &mut Child,
    start: Instant,
    timeout: Duration,
    stop: &AtomicBool,
    at_deadline: &mut dyn FnMut(),
    tick: &mut dyn FnMut(&Child, Duration),
    mut waited: Option<&mut Duration>,
) -> Result<Ending> {
    let mut looked = start;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(match (status.code(), status.signal()) {
                (Some(code), _) => Ending::Exited(code),
                (None, Some(signal)) => Ending::Signalled(signal),
                (None, None) => bail!("a child process ended with an unknown status"),
            });
        }
        let stop = if INTERRUPTED.load(Ordering::SeqCst) {
            Some(Ending::Interrupted)
        } else if stop.load(Ordering::SeqCst) {
            Some(Ending::Stopped)
        } else if start.elapsed().saturating_sub(waited.as_deref().copied().unwrap_or_default()) >= timeout
            || start.elapsed() >= 2 * timeout
        {
            at_deadline();
            Some(Ending::TimedOut)
        } else {
            None
        };
        if let Some(ending) = stop {
            kill_group(child);
            return Ok(ending);
        }
        tick(child, start.elapsed());
        if let Some(waited) = waited.as_deref_mut()
            && looked.elapsed() >= Duration::from_millis(50)
        {
            *waited = starved(child.id());
            looked = Instant::now();
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// How long the busiest thread of process `pid` (QEMU's virtual CPU) has
/// waited for a core while it could have run, from Linux's scheduler
/// statistics (`/proc/PID/task/TID/schedstat`: time on a CPU, time waiting
/// on a run queue, slices). A boot beside busy host tests, or on a machine
/// doing other work, gets that much longer before its deadline (at most
/// twice the deadline in all), so a slow host does not make a hang of a
/// kernel that would have finished. A halted guest waits for nothing: its
/// time counts. Zero where the statistics are not kept.
fn starved(pid: u32) -> Duration {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return Duration::ZERO };
    let busiest = tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|line| {
            let mut fields = line.split_whitespace().map(|f| f.parse::<u64>().ok());
            Some((fields.next()??, fields.next()??))
        })
        .max_by_key(|(ran, _)| *ran);
    busiest.map_or(Duration::ZERO, |(_, waited)| Duration::from_nanos(waited))
}

/// Kills a child's whole process group and reaps the child.
fn kill_group(child: &mut Child) {
    let pid = child.id() as libc::pid_t;
    // SAFETY: `kill` with a negative pid signals the process group `pid`,
    // which the child created for itself in `spawn`; it has no memory
    // effects on this process.
    unsafe { libc::kill(-pid, libc::SIGKILL) };
    let _ = child.kill();
    let _ = child.wait();
}
