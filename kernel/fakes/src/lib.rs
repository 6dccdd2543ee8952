//! Fake implementations of the Fledge interfaces, for tests on the host.
//!
//! A fake is an implementation of a `fledge-api` trait that does something a
//! test can control or inspect: it remembers what it was given, fails on
//! cue, or behaves badly on purpose. Code written against the trait cannot
//! tell the difference, which is the point: the error paths of a driver
//! stack can be exercised with `cargo test`, without a machine that fails in
//! just the right way. (smoltcp's `FaultInjector` device and MirageOS's
//! test implementations of its module types are the models.)
//!
//! | fake | trait | what it does |
//! |---|---|---|
//! | [`RecordingConsole`] | `Console` | keeps every byte; can fail after N bytes; can yield between bytes to shake out races |
//! | [`ManualClock`] | `Clock` | shows the time the test set, rounded to its resolution |
//! | [`TickingIdle`] | `Idle` | advances a `ManualClock` by one step per wait, and counts the waits |
//! | [`SimulatedInterrupts`] | `Idle` | a CPU's interrupt flag and one interrupt line: shows a lost wake-up as a panic |
//! | [`ListEntropy`] | `Entropy` | replays a list of bytes, then would block |
//! | [`BlockingEntropy`] | `Entropy` | always would block |
//! | [`FailingEntropy`] | `Entropy` | gives N bytes, then fails |

pub mod clock;
pub mod console;
pub mod entropy;
pub mod interrupts;

pub use clock::{ManualClock, TickingIdle};
pub use console::{Recording, RecordingConsole};
pub use entropy::{BlockingEntropy, FailingEntropy, ListEntropy};
pub use interrupts::SimulatedInterrupts;
