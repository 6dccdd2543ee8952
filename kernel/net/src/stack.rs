//! [`NetStack`]: a network card, smoltcp's interface over it, and the
//! sockets, moved on by [`poll`](NetStack::poll).
//!
//! smoltcp does nothing on its own: no thread, no interrupt handler, no
//! clock. Its caller hands it the time and says when to work, and
//! `poll` is that call: it takes the frames the card received, lets each
//! socket answer, sends what the sockets have to send, and fires the
//! timers that are due (retransmissions, delayed acknowledgements, the end
//! of TIME-WAIT).
//!
//! ```text
//!   program:  Tcp calls (tcp.rs)           executor: poll(now) after an
//!                  |                            interrupt, or at poll_delay
//!                  v                                  |
//!   +-------------------------------------------------v--+
//!   | NetStack   SocketSet: TCP sockets, the DHCP client  |
//!   |            Interface: IPv4, ARP, ICMP echo, routes  |
//!   +------------------------------------------------------+
//!                  |  receive / transmit tokens
//!   +------------------------------------------------------+
//!   | D: smoltcp::phy::Device: virtio-net (exercise 11), a |
//!   |    loopback, or a fake (crate::fakes)                |
//!   +------------------------------------------------------+
//! ```
//!
//! A kernel's network task is then a loop: `poll`, then sleep until
//! [`poll_delay`](NetStack::poll_delay) has passed or the card raises its
//! interrupt, whichever comes first, then `poll` again. Polling only on
//! interrupts loses the timers; polling only at the delay is late for
//! every frame.
//!
//! **Bounded work.** smoltcp's own `Interface::poll` takes frames for as
//! long as the card has them, and a card that always has one (a flood, or
//! a fake) would keep it there for ever. [`NetStack::poll`] takes at most
//! [`FRAMES_PER_POLL`] frames and makes at most [`SEND_ROUNDS_PER_POLL`]
//! rounds of sending, then returns; `poll_delay` says zero while frames
//! may wait.
//!
//! The stack is smoltcp's (by whitequark and its contributors): its
//! interface, ARP, IPv4, TCP and DHCP. This file puts it together and
//! drives it.

use core::net::Ipv4Addr;
use core::time::Duration;

use fledge_api::Instant;
use smoltcp::iface::{Config, Interface, PollIngressSingleResult, PollResult, SocketHandle, SocketSet};
use smoltcp::phy::Device;
use smoltcp::socket::dhcpv4;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpCidr, Ipv4Cidr};

use crate::dhcp::{self, Lease};
use crate::limits::{FRAMES_PER_POLL, SEND_ROUNDS_PER_POLL};
use crate::sockets::{Cause, TcpSockets};

/// A network stack over the card `D`: one Ethernet interface with one
/// IPv4 address, TCP (through the [`Tcp`](fledge_api::Tcp) trait), and
/// answers to ping.
///
/// Nothing moves until [`poll`](Self::poll) is called: the caller owns
/// the time and the loop. See the [module documentation](self).
pub struct NetStack<D: Device> {
    pub(crate) device: D,
    pub(crate) iface: Interface,
    pub(crate) sockets: SocketSet<'static>,
    /// The TCP handles the program holds, and the sockets behind them.
    pub(crate) tcp: TcpSockets,
    /// The DHCP client's socket, if the address comes from DHCP.
    dhcp: Option<SocketHandle>,
    /// The last lease the DHCP client reported.
    lease: Option<Lease>,
    /// The time of the last poll.
    pub(crate) now: Instant,
    /// Whether the last poll stopped at [`FRAMES_PER_POLL`], so that
    /// frames may still wait in the card.
    frames_waiting: bool,
}

impl<D: Device> NetStack<D> {
    /// A stack with a fixed address: `address` with its prefix length
    /// (10.0.2.15/24 says the network is 10.0.2.0 to 10.0.2.255, reached
    /// directly), and the `gateway` to every other network, if there is
    /// one. `mac` is the card's Ethernet address.
    ///
    /// `seed` should differ from boot to boot (take it from the
    /// `Entropy` of exercise 06): smoltcp draws TCP's initial sequence
    /// numbers from it, and `connect` its first local port. A fixed seed
    /// makes a test repeat exactly. `now` is the clock's time.
    ///
    /// # Panics
    ///
    /// If the device's medium is not Ethernet, or `mac` is not a unicast
    /// address (smoltcp's `Interface::new` checks both).
    pub fn with_address(
        device: D,
        mac: EthernetAddress,
        address: Ipv4Cidr,
        gateway: Option<Ipv4Addr>,
        seed: u64,
        now: Instant,
    ) -> NetStack<D> {
        let mut stack = NetStack::new(device, mac, seed, now);
        stack.iface.update_ip_addrs(|addrs| {
            // An interface has room for at least one address.
            let _ = addrs.push(IpCidr::Ipv4(address));
        });
        if let Some(gateway) = gateway {
            // The table is empty: there is room.
            let _ = stack.iface.routes_mut().add_default_ipv4_route(gateway);
        }
        stack
    }

