//! Parsers for the responses of each verb.

use crate::doc::{Doc, Element, trim_xml};
use crate::error::{Error, ErrorCode, ProtocolError};
use crate::metadata::read_metadata;
use crate::time::Granularity;
use crate::types::{
    Header, Identify, ListPage, MetadataFormat, OaiRecord, ResumptionToken, SkipReason,
    SkippedRecord,
};

/// Reads the `OAI-PMH` envelope: `responseDate`, `error` elements, and the first element named
/// in `verbs`, which `body` reads. Returns the response date and what `body` returned.
///
/// Error elements win over the verb element: a response with any `<error>` is
/// [`Error::Protocol`].
fn parse_response<'i, T>(
    xml: &'i str,
    verbs: &[&'static str],
    mut body: impl FnMut(&mut Doc<'i>, &Element<'i>) -> Result<T, Error>,
) -> Result<(String, T), Error> {
    let (mut doc, root) = Doc::open(xml)?;
    let mut response_date = String::new();
    let mut errors = Vec::new();
    let mut result = None;
    while let Some(child) = doc.next_child(&root)? {
        match child.oai_name() {
            Some("responseDate") => response_date = doc.trimmed_text(&child)?,
            Some("error") => errors.push(read_error(&mut doc, &child)?),
            Some(name) if result.is_none() && verbs.contains(&name) => {
                result = Some(body(&mut doc, &child)?);
            }
            _ => doc.skip(&child)?,
        }
    }
    if !errors.is_empty() {
        return Err(Error::Protocol(errors));
    }
    match result {
        Some(result) => Ok((response_date, result)),
        None => Err(Error::MissingElement {
            element: verbs.first().copied().unwrap_or("verb"),
            parent: "OAI-PMH",
        }),
    }
}

fn read_error(doc: &mut Doc<'_>, element: &Element<'_>) -> Result<ProtocolError, Error> {
    let code = element.attribute("code")?.unwrap_or_default();
    let message = doc.trimmed_text(element)?;
    Ok(ProtocolError {
        code: ErrorCode::from_code(trim_xml(&code)),
        message,
    })
}

/// Parses an `Identify` response.
pub fn parse_identify(xml: &str) -> Result<Identify, Error> {
    let (_, identify) = parse_response(xml, &["Identify"], read_identify)?;
    Ok(identify)
}

fn read_identify(doc: &mut Doc<'_>, element: &Element<'_>) -> Result<Identify, Error> {
    let mut identify = Identify {
        repository_name: String::new(),
        base_url: String::new(),
        protocol_version: String::new(),
        earliest_datestamp: None,
        deleted_record: String::new(),
        granularity: Granularity::Day,
        admin_emails: Vec::new(),
    };
    while let Some(child) = doc.next_child(element)? {
        let Some(name) = child.oai_name() else {
            doc.skip(&child)?;
            continue;
        };
        match name {
            "repositoryName" => identify.repository_name = doc.trimmed_text(&child)?,
            "baseURL" => identify.base_url = doc.trimmed_text(&child)?,
            "protocolVersion" => identify.protocol_version = doc.trimmed_text(&child)?,
            "adminEmail" => identify.admin_emails.push(doc.trimmed_text(&child)?),
            "earliestDatestamp" => {
                let value = doc.trimmed_text(&child)?;
                identify.earliest_datestamp = (!value.is_empty()).then_some(value);
            }
            "deletedRecord" => identify.deleted_record = doc.trimmed_text(&child)?,
            "granularity" => {
                let value = doc.trimmed_text(&child)?;
                identify.granularity = Granularity::parse(&value).unwrap_or_default();
            }
            _ => doc.skip(&child)?,
        }
    }
    Ok(identify)
}

/// Parses a `ListRecords` or `ListIdentifiers` page.
///
/// The list is complete when the page has no `resumptionToken` or an empty one;
/// `completeListSize` and `cursor` are reported but never decide. A record whose header is
/// deleted has no metadata, even when the server sends some. A record without identifier is
/// reported in [`ListPage::skipped`] and the rest of the page is kept.
pub fn parse_list_records(xml: &str) -> Result<ListPage, Error> {
    let verbs = ["ListRecords", "ListIdentifiers"];
    let (response_date, mut page) = parse_response(xml, &verbs, read_list)?;
    page.response_date = response_date;
    Ok(page)
}

/// Parses a `ListIdentifiers` page; the same as [`parse_list_records`], whose records then have
/// no metadata.
pub fn parse_list_identifiers(xml: &str) -> Result<ListPage, Error> {
    parse_list_records(xml)
}

