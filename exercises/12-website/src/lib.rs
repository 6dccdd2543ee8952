//! Exercise 12: a website, an HTTP/1.1 server whose pages live in a
//! versioned store.
//!
//! MirageOS's own website, mirage.io, is served by a MirageOS unikernel,
//! with its pages kept in Irmin, the git-like store of MirageOS: the
//! project's home page is a demonstration of the project. This crate is
//! Fledge's version of that idea, in layers that each know only the one
//! below:
//!
//! ```text
//!   server.rs    connections: slots, keep-alive, pipelining, deadlines   <- Server::step(tcp, store, now)
//!      |   \
//!      |    site.rs      what a request means: pages, history, edits     <- a Store (fledge-api)
//!      |
//!   request.rs   bytes -> Request, or the status that refuses them
//!   response.rs  Response -> bytes
//!   limits.rs    every limit, and the status that enforces it
//!      |
//!   Tcp          any stack: smoltcp over virtio-net in the kernel, the
//!                host's sockets in a Linux process (fledge-hosted)
//! ```
//!
//! The crate is `no_std` with `alloc`, and depends on nothing but
//! `fledge-api`: the same [`Server`] runs in the kernel's poll loop (as
//! exercise 11's echo server does) and in `fledge-site`, a Linux process
//! over `HostTcp` and a store in a file. It has no threads and never
//! waits: [`Server::step`] does what can be done and returns, and the
//! caller's loop sleeps when it says it did nothing.
//!
//! Input from the network is never trusted: every request goes through
//! [`request::parse`], which checks the limits of [`limits`] before it
//! keeps anything and refuses what RFC 9112 says to refuse; no input
//! makes any function here panic (`kernel/http/examples/fuzz.rs` tries
//! millions).
//!
//! Your part is the `todo!()`s, in the order of the chapter
//! (`book/src/ch12-website.md`): in `request.rs`, the lines and their
//! limits (`next_line`), the request line (`request_line`), a header
//! field (`field`), and whether the client keeps the connection
//! (`keep_alive`); in `site.rs`, what a request means (`respond`); in
//! `response.rs`, an answer's bytes (`Response::encode`). The API is the
//! upstream crate's (`kernel/http`, `fledge-http`), so a finished exercise
//! can stand in for it.

#![no_std]
// The holes leave imports, parameters and helpers unused until you fill
// them in.
#![allow(unused_imports, unused_variables, unused_mut, dead_code, unreachable_code)]

extern crate alloc;

pub mod limits;
pub mod request;
pub mod response;
pub mod server;
pub mod site;

pub use request::{HttpError, Method, Request, Version};
pub use response::{Response, Status};
pub use server::{Config, Server, Stats};
