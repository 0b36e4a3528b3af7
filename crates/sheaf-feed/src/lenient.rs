//! A lenient RSS reader for documents that the strict parser rejects (unclosed elements,
//! mismatched end tags, a truncated body). It keeps what it read before the first error.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::date::parse_date;
use crate::raw::{RawEntry, RawFeed, RawLink, RawText};
use crate::text::reference_at;

/// Reads channel and item fields of RSS 0.9x/1.0/2.0 with quick-xml, not checking end tag
/// names. Returns `None` when no `rss`, `RDF` or `channel` element was found.
pub(crate) fn parse_lenient_rss(text: &str) -> Option<RawFeed> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;

    let mut feed = RawFeed::default();
    let mut item: Option<RawEntry> = None;
    let mut field: Option<String> = None;
    let mut value = String::new();
    let mut enclosure_url = None;
    let mut saw_root = false;
    // The first error ends the reading; what was read before it is kept.
    while let Ok(event) = reader.read_event() {
        match event {
            Event::Start(start) => {
                let name = start.name().as_ref().to_string();
                saw_root |= matches!(local(&name), "rss" | "RDF" | "channel");
                if local(&name) == "item" {
                    let about = attribute(&start, "rdf:about").unwrap_or_default();
                    item = Some(RawEntry {
                        id: about,
                        ..RawEntry::default()
                    });
                } else {
                    field = Some(name);
                    value.clear();
                }
            }
            Event::Empty(start) => {
                if local(start.name().as_ref()) == "enclosure" {
                    enclosure_url = attribute(&start, "url");
                }
                if let (Some(entry), Some(url)) = (item.as_mut(), enclosure_url.take()) {
                    entry.media_urls.push(url);
                }
            }
            Event::Text(content) => value.push_str(&content.xml10_content()),
            Event::CData(content) => value.push_str(&content.xml10_content()),
            Event::GeneralRef(reference) => {
                let raw = format!("&{};", reference.xml10_content());
                match reference_at(&raw) {
                    Some((decoded, _)) => value.push_str(&decoded),
                    None => value.push_str(&raw),
                }
            }
            Event::End(end) => {
                let name = end.name().as_ref().to_string();
                if local(&name) == "item" {
                    if let Some(entry) = item.take() {
                        feed.entries.push(entry);
                    }
                } else if field.as_deref() == Some(name.as_str()) {
                    store_field(&mut feed, item.as_mut(), &name, value.trim());
                    field = None;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(entry) = item.take() {
        feed.entries.push(entry);
    }
    if !saw_root {
        return None;
    }
    Some(feed)
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn attribute(start: &BytesStart<'_>, name: &str) -> Option<String> {
    let attribute = start.try_get_attribute(name).ok()??;
    attribute
        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
        .ok()
        .map(|value| value.into_owned())
}

/// Stores a finished element's text in the item being read, or in the channel.
fn store_field(feed: &mut RawFeed, item: Option<&mut RawEntry>, name: &str, value: &str) {
    if value.is_empty() {
        return;
    }
    // Elements of the RSS namespace may carry a prefix (`rss:title`); module elements keep it.
    let name = match name.split_once(':') {
        Some((prefix, local)) if !matches!(prefix, "dc" | "dcterms" | "content" | "atom") => local,
        _ => name,
    };
    let text = || {
        Some(RawText {
            content: value.to_string(),
            is_plain: false,
        })
    };
    let link = || RawLink {
        href: value.to_string(),
        rel: None,
        is_comments: false,
    };
    let Some(entry) = item else {
        match name {
            "title" if feed.title.is_none() => feed.title = text(),
            "link" if feed.links.is_empty() => feed.links.push(link()),
            "language" | "dc:language" => feed.language = Some(value.to_string()),
            "lastBuildDate" | "pubDate" | "dc:date" => {
                feed.updated = feed.updated.or(parse_date(value))
            }
            _ => {}
        }
        return;
    };
    match name {
        "title" => entry.title = text(),
        "link" => entry.links.push(link()),
        "guid" => entry.id = value.to_string(),
        "description" => entry.summary = text(),
        "content:encoded" => entry.content = Some(value.to_string()),
        "pubDate" | "dc:date" => entry.published = parse_date(value),
        "dcterms:modified" | "atom:updated" => entry.updated = parse_date(value),
        "author" | "dc:creator" => entry.authors.push(value.to_string()),
        "category" | "dc:subject" => entry.categories.push(value.to_string()),
        "dc:language" => entry.language = Some(value.to_string()),
        _ => {}
    }
}
