//! Router tests over a real store and a real index in temporary folders.
#![allow(clippy::unwrap_used)] // Test helpers outside #[test] functions fail loudly by design.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use sheaf_index::{SearchIndex, catch_up};
use sheaf_record::{LangText, PartialDate, Record, ResourceType};
use sheaf_server::{AppState, HarvestControl, ServerConfig, SourceSchedule, TriggerError, router};
use sheaf_store::{IncomingRecord, RunReport, RunStatus, SourceRow, Store};
use tempfile::TempDir;
use tower::ServiceExt;

const TOKEN: &str = "correct horse battery staple";
const LIVE_CERN: &str = "cern:oai:cds.cern.ch:2871235";
const DELETED_CERN: &str = "cern:oai:cds.cern.ch:17";
const LIVE_IFREMER: &str = "ifremer:oai:archimer.ifremer.fr/doc/81234";

/// A stand-in for the harvester's scheduler with the sources `cern`, `ifremer` and `broken`.
#[derive(Default)]
struct FakeHarvest {
    running: Mutex<HashSet<String>>,
}

fn next_run() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 2, 2, 0, 0).unwrap()
}

impl HarvestControl for FakeHarvest {
    fn trigger(&self, source_id: &str) -> Result<i64, TriggerError> {
        match source_id {
            "broken" => Err(TriggerError::Other("scheduler channel closed".to_owned())),
            "cern" | "ifremer" => {
                let mut running = self.running.lock().unwrap();
                if !running.insert(source_id.to_owned()) {
                    return Err(TriggerError::AlreadyRunning);
                }
                Ok(42)
            }
            _ => Err(TriggerError::UnknownSource),
        }
    }

    fn schedule(&self, source_id: &str) -> Option<SourceSchedule> {
        let running = self.running.lock().unwrap().contains(source_id);
        match source_id {
            "cern" => Some(SourceSchedule {
                schedule: Some("0 2 * * *".to_owned()),
                next_run: Some(next_run()),
                enabled: true,
                running,
            }),
            "ifremer" => Some(SourceSchedule {
                schedule: None,
                next_run: None,
                enabled: true,
                running,
            }),
            _ => None,
        }
    }
}

struct Fixture {
    _dir: TempDir,
    store: Arc<Store>,
    router: Router,
}

fn record(id: &str, title: &str, country: &str, year: i32, dcmi: &str) -> Record {
    let source = id.split_once(':').unwrap().0;
    Record {
        id: id.to_owned(),
        source: source.to_owned(),
        country: Some(country.to_owned()),
        datestamp: Some(Utc.with_ymd_and_hms(2024, 3, 1, 9, 12, 44).unwrap()),
        title: vec![LangText {
            text: title.to_owned(),
            language: Some("en".to_owned()),
        }],
        description: vec![LangText::new(format!(
            "{title}, measured over four decades."
        ))],
        date: Some(PartialDate {
            year,
            month: Some(6),
            day: None,
            original: format!("{year}-06"),
        }),
        types: vec![ResourceType {
            dcmi: Some(dcmi.to_owned()),
            original: dcmi.to_owned(),
        }],
        url: Some(format!("https://example.org/{year}")),
        ..Record::default()
    }
}

fn incoming(record: Record) -> IncomingRecord {
    IncomingRecord {
        raw: format!("<record id=\"{}\"/>", record.id),
        format: "oai_dc".into(),
        record,
    }
}

fn report(added: u64, deleted: u64) -> RunReport {
    RunReport {
        status: RunStatus::Succeeded,
        pages: 1,
        added,
        updated: 0,
        deleted,
        unchanged: 0,
        repairs: 0,
        retries: 0,
        errors: 0,
        message: None,
    }
}

