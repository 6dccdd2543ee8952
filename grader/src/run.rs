//! Running a grading's boots and host tests, several at once, and merging
//! what they said in a fixed order.
//!
//! ```text
//!             ┌─ host tests ─────────────────────────────┐
//! plan ──> pool (N jobs) ─ sequence 1: boot, boot again from the next test, ...
//!             ├─ sequence 2: boot ...                     ├──> merge in boot order ──> Boots
//!             └─ sequence 3: boot ...                     ┘        (log, notes, results)
//!          lints, on a thread beside the pool
//! ```
//!
//! Each sequence of the [`Plan`](crate::plan::Plan) is one job: its boots
//! follow each other, since where the next one starts depends on how the
//! last one ended ([`ending::meaning`]). Sequences and the host tests are
//! independent and share the pool's N workers (`--jobs N`, one more than
//! the cores by default); the lints ([`crate::lints`]) run beside the
//! pool. A boot that runs out of time is looked at before it is stopped
//! ([`crate::stuck`]), and the grader says where it was stuck
//! ([`crate::hang`]). With `--verbose` the boots run one at a time, so
//! that their live output reads in order; under `--gdb` there is one boot.
//!
//! Every boot works in a folder of its own under `target/fledge/<package>/`
//! (image, run configuration, COM2, QEMU's event log), named `boot-N` after
//! its number once the grading is over; the last boot's files are also
//! linked into `target/fledge/<package>/` itself. Boots are numbered,
//! results merged and the log written in boot order (sequence by sequence,
//! each in the order its boots ran), never in the order they finished: the
//! first result of a test in that order stands, and the verdict is the
//! first bad boot's: a grading gives the same answer every time, however
//! its boots raced. The exercise's lock is held till the judges are done.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use fledge_ktap::RunConfig;

use crate::capture::Capture;
use crate::ending::{self, BootEnd, Meaning, Note, Outcome};
use crate::hang::{self, Hang};
use crate::ktap::Stream;
use crate::plan::Sequence;
use crate::pool::{self, Job};
use crate::qemu::{self, Accel, Ending};
use crate::report::Verdict;
use crate::stuck::Sample;
use crate::{folders, image, kills, lock, log, net, pci};
use crate::{host_tests, lints, symbols};

/// How to run the boots.
pub struct Settings<'a> {
    /// The kernel ELF.
    pub kernel: &'a Path,
    /// `target/fledge/<label>/` holds the boots' files, and `target/fledge/logs/<label>.log` their log.
    pub label: &'a str,
    /// The repository root.
    pub root: &'a Path,
    /// The deadline of each boot.
    pub timeout: Duration,
    /// The accelerator the grading asked for.
    pub accel: Accel,
    /// Copy COM1 to the terminal as it arrives (boots one at a time).
    pub echo: bool,
    /// One boot, paused for gdb on this port.
    pub gdb: Option<u16>,
    /// How many jobs at once.
    pub jobs: usize,
    /// The folder of the learner's files (`exercises/01-serial/`), where a
    /// hang is looked for first.
    pub own: Option<&'a str>,
    /// What grades this again (`cargo grade exercise-01`), for hints.
    pub command: &'a str,
}

/// Jobs that run beside the boots.
#[derive(Default)]
pub struct Beside<'a> {
    /// The host tests.
    pub host: Option<Job<'a, Result<host_tests::Run>>>,
    /// The lints of the learner's files.
    pub lints: Option<Job<'a, Vec<lints::Warning>>>,
}

/// What the jobs beside the boots gave.
#[derive(Default)]
pub struct BesideDone {
    /// The host tests' run.
    pub host: Option<host_tests::Run>,
    /// The warnings.
    pub lints: Vec<lints::Warning>,
}

