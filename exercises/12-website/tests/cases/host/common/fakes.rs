//! Fakes for running a whole server without a network: a store in
//! memory and a `Tcp` with one scripted peer. Shared by the fuzzer
//! (`kernel/http/examples/fuzz.rs`) and the corpus test (`corpus.rs`, beside `common/`).

use std::collections::VecDeque;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use fledge_api::Instant;
use fledge_api::store::{Change, Commit, CommitId, Store, StoreError, check_commit};
use fledge_api::tcp::{Listener, Stream, Tcp, TcpError};
use http::{Config, Server, Stats};

/// A store in memory: each commit whole in a list.
#[derive(Default)]
pub struct MemStore {
    commits: Vec<Commit>,
}

impl MemStore {
    fn value(&self, key: &[u8], upto: usize) -> Option<Vec<u8>> {
        let mut changes = self.commits[..upto].iter().flat_map(|commit| &commit.changes);
        changes.rfind(|change| change.key() == key).and_then(|change| match change {
            Change::Set { value, .. } => Some(value.clone()),
            Change::Remove { .. } => None,
        })
    }
}

impl Store for MemStore {
    fn head(&self) -> Option<CommitId> {
        self.commits.last().map(|commit| commit.id)
    }
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.value(key, self.commits.len()))
    }
    fn get_at(&mut self, key: &[u8], at: CommitId) -> Result<Option<Vec<u8>>, StoreError> {
        let upto = at.0 as usize;
        if upto == 0 || upto > self.commits.len() {
            return Err(StoreError::NotFound);
        }
        Ok(self.value(key, upto))
    }
    fn commit(&mut self, changes: &[Change], author: &str, message: &str) -> Result<CommitId, StoreError> {
        check_commit(changes, author, message)?;
        let id = CommitId(self.commits.len() as u32 + 1);
        let parents = self.head().into_iter().collect();
        let (author, message) = (author.to_string(), message.to_string());
        self.commits.push(Commit { id, parents, time: 0, author, message, changes: changes.to_vec() });
        Ok(id)
    }
    fn history(&mut self) -> Result<Vec<Commit>, StoreError> {
        Ok(self.commits.iter().rev().cloned().collect())
    }
    fn revert(&mut self, _id: CommitId, _author: &str) -> Result<CommitId, StoreError> {
        Err(StoreError::NotFound)
    }
}

/// A `Tcp` with one peer that connects once, sends its chunks (one a
/// read), then shuts down; everything written is kept.
pub struct OnePeer {
    chunks: VecDeque<Vec<u8>>,
    accepted: bool,
    /// Every byte the server wrote.
    pub written: Vec<u8>,
    /// The most bytes the peer takes, in all: after them every write
    /// would block (a peer that stops reading).
    pub window: usize,
    /// Whether the peer shuts down after its chunks (else it goes quiet).
    pub ends: bool,
    shut: bool,
    /// Whether the server closed the stream.
    pub closed: bool,
}

impl OnePeer {
    /// A peer that sends `input` cut at `cuts` (ascending, the last
    /// `input.len()`), takes every byte written, and then shuts down.
    pub fn new(input: &[u8], cuts: &[usize]) -> OnePeer {
        let mut last = 0;
        let chunks = cuts.iter().map(|&cut| (std::mem::replace(&mut last, cut), cut));
        let chunks = chunks.map(|(from, to)| input[from..to].to_vec()).filter(|c| !c.is_empty()).collect();
        OnePeer {
            chunks,
            accepted: false,
            written: Vec::new(),
            window: usize::MAX,
            ends: true,
            shut: false,
            closed: false,
        }
    }
}

impl Tcp for OnePeer {
    fn listen(&mut self, _port: u16) -> Result<Listener, TcpError> {
        Ok(Listener(1))
    }
    fn accept(&mut self, _listener: Listener) -> Result<(Stream, SocketAddrV4), TcpError> {
        if self.accepted {
            return Err(TcpError::WouldBlock);
        }
        self.accepted = true;
        Ok((Stream(2), SocketAddrV4::new(Ipv4Addr::LOCALHOST, 40_000)))
    }
    fn connect(&mut self, _remote: SocketAddrV4) -> Result<Stream, TcpError> {
        Err(TcpError::Refused)
    }
    fn read(&mut self, _stream: Stream, buf: &mut [u8]) -> Result<usize, TcpError> {
        let Some(chunk) = self.chunks.front_mut() else {
            return if self.ends { Ok(0) } else { Err(TcpError::WouldBlock) };
        };
        let n = chunk.len().min(buf.len());
        buf[..n].copy_from_slice(&chunk[..n]);
        chunk.drain(..n);
        if chunk.is_empty() {
            self.chunks.pop_front();
        }
        Ok(n)
    }
    fn write(&mut self, _stream: Stream, buf: &[u8]) -> Result<usize, TcpError> {
        if self.shut {
            return Err(TcpError::Closed);
        }
        // At most 100 bytes a call, so answers are written in parts.
        let n = buf.len().min(100).min(self.window - self.written.len());
        if n == 0 && !buf.is_empty() {
            return Err(TcpError::WouldBlock);
        }
        self.written.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn shutdown(&mut self, _stream: Stream) -> Result<(), TcpError> {
        self.shut = true;
        Ok(())
    }
    fn close(&mut self, _stream: Stream) -> Result<(), TcpError> {
        self.closed = true;
        Ok(())
    }
    fn unlisten(&mut self, _listener: Listener) -> Result<(), TcpError> {
        Ok(())
    }
}

/// Runs a server over `tcp` for at most `steps` steps of a millisecond
/// each, or until it closes the connection; its counts.
pub fn run(tcp: &mut OnePeer, config: Config, steps: usize) -> Stats {
    let mut store = MemStore::default();
    let mut server = Server::new(&mut *tcp, config).expect("OnePeer listens");
    for step in 0..steps {
        server.step(&mut *tcp, &mut store, Instant::from_since_start(Duration::from_millis(step as u64)));
        if tcp.closed {
            break;
        }
    }
    server.stats()
}

/// Runs a server over a [`OnePeer::new`]`(input, cuts)`, as [`run`]
/// does; the peer, with what it was sent.
pub fn serve_one(input: &[u8], cuts: &[usize], config: Config, steps: usize) -> OnePeer {
    let mut tcp = OnePeer::new(input, cuts);
    run(&mut tcp, config, steps);
    tcp
}
