//! Grading: build, run the host tests, boot the kernel (again after each
//! failing test), check what it printed, and score it against the manifest.
//!
//! ```text
//! manifest ──> build kernel ──> build host tests ──> run host tests
//!                                                      │
//!   ┌──────────────────────────────────────────────────┘
//!   └─> boot(start = 1) ──> KTAP ──> a test panicked? boot(start = next) ...
//!                                      │
//!       expected lines (COM1, COM2) <──┘──> scorecard
//! ```
//!
//! A guest's word is never enough on its own: a boot's results count only if
//! it echoed that boot's nonce; a test that must end its boot a certain way
//! is judged by the exit QEMU reports, not by the kernel's say-so; and a
//! kernel test that expects output passes only if the grader saw that
//! output on the serial port itself. Results a boot reported before it hung
//! or crashed still count: they were reported with the nonce, and the test
//! that was running when it ended is the one that fails.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::compile::{self, Progress};
use crate::host_tests;
use crate::judge::{EXIT_FAILURE, EXIT_SUCCESS, judge};
use crate::ktap::Stream;
use crate::manifest::{Kind, Manifest};
use crate::qemu::{self, Accel, Ending};
use crate::report::{Report, Status, TestReport, Verdict};

/// How to grade.
#[derive(Clone, Copy)]
pub struct Options {
    /// Overrides the manifest's per-boot timeout.
    pub timeout: Option<Duration>,
    /// CPU emulation.
    pub accel: Accel,
    /// Progress display for builds.
    pub progress: Progress,
    /// Copy COM1 to the terminal live.
    pub echo: bool,
    /// Boot once, paused, waiting for gdb on this port.
    pub gdb: Option<u16>,
}

/// Grades an exercise's starter (or, with `solution`, its reference
/// solution).
pub fn exercise(root: &Path, manifest: &Manifest, solution: bool, options: Options) -> Result<Report> {
    let package = manifest.package(solution);
    let side = if solution { "reference solution" } else { "your work" };
    let tests = manifest
        .tests
        .iter()
        .map(|t| TestReport {
            name: t.name.clone(),
            kind: t.kind,
            status: Status::NotRun,
            points: 0,
            max_points: t.points,
            diagnostic: None,
            hints: t.hints.clone(),
        })
        .collect();
    let title = format!("Exercise {:02}: {} ({side}, {package})", manifest.number, manifest.title);
    let mut report = Report::new(manifest.id(), title, tests);
    report.chapter = Some(manifest.chapter.clone());

    let kernel = if manifest.has(Kind::Qemu) {
        match compile::build_kernel(root, &package, compile::KERNEL_PROFILE, options.progress)? {
            Ok(kernel) => Some(kernel),
            Err(failure) => return Ok(build_failed(report, failure)),
        }
    } else {
        None
    };
    if manifest.has(Kind::Host) {
        let exe = match compile::build_host_tests(root, &package, options.progress)? {
            Ok(exe) => exe,
            Err(failure) => return Ok(build_failed(report, failure)),
        };
        let timeout = options.timeout.unwrap_or(Duration::from_secs(manifest.timeout));
        let (outcomes, timed_out) = host_tests::run(&exe, timeout)?;
        for test in report.tests.iter_mut().filter(|t| t.kind == Kind::Host) {
            match outcomes.get(&test.name) {
                Some(outcome) if outcome.passed => pass(test),
                Some(outcome) => fail(test, outcome.diagnostic.clone().unwrap_or_else(|| "failed".into())),
                None if timed_out => fail(test, format!("the host tests were stopped after {}s", timeout.as_secs())),
                None => fail(test, "this host test did not run: is it still in tests/cases/host.rs?".into()),
            }
        }
    }

    let mut ending = None;
    if let Some(kernel) = kernel {
        let names: Vec<String> =
            manifest.tests.iter().filter(|t| t.kind == Kind::Qemu).map(|t| t.name.clone()).collect();
        let timeout = options.timeout.unwrap_or(Duration::from_secs(manifest.timeout));
        let run = boot_plans(root, &kernel, &package, timeout, options, &manifest.boot_plans())?;
        ending = run.verdict;
        report.log = Some(run.log.clone());
        report.notes.extend(run.notes.iter().cloned());
        for (spec, test) in manifest.tests.iter().zip(report.tests.iter_mut()) {
            if spec.kind != Kind::Qemu {
                continue;
            }
            let Some(result) = run.results.values().find(|r| r.name == spec.name) else {
                test.diagnostic = Some(match ending {
                    Some(Verdict::TimedOut) | Some(Verdict::Crashed) => {
                        "not reached: an earlier boot ended badly".into()
                    }
                    _ => "the kernel never reported this test".into(),
                });
                continue;
            };
            match judge(root, manifest, spec, result, &run.com2) {
                Ok(()) => pass(test),
                Err(why) => fail(test, why),
            }
        }
        let unknown: Vec<&str> =
            run.results.values().map(|r| r.name.as_str()).filter(|n| !names.iter().any(|m| m == n)).collect();
        if !unknown.is_empty() {
            report.notes.push(format!(
                "the kernel reported tests that exercise.toml does not list (they score nothing): {}",
                unknown.join(", ")
            ));
        }
    }
    report.notes.dedup();
    report.finish(ending);
    Ok(report)
}

