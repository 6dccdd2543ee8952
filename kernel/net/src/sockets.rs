//! The TCP sockets behind the program's handles, from the socket's
//! making to its removal.
//!
//! A program holds [`Listener`](fledge_api::Listener) and
//! [`Stream`](fledge_api::Stream) numbers; behind each are smoltcp
//! sockets in the stack's `SocketSet`. [`TcpSockets`] keeps the mapping,
//! and what the trait's contract needs that smoltcp does not keep:
//!
//! ```text
//!   listeners: port -> armed: [Listen, SynReceived, ...]    up to BACKLOG
//!                      ready: [Established, ...]  in the order they connected
//!   streams:   handle -> socket, last state seen, error it ended with,
//!                        shut down? FIN queued?, bytes saved from TIME-WAIT
//!   orphans:   sockets of closed handles, still closing: since when, FIN queued?
//! ```
//!
//! **Why it ended.** smoltcp's socket says `Closed`, not why: a reset, a
//! refusal, a timeout and a finished close look the same. So `poll`
//! looks at every stream after each frame it takes ([`Cause::Segment`]:
//! only a segment from the peer, a reset, can have closed it) and after
//! sending ([`Cause::Timer`]: only a timer can have closed it then), and
//! [`ended`] sorts the change by the state it came from.
//!
//! **A socket's life.** Made when a listener or `connect` needs one (up
//! to [`MAX_SOCKETS`]); handed from a listener's `ready` list to a stream
//! by `accept`; closed gracefully by `close`, which frees the handle at
//! once and leaves the socket as an *orphan* until smoltcp says it is
//! closed (a reset after [`LINGER`], if the peer never finishes); then
//! removed. An orphan waiting out TIME-WAIT is taken over when a new
//! socket is needed and none is left, as Linux drops TIME-WAIT sockets
//! past its `tcp_max_tw_buckets`.
//!
//! **The FIN waits for the bytes before it.** `shutdown` and `close`
//! hand smoltcp the FIN (its `close`) only once every byte written has
//! been acknowledged, so that the FIN always travels alone. smoltcp 0.14
//! mishandles a FIN that rides on data when frames are lost: the
//! receiver rejects a retransmitted data+FIN segment whose data it has
//! already, as outside its window (it counts the segment's length
//! without the FIN), and answers with duplicate ACKs; those start a fast
//! retransmit that finds no data to resend and leaves the retransmission
//! timer off, so the FIN is never sent again and both ends wait out
//! [`TIMEOUT`]. The lossy conformance test found it (5% loss, seed 5:
//! the connection stalled until the timeout, then `TimedOut`). A lone FIN
//! costs one round trip.
//!
//! **Each socket's options,** set in [`TcpSockets::take`]: buffers of
//! [`BUFFER_BYTES`]; [`CONNECT_TIMEOUT`] while the handshake runs, then
//! [`TIMEOUT`]; a keep-alive after [`KEEP_ALIVE`] of quiet; and no
//! delayed ACKs (see `take`).

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec;
use alloc::vec::Vec;

use fledge_api::{Instant, TcpError};
use smoltcp::iface::{Interface, SocketHandle, SocketSet};
use smoltcp::socket::Socket;
use smoltcp::socket::tcp::{self, State};
use smoltcp::wire::IpAddress;

use crate::limits::{
    BACKLOG, BUFFER_BYTES, CONNECT_TIMEOUT, EPHEMERAL_PORTS, KEEP_ALIVE, LINGER, MAX_SOCKETS, TIMEOUT,
};

/// The program's TCP handles, and the sockets behind them.
pub(crate) struct TcpSockets {
    pub(crate) listeners: BTreeMap<u32, Listening>,
    pub(crate) streams: BTreeMap<u32, Open>,
    orphans: Vec<Orphan>,
    /// The last handle number given out, as a listener or a stream.
    last_handle: u32,
    /// The local port the next `connect` tries first.
    next_port: u16,
}

/// A listener's sockets.
pub(crate) struct Listening {
    pub(crate) port: u16,
    /// Listening, or in the middle of a handshake.
    pub(crate) armed: Vec<SocketHandle>,
    /// Connected, waiting for `accept`, first come first.
    pub(crate) ready: VecDeque<SocketHandle>,
}

