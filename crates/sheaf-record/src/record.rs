//! The common schema: one [`Record`] per harvested item, whatever its source format.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One harvested item mapped to the common schema.
///
/// Field names are part of the public contract: they appear in the HTTP API and in the index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// `{source id}:{local id}`, where the local id is the OAI identifier or the feed entry id.
    pub id: String,
    /// Source id from the config.
    pub source: String,
    /// Centre that runs the source, from the source's config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub centre: Option<String>,
    /// ISO 3166-1 alpha-2 country code of the centre, from the source's config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// When the source last changed the record (OAI datestamp, feed updated or published time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datestamp: Option<DateTime<Utc>>,
    /// When Sheaf last changed the record (harvest or re-normalisation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    /// Tombstone flag: a deleted record stays in the store and leaves the search index.
    #[serde(default)]
    pub deleted: bool,
    /// Titles; the first one is the display title.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub title: Vec<LangText>,
    /// Creators as given, whitespace-normalised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub creators: Vec<Agent>,
    /// Contributors as given, whitespace-normalised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contributors: Vec<Agent>,
    /// Keywords, classification codes and feed categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<String>,
    /// Descriptions as plain text: HTML removed, entities decoded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub description: Vec<LangText>,
    /// Publishers as given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub publisher: Vec<String>,
    /// The record's own date (publication or event date), partial where the source is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<PartialDate>,
    /// Resource types: a DCMI Type term where one applies, plus the original value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<ResourceType>,
    /// Identifiers with their scheme; DOIs lower-cased without a resolver prefix.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    /// The best landing page link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// ISO 639-1 codes where one exists, else ISO 639-3.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// Rights statements; licence URLs kept as given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rights: Vec<String>,
    /// Related resources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<String>,
    /// Spatial or temporal coverage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coverage: Vec<String>,
    /// OAI setSpecs or feed categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sets: Vec<String>,
}

impl Record {
    /// Returns the display title: the first title, if any.
    pub fn display_title(&self) -> Option<&str> {
        self.title.first().map(|t| t.text.as_str())
    }

    /// Returns the local part of the id, after the source id and its `:`.
    pub fn local_id(&self) -> &str {
        self.id.split_once(':').map_or("", |(_, local)| local)
    }
}

/// A text with the language it is written in, when known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LangText {
    /// The text itself.
    pub text: String,
    /// ISO 639-1 (else 639-3) code of the text's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl LangText {
    /// Creates a text of unknown language.
    pub fn new(text: impl Into<String>) -> Self {
        LangText {
            text: text.into(),
            language: None,
        }
    }
}

/// A person or organisation named as creator or contributor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    /// The name as given, with whitespace normalised.
    pub name: String,
    /// ORCID iD in its bare form (`0000-0002-1825-0097`) when the source gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orcid: Option<String>,
}

/// A date that may lack its month or day, with the string it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartialDate {
    /// Year, the facet value.
    pub year: i32,
    /// Month 1 to 12, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
    /// Day of the month, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u32>,
    /// The value as the source wrote it.
    pub original: String,
}

impl PartialDate {
    /// Formats the date as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub fn to_iso(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }
}

/// A resource type: the DCMI Type term it maps to, and the value as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceType {
    /// DCMI Type vocabulary term (`Text`, `Dataset`, `Event`, …) when the value maps to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dcmi: Option<String>,
    /// The value as the source wrote it.
    pub original: String,
}

/// An identifier with its scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifier {
    /// The identifier's scheme.
    pub scheme: IdScheme,
    /// The identifier, normalised for its scheme.
    pub value: String,
}

/// Identifier schemes known to the common schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdScheme {
    /// Digital Object Identifier, lower-cased, without resolver prefix.
    Doi,
    /// Handle System identifier.
    Handle,
    /// International Standard Book Number.
    Isbn,
    /// International Standard Serial Number.
    Issn,
    /// Uniform Resource Name.
    Urn,
    /// A web address.
    Url,
    /// Anything else.
    Other,
}

/// The source fields copied into every record of that source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceInfo {
    /// Source id from the config.
    pub id: String,
    /// Centre that runs the source.
    pub centre: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
}
