//! Exercise 04's host tests: the PIC rules against a fake controller, the
//! PIT's arithmetic, the bring-up order against a recording platform, and
//! `sleep` against a fake clock that only moves when `sleep` waits, and
//! against a simulated CPU whose one timer interrupt comes at the worst
//! moment.

use core::time::Duration;
use std::cell::{Cell, RefCell};

use fledge_api::{Clock, Idle, Instant};
use fledge_fakes::{ManualClock, SimulatedInterrupts, TickingIdle};
use timer::bringup::{self, Platform};
use timer::pic::{self, Irq, Pic};
use timer::pit::{self, PIT_HZ, PitError};
use timer::{clock, sleep};

/// A PIC that says which lines are in service and records the EOIs.
#[derive(Default)]
struct FakePic {
    in_service: u16,
    eois: Vec<&'static str>,
}

impl Pic for FakePic {
    fn in_service(&mut self) -> u16 {
        self.in_service
    }
    fn eoi_primary(&mut self) {
        self.eois.push("primary");
    }
    fn eoi_secondary(&mut self) {
        self.eois.push("secondary");
    }
}

fn acknowledged(irq: u8, in_service: u16) -> (Irq, Vec<&'static str>) {
    let mut fake = FakePic { in_service, eois: Vec::new() };
    let irq = pic::acknowledge(&mut fake, irq);
    fake.eois.sort_unstable();
    (irq, fake.eois)
}

#[test]
fn eoi_goes_to_the_primary_for_irq_0_to_7() {
    for irq in [0, 1, 3, 6] {
        assert_eq!(acknowledged(irq, 1 << irq), (Irq::Real, vec!["primary"]), "IRQ {irq}");
    }
}

#[test]
fn eoi_goes_to_both_for_irq_8_to_15() {
    for irq in [8, 12, 14] {
        assert_eq!(acknowledged(irq, 1 << irq | 1 << 2), (Irq::Real, vec!["primary", "secondary"]), "IRQ {irq}");
    }
}

#[test]
fn spurious_irq7_gets_no_eoi() {
    assert_eq!(acknowledged(7, 0), (Irq::Spurious, vec![]), "IRQ 7 not in service is spurious: no EOI at all");
    assert_eq!(acknowledged(7, 1 << 0), (Irq::Spurious, vec![]), "IRQ 0's service bit says nothing about IRQ 7");
    assert_eq!(acknowledged(7, 1 << 7), (Irq::Real, vec!["primary"]), "IRQ 7 in service is real");
}

#[test]
fn spurious_irq15_ends_only_the_primary() {
    assert_eq!(
        acknowledged(15, 1 << 2),
        (Irq::Spurious, vec!["primary"]),
        "a spurious IRQ 15 still went through the primary's line 2: only the primary gets an EOI"
    );
    assert_eq!(acknowledged(15, 1 << 15 | 1 << 2), (Irq::Real, vec!["primary", "secondary"]), "IRQ 15 in service");
}

#[test]
fn divisors_for_common_rates() {
    assert_eq!(pit::divisor(100), Ok(11_932));
    assert_eq!(pit::divisor(1000), Ok(1193));
    assert_eq!(pit::divisor(19), Ok(62_799));
    assert_eq!(pit::divisor((PIT_HZ / 2) as u32), Ok(2));
}

#[test]
fn rates_the_pit_cannot_do_are_errors() {
    for hz in [0, 1, 18, (PIT_HZ / 2) as u32 + 1, 700_000, PIT_HZ as u32, u32::MAX] {
        assert_eq!(pit::divisor(hz), Err(PitError { hz }), "{hz} Hz");
    }
}

#[test]
fn periods_of_divisors() {
    assert_eq!(pit::period(11_932), Duration::from_nanos(10_000_150));
    assert_eq!(pit::period(1193), Duration::from_nanos(999_847));
    assert_eq!(pit::period(2), Duration::from_nanos(1676));
}

#[test]
fn clock_time_is_ticks_times_period() {
    let period = Duration::from_nanos(10_000_150);
    assert_eq!(clock::at(0, period), Duration::ZERO);
    assert_eq!(clock::at(1, period), period);
    assert_eq!(clock::at(360_000, period), Duration::from_nanos(3_600_054_000_000));
    assert_eq!(clock::at(u64::MAX, Duration::from_secs(1)), Duration::from_secs(u64::MAX));
    // Far past any real uptime, it must saturate rather than panic or wrap.
    assert_eq!(clock::at(u64::MAX, Duration::MAX), Duration::MAX);
    assert_eq!(clock::at(u64::MAX, Duration::from_secs(2)), Duration::MAX);
}

/// A platform that records the steps in order.
#[derive(Default)]
struct Recorder {
    steps: RefCell<Vec<&'static str>>,
    pit_fails: bool,
}

