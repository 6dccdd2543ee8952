//! Requests: a parser over the bytes received so far.
//!
//! A request, as it arrives on a connection (RFC 9112):
//!
//! ```text
//!   PUT /about HTTP/1.1\r\n            request line: method SP target SP version
//!   Host: localhost\r\n                header fields: name ":" OWS value OWS
//!   Content-Length: 11\r\n
//!   X-Author: ada\r\n
//!   \r\n                               an empty line ends the head
//!   <p>Hello!\n                        Content-Length bytes of body
//!   GET / HTTP/1.1\r\n ...             the next request, if the client pipelines
//! ```
//!
//! [`parse`] looks at the start of a connection's input and says one of
//! three things: here is a whole request and the number of bytes it took
//! (`Ok(Some(..))`); not enough bytes yet (`Ok(None)`); or this can never
//! become a request we serve (`Err`, with the status to answer). It keeps
//! no state between calls: the server calls it again on the longer buffer
//! after each read. Because every check looks only at bytes that are
//! there, and a line is judged only once it is whole (or already too long
//! to be allowed), calling it on any prefix of an input gives `Ok(None)` or
//! the same answer as calling it on the whole input: the fuzzer
//! (`examples/fuzz.rs`) checks exactly that.
//!
//! It is strict where a lenient reading is a known attack. Two servers
//! that disagree about where a request ends let a request be smuggled past
//! one inside another, so framing follows RFC 9112 §6 to the letter:
//!
//! - lines end with CRLF; a bare LF or a CR anywhere else is refused, and
//!   so is a continuation line (obs-fold, a line starting with a space);
//! - a field name is a token, with no space before its colon;
//! - the body's length comes from `Content-Length` only. Several of them
//!   that differ, or one that is not a number, is refused; so is a request
//!   with both `Transfer-Encoding` and `Content-Length`. A request with
//!   `Transfer-Encoding` alone (a chunked upload) is answered 501: this
//!   server does not decode chunks;
//! - HTTP/1.1 requests carry exactly one `Host` field.
//!
//! The limits are those of [`crate::limits`]. One empty line before the
//! request line is skipped, as RFC 9112 §2.2 asks.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::limits::{MAX_BODY, MAX_HEADER_BYTES, MAX_HEADER_LINE, MAX_HEADERS, MAX_REQUEST_LINE};
use crate::response::Status;

/// A request method. The four this server serves, the others HTTP defines
/// (answered 405, Method Not Allowed), and any other token (answered 501,
/// Not Implemented).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`: send the resource.
    Get,
    /// `HEAD`: the same answer as `GET`, without its body.
    Head,
    /// `POST`: here, the same as `PUT`.
    Post,
    /// `PUT`: store the body as the resource.
    Put,
    /// `DELETE`, `OPTIONS`, `PATCH`, `TRACE` or `CONNECT`: methods HTTP
    /// defines that no resource here allows.
    Other,
    /// A well-formed token that is no method HTTP defines.
    Unknown,
}

impl Method {
    fn from_token(token: &[u8]) -> Method {
        match token {
            b"GET" => Method::Get,
            b"HEAD" => Method::Head,
            b"POST" => Method::Post,
            b"PUT" => Method::Put,
            b"DELETE" | b"OPTIONS" | b"PATCH" | b"TRACE" | b"CONNECT" => Method::Other,
            _ => Method::Unknown,
        }
    }
}

/// The protocol version of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// HTTP/1.0: the connection closes after the answer unless the client
    /// asks `Connection: keep-alive`.
    Http10,
    /// HTTP/1.1: the connection stays open unless a side says
    /// `Connection: close`.
    Http11,
}

/// One header field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The field's name, in lower case (names are case-insensitive).
    pub name: String,
    /// The field's value, without the spaces around it.
    pub value: Vec<u8>,
}

/// A whole request, as [`parse`] found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Its method.
    pub method: Method,
    /// Its target in origin form, as sent or as the path of an absolute
    /// form (`http://host/page` is `/page`): it starts with `/`, and holds
    /// only visible ASCII.
    pub target: String,
    /// Its protocol version.
    pub version: Version,
    /// Its header fields, in the order they came.
    pub headers: Vec<Header>,
    /// Its body: `Content-Length` bytes, or none.
    pub body: Vec<u8>,
    /// Whether the client wants the connection kept open after the answer
    /// (from the version and the `Connection` field).
    pub keep_alive: bool,
}

