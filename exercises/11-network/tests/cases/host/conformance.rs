//! The TCP conformance suite (`fledge_conformance::tcp`) over fledge-net's
//! stack on `VirtioNet` and fake cards: once over a card that hears itself
//! (the stack on 127.0.0.1/8 talks to itself, as the suite expects), and
//! once across two machines on one wire.
//!
//! The suite takes one `Tcp` implementation and has it connect to itself
//! at 127.0.0.1. [`Across`] makes two stacks look like one: the server's
//! calls (`listen`, `accept`, `unlisten`) go to the machine at 10.0.2.2, a
//! `connect` goes out from the machine at 10.0.2.15 to 10.0.2.2, and each
//! stream's calls go to the machine that holds it. Only the address is
//! translated: 127.0.0.1 to the server's in `connect`, the client's back
//! to 127.0.0.1 in `accept`. Every segment crosses the wire between the
//! two fake cards, through both drivers.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use super::fake_card::{Clock, FakeCard, SEED};
use fledge_api::Instant;
use fledge_api::tcp::{Listener, Stream, Tcp, TcpError};
use fledge_conformance::tcp;
use fledge_net::NetStack;
use smoltcp::wire::Ipv4Cidr;
use virtio_net::VirtioNet;

const MAC_A: [u8; 6] = [0x52, 0x54, 0x00, 0x00, 0x00, 0x0a];
const MAC_B: [u8; 6] = [0x52, 0x54, 0x00, 0x00, 0x00, 0x0b];
const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 15);
const SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);

type Stack = NetStack<VirtioNet<FakeCard>>;

fn stack(card: FakeCard, address: Ipv4Cidr, seed: u64) -> Stack {
    let net = VirtioNet::new(card);
    let mac = net.mac();
    let mut stack = NetStack::with_address(net, mac, address, None, seed, Instant::ZERO);
    stack.device_mut().card_mut().record = false;
    stack
}

#[test]
fn the_suite_passes_over_a_card_that_hears_itself() {
    let mut stack = stack(FakeCard::loopback(MAC_A), Ipv4Cidr::new(Ipv4Addr::LOCALHOST, 8), SEED);
    let mut clock = Clock::default();
    tcp::all(&mut stack, |stack| {
        clock.poll(stack);
    });
    let stats = stack.device().stats();
    assert_eq!(stats.recycled, stats.received, "every receive buffer went back: {stats:?}");
    eprintln!("the suite over a looped-back fake card: {} polls, {stats:?}", clock.polls);
}

/// Streams of the server machine carry this bit in their handles.
const SERVER: u32 = 1 << 31;

/// Two machines on one wire, as one `Tcp` that the suite can connect to
/// itself (see the module).
struct Across {
    client: Stack,
    server: Stack,
    now: Duration,
    polls: u64,
}

impl Across {
    fn new() -> Across {
        let (a, b) = FakeCard::pair(MAC_A, MAC_B);
        Across {
            client: stack(a, Ipv4Cidr::new(CLIENT_IP, 24), SEED),
            server: stack(b, Ipv4Cidr::new(SERVER_IP, 24), SEED ^ 0xb),
            now: Duration::ZERO,
            polls: 0,
        }
    }

    /// Polls both machines at the same instant; when neither had work,
    /// moves the clock to the sooner of their timers (at most 10 ms).
    fn poll(&mut self) {
        self.now += Duration::from_micros(100);
        self.polls += 1;
        let now = Instant::from_since_start(self.now);
        let happened = self.client.poll(now) | self.server.poll(now);
        if !happened {
            let delay = [self.client.poll_delay(now), self.server.poll_delay(now)].into_iter().flatten().min();
            self.now += delay.unwrap_or(Duration::from_millis(10)).min(Duration::from_millis(10));
        }
    }

    /// The machine that holds `stream`, and the stream as it knows it.
    fn holder(&mut self, stream: Stream) -> (&mut Stack, Stream) {
        if stream.0 & SERVER != 0 { (&mut self.server, Stream(stream.0 & !SERVER)) } else { (&mut self.client, stream) }
    }
}

impl Tcp for Across {
    fn listen(&mut self, port: u16) -> Result<Listener, TcpError> {
        self.server.listen(port)
    }

    fn accept(&mut self, listener: Listener) -> Result<(Stream, SocketAddrV4), TcpError> {
        let (stream, peer) = self.server.accept(listener)?;
        assert!(stream.0 & SERVER == 0, "the server's handle {stream:?} is too large to tag");
        assert_eq!(*peer.ip(), CLIENT_IP, "the peer is the client machine");
        Ok((Stream(stream.0 | SERVER), SocketAddrV4::new(Ipv4Addr::LOCALHOST, peer.port())))
    }

    fn connect(&mut self, remote: SocketAddrV4) -> Result<Stream, TcpError> {
        let ip = if *remote.ip() == Ipv4Addr::LOCALHOST { SERVER_IP } else { *remote.ip() };
        let stream = self.client.connect(SocketAddrV4::new(ip, remote.port()))?;
        assert!(stream.0 & SERVER == 0, "the client's handle {stream:?} is too large to tag");
        Ok(stream)
    }

    fn read(&mut self, stream: Stream, buf: &mut [u8]) -> Result<usize, TcpError> {
        let (stack, stream) = self.holder(stream);
        stack.read(stream, buf)
    }

    fn write(&mut self, stream: Stream, buf: &[u8]) -> Result<usize, TcpError> {
        let (stack, stream) = self.holder(stream);
        stack.write(stream, buf)
    }

    fn shutdown(&mut self, stream: Stream) -> Result<(), TcpError> {
        let (stack, stream) = self.holder(stream);
        stack.shutdown(stream)
    }

    fn close(&mut self, stream: Stream) -> Result<(), TcpError> {
        let (stack, stream) = self.holder(stream);
        stack.close(stream)
    }

    fn unlisten(&mut self, listener: Listener) -> Result<(), TcpError> {
        self.server.unlisten(listener)
    }
}

#[test]
fn the_suite_passes_across_two_machines_on_one_wire() {
    let mut across = Across::new();
    tcp::all(&mut across, Across::poll);
    for (name, stack) in [("client", &across.client), ("server", &across.server)] {
        let stats = stack.device().stats();
        assert!(stats.received > 1_000, "the {name} received {} frames", stats.received);
        assert_eq!(stats.recycled, stats.received, "the {name}'s receive buffers all went back: {stats:?}");
        assert_eq!((stats.receive_errors, stats.recycle_errors, stats.send_errors), (0, 0, 0), "{name}: {stats:?}");
    }
    eprintln!(
        "the suite across two machines: {} polls, {:.1} s of their time; client {:?}; server {:?}",
        across.polls,
        across.now.as_secs_f64(),
        across.client.device().stats(),
        across.server.device().stats()
    );
}
