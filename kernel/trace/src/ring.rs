//! [`Ring`]: a fixed-size ring of events that anything may record into,
//! interrupt handlers included, without a lock.
//!
//! # Why no lock
//!
//! An interrupt handler that records an event may have interrupted code
//! that was recording one. With a spin lock, the handler would spin for
//! ever on the lock its own CPU holds. Turning interrupts off around each
//! recording would work on one CPU, but not for a hosted program's
//! threads, and it would hide from the trace the very interrupts it is
//! there to show. So the ring takes no lock. It is a bounded queue of `N`
//! slots with many writers and one reader, the classic ticket scheme:
//!
//! ```text
//!   tickets:   0   1   2 ... tail ......... head ...
//!              \___ read ___/\___ written ___/\_ free _
//!   slots:     ticket t lives in slot t % N, and is complete when
//!              that slot's `seq` is t + 1
//! ```
//!
//! - A writer reads `tail`, then `head`. If `head - tail` is `N`, the ring
//!   is full: the event is counted in `dropped` and not kept. Otherwise it
//!   takes the stamp, then claims ticket `head` with a compare-and-swap of
//!   `head` to `head + 1`. Only the writer whose swap succeeds owns that
//!   ticket; it writes the slot, then publishes it by storing `seq`.
//! - If the swap fails, someone else (another thread, or an interrupt
//!   handler that ran in between) took the ticket: the writer starts again,
//!   with a fresh stamp.
//! - The reader takes tickets from `tail` while their slots are published,
//!   copies each event out, and only then moves `tail` on, which is what
//!   frees the slot for a writer `N` tickets later.
//!
//! **Stamps are in ticket order.** A writer's stamp is taken after it read
//! `head` and before its swap succeeded. Had anyone claimed a ticket in
//! between (an interrupt handler, say), `head` would have moved and the
//! swap would have failed. So the stamp of ticket `t + 1` was taken after
//! ticket `t` was claimed, which is after ticket `t`'s stamp: with a
//! monotonic counter, stamps never go backwards in the dump.
//!
//! **What the reader can miss.** A writer interrupted between its swap and
//! its publication leaves a claimed, unpublished slot: a reader running
//! just then (from the interrupt handler) stops before it, and the event
//! shows up in the next dump. A kernel dumps at the end of a test, from
//! its main thread, where nothing is half-written.
//!
//! When the ring is full, the newest events are dropped and counted,
//! rather than the oldest overwritten: a trace that lost its end still
//! says which tasks exist and how each began, and its end line says how
//! much is missing.

use core::cell::UnsafeCell;
use core::error::Error;
use core::fmt::{self, Write};
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use fledge_api::{Console, ConsoleError, Event, Stamped, Trace};

use crate::text;

/// A slot of the ring: one event, and the ticket it holds.
struct Slot {
    /// `t + 1` once ticket `t`'s event is written here; 0 before the first.
    seq: AtomicUsize,
    event: UnsafeCell<MaybeUninit<Stamped>>,
}

impl Slot {
    const fn empty() -> Slot {
        Slot { seq: AtomicUsize::new(0), event: UnsafeCell::new(MaybeUninit::uninit()) }
    }
}

/// A ring of `N` events, stamped by a counter it is given.
///
/// ```
/// use fledge_api::{Event, TaskId, Trace};
/// use fledge_fakes::{Recorder, Sink};
/// use fledge_trace::Ring;
///
/// static TRACE: Ring<64> = Ring::new(|| 7); // a kernel passes `fledge_cpu::tsc::rdtsc`
/// TRACE.record(Event::PollStart { task: TaskId(0) });
/// let mut console = Recorder::new(Sink);
/// let log = console.log();
/// TRACE.dump(&mut console, Some(1_000)).unwrap();
/// assert_eq!(log.text(), "fledge-trace version=1 tsc-hz=1000\n7 poll 0\nend events=1 dropped=0\n");
/// ```
pub struct Ring<const N: usize> {
    slots: [Slot; N],
    /// The next ticket to hand out to a writer.
    head: AtomicUsize,
    /// The next ticket to read.
    tail: AtomicUsize,
    /// Events not kept since the last dump.
    dropped: AtomicU64,
    /// Whether a reader is at work: there may be only one.
    reading: AtomicBool,
    stamp: fn() -> u64,
}

// SAFETY: the slots' events are the only state not behind an atomic. A slot
// is written only by the one writer whose compare-and-swap claimed its
// ticket, and only after the reader has moved `tail` past the ticket that
// last used it; it is read only by the one reader (`reading` keeps out a
// second), and only after the writer published it with a release store of
// `seq`, which the reader loads with acquire. No slot is ever read and
// written at once, and `Stamped` is `Send`.
unsafe impl<const N: usize> Sync for Ring<N> {}

impl<const N: usize> Ring<N> {
    /// An empty ring whose events are stamped by `stamp`: on the machine,
    /// `fledge_cpu::tsc::rdtsc`; in a test, any counter that never goes
    /// backwards. `N` must be at least 1.
    pub const fn new(stamp: fn() -> u64) -> Ring<N> {
        assert!(N > 0, "a ring needs at least one slot");
        Ring {
            slots: [const { Slot::empty() }; N],
            head: AtomicUsize::new(0),
            tail: AtomicUsize::new(0),
            dropped: AtomicU64::new(0),
            reading: AtomicBool::new(false),
            stamp,
        }
    }

