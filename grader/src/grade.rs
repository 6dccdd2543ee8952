//! A grading, stage by stage: the pipeline that turns an exercise (or any
//! kernel) into a [`Report`].
//!
//! ```text
//! manifest ──> plan ──> build kernel ──> build host tests      (one after the other: one cargo)
//!                                │
//!     ┌──────────────────────────┘
//!     └─> run: host tests ∥ sequence 1 ∥ sequence 2 ...       (up to --jobs at once)
//!                │              │ boot ──> KTAP ──> ending: what counts, where to boot next
//!                │              └──────────────────────────────┐
//!                └──> host outcomes          kernel outcomes <─┘
//!                          └──────> judge ──> report (scorecard, JSON, JUnit)
//! ```
//!
//! A guest's word is never enough on its own: a boot's results count only if
//! it echoed that boot's nonce; a test that must end its boot a certain way
//! is judged by the exit QEMU reports, not by the kernel's say-so; and a
//! kernel test that expects output passes only if the grader saw that
//! output on the serial port itself; one judged from its scheduler trace,
//! only if the trace it dumped on COM2 shows it; one that writes a drive
//! or lists the PCI functions, only if the image or QEMU's own list
//! agrees. Results a boot reported before it hung
//! or crashed still count: they were reported with the nonce, and the test
//! that was running when it ended is the one that fails.

use std::path::Path;
use std::time::Duration;

use anyhow::{Result, bail};

use crate::build::{self, Progress};
use crate::ending::{Outcome, Said};
use crate::judge::{self, judge};
use crate::manifest::{Kind, Manifest};
use crate::plan::{self, Sequence};
use crate::pool::Job;
use crate::qemu::Accel;
use crate::report::{Report, TestReport, Verdict};
use crate::run::{self, Settings};
use crate::{devices, folders, host_tests, lints, pci};

/// How to grade.
#[derive(Clone, Copy)]
pub struct Options {
    /// Replaces the deadlines that follow from the manifest's `[reference]`
    /// times, of each boot and each run of the host tests.
    pub timeout: Option<Duration>,
    /// CPU emulation.
    pub accel: Accel,
    /// Progress display for builds.
    pub progress: Progress,
    /// Copy COM1 to the terminal live.
    pub echo: bool,
    /// Boot once, paused, waiting for gdb on this port.
    pub gdb: Option<u16>,
    /// How many boots and host test runs at once.
    pub jobs: usize,
    /// Draw the trace of every test judged from one, not only of those that
    /// fail (`--trace`).
    pub keep_traces: bool,
}

