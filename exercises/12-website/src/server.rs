//! The server: connections, each a small state machine, moved along by
//! [`Server::step`].
//!
//! A kernel with no threads serves many clients the way exercise 11's
//! echo server serves one: a *step* function that does whatever can be
//! done now without waiting, says whether it did anything, and is called
//! again by the poll loop. Everything a connection needs between steps is
//! in its slot:
//!
//! ```text
//!   slots: [ Some(conn) | None | Some(conn) | ... ]     Config::slots of them
//!
//!   conn:  stream   input: bytes read, not yet parsed   output: bytes to write
//!
//!     accept                  a whole request: answer it (site.rs)
//!       |      +-----------------------------------------------+
//!       v      |                                               v
//!   +------+ first byte +-----------+    request.rs     +-----------+
//!   | Idle |----------->| Receiving |------------------>| Answering |
//!   +------+            +-----------+                   +-----------+
//!     ^  | idle timeout   | deadline: 408      |  written,    |   | written, and closing:
//!     |  v  (close)       +--------------------+  keep-alive  |   v shutdown (our FIN)
//!     |                     malformed: 4xx, closing           |  +-----------+ peer's FIN,
//!     +-------------------------------------------------------+  | Lingering |---> close
//!          (Receiving at once if the next request is there)      +-----------+ or LINGER
//! ```
//!
//! - **Keep-alive and pipelining.** After an answer, the connection goes
//!   back for the next request unless the request (or its version) asked
//!   to close. A client may send requests without waiting for answers;
//!   they wait in `input` and are answered one at a time, in order. While
//!   a connection is answering it reads nothing more, so its input stays
//!   under [`MAX_INPUT`].
//! - **Deadlines.** A request must arrive whole within
//!   [`Config::request_deadline`] of its first byte, or it is answered 408
//!   and the connection closed: a client that trickles bytes (slowloris)
//!   holds its slot for that long and no longer, and meanwhile every other
//!   slot is served, because nothing here waits. An answer must be taken
//!   within the same time, or the connection is closed: a client that
//!   reads nothing holds no slot for ever either. A connection idle
//!   between requests longer than [`Config::idle_timeout`] is closed.
//! - **Errors end the connection.** After a 4xx for a request that broke
//!   the rules, the server cannot know where the next request would start,
//!   so it closes. It closes *lingering*: it sends its FIN after the
//!   answer, then reads and throws away what the client still sends, until
//!   the client's FIN or [`Config::linger`]. Closing at once with unread
//!   bytes would make the stack send a reset, and a reset can destroy the
//!   answer before the client reads it.
//! - **A stream that fails just frees its slot.** A reset, or any error
//!   but `WouldBlock`, closes the handle; nothing else changes.
//!
//! Slots are few and fixed ([`Config::slots`]). When all are taken, a new
//! connection takes the slot of the kept-alive connection that has been
//! idle the longest between requests, which is closed (as RFC 9112 §9.6 allows at
//! any time); with none idle, new connections wait in the stack's accept
//! queue. A client whose kept-alive connection was closed this way opens
//! another, as clients do. No connection takes more
//! than its share of a step: at most `BURST` answers and `READS`
//! reads, then the next slot's turn.
//!
//! The parser keeps no state, so after each read it parses the input from
//! its start again: a head that trickles in costs time quadratic in its
//! length, which [`MAX_HEADER_BYTES`](crate::limits::MAX_HEADER_BYTES)
//! and the deadline bound.

use alloc::vec;
use alloc::vec::Vec;
use core::time::Duration;

use fledge_api::Instant;
use fledge_api::store::Store;
use fledge_api::tcp::{Listener, Stream, Tcp, TcpError};

use crate::limits::{IDLE_TIMEOUT, LINGER, MAX_INPUT, REQUEST_DEADLINE, SLOTS};
use crate::request::{self, Method};
use crate::response::{Response, Status};
use crate::site;

/// How the server listens, and its times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// The port to listen on.
    pub port: u16,
    /// How many connections are served at once.
    pub slots: usize,
    /// How long a request may take to arrive, from its first byte; and
    /// how long an answer may take to be taken by the peer.
    pub request_deadline: Duration,
    /// How long a connection may wait for its next request.
    pub idle_timeout: Duration,
    /// How long a closing connection is read after the server's FIN.
    pub linger: Duration,
}

