//! The TCP suite against the host's sockets, as they are and through a
//! wrapper that moves a few bytes at a time (which must pass), and through
//! wrappers that break the contract (which it must reject).

use std::net::SocketAddrV4;
use std::sync::Mutex;
use std::time::Duration;

use fledge_api::tcp::{Listener, Stream, Tcp, TcpError};
use fledge_conformance::tcp;
use fledge_hosted::HostTcp;

/// The checks look for free ports, and `refused` lets one go for a
/// moment: tests of this file that ran at once could take each other's.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The host's stack works on its own: a poll only has to give it time.
/// (The suite's patience is then at least 10 s without progress.)
fn sleep<T>(_: &mut T) {
    std::thread::sleep(Duration::from_millis(1));
}

/// A shorter poll, for broken stacks that never get anywhere: the suite
/// gives up on them within a second or two.
fn nap<T>(_: &mut T) {
    std::thread::sleep(Duration::from_micros(50));
}

/// The message of the panic `check` ends in.
fn failure(check: impl FnOnce()) -> String {
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(check)).expect_err("the suite passed a broken stack");
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload.downcast::<&str>().map(|m| m.to_string()).unwrap_or_default(),
    }
}

#[test]
fn the_hosts_sockets_conform() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    tcp::all(&mut HostTcp::new(), sleep);
}

/// What a [`Twisted`] stack does differently from the host's.
#[derive(Clone, Copy, PartialEq)]
enum Twist {
    /// Takes at most a few bytes a write and gives at most a few a read:
    /// allowed.
    Dribble,
    /// Leaves out one byte of the 100th write, and says it took them all.
    DropsAByte,
    /// Says the stream ended (`Ok(0)`) when there is nothing to read yet.
    EndForWouldBlock,
    /// Shutdown says `Ok` and does nothing.
    IgnoresShutdown,
    /// Counts streams made against a limit of 50, and never gives one back.
    NeverFrees,
}

/// The host's stack, with a twist.
struct Twisted {
    tcp: HostTcp,
    twist: Twist,
    writes: usize,
    made: usize,
}

impl Twisted {
    fn new(twist: Twist) -> Twisted {
        Twisted { tcp: HostTcp::new(), twist, writes: 0, made: 0 }
    }

    fn make(&mut self) -> Result<(), TcpError> {
        if self.twist == Twist::NeverFrees {
            if self.made == 50 {
                return Err(TcpError::NoSockets);
            }
            self.made += 1;
        }
        Ok(())
    }
}

impl Tcp for Twisted {
    fn listen(&mut self, port: u16) -> Result<Listener, TcpError> {
        self.tcp.listen(port)
    }

    fn accept(&mut self, listener: Listener) -> Result<(Stream, SocketAddrV4), TcpError> {
        self.tcp.accept(listener)
    }

    fn connect(&mut self, remote: SocketAddrV4) -> Result<Stream, TcpError> {
        self.make()?;
        self.tcp.connect(remote)
    }

    fn read(&mut self, stream: Stream, buf: &mut [u8]) -> Result<usize, TcpError> {
        match self.twist {
            Twist::Dribble => {
                let len = buf.len().min(5);
                self.tcp.read(stream, &mut buf[..len])
            }
            Twist::EndForWouldBlock => match self.tcp.read(stream, buf) {
                Err(TcpError::WouldBlock) => Ok(0),
                result => result,
            },
            _ => self.tcp.read(stream, buf),
        }
    }

    fn write(&mut self, stream: Stream, buf: &[u8]) -> Result<usize, TcpError> {
        self.writes += 1;
        match self.twist {
            // 1 to 997 bytes, changing with every write.
            Twist::Dribble => {
                let len = buf.len().min(1 + self.writes * 7919 % 997);
                self.tcp.write(stream, &buf[..len])
            }
            Twist::DropsAByte if self.writes == 100 && buf.len() > 1 => {
                self.tcp.write(stream, &buf[1..]).map(|n| n + 1)
            }
            _ => self.tcp.write(stream, buf),
        }
    }

    fn shutdown(&mut self, stream: Stream) -> Result<(), TcpError> {
        match self.twist {
            Twist::IgnoresShutdown => Ok(()),
            _ => self.tcp.shutdown(stream),
        }
    }

    fn close(&mut self, stream: Stream) -> Result<(), TcpError> {
        self.tcp.close(stream)
    }

    fn unlisten(&mut self, listener: Listener) -> Result<(), TcpError> {
        self.tcp.unlisten(listener)
    }
}

#[test]
fn a_stack_that_moves_a_few_bytes_at_a_time_conforms() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut stack = Twisted::new(Twist::Dribble);
    tcp::all(&mut stack, sleep);
    assert!(stack.writes > 2 * tcp::STREAM_BYTES / 997, "the writes were split: {}", stack.writes);
}

#[test]
fn broken_stacks_are_rejected() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let message = failure(|| tcp::bytes_arrive_once_in_order(&mut Twisted::new(Twist::DropsAByte), nap));
    assert!(message.contains("a byte before it was lost, repeated or reordered"), "{message}");

    let message = failure(|| tcp::end_of_stream(&mut Twisted::new(Twist::EndForWouldBlock), nap));
    assert!(message.contains("with nothing sent, gave Ok(0), not Err(WouldBlock)"), "{message}");

    let message = failure(|| tcp::end_of_stream(&mut Twisted::new(Twist::IgnoresShutdown), nap));
    assert!(message.contains("a write after the client's shutdown gave Ok(4), not Closed"), "{message}");

    let message = failure(|| tcp::many_connections(&mut Twisted::new(Twist::NeverFrees), nap));
    assert!(
        message.starts_with("connection 50 of 100: connect (NoSockets: closed streams are not freed): still NoSockets"),
        "{message}"
    );
}
