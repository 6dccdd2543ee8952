//! Judging the host tests: each manifest entry against what the test
//! binary's runs said ([`crate::host_tests`]).
//!
//! A test that passed earns its points; one that failed shows its panic; a
//! test whose process died is `crashed`, and one that hung fails, both
//! with the `cargo test` command that runs it alone. A property test
//! (proptest) that fails prints its smallest failing input, often longer
//! than a scorecard line: the whole failure is saved to a file under
//! `target/fledge/<package>/host/`, and the diagnostic names the file and
//! the command that runs the test again.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::host_tests::{self, Outcome, Ran};
use crate::manifest::{Kind, Manifest};
use crate::report::{Report, Verdict};
use crate::symbols;

/// What proptest writes before the smallest failing case.
const MINIMAL: &str = "minimal failing input:";

/// Marks each host test of the manifest from the test binary's runs, and
/// returns the verdict they force: `crashed` if one crashed, `timed_out`
/// if one hung.
pub fn judge(
    root: &Path,
    manifest: &Manifest,
    package: &str,
    host: &host_tests::Run,
    report: &mut Report,
) -> Result<Option<Verdict>> {
    let evidence = root.join("target").join("fledge").join(package).join("host");
    if evidence.is_dir() {
        fs::remove_dir_all(&evidence).with_context(|| format!("cannot clear {}", evidence.display()))?;
    }
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
        let Some((path, outcome)) = found else {
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
            Ran::Failed if outcome.output.contains(MINIMAL) => {
                test.fail(proptest_failure(root, &evidence, package, path, outcome)?)
            }
            Ran::Failed => test.fail(why()),
            Ran::Crashed => {
                verdict = Some(Verdict::Crashed);
                test.crash(why());
            }
            Ran::Hung => {
                verdict.get_or_insert(Verdict::TimedOut);
                test.fail(why());
                // Where it hung comes before the manifest's hints, which
                // cannot know.
                if let Some(hint) = &outcome.hint {
                    test.hints.insert(0, hint.clone());
                }
            }
        }
    }
    Ok(verdict)
}

/// Saves a proptest failure whole and says where, with its smallest input
/// shortened, the command that runs it again, and whether that finds the
/// same case.
fn proptest_failure(root: &Path, folder: &Path, package: &str, path: &str, outcome: &Outcome) -> Result<String> {
    fs::create_dir_all(folder).with_context(|| format!("cannot create {}", folder.display()))?;
    let file = folder.join(format!("{}.txt", path.replace("::", ".")));
    let command = host_tests::command(package, path);
    fs::write(&file, format!("$ {command}\n\n{}", outcome.output))
        .with_context(|| format!("cannot write {}", file.display()))?;
    let shown = file.strip_prefix(root).unwrap_or(&file).display().to_string();
    let diagnostic = outcome.diagnostic.as_deref().unwrap_or("failed");
    let before = diagnostic.split(MINIMAL).next().unwrap_or(diagnostic).trim_end();
    // The input, up to proptest's count of cases (`\tsuccesses: N`), on one line.
    let input = outcome.output.split(MINIMAL).nth(1).unwrap_or("");
    let input = input.split("\tsuccesses:").next().unwrap_or(input);
    let input = input.split_whitespace().collect::<Vec<_>>().join(" ");
    let input = match input.char_indices().nth(80) {
        Some((cut, _)) => format!("{}...", &input[..cut]),
        None => input,
    };
    let again = match seed_fixed(root, &outcome.output) {
        Some(source) => {
            format!("proptest's seed is fixed in {source}, so it fails on this same case again")
        }
        None => "proptest may pick other cases on another run".into(),
    };
    Ok(format!("{before} {MINIMAL} {input} (whole in {shown}). Run it again with `{command}`: {again}"))
}