/// All the boots of one grading, merged in boot order.
pub struct Boots {
    /// The plan (`1..N`) of the first boot that wrote one.
    pub plan: Option<usize>,
    /// Each kernel test's result, by number: the first in boot order.
    pub outcomes: BTreeMap<usize, Outcome>,
    /// The verdict the first boot that ended badly forces.
    pub verdict: Option<Verdict>,
    /// Notes on the boots, in boot order.
    pub notes: Vec<String>,
    /// COM2's output of every boot, in boot order.
    pub com2: String,
    /// The folder of the boots' files: boot N's COM2 is `boot-N/com2.log`.
    pub dir: PathBuf,
    /// Which boot (from 1) reported each test whose result counts, by number.
    pub reported_by: BTreeMap<usize, usize>,
    /// The serial log.
    pub log: PathBuf,
    /// How long the longest boot ran, less the time its CPU waited for a
    /// core: what its deadline counts.
    pub longest: Duration,
    /// The exercise's lock, held until the judges have read the boots'
    /// files (drive images, kill logs), so no second grader clears them.
    pub _lock: lock::Lock,
}

/// One boot, once it is over.
struct Done {
    sequence: usize,
    start: usize,
    nonce: String,
    dir: PathBuf,
    boot: qemu::Boot,
    com2: String,
    plan: Option<usize>,
    meaning: Meaning,
}

/// What one job of the pool produced.
enum Finished {
    Host(Result<host_tests::Run>),
    Boots(Result<Vec<Done>>),
}

/// Runs `sequences` and the host tests on the pool, the lints on a thread
/// of their own beside it, and merges the boots. `None` for the boots when
/// there are no sequences.
pub fn all<'a>(
    settings: &Settings<'_>,
    sequences: &[Sequence],
    beside: Beside<'a>,
) -> Result<(Option<Boots>, BesideDone)> {
    let Beside { host, lints } = beside;
    std::thread::scope(|scope| {
        // Not a job of the pool: clippy mostly waits for cargo, and a
        // worker of the pool left waiting is a boot that starts later
        // (measured: exercise 02's third boot, 0.4 s).
        let lints = lints.map(|job| scope.spawn(job));
        let ran = boots_and_host_tests(settings, sequences, host);
        let lints = lints.and_then(|thread| thread.join().ok()).unwrap_or_default();
        ran.map(|(boots, host)| (boots, BesideDone { host, lints }))
    })
}

/// The pool's part of [`all`].
fn boots_and_host_tests<'a>(
    settings: &Settings<'_>,
    sequences: &[Sequence],
    host: Option<Job<'a, Result<host_tests::Run>>>,
) -> Result<(Option<Boots>, Option<host_tests::Run>)> {
    let mut side: Vec<Job<'a, Finished>> = Vec::new();
    if let Some(host) = host {
        side.push(Box::new(move || Finished::Host(host())));
    }
    if sequences.is_empty() {
        let (_, host) = finish(pool::run(settings.jobs, side))?;
        return Ok((None, host));
    }
    let qemu_path = qemu::find_qemu()?;
    let dir = settings.root.join("target").join("fledge").join(settings.label);
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let lock = lock::exclusive(&dir)?;
    folders::clear_boot_folders(&dir)?;
    // The disk images carry the kernel without its line tables; the full
    // ELF is kept for naming the place of a hang.
    let image_kernel = image::stripped(settings.kernel, &dir)?;
    let counter = AtomicUsize::new(0);
    let context = Shared { settings, qemu: &qemu_path, dir: &dir, counter: &counter, image_kernel: &image_kernel };
    let context = &context;
    let mut jobs: Vec<Job<'_, Finished>> = side;
    // Under gdb, one boot is the whole session: the first sequence's first.
    let sequences = if settings.gdb.is_some() { &sequences[..1] } else { sequences };
    if settings.echo {
        jobs.push(Box::new(move || {
            let mut all = Vec::new();
            for (i, sequence) in sequences.iter().enumerate() {
                match run_sequence(context, i, sequence) {
                    Ok(done) => all.extend(done),
                    Err(error) => return Finished::Boots(Err(error)),
                }
            }
            Finished::Boots(Ok(all))
        }));
    } else {
        for (i, sequence) in sequences.iter().enumerate() {
            jobs.push(Box::new(move || Finished::Boots(run_sequence(context, i, sequence))));
        }
    }
    let (done, host) = finish(pool::run(settings.jobs, jobs))?;
    Ok((Some(merge(settings, sequences, &dir, done, lock)?), host))
}

