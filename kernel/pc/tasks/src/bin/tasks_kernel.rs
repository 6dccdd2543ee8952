//! A test kernel for the executor on the PC: real timer and serial
//! interrupts, tasks that yield, sleep and wait for a byte, and a trace
//! dumped to COM2 at the end of every test.
//!
//! ```text
//! cargo build -p fledge-tasks --bin fledge-tasks-kernel \
//!     --target x86_64-unknown-none --profile kernel
//! cargo grade --kernel target/x86_64-unknown-none/kernel/fledge-tasks-kernel
//! ```
//!
//! The grader keeps each boot's COM2 in
//! `target/fledge/kernel-fledge-tasks-kernel/com2.log`: one dump per test,
//! in the order of the tests, each from its `fledge-trace` header to its
//! `end` line. `cargo grade --render-trace FILE` checks a dump and draws
//! it (it reads the first dump in FILE).

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate alloc;

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt::Write;
use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;

use fledge_api::{Clock, Idle};
use fledge_boot::Case;
use fledge_cpu::tsc::rdtsc;
use fledge_executor::{Executor, yield_now};
use fledge_tasks::dump::{self, TRACE, nanos, tsc_hz};
use fledge_tasks::{bringup, door, running, serial_input};
use fledge_timer::sleep::Halt;

fledge_boot::test_kernel!(
    CASES,
    panic_handler = fledge_tasks::running::panic_report,
    exit = fledge_boot::exit::exit_qemu
);

/// The tests, in the order they run.
static CASES: &[Case] = fledge_boot::cases![
    yielding_tasks_take_turns,
    a_50ms_sleep_halts_and_is_not_early,
    a_serial_byte_wakes_its_reader,
    everything_at_once
];

/// `Halt`, keeping count of its halts and of the TSC cycles spent halted.
struct MeasuredHalt {
    halts: AtomicU64,
    halted: AtomicU64,
}

impl Idle for MeasuredHalt {
    fn wait_unless(&self, ready: &mut dyn FnMut() -> bool) -> bool {
        let start = rdtsc();
        let is_ready = Halt.wait_unless(ready);
        if !is_ready {
            self.halts.fetch_add(1, Ordering::Relaxed);
            self.halted.fetch_add(rdtsc() - start, Ordering::Relaxed);
        }
        is_ready
    }
}

static IDLE: MeasuredHalt = MeasuredHalt { halts: AtomicU64::new(0), halted: AtomicU64::new(0) };

/// Writes a KTAP diagnostic line (`# ...`) to COM1.
fn note(what: core::fmt::Arguments<'_>) {
    let _ = writeln!(fledge_boot::com1::Com1, "# {what}");
}

/// How the CPU spent a test.
struct Spent {
    /// How many times it halted.
    halts: u64,
}

