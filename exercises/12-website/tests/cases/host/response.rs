//! `Response::encode`: the bytes of a response, byte for byte.

use http::response::{HTML, Response, Status, TEXT};

#[test]
fn a_response_says_its_length_and_whether_it_closes() {
    let mut out = Vec::new();
    Response::new(Status::Ok, TEXT, "hi").encode(false, false, &mut out);
    assert_eq!(out, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n\r\nhi");
    out.clear();
    Response::new(Status::NotFound, HTML, "").encode(false, true, &mut out);
    assert_eq!(
        out,
        b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
}

#[test]
fn a_head_answer_has_the_length_and_no_body() {
    let mut out = Vec::new();
    let response = Response::new(Status::MethodNotAllowed, TEXT, "nope").with("Allow", "GET, HEAD");
    response.encode(true, false, &mut out);
    assert_eq!(
        out,
        &b"HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 4\r\nAllow: GET, HEAD\r\n\r\n"[..]
    );
}
