//! The network stack (exercise 11, upstream): smoltcp over any network
//! card, an address by DHCP, and the [`Tcp`](fledge_api::Tcp) trait.
//!
//! The work of networking is smoltcp's, a TCP/IP stack in Rust for
//! machines without an operating system (by whitequark and its
//! contributors): Ethernet frames, ARP, IPv4, ICMP echo, TCP and the DHCP
//! client. This crate puts it in Fledge's terms. It takes any
//! `smoltcp::phy::Device` (exercise 11's is the learner's virtio-net
//! card), and gives the program the same `Tcp` trait that
//! `fledge_hosted::HostTcp` gives over the host's sockets, so that one
//! program runs on both (the line MirageOS draws with its `TCP` module
//! type, which mirage-tcpip and its Unix-socket stack both satisfy).
//!
//! ```text
//!   the program         fledge_api::Tcp          (tcp.rs, sockets.rs)
//!   NetStack            smoltcp: Interface + SocketSet, poll(now)   (stack.rs)
//!                       DHCP lease -> address and route             (dhcp.rs)
//!   the card            smoltcp::phy::Device: virtio-net, a loopback, a fake
//! ```
//!
//! | module | what it is |
//! |---|---|
//! | [`stack`] | [`NetStack`]: the card, the interface and the sockets, and the `poll` that moves them |
//! | [`dhcp`] | [`Lease`]: an address from the network, applied to the interface |
//! | [`tcp`] | the `Tcp` trait's calls, over smoltcp's TCP sockets |
//! | `sockets` | the sockets behind the program's handles, from making to removal, and how a connection ended |
//! | [`limits`] | every limit: sockets, backlog, buffers, timeouts, work per poll |
//! | `fakes` | cards that misbehave on purpose, for tests (feature `fakes`) |
//!
//! The time is the caller's: [`NetStack::poll`] takes a
//! [`fledge_api::Instant`] from any `Clock`, and
//! [`NetStack::poll_delay`] says when to call again, so that an executor
//! can sleep until then or until the card's interrupt.
//!
//! `no_std`, with a heap (`alloc`): buffers are `Vec`s.

#![no_std]

extern crate alloc;

pub mod dhcp;
#[cfg(feature = "fakes")]
pub mod fakes;
pub mod limits;
mod sockets;
pub mod stack;
pub mod tcp;

pub use dhcp::Lease;
/// The smoltcp this crate is built on, for the types its API takes
/// (`EthernetAddress`, `Ipv4Cidr`, `phy::Device`).
pub use smoltcp;
pub use stack::NetStack;
