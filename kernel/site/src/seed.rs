//! The first pages of a new site, one commit each, so that its history has
//! something to show from the start.

use fledge_api::store::{Change, Store, StoreError};

/// The pages, their authors and the messages of their commits.
const PAGES: &[(&str, &str, &str)] = &[
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

/// Commits the first pages to `store`; says how many.
pub fn seed<S: Store>(store: &mut S) -> Result<usize, StoreError> {
    for (name, html, message) in PAGES {
        store.commit(&[Change::set(format!("pages/{name}"), *html)], "fledge-site", message)?;
    }
    Ok(PAGES.len())
}
