//! [`HostTcp`]: the [`Tcp`] trait over the host's sockets.
//!
//! Every socket is put in non-blocking mode, so each call is one system
//! call that returns at once, and the host's `EAGAIN` is the contract's
//! [`TcpError::WouldBlock`]. The host's kernel does the stack's work in
//! the background (on the loopback, within microseconds), so a caller's
//! poll can be a short sleep, or nothing.
//!
//! - **Listeners are on 127.0.0.1 only.** Nothing but this machine can
//!   connect to them: the tests that use this stay on the machine, and a
//!   hosted server is never opened to the network by accident.
//!   [`connect`](Tcp::connect) goes to any address.
//! - **Connecting does not wait.** std's `TcpStream::connect` waits for the
//!   handshake, and `connect_timeout` waits up to its timeout; std has no
//!   connect that returns at once. So `connect` makes the socket with the
//!   `socket2` crate, sets it non-blocking first, and calls `connect(2)`,
//!   which says `EINPROGRESS` and carries on in the host's kernel (what
//!   `mio`, under tokio, does too). Later calls look at the socket
//!   (`SO_ERROR`, then `getpeername`) to learn whether the handshake ended.
//! - **Handles are keys of two maps** (listeners and streams), from one
//!   counter: a number comes back only after four billion more.
//! - **A failed stream stays failed.** The host reports a reset once, then
//!   reads give end-of-stream; the contract wants the same error every
//!   time, so the first one is kept and repeated.

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, SocketAddrV4, TcpListener, TcpStream};

use fledge_api::tcp::{Listener, Stream, Tcp, TcpError};
use socket2::{Domain, Protocol, Socket, Type};

/// A [`Tcp`] over the host's sockets, listening on 127.0.0.1.
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddrV4};
///
/// use fledge_api::tcp::{Tcp, TcpError};
/// use fledge_hosted::HostTcp;
///
/// /// Calls `call` until it stops saying WouldBlock. (A kernel would
/// /// poll its stack in between; the host's works on its own.)
/// fn wait<R>(mut call: impl FnMut() -> Result<R, TcpError>) -> Result<R, TcpError> {
///     loop {
///         match call() {
///             Err(TcpError::WouldBlock) => std::thread::sleep(std::time::Duration::from_millis(1)),
///             result => return result,
///         }
///     }
/// }
///
/// let mut tcp = HostTcp::new();
/// // The first port from 30000 on that nothing else listens on.
/// let (listener, port) = (30_000..31_000).find_map(|port| Some((tcp.listen(port).ok()?, port))).unwrap();
/// let client = tcp.connect(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)).unwrap();
/// let (server, peer) = wait(|| tcp.accept(listener)).unwrap();
/// assert_eq!(*peer.ip(), Ipv4Addr::LOCALHOST);
/// assert_eq!(wait(|| tcp.write(client, b"hello")), Ok(5));
/// tcp.shutdown(client).unwrap();
/// let mut buf = [0; 8];
/// assert_eq!(wait(|| tcp.read(server, &mut buf)), Ok(5));
/// assert_eq!(wait(|| tcp.read(server, &mut buf)), Ok(0), "the end of the client's stream");
/// tcp.close(server).unwrap();
/// tcp.close(client).unwrap();
/// tcp.unlisten(listener).unwrap();
/// ```
#[derive(Debug, Default)]
pub struct HostTcp {
    listeners: HashMap<Listener, TcpListener>,
    streams: HashMap<Stream, Entry>,
    /// The last handle number given out.
    last: u32,
}

/// A stream's socket, and what the trait's caller has seen of it.
#[derive(Debug)]
struct Entry {
    socket: TcpStream,
    state: State,
    /// Whether the caller shut it down for writing.
    shut: bool,
}

#[derive(Clone, Copy, Debug)]
enum State {
    /// `connect(2)` said `EINPROGRESS`; the handshake has not ended yet.
    Connecting,
    Open,
    /// The connection ended with this error (`Refused`, `Reset` or
    /// `TimedOut`), which every later call repeats.
    Failed(TcpError),
}

impl HostTcp {
    /// A stack with no listeners and no streams.
    pub fn new() -> HostTcp {
        HostTcp::default()
    }

    /// The next handle number that is not in use, as a listener or a
    /// stream.
    fn handle(&mut self) -> u32 {
        loop {
            self.last = self.last.wrapping_add(1);
            let n = self.last;
            if !self.listeners.contains_key(&Listener(n)) && !self.streams.contains_key(&Stream(n)) {
                return n;
            }
        }
    }

    /// The entry of `stream` if its connection is made; `WouldBlock`
    /// while it is being made, its error if it failed, `Closed` if there
    /// is no such stream.
    fn open(&mut self, stream: Stream) -> Result<&mut Entry, TcpError> {
        let entry = self.streams.get_mut(&stream).ok_or(TcpError::Closed)?;
        if let State::Connecting = entry.state {
            entry.state = handshake(&entry.socket);
        }
        match entry.state {
            State::Connecting => Err(TcpError::WouldBlock),
            State::Failed(error) => Err(error),
            State::Open => Ok(entry),
        }
    }
}

