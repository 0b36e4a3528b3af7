//! The common record schema and the normalisers that map each source format to it.
//!
//! Every harvested item, whether an OAI-PMH record in Dublin Core, DataCite or another format,
//! or an RSS/Atom/JSON Feed entry, becomes one [`Record`]: the same field names in the store, the
//! index and the API. The normalisers clean what repositories send in practice: HTML in
//! descriptions, ORCID iDs inside creator names, DOIs in half a dozen spellings, language codes
//! from three ISO standards, partial and oddly written dates. They are pure functions of the
//! stored raw form, so the store can normalise records again without harvesting them again
//! ([`normalise_stored`]).
//!
//! ```
//! use sheaf_record::{OaiHeaderInfo, RawOai, SourceInfo, normalise_oai};
//!
//! let metadata = r#"<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
//!     xmlns:dc="http://purl.org/dc/elements/1.1/">
//!   <dc:title>Glacier mass balance, 2019</dc:title>
//!   <dc:creator>Doe, Jane https://orcid.org/0000-0002-1825-0097</dc:creator>
//!   <dc:identifier>https://doi.org/10.5281/ZENODO.42</dc:identifier>
//!   <dc:type>info:eu-repo/semantics/dataset</dc:type>
//!   <dc:language>ger</dc:language>
//!   <dc:date>2019-05</dc:date>
//! </oai_dc:dc>"#;
//! let raw = RawOai {
//!     header: OaiHeaderInfo {
//!         identifier: "oai:zenodo.org:42".into(),
//!         datestamp: "2024-01-02T03:04:05Z".into(),
//!         deleted: false,
//!         sets: vec!["user-glaciers".into()],
//!     },
//!     metadata: Some(metadata.into()),
//! };
//! let source = SourceInfo { id: "zenodo".into(), ..SourceInfo::default() };
//! let record = normalise_oai(&source, "oai_dc", &raw).unwrap();
//!
//! assert_eq!(record.id, "zenodo:oai:zenodo.org:42");
//! assert_eq!(record.creators[0].orcid.as_deref(), Some("0000-0002-1825-0097"));
//! assert_eq!(record.identifiers[0].value, "10.5281/zenodo.42");
//! assert_eq!(record.url.as_deref(), Some("https://doi.org/10.5281/zenodo.42"));
//! assert_eq!(record.types[0].dcmi.as_deref(), Some("Dataset"));
//! assert_eq!(record.languages, ["de"]);
//! assert_eq!(record.date.unwrap().to_iso(), "2019-05");
//! ```
#![warn(missing_docs)]

mod builder;
mod datacite;
mod date;
mod feed;
mod ident;
mod lang;
mod oai;
mod record;
mod text;
mod vocab;
mod xml;

pub use date::parse_partial_date;
pub use feed::normalise_feed_entry;
pub use ident::normalise_doi;
pub use lang::normalise_language;
pub use oai::{OaiHeaderInfo, RawOai, normalise_oai};
pub use record::{
    Agent, IdScheme, Identifier, LangText, PartialDate, Record, ResourceType, SourceInfo,
};
pub use text::clean_text;
pub use vocab::dcmi_type;

/// The stored format name of feed entries; every other format name is an OAI metadata prefix.
pub const FEED_FORMAT: &str = "feed";

/// Errors of the normalisers.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The stored raw form is not the JSON that its format expects.
    #[error(
        "stored raw record of format `{format}` is not valid JSON for that format: {source}; \
         harvest the record again to replace it"
    )]
    StoredJson {
        /// The format name it was stored under.
        format: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// An OAI record header has an empty identifier, so the record has no id.
    #[error(
        "an OAI record from source `{source_id}` has an empty identifier; the record was skipped, \
         and the repository should be told that its header is invalid"
    )]
    MissingIdentifier {
        /// The source the record came from.
        source_id: String,
    },
    /// A record that is not deleted has no metadata.
    #[error(
        "OAI record `{identifier}` is not marked deleted but has no metadata; the record was \
         skipped, and a later harvest will pick it up if the repository fixes it"
    )]
    MissingMetadata {
        /// The OAI identifier of the record.
        identifier: String,
    },
    /// The metadata of a record is not well-formed XML.
    #[error(
        "metadata (prefix `{prefix}`) of OAI record `{identifier}` is not well-formed XML at byte \
         {position}: {source}; the record was skipped"
    )]
    Xml {
        /// The OAI identifier of the record.
        identifier: String,
        /// The metadata prefix it was harvested with.
        prefix: String,
        /// Byte offset of the error within the metadata.
        position: u64,
        /// The parser's error.
        #[source]
        source: quick_xml::Error,
    },
}

/// Normalises a record from the raw form the store keeps.
///
/// `format` is [`FEED_FORMAT`] for a feed entry, whose `raw` is the entry's JSON; any other
/// format is an OAI metadata prefix, and `raw` is the JSON of a [`RawOai`].
///
/// # Errors
///
/// [`Error::StoredJson`] when `raw` does not parse as the expected JSON, and the errors of
/// [`normalise_oai`].
pub fn normalise_stored(source: &SourceInfo, format: &str, raw: &str) -> Result<Record, Error> {
    let json_error = |source| Error::StoredJson {
        format: format.to_owned(),
        source,
    };
    if format == FEED_FORMAT {
        let entry: sheaf_feed::FeedEntry = serde_json::from_str(raw).map_err(json_error)?;
        return Ok(normalise_feed_entry(source, &entry));
    }
    let oai: RawOai = serde_json::from_str(raw).map_err(json_error)?;
    normalise_oai(source, format, &oai)
}
