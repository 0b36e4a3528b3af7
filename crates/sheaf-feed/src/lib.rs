//! Feed parsing for Sheaf: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed, read the way a feed
//! reader reads them.
//!
//! feed-rs does the parsing. Around it this crate adds what real feeds need:
//! - decoding through [`sheaf_xml::decode_xml`] (byte-order mark, UTF-8, HTTP charset,
//!   declaration, then detection), so undeclared non-UTF-8 bytes do not fail the feed;
//! - repairs before parsing, each counted in [`Repairs`]: bare `&`, HTML named entities,
//!   DOCTYPEs, RSS roots with a missing or unusual version, Atom 0.3;
//! - a lenient RSS reader for documents the strict parser still rejects;
//! - its own date parser ([`parse_date`]) for RFC 822 variants, ISO 8601 and month names in six
//!   languages;
//! - plain-text titles, summaries and content ([`to_plain_text`]), absolute links, and stable
//!   entry ids (never random);
//! - feed autodiscovery in HTML pages ([`discover_feeds`], [`looks_like_html`]).
//!
//! No panic escapes [`parse_feed`].
//!
//! ```
//! let body = br#"<?xml version="1.0"?>
//! <rss version="2.0"><channel><title>Lab news</title><link>https://lab.example/</link>
//!   <item><title>Results &amp; data</title><guid>tag:lab.example,2024:1</guid>
//!     <pubDate>Tue, 05 Mar 2024 14:30:00 CET</pubDate></item>
//! </channel></rss>"#;
//! let feed = sheaf_feed::parse_feed(body, Some("application/rss+xml"), "https://lab.example/rss")?;
//! assert_eq!(feed.kind, sheaf_feed::FeedKind::Rss2);
//! let entry = &feed.entries[0];
//! assert_eq!(entry.id, "tag:lab.example,2024:1");
//! assert_eq!(entry.title.as_deref(), Some("Results & data"));
//! assert_eq!(entry.published.map(|d| d.to_rfc3339()).as_deref(), Some("2024-03-05T13:30:00+00:00"));
//! # Ok::<(), sheaf_feed::Error>(())
//! ```
#![warn(missing_docs)]

mod date;
mod date_names;
mod discover;
mod lenient;
mod model;
mod parse;
mod raw;
mod repair;
mod text;

pub use date::parse_date;
pub use discover::{discover_feeds, looks_like_html};
pub use model::{DiscoveredFeed, FeedEntry, FeedKind, ParsedFeed, Repairs};
pub use parse::parse_feed;
pub use text::to_plain_text;

/// Errors of [`parse_feed`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The document's root is not an RSS, RDF, Atom or JSON Feed root.
    #[error(
        "the document is not a feed: it starts with `{start}`; check that the URL points at an \
         RSS, Atom or JSON feed, or look for a feed link in the page with discover_feeds"
    )]
    NotAFeed {
        /// The first characters of the document.
        start: String,
    },
    /// The document looked like a feed but could not be read, even leniently.
    #[error("the feed could not be parsed: {message}; the source has to fix the document")]
    Parse {
        /// The parser's message.
        message: String,
    },
    /// The underlying parser panicked; the panic was caught.
    #[error("the feed parser panicked: {message}; the feed was skipped, please report the input")]
    Panicked {
        /// The panic message.
        message: String,
    },
}
