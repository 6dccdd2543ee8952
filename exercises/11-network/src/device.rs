//! [`VirtioNet`]: a network card as a smoltcp [`Device`].
//!
//! smoltcp never touches a card. It asks its [`Device`] for *tokens*, and
//! a token is a promise of one frame: a receive token holds a frame that
//! arrived, a transmit token a place to build one to send.
//!
//! ```text
//!   smoltcp                            VirtioNet<F>                  the card (F: Frames)
//!   receive() ───────────────────▶ card.receive() ──────────────▶ a filled RxBuf
//!      (RxToken, TxToken)  ◀─────── RxToken owns the RxBuf
//!   rx.consume(|frame| ...) ──────▶ f(frame), then
//!                                   card.recycle_rx_buffer(buf) ─▶ back in the queue
//!   tx.consume(len, |buf| ...) ───▶ new_tx_buffer(len), f fills it,
//!                                   card.send(buf) ──────────────▶ on the wire
//! ```
//!
//! **The rules kept here.**
//!
//! - *One frame per token.* A receive token is one frame; a transmit
//!   token sends one frame, of exactly the length smoltcp asked for.
//! - *Every receive buffer goes back.* The receive token recycles its
//!   buffer as soon as smoltcp has read the frame, and also when it is
//!   dropped without being consumed (smoltcp does that when it decides
//!   not to look at a frame). A buffer that is not recycled is gone from
//!   the receive queue for good; after the queue's worth, the card is
//!   deaf ([`frames`](crate::frames) draws it).
//! - *Both tokens of a pair need the card*: one to recycle, one to send.
//!   They share it through a `RefCell`, and each borrows it only for the
//!   one call to the card, never while smoltcp's closure runs, so the two
//!   can be used in either order, or one inside the other's closure.
//! - *Capabilities as the card is.* Ethernet frames of at most
//!   [`MTU`] bytes, header included. No checksum offload: the crate
//!   negotiates none of virtio-net's checksum features, so every checksum
//!   is computed by smoltcp on the way out and checked on the way in.
//!
//! A failure of the card (a send it refused, a buffer it would not take
//! back) cannot be returned through a token: the frame is lost, as frames
//! on a network may be, and [`Stats`] counts it. TCP sends it again.

use core::cell::RefCell;

use smoltcp::phy::{ChecksumCapabilities, Device, DeviceCapabilities, Medium};
use smoltcp::time::Instant;
use smoltcp::wire::EthernetAddress;
use virtio_drivers::Error;

use crate::frames::Frames;

/// The largest frame sent or expected: 1500 bytes of IP packet and the
/// 14-byte Ethernet header. smoltcp's MTU for an Ethernet device counts
/// the header; 1500 here would make every full-sized IP packet 14 bytes
/// too long to send, and TCP's segments 14 bytes shorter than the peer's.
pub const MTU: usize = 1514;

/// What the driver has done, and what went wrong, since it started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Frames taken from the card and handed to smoltcp.
    pub received: u64,
    /// Frames the card took to send.
    pub sent: u64,
    /// Receive buffers given back to the card.
    pub recycled: u64,
    /// Receives that failed with an error other than "nothing waits".
    /// Each may also cost a buffer of the receive queue: `VirtIONet`
    /// takes the buffer out before it checks the device's answer, and
    /// drops it when the answer is bad.
    pub receive_errors: u64,
    /// Receive buffers the card would not take back: each is one buffer
    /// fewer in the receive queue, for good.
    pub recycle_errors: u64,
    /// Frames the card refused to send.
    pub send_errors: u64,
    /// Frames smoltcp asked to send that were longer than [`MTU`], and
    /// were dropped.
    pub oversized: u64,
}

/// The card and the counts, borrowed by one token at a time.
struct Shared<F> {
    card: F,
    stats: Stats,
}

