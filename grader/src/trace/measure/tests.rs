//! The trace checks on hand-written dumps: each passes the trace it should,
//! and fails the broken one with the numbers it measured.

use super::*;
use crate::trace::check::check;
use crate::trace::decode::decode;

/// The events `body` between a header (`tsc-hz=1000000`, a tick a
/// microsecond) and an end line, decoded and checked. Line 1 is the header,
/// so the first event is on line 2.
fn dump(body: &str) -> Dump {
    dump_at("1000000", body)
}

fn dump_at(hz: &str, body: &str) -> Dump {
    let events = body.lines().count();
    let text = format!("fledge-trace version=1 tsc-hz={hz}\n{body}end events={events} dropped=0\n");
    let dump = decode(&text).unwrap();
    check(&dump).unwrap();
    dump
}

/// Three yielders polled in rounds of `order`, then the first finishes.
fn yielders(order: &[u32]) -> String {
    let mut body = String::from("1 spawn 0 yielder-a\n2 spawn 1 yielder-b\n3 spawn 2 yielder-c\n4 spawn 3 main\n");
    let mut tsc = 10;
    for task in order {
        body.push_str(&format!("{tsc} poll {task}\n{} wake {task} task {task}\n{} pending {task}\n", tsc + 1, tsc + 2));
        tsc += 10;
    }
    body.push_str(&format!("{tsc} poll 0\n{} ready 0\n", tsc + 1));
    body
}

#[test]
fn yielders_polled_in_rounds_are_fair() {
    assert_eq!(fair(&dump(&yielders(&[0, 1, 2, 0, 1, 2, 0, 1, 2])), "yielder", 1), Ok(()));
}

#[test]
fn a_task_polled_over_and_over_is_unfair_and_the_counts_are_named() {
    let why = fair(&dump(&yielders(&[0, 0, 0, 1, 2])), "yielder", 1).unwrap_err();
    assert_eq!(
        why,
        "while all 3 `yielder` tasks were alive, their polls drifted 2 apart by line 9: `yielder-a` (task 0) had been polled 2 times, `yielder-b` (task 1) 0 times; the test allows 1"
    );
    // The same trace, allowed 3 apart, passes: the measure is the distance.
    assert_eq!(fair(&dump(&yielders(&[0, 0, 0, 1, 2])), "yielder", 3), Ok(()));
}

#[test]
fn fairness_without_two_tasks_or_any_poll_is_a_failure() {
    let one = dump("1 spawn 0 yielder-a\n2 poll 0\n3 ready 0\n");
    assert!(fair(&one, "yielder", 1).unwrap_err().contains("the trace has 1 of them: at least two"));
    let none_polled = dump("1 spawn 0 yielder-a\n2 spawn 1 yielder-b\n3 idle\n");
    assert_eq!(
        fair(&none_polled, "yielder", 1).unwrap_err(),
        "no `yielder` task was polled while all 2 were alive (after line 3, until the first of them finished)"
    );
    let one_after_the_other =
        dump("1 spawn 0 yielder-a\n2 poll 0\n3 ready 0\n4 spawn 1 yielder-b\n5 poll 1\n6 ready 1\n");
    assert_eq!(
        fair(&one_after_the_other, "yielder", 1).unwrap_err(),
        "`yielder-a` (task 0) finished on line 4, before the last `yielder` task was spawned on line 5: they were never all alive at once"
    );
}

/// A task that arms a 50 ms sleep at tick 100 and is polled again at `poll`
/// (a tick a microsecond).
fn sleeper(poll: u64) -> Dump {
    dump(&format!(
        "1 spawn 0 sleeper\n10 poll 0\n100 sleep 0 50000000 50000000\n110 pending 0\n120 idle\n\
         {} irq 32\n{} busy\n{} fire 0\n{} wake 0 outside\n{poll} poll 0\n{} ready 0\n",
        poll - 4,
        poll - 3,
        poll - 2,
        poll - 1,
        poll + 1
    ))
}

#[test]
fn a_sleep_of_50_ms_is_measured_in_tsc_time() {
    assert_eq!(not_before(&sleeper(50_100), "sleeper", 50), Ok(()), "exactly 50 ms");
    assert_eq!(not_before(&sleeper(90_000), "sleeper", 50), Ok(()), "late is allowed");
}

