//! The host's side of a `[test.net]` test, done once the guest says
//! `# ready`: real sockets and real frames against the guest's stack.
//!
//! | key | what the grader does | passes when |
//! |---|---|---|
//! | `ping = N` | N echo requests from the peer 10.0.2.99, payloads 56, 0, 1000 and 1472 bytes in turn | each is answered with its own data (three tries of a second each) |
//! | `echo = BYTES` | connects to the forwarded port (guest port 80), sends BYTES random bytes from one thread, reads in another | the same bytes come back, in order, then the end of the stream |
//! | `connections = N` | N connections in a row, each sending a line and closing its side | every line comes back and every connection ends |
//! | `peer = true` | waits for the guest at 10.0.2.4:7000 | it says `hello from 10.0.2.15`, is told `say TOKEN`, and sends `TOKEN` back |
//! | `http = [...]` | HTTP clients, polite and hostile, through the forwarded port | `http.rs` and `hostile.rs` say |
//!
//! Every wait is bounded, so a guest that stops answering costs seconds,
//! not the boot's deadline. Each part's result is one line: what was
//! done and how long it took, or what went wrong first.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use super::frames;
use super::peer::Peer;
use crate::manifest::NetSpec;

/// How long one read or write may wait for the guest.
const STALL: Duration = Duration::from_secs(10);

/// How long a connection to the forwarded port may take, and how often it
/// is tried.
const CONNECT: Duration = Duration::from_secs(5);
const CONNECT_TRIES: u32 = 3;

/// The payloads of the echo requests, in turn: the last fills a 1514-byte
/// Ethernet frame (14 + 20 + 8 + 1472).
const PING_SIZES: [usize; 4] = [56, 0, 1000, 1472];

/// The ways to reach the guest.
pub struct Reach<'a> {
    /// The host port QEMU forwards to guest port 80.
    pub forwarded: u16,
    /// The peer on the guest's network, if the boot has one (a test that
    /// pings).
    pub peer: Option<&'a Peer>,
    /// Where the guest's connections to 10.0.2.4:7000 arrive.
    pub guestfwd: &'a TcpListener,
}

/// Does every part of `spec`, in order: each part's line, `Ok` if it passed.
pub fn run(spec: &NetSpec, reach: &Reach<'_>) -> Vec<Result<String, String>> {
    let mut results = Vec::new();
    if let Some(count) = spec.ping {
        results.push(match reach.peer {
            Some(peer) => ping(peer, count),
            None => Err("the boot has no peer on the guest's network to ping from".into()),
        });
    }
    if let Some(bytes) = spec.echo {
        results.push(echo(reach.forwarded, bytes));
    }
    if let Some(count) = spec.connections {
        results.push(connections(reach.forwarded, count));
    }
    if spec.peer {
        results.push(peer(reach.guestfwd));
    }
    for &check in &spec.http {
        results.push(super::http::check(check, reach.forwarded));
    }
    results
}

/// `ping = count`.
fn ping(peer: &Peer, count: u32) -> Result<String, String> {
    let started = Instant::now();
    for n in 0..count {
        let seq = n as u16;
        let size = PING_SIZES[n as usize % PING_SIZES.len()];
        let data = random(size);
        let request = frames::echo_request(seq, &data);
        let answered = (0..3).try_fold(false, |answered, _| {
            if answered {
                return Ok(true);
            }
            peer.send(&request)?;
            let deadline = Instant::now() + Duration::from_secs(1);
            while let Some((got, reply)) = peer.reply(deadline.saturating_duration_since(Instant::now())) {
                if got == seq && reply == data {
                    return Ok(true);
                }
                if got == seq {
                    return Err(format!(
                        "echo request {seq} carried {size} bytes; the reply carried {} bytes, not the same",
                        reply.len()
                    ));
                }
            }
            Ok::<bool, String>(false)
        })?;
        if !answered {
            return Err(format!(
                "echo request {} of {count} from 10.0.2.99 ({size} bytes of payload, a {}-byte Ethernet frame) got no reply in three tries of 1 s",
                n + 1,
                request.len()
            ));
        }
    }
    Ok(format!("{count} echo requests from 10.0.2.99 answered (payloads up to 1472 bytes) in {:.2} s", secs(started)))
}

