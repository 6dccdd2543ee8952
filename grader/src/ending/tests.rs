//! Every way a boot can end, through [`meaning`], with literal KTAP.

use std::collections::BTreeSet;
use std::time::Duration;

use super::*;

const NONCE: &str = "c0ffee";

/// A boot from `start` of every test, that ended `ending` after printing
/// `com1`.
struct Case {
    ending: Ending,
    stream: Stream,
    start: usize,
    only: Option<Vec<String>>,
    stderr: &'static str,
    first_lines: &'static str,
    boots_before: usize,
    done_before: BTreeSet<String>,
    hang: Option<Hang>,
}

fn case(ending: Ending, com1: &str) -> Case {
    Case {
        ending,
        stream: Stream::parse(com1.as_bytes()),
        start: 1,
        only: None,
        stderr: "",
        first_lines: "",
        boots_before: 0,
        done_before: BTreeSet::new(),
        hang: None,
    }
}

impl Case {
    fn meaning(&self) -> Meaning {
        meaning(&BootEnd {
            ending: self.ending,
            stream: &self.stream,
            nonce: NONCE,
            start: self.start,
            only: self.only.as_deref(),
            timeout: Duration::from_secs(7),
            stderr: self.stderr,
            first_lines: self.first_lines,
            boots_before: self.boots_before,
            done_before: &self.done_before,
            hang: self.hang.as_ref(),
        })
    }
}

/// The header of a boot that echoed the nonce and planned `plan` tests.
fn header(plan: usize) -> String {
    format!("KTAP version 1\n# nonce: {NONCE}\n1..{plan}\n")
}

fn said(m: &Meaning) -> Vec<(usize, &str, Said)> {
    m.outcomes.iter().map(|o| (o.number, o.name.as_str(), o.said)).collect()
}

/// The notes as the scorecard would show them for boot 1.
fn notes(m: &Meaning) -> String {
    shown(m).join("\n")
}

fn shown(m: &Meaning) -> Vec<String> {
    m.notes
        .iter()
        .map(|note| match note {
            Note::Boot(phrase) => format!("boot 1 {phrase}"),
            Note::Said(text) => text.clone(),
        })
        .collect()
}

const EXIT_SUCCESS: Ending = Ending::Exited(33);
const EXIT_FAILURE: Ending = Ending::Exited(35);

#[test]
fn a_clean_success_exit_counts_everything_and_ends_the_sequence() {
    let m = case(EXIT_SUCCESS, &format!("{}# run 1 a\nhi\nok 1 a\nok 2 b\n", header(2))).meaning();
    assert_eq!(said(&m), [(1, "a", Said::Passed), (2, "b", Said::Passed)]);
    assert_eq!(m.outcomes[0].output, ["hi"]);
    assert_eq!(m.outcomes[0].ending, EXIT_SUCCESS);
    assert_eq!((m.verdict, m.next), (None, None));
    assert!(m.notes.is_empty(), "{}", notes(&m));
}

#[test]
fn a_success_exit_before_the_plan_is_done_is_noted() {
    let m = case(EXIT_SUCCESS, &format!("{}ok 1 a\n", header(3))).meaning();
    assert_eq!(said(&m), [(1, "a", Said::Passed)]);
    assert!(notes(&m).contains("success exit after 1 of the 3 tests it planned"), "{}", notes(&m));
    assert_eq!((m.verdict, m.next), (None, None));
}

#[test]
fn a_panic_fails_its_test_and_the_next_boot_starts_after_it() {
    let m = case(EXIT_FAILURE, &format!("{}ok 1 a\n# run 2 b\nnot ok 2 b # panicked at x.rs:1:2: no\n", header(3)))
        .meaning();
    assert_eq!(said(&m), [(1, "a", Said::Passed), (2, "b", Said::Failed)]);
    assert_eq!(m.outcomes[1].diagnostic.as_deref(), Some("panicked at x.rs:1:2: no"));
    assert_eq!((m.verdict, m.next), (None, Some(3)));
}

#[test]
fn a_failure_exit_after_nothing_but_ok_is_never_a_pass() {
    let m = case(EXIT_FAILURE, &format!("{}ok 1 a\nok 2 b\n", header(2))).meaning();
    assert_eq!(said(&m), [(1, "a", Said::Passed), (2, "b", Said::Passed)]);
    assert_eq!(m.verdict, Some(Verdict::Failed));
    assert!(notes(&m).contains("failure exit (status 35), yet none of its results"), "{}", notes(&m));
    assert_eq!(m.next, None, "every test has a result");
}

