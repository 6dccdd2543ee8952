//! The [`Tcp`] contract, checked.
//!
//! The suite makes connections and sends bytes the contract says how to
//! treat:
//!
//! - [`refused`]: a connect to a port nobody listens on is `Refused`, by
//!   `connect` or by the calls on its stream, every time until `close`;
//! - [`round_trip`]: listen, connect, accept (the peer is 127.0.0.1), a
//!   message each way, close;
//! - [`ports_are_exclusive`]: a second listen on a port is `AddrInUse`,
//!   port 0 is `BadAddress`, and `unlisten` frees the port;
//! - [`end_of_stream`]: a read with nothing sent is `WouldBlock` (not the
//!   end); after the peer's shutdown, reads give its last bytes, then
//!   `Ok(0)`, again and again; a write after one's own shutdown is
//!   `Closed`, and the other direction still works; a closed handle gives
//!   `Closed` from every call;
//! - [`bytes_arrive_once_in_order`]: [`STREAM_BYTES`] (1 MiB) of
//!   pseudo-random bytes each way at once, written in pieces of changing
//!   sizes (the implementation may take part of each) and read into
//!   buffers of changing sizes, arrive in order, each exactly once, with
//!   the end of the stream right after the last;
//! - [`many_connections`]: [`CONNECTIONS`] (100) connections in a row, each
//!   closed before the next: none is lost, and closing frees what it held.
//!
//! [`all`] runs them all.
//!
//! # One implementation, talking to itself
//!
//! Each check needs both ends of its connections. The suite takes *one*
//! implementation and has it listen on a port and connect to that port of
//! 127.0.0.1, so that it is its own client and server. That works for the
//! hosted one (the host's loopback) and for smoltcp with an interface on a
//! loopback device (smoltcp's `phy::Loopback`, address 127.0.0.1/8), and
//! needs no second machine in a test kernel. Two implementations, a client
//! and a server, would need a wire between them that the suite cannot lay
//! for every pair; a stack that cannot reach itself (no loopback) is
//! checked over one that has it.
//!
//! # Making progress
//!
//! No call waits, so the suite waits: when a round of calls could not
//! proceed (each said `WouldBlock`), it calls the `poll` it was given with
//! the implementation and tries again. A smoltcp implementation's `poll`
//! moves its interface on (`Interface::poll`, and the clock); the host's
//! stack works on its own, so a hosted `poll` sleeps a little or does
//! nothing. After [`PATIENCE`] polls in a row without progress the suite
//! fails, saying what it was waiting for, instead of hanging.
//!
//! # Ports
//!
//! Listeners go on the first port from [`FIRST_PORT`] on that is free
//! (`AddrInUse` means "try the next"), so the suite can run beside other
//! programs of the host. [`refused`] looks for its port from the other end
//! of the range (the top, down), listens on it to be sure it is free,
//! stops listening, and connects to it at once: another
//! program that starts listening on it within those microseconds makes the
//! check fail. The range is below Linux's ephemeral ports (32768 on), so
//! the host's own outgoing connections do not use it.
//!
//! # What the suite cannot catch
//!
//! - **Loss, timers and retransmission.** A loopback loses nothing, so a
//!   stack that never retransmits passes. A lossy device (a fault-injecting
//!   wrapper) under the same suite is the check for that.
//! - **`Reset` and `TimedOut`.** Nothing here resets a connection or stops
//!   answering; a reset's cause differs between stacks (Linux resets a
//!   close with bytes unread, smoltcp does not).
//! - **Backlogs and many streams at once.** Each check has one or two
//!   connections open at a time, and accepts each peer before the next
//!   connects.
//! - **What the handles were.** Numbers reused at once after `close`, which
//!   the contract discourages, pass, unless a check still held the old one.
//! - **A panic.** The suite runs in kernels, where a panic cannot be caught,
//!   so it does not try.

use core::fmt::{self, Display};
use core::net::{Ipv4Addr, SocketAddrV4};

use fledge_api::block::pattern_byte;
use fledge_api::tcp::{Listener, Stream, Tcp, TcpError};

/// How many polls in a row may find nothing to do before the suite gives
/// up on what it waits for.
pub const PATIENCE: u32 = 10_000;

