//! End to end: a local test server replays each OAI-PMH fault case of the shared inputs, and the
//! real binary harvests it. The tests check the store, the index and the requests the harvester
//! sent against the behaviour that the case's README describes.

// Helpers outside `#[test]` functions fail the test by panicking too.
#![allow(clippy::unwrap_used)]

mod common;
mod support;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use common::{Env, encode};
use sheaf_testkit::{RecordedRequest, Response, Route, TestServer};
use support::{Db, PageRecord, identify, last_run, list_page, oai_base, oai_error, oai_source};

/// `responseDate` of the test's own `Identify` responses.
const IDENTIFY_DATE: &str = "2026-01-10T10:00:00Z";

/// Returns the folder of one case, or `None` when the shared inputs are absent.
fn case(name: &str) -> Option<PathBuf> {
    let shared = sheaf_testkit::shared_dir()?;
    Some(shared.join("cases/oai").join(name))
}

fn case_file(dir: &std::path::Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

/// Returns the `ListRecords` requests among the recorded ones.
fn list_requests(server: &TestServer) -> Vec<RecordedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.param("verb") == Some("ListRecords"))
        .collect()
}

/// Writes a config with one OAI-PMH source `case` at the server's `/oai`.
fn case_env(server: &TestServer) -> Env {
    Env::new(&oai_source("case", &server.url("/oai")))
}

fn record_id(local: u32) -> String {
    format!("case:oai:repo.example.net:{local}")
}

/// Serves one page for every `ListRecords` request and checks the one record's title.
fn single_page_title(name: &str, expected_title: &str) -> Option<(Env, Db)> {
    let dir = case(name)?;
    let routes = oai_base("/oai", identify(IDENTIFY_DATE, "YYYY-MM-DDThh:mm:ssZ"))
        .route(Route::new("/oai").respond(Response::xml(case_file(&dir, "page.xml"))));
    let server = TestServer::start(routes);
    let env = case_env(&server);
    env.run_ok(&["harvest"]);
    let db = Db::open(&env);
    assert_eq!(db.title(&record_id(1)), expected_title);
    Some((env, db))
}

#[test]
fn token_with_whitespace_is_sent_trimmed() {
    let Some(dir) = case("token-with-whitespace") else {
        return;
    };
    let routes = oai_base("/oai", identify(IDENTIFY_DATE, "YYYY-MM-DDThh:mm:ssZ"))
        .route(
            Route::new("/oai")
                .query("resumptionToken", "abc-123")
                .respond(Response::xml(case_file(&dir, "page2.xml"))),
        )
        .route(
            // A server that compares tokens exactly.
            Route::new("/oai")
                .query_present("resumptionToken")
                .respond(Response::xml(oai_error(
                    "badResumptionToken",
                    "unknown token",
                ))),
        )
        .route(Route::new("/oai").respond(Response::xml(case_file(&dir, "page1.xml"))));
    let server = TestServer::start(routes);
    let env = case_env(&server);
    env.run_ok(&["harvest"]);

    let tokens: Vec<String> = list_requests(&server)
        .iter()
        .filter_map(|r| r.param("resumptionToken").map(str::to_owned))
        .collect();
    assert_eq!(tokens, vec!["abc-123".to_owned()]);
    let db = Db::open(&env);
    assert_eq!(db.counts("case").live, 2);
    assert_eq!(db.title(&record_id(2)), "Mangrove carbon stocks");
}

#[test]
fn empty_token_ends_the_list() {
    let Some(dir) = case("empty-token-ends-list") else {
        return;
    };
    let routes = oai_base("/oai", identify(IDENTIFY_DATE, "YYYY-MM-DDThh:mm:ssZ"))
        .route(
            Route::new("/oai")
                .query("resumptionToken", "page2")
                .respond(Response::xml(case_file(&dir, "page2.xml"))),
        )
        .route(
            Route::new("/oai")
                .query_present("resumptionToken")
                .respond(Response::xml(oai_error(
                    "badResumptionToken",
                    "unknown token",
                ))),
        )
        .route(Route::new("/oai").respond(Response::xml(case_file(&dir, "page1.xml"))));
    let server = TestServer::start(routes);
    let env = case_env(&server);
    env.run_ok(&["harvest"]);

    let requests = list_requests(&server);
    assert_eq!(requests.len(), 2, "{requests:#?}");
    assert!(
        requests
            .iter()
            .all(|r| r.param("resumptionToken") != Some("")),
        "an empty token was sent back: {requests:#?}"
    );
    let db = Db::open(&env);
    assert_eq!(db.counts("case").live, 3);
    let run = last_run(&env, "case");
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["added"], 3);
}

