//! A fake virtio network card, and a clock for stacks over it.
//!
//! [`FakeCard`] keeps `VirtIONet`'s rules as QEMU's card shows them:
//!
//! - it has [`QUEUE_SIZE`] receive buffers of [`BUFFER_LEN`] bytes, all in
//!   its receive queue at the start. A frame on the wire waits until a
//!   buffer is in the queue; `receive` takes a filled buffer out, and only
//!   `recycle_rx_buffer` puts one back. A driver that never recycles
//!   receives `QUEUE_SIZE` frames and then nothing, as from QEMU;
//! - a frame longer than a buffer holds (after virtio's 12-byte header) is
//!   dropped, as QEMU drops it without merged buffers;
//! - a buffer recycled that is not out (or is another card's) is
//!   `WrongToken`; a send while the transmit queue is full (the test says
//!   when) is `QueueFull`.
//!
//! Every frame sent is recorded, and goes to the card's far end: nowhere
//! (the test reads the record), back to the card itself (a loopback), or
//! to a second card (a pair: two machines on one wire).

#![allow(dead_code)] // Not every test uses every part.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use fledge_api::Instant;
use fledge_net::NetStack;
use smoltcp::phy::Device;
use virtio_drivers::Error;
use virtio_drivers::device::net::TxBuffer;
use virtio_net::Frames;
use virtio_net::pci::{BUFFER_LEN, QUEUE_SIZE};

/// virtio's header before each received frame (a modern device's).
pub const HEADER: usize = 12;

/// The longest frame a buffer holds.
pub const LONGEST: usize = BUFFER_LEN - HEADER;

/// Frames on their way to a card.
pub type Wire = Rc<RefCell<VecDeque<Vec<u8>>>>;

/// A receive buffer of a [`FakeCard`], out of its queue.
#[derive(Debug)]
pub struct FakeRxBuf {
    card: u32,
    frame: Vec<u8>,
}

/// A virtio network card that keeps the crate's rules (see the module).
#[derive(Debug)]
pub struct FakeCard {
    id: u32,
    mac: [u8; 6],
    /// Frames sent to this card, not yet in a buffer.
    inbox: Wire,
    /// Where frames sent go, besides the record.
    outbox: Option<Wire>,
    /// Empty buffers in the receive queue.
    posted: usize,
    /// Filled buffers in the receive queue, in order.
    filled: VecDeque<Vec<u8>>,
    /// Buffers the driver holds.
    out: usize,
    /// Every frame sent, if recording.
    pub sent: Vec<Vec<u8>>,
    /// Whether to record frames sent (a long test turns it off).
    pub record: bool,
    /// Frames dropped for being longer than a buffer.
    pub too_big: u64,
    /// Recycles refused.
    pub wrong_tokens: u64,
    /// The transmit queue is full: `can_send` says no, `send` fails.
    pub tx_full: bool,
    /// How many of the next sends fail with an I/O error.
    pub fail_sends: u32,
    /// The longest frame sent.
    pub longest_sent: usize,
    /// Whether the card's interrupt is raised: a frame came (or was sent)
    /// since the last `ack_interrupt`.
    pub raised: bool,
    /// How many times the driver acknowledged an interrupt that was raised.
    pub acks: u64,
}

impl FakeCard {
    /// A card whose sent frames go nowhere but the record.
    pub fn new(mac: [u8; 6]) -> FakeCard {
        static IDS: AtomicU32 = AtomicU32::new(1);
        FakeCard {
            id: IDS.fetch_add(1, Ordering::Relaxed),
            mac,
            inbox: Wire::default(),
            outbox: None,
            posted: QUEUE_SIZE,
            filled: VecDeque::new(),
            out: 0,
            sent: Vec::new(),
            record: true,
            too_big: 0,
            wrong_tokens: 0,
            tx_full: false,
            fail_sends: 0,
            longest_sent: 0,
            raised: false,
            acks: 0,
        }
    }

    /// A card that receives every frame it sends.
    pub fn loopback(mac: [u8; 6]) -> FakeCard {
        let mut card = FakeCard::new(mac);
        card.outbox = Some(Rc::clone(&card.inbox));
        card
    }

    /// Two cards on one wire: each receives what the other sends.
    pub fn pair(a: [u8; 6], b: [u8; 6]) -> (FakeCard, FakeCard) {
        let (mut a, mut b) = (FakeCard::new(a), FakeCard::new(b));
        a.outbox = Some(Rc::clone(&b.inbox));
        b.outbox = Some(Rc::clone(&a.inbox));
        (a, b)
    }

