//! `AtomicWaker` on the host: what a wake does with the slot's waker, the
//! wake that lands in the middle of a registration (made to happen there,
//! every time), threads that race a thousand times, and an executor whose
//! task is woken through the slot by a simulated interrupt while it halts.

use std::cell::Cell;
use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, RawWaker, RawWakerVTable, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant as StdInstant};

use fledge_api::{Event, Idle, Stamped, TaskId, WokenBy};
use fledge_executor::{AtomicWaker, Executor, Interrupts};
use fledge_fakes::{ManualClock, SimulatedInterrupts};
use fledge_trace::Ring;

/// A waker that counts its wakes, and says when it is dropped.
#[derive(Default)]
struct Counting {
    woken: AtomicUsize,
    dropped: Arc<AtomicBool>,
}

impl Wake for Counting {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.fetch_add(1, Ordering::SeqCst);
    }
}

impl Drop for Counting {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

fn counting() -> (Arc<Counting>, Waker) {
    let counter = Arc::new(Counting::default());
    let waker = Waker::from(Arc::clone(&counter));
    (counter, waker)
}

#[test]
fn a_wake_before_any_registration_wakes_nobody() {
    let slot = AtomicWaker::new();
    slot.wake();
    let (counter, waker) = counting();
    slot.register(&waker);
    assert_eq!(counter.woken.load(Ordering::SeqCst), 0, "a wake is not kept for a later registration");
}

#[test]
fn every_wake_wakes_the_waker_last_registered() {
    let slot = AtomicWaker::new();
    let (first, first_waker) = counting();
    let (second, second_waker) = counting();
    slot.register(&first_waker);
    slot.wake();
    slot.wake();
    assert_eq!(first.woken.load(Ordering::SeqCst), 2, "the waker stays in the slot after a wake");
    slot.register(&second_waker);
    slot.wake();
    assert_eq!(first.woken.load(Ordering::SeqCst), 2, "a replaced waker is not woken");
    assert_eq!(second.woken.load(Ordering::SeqCst), 1);
    assert_eq!(Arc::strong_count(&first), 2, "the replaced waker was dropped (the test and its waker hold it)");
}

#[test]
fn registering_the_same_waker_again_does_not_clone_it() {
    let slot = AtomicWaker::new();
    let (counter, waker) = counting();
    slot.register(&waker);
    slot.register(&waker);
    slot.register(&waker.clone());
    assert_eq!(Arc::strong_count(&counter), 3, "the test's counter, its waker and one in the slot");
}

#[test]
fn a_wake_never_drops_the_waker() {
    // What an interrupt handler needs: dropping the last reference to a
    // waker may free memory, and the heap's lock may be held by the code
    // it interrupted.
    let slot = AtomicWaker::new();
    let dropped = {
        let (counter, waker) = counting();
        slot.register(&waker);
        Arc::clone(&counter.dropped)
    };
    slot.wake();
    assert!(!dropped.load(Ordering::SeqCst), "the wake dropped the slot's waker, its last reference");
    drop(slot);
    assert!(dropped.load(Ordering::SeqCst), "the slot drops its waker when it goes");
}

// The interrupt that comes in the middle of a registration. `register`
// clones the new waker into the slot between its two compare-and-swaps;
// this waker's clone runs the "interrupt handler" right then, as an
// interrupt taken at that instruction would.

static MIDDLE: AtomicWaker = AtomicWaker::new();
static MIDDLE_INTERRUPTS: AtomicU32 = AtomicU32::new(0);
static MIDDLE_WOKEN: AtomicU32 = AtomicU32::new(0);

const INTERRUPTING: RawWakerVTable = RawWakerVTable::new(interrupting_clone, count_wake, count_wake, |_| {});

fn interrupting_clone(_: *const ()) -> RawWaker {
    MIDDLE_INTERRUPTS.fetch_add(1, Ordering::SeqCst);
    MIDDLE.wake();
    RawWaker::new(std::ptr::null(), &INTERRUPTING)
}

fn count_wake(_: *const ()) {
    MIDDLE_WOKEN.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn a_wake_in_the_middle_of_a_registration_is_not_lost() {
    // SAFETY: the vtable's functions ignore the data pointer, and each
    // keeps the RawWaker contract (clone returns a waker of the same
    // vtable; wake, wake_by_ref and drop release nothing).
    let waker = unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &INTERRUPTING)) };
    MIDDLE.register(&waker);
    assert_eq!(MIDDLE_INTERRUPTS.load(Ordering::SeqCst), 1, "the interrupt came during the registration");
    assert_eq!(
        MIDDLE_WOKEN.load(Ordering::SeqCst),
        1,
        "the wake that came while the slot was being written was lost: the registrar must look at the state again and wake"
    );
    // The slot is usable again: the next wake wakes the waker.
    MIDDLE.wake();
    assert_eq!(MIDDLE_WOKEN.load(Ordering::SeqCst), 2);
}

