//! The task running now, for a panic report that names it.
//!
//! A panic inside a task's poll is reported by the kernel's panic handler,
//! which knows the test that was running (`fledge_boot::runner::current`)
//! but not the task. The executor knows: [`Handle::current`]. So a kernel
//! that runs tasks leaves a handle here while its executor runs
//! ([`enter`]), and its panic handler ([`panic_report`]) asks it.
//!
//! A `Handle` is not `Sync`: it is the executor's own thread's. This
//! kernel runs on one CPU and only that thread (and the panic handler it
//! panics into) touches the slot; interrupt handlers never do.

use core::cell::RefCell;
use core::fmt;
use core::panic::PanicInfo;

use fledge_boot::com1::Com1;
use fledge_boot::exit::{ExitCode, exit_qemu};
use fledge_boot::report::write_report;
use fledge_executor::Handle;

struct OneCpu(RefCell<Option<Handle<'static>>>);

// SAFETY: one CPU, and only the kernel's thread touches the slot (see the
// module documentation): it is never reached from two places at once.
unsafe impl Sync for OneCpu {}

static RUNNING: OneCpu = OneCpu(RefCell::new(None));

/// Leaves `handle` here until the returned [`Entered`] is dropped.
pub fn enter(handle: Handle<'static>) -> Entered {
    let before = RUNNING.0.borrow_mut().replace(handle);
    drop(before);
    Entered(())
}

/// The handle is here while this lives.
#[must_use = "the handle is taken away when this is dropped"]
#[derive(Debug)]
pub struct Entered(());

impl Drop for Entered {
    fn drop(&mut self) {
        let handle = RUNNING.0.borrow_mut().take();
        drop(handle);
    }
}

/// The name of the task being polled, if an executor has [`enter`]ed and
/// is polling one.
pub fn current_task() -> Option<&'static str> {
    let slot = RUNNING.0.try_borrow().ok()?;
    slot.as_ref()?.current().map(|(_, name)| name)
}

/// A panic's message, with the task that panicked in front of it.
struct InTask<'m> {
    task: Option<&'static str>,
    message: &'m dyn fmt::Display,
}

impl fmt::Display for InTask<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.task {
            Some(task) => write!(f, "in task `{task}`: {}", self.message),
            None => self.message.fmt(f),
        }
    }
}

/// The panic handler of a kernel that runs tasks: `fledge_boot`'s report,
/// one KTAP line, whose message says which task panicked:
///
/// ```text
/// not ok 5 a_panicking_task_is_named # panicked at kernel/pc/tasks/src/bin/tasks_kernel.rs:40:9: in task `doomed`: no more
/// ```
pub fn panic_report(info: &PanicInfo<'_>) -> ! {
    let message = info.message();
    let message = InTask { task: current_task(), message: &message };
    // If the report cannot be written there is nobody left to tell.
    let _ = write_report(&mut Com1, fledge_boot::runner::current(), info.location(), &message);
    exit_qemu(ExitCode::Failure)
}