/// `echo = bytes`.
fn echo(port: u16, bytes: u64) -> Result<String, String> {
    let data = random(bytes as usize);
    let started = Instant::now();
    let stream = connect(port)?;
    let mut out = stream.try_clone().map_err(|e| format!("cannot use the connection: {e}"))?;
    let sent = data.clone();
    let writer = thread::spawn(move || {
        out.write_all(&sent)?;
        out.shutdown(Shutdown::Write)
    });
    let got = read_to_end(stream, bytes as usize);
    let wrote = writer.join().unwrap_or_else(|_| Err(ErrorKind::Other.into()));
    let got = got.map_err(|(got, why)| format!("after {got} of {bytes} bytes came back: {why}"))?;
    if let Err(error) = wrote {
        return Err(format!("sending failed after {} bytes came back: {error}", got.len()));
    }
    compare(&data, &got)?;
    let secs = secs(started);
    Ok(format!(
        "{bytes} random bytes echoed through the forwarded port, identical, in {secs:.2} s ({:.1} MiB/s each way)",
        bytes as f64 / (1 << 20) as f64 / secs
    ))
}

/// `connections = count`.
fn connections(port: u16, count: u32) -> Result<String, String> {
    let started = Instant::now();
    for n in 1..=count {
        let line = format!("connection {n} of {count}: {}\n", hex(&random(8)));
        let at = |why: String| format!("connection {n} of {count}: {why}");
        let mut stream = connect(port).map_err(at)?;
        stream.write_all(line.as_bytes()).map_err(|e| at(format!("cannot send its line: {e}")))?;
        stream.shutdown(Shutdown::Write).map_err(|e| at(format!("cannot close the host's side: {e}")))?;
        let got = read_to_end(stream, line.len()).map_err(|(got, why)| at(format!("after {got} bytes: {why}")))?;
        compare(line.as_bytes(), &got).map_err(at)?;
    }
    let secs = secs(started);
    Ok(format!(
        "{count} connections in a row, each echoed and closed, in {secs:.2} s ({:.0} a second)",
        count as f64 / secs
    ))
}

/// `peer = true`.
fn peer(listener: &TcpListener) -> Result<String, String> {
    let where_ = "the guest's connection to 10.0.2.4:7000";
    let mut stream =
        accept(listener).map_err(|e| format!("QEMU's forwarding of 10.0.2.4:7000 never reached the grader: {e}"))?;
    let hello = read_line(&mut stream).map_err(|e| format!("{where_}: {e}"))?;
    if hello != "hello from 10.0.2.15" {
        return Err(format!("{where_} first said {hello:?}, not \"hello from 10.0.2.15\""));
    }
    let token = hex(&random(8));
    stream.write_all(format!("say {token}\n").as_bytes()).map_err(|e| format!("{where_}: cannot send: {e}"))?;
    let said = read_line(&mut stream).map_err(|e| format!("{where_}, after `say {token}`: {e}"))?;
    if said != token {
        return Err(format!("{where_} was told `say {token}` and sent back {said:?}"));
    }
    Ok("the guest connected to 10.0.2.4:7000, said hello and repeated the token it was given".into())
}

/// A connection to the forwarded port, tried a few times.
fn connect(port: u16) -> Result<TcpStream, String> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let mut last = String::new();
    for _ in 0..CONNECT_TRIES {
        match TcpStream::connect_timeout(&address, CONNECT) {
            Ok(stream) => {
                let _ = stream.set_read_timeout(Some(STALL));
                let _ = stream.set_write_timeout(Some(STALL));
                return Ok(stream);
            }
            Err(error) => last = error.to_string(),
        }
    }
    Err(format!("cannot connect to {address} (forwarded to guest port 80) in {CONNECT_TRIES} tries: {last}"))
}

/// QEMU's connection for the guest's 10.0.2.4:7000 (opened when QEMU
/// started, so it waits already).
fn accept(listener: &TcpListener) -> std::io::Result<TcpStream> {
    listener.set_nonblocking(true)?;
    let started = Instant::now();
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false)?;
                stream.set_read_timeout(Some(STALL))?;
                return Ok(stream);
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock && started.elapsed() < STALL => {
                thread::sleep(Duration::from_millis(20));
            }
            Err(error) => return Err(error),
        }
    }
}