/// The first port the suite listens on.
pub const FIRST_PORT: u16 = 20_000;

/// How many ports, from [`FIRST_PORT`] on, the suite may use.
pub const PORTS: u16 = 1_000;

/// How many bytes [`bytes_arrive_once_in_order`] sends each way: 1 MiB.
pub const STREAM_BYTES: usize = 1 << 20;

/// How many connections [`many_connections`] makes, one after the other.
pub const CONNECTIONS: u32 = 100;

/// The sizes of the pieces [`bytes_arrive_once_in_order`] offers to
/// `write`, in turn: single bytes, odd sizes, a TCP segment's, and more
/// than one segment.
const WRITE_SIZES: [usize; 8] = [1, 7, 1460, 2048, 3, 536, 2048, 1000];

/// The sizes of the buffers it reads into, in turn.
const READ_SIZES: [usize; 7] = [2048, 1, 13, 1460, 2048, 100, 4];

/// The largest of those: the suite's buffers live on the stack.
const PIECE: usize = 2048;

/// The implementation under test, and how the suite lets it work.
struct Net<'a, T> {
    tcp: &'a mut T,
    poll: &'a mut dyn FnMut(&mut T),
}

impl<T: Tcp> Net<'_, T> {
    /// Calls `call` until it says anything but `WouldBlock` (or, if
    /// `also` is given, that error), polling in between; panics, saying
    /// `what` it waited for, after [`PATIENCE`] polls.
    fn wait_past<R>(
        &mut self,
        what: impl Display,
        also: Option<TcpError>,
        mut call: impl FnMut(&mut T) -> Result<R, TcpError>,
    ) -> Result<R, TcpError> {
        let mut last = TcpError::WouldBlock;
        for _ in 0..PATIENCE {
            match call(self.tcp) {
                Err(error) if error == TcpError::WouldBlock || Some(error) == also => last = error,
                result => return result,
            }
            (self.poll)(self.tcp);
        }
        panic!("{what}: still {last:?} after {PATIENCE} polls");
    }

    /// [`wait_past`](Self::wait_past) `WouldBlock` alone.
    fn wait<R>(&mut self, what: impl Display, call: impl FnMut(&mut T) -> Result<R, TcpError>) -> Result<R, TcpError> {
        self.wait_past(what, None, call)
    }

    /// [`wait`](Self::wait), and panic on an error.
    fn must<R>(&mut self, what: impl Display, call: impl FnMut(&mut T) -> Result<R, TcpError>) -> R {
        match self.wait(&what, call) {
            Ok(value) => value,
            Err(error) => panic!("{what}: failed with {error:?} ({error})"),
        }
    }

    /// Listens on the first free port from [`FIRST_PORT`] up.
    fn listen(&mut self, step: impl Display) -> (Listener, u16) {
        for port in FIRST_PORT..FIRST_PORT + PORTS {
            match self.tcp.listen(port) {
                Ok(listener) => return (listener, port),
                Err(TcpError::AddrInUse) => continue,
                Err(error) => panic!("{step}: a listen on port {port} failed with {error:?} ({error})"),
            }
        }
        panic!("{step}: every port from {FIRST_PORT} to {} is in use", FIRST_PORT + PORTS - 1);
    }

    /// A listener, and a connection to it: (listener, port, client, server).
    fn pair(&mut self, step: impl Display + Copy) -> (Listener, u16, Stream, Stream) {
        let (listener, port) = self.listen(step);
        let remote = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
        let client = self.must(format_args!("{step}: connect to {remote}"), |tcp| tcp.connect(remote));
        let (server, peer) = self.must(format_args!("{step}: accept on port {port}"), |tcp| tcp.accept(listener));
        assert!(
            *peer.ip() == Ipv4Addr::LOCALHOST && peer.port() != 0,
            "{step}: accept says the peer is {peer}, but 127.0.0.1 connected (from a port that is not 0)"
        );
        assert!(client != server, "{step}: the client's and the server's end are both {client:?}");
        let made =
            self.must(format_args!("{step}: an empty write, to wait for the connection"), |tcp| tcp.write(client, &[]));
        assert!(made == 0, "{step}: an empty write took {made} bytes");
        (listener, port, client, server)
    }

    /// Writes all of `bytes` to `stream`, in as many writes as it takes.
    fn send(&mut self, what: impl Display, stream: Stream, bytes: &[u8]) {
        let mut sent = 0;
        while sent < bytes.len() {
            let rest = &bytes[sent..];
            let n = self.must(format_args!("{what}: a write of {} bytes", rest.len()), |tcp| tcp.write(stream, rest));
            assert!(
                (1..=rest.len()).contains(&n),
                "{what}: a write of {} bytes said it took {n}: it takes from 1 to all of them, or says WouldBlock",
                rest.len()
            );
            sent += n;
        }
    }

    /// Reads exactly `expected.len()` bytes from `stream` and checks them.
    fn expect(&mut self, what: impl Display, stream: Stream, expected: &[u8]) {
        let mut buf = [0u8; 64];
        let mut got = 0;
        while got < expected.len() {
            let want = expected.len() - got;
            let n = self
                .must(format_args!("{what}: a read of {want} more bytes"), |tcp| tcp.read(stream, &mut buf[..want]));
            assert!(n != 0, "{what}: the stream ended after {got} of the {} bytes sent", expected.len());
            assert!(
                buf[..n] == expected[got..got + n],
                "{what}: read {:?} at offset {got}, but {:?} was sent",
                Bytes(&buf[..n]),
                Bytes(&expected[got..got + n])
            );
            got += n;
        }
    }

    /// Reads to the end of `stream` and checks that `expected` is all
    /// that came.
    fn expect_end(&mut self, what: impl Display + Copy, stream: Stream, expected: &[u8]) {
        self.expect(what, stream, expected);
        let mut buf = [0u8; 16];
        let n = self.must(format_args!("{what}: a read for the end of the stream"), |tcp| tcp.read(stream, &mut buf));
        assert!(
            n == 0,
            "{what}: after the {} bytes sent and the sender's shutdown, a read gave {:?} more",
            expected.len(),
            Bytes(&buf[..n])
        );
    }

    /// Closes `stream`, which must work.
    fn close(&mut self, what: impl Display, stream: Stream) {
        if let Err(error) = self.tcp.close(stream) {
            panic!("{what}: close of {stream:?} failed with {error:?} ({error})");
        }
    }

    fn unlisten(&mut self, what: impl Display, listener: Listener) {
        if let Err(error) = self.tcp.unlisten(listener) {
            panic!("{what}: unlisten of {listener:?} failed with {error:?} ({error})");
        }
    }
}

