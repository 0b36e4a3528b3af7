//! End to end: a paginated, throttled, gzip-compressed OAI-PMH repository, an RSS 2.0 feed and an
//! Atom feed with xml:base are harvested by the real binary, and every record is then found by a
//! word of its own through both the HTTP API and `sheaf search --json`.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Env, encode, fixture, hit_ids};
use serde_json::Value;
use sheaf_testkit::{OaiRepository, Response, Route, Routes, TestServer};

const OAI_RECORDS: u64 = 240;
const OAI_PAGE_SIZE: usize = 48;
const CONTROL_CHARACTER_RECORD: u64 = 17;

/// Splits text into lower-cased alphabetic words, the way a reader would pick search words.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 6 && w.chars().all(char::is_alphabetic))
        .map(str::to_lowercase)
        .collect()
}

/// Collects every string inside a JSON value.
fn strings(value: &Value, out: &mut String) {
    match value {
        Value::String(s) => {
            out.push_str(s);
            out.push(' ');
        }
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

#[test]
fn harvest_then_find_every_record() {
    let Some(shared) = sheaf_testkit::shared_dir() else {
        return;
    };
    let rss = shared
        .join("corpus/feeds/miniflux/internal/reader/parser/testdata/encoding_ISO-8859-1.xml");

    let repository = OaiRepository::new(OAI_RECORDS, OAI_PAGE_SIZE)
        .token_whitespace(true)
        .gzip(true)
        .unavailable_first(1, 1)
        .control_character_in(CONTROL_CHARACTER_RECORD);
    let routes = Routes::new()
        .route(repository.route("/oai"))
        .route(
            Route::new("/rss")
                .respond(Response::file(&rss).header("Content-Type", "application/rss+xml")),
        )
        .route(Route::new("/atom").respond(Response::file(fixture("atom-xml-base.atom"))));
    let server = TestServer::start(routes);

    let env = Env::new(&format!(
        "[[sources]]\nid = \"repo\"\nkind = \"oai-pmh\"\nurl = \"{}\"\ncountry = \"FR\"\n\n\
         [[sources]]\nid = \"golem\"\nkind = \"feed\"\nurl = \"{}\"\n\n\
         [[sources]]\nid = \"observatory\"\nkind = \"feed\"\nurl = \"{}\"\n",
        server.url("/oai"),
        server.url("/rss"),
        server.url("/atom")
    ));
    let summary = env.run_ok(&["harvest"]);
    assert!(summary.contains("repo"), "{summary}");

    // The first request received 503 and was retried, and tokens were sent trimmed.
    let requests = server.requests();
    let oai: Vec<_> = requests.iter().filter(|r| r.path == "/oai").collect();
    let tokens: Vec<&str> = oai
        .iter()
        .filter_map(|r| r.param("resumptionToken"))
        .collect();
    assert_eq!(
        tokens.len(),
        4,
        "four follow-up pages after the first of five"
    );
    for token in &tokens {
        assert_eq!(token.trim(), *token, "token sent untrimmed: {token:?}");
    }

    let daemon = env.serve();
    let sources = daemon.get_json("/api/sources");
    let sources = sources["sources"].as_array().expect("sources list");
    let repo = sources
        .iter()
        .find(|s| s["id"] == "repo")
        .expect("repo source");
    assert_eq!(repo["live_records"], OAI_RECORDS);

    // Every OAI record: its own word through the API and the command line, then the whole record.
    for index in 0..OAI_RECORDS {
        let expected = repository.record(index);
        let id = format!("repo:{}", expected.identifier);
        let api = daemon.get_json(&format!("/api/search?q={}&limit=5", encode(&expected.word)));
        assert_eq!(
            hit_ids(&api),
            vec![id.clone()],
            "API search for {}",
            expected.word
        );
        assert_eq!(api["hits"][0]["title"], expected.title.as_str());
        let cli = env.search_json(&expected.word, 5);
        assert_eq!(
            hit_ids(&cli),
            vec![id.clone()],
            "CLI search for {}",
            expected.word
        );
        assert_eq!(
            cli["hits"], api["hits"],
            "CLI and API bodies differ for {}",
            expected.word
        );
        let record = daemon.get_json(&format!("/api/records/{}", encode(&id)));
        assert_eq!(record["id"], id.as_str());
        assert_eq!(record["source"], "repo");
        assert_eq!(record["country"], "FR");
        assert_eq!(record["title"][0]["text"], expected.title.as_str());
    }

    // The control character was removed, and the rest of that description kept.
    let id = format!(
        "repo:{}",
        repository.record(CONTROL_CHARACTER_RECORD).identifier
    );
    let record = daemon.get_json(&format!("/api/records/{}", encode(&id)));
    let description = record["description"][0]["text"]
        .as_str()
        .expect("description");
    assert!(!description.contains('\u{1}'), "{description:?}");
    assert!(!description.is_empty());

    // Feed records: ids as published, links resolved against xml:base.
    let atom = daemon.get_json(&format!(
        "/api/records/{}",
        encode("observatory:urn:uuid:1b3e6c52-5a77-4a8e-8f9c-0d1c2e3f4a51")
    ));
    assert_eq!(
        atom["url"],
        "https://observatory.example.org/news/2026/quasiflare.html"
    );
    let event = daemon.get_json(&format!(
        "/api/records/{}",
        encode("observatory:urn:uuid:1b3e6c52-5a77-4a8e-8f9c-0d1c2e3f4a52")
    ));
    assert_eq!(
        event["url"],
        "https://observatory.example.org/events/open-night-meteorwatch"
    );
    let french = daemon.get_json(&format!(
        "/api/records/{}",
        encode("observatory:urn:uuid:1b3e6c52-5a77-4a8e-8f9c-0d1c2e3f4a53")
    ));
    assert_eq!(
        french["url"],
        "https://observatory.example.org/fr/nebuleuses"
    );
    assert_eq!(
        french["title"][0]["text"],
        "Soirée d'observation des nébuleuses"
    );

    // Every feed record is found by a word that occurs in no other record.
    let mut feed_records = Vec::new();
    for source in ["golem", "observatory"] {
        let all = daemon.get_json(&format!("/api/search?filter=source:{source}&limit=100"));
        for id in hit_ids(&all) {
            let record = daemon.get_json(&format!("/api/records/{}", encode(&id)));
            feed_records.push((id, record));
        }
    }
    assert_eq!(
        feed_records
            .iter()
            .filter(|(id, _)| id.starts_with("golem:"))
            .count(),
        40
    );
    assert_eq!(
        feed_records
            .iter()
            .filter(|(id, _)| id.starts_with("observatory:"))
            .count(),
        3
    );

    let mut document_frequency: BTreeMap<String, usize> = BTreeMap::new();
    let mut record_words = Vec::new();
    for (id, record) in &feed_records {
        let mut text = String::new();
        strings(record, &mut text);
        let found = words(&text);
        for word in &found {
            *document_frequency.entry(word.clone()).or_default() += 1;
        }
        record_words.push((id.clone(), found));
    }
    for index in 0..OAI_RECORDS {
        let id = format!("repo:{}", repository.record(index).identifier);
        let record = daemon.get_json(&format!("/api/records/{}", encode(&id)));
        let mut text = String::new();
        strings(&record, &mut text);
        for word in words(&text) {
            *document_frequency.entry(word).or_default() += 1;
        }
    }
    for (id, found) in &record_words {
        let word = found
            .iter()
            .find(|w| document_frequency.get(*w) == Some(&1))
            .unwrap_or_else(|| panic!("record {id} has no word of its own"));
        let api = daemon.get_json(&format!("/api/search?q={}&limit=5", encode(word)));
        assert_eq!(hit_ids(&api), vec![id.clone()], "API search for {word}");
        let cli = env.search_json(word, 5);
        assert_eq!(hit_ids(&cli), vec![id.clone()], "CLI search for {word}");
    }
}