/// Grades an exercise's starter (or, with `solution`, its reference
/// solution).
pub fn exercise(root: &Path, manifest: &Manifest, solution: bool, options: Options) -> Result<Report> {
    let package = manifest.package(solution);
    let side = if solution { "reference solution" } else { "your work" };
    let tests = manifest.tests.iter().map(|t| TestReport::new(t.name.clone(), t.kind, t.points, t.hints.clone()));
    let title = format!("Exercise {:02}: {} ({side}, {package})", manifest.number, manifest.title);
    let mut report = Report::new(manifest.id(), title, tests.collect());
    report.chapter = Some(manifest.chapter.clone());

    // Build first, one after the other: cargo holds one lock on `target/`.
    let kernel = if manifest.has(Kind::Qemu) {
        match build::kernel(root, &package, build::KERNEL_PROFILE, options.progress)? {
            Ok(kernel) => Some(kernel),
            Err(failure) => return Ok(build_failed(report, failure)),
        }
    } else {
        None
    };
    let host_exe = if manifest.has(Kind::Host) {
        match build::host_tests(root, &package, options.progress)? {
            Ok(exe) => Some(exe),
            Err(failure) => return Ok(build_failed(report, failure)),
        }
    } else {
        None
    };

    let plan = plan::for_exercise(manifest, options.accel);
    if !plan.under_tcg.is_empty() {
        let tests: Vec<String> = plan.under_tcg.iter().map(|(name, why)| format!("`{name}` ({why})")).collect();
        let note = format!(
            "graded under TCG although --accel kvm was asked for, because its result is defined under TCG only: {}",
            tests.join("; ")
        );
        eprintln!("{note}");
        report.notes.push(note);
    }
    // Each deadline follows from how long the reference solution takes.
    let boot_deadline = options.timeout.unwrap_or(manifest.reference.boot_deadline());
    let host_deadline = options.timeout.unwrap_or(manifest.reference.host_deadline());
    // Every host test at once, so that all the ones that hang are found in
    // one run of the deadline.
    let threads = manifest.tests.iter().filter(|t| t.kind == Kind::Host).count().max(options.jobs);
    let package_name = package.as_str();
    let own = format!("exercises/{}/", manifest.folder());
    let own_dir = own.as_str();
    let host: Option<Job<'_, Result<host_tests::Run>>> = host_exe.map(|exe| {
        Box::new(move || {
            let binary =
                host_tests::Binary { exe: &exe, package: package_name, own: own_dir, root, deadline: host_deadline };
            host_tests::run(&binary, threads)
        }) as Job<'_, _>
    });
    let lints: Job<'_, Vec<lints::Warning>> =
        Box::new(move || lints::warnings(root, package_name, own_dir).unwrap_or_default());
    let kernel_path = kernel.clone().unwrap_or_default();
    let command = format!("cargo grade {}{}", manifest.id(), if solution { " --solution" } else { "" });
    let mut settings = settings(root, &kernel_path, &package, boot_deadline, options, &command);
    settings.own = (!solution).then_some(own_dir);
    let beside = run::Beside { host, lints: Some(lints) };
    let (boots, beside) = run::all(&settings, if kernel.is_some() { &plan.sequences } else { &[] }, beside)?;

    let mut host_verdict = None;
    if let Some(host) = &beside.host {
        report.timings.host_tests = Some(host.elapsed);
        host_verdict = judge::host::judge(root, manifest, &package, host, &mut report)?;
    }
    let mut verdict = None;
    if let Some(boots) = boots {
        verdict = boots.verdict;
        report.timings.longest_boot = Some(boots.longest);
        report.log = Some(boots.log.clone());
        report.notes.extend(boots.notes.iter().cloned());
        let names: Vec<&str> =
            manifest.tests.iter().filter(|t| t.kind == Kind::Qemu).map(|t| t.name.as_str()).collect();
        // The drive images of checks that failed; the rest are removed.
        let mut keep = Vec::new();
        for (spec, test) in manifest.tests.iter().zip(report.tests.iter_mut()) {
            if spec.kind != Kind::Qemu {
                continue;
            }
            let Some(outcome) = boots.outcomes.values().find(|o| o.name == spec.name) else {
                test.diagnostic = Some(match verdict {
                    Some(Verdict::TimedOut | Verdict::Crashed) => "not reached: an earlier boot ended badly".into(),
                    _ => "the kernel never reported this test".into(),
                });
                continue;
            };
            if outcome.said == Said::Skipped {
                test.skip(outcome.diagnostic.clone());
                continue;
            }
            let mut verdict = judge(root, manifest, spec, outcome, &boots.com2);
            // A test that failed otherwise still gets its trace drawn, if
            // it dumped one: the picture may say why.
            if let Some(trace) = &spec.trace {
                let boot = boots.reported_by.get(&outcome.number).copied().unwrap_or(1);
                let com2 = judge::trace::com2_of(&boots.dir, boot);
                let keep = options.keep_traces || verdict.is_err();
                let place = judge::trace::Place { test: &spec.name, boot, com2: &com2, log: &boots.log, keep };
                let (on_trace, drawn) = judge::trace::judge(trace, &place);
                verdict = verdict.and(on_trace);
                test.trace = drawn;
            }
            // The host's checks of the devices turn a pass into a failure,
            // never the other way round.
            let boot = folders::boot_dir(&boots.dir, boots.reported_by.get(&outcome.number).copied().unwrap_or(1));
            if let Some(disk) = &spec.disk {
                let image = devices::image_path(&boot, &disk.drive);
                verdict = verdict.and_then(|()| judge::disk::judge(disk, &manifest.drives[&disk.drive], &image));
                if verdict.is_err() {
                    keep.push(image);
                }
            }
            if let Some(tar) = &spec.tar {
                let image = devices::image_path(&boot, &tar.drive);
                verdict = verdict.and_then(|()| judge::tar::judge(&tar.drive, &image, &outcome.output));
                if verdict.is_err() {
                    keep.push(image);
                }
            }
            if let Some(kills) = &spec.kills {
                match verdict.and_then(|()| judge::kills::judge(kills, &boot, &outcome.output)) {
                    Ok(note) => {
                        report.notes.push(format!("{}: {note}", spec.name));
                        verdict = Ok(());
                    }
                    Err(why) => {
                        keep.push(devices::image_path(&boot, &kills.drive));
                        verdict = Err(why);
                    }
                }
            }
            if spec.net.is_some() {
                match verdict.and_then(|()| judge::net::judge(&boot)) {
                    Ok(note) => {
                        report.notes.push(format!("{}: {note}", spec.name));
                        verdict = Ok(());
                    }
                    Err(why) => verdict = Err(why),
                }
            }
            if spec.pci.is_some() {
                verdict = verdict.and_then(|()| judge::pci::judge(&outcome.output, pci::read(&boot.join(pci::FILE))));
            }
            match verdict {
                Ok(()) => test.pass(),
                Err(why) => test.fail(why),
            }
            // Where a test that hung was stuck comes before the manifest's
            // hints, which cannot know.
            if let Some(hint) = &outcome.hint {
                test.hints.insert(0, hint.clone());
            }
        }
        judge::disk::tidy(&boots.dir, &keep);
        let unknown: Vec<&str> =
            boots.outcomes.values().map(|o| o.name.as_str()).filter(|n| !names.contains(n)).collect();
        if !unknown.is_empty() {
            report.notes.push(format!(
                "the kernel reported tests that exercise.toml does not list (they score nothing): {}",
                unknown.join(", ")
            ));
        }
    }
    report.notes.extend(lints::notes(&beside.lints, &package));
    report.notes.dedup();
    report.finish(verdict.or(host_verdict));
    Ok(report)
}

