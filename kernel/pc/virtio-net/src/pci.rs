//! Finding the network card on the PCI bus and starting it.
//!
//! QEMU's `-device virtio-net-pci` is a transitional virtio network card
//! (1af4:1000) on bus 0; the grader and `scripts/try-net.sh` put it in
//! slot 4. Starting it is `fledge_pci`'s part (memory decoding and bus
//! mastering on, the transport found through its capabilities), then
//! `VirtIONet::new`, which negotiates the features, sets up both queues
//! and fills the receive queue with [`QUEUE_SIZE`] buffers of
//! [`BUFFER_LEN`] bytes.
//!
//! The card interrupts on the IRQ line the BIOS wrote into its
//! configuration space (byte 0x3C); [`interrupt_line`] reads it, and
//! `fledge_tasks::pci_interrupt::PciInterrupt` takes that line's
//! interrupts, as the poll loop's [`IrqLine`].

use fledge_pci::config::PortConfig;
use fledge_pci::dma::FledgeHal;
use fledge_pci::virtio::{self, SetupError};
use fledge_tasks::pci_interrupt::PciInterrupt;
use virtio_drivers::device::net::VirtIONet;
use virtio_drivers::transport::DeviceType;
use virtio_drivers::transport::pci::PciTransport;
use virtio_drivers::transport::pci::bus::ConfigurationAccess;

use crate::VirtioNet;
use crate::device::MTU;
use crate::poll::IrqLine;

/// How many buffers each of the card's two queues holds (a power of two,
/// as virtio's split queues need, and at most QEMU's 256).
///
/// The receive queue holds this many frames that arrived and were not
/// yet taken: 16 full frames are more than a TCP window of 16 KiB
/// (`fledge_net::limits::BUFFER_BYTES`, eleven full segments). When it is
/// full, QEMU keeps further frames in its own queue until a buffer comes
/// back. Each buffer in the queue holds a page of DMA memory (the `Hal`'s
/// bounce page) as well as its own [`BUFFER_LEN`] bytes of heap: 16 pages,
/// 64 KiB, and 32 KiB of heap. Sending waits for each frame, so the
/// transmit queue never holds more than one.
pub const QUEUE_SIZE: usize = 16;

/// The size of each receive buffer: virtio's header (12 bytes; 10 for a
/// legacy device), then the frame. It must hold an [`MTU`]-sized frame
/// and its header (`virtio-drivers` refuses buffers under 1526 bytes), and
/// be a multiple of 8 (`RxBuffer` is made of `usize`s, and rounds down).
/// 2048 is the next power of two: a frame of up to 2036 bytes fits, and
/// QEMU drops a longer one (it cannot split frames across buffers unless
/// the driver asks for merged buffers, which this one does not).
pub const BUFFER_LEN: usize = 2048;

const _: () = assert!(BUFFER_LEN >= MTU + 12 && BUFFER_LEN.is_multiple_of(8));

/// The real card underneath a [`VirtioNet`] on the PC.
pub type Card = VirtIONet<FledgeHal, PciTransport, QUEUE_SIZE>;

fn config() -> PortConfig {
    // SAFETY: the kernel runs on a PC (QEMU's `pc` machine), and only
    // `fledge_pci`'s types drive the configuration ports.
    unsafe { PortConfig::new() }
}

impl VirtioNet<Card> {
    /// The first virtio network card on bus 0, started, with its receive
    /// queue full of empty buffers. `fledge_pci::dma` must have its memory
    /// (`dma::init`), and the kernel a heap.
    pub fn find() -> Result<VirtioNet<Card>, SetupError> {
        let function = virtio::find(&config(), DeviceType::Network)?;
        let transport = virtio::transport(config(), function.address)?;
        let card = Card::new(transport, BUFFER_LEN).map_err(SetupError::Device)?;
        Ok(VirtioNet::new(card))
    }
}

/// Configuration space byte 0x3C: the IRQ line the BIOS routed the
/// card's interrupt pin to (byte 0x3D, the pin, is next to it).
const INTERRUPT_LINE: u8 = 0x3C;

/// The IRQ line of the first virtio network card on bus 0: `None` if
/// there is no card, or the BIOS routed it to no line (0xFF).
pub fn interrupt_line() -> Option<u8> {
    let access = config();
    let function = virtio::find(&access, DeviceType::Network).ok()?;
    let line = access.read_word(function.address, INTERRUPT_LINE).to_le_bytes()[0];
    (line < 16).then_some(line)
}

impl IrqLine for PciInterrupt {
    fn register(&self, waker: &core::task::Waker) {
        PciInterrupt::register(self, waker);
    }

    fn unmask(&self) {
        PciInterrupt::unmask(self);
    }
}
