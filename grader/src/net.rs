//! A boot's network (`devices = ["virtio-net"]`): a virtio network card
//! on QEMU's user network, everything on the host's loopback, nothing
//! beyond the machine.
//!
//! ```text
//!                 QEMU's hub 0
//!   virtio-net ── hubport "card" ──┬── hubport ── user network, restrict=on
//!   (slot N,       filter-dump:    │                DHCP: 10.0.2.15/24, no router
//!    GUEST_MAC)    net.pcap        │                127.0.0.1:PORT → guest :80 (hostfwd)
//!                                  │                guest → 10.0.2.4:7000 → the grader (guestfwd)
//!                                  └── hubport ── stream socket → the grader's peer, 10.0.2.99
//! ```
//!
//! The user network gives the address and carries TCP between the host
//! and the guest. `restrict=on` keeps the guest from reaching anything
//! but QEMU's own addresses and the two forwards, so no test depends on
//! the machine's network. QEMU's user network refuses to forward 10.0.2.2
//! (its own address) to the host, so the grader's listener is at
//! 10.0.2.4, the address QEMU uses for such forwards.
//!
//! QEMU answers no pings meant for the guest, so for a test that pings,
//! the grader puts a machine of its own on the wire: [`peer`], through a
//! hub port. Other tests get the card on the user network directly, with
//! no hub: under a burst of frames (fifty clients connecting at once) the
//! hub loses some that the user network alone holds until the card takes
//! them, and each loss costs TCP a retransmission seconds later (measured:
//! fifty clients served in 2.7 to 6 s without the hub, 6 to 23 s with it).
//! Every frame through the card is recorded in `net.pcap`, in the boot's folder beside
//! the serial log (`tcpdump -r`, or Wireshark).
//!
//! A test's `[test.net]` is done by [`host`] when the kernel prints
//! `# ready`; then the grader writes `done` and a newline to COM1, and the
//! kernel ends the test. The results go to `net.log` in the boot's folder,
//! and `judge::net` reads them.
//!
//! | module | what it is |
//! |---|---|
//! | [`addresses`] | the guest's and the peer's addresses |
//! | [`frames`] | the peer's ARP and ICMP frames, with smoltcp's packet views |
//! | [`peer`] | the peer's thread on the hub's socket |
//! | [`host`] | the host's side of each `[test.net]` key |
//! | [`http`], [`hostile`] | the checks of `http = [...]`: a website judged by real clients |
//! | [`client`] | those clients: the grader's own HTTP/1.1 client, and `curl` |

pub mod addresses;
pub mod client;
pub mod frames;
pub mod host;
pub mod hostile;
pub mod http;
pub mod peer;

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};

use crate::devices::{self, Attach};
use crate::manifest::NetSpec;
use crate::qemu::Ready;

/// The line after which the grader does the test's host side.
pub const READY: &str = "# ready";

/// What the grader writes to COM1 when it has done it.
pub const DONE: &[u8] = b"done\n";

/// The recording of a boot's traffic, in its folder.
pub const PCAP: &str = "net.pcap";

/// The host side's results, one line each, in the boot's folder.
pub const LOG: &str = "net.log";

/// The QEMU arguments of a boot's `devices` in `dir`: with the card, the
/// network's too, and the network itself, to keep until the boot ends,
/// with what to do when the guest is ready (for a test with `spec`).
pub fn prepare(devices: &[Attach], dir: &Path, spec: Option<NetSpec>) -> Result<(Vec<String>, Option<Network>)> {
    let mut args = devices::prepare(devices, dir)?;
    let peer = spec.as_ref().is_some_and(|spec| spec.ping.is_some());
    let Some(mut network) = Network::for_boot(devices, dir, peer)? else { return Ok((args, None)) };
    args.extend(network.args()?);
    network.ready = Some(network.start(spec)?);
    Ok((args, Some(network)))
}

/// As [`prepare`], for `--serve`: when the guest is ready, the URL of its
/// website is printed, and nothing more is done.
pub fn prepare_to_serve(devices: &[Attach], dir: &Path) -> Result<(Vec<String>, Network)> {
    let mut args = devices::prepare(devices, dir)?;
    let Some(mut network) = Network::for_boot(devices, dir, false)? else {
        anyhow::bail!("the boot has no network card (\"virtio-net\" in exercise.toml's devices): nothing to serve on")
    };
    args.extend(network.args()?);
    let port = network.forwarded;
    let act = move |_: &mut dyn Write| {
        println!("\n==> serving http://127.0.0.1:{port}/  (open it in a browser; Ctrl-C stops the kernel)\n");
    };
    network.ready = Some(Ready { marker: READY, act: Arc::new(act) });
    Ok((args, network))
}

