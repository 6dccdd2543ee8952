//! Judging the host tests: each manifest entry against what the test
//! binary's runs said ([`crate::host_tests`]).
//!
//! A test that passed earns its points; one that failed shows its panic; a
//! test whose process died is `crashed`, and one that hung fails, both
//! with the `cargo test` command that runs it alone.

use anyhow::{Result, bail};

use crate::host_tests::{self, Ran};
use crate::manifest::{Kind, Manifest};
use crate::report::{Report, Verdict};

/// Marks each host test of the manifest from the test binary's runs, and
/// returns the verdict they force: `crashed` if one crashed, `timed_out`
/// if one hung.
pub fn judge(manifest: &Manifest, host: &host_tests::Run, report: &mut Report) -> Result<Option<Verdict>> {
    let mut verdict = None;
    for (spec, test) in manifest.tests.iter().zip(report.tests.iter_mut()) {
        if spec.kind != Kind::Host {
            continue;
        }
        let found = match host.find(&spec.name) {
            Ok(found) => found,
            Err(why) => bail!("{}: {why}", manifest.dir.join("exercise.toml").display()),
        };
        if let Some((path, _)) = found
            && path != spec.name
        {
            test.path = Some(path.to_string());
        }
        let Some((_, outcome)) = found else {
            test.fail(match &host.unfinished {
                Some(why) => format!("this host test did not run: {why}"),
                None => format!(
                    "this host test did not run: no test in tests/ is called `{}` (or ends with `::{}`); is it still there?",
                    spec.name, spec.name
                ),
            });
            continue;
        };
        let why = || outcome.diagnostic.clone().unwrap_or_else(|| "failed".into());
        match outcome.ran {
            Ran::Passed => test.pass(),
            Ran::Failed => test.fail(why()),
            Ran::Crashed => {
                verdict = Some(Verdict::Crashed);
                test.crash(why());
            }
            Ran::Hung => {
                verdict.get_or_insert(Verdict::TimedOut);
                test.fail(why());
            }
        }
    }
    Ok(verdict)
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::host_tests::Outcome;
    use crate::report::{Status, TestReport};
    use std::collections::BTreeMap;

    fn manifest(names: &[&str]) -> Manifest {
        let tests: String =
            names.iter().map(|n| format!("[[test]]\nname = \"{n}\"\nkind = \"host\"\npoints = 1\n")).collect();
        toml::from_str(&format!("number = 5\nslug = \"m\"\ntitle = \"t\"\nchapter = \"c\"\n{tests}")).unwrap()
    }

    fn outcome(ran: Ran, diagnostic: Option<&str>, output: &str) -> Outcome {
        Outcome { ran, diagnostic: diagnostic.map(str::to_string), output: output.to_string() }
    }

    fn graded(names: &[&str], outcomes: &[(&str, Outcome)]) -> Result<(Report, Option<Verdict>)> {
        let manifest = manifest(names);
        let tests = manifest.tests.iter().map(|t| TestReport::new(t.name.clone(), t.kind, 1, Vec::new())).collect();
        let mut report = Report::new(manifest.id(), String::new(), tests);
        let outcomes: BTreeMap<String, Outcome> = outcomes.iter().map(|(n, o)| (n.to_string(), o.clone())).collect();
        let host = host_tests::Run { outcomes, ..host_tests::Run::default() };
        judge(&manifest, &host, &mut report).map(|verdict| (report, verdict))
    }

    fn twins() -> Vec<(&'static str, Outcome)> {
        vec![
            ("frames::twin", outcome(Ran::Passed, None, "")),
            ("heap::twin", outcome(Ran::Failed, Some("panicked at a.rs:1:1: no"), "")),
            ("cases::solo", outcome(Ran::Passed, None, "")),
        ]
    }

    #[test]
    fn twins_in_two_modules_never_collide() {
        let (report, verdict) = graded(&["frames::twin", "heap::twin", "solo"], &twins()).unwrap();
        let statuses: Vec<Status> = report.tests.iter().map(|t| t.status).collect();
        assert_eq!(statuses, [Status::Passed, Status::Failed, Status::Passed]);
        assert_eq!(report.tests[2].path.as_deref(), Some("cases::solo"), "the path is shown where it says more");
        assert_eq!(report.tests[0].path, None);
        assert_eq!(verdict, None);
    }

    #[test]
    fn a_bare_name_that_fits_two_tests_is_an_error_that_says_what_to_write() {
        let error = format!("{:#}", graded(&["twin"], &twins()).unwrap_err());
        assert!(error.contains("exercise.toml: the host test name `twin` fits 2 tests"), "{error}");
        assert!(error.contains("name = \"frames::twin\""), "{error}");
    }

    #[test]
    fn a_test_that_is_not_there_says_so() {
        let (report, _) = graded(&["gone"], &twins()).unwrap();
        assert!(report.tests[0].diagnostic.as_deref().unwrap().contains("no test in tests/ is called `gone`"));
    }

    #[test]
    fn a_crash_is_crashed_and_a_hang_times_out() {
        let died = [
            ("paging::walks", outcome(Ran::Crashed, Some("crashed: SIGSEGV"), "")),
            ("heap::spins", outcome(Ran::Hung, Some("hung: still running"), "")),
        ];
        let (report, verdict) = graded(&["walks", "spins"], &died).unwrap();
        assert_eq!((report.tests[0].status, report.tests[1].status), (Status::Crashed, Status::Failed));
        assert_eq!(report.tests[0].diagnostic.as_deref(), Some("crashed: SIGSEGV"));
        assert_eq!(verdict, Some(Verdict::Crashed), "a crash is the harder verdict");
        let (_, verdict) = graded(&["spins", "walks"], &died).unwrap();
        assert_eq!(verdict, Some(Verdict::Crashed), "whichever comes first");
    }
}