#[test]
fn a_failure_exit_during_a_test_fails_that_test() {
    let m = case(EXIT_FAILURE, &format!("{}# run 1 a\npartial\n", header(2))).meaning();
    assert_eq!(said(&m), [(1, "a", Said::Failed)]);
    assert_eq!(m.outcomes[0].output, ["partial"]);
    assert!(m.outcomes[0].diagnostic.as_deref().unwrap().contains("exited with failure during this test"));
    assert_eq!((m.verdict, m.next), (None, Some(2)));
}

#[test]
fn a_bail_out_is_noted_and_fails_the_running_test() {
    let m = case(EXIT_FAILURE, &format!("{}# run 1 a\nBail out! the handler panicked\n", header(2))).meaning();
    assert_eq!(said(&m), [(1, "a", Said::Failed)]);
    let why = m.outcomes[0].diagnostic.as_deref().unwrap();
    assert_eq!(why, "the kernel gave up during this test: the handler panicked");
    assert_eq!(shown(&m), ["the kernel gave up: the handler panicked"]);
    // Outside any test, the bail-out alone makes the boot fail.
    let m = case(EXIT_FAILURE, &format!("{}ok 1 a\nBail out! between tests\n", header(2))).meaning();
    assert_eq!((m.verdict, m.next), (Some(Verdict::Failed), Some(2)));
}

#[test]
fn a_triple_fault_crashes_the_running_test_and_grading_goes_on() {
    let m = case(Ending::TripleFault, &format!("{}# run 1 a\n", header(2))).meaning();
    assert_eq!(said(&m), [(1, "a", Said::Failed)]);
    assert!(
        m.outcomes[0].diagnostic.as_deref().unwrap().starts_with("crashed during this test: the CPU triple-faulted")
    );
    assert_eq!((m.verdict, m.next), (Some(Verdict::Crashed), Some(2)));
    assert!(notes(&m).starts_with("boot 1 crashed: the CPU triple-faulted"), "{}", notes(&m));
}

#[test]
fn resets_are_told_apart() {
    let m = case(Ending::Reset, &format!("{}# run 1 a\n", header(1))).meaning();
    assert_eq!(shown(&m), ["boot 1 crashed: the guest reset the machine"]);
    let m = case(Ending::UnknownReset, &format!("{}# run 1 a\n", header(1))).meaning();
    assert!(notes(&m).contains("a triple fault, or a reset the guest asked for"), "{}", notes(&m));
    assert_eq!(m.verdict, Some(Verdict::Crashed));
}

#[test]
fn qemu_killed_or_failing_is_a_crash_that_quotes_qemu() {
    let mut killed = case(Ending::Signalled(6), &format!("{}# run 1 a\n", header(1)));
    killed.stderr = "qemu: error: failed to set MSR 0x10a\nAssertion failed.\n";
    let m = killed.meaning();
    assert_eq!(
        shown(&m),
        [
            "boot 1 crashed: QEMU was killed by signal 6; it said: qemu: error: failed to set MSR 0x10a / Assertion failed."
        ]
    );
    let mut bad_option = case(Ending::Exited(1), "qemu-system-x86_64: -D: requires an argument\n");
    bad_option.first_lines = "qemu-system-x86_64: -D: requires an argument\n";
    let m = bad_option.meaning();
    assert_eq!(shown(&m), ["boot 1 crashed: QEMU failed with status 1: qemu-system-x86_64: -D: requires an argument"]);
    assert_eq!((m.verdict, m.next), (Some(Verdict::Crashed), None));
}

#[test]
fn kvm_giving_up_is_a_crash_that_names_kvm() {
    let m = case(Ending::KvmError, &format!("{}# run 1 a\n", header(2))).meaning();
    assert_eq!(m.verdict, Some(Verdict::Crashed));
    assert!(notes(&m).contains("KVM internal error") && notes(&m).contains("without --accel kvm"), "{}", notes(&m));
    assert_eq!(m.next, Some(2));
}

#[test]
fn a_time_out_fails_the_running_test_and_ends_the_sequence() {
    let m = case(Ending::TimedOut, &format!("{}ok 1 a\n# run 2 b\n", header(3))).meaning();
    assert_eq!(said(&m), [(1, "a", Said::Passed), (2, "b", Said::Failed)]);
    assert!(m.outcomes[1].diagnostic.as_deref().unwrap().starts_with("still running after 7s"));
    assert_eq!((m.verdict, m.next), (Some(Verdict::TimedOut), None));
    assert!(notes(&m).starts_with("boot 1 was stopped after 7s"), "{}", notes(&m));
}

