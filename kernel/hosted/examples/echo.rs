//! A TCP echo service written against the `Tcp` trait, run over the
//! host's sockets (`HostTcp`), and the client that times any echo
//! service: scripts/bench-net.sh times this one and the guest's
//! (kernel/pc/virtio-net/examples/dhcp.rs, through QEMU's forwarded
//! port) with the same client.
//!
//! ```text
//! cargo run --release -p fledge-hosted --example echo -- serve PORT
//! cargo run --release -p fledge-hosted --example echo -- measure PORT [RUNS] [MIB] [CONNECTIONS]
//! cargo run --release -p fledge-hosted --example echo -- free-port
//! ```
//!
//! `serve` listens on 127.0.0.1:PORT, says `# listening PORT`, and
//! serves one connection after the other, as the guest does: it sends
//! back every byte it reads, and shuts down once the peer has and every
//! byte went back. Its `echo` is the guest's, call for call, so that the
//! two differ only in what is under the trait.
//!
//! `measure` talks to 127.0.0.1:PORT, RUNS times (5 if not told). Each
//! run sends MIB MiB (8) of pseudo-random bytes from one thread and reads
//! the echo in another, and checks every byte that came back; then makes
//! CONNECTIONS connections (200), one after the other, each sending a
//! line, reading it back, shutting down and reading to the end. It
//! prints each run and then the medians:
//!
//! ```text
//! median 2.75 MiB/s 61.2 connections/s
//! ```
//!
//! `free-port` prints a port of 127.0.0.1 that nothing listens on (for
//! QEMU's `hostfwd`, or for `serve`).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, SocketAddrV4, TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use fledge_api::tcp::{Stream, Tcp, TcpError};
use fledge_hosted::HostTcp;

const MIB: usize = 1 << 20;

/// How long the client waits for a byte before it calls the echo stalled.
const STALL: Duration = Duration::from_secs(30);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: usize| -> Result<usize, String> {
        args.get(i).map_or(Ok(default), |a| a.parse().map_err(|_| format!("`{a}` is not a number")))
    };
    let result = match args.first().map(String::as_str) {
        Some("serve") => number(1, 0).and_then(|port| serve(port_of(port)?)),
        Some("measure") => (|| measure(port_of(number(1, 0)?)?, number(2, 5)?, number(3, 8)?, number(4, 200)?))(),
        Some("free-port") => free_port().map(|port| println!("{port}")),
        _ => Err("usage: echo serve PORT | echo measure PORT [RUNS] [MIB] [CONNECTIONS] | echo free-port".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("echo: {error}");
            ExitCode::FAILURE
        }
    }
}

fn port_of(n: usize) -> Result<u16, String> {
    u16::try_from(n).ok().filter(|&p| p != 0).ok_or_else(|| format!("{n} is not a port"))
}

/// A port of 127.0.0.1 that nothing listened on a moment ago.
fn free_port() -> Result<u16, String> {
    let probe = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| e.to_string())?;
    Ok(probe.local_addr().map_err(|e| e.to_string())?.port())
}

/// The echo service over `HostTcp`, for ever.
fn serve(port: u16) -> Result<(), String> {
    let mut tcp = HostTcp::new();
    let listener = tcp.listen(port).map_err(|e| format!("cannot listen on {port}: {e}"))?;
    println!("# listening {port}");
    loop {
        let stream = loop {
            match tcp.accept(listener) {
                Ok((stream, _peer)) => break stream,
                // The host's kernel makes the connection on its own: the
                // poll between two tries is nothing at all.
                Err(TcpError::WouldBlock) => std::thread::yield_now(),
                Err(error) => return Err(format!("accept: {error}")),
            }
        };
        if let Err(error) = echo(&mut tcp, stream, std::thread::yield_now) {
            println!("# echo ended: {error}");
        }
        let _ = tcp.close(stream);
    }
}

/// Sends back every byte `stream` brings, until the peer has shut down
/// and every byte went back; then shuts down this side too. The guest's
/// `echo`, with `poll` for its stack's poll; says how many bytes.
fn echo(tcp: &mut impl Tcp, stream: Stream, mut poll: impl FnMut()) -> Result<usize, TcpError> {
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = [0u8; 4096];
    let mut total = 0;
    let mut ended = false;
    loop {
        if !ended && pending.len() < 64 * 1024 {
            match tcp.read(stream, &mut buf) {
                Ok(0) => ended = true,
                Ok(n) => {
                    pending.extend_from_slice(&buf[..n]);
                    total += n;
                }
                Err(TcpError::WouldBlock) => {}
                Err(error) => return Err(error),
            }
        }
        if !pending.is_empty() {
            match tcp.write(stream, &pending) {
                Ok(n) => {
                    pending.drain(..n);
                }
                Err(TcpError::WouldBlock) => {}
                Err(error) => return Err(error),
            }
        }
        if ended && pending.is_empty() {
            tcp.shutdown(stream)?;
            return Ok(total);
        }
        poll();
    }
}

