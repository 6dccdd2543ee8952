//! [`EthernetCard`]: a device that claims what a plain Ethernet card
//! claims.
//!
//! smoltcp's `Loopback` claims frames of up to 65535 bytes and checksums
//! that nobody needs to compute or check (`ChecksumCapabilities::ignored`):
//! true of a loopback, which cannot corrupt a frame. Wrapped in a
//! `FaultInjector` that flips bits, it would hand corrupted segments to
//! TCP unchecked. This wrapper makes the loopback look like virtio-net
//! without offloads: frames of at most [`ETHERNET_MTU`] bytes, and
//! every checksum computed on the way out and checked on the way in.

use smoltcp::phy::{ChecksumCapabilities, Device, DeviceCapabilities};
use smoltcp::time::Instant;

/// The largest Ethernet frame without its checksum: 1500 bytes of IP
/// packet and the 14-byte header. smoltcp's MTU for Ethernet counts the
/// header; 1500 here would make every full-sized IP packet 14 bytes too
/// long to send.
pub const ETHERNET_MTU: usize = 1514;

/// Wraps `D` and claims an Ethernet card's capabilities: an MTU of
/// [`ETHERNET_MTU`], checksums in software. Frames pass unchanged.
///
/// ```
/// use fledge_net::fakes::{ETHERNET_MTU, EthernetCard};
/// use fledge_net::smoltcp::phy::{Checksum, Device, Loopback, Medium};
///
/// let card = EthernetCard::new(Loopback::new(Medium::Ethernet));
/// let caps = card.capabilities();
/// assert_eq!(caps.max_transmission_unit, ETHERNET_MTU);
/// assert!(matches!(caps.checksum.tcp, Checksum::Both));
/// ```
#[derive(Debug)]
pub struct EthernetCard<D> {
    inner: D,
}

impl<D: Device> EthernetCard<D> {
    /// Wraps `inner`.
    pub fn new(inner: D) -> EthernetCard<D> {
        EthernetCard { inner }
    }

    /// The device it wraps.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// The device it wraps, to change.
    pub fn inner_mut(&mut self) -> &mut D {
        &mut self.inner
    }
}

impl<D: Device> Device for EthernetCard<D> {
    type RxToken<'a>
        = D::RxToken<'a>
    where
        Self: 'a;
    type TxToken<'a>
        = D::TxToken<'a>
    where
        Self: 'a;

    fn receive(&mut self, timestamp: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        self.inner.receive(timestamp)
    }

    fn transmit(&mut self, timestamp: Instant) -> Option<Self::TxToken<'_>> {
        self.inner.transmit(timestamp)
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = self.inner.capabilities();
        caps.max_transmission_unit = ETHERNET_MTU;
        caps.checksum = ChecksumCapabilities::default();
        caps
    }
}
