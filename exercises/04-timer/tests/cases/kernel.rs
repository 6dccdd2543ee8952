//! Exercise 04's kernel tests: the real PIT and PICs, measured against the
//! CPU's time-stamp counter (whose rate `fledge_cpu::tsc::calibrate`
//! measures against PIT channel 2, which your code does not touch).
//!
//! Timing under emulation is noisy: QEMU's virtual CPU can be descheduled
//! by the host for a few milliseconds. The tests allow for it: the tick
//! rate comes from the median interval between ticks, and the sleep's tolerance is stated
//! below.

use core::arch::asm;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::time::Duration;

use fledge_api::{Clock, Idle};
use fledge_boot::Case;
use fledge_conformance::clock as conformance;
use fledge_cpu::tsc;
use timer::bringup::{self, HZ};
use timer::clock::PitClock;
use timer::sleep::{Halt, sleep};
use timer::{handlers, idt, pic, pit};
use x86_64::instructions::interrupts;
use x86_64::instructions::port::Port;

/// The tests, in the order they run.
pub static CASES: &[Case] = fledge_boot::cases![
    interrupts_start_after_the_idt,
    timer_ticks,
    tick_rate_matches_the_tsc,
    clock_never_goes_backwards,
    clock_advances,
    clock_steps_by_its_resolution,
    halt_checks_with_interrupts_off,
    sleep_100ms,
    spurious_interrupts_are_counted,
    a_thousand_interrupts
];

/// The TSC's rate in Hz, measured once per boot.
fn tsc_hz() -> u64 {
    static HZ: spin::Once<u64> = spin::Once::new();
    *HZ.call_once(tsc::calibrate)
}

/// Waits (spinning, so that it works even if interrupts never come) until
/// the tick count reaches `target`, for at most `limit`. Returns whether it
/// got there.
fn wait_for_tick(target: u64, limit: Duration) -> bool {
    let deadline = tsc::rdtsc() + (tsc_hz() as u128 * limit.as_micros() / 1_000_000) as u64;
    while handlers::ticks() < target {
        if tsc::rdtsc() > deadline {
            return false;
        }
        core::hint::spin_loop();
    }
    true
}

/// Writes a KTAP diagnostic line (`# ...`) to the serial log: what a test
/// measured, for whoever reads the log.
fn note(what: core::fmt::Arguments<'_>) {
    use core::fmt::Write;
    let _ = writeln!(fledge_boot::com1::Com1, "# {what}");
}

/// Starts the timer (once) and checks that it keeps ticking, before a test
/// halts to wait for ticks: without timer interrupts, `hlt` would never
/// return and the test would hang until the grader's time limit.
fn running_timer() -> Duration {
    let period = bringup::init();
    assert!(
        wait_for_tick(handlers::ticks() + 2, Duration::from_secs(1)),
        "the timer is not ticking (see the test timer_ticks), so this test cannot run"
    );
    period
}

/// TSC cycles as a duration.
fn cycles(count: u64) -> Duration {
    Duration::from_nanos((count as u128 * 1_000_000_000 / tsc_hz() as u128) as u64)
}

fn interrupts_start_after_the_idt() {
    assert!(!interrupts::are_enabled(), "interrupts were on before the timer was started");
    bringup::init();
    assert!(interrupts::are_enabled(), "bringup::init() returned with interrupts off");
    let table = idt::table().expect("the IDT was never built");
    let loaded = x86_64::instructions::tables::sidt();
    assert_eq!(loaded.base.as_u64(), table as *const _ as u64, "the CPU's IDT register does not point at the IDT");
    let masks = pic::with(|pics| pics.masks());
    assert_eq!(masks & 1, 0, "IRQ 0 (the timer) is masked: masks are {masks:#06x}");
}