/// Boots any KTAP-speaking kernel and scores one point per planned test.
pub fn kernel(root: &Path, kernel: &Path, options: Options) -> Result<Report> {
    if !kernel.is_file() {
        bail!("{} is not a file: --kernel wants the path of a kernel ELF", kernel.display());
    }
    let name = kernel.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let timeout = options.timeout.unwrap_or(Duration::from_secs(30));
    let run = boot_plans(root, kernel, &format!("kernel-{name}"), timeout, options, &[BootPlan::ALL])?;
    let plan = run.plan.unwrap_or(0).max(run.results.keys().copied().max().unwrap_or(0));
    let tests = (1..=plan)
        .map(|number| {
            let result = run.results.get(&number);
            let mut test = TestReport {
                name: result.map(|r| r.name.clone()).unwrap_or_else(|| format!("test {number}")),
                kind: Kind::Qemu,
                status: Status::NotRun,
                points: 0,
                max_points: 1,
                diagnostic: None,
                hints: Vec::new(),
            };
            match result {
                Some(r) if r.ok => pass(&mut test),
                Some(r) => fail(&mut test, r.diagnostic.clone().unwrap_or_else(|| "failed".into())),
                None => {}
            }
            test
        })
        .collect();
    let mut report = Report::new(kernel.display().to_string(), format!("Kernel {}", kernel.display()), tests);
    report.log = Some(run.log);
    report.notes = run.notes;
    report.finish(run.verdict);
    Ok(report)
}

fn pass(test: &mut TestReport) {
    test.status = Status::Passed;
    test.points = test.max_points;
    test.diagnostic = None;
}

fn fail(test: &mut TestReport, why: String) {
    test.status = Status::Failed;
    test.points = 0;
    test.diagnostic = Some(why);
}

fn build_failed(mut report: Report, failure: compile::BuildFailure) -> Report {
    report.build_errors = Some(compile::first_errors(&failure.messages, 40));
    report.finish(Some(Verdict::BuildFailed));
    report
}

/// One kernel test's result, from whichever boot ran it.
pub(crate) struct Outcome {
    pub(crate) name: String,
    pub(crate) ok: bool,
    pub(crate) diagnostic: Option<String>,
    pub(crate) output: Vec<String>,
    /// How that boot ended.
    pub(crate) ending: Ending,
}

/// All the boots of one grading run.
struct Run {
    plan: Option<usize>,
    results: BTreeMap<usize, Outcome>,
    /// A verdict forced by how a boot ended (time-out, crash, no KTAP).
    verdict: Option<Verdict>,
    notes: Vec<String>,
    com2: String,
    log: PathBuf,
    /// Boots so far, across all plans, to number them in notes and the log.
    boots: usize,
}

/// One sequence of boots: on which CPU model, and which tests (all of
/// them, or only those named).
pub struct BootPlan {
    /// QEMU's `-cpu` model; `None` for QEMU's default.
    pub cpu: Option<String>,
    /// The tests this sequence runs; `None` for all.
    pub only: Option<Vec<String>>,
}

impl BootPlan {
    /// Every test, on QEMU's default CPU.
    pub const ALL: BootPlan = BootPlan { cpu: None, only: None };
}

