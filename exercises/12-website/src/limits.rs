//! Every limit of the server, in one place (as xv6 keeps its in `param.h`).
//!
//! A server that reads from strangers must decide, before it reads, how
//! much it is willing to hold for each of them: otherwise one peer that
//! never stops sending a header line takes all the memory there is. Each
//! limit below names the status a request that breaks it gets, and every
//! one of those answers closes the connection: the server cannot tell
//! where the next request would start.
//!
//! | limit | value | broken: |
//! |---|---|---|
//! | [`MAX_REQUEST_LINE`] | 8 KiB | 414 URI Too Long |
//! | [`MAX_HEADER_LINE`] | 8 KiB | 431 Request Header Fields Too Large |
//! | [`MAX_HEADER_BYTES`] | 16 KiB, request line included | 431 |
//! | [`MAX_HEADERS`] | 64 fields | 431 |
//! | [`MAX_BODY`] | the store's largest value, 64 KiB | 413 Content Too Large |
//!
//! The times, and the number of connections served at once, are the
//! defaults of [`Config`](crate::server::Config); a test shortens them.

use core::time::Duration;

/// The longest request line (`GET /page HTTP/1.1`), CRLF included.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;

/// The longest header field line, CRLF included.
pub const MAX_HEADER_LINE: usize = 8 * 1024;

/// The most bytes from the start of a request to the end of its empty
/// line: the whole head, request line and fields.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// The most header fields in one request.
pub const MAX_HEADERS: usize = 64;

/// The longest body: a page is one value of the store.
pub const MAX_BODY: usize = fledge_api::store::MAX_VALUE;

/// The most bytes a connection's input buffer holds: one whole request at
/// its limits, and the empty line that may come before it. A pipelining
/// client that sends more waits until the requests before are answered.
pub const MAX_INPUT: usize = 2 + MAX_HEADER_BYTES + MAX_BODY;

/// How many connections are served at once by default. A new one takes
/// the slot of the longest idle kept-alive connection, or waits in the
/// stack's accept queue until a slot is free.
pub const SLOTS: usize = 32;

/// How long a request may take to arrive whole, from its first byte: the
/// defence against a peer that sends its request a byte at a time to hold
/// a slot for ever (*slowloris*). It is answered 408 and closed. An
/// answer the peer does not read in as long is given up too.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(5);

/// How long a connection may wait, between requests, for the first byte
/// of the next one. It is then closed without an answer.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// How long a connection the server is closing keeps being read (and what
/// it reads thrown away) after the server's FIN: see `server.rs`.
pub const LINGER: Duration = Duration::from_secs(2);
