//! What the tests share: a stack on 127.0.0.1, and a clock the poll hook
//! moves.

#![allow(dead_code)] // Each test file uses its own part.

use core::net::Ipv4Addr;
use std::time::Duration;

use fledge_api::Instant;
use fledge_net::NetStack;
use fledge_net::smoltcp::phy::Device;
use fledge_net::smoltcp::wire::{EthernetAddress, Ipv4Cidr};

/// The stack's Ethernet address: locally administered, unicast.
pub const MAC: EthernetAddress = EthernetAddress([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);

/// A fixed seed: every run makes the same sequence numbers and ports.
pub const SEED: u64 = 0x5eed_f1ed_9e00_0011;

/// A stack on `device` with the address 127.0.0.1/8: the conformance
/// suite connects to itself there.
pub fn on_loopback<D: Device>(device: D) -> NetStack<D> {
    NetStack::with_address(device, MAC, Ipv4Cidr::new(Ipv4Addr::LOCALHOST, 8), None, SEED, Instant::ZERO)
}

/// How far the clock moves at each poll, at least, unless told.
const STEP: Duration = Duration::from_micros(100);

/// How far it moves when the stack waits for nothing at all.
const IDLE: Duration = Duration::from_millis(10);

/// The time, as the poll hook moves it: a little at each poll, and
/// straight to smoltcp's next timer when a poll found nothing to do (as
/// an executor that sleeps until `poll_delay` would), so that
/// retransmissions and TIME-WAIT pass in no time at all.
#[derive(Debug)]
pub struct Clock {
    pub now: Duration,
    pub polls: u64,
    /// How far the clock moves at each poll, at least.
    pub step: Duration,
}

impl Default for Clock {
    fn default() -> Clock {
        Clock { now: Duration::ZERO, polls: 0, step: STEP }
    }
}

impl Clock {
    /// The suite's poll hook.
    pub fn poll<D: Device>(&mut self, stack: &mut NetStack<D>) {
        self.now += self.step;
        self.polls += 1;
        let now = self.instant();
        if !stack.poll(now) {
            self.now += stack.poll_delay(now).unwrap_or(IDLE);
        }
    }

    /// A poll that moves the clock by `step` exactly, whatever happened.
    pub fn poll_by<D: Device>(&mut self, stack: &mut NetStack<D>, step: Duration) {
        self.now += step;
        self.polls += 1;
        stack.poll(self.instant());
    }

    pub fn instant(&self) -> Instant {
        Instant::from_since_start(self.now)
    }
}
