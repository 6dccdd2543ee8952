//! The task running now, for a panic report that names it.
//!
//! A panic inside a task's poll is reported by the kernel's panic handler,
//! which knows the test that was running (`fledge_boot::runner::current`)
//! but not the task. The executor knows: its handle's `current` names the
//! task being polled. So a kernel that runs tasks leaves a way to ask it
//! here while its executor runs ([`enter`]), and its panic handler
//! ([`panic_report`]) asks:
//!
//! ```text
//! let handle = executor.handle();
//! let _running = running::enter(move || handle.current().map(|(_, name)| name));
//! ```
//!
//! What is kept is that question, a function, not `fledge_executor`'s
//! `Handle`: a kernel may run another executor with the same panic
//! handler, as exercise 07's does with the learner's (whose `Handle` has
//! the same `current`).
//!
//! The function is not `Sync`: it holds a handle, and a handle is the
//! executor's own thread's. This kernel runs on one CPU and only that
//! thread (and the panic handler it panics into) touches the slot;
//! interrupt handlers never do.

use alloc::boxed::Box;
use core::cell::RefCell;
use core::fmt;
use core::panic::PanicInfo;

use fledge_boot::com1::Com1;
use fledge_boot::exit::{ExitCode, exit_qemu};
use fledge_boot::report::write_report;

/// The name of the task being polled, or `None` between polls.
type CurrentTask = Box<dyn Fn() -> Option<&'static str>>;

struct OneCpu(RefCell<Option<CurrentTask>>);

// SAFETY: one CPU, and only the kernel's thread touches the slot (see the
// module documentation): it is never reached from two places at once.
unsafe impl Sync for OneCpu {}

static RUNNING: OneCpu = OneCpu(RefCell::new(None));

/// Leaves `current_task`, which names the task the running executor is
/// polling, here until the returned [`Entered`] is dropped. It is called
/// from the panic handler, so it must not allocate, lock or panic: asking
/// a handle (`handle.current()`) does none of these.
pub fn enter(current_task: impl Fn() -> Option<&'static str> + 'static) -> Entered {
    let current_task: CurrentTask = Box::new(current_task);
    let before = RUNNING.0.borrow_mut().replace(current_task);
    drop(before);
    Entered(())
}

/// The executor is here while this lives.
#[must_use = "the executor is taken away when this is dropped"]
#[derive(Debug)]
pub struct Entered(());

impl Drop for Entered {
    fn drop(&mut self) {
        let current_task = RUNNING.0.borrow_mut().take();
        drop(current_task);
    }
}

/// The name of the task being polled, if an executor has [`enter`]ed and
/// is polling one.
pub fn current_task() -> Option<&'static str> {
    // `try_borrow`: the panic handler must not panic itself, whatever
    // state the panic left the slot in.
    let slot = RUNNING.0.try_borrow().ok()?;
    slot.as_ref()?()
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
/// one KTAP line, whose message says which task panicked (exercise 07's
/// test `a_panicking_task_is_named`):
///
/// ```text
/// not ok 5 a_panicking_task_is_named # panicked at exercises/07-scheduler/tests/cases/kernel.rs:LINE:COL: in task `doomed`: the doomed task gives up after 3 yields
/// ```
pub fn panic_report(info: &PanicInfo<'_>) -> ! {
    let message = info.message();
    let message = InTask { task: current_task(), message: &message };
    // If the report cannot be written there is nobody left to tell.
    let _ = write_report(&mut Com1, fledge_boot::runner::current(), info.location(), &message);
    exit_qemu(ExitCode::Failure)
}
