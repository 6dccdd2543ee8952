//! The [`Tcp`] trait over smoltcp's TCP sockets.
//!
//! Each call looks at the sockets and returns at once; frames move only
//! in [`NetStack::poll`]. How the contract's words map onto smoltcp:
//!
//! | contract | here |
//! |---|---|
//! | `listen(port)` | [`BACKLOG`] sockets listen on `port` of every address the interface has; `AddrInUse` if a listener has the port |
//! | `accept` | the socket that connected first, from the listener's `ready` list; a fresh socket listens in its place |
//! | `connect(remote)` | a socket connects from the next free port of [`EPHEMERAL_PORTS`]; `BadAddress` if the interface has no address yet (DHCP) or no route to `remote` |
//! | `WouldBlock` | a handshake not done, an empty receive buffer, a full send buffer, no peer connected |
//! | `Ok(0)` from `read` | the peer's FIN came and every byte before it was read |
//! | `Refused` | the socket was connecting and a reset came: the peer has no listener there |
//! | `Reset` | a reset came once the connection was made (or its address went away) |
//! | `TimedOut` | no answer to the SYN for [`CONNECT_TIMEOUT`]; or, once made, the peer silent for [`TIMEOUT`], though asked every [`KEEP_ALIVE`] when idle |
//! | `NoSockets` | [`MAX_SOCKETS`] sockets exist, or no local port is free |
//! | `close` | the handle is freed at once; the socket closes gracefully in the background (`poll` removes it when it is closed, or resets it after [`LINGER`]) |
//!
//! smoltcp does not reset a connection closed with unread bytes (the
//! contract allows either): it sends a FIN after the bytes written, as
//! for any close.
//!
//! Buffers are [`BUFFER_BYTES`] (16 KiB) each way per socket; see
//! [`crate::limits`] for every number and why.
//!
//! [`BACKLOG`]: crate::limits::BACKLOG
//! [`BUFFER_BYTES`]: crate::limits::BUFFER_BYTES
//! [`CONNECT_TIMEOUT`]: crate::limits::CONNECT_TIMEOUT
//! [`EPHEMERAL_PORTS`]: crate::limits::EPHEMERAL_PORTS
//! [`KEEP_ALIVE`]: crate::limits::KEEP_ALIVE
//! [`LINGER`]: crate::limits::LINGER
//! [`MAX_SOCKETS`]: crate::limits::MAX_SOCKETS
//! [`TIMEOUT`]: crate::limits::TIMEOUT

use core::net::SocketAddrV4;

use fledge_api::tcp::{Listener, Stream, Tcp, TcpError};
use smoltcp::iface::SocketHandle;
use smoltcp::phy::Device;
use smoltcp::socket::tcp::{self, ConnectError, RecvError, State};
use smoltcp::wire::{IpAddress, IpEndpoint};

use crate::NetStack;
use crate::sockets::{self, Listening, Open};

impl<D: Device> NetStack<D> {
    /// The socket of `stream` if it may carry bytes: `Closed` for no such
    /// handle, its error if the connection ended with one, `WouldBlock`
    /// while the handshake is under way.
    fn open(&mut self, stream: Stream) -> Result<(&mut Open, &mut tcp::Socket<'static>), TcpError> {
        let entry = self.tcp.streams.get_mut(&stream.0).ok_or(TcpError::Closed)?;
        if let Some(error) = entry.failed {
            return Err(error);
        }
        let socket = self.sockets.get_mut::<tcp::Socket>(entry.socket);
        match socket.state() {
            State::SynSent | State::SynReceived => Err(TcpError::WouldBlock),
            _ => Ok((entry, socket)),
        }
    }

    /// Makes `socket` the stream of a new handle.
    fn new_stream(&mut self, socket: SocketHandle) -> Stream {
        let handle = self.tcp.handle();
        let smol = self.sockets.get::<tcp::Socket>(socket);
        let entry = Open {
            socket,
            last: smol.state(),
            failed: None,
            shut: false,
            fin_queued: false,
            saved: Default::default(),
            local: smol.local_endpoint().map(|end| end.addr),
        };
        self.tcp.streams.insert(handle, entry);
        Stream(handle)
    }
}

impl<D: Device> Tcp for NetStack<D> {
    fn listen(&mut self, port: u16) -> Result<Listener, TcpError> {
        if port == 0 {
            return Err(TcpError::BadAddress);
        }
        if self.tcp.listeners.values().any(|listener| listener.port == port) {
            return Err(TcpError::AddrInUse);
        }
        let id = self.tcp.handle();
        let listening = Listening { port, armed: Default::default(), ready: Default::default() };
        self.tcp.listeners.insert(id, listening);
        self.tcp.arm(id, &mut self.sockets);
        if self.tcp.listeners[&id].armed.is_empty() {
            self.tcp.listeners.remove(&id);
            return Err(TcpError::NoSockets);
        }
        Ok(Listener(id))
    }

