//! The parser on its own (`request::parse`), with literal requests: the
//! request line, the header fields, the framing rules, `Connection`, and
//! each limit of `limits.rs` at its edge and one byte over.

use http::limits::{MAX_BODY, MAX_HEADER_LINE, MAX_HEADERS, MAX_REQUEST_LINE};
use http::request::{HttpError, Method, Request, Version, parse};

/// Parses `input`, which must be one whole request and nothing more.
fn whole(input: &[u8]) -> Request {
    let (request, consumed) = parse(input).unwrap().unwrap();
    assert_eq!(consumed, input.len());
    request
}

fn error(input: &[u8]) -> HttpError {
    parse(input).unwrap_err()
}

#[test]
fn a_get_with_its_fields() {
    let request = whole(b"GET /about?x=1 HTTP/1.1\r\nHost: example\r\nAccept:  text/html \r\n\r\n");
    assert_eq!((request.method, request.version, request.path()), (Method::Get, Version::Http11, "/about"));
    assert_eq!(request.target, "/about?x=1");
    assert_eq!(request.header("accept"), Some(&b"text/html"[..]), "the spaces around a value are not its");
    assert_eq!(request.header("host"), Some(&b"example"[..]));
    assert!(request.body.is_empty());
    assert!(request.keep_alive, "HTTP/1.1 keeps the connection by default");
}

#[test]
fn every_prefix_needs_more() {
    let input = b"PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
    for end in 0..input.len() {
        assert_eq!(parse(&input[..end]), Ok(None), "{end} bytes");
    }
    assert_eq!(whole(input).body, b"hello");
}

#[test]
fn the_next_request_is_left_where_it_is() {
    let input = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
    let (first, consumed) = parse(input).unwrap().unwrap();
    assert_eq!((first.path(), consumed), ("/a", 28));
    assert_eq!(whole(&input[consumed..]).path(), "/b");
}

