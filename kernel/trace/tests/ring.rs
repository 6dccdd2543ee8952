//! The ring against the `Trace` contract: nothing lost without being
//! counted, stamps in order even when a recording is interrupted by
//! another, and many writers at once.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use fledge_api::{ConsoleError, Event, Outcome, Stamped, TaskId, Trace};
use fledge_fakes::{FailAfter, Recorder, Sink};
use fledge_trace::{DumpError, Ring};

fn poll(task: u32) -> Event {
    Event::PollStart { task: TaskId(task) }
}

fn drained<const N: usize>(ring: &Ring<N>) -> Vec<Stamped> {
    let mut events = Vec::new();
    ring.drain(|s| {
        events.push(*s);
        Ok::<(), ()>(())
    })
    .unwrap();
    events
}

#[test]
fn a_full_ring_drops_the_newest_and_counts_them() {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static RING: Ring<4> = Ring::new(|| COUNTER.fetch_add(1, Ordering::SeqCst));
    for task in 0..6 {
        RING.record(poll(task));
    }
    assert_eq!((RING.len(), RING.dropped()), (4, 2));
    let mut console = Recorder::new(Sink);
    let log = console.log();
    assert_eq!(RING.dump(&mut console, None), Ok(4));
    assert_eq!(
        log.text(),
        "fledge-trace version=1 tsc-hz=unknown\n0 poll 0\n1 poll 1\n2 poll 2\n3 poll 3\nend events=4 dropped=2\n"
    );
    // The dump emptied the ring and reset the count: the next dump holds
    // only what came after, in slots used a second time.
    RING.record(Event::PollEnd { task: TaskId(9), outcome: Outcome::Ready });
    let log = console.log();
    RING.dump(&mut console, None).unwrap();
    assert!(log.text().ends_with("fledge-trace version=1 tsc-hz=unknown\n4 ready 9\nend events=1 dropped=0\n"));
}

#[test]
fn an_interrupted_recording_is_stamped_after_the_interruption() {
    // The stamp function plays an interrupt handler that records an event
    // of its own the first time the main code takes a stamp: between the
    // main code reading `head` and claiming its ticket.
    static COUNTER: AtomicU64 = AtomicU64::new(100);
    static INTERRUPT_DUE: AtomicBool = AtomicBool::new(true);
    fn stamp() -> u64 {
        if INTERRUPT_DUE.swap(false, Ordering::SeqCst) {
            RING.record(Event::Interrupt { vector: 32 });
        }
        COUNTER.fetch_add(1, Ordering::SeqCst)
    }
    static RING: Ring<8> = Ring::new(stamp);
    RING.record(poll(0));
    let events = drained(&RING);
    // The handler's event (stamped 100) comes first; the main code's first
    // stamp (101) was thrown away with its lost claim, and its event is
    // stamped 102, after the handler's. Dropped events take no stamp.
    assert_eq!(
        events,
        [Stamped { tsc: 100, event: Event::Interrupt { vector: 32 } }, Stamped { tsc: 102, event: poll(0) }]
    );
}

#[test]
fn many_writers_and_a_reader_lose_nothing_uncounted_and_keep_stamp_order() {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static RING: Ring<64> = Ring::new(|| COUNTER.fetch_add(1, Ordering::SeqCst));
    const WRITERS: u32 = 4;
    const EACH: u32 = 20_000;
    let done = AtomicBool::new(false);
    let mut seen = Vec::new();
    std::thread::scope(|s| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                s.spawn(move || {
                    for _ in 0..EACH {
                        RING.record(poll(w));
                    }
                })
            })
            .collect();
        s.spawn(|| {
            for w in writers {
                w.join().unwrap();
            }
            done.store(true, Ordering::SeqCst);
        });
        while !done.load(Ordering::SeqCst) {
            seen.extend(drained(&RING));
        }
        seen.extend(drained(&RING));
    });
    assert_eq!(seen.len() as u64 + RING.dropped(), u64::from(WRITERS * EACH));
    assert!(seen.windows(2).all(|w| w[0].tsc < w[1].tsc), "stamps in ring order");
}

#[test]
fn a_failing_console_is_the_dumps_error_and_the_event_stays() {
    static RING: Ring<4> = Ring::new(|| 5);
    RING.record(poll(1));
    // The header goes out (2 writes: text, then the number), the event's
    // line does not.
    let mut console = FailAfter::new(Sink, 2, ConsoleError::Unavailable);
    assert_eq!(RING.dump(&mut console, None), Err(DumpError::Console(ConsoleError::Unavailable)));
    assert_eq!(RING.len(), 1, "the event that did not go out is still there");
    let error: &dyn std::error::Error = &DumpError::Console(ConsoleError::Full);
    assert_eq!(error.source().unwrap().to_string(), "the console is full");
}

#[test]
fn a_second_reader_is_turned_away() {
    static RING: Ring<4> = Ring::new(|| 0);
    RING.record(poll(0));
    let mut nested = None;
    RING.drain(|_| {
        nested = Some(RING.dump(&mut Sink, None));
        Ok::<(), ()>(())
    })
    .unwrap();
    assert_eq!(nested, Some(Err(DumpError::Busy)));
}

#[test]
fn a_reader_that_panics_lets_the_next_one_in() {
    static RING: Ring<4> = Ring::new(|| 0);
    RING.record(poll(0));
    let panicked = std::panic::catch_unwind(|| RING.drain(|_| -> Result<(), ()> { panic!("the reader fails") }));
    assert!(panicked.is_err());
    assert_eq!(drained(&RING), [Stamped { tsc: 0, event: poll(0) }], "the event is still there, and the ring readable");
}
