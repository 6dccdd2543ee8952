//! Virtio devices on the PCI bus.
//!
//! A virtio device is a PCI function with vendor ID 0x1af4. Its device ID
//! says which kind: 0x1040 plus the virtio device type for a modern
//! device, or one of 0x1000 to 0x103f for a *transitional* one, which
//! speaks the 2016 interface and the older one too (0x1000 network card,
//! 0x1001 block device, 0x1005 entropy source). QEMU's `pc` machine makes
//! transitional devices; `virtio-drivers` speaks the modern interface,
//! which such a device offers through a capability list pointing into
//! its BAR 4.
//!
//! Setting one up takes two steps here, and the crate does the rest:
//! turn on the function's memory decoding and *bus mastering* (without
//! which the device may not start DMA), then let `PciTransport` find the
//! capabilities. What comes back is a `Transport` that any of the crate's
//! drivers (`VirtIORng`, `VirtIOBlk`, `VirtIONet`) can take.

use core::fmt;

use virtio_drivers::transport::DeviceType;
use virtio_drivers::transport::pci::bus::{Command, DeviceFunction, DeviceFunctionInfo, PciRoot};
use virtio_drivers::transport::pci::{PciTransport, VirtioPciError, virtio_device_type};

use crate::config::PortConfig;
use crate::dma::FledgeHal;
use crate::scan::{Function, scan};

/// Why a device could not be set up.
#[derive(Debug)]
pub enum SetupError {
    /// No virtio device of that kind on bus 0: QEMU was not asked for
    /// one (`-device virtio-rng-pci`, say).
    NotFound(DeviceType),
    /// The function does not look like a modern virtio device.
    Transport(VirtioPciError),
    /// The device refused to start.
    Device(virtio_drivers::Error),
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupError::NotFound(kind) => write!(f, "no virtio {kind:?} device on PCI bus 0"),
            SetupError::Transport(error) => write!(f, "the virtio PCI transport could not be set up: {error}"),
            SetupError::Device(error) => write!(f, "the virtio device did not start: {error}"),
        }
    }
}

impl core::error::Error for SetupError {}

/// Which kind of virtio device `function` is, if it is one.
pub fn device_type(function: &Function) -> Option<DeviceType> {
    virtio_device_type(&DeviceFunctionInfo {
        vendor_id: function.vendor,
        device_id: function.device,
        class: function.class,
        subclass: function.subclass,
        prog_if: function.prog_if,
        revision: 0,
        header_type: function.header_type.into(),
    })
}

/// The first virtio device of `kind` on bus 0.
pub fn find(access: &PortConfig, kind: DeviceType) -> Result<Function, SetupError> {
    scan(access, 0).find(|f| device_type(f) == Some(kind)).ok_or(SetupError::NotFound(kind))
}

/// A transport to the virtio device at `function`, with its memory
/// decoding and bus mastering turned on.
pub fn transport(access: PortConfig, function: DeviceFunction) -> Result<PciTransport, SetupError> {
    let mut root = PciRoot::new(access);
    let (_, command) = root.get_status_command(function);
    root.set_command(function, command | Command::MEMORY_SPACE | Command::BUS_MASTER);
    PciTransport::new::<FledgeHal, _>(&mut root, function).map_err(SetupError::Transport)
}