/// Brings the kernel up (once), gives `body` an executor whose
/// interrupts and panics are wired, then dumps the trace and notes how
/// the CPU spent the test: halted, or busy.
fn with_executor(body: impl FnOnce(&mut Executor<'static>)) -> Spent {
    let clock = bringup::init().unwrap_or_else(|error| panic!("{error}"));
    let hz = tsc_hz();
    let mut executor = Executor::new(clock, &IDLE, &TRACE);
    IDLE.halts.store(0, Ordering::Relaxed);
    IDLE.halted.store(0, Ordering::Relaxed);
    let start = rdtsc();
    {
        let _door = door::open(executor.interrupts());
        let handle = executor.handle();
        let _running = running::enter(move || handle.current().map(|(_, name)| name));
        body(&mut executor);
    }
    let total = rdtsc() - start;
    drop(executor);
    let (halts, halted) = (IDLE.halts.load(Ordering::Relaxed), IDLE.halted.load(Ordering::Relaxed));
    match dump::dump() {
        Ok(events) => note(format_args!(
            "{events} events dumped to COM2; {} ms, halted {:.1}% of it in {halts} halts (tsc-hz {hz})",
            nanos(total) / 1_000_000,
            halted as f64 * 100.0 / total.max(1) as f64
        )),
        Err(error) => panic!("the trace dump to COM2 failed: {error}"),
    }
    Spent { halts }
}

fn yielding_tasks_take_turns() {
    const YIELDS: u32 = 100;
    let _ = with_executor(|executor| {
        let counts: Vec<Rc<Cell<u32>>> = (0..3).map(|_| Rc::new(Cell::new(0))).collect();
        for (name, count) in ["yield-a", "yield-b", "yield-c"].into_iter().zip(&counts) {
            let count = Rc::clone(count);
            drop(executor.spawn(name, async move {
                for _ in 0..YIELDS {
                    count.set(count.get() + 1);
                    yield_now().await;
                }
            }));
        }
        executor.run();
        let counts: Vec<u32> = counts.iter().map(|c| c.get()).collect();
        assert_eq!(counts, [YIELDS; 3], "every yielder ran to its end");
    });
}

fn a_50ms_sleep_halts_and_is_not_early() {
    let asked = Duration::from_millis(50);
    let mut slept = 0;
    let mut resolution = Duration::ZERO;
    let _ = with_executor(|executor| {
        let handle = executor.handle();
        resolution = handle_resolution();
        slept = executor.block_on("sleeper", async move {
            let start = rdtsc();
            handle.sleep(asked).await;
            rdtsc() - start
        });
    });
    let slept = Duration::from_nanos(nanos(slept));
    note(format_args!("sleep(50 ms) took {slept:?} by the TSC (clock resolution {resolution:?})"));
    // The PIT's clock lags true time by up to one tick, so the sleep may
    // end one tick early by the TSC; late by a few ticks when the
    // emulator is descheduled.
    assert!(slept + resolution >= asked, "sleep(50 ms) ended after {slept:?} by the TSC");
    assert!(slept <= asked + 5 * resolution, "sleep(50 ms) took {slept:?} by the TSC");
}

/// The PIT clock's step.
fn handle_resolution() -> Duration {
    bringup::init().map(|clock| clock.resolution()).unwrap_or_default()
}

fn a_serial_byte_wakes_its_reader() {
    const ROUNDS: u32 = 200;
    if let Err(error) = serial_input::listen() {
        panic!("{error}");
    }
    let mut rounds = 0;
    let spent = with_executor(|executor| {
        rounds = executor.block_on("echo", async {
            for round in 0..ROUNDS {
                let byte = b'a' + (round % 26) as u8;
                serial_input::send_looped_back(byte);
                let got = serial_input::next_byte().await;
                assert_eq!(got, byte, "round {round}: COM2 gave back another byte");
            }
            ROUNDS
        });
    });
    note(format_args!("{rounds} bytes looped back through COM2's interrupt; {} halts", spent.halts));
    assert!(
        spent.halts >= u64::from(ROUNDS),
        "the reader's CPU halted {} times in {ROUNDS} rounds: each byte should come while it halts",
        spent.halts
    );
    assert_eq!(serial_input::overruns(), 0, "COM2's handler had no room for a byte");
}

fn everything_at_once() {
    if let Err(error) = serial_input::listen() {
        panic!("{error}");
    }
    let _ = with_executor(|executor| {
        let handle = executor.handle();
        drop(executor.spawn("blink", async move {
            for _ in 0..5 {
                handle.sleep(Duration::from_millis(10)).await;
            }
        }));
        drop(executor.spawn("echo", async {
            for round in 0..10u8 {
                serial_input::send_looped_back(b'0' + round);
                assert_eq!(serial_input::next_byte().await, b'0' + round);
            }
        }));
        for name in ["yield-a", "yield-b"] {
            drop(executor.spawn(name, async {
                for _ in 0..20 {
                    yield_now().await;
                }
            }));
        }
        executor.run();
    });
}
