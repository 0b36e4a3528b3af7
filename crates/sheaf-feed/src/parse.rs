//! [`parse_feed`]: decoding, repairs, feed-rs, and mapping to [`ParsedFeed`].

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use sha2::{Digest, Sha256};
use sheaf_xml::{DecodeOptions, decode_xml};
use url::Url;

use crate::Error;
use crate::date::parse_date;
use crate::lenient::parse_lenient_rss;
use crate::model::{FeedEntry, FeedKind, ParsedFeed, Repairs};
use crate::raw::{RawEntry, RawFeed, RawLink, RawText};
use crate::repair::{close_open_elements, repair_xml};
use crate::text::{collapse_whitespace, to_plain_text};

/// Characters of the document's start quoted in [`Error::NotAFeed`].
const QUOTED_START_CHARS: usize = 60;

/// Parses an RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed document.
///
/// `bytes` is the body as received, `content_type` the HTTP `Content-Type` header (its charset
/// is used when the bytes are not valid UTF-8 and carry no byte-order mark), and `feed_url` the
/// URL the feed was fetched from: relative links resolve against it and entries without id or
/// link get an id hashed from it.
///
/// The document is repaired before parsing and each repair is counted in
/// [`ParsedFeed::repairs`]. No panic escapes: a panic inside the parser becomes
/// [`Error::Panicked`].
///
/// # Errors
///
/// [`Error::NotAFeed`] when the root element is not a feed, [`Error::Parse`] when the
/// document cannot be read even leniently, [`Error::Panicked`] when the parser panicked.
///
/// ```
/// let body = br#"<rss><channel><title>News &amp; notes</title>
///   <item><title>First &hellip;</title><link>/a/1</link></item></channel></rss>"#;
/// let feed = sheaf_feed::parse_feed(body, None, "https://example.org/feed").unwrap();
/// assert_eq!(feed.title.as_deref(), Some("News & notes"));
/// assert_eq!(feed.entries[0].id, "https://example.org/a/1");
/// assert_eq!(feed.entries[0].title.as_deref(), Some("First \u{2026}"));
/// assert_eq!(feed.repairs.rss_version, 1);
/// ```
pub fn parse_feed(
    bytes: &[u8],
    content_type: Option<&str>,
    feed_url: &str,
) -> Result<ParsedFeed, Error> {
    let caught = catch_unwind(AssertUnwindSafe(|| {
        parse_unguarded(bytes, content_type, feed_url)
    }));
    match caught {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|text| (*text).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_string());
            Err(Error::Panicked { message })
        }
    }
}

fn parse_unguarded(
    bytes: &[u8],
    content_type: Option<&str>,
    feed_url: &str,
) -> Result<ParsedFeed, Error> {
    if is_json(bytes) {
        return parse_json(bytes, feed_url);
    }
    let decoded = decode_xml(
        bytes,
        content_type,
        DecodeOptions {
            sniff_undeclared: true,
        },
    );
    let mut repairs = Repairs {
        invalid_sequences: decoded.invalid_sequences,
        removed_chars: decoded.removed_chars,
        dropped_declarations: decoded.dropped_declarations,
        ..Repairs::default()
    };
    let repaired = repair_xml(&decoded.text, &mut repairs);
    let Some(kind) = repaired.kind else {
        return Err(not_a_feed(&decoded.text));
    };
    let context = MapContext::new(kind, feed_url, &repaired.text);
    // feed-rs drops RSS 1.0 items without a link and does not know the RSS 0.90 namespace, so
    // RDF documents go to the RSS reader here, which keeps every item and its rdf:about id.
    let is_rdf = kind == FeedKind::Rss1 || repaired.is_rdf;
    let strict = if is_rdf {
        None
    } else {
        Some(run_strict(&repaired.text, feed_url, &mut repairs))
    };
    let feed = match strict {
        Some(Ok(feed)) => feed,
        None => match parse_lenient_rss(&repaired.text) {
            Some(feed) => feed,
            None => return Err(not_a_feed(&decoded.text)),
        },
        Some(Err(error)) if matches!(kind, FeedKind::Rss0x | FeedKind::Rss2 | FeedKind::Rss1) => {
            let Some(feed) = parse_lenient_rss(&repaired.text) else {
                return Err(error);
            };
            repairs.lenient_parse += 1;
            feed
        }
        Some(Err(error)) => return Err(error),
    };
    Ok(context.map_feed(feed, decoded.encoding.to_string(), repairs))
}