fn timer_ticks() {
    bringup::init();
    let start = handlers::ticks();
    assert!(
        wait_for_tick(start + 3, Duration::from_secs(1)),
        "{} timer interrupts in 1 s, expected about {HZ}: is IRQ 0 unmasked, the PIT programmed, and the EOI sent?",
        handlers::ticks() - start
    );
}

fn tick_rate_matches_the_tsc() {
    let period = running_timer();
    let expected = 1e9 / period.as_nanos() as f64;
    // The TSC at 61 consecutive tick edges gives 60 intervals. The median
    // interval is the period: when the host deschedules the emulator, an
    // edge is seen late (one interval long, the next short) or two ticks
    // merge into one (one interval doubles), but that touches a few
    // intervals, not half of them.
    const INTERVALS: usize = 60;
    let mut edges = [0u64; INTERVALS + 1];
    // Halting between ticks, rather than spinning, leaves the host's CPU to
    // the emulator's other threads, which makes the edges far less late.
    let mut last = handlers::ticks();
    for edge in &mut edges {
        while !Halt.wait_unless(&mut || handlers::ticks() != last) {}
        *edge = tsc::rdtsc();
        last = handlers::ticks();
    }
    let mut intervals = [0u64; INTERVALS];
    for (interval, pair) in intervals.iter_mut().zip(edges.windows(2)) {
        *interval = pair[1] - pair[0];
    }
    intervals.sort_unstable();
    let median = cycles(intervals[INTERVALS / 2]);
    let rate = 1e9 / median.as_nanos() as f64;
    let (shortest, longest) = (cycles(intervals[0]), cycles(intervals[INTERVALS - 1]));
    note(format_args!(
        "tick rate {rate:.3} Hz by the TSC at {} Hz (median interval {median:?}, shortest {shortest:?}, longest {longest:?})",
        tsc_hz()
    ));
    let error = (rate - expected) / expected;
    assert!(
        error.abs() <= 0.05,
        "the timer ticks at {rate:.2} Hz by the TSC (a median of {median:?} between ticks), {:+.1}% off the {expected:.2} Hz the PIT was asked for",
        error * 100.0
    );
}

fn clock_never_goes_backwards() {
    conformance::never_goes_backwards(&PitClock::new(running_timer()), &Halt);
}

fn clock_advances() {
    conformance::advances(&PitClock::new(running_timer()), &Halt);
}

fn clock_steps_by_its_resolution() {
    conformance::steps_by_its_resolution(&PitClock::new(running_timer()), &Halt);
}

/// The primary PIC's Interrupt Request Register: bit n set means IRQ n
/// has been requested and not yet taken by the CPU.
fn requested_irqs() -> u8 {
    pic::with(|_| {
        let mut command = Port::<u8>::new(0x20);
        // SAFETY: OCW3 "read IRR" makes the next read of the primary's
        // command port return the IRR; neither has another effect, and
        // `Pics::in_service` selects the ISR again before each of its reads.
        unsafe {
            command.write(0x0a);
            command.read()
        }
    })
}

/// `Halt` keeps the `Idle` contract: the check runs with interrupts off, a
/// tick that becomes pending during the check ends the halt at once, and
/// the caller's interrupt flag is left as it was.
fn halt_checks_with_interrupts_off() {
    let period = running_timer();
    let mut checked_with = None;
    assert!(Halt.wait_unless(&mut || {
        checked_with = Some(interrupts::are_enabled());
        true
    }));
    assert_eq!(
        checked_with,
        Some(false),
        "Halt ran the check with interrupts on: a wake-up between the check and the hlt is handled before the halt, and lost"
    );
    assert!(interrupts::are_enabled(), "Halt returned with interrupts off; the caller had them on");

    // Hold the check until the next tick is pending in the PIC, then say
    // "not yet": `sti; hlt` must take that tick at once.
    let mut ticks = 0;
    let mut pending_at = None;
    let ready = Halt.wait_unless(&mut || {
        ticks = handlers::ticks();
        let deadline = tsc::rdtsc() + tsc_hz();
        while requested_irqs() & 1 == 0 && tsc::rdtsc() < deadline {
            core::hint::spin_loop();
        }
        pending_at = (requested_irqs() & 1 == 1).then(tsc::rdtsc);
        false
    });
    let woke = tsc::rdtsc();
    assert!(!ready);
    let pending_at = pending_at.expect("no tick became pending within 1 s while interrupts were off");
    let late = cycles(woke - pending_at);
    note(format_args!("a tick pending since the check ended the halt {late:?} later"));
    assert_eq!(handlers::ticks(), ticks + 1, "the halt should have ended with the tick that was pending");
    assert!(late < period / 2, "a tick was pending when Halt halted, but the halt ended only {late:?} later");

    interrupts::disable();
    let ready = Halt.wait_unless(&mut || false);
    let left_on = interrupts::are_enabled();
    interrupts::enable();
    assert!(!ready);
    assert!(!left_on, "Halt returned with interrupts on; the caller had them off");
}

