//! The site: what each request means, answered from a [`Store`].
//!
//! Every page is one key of the store, `pages/<name>`, and every edit is a
//! commit, so the site has its whole history for free (the store is Irmin's
//! idea; serving a site from it is mirage.io's):
//!
//! | request | answer |
//! |---|---|
//! | `GET /` | the index: a list of the pages |
//! | `GET /<page>` | the page, at the head: its value, sent as HTML |
//! | `GET /history` | every commit, newest first: id, author, message |
//! | `GET /at/<commit>/<page>` | the page as it was just after that commit (`42` or `000042`) |
//! | `PUT /<page>` or `POST /<page>` | the body becomes the page, as a commit; 201 if the page is new, 200 if not; the answer's body is the commit's id. Its author is the `X-Author` field (else [`DEFAULT_AUTHOR`]), its message `X-Message` (else `edit <page>`) |
//!
//! An author or message that is not UTF-8, or over the store's limits, is
//! answered 400; a store whose disk is full, 507.
//!
//! `HEAD` is `GET` without the body (the server drops it). A page's name is
//! 1 to [`MAX_NAME`] letters, digits, `-`, `_` and `.`, not starting with
//! a dot; another one is answered 400. Names are not percent-decoded: a
//! `%` is refused with the rest. `history` and `at` are the site's, not
//! pages. What the site writes itself (the index, the history) escapes
//! everything that came from a user; a page's own contents are the
//! author's HTML and sent as they are.
//!
//! A new site starts with a few pages ([`seed`]), one commit each, so that
//! its index and its history have something to show: the Linux process
//! (`fledge-site`) and the kernel seed the same ones.
//!
//! There is no way to list a store's keys (the [`Store`] trait has none),
//! so the index is made from the history: the keys any commit touched that
//! still hold a value. That reads every commit on each `GET /`; a busier
//! site would keep the list as a key of its own, changed in the same
//! commits as the pages.

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use fledge_api::store::{Change, CommitId, MAX_AUTHOR, MAX_MESSAGE, Store, StoreError};

use crate::request::{Method, Request};
use crate::response::{HTML, Response, Status, TEXT};

/// The author of a commit whose request has no `X-Author`.
pub const DEFAULT_AUTHOR: &str = "anonymous";

/// The longest page name.
pub const MAX_NAME: usize = 64;

/// The key a page lives under.
pub fn page_key(name: &str) -> String {
    format!("pages/{name}")
}

/// Whether `name` may name a page.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && !name.starts_with('.')
        && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(&byte))
        && name != "history"
        && name != "at"
}

/// The resources of the site, as the path names them.
enum Route<'a> {
    Index,
    History,
    At(CommitId, &'a str),
    Page(&'a str),
}

/// What `path` names: `Err` is the answer if it names nothing.
fn route(path: &str) -> Result<Route<'_>, Response> {
    let not_found = || Response::error(Status::NotFound, "no such resource");
    let bad_name = || Response::error(Status::BadRequest, "a page name is letters, digits, '-', '_' and '.'");
    let Some(rest) = path.strip_prefix('/') else { return Err(not_found()) };
    match rest.split('/').collect::<Vec<_>>()[..] {
        [""] => Ok(Route::Index),
        ["history"] => Ok(Route::History),
        ["at", commit, page] => {
            let id = parse_commit(commit).ok_or_else(not_found)?;
            if valid_name(page) { Ok(Route::At(id, page)) } else { Err(bad_name()) }
        }
        [page] if valid_name(page) => Ok(Route::Page(page)),
        [_] => Err(bad_name()),
        _ => Err(not_found()),
    }
}

/// A commit id written in decimal, with or without leading zeros.
fn parse_commit(text: &str) -> Option<CommitId> {
    if text.is_empty() || text.len() > 10 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|&n| n > 0).map(CommitId)
}

// ANCHOR: respond
/// Answers `request` from `store`, committing to it for a `PUT` or
/// `POST`. Never fails: a store's error is a 500 (507 if it is full).
pub fn respond<S: Store + ?Sized>(store: &mut S, request: &Request) -> Response {
    if request.method == Method::Unknown {
        return Response::error(Status::NotImplemented, "unknown method");
    }
    let route = match route(request.path()) {
        Ok(route) => route,
        Err(answer) => return answer,
    };
    let reading = matches!(request.method, Method::Get | Method::Head);
    let answer = match (route, reading) {
        (Route::Index, true) => index(store),
        (Route::History, true) => history(store),
        (Route::At(id, page), true) => match store.get_at(page_key(page).as_bytes(), id) {
            Ok(Some(value)) => Ok(Response::new(Status::Ok, HTML, value)),
            Ok(None) | Err(StoreError::NotFound) => {
                Ok(Response::error(Status::NotFound, "no such page at that commit"))
            }
            Err(error) => Err(error),
        },
        (Route::Page(page), true) => match store.get(page_key(page).as_bytes()) {
            Ok(Some(value)) => Ok(Response::new(Status::Ok, HTML, value)),
            Ok(None) => Ok(Response::error(Status::NotFound, "no such page")),
            Err(error) => Err(error),
        },
        (Route::Page(page), false) if matches!(request.method, Method::Put | Method::Post) => {
            edit(store, page, request)
        }
        (Route::Page(_), false) => Ok(not_allowed("GET, HEAD, PUT, POST")),
        (_, false) => Ok(not_allowed("GET, HEAD")),
    };
    answer.unwrap_or_else(store_failed)
}
// ANCHOR_END: respond