/// A waker that unparks a thread.
struct Unpark(thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

#[test]
fn threads_racing_register_and_wake_never_lose_a_wake() {
    // Round by round, a producer publishes the round's number and wakes;
    // the consumer registers, looks, and parks until woken. Each round's
    // news comes with exactly one wake, so a lost one leaves the consumer
    // parked: after 5 s of that, the test fails.
    const ROUNDS: u32 = 2000;
    let slot = Arc::new(AtomicWaker::new());
    let news = Arc::new(AtomicU32::new(0));
    let seen = Arc::new(AtomicU32::new(0));
    let producer = {
        let (slot, news, seen) = (Arc::clone(&slot), Arc::clone(&news), Arc::clone(&seen));
        thread::spawn(move || {
            for round in 1..=ROUNDS {
                news.store(round, Ordering::Release);
                slot.wake();
                while seen.load(Ordering::Acquire) < round {
                    thread::yield_now();
                }
            }
        })
    };
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    for round in 1..=ROUNDS {
        let start = StdInstant::now();
        loop {
            slot.register(&waker);
            if news.load(Ordering::Acquire) >= round {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(5), "round {round}: the wake-up was lost");
            thread::park_timeout(Duration::from_millis(500));
        }
        seen.store(round, Ordering::Release);
    }
    producer.join().unwrap();
}

/// An idle whose check is followed, while interrupts are still off, by
/// the device's interrupt: the worst moment, just before the halt.
struct RaiseDuringCheck<'a>(&'a SimulatedInterrupts<'a>);

impl Idle for RaiseDuringCheck<'_> {
    fn wait_unless(&self, ready: &mut dyn FnMut() -> bool) -> bool {
        self.0.wait_unless(&mut || {
            let is_ready = ready();
            self.0.raise();
            is_ready
        })
    }
}

#[test]
fn an_executor_task_is_woken_through_the_slot_by_an_interrupt_during_its_halt() {
    static CLOCK: ManualClock = ManualClock::new(Duration::ZERO);
    static TRACE: Ring<8192> = Ring::new(|| CLOCK.elapsed().as_nanos() as u64);
    static SLOT: AtomicWaker = AtomicWaker::new();
    static BYTES: AtomicU32 = AtomicU32::new(0);
    const ROUNDS: u32 = 500;
    let taken = Cell::new(0);
    let door: Mutex<Option<Interrupts>> = Mutex::new(None);
    let cpu = SimulatedInterrupts::new(|| {
        if let Some(door) = door.lock().unwrap().as_ref() {
            door.handle(36, || {
                BYTES.fetch_add(1, Ordering::Release);
                SLOT.wake();
            });
        }
    });
    let idle = RaiseDuringCheck(&cpu);
    let mut executor = Executor::new(&CLOCK, &idle, &TRACE);
    *door.lock().unwrap() = Some(executor.interrupts());
    executor.block_on("reader", async {
        for _ in 0..ROUNDS {
            poll_fn(|cx| {
                SLOT.register(cx.waker());
                if BYTES.load(Ordering::Acquire) > taken.get() {
                    taken.set(taken.get() + 1);
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
        }
    });
    // A lost wake-up would have panicked in the simulated halt.
    assert_eq!((taken.get(), cpu.halts()), (ROUNDS, ROUNDS as usize));
    let mut events: Vec<Stamped> = Vec::new();
    TRACE
        .drain(|e| {
            events.push(*e);
            Ok::<(), ()>(())
        })
        .unwrap();
    let by_irq = events.iter().filter(|e| e.event == Event::Wake { task: TaskId(0), by: WokenBy::Interrupt(36) });
    assert_eq!(by_irq.count(), ROUNDS as usize, "every round's wake is the interrupt's, in the trace");
}
