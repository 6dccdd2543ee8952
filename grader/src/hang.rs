//! What a hung boot was doing: from the samples of its CPU
//! ([`crate::stuck`]), named with the kernel's line tables
//! ([`crate::symbols`]), to the place, its caller, what kind of hang it
//! looks like, and a hint.
//!
//! Each sample is a stack: the frames at the instruction pointer (with the
//! functions inlined there), then those at each return address. The
//! *place* is the innermost frame in the learner's own files (the
//! exercise's folder), or failing that in the repository outside the test
//! runner (`kernel/boot`, `kernel/ktap`); its *caller* the next such frame
//! further out, in another function, unless the place's function is on the
//! stack again further out: then that is named, as the code that reached
//! the place again (a print inside the printer, say). What lies inside the place says what
//! kind of hang it is:
//!
//! ```text
//! spin_loop   core/src/hint.rs
//! lock        spin-0.9.8/src/mutex/spin.rs      <- a spin lock: waited for forever,
//! print       exercises/01-serial/src/print.rs  <- the place   probably taken twice
//! println     exercises/01-serial/src/print.rs  <- its caller
//! hello_line  exercises/01-serial/tests/cases/kernel.rs
//! ```
//!
//! A CPU halted in every sample (`hlt`, `HLT=1` in QEMU's registers) waits
//! for an interrupt that does not come. Otherwise it spins. The samples
//! are taken apart in time; the place most of them share is reported.

use std::collections::BTreeMap;

use crate::stuck::Sample;
use crate::symbols::Frame;

/// What kind of hang.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A loop that never ends.
    Spinning,
    /// Halted, waiting for an interrupt.
    Halted,
    /// Waiting for a `spin` lock (`Mutex`, `RwLock`) that is never freed.
    SpinLock,
    /// Waiting for a `spin::Once` whose initialiser never finishes.
    Once,
}

/// A hung boot, explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hang {
    /// What kind of hang it looks like.
    pub kind: Kind,
    /// `` `SerialConsole::write_bytes` (exercises/01-serial/src/uart.rs:67) ``
    pub place: String,
    /// The place's caller, written the same way.
    pub caller: Option<String>,
    /// Whether the caller is the place's own function, further out: the
    /// place was entered again.
    pub again: bool,
    /// The first hint to show for the test that hung.
    pub hint: String,
}

/// Where a boot was stuck, from its samples and the frames at each address
/// (see [`crate::symbols::lookup`]). `own` is the folder of the learner's
/// files (`exercises/01-serial/`), if any; `command` what the learner typed
/// (`cargo grade exercise-01`). `None` if no sample could be named.
pub fn diagnose(
    samples: &[Sample],
    frames: &BTreeMap<u64, Vec<Frame>>,
    own: Option<&str>,
    command: &str,
) -> Option<Hang> {
    let looks: Vec<(Kind, Vec<&Frame>)> = samples
        .iter()
        .map(|sample| {
            // A return address is just past its call: look up the call.
            let addresses = std::iter::once(sample.rip).chain(sample.returns.iter().map(|r| r.saturating_sub(1)));
            let stack: Vec<&Frame> = addresses.filter_map(|a| frames.get(&a)).flatten().collect();
            let kind = if sample.halted { Kind::Halted } else { Kind::Spinning };
            (kind, stack)
        })
        .collect();
    // A breakpoint on the line would do in a debug build, but the kernel
    // is optimised: gdb may put it on another line. Interrupting the hang
    // always lands in it.
    let see = format!(
        "To see it for yourself: `{command} --gdb`, then in gdb `continue`; once it hangs, Ctrl-C and `bt` show \
         this stack (`frame N` and `info locals` look around)."
    );
    diagnose_stacks(&looks, own, "The kernel", &see)
}

/// [`diagnose`], from stacks already named: one per sample of a boot, or
/// one per thread of a hung host test ([`crate::host_tests`]), each with
/// the kind of wait it was in. `who` is what hung (`The kernel`, `The
/// test`); `see`, the hint's last sentence, how to look at the hang in a
/// debugger.
pub fn diagnose_stacks(looks: &[(Kind, Vec<&Frame>)], own: Option<&str>, who: &str, see: &str) -> Option<Hang> {
    let places: Vec<Option<(usize, Kind)>> = looks.iter().map(|(kind, stack)| place(stack, own, *kind)).collect();
    // The place most samples share.
    // Between places as common, the one with more of the learner's frames
    // around it shows more of the story.
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (i, found) in places.iter().enumerate() {
        if let Some((at, _)) = found {
            let depth = looks[i].1.iter().filter(|f| is_candidate(f, own)).count();
            let count = counts.entry(looks[i].1[*at].function.as_str()).or_default();
            *count = (count.0 + 1, count.1.max(depth));
        }
    }
    let (&function, _) = counts.iter().max_by_key(|(_, n)| **n)?;
    let (i, (at, mut kind)) = places
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.filter(|(at, _)| looks[i].1[*at].function == function).map(|p| (i, p)))
        .max_by_key(|(i, _)| looks[*i].1.iter().filter(|f| is_candidate(f, own)).count())?;
    if kind == Kind::Halted && !looks.iter().all(|(k, _)| *k == Kind::Halted) {
        kind = Kind::Spinning;
    }
    let stack = &looks[i].1;
    let frame = stack[at];
    let outer = &stack[at + 1..];
    let again = outer.iter().find(|f| f.function == frame.function);
    let caller = again.or_else(|| outer.iter().find(|f| is_candidate(f, own) && f.function != frame.function));
    let place = format!("`{}` ({})", frame.function, frame.location());
    let caller = caller.map(|c| format!("`{}` ({})", c.function, c.location()));
    let again = again.is_some();
    let hint = hint(kind, &place, caller.as_deref(), again, who, see);
    Some(Hang { kind, place, caller, again, hint })
}