/// Responds to `ListRecords` like a day-granularity repository: `badArgument` (the case's own
/// response) for any argument with a time part, else the records whose day lies in the window.
fn day_repository(records: Arc<Mutex<Vec<PageRecord>>>, bad_argument: Vec<u8>) -> Route {
    Route::new("/oai")
        .query("verb", "ListRecords")
        .handler(move |request| {
            let from = request.param("from");
            let until = request.param("until");
            if from.is_some_and(|f| f.contains('T')) || until.is_some_and(|u| u.contains('T')) {
                return Response::xml(bad_argument.clone());
            }
            let listed: Vec<PageRecord> = records
                .lock()
                .unwrap()
                .iter()
                .filter(|r| from.is_none_or(|f| r.datestamp.as_str() >= f))
                .filter(|r| until.is_none_or(|u| r.datestamp.as_str() <= u))
                .cloned()
                .collect();
            if listed.is_empty() {
                return Response::xml(oai_error("noRecordsMatch", "no records in this window"));
            }
            Response::xml(list_page(&listed, None))
        })
}

#[test]
fn day_granularity_sends_days_and_overlaps_one_day() {
    let Some(dir) = case("day-granularity") else {
        return;
    };
    let records = Arc::new(Mutex::new(vec![
        PageRecord::new(
            "oai:repo.example.net:1",
            "2025-12-02",
            "Permafrost carbon release",
        ),
        PageRecord::new(
            "oai:repo.example.net:2",
            "2026-01-09",
            "Aerosol optical depth",
        ),
    ]));
    let routes = sheaf_testkit::Routes::new()
        .route(
            Route::new("/oai")
                .query("verb", "Identify")
                .respond(Response::xml(case_file(&dir, "identify.xml"))),
        )
        .route(
            Route::new("/oai")
                .query("verb", "ListMetadataFormats")
                .respond(Response::xml(support::metadata_formats())),
        )
        .route(day_repository(
            records.clone(),
            case_file(&dir, "bad-argument.xml"),
        ));
    let server = TestServer::start(routes);
    let env = case_env(&server);
    env.run_ok(&["harvest"]);
    let first = list_requests(&server);
    assert!(!first.is_empty());
    let db = Db::open(&env);
    assert_eq!(db.counts("case").live, 2);
    drop(db);

    // The case's Identify is dated 2026-01-10T10:00:00Z: the next run starts one day earlier.
    records.lock().unwrap().push(PageRecord::new(
        "oai:repo.example.net:3",
        "2026-01-10",
        "Stratospheric water vapour",
    ));
    server.take_requests();
    env.run_ok(&["harvest"]);
    let second = list_requests(&server);
    assert_eq!(second.len(), 1, "{second:#?}");
    assert_eq!(second[0].param("from"), Some("2026-01-09"));
    for request in first.iter().chain(&second) {
        for name in ["from", "until"] {
            if let Some(value) = request.param(name) {
                assert_eq!(value.len(), 10, "{name}={value} is not a day");
            }
        }
    }
    let run = last_run(&env, "case");
    assert_eq!(run["status"], "succeeded");
    assert_eq!(
        (run["added"].as_u64(), run["unchanged"].as_u64()),
        (Some(1), Some(1))
    );
    let db = Db::open(&env);
    let counts = db.counts("case");
    assert_eq!((counts.live, counts.distinct), (3, 3));
}