fn not_allowed(allow: &'static str) -> Response {
    Response::error(Status::MethodNotAllowed, "not allowed here").with("Allow", allow)
}

fn store_failed(error: StoreError) -> Response {
    let status = match error {
        StoreError::Full => Status::InsufficientStorage,
        _ => Status::InternalServerError,
    };
    Response::error(status, &format!("the store failed: {error}"))
}

/// `PUT /<page>`: the body as a commit.
fn edit<S: Store + ?Sized>(store: &mut S, page: &str, request: &Request) -> Result<Response, StoreError> {
    let field = |name| match request.header(name) {
        None => Ok(None),
        Some(value) => core::str::from_utf8(value).map(Some).map_err(|_| name),
    };
    let (author, message) = match (field("x-author"), field("x-message")) {
        (Ok(author), Ok(message)) => (author, message),
        (Err(name), _) | (_, Err(name)) => {
            return Ok(Response::error(Status::BadRequest, &format!("{name} is not UTF-8")));
        }
    };
    let author = author.unwrap_or(DEFAULT_AUTHOR);
    let default_message = format!("edit {page}");
    let message = message.unwrap_or(&default_message);
    if author.len() > MAX_AUTHOR || message.len() > MAX_MESSAGE {
        let limits = format!("X-Author is at most {MAX_AUTHOR} bytes, X-Message at most {MAX_MESSAGE}");
        return Ok(Response::error(Status::BadRequest, &limits));
    }
    let key = page_key(page);
    let existed = store.get(key.as_bytes())?.is_some();
    match store.commit(&[Change::set(key, request.body.clone())], author, message) {
        Ok(id) => {
            let status = if existed { Status::Ok } else { Status::Created };
            Ok(Response::new(status, TEXT, format!("{id}\n")).with("Location", format!("/at/{id}/{page}")))
        }
        Err(StoreError::TooLarge) => Ok(Response::error(Status::ContentTooLarge, "over the store's limits")),
        Err(StoreError::Invalid) => Ok(Response::error(Status::BadRequest, "author or message is not one line")),
        Err(error) => Err(error),
    }
}

/// `GET /`: the pages there are, by name.
fn index<S: Store + ?Sized>(store: &mut S) -> Result<Response, StoreError> {
    let mut touched = BTreeSet::new();
    for commit in store.history()? {
        for change in commit.changes {
            if let Some(name) = change.key().strip_prefix(b"pages/") {
                touched.insert(name.to_vec());
            }
        }
    }
    let mut html = page_top("Pages");
    html.push_str("<ul>\n");
    for name in touched {
        if store.get(&[&b"pages/"[..], &name].concat())?.is_none() {
            continue;
        }
        let name = escape(&String::from_utf8_lossy(&name));
        let _ = writeln!(html, "<li><a href=\"/{name}\">{name}</a></li>");
    }
    html.push_str("</ul>\n<p><a href=\"/history\">History</a></p>\n</body></html>\n");
    Ok(Response::new(Status::Ok, HTML, html))
}

/// `GET /history`: every commit, newest first.
fn history<S: Store + ?Sized>(store: &mut S) -> Result<Response, StoreError> {
    let mut html = page_top("History");
    html.push_str("<ol>\n");
    for commit in store.history()? {
        let _ = write!(html, "<li><code>{}</code> {}: {}", commit.id, escape(&commit.author), escape(&commit.message));
        for change in &commit.changes {
            if let Some(name) = change.key().strip_prefix(b"pages/") {
                let name = escape(&String::from_utf8_lossy(name));
                let _ = write!(html, " <a href=\"/at/{}/{name}\">{name}</a>", commit.id);
            }
        }
        html.push_str("</li>\n");
    }
    html.push_str("</ol>\n<p><a href=\"/\">Pages</a></p>\n</body></html>\n");
    Ok(Response::new(Status::Ok, HTML, html))
}

fn page_top(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body><h1>{title}</h1>\n"
    )
}

/// The author of the first pages' commits.
pub const SEED_AUTHOR: &str = "fledge";

/// The first pages of a new site: their names, their HTML, and the
/// messages of their commits.
pub const SEED_PAGES: &[(&str, &str, &str)] = &[
    (
        "welcome",
        "<h1>Welcome</h1>\n<p>This site is served by Fledge's HTTP server, and every page lives in a \
         versioned store: see <a href=\"/history\">its history</a>.</p>\n",
        "the first page",
    ),
    (
        "about",
        "<h1>About</h1>\n<p>Edit a page with <code>curl -X PUT --data-binary @page.html \
         http://HOST/NAME</code>; every edit is a commit.</p>\n",
        "how to edit",
    ),
];

/// Commits the first pages ([`SEED_PAGES`]) to `store`, one commit each;
/// says how many. The caller decides when: on a store with no commits.
pub fn seed<S: Store + ?Sized>(store: &mut S) -> Result<usize, StoreError> {
    for (name, html, message) in SEED_PAGES {
        store.commit(&[Change::set(page_key(name), *html)], SEED_AUTHOR, message)?;
    }
    Ok(SEED_PAGES.len())
}

/// `text` with the five characters HTML gives meaning to written as
/// entities, safe inside an element or a quoted attribute.
///
/// ```
/// assert_eq!(fledge_http::site::escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
