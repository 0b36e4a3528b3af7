//! The parser-neutral form of a feed that both feed-rs and the lenient RSS reader produce,
//! before text is made plain and ids are assigned.

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Feed, Link, Text};

/// A feed as parsed, with text still as published.
#[derive(Debug, Default)]
pub(crate) struct RawFeed {
    pub(crate) title: Option<RawText>,
    pub(crate) links: Vec<RawLink>,
    pub(crate) language: Option<String>,
    pub(crate) updated: Option<DateTime<Utc>>,
    pub(crate) entries: Vec<RawEntry>,
}

/// An entry as parsed.
#[derive(Debug, Default)]
pub(crate) struct RawEntry {
    pub(crate) id: String,
    pub(crate) title: Option<RawText>,
    pub(crate) links: Vec<RawLink>,
    pub(crate) summary: Option<RawText>,
    /// Content body, read as HTML.
    pub(crate) content: Option<String>,
    pub(crate) authors: Vec<String>,
    pub(crate) categories: Vec<String>,
    pub(crate) published: Option<DateTime<Utc>>,
    pub(crate) updated: Option<DateTime<Utc>>,
    pub(crate) media_urls: Vec<String>,
    pub(crate) language: Option<String>,
}

/// Text with a flag telling whether it is plain text (Atom `type="text"`) or may hold HTML.
#[derive(Debug, Default)]
pub(crate) struct RawText {
    pub(crate) content: String,
    pub(crate) is_plain: bool,
}

/// A link with its relation.
#[derive(Debug, Default)]
pub(crate) struct RawLink {
    pub(crate) href: String,
    pub(crate) rel: Option<String>,
    /// Comment links (RSS `comments`, `wfw:commentRss`) are never an entry's main link.
    pub(crate) is_comments: bool,
}

impl From<Feed> for RawFeed {
    fn from(feed: Feed) -> Self {
        RawFeed {
            title: feed.title.map(RawText::from),
            links: feed.links.into_iter().map(RawLink::from).collect(),
            language: feed.language,
            updated: feed.updated.or(feed.published),
            entries: feed.entries.into_iter().map(RawEntry::from).collect(),
        }
    }
}

impl From<Entry> for RawEntry {
    fn from(entry: Entry) -> Self {
        let mut media_urls = Vec::new();
        for media in &entry.media {
            for content in &media.content {
                if let Some(url) = &content.url {
                    media_urls.push(url.to_string());
                }
            }
        }
        RawEntry {
            id: entry.id,
            title: entry.title.map(RawText::from),
            links: entry.links.into_iter().map(RawLink::from).collect(),
            summary: entry.summary.map(RawText::from),
            content: entry.content.and_then(|content| content.body),
            authors: entry
                .authors
                .into_iter()
                .filter_map(|person| person.name)
                .collect(),
            categories: entry
                .categories
                .into_iter()
                .map(|category| category.label.unwrap_or(category.term))
                .collect(),
            published: entry.published,
            updated: entry.updated,
            media_urls,
            language: entry.language,
        }
    }
}

impl From<Text> for RawText {
    fn from(text: Text) -> Self {
        let is_plain = text.content_type.essence().to_string() == "text/plain";
        RawText {
            content: text.content,
            is_plain,
        }
    }
}

impl From<Link> for RawLink {
    fn from(link: Link) -> Self {
        RawLink {
            href: link.href,
            rel: link.rel,
            is_comments: link.target.is_some(),
        }
    }
}
