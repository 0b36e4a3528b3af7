//! Test support shared by the workspace's test suites.
//!
//! - [`shared_dir`] finds the folder of real inputs (`corpus/`, `cases/`) that tests read.
//! - [`TestServer`] is a scriptable HTTP/1.1 server on 127.0.0.1. Tests point the real `sheaf`
//!   binary at it to replay recorded OAI-PMH and feed responses, and to play hostile servers:
//!   slow, silent, endless, lying about lengths, closing early, or sending gzip bombs
//!   (see [`Behaviour`]).
//! - [`OaiRepository`] is a synthetic OAI-PMH repository whose records are generated from their
//!   index, for tests that change a repository between harvests and for benchmarks. The
//!   `sheaf-test-oai` binary serves one from its own process.
//!
//! The crate uses only std threads and sockets, so tests need no async runtime, and it depends on
//! no other Sheaf crate, so it cannot share a bug with the code under test.
//!
//! ```
//! use sheaf_testkit::{Response, Route, Routes, TestServer};
//!
//! // A feed that answers 304 once the client sends the ETag back.
//! let feed = "<rss version=\"2.0\"><channel><title>News</title></channel></rss>";
//! let server = TestServer::start(Routes::new().route(
//!     Route::new("/feed.xml")
//!         .conditional()
//!         .respond(Response::ok(feed, "application/rss+xml").header("ETag", "\"v1\"")),
//! ));
//! let url = server.url("/feed.xml");
//! // ... run `sheaf harvest` against `url`, then check what it sent:
//! assert!(server.requests().iter().all(|r| r.path == "/feed.xml"));
//! # drop(url);
//! ```
//!
//! Set `SHEAF_SHARED_DIR` to the shared input folder when it is not at `../shared` beside the
//! workspace; when it is missing, tests that need it print that they were skipped, unless
//! `SHEAF_REQUIRE_SHARED=1`, which turns a missing folder into a failure so that CI cannot pass
//! without reading it.
#![warn(missing_docs)]

mod error;
mod gzip_bomb;
mod oai;
mod request;
mod response;
mod routes;
mod server;
mod wire;

use std::path::PathBuf;

pub use error::TestkitError;
pub use oai::{
    ExpectedRecord, Granularity, IDENTIFIER_PREFIX, OaiRepository, parse_datestamp,
    record_identifier, record_word,
};
pub use request::{RecordedRequest, decode_form};
pub use response::{Behaviour, Response};
pub use routes::{Handler, Route, Routes};
pub use server::TestServer;

/// Returns the shared input folder, or `None` (after printing a skip notice) when it is absent.
///
/// # Panics
///
/// Panics when the folder is absent and `SHEAF_REQUIRE_SHARED=1` is set.
pub fn shared_dir() -> Option<PathBuf> {
    let candidate = match std::env::var_os("SHEAF_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    if candidate.join("corpus").is_dir() {
        return Some(candidate);
    }
    let required = std::env::var("SHEAF_REQUIRE_SHARED").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "shared inputs not found at {}; set SHEAF_SHARED_DIR to the folder holding corpus/ and cases/",
        candidate.display()
    );
    println!(
        "skipped: shared inputs not found at {}",
        candidate.display()
    );
    None
}
