//! Network cards that misbehave on purpose, for tests (feature `fakes`).
//!
//! Each is a `smoltcp::phy::Device` that wraps another, in the manner of
//! smoltcp's own `Tracer`, `FaultInjector` and `Loopback`, so they stack
//! around a loopback (on the host) or a real card (in a kernel):
//!
//! | fake | what it does |
//! |---|---|
//! | [`EthernetCard`] | claims what a plain Ethernet card claims: 1514-byte frames, checksums computed and checked in software |
//! | [`Flood`] | always has a frame ready: between the frames of the card it wraps, the same frame again and again |
//! | [`Garbage`] | before each frame of the card it wraps, one to three garbage frames: noise, truncated, oversized, mangled |
//!
//! The compositions the tests use, read from the outside in:
//!
//! | card | composition |
//! |---|---|
//! | a loopback that checks checksums, lossy | `smoltcp::phy::FaultInjector<EthernetCard<Loopback>>` |
//! | an ARP storm beside a working loopback | `Flood<EthernetCard<Loopback>>` |
//! | garbage beside a working loopback | `Garbage<EthernetCard<Loopback>>` |
//!
//! They live here, beside the stack that takes them (as smoltcp keeps
//! `FaultInjector` in its `phy`), and not in `fledge-fakes`, which knows
//! nothing of smoltcp. They are `no_std` like the rest, so a kernel's
//! tests can wrap the real card in them too; the feature keeps them out
//! of kernels that do not ask.

use smoltcp::phy::{self, PacketMeta};

mod ethernet;
mod flood;
mod garbage;

pub use ethernet::{ETHERNET_MTU, EthernetCard};
pub use flood::Flood;
pub use garbage::{Garbage, GarbageCounts};

/// A received frame that a fake holds in its own buffer: the receive
/// token of [`Flood`] and [`Garbage`].
#[derive(Debug)]
pub struct Received<'a> {
    frame: &'a [u8],
}

impl phy::RxToken for Received<'_> {
    fn consume<R, F>(self, f: F) -> R
    where
        F: FnOnce(&[u8]) -> R,
    {
        f(self.frame)
    }

    fn meta(&self) -> PacketMeta {
        PacketMeta::default()
    }
}
