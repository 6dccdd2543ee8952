//! The grader against kernels whose report lies or does not add up
//! (`grader/guests/src/forged.rs`), graded through the real path like the
//! guests of `guests.rs`, with the same promises on time, memory and
//! leftover QEMU processes. Each checks one rule of `ending.rs`.

mod harness;

use std::time::Duration;

use harness::*;

#[test]
fn a_hang_without_the_nonce_is_still_a_time_out_and_scores_nothing() {
    let run = grade("guest-hang-no-nonce");
    assert_eq!(run.verdict(), "timed_out", "{}", run.report);
    assert_eq!(run.report["score"].as_u64(), Some(0), "{}", run.report);
    assert_eq!(run.statuses(), pairs(&[("test 1", "not_run"), ("test 2", "not_run"), ("test 3", "not_run")]));
    assert!(run.notes().contains("did not echo this run's nonce"), "{}", run.notes());
    assert!(run.notes().contains("was stopped after 3s"), "{}", run.notes());
    assert!(run.elapsed >= Duration::from_secs(TIMEOUT_SECS), "stopped early: {:?}", run.elapsed);
    assert_eq!(run.code, 1);
}

#[test]
fn a_triple_fault_without_the_nonce_is_still_a_crash_and_scores_nothing() {
    let run = grade("guest-triple-fault-no-nonce");
    assert_eq!(run.verdict(), "crashed", "{}", run.report);
    assert_eq!(run.report["score"].as_u64(), Some(0), "{}", run.report);
    assert_eq!(run.statuses(), pairs(&[("test 1", "not_run"), ("test 2", "not_run")]));
    assert!(run.notes().contains("did not echo this run's nonce"), "{}", run.notes());
    assert!(run.notes().contains("boot 1 crashed: the CPU triple-faulted"), "{}", run.notes());
    assert_eq!(run.code, 1);
}

#[test]
fn every_test_ok_then_the_failure_exit_is_never_a_pass() {
    let run = grade("guest-ok-then-failure-exit");
    assert_eq!(run.verdict(), "failed", "{}", run.report);
    assert_eq!(run.statuses(), pairs(&[("first", "passed"), ("second", "passed")]));
    assert!(run.notes().contains("left QEMU with the failure exit (status 35), yet none"), "{}", run.notes());
    assert_eq!(run.code, 1);
}

#[test]
fn results_past_the_plan_score_nothing_and_are_named() {
    let run = grade("guest-past-the-plan");
    assert_eq!((run.report["score"].as_u64(), run.report["max_score"].as_u64()), (Some(2), Some(2)));
    assert_eq!(run.statuses(), pairs(&[("first", "passed"), ("second", "passed")]));
    assert!(run.notes().contains("past its plan of 2 tests, which score nothing: 3 `extra`"), "{}", run.notes());
    assert_eq!(run.verdict(), "failed", "a report that does not add up does not pass: {}", run.report);
    // The scorecard names it too.
    let (scorecard, _) = run_grader("guest-past-the-plan", &["--timeout", "3"], &[], Duration::from_secs(11));
    assert!(String::from_utf8_lossy(&scorecard).contains("3 `extra`"));
}

#[test]
fn a_skipped_test_is_skipped_and_scores_nothing() {
    let run = grade("guest-skip");
    assert_eq!(run.statuses(), pairs(&[("first", "passed"), ("second", "skipped")]));
    assert_eq!(run.report["tests"][1]["points"].as_u64(), Some(0), "{}", run.report);
    assert_eq!(run.diagnostic(1), "the kernel skipped it: no hardware for it");
    assert_eq!(run.verdict(), "failed", "{}", run.report);
}

#[test]
fn a_test_reported_twice_keeps_its_first_result() {
    let run = grade("guest-twice");
    assert_eq!(run.statuses(), pairs(&[("first", "passed"), ("second", "passed")]));
    assert!(run.notes().contains("reported test 1 (`first`) more than once; its first result, ok, stands"));
    assert_eq!(run.verdict(), "failed", "a report that does not add up does not pass: {}", run.report);
}