/// Sorts what the pool's jobs gave: the boots, and the host tests' run.
fn finish(results: Vec<Finished>) -> Result<(Vec<Done>, Option<host_tests::Run>)> {
    let mut done = Vec::new();
    let mut host = None;
    for finished in results {
        match finished {
            Finished::Host(run) => host = Some(run?),
            Finished::Boots(boots) => done.extend(boots?),
        }
    }
    Ok((done, host))
}

/// What every boot of a grading shares.
struct Shared<'a> {
    settings: &'a Settings<'a>,
    qemu: &'a Path,
    dir: &'a Path,
    /// Boots started so far, for `--verbose`'s live headers.
    counter: &'a AtomicUsize,
    /// The kernel the disk images carry.
    image_kernel: &'a Path,
}

/// Boots one sequence: from test 1, and again after each boot that ended
/// early, as [`ending::meaning`] says.
fn run_sequence(context: &Shared<'_>, index: usize, sequence: &Sequence) -> Result<Vec<Done>> {
    let settings = context.settings;
    let only = sequence.only.as_ref().map(|names| names.join(","));
    // A `[test.kills]` test's killed boots come first (`kills.rs`).
    let killed = match &sequence.kills {
        Some(spec) if settings.gdb.is_none() => {
            let how = kills::Killing::of(sequence, context.qemu, context.image_kernel, settings.timeout, settings.echo);
            let work = context.dir.join(format!("boot-{}.kills", index + 1));
            Some((kills::run(&how, spec, only.as_deref(), &work)?, spec))
        }
        _ => None,
    };
    let mut start = 1;
    let mut done_before = BTreeSet::new();
    let mut boots = Vec::new();
    loop {
        let dir = context.dir.join(format!("boot-{}.{}", index + 1, boots.len() + 1));
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let nonce = image::nonce()?;
        let config = RunConfig { nonce: &nonce, start, only: only.as_deref() };
        let image = image::build(context.image_kernel, &config, &dir)?;
        let com2 = dir.join("com2.log");
        let (devices, network) = net::prepare(&sequence.devices, &dir, sequence.net.clone())?;
        if let (Some((killed, spec)), true) = (&killed, boots.is_empty()) {
            kills::carry(killed, spec, &dir)?;
        }
        let pci = dir.join(pci::FILE);
        let request = qemu::Request {
            image: &image,
            com2: &com2,
            timeout: settings.timeout,
            accel: sequence.accel,
            echo: settings.echo,
            events: &dir.join("qemu-events.log"),
            gdb: settings.gdb,
            cpu: sequence.cpu.as_deref(),
            devices: &devices,
            pci: sequence.query_pci.then_some(pci.as_path()),
            kill: None,
            ready: network.as_ref().and_then(net::Network::ready),
        };
        if settings.echo {
            let number = context.counter.fetch_add(1, Ordering::SeqCst) + 1;
            eprintln!("----- boot {number}: from test {start} -----");
        }
        let boot = qemu::boot(context.qemu, &request)?;
        if boot.ending == Ending::Interrupted {
            bail!("interrupted: QEMU was stopped");
        }
        let com2 = String::from_utf8_lossy(&fs::read(&com2).unwrap_or_default()).into_owned();
        let stream = Stream::parse(&log::output(&boot.com1));
        let first_lines = first_lines(&boot.com1, 3);
        let hang = boot.stuck.as_deref().and_then(|samples| where_stuck(settings, samples));
        let meaning = ending::meaning(&BootEnd {
            ending: boot.ending,
            stream: &stream,
            nonce: &nonce,
            start,
            only: sequence.only.as_deref(),
            timeout: settings.timeout,
            stderr: &boot.stderr,
            first_lines: &first_lines,
            boots_before: boots.len(),
            done_before: &done_before,
            hang: hang.as_ref(),
        });
        done_before.extend(meaning.outcomes.iter().map(|o| o.name.clone()));
        let next = if settings.gdb.is_some() { None } else { meaning.next };
        boots.push(Done { sequence: index, start, nonce, dir, boot, com2, plan: stream.plan, meaning });
        match next {
            Some(next) => start = next,
            None => return Ok(boots),
        }
    }
}

