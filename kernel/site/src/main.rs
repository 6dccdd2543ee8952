//! `fledge-site`: the website of `fledge-http` as a Linux process.
//!
//! The same [`Server`] that a Fledge kernel steps in its poll loop, over
//! the host's implementations of the traits instead of the kernel's:
//!
//! ```text
//!   Server::step(tcp, store, now)        fledge-http, unchanged
//!          |        |       |
//!      HostTcp   LogStore  HostClock     sockets on 127.0.0.1, a store whose
//!                   |                    log is a tar archive (fledge-store),
//!                HostDisk                in a file
//! ```
//!
//! ```text
//! $ cargo run -p fledge-site
//! /home/ada/fledge/target/fledge-site.img: a new store, with 2 pages
//! serving http://127.0.0.1:8080/
//! $ curl http://127.0.0.1:8080/about
//! $ curl -X PUT -H 'X-Author: ada' --data-binary '<p>Hi' http://127.0.0.1:8080/hi
//! $ curl http://127.0.0.1:8080/history
//! ```
//!
//! The store is the file given by `--store` (by default
//! `target/fledge-site.img` in the workspace); a file that does not exist
//! is created with `--blocks` blocks, and a store with no commits is given
//! its first pages (`fledge_http::site::seed`, the ones a kernel
//! seeds too). The file is an ordinary store image:
//! `cargo run -p fledge-store-tool -- log target/fledge-site.img` lists
//! the site's edits. The port is `--port`, or the first free one from
//! 8080 on. The loop below is the poll loop of a kernel, with a sleep of
//! a millisecond for its `hlt`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Parser;
use fledge_api::Clock;
use fledge_api::store::Store;
use fledge_api::tcp::TcpError;
use fledge_hosted::{HostClock, HostDisk, HostTcp};
use fledge_http::{Config, Server, site};
use fledge_store::LogStore;

/// Serves a website whose pages are kept, with their history, in a Fledge
/// store.
#[derive(Debug, Parser)]
#[command(name = "fledge-site", version, about)]
struct Cli {
    /// The port to listen on, on 127.0.0.1 (default: the first free one
    /// from 8080 on).
    #[arg(long)]
    port: Option<u16>,
    /// The store's disk image; created if it does not exist.
    #[arg(long, default_value_os_t = default_store())]
    store: PathBuf,
    /// The size of an image this creates, in blocks of 512 bytes.
    #[arg(long, default_value_t = 8192)]
    blocks: u64,
}

/// `target/fledge-site.img` in the workspace this was built in.
fn default_store() -> PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest.parent().and_then(|kernel| kernel.parent()).unwrap_or(manifest);
    workspace.join("target").join("fledge-site.img")
}

/// Ports tried, in order, when `--port` is not given.
const PORTS: std::ops::Range<u16> = 8080..9080;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("fledge-site: {failure}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<(), String> {
    // 1. The store: the image opened (or made), the log recovered, the
    //    first pages committed if there are none.
    let store = &cli.store;
    let disk = if store.exists() {
        HostDisk::open(store, false).map_err(|error| format!("cannot open {}: {error}", store.display()))?
    } else {
        if let Some(folder) = store.parent() {
            std::fs::create_dir_all(folder).map_err(|error| format!("cannot create {}: {error}", folder.display()))?;
        }
        HostDisk::create(store, cli.blocks).map_err(|error| format!("cannot create {}: {error}", store.display()))?
    };
    let mut store = LogStore::open(disk).map_err(|error| format!("{}: {error}", cli.store.display()))?;
    store.set_time(unix_seconds());
    if store.head().is_none() {
        let pages = site::seed(&mut store).map_err(|error| format!("cannot write the first pages: {error}"))?;
        println!("{}: a new store, with {pages} pages", cli.store.display());
    }

    // 2. The listener.
    let mut tcp = HostTcp::new();
    let mut server = match cli.port {
        Some(port) => Server::new(&mut tcp, Config::new(port)).map_err(|error| format!("port {port}: {error}"))?,
        None => free_port(&mut tcp)?,
    };
    println!("serving http://127.0.0.1:{}/", server.config().port);
    let _ = std::io::stdout().flush();

    // 3. The poll loop.
    let clock = HostClock::new();
    loop {
        store.set_time(unix_seconds());
        if !server.step(&mut tcp, &mut store, clock.now()) {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// A server on the first port of [`PORTS`] nothing else listens on.
fn free_port(tcp: &mut HostTcp) -> Result<Server, String> {
    for port in PORTS {
        match Server::new(tcp, Config::new(port)) {
            Ok(server) => return Ok(server),
            Err(TcpError::AddrInUse) => continue,
            Err(error) => return Err(format!("port {port}: {error}")),
        }
    }
    Err(format!("no free port from {} to {}: give one with --port", PORTS.start, PORTS.end - 1))
}

/// The time stamped on commits: the host's wall clock.
fn unix_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs())
}
