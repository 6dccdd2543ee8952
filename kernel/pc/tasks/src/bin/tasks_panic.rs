//! A test kernel whose one test fails on purpose: a task panics, and the
//! KTAP report names the task as well as the test.
//!
//! ```text
//! cargo build -p fledge-tasks --bin fledge-tasks-panic \
//!     --target x86_64-unknown-none --profile kernel
//! cargo grade --kernel target/x86_64-unknown-none/kernel/fledge-tasks-panic
//! ```
//!
//! prints the test as failed, with this report (see `running.rs`):
//!
//! ```text
//! not ok 1 a_panicking_task_is_named # panicked at kernel/pc/tasks/src/bin/tasks_panic.rs:LINE:COL: in task `doomed`: the doomed task gives up after 3 yields
//! ```

#![cfg_attr(target_os = "none", no_std, no_main)]

use fledge_boot::Case;
use fledge_executor::{Executor, yield_now};
use fledge_tasks::dump::TRACE;
use fledge_tasks::{bringup, door, running};
use fledge_timer::sleep::Halt;

fledge_boot::test_kernel!(
    CASES,
    panic_handler = fledge_tasks::running::panic_report,
    exit = fledge_boot::exit::exit_qemu
);

static CASES: &[Case] = fledge_boot::cases![a_panicking_task_is_named];

fn a_panicking_task_is_named() {
    let clock = bringup::init().unwrap_or_else(|error| panic!("{error}"));
    let mut executor = Executor::new(clock, &Halt, &TRACE);
    let _door = door::open(executor.interrupts());
    let handle = executor.handle();
    let _running = running::enter(move || handle.current().map(|(_, name)| name));
    drop(executor.spawn("bystander", async {
        for _ in 0..5 {
            yield_now().await;
        }
    }));
    drop(executor.spawn("doomed", async {
        for _ in 0..3 {
            yield_now().await;
        }
        panic!("the doomed task gives up after 3 yields");
    }));
    executor.run();
}
