//! [`AtomicWaker`]: one waker, left by a task, for an interrupt handler to
//! wake.
//!
//! A driver whose device interrupts (a serial port with a byte, a disk
//! that finished) needs somewhere to keep the waker of the task that waits
//! for it: the task puts its waker there when it finds nothing to do, and
//! the interrupt handler wakes it. A `RefCell` or a spin lock will not do:
//! the handler may have interrupted the task in the middle of putting the
//! waker there. So the slot is guarded by a small state machine on one
//! atomic, the design of the `futures` crate's `AtomicWaker` (which
//! embassy's is modelled on too):
//!
//! ```text
//!   state      WAITING ──register: CAS──> REGISTERING ──CAS──> WAITING
//!                 │                            │
//!                 │ wake: fetch_or WAKING      │ wake meanwhile: fetch_or WAKING,
//!                 v                            │ and leave the slot alone
//!              WAKING: wake the slot's waker   v
//!              by reference, then clear it   REGISTERING|WAKING: the registrar's
//!                                            CAS fails, so it wakes the waker itself
//! ```
//!
//! Only whoever moved the state out of `WAITING` touches the slot: the
//! registrar to write it, the waker to read it. A wake that finds a
//! registration under way cannot read the slot, so it leaves its mark
//! (`WAKING`) and the registrar, which must look at the state again before
//! it leaves, does the wake for it.
//!
//! # No lost wake-up
//!
//! The handler makes its news visible (stores the byte), then calls
//! [`wake`](AtomicWaker::wake). The task calls
//! [`register`](AtomicWaker::register), then looks for the news. Whatever
//! the interleaving, one of the two sees the other:
//!
//! - the wake's `fetch_or` comes first: it is a release, the registrar's
//!   compare-and-swaps acquire, so the registrar's later look sees the
//!   news (and if the wake is still under way, the registrar wakes its
//!   own waker, to be safe);
//! - the registration is over first: its last compare-and-swap releases
//!   the new waker, the wake's `fetch_or` acquires it, and wakes it;
//! - the wake lands in between: the registrar's last compare-and-swap
//!   finds `WAKING` and it wakes its own waker.
//!
//! On one CPU, with the handler as the only waker, "in between" is an
//! interrupt taken between the two compare-and-swaps of `register`: the
//! host tests make exactly that happen.
//!
//! # Safe in an interrupt handler
//!
//! [`wake`](AtomicWaker::wake) takes no lock, allocates nothing, and
//! neither clones nor drops a waker: it wakes by reference and leaves the
//! waker in the slot. (The `futures` crate's takes it out. Here that could
//! make the handler drop the last reference to a finished task's waker,
//! which frees memory, and the heap's lock may be held by the very code
//! the handler interrupted.) The waker stays until the next
//! [`register`](AtomicWaker::register) replaces it, in the task, so a
//! later wake with no new registration wakes the same task again: a
//! spurious wake-up, which futures must tolerate anyway.

use core::cell::UnsafeCell;
use core::fmt;
use core::sync::atomic::{AtomicU8, Ordering};
use core::task::Waker;

/// Nobody is at the slot.
const WAITING: u8 = 0;
/// A task is writing its waker into the slot.
const REGISTERING: u8 = 0b01;
/// A wake is under way (or, with `REGISTERING`, came while the slot was
/// being written).
const WAKING: u8 = 0b10;