/// A virtio network card (or a fake) as a smoltcp [`Device`].
pub struct VirtioNet<F: Frames> {
    shared: RefCell<Shared<F>>,
}

impl<F: Frames> VirtioNet<F> {
    /// The smoltcp device over `card`.
    pub fn new(card: F) -> VirtioNet<F> {
        VirtioNet { shared: RefCell::new(Shared { card, stats: Stats::default() }) }
    }

    /// The card's Ethernet address, as the stack's interface needs it.
    pub fn mac(&self) -> EthernetAddress {
        EthernetAddress(self.shared.borrow().card.mac_address())
    }

    /// What the driver has done so far.
    pub fn stats(&self) -> Stats {
        self.shared.borrow().stats
    }

    /// Whether a received frame waits in the card: a poll loop that is
    /// about to sleep asks, so as not to sleep past a frame that came
    /// while it polled.
    pub fn can_recv(&self) -> bool {
        self.shared.borrow().card.can_recv()
    }

    /// The card, to change: to acknowledge its interrupt, say, or to reach
    /// into a fake.
    pub fn card_mut(&mut self) -> &mut F {
        &mut self.shared.get_mut().card
    }
}

impl<F: Frames> Device for VirtioNet<F> {
    type RxToken<'a>
        = RxToken<'a, F>
    where
        Self: 'a;
    type TxToken<'a>
        = TxToken<'a, F>
    where
        Self: 'a;

    // ANCHOR: receive
    fn receive(&mut self, _timestamp: Instant) -> Option<(RxToken<'_, F>, TxToken<'_, F>)> {
        todo!("take one frame from the card, in a receive token paired with a transmit token")
    }
    // ANCHOR_END: receive

    // ANCHOR: transmit
    fn transmit(&mut self, _timestamp: Instant) -> Option<TxToken<'_, F>> {
        todo!("a transmit token, if the card has room to send")
    }
    // ANCHOR_END: transmit

    // ANCHOR: capabilities
    fn capabilities(&self) -> DeviceCapabilities {
        let _ = (Medium::Ethernet, ChecksumCapabilities::default(), MTU);
        todo!("say what the card carries: Ethernet frames of at most MTU bytes, no checksum offload")
    }
    // ANCHOR_END: capabilities
}

/// One received frame, in a buffer of the card's receive queue. The
/// buffer goes back to the card when the token is consumed or dropped.
pub struct RxToken<'a, F: Frames> {
    shared: &'a RefCell<Shared<F>>,
    /// `Some` until it goes back to the card.
    buf: Option<F::RxBuf>,
}

impl<F: Frames> RxToken<'_, F> {
    // ANCHOR: recycle
    fn recycle(&mut self) {
        todo!("give the buffer back to the card, once, and count how it went")
    }
    // ANCHOR_END: recycle
}

impl<F: Frames> smoltcp::phy::RxToken for RxToken<'_, F> {
    fn consume<R, G>(self, f: G) -> R
    where
        G: FnOnce(&[u8]) -> R,
    {
        let _ = f;
        todo!("hand smoltcp the frame, then give its buffer back")
    }
}

impl<F: Frames> Drop for RxToken<'_, F> {
    fn drop(&mut self) {
        // Your part: a token dropped unread gives its buffer back too.
        // (The `todo!` sits in a closure that never runs: a panic in a
        // drop while another panic unwinds would abort every test at once.)
        let _your_part = || todo!("give the buffer back when the token is dropped unread");
    }
}

/// Room to send one frame.
pub struct TxToken<'a, F: Frames> {
    shared: &'a RefCell<Shared<F>>,
}

impl<F: Frames> smoltcp::phy::TxToken for TxToken<'_, F> {
    fn consume<R, G>(self, len: usize, f: G) -> R
    where
        G: FnOnce(&mut [u8]) -> R,
    {
        let _ = (len, f);
        todo!("a buffer of len bytes, filled by f, sent unless longer than MTU; count how it went")
    }
}