/// Bytes in a message, as text when they are.
struct Bytes<'a>(&'a [u8]);

impl fmt::Debug for Bytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match core::str::from_utf8(self.0) {
            Ok(text) => write!(f, "{text:?}"),
            Err(_) => write!(f, "{:02x?}", self.0),
        }
    }
}

/// A connect to a port nobody listens on is refused: `connect` says
/// `Refused`, or its stream's calls do once the handshake has failed, and
/// keep saying it until `close`, after which they say `Closed`.
pub fn refused<T: Tcp>(tcp: &mut T, mut poll: impl FnMut(&mut T)) {
    let net = &mut Net { tcp, poll: &mut poll };
    let step = "refused";
    let port = (FIRST_PORT..FIRST_PORT + PORTS)
        .rev()
        .find(|&port| match net.tcp.listen(port) {
            Ok(listener) => {
                net.unlisten(step, listener);
                true
            }
            Err(TcpError::AddrInUse) => false,
            Err(error) => panic!("{step}: a listen on port {port} failed with {error:?} ({error})"),
        })
        .unwrap_or_else(|| panic!("{step}: every port of the suite's range is in use"));
    let remote = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
    let stream = match net.tcp.connect(remote) {
        Err(TcpError::Refused) => return,
        Err(error) => panic!("{step}: connect to {remote} failed with {error:?} ({error}), not Refused"),
        Ok(stream) => stream,
    };
    match net.wait(format_args!("{step}: a write to {remote}"), |tcp| tcp.write(stream, b"hello")) {
        Err(TcpError::Refused) => {}
        Ok(n) => panic!("{step}: a write to {remote}, where nobody listens, took {n} bytes, not Err(Refused)"),
        Err(error) => {
            panic!("{step}: a write to {remote}, where nobody listens, gave {error:?} ({error}), not Refused")
        }
    }
    let again = [
        ("a read", net.tcp.read(stream, &mut [0; 4]).map(|_| ())),
        ("a write", net.tcp.write(stream, b"hello").map(|_| ())),
        ("a shutdown", net.tcp.shutdown(stream)),
    ];
    for (call, result) in again {
        assert!(
            result == Err(TcpError::Refused),
            "{step}: after a write was refused, {call} gave {result:?}: a failed stream repeats its error"
        );
    }
    net.close(step, stream);
    let result = net.tcp.read(stream, &mut [0; 4]);
    assert!(result == Err(TcpError::Closed), "{step}: a read of a closed stream gave {result:?}, not Closed");
}