    /// How many events were not kept, for want of room, since the last
    /// dump.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// How many events are in the ring, waiting to be read.
    pub fn len(&self) -> usize {
        let tail = self.tail.load(Ordering::Acquire);
        self.head.load(Ordering::Acquire) - tail
    }

    /// Whether no event waits to be read.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hands each published event, oldest first, to `take`, and removes it
    /// from the ring once `take` has returned `Ok`. Stops at the first
    /// error, which it returns, leaving that event in the ring. Returns
    /// how many events were taken.
    pub fn drain<E>(&self, mut take: impl FnMut(&Stamped) -> Result<(), E>) -> Result<u64, DrainError<E>> {
        if self.reading.swap(true, Ordering::Acquire) {
            return Err(DrainError::Busy);
        }
        // Lets the next reader in however this one ends, a panic in
        // `take` included.
        let _done = Reading(&self.reading);
        let mut taken = 0;
        let mut result = Ok(());
        let mut tail = self.tail.load(Ordering::Relaxed);
        loop {
            let slot = &self.slots[tail % N];
            if slot.seq.load(Ordering::Acquire) != tail + 1 {
                break;
            }
            // SAFETY: `seq` says ticket `tail`'s event is written and
            // published (the acquire load pairs with the writer's release
            // store), and no writer touches this slot until `tail` moves
            // past it, below.
            let stamped = unsafe { (*slot.event.get()).assume_init() };
            if let Err(e) = take(&stamped) {
                result = Err(DrainError::Take(e));
                break;
            }
            tail += 1;
            self.tail.store(tail, Ordering::Release);
            taken += 1;
        }
        result.map(|()| taken)
    }

    /// Writes the events recorded since the last dump to `console`, in the
    /// dump format (see the [crate documentation](crate)), with `tsc_hz`
    /// in its header, and removes them from the ring. Returns how many
    /// events it wrote. An event whose line failed to go out stays in the
    /// ring for the next dump, but the end line is then missing, so a
    /// reader sees the dump as cut short.
    pub fn dump(&self, console: &mut impl Console, tsc_hz: Option<u64>) -> Result<u64, DumpError> {
        let mut out = Lines { console, error: None };
        text::header(&mut out, tsc_hz).map_err(|_| out.failure())?;
        let written = self.drain(|stamped| text::event(&mut out, stamped)).map_err(|e| match e {
            DrainError::Busy => DumpError::Busy,
            DrainError::Take(fmt::Error) => out.failure(),
        })?;
        let dropped = self.dropped.swap(0, Ordering::Relaxed);
        text::end(&mut out, written, dropped).map_err(|_| out.failure())?;
        Ok(written)
    }
}

impl<const N: usize> Trace for Ring<N> {
    fn record(&self, event: Event) {
        loop {
            // `tail` first: it only grows, so the `head` read after it is
            // never behind it.
            let tail = self.tail.load(Ordering::Acquire);
            let head = self.head.load(Ordering::Acquire);
            if head - tail >= N {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                return;
            }
            let tsc = (self.stamp)();
            if self.head.compare_exchange(head, head + 1, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                let slot = &self.slots[head % N];
                // SAFETY: the swap made ticket `head` this writer's alone,
                // and the slot's previous ticket, `head - N`, has been read:
                // `tail`, loaded with acquire after the reader's release
                // store, was above it. Nobody reads the slot until `seq`
                // says `head + 1`.
                unsafe { (*slot.event.get()).write(Stamped { tsc, event }) };
                slot.seq.store(head + 1, Ordering::Release);
                return;
            }
        }
    }
}

impl<const N: usize> fmt::Debug for Ring<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ring")
            .field("capacity", &N)
            .field("len", &self.len())
            .field("dropped", &self.dropped())
            .finish()
    }
}

/// The reader's turn, given up when dropped.
struct Reading<'r>(&'r AtomicBool);

impl Drop for Reading<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// A console as a `fmt::Write`, keeping the console's error.
struct Lines<'c, C> {
    console: &'c mut C,
    error: Option<ConsoleError>,
}

impl<C> Lines<'_, C> {
    fn failure(&self) -> DumpError {
        DumpError::Console(self.error.unwrap_or(ConsoleError::Unavailable))
    }
}

impl<C: Console> Write for Lines<'_, C> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.console.write_bytes(s.as_bytes()).map_err(|e| {
            self.error = Some(e);
            fmt::Error
        })
    }
}

/// Why [`Ring::drain`] stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrainError<E> {
    /// Another reader is at work on the ring.
    Busy,
    /// The function taking the events failed.
    Take(E),
}

/// Why a dump was not written whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DumpError {
    /// Another dump of the same ring is under way (from an interrupt
    /// handler, or another thread).
    Busy,
    /// The console failed.
    Console(ConsoleError),
}

impl fmt::Display for DumpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DumpError::Busy => "the trace is already being dumped",
            DumpError::Console(_) => "the trace could not be written out",
        })
    }
}

impl Error for DumpError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            DumpError::Console(lower) => Some(lower),
            DumpError::Busy => None,
        }
    }
}