#[test]
fn retry_after_seconds_and_date_honoured() {
    let Some(dir) = case("retry-after") else {
        return;
    };
    let routes = oai_base("/oai", identify(IDENTIFY_DATE, "YYYY-MM-DDThh:mm:ssZ")).route(
        Route::new("/oai")
            .query("verb", "ListRecords")
            .respond(Response::status(503).header("Retry-After", "2"))
            .respond(
                Response::status(429)
                    .header("Retry-After", "Sat, 10 Jan 2026 10:00:03 GMT")
                    .header("Date", "Sat, 10 Jan 2026 10:00:00 GMT"),
            )
            .respond(Response::xml(case_file(&dir, "page.xml"))),
    );
    let server = TestServer::start(routes);
    let env = case_env(&server);
    env.run_ok(&["harvest"]);

    let requests = list_requests(&server);
    assert_eq!(requests.len(), 3);
    assert!(
        requests.iter().all(|r| r.target == requests[0].target),
        "the same request is retried"
    );
    let db = Db::open(&env);
    assert_eq!(db.counts("case").live, 2);
    let run = last_run(&env, "case");
    assert_eq!(run["retries"], 2);
    assert_eq!(run["added"], 2);
}

#[test]
fn bad_token_restarts_window_keeps_mark() {
    let Some(dir) = case("bad-resumption-token") else {
        return;
    };
    let page2 = list_page(
        &[PageRecord::new(
            "oai:repo.example.net:3",
            "2025-12-04T12:00:00Z",
            "Magma chamber imaging",
        )],
        None,
    );
    let script = |identify_date: &str, token_answers: Vec<Response>| {
        let mut token_route = Route::new("/oai").query("resumptionToken", "t-1");
        for answer in token_answers {
            token_route = token_route.respond(answer);
        }
        oai_base("/oai", identify(identify_date, "YYYY-MM-DDThh:mm:ssZ"))
            .route(token_route)
            .route(Route::new("/oai").respond(Response::xml(case_file(&dir, "page1.xml"))))
    };
    let error = Response::xml(case_file(&dir, "error.xml"));

    // The token expires once; the window restarts from its start and the list completes.
    let server = TestServer::start(script(
        IDENTIFY_DATE,
        vec![error.clone(), Response::xml(page2)],
    ));
    let env = case_env(&server);
    env.run_ok(&["harvest"]);
    let requests = list_requests(&server);
    let tokens: Vec<Option<&str>> = requests
        .iter()
        .map(|r| r.param("resumptionToken"))
        .collect();
    assert_eq!(tokens, vec![None, Some("t-1"), None, Some("t-1")]);
    assert_eq!(
        requests[0].target, requests[2].target,
        "the restart repeats the window's request"
    );
    let db = Db::open(&env);
    let counts = db.counts("case");
    assert_eq!((counts.live, counts.distinct), (3, 3));
    assert_eq!(db.checkpoint("case")["high_water"], IDENTIFY_DATE);
    drop(db);

    // A later run whose token never works fails and leaves the mark where it was.
    server.replace(script("2026-01-20T10:00:00Z", vec![error]));
    let output = env.run(&["harvest"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        support::output_text(&output)
    );
    let db = Db::open(&env);
    assert_eq!(db.checkpoint("case")["high_water"], IDENTIFY_DATE);
    let counts = db.counts("case");
    assert_eq!((counts.live, counts.distinct), (3, 3));
    assert_eq!(last_run(&env, "case")["status"], "failed");
}

#[test]
fn control_characters_are_removed_and_counted() {
    let Some(dir) = case("control-characters") else {
        return;
    };
    let routes = oai_base("/oai", identify(IDENTIFY_DATE, "YYYY-MM-DDThh:mm:ssZ"))
        .route(Route::new("/oai").respond(Response::xml(case_file(&dir, "page.xml"))));
    let server = TestServer::start(routes);
    let env = case_env(&server);
    env.run_ok(&["harvest"]);

    let db = Db::open(&env);
    assert_eq!(db.counts("case").live, 3);
    assert_eq!(db.title(&record_id(1)), "Heat wave forecast");
    assert_eq!(db.title(&record_id(2)), "Ozone layer trend report");
    assert_eq!(db.title(&record_id(3)), "Drought index update");
    let run = last_run(&env, "case");
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["repairs"], 3, "{run}");
}

#[test]
fn declared_latin1_is_decoded_by_its_declaration() {
    single_page_title("declared-latin1", "École d'été en géosciences");
}

