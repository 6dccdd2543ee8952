//! The TCP conformance suite over a loopback that loses and corrupts
//! frames: smoltcp's `FaultInjector` around it. TCP's retransmissions and
//! checksums must hide both: the suite's 1 MiB each way still arrives
//! whole, in order, once.
//!
//! ```text
//!   NetStack -> Tap (stack's side) -> FaultInjector -> Tap (wire's side) -> EthernetCard -> Loopback
//! ```
//!
//! The two taps count what the injector did: frames the stack sent that
//! never reached the wire, frames the wire gave that never reached the
//! stack, and frames that reached the stack changed. (smoltcp 0.14's
//! injector flips its transmit-side bit before the stack writes the
//! frame, which overwrites it; the flips that count are on receive.)

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant as WallClock;

use common::Clock;
use fledge_conformance::tcp;
use fledge_net::fakes::EthernetCard;
use fledge_net::smoltcp::phy::{self, Device, DeviceCapabilities, FaultInjector, Loopback, Medium};
use fledge_net::smoltcp::time::Instant;

/// What the taps saw.
#[derive(Debug, Default)]
struct Counts {
    /// Frames the stack sent, and those of them that reached the wire.
    stack_sent: u64,
    wire_sent: u64,
    /// Frames the wire gave, and those of them that reached the stack.
    wire_gave: u64,
    stack_got: u64,
    /// Frames that reached the stack changed.
    corrupted: u64,
    /// The frame the wire gave last, as it was.
    last_given: Vec<u8>,
}

/// Which side of the injector a tap is on.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Stack,
    Wire,
}

/// A device that counts frames into [`Counts`] and passes them on.
struct Tap<D> {
    inner: D,
    side: Side,
    counts: Rc<RefCell<Counts>>,
}

struct TapRx<R> {
    inner: R,
    side: Side,
    counts: Rc<RefCell<Counts>>,
}

struct TapTx<T> {
    inner: T,
    side: Side,
    counts: Rc<RefCell<Counts>>,
}

impl<D: Device> Device for Tap<D> {
    type RxToken<'a>
        = TapRx<D::RxToken<'a>>
    where
        Self: 'a;
    type TxToken<'a>
        = TapTx<D::TxToken<'a>>
    where
        Self: 'a;

    fn receive(&mut self, timestamp: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let (side, counts) = (self.side, &self.counts);
        self.inner.receive(timestamp).map(|(rx, tx)| {
            (TapRx { inner: rx, side, counts: counts.clone() }, TapTx { inner: tx, side, counts: counts.clone() })
        })
    }

    fn transmit(&mut self, timestamp: Instant) -> Option<Self::TxToken<'_>> {
        let (side, counts) = (self.side, self.counts.clone());
        self.inner.transmit(timestamp).map(|tx| TapTx { inner: tx, side, counts })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.inner.capabilities()
    }
}

impl<R: phy::RxToken> phy::RxToken for TapRx<R> {
    fn consume<T, F: FnOnce(&[u8]) -> T>(self, f: F) -> T {
        self.inner.consume(|frame| {
            let mut counts = self.counts.borrow_mut();
            match self.side {
                Side::Wire => {
                    counts.wire_gave += 1;
                    counts.last_given = frame.to_vec();
                }
                Side::Stack => {
                    counts.stack_got += 1;
                    if counts.last_given != frame {
                        counts.corrupted += 1;
                    }
                }
            }
            drop(counts);
            f(frame)
        })
    }
}

impl<T: phy::TxToken> phy::TxToken for TapTx<T> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        self.inner.consume(len, |frame| {
            let result = f(frame);
            let mut counts = self.counts.borrow_mut();
            match self.side {
                Side::Stack => counts.stack_sent += 1,
                Side::Wire => counts.wire_sent += 1,
            }
            result
        })
    }
}

/// The suite over a loopback that drops `drop_pct` and corrupts
/// `corrupt_pct` percent of frames (each way through the injector).
fn suite_under_faults(drop_pct: u8, corrupt_pct: u8, seed: u32) {
    let counts = Rc::new(RefCell::new(Counts::default()));
    let wire =
        Tap { inner: EthernetCard::new(Loopback::new(Medium::Ethernet)), side: Side::Wire, counts: counts.clone() };
    let mut faulty = FaultInjector::new(wire, seed);
    faulty.set_drop_chance(drop_pct);
    faulty.set_corrupt_chance(corrupt_pct);
    let mut stack = common::on_loopback(Tap { inner: faulty, side: Side::Stack, counts: counts.clone() });
    let mut clock = Clock::default();
    let started = WallClock::now();
    tcp::all(&mut stack, |stack| clock.poll(stack));
    let counts = counts.borrow();
    let dropped = (counts.stack_sent - counts.wire_sent) + (counts.wire_gave - counts.stack_got);
    eprintln!(
        "the suite with {drop_pct}% dropped and {corrupt_pct}% corrupted: {} frames sent, {dropped} dropped, {} corrupted; \
         {} polls, {:.1} s of the stack's time, {:.2} s of ours",
        counts.stack_sent,
        counts.corrupted,
        clock.polls,
        clock.now.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert!(dropped > 0 && counts.corrupted > 0, "the injector did nothing: {counts:?}");
}

#[test]
fn the_stream_survives_loss_and_corruption() {
    suite_under_faults(3, 3, 0x1055);
}

/// The same over many seeds, for measuring rather than for CI: run with
/// `cargo test -p fledge-net --test lossy -- --ignored --nocapture`, and
/// `DROP=5 CORRUPT=2 SEEDS=40` in the environment to choose. Measured
/// with smoltcp 0.14.0: 40 of 40 seeds pass at 3%/3% and at 5%/2%; at
/// 8%/4% (a frame crosses the injector twice: about 20% of frames lost
/// or spoiled) 1 of 40 fails (seed 21).
#[test]
#[ignore]
fn many_seeds() {
    let setting = |name: &str, default: u32| std::env::var(name).map_or(default, |value| value.parse().unwrap());
    let (drop_pct, corrupt_pct) = (setting("DROP", 5) as u8, setting("CORRUPT", 2) as u8);
    let seeds = setting("SEEDS", 20);
    let failed: Vec<u32> = (1..=seeds)
        .filter(|&seed| std::panic::catch_unwind(|| suite_under_faults(drop_pct, corrupt_pct, seed)).is_err())
        .collect();
    eprintln!("{drop_pct}% dropped, {corrupt_pct}% corrupted: {} of {seeds} seeds failed: {failed:?}", failed.len());
    assert!(failed.is_empty());
}
