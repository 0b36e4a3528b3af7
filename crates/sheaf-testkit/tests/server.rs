//! Routing, queues, recording and conditional requests of `TestServer`, checked with a plain
//! TCP client.

mod common;

use std::io::Write;

use common::{connect, get, get_with, read_one, read_to_close};
use sheaf_testkit::{Response, Route, Routes, TestServer};

#[test]
fn queue_plays_in_order_then_repeats_last() {
    let server = TestServer::start(
        Routes::new().route(
            Route::new("/oai")
                .respond(Response::status(503).header("Retry-After", "2"))
                .respond(Response::status(429).header("Retry-After", "1"))
                .respond(Response::xml("<page/>")),
        ),
    );
    let first = get(&server, "/oai");
    assert_eq!(first.status, 503);
    assert_eq!(first.header("Retry-After"), Some("2"));
    assert_eq!(get(&server, "/oai").status, 429);
    for _ in 0..3 {
        let reply = get(&server, "/oai");
        assert_eq!(reply.status, 200);
        assert_eq!(reply.text(), "<page/>");
        assert_eq!(reply.header("Content-Type"), Some("text/xml"));
    }
}

#[test]
fn query_predicates_select_route() {
    let server = TestServer::start(
        Routes::new()
            .route(
                Route::new("/oai")
                    .query("verb", "Identify")
                    .respond(Response::xml("identify")),
            )
            .route(
                Route::new("/oai")
                    .query("verb", "ListRecords")
                    .query("resumptionToken", "abc-123")
                    .respond(Response::xml("page2")),
            )
            .route(
                Route::new("/oai")
                    .query("verb", "ListRecords")
                    .query("from", "2025-12-01")
                    .query("metadataPrefix", "oai_dc")
                    .respond(Response::xml("incremental")),
            )
            .route(
                Route::new("/oai")
                    .query("verb", "ListRecords")
                    .query_absent("resumptionToken")
                    .respond(Response::xml("page1")),
            )
            .route(
                Route::new("/oai")
                    .query_present("verb")
                    .respond(Response::status(400)),
            ),
    );
    assert_eq!(get(&server, "/oai?verb=Identify").text(), "identify");
    assert_eq!(
        get(&server, "/oai?verb=ListRecords&metadataPrefix=oai_dc").text(),
        "page1"
    );
    assert_eq!(
        get(&server, "/oai?verb=ListRecords&resumptionToken=abc-123").text(),
        "page2"
    );
    let encoded = "/oai?verb=ListRecords&metadataPrefix=oai_dc&from=2025%2D12%2D01";
    assert_eq!(get(&server, encoded).text(), "incremental");
    // An untrimmed token matches no route that wants the exact value.
    let untrimmed = get(
        &server,
        "/oai?verb=ListRecords&resumptionToken=%0A%20abc-123%0A",
    );
    assert_eq!(untrimmed.status, 400);
    assert_eq!(get(&server, "/oai?verb=Nonsense").status, 400);
    assert_eq!(get(&server, "/oai").status, 404);
}

#[test]
fn unmatched_request_gets_404_naming_it() {
    let server = TestServer::start(Routes::new().at("/feed.xml", Response::xml("<rss/>")));
    let reply = get(&server, "/missing?x=1");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.text(), "no route matches GET /missing?x=1\n");
}

#[test]
fn method_prefix_and_any_routes() {
    let server = TestServer::start(
        Routes::new()
            .route(
                Route::new("/oai")
                    .method("POST")
                    .respond(Response::xml("posted")),
            )
            .route(Route::prefix("/files/").respond(Response::xml("file")))
            .route(Route::any().respond(Response::status(410))),
    );
    assert_eq!(get(&server, "/oai").status, 410);
    assert_eq!(get(&server, "/files/a/b.xml").text(), "file");
    assert_eq!(get(&server, "/elsewhere").status, 410);
}

