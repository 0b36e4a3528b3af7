//! The synthetic OAI-PMH repository, walked with a plain TCP client.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{element, elements, encode, get, get_with, oai_error};
use sheaf_testkit::{
    Granularity, OaiRepository, Routes, TestServer, record_identifier, record_word,
};

fn serve(repository: &OaiRepository) -> TestServer {
    TestServer::start(Routes::new().route(repository.route("/oai")))
}

fn fetch(server: &TestServer, query: &str) -> String {
    let reply = get(server, &format!("/oai?{query}"));
    assert_eq!(reply.status, 200, "{query}");
    reply.text()
}

/// Follows resumption tokens to the end and returns every identifier and the number of pages.
fn harvest(server: &TestServer, first_query: &str) -> (Vec<String>, usize) {
    let mut identifiers = Vec::new();
    let mut pages = 0;
    let mut query = first_query.to_string();
    loop {
        let body = fetch(server, &query);
        assert_eq!(oai_error(&body), None, "{body}");
        pages += 1;
        identifiers.extend(elements(&body, "identifier").iter().map(|s| s.to_string()));
        match element(&body, "resumptionToken") {
            Some(token) if !token.is_empty() => {
                query = format!("verb=ListRecords&resumptionToken={}", encode(token));
            }
            _ => return (identifiers, pages),
        }
    }
}

#[test]
fn list_records_walks_all_pages() {
    let repository = OaiRepository::new(1_050, 100);
    let server = serve(&repository);
    let (identifiers, pages) = harvest(&server, "verb=ListRecords&metadataPrefix=oai_dc");
    assert_eq!(pages, 11);
    assert_eq!(identifiers.len(), 1_050);
    let unique: BTreeSet<&String> = identifiers.iter().collect();
    assert_eq!(unique.len(), 1_050);
    assert_eq!(identifiers[0], "oai:test.example.org:0");
    assert_eq!(identifiers[1_049], record_identifier(1_049));
    assert_eq!(server.requests().len(), 11);
}

#[test]
fn pages_carry_cursor_and_size() {
    let repository = OaiRepository::new(250, 100);
    let server = serve(&repository);
    let first = fetch(&server, "verb=ListRecords&metadataPrefix=oai_dc");
    assert_eq!(first.matches("<record>").count(), 100);
    assert!(
        first.contains("<resumptionToken cursor=\"0\" completeListSize=\"250\">"),
        "{first}"
    );
    let token = element(&first, "resumptionToken").unwrap();
    let second = fetch(
        &server,
        &format!("verb=ListRecords&resumptionToken={}", encode(token)),
    );
    assert!(second.contains("cursor=\"100\""));
    let token = element(&second, "resumptionToken").unwrap();
    let last = fetch(
        &server,
        &format!("verb=ListRecords&resumptionToken={}", encode(token)),
    );
    assert_eq!(last.matches("<record>").count(), 50);
    assert!(
        last.contains("<resumptionToken cursor=\"200\" completeListSize=\"250\"/>"),
        "{last}"
    );
}

#[test]
fn record_content_matches_expectation() {
    let repository = OaiRepository::new(30, 30);
    let server = serve(&repository);

    let identifier = record_identifier(21);
    let body = fetch(
        &server,
        &format!(
            "verb=GetRecord&metadataPrefix=oai_dc&identifier={}",
            encode(&identifier)
        ),
    );
    let expected = repository.record(21);

    assert_eq!(element(&body, "identifier"), Some(identifier.as_str()));
    assert_eq!(element(&body, "dc:title"), Some(expected.title.as_str()));
    assert_eq!(element(&body, "datestamp"), Some("2020-01-01T00:21:00Z"));
    assert_eq!(expected.word, record_word(21));
    assert!(expected.title.contains(&expected.word));
    assert!(
        element(&body, "dc:description")
            .unwrap()
            .contains(&expected.word)
    );

    // Each record contains its own word, and the word of record 21 occurs in no other record.
    let all = fetch(&server, "verb=ListRecords&metadataPrefix=oai_dc");
    let records: Vec<&str> = all.split("<record>").skip(1).collect();
    assert_eq!(records.len(), 30);
    for (index, record) in records.iter().enumerate() {
        assert!(
            record.contains(&record_word(index as u64)),
            "record {index}"
        );
        let has_word_21 = record.contains(&expected.word);
        assert_eq!(has_word_21, index == 21, "record {index}");
    }
}

