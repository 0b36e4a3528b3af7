//! Values returned by the verb parsers.

use std::fmt;

use crate::time::Granularity;

/// The response to `Identify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identify {
    /// `repositoryName`.
    pub repository_name: String,
    /// `baseURL`, as the repository states it.
    pub base_url: String,
    /// `protocolVersion`, normally `2.0`.
    pub protocol_version: String,
    /// `earliestDatestamp`, as sent; `None` when absent or empty.
    pub earliest_datestamp: Option<String>,
    /// `deletedRecord`: `no`, `transient` or `persistent`; empty when absent.
    pub deleted_record: String,
    /// `granularity`; [`Granularity::Day`] when absent or not one of the two protocol values,
    /// because a day `from` is accepted by every repository.
    pub granularity: Granularity,
    /// Every `adminEmail`.
    pub admin_emails: Vec<String>,
}

/// The `<header>` of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The item's unique identifier, white space trimmed.
    pub identifier: String,
    /// The datestamp as sent, white space trimmed (see [`crate::parse_datestamp`]); empty when
    /// the header has none.
    pub datestamp: String,
    /// True when the header carries `status="deleted"`.
    pub deleted: bool,
    /// Every `setSpec`, white space trimmed.
    pub sets: Vec<String>,
}

/// One record of `ListRecords` or `GetRecord`, or one header of `ListIdentifiers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OaiRecord {
    /// The header.
    pub header: Header,
    /// The single child element of `<metadata>` as a standalone XML document: the element and
    /// its subtree as in the source, with every namespace binding in scope declared on its root
    /// element. `None` for deleted records, headers from `ListIdentifiers`, and records without
    /// a `<metadata>` element.
    pub metadata: Option<String>,
}

/// A `<resumptionToken>` that continues a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumptionToken {
    /// The token, XML white space trimmed; never empty.
    pub value: String,
    /// `completeListSize`, when present and a number. Informational only: a list is complete
    /// when a page has no token or an empty one.
    pub complete_list_size: Option<u64>,
    /// `cursor`, when present and a number. Informational only.
    pub cursor: Option<u64>,
    /// `expirationDate`, as sent.
    pub expiration_date: Option<String>,
}

/// One page of `ListRecords` or `ListIdentifiers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    /// `responseDate`, white space trimmed; empty when absent.
    pub response_date: String,
    /// The records in document order, deleted ones included.
    pub records: Vec<OaiRecord>,
    /// The token for the next page; `None` when the list is complete (no token element, or an
    /// empty one).
    pub token: Option<ResumptionToken>,
    /// Records left out of `records` because they could not be identified.
    pub skipped: Vec<SkippedRecord>,
}

/// A record of a list page that was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRecord {
    /// Byte offset of the record's start tag in the parsed text.
    pub position: u64,
    /// The reason it was left out.
    pub reason: SkipReason,
}

/// The reason a record was left out of a list page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// The record has no `<header>`, or its header has no or an empty `<identifier>`.
    MissingIdentifier,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingIdentifier => f.write_str("the record header has no identifier"),
        }
    }
}

/// One format of `ListMetadataFormats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataFormat {
    /// `metadataPrefix`, such as `oai_dc`.
    pub prefix: String,
    /// `schema`: the URL of the XML Schema.
    pub schema: String,
    /// `metadataNamespace`: the namespace URI of the format's root element.
    pub namespace: String,
}
