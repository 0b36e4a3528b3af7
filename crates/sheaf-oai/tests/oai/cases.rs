//! The harvesting cases, at the level of decoding and parsing one response.

use chrono::{TimeZone, Utc};
use sheaf_oai::{Error, ErrorCode, Granularity, ListPage, parse_identify, parse_list_records};
use sheaf_xml::Decoded;

use crate::standalone::element_texts;
use crate::{decode_file, shared_file};

const DC: &str = "http://purl.org/dc/elements/1.1/";

/// Decodes a case file as served with `Content-Type: text/xml` and no charset.
fn case(name: &str) -> Option<Decoded> {
    let path = shared_file(&format!("cases/oai/{name}"))?;
    Some(decode_file(&path, Some("text/xml")))
}

fn page(name: &str) -> Option<ListPage> {
    let decoded = case(name)?;
    Some(parse_list_records(&decoded.text).unwrap_or_else(|e| panic!("{name}: {e}")))
}

fn titles(page: &ListPage) -> Vec<String> {
    let mut titles = Vec::new();
    for record in &page.records {
        if let Some(metadata) = &record.metadata {
            titles.extend(element_texts(metadata, DC, "title"));
        }
    }
    titles
}

#[test]
fn token_with_whitespace_trimmed() {
    let Some(first) = page("token-with-whitespace/page1.xml") else {
        return;
    };
    let token = first.token.clone().unwrap();
    assert_eq!(token.value, "abc-123");
    assert_eq!(
        token.expiration_date.as_deref(),
        Some("2026-01-11T10:00:00Z")
    );
    assert_eq!(titles(&first), ["Coastal erosion atlas"]);

    let Some(second) = page("token-with-whitespace/page2.xml") else {
        return;
    };
    assert_eq!(
        second.records[0].header.identifier,
        "oai:repo.example.net:2"
    );
    assert_eq!(second.token, None);
}

#[test]
fn empty_token_ends_list() {
    let Some(first) = page("empty-token-ends-list/page1.xml") else {
        return;
    };
    assert_eq!(first.records.len(), 2);
    let token = first.token.unwrap();
    assert_eq!(token.value, "page2");
    assert_eq!(token.complete_list_size, Some(3));

    let Some(second) = page("empty-token-ends-list/page2.xml") else {
        return;
    };
    assert_eq!(second.records.len(), 1);
    assert_eq!(
        second.records[0].header.identifier,
        "oai:repo.example.net:3"
    );
    assert_eq!(second.token, None);
}

#[test]
fn prefixed_namespaces_title() {
    let Some(page) = page("prefixed-namespaces/page.xml") else {
        return;
    };
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.records[0].header.identifier, "oai:repo.example.net:1");
    assert_eq!(page.records[0].header.datestamp, "2025-12-01T12:00:00Z");
    assert_eq!(titles(&page), ["Prefixed namespaces everywhere"]);
}

#[test]
fn control_characters_removed() {
    let Some(decoded) = case("control-characters/page.xml") else {
        return;
    };
    assert_eq!(decoded.removed_chars, 3);
    assert_eq!(decoded.invalid_sequences, 0);
    let page = parse_list_records(&decoded.text).unwrap();
    assert_eq!(page.records.len(), 3);
    assert_eq!(
        titles(&page),
        [
            "Heat wave forecast",
            "Ozone layer trend report",
            "Drought index update"
        ]
    );
}

#[test]
fn declared_latin1_decoded() {
    let Some(decoded) = case("declared-latin1/page.xml") else {
        return;
    };
    assert_eq!(decoded.encoding, "windows-1252");
    assert!(
        decoded
            .text
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    );
    let page = parse_list_records(&decoded.text).unwrap();
    assert_eq!(titles(&page), ["École d'été en géosciences"]);
}

#[test]
fn invalid_utf8_repaired() {
    let Some(decoded) = case("invalid-utf8/page.xml") else {
        return;
    };
    assert_eq!(decoded.encoding, "UTF-8");
    assert_eq!(decoded.invalid_sequences, 1);
    let page = parse_list_records(&decoded.text).unwrap();
    assert_eq!(titles(&page), ["Café scientifique: énergie solaire"]);
}

#[test]
fn deleted_header_only() {
    let Some(page) = page("deleted-header-only/page.xml") else {
        return;
    };
    assert_eq!(page.records.len(), 2);
    let deleted = &page.records[0].header;
    assert_eq!(deleted.identifier, "oai:repo.example.net:2");
    assert!(deleted.deleted);
    assert_eq!(deleted.datestamp, "2026-01-09T08:00:00Z");
    assert_eq!(page.records[0].metadata, None);
    assert_eq!(page.records[1].header.identifier, "oai:repo.example.net:3");
    assert!(!page.records[1].header.deleted);
    assert_eq!(titles(&page), ["Still here"]);
}

#[test]
fn no_records_match_is_protocol_error() {
    let Some(decoded) = case("no-records-match/response.xml") else {
        return;
    };
    let error = parse_list_records(&decoded.text).unwrap_err();
    assert!(error.has_code(&ErrorCode::NoRecordsMatch));
    let Error::Protocol(errors) = error else {
        panic!("expected Protocol");
    };
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].message, "No matching records.");
}

#[test]
fn bad_resumption_token() {
    let Some(first) = page("bad-resumption-token/page1.xml") else {
        return;
    };
    assert_eq!(first.records.len(), 2);
    assert_eq!(first.token.unwrap().value, "t-1");

    let Some(decoded) = case("bad-resumption-token/error.xml") else {
        return;
    };
    let error = parse_list_records(&decoded.text).unwrap_err();
    assert!(error.has_code(&ErrorCode::BadResumptionToken));
}

#[test]
fn day_granularity() {
    let Some(decoded) = case("day-granularity/identify.xml") else {
        return;
    };
    let identify = parse_identify(&decoded.text).unwrap();
    assert_eq!(identify.granularity, Granularity::Day);
    assert_eq!(identify.deleted_record, "transient");
    let mark = Utc.with_ymd_and_hms(2025, 12, 2, 9, 30, 0).unwrap();
    let from = identify
        .granularity
        .format(mark - identify.granularity.unit());
    assert_eq!(from, "2025-12-01");

    let Some(decoded) = case("day-granularity/bad-argument.xml") else {
        return;
    };
    let error = parse_list_records(&decoded.text).unwrap_err();
    assert!(error.has_code(&ErrorCode::BadArgument));
}

#[test]
fn retry_after_page_parses() {
    let Some(page) = page("retry-after/page.xml") else {
        return;
    };
    assert_eq!(
        titles(&page),
        [
            "Seismic hazard map of the Andes",
            "Tsunami early warning drill"
        ]
    );
}

/// Every response of every case is either a page or an OAI-PMH error, never a parse failure.
#[test]
fn every_case_file_parses() {
    let Some(root) = shared_file("cases/oai") else {
        return;
    };
    let mut checked = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("xml") {
                continue;
            }
            let decoded = decode_file(&path, Some("text/xml"));
            let result = if path.ends_with("identify.xml") {
                parse_identify(&decoded.text).map(|_| ())
            } else {
                parse_list_records(&decoded.text).map(|_| ())
            };
            match result {
                Ok(()) | Err(Error::Protocol(_)) => checked += 1,
                Err(other) => panic!("{}: {other}", path.display()),
            }
        }
    }
    assert!(checked >= 15, "only {checked} case files found");
}