#[test]
fn from_filters_at_day_granularity() {
    // One record a day from 2025-11-22: records 9.. are stamped 2025-12-01 or later.
    let repository = OaiRepository::new(20, 4)
        .granularity(Granularity::Day)
        .datestamps("2025-11-22", Duration::from_secs(86_400));
    let server = serve(&repository);
    let identify = fetch(&server, "verb=Identify");
    assert_eq!(element(&identify, "granularity"), Some("YYYY-MM-DD"));
    assert_eq!(element(&identify, "earliestDatestamp"), Some("2025-11-22"));

    let (identifiers, pages) = harvest(
        &server,
        "verb=ListRecords&metadataPrefix=oai_dc&from=2025-12-01",
    );
    let expected: Vec<String> = (9..20).map(record_identifier).collect();
    assert_eq!(identifiers, expected);
    assert_eq!(pages, 3);

    let until = fetch(
        &server,
        "verb=ListRecords&metadataPrefix=oai_dc&from=2025-12-01&until=2025-12-02",
    );
    assert_eq!(
        elements(&until, "datestamp"),
        vec!["2025-12-01", "2025-12-02"]
    );

    let with_time = fetch(
        &server,
        "verb=ListRecords&metadataPrefix=oai_dc&from=2025-12-01T00:00:00Z",
    );
    assert_eq!(oai_error(&with_time), Some("badArgument"));
    assert!(
        !with_time.contains("<request verb"),
        "badArgument echoes no arguments"
    );
}

#[test]
fn second_granularity_until_day_covers_whole_day() {
    let repository =
        OaiRepository::new(48, 100).datestamps("2025-12-01T00:30:00Z", Duration::from_secs(3_600));
    let server = serve(&repository);
    let body = fetch(
        &server,
        "verb=ListIdentifiers&metadataPrefix=oai_dc&until=2025-12-01",
    );
    assert_eq!(body.matches("<header>").count(), 24);
    let body = fetch(
        &server,
        "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2025-12-02T10:30:00Z",
    );
    assert_eq!(body.matches("<header>").count(), 14);
}

#[test]
fn empty_selection_is_no_records_match() {
    let repository = OaiRepository::new(10, 5);
    let server = serve(&repository);
    let body = fetch(
        &server,
        "verb=ListRecords&metadataPrefix=oai_dc&from=2030-01-01",
    );
    assert_eq!(oai_error(&body), Some("noRecordsMatch"));
    assert!(body.contains("<request verb=\"ListRecords\""), "{body}");
}

#[test]
fn unknown_tokens_are_bad() {
    let repository = OaiRepository::new(10, 5).token_whitespace(true);
    let server = serve(&repository);
    let first = fetch(&server, "verb=ListRecords&metadataPrefix=oai_dc");
    let raw_token = element(&first, "resumptionToken").unwrap();
    assert!(
        raw_token.starts_with("\n      ") && raw_token.ends_with("\n    "),
        "{raw_token:?}"
    );
    let token = raw_token.trim();

    let untrimmed = fetch(
        &server,
        &format!("verb=ListRecords&resumptionToken={}", encode(raw_token)),
    );
    assert_eq!(oai_error(&untrimmed), Some("badResumptionToken"));
    let made_up = fetch(&server, "verb=ListRecords&resumptionToken=r.0.5.5.x.x.y");
    assert_eq!(oai_error(&made_up), Some("badResumptionToken"));
    let wrong_verb = fetch(
        &server,
        &format!("verb=ListIdentifiers&resumptionToken={token}"),
    );
    assert_eq!(oai_error(&wrong_verb), Some("badResumptionToken"));
    let good = fetch(
        &server,
        &format!("verb=ListRecords&resumptionToken={token}"),
    );
    assert_eq!(oai_error(&good), None);
    assert_eq!(good.matches("<record>").count(), 5);

    repository.invalidate_tokens();
    let expired = fetch(
        &server,
        &format!("verb=ListRecords&resumptionToken={token}"),
    );
    assert_eq!(oai_error(&expired), Some("badResumptionToken"));
}

#[test]
fn argument_errors_follow_protocol() {
    let repository = OaiRepository::new(10, 5);
    let server = serve(&repository);
    let cases = [
        ("verb=Nonsense", "badVerb"),
        ("metadataPrefix=oai_dc", "badVerb"),
        ("verb=Identify&verb=Identify", "badVerb"),
        ("verb=ListRecords", "badArgument"),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&extra=1",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=r.0.5.5.x.x.x",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2025-13-01",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2025-12-02&until=2025-12-01",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2025-12-01&until=2025-12-02T00:00:00Z",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=marcxml",
            "cannotDisseminateFormat",
        ),
        (
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:test.example.org:10",
            "idDoesNotExist",
        ),
        (
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:test.example.org:07",
            "idDoesNotExist",
        ),
        ("verb=ListMetadataFormats&identifier=nope", "idDoesNotExist"),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&set=unknown",
            "noRecordsMatch",
        ),
    ];
    for (query, code) in cases {
        assert_eq!(oai_error(&fetch(&server, query)), Some(code), "{query}");
    }
}

