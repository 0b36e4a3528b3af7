//! Feed autodiscovery in HTML pages.

use url::Url;

use crate::model::{DiscoveredFeed, FeedKind};

/// Feed media types recognised in `<link rel="alternate" type="...">`, with the format each
/// announces.
const FEED_TYPES: &[(&str, Option<FeedKind>)] = &[
    ("application/rss+xml", Some(FeedKind::Rss2)),
    ("application/atom+xml", Some(FeedKind::Atom1)),
    ("application/feed+json", Some(FeedKind::JsonFeed)),
    ("application/json", Some(FeedKind::JsonFeed)),
    ("application/rdf+xml", Some(FeedKind::Rss1)),
    ("application/xml", None),
    ("text/xml", None),
];

/// Finds the feeds an HTML page links to with `<link rel="alternate" type="…feed type…">`,
/// resolved against the page's `<base href>` or `page_url`, in page order without repeats.
///
/// ```
/// let html = r#"<head><link rel="alternate" type="application/atom+xml" href="/feed.atom"
///   title="News"></head>"#;
/// let feeds = sheaf_feed::discover_feeds(html, "https://example.org/blog/");
/// assert_eq!(feeds[0].url, "https://example.org/feed.atom");
/// assert_eq!(feeds[0].title.as_deref(), Some("News"));
/// ```
pub fn discover_feeds(html: &str, page_url: &str) -> Vec<DiscoveredFeed> {
    let page = Url::parse(page_url).ok();
    let mut base = page.clone();
    let mut feeds: Vec<DiscoveredFeed> = Vec::new();
    for tag in tags(html) {
        let name = tag_name(tag);
        if name == "base" {
            if let Some(href) = attribute(tag, "href") {
                base = join(page.as_ref(), &href).or(base);
            }
            continue;
        }
        if name != "link" {
            continue;
        }
        let rel = attribute(tag, "rel")
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !rel.split_ascii_whitespace().any(|word| word == "alternate") {
            continue;
        }
        let media_type = attribute(tag, "type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let media_type = media_type.split(';').next().unwrap_or("").trim();
        let Some((_, kind)) = FEED_TYPES.iter().find(|(known, _)| *known == media_type) else {
            continue;
        };
        let Some(href) = attribute(tag, "href") else {
            continue;
        };
        let Some(url) = join(base.as_ref(), &href) else {
            continue;
        };
        let url = url.to_string();
        if feeds.iter().any(|feed| feed.url == url) {
            continue;
        }
        let title = attribute(tag, "title").filter(|title| !title.trim().is_empty());
        feeds.push(DiscoveredFeed {
            url,
            title,
            kind: *kind,
        });
    }
    feeds
}

/// Tells whether a body is an HTML page rather than a feed: its first markup is an HTML
/// doctype or an `<html>`, `<head>` or `<body>` element.
///
/// ```
/// assert!(sheaf_feed::looks_like_html(b"<!DOCTYPE html><html><head>"));
/// assert!(!sheaf_feed::looks_like_html(b"<?xml version=\"1.0\"?><rss version=\"2.0\">"));
/// ```
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let start = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(start).to_ascii_lowercase();
    let mut rest = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    loop {
        if rest.starts_with("<!--") {
            let Some(end) = rest.find("-->") else {
                return false;
            };
            rest = rest[end + 3..].trim_start();
        } else if rest.starts_with("<?") {
            let Some(end) = rest.find("?>") else {
                return false;
            };
            rest = rest[end + 2..].trim_start();
        } else {
            break;
        }
    }
    ["<!doctype html", "<html", "<head", "<body"]
        .iter()
        .any(|prefix| rest.starts_with(prefix))
}

fn join(base: Option<&Url>, href: &str) -> Option<Url> {
    let href = html_escape::decode_html_entities(href.trim()).into_owned();
    match base {
        Some(base) => base.join(&href).ok(),
        None => Url::parse(&href).ok(),
    }
}

/// Iterates the inside of start tags (`link rel=...`), skipping comments.
fn tags(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find('<')?;
            rest = &rest[start + 1..];
            if let Some(comment) = rest.strip_prefix("!--") {
                rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
                continue;
            }
            let end = rest.find('>')?;
            let tag = &rest[..end];
            rest = &rest[end + 1..];
            return Some(tag);
        }
    })
}

fn tag_name(tag: &str) -> String {
    tag.chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Returns an attribute's value from the inside of a tag; quoted or unquoted, any case.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut search = 0;
    while let Some(found) = lower[search..].find(name) {
        let index = search + found;
        search = index + name.len();
        let preceded_by_space = lower[..index].ends_with(|c: char| c.is_ascii_whitespace());
        let Some(value) = lower[search..].trim_start().strip_prefix('=') else {
            continue;
        };
        if !preceded_by_space {
            continue;
        }
        let value_start = tag.len() - value.trim_start().len();
        let value = &tag[value_start..];
        return Some(match value.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let inner = &value[1..];
                inner[..inner.find(quote).unwrap_or(inner.len())].to_string()
            }
            _ => value
                .split(|c: char| c.is_ascii_whitespace() || c == '/')
                .next()
                .unwrap_or("")
                .to_string(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_finds_feed_links() {
        let html = r#"<html><head><base href="https://cdn.example.org/x/">
            <!-- <link rel="alternate" type="application/rss+xml" href="/hidden"> -->
            <LINK REL="Alternate" TYPE="application/rss+xml" HREF="rss.xml?a=1&amp;b=2">
            <link rel="alternate" type="text/html" href="/page">
            <link rel="alternate" type="application/feed+json" href=feed.json>
            <link rel="stylesheet" type="application/rss+xml" href="/no"></head>"#;
        let feeds = discover_feeds(html, "https://example.org/blog/");
        assert_eq!(feeds.len(), 2);
        assert_eq!(feeds[0].url, "https://cdn.example.org/x/rss.xml?a=1&b=2");
        assert_eq!(feeds[0].kind, Some(FeedKind::Rss2));
        assert_eq!(feeds[1].url, "https://cdn.example.org/x/feed.json");
        assert_eq!(feeds[1].kind, Some(FeedKind::JsonFeed));
    }

    #[test]
    fn html_detection() {
        assert!(looks_like_html(b"\n<!-- x --><HTML lang=en>"));
        assert!(looks_like_html(
            b"<?xml version=\"1.0\"?><html xmlns=\"x\">"
        ));
        assert!(!looks_like_html(
            b"<feed xmlns=\"http://www.w3.org/2005/Atom\">"
        ));
        assert!(!looks_like_html(
            b"{\"version\": \"https://jsonfeed.org/version/1.1\"}"
        ));
    }
}