/// Listen, connect, accept: the peer is 127.0.0.1, a message goes each way,
/// and both ends close.
pub fn round_trip<T: Tcp>(tcp: &mut T, mut poll: impl FnMut(&mut T)) {
    let net = &mut Net { tcp, poll: &mut poll };
    let (listener, _, client, server) = net.pair("round trip");
    net.send("round trip, client to server", client, b"ping");
    net.expect("round trip, client to server", server, b"ping");
    net.send("round trip, server to client", server, b"pong");
    net.expect("round trip, server to client", client, b"pong");
    net.close("round trip", client);
    net.close("round trip", server);
    net.unlisten("round trip", listener);
}

/// A port has one listener: a second listen is `AddrInUse`, `unlisten`
/// frees the port for a new one, and port 0 is `BadAddress`.
pub fn ports_are_exclusive<T: Tcp>(tcp: &mut T, mut poll: impl FnMut(&mut T)) {
    let net = &mut Net { tcp, poll: &mut poll };
    let step = "ports";
    let (listener, port) = net.listen(step);
    let result = net.tcp.listen(port);
    assert!(
        result == Err(TcpError::AddrInUse),
        "{step}: a second listen on port {port} gave {result:?}, not Err(AddrInUse)"
    );
    net.unlisten(step, listener);
    let again = match net.tcp.listen(port) {
        Ok(listener) => listener,
        Err(error) => panic!("{step}: a listen on port {port} after unlisten failed with {error:?} ({error})"),
    };
    net.unlisten(step, again);
    for (call, result) in [("unlisten", net.tcp.unlisten(listener)), ("accept", net.tcp.accept(listener).map(|_| ()))] {
        assert!(result == Err(TcpError::Closed), "{step}: {call} of a listener already freed gave {result:?}");
    }
    let result = net.tcp.listen(0);
    assert!(result == Err(TcpError::BadAddress), "{step}: a listen on port 0 gave {result:?}, not Err(BadAddress)");
}