impl Config {
    /// Listen on `port`, with the defaults of [`crate::limits`].
    pub fn new(port: u16) -> Config {
        Config { port, slots: SLOTS, request_deadline: REQUEST_DEADLINE, idle_timeout: IDLE_TIMEOUT, linger: LINGER }
    }
}

/// What the server has done since it started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Connections accepted.
    pub accepted: u64,
    /// Requests answered, whatever the answer.
    pub requests: u64,
    /// Requests refused by the parser (400, 411, 413, 414, 431, 501, 505).
    pub refused: u64,
    /// Requests that missed their deadline (answered 408), and answers
    /// the peer did not take in as long (closed).
    pub timed_out: u64,
    /// Idle kept-alive connections closed to make room for a new one.
    pub evicted: u64,
    /// Connections that failed (reset, or any error but `WouldBlock`).
    pub failed: u64,
}

/// An HTTP server, stepped by its caller's poll loop.
///
/// Over the host's sockets, with a client on the same stack, and one
/// loop that steps both:
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddrV4};
///
/// use fledge_api::Clock;
/// use fledge_api::tcp::{Tcp, TcpError};
/// use fledge_block::RamDisk;
/// use fledge_hosted::{HostClock, HostTcp};
/// use fledge_http::{Config, Server};
/// use fledge_store::LogStore;
///
/// let (mut tcp, clock) = (HostTcp::new(), HostClock::new());
/// let mut store = LogStore::open(RamDisk::new(vec![0; 1 << 20])).unwrap();
/// let mut server = (31_000..32_000).find_map(|port| Server::new(&mut tcp, Config::new(port)).ok()).unwrap();
/// let client = tcp.connect(SocketAddrV4::new(Ipv4Addr::LOCALHOST, server.config().port)).unwrap();
///
/// let request = b"PUT /hi HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n<p>Hi</p>";
/// let (mut sent, mut answer, mut buf) = (0, Vec::new(), [0; 512]);
/// for _ in 0..5000 {
///     if answer.ends_with(b"000001\n") {
///         break;
///     }
///     // The server's step, then the client's; a short sleep when idle.
///     if !server.step(&mut tcp, &mut store, clock.now()) {
///         std::thread::sleep(std::time::Duration::from_millis(1));
///     }
///     if sent < request.len() {
///         match tcp.write(client, &request[sent..]) {
///             Ok(n) => sent += n,
///             Err(TcpError::WouldBlock) => {}
///             Err(error) => panic!("write: {error}"),
///         }
///     }
///     match tcp.read(client, &mut buf) {
///         Ok(n) => answer.extend_from_slice(&buf[..n]),
///         Err(TcpError::WouldBlock) => {}
///         Err(error) => panic!("read: {error}"),
///     }
/// }
/// assert!(answer.starts_with(b"HTTP/1.1 201 Created\r\n"));
/// assert!(answer.ends_with(b"\r\n\r\n000001\n"), "the commit's id");
/// assert_eq!(fledge_api::Store::get(&mut store, b"pages/hi").unwrap().as_deref(), Some(&b"<p>Hi</p>"[..]));
/// server.stop(&mut tcp);
/// ```
#[derive(Debug)]
pub struct Server {
    config: Config,
    listener: Listener,
    slots: Vec<Option<Connection>>,
    /// Where reads land before they are copied to a connection.
    scratch: Vec<u8>,
    stats: Stats,
}

/// One connection's slot.
#[derive(Debug)]
struct Connection {
    stream: Stream,
    /// Bytes read and not yet parsed.
    input: Vec<u8>,
    /// The answer being written, and how much of it has been.
    output: Vec<u8>,
    written: usize,
    phase: Phase,
    /// When the phase's clock started: the idle wait, the request's first
    /// byte, or the linger.
    since: Instant,
    /// The peer has shut down its side: no more bytes will come.
    peer_done: bool,
    /// Requests answered on this connection.
    answered: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    Receiving,
    Answering { close: bool },
    Lingering,
}

/// What one look at a connection did.
struct Outcome {
    did: bool,
    /// The slot is to be freed: the stream is closed.
    done: bool,
}

