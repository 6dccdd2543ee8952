//! The grader's verdict as JUnit XML (`--junit FILE`), the format that CI
//! systems and classroom dashboards read test results from.
//!
//! One report is one `<testsuite>`, named after the exercise
//! (`exercise-01`, or the kernel's path with `--kernel`); each test is one
//! `<testcase>` whose class name says where it ran (`exercise-01.host`,
//! `exercise-01.qemu`). A failed test carries its diagnostic as the failure
//! message and the hints the scorecard shows (the first rung of its ladder,
//! and those `--hint` revealed) as the failure's text (a host test whose
//! process died, `crashed`, is an error rather than a failure); a test that
//! never ran, or that the kernel skipped, is skipped.
//! A test whose scheduler trace was drawn has the pictures' paths as the
//! properties `trace_json` and `trace_svg`.
//! The score, the verdict and the serial log's path are suite properties;
//! the notes go to `<system-out>` and the compiler's errors, if any, to
//! `<system-err>`.

use std::path::Path;

use anyhow::{Context, Result};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use super::{Report, Status, TestReport};
use crate::manifest::Kind;

/// Writes `report` as JUnit XML to `path`, creating its folder if needed.
pub fn write(report: &Report, path: &Path) -> Result<()> {
    let xml = to_xml(report)?;
    if let Some(folder) = path.parent().filter(|folder| !folder.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot write the JUnit report {}: cannot create its folder", path.display()))?;
    }
    std::fs::write(path, xml).with_context(|| format!("cannot write the JUnit report {}", path.display()))
}

/// The XML text of `report`.
pub fn to_xml(report: &Report) -> Result<String> {
    let mut junit = quick_junit::Report::new("cargo grade");
    junit.add_test_suite(suite(report));
    junit.to_string().context("cannot turn the report into JUnit XML")
}

/// The `<testsuite>` for one report.
fn suite(report: &Report) -> TestSuite {
    let mut suite = TestSuite::new(report.exercise.as_str());
    suite.add_properties(properties(report));
    suite.add_test_cases(report.tests.iter().map(|test| case(report, test)));
    if !report.notes.is_empty() {
        let notes: Vec<String> = report.notes.iter().map(|note| format!("note: {note}\n")).collect();
        suite.set_system_out(notes.concat());
    }
    if let Some(errors) = &report.build_errors {
        suite.set_system_err(errors.as_str());
    }
    suite
}

/// The suite's properties: what the scorecard's last lines say.
fn properties(report: &Report) -> Vec<Property> {
    let mut properties = vec![
        Property::new("verdict", report.verdict.as_str()),
        Property::new("score", report.score.to_string()),
        Property::new("max_score", report.max_score.to_string()),
    ];
    if let Some(log) = &report.log {
        properties.push(Property::new("log", log.display().to_string()));
    }
    properties
}

/// The `<testcase>` for one test.
fn case(report: &Report, test: &TestReport) -> TestCase {
    let mut case = TestCase::new(test.name.as_str(), status(test));
    case.set_classname(format!("{}.{}", report.exercise, kind(test.kind)));
    case.add_property(Property::new("points", test.points.to_string()));
    case.add_property(Property::new("max_points", test.max_points.to_string()));
    if let Some(trace) = &test.trace {
        case.add_property(Property::new("trace_json", trace.json.display().to_string()));
        case.add_property(Property::new("trace_svg", trace.svg.display().to_string()));
    }
    case
}

/// Passed, failed or crashed (with the diagnostic and hints), or skipped.
fn status(test: &TestReport) -> TestCaseStatus {
    match test.status {
        Status::Passed => TestCaseStatus::success(),
        Status::Failed | Status::Crashed => {
            // A test whose process died is JUnit's `<error>`, not a failure.
            let kind = if test.status == Status::Crashed { NonSuccessKind::Error } else { NonSuccessKind::Failure };
            let mut status = TestCaseStatus::non_success(kind);
            status.set_message(test.diagnostic.as_deref().unwrap_or("failed"));
            let hints = test.shown_hints();
            if !hints.is_empty() {
                let lines: Vec<String> =
                    hints.iter().enumerate().map(|(rung, hint)| format!("{}: {hint}", test.hint_label(rung))).collect();
                status.set_description(lines.join("\n"));
            }
            status
        }
        Status::NotRun | Status::Skipped => {
            let mut status = TestCaseStatus::skipped();
            let what = if test.status == Status::Skipped { "skipped by the kernel" } else { "not run" };
            status.set_message(test.diagnostic.as_deref().unwrap_or(what));
            status
        }
    }
}

