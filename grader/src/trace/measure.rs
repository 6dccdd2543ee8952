//! The checks a test can ask of its trace (`[test.trace]` in
//! `exercise.toml`), measured on the host from a dump that passed
//! [`check`](super::check::check). Each answers `Ok`, or a sentence that
//! names the numbers it measured and the lines of the trace they come from.
//! None panics, even on a dump that was not checked (a timestamp that goes
//! back counts as no time).
//!
//! - [`fair`]: from the moment the last task whose name starts with the
//!   prefix is spawned until the first of them finishes (while all are
//!   alive), count each one's polls; after every poll, the highest count
//!   and the lowest may differ by at most `within`. Rounds of polls keep
//!   them within 1; a scheduler that runs one task over and over does not.
//! - [`not_before`]: for every sleep a task of that name arms, the TSC
//!   ticks from the start of the poll it armed it in (the sleep's deadline
//!   comes from a clock read in that poll, and a timer tick may come
//!   between that read and the `sleep` event) to the task's next `poll`,
//!   turned into time with the header's `tsc-hz`, must be at least the
//!   milliseconds asked for. Every such task must arm a sleep, and be
//!   polled after it.
//! - [`idle_share`]: the time the CPU was halted, between `halt` and
//!   `resume` (a halt still open at the end runs to the last event), over
//!   the time from the first event to the last: at least the fraction
//!   asked for. The machine's idle records those two, not the executor: a
//!   CPU that spins while nothing can run is not halted, whatever `idle`
//!   and `busy` say.
//! - [`irq_wakes`]: the wakes of a live task by an interrupt (`wake T irq
//!   V`) number at least as many as asked for, and none is lost: the task is
//!   polled after each, before the CPU goes idle again and before the trace
//!   ends, and before the CPU halts (`halt`): a CPU that decided to halt,
//!   took the wake, and then halted anyway sleeps through it until the
//!   next interrupt, the timer's tick.

use std::collections::{BTreeMap, BTreeSet};

use super::{By, Dump, Event};

#[cfg(test)]
mod tests;

/// Task numbers to names, from the `spawn` events.
fn names(dump: &Dump) -> BTreeMap<u32, &str> {
    let mut names = BTreeMap::new();
    for record in &dump.records {
        if let Event::Spawn { task, name } = &record.event {
            names.insert(*task, name.as_str());
        }
    }
    names
}

/// `` `sleeper` (task 1) ``
fn who(names: &BTreeMap<u32, &str>, task: u32) -> String {
    format!("`{}` (task {task})", names.get(&task).copied().unwrap_or("?"))
}

/// The tasks named with `prefix` get polls within `within` of each other
/// while all of them are alive.
pub fn fair(dump: &Dump, prefix: &str, within: u32) -> Result<(), String> {
    let names = names(dump);
    let group: BTreeSet<u32> = names.iter().filter(|(_, n)| n.starts_with(prefix)).map(|(t, _)| *t).collect();
    if group.len() < 2 {
        return Err(format!(
            "fairness compares the tasks whose names start with `{prefix}`, but the trace has {} of them: at least two are needed",
            group.len()
        ));
    }
    let last_spawn = dump
        .records
        .iter()
        .rposition(|r| matches!(&r.event, Event::Spawn { task, .. } if group.contains(task)))
        .expect("the group's tasks were spawned");
    let finished_early = dump.records[..last_spawn].iter().find_map(|r| match r.event {
        Event::Ready { task } if group.contains(&task) => Some((task, r.line)),
        _ => None,
    });
    if let Some((task, line)) = finished_early {
        return Err(format!(
            "{} finished on line {line}, before the last `{prefix}` task was spawned on line {}: they were never all alive at once",
            who(&names, task),
            dump.records[last_spawn].line
        ));
    }
    let mut polls: BTreeMap<u32, u64> = group.iter().map(|t| (*t, 0)).collect();
    for record in &dump.records[last_spawn + 1..] {
        match record.event {
            Event::Ready { task } if group.contains(&task) => break,
            Event::Poll { task } if group.contains(&task) => {
                *polls.get_mut(&task).expect("in the group") += 1;
                let (most, least) = extremes(&polls);
                if most.1 - least.1 > u64::from(within) {
                    return Err(format!(
                        "while all {} `{prefix}` tasks were alive, their polls drifted {} apart by line {}: {} had been polled {} times, {} {} times; the test allows {within}",
                        group.len(),
                        most.1 - least.1,
                        record.line,
                        who(&names, most.0),
                        most.1,
                        who(&names, least.0),
                        least.1
                    ));
                }
            }
            _ => {}
        }
    }
    if polls.values().all(|&n| n == 0) {
        return Err(format!(
            "no `{prefix}` task was polled while all {} were alive (after line {}, until the first of them finished)",
            group.len(),
            dump.records[last_spawn].line
        ));
    }
    Ok(())
}

