//! Judging one kernel test: did the kernel's result, its output and the way
//! its boot ended match what the manifest asks for? The input is a result
//! that counts ([`crate::ending`] decided that); the answer is `Ok` or the
//! reason it fails.
//!
//! Most tests pass by returning (`ok`) and printing the lines they must;
//! some must end their boot a certain way (`exit = "success"`); some pass by
//! panicking (`[test.panic]`), and then the report itself is checked: the
//! message, and that `FILE:LINE` really holds a `panic!` in the exercise's
//! source. Host tests are judged in [`host`]; a test's scheduler trace
//! (`[test.trace]`) in [`trace`]; a drive's image (`[test.disk]`) in
//! [`disk`]; the PCI functions a test found (`[test.pci]`) in [`pci`]; a
//! drive's image as the host's `tar` lists it (`[test.tar]`) in [`tar`];
//! the boots killed before a test (`[test.kills]`) in [`kills`]; the host
//! side of a network test (`[test.net]`) in [`net`].

pub mod disk;
pub mod host;
pub mod kills;
pub mod net;
pub mod pci;
pub mod tar;
pub mod trace;

use std::fs;
use std::path::Path;

use fledge_ktap::exit::ExitCode;

use crate::ending::{Outcome, Said};
use crate::manifest::{ConformanceSpec, ExitSpec, Manifest, PanicSpec, Port, Suite, TestSpec};
use crate::qemu::Ending;

/// Whether a kernel test's result is what its manifest entry asks for.
/// A skipped test is neither: the caller marks it skipped.
pub fn judge(root: &Path, manifest: &Manifest, spec: &TestSpec, result: &Outcome, com2: &str) -> Result<(), String> {
    if let Some(panic) = &spec.panic {
        return judge_panic(root, manifest, panic, result);
    }
    if result.said != Said::Passed {
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
    if let Some(conformance) = spec.conformance {
        judge_conformance(conformance, com2)?;
    }
    match spec.exit {
        Some(exit) if !exit.ended(result.ending) => Err(format!(
            "the test passed, but then the kernel {}, where the grader wanted the {} exit (status {})",
            describe_ending(result.ending),
            exit.code().name(),
            exit.code().qemu_status()
        )),
        _ => Ok(()),
    }
}

/// What a conformance suite wrote, judged by the suite's own check. (The
/// manifest only allows COM2, where the suite writes.)
fn judge_conformance(spec: ConformanceSpec, com2: &str) -> Result<(), String> {
    match spec.suite {
        Suite::Console => fledge_conformance::console::check_received(com2.as_bytes()).map_err(|mismatch| {
            format!("the test returned, but what COM2 received breaks the Console contract: {mismatch}")
        }),
    }
}

/// A test that must panic: `not ok` with `panicked at FILE:LINE:COL: MSG`,
/// the location checked against the source, then the failure exit.
fn judge_panic(root: &Path, manifest: &Manifest, panic: &PanicSpec, result: &Outcome) -> Result<(), String> {
    match result.said {
        Said::Passed => return Err("this test must panic, but the kernel reported `ok`".into()),
        Said::Skipped => return Err(result.diagnostic.clone().unwrap_or_else(|| "skipped".into())),
        Said::Failed => {}
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
    if !ExitSpec::Failure.ended(result.ending) {
        return Err(format!(
            "the report is right, but then the kernel {}, where the grader wanted the failure exit (status {})",
            describe_ending(result.ending),
            ExitCode::Failure.qemu_status()
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

impl ExitSpec {
    /// The code the kernel must have written.
    fn code(self) -> ExitCode {
        match self {
            ExitSpec::Success => ExitCode::Success,
            ExitSpec::Failure => ExitCode::Failure,
        }
    }

    fn ended(self, ending: Ending) -> bool {
        ending.exit_code() == Some(self.code())
    }
}

/// How a boot ended, in words.
fn describe_ending(ending: Ending) -> String {
    match (ending, ending.exit_code()) {
        (_, Some(code)) => format!("left QEMU with the {} exit (status {})", code.name(), code.qemu_status()),
        (Ending::TripleFault, _) => "triple-faulted".into(),
        (Ending::Reset, _) => "reset the machine".into(),
        (Ending::UnknownReset, _) => "reset the machine or triple-faulted".into(),
        (Ending::Flooded, _) => "wrote so much output that the grader stopped it".into(),
        (Ending::KvmError, _) => "stopped KVM with an instruction it could not run".into(),
        (Ending::Exited(code), _) => format!("made QEMU exit with status {code}"),
        (Ending::Signalled(signal), _) => format!("was killed by signal {signal}"),
        (Ending::TimedOut, _) => "never left QEMU and was stopped at the time limit".into(),
        (Ending::Interrupted, _) => "was interrupted".into(),
        (Ending::Killed, _) => "was killed with SIGKILL by the grader, on purpose".into(),
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn the_console_suite_is_judged_by_its_own_check() {
        let spec = ConformanceSpec { suite: Suite::Console, port: Port::Com2 };
        // What a console that keeps the contract sends, after other output.
        let mut sent = fledge_fakes::Recorder::new(fledge_fakes::Sink);
        let log = sent.log();
        fledge_conformance::console::write_script(&mut sent).unwrap();
        let good = format!("COM2 works too\n{}", log.text());
        assert_eq!(judge_conformance(spec, &good), Ok(()));
        // The same with a `\r` added before one line end.
        let bad = good.replacen("\n", "\r\n", 3);
        let why = judge_conformance(spec, &bad).unwrap_err();
        assert!(why.starts_with("the test returned, but what COM2 received breaks the Console contract: "), "{why}");
        assert!(why.contains("differs from the script at byte"), "{why}");
        assert!(judge_conformance(spec, "COM2 works too\n").is_err(), "no script at all");
    }

    #[test]
    fn endings_are_described_with_the_shared_statuses() {
        assert_eq!(describe_ending(Ending::Exited(33)), "left QEMU with the success exit (status 33)");
        assert_eq!(describe_ending(Ending::Exited(35)), "left QEMU with the failure exit (status 35)");
        assert_eq!(describe_ending(Ending::Exited(1)), "made QEMU exit with status 1");
        assert!(ExitSpec::Success.ended(Ending::Exited(33)) && !ExitSpec::Success.ended(Ending::Exited(35)));
    }

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