/// The class-name suffix for where a test ran.
fn kind(kind: Kind) -> &'static str {
    match kind {
        Kind::Host => "host",
        Kind::Qemu => "qemu",
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::report::Verdict;

    /// A test on the report, with two hints.
    fn test(name: &str, kind: Kind, status: Status, diagnostic: Option<&str>) -> TestReport {
        TestReport {
            name: name.into(),
            kind,
            status,
            path: None,
            points: u32::from(status == Status::Passed),
            max_points: 1,
            diagnostic: diagnostic.map(String::from),
            hints: vec![format!("first hint for {name}"), format!("second hint for {name}")],
            revealed: 0,
            just_revealed: false,
            trace: None,
        }
    }

    /// A finished report: one pass, one failure, one test that never ran.
    fn report() -> Report {
        let tests = vec![
            test("builds", Kind::Host, Status::Passed, None),
            test("writes_bytes", Kind::Qemu, Status::Failed, Some("expected \"hi\" & got <nothing>")),
            test("reads_bytes", Kind::Qemu, Status::NotRun, Some("the kernel crashed first")),
        ];
        let mut report = Report::new("exercise-01".into(), "Exercise 01".into(), tests);
        report.finish(Some(Verdict::Crashed));
        report.notes.push("boot 1 crashed: triple fault".into());
        report
    }

    #[test]
    fn the_report_becomes_one_suite_of_test_cases() {
        let xml = to_xml(&report()).unwrap();
        let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="cargo grade" tests="3" skipped="1" failures="1" errors="0">
    <testsuite name="exercise-01" tests="3" skipped="1" errors="0" failures="1">
        <properties>
            <property name="verdict" value="crashed"/>
            <property name="score" value="1"/>
            <property name="max_score" value="3"/>
        </properties>
        <testcase name="builds" classname="exercise-01.host">
            <properties>
                <property name="points" value="1"/>
                <property name="max_points" value="1"/>
            </properties>
        </testcase>
        <testcase name="writes_bytes" classname="exercise-01.qemu">
            <properties>
                <property name="points" value="0"/>
                <property name="max_points" value="1"/>
            </properties>
            <failure message="expected &quot;hi&quot; &amp; got &lt;nothing&gt;">hint 1/2: first hint for writes_bytes</failure>
        </testcase>
        <testcase name="reads_bytes" classname="exercise-01.qemu">
            <properties>
                <property name="points" value="0"/>
                <property name="max_points" value="1"/>
            </properties>
            <skipped message="the kernel crashed first"/>
        </testcase>
        <system-out>note: boot 1 crashed: triple fault
</system-out>
    </testsuite>
</testsuites>
"#;
        assert_eq!(xml, expected);
    }

    #[test]
    fn the_xml_reads_back_as_the_same_results() {
        let mut report = report();
        report.tests[1].revealed = 2;
        report.build_errors = Some("error[E0425]: cannot find value `x`".into());
        let parsed = quick_junit::Report::deserialize_from_str(&to_xml(&report).unwrap()).unwrap();
        let suite = &parsed.test_suites[0];
        assert_eq!(suite.name.as_str(), "exercise-01");
        assert_eq!((suite.tests, suite.failures, suite.skipped), (3, 1, 1));
        assert_eq!(suite.system_err.as_ref().map(|e| e.as_str()), Some("error[E0425]: cannot find value `x`"));
        match &suite.test_cases[1].status {
            TestCaseStatus::NonSuccess { message, description, .. } => {
                assert_eq!(message.as_deref(), Some("expected \"hi\" & got <nothing>"));
                assert_eq!(
                    description.as_deref(),
                    Some("hint 1/2: first hint for writes_bytes\nhint 2/2: second hint for writes_bytes")
                );
            }
            other => panic!("writes_bytes should have failed, not {other:?}"),
        }
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").unwrap();
        let path = blocker.join("junit.xml");
        let error = format!("{:#}", write(&report(), &path).unwrap_err());
        assert!(error.contains(&path.display().to_string()), "{error}");
    }

    #[test]
    fn the_file_is_written_in_a_new_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new").join("junit.xml");
        write(&report(), &path).unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().contains(r#"<testsuite name="exercise-01""#));
    }
}