#[test]
fn an_early_poll_after_a_sleep_fails_with_the_time_measured() {
    assert_eq!(
        not_before(&sleeper(12_100), "sleeper", 50).unwrap_err(),
        "`sleeper` (task 0) armed a sleep on line 4 (in the poll of line 3) and was polled again on line 11, 12.090 ms of TSC time after that poll began (12090 ticks at 1000000 Hz); the test sleeps 50 ms"
    );
    assert!(not_before(&sleeper(50_009), "sleeper", 50).is_err(), "one tick short");
}

#[test]
fn a_sleep_is_measured_from_the_poll_that_read_the_clock() {
    // A tick came during the arming poll, between its clock read and the
    // `sleep` event: 50 ms from the poll's start, 49.5 from the event.
    let late_event = dump(
        "1 spawn 0 sleeper\n10 poll 0\n400 irq 32\n500 sleep 0 50000000 50000000\n510 pending 0\n\
         50005 irq 32\n50008 fire 0\n50009 wake 0 outside\n50010 poll 0\n50011 ready 0\n",
    );
    assert_eq!(not_before(&late_event, "sleeper", 50), Ok(()));
}

#[test]
fn a_sleep_that_cannot_be_measured_is_a_failure() {
    let unknown =
        dump_at("unknown", "1 spawn 0 sleeper\n2 poll 0\n3 sleep 0 5 5\n4 pending 0\n10 poll 0\n11 ready 0\n");
    assert!(not_before(&unknown, "sleeper", 50).unwrap_err().contains("`tsc-hz=unknown`"));
    let nobody = dump("1 spawn 0 other\n");
    assert!(not_before(&nobody, "sleeper", 50).unwrap_err().starts_with("no task named `sleeper` was spawned"));
    let awake = dump("1 spawn 0 sleeper\n2 poll 0\n3 ready 0\n");
    assert!(not_before(&awake, "sleeper", 50).unwrap_err().contains("never armed a sleep"));
    let forever = dump("1 spawn 0 sleeper\n2 poll 0\n3 sleep 0 5 5\n4 pending 0\n5 idle\n");
    assert!(not_before(&forever, "sleeper", 50).unwrap_err().contains("never polled after it"));
}

#[test]
fn a_halting_cpu_is_idle_most_of_the_time() {
    // Polls from 0 to 10, halted from 11 to 985, a poll to 1000: 97.4 %.
    let halting = dump(
        "0 spawn 0 s\n1 poll 0\n10 pending 0\n10 idle\n11 halt\n980 irq 32\n985 resume\n990 busy\n995 poll 0\n1000 ready 0\n",
    );
    assert_eq!(idle_share(&halting, 0.97), Ok(()));
    assert!(idle_share(&halting, 0.98).is_err());
    // A halt still open when the dump was taken counts up to the last event.
    let open = dump("0 spawn 0 s\n1 poll 0\n10 pending 0\n10 idle\n10 halt\n1000 irq 32\n");
    assert_eq!(idle_share(&open, 0.99), Ok(()));
}

#[test]
fn a_busy_waiting_cpu_fails_the_idle_share_with_its_share() {
    // The executor polls the sleeper again and again instead of halting.
    let mut body = String::from("0 spawn 0 s\n");
    for tsc in (1..1000).step_by(10) {
        body.push_str(&format!("{tsc} poll 0\n{} wake 0 task 0\n{} pending 0\n", tsc + 1, tsc + 2));
    }
    body.push_str("1000 idle\n1001 halt\n1002 resume\n1002 busy\n1005 poll 0\n1010 ready 0\n");
    assert_eq!(
        idle_share(&dump(&body), 0.8).unwrap_err(),
        "the CPU was halted for 0.1 % of the trace's 1.010 ms (lines 2 to 308): 0.001 ms in 1 halt; the executor said it was idle for 0.002 ms in 1 stretch, where the test wants at least 80.0 %; with nothing to run it should halt, not spin"
    );
}

#[test]
fn an_idle_that_spins_is_not_halted_whatever_it_says() {
    // The executor records `idle` and `busy` around a loop that never halts.
    let spinning =
        dump("0 spawn 0 s\n1 poll 0\n10 pending 0\n10 idle\n980 irq 32\n990 busy\n995 poll 0\n1000 ready 0\n");
    assert_eq!(
        idle_share(&spinning, 0.8).unwrap_err(),
        "the CPU was halted for 0.0 % of the trace's 1.000 ms (lines 2 to 9): 0.000 ms in 0 halts; the executor said it was idle for 0.980 ms in 1 stretch, where the test wants at least 80.0 %; with nothing to run it should halt, not spin"
    );
}