/// The index of the place in one stack, and the kind of hang the frames
/// inside it show.
fn place(stack: &[&Frame], own: Option<&str>, kind: Kind) -> Option<(usize, Kind)> {
    let mine = |f: &Frame| own.is_some_and(|own| f.file.as_deref().is_some_and(|file| file.starts_with(own)));
    let at = stack
        .iter()
        .position(|f| mine(f))
        .or_else(|| stack.iter().position(|f| is_candidate(f, None)))
        .or_else(|| (!stack.is_empty()).then_some(0))?;
    let inside = stack[..at].iter().filter_map(|f| f.file.as_deref());
    let kind = inside.fold(kind, |kind, file| match file.split_once('/') {
        Some((krate, path)) if krate.starts_with("spin-") && path.contains("once") => Kind::Once,
        Some((krate, path)) if krate.starts_with("spin-") && (path.contains("mutex") || path.contains("rwlock")) => {
            Kind::SpinLock
        }
        _ => kind,
    });
    Some((at, kind))
}

/// Whether a frame is one worth naming: in the learner's files, or (with
/// no `own`) anywhere in the repository but the test runner.
fn is_candidate(frame: &Frame, own: Option<&str>) -> bool {
    let Some(file) = frame.file.as_deref() else { return false };
    match own {
        Some(own) if file.starts_with(own) => true,
        _ => frame.in_repo && !file.starts_with("kernel/boot/") && !file.starts_with("kernel/ktap/"),
    }
}

/// The hint for the test that hung; `gdb` says how to look at it.
fn hint(kind: Kind, place: &str, caller: Option<&str>, again: bool, who: &str, gdb: &str) -> String {
    match (kind, caller) {
        (Kind::SpinLock, Some(caller)) if again => format!(
            "A spin lock waits until it is free, and this one never was: {place} locks it, and so did {caller}, \
             further out on the same stack, which leads back in here while it holds the lock. Call nothing that \
             takes the same lock (a print, in a printer) while its guard lives. {gdb}"
        ),
        (Kind::SpinLock, Some(caller)) => format!(
            "A spin lock waits until it is free, and this one never was: {place} locks it, called from {caller}, \
             which most likely holds it already. A guard keeps its lock until the end of its scope (or `drop(guard)`): \
             do not lock again, or call anything that locks, while it lives. {gdb}"
        ),
        (Kind::SpinLock, None) => format!(
            "A spin lock waits until it is free, and this one never was: {place} locks it while it is held, \
             most likely by the same code, taken twice. A guard keeps its lock until the end of its scope. {gdb}"
        ),
        (Kind::Once, _) => format!(
            "{place} waits for a `spin::Once` whose initialiser never finished: does the initialiser itself \
             reach the same `Once` (call_once inside call_once)? {gdb}"
        ),
        (Kind::Halted, _) => format!(
            "The CPU was halted in {place}, waiting for an interrupt that never came: are interrupts enabled, \
             is the device programmed to send them, and is the end of each one acknowledged? {gdb}"
        ),
        (Kind::Spinning, _) => format!(
            "{who} was spinning in {place} when it was stopped: look at the loop there. What should change \
             each time round, and does it? {gdb}"
        ),
    }
}

impl Hang {
    /// Whether it waits for a lock or a `Once` that is never freed.
    pub fn is_deadlock(&self) -> bool {
        matches!(self.kind, Kind::SpinLock | Kind::Once)
    }

    /// What the kernel was doing, as a phrase: `spinning in ...`.
    pub fn doing(&self) -> String {
        let called = match &self.caller {
            Some(caller) if self.again => format!(", reached again from {caller} further out on the stack"),
            Some(caller) => format!(", called from {caller}"),
            None => String::new(),
        };
        match self.kind {
            Kind::Spinning => format!("spinning in {}{called}", self.place),
            Kind::Halted => format!("halted in {}{called}", self.place),
            Kind::SpinLock => format!("waiting for a spin lock in {}{called}", self.place),
            Kind::Once => format!("waiting for a `spin::Once` in {}{called}", self.place),
        }
    }

    /// Why the test that was running failed, after `secs` seconds.
    pub fn why(&self, secs: u64) -> String {
        let after = match self.kind {
            Kind::SpinLock => "a spin lock is waited for forever: it was probably taken twice (a deadlock)",
            Kind::Once => "a `spin::Once` is waited for forever: its initialiser never finished",
            Kind::Halted => "the CPU waits for an interrupt that never comes, or the test needs longer",
            Kind::Spinning => {
                "the kernel hung there (an endless loop, or waiting for something that never comes), or needs longer"
            }
        };
        format!("still running after {secs}s, {}: {after}", self.doing())
    }
}

#[cfg(test)]
mod tests;
