//! A test case: a name and a function.
//!
//! Kernel tests are plain functions that return when they pass and panic
//! (usually through `assert!`) when they fail. A kernel has no unwinding, so
//! a panic ends the boot: the panic handler reports the running test as
//! `not ok` and exits QEMU, and the grader boots again from the next test
//! (see [`RunConfig::start`](crate::RunConfig::start)).

/// One named test.
#[derive(Clone, Copy)]
pub struct Case {
    /// The name printed in the KTAP result line. Names are `snake_case` and
    /// unique within a suite; the exercise manifest refers to them.
    pub name: &'static str,
    /// The test itself: returns on success, panics on failure.
    pub run: fn(),
}

impl Case {
    /// A test called `name` that runs `run`.
    pub const fn new(name: &'static str, run: fn()) -> Self {
        Case { name, run }
    }
}
