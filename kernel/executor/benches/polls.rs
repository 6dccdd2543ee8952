//! What the trace costs the executor: the time of one poll of a yielding
//! task, with no trace, with the trace ring stamped by the time-stamp
//! counter (as on the PC), and with the ring stamped by the host's
//! monotonic clock (as in hosted tests).
//!
//! ```text
//! cargo bench -p fledge-executor --bench polls
//! ```
//!
//! A batch spawns `TASKS` tasks that yield `YIELDS` times each and runs
//! them to their end; only `run` is timed. A poll of a yielding task
//! records three events (poll start, its own wake, poll end), so a batch
//! fits in the ring, which is emptied between batches, untimed: every
//! event of a timed run is really written, none dropped. Each setting runs
//! `ROUNDS` times `BATCHES` batches, and the fastest round is reported,
//! since a slower one measured the machine's other work.

use std::hint::black_box;
use std::time::{Duration, Instant};

use fledge_api::Trace;
use fledge_executor::{Executor, yield_now};
use fledge_hosted::{HostClock, SleepIdle};
use fledge_trace::{NoTrace, Ring};

const TASKS: u32 = 4;
const YIELDS: u32 = 200;
const BATCHES: u32 = 200;
const ROUNDS: u32 = 5;
/// Room for a batch's events: `TASKS * (YIELDS + 1)` polls, three events
/// each, and the spawns.
const EVENTS: usize = 4096;

static TSC_RING: Ring<EVENTS> = Ring::new(fledge_cpu::tsc::rdtsc);
static CLOCK_RING: Ring<EVENTS> = Ring::new(fledge_hosted::monotonic_nanos);
static NO_TRACE: NoTrace = NoTrace;

/// Runs one batch on an executor recording into `trace`: the time `run`
/// took, and how many polls it made.
fn batch(trace: &'static (dyn Trace + Sync)) -> (Duration, u64) {
    let clock = HostClock::new();
    let idle = SleepIdle(Duration::from_millis(1));
    let mut executor = Executor::new(&clock, &idle, trace);
    for _ in 0..TASKS {
        drop(executor.spawn("yielder", async {
            for _ in 0..YIELDS {
                yield_now().await;
            }
        }));
    }
    let start = Instant::now();
    let polls = executor.run_ready();
    (start.elapsed(), black_box(polls))
}

/// Nanoseconds a poll, the best of `ROUNDS` rounds, on `trace`; `empty`
/// empties the trace between batches.
fn measure(trace: &'static (dyn Trace + Sync), empty: &dyn Fn()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..ROUNDS {
        let (mut took, mut polls) = (Duration::ZERO, 0);
        for _ in 0..BATCHES {
            let (time, count) = batch(trace);
            assert_eq!(count, u64::from(TASKS * (YIELDS + 1)), "every task polled once a yield, and once to finish");
            took += time;
            polls += count;
            empty();
        }
        best = best.min(took.as_nanos() as f64 / polls as f64);
    }
    best
}

/// Empties `ring`, which must not have dropped an event.
fn empty<const N: usize>(ring: &Ring<N>) {
    assert_eq!(ring.dropped(), 0, "the ring was too small for a batch: the timed run dropped events");
    ring.drain(|_| Ok::<(), ()>(())).expect("one reader at a time");
}

fn main() {
    let settings: [(&str, &'static (dyn Trace + Sync), &dyn Fn()); 3] = [
        ("no trace (NoTrace)", &NO_TRACE, &|| {}),
        ("trace ring, TSC stamps", &TSC_RING, &|| empty(&TSC_RING)),
        ("trace ring, host clock stamps", &CLOCK_RING, &|| empty(&CLOCK_RING)),
    ];
    println!("{TASKS} tasks yielding {YIELDS} times each, {BATCHES} batches a round, best of {ROUNDS} rounds:");
    let mut base = None;
    for (name, trace, empty) in settings {
        let ns = measure(trace, empty);
        let more = base.map_or(String::new(), |b: f64| format!(", {:+.0} ns a poll", ns - b));
        base.get_or_insert(ns);
        println!("  {name:<30} {ns:>6.1} ns a poll, {:>5.2} million polls a second{more}", 1000.0 / ns);
    }
}
