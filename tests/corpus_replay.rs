//! End to end on recorded responses of a real repository: the three-page Tethys `ListRecords`
//! chain (whose `completeListSize` counts pages, not records) is replayed behind a recorded
//! `Identify`, and a second repository returns `cannotDisseminateFormat`. The good source is
//! harvested and searchable; the bad one fails with the repository's error and exit code 1.

mod common;

use common::{Env, encode, hit_ids};
use sheaf_testkit::{Response, Route, Routes, TestServer};

#[test]
fn tethys_chain_and_oai_error() {
    let Some(shared) = sheaf_testkit::shared_dir() else {
        return;
    };
    let oai = shared.join("corpus/oai");
    let file = |name: &str| Response::file(oai.join(name));

    let mut routes = Routes::new();
    for path in ["/tethys", "/archive"] {
        routes = routes
            .route(
                Route::new(path)
                    .query("verb", "Identify")
                    .respond(file("tethys__identify.xml")),
            )
            .route(
                Route::new(path)
                    .query("verb", "ListMetadataFormats")
                    .respond(file("sickle__ListMetadataFormats.xml")),
            );
    }
    routes = routes
        // Yearly windows before the last one end with `until`; the recording has nothing there.
        .route(
            Route::new("/tethys")
                .query_present("until")
                .respond(file("sickle__noRecordsMatch.xml")),
        )
        .route(
            Route::new("/tethys")
                .query("resumptionToken", "177435798600000")
                .respond(file("tethys__list-records-2.xml")),
        )
        .route(
            Route::new("/tethys")
                .query("resumptionToken", "177435798700000")
                .respond(file("tethys__list-records-3.xml")),
        )
        .route(
            Route::new("/tethys")
                .query("verb", "ListRecords")
                .respond(file("tethys__list-records-1.xml")),
        )
        .route(
            Route::new("/archive")
                .query("verb", "ListRecords")
                .respond(file("oaipmh-rs__err_bad_prefix.xml")),
        );
    let server = TestServer::start(routes);

    let env = Env::new(&format!(
        "[[sources]]\nid = \"tethys\"\nkind = \"oai-pmh\"\nurl = \"{}\"\ncountry = \"AT\"\n\n\
         [[sources]]\nid = \"archive\"\nkind = \"oai-pmh\"\nurl = \"{}\"\n",
        server.url("/tethys"),
        server.url("/archive")
    ));
    let output = env.run(&["harvest"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "one source failed, so exit 1:\n{stdout}"
    );
    assert!(stdout.contains("cannotDisseminateFormat"), "{stdout}");

    // Only the last, open-ended window lists records, and its three pages hold nine.
    let requests = server.requests();
    let tokens: Vec<&str> = requests
        .iter()
        .filter_map(|r| r.param("resumptionToken"))
        .collect();
    assert_eq!(tokens, vec!["177435798600000", "177435798700000"]);

    let all = env.search_json("", 100);
    assert_eq!(all["total"], 9);
    let mut ids = hit_ids(&all);
    ids.sort();
    let expected: Vec<String> = (1..=9)
        .map(|n| format!("tethys:oai:tethys.at:{n}"))
        .collect();
    assert_eq!(ids, expected);

    let found = env.search_json("Radenthein", 10);
    let mut radenthein = hit_ids(&found);
    radenthein.sort();
    assert_eq!(
        radenthein,
        vec!["tethys:oai:tethys.at:2", "tethys:oai:tethys.at:3"]
    );

    let daemon = env.serve();
    let record = daemon.get_json(&format!(
        "/api/records/{}",
        encode("tethys:oai:tethys.at:1")
    ));
    assert_eq!(
        record["title"][0]["text"],
        "GEOFAST 1:50.000, Blatt 53 – Amstetten, Stand 2019"
    );
    assert_eq!(record["title"][0]["language"], "de");
    assert_eq!(record["country"], "AT");
    let sources = daemon.get_json("/api/sources");
    let archive = sources["sources"]
        .as_array()
        .and_then(|list| list.iter().find(|s| s["id"] == "archive"))
        .expect("archive source")
        .clone();
    assert_eq!(archive["last_run"]["status"], "failed");
    assert_eq!(archive["live_records"], 0);
}