/// Writes two sources with three records (one a tombstone), indexes them, and builds the router.
fn fixture(admin_token: Option<&str>) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sheaf.db")).unwrap();
    let sources = [("cern", "CERN Document Server"), ("ifremer", "Archimer")];
    let rows: Vec<SourceRow> = sources
        .iter()
        .map(|(id, name)| SourceRow {
            id: (*id).to_owned(),
            name: (*name).to_owned(),
            kind: "oai-pmh".to_owned(),
            url: format!("https://{id}.example/oai"),
        })
        .collect();
    store.sync_sources(&rows).unwrap();

    let mut tombstone = record(DELETED_CERN, "Withdrawn note", "CH", 2001, "Text");
    tombstone.deleted = true;
    tombstone.datestamp = Some(Utc.with_ymd_and_hms(2024, 2, 11, 0, 0, 0).unwrap());
    let cern_page = [
        incoming(record(
            LIVE_CERN,
            "Beam tests of a silicon tracker",
            "CH",
            2023,
            "Text",
        )),
        incoming(tombstone),
    ];
    let run = store.start_run("cern", false).unwrap();
    store.write_page("cern", run, &cern_page, "{}").unwrap();
    store.finish_run(run, &report(1, 1)).unwrap();

    let ifremer_page = [incoming(record(
        LIVE_IFREMER,
        "Ocean warming in the Bay of Biscay",
        "FR",
        2021,
        "Dataset",
    ))];
    let run = store.start_run("ifremer", false).unwrap();
    store
        .write_page("ifremer", run, &ifremer_page, "{}")
        .unwrap();
    store.finish_run(run, &report(1, 0)).unwrap();

    let index = SearchIndex::open(&dir.path().join("index")).unwrap();
    let mut indexer = index.writer().unwrap();
    catch_up(&store, &index, &mut indexer).unwrap();
    drop(indexer);

    let store = Arc::new(store);
    let state = AppState {
        store: Arc::clone(&store),
        index: Arc::new(index),
        harvest: Arc::new(FakeHarvest::default()),
        config: ServerConfig {
            admin_token: admin_token.map(str::to_owned),
            public_url: Some("https://sheaf.example/".to_owned()),
            version: "9.9.9",
        },
        metrics: None,
    };
    Fixture {
        _dir: dir,
        store,
        router: router(state),
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|err| panic!("body is not JSON ({err}): {}", self.text))
    }
}

async fn send(router: &Router, method: Method, uri: &str, authorization: Option<&str>) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        text: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

async fn get(router: &Router, uri: &str) -> Reply {
    send(router, Method::GET, uri, None).await
}

fn hit_ids(body: &Value) -> Vec<&str> {
    body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn search_finds_live_records() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/api/search?q=ocean+warming").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["total"], json!(1));
    assert_eq!(hit_ids(&body), vec![LIVE_IFREMER]);
    assert_eq!(
        body["hits"][0]["title"],
        json!("Ocean warming in the Bay of Biscay")
    );
    assert_eq!(body["hits"][0]["date"], json!("2021-06"));
    assert_eq!(body["next_cursor"], Value::Null);
}

#[tokio::test]
async fn search_leaves_out_tombstones() {
    let fixture = fixture(None);
    let body = get(&fixture.router, "/api/search?q=withdrawn").await.json();
    assert_eq!(body["total"], json!(0));
    let body = get(&fixture.router, "/api/search").await.json();
    assert_eq!(body["total"], json!(2));
}

#[tokio::test]
async fn search_filters_facets_and_sorts() {
    let fixture = fixture(None);
    let uri = "/api/search?filter=country:FR&filter=country:CH&facets=country,year&sort=-date";
    let body = get(&fixture.router, uri).await.json();
    assert_eq!(hit_ids(&body), vec![LIVE_CERN, LIVE_IFREMER]);
    assert_eq!(
        body["facets"]["year"],
        json!([{"value": "2021", "count": 1}, {"value": "2023", "count": 1}])
    );
    assert_eq!(body["facets"]["country"].as_array().unwrap().len(), 2);

    let body = get(&fixture.router, "/api/search?sort=date").await.json();
    assert_eq!(hit_ids(&body), vec![LIVE_IFREMER, LIVE_CERN]);

    let body = get(
        &fixture.router,
        "/api/search?filter=year:%5B2022%20TO%202030%5D",
    )
    .await
    .json();
    assert_eq!(hit_ids(&body), vec![LIVE_CERN]);
}

#[tokio::test]
async fn search_cursor_pages_once_each() {
    let fixture = fixture(None);
    let first = get(&fixture.router, "/api/search?sort=date&limit=1")
        .await
        .json();
    assert_eq!(hit_ids(&first), vec![LIVE_IFREMER]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let uri = format!("/api/search?sort=date&limit=1&cursor={cursor}");
    let second = get(&fixture.router, &uri).await.json();
    assert_eq!(hit_ids(&second), vec![LIVE_CERN]);
    assert_eq!(second["next_cursor"], Value::Null);
}

#[tokio::test]
async fn search_limit_over_bound_rejected() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/api/search?q=x&limit=500").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!("search_limit_over_bound", reply.json());
}

#[tokio::test]
async fn search_unknown_parameter_rejected() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/api/search?q=x&page=2").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!("search_unknown_parameter", reply.json());
}

#[tokio::test]
async fn search_unknown_filter_rejected() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/api/search?filter=colour:red").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!("search_unknown_filter", reply.json());
}

#[tokio::test]
async fn search_malformed_filter_rejected() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/api/search?filter=FR").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["code"], json!("invalid_filter"));
}