/// Times the echo at 127.0.0.1:`port`, and prints each run and the
/// medians.
fn measure(port: u16, runs: usize, mib: usize, connections: usize) -> Result<(), String> {
    let at = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port));
    println!("# echo at {at}: {runs} runs of {mib} MiB each way, then {connections} connections one after the other");
    let data = pattern(mib * MIB);
    let (mut speeds, mut rates) = (Vec::new(), Vec::new());
    for run in 1..=runs.max(1) {
        let took = throughput(at, &data).map_err(|e| format!("run {run}, {mib} MiB each way: {e}"))?;
        let speed = mib as f64 / took.as_secs_f64();
        let all = Instant::now();
        for n in 0..connections {
            one_connection(at, n).map_err(|e| format!("run {run}, connection {}: {e}", n + 1))?;
        }
        let rate = connections as f64 / all.elapsed().as_secs_f64();
        println!(
            "run {run}: {mib} MiB each way in {:.3} s ({speed:.2} MiB/s); {connections} connections in {:.3} s ({rate:.1}/s)",
            took.as_secs_f64(),
            all.elapsed().as_secs_f64()
        );
        speeds.push(speed);
        rates.push(rate);
    }
    println!("median {:.2} MiB/s {:.1} connections/s", median(&mut speeds), median(&mut rates));
    Ok(())
}

/// Sends `data` from one thread and reads the echo in this one; checks
/// that every byte came back, in order, and says how long it took.
fn throughput(at: SocketAddr, data: &[u8]) -> Result<Duration, String> {
    let mut stream = connect(at)?;
    let mut sending = stream.try_clone().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let back = std::thread::scope(|scope| {
        let sender = scope.spawn(move || -> Result<(), String> {
            sending.write_all(data).map_err(|e| format!("sending: {e}"))?;
            sending.shutdown(Shutdown::Write).map_err(|e| format!("shutting down: {e}"))
        });
        let mut back = Vec::with_capacity(data.len());
        let read = stream.read_to_end(&mut back);
        let sent = sender.join().map_err(|_| "the sending thread panicked".to_string())?;
        read.map_err(|e| format!("reading the echo after {} bytes: {e}", back.len()))?;
        sent.map(|()| back)
    })?;
    let took = started.elapsed();
    if back != data {
        let first = back.iter().zip(data).position(|(a, b)| a != b).unwrap_or(back.len().min(data.len()));
        return Err(format!(
            "{} bytes came back of {}; the first difference is at byte {first}",
            back.len(),
            data.len()
        ));
    }
    Ok(took)
}

/// One short connection: a line there and back, then both sides shut
/// down.
fn one_connection(at: SocketAddr, n: usize) -> Result<(), String> {
    let mut stream = connect(at)?;
    let line = format!("hello {n}\n");
    stream.write_all(line.as_bytes()).map_err(|e| format!("sending: {e}"))?;
    let mut back = vec![0; line.len()];
    stream.read_exact(&mut back).map_err(|e| format!("reading the line back: {e}"))?;
    if back != line.as_bytes() {
        return Err(format!("sent {line:?}, got {:?} back", String::from_utf8_lossy(&back)));
    }
    stream.shutdown(Shutdown::Write).map_err(|e| format!("shutting down: {e}"))?;
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).map_err(|e| format!("reading to the end: {e}"))?;
    if !rest.is_empty() {
        return Err(format!("{} bytes more than the line came back", rest.len()));
    }
    Ok(())
}

fn connect(at: SocketAddr) -> Result<TcpStream, String> {
    let stream = TcpStream::connect_timeout(&at, Duration::from_secs(5)).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(STALL)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(STALL)).map_err(|e| e.to_string())?;
    Ok(stream)
}

/// `len` bytes of xorshift64: no two runs of the same length differ,
/// and no stretch repeats that an off-by-a-block echo could get right.
fn pattern(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 }
}
