//! The values [`crate::parse_feed`] returns.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One entry (RSS item, Atom entry, JSON Feed item) with text as plain text and links absolute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FeedEntry {
    /// Stable local id: the RSS guid, Atom id or JSON Feed id as published; else the entry's
    /// link; else `sha256:` and the hex digest of the feed URL, title and content. Never random.
    pub id: String,
    /// Title as plain text.
    pub title: Option<String>,
    /// The entry's main link, resolved against `xml:base` or the feed URL.
    pub url: Option<String>,
    /// Other links of the entry, absolute.
    pub links: Vec<String>,
    /// Summary (RSS description, Atom summary) as plain text.
    pub summary: Option<String>,
    /// Full content (content:encoded, Atom content) as plain text.
    pub content: Option<String>,
    /// Author names as given.
    pub authors: Vec<String>,
    /// Category terms or labels.
    pub categories: Vec<String>,
    /// Publication time.
    pub published: Option<DateTime<Utc>>,
    /// Time of the last change.
    pub updated: Option<DateTime<Utc>>,
    /// Enclosure and media URLs, absolute, kept as identifiers.
    pub enclosures: Vec<String>,
    /// Language of the entry, or of the feed when the entry gives none (`xml:lang`,
    /// `<language>`, `dc:language`), as given.
    pub language: Option<String>,
}

/// The format a feed was published in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedKind {
    /// RSS 0.90 to 0.94.
    Rss0x,
    /// RSS 1.0 (RDF).
    Rss1,
    /// RSS 2.0, including roots with a missing version or versions such as 2.01.
    Rss2,
    /// Atom 0.3.
    Atom03,
    /// Atom 1.0.
    Atom1,
    /// JSON Feed 1.0 or 1.1.
    JsonFeed,
}

/// Counts of the repairs made to a feed before it parsed. A well-formed feed has all zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Repairs {
    /// RSS roots whose version was missing or not one the parser reads (0.93, 0.94, 2.01, …).
    pub rss_version: usize,
    /// `&` characters that did not start a reference, escaped as `&amp;`.
    pub bare_ampersands: usize,
    /// HTML named entities (and DOCTYPE-declared ones) replaced by their characters.
    pub html_entities: usize,
    /// Invalid byte sequences decoded as windows-1252.
    pub invalid_sequences: usize,
    /// Characters XML 1.0 forbids, removed (raw or as numeric references).
    pub removed_chars: usize,
    /// XML declarations found after the start of the document, dropped.
    pub dropped_declarations: usize,
    /// DOCTYPE declarations removed.
    pub doctype: usize,
    /// Atom 0.3 documents rewritten as Atom 1.0.
    pub atom03: usize,
    /// Documents whose open elements were closed at the end (truncated or unterminated).
    pub unclosed_elements: usize,
    /// Documents that the strict parser rejected and the lenient RSS reader read.
    pub lenient_parse: usize,
}

impl Repairs {
    /// Returns the number of repairs of all kinds.
    pub fn total(&self) -> usize {
        self.rss_version
            + self.bare_ampersands
            + self.html_entities
            + self.invalid_sequences
            + self.removed_chars
            + self.dropped_declarations
            + self.doctype
            + self.atom03
            + self.unclosed_elements
            + self.lenient_parse
    }
}

/// A parsed feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParsedFeed {
    /// The format the feed was published in.
    pub kind: FeedKind,
    /// The feed's title as plain text.
    pub title: Option<String>,
    /// The feed's home page link, absolute.
    pub url: Option<String>,
    /// The feed's language as given.
    pub language: Option<String>,
    /// When the feed last changed (`lastBuildDate`, Atom `updated`, `dc:date`).
    pub updated: Option<DateTime<Utc>>,
    /// The encoding the bytes were decoded from (a WHATWG encoding name such as `UTF-8`).
    pub encoding: String,
    /// The entries in document order.
    pub entries: Vec<FeedEntry>,
    /// The repairs made before parsing.
    pub repairs: Repairs,
}

/// A feed linked from an HTML page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveredFeed {
    /// The feed's absolute URL.
    pub url: String,
    /// The link's `title` attribute.
    pub title: Option<String>,
    /// The format the link's `type` announces.
    pub kind: Option<FeedKind>,
}
