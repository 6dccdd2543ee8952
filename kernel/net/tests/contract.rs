//! What the conformance suite cannot catch (see its "What the suite
//! cannot catch"), checked against this stack alone: resets, timeouts,
//! the backlog, running out of sockets, and closes that finish in the
//! background.

mod common;

use core::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use common::{Clock, MAC, SEED};
use fledge_api::Instant;
use fledge_api::tcp::{Stream, Tcp, TcpError};
use fledge_net::NetStack;
use fledge_net::fakes::EthernetCard;
use fledge_net::limits::{BACKLOG, CONNECT_TIMEOUT, LINGER, MAX_SOCKETS};
use fledge_net::smoltcp::phy::{Device, FaultInjector, Loopback, Medium};
use fledge_net::smoltcp::wire::Ipv4Cidr;

const PORT: u16 = 7;

fn localhost(port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)
}

fn loopback() -> NetStack<EthernetCard<Loopback>> {
    common::on_loopback(EthernetCard::new(Loopback::new(Medium::Ethernet)))
}

/// Calls `call` until it says anything but `WouldBlock`, polling in
/// between (at most 100,000 polls).
fn wait<D: Device, R>(
    stack: &mut NetStack<D>,
    clock: &mut Clock,
    mut call: impl FnMut(&mut NetStack<D>) -> Result<R, TcpError>,
) -> Result<R, TcpError> {
    for _ in 0..100_000 {
        match call(stack) {
            Err(TcpError::WouldBlock) => clock.poll(stack),
            result => return result,
        }
    }
    panic!("still WouldBlock after 100,000 polls");
}

/// A connection to `listener`'s port: (client, server).
fn pair<D: Device>(stack: &mut NetStack<D>, clock: &mut Clock, listener: fledge_api::Listener) -> (Stream, Stream) {
    let client = stack.connect(localhost(PORT)).unwrap();
    let (server, _) = wait(stack, clock, |tcp| tcp.accept(listener)).unwrap();
    assert_eq!(wait(stack, clock, |tcp| tcp.write(client, &[])), Ok(0));
    (client, server)
}

/// Every call on a failed stream repeats its error; `close` frees it.
fn assert_failed<D: Device>(stack: &mut NetStack<D>, stream: Stream, error: TcpError) {
    assert_eq!(stack.read(stream, &mut [0; 4]), Err(error));
    assert_eq!(stack.write(stream, b"x"), Err(error));
    assert_eq!(stack.shutdown(stream), Err(error));
    assert_eq!(stack.close(stream), Ok(()));
    assert_eq!(stack.read(stream, &mut [0; 4]), Err(TcpError::Closed));
}

#[test]
fn a_peer_that_never_answers_times_out() {
    // A wire that loses everything: no ARP answer, no SYN-ACK.
    let mut black_hole = FaultInjector::new(EthernetCard::new(Loopback::new(Medium::Ethernet)), 1);
    black_hole.set_drop_chance(100);
    let address = Ipv4Cidr::new(Ipv4Addr::new(10, 0, 0, 1), 24);
    let mut stack = NetStack::with_address(black_hole, MAC, address, None, SEED, Instant::ZERO);
    let mut clock = Clock::default();
    let stream = stack.connect(SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 80)).unwrap();
    assert_eq!(wait(&mut stack, &mut clock, |tcp| tcp.write(stream, b"hello")), Err(TcpError::TimedOut));
    assert!(
        clock.now >= CONNECT_TIMEOUT && clock.now < CONNECT_TIMEOUT + Duration::from_secs(2),
        "given up after {:?}, not {CONNECT_TIMEOUT:?}",
        clock.now
    );
    assert_failed(&mut stack, stream, TcpError::TimedOut);
}

#[test]
fn a_reset_is_reset() {
    let mut stack = loopback();
    let mut clock = Clock::default();
    let listener = stack.listen(PORT).unwrap();
    let client = stack.connect(localhost(PORT)).unwrap();
    assert_eq!(wait(&mut stack, &mut clock, |tcp| tcp.write(client, b"hello")), Ok(5));
    // The client's peer waits to be accepted; unlisten resets it.
    stack.unlisten(listener).unwrap();
    assert_eq!(wait(&mut stack, &mut clock, |tcp| tcp.read(client, &mut [0; 4])), Err(TcpError::Reset));
    assert_failed(&mut stack, client, TcpError::Reset);
}

#[test]
fn the_backlog_keeps_peers_in_order_and_refuses_one_too_many() {
    let mut stack = loopback();
    let mut clock = Clock::default();
    let listener = stack.listen(PORT).unwrap();
    let clients: Vec<Stream> = (0..BACKLOG as u8)
        .map(|i| {
            let client = stack.connect(localhost(PORT)).unwrap();
            assert_eq!(wait(&mut stack, &mut clock, |tcp| tcp.write(client, &[i])), Ok(1));
            client
        })
        .collect();
    let refused = stack.connect(localhost(PORT)).unwrap();
    assert_eq!(wait(&mut stack, &mut clock, |tcp| tcp.write(refused, b"x")), Err(TcpError::Refused));
    for i in 0..BACKLOG as u8 {
        let (server, _) = stack.accept(listener).unwrap();
        let mut byte = [0];
        assert_eq!(wait(&mut stack, &mut clock, |tcp| tcp.read(server, &mut byte)), Ok(1));
        assert_eq!(byte[0], i, "peers are accepted in the order they came");
    }
    assert_eq!(stack.accept(listener), Err(TcpError::WouldBlock));
    // Each accept armed a new listening socket.
    let late = stack.connect(localhost(PORT)).unwrap();
    assert_eq!(wait(&mut stack, &mut clock, |tcp| tcp.write(late, &[])), Ok(0));
    assert_eq!(clients.len(), BACKLOG);
}