    /// A stack that asks the network for its address by DHCP. Until a
    /// server answers, it has none ([`address`](Self::address) is
    /// `None`) and `connect` says `BadAddress`; polls apply the lease
    /// when it comes, and renew it. Under QEMU's user network the lease
    /// is 10.0.2.15/24; with `restrict=on` it names no router, so the
    /// machine reaches the host (10.0.2.2 and the forwarded ports) and
    /// nothing else.
    ///
    /// `mac`, `seed` and `now` are as for [`with_address`](Self::with_address).
    ///
    /// # Panics
    ///
    /// As [`with_address`](Self::with_address).
    pub fn with_dhcp(device: D, mac: EthernetAddress, seed: u64, now: Instant) -> NetStack<D> {
        let mut stack = NetStack::new(device, mac, seed, now);
        stack.dhcp = Some(stack.sockets.add(dhcpv4::Socket::new()));
        stack
    }

    fn new(mut device: D, mac: EthernetAddress, seed: u64, now: Instant) -> NetStack<D> {
        let mut config = Config::new(HardwareAddress::Ethernet(mac));
        config.random_seed = seed;
        let iface = Interface::new(config, &mut device, timestamp(now));
        NetStack {
            device,
            iface,
            sockets: SocketSet::new(alloc::vec::Vec::new()),
            tcp: TcpSockets::new(seed),
            dhcp: None,
            lease: None,
            now,
            frames_waiting: false,
        }
    }

    /// The interface's address and prefix length: the fixed one, or the
    /// DHCP lease's; `None` while DHCP has not got one (or lost it).
    pub fn address(&self) -> Option<Ipv4Cidr> {
        self.iface.ip_addrs().iter().find_map(|cidr| match cidr {
            IpCidr::Ipv4(cidr) => Some(*cidr),
            // An IPv6 address, if another crate turned IPv6 on in smoltcp.
            #[allow(unreachable_patterns)]
            _ => None,
        })
    }

    /// The DHCP lease in force: `None` for a stack with a fixed address,
    /// and for a DHCP stack that has no lease yet or lost it.
    pub fn lease(&self) -> Option<&Lease> {
        self.lease.as_ref()
    }

    /// Lets the stack work at time `now`: takes up to
    /// [`FRAMES_PER_POLL`] frames from the card and answers them, sends
    /// what the sockets have to send, fires due timers, applies a new
    /// DHCP lease, and finishes closing the streams closed by the
    /// program. Says whether anything happened (a frame came or went, or
    /// a socket or the lease changed); `false` means the stack waits for
    /// a frame or for [`poll_delay`](Self::poll_delay).
    ///
    /// `now` must not go backwards from one call to the next.
    pub fn poll(&mut self, now: Instant) -> bool {
        self.now = now;
        let at = timestamp(now);
        let mut happened = false;
        self.iface.poll_maintenance(at);

        // Frames in, one at a time: after each, see what it did to the
        // sockets (a reset is told apart from a timeout this way).
        self.frames_waiting = false;
        for taken in 0..=FRAMES_PER_POLL {
            if taken == FRAMES_PER_POLL {
                self.frames_waiting = true;
                break;
            }
            match self.iface.poll_ingress_single(at, &mut self.device, &mut self.sockets) {
                PollIngressSingleResult::None => break,
                PollIngressSingleResult::PacketProcessed => {}
                PollIngressSingleResult::SocketStateChanged => {
                    self.tcp.observe(&mut self.sockets, Cause::Segment, &self.iface);
                }
            }
            happened = true;
        }

        // FINs whose bytes are all acknowledged now (see sockets.rs).
        self.tcp.queue_fins(&mut self.sockets);

        // Frames out, and the timers: a socket whose peer stopped
        // answering is closed here.
        for _ in 0..SEND_ROUNDS_PER_POLL {
            match self.iface.poll_egress(at, &mut self.device, &mut self.sockets) {
                PollResult::None => break,
                PollResult::SocketStateChanged => happened = true,
            }
        }
        happened |= self.tcp.observe(&mut self.sockets, Cause::Timer, &self.iface);

        if let Some(handle) = self.dhcp
            && let Some(event) = self.sockets.get_mut::<dhcpv4::Socket>(handle).poll()
        {
            self.lease = dhcp::apply(&mut self.iface, event);
            happened = true;
        }

        happened |= self.tcp.tidy(&mut self.sockets, now);
        happened
    }

    /// How long after `now` the stack wants its next [`poll`](Self::poll),
    /// if no frame comes first: zero if it has work now (frames may wait
    /// in the card, or a socket has something to send), `None` if it
    /// waits only for frames. From smoltcp's `Interface::poll_delay`, and
    /// the deadlines of closed streams that are still closing.
    pub fn poll_delay(&mut self, now: Instant) -> Option<Duration> {
        if self.frames_waiting {
            return Some(Duration::ZERO);
        }
        let stack =
            self.iface.poll_delay(timestamp(now), &self.sockets).map(|d| Duration::from_micros(d.total_micros()));
        let linger = self.tcp.next_deadline().map(|deadline| deadline.saturating_duration_since(now));
        match (stack, linger) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The card.
    pub fn device(&self) -> &D {
        &self.device
    }

    /// The card, to change: to acknowledge its interrupt, say, or to
    /// reach into a fake.
    pub fn device_mut(&mut self) -> &mut D {
        &mut self.device
    }
}

/// smoltcp's name for `now`: microseconds since the clock's start.
pub(crate) fn timestamp(now: Instant) -> smoltcp::time::Instant {
    smoltcp::time::Instant::from_micros(i64::try_from(now.since_start().as_micros()).unwrap_or(i64::MAX))
}
