//! virtio-rng: the host's randomness, as an [`Entropy`] source.
//!
//! The simplest virtio device there is: one queue, into which the driver
//! puts empty buffers and from which it takes them back filled with
//! random bytes (QEMU reads them from the host's `/dev/urandom`). The
//! device may fill less than it was given, so [`VirtioRng::fill`] asks
//! again until the whole buffer is full, and gives up with
//! [`EntropyError::WouldBlock`] if the device keeps answering with
//! nothing.

use fledge_api::{Entropy, EntropyError};
use virtio_drivers::device::rng::VirtIORng;
use virtio_drivers::transport::DeviceType;
use virtio_drivers::transport::pci::PciTransport;

use crate::config::PortConfig;
use crate::dma::FledgeHal;
use crate::virtio::{self, SetupError};

/// The most bytes one request asks for: the bounce buffer's size.
pub const MAX_REQUEST: usize = 4096;

/// How many empty answers in a row make a fill give up.
pub const MAX_EMPTY: u32 = 16;

/// A virtio entropy device.
pub struct VirtioRng {
    device: VirtIORng<FledgeHal, PciTransport>,
}

impl VirtioRng {
    /// The first virtio-rng device on bus 0, started.
    pub fn find() -> Result<VirtioRng, SetupError> {
        // SAFETY: the kernel runs on a PC (QEMU's `pc` machine), and this
        // crate is the only one that drives the configuration ports.
        let access = unsafe { PortConfig::new() };
        let function = virtio::find(&access, DeviceType::EntropySource)?;
        let transport = virtio::transport(access, function.address)?;
        let device = VirtIORng::new(transport).map_err(SetupError::Device)?;
        Ok(VirtioRng { device })
    }
}

impl Entropy for VirtioRng {
    // ANCHOR: fill
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        let _ = (buf, MAX_REQUEST, MAX_EMPTY, &mut self.device);
        todo!("ask the device until the buffer is full, in requests of at most MAX_REQUEST bytes")
    }
    // ANCHOR_END: fill
}