/// Runs feed-rs; when it rejects the document and closing the elements left open (a truncated
/// body, a missing end tag) makes it readable, uses that and counts the repair.
fn run_strict(text: &str, feed_url: &str, repairs: &mut Repairs) -> Result<RawFeed, Error> {
    let error = match run_feed_rs(text.as_bytes(), feed_url) {
        Ok(feed) => return Ok(feed),
        Err(error) => error,
    };
    let Some(closed) = close_open_elements(text) else {
        return Err(error);
    };
    let feed = run_feed_rs(closed.as_bytes(), feed_url).map_err(|_| error)?;
    repairs.unclosed_elements += 1;
    Ok(feed)
}

/// Tells whether the body is JSON: its first byte other than white space or a byte-order mark
/// is `{`.
fn is_json(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

fn parse_json(bytes: &[u8], feed_url: &str) -> Result<ParsedFeed, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes);
    let context = MapContext::new(FeedKind::JsonFeed, feed_url, "");
    let feed = run_feed_rs(text.as_bytes(), feed_url)?;
    let mut repairs = Repairs::default();
    if let std::borrow::Cow::Owned(_) = text {
        repairs.invalid_sequences += 1;
    }
    Ok(context.map_feed(feed, "UTF-8".to_string(), repairs))
}

fn not_a_feed(text: &str) -> Error {
    let start: String = text.trim_start().chars().take(QUOTED_START_CHARS).collect();
    Error::NotAFeed {
        start: collapse_whitespace(&start),
    }
}

/// Runs feed-rs with Sheaf's date parser, no generated ids and no sanitising (Sheaf keeps
/// plain text only).
fn run_feed_rs(bytes: &[u8], feed_url: &str) -> Result<RawFeed, Error> {
    let base = Url::parse(feed_url).ok().map(|url| url.to_string());
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base)
        .timestamp_parser(parse_date)
        .id_generator(|_, _, _| String::new())
        .sanitize_content(false)
        .build();
    parser
        .parse(bytes)
        .map(RawFeed::from)
        .map_err(|error| Error::Parse {
            message: error.to_string(),
        })
}

/// What mapping needs besides the feed-rs model.
struct MapContext<'a> {
    kind: FeedKind,
    feed_url: &'a str,
    base: Option<Url>,
    /// RSS guids marked `isPermaLink="false"`, which are not links.
    non_permalink_guids: HashSet<String>,
}

impl<'a> MapContext<'a> {
    fn new(kind: FeedKind, feed_url: &'a str, text: &str) -> Self {
        MapContext {
            kind,
            feed_url,
            base: Url::parse(feed_url).ok(),
            non_permalink_guids: non_permalink_guids(text),
        }
    }

    fn map_feed(&self, feed: RawFeed, encoding: String, repairs: Repairs) -> ParsedFeed {
        let language = feed.language.clone().filter(|l| !l.trim().is_empty());
        let entries = feed
            .entries
            .into_iter()
            .map(|entry| self.map_entry(entry, language.as_deref()))
            .collect();
        ParsedFeed {
            kind: self.kind,
            title: feed.title.as_ref().and_then(|title| self.plain(title)),
            url: self
                .main_link(&feed.links)
                .map(|link| self.absolute(&link.href)),
            language,
            updated: feed.updated,
            encoding,
            entries,
            repairs,
        }
    }