#[test]
fn an_idle_share_of_no_time_is_a_failure() {
    assert!(idle_share(&dump("5 spawn 0 s\n5 idle\n"), 0.8).unwrap_err().contains("spans no time"));
    assert!(idle_share(&dump(""), 0.8).unwrap_err().contains("holds no events"));
}

/// A reader woken by irq 36 `rounds` times while the CPU is idle.
fn reader(rounds: u64) -> String {
    let mut body = String::from("1 spawn 0 reader\n");
    for round in 0..rounds {
        let t = 10 + round * 100;
        body.push_str(&format!(
            "{t} poll 0\n{} pending 0\n{} idle\n{} irq 36\n{} wake 0 irq 36\n{} busy\n",
            t + 1,
            t + 2,
            t + 50,
            t + 51,
            t + 52
        ));
    }
    body.push_str(&format!("{} poll 0\n{} ready 0\n", 10 + rounds * 100, 11 + rounds * 100));
    body
}

#[test]
fn wakes_by_an_interrupt_are_counted_and_each_ends_in_a_poll() {
    assert_eq!(irq_wakes(&dump(&reader(5)), 5), Ok(()));
    assert_eq!(
        irq_wakes(&dump(&reader(5)), 6).unwrap_err(),
        "the trace holds 5 wakes of a task by an interrupt, where the test makes 6: the interrupt's handler must wake the task that waits for it"
    );
}

#[test]
fn a_wake_followed_by_another_halt_is_lost() {
    // Round 2's wake comes after the idle check and before the halt: the
    // CPU halts again (line 19) until the timer's tick.
    let mut body = reader(3);
    body = body.replace("210 poll 0\n211 pending 0\n212 idle\n", "210 poll 0\n211 pending 0\n");
    body = body.replace("261 wake 0 irq 36\n262 busy\n", "261 wake 0 irq 36\n262 idle\n280 irq 32\n281 busy\n");
    assert_eq!(
        irq_wakes(&dump(&body), 3).unwrap_err(),
        "1 of 3 wakes by an interrupt were lost: the first, of `reader` (task 0) by irq 36 on line 18: the CPU went idle on line 19 before the task was polled"
    );
}

#[test]
fn a_halt_after_a_wake_before_its_poll_is_a_lost_wake() {
    // Round 2's wake comes after the executor decided to halt, and the
    // halt after the wake: the CPU sleeps until the timer's tick, 30 TSC
    // ticks on, which at 10 kHz is 3 milliseconds.
    let body = reader(3)
        .replace("261 wake 0 irq 36\n262 busy\n", "261 wake 0 irq 36\n262 halt\n291 irq 32\n292 resume\n293 busy\n");
    assert_eq!(
        irq_wakes(&dump_at("10000", &body), 3).unwrap_err(),
        "1 of 3 wakes by an interrupt were lost: the first, of `reader` (task 0) by irq 36 on line 19: the CPU halted on line 20 before the task was polled, and slept until irq 32 on line 21, 2.900 ms later: the decision to halt was taken before the wake, and the halt came after it"
    );
}

#[test]
fn a_wake_that_ends_a_halt_loses_nothing() {
    // The interrupt ends the halt, and a tick right after it changes
    // nothing: only a halt after the wake loses it.
    let body = reader(3).replace(
        "212 idle\n260 irq 36\n261 wake 0 irq 36\n262 busy\n",
        "212 idle\n213 halt\n260 irq 36\n261 wake 0 irq 36\n262 irq 32\n263 resume\n264 busy\n",
    );
    assert_ne!(body, reader(3));
    assert_eq!(irq_wakes(&dump(&body), 3), Ok(()));
}

#[test]
fn a_wake_never_followed_by_a_poll_is_lost_and_a_finished_task_s_is_not_counted() {
    let never = dump("1 spawn 0 reader\n2 poll 0\n3 pending 0\n4 irq 36\n5 wake 0 irq 36\n");
    assert!(irq_wakes(&never, 1).unwrap_err().ends_with("on line 6: the task was never polled after it"));
    let finished = dump("1 spawn 0 reader\n2 poll 0\n3 ready 0\n4 irq 36\n5 wake 0 irq 36\n");
    assert!(irq_wakes(&finished, 1).unwrap_err().starts_with("the trace holds 0 wakes"));
}