/// The task with the most polls and the one with the fewest (the first of
/// each, in task order).
fn extremes(polls: &BTreeMap<u32, u64>) -> ((u32, u64), (u32, u64)) {
    let first_with = |count: u64| polls.iter().find(|(_, n)| **n == count).map(|(t, n)| (*t, *n));
    let most = first_with(polls.values().copied().max().unwrap_or(0));
    let least = first_with(polls.values().copied().min().unwrap_or(0));
    (most.unwrap_or_default(), least.unwrap_or_default())
}

/// Every task called `task` stays unpolled for `ms` milliseconds of TSC
/// time after arming each sleep.
pub fn not_before(dump: &Dump, task: &str, ms: u64) -> Result<(), String> {
    let Some(hz) = dump.tsc_hz else {
        return Err(
            "the dump's header says `tsc-hz=unknown`, so its TSC ticks cannot be turned into milliseconds: the kernel must measure its TSC's frequency before it dumps"
                .into(),
        );
    };
    let names = names(dump);
    let ids: BTreeSet<u32> = names.iter().filter(|(_, n)| **n == task).map(|(t, _)| *t).collect();
    if ids.is_empty() {
        return Err(format!("no task named `{task}` was spawned, so there is no sleep of it to measure"));
    }
    let needed = u128::from(ms) * u128::from(hz) / 1000;
    let mut sleeps = 0;
    for (i, record) in dump.records.iter().enumerate() {
        let Event::Sleep { task: sleeper, .. } = record.event else { continue };
        if !ids.contains(&sleeper) {
            continue;
        }
        sleeps += 1;
        // The deadline was taken from a clock read during this poll, before
        // the `sleep` event: a tick may come between the two.
        let armed_in =
            dump.records[..i].iter().rev().find(|r| r.event == Event::Poll { task: sleeper }).unwrap_or(record);
        let next = dump.records[i + 1..].iter().find(|r| r.event == Event::Poll { task: sleeper });
        let Some(poll) = next else {
            return Err(format!(
                "{} armed a sleep on line {} and was never polled after it: its sleep never ended",
                who(&names, sleeper),
                record.line
            ));
        };
        let ticks = u128::from(poll.tsc.saturating_sub(armed_in.tsc));
        if ticks < needed {
            return Err(format!(
                "{} armed a sleep on line {} (in the poll of line {}) and was polled again on line {}, {} of TSC time after that poll began ({ticks} ticks at {hz} Hz); the test sleeps {ms} ms",
                who(&names, sleeper),
                record.line,
                armed_in.line,
                poll.line,
                millis(ticks, hz)
            ));
        }
    }
    if sleeps == 0 {
        return Err(format!("`{task}` never armed a sleep, so there is no sleep to measure"));
    }
    Ok(())
}

/// `12.345 ms`: ticks at `hz`, in milliseconds.
fn millis(ticks: u128, hz: u64) -> String {
    format!("{:.3} ms", ticks as f64 * 1000.0 / hz as f64)
}

/// What ended the halt at `records[halt]`: `and slept until irq 32 on
/// line 12, 3.000 ms later`.
fn slept_until(dump: &Dump, halt: usize) -> String {
    let at = &dump.records[halt];
    let ended = dump.records[halt + 1..].iter().find_map(|r| match r.event {
        Event::Irq { vector } => Some((r, vector)),
        _ => None,
    });
    match (ended, dump.tsc_hz) {
        (Some((irq, vector)), Some(hz)) => format!(
            "and slept until irq {vector} on line {}, {} later",
            irq.line,
            millis(u128::from(irq.tsc.saturating_sub(at.tsc)), hz)
        ),
        (Some((irq, vector)), None) => format!("and slept until irq {vector} on line {}", irq.line),
        (None, _) => "and no interrupt came after it".to_string(),
    }
}