    fn map_entry(&self, entry: RawEntry, feed_language: Option<&str>) -> FeedEntry {
        let main_link = self.main_link(&entry.links);
        let id = entry.id.trim().to_string();
        let mut url = main_link.map(|link| self.absolute(&link.href));
        let is_rss = matches!(self.kind, FeedKind::Rss0x | FeedKind::Rss1 | FeedKind::Rss2);
        if url.is_none() && is_rss && is_web_url(&id) && !self.non_permalink_guids.contains(&id) {
            url = Some(id.clone());
        }

        let mut links = Vec::new();
        let mut enclosures = Vec::new();
        for link in &entry.links {
            let href = self.absolute(&link.href);
            if link.rel.as_deref() == Some("enclosure") {
                push_unique(&mut enclosures, href);
            } else if url.as_deref() != Some(href.as_str()) {
                push_unique(&mut links, href);
            }
        }
        for media_url in &entry.media_urls {
            push_unique(&mut enclosures, self.absolute(media_url));
        }

        let title = entry.title.as_ref().and_then(|title| self.plain(title));
        let summary = entry
            .summary
            .as_ref()
            .and_then(|summary| self.plain(summary));
        let content_raw = entry.content.clone();
        let content = content_raw
            .as_deref()
            .map(to_plain_text)
            .filter(|text| !text.is_empty());
        let id = if !id.is_empty() {
            id
        } else if let Some(url) = &url {
            url.clone()
        } else {
            let raw_title = entry
                .title
                .as_ref()
                .map_or("", |title| title.content.as_str());
            let raw_content = content_raw
                .as_deref()
                .or(entry
                    .summary
                    .as_ref()
                    .map(|summary| summary.content.as_str()))
                .unwrap_or("");
            hashed_id(self.feed_url, raw_title, raw_content)
        };

        FeedEntry {
            id,
            title,
            url,
            links,
            summary,
            content,
            authors: non_empty_lines(&entry.authors),
            categories: non_empty_lines(&entry.categories),
            published: entry.published,
            updated: entry.updated,
            enclosures,
            language: entry
                .language
                .clone()
                .filter(|l| !l.trim().is_empty())
                .or(feed_language.map(str::to_string)),
        }
    }

    /// Picks the entry's or feed's main link: the first `alternate` or untyped link, else the
    /// first link that is not `self`, `enclosure` or a comments link.
    fn main_link<'l>(&self, links: &'l [RawLink]) -> Option<&'l RawLink> {
        let alternate = links.iter().find(|link| {
            matches!(link.rel.as_deref(), None | Some("alternate")) && !link.is_comments
        });
        alternate.or_else(|| {
            links.iter().find(|link| {
                !matches!(
                    link.rel.as_deref(),
                    Some("self" | "enclosure" | "replies" | "hub")
                ) && !link.is_comments
            })
        })
    }

    /// Resolves a link against the feed URL; a link that cannot be resolved is kept as given.
    fn absolute(&self, href: &str) -> String {
        let href = href.trim();
        if let Ok(url) = Url::parse(href) {
            return url.to_string();
        }
        match self.base.as_ref().and_then(|base| base.join(href).ok()) {
            Some(url) => url.to_string(),
            None => href.to_string(),
        }
    }

    /// Converts a title or summary to plain text. Atom `type="text"` is plain already; RSS and
    /// JSON Feed text is read as HTML, because publishers put escaped markup and entities in it.
    fn plain(&self, text: &RawText) -> Option<String> {
        let is_atom = matches!(self.kind, FeedKind::Atom1 | FeedKind::Atom03);
        let plain = if is_atom && text.is_plain {
            collapse_whitespace(&text.content)
        } else {
            to_plain_text(&text.content)
        };
        Some(plain).filter(|plain| !plain.is_empty())
    }
}

/// Collapses white space in each value and drops empty ones.
fn non_empty_lines(values: &[String]) -> Vec<String> {
    values
        .iter()
        .map(|value| collapse_whitespace(value))
        .filter(|value| !value.is_empty())
        .collect()
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

fn is_web_url(text: &str) -> bool {
    (text.starts_with("http://") || text.starts_with("https://")) && Url::parse(text).is_ok()
}

/// Builds the id of an entry with neither id nor link: `sha256:` and the hex digest of the feed
/// URL, title and content, each followed by a NUL byte so that the parts cannot run together.
fn hashed_id(feed_url: &str, title: &str, content: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [feed_url, title, content] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    let mut id = String::with_capacity(7 + digest.len() * 2);
    id.push_str("sha256:");
    for byte in digest.iter() {
        id.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
        id.push(char::from(HEX_DIGITS[usize::from(byte & 0x0f)]));
    }
    id
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Collects the text of `<guid isPermaLink="false">` elements.
fn non_permalink_guids(text: &str) -> HashSet<String> {
    let mut guids = HashSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("<guid") {
        rest = &rest[start + 5..];
        let Some(tag_end) = rest.find('>') else { break };
        let attributes = &rest[..tag_end];
        rest = &rest[tag_end + 1..];
        if !attributes.contains("isPermaLink") || !attributes.contains("false") {
            continue;
        }
        if let Some(end) = rest.find("</guid>") {
            guids.insert(rest[..end].trim().to_string());
        }
    }
    guids
}
