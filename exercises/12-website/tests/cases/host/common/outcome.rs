//! What the parser made of an input, as a line of text: shared by the
//! fuzzer (`kernel/http/examples/fuzz.rs`, which counts the distinct classes) and the
//! corpus test (`corpus.rs`, beside `common/`, which checks each file's detail).

use http::request::{self, HttpError, Request};

/// The parser's answer, in short: its kind, and the error's rule. The
/// fuzzer counts these.
pub fn class(result: &Result<Option<(Request, usize)>, HttpError>) -> String {
    match result {
        Ok(Some((request, _))) => format!("request {:?}", request.method),
        Ok(None) => "incomplete".to_string(),
        Err(error) => format!("{} {error:?}", error.status().code()),
    }
}

/// The parser's answer for `input`, in full: for a request, its method,
/// target, version, whether it keeps the connection, its body's length and
/// the bytes it took.
pub fn detail(input: &[u8]) -> String {
    match request::parse(input) {
        Ok(Some((request, consumed))) => format!(
            "request {:?} {} {:?} keep-alive={} fields={} body={} consumed={consumed}",
            request.method,
            request.target,
            request.version,
            request.keep_alive,
            request.headers.len(),
            request.body.len(),
        ),
        result => class(&result),
    }
}