/// Boots any KTAP-speaking kernel and scores one point per planned test.
pub fn kernel(root: &Path, kernel: &Path, options: Options) -> Result<Report> {
    if !kernel.is_file() {
        bail!("{} is not a file: --kernel wants the path of a kernel ELF", kernel.display());
    }
    let name = kernel.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let timeout = options.timeout.unwrap_or(Duration::from_secs(30));
    let label = format!("kernel-{name}");
    let command = format!("cargo grade --kernel {}", kernel.display());
    let settings = settings(root, kernel, &label, timeout, options, &command);
    let (boots, _) = run::all(&settings, &[Sequence::all(options.accel)], run::Beside::default())?;
    let boots = boots.expect("one sequence was run");
    // Only the tests the kernel planned: results past its plan score
    // nothing (the notes name them) and add nothing to the maximum.
    let tests = (1..=boots.plan.unwrap_or(0))
        .map(|number| {
            let outcome = boots.outcomes.get(&number);
            let name = outcome.map(|o| o.name.clone()).unwrap_or_else(|| format!("test {number}"));
            // No manifest, no hints: only where a test that hung was stuck.
            let hints = outcome.and_then(|o| o.hint.clone()).into_iter().collect();
            let mut test = TestReport::new(name, Kind::Qemu, 1, hints);
            match outcome {
                Some(Outcome { said: Said::Passed, .. }) => test.pass(),
                Some(Outcome { said: Said::Skipped, diagnostic, .. }) => test.skip(diagnostic.clone()),
                Some(Outcome { diagnostic, .. }) => test.fail(diagnostic.clone().unwrap_or_else(|| "failed".into())),
                None => {}
            }
            test
        })
        .collect();
    let mut report = Report::new(kernel.display().to_string(), format!("Kernel {}", kernel.display()), tests);
    report.log = Some(boots.log);
    report.notes = boots.notes;
    report.finish(boots.verdict);
    Ok(report)
}

fn settings<'a>(
    root: &'a Path,
    kernel: &'a Path,
    label: &'a str,
    timeout: Duration,
    options: Options,
    command: &'a str,
) -> Settings<'a> {
    Settings {
        kernel,
        label,
        root,
        timeout,
        accel: options.accel,
        echo: options.echo,
        gdb: options.gdb,
        jobs: options.jobs,
        own: None,
        command,
    }
}

fn build_failed(mut report: Report, failure: build::BuildFailure) -> Report {
    report.build_errors = Some(build::first_errors(&failure.messages, 40));
    report.finish(Some(Verdict::BuildFailed));
    report
}
