//! Exercise 07's kernel tests: your executor on the PC, with the PIT's
//! clock, `hlt` as its idle (`TracedHalt`, which puts each halt in the
//! trace), and real interrupts: the timer's, and COM2's
//! receive interrupt, fed by bytes the test sends through the 16550's
//! loopback. The platform is `fledge_tasks`' (bring-up, the interrupt
//! handlers, the trace ring stamped with the TSC).
//!
//! These tests are judged from what your executor did, not from what it
//! says: each test's executor records into the trace ring, and at its end
//! the ring is dumped on COM2 after a line `# trace TEST`. The grader
//! reads the dump and checks it (`[test.trace]` in exercise.toml): fair
//! rounds, sleeps that last, a CPU that halts when there is nothing to
//! run, and interrupt wake-ups none of which is lost. One test is judged
//! from its panic report instead: a task that panics is named in it.

extern crate alloc;

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt::Write;
use core::time::Duration;

use fledge_api::{Clock, Idle};
use fledge_boot::Case;
use fledge_cpu::tsc::rdtsc;
use fledge_tasks::dump::{self, nanos, tsc_hz};
use fledge_tasks::traced_halt::TracedHalt;
use fledge_tasks::window::{self, InTheWindow};
use fledge_tasks::{bringup, door, running, serial_input};
use scheduler::{Executor, Interrupts, yield_now};

/// The tests, in the order they run.
pub static CASES: &[Case] = fledge_boot::cases![
    yielders_take_turns,
    a_50ms_sleep_is_not_early,
    the_cpu_halts_while_nothing_runs,
    interrupt_wakes_are_not_lost,
    a_panicking_task_is_named
];

/// Writes a KTAP diagnostic line (`# ...`) to COM1.
fn note(what: core::fmt::Arguments<'_>) {
    let _ = writeln!(fledge_boot::com1::Com1, "# {what}");
}

/// Your executor's door for the interrupt handlers: a handler's work runs
/// through `Interrupts::handle`, so the trace shows the interrupt, and a
/// wake it makes as its own.
struct Door(Interrupts);

impl door::Door for Door {
    fn handle(&self, vector: u8, work: &mut dyn FnMut()) {
        self.0.handle(vector, work)
    }
}

/// Dumps the trace recorded since the last dump on COM2, as `test`'s.
fn dump_trace(test: &str) {
    if let Err(error) = dump::dump_for(test) {
        panic!("the trace dump to COM2 failed: {error}");
    }
}

/// Brings the kernel up (once), gives `body` an executor on the PIT's
/// clock and `hlt` (whose halts the trace shows), recording into the trace ring, with the interrupt
/// handlers' door open to it and its handle left with the panic handler
/// (which names the task a panic came from); then dumps the trace as
/// `test`'s.
fn traced(test: &str, body: impl FnOnce(&mut Executor<'static>)) {
    traced_on(test, &TracedHalt, body)
}

/// [`traced`], with `idle` as the executor's idle.
fn traced_on(test: &str, idle: &'static dyn Idle, body: impl FnOnce(&mut Executor<'static>)) {
    let clock = bringup::init().unwrap_or_else(|error| panic!("{error}"));
    // Measured once per boot, before the trace starts: it takes a while.
    tsc_hz();
    // Events from before this test (none, unless a test before it failed
    // half-way) are not its.
    dump_trace("before");
    let mut executor = Executor::new(clock, idle, &dump::TRACE);
    {
        let _door = door::open(Door(executor.interrupts()));
        let handle = executor.handle();
        let _running = running::enter(move || handle.current().map(|(_, name)| name));
        body(&mut executor);
    }
    drop(executor);
    dump_trace(test);
}

