//! [`Garbage`]: a card that delivers garbage beside the real frames.
//!
//! A card hands the stack whatever arrived on the wire, and the wire
//! carries anything: noise, frames cut short, frames longer than any
//! Ethernet frame, headers that lie. Every one of them must be dropped
//! (or answered) without a panic, and without disturbing the connections
//! that the real frames carry. `Garbage` puts one to three of these in
//! front of each frame of the card it wraps, made from that frame:
//!
//! ```text
//!   inner:    a                b
//!   Garbage:  g g a            g g g b        (g: garbage made from the frame after it)
//! ```
//!
//! | kind | what it is | where the stack stops it |
//! |---|---|---|
//! | noise | the frame's Ethernet header, then 0 to 2048 random bytes | the IPv4 or ARP parser |
//! | truncated | the frame cut short, at any length from 0 | a length check (or: only padding was cut, and it is the frame again) |
//! | oversized | the frame followed by random bytes, to 1515 to 9018 bytes in all | nowhere: the IP header's length says where the packet ends, and the rest is padding; TCP sees the frame twice |
//! | mangled | the frame with 1 to 4 random bytes of its IPv4 header changed | the IPv4 header checksum |
//!
//! The real frames pass whole and in order, so TCP over the card loses
//! nothing. Random, but from a seed: a failure repeats.

use alloc::vec::Vec;

use smoltcp::phy::{self, Device, DeviceCapabilities};
use smoltcp::time::Instant;

use super::Received;

/// How many garbage frames of each kind a [`Garbage`] gave.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GarbageCounts {
    /// Random bytes behind a real Ethernet header.
    pub noise: u64,
    /// Real frames cut short.
    pub truncated: u64,
    /// Real frames with random bytes after them, past the MTU.
    pub oversized: u64,
    /// Real frames with bytes of the IPv4 header changed.
    pub mangled: u64,
}

impl GarbageCounts {
    /// All of them.
    pub fn total(&self) -> u64 {
        self.noise + self.truncated + self.oversized + self.mangled
    }
}

/// Wraps `D`, and puts one to three garbage frames in front of each of
/// its frames.
///
/// ```
/// use fledge_net::fakes::Garbage;
/// use fledge_net::smoltcp::phy::{Device, Loopback, Medium, RxToken, TxToken};
/// use fledge_net::smoltcp::time::Instant;
///
/// let mut card = Garbage::new(Loopback::new(Medium::Ethernet), 7);
/// let now = Instant::ZERO;
/// card.transmit(now).unwrap().consume(60, |frame| frame.fill(0xab)); // into the loopback
/// let mut frames = Vec::new();
/// while let Some((frame, _)) = card.receive(now) {
///     frames.push(frame.consume(|bytes| bytes.to_vec()));
/// }
/// assert_eq!(frames.last(), Some(&vec![0xab; 60]), "the real frame comes last, whole");
/// assert_eq!(card.counts().total() as usize, frames.len() - 1);
/// ```
#[derive(Debug)]
pub struct Garbage<D> {
    inner: D,
    /// xorshift64's state: never zero.
    rng: u64,
    /// The real frame the garbage goes in front of.
    pending: Option<Vec<u8>>,
    /// How many garbage frames are still to go before it.
    garbage_left: u32,
    /// The frame being given.
    current: Vec<u8>,
    counts: GarbageCounts,
}

impl<D: Device> Garbage<D> {
    /// Wraps `inner`; the garbage is drawn from `seed`.
    pub fn new(inner: D, seed: u64) -> Garbage<D> {
        Garbage {
            inner,
            rng: seed | 1,
            pending: None,
            garbage_left: 0,
            current: Vec::new(),
            counts: GarbageCounts::default(),
        }
    }

    /// How many garbage frames of each kind it gave.
    pub fn counts(&self) -> GarbageCounts {
        self.counts
    }

    /// The device it wraps.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// A random number below `bound` (not 0).
    fn below(&mut self, bound: usize) -> usize {
        // xorshift64 (Marsaglia, 2003): small, and enough for garbage.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng % bound as u64) as usize
    }

    /// One garbage frame made from `frame`, in `self.current`.
    fn make_garbage(&mut self, frame: &[u8]) {
        const ETHERNET_HEADER: usize = 14;
        const IPV4_HEADER: core::ops::Range<usize> = 14..34;
        let mut garbage = Vec::new();
        match self.below(4) {
            0 => {
                self.counts.noise += 1;
                garbage.extend_from_slice(&frame[..frame.len().min(ETHERNET_HEADER)]);
                let len = self.below(2049);
                garbage.extend((0..len).map(|_| self.below(256) as u8));
            }
            1 => {
                self.counts.truncated += 1;
                let len = self.below(frame.len().max(1));
                garbage.extend_from_slice(&frame[..len]);
            }
            2 => {
                self.counts.oversized += 1;
                let len = 1515 + self.below(9018 - 1515 + 1);
                garbage.extend_from_slice(frame);
                while garbage.len() < len {
                    garbage.push(self.below(256) as u8);
                }
            }
            _ => {
                self.counts.mangled += 1;
                garbage.extend_from_slice(frame);
                if garbage.len() >= IPV4_HEADER.end {
                    for _ in 0..1 + self.below(4) {
                        let at = IPV4_HEADER.start + self.below(IPV4_HEADER.len());
                        garbage[at] = self.below(256) as u8;
                    }
                }
            }
        }
        self.current = garbage;
    }
}

impl<D: Device> Device for Garbage<D> {
    type RxToken<'a>
        = Received<'a>
    where
        Self: 'a;
    type TxToken<'a>
        = D::TxToken<'a>
    where
        Self: 'a;

    fn receive(&mut self, timestamp: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        if self.pending.is_none() {
            // Copied out at once: a token that borrowed `inner` could not
            // be given back conditionally.
            let (frame, _) = self.inner.receive(timestamp)?;
            self.pending = Some(phy::RxToken::consume(frame, |bytes| bytes.to_vec()));
            self.garbage_left = 1 + self.below(3) as u32;
        }
        let real = self.pending.take().unwrap_or_default();
        let garbage = self.garbage_left > 0;
        if garbage {
            self.garbage_left -= 1;
            self.make_garbage(&real);
            self.pending = Some(real);
        } else {
            self.current = real;
        }
        let Some(tx) = self.inner.transmit(timestamp) else {
            // No room to answer: the real frame waits for the next call.
            if !garbage {
                self.pending = Some(core::mem::take(&mut self.current));
            }
            return None;
        };
        Some((Received { frame: &self.current }, tx))
    }

    fn transmit(&mut self, timestamp: Instant) -> Option<Self::TxToken<'_>> {
        self.inner.transmit(timestamp)
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.inner.capabilities()
    }
}