#[test]
fn sockets_run_out_and_closing_gives_them_back() {
    let mut stack = loopback();
    let mut clock = Clock::default();
    let listener = stack.listen(PORT).unwrap();
    // The listener holds BACKLOG sockets; each connection two more (the
    // client, and the server's, which the listener replaces).
    let pairs: Vec<(Stream, Stream)> =
        (0..(MAX_SOCKETS - BACKLOG) / 2).map(|_| pair(&mut stack, &mut clock, listener)).collect();
    assert_eq!(stack.connect(localhost(PORT)), Err(TcpError::NoSockets));
    assert_eq!(stack.listen(PORT + 1), Err(TcpError::NoSockets));
    let (client, server) = pairs[0];
    stack.shutdown(client).unwrap();
    assert_eq!(wait(&mut stack, &mut clock, |tcp| tcp.read(server, &mut [0; 4])), Ok(0));
    stack.close(server).unwrap();
    assert_eq!(wait(&mut stack, &mut clock, |tcp| tcp.read(client, &mut [0; 4])), Ok(0));
    stack.close(client).unwrap();
    // The server's socket is closed and gone; the client's waits out
    // TIME-WAIT, and is taken over.
    let again = wait(&mut stack, &mut clock, |tcp| match tcp.connect(localhost(PORT)) {
        Err(TcpError::NoSockets) => Err(TcpError::WouldBlock),
        result => result,
    })
    .unwrap();
    assert_eq!(wait(&mut stack, &mut clock, |tcp| tcp.write(again, &[])), Ok(0));
}

#[test]
fn a_closed_stream_whose_peer_never_closes_is_reset_after_the_linger() {
    let mut stack = loopback();
    let mut clock = Clock::default();
    let listener = stack.listen(PORT).unwrap();
    let (client, server) = pair(&mut stack, &mut clock, listener);
    assert_eq!(stack.write(server, b"bye"), Ok(3));
    stack.close(server).unwrap();
    let closed_at = clock.now;
    let mut buf = [0; 8];
    assert_eq!(wait(&mut stack, &mut clock, |tcp| tcp.read(client, &mut buf)), Ok(3));
    assert_eq!(wait(&mut stack, &mut clock, |tcp| tcp.read(client, &mut buf)), Ok(0));
    // The client never closes its side: the server's socket waits in
    // FIN-WAIT-2 until the linger runs out, then resets the client.
    assert_eq!(wait(&mut stack, &mut clock, |tcp| tcp.write(client, &[])), Ok(0));
    let result = wait(&mut stack, &mut clock, |tcp| match tcp.write(client, &[]) {
        Ok(0) => Err(TcpError::WouldBlock),
        result => result,
    });
    assert_eq!(result, Err(TcpError::Reset));
    let after = clock.now - closed_at;
    assert!(after >= LINGER && after < LINGER + Duration::from_secs(1), "reset after {after:?}, not {LINGER:?}");
}

#[test]
fn bytes_outlive_time_wait() {
    let mut stack = loopback();
    let mut clock = Clock::default();
    let listener = stack.listen(PORT).unwrap();
    let (client, server) = pair(&mut stack, &mut clock, listener);
    stack.shutdown(client).unwrap();
    assert_eq!(wait(&mut stack, &mut clock, |tcp| tcp.read(server, &mut [0; 4])), Ok(0));
    assert_eq!(stack.write(server, b"late bytes"), Ok(10));
    stack.shutdown(server).unwrap();
    // Twenty seconds: the client's socket gets the bytes and the FIN,
    // spends TIME-WAIT (10 s), and smoltcp empties it.
    for _ in 0..200 {
        clock.poll_by(&mut stack, Duration::from_millis(100));
    }
    let mut buf = [0; 16];
    assert_eq!(stack.read(client, &mut buf), Ok(10));
    assert_eq!(&buf[..10], b"late bytes");
    assert_eq!(stack.read(client, &mut buf), Ok(0));
}

#[test]
fn no_address_no_connection() {
    let mut stack = NetStack::with_dhcp(EthernetCard::new(Loopback::new(Medium::Ethernet)), MAC, SEED, Instant::ZERO);
    assert_eq!(stack.address(), None);
    assert_eq!(stack.connect(SocketAddrV4::new(Ipv4Addr::new(10, 0, 2, 2), 80)), Err(TcpError::BadAddress));
    for remote in [SocketAddrV4::new(Ipv4Addr::BROADCAST, 80), SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0)] {
        assert_eq!(stack.connect(remote), Err(TcpError::BadAddress), "{remote}");
    }
    assert_eq!(stack.listen(0), Err(TcpError::BadAddress));
}