/// The network of one boot: the sockets QEMU connects to, and the port it
/// forwards. The peer's thread stops when this is dropped.
pub struct Network {
    dir: PathBuf,
    forwarded: u16,
    guestfwd: TcpListener,
    stream: TcpListener,
    stop: Arc<AtomicBool>,
    /// What to do when the guest is ready, once the peer runs.
    ready: Option<Ready>,
    /// Whether the card hangs on a hub with the grader's peer.
    peer: bool,
}

impl Network {
    /// The network of a boot with `devices` in `dir`, if they include the
    /// card; with the hub and the peer on it if `peer` (only a test that
    /// pings needs them: under a burst of frames, such as fifty clients
    /// connecting at once, QEMU's hub loses some that the user network
    /// alone would have held until the card took them, and TCP then waits
    /// seconds to send them again).
    pub fn for_boot(devices: &[Attach], dir: &Path, peer: bool) -> Result<Option<Network>> {
        if !devices.contains(&Attach::VirtioNet) {
            return Ok(None);
        }
        let bind = || TcpListener::bind("127.0.0.1:0").context("cannot listen on a port of 127.0.0.1 for QEMU");
        // A port free now, for QEMU to forward: it is closed again at
        // once, and QEMU takes it a moment later.
        let forwarded = bind()?.local_addr()?.port();
        let _ = fs::remove_file(dir.join(LOG));
        let network = Network {
            dir: dir.to_path_buf(),
            forwarded,
            guestfwd: bind()?,
            stream: bind()?,
            stop: Arc::new(AtomicBool::new(false)),
            ready: None,
            peer,
        };
        Ok(Some(network))
    }

    /// QEMU's arguments for the user network (and the hub, its three
    /// ports, if the peer is on it) and the recording; the card itself is
    /// `devices::prepare`'s, on the netdev `card`.
    pub fn args(&self) -> Result<Vec<String>> {
        let port = |listener: &TcpListener| listener.local_addr().map(|a| a.port());
        let (guestfwd, stream) = (port(&self.guestfwd)?, port(&self.stream)?);
        let user = |id: &str| {
            format!(
                "user,id={id},restrict=on,hostfwd=tcp:127.0.0.1:{}-:80,guestfwd=tcp:10.0.2.4:7000-tcp:127.0.0.1:{guestfwd}",
                self.forwarded
            )
        };
        let pcap = devices::escape(&self.dir.join(PCAP));
        let dump = format!("filter-dump,id=dump,netdev=card,file={pcap}");
        if !self.peer {
            return Ok(vec!["-netdev".into(), user("card"), "-object".into(), dump]);
        }
        let user = user("slirp");
        Ok([
            "-netdev",
            &user,
            "-netdev",
            "hubport,id=to-slirp,hubid=0,netdev=slirp",
            "-netdev",
            &format!("stream,id=peer,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port={stream}"),
            "-netdev",
            "hubport,id=to-peer,hubid=0,netdev=peer",
            "-netdev",
            "hubport,id=card,hubid=0",
            "-object",
            &dump,
        ]
        .map(String::from)
        .to_vec())
    }

    /// What to do when the guest says it is ready.
    pub fn ready(&self) -> Option<Ready> {
        self.ready.clone()
    }

    /// Starts the peer, and says what to do when the guest is ready: the
    /// test's host side (none for a test without `[test.net]`), its
    /// results written to `net.log`, then `done` on COM1.
    fn start(&self, spec: Option<NetSpec>) -> Result<Ready> {
        let peer = match self.peer {
            true => Some(peer::Peer::start(self.stream.try_clone()?, Arc::clone(&self.stop))),
            false => None,
        };
        let guestfwd = self.guestfwd.try_clone()?;
        let (forwarded, log) = (self.forwarded, self.dir.join(LOG));
        let act = move |com1: &mut dyn Write| {
            let reach = host::Reach { forwarded, peer: peer.as_ref(), guestfwd: &guestfwd };
            let results = spec.as_ref().map(|spec| host::run(spec, &reach)).unwrap_or_default();
            let text: String = results
                .iter()
                .map(|result| match result {
                    Ok(line) => format!("ok {line}\n"),
                    Err(line) => format!("fail {line}\n"),
                })
                .collect();
            // The judge says so if the file is missing.
            let _ = fs::write(&log, text);
            let _ = com1.write_all(DONE).and_then(|()| com1.flush());
        };
        Ok(Ready { marker: READY, act: Arc::new(act) })
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}
