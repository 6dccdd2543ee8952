//! Exercise 02's kernel tests: panics, on purpose.
//!
//! Two of these tests fail by design. The grader does not want `ok` from
//! them: it wants your panic handler's report, `not ok N name # panicked at
//! FILE:LINE:COLUMN: MESSAGE`, with the location of the `panic!` below (it
//! opens this file and looks) and the exact message, and then the failure
//! exit. After each, it boots again from the next test. The last test does
//! not panic: the run must then end with the success exit, through your
//! `exit_qemu`.

use fledge_boot::Case;

/// The tests, in the order they run.
pub static CASES: &[Case] = fledge_boot::cases![plain_panic, panic_with_arguments, no_panic];

fn plain_panic() {
    panic!("this test panics on purpose");
}

fn panic_with_arguments() {
    let (x, y) = (core::hint::black_box(6), core::hint::black_box(7));
    panic!("{x} times {y} is {}", x * y);
}

fn no_panic() {
    let sum: u64 = (1..=10).sum();
    assert_eq!(sum, 55);
}