#[test]
fn invalid_utf8_byte_is_repaired_alone() {
    let Some((env, _db)) = single_page_title("invalid-utf8", "Café scientifique: énergie solaire")
    else {
        return;
    };
    let run = last_run(&env, "case");
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["repairs"], 1, "{run}");
}

#[test]
fn prefixed_namespaces_are_matched_by_uri() {
    single_page_title("prefixed-namespaces", "Prefixed namespaces everywhere");
}

#[test]
fn deleted_header_only_becomes_a_tombstone() {
    let Some(dir) = case("deleted-header-only") else {
        return;
    };
    let earlier = list_page(
        &[
            PageRecord::new(
                "oai:repo.example.net:1",
                "2025-12-01T12:00:00Z",
                "Cloud seeding trial",
            ),
            PageRecord::new(
                "oai:repo.example.net:2",
                "2025-12-02T12:00:00Z",
                "Hailstorm nowcasting",
            ),
        ],
        None,
    );
    let routes = oai_base("/oai", identify(IDENTIFY_DATE, "YYYY-MM-DDThh:mm:ssZ"))
        .route(Route::new("/oai").respond(Response::xml(earlier)));
    let server = TestServer::start(routes);
    let env = case_env(&server);
    env.run_ok(&["harvest"]);
    assert_eq!(
        common::hit_ids(&env.search_json("hailstorm", 10)),
        vec![record_id(2)]
    );

    server.replace(
        oai_base(
            "/oai",
            identify("2026-01-11T10:00:00Z", "YYYY-MM-DDThh:mm:ssZ"),
        )
        .route(Route::new("/oai").respond(Response::xml(case_file(&dir, "page.xml")))),
    );
    env.run_ok(&["harvest"]);
    assert_eq!(env.search_json("hailstorm", 10)["total"], 0);
    let db = Db::open(&env);
    assert!(db.is_deleted(&record_id(2)));
    assert!(!db.is_deleted(&record_id(3)));
    assert_eq!(db.title(&record_id(3)), "Still here");
    let run = last_run(&env, "case");
    assert_eq!(
        (run["deleted"].as_u64(), run["added"].as_u64()),
        (Some(1), Some(1))
    );

    let daemon = env.serve();
    let (status, body) = daemon.get(&format!("/api/records/{}", encode(&record_id(2))));
    assert_eq!(status, 410, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["deleted"], true);
    assert_eq!(body["id"], record_id(2));
    assert!(
        body["datestamp"]
            .as_str()
            .unwrap_or_default()
            .starts_with("2026-01-09T08:00:00"),
        "{body}"
    );
    let record = daemon.get_json(&format!("/api/records/{}", encode(&record_id(3))));
    assert_eq!(record["title"][0]["text"], "Still here");
}

#[test]
fn no_records_match_succeeds_and_keeps_the_mark() {
    let Some(dir) = case("no-records-match") else {
        return;
    };
    let page = list_page(
        &[PageRecord::new(
            "oai:repo.example.net:1",
            "2026-01-08T12:00:00Z",
            "Tide gauge records",
        )],
        None,
    );
    let routes = oai_base("/oai", identify(IDENTIFY_DATE, "YYYY-MM-DDThh:mm:ssZ"))
        .route(Route::new("/oai").respond(Response::xml(page)));
    let server = TestServer::start(routes);
    let env = case_env(&server);
    env.run_ok(&["harvest"]);
    assert_eq!(
        Db::open(&env).checkpoint("case")["high_water"],
        IDENTIFY_DATE
    );

    // The repository's clock is now behind the mark; its response is noRecordsMatch.
    server.replace(
        oai_base(
            "/oai",
            identify("2026-01-09T00:00:00Z", "YYYY-MM-DDThh:mm:ssZ"),
        )
        .route(Route::new("/oai").respond(Response::xml(case_file(&dir, "response.xml")))),
    );
    server.take_requests();
    let output = env.run(&["harvest"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        support::output_text(&output)
    );
    let requests = list_requests(&server);
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].param("from"), Some("2026-01-10T09:59:59Z"));
    let run = last_run(&env, "case");
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["added"], 0);
    let db = Db::open(&env);
    assert_eq!(db.checkpoint("case")["high_water"], IDENTIFY_DATE);
    assert_eq!(db.counts("case").live, 1);
}