#[test]
fn a_time_out_with_its_place_known_says_where_and_gives_a_hint() {
    let mut boot = case(Ending::TimedOut, &format!("{}ok 1 a\n# run 2 b\n", header(3)));
    boot.hang = Some(Hang {
        kind: crate::hang::Kind::SpinLock,
        place: "`f` (x.rs:3)".into(),
        caller: Some("`g` (x.rs:9)".into()),
        again: false,
        hint: "look at f".into(),
    });
    let m = boot.meaning();
    assert_eq!(
        m.outcomes[1].diagnostic.as_deref(),
        Some(
            "still running after 7s, waiting for a spin lock in `f` (x.rs:3), called from `g` (x.rs:9): \
             a spin lock is waited for forever: it was probably taken twice (a deadlock)"
        )
    );
    assert_eq!(m.outcomes[1].hint.as_deref(), Some("look at f"));
    assert_eq!(m.outcomes[0].hint, None, "only the test that hung");
    assert_eq!(
        shown(&m),
        ["boot 1 was stopped after 7s, waiting for a spin lock in `f` (x.rs:3), called from `g` (x.rs:9)"],
        "a lock waited for forever is no slowness: no advice to raise the limit"
    );
}

#[test]
fn a_flood_fails_the_running_test_and_grading_goes_on() {
    let m = case(Ending::Flooded, &format!("{}# run 1 a\nxxxx\n", header(2))).meaning();
    assert_eq!(said(&m), [(1, "a", Said::Failed)]);
    assert!(m.outcomes[0].diagnostic.as_deref().unwrap().contains("more than 8 MiB"));
    assert_eq!((m.verdict, m.next), (Some(Verdict::Flooded), Some(2)));
}

#[test]
fn without_the_nonce_nothing_counts_but_the_ending_still_decides_the_verdict() {
    let forged = "KTAP version 1\n1..2\nok 1 a\n# run 2 b\n";
    for (ending, verdict) in [
        (Ending::TimedOut, Verdict::TimedOut),
        (Ending::TripleFault, Verdict::Crashed),
        (Ending::Flooded, Verdict::Flooded),
        (EXIT_SUCCESS, Verdict::Failed),
        (EXIT_FAILURE, Verdict::Failed),
    ] {
        let m = case(ending, forged).meaning();
        assert!(m.outcomes.is_empty(), "{ending:?}: {:?}", m.outcomes);
        assert_eq!((m.verdict, m.next), (Some(verdict), None), "{ending:?}");
        assert!(notes(&m).contains("did not echo this run's nonce (c0ffee)"), "{ending:?}: {}", notes(&m));
    }
    let wrong = case(EXIT_SUCCESS, "KTAP version 1\n# nonce: 0ld\n1..1\nok 1 a\n").meaning();
    assert!(wrong.outcomes.is_empty());
}

#[test]
fn without_ktap_an_exit_is_no_output_and_anything_else_keeps_its_verdict() {
    for exit in [EXIT_SUCCESS, EXIT_FAILURE] {
        let m = case(exit, "booting...\n").meaning();
        assert_eq!((m.verdict, m.next), (Some(Verdict::NoOutput), None));
        assert_eq!(shown(&m), ["boot 1 exited without writing `KTAP version 1` on COM1"]);
    }
    assert_eq!(case(Ending::TimedOut, "").meaning().verdict, Some(Verdict::TimedOut));
    assert_eq!(case(Ending::TripleFault, "").meaning().verdict, Some(Verdict::Crashed));
}

#[test]
fn results_past_the_plan_count_for_nothing_and_are_named() {
    let m = case(EXIT_SUCCESS, &format!("{}ok 1 a\nok 2 b\nok 7 extra\n", header(2))).meaning();
    assert_eq!(said(&m), [(1, "a", Said::Passed), (2, "b", Said::Passed)]);
    assert_eq!(
        shown(&m),
        ["boot 1 reported results numbered past its plan of 2 tests, which score nothing: 7 `extra`"]
    );
    assert_eq!(m.verdict, Some(Verdict::Failed), "a report that does not add up does not pass");
    let m = case(EXIT_SUCCESS, &format!("KTAP version 1\n# nonce: {NONCE}\nok 1 a\nok 2 b\n")).meaning();
    assert!(m.outcomes.is_empty());
    assert_eq!(shown(&m), ["boot 1 reported results without a plan (`1..N`), which score nothing: 1 `a`, 2 `b`"]);
    // Number 0 comes before any start: never asked for, so not counted.
    let m = case(EXIT_SUCCESS, &format!("{}ok 0 zero\nok 1 a\n", header(1))).meaning();
    assert_eq!(said(&m), [(1, "a", Said::Passed)]);
}