/// Where a boot that ran out of time was stuck, named from the kernel ELF.
fn where_stuck(settings: &Settings<'_>, samples: &[Sample]) -> Option<Hang> {
    let addresses: Vec<u64> = samples
        .iter()
        .flat_map(|s| std::iter::once(s.rip).chain(s.returns.iter().map(|r| r.saturating_sub(1))))
        .collect();
    let frames = symbols::lookup(settings.kernel, settings.root, &addresses).ok()?;
    hang::diagnose(samples, &frames, settings.own, settings.command)
}

/// The first `n` lines of a boot's COM1.
fn first_lines(com1: &Capture, n: usize) -> String {
    String::from_utf8_lossy(com1.head()).lines().take(n).collect::<Vec<_>>().join("\n")
}

/// Numbers the boots in order, names their folders after their numbers,
/// writes the log and gathers results, notes and the verdict.
fn merge(
    settings: &Settings<'_>,
    sequences: &[Sequence],
    dir: &Path,
    mut done: Vec<Done>,
    lock: lock::Lock,
) -> Result<Boots> {
    // Sequence by sequence; each sequence's boots are in the order they ran.
    done.sort_by_key(|d| d.sequence);
    let log_path = settings.root.join("target").join("fledge").join("logs").join(format!("{}.log", settings.label));
    let mut boots = Boots {
        plan: None,
        outcomes: BTreeMap::new(),
        verdict: None,
        notes: Vec::new(),
        com2: String::new(),
        dir: dir.to_path_buf(),
        reported_by: BTreeMap::new(),
        log: log_path,
        longest: done.iter().map(|d| d.boot.elapsed.saturating_sub(d.boot.waited)).max().unwrap_or_default(),
        _lock: lock,
    };
    let mut entries = Vec::new();
    for (i, boot) in done.iter().enumerate() {
        let number = i + 1;
        let folder = dir.join(format!("boot-{number}"));
        fs::rename(&boot.dir, &folder)
            .with_context(|| format!("cannot rename {} to {}", boot.dir.display(), folder.display()))?;
        boots.plan = boots.plan.or(boot.plan);
        for note in &boot.meaning.notes {
            let text = match note {
                Note::Boot(phrase) => format!("boot {number} {phrase}"),
                Note::Said(text) => text.clone(),
            };
            if !boots.notes.contains(&text) {
                boots.notes.push(text);
            }
        }
        boots.verdict = match (boots.verdict, boot.meaning.verdict) {
            (None | Some(Verdict::Failed), Some(verdict)) => Some(verdict),
            (verdict, _) => verdict,
        };
        for outcome in &boot.meaning.outcomes {
            match boots.reported_by.get(&outcome.number) {
                Some(first) => boots.notes.push(format!(
                    "boot {number} reported test {} (`{}`) too, after boot {first}; the first result stands",
                    outcome.number, outcome.name
                )),
                None => {
                    boots.reported_by.insert(outcome.number, number);
                    boots.outcomes.insert(outcome.number, outcome.clone());
                }
            }
        }
        boots.com2.push_str(&boot.com2);
        let sequence = &sequences[boot.sequence];
        entries.push(log::Entry {
            number,
            start: boot.start,
            cpu: sequence.cpu.as_deref(),
            accel: (settings.accel != Accel::Tcg).then_some(sequence.accel),
            nonce: &boot.nonce,
            ending: boot.boot.ending,
            elapsed: boot.boot.elapsed,
            com1: &boot.boot.com1,
            stderr: &boot.boot.stderr,
        });
    }
    log::write(&boots.log, &entries)?;
    if !done.is_empty() {
        folders::link_last_boot(dir, &dir.join(format!("boot-{}", done.len())))?;
    }
    Ok(boots)
}