/// Where the handshake of a connecting socket stands: a pending error
/// (`SO_ERROR`) means it failed; a peer address means it is done.
fn handshake(socket: &TcpStream) -> State {
    match socket.take_error() {
        Ok(Some(error)) | Err(error) => State::Failed(ended(&error)),
        Ok(None) => match socket.peer_addr() {
            Ok(_) => State::Open,
            Err(error) if error.kind() == ErrorKind::NotConnected => State::Connecting,
            Err(error) => State::Failed(ended(&error)),
        },
    }
}

impl Entry {
    /// Sorts a host error of a read, write or shutdown: `WouldBlock` is
    /// given back as it is; anything else ends the connection, and is kept.
    fn fail(&mut self, error: &io::Error) -> TcpError {
        match tcp_error(error) {
            TcpError::WouldBlock => TcpError::WouldBlock,
            _ => {
                let error = ended(error);
                self.state = State::Failed(error);
                error
            }
        }
    }
}

/// The contract's error for a host error:
///
/// | host error | `TcpError` |
/// |---|---|
/// | `EAGAIN`, `EINTR` | `WouldBlock` (`EINTR`: the call did nothing, try again) |
/// | `ECONNREFUSED` | `Refused` |
/// | `ETIMEDOUT`, `EHOSTUNREACH`, `ENETUNREACH`, `ENETDOWN` | `TimedOut`: the peer was not reached |
/// | `EADDRINUSE` | `AddrInUse` |
/// | `EMFILE`, `ENFILE`, `ENOMEM`, `ENOBUFS`, `EADDRNOTAVAIL` (no local port left) | `NoSockets` |
/// | `EACCES`, `EINVAL` (a privileged port, a broadcast address) | `BadAddress` |
/// | anything else (`ECONNRESET`, `ECONNABORTED`, `EPIPE`, `ENOTCONN`, ...) | `Reset` |
fn tcp_error(error: &io::Error) -> TcpError {
    if let Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS) = error.raw_os_error() {
        return TcpError::NoSockets;
    }
    match error.kind() {
        ErrorKind::WouldBlock | ErrorKind::Interrupted => TcpError::WouldBlock,
        ErrorKind::ConnectionRefused => TcpError::Refused,
        ErrorKind::TimedOut | ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable | ErrorKind::NetworkDown => {
            TcpError::TimedOut
        }
        ErrorKind::AddrInUse => TcpError::AddrInUse,
        ErrorKind::OutOfMemory | ErrorKind::AddrNotAvailable => TcpError::NoSockets,
        ErrorKind::PermissionDenied | ErrorKind::InvalidInput => TcpError::BadAddress,
        _ => TcpError::Reset,
    }
}

/// The contract's error for a host error that ended a connection: one of
/// the three a failed stream may give.
fn ended(error: &io::Error) -> TcpError {
    match tcp_error(error) {
        error @ (TcpError::Refused | TcpError::TimedOut) => error,
        _ => TcpError::Reset,
    }
}

