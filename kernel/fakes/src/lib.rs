//! Fake implementations of the Fledge interfaces, for tests on the host.
//!
//! A fake is an implementation of a `fledge-api` trait that does something a
//! test can control or inspect: it remembers what it was given, fails on
//! cue, or behaves badly on purpose. Code written against the trait cannot
//! tell the difference, which is the point: the error paths of a driver
//! stack can be exercised with `cargo test`, without a machine that fails in
//! just the right way.
//!
//! Most fakes here are *wrappers*, in the manner of smoltcp's `Tracer` and
//! `FaultInjector` devices: each works around any implementation of a
//! trait, real or fake, and adds one behaviour. A fake for a test is then a
//! small stack, read from the outside in:
//!
//! ```
//! use fledge_api::{Console, ConsoleError};
//! use fledge_fakes::{Bytewise, FailAfter, Recorder, Sink};
//!
//! // A UART whose transmitter stops after 4 bytes: split every write
//! // into bytes, let 4 through, record what got through, keep nothing.
//! let recorder = Recorder::new(Sink);
//! let log = recorder.log();
//! let mut console = Bytewise::new(FailAfter::new(recorder, 4, ConsoleError::Unavailable));
//! assert_eq!(console.write_bytes(b"123456"), Err(ConsoleError::Unavailable));
//! assert_eq!(log.text(), "1234");
//! ```
//!
//! The wrappers, each with one implementation per byte-moving trait,
//! `Console` and `Entropy` (a `BlockDevice` so far has only [`FailAfter`];
//! the others are one `impl` each when a test needs them):
//!
//! | wrapper | what it adds |
//! |---|---|
//! | [`Recorder`] | records every operation that succeeded (the bytes written or given) and counts the calls, in a [`Log`] the test keeps |
//! | [`FailAfter`] | lets the first N operations through, then fails every later one with the error it was given |
//! | [`Tracer`] | calls a function with an [`Event`] for every operation and its result |
//! | [`Bytewise`] | splits every operation into one-byte operations, so that the wrappers below count, fail or yield per byte |
//! | [`Yielding`] | yields the thread after every operation, to shake out races between threads |
//!
//! The bases they wrap, and the fakes that are not wrappers:
//!
//! | fake | trait | what it does |
//! |---|---|---|
//! | [`Sink`] | `Console` | accepts everything, keeps nothing |
//! | [`ListEntropy`] | `Entropy` | replays a list of bytes, then would block |
//! | [`BlockingEntropy`] | `Entropy` | always would block |
//! | [`ManualClock`] | `Clock` | shows the time the test set, rounded to its resolution |
//! | [`TickingIdle`] | `Idle` | advances a `ManualClock` by one step per wait, and counts the waits |
//! | [`SimulatedInterrupts`] | `Idle` | a CPU's interrupt flag and one interrupt line: shows a lost wake-up as a panic |
//!
//! Disks, each a wrapper around any `BlockDevice` (a `fledge_block::RamDisk`
//! is the usual base):
//!
//! | fake | what it does |
//! |---|---|
//! | [`AlwaysFull`] | reads work; every write fails with `Full` and changes nothing |
//! | [`AlwaysBusy`] | every read, write and flush fails with `Busy` |
//! | [`PowerCut`] | writes stay pending until a flush; [`PowerCut::cut`] loses any subset of them |
//! | [`FailAfter`] | the first N operations work, then every one fails with the error it was given (`Io`, say) |
//!
//! Buses: [`pci::FakeBus`] is a PCI configuration space in memory, with
//! multi-function devices, empty slots and BARs that size like hardware's.
//!
//! Today's compositions:
//!
//! | fake | composition |
//! |---|---|
//! | a console that keeps every byte | `Recorder<Sink>` |
//! | a transmitter that stops after N bytes | `Bytewise<FailAfter<Recorder<Sink>, ConsoleError>>` |
//! | a console that lets other threads in between bytes | `Bytewise<Yielding<Recorder<Sink>>>` |
//! | an entropy source that dies after N bytes | `Bytewise<FailAfter<ListEntropy, EntropyError>>` |
//! | a disk that fails after N operations | `FailAfter<RamDisk<Vec<u8>>, BlockError>` |
//! | a disk that loses unflushed writes, then fills up | `AlwaysFull<PowerCut<RamDisk<Vec<u8>>>>` |

pub mod bytewise;
pub mod clock;
pub mod console;
pub mod disk;
pub mod entropy;
pub mod fail;
pub mod interrupts;
pub mod pci;
pub mod power;
pub mod record;
pub mod trace;
pub mod yielding;

pub use bytewise::Bytewise;
pub use clock::{ManualClock, TickingIdle};
pub use console::Sink;
pub use disk::{AlwaysBusy, AlwaysFull};
pub use entropy::{BlockingEntropy, ListEntropy};
pub use fail::FailAfter;
pub use interrupts::SimulatedInterrupts;
pub use power::PowerCut;
pub use record::{Log, Recorder};
pub use trace::{Event, Tracer};
pub use yielding::Yielding;
