//! End to end for feed sources: autodiscovery from an HTML page, and a broken feed that fails
//! alone while a good one beside it is harvested.

mod common;

use common::{Env, hit_ids};
use sheaf_testkit::{Response, Route, Routes, TestServer};

const GOLEM: &str = "corpus/feeds/miniflux/internal/reader/parser/testdata/encoding_ISO-8859-1.xml";

#[test]
fn html_page_leads_to_its_feed() {
    let Some(shared) = sheaf_testkit::shared_dir() else {
        return;
    };
    let page = "<!DOCTYPE html><html><head><title>Centre news</title>\
        <link rel=\"alternate\" type=\"application/rss+xml\" title=\"News\" href=\"/news/feed.rss\">\
        </head><body><p>Welcome</p></body></html>";
    let routes = Routes::new()
        .route(Route::new("/news").respond(Response::ok(page, "text/html; charset=utf-8")))
        .route(Route::new("/news/feed.rss").respond(Response::file(shared.join(GOLEM))));
    let server = TestServer::start(routes);
    let env = Env::new(&format!(
        "[[sources]]\nid = \"golem\"\nkind = \"feed\"\nurl = \"{}\"\n",
        server.url("/news")
    ));

    env.run_ok(&["harvest"]);
    let all = env.search_json("", 100);
    assert_eq!(all["total"], 40);
    assert!(hit_ids(&all).iter().all(|id| id.starts_with("golem:")));

    // The discovered feed is remembered: the next run goes straight to it.
    server.take_requests();
    env.run_ok(&["harvest"]);
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, vec!["/news/feed.rss".to_owned()]);

    // The config check names the feed that was found.
    let check = env.run_ok(&["check"]);
    let expected = format!(
        "feed found by autodiscovery: {}",
        server.url("/news/feed.rss")
    );
    assert!(check.contains(&expected), "{check}");
}

#[test]
fn broken_feed_fails_alone() {
    let Some(shared) = sheaf_testkit::shared_dir() else {
        return;
    };
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let routes = Routes::new()
        .route(Route::new("/broken").respond(Response::ok(garbage, "application/rss+xml")))
        .route(Route::new("/good").respond(Response::file(shared.join(GOLEM))));
    let server = TestServer::start(routes);
    let env = Env::new(&format!(
        "[[sources]]\nid = \"broken\"\nkind = \"feed\"\nurl = \"{}\"\n\n\
         [[sources]]\nid = \"good\"\nkind = \"feed\"\nurl = \"{}\"\n",
        server.url("/broken"),
        server.url("/good")
    ));

    let output = env.run(&["harvest"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let broken_line = stdout
        .lines()
        .find(|l| l.starts_with("broken"))
        .expect("broken summary");
    assert!(broken_line.contains("FAILED"), "{stdout}");
    assert!(
        stdout.contains("/broken"),
        "the message names the URL:\n{stdout}"
    );
    let good_line = stdout
        .lines()
        .find(|l| l.starts_with("good"))
        .expect("good summary");
    assert!(good_line.contains("added 40"), "{stdout}");
    assert_eq!(env.search_json("", 100)["total"], 40);
}