    /// Puts `frame` on the wire to this card, and raises its interrupt.
    pub fn inject(&mut self, frame: &[u8]) {
        self.inbox.borrow_mut().push_back(frame.to_vec());
        self.raised = true;
    }

    /// Frames on the wire that no buffer has taken yet.
    pub fn waiting(&self) -> usize {
        self.inbox.borrow().len()
    }

    /// Buffers the driver holds (taken and not recycled).
    pub fn out(&self) -> usize {
        self.out
    }

    /// The device's side: fills empty buffers with the frames waiting.
    fn fill(&mut self) {
        let mut inbox = self.inbox.borrow_mut();
        while self.posted > 0 {
            let Some(frame) = inbox.pop_front() else { break };
            if frame.len() > LONGEST {
                // QEMU, without merged buffers: the frame is dropped, and
                // the buffer stays in the queue.
                self.too_big += 1;
                continue;
            }
            self.posted -= 1;
            self.filled.push_back(frame);
        }
    }
}

impl Frames for FakeCard {
    type RxBuf = FakeRxBuf;

    fn mac_address(&self) -> [u8; 6] {
        self.mac
    }

    fn can_send(&self) -> bool {
        !self.tx_full
    }

    fn can_recv(&self) -> bool {
        // (`fill` needs `&mut`: count what it would fill.)
        !self.filled.is_empty() || (self.posted > 0 && self.inbox.borrow().iter().any(|f| f.len() <= LONGEST))
    }

    fn receive(&mut self) -> Result<FakeRxBuf, Error> {
        self.fill();
        let frame = self.filled.pop_front().ok_or(Error::NotReady)?;
        self.out += 1;
        Ok(FakeRxBuf { card: self.id, frame })
    }

    fn packet(buf: &FakeRxBuf) -> &[u8] {
        &buf.frame
    }

    fn recycle_rx_buffer(&mut self, buf: FakeRxBuf) -> Result<(), Error> {
        if buf.card != self.id || self.out == 0 {
            self.wrong_tokens += 1;
            return Err(Error::WrongToken);
        }
        self.out -= 1;
        self.posted += 1;
        Ok(())
    }

    fn new_tx_buffer(&self, len: usize) -> TxBuffer {
        TxBuffer::from(&vec![0; len])
    }

    fn send(&mut self, buf: TxBuffer) -> Result<(), Error> {
        if self.tx_full {
            return Err(Error::QueueFull);
        }
        if self.fail_sends > 0 {
            self.fail_sends -= 1;
            return Err(Error::IoError);
        }
        self.longest_sent = self.longest_sent.max(buf.packet_len());
        // The device interrupts when it has taken a frame, too.
        self.raised = true;
        if let Some(outbox) = &self.outbox {
            outbox.borrow_mut().push_back(buf.packet().to_vec());
        }
        if self.record {
            self.sent.push(buf.packet().to_vec());
        }
        Ok(())
    }

    fn ack_interrupt(&mut self) -> bool {
        let raised = std::mem::take(&mut self.raised);
        self.acks += u64::from(raised);
        raised
    }
}

/// A fixed seed: every run makes the same sequence numbers and ports.
pub const SEED: u64 = 0x5eed_0000_0000_0011;

/// How far the clock moves at each poll, at least.
const STEP: Duration = Duration::from_micros(100);

/// How far it moves when the stack waits for nothing at all.
const IDLE: Duration = Duration::from_millis(10);

/// The time, as polls move it: a little at each poll, and straight to
/// smoltcp's next timer when a poll found nothing to do (as a kernel that
/// sleeps until `poll_delay` would).
#[derive(Debug, Default)]
pub struct Clock {
    pub now: Duration,
    pub polls: u64,
}

impl Clock {
    /// Polls `stack` at the next instant.
    pub fn poll<D: Device>(&mut self, stack: &mut NetStack<D>) -> bool {
        self.now += STEP;
        self.polls += 1;
        let now = self.instant();
        let happened = stack.poll(now);
        if !happened {
            self.now += stack.poll_delay(now).unwrap_or(IDLE).min(IDLE);
        }
        happened
    }

    /// The clock's time.
    pub fn instant(&self) -> Instant {
        Instant::from_since_start(self.now)
    }
}