/// `Halt`, counting its waits.
struct CountingHalt(AtomicUsize);

impl Idle for CountingHalt {
    fn wait_unless(&self, ready: &mut dyn FnMut() -> bool) -> bool {
        let is_ready = Halt.wait_unless(ready);
        if !is_ready {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        is_ready
    }
}

fn sleep_100ms() {
    let clock = PitClock::new(running_timer());
    let tick = clock.resolution();
    let asked = Duration::from_millis(100);
    // The clock lags true time by up to one tick, so a sleep can be one tick
    // short. It can end late by a tick, and by the ticks the emulator loses
    // when the host is busy (two timer interrupts that come while the
    // virtual CPU is not running merge into one): five ticks of slack.
    let (low, high) = (asked - tick, asked + 5 * tick);
    let idle = CountingHalt(AtomicUsize::new(0));
    tsc_hz();
    let start = tsc::rdtsc();
    sleep(&clock, &idle, asked);
    let slept = cycles(tsc::rdtsc() - start);
    let waits = idle.0.load(Ordering::SeqCst);
    note(format_args!("sleep(100 ms) took {slept:?} by the TSC, {waits} waits"));
    assert!(slept >= low && slept <= high, "sleep(100 ms) took {slept:?} by the TSC; expected {low:?} to {high:?}");
    assert!(waits > 0, "sleep never waited for an interrupt: it spun");
    assert!(waits <= 30, "sleep waited {waits} times in 100 ms at {HZ} Hz: something wakes it far too often");
}

fn spurious_interrupts_are_counted() {
    bringup::init();
    let before = handlers::spurious();
    // SAFETY: `int` runs the handler of that vector as if IRQ 7, then IRQ 15,
    // had fired; neither is in service, so both look spurious.
    unsafe { asm!("int {v}", v = const idt::vector(7)) };
    assert_eq!(handlers::spurious(), before + 1, "IRQ 7 while not in service should count as spurious");
    // SAFETY: as above.
    unsafe { asm!("int {v}", v = const idt::vector(15)) };
    assert_eq!(handlers::spurious(), before + 2, "IRQ 15 while not in service should count as spurious");
    let now = handlers::ticks();
    assert!(wait_for_tick(now + 3, Duration::from_secs(1)), "the timer stopped after the spurious interrupts");
}

fn a_thousand_interrupts() {
    bringup::init();
    let fast = interrupts::without_interrupts(|| pit::program(1000));
    fast.expect("the PIT can run at 1000 Hz");
    let start = handlers::ticks();
    let done = wait_for_tick(start + 1000, Duration::from_secs(5));
    let seen = handlers::ticks() - start;
    interrupts::without_interrupts(|| pit::program(HZ)).expect("back to the usual rate");
    assert!(
        done,
        "only {seen} of 1000 interrupts arrived within 5 s at 1000 Hz: if they stopped after one, an EOI is missing; if they came slowly, check the PIT's divisor"
    );
}
