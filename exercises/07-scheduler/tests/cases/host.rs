//! Exercise 07's host tests: your executor on the host, with a clock that
//! moves only when the test (or its idle) moves it, and a real trace ring:
//! a yield that gives the CPU away once, rounds that keep yielding tasks
//! within one poll of each other, timers in deadline order and never
//! early, wakers outliving their tasks, detached tasks running on, an
//! interrupt that wakes a task while the CPU halts, and the same executor
//! on the host's own clock.
//!
//! Run them with `cargo test -p exercise-07-scheduler --test host`.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use fledge_api::{Clock, Event, Idle, Instant, Outcome, Stamped, TaskId, WokenBy};
use fledge_fakes::{ManualClock, SimulatedInterrupts, TickingIdle};
use fledge_trace::Ring;
use scheduler::{Executor, yield_now};

/// A clock and a ring stamped by it, in nanoseconds, one pair per test.
macro_rules! clock_and_trace {
    ($clock:ident, $ring:ident, $slots:expr) => {
        static $clock: ManualClock = ManualClock::new(Duration::ZERO);
        static $ring: Ring<$slots> = Ring::new(|| $clock.elapsed().as_nanos() as u64);
    };
}

fn events<const N: usize>(ring: &Ring<N>) -> Vec<Stamped> {
    let mut events = Vec::new();
    ring.drain(|s| {
        events.push(*s);
        Ok::<(), ()>(())
    })
    .unwrap();
    assert_eq!(ring.dropped(), 0, "the test's ring was too small");
    events
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn a_sleep_on_a_coarse_clock_is_never_early_by_the_true_time() {
    // A clock that reads in 10 ms steps, 7 ms into its first step: it
    // says 0, and a deadline of `now + 20 ms` would come after 13 ms.
    static COARSE: ManualClock = ManualClock::new(Duration::from_millis(10));
    static TRACE: Ring<64> = Ring::new(|| COARSE.elapsed().as_nanos() as u64);
    COARSE.advance(ms(7));
    let idle = TickingIdle::new(&COARSE, ms(1));
    let mut executor = Executor::new(&COARSE, &idle, &TRACE);
    let (handle, woke) = (executor.handle(), Rc::new(Cell::new(None)));
    let started = COARSE.elapsed();
    let woken = Rc::clone(&woke);
    drop(executor.spawn("sleeper", async move {
        handle.sleep(ms(20)).await;
        woken.set(Some(COARSE.elapsed()));
    }));
    executor.run();
    let slept = woke.get().expect("the sleeper finished") - started;
    assert!(slept >= ms(20), "a 20 ms sleep ended after {slept:?} of true time");
    assert!(slept <= ms(30), "a 20 ms sleep on a 10 ms clock took {slept:?}: at most one step late");
}

#[test]
fn timers_fire_in_deadline_order_and_never_early() {
    clock_and_trace!(CLOCK, TRACE, 1024);
    // Each wait moves the clock 3 ms, so a deadline falls between ticks.
    let idle = TickingIdle::new(&CLOCK, ms(3));
    let mut executor = Executor::new(&CLOCK, &idle, &TRACE);
    let woke = Rc::new(RefCell::new(Vec::new()));
    for (name, after) in [("thirty", 30), ("ten", 10), ("twenty", 20)] {
        let (handle, woke) = (executor.handle(), Rc::clone(&woke));
        drop(executor.spawn(name, async move {
            handle.sleep(ms(after)).await;
            woke.borrow_mut().push((name, handle.now()));
        }));
    }
    executor.run();
    let at = |n| Instant::from_since_start(ms(n));
    assert_eq!(*woke.borrow(), [("ten", at(12)), ("twenty", at(21)), ("thirty", at(30))]);
    // The trace: each task armed its sleep at once, and was not polled
    // again before its deadline.
    let events = events(&TRACE);
    for (task, after) in [(0, 30), (1, 10), (2, 20)] {
        let armed = events
            .iter()
            .find(|e| e.event == Event::SleepArmed { task: TaskId(task), deadline: at(after), after: ms(after) });
        assert_eq!(armed.map(|e| e.tsc), Some(0), "task {task} armed at 0");
        let polls: Vec<u64> =
            events.iter().filter(|e| e.event == Event::PollStart { task: TaskId(task) }).map(|e| e.tsc).collect();
        assert_eq!(polls.len(), 2, "task {task}: once to arm, once when due");
        assert!(polls[1] >= ms(after).as_nanos() as u64, "task {task} polled early, at {} ns", polls[1]);
    }
    let fired: Vec<Event> =
        events.iter().filter(|e| matches!(e.event, Event::SleepFired { .. })).map(|e| e.event).collect();
    assert_eq!(fired, [1, 2, 0].map(|t| Event::SleepFired { task: TaskId(t) }));
    assert_eq!(idle.waits(), 10, "idle from 0 to 30 ms in 3 ms waits");
}

#[test]
fn a_waker_used_after_its_task_finished_is_harmless() {
    clock_and_trace!(CLOCK, TRACE, 64);
    let idle = TickingIdle::new(&CLOCK, ms(1));
    let mut executor = Executor::new(&CLOCK, &idle, &TRACE);
    let kept: Rc<RefCell<Option<Waker>>> = Rc::default();
    let theirs = Rc::clone(&kept);
    let task = executor.spawn(
        "leaves its waker",
        poll_fn(move |cx| {
            *theirs.borrow_mut() = Some(cx.waker().clone());
            Poll::Ready(())
        }),
    );
    executor.run();
    assert!(task.is_finished());
    let waker = kept.borrow_mut().take().unwrap();
    waker.wake_by_ref();
    waker.wake();
    assert_eq!(executor.run_ready(), 0, "nothing to poll");
    assert_eq!(executor.tasks(), 0);
    let events: Vec<Event> = events(&TRACE).into_iter().map(|e| e.event).collect();
    let t = TaskId(0);
    assert_eq!(
        events,
        [
            Event::Spawn { task: t, name: "leaves its waker" },
            Event::PollStart { task: t },
            Event::PollEnd { task: t, outcome: Outcome::Ready }
        ],
        "the late wakes are not traced"
    );
}

#[test]
fn dropping_a_join_handle_detaches_the_task_and_does_not_cancel_it() {
    clock_and_trace!(CLOCK, TRACE, 64);
    let idle = TickingIdle::new(&CLOCK, ms(1));
    let mut executor = Executor::new(&CLOCK, &idle, &TRACE);
    struct Output(Rc<Cell<bool>>);
    impl Drop for Output {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let (ran_to_end, output_dropped) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
    let (handle, ran, dropped) = (executor.handle(), Rc::clone(&ran_to_end), Rc::clone(&output_dropped));
    let join = executor.spawn("detached", async move {
        handle.sleep(ms(5)).await;
        ran.set(true);
        Output(dropped)
    });
    executor.run_ready();
    drop(join);
    executor.run();
    assert!(ran_to_end.get(), "the task ran on after its handle was dropped");
    assert!(output_dropped.get(), "its output, which nobody can take, was dropped");
    assert_eq!(CLOCK.now(), Instant::from_since_start(ms(5)));
}

#[test]
fn join_handles_return_the_tasks_output() {
    clock_and_trace!(CLOCK, TRACE, 256);
    let idle = TickingIdle::new(&CLOCK, ms(1));
    let mut executor = Executor::new(&CLOCK, &idle, &TRACE);
    let handle = executor.handle();
    let sum = executor.block_on("main", async move {
        let children: Vec<_> = (1..=4u32)
            .map(|n| {
                let handle2 = handle.clone();
                handle.spawn("child", async move {
                    handle2.sleep(ms(u64::from(5 - n))).await;
                    n * 10
                })
            })
            .collect();
        let mut sum = 0;
        for child in children {
            sum += child.await;
        }
        sum
    });
    assert_eq!(sum, 100);
}

#[test]
fn yielding_tasks_are_polled_within_one_of_each_other() {
    clock_and_trace!(CLOCK, TRACE, 4096);
    let idle = TickingIdle::new(&CLOCK, ms(1));
    let mut executor = Executor::new(&CLOCK, &idle, &TRACE);
    const TASKS: usize = 5;
    for _ in 0..TASKS {
        drop(executor.spawn("yielder", async {
            for _ in 0..100 {
                yield_now().await;
            }
        }));
    }
    executor.run();
    assert_eq!(idle.waits(), 0, "always something to run");
    let mut polls = [0u32; TASKS];
    for event in events(&TRACE) {
        if let Event::PollStart { task } = event.event {
            polls[task.0 as usize] += 1;
            let (most, least) = (polls.iter().max().unwrap(), polls.iter().min().unwrap());
            assert!(most - least <= 1, "polls so far {polls:?}");
        }
        if let Event::Wake { task, by } = event.event {
            assert_eq!(by, WokenBy::Task(task), "a yield wakes its own task");
        }
    }
    assert_eq!(polls, [101; TASKS]);
}

/// An idle whose device raises its interrupt around the executor's check,
/// in turn: on odd waits just before it, in the window between the
/// executor's decision to wait and the check (interrupts are on, so the
/// handler runs at once, and the check must see its wake); on even waits
/// during it, with the interrupt held pending, which the halt then takes.
struct RaiseAroundCheck<'c, 'h> {
    cpu: &'c SimulatedInterrupts<'h>,
    waits: Cell<u32>,
}

impl Idle for RaiseAroundCheck<'_, '_> {
    fn wait_unless(&self, ready: &mut dyn FnMut() -> bool) -> bool {
        self.waits.set(self.waits.get() + 1);
        if self.waits.get() % 2 == 1 {
            self.cpu.raise();
            return self.cpu.wait_unless(ready);
        }
        self.cpu.wait_unless(&mut || {
            let ready = ready();
            self.cpu.raise();
            ready
        })
    }

    /// A halt after the caller's own check: the device's interrupt comes in
    /// the window between the two, with interrupts on, so its handler runs
    /// at once and the halt then waits for an interrupt that already came
    /// (the simulated CPU panics with "lost wake-up").
    fn wait_for_interrupt(&self) {
        self.cpu.raise();
        self.cpu.wait_for_interrupt();
    }
}

#[test]
fn an_interrupt_during_the_idle_check_wakes_the_task_every_time() {
    clock_and_trace!(CLOCK, TRACE, 16384);
    const ROUNDS: u32 = 1000;
    let hits = Cell::new(0u32);
    let parked: RefCell<Option<Waker>> = RefCell::new(None);
    let door = RefCell::new(None::<scheduler::Interrupts>);
    let cpu = SimulatedInterrupts::new(|| {
        let door = door.borrow();
        door.as_ref().unwrap().handle(36, || {
            hits.set(hits.get() + 1);
            if let Some(waker) = parked.borrow_mut().take() {
                waker.wake();
            }
        })
    });
    let idle = RaiseAroundCheck { cpu: &cpu, waits: Cell::new(0) };
    let mut executor = Executor::new(&CLOCK, &idle, &TRACE);
    *door.borrow_mut() = Some(executor.interrupts());
    let seen = executor.block_on("reader", async {
        let mut seen = 0;
        for _ in 0..ROUNDS {
            poll_fn(|cx| {
                if hits.get() > seen {
                    seen = hits.get();
                    Poll::Ready(())
                } else {
                    *parked.borrow_mut() = Some(cx.waker().clone());
                    Poll::Pending
                }
            })
            .await;
        }
        seen
    });
    // A lost wake-up would have panicked in the simulated halt. Half the
    // rounds' interrupts came before the check, which saw their wakes:
    // those rounds never halted.
    assert_eq!((seen, cpu.halts()), (ROUNDS, ROUNDS as usize / 2));
    let events: Vec<Event> = events(&TRACE).into_iter().map(|e| e.event).collect();
    let t = TaskId(0);
    let halted = [
        Event::PollEnd { task: t, outcome: Outcome::Pending },
        Event::IdleEnter,
        Event::Interrupt { vector: 36 },
        Event::Wake { task: t, by: WokenBy::Interrupt(36) },
        Event::IdleLeave,
        Event::PollStart { task: t },
    ];
    let not_halted = [
        Event::PollEnd { task: t, outcome: Outcome::Pending },
        Event::Interrupt { vector: 36 },
        Event::Wake { task: t, by: WokenBy::Interrupt(36) },
        Event::PollStart { task: t },
    ];
    assert_eq!(events.windows(6).filter(|w| *w == halted).count(), ROUNDS as usize / 2);
    assert_eq!(events.windows(4).filter(|w| *w == not_halted).count(), ROUNDS as usize / 2);
}

#[test]
fn it_runs_hosted_on_the_hosts_clock() {
    static TRACE: Ring<64> = Ring::new(fledge_hosted::monotonic_nanos);
    let clock = fledge_hosted::HostClock::new();
    let idle = fledge_hosted::SleepIdle(ms(1));
    let mut executor = Executor::new(&clock, &idle, &TRACE);
    let handle = executor.handle();
    let slept = executor.block_on("sleeper", async move {
        let start = handle.now();
        handle.sleep(ms(20)).await;
        handle.now().saturating_duration_since(start)
    });
    assert!(slept >= ms(20), "{slept:?}");
    let events = events(&TRACE);
    assert!(events.iter().any(|e| e.event == Event::IdleEnter), "it idled while it slept");
    assert!(events.windows(2).all(|w| w[0].tsc <= w[1].tsc));
}

/// A waker that counts its wakes.
struct Counting(AtomicUsize);

impl Wake for Counting {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_yield_is_pending_once_having_woken_its_task() {
    let counting = Arc::new(Counting(AtomicUsize::new(0)));
    let waker = Waker::from(Arc::clone(&counting));
    let mut cx = Context::from_waker(&waker);
    let mut yielding = std::pin::pin!(yield_now());
    assert!(yielding.as_mut().poll(&mut cx).is_pending(), "the first poll of a yield gives the CPU away");
    assert_eq!(counting.0.load(Ordering::SeqCst), 1, "a yield wakes its own task once, or it is never polled again");
    assert!(yielding.as_mut().poll(&mut cx).is_ready(), "the second poll of a yield is ready");
    assert_eq!(counting.0.load(Ordering::SeqCst), 1, "the second poll wakes nobody");
}

#[test]
fn a_spawned_task_runs_and_its_wakes_are_traced() {
    clock_and_trace!(CLOCK, TRACE, 64);
    let idle = TickingIdle::new(&CLOCK, ms(1));
    let mut executor = Executor::new(&CLOCK, &idle, &TRACE);
    let answer = executor.block_on("main", async {
        yield_now().await;
        42
    });
    assert_eq!(answer, 42);
    assert_eq!(idle.waits(), 0, "a yielding task is runnable: nothing to wait for");
    let events: Vec<Event> = events(&TRACE).into_iter().map(|e| e.event).collect();
    let t = TaskId(0);
    assert_eq!(
        events,
        [
            Event::Spawn { task: t, name: "main" },
            Event::PollStart { task: t },
            Event::Wake { task: t, by: WokenBy::Task(t) },
            Event::PollEnd { task: t, outcome: Outcome::Pending },
            Event::PollStart { task: t },
            Event::PollEnd { task: t, outcome: Outcome::Ready },
        ],
        "one yield: polled, woken by itself, pending, polled again, ready"
    );
}

#[test]
fn a_stray_wake_does_not_end_a_sleep_early() {
    clock_and_trace!(CLOCK, TRACE, 1024);
    let idle = TickingIdle::new(&CLOCK, ms(1));
    let mut executor = Executor::new(&CLOCK, &idle, &TRACE);
    let sleepers_waker: Rc<RefCell<Option<Waker>>> = Rc::default();
    let woke_at = Rc::new(Cell::new(None));
    let (handle, kept, woke) = (executor.handle(), Rc::clone(&sleepers_waker), Rc::clone(&woke_at));
    drop(executor.spawn("sleeper", async move {
        // Leave the task's waker where the pest finds it, then sleep.
        poll_fn(|cx| {
            *kept.borrow_mut() = Some(cx.waker().clone());
            Poll::Ready(())
        })
        .await;
        handle.sleep(ms(10)).await;
        woke.set(Some(CLOCK.elapsed()));
    }));
    let (handle, stray) = (executor.handle(), Rc::clone(&sleepers_waker));
    drop(executor.spawn("pest", async move {
        // Wakes the sleeper every millisecond, for no reason.
        for _ in 0..20 {
            if let Some(waker) = stray.borrow().as_ref() {
                waker.wake_by_ref();
            }
            handle.sleep(ms(1)).await;
        }
    }));
    executor.run();
    let woke_at = woke_at.get().expect("the sleeper finished");
    assert!(woke_at >= ms(10), "a 10 ms sleep, woken every millisecond by another task, ended after {woke_at:?}");
    assert!(woke_at <= ms(12), "a 10 ms sleep on a 1 ms clock ended after {woke_at:?}: more than a step late");
}