/// Three tasks that yield 100 times each: the trace's `fair` check wants
/// their poll counts within one of each other all along.
fn yielders_take_turns() {
    const YIELDS: u32 = 100;
    traced("yielders_take_turns", |executor| {
        let counts: Vec<Rc<Cell<u32>>> = (0..3).map(|_| Rc::new(Cell::new(0))).collect();
        for (name, count) in ["yielder-a", "yielder-b", "yielder-c"].into_iter().zip(&counts) {
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
        assert_eq!(counts, [YIELDS; 3], "every yielder should run to its end");
    });
}

/// A task sleeps 50 ms: the trace's `not_before` check wants 50 ms of TSC
/// time between its `sleep` and its next poll.
fn a_50ms_sleep_is_not_early() {
    let asked = Duration::from_millis(50);
    let mut slept = 0;
    traced("a_50ms_sleep_is_not_early", |executor| {
        let handle = executor.handle();
        slept = executor.block_on("sleeper", async move {
            let start = rdtsc();
            handle.sleep(asked).await;
            rdtsc() - start
        });
    });
    let slept = Duration::from_nanos(nanos(slept));
    note(format_args!("sleep(50 ms) took {slept:?} by the TSC"));
    let tick = bringup::init().map(|clock| clock.resolution()).unwrap_or_default();
    assert!(slept <= asked + 10 * tick, "sleep(50 ms) took {slept:?} by the TSC");
}

/// One task naps for 200 ms in four sleeps: with nothing else to run,
/// the CPU should be halted nearly all that time (the trace's
/// `idle_share`), waking only for the timer's ticks.
fn the_cpu_halts_while_nothing_runs() {
    traced("the_cpu_halts_while_nothing_runs", |executor| {
        let handle = executor.handle();
        executor.block_on("napper", async move {
            for _ in 0..4 {
                handle.sleep(Duration::from_millis(50)).await;
            }
        });
    });
}

/// How many bytes the reader waits for, each sent through COM2's
/// loopback and delivered by its receive interrupt.
const ROUNDS: u32 = 1000;
/// Bytes between two dumps: the ring holds 4096 events, a round makes
/// about seven.
const ROUNDS_PER_DUMP: u32 = 250;

/// A task reads bytes that COM2's receive interrupt delivers, and each
/// wake by the interrupt must reach the task (the trace's `irq_wakes`:
/// every wake is followed by a poll of its task before the CPU goes idle,
/// or halts, again). In even
/// rounds the reader sends its byte itself and the interrupt comes while
/// the CPU halts. In odd rounds the executor's idle sends it
/// (`InTheWindow`), after the executor has decided to wait and before its
/// question is asked inside `wait_unless`: the interrupt lands in the
/// window that a check-then-halt idle leaves open.
fn interrupt_wakes_are_not_lost() {
    const TEST: &str = "interrupt_wakes_are_not_lost";
    let start = rdtsc();
    let rounds = read_bytes(TEST, ROUNDS);
    let took = Duration::from_nanos(nanos(rdtsc() - start));
    note(format_args!("{rounds} bytes looped back through COM2's interrupt in {took:?}"));
    assert_eq!(serial_input::overruns(), 0, "COM2's handler had no room for a byte");
}

/// The reader of `interrupt_wakes_are_not_lost`, for `rounds` bytes, its
/// trace dumped as `test`'s. Returns how many bytes it read.
fn read_bytes(test: &'static str, rounds: u32) -> u32 {
    let mut read = 0;
    traced_on(test, &InTheWindow, |executor| {
        // After `traced`'s first dump, which takes COM2 back for itself.
        if let Err(error) = serial_input::listen() {
            panic!("{error}");
        }
        read = executor.block_on("reader", async move {
            for round in 0..rounds {
                if round > 0 && round % ROUNDS_PER_DUMP == 0 {
                    // The ring is smaller than the whole test's events: a
                    // dump now, then COM2 listens again.
                    dump_trace(test);
                    if let Err(error) = serial_input::listen() {
                        panic!("{error}");
                    }
                }
                let byte = b'a' + (round % 26) as u8;
                if round % 2 == 0 {
                    serial_input::send_looped_back(byte);
                } else {
                    window::send_in_the_window(byte);
                }
                let got = serial_input::next_byte().await;
                assert_eq!(got, byte, "round {round}: COM2 gave back another byte");
            }
            rounds
        });
    });
    read
}

/// A task panics after three yields, while another yields beside it: the
/// report must name the task as well as the test. The panic handler
/// (`fledge_tasks::running::panic_report`) asks the executor's handle,
/// which `traced` left with it, which task is being polled. This test
/// passes by panicking, so it is the last: it ends the boot.
fn a_panicking_task_is_named() {
    traced("a_panicking_task_is_named", |executor| {
        drop(executor.spawn("bystander", async {
            for _ in 0..5 {
                yield_now().await;
            }
        }));
        drop(executor.spawn("doomed", async {
            for _ in 0..3 {
                yield_now().await;
            }
            panic!("the doomed task gives up after 3 yields");
        }));
        executor.run();
    });
}
