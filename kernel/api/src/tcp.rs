//! Connections: the [`Tcp`] trait.
//!
//! TCP turns a network that loses, repeats and reorders packets into
//! *streams*: two byte pipes, one each way, between two programs. What a
//! program sees of it is small, and the same whatever does the work: a
//! stack in the kernel over a network card (exercise 11: smoltcp over
//! virtio-net) or the host's own sockets in a Linux process. MirageOS
//! draws the line in the same place, as the `TCP` module type that its
//! direct stack and its Unix-socket stack both satisfy; this trait is that
//! signature for a kernel with no threads to block: every call returns at
//! once, and [`TcpError::WouldBlock`] says "not yet, try again after the
//! stack has had time to work".
//!
//! A program names its listeners and streams by small handles,
//! [`Listener`] and [`Stream`], given out by the implementation, which
//! keeps the sockets, buffers and timers behind them.
//!
//! # States, as the caller sees them
//!
//! ```text
//!    listen(port)                              connect(remote)
//!         |                                           |
//!         v                                           v
//!   +-----------+                              +------------+
//!   | listening |                              | connecting |  read, write, shutdown:
//!   +-----------+                              +------------+  WouldBlock
//!     |       |                       handshake  |        | refused, or no answer
//! unlisten()  | accept(): a stream         done  |        v
//!             | for each peer that came          |    +--------+  read, write, shutdown:
//!             v                                  v    | failed |  Refused, TimedOut or
//!         +--------------------------------------+    +--------+  Reset, every time
//!         |                 open                 |--------^
//!         +--------------------------------------+  the peer reset it, or
//!                            |                      stopped answering (also
//!                            | shutdown(): a FIN    from shut down)
//!                            v after the bytes written
//!         +--------------------------------------+
//!         |               shut down              |  write: Closed; read goes on
//!         +--------------------------------------+
//!
//!   read, in open and shut down: bytes; WouldBlock while none are there;
//!   Ok(0) once the peer has shut down and every byte it sent was read.
//!   close(stream), from any state: the handle is gone, calls with it give Closed.
//! ```
//!
//! Implementations: `fledge_hosted::HostTcp`, over the host's sockets;
//! smoltcp over a network device (exercise 11). `fledge_conformance::tcp`
//! checks any of them against the contract on [`Tcp`].
//!
//! # An example implementation
//!
//! One machine that talks only to itself, with no network in between: a
//! connection is made at once, written bytes land straight in the peer's
//! buffer, and every buffer is as large as the heap. It keeps the contract
//! (a real stack adds the waiting).
//!
//! ```
//! use core::net::{Ipv4Addr, SocketAddrV4};
//! use std::collections::{HashMap, VecDeque};
//!
//! use fledge_api::tcp::{Listener, Stream, Tcp, TcpError};
//!
//! /// One end of a connection.
//! struct End { port: u16, peer: Stream, received: VecDeque<u8>, shut: bool, peer_shut: bool }
//!
//! #[derive(Default)]
//! struct Loopback {
//!     handles: u32,
//!     /// Each listener's port, and the streams that wait to be accepted.
//!     listeners: HashMap<Listener, (u16, VecDeque<Stream>)>,
//!     ends: HashMap<Stream, End>,
//! }
//!
//! impl Loopback {
//!     fn handle(&mut self) -> u32 { self.handles += 1; self.handles }
//! }
//!
//! impl Tcp for Loopback {
//!     fn listen(&mut self, port: u16) -> Result<Listener, TcpError> {
//!         if port == 0 { return Err(TcpError::BadAddress) }
//!         if self.listeners.values().any(|(p, _)| *p == port) { return Err(TcpError::AddrInUse) }
//!         let listener = Listener(self.handle());
//!         self.listeners.insert(listener, (port, VecDeque::new()));
//!         Ok(listener)
//!     }
//!     fn accept(&mut self, listener: Listener) -> Result<(Stream, SocketAddrV4), TcpError> {
//!         let (_, waiting) = self.listeners.get_mut(&listener).ok_or(TcpError::Closed)?;
//!         let stream = waiting.pop_front().ok_or(TcpError::WouldBlock)?;
//!         let peer = self.ends[&self.ends[&stream].peer].port;
//!         Ok((stream, SocketAddrV4::new(Ipv4Addr::LOCALHOST, peer)))
//!     }
//!     fn connect(&mut self, remote: SocketAddrV4) -> Result<Stream, TcpError> {
//!         if *remote.ip() != Ipv4Addr::LOCALHOST || remote.port() == 0 { return Err(TcpError::BadAddress) }
//!         let (mine, theirs) = (Stream(self.handle()), Stream(self.handle()));
//!         let (_, waiting) = self.listeners.values_mut().find(|(p, _)| *p == remote.port()).ok_or(TcpError::Refused)?;
//!         waiting.push_back(theirs);
//!         let end = |port, peer| End { port, peer, received: VecDeque::new(), shut: false, peer_shut: false };
//!         self.ends.insert(mine, end(50_000 + mine.0 as u16, theirs));
//!         self.ends.insert(theirs, end(remote.port(), mine));
//!         Ok(mine)
//!     }
//!     fn read(&mut self, stream: Stream, buf: &mut [u8]) -> Result<usize, TcpError> {
//!         let end = self.ends.get_mut(&stream).ok_or(TcpError::Closed)?;
//!         let n = end.received.len().min(buf.len());
//!         buf.iter_mut().zip(end.received.drain(..n)).for_each(|(to, from)| *to = from);
//!         if n == 0 && !buf.is_empty() && !end.peer_shut { return Err(TcpError::WouldBlock) }
//!         Ok(n)
//!     }
//!     fn write(&mut self, stream: Stream, buf: &[u8]) -> Result<usize, TcpError> {
//!         let &End { shut, peer, .. } = self.ends.get(&stream).ok_or(TcpError::Closed)?;
//!         if shut { return Err(TcpError::Closed) }
//!         // A peer that was closed would answer with a reset.
//!         self.ends.get_mut(&peer).ok_or(TcpError::Reset)?.received.extend(buf);
//!         Ok(buf.len())
//!     }
//!     fn shutdown(&mut self, stream: Stream) -> Result<(), TcpError> {
//!         let end = self.ends.get_mut(&stream).ok_or(TcpError::Closed)?;
//!         end.shut = true;
//!         let peer = end.peer;
//!         if let Some(peer) = self.ends.get_mut(&peer) { peer.peer_shut = true }
//!         Ok(())
//!     }
//!     fn close(&mut self, stream: Stream) -> Result<(), TcpError> {
//!         self.shutdown(stream)?;
//!         self.ends.remove(&stream);
//!         Ok(())
//!     }
//!     fn unlisten(&mut self, listener: Listener) -> Result<(), TcpError> {
//!         let (_, waiting) = self.listeners.remove(&listener).ok_or(TcpError::Closed)?;
//!         waiting.into_iter().try_for_each(|stream| self.close(stream))
//!     }
//! }
//!
//! let mut tcp = Loopback::default();
//! let listener = tcp.listen(7).unwrap();
//! assert_eq!(tcp.listen(7), Err(TcpError::AddrInUse));
//! assert_eq!(tcp.connect(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8)), Err(TcpError::Refused));
//! let client = tcp.connect(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 7)).unwrap();
//! let (server, peer) = tcp.accept(listener).unwrap();
//! assert_eq!((*peer.ip(), tcp.accept(listener)), (Ipv4Addr::LOCALHOST, Err(TcpError::WouldBlock)));
//!
//! let mut buf = [0; 16];
//! assert_eq!(tcp.read(server, &mut buf), Err(TcpError::WouldBlock), "nothing sent yet");
//! assert_eq!(tcp.write(client, b"hello"), Ok(5));
//! tcp.shutdown(client).unwrap();
//! assert_eq!(tcp.write(client, b"more"), Err(TcpError::Closed), "shut down for writing");
//! assert_eq!(tcp.read(server, &mut buf), Ok(5));
//! assert_eq!(tcp.read(server, &mut buf), Ok(0), "the client has shut down: the end of its stream");
//! // The other direction stays open until the server shuts it.
//! assert_eq!(tcp.write(server, b"bye"), Ok(3));
//! assert_eq!(tcp.read(client, &mut buf), Ok(3));
//! tcp.close(server).unwrap();
//! tcp.close(client).unwrap();
//! assert_eq!(tcp.read(client, &mut buf), Err(TcpError::Closed), "the handle is gone");
//! ```

