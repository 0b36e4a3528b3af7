//! Feed entries (RSS, Atom, JSON Feed) mapped to a [`Record`].

use chrono::{DateTime, Datelike, Utc};
use sheaf_feed::FeedEntry;

use crate::builder::RecordBuilder;
use crate::record::{IdScheme, PartialDate, Record, SourceInfo};
use crate::vocab::is_event_category;

/// Maps a feed entry to a [`Record`].
///
/// - id: `{source id}:{entry id}`; datestamp: the entry's updated time, else its published time;
/// - title, with the entry's language; authors become creators;
/// - categories become both subjects and sets;
/// - description: the summary, else the content;
/// - url: the entry's link, else its first other link; enclosures are kept as URL identifiers;
/// - date: the published time, else the updated time, as a full day;
/// - languages: the entry's language, else detected from the title and description.
///
/// Feed items get no resource type, except that an entry with an event category (`event`,
/// `evento`, `événement`, `Veranstaltung`, `мероприятие`, `conference`, `webinar`, … in any case)
/// is typed as a DCMI `Event`, with that category as the original value.
pub fn normalise_feed_entry(source: &SourceInfo, entry: &FeedEntry) -> Record {
    let mut builder = RecordBuilder::new(source, &entry.id, entry.updated.or(entry.published));
    let language = entry.language.as_deref();
    if let Some(title) = &entry.title {
        builder.title(title, language);
    }
    for author in &entry.authors {
        builder.creator(author);
    }
    for category in &entry.categories {
        builder.subject(category);
        builder.set(category);
        if is_event_category(category) {
            builder.resource_type_as(category, Some("Event".to_owned()));
        }
    }
    let text = entry
        .summary
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .or(entry.content.as_deref());
    if let Some(text) = text {
        builder.description(text, language);
    }
    if let Some(url) = entry
        .url
        .as_deref()
        .or(entry.links.first().map(String::as_str))
    {
        builder.url(url);
    }
    for enclosure in &entry.enclosures {
        builder.identifier_as(IdScheme::Url, enclosure);
    }
    if let Some(time) = entry.published.or(entry.updated) {
        builder.set_date(day_of(time));
    }
    if let Some(language) = language {
        builder.language(language);
    }
    builder.finish()
}

/// Returns the calendar day of a time, with its RFC 3339 form as the original.
fn day_of(time: DateTime<Utc>) -> PartialDate {
    PartialDate {
        year: time.year(),
        month: Some(time.month()),
        day: Some(time.day()),
        original: time.to_rfc3339(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn source() -> SourceInfo {
        SourceInfo {
            id: "news".into(),
            centre: Some("CERN".into()),
            country: Some("CH".into()),
        }
    }

    fn entry() -> FeedEntry {
        FeedEntry {
            id: "https://example.org/news/1".into(),
            title: Some("  Open day <b>2026</b> ".into()),
            url: Some("https://example.org/news/1".into()),
            links: vec!["https://example.org/alt".into()],
            summary: Some("Visit the &amp; labs.".into()),
            content: Some("Long content".into()),
            authors: vec!["Press Office".into(), "Press Office".into()],
            categories: vec!["Événements".into(), "Physics".into()],
            published: Some(Utc.with_ymd_and_hms(2026, 3, 4, 10, 0, 0).unwrap()),
            updated: Some(Utc.with_ymd_and_hms(2026, 3, 5, 8, 30, 0).unwrap()),
            enclosures: vec!["https://example.org/poster.pdf".into()],
            language: Some("fr-FR".into()),
        }
    }

    #[test]
    fn feed_entry_maps_every_field() {
        let record = normalise_feed_entry(&source(), &entry());
        assert_eq!(record.id, "news:https://example.org/news/1");
        assert_eq!(record.source, "news");
        assert_eq!(record.centre.as_deref(), Some("CERN"));
        assert_eq!(record.country.as_deref(), Some("CH"));
        assert_eq!(record.display_title(), Some("Open day 2026"));
        assert_eq!(record.title[0].language.as_deref(), Some("fr"));
        assert_eq!(record.creators.len(), 1);
        assert_eq!(record.creators[0].name, "Press Office");
        assert_eq!(record.subjects, ["Événements", "Physics"]);
        assert_eq!(record.sets, ["Événements", "Physics"]);
        assert_eq!(record.description[0].text, "Visit the & labs.");
        assert_eq!(record.url.as_deref(), Some("https://example.org/news/1"));
        assert_eq!(record.identifiers.len(), 1);
        assert_eq!(record.identifiers[0].scheme, IdScheme::Url);
        assert_eq!(record.languages, ["fr"]);
        assert_eq!(
            record.date.as_ref().map(PartialDate::to_iso).as_deref(),
            Some("2026-03-04")
        );
        let datestamp = record.datestamp.unwrap();
        assert_eq!(
            datestamp,
            Utc.with_ymd_and_hms(2026, 3, 5, 8, 30, 0).unwrap()
        );
        assert_eq!(record.updated, None);
        assert!(!record.deleted);
    }

    #[test]
    fn feed_event_category_gives_event_type() {
        let record = normalise_feed_entry(&source(), &entry());
        assert_eq!(record.types.len(), 1);
        assert_eq!(record.types[0].dcmi.as_deref(), Some("Event"));
        assert_eq!(record.types[0].original, "Événements");
    }

    #[test]
    fn feed_entry_fallbacks() {
        let mut entry = entry();
        entry.summary = None;
        entry.url = None;
        entry.published = None;
        entry.categories = vec!["News".into()];
        entry.language = None;
        entry.title =
            Some("Researchers measure the mass of the top quark with new precision".into());
        let record = normalise_feed_entry(&source(), &entry);
        assert_eq!(record.description[0].text, "Long content");
        assert_eq!(record.url.as_deref(), Some("https://example.org/alt"));
        assert_eq!(
            record.date.as_ref().map(PartialDate::to_iso).as_deref(),
            Some("2026-03-05")
        );
        assert!(record.types.is_empty());
        assert_eq!(record.languages, ["en"]);
    }

    #[test]
    fn feed_entry_minimal() {
        let entry = FeedEntry {
            id: "x".into(),
            ..FeedEntry::default()
        };
        let record = normalise_feed_entry(&source(), &entry);
        assert_eq!(record.id, "news:x");
        assert_eq!(record.display_title(), None);
        assert_eq!(record.datestamp, None);
        assert_eq!(record.url, None);
        assert!(record.languages.is_empty());
    }
}
