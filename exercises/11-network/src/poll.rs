//! The network task's loop: poll the stack, run the program, sleep until
//! the stack's next timer or the card's interrupt.
//!
//! smoltcp moves only when polled ([`NetStack::poll`]), and it needs to be
//! polled for two reasons: a frame arrived (the card interrupts), or one
//! of its timers is due (a retransmission, a DHCP retry, a delayed
//! acknowledgement: [`NetStack::poll_delay`] says when). A loop that waits
//! only for interrupts loses the timers, and a lost segment is never sent
//! again; a loop that waits only for the delay is late for every frame;
//! a loop that never waits keeps the CPU from every other task. So each
//! round of [`run`] is:
//!
//! ```text
//!   ack the card's interrupt, unmask its line     (the handler masked it)
//!   stack.poll(now)                               frames in and out, timers
//!   step(stack)                                   the program: accept, read, write
//!   more to do at once?  ──yes──▶ yield to the other tasks, next round
//!        │ no
//!   register the waker with the line              BEFORE the last look:
//!   frames waiting in the card? ──yes──▶ next round
//!        │ no
//!   sleep until poll_delay (or the step's time), or the interrupt
//! ```
//!
//! **No lost wake-up.** A frame may come at any moment, and its interrupt
//! with it: during the poll, or after the round's last look at the card.
//! The waker goes to the line first, and the card is looked at after: a
//! frame that came before the registration is seen by the look; one that
//! comes after it raises an interrupt whose handler finds the waker.
//! (Looked at the other way round, a frame in between would sleep in the
//! card until the next timer, if there is one.)
//!
//! **Fair.** A round that did work ends with a yield, so a card that
//! always has a frame (a flood) cannot keep the other tasks from running.
//!
//! The loop is written against two small traits, so that host tests can
//! run it with a fake card, a fake line and a fake clock:
//! [`NetCard`], what it asks of the card (any smoltcp device that can say
//! whether frames wait, and acknowledge its interrupt; [`VirtioNet`] is
//! one), and [`IrqLine`], what it asks of the interrupt line
//! (`fledge_tasks::pci_interrupt::PciInterrupt` is one on the PC).
//!
//! [`join`] is the first thing a kernel runs on it: DHCP, until a lease
//! comes or a deadline passes.

use core::cell::RefCell;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use core::time::Duration;

use fledge_api::Instant;
use fledge_executor::{Handle, Sleep, yield_now};
use fledge_net::{Lease, NetStack};
use smoltcp::phy::Device;

use crate::device::VirtioNet;
use crate::frames::Frames;

/// What the poll loop asks of the card, besides frames.
pub trait NetCard: Device {
    /// Whether a received frame waits to be taken: the loop's last look
    /// before it sleeps.
    fn frames_waiting(&self) -> bool;

    /// Acknowledges the card's interrupt, so that its line goes down.
    /// Says whether there was one.
    fn ack_interrupt(&mut self) -> bool;
}

impl<F: Frames> NetCard for VirtioNet<F> {
    fn frames_waiting(&self) -> bool {
        self.can_recv()
    }

    fn ack_interrupt(&mut self) -> bool {
        self.card_mut().ack_interrupt()
    }
}

/// What the poll loop asks of the card's interrupt line. Its handler
/// masks the line and wakes the waker registered last; the loop unmasks
/// it once it has acknowledged the card.
pub trait IrqLine {
    /// Leaves `waker` to be woken by the next interrupt.
    fn register(&self, waker: &Waker);

    /// Lets the line interrupt again.
    fn unmask(&self);
}

/// What the program's step did in one round of [`run`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step<T> {
    /// The program is finished: [`run`] returns this.
    Done(T),
    /// It did something and may do more at once (it accepted a stream,
    /// moved bytes): another round comes after a yield, without sleeping.
    Busy,
    /// It waits for the network: the loop may sleep until a frame comes
    /// or the stack's next timer.
    Idle,
    /// As `Idle`, but the step wants to run again by this time at the
    /// latest (a deadline of its own, or something to look at that
    /// raises no interrupt).
    IdleUntil(Instant),
}

// ANCHOR: run
/// Runs the network: rounds of poll, `step`, and a sleep until the
/// stack's next timer or the card's interrupt (see the [module
/// documentation](self)), until `step` says [`Step::Done`]; returns what
/// it said.
///
/// `stack` is borrowed only inside a round, never across an `.await`:
/// other tasks may look at it while this one sleeps. `handle` is the
/// executor's (its clock gives the stack its time), `line` the card's
/// interrupt.
pub async fn run<D, L, T>(
    stack: &RefCell<NetStack<D>>,
    handle: &Handle<'_>,
    line: &L,
    mut step: impl FnMut(&mut NetStack<D>) -> Step<T>,
) -> T
where
    D: NetCard,
    L: IrqLine + ?Sized,
{
    let _ = (stack, handle, line, &mut step, yield_now);
    todo!("rounds: ack and unmask, poll, step; yield if there is more to do at once, else Wait")
}
// ANCHOR_END: run

/// The sleep at the end of a quiet round: until the interrupt, or the
/// deadline if there is one, whichever comes first. Any wake-up ends it
/// (the round after finds out what happened): a spurious one costs a
/// round, nothing more.
struct Wait<'r, 'a, D: Device, L: ?Sized> {
    stack: &'r RefCell<NetStack<D>>,
    line: &'r L,
    sleep: Option<Sleep<'a>>,
    /// Whether the first poll (the registration and the last look) has
    /// been made.
    looked: bool,
}

// ANCHOR: wait
impl<D: NetCard, L: IrqLine + ?Sized> Future for Wait<'_, '_, D, L> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let _ = (self, cx);
        todo!("first poll: register with the line, look at the card, poll the sleep; any later poll: ready")
    }
}
// ANCHOR_END: wait

/// DHCP gave no lease before the deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoLease {
    /// How long [`join`] waited.
    pub waited: Duration,
}

impl fmt::Display for NoLease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no DHCP lease after {:?}", self.waited)
    }
}

impl core::error::Error for NoLease {}

// ANCHOR: join
/// Joins the network: runs the loop over `stack`, made with
/// [`NetStack::with_dhcp`], until the DHCP server gives a lease (which it
/// returns), or `timeout` has passed on the executor's clock
/// ([`NoLease`]). Under QEMU the lease comes within milliseconds.
pub async fn join<D, L>(
    stack: &RefCell<NetStack<D>>,
    handle: &Handle<'_>,
    line: &L,
    timeout: Duration,
) -> Result<Lease, NoLease>
where
    D: NetCard,
    L: IrqLine + ?Sized,
{
    let _ = (stack, handle, line, timeout);
    todo!("run the loop until the stack has a lease, or until timeout has passed")
}
// ANCHOR_END: join