#[test]
fn one_empty_line_before_the_request_is_skipped() {
    assert_eq!(whole(b"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n").path(), "/");
    assert_eq!(parse(b"\r"), Ok(None));
    assert_eq!(error(b"\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), HttpError::Malformed("request line"));
}

#[test]
fn connection_options() {
    let keep = |input: &[u8]| whole(input).keep_alive;
    assert!(!keep(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    assert!(!keep(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, Close\r\n\r\n"));
    assert!(!keep(b"GET / HTTP/1.0\r\n\r\n"), "HTTP/1.0 closes by default");
    assert!(keep(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    assert!(!keep(b"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"));
}

#[test]
fn methods() {
    let method = |name: &str| whole(format!("{name} / HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).method;
    assert_eq!(method("HEAD"), Method::Head);
    assert_eq!(method("DELETE"), Method::Other);
    assert_eq!(method("OPTIONS"), Method::Other);
    assert_eq!(method("BREW"), Method::Unknown);
    assert_eq!(method("get"), Method::Unknown, "methods are case-sensitive");
    assert_eq!(error(b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n"), HttpError::Malformed("method"));
}

#[test]
fn malformed_request_lines_are_400() {
    for line in [
        &b"GET /\r\n"[..],
        b"GET  / HTTP/1.1\r\n",
        b"GET / HTTP/1.1 \r\n",
        b"GET / HTTP/1.1 extra\r\n",
        b"\r\n\r\n",
        b"hello world\r\n",
    ] {
        assert_eq!(error(line), HttpError::Malformed("request line"), "{:?}", core::str::from_utf8(line));
    }
    assert_eq!(error(b"GET about HTTP/1.1\r\n"), HttpError::Malformed("request target"));
    assert_eq!(error(b"GET http:///x HTTP/1.1\r\n"), HttpError::Malformed("request target"));
    assert_eq!(error(b"GET * HTTP/1.1\r\n"), HttpError::Malformed("request target"));
    assert_eq!(error(b"GET /\x7f HTTP/1.1\r\n"), HttpError::Malformed("request target"));
    assert_eq!(error(b"GET / HTTP/1.1\tx\r\n"), HttpError::Malformed("version"));
    assert_eq!(error(b"GET / http/1.1\r\n"), HttpError::Malformed("version"));
    assert_eq!(error(b"GET / HTTP/2.0\r\n").status().code(), 505);
}

#[test]
fn an_absolute_target_is_its_path() {
    let target = |t: &str| whole(format!("GET {t} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).target;
    assert_eq!(target("http://example.org/about?x=1"), "/about?x=1");
    assert_eq!(target("HTTP://example.org:8080/a/b"), "/a/b");
    assert_eq!(target("https://example.org"), "/");
    assert_eq!(target("http://example.org?q"), "/");
}

#[test]
fn line_ends_are_crlf_only() {
    assert_eq!(error(b"GET / HTTP/1.1\n"), HttpError::Malformed("a line ends with LF without CR"));
    assert_eq!(error(b"GET / HTTP/1.1\r\nHost: x\n\r\n"), HttpError::Malformed("a line ends with LF without CR"));
    assert_eq!(error(b"GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n"), HttpError::Malformed("a CR without LF"));
    assert_eq!(error(b"GET /\r HTTP/1.1\r\n"), HttpError::Malformed("a CR without LF"));
}

#[test]
fn header_field_syntax() {
    let head = |field: &[u8]| [&b"GET / HTTP/1.1\r\nHost: x\r\n"[..], field, b"\r\n\r\n"].concat();
    assert_eq!(error(&head(b" folded")), HttpError::Malformed("a continuation line (obs-fold)"));
    assert_eq!(error(&head(b"\tfolded")), HttpError::Malformed("a continuation line (obs-fold)"));
    assert_eq!(error(&head(b"Name : value")), HttpError::Malformed("field name"));
    assert_eq!(error(&head(b"Na(me: value")), HttpError::Malformed("field name"));
    assert_eq!(error(&head(b": value")), HttpError::Malformed("field name"));
    assert_eq!(error(&head(b"no colon")), HttpError::Malformed("a field without a colon"));
    assert_eq!(error(&head(b"Name: a\x00b")), HttpError::Malformed("a control character in a field value"));
    assert_eq!(whole(&head(b"Name: caf\xc3\xa9")).header("name"), Some("café".as_bytes()), "obs-text is allowed");
    assert_eq!(whole(&head(b"Empty:")).header("empty"), Some(&b""[..]));
}

#[test]
fn host_is_required_once_in_http_1_1() {
    let missing = HttpError::Malformed("an HTTP/1.1 request needs one Host field");
    assert_eq!(error(b"GET / HTTP/1.1\r\n\r\n"), missing);
    assert_eq!(error(b"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"), missing);
    assert_eq!(whole(b"GET / HTTP/1.0\r\n\r\n").version, Version::Http10);
}

#[test]
fn content_length_framing() {
    let with = |fields: &str| format!("POST /a HTTP/1.1\r\nHost: x\r\n{fields}\r\n");
    assert_eq!(
        whole(with("Content-Length: 3\r\n").as_bytes().iter().chain(b"abc").copied().collect::<Vec<_>>().as_slice())
            .body,
        b"abc"
    );
    assert_eq!(whole(with("Content-Length: 0\r\n").as_bytes()).body, b"");
    let same = with("Content-Length: 2\r\nContent-Length: 2\r\n") + "ok";
    assert_eq!(whole(same.as_bytes()).body, b"ok", "the same length twice is one length");
    let differ = with("Content-Length: 2\r\nContent-Length: 3\r\n") + "abc";
    assert_eq!(error(differ.as_bytes()), HttpError::Malformed("Content-Lengths that differ"));
    for bad in ["-1", "+1", "1 2", "1,1", "0x10", "", "12345678901234567890"] {
        let input = with(&format!("Content-Length: {bad}\r\n"));
        assert_eq!(error(input.as_bytes()), HttpError::Malformed("Content-Length is not a number"), "{bad:?}");
    }
}

#[test]
fn transfer_encoding_is_refused() {
    let both = b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc";
    assert_eq!(error(both), HttpError::Malformed("both Transfer-Encoding and Content-Length"));
    assert_eq!(error(both).status().code(), 400);
    let chunked = b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    assert_eq!(error(chunked), HttpError::TransferEncoding);
    assert_eq!(error(chunked).status().code(), 501);
}

#[test]
fn a_body_needs_a_length() {
    assert_eq!(error(b"PUT /a HTTP/1.1\r\nHost: x\r\n\r\n"), HttpError::LengthRequired);
    assert_eq!(error(b"POST /a HTTP/1.1\r\nHost: x\r\n\r\n").status().code(), 411);
    assert_eq!(whole(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n").body, b"", "a GET needs none");
}

#[test]
fn the_body_limit() {
    let at = format!("PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: {MAX_BODY}\r\n\r\n");
    assert_eq!(parse(at.as_bytes()), Ok(None), "at the limit: waits for the body");
    let input = [at.as_bytes(), &vec![b'x'; MAX_BODY]].concat();
    assert_eq!(whole(&input).body.len(), MAX_BODY);
    let over = format!("PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n", MAX_BODY + 1);
    assert_eq!(error(over.as_bytes()), HttpError::BodyTooLarge);
    assert_eq!(HttpError::BodyTooLarge.status().code(), 413);
}

#[test]
fn the_request_line_limit() {
    // CRLF included: a line of exactly the limit is allowed.
    let target = "/".repeat(MAX_REQUEST_LINE - "GET  HTTP/1.1\r\n".len());
    assert_eq!(whole(format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).target.len(), target.len());
    let long = format!("GET {target}/ HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(error(long.as_bytes()), HttpError::RequestLineTooLong);
    assert_eq!(error(&long.as_bytes()[..MAX_REQUEST_LINE]), HttpError::RequestLineTooLong, "known before its end");
    assert_eq!(parse(&long.as_bytes()[..MAX_REQUEST_LINE - 1]), Ok(None));
    assert_eq!(HttpError::RequestLineTooLong.status().code(), 414);
}

#[test]
fn the_header_line_limit() {
    let start = b"GET / HTTP/1.1\r\nHost: x\r\n";
    let value = "v".repeat(MAX_HEADER_LINE - "Big: \r\n".len());
    let at = format!("Big: {value}\r\n\r\n");
    assert_eq!(whole(&[&start[..], at.as_bytes()].concat()).header("big").map(<[u8]>::len), Some(value.len()));
    let over = format!("Big: {value}v\r\n\r\n");
    assert_eq!(error(&[&start[..], over.as_bytes()].concat()), HttpError::HeadersTooLarge);
    // A megabyte of one line is refused once the limit is there.
    let mega = [&start[..], b"Big: ", &vec![b'v'; 1 << 20]].concat();
    assert_eq!(error(&mega), HttpError::HeadersTooLarge);
    assert_eq!(HttpError::HeadersTooLarge.status().code(), 431);
}

#[test]
fn the_header_bytes_limit() {
    // Three lines of 6 KiB each: each under the line limit, together over the head's.
    let line = format!("F: {}\r\n", "v".repeat(6 * 1024 - 5));
    let input = format!("GET / HTTP/1.1\r\nHost: x\r\n{line}{line}{line}\r\n");
    assert_eq!(error(input.as_bytes()), HttpError::HeadersTooLarge);
    let input = format!("GET / HTTP/1.1\r\nHost: x\r\n{line}{line}\r\n");
    assert!(parse(input.as_bytes()).unwrap().is_some(), "two fit");
}

#[test]
fn the_header_count_limit() {
    let fields = |n: usize| (1..n).map(|i| format!("F{i}: v\r\n")).collect::<String>();
    let at = format!("GET / HTTP/1.1\r\nHost: x\r\n{}\r\n", fields(MAX_HEADERS));
    assert_eq!(whole(at.as_bytes()).headers.len(), MAX_HEADERS);
    let over = format!("GET / HTTP/1.1\r\nHost: x\r\n{}\r\n", fields(MAX_HEADERS + 1));
    assert_eq!(error(over.as_bytes()), HttpError::HeadersTooLarge);
}