/// Requests answered on one connection in one step, at most: with more
/// pipelined, the others wait for the next step, so one client cannot keep
/// the server from the rest.
const BURST: usize = 8;

/// Reads from one connection in one step, at most: a peer that sends
/// without end (to a lingering connection, whose bytes are thrown away, or
/// a long body in small pieces) must not hold the step from the others.
const READS: usize = 16;

impl Server {
    /// Listens on `config.port` of `tcp`.
    pub fn new<T: Tcp + ?Sized>(tcp: &mut T, config: Config) -> Result<Server, TcpError> {
        let listener = tcp.listen(config.port)?;
        let slots = (0..config.slots).map(|_| None).collect();
        Ok(Server { config, listener, slots, scratch: vec![0; 4096], stats: Stats::default() })
    }

    /// Its configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// What it has done so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// How many slots hold a connection.
    pub fn open_connections(&self) -> usize {
        self.slots.iter().filter(|slot| slot.is_some()).count()
    }

    /// Moves every connection along as far as it goes without waiting:
    /// accepts into free slots (or idle ones), reads, answers from
    /// `store`, writes, closes. `now` is the time by the caller's clock. Says whether
    /// anything happened; a poll loop that gets `false` may sleep.
    pub fn step<T: Tcp + ?Sized, S: Store + ?Sized>(&mut self, tcp: &mut T, store: &mut S, now: Instant) -> bool {
        let mut did = false;
        while let Some(slot) = self.slot_for_a_newcomer() {
            match tcp.accept(self.listener) {
                Ok((stream, _peer)) => {
                    if let Some(idle) = self.slots[slot].replace(Connection::new(stream, now)) {
                        let _ = tcp.close(idle.stream);
                        self.stats.evicted += 1;
                    }
                    self.stats.accepted += 1;
                    did = true;
                }
                // WouldBlock: nobody is waiting. Another error (the stack
                // is out of sockets, say) is tried again next step.
                Err(_) => break,
            }
        }
        for slot in &mut self.slots {
            let Some(connection) = slot else { continue };
            let outcome = connection.serve(tcp, store, now, &self.config, &mut self.scratch, &mut self.stats);
            did |= outcome.did;
            if outcome.done {
                // The handle is freed whatever the stream's state; its
                // error, if any, was already counted.
                let _ = tcp.close(connection.stream);
                *slot = None;
                did = true;
            }
        }
        did
    }

    /// The slot a new connection would take: a free one, or else the one
    /// idle the longest (whose connection is closed to make room).
    fn slot_for_a_newcomer(&self) -> Option<usize> {
        if let Some(free) = self.slots.iter().position(Option::is_none) {
            return Some(free);
        }
        let idle = self.slots.iter().enumerate().filter_map(|(i, slot)| Some((i, slot.as_ref()?)));
        let idle = idle.filter(|(_, connection)| connection.reclaimable());
        idle.min_by_key(|(_, connection)| connection.since).map(|(i, _)| i)
    }

    /// Closes every connection and the listener.
    pub fn stop<T: Tcp + ?Sized>(self, tcp: &mut T) {
        for connection in self.slots.into_iter().flatten() {
            let _ = tcp.close(connection.stream);
        }
        let _ = tcp.unlisten(self.listener);
    }
}

impl Connection {
    fn new(stream: Stream, now: Instant) -> Connection {
        Connection {
            stream,
            input: Vec::new(),
            output: Vec::new(),
            written: 0,
            phase: Phase::Idle,
            since: now,
            peer_done: false,
            answered: 0,
        }
    }