#[test]
fn sets_and_metadata_formats() {
    let repository = OaiRepository::new(9, 100);
    let server = serve(&repository);
    let sets = fetch(&server, "verb=ListSets");
    assert_eq!(
        elements(&sets, "setSpec"),
        vec!["text", "dataset", "software"]
    );
    let dataset = fetch(
        &server,
        "verb=ListIdentifiers&metadataPrefix=oai_dc&set=dataset",
    );
    let expected: Vec<String> = [1, 4, 7].into_iter().map(record_identifier).collect();
    assert_eq!(elements(&dataset, "identifier"), expected);
    let formats = fetch(&server, "verb=ListMetadataFormats");
    assert_eq!(elements(&formats, "metadataPrefix"), vec!["oai_dc"]);
}

#[test]
fn output_is_deterministic() {
    let make = || {
        let repository = OaiRepository::new(500, 50)
            .deleted([3])
            .control_character_in(7);
        repository.freeze_clock("2026-01-10T10:00:00Z");
        repository
    };
    let (first, second) = (make(), make());
    let (server_a, server_b) = (serve(&first), serve(&second));
    let query = "verb=ListRecords&metadataPrefix=oai_dc";
    // The two servers differ only in their port, which the response echoes.
    let a = fetch(&server_a, query).replace(&server_a.url("/oai"), "BASE");
    let b = fetch(&server_b, query).replace(&server_b.url("/oai"), "BASE");
    assert!(a == b, "two equal repositories gave different pages");
    let again = fetch(&server_a, query).replace(&server_a.url("/oai"), "BASE");
    assert!(
        a == again,
        "one repository gave different pages for the same request"
    );
    assert_eq!(element(&a, "responseDate"), Some("2026-01-10T10:00:00Z"));
    assert_eq!(a.matches("<record>").count(), 50);
}

#[test]
fn deleted_and_control_character_records() {
    let repository = OaiRepository::new(10, 10)
        .deleted([2])
        .control_character_in(4);
    let server = serve(&repository);
    let body = fetch(&server, "verb=ListRecords&metadataPrefix=oai_dc");
    let records: Vec<&str> = body.split("<record>").skip(1).collect();
    assert!(records[2].starts_with("<header status=\"deleted\">"));
    assert!(!records[2].contains("<metadata>"));
    assert_eq!(records[4].matches('\u{1}').count(), 1);
    assert_eq!(body.matches('\u{1}').count(), 1);
    assert_eq!(repository.live_len(), 9);
}

#[test]
fn changes_show_in_incremental_list() {
    let repository = OaiRepository::new(1_000, 100);
    let server = serve(&repository);
    repository.freeze_clock("2026-02-01T12:00:00Z");
    repository.retitle(17, "Retitled record zqretitled");
    repository.delete(400);
    let added = repository.add_records(2);
    repository.touch(900..902);

    let (identifiers, _) = harvest(
        &server,
        "verb=ListRecords&metadataPrefix=oai_dc&from=2026-02-01T00:00:00Z",
    );
    let expected: Vec<String> = [17, 400, 900, 901, 1_000, 1_001]
        .into_iter()
        .map(record_identifier)
        .collect();
    assert_eq!(identifiers, expected);
    assert_eq!(added, 1_000..1_002);

    let body = fetch(
        &server,
        "verb=ListRecords&metadataPrefix=oai_dc&from=2026-02-01",
    );
    assert!(body.contains("<dc:title>Retitled record zqretitled</dc:title>"));
    assert_eq!(body.matches("status=\"deleted\"").count(), 1);
}

#[test]
fn unavailable_first_then_serves() {
    let repository = OaiRepository::new(5, 5).unavailable_first(2, 3);
    let server = serve(&repository);
    for _ in 0..2 {
        let reply = get(&server, "/oai?verb=Identify");
        assert_eq!(reply.status, 503);
        assert_eq!(reply.header("Retry-After"), Some("3"));
    }
    let reply = get(&server, "/oai?verb=Identify");
    assert_eq!(reply.status, 200);
    assert_eq!(repository.requests_seen(), 3);
}

#[test]
fn gzip_only_when_accepted() {
    let repository = OaiRepository::new(20, 20).gzip(true);
    let server = serve(&repository);
    let plain = get(&server, "/oai?verb=ListRecords&metadataPrefix=oai_dc");
    assert_eq!(plain.header("Content-Encoding"), None);
    let zipped = get_with(
        &server,
        "/oai?verb=ListRecords&metadataPrefix=oai_dc",
        &["Accept-Encoding: br, gzip;q=0.8"],
    );
    assert_eq!(zipped.header("Content-Encoding"), Some("gzip"));
    assert_eq!(common::gunzip(&zipped.body), plain.body);
}

#[test]
fn identify_reports_base_url() {
    let repository = OaiRepository::new(3, 3);
    let server = serve(&repository);
    let body = fetch(&server, "verb=Identify");
    let expected = server.url("/oai");
    assert_eq!(element(&body, "baseURL"), Some(expected.as_str()));
    assert_eq!(element(&body, "request"), Some(expected.as_str()));
    assert_eq!(element(&body, "deletedRecord"), Some("persistent"));
}
