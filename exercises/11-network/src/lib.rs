//! Exercise 11: a virtio network card, and the loop that drives it.
//!
//! QEMU's `virtio-net-pci` is an Ethernet card whose far end is QEMU's
//! user network: a DHCP server, the host's forwarded ports. The driver
//! gives the card empty buffers to receive frames into and hands it
//! frames to send; `virtio-drivers`' `VirtIONet` drives the queues. This
//! crate makes the card what smoltcp (the TCP/IP stack of `fledge-net`)
//! takes, a `smoltcp::phy::Device`, and runs the stack on exercise 07's
//! executor:
//!
//! ```text
//!   the program         Tcp calls, in a step of the poll loop
//!   poll::run  (poll.rs)  ◀── your part: poll, step, sleep until the
//!        │                    stack's timer or the card's interrupt
//!   NetStack<D> (fledge-net)            DHCP, ARP, IPv4, TCP
//!        │ smoltcp::phy::Device         tokens: one frame each
//!   VirtioNet<F>   (device.rs)  ◀── your part
//!        │ Frames (frames.rs)           receive / recycle / send / ack
//!   VirtIONet (virtio-drivers)  or  a fake card, in the host tests
//!        │ Transport
//!   PciTransport, FledgeHal (fledge-pci, chapter 8)
//! ```
//!
//! - [`frames`]: the few calls of `VirtIONet` the driver uses, as a
//!   trait, so that the host tests can put a fake card underneath;
//! - [`device`]: [`VirtioNet`], the smoltcp device: receive and transmit
//!   tokens over the card's buffers, every receive buffer recycled, the
//!   card's capabilities;
//! - [`pci`]: finding the card on the bus and starting it, and its
//!   interrupt line;
//! - [`poll`]: the network task's loop, and DHCP on it.
//!
//! Your part is the `todo!()`s of `device.rs` and `poll.rs` (one of them
//! in the `Drop` of the receive token), in the order of the chapter
//! (`book/src/ch11-network.md`). The API is the upstream crate's
//! (`kernel/pc/virtio-net`), so a finished exercise can stand in for it.

#![no_std]
// The holes leave imports, parameters and helpers unused until you fill
// them in.
#![allow(unused_imports, unused_variables, unused_mut, dead_code, unreachable_code)]

pub mod device;
pub mod frames;
pub mod pci;
pub mod poll;

pub use device::{MTU, Stats, VirtioNet};
pub use frames::Frames;
pub use poll::{IrqLine, NetCard, NoLease, Step};
