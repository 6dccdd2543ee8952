//! Whether a decoded dump makes sense: the rules every executor's trace
//! keeps, whatever it was running. The first rule broken is the error, with
//! the line that broke it:
//!
//! - the ring dropped nothing (a trace with holes cannot be judged);
//! - timestamps never go backwards;
//! - a task is spawned once, before anything else names it; a wake names
//!   a spawned task, and so does a wake by a task;
//! - polls do not overlap: one starts only when the last has ended, and
//!   each ends, as `ready` or `pending`, for the task it started for;
//! - a task that ended `ready` is not polled again;
//! - a sleep fires only for a task that armed one;
//! - the CPU goes idle only between polls, and `idle` and `busy` take
//!   turns; so do `halt` and `resume`, and the CPU halts only between
//!   polls.
//!
//! The checks judged per exercise (fairness, sleeping long enough, the
//! idle share) build on a dump that passed these.

use std::collections::BTreeMap;

use super::{By, Dump, Event, TraceError};

/// What the checks learned about a task.
struct Task {
    spawned: usize,
    finished: Option<usize>,
    sleeping: bool,
}

/// The first rule `dump` breaks, if any.
pub fn check(dump: &Dump) -> Result<(), TraceError> {
    if dump.dropped > 0 {
        let problem = format!(
            "the kernel's ring had no room for {} events, so the trace has holes and cannot be judged: give the ring more slots, or dump it more often",
            dump.dropped
        );
        return Err(TraceError::new(dump.end_line, problem));
    }
    let mut tasks: BTreeMap<u32, Task> = BTreeMap::new();
    let mut polling: Option<(u32, usize)> = None;
    let mut idle: Option<usize> = None;
    let mut halted: Option<usize> = None;
    let mut last: Option<(u64, usize)> = None;
    for record in &dump.records {
        let line = record.line;
        let fail = |problem: String| Err(TraceError::new(line, problem));
        if let Some((tsc, at)) = last
            && record.tsc < tsc
        {
            return fail(format!("the timestamp {} goes back from {tsc} on line {at}", record.tsc));
        }
        last = Some((record.tsc, line));
        let known = |task: u32, role: &str| match tasks.get(&task) {
            Some(_) => Ok(()),
            None => Err(TraceError::new(line, format!("{role} task {task}, which was never spawned"))),
        };
        match &record.event {
            Event::Spawn { task, name } => {
                if let Some(earlier) = tasks.get(task) {
                    return fail(format!(
                        "task {task} ({name}) is spawned again; it was spawned on line {}",
                        earlier.spawned
                    ));
                }
                tasks.insert(*task, Task { spawned: line, finished: None, sleeping: false });
            }
            Event::Poll { task } => {
                known(*task, "polls")?;
                if let Some((other, at)) = polling {
                    return fail(format!(
                        "a poll of task {task} starts while task {other}'s poll from line {at} has not ended"
                    ));
                }
                if let Some(at) = idle {
                    return fail(format!("task {task} is polled while the CPU is idle since line {at}"));
                }
                if let Some(at) = tasks[task].finished {
                    return fail(format!("task {task} is polled again after it finished on line {at}"));
                }
                polling = Some((*task, line));
            }
            Event::Ready { task } | Event::Pending { task } => {
                known(*task, "ends a poll of")?;
                match polling {
                    Some((polled, _)) if polled == *task => polling = None,
                    Some((polled, at)) => {
                        return fail(format!(
                            "a poll of task {task} ends, but the poll under way is task {polled}'s, from line {at}"
                        ));
                    }
                    None => return fail(format!("a poll of task {task} ends, but no poll had started")),
                }
                if matches!(record.event, Event::Ready { .. }) {
                    tasks.get_mut(task).expect("known").finished = Some(line);
                }
            }
            Event::Wake { task, by } => {
                known(*task, "wakes")?;
                if let By::Task(by) = by {
                    known(*by, "names as the waker")?;
                }
            }
            Event::Sleep { task, .. } => {
                known(*task, "arms a sleep for")?;
                tasks.get_mut(task).expect("known").sleeping = true;
            }
            Event::Fire { task } => {
                known(*task, "fires a sleep of")?;
                let sleeper = tasks.get_mut(task).expect("known");
                if !sleeper.sleeping {
                    return fail(format!("a sleep of task {task} fires, but the task had armed none"));
                }
                sleeper.sleeping = false;
            }
            Event::Idle => {
                if let Some((task, at)) = polling {
                    return fail(format!("the CPU goes idle during task {task}'s poll from line {at}"));
                }
                if let Some(at) = idle {
                    return fail(format!("the CPU goes idle again, without leaving the idle of line {at}"));
                }
                idle = Some(line);
            }
            Event::Busy => {
                if idle.take().is_none() {
                    return fail("the CPU leaves an idle it never entered".to_string());
                }
            }
            Event::Halt => {
                if let Some((task, at)) = polling {
                    return fail(format!("the CPU halts during task {task}'s poll from line {at}"));
                }
                if let Some(at) = halted {
                    return fail(format!("the CPU halts again, without resuming from the halt of line {at}"));
                }
                halted = Some(line);
            }
            Event::Resume => {
                if halted.take().is_none() {
                    return fail("the CPU resumes from a halt it never began".to_string());
                }
            }
            Event::Irq { .. } => {}
        }
    }
    if let Some((task, at)) = polling {
        return Err(TraceError::new(at, format!("the poll of task {task} never ends")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::decode::decode;

    /// `check` on the events `body`, between a header and an end line.
    fn checked(body: &str) -> Result<(), String> {
        let events = body.lines().count();
        let text = format!("fledge-trace version=1 tsc-hz=1000\n{body}end events={events} dropped=0\n");
        check(&decode(&text).unwrap()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_sound_trace_passes() {
        let body = "1 spawn 0 a\n2 spawn 1 b\n3 poll 0\n4 wake 1 task 0\n5 pending 0\n6 poll 1\n7 sleep 1 9 5\n\
                    8 pending 1\n9 idle\n10 irq 32\n11 busy\n12 fire 1\n12 wake 1 outside\n13 poll 1\n14 ready 1\n\
                    15 wake 1 irq 36\n";
        assert_eq!(checked(body), Ok(()));
    }

    #[test]
    fn each_broken_rule_is_named_with_its_line() {
        let cases = [
            ("1 spawn 0 a\n0 poll 0\n", "trace, line 3: the timestamp 0 goes back from 1 on line 2"),
            ("1 spawn 0 a\n2 spawn 0 b\n", "trace, line 3: task 0 (b) is spawned again; it was spawned on line 2"),
            ("1 poll 4\n", "trace, line 2: polls task 4, which was never spawned"),
            ("1 spawn 0 a\n2 wake 7 task 0\n", "trace, line 3: wakes task 7, which was never spawned"),
            ("1 spawn 0 a\n2 wake 0 task 9\n", "trace, line 3: names as the waker task 9, which was never spawned"),
            (
                "1 spawn 0 a\n2 spawn 1 b\n3 poll 0\n4 poll 1\n",
                "trace, line 5: a poll of task 1 starts while task 0's poll from line 4 has not ended",
            ),
            (
                "1 spawn 0 a\n2 spawn 1 b\n3 poll 0\n4 ready 1\n",
                "trace, line 5: a poll of task 1 ends, but the poll under way is task 0's, from line 4",
            ),
            ("1 spawn 0 a\n2 pending 0\n", "trace, line 3: a poll of task 0 ends, but no poll had started"),
            (
                "1 spawn 0 a\n2 poll 0\n3 ready 0\n4 poll 0\n",
                "trace, line 5: task 0 is polled again after it finished on line 4",
            ),
            ("1 spawn 0 a\n2 poll 0\n", "trace, line 3: the poll of task 0 never ends"),
            ("1 spawn 0 a\n2 fire 0\n", "trace, line 3: a sleep of task 0 fires, but the task had armed none"),
            ("1 spawn 0 a\n2 poll 0\n3 idle\n", "trace, line 4: the CPU goes idle during task 0's poll from line 3"),
            ("1 idle\n2 idle\n", "trace, line 3: the CPU goes idle again, without leaving the idle of line 2"),
            ("1 busy\n", "trace, line 2: the CPU leaves an idle it never entered"),
            ("1 spawn 0 a\n2 poll 0\n3 halt\n", "trace, line 4: the CPU halts during task 0's poll from line 3"),
            ("1 halt\n2 halt\n", "trace, line 3: the CPU halts again, without resuming from the halt of line 2"),
            ("1 resume\n", "trace, line 2: the CPU resumes from a halt it never began"),
            ("1 spawn 0 a\n2 idle\n3 poll 0\n", "trace, line 4: task 0 is polled while the CPU is idle since line 3"),
        ];
        for (body, expected) in cases {
            assert_eq!(checked(body), Err(expected.to_string()), "{body}");
        }
    }

    #[test]
    fn a_trace_with_holes_is_not_judged() {
        let dump = decode("fledge-trace version=1 tsc-hz=unknown\nend events=0 dropped=3\n").unwrap();
        let error = check(&dump).unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.problem.starts_with("the kernel's ring had no room for 3 events"), "{error}");
    }
}