    fn accept(&mut self, listener: Listener) -> Result<(Stream, SocketAddrV4), TcpError> {
        let listening = self.tcp.listeners.get_mut(&listener.0).ok_or(TcpError::Closed)?;
        let socket = listening.ready.pop_front().ok_or(TcpError::WouldBlock)?;
        let peer = match self.sockets.get::<tcp::Socket>(socket).remote_endpoint() {
            Some(IpEndpoint { addr: IpAddress::Ipv4(ip), port }) => SocketAddrV4::new(ip, port),
            // A socket in `ready` is connected, to an IPv4 peer: this
            // does not happen. Should it, the socket listens again.
            _ => {
                let _ = self.sockets.get_mut::<tcp::Socket>(socket).listen(listening.port);
                listening.armed.push(socket);
                return Err(TcpError::WouldBlock);
            }
        };
        let stream = self.new_stream(socket);
        self.tcp.arm(listener.0, &mut self.sockets);
        Ok((stream, peer))
    }

    fn connect(&mut self, remote: SocketAddrV4) -> Result<Stream, TcpError> {
        let ip = *remote.ip();
        if remote.port() == 0 || ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast() {
            return Err(TcpError::BadAddress);
        }
        let port = self.tcp.ephemeral_port(&self.sockets).ok_or(TcpError::NoSockets)?;
        let socket = self.tcp.take(&mut self.sockets).ok_or(TcpError::NoSockets)?;
        let remote_end = IpEndpoint::new(IpAddress::Ipv4(ip), remote.port());
        match self.sockets.get_mut::<tcp::Socket>(socket).connect(self.iface.context(), remote_end, port) {
            Ok(()) => Ok(self.new_stream(socket)),
            // No address yet, or none that reaches `remote`.
            Err(ConnectError::Unaddressable | ConnectError::InvalidState) => {
                self.sockets.remove(socket);
                Err(TcpError::BadAddress)
            }
        }
    }

    fn read(&mut self, stream: Stream, buf: &mut [u8]) -> Result<usize, TcpError> {
        if buf.is_empty() {
            return self.tcp.streams.get(&stream.0).map(|_| 0).ok_or(TcpError::Closed);
        }
        let (entry, socket) = self.open(stream)?;
        if !entry.saved.is_empty() {
            let n = entry.saved.len().min(buf.len());
            buf.iter_mut().zip(entry.saved.drain(..n)).for_each(|(to, from)| *to = from);
            return Ok(n);
        }
        match socket.recv_slice(buf) {
            Ok(0) => Err(TcpError::WouldBlock),
            Ok(n) => Ok(n),
            // The peer's FIN came, and everything before it was read.
            Err(RecvError::Finished) => Ok(0),
            // Closed, and not by a reset or a timeout (those are kept in
            // `failed`): after both FINs, so the end of the stream.
            Err(RecvError::InvalidState) => Ok(0),
        }
    }

    fn write(&mut self, stream: Stream, buf: &[u8]) -> Result<usize, TcpError> {
        if self.tcp.streams.get(&stream.0).is_some_and(|entry| entry.shut) {
            return Err(TcpError::Closed);
        }
        let (_, socket) = self.open(stream)?;
        if buf.is_empty() {
            return Ok(0);
        }
        match socket.send_slice(buf) {
            Ok(0) => Err(TcpError::WouldBlock),
            Ok(n) => Ok(n),
            // Only after the program's shutdown (caught above) or the
            // connection's end (kept in `failed`) does smoltcp refuse:
            // this does not happen. Should it, the stack ended it.
            Err(tcp::SendError::InvalidState) => Err(TcpError::Reset),
        }
    }

    fn shutdown(&mut self, stream: Stream) -> Result<(), TcpError> {
        let (entry, socket) = self.open(stream)?;
        if !entry.shut {
            // A FIN, once the bytes already written are acknowledged
            // (here, or in a later poll).
            entry.shut = true;
            entry.fin_queued = sockets::queue_fin(socket);
        }
        Ok(())
    }

    fn close(&mut self, stream: Stream) -> Result<(), TcpError> {
        let entry = self.tcp.streams.remove(&stream.0).ok_or(TcpError::Closed)?;
        let fin_queued = entry.fin_queued || entry.failed.is_some();
        self.tcp.orphan(&mut self.sockets, entry.socket, fin_queued, self.now);
        Ok(())
    }

    fn unlisten(&mut self, listener: Listener) -> Result<(), TcpError> {
        let listening = self.tcp.listeners.remove(&listener.0).ok_or(TcpError::Closed)?;
        // Listening sockets go at once; peers in a handshake or waiting
        // to be accepted are reset.
        for socket in listening.armed.into_iter().chain(listening.ready) {
            self.tcp.abort(&mut self.sockets, socket, self.now);
        }
        Ok(())
    }
}