#[tokio::test]
async fn search_unknown_facet_rejected() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/api/search?facets=colour").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!("search_unknown_facet", reply.json());
}

#[tokio::test]
async fn search_foreign_cursor_rejected() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/api/search?cursor=not-a-cursor").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["code"], json!("invalid_cursor"));
}

#[tokio::test]
async fn search_bad_sort_rejected() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/api/search?sort=title").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!("search_bad_sort", reply.json());
}

#[tokio::test]
async fn record_returns_whole_record() {
    let fixture = fixture(None);
    let reply = get(
        &fixture.router,
        "/api/records/cern%3Aoai%3Acds.cern.ch%3A2871235",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let stored = fixture.store.get(LIVE_CERN).unwrap().unwrap();
    assert_eq!(reply.json(), serde_json::to_value(&stored.record).unwrap());
    assert_eq!(
        reply.json()["title"][0]["text"],
        json!("Beam tests of a silicon tracker")
    );
}

#[tokio::test]
async fn record_id_with_encoded_slash() {
    let fixture = fixture(None);
    let reply = get(
        &fixture.router,
        "/api/records/ifremer%3Aoai%3Aarchimer.ifremer.fr%2Fdoc%2F81234",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["id"], json!(LIVE_IFREMER));
}

#[tokio::test]
async fn record_id_with_raw_slash() {
    let fixture = fixture(None);
    let reply = get(
        &fixture.router,
        "/api/records/ifremer:oai:archimer.ifremer.fr/doc/81234",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["id"], json!(LIVE_IFREMER));
}

#[tokio::test]
async fn record_unknown_is_404() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/api/records/cern%3Anope").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    insta::assert_json_snapshot!("record_not_found", reply.json());
}

#[tokio::test]
async fn record_tombstone_is_410() {
    let fixture = fixture(None);
    let reply = get(
        &fixture.router,
        "/api/records/cern%3Aoai%3Acds.cern.ch%3A17",
    )
    .await;
    assert_eq!(reply.status, StatusCode::GONE);
    insta::assert_json_snapshot!("record_deleted", reply.json());
}

#[tokio::test]
async fn record_bad_encoding_is_400() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/api/records/cern%3A%FF").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["code"], json!("bad_request"));
}

#[tokio::test]
async fn sources_list_status_and_schedule() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/api/sources").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    let sources = body["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2);
    let cern = sources.iter().find(|s| s["id"] == json!("cern")).unwrap();
    assert_eq!(cern["name"], json!("CERN Document Server"));
    assert_eq!(cern["live_records"], json!(1));
    assert_eq!(cern["deleted_records"], json!(1));
    assert_eq!(cern["schedule"], json!("0 2 * * *"));
    assert_eq!(cern["next_run"], json!("2030-01-02T02:00:00Z"));
    assert_eq!(cern["enabled"], json!(true));
    assert_eq!(cern["running"], json!(false));
    assert_eq!(cern["last_run"]["status"], json!("succeeded"));
    assert_eq!(cern["last_run"]["added"], json!(1));
    let ifremer = sources
        .iter()
        .find(|s| s["id"] == json!("ifremer"))
        .unwrap();
    assert_eq!(ifremer["schedule"], Value::Null);
    assert_eq!(ifremer["live_records"], json!(1));
}