impl Tcp for HostTcp {
    fn listen(&mut self, port: u16) -> Result<Listener, TcpError> {
        if port == 0 {
            // The host would pick a port, but the trait cannot say which.
            return Err(TcpError::BadAddress);
        }
        // std sets SO_REUSEADDR, so a port whose last connections are in
        // TIME_WAIT can be listened on again at once.
        let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)).map_err(|e| tcp_error(&e))?;
        listener.set_nonblocking(true).map_err(|e| tcp_error(&e))?;
        let handle = Listener(self.handle());
        self.listeners.insert(handle, listener);
        Ok(handle)
    }

    fn accept(&mut self, listener: Listener) -> Result<(Stream, SocketAddrV4), TcpError> {
        let listener = self.listeners.get(&listener).ok_or(TcpError::Closed)?;
        let (socket, peer) = loop {
            match listener.accept() {
                Ok(accepted) => break accepted,
                // A peer that reset before it was accepted is gone (BSDs
                // say so; Linux drops it quietly): take the next.
                Err(error) if error.kind() == ErrorKind::ConnectionAborted => continue,
                Err(error) => return Err(tcp_error(&error)),
            }
        };
        // An accepted socket does not inherit the listener's O_NONBLOCK.
        socket.set_nonblocking(true).map_err(|e| tcp_error(&e))?;
        let SocketAddr::V4(peer) = peer else {
            unreachable!("a peer of a listener on 127.0.0.1 has an IPv4 address, not {peer}")
        };
        let handle = Stream(self.handle());
        self.streams.insert(handle, Entry { socket, state: State::Open, shut: false });
        Ok((handle, peer))
    }

    fn connect(&mut self, remote: SocketAddrV4) -> Result<Stream, TcpError> {
        let ip = remote.ip();
        if remote.port() == 0 || ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast() {
            return Err(TcpError::BadAddress);
        }
        let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).map_err(|e| tcp_error(&e))?;
        socket.set_nonblocking(true).map_err(|e| tcp_error(&e))?;
        let state = match socket.connect(&SocketAddr::V4(remote).into()) {
            Ok(()) => State::Open,
            Err(error) if error.raw_os_error() == Some(libc::EINPROGRESS) => State::Connecting,
            Err(error) => match tcp_error(&error) {
                // Interrupted: the handshake goes on without us.
                TcpError::WouldBlock => State::Connecting,
                // Kept for the first read or write, as the contract says.
                TcpError::Refused | TcpError::Reset | TcpError::TimedOut => State::Failed(ended(&error)),
                refusal => return Err(refusal),
            },
        };
        let handle = Stream(self.handle());
        self.streams.insert(handle, Entry { socket: socket.into(), state, shut: false });
        Ok(handle)
    }

    fn read(&mut self, stream: Stream, buf: &mut [u8]) -> Result<usize, TcpError> {
        if buf.is_empty() {
            return self.streams.get(&stream).map(|_| 0).ok_or(TcpError::Closed);
        }
        let entry = self.open(stream)?;
        entry.socket.read(buf).map_err(|error| entry.fail(&error))
    }

    fn write(&mut self, stream: Stream, buf: &[u8]) -> Result<usize, TcpError> {
        if self.streams.get(&stream).is_some_and(|entry| entry.shut) {
            return Err(TcpError::Closed);
        }
        let entry = self.open(stream)?;
        if buf.is_empty() {
            return Ok(0);
        }
        // std sends with MSG_NOSIGNAL: a write to a reset connection is
        // EPIPE, not a SIGPIPE that kills the process.
        entry.socket.write(buf).map_err(|error| entry.fail(&error))
    }

    fn shutdown(&mut self, stream: Stream) -> Result<(), TcpError> {
        let entry = self.open(stream)?;
        if !entry.shut {
            entry.socket.shutdown(Shutdown::Write).map_err(|error| entry.fail(&error))?;
            entry.shut = true;
        }
        Ok(())
    }

    fn close(&mut self, stream: Stream) -> Result<(), TcpError> {
        // Dropping the socket closes it: the host's kernel sends what is
        // left and a FIN in the background (or a reset, if bytes the peer
        // sent were never read).
        self.streams.remove(&stream).map(drop).ok_or(TcpError::Closed)
    }

    fn unlisten(&mut self, listener: Listener) -> Result<(), TcpError> {
        // Peers that waited to be accepted are reset by the host.
        self.listeners.remove(&listener).map(drop).ok_or(TcpError::Closed)
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn host_errors_sort_into_the_contracts() {
        let kind = |kind: ErrorKind| tcp_error(&io::Error::from(kind));
        assert_eq!(kind(ErrorKind::WouldBlock), TcpError::WouldBlock);
        assert_eq!(kind(ErrorKind::ConnectionRefused), TcpError::Refused);
        assert_eq!(kind(ErrorKind::ConnectionReset), TcpError::Reset);
        assert_eq!(kind(ErrorKind::BrokenPipe), TcpError::Reset);
        assert_eq!(kind(ErrorKind::HostUnreachable), TcpError::TimedOut);
        assert_eq!(kind(ErrorKind::AddrInUse), TcpError::AddrInUse);
        assert_eq!(tcp_error(&io::Error::from_raw_os_error(libc::EMFILE)), TcpError::NoSockets);
        assert_eq!(ended(&io::Error::from(ErrorKind::AddrInUse)), TcpError::Reset, "a stream ends in one of three");
        assert_eq!(ended(&io::Error::from(ErrorKind::ConnectionRefused)), TcpError::Refused);
    }

    #[test]
    fn bad_addresses_and_unknown_handles_are_refused() {
        let mut tcp = HostTcp::new();
        assert_eq!(tcp.listen(0), Err(TcpError::BadAddress));
        for remote in [SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0), SocketAddrV4::new(Ipv4Addr::BROADCAST, 80)] {
            assert_eq!(tcp.connect(remote), Err(TcpError::BadAddress), "{remote}");
        }
        assert_eq!(tcp.read(Stream(7), &mut [0; 4]), Err(TcpError::Closed));
        assert_eq!(tcp.read(Stream(7), &mut []), Err(TcpError::Closed));
        assert_eq!(tcp.write(Stream(7), b"x"), Err(TcpError::Closed));
        assert_eq!(tcp.accept(Listener(7)), Err(TcpError::Closed));
        assert_eq!(tcp.unlisten(Listener(7)), Err(TcpError::Closed));
    }
}
