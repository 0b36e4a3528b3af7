//! End to end: incremental harvests. A day-granularity repository changes between runs and
//! only the changes are fetched again; a feed returns 304 to a conditional request; a full
//! harvest finds a record that vanished without a deletion notice; a source removed from the
//! config keeps its records until `sheaf purge` removes them.

// Helpers outside `#[test]` functions fail the test by panicking too.
#![allow(clippy::unwrap_used)]

mod common;
mod support;

use common::{Env, encode, hit_ids};
use sheaf_testkit::{
    Granularity, OaiRepository, RecordedRequest, Response, Route, Routes, TestServer,
    record_identifier,
};
use support::{Db, feed_source, last_run, oai_source};

/// A title word that no generated record contains (generated words have seven letters).
const RETITLE_WORD: &str = "zqrtkwmv";

fn list_requests(server: &TestServer) -> Vec<RecordedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.param("verb") == Some("ListRecords"))
        .collect()
}

fn id_of(index: u64) -> String {
    format!("repo:{}", record_identifier(index))
}

/// Removes the `<record>` of `identifier` from a `ListRecords` response, as a repository that
/// forgets a record without reporting its deletion.
fn without_record(response: Response, identifier: &str) -> Response {
    let text = String::from_utf8(response.body.clone()).unwrap();
    let marker = format!("<identifier>{identifier}</identifier>");
    let Some(at) = text.find(&marker) else {
        return response;
    };
    let start = text[..at].rfind("<record>").unwrap();
    let end = at + text[at..].find("</record>").unwrap() + "</record>".len();
    let body = format!("{}{}", &text[..start], &text[end..]);
    response.body(body)
}

/// Asserts that `word` finds exactly the record `id`.
fn assert_found_once(env: &Env, word: &str, id: &str) {
    let body = env.search_json(word, 10);
    assert_eq!(hit_ids(&body), vec![id.to_owned()], "search {word}: {body}");
}

#[test]
fn day_granularity_repository_is_harvested_incrementally() {
    let repository = OaiRepository::new(30, 10).granularity(Granularity::Day);
    let server = TestServer::start(Routes::new().route(repository.route("/oai")));
    let env = Env::new(&oai_source("repo", &server.url("/oai")));

    repository.freeze_clock("2024-03-10T12:00:00Z");
    env.run_ok(&["harvest"]);
    let db = Db::open(&env);
    assert_eq!(db.counts("repo").live, 30);
    drop(db);
    let first_fetch = list_requests(&server).len();

    // Changes made on 2024-03-15; the next run happens on 2024-03-20.
    repository.freeze_clock("2024-03-15T12:00:00Z");
    let added = repository.add_records(3);
    repository.delete(4);
    repository.retitle(7, &format!("Renamed survey {RETITLE_WORD}"));
    repository.freeze_clock("2024-03-20T12:00:00Z");
    server.take_requests();
    env.run_ok(&["harvest"]);

    let requests = list_requests(&server);
    assert_eq!(
        requests[0].param("from"),
        Some("2024-03-09"),
        "{:?}",
        requests[0].target
    );
    assert!(
        requests.len() < first_fetch,
        "{} requests again",
        requests.len()
    );
    let run = last_run(&env, "repo");
    assert_eq!(run["added"], 3, "{run}");
    assert_eq!(run["updated"], 1, "{run}");
    assert_eq!(run["deleted"], 1, "{run}");
    assert_eq!(
        run["unchanged"], 0,
        "only changed records are listed: {run}"
    );

    for index in added.clone() {
        assert_found_once(&env, &repository.record(index).word, &id_of(index));
    }
    assert_eq!(env.search_json(&repository.record(4).word, 10)["total"], 0);
    assert_found_once(&env, RETITLE_WORD, &id_of(7));
    assert_eq!(
        Db::open(&env).title(&id_of(7)),
        format!("Renamed survey {RETITLE_WORD}")
    );

    // Nothing changed since: the repository returns noRecordsMatch and the run succeeds.
    server.take_requests();
    let output = env.run(&["harvest"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        support::output_text(&output)
    );
    assert_eq!(list_requests(&server)[0].param("from"), Some("2024-03-19"));
    let run = last_run(&env, "repo");
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["added"], 0);

    // Record 12 disappears without a deletion notice; only a full harvest can notice.
    let silent = repository.clone();
    let dropped = record_identifier(12);
    server.replace(
        Routes::new().route(
            Route::new("/oai")
                .handler(move |request| without_record(silent.respond(request), &dropped)),
        ),
    );
    env.run_ok(&["harvest", "--full"]);
    let db = Db::open(&env);
    assert!(db.is_deleted(&id_of(12)));
    assert!(!db.is_deleted(&id_of(13)));
    let counts = db.counts("repo");
    assert_eq!((counts.live, counts.deleted), (31, 2));
    assert_eq!(env.search_json(&repository.record(12).word, 10)["total"], 0);
    assert_eq!(env.search_json("", 100)["total"], 31);

    let daemon = env.serve();
    for index in [4, 12] {
        let (status, body) = daemon.get(&format!("/api/records/{}", encode(&id_of(index))));
        assert_eq!(status, 410, "record {index}: {body}");
    }
    let (status, _) = daemon.get(&format!("/api/records/{}", encode(&id_of(13))));
    assert_eq!(status, 200);
}