fn read_list(doc: &mut Doc<'_>, list: &Element<'_>) -> Result<ListPage, Error> {
    let mut page = ListPage {
        response_date: String::new(),
        records: Vec::new(),
        token: None,
        skipped: Vec::new(),
    };
    while let Some(child) = doc.next_child(list)? {
        let record = match child.oai_name() {
            Some("record") => read_record(doc, &child)?,
            Some("header") => Some(OaiRecord {
                header: read_header(doc, &child)?,
                metadata: None,
            }),
            Some("resumptionToken") => {
                page.token = read_token(doc, &child)?;
                continue;
            }
            _ => {
                doc.skip(&child)?;
                continue;
            }
        };
        match record.filter(|record| !record.header.identifier.is_empty()) {
            Some(record) => page.records.push(record),
            None => page.skipped.push(SkippedRecord {
                position: child.position,
                reason: SkipReason::MissingIdentifier,
            }),
        }
    }
    Ok(page)
}

/// Parses a `GetRecord` response.
pub fn parse_get_record(xml: &str) -> Result<OaiRecord, Error> {
    let (_, record) = parse_response(xml, &["GetRecord"], |doc, element| {
        let mut found = None;
        while let Some(child) = doc.next_child(element)? {
            if found.is_none() && child.oai_name() == Some("record") {
                found = Some(read_record(doc, &child)?);
            } else {
                doc.skip(&child)?;
            }
        }
        match found {
            Some(Some(record)) if !record.header.identifier.is_empty() => Ok(record),
            Some(_) => Err(Error::MissingElement {
                element: "identifier",
                parent: "header",
            }),
            None => Err(Error::MissingElement {
                element: "record",
                parent: "GetRecord",
            }),
        }
    })?;
    Ok(record)
}

/// Reads a `<record>`; `None` when it has no header.
fn read_record(doc: &mut Doc<'_>, record: &Element<'_>) -> Result<Option<OaiRecord>, Error> {
    let mut header: Option<Header> = None;
    let mut metadata = None;
    while let Some(child) = doc.next_child(record)? {
        match child.oai_name() {
            Some("header") if header.is_none() => header = Some(read_header(doc, &child)?),
            Some("metadata") if metadata.is_none() => {
                // Deleted records have no metadata, whatever the server sends.
                if header.as_ref().is_some_and(|header| header.deleted) {
                    doc.skip(&child)?;
                } else {
                    metadata = read_metadata(doc, &child)?;
                }
            }
            _ => doc.skip(&child)?,
        }
    }
    Ok(header.map(|header| OaiRecord {
        metadata: if header.deleted { None } else { metadata },
        header,
    }))
}

fn read_header(doc: &mut Doc<'_>, element: &Element<'_>) -> Result<Header, Error> {
    let status = element.attribute("status")?;
    let mut header = Header {
        identifier: String::new(),
        datestamp: String::new(),
        deleted: status.is_some_and(|status| trim_xml(&status) == "deleted"),
        sets: Vec::new(),
    };
    while let Some(child) = doc.next_child(element)? {
        match child.oai_name() {
            Some("identifier") => header.identifier = doc.trimmed_text(&child)?,
            Some("datestamp") => header.datestamp = doc.trimmed_text(&child)?,
            Some("setSpec") => header.sets.push(doc.trimmed_text(&child)?),
            _ => doc.skip(&child)?,
        }
    }
    Ok(header)
}

/// Reads a `<resumptionToken>`; `None` when it is empty or only white space.
fn read_token(doc: &mut Doc<'_>, element: &Element<'_>) -> Result<Option<ResumptionToken>, Error> {
    let number = |value: Option<String>| value.and_then(|v| trim_xml(&v).parse::<u64>().ok());
    let complete_list_size = number(element.attribute("completeListSize")?);
    let cursor = number(element.attribute("cursor")?);
    let expiration_date = element.attribute("expirationDate")?;
    let value = doc.trimmed_text(element)?;
    if value.is_empty() {
        return Ok(None);
    }
    Ok(Some(ResumptionToken {
        value,
        complete_list_size,
        cursor,
        expiration_date,
    }))
}

/// Parses a `ListMetadataFormats` response.
pub fn parse_list_metadata_formats(xml: &str) -> Result<Vec<MetadataFormat>, Error> {
    let (_, formats) = parse_response(xml, &["ListMetadataFormats"], |doc, element| {
        let mut formats = Vec::new();
        while let Some(child) = doc.next_child(element)? {
            if child.oai_name() == Some("metadataFormat") {
                formats.push(read_format(doc, &child)?);
            } else {
                doc.skip(&child)?;
            }
        }
        Ok(formats)
    })?;
    Ok(formats)
}

fn read_format(doc: &mut Doc<'_>, element: &Element<'_>) -> Result<MetadataFormat, Error> {
    let mut format = MetadataFormat {
        prefix: String::new(),
        schema: String::new(),
        namespace: String::new(),
    };
    while let Some(child) = doc.next_child(element)? {
        match child.oai_name() {
            Some("metadataPrefix") => format.prefix = doc.trimmed_text(&child)?,
            Some("schema") => format.schema = doc.trimmed_text(&child)?,
            Some("metadataNamespace") => format.namespace = doc.trimmed_text(&child)?,
            _ => doc.skip(&child)?,
        }
    }
    Ok(format)
}