use core::fmt;
use core::net::SocketAddrV4;

/// A listening port, as [`Tcp::listen`] gave it. The number means something
/// only to the implementation that gave it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Listener(pub u32);

/// One end of a connection, as [`Tcp::connect`] or [`Tcp::accept`] gave it.
/// The number means something only to the implementation that gave it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Stream(pub u32);

// ANCHOR: error
/// Why a TCP call did not do what it was asked.
///
/// [`WouldBlock`](TcpError::WouldBlock) is not a failure: the call did
/// nothing, and the same call later may work. `Refused`, `Reset` and
/// `TimedOut` end a connection for good. The others are refusals of the
/// call: nothing was created or changed. (See "What an error leaves
/// behind" on [`Tcp`].)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpError {
    /// Nothing can be done yet: no bytes to read, no room to write, no
    /// peer to accept, the connection not made yet. Try again after the
    /// stack has had time to work.
    WouldBlock,
    /// The remote machine answered that nothing listens on that port.
    Refused,
    /// The connection was broken off: the peer reset it (it closed with
    /// bytes unread, or crashed and came back), or the stack below ended
    /// it.
    Reset,
    /// The peer stopped answering, or was never reached: the connection
    /// was given up.
    TimedOut,
    /// The stream was shut down for writing, and this was a write; or the
    /// handle was closed (or never given out) and is no longer valid.
    Closed,
    /// Something listens on that port already.
    AddrInUse,
    /// The implementation has no socket (or handle) left for another
    /// listener or stream. Closing streams frees them, some only once
    /// their connection has finished closing.
    NoSockets,
    /// The address cannot be used: port 0, a remote that no peer can have
    /// (0.0.0.0, a broadcast address), one the implementation cannot
    /// reach, or a port this program may not listen on.
    BadAddress,
}
// ANCHOR_END: error