/// A stream's socket, and what the contract needs to remember of it.
pub(crate) struct Open {
    pub(crate) socket: SocketHandle,
    /// The socket's state when last looked at.
    pub(crate) last: State,
    /// The error the connection ended with, which every later call
    /// repeats.
    pub(crate) failed: Option<TcpError>,
    /// Whether the program shut it down for writing.
    pub(crate) shut: bool,
    /// Whether smoltcp has been told to send the FIN (see the module
    /// documentation: only once the bytes before it are acknowledged).
    pub(crate) fin_queued: bool,
    /// Bytes taken out of the socket when it entered TIME-WAIT: smoltcp
    /// empties a socket's buffers when TIME-WAIT ends, read or not.
    pub(crate) saved: VecDeque<u8>,
    /// The stream's local address, to tell a timeout from an address
    /// that went away.
    pub(crate) local: Option<IpAddress>,
}

/// The socket of a stream whose handle was closed, finishing its close.
struct Orphan {
    socket: SocketHandle,
    since: Instant,
    /// Whether smoltcp has been told to send the FIN.
    fin_queued: bool,
}

/// What may have changed a socket's state since it was last looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cause {
    /// A segment from the peer was just processed.
    Segment,
    /// The sockets just sent, and their timers ran.
    Timer,
}

impl TcpSockets {
    /// No handles; `connect` starts its ports at a place `seed` picks.
    pub(crate) fn new(seed: u64) -> TcpSockets {
        let span = u64::from(EPHEMERAL_PORTS.end() - EPHEMERAL_PORTS.start()) + 1;
        TcpSockets {
            listeners: BTreeMap::new(),
            streams: BTreeMap::new(),
            orphans: Vec::new(),
            last_handle: 0,
            next_port: EPHEMERAL_PORTS.start() + (seed % span) as u16,
        }
    }

    /// The next handle number not in use: numbers come back only after
    /// four billion more.
    pub(crate) fn handle(&mut self) -> u32 {
        loop {
            self.last_handle = self.last_handle.wrapping_add(1);
            let n = self.last_handle;
            if !self.listeners.contains_key(&n) && !self.streams.contains_key(&n) {
                return n;
            }
        }
    }

    /// How many TCP sockets exist.
    fn in_use(&self) -> usize {
        let listening: usize = self.listeners.values().map(|l| l.armed.len() + l.ready.len()).sum();
        listening + self.streams.len() + self.orphans.len()
    }