#[tokio::test]
async fn runs_of_source() {
    let fixture = fixture(None);
    let run = fixture.store.start_run("cern", true).unwrap();
    let body = get(&fixture.router, "/api/sources/cern/runs?limit=1")
        .await
        .json();
    assert_eq!(body["source_id"], json!("cern"));
    let runs = body["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["id"], json!(run));
    assert_eq!(runs[0]["status"], json!("running"));
    assert_eq!(runs[0]["full"], json!(true));

    let body = get(&fixture.router, "/api/sources/cern/runs").await.json();
    assert_eq!(body["runs"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn runs_of_unknown_source_is_404() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/api/sources/nasa/runs").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    insta::assert_json_snapshot!("source_not_found", reply.json());
}

#[tokio::test]
async fn runs_limit_over_bound_rejected() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/api/sources/cern/runs?limit=101").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["code"], json!("invalid_parameter"));
}

#[tokio::test]
async fn harvest_without_admin_token_is_404() {
    let fixture = fixture(None);
    let bearer = format!("Bearer {TOKEN}");
    let reply = send(
        &fixture.router,
        Method::POST,
        "/api/sources/cern/harvest",
        Some(&bearer),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    insta::assert_json_snapshot!("admin_disabled", reply.json());
}

#[tokio::test]
async fn harvest_missing_token_is_401() {
    let fixture = fixture(Some(TOKEN));
    let reply = send(
        &fixture.router,
        Method::POST,
        "/api/sources/cern/harvest",
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.headers[header::WWW_AUTHENTICATE],
        "Bearer realm=\"sheaf\""
    );
    insta::assert_json_snapshot!("unauthorized_missing", reply.json());
}

#[tokio::test]
async fn harvest_wrong_token_is_401() {
    let fixture = fixture(Some(TOKEN));
    let reply = send(
        &fixture.router,
        Method::POST,
        "/api/sources/nasa/harvest",
        Some("Bearer guess"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    insta::assert_json_snapshot!("unauthorized_wrong", reply.json());
}

#[tokio::test]
async fn harvest_starts_then_conflicts() {
    let fixture = fixture(Some(TOKEN));
    let bearer = format!("Bearer {TOKEN}");
    let uri = "/api/sources/cern/harvest";
    let reply = send(&fixture.router, Method::POST, uri, Some(&bearer)).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(reply.json(), json!({"run_id": 42, "source_id": "cern"}));
    assert_eq!(
        reply.headers[header::LOCATION],
        "https://sheaf.example/api/sources/cern/runs"
    );

    let reply = send(&fixture.router, Method::POST, uri, Some(&bearer)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    insta::assert_json_snapshot!("run_in_progress", reply.json());

    let body = get(&fixture.router, "/api/sources").await.json();
    let cern = body["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == json!("cern"));
    assert_eq!(cern.unwrap()["running"], json!(true));
}

#[tokio::test]
async fn harvest_unknown_source_is_404() {
    let fixture = fixture(Some(TOKEN));
    let bearer = format!("Bearer {TOKEN}");
    let reply = send(
        &fixture.router,
        Method::POST,
        "/api/sources/nasa/harvest",
        Some(&bearer),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["code"], json!("source_not_found"));
}

#[tokio::test]
async fn harvest_trigger_failure_is_500() {
    let fixture = fixture(Some(TOKEN));
    let bearer = format!("Bearer {TOKEN}");
    let reply = send(
        &fixture.router,
        Method::POST,
        "/api/sources/broken/harvest",
        Some(&bearer),
    )
    .await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    insta::assert_json_snapshot!("harvest_internal", reply.json());
}

#[tokio::test]
async fn health_and_readiness() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/healthz").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"status": "ok", "version": "9.9.9"}));
    let reply = get(&fixture.router, "/readyz").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"status": "ready"}));
}

#[tokio::test]
async fn metrics_report_store_and_index() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let lines: Vec<&str> = reply.text.lines().collect();
    let seq = fixture.store.max_seq().unwrap();
    let expected = [
        "sheaf_build_info{version=\"9.9.9\"} 1".to_owned(),
        "sheaf_records{state=\"live\"} 2".to_owned(),
        "sheaf_records{state=\"deleted\"} 1".to_owned(),
        "sheaf_index_documents 2".to_owned(),
        format!("sheaf_store_seq {seq}"),
        format!("sheaf_index_seq {seq}"),
        "sheaf_source_records{source_id=\"cern\",state=\"live\"} 1".to_owned(),
        "sheaf_source_records{source_id=\"cern\",state=\"deleted\"} 1".to_owned(),
        "sheaf_source_running{source_id=\"cern\"} 0".to_owned(),
        format!(
            "sheaf_source_next_run_timestamp_seconds{{source_id=\"cern\"}} {}",
            next_run().timestamp()
        ),
        "sheaf_source_last_run_status{source_id=\"ifremer\",status=\"succeeded\"} 1".to_owned(),
        "sheaf_source_last_run_errors{source_id=\"ifremer\"} 0".to_owned(),
        "# TYPE sheaf_records gauge".to_owned(),
    ];
    for line in &expected {
        assert!(
            lines.contains(&line.as_str()),
            "missing `{line}` in:\n{}",
            reply.text
        );
    }
}

#[tokio::test]
async fn unknown_route_is_404() {
    let fixture = fixture(None);
    let reply = get(&fixture.router, "/api/nothing").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    insta::assert_json_snapshot!("route_not_found", reply.json());
}

#[tokio::test]
async fn wrong_method_is_405() {
    let fixture = fixture(None);
    let reply = send(&fixture.router, Method::DELETE, "/api/search", None).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.headers[header::ALLOW], "GET,HEAD");
    insta::assert_json_snapshot!("method_not_allowed", reply.json());
}

#[tokio::test]
async fn get_on_harvest_is_405() {
    let fixture = fixture(Some(TOKEN));
    let reply = get(&fixture.router, "/api/sources/cern/harvest").await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.headers[header::ALLOW], "POST");
    assert_eq!(reply.json()["code"], json!("method_not_allowed"));
}
