//! A virtio network card (exercise 11, finished), as a smoltcp device.
//!
//! QEMU's `virtio-net-pci` is an Ethernet card whose far end is QEMU's
//! network (its user network: a DHCP server, and the host's forwarded
//! ports). The driver gives the card empty buffers to receive frames
//! into and hands it frames to send, through two queues in shared memory.
//! `virtio-drivers` (by the rCore OS team, rcore-os) builds and drives
//! those queues in `VirtIONet`; this crate makes the card what smoltcp
//! (by whitequark and its contributors), the TCP/IP stack of
//! `fledge-net`, takes: a `smoltcp::phy::Device`.
//!
//! ```text
//!   NetStack<D> (fledge-net)            DHCP, ARP, IPv4, TCP
//!        │ smoltcp::phy::Device         tokens: one frame each
//!   VirtioNet<F>   (device.rs)  ◀── exercise 11
//!        │ Frames (frames.rs)           receive / recycle / send
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
//! - [`pci`]: finding the card on the bus and starting it, with the
//!   queue and buffer sizes, and the card's interrupt line;
//! - [`poll`]: the network task's loop on exercise 07's executor: poll
//!   the stack, run the program, sleep until the stack's next timer or
//!   the card's interrupt; and DHCP on it ([`poll::join`]).
//!
//! `no_std`, with a heap: `VirtIONet` keeps its buffers in `Vec`s.
//!
//! # Upstream
//!
//! This crate is exercise 11's card finished: its reference solution, and
//! the piece the website of exercise 12 runs on.

#![no_std]

pub mod device;
pub mod frames;
pub mod pci;
pub mod poll;

pub use device::{MTU, Stats, VirtioNet};
pub use frames::Frames;
pub use poll::{IrqLine, NetCard, NoLease, Step};