    /// A new socket, closed, in `sockets`; or `None` at [`MAX_SOCKETS`]
    /// with no orphan in TIME-WAIT to take over.
    pub(crate) fn take(&mut self, sockets: &mut SocketSet<'static>) -> Option<SocketHandle> {
        if self.in_use() >= MAX_SOCKETS {
            let oldest = self
                .orphans
                .iter()
                .position(|orphan| sockets.get::<tcp::Socket>(orphan.socket).state() == State::TimeWait)?;
            sockets.remove(self.orphans.remove(oldest).socket);
        }
        let mut socket = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0; BUFFER_BYTES]),
            tcp::SocketBuffer::new(vec![0; BUFFER_BYTES]),
        );
        socket.set_timeout(Some(smoltcp_duration(CONNECT_TIMEOUT)));
        // No delayed ACKs: a poll already answers every segment it took
        // with one ACK. And a socket in TIME-WAIT has then sent its last
        // ACK by the end of the poll that brought the peer's FIN, so that
        // `take` can take it over without leaving the peer in LAST-ACK.
        socket.set_ack_delay(None);
        socket.set_keep_alive(Some(smoltcp_duration(KEEP_ALIVE)));
        Some(sockets.add(socket))
    }

    /// A local port for a new connection: the next in
    /// [`EPHEMERAL_PORTS`] that no socket and no listener uses.
    pub(crate) fn ephemeral_port(&mut self, sockets: &SocketSet<'static>) -> Option<u16> {
        for _ in EPHEMERAL_PORTS {
            let port = self.next_port;
            self.next_port = if port == *EPHEMERAL_PORTS.end() { *EPHEMERAL_PORTS.start() } else { port + 1 };
            let taken = self.listeners.values().any(|l| l.port == port)
                || sockets.iter().any(|(_, socket)| match socket {
                    Socket::Tcp(socket) => socket.local_endpoint().is_some_and(|end| end.port == port),
                    _ => false,
                });
            if !taken {
                return Some(port);
            }
        }
        None
    }

    /// Gives listener `id` sockets that listen, up to [`BACKLOG`] in all,
    /// as far as sockets are left.
    pub(crate) fn arm(&mut self, id: u32, sockets: &mut SocketSet<'static>) {
        while let Some(listener) = self.listeners.get(&id)
            && listener.armed.len() + listener.ready.len() < BACKLOG
        {
            let port = listener.port;
            let Some(handle) = self.take(sockets) else { return };
            // A new socket, and a port that is not 0: listen cannot fail.
            let _ = sockets.get_mut::<tcp::Socket>(handle).listen(port);
            if let Some(listener) = self.listeners.get_mut(&id) {
                listener.armed.push(handle);
            }
        }
    }

    /// Takes `handle` over from a program that closed it: closes it
    /// gracefully (the bytes written still go, then a FIN, unless
    /// `fin_queued` says it is on its way), and removes it once it is
    /// closed, here if it already is.
    pub(crate) fn orphan(
        &mut self,
        sockets: &mut SocketSet<'static>,
        handle: SocketHandle,
        fin_queued: bool,
        now: Instant,
    ) {
        let socket = sockets.get_mut::<tcp::Socket>(handle);
        let fin_queued = fin_queued || queue_fin(socket);
        if finished(socket) {
            sockets.remove(handle);
        } else {
            self.orphans.push(Orphan { socket: handle, since: now, fin_queued });
        }
    }

    /// Ends a socket that was never a stream: a listening one is removed
    /// at once, one with a peer is reset (an orphan until the reset is
    /// sent).
    pub(crate) fn abort(&mut self, sockets: &mut SocketSet<'static>, handle: SocketHandle, now: Instant) {
        sockets.get_mut::<tcp::Socket>(handle).abort();
        self.orphan(sockets, handle, true, now);
    }

    /// Queues the FIN of every stream shut down (or closed) whose bytes
    /// have all been acknowledged since.
    pub(crate) fn queue_fins(&mut self, sockets: &mut SocketSet<'static>) {
        for stream in self.streams.values_mut() {
            if stream.shut && !stream.fin_queued && stream.failed.is_none() {
                stream.fin_queued = queue_fin(sockets.get_mut::<tcp::Socket>(stream.socket));
            }
        }
        for orphan in self.orphans.iter_mut().filter(|orphan| !orphan.fin_queued) {
            orphan.fin_queued = queue_fin(sockets.get_mut::<tcp::Socket>(orphan.socket));
        }
    }

    /// Looks at every socket after something that may have changed them
    /// (see [`Cause`]): records how streams ended, saves the bytes of a
    /// stream entering TIME-WAIT, and moves listeners' sockets that
    /// connected to their `ready` lists. Says whether anything changed.
    pub(crate) fn observe(&mut self, sockets: &mut SocketSet<'static>, cause: Cause, iface: &Interface) -> bool {
        let mut changed = false;
        for stream in self.streams.values_mut() {
            let socket = sockets.get_mut::<tcp::Socket>(stream.socket);
            let state = socket.state();
            if state == stream.last || stream.failed.is_some() {
                continue;
            }
            changed = true;
            if state == State::TimeWait {
                let saved = &mut stream.saved;
                // Two takes at most: the buffer is a ring.
                while socket
                    .recv(|bytes| {
                        saved.extend(bytes.iter());
                        (bytes.len(), bytes.len())
                    })
                    .is_ok_and(|n| n > 0)
                {}
            }
            if stream.last == State::SynSent {
                made(socket);
            }
            if state == State::Closed {
                let gone = stream.local.is_some_and(|local| !iface.has_ip_addr(local));
                stream.failed = ended(stream.last, cause, gone);
            }
            stream.last = state;
        }
        for listener in self.listeners.values_mut() {
            let port = listener.port;
            let mut i = 0;
            while let Some(&handle) = listener.armed.get(i) {
                let socket = sockets.get_mut::<tcp::Socket>(handle);
                match socket.state() {
                    State::Listen | State::SynReceived => i += 1,
                    // The handshake timed out: listen again.
                    State::Closed => {
                        let _ = socket.listen(port);
                        i += 1;
                    }
                    _ => {
                        made(socket);
                        listener.ready.push_back(listener.armed.remove(i));
                        changed = true;
                    }
                }
            }
            // A peer that reset before it was accepted is gone: its
            // socket listens again.
            listener.ready.retain(|&handle| {
                let socket = sockets.get_mut::<tcp::Socket>(handle);
                if socket.state() != State::Closed {
                    return true;
                }
                let _ = socket.listen(port);
                socket.set_timeout(Some(smoltcp_duration(CONNECT_TIMEOUT)));
                listener.armed.push(handle);
                changed = true;
                false
            });
        }
        changed
    }

    /// Removes the orphans that are closed, resets those past
    /// [`LINGER`], and arms listeners that lack sockets. Says whether
    /// anything changed.
    pub(crate) fn tidy(&mut self, sockets: &mut SocketSet<'static>, now: Instant) -> bool {
        let before = self.orphans.len();
        let mut reset = false;
        self.orphans.retain(|orphan| {
            let socket = sockets.get_mut::<tcp::Socket>(orphan.socket);
            let overdue = now.saturating_duration_since(orphan.since) >= LINGER;
            if finished(socket) || (overdue && socket.state() == State::Closed) {
                // Closed; or reset a poll ago and the reset still not
                // sent (no route to the peer): give up on it.
                sockets.remove(orphan.socket);
                return false;
            }
            if overdue {
                socket.abort();
                reset = true;
            }
            true
        });
        let ids: Vec<u32> = self.listeners.keys().copied().collect();
        for id in ids {
            self.arm(id, sockets);
        }
        reset || self.orphans.len() != before
    }

    /// When the first orphan runs out of [`LINGER`].
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.orphans.iter().filter_map(|orphan| orphan.since.checked_add(LINGER)).min()
    }
}

