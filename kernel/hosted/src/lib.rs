//! Fledge's interfaces implemented on top of an ordinary operating system.
//!
//! This is the *hosted* half of the library-OS idea: the same application
//! code that runs on bare metal against a UART or a virtio NIC runs as a
//! Linux process against these implementations, which borrow the host's
//! standard output, clock, and so on. (MirageOS builds one application as a
//! Unix process or as a Xen unikernel the same way.)
//!
//! | implementation | trait | backed by |
//! |---|---|---|
//! | [`HostConsole`] | `Console` | any `std::io::Write`; [`HostConsole::stdout`] for standard output |
//! | [`HostClock`] | `Clock` | `std::time::Instant` |
//! | [`SleepIdle`] | `Idle` | `std::thread::sleep` |
//! | [`monotonic_nanos`] | a trace's stamp | `std::time::Instant`, in nanoseconds |
//! | [`HostEntropy`] | `Entropy` | the operating system's generator (`getrandom`) |
//! | [`HostDisk`] | `BlockDevice` | a file: `pread`, `pwrite` and `fdatasync` |
//! | [`HostTcp`] | `Tcp` | non-blocking `std::net` sockets (and `socket2` for a connect that does not wait); listeners on 127.0.0.1 |

pub mod clock;
pub mod console;
pub mod disk;
pub mod entropy;
pub mod tcp;

pub use clock::{HostClock, SleepIdle, monotonic_nanos};
pub use console::HostConsole;
pub use disk::HostDisk;
pub use entropy::HostEntropy;
pub use tcp::HostTcp;