/// Everything until the guest ends the stream; on failure, how many bytes
/// came and why it stopped.
fn read_to_end(mut stream: TcpStream, expected: usize) -> Result<Vec<u8>, (usize, String)> {
    let mut got = Vec::with_capacity(expected);
    let mut buf = vec![0u8; 64 << 10];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Ok(got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err((got.len(), format!("nothing more came for {} s", STALL.as_secs())));
            }
            Err(error) => return Err((got.len(), error.to_string())),
        }
    }
}

/// One line, without its newline; at most 256 bytes.
fn read_line(stream: &mut TcpStream) -> Result<String, String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while line.len() < 256 {
        match stream.read(&mut byte) {
            Ok(0) => return Err(format!("the connection ended after {:?}", String::from_utf8_lossy(&line))),
            Ok(_) if byte[0] == b'\n' => return Ok(String::from_utf8_lossy(&line).into_owned()),
            Ok(_) => line.push(byte[0]),
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(format!(
                    "no whole line in {} s (got {:?})",
                    STALL.as_secs(),
                    String::from_utf8_lossy(&line)
                ));
            }
            Err(error) => return Err(error.to_string()),
        }
    }
    Err(format!("a line longer than 256 bytes: {:?}...", String::from_utf8_lossy(&line[..40])))
}

/// Where `got` first differs from `sent`.
fn compare(sent: &[u8], got: &[u8]) -> Result<(), String> {
    if let Some(at) = sent.iter().zip(got).position(|(a, b)| a != b) {
        return Err(format!("byte {at} came back as {:#04x}, but {:#04x} was sent", got[at], sent[at]));
    }
    match got.len().cmp(&sent.len()) {
        std::cmp::Ordering::Less => Err(format!("the stream ended after {} of {} bytes", got.len(), sent.len())),
        std::cmp::Ordering::Greater => {
            Err(format!("{} bytes came back, {} more than were sent", got.len(), got.len() - sent.len()))
        }
        std::cmp::Ordering::Equal => Ok(()),
    }
}

fn random(len: usize) -> Vec<u8> {
    let mut bytes = vec![0; len];
    // A failing system random source still leaves a fair test: zeros.
    let _ = getrandom::fill(&mut bytes);
    bytes
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn secs(since: Instant) -> f64 {
    since.elapsed().as_secs_f64().max(1e-6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_difference_is_named() {
        assert_eq!(compare(b"abc", b"abc"), Ok(()));
        assert_eq!(compare(b"abc", b"abd").unwrap_err(), "byte 2 came back as 0x64, but 0x63 was sent");
        assert_eq!(compare(b"abc", b"ab").unwrap_err(), "the stream ended after 2 of 3 bytes");
        assert!(compare(b"ab", b"abc").unwrap_err().contains("1 more than were sent"));
    }

    /// The echo and connection checks against an echo server on the host:
    /// they pass against a good one and name the fault of a bad one.
    #[test]
    fn echo_and_connections_against_host_servers() {
        let good = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = good.local_addr().unwrap().port();
        thread::spawn(move || {
            for stream in good.incoming() {
                let mut stream = stream.unwrap();
                let mut copy = stream.try_clone().unwrap();
                std::io::copy(&mut stream, &mut copy).unwrap();
                copy.shutdown(Shutdown::Write).unwrap();
            }
        });
        assert!(echo(port, 300_000).unwrap().starts_with("300000 random bytes echoed"));
        assert!(connections(port, 5).unwrap().starts_with("5 connections in a row"));

        // Echoes the first 100 bytes, then hangs up.
        let short = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = short.local_addr().unwrap().port();
        thread::spawn(move || {
            let (mut stream, _) = short.accept().unwrap();
            let mut buf = [0u8; 100];
            stream.read_exact(&mut buf).unwrap();
            stream.write_all(&buf).unwrap();
        });
        let error = echo(port, 1 << 20).unwrap_err();
        assert!(error.contains("100 "), "the bytes that came back are counted: {error}");
    }
}
