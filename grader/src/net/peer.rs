//! The grader's machine on the guest's network: 10.0.2.99, a port of
//! QEMU's hub reached through a `-netdev stream` socket.
//!
//! QEMU's user network answers nobody's pings and, with `restrict=on`,
//! lets nothing from the host reach the guest but the forwarded port. So
//! the card hangs on a hub (`-netdev hubport`) with two other ports: the
//! user network, and a stream socket QEMU opens to the grader when it
//! starts. Every frame on the hub reaches every other port; what the
//! grader writes on the socket reaches the guest as if from a machine on
//! the same wire. The socket carries each frame after its length, four
//! bytes, big-endian.
//!
//! A thread reads the socket for the whole boot (QEMU must never find the
//! hub's port full), answers ARP for 10.0.2.99, and hands echo replies to
//! whoever pings (`host::ping`).

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::frames::{self, Heard};

/// How often the threads look at the stop flag while they wait.
const TICK: Duration = Duration::from_millis(50);

/// How long the peer waits for QEMU to open its socket before saying it
/// cannot send.
const CONNECT_WAIT: Duration = Duration::from_secs(10);

/// The peer: its socket (once QEMU opened it), and the echo replies heard.
pub struct Peer {
    writer: Arc<Mutex<Option<TcpStream>>>,
    replies: Mutex<Receiver<(u16, Vec<u8>)>>,
}

impl Peer {
    /// Starts the peer on `listener` (QEMU connects to it); it stops when
    /// QEMU closes the socket or `stop` is raised.
    pub fn start(listener: TcpListener, stop: Arc<AtomicBool>) -> Peer {
        let writer = Arc::new(Mutex::new(None));
        let (tell, replies) = mpsc::channel();
        let shared = Arc::clone(&writer);
        thread::spawn(move || {
            if let Some(stream) = accept(&listener, &stop) {
                listen(stream, &shared, &tell, &stop);
            }
        });
        Peer { writer, replies: Mutex::new(replies) }
    }

    /// Puts `frame` on the guest's network.
    pub fn send(&self, frame: &[u8]) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if let Some(stream) = self.writer.lock().map_err(|_| "the peer's thread died")?.as_mut() {
                return write_frame(stream, frame).map_err(|e| format!("cannot write to QEMU's hub socket: {e}"));
            }
            if started.elapsed() > CONNECT_WAIT {
                return Err(format!("QEMU did not open the peer's socket within {CONNECT_WAIT:?}"));
            }
            thread::sleep(TICK);
        }
    }

    /// The next echo reply heard, within `wait`.
    pub fn reply(&self, wait: Duration) -> Option<(u16, Vec<u8>)> {
        self.replies.lock().ok()?.recv_timeout(wait).ok()
    }
}

/// QEMU's connection, once it comes; `None` if the boot ended first.
fn accept(listener: &TcpListener, stop: &AtomicBool) -> Option<TcpStream> {
    listener.set_nonblocking(true).ok()?;
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).ok()?;
                stream.set_read_timeout(Some(TICK)).ok()?;
                return Some(stream);
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock => thread::sleep(TICK),
            Err(_) => return None,
        }
    }
    None
}

/// Reads frames until QEMU closes the socket or the boot ends.
fn listen(mut stream: TcpStream, writer: &Mutex<Option<TcpStream>>, tell: &Sender<(u16, Vec<u8>)>, stop: &AtomicBool) {
    if let (Ok(clone), Ok(mut slot)) = (stream.try_clone(), writer.lock()) {
        *slot = Some(clone);
    }
    let mut pending = Vec::new();
    let mut buf = [0u8; 16 << 10];
    while !stop.load(Ordering::SeqCst) {
        match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => pending.extend_from_slice(&buf[..n]),
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(_) => return,
        }
        while let Some(frame) = take_frame(&mut pending) {
            match frames::hear(&frame) {
                Heard::ArpForPeer(answer) => {
                    if let Ok(Some(out)) = writer.lock().as_deref_mut().map(Option::as_mut) {
                        let _ = write_frame(out, &answer);
                    }
                }
                Heard::EchoReply { seq, data } => {
                    let _ = tell.send((seq, data));
                }
                Heard::Other => {}
            }
        }
    }
}

/// The first whole frame in `pending`, taken out of it.
fn take_frame(pending: &mut Vec<u8>) -> Option<Vec<u8>> {
    let len = u32::from_be_bytes(pending.get(..4)?.try_into().ok()?) as usize;
    let frame = pending.get(4..4 + len)?.to_vec();
    pending.drain(..4 + len);
    Some(frame)
}

/// One frame on the socket: its length, then it.
fn write_frame(stream: &mut TcpStream, frame: &[u8]) -> std::io::Result<()> {
    let mut out = Vec::with_capacity(4 + frame.len());
    out.extend_from_slice(&(frame.len() as u32).to_be_bytes());
    out.extend_from_slice(frame);
    stream.write_all(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_cut_at_their_lengths() {
        let mut pending = vec![0, 0, 0, 2, 7, 8, 0, 0, 0, 3, 1];
        assert_eq!(take_frame(&mut pending), Some(vec![7, 8]));
        assert_eq!(take_frame(&mut pending), None, "the second frame is not whole yet");
        pending.extend_from_slice(&[2, 3]);
        assert_eq!(take_frame(&mut pending), Some(vec![1, 2, 3]));
        assert!(pending.is_empty());
    }
}