impl Request {
    /// The value of the first field called `name` (in lower case).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers.iter().find(|header| header.name == name).map(|header| &header.value[..])
    }

    /// The target's path: the target without its query (`?...`).
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
}

/// Why bytes cannot become a request this server serves. Each maps to the
/// status it is answered with ([`HttpError::status`]), and every one ends
/// the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// The bytes break the syntax or the framing rules; the text says
    /// which rule. 400 Bad Request.
    Malformed(&'static str),
    /// The request line is longer than [`MAX_REQUEST_LINE`]. 414 URI Too
    /// Long.
    RequestLineTooLong,
    /// A header line is longer than [`MAX_HEADER_LINE`], the head longer
    /// than [`MAX_HEADER_BYTES`], or there are more than [`MAX_HEADERS`]
    /// fields. 431 Request Header Fields Too Large.
    HeadersTooLarge,
    /// `Content-Length` is more than [`MAX_BODY`]. 413 Content Too Large.
    BodyTooLarge,
    /// A `POST` or `PUT` without `Content-Length`. 411 Length Required.
    LengthRequired,
    /// A body sent with `Transfer-Encoding` (chunked): not supported. 501
    /// Not Implemented.
    TransferEncoding,
    /// An HTTP version other than 1.0 and 1.1. 505 HTTP Version Not
    /// Supported.
    Version,
}

impl HttpError {
    /// The status this error is answered with.
    pub fn status(self) -> Status {
        match self {
            HttpError::Malformed(_) => Status::BadRequest,
            HttpError::RequestLineTooLong => Status::UriTooLong,
            HttpError::HeadersTooLarge => Status::HeaderFieldsTooLarge,
            HttpError::BodyTooLarge => Status::ContentTooLarge,
            HttpError::LengthRequired => Status::LengthRequired,
            HttpError::TransferEncoding => Status::NotImplemented,
            HttpError::Version => Status::VersionNotSupported,
        }
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Malformed(rule) => write!(f, "malformed request: {rule}"),
            HttpError::RequestLineTooLong => write!(f, "the request line is over {MAX_REQUEST_LINE} bytes"),
            HttpError::HeadersTooLarge => write!(f, "the header fields are over their limits"),
            HttpError::BodyTooLarge => write!(f, "the body is over {MAX_BODY} bytes"),
            HttpError::LengthRequired => write!(f, "a body needs a Content-Length"),
            HttpError::TransferEncoding => write!(f, "transfer codings (chunked bodies) are not supported"),
            HttpError::Version => write!(f, "only HTTP/1.0 and HTTP/1.1 are spoken here"),
        }
    }
}

impl core::error::Error for HttpError {}

/// Parses the request at the start of `buf`: `Ok(Some((request,
/// consumed)))` when it is all there (the next request starts at
/// `buf[consumed..]`), `Ok(None)` when more bytes are needed, `Err` when
/// no more bytes can make it a request to serve.
///
/// ```
/// use fledge_http::request::{parse, HttpError, Method};
///
/// let input = b"GET /about HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n";
/// let (request, consumed) = parse(input).unwrap().unwrap();
/// assert_eq!((request.method, request.path(), consumed), (Method::Get, "/about", 32));
/// assert_eq!(parse(&input[consumed..]), Ok(None), "the second is not whole yet");
/// assert_eq!(parse(b"GET /\r\n\r\n"), Err(HttpError::Malformed("request line")));
/// ```
pub fn parse(buf: &[u8]) -> Result<Option<(Request, usize)>, HttpError> {
    let start = match buf {
        [b'\r'] => return Ok(None),
        [b'\r', b'\n', ..] => 2,
        _ => 0,
    };
    let Some((line, mut at)) = next_line(buf, start, MAX_REQUEST_LINE, HttpError::RequestLineTooLong)? else {
        return Ok(None);
    };
    let (method, target, version) = request_line(line)?;

    let mut headers: Vec<Header> = Vec::new();
    loop {
        let room = MAX_HEADER_LINE.min(MAX_HEADER_BYTES.saturating_sub(at - start));
        let Some((line, next)) = next_line(buf, at, room, HttpError::HeadersTooLarge)? else {
            return Ok(None);
        };
        at = next;
        if line.is_empty() {
            break;
        }
        if headers.len() == MAX_HEADERS {
            return Err(HttpError::HeadersTooLarge);
        }
        headers.push(field(line)?);
    }

    let length = framing(&headers, method, version)?;
    let Some(end) = at.checked_add(length).filter(|&end| end <= buf.len()) else {
        return Ok(None);
    };
    let keep_alive = keep_alive(&headers, version);
    let request = Request { method, target, version, headers, body: buf[at..end].to_vec(), keep_alive };
    Ok(Some((request, end)))
}

