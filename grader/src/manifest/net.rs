//! `[test.net]`: what the grader does from the host to a kernel on the
//! network, once the kernel says it is ready.
//!
//! ```toml
//! devices = ["virtio-net"]        # a virtio network card on QEMU's user network
//!
//! [[test]]
//! name = "echoes_a_mebibyte"
//! kind = "qemu"
//! [test.net]
//! echo = 1048576                  # random bytes through the forwarded port to guest port 80, read back
//! # or: ping = 4                  # ICMP echo requests from the grader's peer, 10.0.2.99
//! # or: connections = 100         # connections in a row to guest port 80, a line each
//! # or: peer = true               # the guest connects to 10.0.2.4:7000 and repeats a token
//! ```
//!
//! The network itself, and what each key does, is `crate::net`.
//! `Manifest::load` refuses a `[test.net]` without the card, or with
//! nothing to do.

use serde::Deserialize;

use super::devices::Device;

/// The most bytes an `echo` sends: 64 MiB, a few seconds at QEMU's pace.
pub const MAX_ECHO: u64 = 64 << 20;

/// The most echo requests or connections a test may ask for.
pub const MAX_COUNT: u32 = 10_000;

/// `[test.net]`: the host's side of a network test, each part optional,
/// done in this order: ping, echo, connections, peer.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(deny_unknown_fields)]
pub struct NetSpec {
    /// ICMP echo requests from the grader's peer on the guest's network.
    #[serde(default)]
    pub ping: Option<u32>,
    /// Bytes of random data sent to guest port 80 and read back.
    #[serde(default)]
    pub echo: Option<u64>,
    /// Connections to guest port 80, one after the other.
    #[serde(default)]
    pub connections: Option<u32>,
    /// The guest connects out to the grader and repeats what it is told.
    #[serde(default)]
    pub peer: bool,
}

/// A test's `[test.net]`, given the devices its boots attach.
pub fn check(attached: &[Device], net: &NetSpec) -> Result<(), String> {
    if !attached.contains(&Device::VirtioNet) {
        return Err("[test.net] talks to the kernel over its network card, but the test's boots have none: \
                    add \"virtio-net\" to the test's `devices` (or the exercise's)"
            .into());
    }
    if net.ping.is_none() && net.echo.is_none() && net.connections.is_none() && !net.peer {
        return Err("[test.net] gives the grader nothing to do: add ping, echo, connections or peer = true".into());
    }
    if net.echo.is_some_and(|bytes| bytes == 0 || bytes > MAX_ECHO) {
        return Err(format!("net.echo is {} bytes: give 1 to {MAX_ECHO}", net.echo.unwrap_or(0)));
    }
    for (key, count) in [("ping", net.ping), ("connections", net.connections)] {
        if count.is_some_and(|n| n == 0 || n > MAX_COUNT) {
            return Err(format!("net.{key} is {}: give 1 to {MAX_COUNT}", count.unwrap_or(0)));
        }
    }
    Ok(())
}