#[test]
fn a_skip_asked_for_is_skipped_and_the_runners_bookkeeping_is_ignored() {
    let mut boot = case(
        EXIT_SUCCESS,
        &format!(
            "{}ok 1 a # SKIP ran in an earlier boot\nok 2 b # SKIP not in this boot\nok 3 c # SKIP no hardware\nok 4 d\n",
            header(4)
        ),
    );
    boot.start = 2;
    boot.only = Some(vec!["c".into(), "d".into()]);
    let m = boot.meaning();
    assert_eq!(said(&m), [(3, "c", Said::Skipped), (4, "d", Said::Passed)]);
    assert_eq!(m.outcomes[0].diagnostic.as_deref(), Some("the kernel skipped it: no hardware"));
}

#[test]
fn results_the_boot_was_not_asked_for_do_not_count() {
    let mut boot = case(EXIT_SUCCESS, &format!("{}ok 1 a\nok 2 b\nok 3 c\n", header(3)));
    boot.start = 2;
    boot.only = Some(vec!["c".into()]);
    assert_eq!(said(&boot.meaning()), [(3, "c", Said::Passed)]);
}

#[test]
fn the_first_result_of_a_test_stands() {
    let m = case(EXIT_FAILURE, &format!("{}ok 1 a\nnot ok 1 a # changed its mind\n", header(1))).meaning();
    assert_eq!(said(&m), [(1, "a", Said::Passed)]);
    assert!(notes(&m).contains("reported test 1 (`a`) more than once; its first result, ok, stands"), "{}", notes(&m));
    assert_eq!(m.verdict, Some(Verdict::Failed), "a report that does not add up does not pass");
    let m = case(EXIT_SUCCESS, &format!("{}ok 1 a\nnot ok 1 a # no\nok 2 b\n", header(2))).meaning();
    assert_eq!(said(&m), [(1, "a", Said::Passed), (2, "b", Said::Passed)]);
    assert_eq!(m.verdict, Some(Verdict::Failed));
    // A test reported and then running again when the boot crashed.
    let m = case(Ending::TripleFault, &format!("{}ok 1 a\n# run 1 a\n", header(2))).meaning();
    assert_eq!(said(&m), [(1, "a", Said::Passed)]);
    assert_eq!(m.verdict, Some(Verdict::Crashed), "the worse verdict stays");
}

#[test]
fn the_sequence_stops_when_its_tests_are_done_or_it_gets_nowhere() {
    let com1 = format!("{}# run 1 a\nnot ok 1 a # boom\n", header(3));
    let mut boot = case(EXIT_FAILURE, &com1);
    assert_eq!(boot.meaning().next, Some(2));
    boot.only = Some(vec!["a".into()]);
    assert_eq!(boot.meaning().next, None, "its only test has a result");
    boot.only = Some(vec!["a".into(), "c".into()]);
    assert_eq!(boot.meaning().next, Some(2));
    boot.done_before.insert("c".into());
    assert_eq!(boot.meaning().next, None, "an earlier boot ran the other one");
    let mut boot = case(EXIT_FAILURE, &com1);
    boot.boots_before = 3;
    assert_eq!(boot.meaning().next, None, "one boot per test at most");
    let nowhere = case(Ending::TripleFault, &header(3)).meaning();
    assert_eq!(nowhere.next, None, "no result, no running test: booting again would do the same");
    let last = case(EXIT_FAILURE, &format!("{}ok 1 a\nok 2 b\nnot ok 3 c # x\n", header(3))).meaning();
    assert_eq!(last.next, None, "no test left");
}

#[test]
fn an_interrupted_boot_means_nothing() {
    let m = case(Ending::Interrupted, &format!("{}ok 1 a\n", header(1))).meaning();
    assert!(m.outcomes.is_empty());
    assert_eq!((m.verdict, m.next), (None, None));
}