#[test]
fn requests_are_recorded_in_order() {
    let server =
        TestServer::start(Routes::new().route(Route::any().respond(Response::status(204))));
    get_with(
        &server,
        "/oai?verb=ListRecords&from=2025-12-01T00%3A00%3A00Z",
        &["User-Agent: t/1"],
    );
    get(&server, "/second");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let first = &requests[0];
    assert_eq!(first.method, "GET");
    assert_eq!(first.path, "/oai");
    assert_eq!(
        first.query,
        "verb=ListRecords&from=2025-12-01T00%3A00%3A00Z"
    );
    assert_eq!(first.param("from"), Some("2025-12-01T00:00:00Z"));
    assert_eq!(first.param("verb"), Some("ListRecords"));
    assert_eq!(first.header("user-agent"), Some("t/1"));
    assert_eq!(requests[1].target, "/second");
    assert_eq!(server.take_requests().len(), 2);
    assert!(server.requests().is_empty());
}

#[test]
fn post_form_fields_become_params() {
    let server = TestServer::start(
        Routes::new().route(
            Route::new("/oai")
                .method("POST")
                .query("verb", "Identify")
                .respond(Response::xml("ok")),
        ),
    );
    let body = "verb=Identify&note=a+b%21";
    let request = format!(
        "POST /oai HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = connect(&server);
    stream.write_all(request.as_bytes()).unwrap();
    let reply = common::parse_reply(&read_to_close(&mut stream));
    assert_eq!(reply.text(), "ok");
    let recorded = &server.requests()[0];
    assert_eq!(recorded.body, body.as_bytes());
    assert_eq!(recorded.param("note"), Some("a b!"));
    assert_eq!(recorded.query, "");
}

#[test]
fn keep_alive_serves_several_requests() {
    let server = TestServer::start(Routes::new().at("/a", Response::xml("one")));
    let mut stream = connect(&server);
    for _ in 0..3 {
        stream
            .write_all(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let reply = read_one(&mut stream);
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, b"one");
        assert_eq!(reply.header("Connection"), None);
    }
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn replace_swaps_script_and_restarts_queues() {
    let server = TestServer::start(Routes::new().at("/feed", Response::xml("old")));
    assert_eq!(get(&server, "/feed").text(), "old");
    server.replace(
        Routes::new().route(
            Route::new("/feed")
                .respond(Response::xml("new"))
                .respond(Response::status(500)),
        ),
    );
    assert_eq!(get(&server, "/feed").text(), "new");
    assert_eq!(get(&server, "/feed").status, 500);
}

#[test]
fn conditional_route_answers_304() {
    let server = TestServer::start(
        Routes::new().route(
            Route::new("/feed").conditional().respond(
                Response::ok("<rss/>", "application/rss+xml")
                    .header("ETag", "\"v7\"")
                    .header("Last-Modified", "Sat, 10 Jan 2026 10:00:00 GMT"),
            ),
        ),
    );
    let fresh = get(&server, "/feed");
    assert_eq!(fresh.status, 200);
    assert_eq!(fresh.text(), "<rss/>");

    let by_etag = get_with(&server, "/feed", &["If-None-Match: \"v7\""]);
    assert_eq!(by_etag.status, 304);
    assert!(by_etag.body.is_empty());
    assert_eq!(by_etag.header("ETag"), Some("\"v7\""));
    assert_eq!(by_etag.header("Content-Length"), None);

    let other_etag = get_with(&server, "/feed", &["If-None-Match: \"v6\""]);
    assert_eq!(other_etag.status, 200);

    let by_date = get_with(
        &server,
        "/feed",
        &["If-Modified-Since: Sat, 10 Jan 2026 10:00:01 GMT"],
    );
    assert_eq!(by_date.status, 304);
    let older = get_with(
        &server,
        "/feed",
        &["If-Modified-Since: Fri, 09 Jan 2026 10:00:00 GMT"],
    );
    assert_eq!(older.status, 200);
}

#[test]
fn gzip_response_decodes() {
    let body = "<OAI-PMH>".repeat(100);
    let server = TestServer::start(Routes::new().at("/oai", Response::xml(body.clone()).gzip()));
    let reply = get(&server, "/oai");
    assert_eq!(reply.header("Content-Encoding"), Some("gzip"));
    let length: usize = reply.header("Content-Length").unwrap().parse().unwrap();
    assert_eq!(length, reply.body.len());
    assert!(length < body.len());
    assert_eq!(common::gunzip(&reply.body), body.as_bytes());
}

#[test]
fn redirect_loop_points_at_itself() {
    let server = TestServer::start(Routes::new());
    server.replace(Routes::new().at("/loop", Response::redirect(302, &server.url("/loop"))));
    let reply = get(&server, "/loop");
    assert_eq!(reply.status, 302);
    assert_eq!(reply.header("Location"), Some(server.url("/loop").as_str()));
}

#[test]
fn date_header_added_unless_given() {
    let server = TestServer::start(Routes::new().at("/auto", Response::status(204)).at(
        "/fixed",
        Response::status(429).header("Date", "Sat, 10 Jan 2026 10:00:00 GMT"),
    ));
    let auto = get(&server, "/auto");
    assert!(httpdate::parse_http_date(auto.header("Date").unwrap()).is_ok());
    let fixed = get(&server, "/fixed");
    assert_eq!(fixed.header("Date"), Some("Sat, 10 Jan 2026 10:00:00 GMT"));
    let dates = fixed
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("date"))
        .count();
    assert_eq!(dates, 1);
}

#[test]
fn head_request_gets_no_body() {
    let server = TestServer::start(Routes::new().at("/a", Response::xml("12345")));
    let mut stream = connect(&server);
    stream
        .write_all(b"HEAD /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let bytes = read_to_close(&mut stream);
    let reply = common::parse_reply(&bytes);
    assert_eq!(reply.header("Content-Length"), Some("5"));
    assert!(reply.body.is_empty());
}

#[test]
fn file_response_reads_file() {
    let path = std::env::temp_dir().join(format!("testkit-{}.json", std::process::id()));
    std::fs::write(&path, b"{\"items\":[]}").unwrap();
    let server = TestServer::start(Routes::new().at("/feed.json", Response::file(&path)));
    let reply = get(&server, "/feed.json");
    std::fs::remove_file(&path).unwrap();
    assert_eq!(reply.header("Content-Type"), Some("application/json"));
    assert_eq!(reply.text(), "{\"items\":[]}");
}

#[test]
fn handler_panic_gives_500() {
    let server = TestServer::start(
        Routes::new().route(Route::new("/boom").handler(|_| panic!("handler failed on purpose"))),
    );
    assert_eq!(get(&server, "/boom").status, 500);
    assert_eq!(get(&server, "/boom").status, 500);
}

#[test]
fn malformed_request_gets_400() {
    let server = TestServer::start(Routes::new());
    let mut stream = connect(&server);
    stream.write_all(b"NONSENSE\r\n\r\n").unwrap();
    let reply = common::parse_reply(&read_to_close(&mut stream));
    assert_eq!(reply.status, 400);
    assert_eq!(reply.text(), "invalid request line\n");
}

#[test]
fn start_on_taken_port_fails() {
    let first = TestServer::start(Routes::new());
    let error = TestServer::start_on(first.port(), Routes::new()).unwrap_err();
    assert!(
        error.to_string().contains(&first.port().to_string()),
        "{error}"
    );
}

#[test]
fn url_adds_missing_slash() {
    let server = TestServer::start(Routes::new());
    let expected = format!("http://127.0.0.1:{}/oai?verb=Identify", server.port());
    assert_eq!(server.url("oai?verb=Identify"), expected);
    assert_eq!(server.url("/oai?verb=Identify"), expected);
}

#[test]
fn replays_shared_case_files() {
    let Some(shared) = sheaf_testkit::shared_dir() else {
        return;
    };
    let case = shared.join("cases/oai/token-with-whitespace");
    let server = TestServer::start(
        Routes::new()
            .route(
                Route::new("/oai")
                    .query("resumptionToken", "abc-123")
                    .respond(Response::file(case.join("page2.xml"))),
            )
            .route(
                Route::new("/oai")
                    .query_absent("resumptionToken")
                    .respond(Response::file(case.join("page1.xml"))),
            ),
    );

    let first = get(&server, "/oai?verb=ListRecords&metadataPrefix=oai_dc");
    assert_eq!(first.body, std::fs::read(case.join("page1.xml")).unwrap());
    let second = get(&server, "/oai?verb=ListRecords&resumptionToken=abc-123");
    assert_eq!(second.body, std::fs::read(case.join("page2.xml")).unwrap());
    let untrimmed = get(
        &server,
        "/oai?verb=ListRecords&resumptionToken=%0A%20%20abc-123%0A",
    );
    assert_eq!(untrimmed.status, 404);
}
