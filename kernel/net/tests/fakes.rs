//! The stack against the cards of `fledge_net::fakes`: one that always
//! has a frame ready (the stack must not keep the caller for ever), and
//! one that delivers garbage (nothing may panic, and TCP over the real
//! frames must go on).

mod common;

use core::net::Ipv4Addr;
use std::time::{Duration, Instant as WallClock};

use common::Clock;
use fledge_conformance::tcp;
use fledge_net::fakes::{EthernetCard, Flood, Garbage};
use fledge_net::limits::FRAMES_PER_POLL;
use fledge_net::smoltcp::phy::{Loopback, Medium};
use fledge_net::smoltcp::wire::EthernetAddress;

/// A neighbour that asks, again and again, who has 127.0.0.1.
const ASKER: EthernetAddress = EthernetAddress([0x02, 0x00, 0x00, 0x00, 0x00, 0x02]);

/// A storm of ARP requests for `target`, beside a loopback.
fn storm(target: Ipv4Addr) -> Flood<EthernetCard<Loopback>> {
    let card = EthernetCard::new(Loopback::new(Medium::Ethernet));
    Flood::arp_storm(card, ASKER, Ipv4Addr::new(127, 0, 0, 2), target)
}

#[test]
fn a_flood_does_not_keep_the_caller() {
    // Requests for the stack's own address: it answers every one.
    let mut stack = common::on_loopback(storm(Ipv4Addr::LOCALHOST));
    let mut clock = Clock::default();
    let started = WallClock::now();
    for _ in 0..1000 {
        let before = stack.device().flooded() + stack.device().passed();
        clock.poll_by(&mut stack, Duration::from_micros(100));
        let taken = stack.device().flooded() + stack.device().passed() - before;
        assert!(taken <= FRAMES_PER_POLL as u64, "a poll took {taken} frames, more than {FRAMES_PER_POLL}");
        assert_eq!(stack.poll_delay(clock.instant()), Some(Duration::ZERO), "frames wait: poll again at once");
    }
    let spent = started.elapsed();
    eprintln!(
        "1000 polls in a flood: {} frames taken ({} of them the storm's), {:.1} µs a poll",
        stack.device().flooded() + stack.device().passed(),
        stack.device().flooded(),
        spent.as_secs_f64() * 1e3
    );
    assert!(stack.device().flooded() >= 1000 * FRAMES_PER_POLL as u64 / 2, "the flood was not taken");
}

#[test]
fn tcp_conforms_in_a_flood() {
    // Requests for another address, which the stack reads and drops. (Its
    // answers to requests for its own would fill the loopback as fast as
    // it empties, and TCP's frames would queue behind them for seconds.)
    let mut stack = common::on_loopback(storm(Ipv4Addr::new(127, 0, 0, 3)));
    // In a flood every poll finds work, so the clock never jumps to the
    // next timer: let it move a millisecond a poll.
    let mut clock = Clock { step: Duration::from_millis(1), ..Clock::default() };
    let started = WallClock::now();
    tcp::all(&mut stack, |stack| clock.poll(stack));
    eprintln!(
        "the suite in an ARP storm: {} storm frames beside {} real ones, {} polls, {:.2} s",
        stack.device().flooded(),
        stack.device().passed(),
        clock.polls,
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn garbage_is_dropped_and_tcp_conforms() {
    let mut stack = common::on_loopback(Garbage::new(EthernetCard::new(Loopback::new(Medium::Ethernet)), 0x6a7ba6e));
    let mut clock = Clock::default();
    let started = WallClock::now();
    tcp::all(&mut stack, |stack| clock.poll(stack));
    let counts = stack.device().counts();
    eprintln!("the suite beside garbage: {counts:?}, {} polls, {:.2} s", clock.polls, started.elapsed().as_secs_f64());
    assert!(counts.noise > 0 && counts.truncated > 0 && counts.oversized > 0 && counts.mangled > 0, "{counts:?}");
}
