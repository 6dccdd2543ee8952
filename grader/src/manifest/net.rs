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
//! # or: http = ["get", "slowloris"]  # a website on guest port 80, judged by HTTP clients
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
    /// HTTP checks of a website on guest port 80, in order.
    #[serde(default)]
    pub http: Vec<HttpCheck>,
}

/// One check of `http = [...]` (`crate::net::http` and `hostile`).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum HttpCheck {
    /// `GET /` is a page.
    Get,
    /// `HEAD /` has the page's length and no body.
    Head,
    /// A missing page is 404.
    NotFound,
    /// Several requests on one connection.
    KeepAlive,
    /// Several requests in one write, answered in order.
    Pipelined,
    /// 50 clients at once.
    Concurrent,
    /// A page edited twice, seen now and at its first commit.
    Edit,
    /// A client that trickles its request.
    Slowloris,
    /// A 1 MiB header line.
    HugeHeader,
    /// Malformed request lines.
    Malformed,
    /// A connection reset in the middle of a request.
    Reset,
    /// A body longer than its Content-Length.
    LongBody,
}

impl HttpCheck {
    /// The name, as the manifest writes it.
    pub fn name(self) -> &'static str {
        match self {
            HttpCheck::Get => "get",
            HttpCheck::Head => "head",
            HttpCheck::NotFound => "not_found",
            HttpCheck::KeepAlive => "keep_alive",
            HttpCheck::Pipelined => "pipelined",
            HttpCheck::Concurrent => "concurrent",
            HttpCheck::Edit => "edit",
            HttpCheck::Slowloris => "slowloris",
            HttpCheck::HugeHeader => "huge_header",
            HttpCheck::Malformed => "malformed",
            HttpCheck::Reset => "reset",
            HttpCheck::LongBody => "long_body",
        }
    }
}

/// A test's `[test.net]`, given the devices its boots attach.
pub fn check(attached: &[Device], net: &NetSpec) -> Result<(), String> {
    if !attached.contains(&Device::VirtioNet) {
        return Err("[test.net] talks to the kernel over its network card, but the test's boots have none: \
                    add \"virtio-net\" to the test's `devices` (or the exercise's)"
            .into());
    }
    if net.ping.is_none() && net.echo.is_none() && net.connections.is_none() && !net.peer && net.http.is_empty() {
        return Err(
            "[test.net] gives the grader nothing to do: add ping, echo, connections, peer = true or http".into()
        );
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
