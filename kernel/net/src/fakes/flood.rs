//! [`Flood`]: a card that always has a frame ready.
//!
//! A busy network, a broadcast storm or a hostile neighbour can keep a
//! card's receive queue full for as long as it likes. A stack that takes
//! frames until the card has none would then never return, and in a
//! kernel with one thread nothing else would run again. `Flood` makes
//! that happen: every other receive (and every receive while the card it
//! wraps has nothing) is a copy of one frame, for ever.
//!
//! ```text
//!   inner:    a       b             c
//!   Flood:    a  F  b  F  F  F  F  c  F  F  F ...   (never None)
//! ```
//!
//! The frames of the wrapped card are copied through in order, so a
//! connection over it still works, at half the frames per poll.

use alloc::vec::Vec;
use core::net::Ipv4Addr;

use smoltcp::phy::{self, Device, DeviceCapabilities};
use smoltcp::time::Instant;
use smoltcp::wire::{ArpOperation, ArpPacket, ArpRepr, EthernetAddress, EthernetFrame, EthernetProtocol, EthernetRepr};

use super::Received;

/// Wraps `D`, and fills every gap between its frames, and every other
/// receive, with a copy of one frame.
///
/// ```
/// use fledge_net::fakes::Flood;
/// use fledge_net::smoltcp::phy::{Device, Loopback, Medium, RxToken};
/// use fledge_net::smoltcp::time::Instant;
///
/// let mut card = Flood::new(Loopback::new(Medium::Ethernet), vec![0xff; 60]);
/// for _ in 0..1000 {
///     let (frame, _) = card.receive(Instant::ZERO).expect("a flood always has a frame");
///     assert_eq!(frame.consume(|bytes| bytes.len()), 60);
/// }
/// assert_eq!((card.flooded(), card.passed()), (1000, 0));
/// ```
#[derive(Debug)]
pub struct Flood<D> {
    inner: D,
    /// The frame it repeats.
    frame: Vec<u8>,
    /// A frame taken from `inner`, to give on its turn.
    pending: Option<Vec<u8>>,
    /// The frame being given, when it is `inner`'s.
    current: Vec<u8>,
    /// Whether the last frame given was the flood's (so that `inner`'s
    /// may go next).
    flood_went_last: bool,
    flooded: u64,
    passed: u64,
}

impl<D: Device> Flood<D> {
    /// Wraps `inner`, filling its gaps with copies of `frame`.
    pub fn new(inner: D, frame: Vec<u8>) -> Flood<D> {
        Flood { inner, frame, pending: None, current: Vec::new(), flood_went_last: true, flooded: 0, passed: 0 }
    }

    /// Wraps `inner` in a storm of ARP requests, broadcast from `asker`
    /// (`asker_ip`), each asking who has `target`. Make `target` the
    /// stack's own address and the stack must answer every one: the
    /// most work a frame can ask of it short of TCP.
    pub fn arp_storm(inner: D, asker: EthernetAddress, asker_ip: Ipv4Addr, target: Ipv4Addr) -> Flood<D> {
        let arp = ArpRepr::EthernetIpv4 {
            operation: ArpOperation::Request,
            source_hardware_addr: asker,
            source_protocol_addr: asker_ip,
            target_hardware_addr: EthernetAddress([0; 6]),
            target_protocol_addr: target,
        };
        let ethernet =
            EthernetRepr { src_addr: asker, dst_addr: EthernetAddress::BROADCAST, ethertype: EthernetProtocol::Arp };
        let mut frame = alloc::vec![0; ethernet.buffer_len() + arp.buffer_len()];
        let mut view = EthernetFrame::new_unchecked(&mut frame[..]);
        ethernet.emit(&mut view);
        arp.emit(&mut ArpPacket::new_unchecked(view.payload_mut()));
        Flood::new(inner, frame)
    }

    /// How many copies of the flood's frame it gave.
    pub fn flooded(&self) -> u64 {
        self.flooded
    }

    /// How many of the wrapped card's frames it passed on.
    pub fn passed(&self) -> u64 {
        self.passed
    }

    /// The device it wraps.
    pub fn inner(&self) -> &D {
        &self.inner
    }
}

impl<D: Device> Device for Flood<D> {
    type RxToken<'a>
        = Received<'a>
    where
        Self: 'a;
    type TxToken<'a>
        = D::TxToken<'a>
    where
        Self: 'a;

    fn receive(&mut self, timestamp: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        // The inner frame is copied out at once: a token that borrowed
        // `inner` could not be given back conditionally.
        if self.pending.is_none()
            && let Some((frame, _)) = self.inner.receive(timestamp)
        {
            self.pending = Some(phy::RxToken::consume(frame, |bytes| bytes.to_vec()));
        }
        let tx = self.inner.transmit(timestamp)?;
        let frame = match self.pending.take() {
            Some(frame) if self.flood_went_last => {
                self.flood_went_last = false;
                self.passed += 1;
                self.current = frame;
                &self.current
            }
            other => {
                self.pending = other;
                self.flood_went_last = true;
                self.flooded += 1;
                &self.frame
            }
        };
        Some((Received { frame }, tx))
    }

    fn transmit(&mut self, timestamp: Instant) -> Option<Self::TxToken<'_>> {
        self.inner.transmit(timestamp)
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.inner.capabilities()
    }
}