/// The CPU is halted for at least `at_least` of the trace's time.
pub fn idle_share(dump: &Dump, at_least: f64) -> Result<(), String> {
    let (Some(first), Some(last)) = (dump.records.first(), dump.records.last()) else {
        return Err("the trace holds no events, so it has no time to share".into());
    };
    let total = last.tsc.saturating_sub(first.tsc);
    if total == 0 {
        return Err(format!("the trace's events all have the same timestamp ({}): it spans no time", first.tsc));
    }
    let halted = stretches(dump, &Event::Halt, &Event::Resume);
    let share = halted.0 as f64 / total as f64;
    if share < at_least {
        let span = |ticks: u64| dump.tsc_hz.map_or(format!("{ticks} ticks"), |hz| millis(u128::from(ticks), hz));
        let (idle, idles) = stretches(dump, &Event::Idle, &Event::Busy);
        let said = format!(
            "; the executor said it was idle for {} in {idles} {}",
            span(idle),
            if idles == 1 { "stretch" } else { "stretches" }
        );
        return Err(format!(
            "the CPU was halted for {:.1} % of the trace's {} (lines {} to {}): {} in {} {}{said}, where the test wants at least {:.1} %; with nothing to run it should halt, not spin",
            share * 100.0,
            span(total),
            first.line,
            last.line,
            span(halted.0),
            halted.1,
            if halted.1 == 1 { "halt" } else { "halts" },
            at_least * 100.0
        ));
    }
    Ok(())
}

/// The ticks between each `open` and the next `close` (one still open at
/// the end runs to the last event), added up, and how many stretches.
fn stretches(dump: &Dump, open: &Event, close: &Event) -> (u64, u64) {
    let last = dump.records.last().map_or(0, |r| r.tsc);
    let (mut ticks, mut count, mut since) = (0, 0, None);
    for record in &dump.records {
        if record.event == *open {
            since = Some(record.tsc);
        } else if record.event == *close {
            ticks += record.tsc.saturating_sub(since.take().unwrap_or(record.tsc));
            count += 1;
        }
    }
    if let Some(since) = since {
        ticks += last.saturating_sub(since);
        count += 1;
    }
    (ticks, count)
}

/// At least `at_least` wakes of live tasks by an interrupt, each followed
/// by a poll of its task before the CPU goes idle or halts again.
pub fn irq_wakes(dump: &Dump, at_least: u32) -> Result<(), String> {
    let names = names(dump);
    let mut finished = BTreeSet::new();
    // Task to the wakes by an interrupt since its last poll: (line, vector).
    let mut waiting: BTreeMap<u32, Vec<(usize, u8)>> = BTreeMap::new();
    // Each lost wake: (line, task, vector, why).
    let mut lost: Vec<(usize, u32, u8, String)> = Vec::new();
    let mut count = 0u64;
    for (i, record) in dump.records.iter().enumerate() {
        let why = match record.event {
            Event::Wake { task, by: By::Irq(vector) } if !finished.contains(&task) => {
                count += 1;
                waiting.entry(task).or_default().push((record.line, vector));
                continue;
            }
            Event::Poll { task } => {
                waiting.remove(&task);
                continue;
            }
            Event::Ready { task } => {
                finished.insert(task);
                continue;
            }
            Event::Idle => format!("the CPU went idle on line {} before the task was polled", record.line),
            Event::Halt => format!(
                "the CPU halted on line {} before the task was polled, {}: the decision to halt was taken before the wake, and the halt came after it",
                record.line,
                slept_until(dump, i)
            ),
            _ => continue,
        };
        for (task, wakes) in std::mem::take(&mut waiting) {
            lost.extend(wakes.into_iter().map(|(line, vector)| (line, task, vector, why.clone())));
        }
    }
    for (task, wakes) in waiting {
        let why = "the task was never polled after it".to_string();
        lost.extend(wakes.into_iter().map(|(line, vector)| (line, task, vector, why.clone())));
    }
    lost.sort();
    if let Some((line, task, vector, why)) = lost.first() {
        return Err(format!(
            "{} of {count} wakes by an interrupt were lost: the first, of {} by irq {vector} on line {line}: {why}",
            lost.len(),
            who(&names, *task)
        ));
    }
    if count < u64::from(at_least) {
        return Err(format!(
            "the trace holds {count} wakes of a task by an interrupt, where the test makes {at_least}: the interrupt's handler must wake the task that waits for it"
        ));
    }
    Ok(())
}