// ANCHOR: next_line
/// The line that starts at `buf[from]`, without its CRLF, and where the
/// next starts; `None` if its end has not come. A line of `limit` bytes or
/// more (CRLF included) is `too_long` as soon as `limit` bytes are there
/// without its end: no later byte can make it shorter.
fn next_line(buf: &[u8], from: usize, limit: usize, too_long: HttpError) -> Result<Option<(&[u8], usize)>, HttpError> {
    let _ = (buf, from, limit, too_long);
    todo!("the line at buf[from..]: its end within `limit` bytes, CRLF only; or too long, or not yet whole")
}
// ANCHOR_END: next_line

// ANCHOR: request_line
/// `method SP request-target SP HTTP-version`.
fn request_line(line: &[u8]) -> Result<(Method, String, Version), HttpError> {
    let _ = line;
    todo!("method SP request-target SP HTTP-version: three parts, each checked")
}
// ANCHOR_END: request_line

/// The path (and query) of an absolute-form target, `None` if `target` is
/// not one. A missing path is `/`; a missing host is an error.
fn absolute_form(target: &[u8]) -> Option<Result<&[u8], HttpError>> {
    let scheme = [&b"http://"[..], b"https://"]
        .into_iter()
        .find(|scheme| target.len() >= scheme.len() && target[..scheme.len()].eq_ignore_ascii_case(scheme))?;
    let rest = &target[scheme.len()..];
    let host = rest.iter().position(|&byte| byte == b'/' || byte == b'?').unwrap_or(rest.len());
    Some(match &rest[host..] {
        _ if host == 0 => Err(HttpError::Malformed("request target")),
        [] => Ok(b"/"),
        // `http://host?query` names `/?query`; the query is dropped.
        [b'?', ..] => Ok(b"/"),
        path => Ok(path),
    })
}

// ANCHOR: field
/// `field-name ":" OWS field-value OWS`.
fn field(line: &[u8]) -> Result<Header, HttpError> {
    let _ = line;
    todo!("field-name \":\" OWS field-value OWS: a token, a colon, a value without control characters")
}
// ANCHOR_END: field

/// The body's length, from the head's fields, after the framing rules.
fn framing(headers: &[Header], method: Method, version: Version) -> Result<usize, HttpError> {
    if version == Version::Http11 && headers.iter().filter(|header| header.name == "host").count() != 1 {
        return Err(HttpError::Malformed("an HTTP/1.1 request needs one Host field"));
    }
    let mut length = None;
    for header in headers.iter().filter(|header| header.name == "content-length") {
        let value = &header.value;
        if value.is_empty() || value.len() > 19 || !value.iter().all(u8::is_ascii_digit) {
            return Err(HttpError::Malformed("Content-Length is not a number"));
        }
        let n = value.iter().fold(0u64, |n, &digit| n * 10 + u64::from(digit - b'0'));
        if length.is_some_and(|first| first != n) {
            return Err(HttpError::Malformed("Content-Lengths that differ"));
        }
        length = Some(n);
    }
    if headers.iter().any(|header| header.name == "transfer-encoding") {
        return Err(match length {
            Some(_) => HttpError::Malformed("both Transfer-Encoding and Content-Length"),
            None => HttpError::TransferEncoding,
        });
    }
    match length {
        None if matches!(method, Method::Post | Method::Put) => Err(HttpError::LengthRequired),
        None => Ok(0),
        Some(n) if n > MAX_BODY as u64 => Err(HttpError::BodyTooLarge),
        // Not more than MAX_BODY, so it fits.
        Some(n) => Ok(n as usize),
    }
}

// ANCHOR: keep_alive
/// Whether the connection stays open after the answer: HTTP/1.1 unless
/// `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
fn keep_alive(headers: &[Header], version: Version) -> bool {
    let _ = (headers, version);
    todo!("the version's default, changed by the Connection field's options")
}
// ANCHOR_END: keep_alive

/// `bytes` without the spaces and tabs around them.
fn trim(bytes: &[u8]) -> &[u8] {
    let space = |byte: &u8| matches!(byte, b' ' | b'\t');
    let start = bytes.iter().position(|byte| !space(byte)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|byte| !space(byte)).map_or(start, |last| last + 1);
    &bytes[start..end]
}

/// Whether `bytes` is a token (RFC 9110 §5.6.2): one or more of the
/// visible characters that are not delimiters.
fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}