/// A slot for one waker: a task [`register`](AtomicWaker::register)s, an
/// interrupt handler (or another thread) [`wake`](AtomicWaker::wake)s.
/// See the [module documentation](self) for why no wake-up is lost.
///
/// ```
/// use core::sync::atomic::{AtomicBool, Ordering};
/// use core::task::{Context, Poll};
/// use scheduler::AtomicWaker;
///
/// static READY: AtomicBool = AtomicBool::new(false);
/// static WAITER: AtomicWaker = AtomicWaker::new();
///
/// // In the task: register first, then look.
/// fn poll_ready(cx: &mut Context<'_>) -> Poll<()> {
///     WAITER.register(cx.waker());
///     if READY.swap(false, Ordering::AcqRel) { Poll::Ready(()) } else { Poll::Pending }
/// }
///
/// // In the interrupt handler: publish, then wake.
/// fn on_interrupt() {
///     READY.store(true, Ordering::Release);
///     WAITER.wake();
/// }
/// # let mut cx = Context::from_waker(Waker::noop());
/// # use core::task::Waker;
/// # assert!(poll_ready(&mut cx).is_pending());
/// # on_interrupt();
/// # assert!(poll_ready(&mut cx).is_ready());
/// ```
pub struct AtomicWaker {
    state: AtomicU8,
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the slot is written only by the `register` whose compare-and-swap
// moved the state from WAITING to REGISTERING, and read only by the `wake`
// whose fetch_or moved it from WAITING to WAKING; each leaves the state
// with a release that the next one's acquire pairs with. So the slot is
// never written and read at once, and a `Waker` is `Send + Sync`.
unsafe impl Sync for AtomicWaker {}
// SAFETY: it owns at most one `Waker`, which is `Send`.
unsafe impl Send for AtomicWaker {}

impl AtomicWaker {
    /// An empty slot: a wake before any registration wakes nobody.
    pub const fn new() -> AtomicWaker {
        AtomicWaker { state: AtomicU8::new(WAITING), waker: UnsafeCell::new(None) }
    }

    /// Leaves `waker` in the slot, for the next [`wake`](AtomicWaker::wake).
    /// Call it before looking for what the wake announces.
    ///
    /// One task at a time: two tasks registering on one slot take turns
    /// being forgotten (each registration replaces the last), as with any
    /// single-waker slot.
    pub fn register(&self, waker: &Waker) {
        match self.state.compare_exchange(WAITING, REGISTERING, Ordering::Acquire, Ordering::Acquire) {
            Ok(_) => {
                // SAFETY: the state is REGISTERING and this call put it
                // there: no `wake` reads the slot until it is WAITING again.
                let slot = unsafe { &mut *self.waker.get() };
                let old = match slot {
                    Some(kept) if kept.will_wake(waker) => None,
                    _ => slot.replace(waker.clone()),
                };
                if let Err(actual) =
                    self.state.compare_exchange(REGISTERING, WAITING, Ordering::AcqRel, Ordering::Acquire)
                {
                    // A wake came while the slot was ours, and could not
                    // read it: wake on its behalf.
                    // A swap, not a store: it also acquires what any wake
                    // since the failed swap published.
                    debug_assert_eq!(actual, REGISTERING | WAKING);
                    self.state.swap(WAITING, Ordering::AcqRel);
                    waker.wake_by_ref();
                }
                // Dropped only now, with the slot released: a waker's drop
                // may run any code.
                drop(old);
            }
            // A wake is under way, on another thread: it may be waking the
            // old waker. Wake this one too, so the task looks again.
            Err(WAKING) => waker.wake_by_ref(),
            // Another registration at once, against the contract (one
            // task at a time): it wins the slot, but this task must not be
            // forgotten either.
            Err(_) => waker.wake_by_ref(),
        }
    }

    /// Wakes the waker last registered, if any, by reference; it stays in
    /// the slot. Never blocks, allocates, clones or drops: safe to call
    /// from an interrupt handler.
    pub fn wake(&self) {
        if self.state.fetch_or(WAKING, Ordering::AcqRel) == WAITING {
            // SAFETY: this call moved the state from WAITING to WAKING: no
            // `register` writes the slot until WAKING is cleared, below.
            if let Some(waker) = unsafe { &*self.waker.get() } {
                waker.wake_by_ref();
            }
            self.state.fetch_and(!WAKING, Ordering::Release);
        }
        // Otherwise a registration is under way (it will see WAKING and
        // wake its waker) or another wake is (it wakes the same waker).
    }
}

impl Default for AtomicWaker {
    fn default() -> AtomicWaker {
        AtomicWaker::new()
    }
}

impl fmt::Debug for AtomicWaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AtomicWaker").field("state", &self.state.load(Ordering::Relaxed)).finish_non_exhaustive()
    }
}