/// The file of the failing property test, relative to `root`, if it fixes
/// proptest's seed (`RngSeed::Fixed`, or a `TestRng` made from a seed): the
/// file is the one the panic names.
fn seed_fixed(root: &Path, output: &str) -> Option<String> {
    let at = output.lines().find_map(|l| l.split_once("panicked at ").map(|(_, at)| at))?;
    let file = at.split(':').next()?;
    let text = fs::read_to_string(root.join(file)).ok()?;
    let fixed = text.contains("RngSeed::Fixed") || text.contains("TestRng::from_seed");
    fixed.then(|| symbols::lexical(Path::new(file)).display().to_string())
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::report::{Status, TestReport};
    use std::collections::BTreeMap;

    fn manifest(names: &[&str]) -> Manifest {
        let tests: String =
            names.iter().map(|n| format!("[[test]]\nname = \"{n}\"\nkind = \"host\"\npoints = 1\n")).collect();
        toml::from_str(&format!("number = 5\nslug = \"m\"\ntitle = \"t\"\nchapter = \"c\"\n{tests}")).unwrap()
    }

    fn outcome(ran: Ran, diagnostic: Option<&str>, output: &str) -> Outcome {
        Outcome { ran, diagnostic: diagnostic.map(str::to_string), output: output.to_string(), hint: None }
    }

    fn graded(root: &Path, names: &[&str], outcomes: &[(&str, Outcome)]) -> Result<(Report, Option<Verdict>)> {
        let manifest = manifest(names);
        let tests = manifest.tests.iter().map(|t| TestReport::new(t.name.clone(), t.kind, 1, Vec::new())).collect();
        let mut report = Report::new(manifest.id(), String::new(), tests);
        let outcomes: BTreeMap<String, Outcome> = outcomes.iter().map(|(n, o)| (n.to_string(), o.clone())).collect();
        let host = host_tests::Run { outcomes, ..host_tests::Run::default() };
        judge(root, &manifest, "exercise-05-memory", &host, &mut report).map(|verdict| (report, verdict))
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
        let root = tempfile::tempdir().unwrap();
        let (report, verdict) = graded(root.path(), &["frames::twin", "heap::twin", "solo"], &twins()).unwrap();
        let statuses: Vec<Status> = report.tests.iter().map(|t| t.status).collect();
        assert_eq!(statuses, [Status::Passed, Status::Failed, Status::Passed]);
        assert_eq!(report.tests[2].path.as_deref(), Some("cases::solo"), "the path is shown where it says more");
        assert_eq!(report.tests[0].path, None);
        assert_eq!(verdict, None);
    }

    #[test]
    fn a_bare_name_that_fits_two_tests_is_an_error_that_says_what_to_write() {
        let root = tempfile::tempdir().unwrap();
        let error = format!("{:#}", graded(root.path(), &["twin"], &twins()).unwrap_err());
        assert!(error.contains("exercise.toml: the host test name `twin` fits 2 tests"), "{error}");
        assert!(error.contains("name = \"frames::twin\""), "{error}");
    }

    #[test]
    fn a_test_that_is_not_there_says_so() {
        let root = tempfile::tempdir().unwrap();
        let (report, _) = graded(root.path(), &["gone"], &twins()).unwrap();
        assert!(report.tests[0].diagnostic.as_deref().unwrap().contains("no test in tests/ is called `gone`"));
    }

    #[test]
    fn a_crash_is_crashed_and_a_hang_times_out() {
        let root = tempfile::tempdir().unwrap();
        let died = [
            ("paging::walks", outcome(Ran::Crashed, Some("crashed: SIGSEGV"), "")),
            ("heap::spins", outcome(Ran::Hung, Some("hung: still running"), "")),
        ];
        let (report, verdict) = graded(root.path(), &["walks", "spins"], &died).unwrap();
        assert_eq!((report.tests[0].status, report.tests[1].status), (Status::Crashed, Status::Failed));
        assert_eq!(report.tests[0].diagnostic.as_deref(), Some("crashed: SIGSEGV"));
        assert_eq!(verdict, Some(Verdict::Crashed), "a crash is the harder verdict");
        let (_, verdict) = graded(root.path(), &["spins", "walks"], &died).unwrap();
        assert_eq!(verdict, Some(Verdict::Crashed), "whichever comes first");
    }

    #[test]
    fn a_proptest_failure_is_saved_whole_and_its_rerun_named() {
        let root = tempfile::tempdir().unwrap();
        let source = root.path().join("tests/cases/host.rs");
        fs::create_dir_all(source.parent().unwrap()).unwrap();
        fs::write(&source, "rng_seed: proptest::test_runner::RngSeed::Fixed(1),\n").unwrap();
        let output = "thread 'cases::maps' (9) panicked at tests/cases/../cases/host.rs:128:1:\n\
                      Test failed: a frame was handed out twice.\nminimal failing input: map = [\n    MemoryRegion {\n        start: 4096,\n    },\n]\n\tsuccesses: 7\n";
        let failed = [(
            "cases::maps",
            outcome(
                Ran::Failed,
                Some(
                    "panicked at tests/cases/../cases/host.rs:128:1: Test failed: a frame was handed out twice. minimal failing input: map = [",
                ),
                output,
            ),
        )];
        let (report, _) = graded(root.path(), &["maps"], &failed).unwrap();
        let why = report.tests[0].diagnostic.clone().unwrap();
        let file = "target/fledge/exercise-05-memory/host/cases.maps.txt";
        assert!(why.starts_with("panicked at tests/cases/../cases/host.rs:128:1: Test failed: a frame was handed out twice. minimal failing input: map = [ MemoryRegion { start: 4096, }, ] (whole in"), "{why}");
        assert!(why.contains(&format!("(whole in {file})")), "{why}");
        assert!(why.contains("`cargo test -p exercise-05-memory --test host -- cases::maps --exact`"), "{why}");
        assert!(
            why.ends_with("proptest's seed is fixed in tests/cases/host.rs, so it fails on this same case again"),
            "{why}"
        );
        let saved = fs::read_to_string(root.path().join(file)).unwrap();
        assert!(
            saved.starts_with("$ cargo test -p exercise-05-memory") && saved.ends_with("successes: 7\n"),
            "{saved}"
        );
    }
}
