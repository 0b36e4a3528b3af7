//! The OAI-PMH 2.0 protocol: request URLs, streaming parsers for the responses of each verb,
//! protocol errors, resumption tokens and datestamp granularity.
//!
//! This crate does no HTTP and no storage: the harvester fetches a body, decodes it with
//! [`sheaf_xml::decode_xml`], and hands the text to a parser here. Parsers read the document
//! once with quick-xml's namespace-aware reader and match OAI-PMH elements by namespace URI
//! (`http://www.openarchives.org/OAI/2.0/`) and local name, never by prefix. A response whose
//! root `OAI-PMH` element has no namespace at all is accepted too, because some servers send
//! that.
//!
//! Each record's metadata is returned as a standalone XML document (see
//! [`OaiRecord::metadata`]) so that it can be stored raw and normalised later.
//!
//! ```
//! use sheaf_oai::{ErrorCode, parse_list_records, resume_url};
//!
//! let page = parse_list_records(
//!     r#"<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
//!          <responseDate>2026-01-10T10:00:00Z</responseDate>
//!          <ListRecords>
//!            <record><header status="deleted"><identifier>oai:x:1</identifier>
//!              <datestamp>2026-01-09</datestamp></header></record>
//!            <resumptionToken> t-1 </resumptionToken>
//!          </ListRecords>
//!        </OAI-PMH>"#,
//! )?;
//! assert!(page.records[0].header.deleted);
//! let token = page.token.expect("the list continues");
//! assert_eq!(resume_url("https://x/oai", "ListRecords", &token.value),
//!            "https://x/oai?verb=ListRecords&resumptionToken=t-1");
//!
//! let nothing_new = parse_list_records(
//!     r#"<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
//!          <error code="noRecordsMatch"/></OAI-PMH>"#,
//! );
//! assert!(nothing_new.unwrap_err().has_code(&ErrorCode::NoRecordsMatch));
//! # Ok::<(), sheaf_oai::Error>(())
//! ```
#![warn(missing_docs)]

mod doc;
mod error;
mod metadata;
mod parse;
mod request;
mod time;
mod types;

pub use error::{Error, ErrorCode, ProtocolError};
pub use parse::{
    parse_get_record, parse_identify, parse_list_identifiers, parse_list_metadata_formats,
    parse_list_records,
};
pub use request::{
    get_record_url, identify_url, list_identifiers_url, list_metadata_formats_url,
    list_records_url, request_url, resume_url,
};
pub use time::{Granularity, parse_datestamp};
pub use types::{
    Header, Identify, ListPage, MetadataFormat, OaiRecord, ResumptionToken, SkipReason,
    SkippedRecord,
};

/// The OAI-PMH 2.0 namespace URI.
pub const OAI_NAMESPACE: &str = doc::OAI_NAMESPACE;

#[cfg(test)]
mod tests;
