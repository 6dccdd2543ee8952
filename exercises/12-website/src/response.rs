//! Responses: a status, a few header fields, a body, and their bytes.
//!
//! ```text
//!   HTTP/1.1 200 OK\r\n                       status line
//!   Content-Type: text/html; charset=utf-8\r\n
//!   Content-Length: 13\r\n                    always: it is how the client
//!   Connection: close\r\n                     finds the end; only when closing
//!   \r\n
//!   <p>Hello!</p>                             not in answer to HEAD
//! ```
//!
//! Every response says `Content-Length`, even an empty one's, so a client
//! on a kept-alive connection always knows where the next answer starts.
//! A response to `HEAD` carries the length the `GET` body would have, and
//! no body. There is no `Date` field: RFC 9110 §6.6.1 asks a server with
//! no clock it can trust to send none, and a kernel's [`Clock`] knows only
//! the time since boot.
//!
//! [`Clock`]: fledge_api::Clock

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

/// The statuses this server answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// 200: here it is (or: the page was changed).
    Ok,
    /// 201: the page was made.
    Created,
    /// 400: the request breaks HTTP's rules, or names no valid page.
    BadRequest,
    /// 404: no such page, or no such commit.
    NotFound,
    /// 405: the resource exists; this method does not apply to it.
    MethodNotAllowed,
    /// 408: the request did not arrive whole in time.
    RequestTimeout,
    /// 411: a body without `Content-Length`.
    LengthRequired,
    /// 413: the body is over the limit.
    ContentTooLarge,
    /// 414: the request line is over the limit.
    UriTooLong,
    /// 431: the header fields are over the limits.
    HeaderFieldsTooLarge,
    /// 500: the store failed.
    InternalServerError,
    /// 501: a method or transfer coding the server does not know.
    NotImplemented,
    /// 505: an HTTP version other than 1.0 and 1.1.
    VersionNotSupported,
    /// 507: the store's disk is full.
    InsufficientStorage,
}

impl Status {
    /// The status code.
    pub fn code(self) -> u16 {
        match self {
            Status::Ok => 200,
            Status::Created => 201,
            Status::BadRequest => 400,
            Status::NotFound => 404,
            Status::MethodNotAllowed => 405,
            Status::RequestTimeout => 408,
            Status::LengthRequired => 411,
            Status::ContentTooLarge => 413,
            Status::UriTooLong => 414,
            Status::HeaderFieldsTooLarge => 431,
            Status::InternalServerError => 500,
            Status::NotImplemented => 501,
            Status::VersionNotSupported => 505,
            Status::InsufficientStorage => 507,
        }
    }

    /// The reason phrase RFC 9110 gives the code.
    pub fn reason(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Created => "Created",
            Status::BadRequest => "Bad Request",
            Status::NotFound => "Not Found",
            Status::MethodNotAllowed => "Method Not Allowed",
            Status::RequestTimeout => "Request Timeout",
            Status::LengthRequired => "Length Required",
            Status::ContentTooLarge => "Content Too Large",
            Status::UriTooLong => "URI Too Long",
            Status::HeaderFieldsTooLarge => "Request Header Fields Too Large",
            Status::InternalServerError => "Internal Server Error",
            Status::NotImplemented => "Not Implemented",
            Status::VersionNotSupported => "HTTP Version Not Supported",
            Status::InsufficientStorage => "Insufficient Storage",
        }
    }
}

/// A response, before it is turned into bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Its status.
    pub status: Status,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Other fields: `Allow` on a 405, for one.
    pub fields: Vec<(&'static str, String)>,
    /// Its body (sent only when the request was not `HEAD`).
    pub body: Vec<u8>,
}

/// The content type of the pages, and of the pages the site makes.
pub const HTML: &str = "text/html; charset=utf-8";
/// The content type of short answers: errors, commit ids.
pub const TEXT: &str = "text/plain; charset=utf-8";

impl Response {
    /// A response with `status`, and `body` of type `content_type`.
    pub fn new(status: Status, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response { status, content_type, fields: Vec::new(), body: body.into() }
    }

    /// A plain-text answer with `status`, its body the reason phrase and
    /// `detail`.
    pub fn error(status: Status, detail: &str) -> Response {
        let mut body = String::new();
        let _ = writeln!(body, "{} {}: {detail}", status.code(), status.reason());
        Response::new(status, TEXT, body)
    }

    /// The same response with one more field.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.fields.push((name, value.into()));
        self
    }

    // ANCHOR: encode
    /// Appends the response's bytes to `out`: without the body if
    /// `head_only` (an answer to `HEAD`), with `Connection: close` if
    /// `close`.
    pub fn encode(&self, head_only: bool, close: bool, out: &mut Vec<u8>) {
        let _ = (head_only, close, out);
        todo!(
            "status line, Content-Type, Content-Length, the other fields, Connection: close if closing, empty line, body"
        )
    }
    // ANCHOR_END: encode
}