    fn serve<T: Tcp + ?Sized, S: Store + ?Sized>(
        &mut self,
        tcp: &mut T,
        store: &mut S,
        now: Instant,
        config: &Config,
        scratch: &mut [u8],
        stats: &mut Stats,
    ) -> Outcome {
        let mut did = false;
        let (mut answered, mut reads) = (0, 0);
        let fail = |stats: &mut Stats| {
            stats.failed += 1;
            Outcome { did: true, done: true }
        };
        loop {
            match self.phase {
                Phase::Answering { close } => {
                    if self.written < self.output.len() {
                        match tcp.write(self.stream, &self.output[self.written..]) {
                            Ok(n) => {
                                self.written += n;
                                did |= n > 0;
                            }
                            Err(TcpError::WouldBlock) => {}
                            Err(_) => return fail(stats),
                        }
                    }
                    if self.written < self.output.len() {
                        // A peer that takes no bytes holds its slot as
                        // surely as one that sends none: it gets as long.
                        if now.saturating_duration_since(self.since) > config.request_deadline {
                            stats.timed_out += 1;
                            return Outcome { did: true, done: true };
                        }
                        return Outcome { did, done: false };
                    }
                    self.output.clear();
                    self.written = 0;
                    self.since = now;
                    did = true;
                    if close {
                        if tcp.shutdown(self.stream).is_err() {
                            return fail(stats);
                        }
                        self.phase = Phase::Lingering;
                    } else {
                        self.phase = if self.input.is_empty() { Phase::Idle } else { Phase::Receiving };
                        if answered == BURST {
                            return Outcome { did, done: false };
                        }
                    }
                }
                Phase::Idle | Phase::Receiving => {
                    if !self.input.is_empty() {
                        match request::parse(&self.input) {
                            Ok(Some((request, consumed))) => {
                                self.input.drain(..consumed);
                                let response = site::respond(store, &request);
                                let close = !request.keep_alive || self.peer_done;
                                self.answer(&response, request.method == Method::Head, close, now);
                                stats.requests += 1;
                                answered += 1;
                                did = true;
                                continue;
                            }
                            Err(error) => {
                                self.input.clear();
                                let response = Response::error(error.status(), &alloc::format!("{error}"));
                                self.answer(&response, false, true, now);
                                stats.requests += 1;
                                stats.refused += 1;
                                did = true;
                                continue;
                            }
                            Ok(None) => {}
                        }
                    }
                    if self.peer_done {
                        // Nothing more will come, and what came is not a
                        // whole request (or nothing at all).
                        return Outcome { did: true, done: true };
                    }
                    let room = MAX_INPUT.saturating_sub(self.input.len()).min(scratch.len());
                    if reads == READS {
                        return Outcome { did, done: false };
                    }
                    if room > 0 {
                        reads += 1;
                        match tcp.read(self.stream, &mut scratch[..room]) {
                            Ok(0) => {
                                self.peer_done = true;
                                did = true;
                                continue;
                            }
                            Ok(n) => {
                                if self.phase == Phase::Idle {
                                    self.phase = Phase::Receiving;
                                    self.since = now;
                                }
                                self.input.extend_from_slice(&scratch[..n]);
                                did = true;
                                continue;
                            }
                            Err(TcpError::WouldBlock) => {}
                            Err(_) => return fail(stats),
                        }
                    }
                    let waited = now.saturating_duration_since(self.since);
                    if self.phase == Phase::Receiving && waited > config.request_deadline {
                        self.input.clear();
                        let response = Response::error(Status::RequestTimeout, "the request took too long");
                        self.answer(&response, false, true, now);
                        stats.requests += 1;
                        stats.timed_out += 1;
                        did = true;
                        continue;
                    }
                    let idle = self.phase == Phase::Idle && waited > config.idle_timeout;
                    return Outcome { did: did || idle, done: idle };
                }
                Phase::Lingering => {
                    let over = now.saturating_duration_since(self.since) > config.linger;
                    for _ in 0..READS {
                        match tcp.read(self.stream, scratch) {
                            Ok(0) => return Outcome { did: true, done: true },
                            Ok(_) => did = true,
                            Err(TcpError::WouldBlock) => break,
                            // The peer reset it: the answer was written.
                            Err(_) => return Outcome { did: true, done: true },
                        }
                    }
                    return Outcome { did: did || over, done: over };
                }
            }
        }
    }

    /// Starts writing `response`, at `now`.
    fn answer(&mut self, response: &Response, head_only: bool, close: bool, now: Instant) {
        response.encode(head_only, close, &mut self.output);
        self.answered += 1;
        self.written = 0;
        self.phase = Phase::Answering { close };
        self.since = now;
    }

    /// Whether the slot may be given to a new connection: it was kept
    /// alive after an answer, and no byte of a next request has come. (A
    /// new connection whose first request has not come yet is not: it
    /// would lose its slot before it could be read.)
    fn reclaimable(&self) -> bool {
        self.phase == Phase::Idle && self.input.is_empty() && self.answered > 0
    }
}
