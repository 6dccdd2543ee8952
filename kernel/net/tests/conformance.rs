//! The TCP conformance suite against smoltcp, over smoltcp's loopback:
//! the stack on 127.0.0.1/8 connects to itself.

mod common;

use std::time::Instant as WallClock;

use common::Clock;
use fledge_conformance::tcp;
use fledge_net::smoltcp::phy::{Loopback, Medium};

#[test]
fn smoltcp_over_a_loopback_conforms() {
    let mut stack = common::on_loopback(Loopback::new(Medium::Ethernet));
    let mut clock = Clock::default();
    let started = WallClock::now();
    tcp::all(&mut stack, |stack| clock.poll(stack));
    eprintln!(
        "the suite over a loopback: {} polls, {:.1} s of the stack's time, {:.2} s of ours",
        clock.polls,
        clock.now.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