/// `WouldBlock` is not the end: a read with nothing sent is `WouldBlock`,
/// even after one's own shutdown. The end is `Ok(0)`, after the peer's
/// shutdown and its last bytes, as often as asked. A shut down stream
/// refuses writes with `Closed` and still reads; a closed one gives
/// `Closed` from every call.
pub fn end_of_stream<T: Tcp>(tcp: &mut T, mut poll: impl FnMut(&mut T)) {
    let net = &mut Net { tcp, poll: &mut poll };
    let step = "end of stream";
    let (listener, _, client, server) = net.pair(step);
    for (end, stream) in [("server", server), ("client", client)] {
        let result = net.tcp.read(stream, &mut [0; 16]);
        assert!(
            result == Err(TcpError::WouldBlock),
            "{step}: the {end}'s read, with nothing sent, gave {result:?}, not Err(WouldBlock) (Ok(0) is the end)"
        );
    }
    net.send("end of stream, the client's last words", client, b"last words");
    net.must("end of stream: the client's shutdown", |tcp| tcp.shutdown(client));
    let twice = net.tcp.shutdown(client);
    assert!(twice == Ok(()), "{step}: the client's second shutdown gave {twice:?}, not Ok(())");
    let result = net.tcp.write(client, b"more");
    assert!(result == Err(TcpError::Closed), "{step}: a write after the client's shutdown gave {result:?}, not Closed");
    net.expect_end("end of stream, the server reading the client's last words", server, b"last words");
    for _ in 0..3 {
        let result = net.tcp.read(server, &mut [0; 16]);
        assert!(result == Ok(0), "{step}: a read after the end of the stream gave {result:?}; the end stays");
    }
    // The other direction is still open.
    net.send("end of stream, the server after the client's shutdown", server, b"still here");
    net.expect("end of stream, the client reading after its own shutdown", client, b"still here");
    let result = net.tcp.read(client, &mut [0; 16]);
    assert!(
        result == Err(TcpError::WouldBlock),
        "{step}: the client shut down its own direction, not the server's, but its read gave {result:?}, \
         not Err(WouldBlock)"
    );
    net.must("end of stream: the server's shutdown", |tcp| tcp.shutdown(server));
    net.expect_end("end of stream, the client after the server's shutdown", client, b"");
    net.close(step, client);
    net.close(step, server);
    net.unlisten(step, listener);
    let calls = [
        ("read", net.tcp.read(client, &mut [0; 4]).map(|_| ())),
        ("write", net.tcp.write(client, b"x").map(|_| ())),
        ("shutdown", net.tcp.shutdown(client)),
        ("close", net.tcp.close(client)),
    ];
    for (call, result) in calls {
        assert!(result == Err(TcpError::Closed), "{step}: a {call} of a closed stream gave {result:?}, not Closed");
    }
}

/// One direction of [`bytes_arrive_once_in_order`]'s transfer.
struct Direction {
    name: &'static str,
    from: Stream,
    to: Stream,
    /// Byte `i` of the stream is `pattern_byte(seed, i)`.
    seed: u8,
    writes: usize,
    sent: usize,
    shut: bool,
    reads: usize,
    received: usize,
    ended: bool,
}

impl Direction {
    fn new(name: &'static str, from: Stream, to: Stream, seed: u8) -> Direction {
        Direction { name, from, to, seed, writes: 0, sent: 0, shut: false, reads: 0, received: 0, ended: false }
    }

    /// One write (or, once all is sent, the shutdown) and one read;
    /// whether either did anything.
    fn step(&mut self, tcp: &mut impl Tcp) -> bool {
        let name = self.name;
        let mut moved = false;
        let mut buf = [0u8; PIECE];
        if self.sent < STREAM_BYTES {
            let len = WRITE_SIZES[self.writes % WRITE_SIZES.len()].min(STREAM_BYTES - self.sent);
            for (i, byte) in buf[..len].iter_mut().enumerate() {
                *byte = pattern_byte(self.seed, (self.sent + i) as u64);
            }
            match tcp.write(self.from, &buf[..len]) {
                Ok(n) if (1..=len).contains(&n) => {
                    (self.sent, self.writes, moved) = (self.sent + n, self.writes + 1, true);
                }
                Ok(n) => panic!("stream {name}: a write of {len} bytes said it took {n}"),
                Err(TcpError::WouldBlock) => {}
                Err(error) => panic!(
                    "stream {name}: a write of {len} bytes at offset {} failed with {error:?} ({error})",
                    self.sent
                ),
            }
        } else if !self.shut {
            match tcp.shutdown(self.from) {
                Ok(()) => (self.shut, moved) = (true, true),
                Err(TcpError::WouldBlock) => {}
                Err(error) => panic!("stream {name}: the shutdown after the last byte failed with {error:?} ({error})"),
            }
        }
        if !self.ended {
            let len = READ_SIZES[self.reads % READ_SIZES.len()];
            match tcp.read(self.to, &mut buf[..len]) {
                Ok(0) => {
                    assert!(
                        self.received == STREAM_BYTES,
                        "stream {name}: the stream ended after {} of the {STREAM_BYTES} bytes",
                        self.received
                    );
                    (self.ended, moved) = (true, true);
                }
                Ok(n) => {
                    assert!(
                        n <= len && self.received + n <= self.sent,
                        "stream {name}: a read into {len} bytes gave {n}, with {} of {} sent bytes already read: \
                         more than was sent",
                        self.received,
                        self.sent
                    );
                    for (i, &got) in buf[..n].iter().enumerate() {
                        let offset = self.received + i;
                        let want = pattern_byte(self.seed, offset as u64);
                        assert!(
                            got == want,
                            "stream {name}: the byte at offset {offset} is {got:#04x}, not {want:#04x}: \
                             a byte before it was lost, repeated or reordered"
                        );
                    }
                    (self.received, self.reads, moved) = (self.received + n, self.reads + 1, true);
                }
                Err(TcpError::WouldBlock) => {}
                Err(error) => {
                    panic!("stream {name}: a read at offset {} failed with {error:?} ({error})", self.received)
                }
            }
        }
        moved
    }
}

