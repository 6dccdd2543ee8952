//! The stack's limits, in one place (as xv6 keeps its own in `param.h`).
//!
//! Every number here is a choice, not a law of TCP: each says what it
//! costs and why it is this size. The kernel heap is 2 MiB
//! (`fledge_memlayout::HEAP_SIZE`); at the limits below, TCP's buffers
//! take at most [`MAX_SOCKETS`] × 2 × [`BUFFER_BYTES`] = 512 KiB of it.

use core::time::Duration;

/// How many TCP sockets the stack keeps at once: a listener's
/// [`BACKLOG`], each open stream, and each stream closed by its caller
/// but still closing. One more gives `TcpError::NoSockets`.
///
/// Each socket holds two buffers of [`BUFFER_BYTES`], 32 KiB in all.
pub const MAX_SOCKETS: usize = 16;

/// How many sockets a listener keeps for peers: listening, in the middle
/// of a handshake, or connected and waiting for `accept`. smoltcp's
/// listening socket takes one connection and is then that connection's
/// socket, so a listener keeps several, and arms a fresh one each time
/// `accept` takes one.
///
/// When all of them hold peers that wait to be accepted, no socket
/// listens, and smoltcp answers the next peer's SYN with a reset: that
/// peer is refused (Linux, with its backlog full, drops the SYN and lets
/// the peer try again).
pub const BACKLOG: usize = 4;

/// The size of each socket's receive buffer, and of its send buffer:
/// 16 KiB. The receive buffer is the window the peer may fill before it
/// waits for the reader; about eleven full Ethernet segments.
pub const BUFFER_BYTES: usize = 16 * 1024;

/// How long a connection may take to be made before it is given up
/// (`TcpError::TimedOut`): two minutes, about what Linux allows a
/// connect (127 s: six tries of the SYN, 1 s apart and doubling).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(120);

/// How long the peer of a connection that is made may stay silent before
/// the connection is given up (`TcpError::TimedOut`): five minutes,
/// counted from the last segment the peer sent, whatever the connection
/// is doing (smoltcp's timeout covers idle connections too;
/// [`KEEP_ALIVE`] keeps a live peer talking). smoltcp's wait between
/// retransmissions (and between probes of a closed window) starts at
/// 1 s, doubles after each loss, and stops at 60 s: five minutes leave a
/// connection whose waits have grown to the longest four or five more
/// tries. Shorter, the lossy test lost connections: at 5% loss, one run
/// of forty ended in `TimedOut` with two minutes here. (Linux tries for
/// about 15 minutes.)
pub const TIMEOUT: Duration = Duration::from_secs(300);

/// How long a connection may be quiet before the stack asks the peer
/// whether it is still there: a keep-alive, an empty segment the peer
/// answers with an ACK. A live peer so answers well within [`TIMEOUT`],
/// and an idle connection stays open for as long as its peer lives;
/// a peer that crashed or went away is given up after [`TIMEOUT`]
/// (Linux waits two hours before its first keep-alive, and only when
/// asked to; a kernel with [`MAX_SOCKETS`] sockets cannot hold dead
/// connections that long).
pub const KEEP_ALIVE: Duration = Duration::from_secs(30);

/// How long a stream closed by its caller may take to finish closing
/// before it is reset: six minutes, a minute more than [`TIMEOUT`], so
/// that a close slowed down by loss gets the time a live connection
/// gets. It lets go of a peer that never closes its side (the socket
/// would wait in FIN-WAIT-2 for ever; Linux gives such a socket a minute,
/// `tcp_fin_timeout`) or never reads what was sent to it. Such peers
/// hold a socket that long: a server that meets many of them runs out of
/// [`MAX_SOCKETS`].
pub const LINGER: Duration = Duration::from_secs(360);

/// The local ports `connect` takes its streams from, in turn: IANA's
/// dynamic range.
pub const EPHEMERAL_PORTS: core::ops::RangeInclusive<u16> = 49152..=65535;

/// The most frames one `poll` takes from the device. A card that always
/// has a frame (a flood) makes `poll` return after this many, so that the
/// caller's other work gets its turn; `poll_delay` then says zero.
pub const FRAMES_PER_POLL: usize = 32;

/// The most rounds of sending one `poll` makes. In each round, every
/// socket sends at most one frame.
pub const SEND_ROUNDS_PER_POLL: usize = 32;
