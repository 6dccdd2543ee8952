//! How many polls a second the executor makes, with the trace recording
//! into a ring and with `NoTrace`: what tracing costs.
//!
//! ```text
//! cargo run --release -p fledge-executor --example polls
//! ```
//!
//! The ring is measured twice: stamped with the host's monotonic clock
//! (what `examples/hosted.rs` uses) and with the time-stamp counter (what
//! a kernel uses).
//!
//! Eight tasks each yield 2,000 times per batch: 16,008 polls, and three
//! events each (poll start, poll end, the yield's wake), which fit a ring
//! of 65,536. The ring is emptied between batches, outside the timing, so
//! every recording is a real one, never the cheap "full, count it" path.

use std::time::{Duration, Instant};

use fledge_api::Trace;
use fledge_executor::{Executor, yield_now};
use fledge_fakes::{ManualClock, TickingIdle};
use fledge_trace::{NoTrace, Ring};

const TASKS: usize = 8;
const YIELDS: usize = 2_000;
const BATCHES: usize = 60;

static RING: Ring<65_536> = Ring::new(fledge_hosted::monotonic_nanos);
/// The same ring stamped with the time-stamp counter, as a kernel's is.
static TSC_RING: Ring<65_536> = Ring::new(rdtsc);

fn rdtsc() -> u64 {
    // SAFETY: `rdtsc` only reads a counter; every x86-64 CPU has it.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// Polls a second over `BATCHES` batches, the fastest third of them (the
/// machine is shared, so the slow batches are other people's noise).
fn measure(trace: &'static (dyn Trace + Sync), empty: impl Fn()) -> f64 {
    let clock = ManualClock::new(Duration::ZERO);
    let idle = TickingIdle::new(&clock, Duration::from_millis(1));
    let mut rates = Vec::new();
    for _ in 0..BATCHES {
        empty();
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
        rates.push(polls as f64 / start.elapsed().as_secs_f64());
    }
    rates.sort_by(|a, b| b.total_cmp(a));
    let best = &rates[..BATCHES / 3];
    best.iter().sum::<f64>() / best.len() as f64
}

fn main() {
    let empty_ring = || {
        RING.drain(|_| Ok::<(), ()>(())).unwrap();
    };
    let off = measure(&NoTrace, || {});
    let on = measure(&RING, empty_ring);
    let tsc = measure(&TSC_RING, || {
        TSC_RING.drain(|_| Ok::<(), ()>(())).unwrap();
    });
    let off_again = measure(&NoTrace, || {});
    assert_eq!(RING.dropped() + TSC_RING.dropped(), 0, "the ring was too small for a batch");
    let off = off.max(off_again);
    println!("polls a second, {TASKS} tasks yielding {YIELDS} times each, best third of {BATCHES} batches:");
    println!("  {:<23} {:>11.0}  ({:.0} ns a poll)", "trace off (NoTrace):", off, 1e9 / off);
    for (what, rate) in [("trace on, clock stamps:", on), ("trace on, TSC stamps:", tsc)] {
        println!(
            "  {what:<23} {rate:>11.0}  ({:.0} ns a poll: {:.0} ns more, {:.1} ns an event)",
            1e9 / rate,
            1e9 / rate - 1e9 / off,
            (1e9 / rate - 1e9 / off) / 3.0
        );
    }
}
