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
//! it echoed that boot's nonce, only if it ended through `isa-debug-exit`,
//! and a kernel test that expects output passes only if the grader saw that
//! output on the serial port itself.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::compile::{self, Progress};
use crate::host_tests;
use crate::ktap::Stream;
use crate::manifest::{ExitSpec, Kind, Manifest, PanicSpec, Port, TestSpec};
use crate::qemu::{self, Accel, Ending};
use crate::report::{Report, Status, TestReport, Verdict};

/// QEMU's exit status when the guest wrote `Success` (0x10) to 0xf4.
pub const EXIT_SUCCESS: i32 = 33;
/// QEMU's exit status when the guest wrote `Failure` (0x11) to 0xf4.
pub const EXIT_FAILURE: i32 = 35;

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
        match compile::build_kernel(root, &package, options.progress)? {
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
        let run = boot_until_done(root, &kernel, &package, timeout, options)?;
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
    let run = boot_until_done(root, kernel, &format!("kernel-{name}"), timeout, options)?;
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
struct Outcome {
    name: String,
    ok: bool,
    diagnostic: Option<String>,
    output: Vec<String>,
    /// How that boot ended.
    ending: Ending,
}

/// Whether a kernel test's result is what its manifest entry asks for.
fn judge(root: &Path, manifest: &Manifest, spec: &TestSpec, result: &Outcome, com2: &str) -> Result<(), String> {
    if let Some(panic) = &spec.panic {
        return judge_panic(root, manifest, panic, result);
    }
    if !result.ok {
        return Err(result.diagnostic.clone().unwrap_or_else(|| "failed".into()));
    }
    if let Some(e) = spec.expect.iter().find(|e| {
        let text = e.text();
        match e.port {
            Port::Com1 => !result.output.contains(&text),
            Port::Com2 => !com2.lines().any(|l| l.strip_suffix('\r').unwrap_or(l) == text),
        }
    }) {
        let shown =
            if e.repeat > 1 { format!("`{}` {} times in a row", e.line, e.repeat) } else { format!("`{}`", e.line) };
        let place = match e.port {
            Port::Com1 => "in this test's output on COM1",
            Port::Com2 => "on COM2",
        };
        return Err(format!("the test returned, but the line {shown} never appeared {place}"));
    }
    match spec.exit {
        Some(exit) if !ended_with(result.ending, exit) => Err(format!(
            "the test passed, but then the kernel {}, where the grader wanted the {} exit (status {})",
            describe_ending(result.ending),
            exit_name(exit),
            exit_status(exit)
        )),
        _ => Ok(()),
    }
}

/// A test that must panic: `not ok` with `panicked at FILE:LINE:COL: MSG`,
/// the location checked against the source, then the failure exit.
fn judge_panic(root: &Path, manifest: &Manifest, panic: &PanicSpec, result: &Outcome) -> Result<(), String> {
    if result.ok {
        return Err("this test must panic, but the kernel reported `ok`".into());
    }
    let diagnostic = result.diagnostic.as_deref().unwrap_or("");
    let Some(report) = PanicReport::parse(diagnostic) else {
        return Err(if diagnostic.starts_with("panicked") {
            format!("the report should read `panicked at FILE:LINE:COLUMN: MESSAGE`, but it reads `{diagnostic}`")
        } else if diagnostic.is_empty() {
            "the test failed without a panic report".into()
        } else {
            format!("no panic report for this test; {diagnostic}")
        });
    };
    if let Some(message) = &panic.message
        && report.message != *message
    {
        return Err(format!(
            "the panic message should be `{message}`, but the kernel panicked at {}:{} with `{}`",
            report.file, report.line, report.message
        ));
    }
    if let Some(start) = &panic.starts_with
        && !report.message.starts_with(start.as_str())
    {
        return Err(format!(
            "the panic message should start with `{start}`, but the kernel panicked at {}:{} with `{}`",
            report.file, report.line, report.message
        ));
    }
    if let Some(file) = &panic.at_panic_in {
        report.check_location(root, &manifest.dir.join(file))?;
    }
    if !ended_with(result.ending, ExitSpec::Failure) {
        return Err(format!(
            "the report is right, but then the kernel {}, where the grader wanted the failure exit (status {})",
            describe_ending(result.ending),
            exit_status(ExitSpec::Failure)
        ));
    }
    Ok(())
}

/// The parts of `panicked at FILE:LINE:COLUMN: MESSAGE`.
#[derive(Debug, PartialEq)]
struct PanicReport<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

impl<'a> PanicReport<'a> {
    fn parse(diagnostic: &'a str) -> Option<PanicReport<'a>> {
        let rest = diagnostic.strip_prefix("panicked at ")?;
        // FILE could itself hold a `:`; the first `:LINE:COLUMN:` ends it.
        for (i, _) in rest.match_indices(':') {
            let mut parts = rest[i + 1..].splitn(3, ':');
            let (Some(line), Some(column)) = (parts.next(), parts.next()) else { break };
            if let (Ok(line), Ok(column)) = (line.parse(), column.parse()) {
                let message = parts.next().unwrap_or("");
                let message = message.strip_prefix(' ').unwrap_or(message);
                return Some(PanicReport { file: &rest[..i], line, column, message });
            }
        }
        None
    }

    /// FILE must be `expected` and LINE must hold a `panic!`.
    fn check_location(&self, root: &Path, expected: &Path) -> Result<(), String> {
        let reported = root.join(self.file);
        let same = match (reported.canonicalize(), expected.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        let wanted = expected.strip_prefix(root).unwrap_or(expected).display().to_string();
        if !same {
            return Err(format!("the report names {} as the place, but the panic! is in {wanted}", self.file));
        }
        let text = fs::read_to_string(expected).map_err(|e| format!("cannot read {wanted}: {e}"))?;
        match text.lines().nth(self.line.wrapping_sub(1)) {
            Some(line) if line.contains("panic!") => Ok(()),
            _ => Err(format!(
                "the report says line {} of {wanted}, but that line holds no `panic!`: pass the location on as it is",
                self.line
            )),
        }
    }
}

fn ended_with(ending: Ending, exit: ExitSpec) -> bool {
    ending == Ending::Exited(exit_status(exit))
}

fn exit_status(exit: ExitSpec) -> i32 {
    match exit {
        ExitSpec::Success => EXIT_SUCCESS,
        ExitSpec::Failure => EXIT_FAILURE,
    }
}

fn exit_name(exit: ExitSpec) -> &'static str {
    match exit {
        ExitSpec::Success => "success",
        ExitSpec::Failure => "failure",
    }
}

/// How a boot ended, in words.
fn describe_ending(ending: Ending) -> String {
    match ending {
        Ending::Exited(EXIT_SUCCESS) => "left QEMU with the success exit (status 33)".into(),
        Ending::Exited(EXIT_FAILURE) => "left QEMU with the failure exit (status 35)".into(),
        Ending::Exited(0) => "reset the machine (a triple fault, under -no-reboot)".into(),
        Ending::Exited(code) => format!("made QEMU exit with status {code}"),
        Ending::Signalled(signal) => format!("was killed by signal {signal}"),
        Ending::TimedOut => "never left QEMU and was stopped at the time limit".into(),
        Ending::Interrupted => "was interrupted".into(),
    }
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
}

/// Boots the kernel from test 1; whenever a boot ends early (a test
/// panicked, or the guest crashed), boots again from the next test.
fn boot_until_done(root: &Path, kernel: &Path, label: &str, timeout: Duration, options: Options) -> Result<Run> {
    let qemu_path = qemu::find_qemu()?;
    let dir = root.join("target").join("fledge").join(label);
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
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
    };

    let mut start = 1;
    for boot_number in 1.. {
        let nonce = crate::image::nonce()?;
        let image = crate::image::build(kernel, &crate::image::run_config(&nonce, start), &dir)?;
        let com2_path = dir.join("com2.log");
        let _ = fs::remove_file(&com2_path);
        let request =
            qemu::Request { image: &image, com2: &com2_path, timeout, accel: options.accel, echo: options.echo };
        let boot = qemu::boot(&qemu_path, &request)?;
        run.com2.push_str(&String::from_utf8_lossy(&fs::read(&com2_path).unwrap_or_default()));

        writeln!(
            log,
            "===== boot {boot_number}: from test {start}, nonce {nonce}, {:?} after {:.2}s =====",
            boot.ending,
            boot.elapsed.as_secs_f64()
        )?;
        log.write_all(&boot.com1)?;
        if boot.com1_dropped > 0 {
            writeln!(log, "\n[the grader dropped {} more bytes of output]", boot.com1_dropped)?;
            run.notes.push(format!("the kernel wrote more than {} MiB; the rest was dropped", qemu::OUTPUT_CAP >> 20));
        }
        if !boot.stderr.trim().is_empty() {
            writeln!(log, "\n[QEMU said on stderr]\n{}", boot.stderr.trim())?;
        }

        let stream = Stream::parse(&boot.com1);
        if stream.started && stream.nonce.as_deref() != Some(nonce.as_str()) {
            run.notes.push(format!(
                "boot {boot_number} did not echo this run's nonce ({nonce}) in its KTAP header, so its results do not count"
            ));
            run.verdict.get_or_insert(Verdict::Failed);
            break;
        }
        run.plan = run.plan.or(stream.plan);
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
                        "still running after {}s: the kernel hung (an endless loop, or waiting for something that never comes)",
                        timeout.as_secs()
                    ),
                    &mut run,
                );
                run.notes.push(format!(
                    "boot {boot_number} was stopped after {}s; raise the limit with --timeout SECS if it is just slow",
                    timeout.as_secs()
                ));
                run.verdict = Some(Verdict::TimedOut);
                break;
            }
            Ending::Exited(EXIT_SUCCESS) if stream.started => break,
            Ending::Exited(EXIT_FAILURE) if stream.started => {
                if let Some(why) = &stream.bail_out {
                    run.notes.push(format!("the kernel gave up: {why}"));
                }
                let why = match &stream.bail_out {
                    Some(why) => format!("the kernel gave up during this test: {why}"),
                    None => "the kernel exited with failure during this test without reporting it".into(),
                };
                unfinished(why, &mut run) + 1
            }
            Ending::Exited(EXIT_SUCCESS | EXIT_FAILURE) => {
                run.notes.push("the kernel exited without writing `KTAP version 1` on COM1".into());
                run.verdict.get_or_insert(Verdict::NoOutput);
                break;
            }
            ending => {
                let how = match ending {
                    Ending::Exited(0) => "the guest reset itself (a triple fault, under -no-reboot)".to_string(),
                    Ending::Exited(code) => format!("QEMU failed with status {code}: {}", boot.stderr.trim()),
                    Ending::Signalled(signal) => format!("QEMU was killed by signal {signal}"),
                    _ => unreachable!(),
                };
                run.notes.push(format!("boot {boot_number} crashed: {how}"));
                run.verdict = Some(Verdict::Crashed);
                if !stream.started {
                    break;
                }
                unfinished(format!("crashed during this test: {how}"), &mut run) + 1
            }
        };
        let progress = reported > 0 || stream.unfinished.is_some();
        if next > plan || !progress || boot_number > plan {
            break;
        }
        start = next;
    }
    Ok(run)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn panic_reports_are_taken_apart() {
        let report = PanicReport::parse("panicked at tests/cases/kernel.rs:21:5: 6 times 7 is 42: really").unwrap();
        assert_eq!(
            report,
            PanicReport { file: "tests/cases/kernel.rs", line: 21, column: 5, message: "6 times 7 is 42: really" }
        );
        let odd = PanicReport::parse("panicked at C:/x.rs:3:9: m").unwrap();
        assert_eq!((odd.file, odd.line, odd.column, odd.message), ("C:/x.rs", 3, 9, "m"));
        for bad in ["panicked: lost", "panicked at nowhere", "panicked at a.rs:x:1: m", "boom", ""] {
            assert_eq!(PanicReport::parse(bad), None, "{bad}");
        }
    }
}