impl fmt::Display for TcpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TcpError::WouldBlock => "the connection cannot proceed yet",
            TcpError::Refused => "the connection was refused: nothing listens on that port",
            TcpError::Reset => "the connection was reset",
            TcpError::TimedOut => "the peer stopped answering, and the connection was given up",
            TcpError::Closed => "the stream is shut down for writing, or the handle is closed",
            TcpError::AddrInUse => "the port is already listened on",
            TcpError::NoSockets => "no socket is left for another connection",
            TcpError::BadAddress => "the address or port cannot be used",
        })
    }
}

impl core::error::Error for TcpError {}

// ANCHOR: trait
/// TCP: listen for connections, make them, and move bytes both ways.
///
/// # Contract
///
/// **No call waits.** Each returns at once. When it cannot proceed yet it
/// returns [`TcpError::WouldBlock`] and has done nothing; the caller lets
/// the stack work (polls its interface, sleeps until a packet or a timer)
/// and calls again.
///
/// **Listening.** [`listen`](Self::listen) makes a listener on a port of
/// the implementation's address (or addresses; see its documentation), or
/// refuses with `AddrInUse` if one is there already, `BadAddress` for port
/// 0. [`accept`](Self::accept) gives a stream per peer whose connection is
/// made, with the peer's address, in the order they came; `WouldBlock`
/// while none waits. How many peers may wait to be accepted is the
/// implementation's; at least one. [`unlisten`](Self::unlisten) frees the
/// listener and its port; streams it gave out stay open, peers that waited
/// to be accepted are dropped.
///
/// **Connecting.** [`connect`](Self::connect) starts a connection and
/// returns its stream at once, before the handshake is done. Until it is,
/// `read`, `write` and `shutdown` of the stream give `WouldBlock`; a write
/// of an empty buffer gives `Ok(0)` once the connection is made, which is
/// how to wait for it without sending. If the handshake fails, they give
/// `Refused` (nothing listens there) or `TimedOut` (no answer). An
/// implementation that knows at once may return `Refused` from `connect`
/// itself (a loopback with no listener on the port); a caller handles it
/// in both places.
///
/// **Bytes.** Each direction of a stream carries bytes in order, each
/// exactly once: the bytes a peer reads are a prefix of the bytes written
/// to it, with nothing lost, repeated, reordered or added, and all of them
/// if the connection ends normally. Writes and reads may split or join the
/// bytes in any way.
///
/// - [`write`](Self::write) takes bytes from the start of `buf` and says
///   how many: `Ok(n)` with `1 <= n <= buf.len()` (fewer when the send
///   buffer has less room), or `WouldBlock` when it has none. Bytes taken
///   will be sent; the rest were not, and the caller offers them again.
/// - [`read`](Self::read) fills the start of `buf` with the next bytes and
///   says how many, `Ok(n)` with `n >= 1`; `WouldBlock` when none are
///   there; and `Ok(0)` only at the end: the peer has shut down (or
///   closed), and every byte it sent has been read. From then on every
///   read gives `Ok(0)`.
/// - An empty `buf` moves nothing. A read into it gives `Ok(0)` (for any
///   valid handle), which says nothing about the stream; a write of it
///   gives `Ok(0)` once the connection is made (see above).
///
/// **Ending.** [`shutdown`](Self::shutdown) ends one direction: after
/// the bytes already written, the peer is told there will be no more (a
/// FIN), and sees the end of the stream once it has read them. Writes then
/// give `Closed`; reads go on, since the peer may still send. A second
/// shutdown does nothing. [`close`](Self::close) ends the caller's use of
/// the stream and frees the handle, at once, from any state. If the
/// connection is open, it is closed gracefully in the background: bytes
/// written are still delivered, then a FIN, as by `shutdown`. But a stack
/// may reset the connection instead if bytes the peer sent were never
/// read (Linux does, as RFC 1122 allows): to end cleanly, read to the end
/// of the stream before closing, or let the peer close first.
///
/// **What an error leaves behind.**
///
/// - `WouldBlock`, `Closed`, `AddrInUse`, `NoSockets` and `BadAddress`
///   change nothing: no handle is made, no byte moves, the stream keeps
///   its state.
/// - `Refused`, `Reset` and `TimedOut` end the connection: every later
///   `read`, `write` and `shutdown` of the stream gives the same error (a
///   write after the caller's own shutdown may give `Closed` instead).
///   Bytes written before may or may not have arrived. The handle stays
///   valid until `close`, which frees it and returns `Ok`.
/// - A handle that was closed (or unlistened, or never given out) gives
///   `Closed` from every call, until the implementation gives its number
///   out again. Implementations reuse numbers as late as they can.
///
/// `fledge_conformance::tcp` checks an implementation against this
/// contract.
pub trait Tcp {
    /// Listens for connections on `port`.
    fn listen(&mut self, port: u16) -> Result<Listener, TcpError>;