/// Runs each plan's boots in turn and gathers their results in one run and
/// one log.
fn boot_plans(
    root: &Path,
    kernel: &Path,
    label: &str,
    timeout: Duration,
    options: Options,
    plans: &[BootPlan],
) -> Result<Run> {
    let dir = root.join("target").join("fledge").join(label);
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let _lock = crate::lock::exclusive(&dir)?;
    let log_path = root.join("target").join("fledge").join("logs").join(format!("{label}.log"));
    fs::create_dir_all(log_path.parent().context("log folder")?)?;
    let mut log = fs::File::create(&log_path).with_context(|| format!("cannot write {}", log_path.display()))?;
    let mut run = Run {
        plan: None,
        results: BTreeMap::new(),
        verdict: None,
        notes: Vec::new(),
        com2: String::new(),
        log: log_path,
        boots: 0,
    };
    // Under gdb one boot is the whole session: the first plan's.
    let plans = if options.gdb.is_some() { &plans[..plans.len().min(1)] } else { plans };
    for plan in plans {
        boot_until_done(kernel, &dir, timeout, options, plan, &mut run, &mut log)?;
    }
    Ok(run)
}

/// Boots the kernel from test 1; whenever a boot ends early (a test
/// panicked, or the guest crashed), boots again from the next test.
fn boot_until_done(
    kernel: &Path,
    dir: &Path,
    timeout: Duration,
    options: Options,
    boot_plan: &BootPlan,
    run: &mut Run,
    log: &mut fs::File,
) -> Result<()> {
    let qemu_path = qemu::find_qemu()?;
    let only = boot_plan.only.as_ref().map(|names| names.join(","));
    let mut start = 1;
    for boots_in_plan in 1.. {
        run.boots += 1;
        let boot_number = run.boots;
        let nonce = crate::image::nonce()?;
        let config = crate::image::run_config(&nonce, start, only.as_deref());
        let image = crate::image::build(kernel, &config, dir)?;
        let com2_path = dir.join("com2.log");
        let _ = fs::remove_file(&com2_path);
        let events = dir.join("qemu-events.log");
        let request = qemu::Request {
            image: &image,
            com2: &com2_path,
            timeout,
            accel: options.accel,
            echo: options.echo,
            events: &events,
            gdb: options.gdb,
            cpu: boot_plan.cpu.as_deref(),
        };
        if options.echo {
            eprintln!("----- boot {boot_number}: from test {start} -----");
        }
        let boot = qemu::boot(&qemu_path, &request)?;
        run.com2.push_str(&String::from_utf8_lossy(&fs::read(&com2_path).unwrap_or_default()));

        let cpu = boot_plan.cpu.as_deref().map(|cpu| format!(", cpu {cpu}")).unwrap_or_default();
        writeln!(
            log,
            "===== boot {boot_number}: from test {start}{cpu}, nonce {nonce}, {:?} after {:.2}s =====",
            boot.ending,
            boot.elapsed.as_secs_f64()
        )?;
        let mut output = boot.com1.head().to_vec();
        log.write_all(&output)?;
        if boot.com1.cut() > 0 {
            let tail = boot.com1.tail();
            let marker = format!(
                "\n[... the grader cut {} bytes here: a boot's log keeps its first {} MiB and its last {} MiB ...]\n",
                boot.com1.cut(),
                crate::capture::HEAD >> 20,
                crate::capture::TAIL >> 20
            );
            log.write_all(marker.as_bytes())?;
            log.write_all(&tail)?;
            output.push(b'\n');
            output.extend_from_slice(&tail);
        }
        if !output.ends_with(b"\n") {
            log.write_all(b"\n")?;
        }
        if !boot.stderr.trim().is_empty() {
            writeln!(log, "[QEMU said on stderr]\n{}", boot.stderr.trim())?;
        }

        let stream = Stream::parse(&output);
        run.plan = run.plan.or(stream.plan);
        if stream.started && stream.nonce.as_deref() != Some(nonce.as_str()) {
            run.notes.push(format!(
                "boot {boot_number} did not echo this run's nonce ({nonce}) in its KTAP header, so its results do not count"
            ));
            run.verdict.get_or_insert(Verdict::Failed);
            break;
        }
        let before = run.results.len();
        for r in stream.results.iter().filter(|r| r.number >= start && r.skip.is_none()) {
            run.results.entry(r.number).or_insert_with(|| Outcome {
                name: r.name.clone(),
                ok: r.ok,
                diagnostic: r.diagnostic.clone(),
                output: r.output.clone(),
                ending: boot.ending,
            });
        }
        let reported = run.results.len() - before;
        let last = run.results.keys().copied().max().unwrap_or(start - 1);
        let plan = run.plan.unwrap_or(0);
        // The test that was running when the boot ended without its result.
        let unfinished = |why: String, run: &mut Run| -> usize {
            match &stream.unfinished {
                Some((number, name, output)) => {
                    run.results.insert(
                        *number,
                        Outcome {
                            name: name.clone(),
                            ok: false,
                            diagnostic: Some(why),
                            output: output.clone(),
                            ending: boot.ending,
                        },
                    );
                    *number
                }
                None => last,
            }
        };

        let next = match boot.ending {
            Ending::Interrupted => bail!("interrupted: QEMU was stopped"),
            Ending::TimedOut => {
                unfinished(
                    format!(
                        "still running after {}s: the kernel hung (an endless loop, or waiting for something that never comes), or needs longer",
                        timeout.as_secs()
                    ),
                    run,
                );
                // Unlike a crash, a hang costs a whole time limit. Booting
                // again for each later test could cost one per test, so the
                // grader stops here and reports what it has.
                run.notes.push(format!(
                    "boot {boot_number} was stopped after {}s; raise the limit with --timeout SECS if it is just slow",
                    timeout.as_secs()
                ));
                run.verdict = Some(Verdict::TimedOut);
                break;
            }
            Ending::Exited(EXIT_SUCCESS) if stream.started => {
                // Skipped tests count: the kernel went past them.
                let reported = stream.results.iter().map(|r| r.number).max().unwrap_or(0);
                if reported < plan {
                    run.notes.push(format!(
                        "the kernel left QEMU with the success exit after {reported} of the {plan} tests it planned; the rest never ran"
                    ));
                }
                break;
            }
            Ending::Flooded => {
                let why = format!(
                    "wrote more than {} MiB of output during this test, so the grader stopped it (a print in an endless loop?)",
                    qemu::FLOOD_LIMIT >> 20
                );
                run.notes.push(format!(
                    "boot {boot_number} wrote more than {} MiB and was stopped; its log keeps the first {} MiB and the last {} MiB",
                    qemu::FLOOD_LIMIT >> 20,
                    crate::capture::HEAD >> 20,
                    crate::capture::TAIL >> 20
                ));
                run.verdict = Some(Verdict::Flooded);
                if !stream.started {
                    break;
                }
                unfinished(why, run) + 1
            }
            Ending::Exited(EXIT_FAILURE) if stream.started => {
                if let Some(why) = &stream.bail_out {
                    run.notes.push(format!("the kernel gave up: {why}"));
                }
                let why = match &stream.bail_out {
                    Some(why) => format!("the kernel gave up during this test: {why}"),
                    None => "the kernel exited with failure during this test without reporting it".into(),
                };
                unfinished(why, run) + 1
            }
            Ending::Exited(EXIT_SUCCESS | EXIT_FAILURE) => {
                run.notes.push("the kernel exited without writing `KTAP version 1` on COM1".into());
                run.verdict.get_or_insert(Verdict::NoOutput);
                break;
            }
            ending => {
                let how = match ending {
                    Ending::TripleFault => {
                        "the CPU triple-faulted (an exception it could not deliver, then a double fault it could not deliver either)".to_string()
                    }
                    Ending::Reset => "the guest reset the machine".to_string(),
                    Ending::UnknownReset => {
                        "the machine reset: a triple fault, or a reset the guest asked for (QEMU's event log, which tells them apart, was not written)".to_string()
                    }
                    Ending::Exited(code) => {
                        // QEMU prints some errors (bad options) on standard
                        // output, which is COM1's pipe.
                        let said = if boot.stderr.trim().is_empty() {
                            String::from_utf8_lossy(boot.com1.head()).lines().take(3).collect::<Vec<_>>().join(" / ")
                        } else {
                            boot.stderr.trim().to_string()
                        };
                        format!("QEMU failed with status {code}: {said}")
                    }
                    Ending::Signalled(signal) => format!("QEMU was killed by signal {signal}"),
                    _ => unreachable!("handled above"),
                };
                run.notes.push(format!("boot {boot_number} crashed: {how}"));
                run.verdict = Some(Verdict::Crashed);
                if !stream.started {
                    break;
                }
                unfinished(format!("crashed during this test: {how}"), run) + 1
            }
        };
        let progress = reported > 0 || stream.unfinished.is_some();
        // Under gdb one boot is the whole session.
        // A plan that runs only some tests is done when each has a result.
        let share_done = boot_plan
            .only
            .as_ref()
            .is_some_and(|only| only.iter().all(|name| run.results.values().any(|r| &r.name == name)));
        if next > plan || !progress || boots_in_plan > plan || share_done || options.gdb.is_some() {
            break;
        }
        start = next;
    }
    Ok(())
}