impl Platform for Recorder {
    fn load_idt(&mut self) {
        self.steps.borrow_mut().push("load_idt");
    }
    fn remap_pics(&mut self) {
        self.steps.borrow_mut().push("remap_pics");
    }
    fn program_pit(&mut self, hz: u32) -> Result<Duration, PitError> {
        self.steps.borrow_mut().push("program_pit");
        if self.pit_fails { Err(PitError { hz }) } else { Ok(Duration::from_millis(10)) }
    }
    fn enable_interrupts(&mut self) {
        self.steps.borrow_mut().push("enable_interrupts");
    }
}

#[test]
fn interrupts_are_enabled_last() {
    let mut platform = Recorder::default();
    assert_eq!(bringup::start(&mut platform, 100), Ok(Duration::from_millis(10)));
    let steps = platform.steps.into_inner();
    let mut sorted = steps.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        ["enable_interrupts", "load_idt", "program_pit", "remap_pics"],
        "each step exactly once; the order was {steps:?}"
    );
    assert_eq!(steps.last(), Some(&"enable_interrupts"), "interrupts must be enabled last; the order was {steps:?}");
}

#[test]
fn a_pit_error_leaves_interrupts_off() {
    let mut platform = Recorder { pit_fails: true, ..Recorder::default() };
    assert_eq!(bringup::start(&mut platform, 7), Err(PitError { hz: 7 }));
    let steps = platform.steps.into_inner();
    assert!(!steps.contains(&"enable_interrupts"), "interrupts were enabled after the PIT failed: {steps:?}");
}

/// Wraps a clock and gives up (panics) when it is read many times without a
/// wait in between: a `sleep` that spins would otherwise hang the tests.
struct Watched<'a> {
    clock: &'a ManualClock,
    reads_since_wait: Cell<usize>,
}

impl Clock for Watched<'_> {
    fn now(&self) -> Instant {
        let reads = self.reads_since_wait.get() + 1;
        self.reads_since_wait.set(reads);
        assert!(
            reads < 1000,
            "sleep read the clock {reads} times without waiting: each check of the clock that says \"not yet\" must be followed by a wait on `idle`"
        );
        self.clock.now()
    }
    fn resolution(&self) -> Duration {
        self.clock.resolution()
    }
}

/// Resets the watch on every wait.
struct WatchedIdle<'a> {
    inner: TickingIdle<'a>,
    watched: &'a Watched<'a>,
}

impl Idle for WatchedIdle<'_> {
    fn wait_unless(&self, ready: &mut dyn FnMut() -> bool) -> bool {
        let is_ready = self.inner.wait_unless(ready);
        if !is_ready {
            self.watched.reads_since_wait.set(0);
        }
        is_ready
    }
}

fn sleep_on_fake(tick: Duration, duration: Duration) -> (usize, Duration) {
    let fake = ManualClock::new(tick);
    let watched = Watched { clock: &fake, reads_since_wait: Cell::new(0) };
    let idle = WatchedIdle { inner: TickingIdle::new(&fake, tick), watched: &watched };
    sleep::sleep(&watched, &idle, duration);
    (idle.inner.waits(), fake.elapsed())
}

#[test]
fn sleep_waits_for_the_clock() {
    let (waits, elapsed) = sleep_on_fake(Duration::from_millis(10), Duration::from_millis(100));
    assert!(elapsed >= Duration::from_millis(100), "sleep(100 ms) returned after {elapsed:?}");
    assert_eq!(waits, 10, "at 10 ms a tick, 100 ms is 10 waits");
    let (waits, _) = sleep_on_fake(Duration::from_millis(10), Duration::from_millis(95));
    assert_eq!(waits, 10, "95 ms is not over until the tenth tick");
}

#[test]
fn sleep_zero_returns_at_once() {
    assert_eq!(sleep_on_fake(Duration::from_millis(10), Duration::ZERO), (0, Duration::ZERO));
}

/// A clock that moves only when its timer interrupts, once: a one-shot
/// timer set for the end of the sleep, as a tickless kernel would set it.
/// Its interrupt arrives at the worst moment: just after `sleep` has read
/// the clock the second time (its first check, after the start), before
/// it can wait.
struct OneShot<'a> {
    clock: &'a ManualClock,
    cpu: &'a SimulatedInterrupts<'a>,
    reads: Cell<usize>,
}

impl Clock for OneShot<'_> {
    fn now(&self) -> Instant {
        let reading = self.clock.now();
        self.reads.set(self.reads.get() + 1);
        if self.reads.get() == 2 {
            self.cpu.raise();
        }
        reading
    }
    fn resolution(&self) -> Duration {
        self.clock.resolution()
    }
}

#[test]
fn sleep_loses_no_wake_up() {
    let fake = ManualClock::new(Duration::ZERO);
    let cpu = SimulatedInterrupts::new(|| fake.advance(Duration::from_millis(10)));
    let clock = OneShot { clock: &fake, cpu: &cpu, reads: Cell::new(0) };
    // If the check and the wait are apart, the interrupt is handled between
    // them and the halt waits for another that never comes: the simulated
    // CPU panics with "lost wake-up".
    sleep::sleep(&clock, &cpu, Duration::from_millis(10));
    assert_eq!(fake.elapsed(), Duration::from_millis(10));
    assert_eq!(cpu.halts(), 1, "sleep should have waited once, for the one interrupt");
}
