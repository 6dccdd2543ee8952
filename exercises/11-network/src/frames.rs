//! What the driver needs of a virtio network card.
//!
//! The calls of `virtio-drivers`' `VirtIONet` that
//! [`VirtioNet`](crate::VirtioNet) makes, as a trait: the real card
//! implements it, and so does the host tests' fake card, which records
//! every frame and keeps the crate's rules.
//!
//! The card owns its receive buffers. At start it puts all of them in
//! the receive queue; the device fills one per frame that arrives.
//! [`receive`](Frames::receive) takes a filled one *out* of the queue,
//! and only [`recycle_rx_buffer`](Frames::recycle_rx_buffer) puts it back:
//!
//! ```text
//!             receive queue (QUEUE_SIZE buffers)
//!   device ──fills──▶ [buf][buf][buf] ... ──receive()──▶ driver reads the frame
//!      ▲                                                      │
//!      └──────────────── recycle_rx_buffer(buf) ◀─────────────┘
//! ```
//!
//! A driver that forgets to recycle gets QUEUE_SIZE frames, and then no
//! more, ever: the device has nowhere to put the next one. (QEMU keeps
//! the frames it cannot deliver in its own queue, so nothing is even
//! lost: the card just goes quiet.)
//!
//! Transmission is simpler: `VirtIONet::send` copies the frame out and
//! waits until the device has taken it, so a [`TxBuffer`] is the
//! caller's again as soon as `send` returns.
//!
//! The card also raises an interrupt when a frame arrives (or a sent one
//! is done). On the PC it is a level-triggered line that stays up until
//! the driver [acknowledges](Frames::ack_interrupt) it at the card; the
//! network task does that, never the handler (`fledge_tasks::pci_interrupt`
//! says why).

use virtio_drivers::Error;
use virtio_drivers::device::net::{RxBuffer, TxBuffer, VirtIONet};
use virtio_drivers::transport::Transport;

/// A network card that receives Ethernet frames into buffers of its own
/// and sends frames from [`TxBuffer`]s, as `virtio-drivers` drives one.
pub trait Frames {
    /// A buffer of the receive queue, holding one received frame. The
    /// caller owns it from [`receive`](Self::receive) until it gives it
    /// back with [`recycle_rx_buffer`](Self::recycle_rx_buffer).
    type RxBuf;

    /// The card's Ethernet (MAC) address.
    fn mac_address(&self) -> [u8; 6];

    /// Whether the transmit queue has room for a frame now.
    fn can_send(&self) -> bool;

    /// Whether a received frame waits to be taken.
    fn can_recv(&self) -> bool;

    /// Takes the next received frame, in its buffer: out of the receive
    /// queue until recycled. `Err(Error::NotReady)` when none waits.
    fn receive(&mut self) -> Result<Self::RxBuf, Error>;

    /// The Ethernet frame in `buf` (without virtio's header before it).
    fn packet(buf: &Self::RxBuf) -> &[u8];

    /// Puts `buf` back in the receive queue, for the device to fill
    /// again.
    fn recycle_rx_buffer(&mut self, buf: Self::RxBuf) -> Result<(), Error>;

    /// A transmit buffer of `len` bytes, zeroed.
    fn new_tx_buffer(&self, len: usize) -> TxBuffer;

    /// Sends the frame in `buf`, and returns when the device has taken it.
    fn send(&mut self, buf: TxBuffer) -> Result<(), Error>;

    /// Acknowledges the card's interrupt: reads (and so clears) its
    /// interrupt status, which lowers its interrupt line. Says whether
    /// the card had an interrupt to acknowledge.
    fn ack_interrupt(&mut self) -> bool;
}

impl<H: virtio_drivers::Hal, T: Transport, const QUEUE_SIZE: usize> Frames for VirtIONet<H, T, QUEUE_SIZE> {
    type RxBuf = RxBuffer;

    fn mac_address(&self) -> [u8; 6] {
        VirtIONet::mac_address(self)
    }

    fn can_send(&self) -> bool {
        VirtIONet::can_send(self)
    }

    fn can_recv(&self) -> bool {
        VirtIONet::can_recv(self)
    }

    fn receive(&mut self) -> Result<RxBuffer, Error> {
        VirtIONet::receive(self)
    }

    fn packet(buf: &RxBuffer) -> &[u8] {
        buf.packet()
    }

    fn recycle_rx_buffer(&mut self, buf: RxBuffer) -> Result<(), Error> {
        VirtIONet::recycle_rx_buffer(self, buf)
    }

    fn new_tx_buffer(&self, len: usize) -> TxBuffer {
        VirtIONet::new_tx_buffer(self, len)
    }

    fn send(&mut self, buf: TxBuffer) -> Result<(), Error> {
        VirtIONet::send(self, buf)
    }

    fn ack_interrupt(&mut self) -> bool {
        !VirtIONet::ack_interrupt(self).is_empty()
    }
}
