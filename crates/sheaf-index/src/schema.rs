//! The tantivy schema and the mapping from a [`Record`] to a document.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{TantivyDocument, Term};

use sheaf_record::Record;

use crate::analysis::TEXT_ANALYZER;

/// Filter and facet names accepted in requests, in the order error messages list them.
pub const FILTER_NAMES: [&str; 8] = [
    "source", "centre", "country", "type", "language", "subject", "set", "year",
];

/// Handles on every field of the schema.
#[derive(Clone)]
pub(crate) struct Fields {
    pub id: Field,
    pub source: Field,
    pub centre: Field,
    pub country: Field,
    pub dcmi_type: Field,
    pub language: Field,
    pub subject: Field,
    pub set: Field,
    pub year: Field,
    pub date_key: Field,
    pub seq: Field,
    pub title: Field,
    pub description: Field,
    pub creators: Field,
    pub subjects: Field,
    pub publisher: Field,
    pub identifiers: Field,
    pub display_title: Field,
    pub url: Field,
    pub date: Field,
}

impl Fields {
    /// Builds the schema and returns it with its field handles.
    pub fn build() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let keyword = STRING | FAST | STORED;
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TEXT_ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Fields {
            id: builder.add_text_field("id", keyword.clone()),
            source: builder.add_text_field("source", keyword.clone()),
            centre: builder.add_text_field("centre", keyword.clone()),
            country: builder.add_text_field("country", keyword.clone()),
            dcmi_type: builder.add_text_field("type", keyword.clone()),
            language: builder.add_text_field("language", keyword.clone()),
            subject: builder.add_text_field("subject", STRING | FAST),
            set: builder.add_text_field("set", STRING | FAST),
            year: builder.add_u64_field("year", INDEXED | FAST),
            date_key: builder.add_i64_field("date_key", FAST),
            seq: builder.add_u64_field("seq", FAST),
            title: builder.add_text_field("title", text.clone().set_stored()),
            description: builder.add_text_field("description", text.clone().set_stored()),
            creators: builder.add_text_field("creators", text.clone()),
            subjects: builder.add_text_field("subjects", text.clone()),
            publisher: builder.add_text_field("publisher", text.clone()),
            identifiers: builder.add_text_field("identifiers", text),
            display_title: builder.add_text_field("display_title", STORED),
            url: builder.add_text_field("url", STORED),
            date: builder.add_text_field("date", STORED),
        };
        (builder.build(), fields)
    }

    /// Returns the keyword field behind a filter or facet name other than `year`.
    pub fn keyword(&self, name: &str) -> Option<Field> {
        match name {
            "source" => Some(self.source),
            "centre" => Some(self.centre),
            "country" => Some(self.country),
            "type" => Some(self.dcmi_type),
            "language" => Some(self.language),
            "subject" => Some(self.subject),
            "set" => Some(self.set),
            _ => None,
        }
    }

    /// Returns the fields searched by a query without a field name, with their boosts.
    pub fn default_search_fields(&self) -> [(Field, f32); 6] {
        [
            (self.title, 3.0),
            (self.description, 1.0),
            (self.creators, 1.5),
            (self.subjects, 1.5),
            (self.publisher, 1.0),
            (self.identifiers, 1.0),
        ]
    }

    /// Returns the term that identifies a record's document, for deletion.
    pub fn id_term(&self, id: &str) -> Term {
        Term::from_field_text(self.id, id)
    }

    /// Maps a live record to its document; `seq` is its change sequence number.
    pub fn document(&self, record: &Record, seq: u64) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.id, &record.id);
        doc.add_text(self.source, &record.source);
        doc.add_u64(self.seq, seq);
        if let Some(centre) = &record.centre {
            doc.add_text(self.centre, centre);
        }
        if let Some(country) = &record.country {
            doc.add_text(self.country, country);
        }
        for dcmi in record.types.iter().filter_map(|t| t.dcmi.as_deref()) {
            doc.add_text(self.dcmi_type, dcmi);
        }
        for language in &record.languages {
            doc.add_text(self.language, language);
        }
        for subject in &record.subjects {
            doc.add_text(self.subject, subject);
            doc.add_text(self.subjects, subject);
        }
        for set in &record.sets {
            doc.add_text(self.set, set);
        }
        if let Some(date) = &record.date {
            if let Ok(year) = u64::try_from(date.year) {
                doc.add_u64(self.year, year);
            }
            doc.add_i64(self.date_key, date_key(date.year, date.month, date.day));
            doc.add_text(self.date, date.to_iso());
        }
        for title in &record.title {
            doc.add_text(self.title, &title.text);
        }
        doc.add_text(
            self.display_title,
            record.display_title().unwrap_or_default(),
        );
        let description: Vec<&str> = record.description.iter().map(|d| d.text.as_str()).collect();
        if !description.is_empty() {
            doc.add_text(self.description, description.join("\n"));
        }
        for agent in record.creators.iter().chain(&record.contributors) {
            doc.add_text(self.creators, &agent.name);
        }
        for publisher in &record.publisher {
            doc.add_text(self.publisher, publisher);
        }
        for identifier in &record.identifiers {
            doc.add_text(self.identifiers, &identifier.value);
        }
        if let Some(url) = &record.url {
            doc.add_text(self.url, url);
        }
        doc
    }
}

/// Sort key of a partial date: `YYYYMMDD` with missing parts as 0, so a bare year sorts before
/// the dates inside it.
fn date_key(year: i32, month: Option<u32>, day: Option<u32>) -> i64 {
    i64::from(year) * 10_000 + i64::from(month.unwrap_or(0)) * 100 + i64::from(day.unwrap_or(0))
}