/// [`STREAM_BYTES`] of pseudo-random bytes each way, at once, written in
/// pieces of changing sizes (which the implementation may take part of)
/// and read into buffers of changing sizes, arrive in order, each once,
/// and the end of each stream comes right after its last byte.
pub fn bytes_arrive_once_in_order<T: Tcp>(tcp: &mut T, mut poll: impl FnMut(&mut T)) {
    let net = &mut Net { tcp, poll: &mut poll };
    let (listener, _, client, server) = net.pair("bytes");
    let mut directions =
        [Direction::new("client to server", client, server, 2), Direction::new("server to client", server, client, 3)];
    let mut idle = 0;
    while directions.iter().any(|d| !d.ended) {
        let mut moved = false;
        for direction in &mut directions {
            moved |= direction.step(net.tcp);
        }
        if moved {
            idle = 0;
            continue;
        }
        idle += 1;
        if idle > PATIENCE {
            let [a, b] = &directions;
            panic!(
                "bytes: nothing moved for {PATIENCE} polls; {}: {} bytes sent, {} read; {}: {} sent, {} read",
                a.name, a.sent, a.received, b.name, b.sent, b.received
            );
        }
        (net.poll)(net.tcp);
    }
    net.close("bytes", client);
    net.close("bytes", server);
    net.unlisten("bytes", listener);
}

/// [`CONNECTIONS`] connections in a row to one listener, each closed
/// before the next is made: each is accepted, carries its number each
/// way, and ends. A `connect` that says `NoSockets` is tried again (the
/// last connection's sockets may still be closing), but not for ever:
/// closing must free them.
pub fn many_connections<T: Tcp>(tcp: &mut T, mut poll: impl FnMut(&mut T)) {
    let net = &mut Net { tcp, poll: &mut poll };
    let (listener, port) = net.listen("connections");
    let remote = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
    for i in 0..CONNECTIONS {
        let step = Connection(i);
        let client = match net.wait_past(
            format_args!("{step}: connect (NoSockets: closed streams are not freed)"),
            Some(TcpError::NoSockets),
            |tcp| tcp.connect(remote),
        ) {
            Ok(client) => client,
            Err(error) => panic!("{step}: connect failed with {error:?} ({error})"),
        };
        let (server, _) = net.must(format_args!("{step}: accept"), |tcp| tcp.accept(listener));
        net.send(step, client, &i.to_le_bytes());
        net.must(format_args!("{step}: the client's shutdown"), |tcp| tcp.shutdown(client));
        net.expect_end(step, server, &i.to_le_bytes());
        net.send(step, server, &i.to_be_bytes());
        net.close(step, server);
        net.expect_end(step, client, &i.to_be_bytes());
        net.close(step, client);
    }
    net.unlisten("connections", listener);
}

/// The name of a step of [`many_connections`].
#[derive(Clone, Copy)]
struct Connection(u32);

impl Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "connection {} of {CONNECTIONS}", self.0)
    }
}

/// Every check, in the order of this module's list.
pub fn all<T: Tcp>(tcp: &mut T, mut poll: impl FnMut(&mut T)) {
    refused(tcp, &mut poll);
    round_trip(tcp, &mut poll);
    ports_are_exclusive(tcp, &mut poll);
    end_of_stream(tcp, &mut poll);
    bytes_arrive_once_in_order(tcp, &mut poll);
    many_connections(tcp, &mut poll);
}
