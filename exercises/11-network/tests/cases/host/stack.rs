//! fledge-net's `NetStack` over `VirtioNet` and fake cards: two machines
//! on one wire, one echoing a mebibyte back to the other. (The TCP
//! conformance suite over the same is in `conformance.rs`.)

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use super::fake_card::{FakeCard, SEED};
use fledge_api::Instant;
use fledge_api::tcp::{Tcp, TcpError};
use fledge_net::NetStack;
use smoltcp::wire::{EthernetAddress, Ipv4Cidr};
use virtio_net::VirtioNet;
use virtio_net::pci::QUEUE_SIZE;

const MAC_A: [u8; 6] = [0x52, 0x54, 0x00, 0x00, 0x00, 0x0a];
const MAC_B: [u8; 6] = [0x52, 0x54, 0x00, 0x00, 0x00, 0x0b];
const IP_A: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 15);
const IP_B: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);

type Stack = NetStack<VirtioNet<FakeCard>>;

fn stack(card: FakeCard, ip: Ipv4Addr, seed: u64) -> Stack {
    let net = VirtioNet::new(card);
    let mac: EthernetAddress = net.mac();
    NetStack::with_address(net, mac, Ipv4Cidr::new(ip, 24), None, seed, Instant::ZERO)
}

/// Two machines on one wire, polled at the same instants.
struct Pair {
    a: Stack,
    b: Stack,
    now: Duration,
    polls: u64,
}

impl Pair {
    fn new() -> Pair {
        let (a, b) = FakeCard::pair(MAC_A, MAC_B);
        let (mut a, mut b) = (stack(a, IP_A, SEED), stack(b, IP_B, SEED ^ 0xb));
        a.device_mut().card_mut().record = false;
        b.device_mut().card_mut().record = false;
        Pair { a, b, now: Duration::ZERO, polls: 0 }
    }

    fn poll(&mut self) {
        self.now += Duration::from_micros(100);
        self.polls += 1;
        assert!(self.polls < 1_000_000, "the two stacks made no progress in a million polls");
        let now = Instant::from_since_start(self.now);
        let happened = self.a.poll(now) | self.b.poll(now);
        if !happened {
            let delay = [self.a.poll_delay(now), self.b.poll_delay(now)].into_iter().flatten().min();
            self.now += delay.unwrap_or(Duration::from_millis(10)).min(Duration::from_millis(10));
        }
    }
}

/// A call that may say `WouldBlock`, made until it does not.
macro_rules! until_ready {
    ($pair:ident, $call:expr) => {
        loop {
            match $call {
                Err(TcpError::WouldBlock) => $pair.poll(),
                other => break other,
            }
        }
    };
}

fn pattern(i: usize) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 13) as u8
}

#[test]
fn two_stacks_on_one_wire_echo_a_mebibyte() {
    const BYTES: usize = 1 << 20;
    let mut pair = Pair::new();
    let listener = pair.b.listen(7).expect("listen");
    let client = pair.a.connect(SocketAddrV4::new(IP_B, 7)).expect("connect");
    let (server, peer) = until_ready!(pair, pair.b.accept(listener)).expect("accept");
    assert_eq!(*peer.ip(), IP_A);

    // A sends the bytes to B, which echoes each piece back as it comes.
    let (mut written, mut echoed, mut read) = (0, 0, 0);
    let mut pending: Vec<u8> = Vec::new();
    let mut back = vec![0u8; BYTES];
    let mut buf = [0u8; 4096];
    let mut idle = 0;
    while read < BYTES {
        let before = (written, echoed, read, pending.len());
        if written < BYTES {
            let piece: Vec<u8> = (written..BYTES.min(written + 3000)).map(pattern).collect();
            match pair.a.write(client, &piece) {
                Ok(n) => written += n,
                Err(TcpError::WouldBlock) => {}
                Err(error) => panic!("A's write: {error}"),
            }
            if written == BYTES {
                pair.a.shutdown(client).expect("A's shutdown");
            }
        }
        match pair.b.read(server, &mut buf) {
            Ok(n) => pending.extend_from_slice(&buf[..n]),
            Err(TcpError::WouldBlock) => {}
            Err(error) => panic!("B's read: {error}"),
        }
        if !pending.is_empty() {
            match pair.b.write(server, &pending) {
                Ok(n) => {
                    pending.drain(..n);
                    echoed += n;
                }
                Err(TcpError::WouldBlock) => {}
                Err(error) => panic!("B's write: {error}"),
            }
        }
        match pair.a.read(client, &mut back[read..]) {
            Ok(0) => panic!("A saw the end of the stream after {read} bytes"),
            Ok(n) => read += n,
            Err(TcpError::WouldBlock) => {}
            Err(error) => panic!("A's read: {error}"),
        }
        if before == (written, echoed, read, pending.len()) {
            idle += 1;
            assert!(idle < 10_000, "stalled: {written} written, {echoed} echoed, {read} read back");
        } else {
            idle = 0;
        }
        pair.poll();
    }
    if let Some(i) = (0..BYTES).find(|&i| back[i] != pattern(i)) {
        panic!("byte {i} came back as {:#04x}, not {:#04x}", back[i], pattern(i));
    }
    pair.b.shutdown(server).expect("B's shutdown");
    for stack in [&mut pair.a, &mut pair.b] {
        assert_eq!(
            stack.device_mut().card_mut().longest_sent,
            1514,
            "a full TCP segment is a 1514-byte frame: 1460 bytes, TCP's and IP's 20-byte headers, Ethernet's 14"
        );
        let stats = stack.device().stats();
        assert!(stats.received > (BYTES / 1514) as u64, "{stats:?}");
        assert_eq!(stats.recycled, stats.received, "every receive buffer went back: {stats:?}");
        assert_eq!((stats.receive_errors, stats.recycle_errors, stats.send_errors, stats.oversized), (0, 0, 0, 0));
    }
    eprintln!(
        "1 MiB each way over two fake cards of {QUEUE_SIZE} buffers: {} polls, {:.2} s of the stacks' time",
        pair.polls,
        pair.now.as_secs_f64()
    );
}