/// Gives `socket`, whose connection was just made, the timeout of a
/// connection that is made.
fn made(socket: &mut tcp::Socket) {
    socket.set_timeout(Some(smoltcp_duration(TIMEOUT)));
}

/// smoltcp's name for `duration`.
fn smoltcp_duration(duration: core::time::Duration) -> smoltcp::time::Duration {
    smoltcp::time::Duration::from_micros(u64::try_from(duration.as_micros()).unwrap_or(u64::MAX))
}

/// Tells smoltcp to send the FIN (`close`) if every byte written has been
/// acknowledged; says whether it did.
pub(crate) fn queue_fin(socket: &mut tcp::Socket) -> bool {
    if socket.send_queue() > 0 {
        return false;
    }
    socket.close();
    true
}

/// Whether `socket` is closed for good: no reset waits to be sent.
fn finished(socket: &tcp::Socket) -> bool {
    socket.state() == State::Closed && socket.remote_endpoint().is_none()
}

/// The error a stream ended with, if any, when its socket went from
/// state `last` to closed because of `cause`; `gone` if the stream's
/// local address is no longer the interface's.
///
/// | from | a segment came (a reset) | a timer ran |
/// |---|---|---|
/// | TIME-WAIT | the end, no error | the end, no error |
/// | LAST-ACK | the end: the ACK of our FIN | `TimedOut` (our last bytes or FIN never acknowledged) |
/// | SYN-SENT, SYN-RECEIVED | `Refused` | `TimedOut`, or `Reset` if `gone` |
/// | any other | `Reset` | `TimedOut`, or `Reset` if `gone` |
pub(crate) fn ended(last: State, cause: Cause, gone: bool) -> Option<TcpError> {
    match (last, cause) {
        (State::TimeWait, _) | (State::LastAck, Cause::Segment) => None,
        (_, Cause::Timer) if gone => Some(TcpError::Reset),
        (_, Cause::Timer) => Some(TcpError::TimedOut),
        (State::SynSent | State::SynReceived, Cause::Segment) => Some(TcpError::Refused),
        (_, Cause::Segment) => Some(TcpError::Reset),
    }
}