fn rss(items: &[(&str, &str)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Centre news</title><link>http://127.0.0.1/</link><description>News</description>",
    );
    for (guid, word) in items {
        out.push_str(&format!(
            "<item><title>Expedition {word}</title><link>http://127.0.0.1/news/{guid}</link>\
             <guid isPermaLink=\"false\">{guid}</guid>\
             <pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate>\
             <description>Field notes of the {word} expedition.</description></item>"
        ));
    }
    out.push_str("</channel></rss>\n");
    out
}

#[test]
fn feed_is_fetched_conditionally_and_purged_after_removal() {
    let repository = OaiRepository::new(5, 5);
    let feed = rss(&[("news-1", "zqfdbktw"), ("news-2", "zqfdbktx")]);
    let routes = Routes::new().route(repository.route("/oai")).route(
        Route::new("/feed.xml").conditional().respond(
            Response::ok(feed, "application/rss+xml")
                .header("ETag", "\"v1\"")
                .header("Last-Modified", "Mon, 05 Jan 2026 10:00:00 GMT"),
        ),
    );
    let server = TestServer::start(routes);
    let news = feed_source("news", &server.url("/feed.xml"));
    let env = Env::new(&format!(
        "{}{news}",
        oai_source("repo", &server.url("/oai"))
    ));

    env.run_ok(&["harvest"]);
    assert_found_once(&env, "zqfdbktw", "news:news-1");
    assert_eq!(last_run(&env, "news")["added"], 2);

    server.take_requests();
    env.run_ok(&["harvest"]);
    let feed_requests: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/feed.xml")
        .collect();
    assert_eq!(feed_requests.len(), 1);
    assert_eq!(feed_requests[0].header("if-none-match"), Some("\"v1\""));
    let run = last_run(&env, "news");
    assert_eq!(run["status"], "succeeded");
    assert_eq!(
        (run["added"].as_u64(), run["updated"].as_u64()),
        (Some(0), Some(0))
    );

    // Removed from the config, the source keeps its records, and later harvests leave it alone.
    let text = std::fs::read_to_string(&env.config).unwrap();
    std::fs::write(&env.config, text.replace(&news, "")).unwrap();
    server.take_requests();
    env.run_ok(&["harvest"]);
    assert!(server.requests().iter().all(|r| r.path != "/feed.xml"));
    assert_found_once(&env, "zqfdbktx", "news:news-2");
    assert_eq!(Db::open(&env).counts("news").live, 2);
    let sources: serde_json::Value =
        serde_json::from_str(&env.run_ok(&["sources", "--json"])).unwrap();
    let removed = sources
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "news")
        .unwrap();
    assert_eq!(removed["removed_from_config"], true);

    let stdout = env.run_ok(&["purge", "news"]);
    assert!(stdout.contains("purged 2"), "{stdout}");
    assert_eq!(env.search_json("zqfdbktw", 10)["total"], 0);
    assert_eq!(env.search_json("zqfdbktx", 10)["total"], 0);
    assert_eq!(Db::open(&env).counts("news").live, 0);
    assert_eq!(
        env.search_json("", 100)["total"],
        5,
        "the other source keeps its records"
    );
}
