//! Exercise 12's host tests: the parser, the responses, the site over a
//! store, and the whole server, first over a fake `Tcp` on a fake clock,
//! then over the host's sockets against clients polite and hostile.
//!
//! | module | what it checks |
//! |---|---|
//! | `common` | (no tests) a store in memory and a `Tcp` with one scripted peer, shared with the fuzzer |
//! | `request` | `request::parse`: the request line, the fields, the framing, `Connection`, every limit |
//! | `response` | `Response::encode`: the bytes of an answer |
//! | `site` | `site::respond` over a `LogStore`: pages, edits, history, a full disk |
//! | `step` | the server's deadlines, to the millisecond, over the fake |
//! | `corpus` | the fuzzer's corpus: each file parses as recorded, and the server closes |
//! | `server` | the server over real sockets: keep-alive, pipelining, fifty clients, hostile ones |

#[path = "host/common/mod.rs"]
mod common;

#[path = "host/request.rs"]
mod request;

#[path = "host/response.rs"]
mod response;

#[path = "host/site.rs"]
mod site;

#[path = "host/step.rs"]
mod step;

#[path = "host/corpus.rs"]
mod corpus;

#[path = "host/server.rs"]
mod server;