    /// Takes the next peer whose connection to `listener` is made: its
    /// stream, and the peer's address and port.
    fn accept(&mut self, listener: Listener) -> Result<(Stream, SocketAddrV4), TcpError>;

    /// Starts a connection to `remote`, and returns its stream before the
    /// connection is made.
    fn connect(&mut self, remote: SocketAddrV4) -> Result<Stream, TcpError>;

    /// Reads the next bytes of `stream` into the start of `buf`, and says
    /// how many: `Ok(0)` only at the end of the stream.
    fn read(&mut self, stream: Stream, buf: &mut [u8]) -> Result<usize, TcpError>;

    /// Writes bytes from the start of `buf` to `stream`, and says how many
    /// it took.
    fn write(&mut self, stream: Stream, buf: &[u8]) -> Result<usize, TcpError>;

    /// Ends the writing direction of `stream`: the peer reads to the end of
    /// the bytes written so far, then sees the end of the stream.
    fn shutdown(&mut self, stream: Stream) -> Result<(), TcpError>;

    /// Frees `stream`'s handle; an open connection is closed gracefully.
    fn close(&mut self, stream: Stream) -> Result<(), TcpError>;

    /// Stops listening, and frees `listener`'s handle and port.
    fn unlisten(&mut self, listener: Listener) -> Result<(), TcpError>;
}
// ANCHOR_END: trait

impl<T: Tcp + ?Sized> Tcp for &mut T {
    fn listen(&mut self, port: u16) -> Result<Listener, TcpError> {
        (**self).listen(port)
    }

    fn accept(&mut self, listener: Listener) -> Result<(Stream, SocketAddrV4), TcpError> {
        (**self).accept(listener)
    }

    fn connect(&mut self, remote: SocketAddrV4) -> Result<Stream, TcpError> {
        (**self).connect(remote)
    }

    fn read(&mut self, stream: Stream, buf: &mut [u8]) -> Result<usize, TcpError> {
        (**self).read(stream, buf)
    }

    fn write(&mut self, stream: Stream, buf: &[u8]) -> Result<usize, TcpError> {
        (**self).write(stream, buf)
    }

    fn shutdown(&mut self, stream: Stream) -> Result<(), TcpError> {
        (**self).shutdown(stream)
    }

    fn close(&mut self, stream: Stream) -> Result<(), TcpError> {
        (**self).close(stream)
    }

    fn unlisten(&mut self, listener: Listener) -> Result<(), TcpError> {
        (**self).unlisten(listener)
    }
}
