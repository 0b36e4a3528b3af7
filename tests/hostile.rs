//! End to end: a source that was harvested once turns hostile (slow, silent, endless, lying,
//! looping, compressed into a bomb, sending HTML or cut short, or unavailable for good). Each
//! time `sheaf harvest` must end with exit code 1 and a message that names the problem, keep the
//! records stored earlier, and still harvest the well-behaved source configured after it.

// Helpers outside `#[test]` functions fail the test by panicking too.
#![allow(clippy::unwrap_used)]

mod common;
mod support;

use std::time::Duration;

use common::Env;
use sheaf_testkit::{Behaviour, OaiRepository, Response, Route, Routes, TestServer};
use support::{Db, last_run, oai_source};

/// Records of the source that turns hostile.
const BAD_RECORDS: u64 = 12;
/// Maximum time a hostile harvest may take before the watchdog kills it and fails the test.
const WATCHDOG: Duration = Duration::from_secs(60);

/// Tight limits for the hostile source, so that each fault ends within seconds.
const TIGHT_LIMITS: &str = "read_timeout_secs = 1\nrequest_timeout_secs = 3\n\
                            max_body_bytes = 1000000\nmax_tries = 2\n\n";

/// Two sources, `bad` and `good`, on one test server, harvested once while both behave.
struct Scenario {
    server: TestServer,
    env: Env,
    bad: OaiRepository,
    good: OaiRepository,
}

impl Scenario {
    /// Harvests both sources while they behave.
    fn new() -> Scenario {
        let bad = OaiRepository::new(BAD_RECORDS, 5);
        let good = OaiRepository::new(8, 5);
        let routes = Routes::new()
            .route(bad.route("/bad"))
            .route(good.route("/good"));
        let server = TestServer::start(routes);
        let env = Env::new(&format!(
            "[[sources]]\nid = \"bad\"\nkind = \"oai-pmh\"\nurl = \"{}\"\n{TIGHT_LIMITS}{}",
            server.url("/bad"),
            oai_source("good", &server.url("/good"))
        ));
        env.run_ok(&["harvest"]);
        let scenario = Scenario {
            server,
            env,
            bad,
            good,
        };
        assert_eq!(Db::open(&scenario.env).counts("bad").live, BAD_RECORDS);
        scenario
    }

    /// Makes `bad` respond to `ListRecords` with `hostile` (and whatever `extra` routes add), harvests,
    /// and checks what every hostile source must leave behind. Returns the output.
    fn harvest_hostile(&self, hostile: Response, extra: Vec<Route>) -> String {
        self.harvest_hostile_on("ListRecords", hostile, extra)
    }

    /// Like [`Scenario::harvest_hostile`], for requests of `verb`.
    fn harvest_hostile_on(&self, verb: &str, hostile: Response, extra: Vec<Route>) -> String {
        let mut routes =
            Routes::new().route(Route::new("/bad").query("verb", verb).respond(hostile));
        for route in extra {
            routes = routes.route(route);
        }
        routes = routes
            .route(self.bad.route("/bad"))
            .route(self.good.route("/good"));
        self.server.replace(routes);
        self.good.add_records(2);
        self.server.take_requests();

        let output = support::run_with_watchdog(&self.env, &["harvest"], WATCHDOG);
        let text = output.text;
        assert_eq!(output.code, Some(1), "{text}");

        let bad_run = last_run(&self.env, "bad");
        assert_eq!(bad_run["status"], "failed", "{bad_run}");
        let good_run = last_run(&self.env, "good");
        assert_eq!(good_run["status"], "succeeded", "{good_run}");
        assert_eq!(good_run["added"], 2, "{good_run}");
        let db = Db::open(&self.env);
        assert_eq!(
            db.counts("bad").live,
            BAD_RECORDS,
            "records stored earlier stay stored"
        );
        assert_eq!(db.counts("good").live, 10);
        text
    }

    /// Returns how many `ListRecords` requests `bad` received since the hostile script started.
    fn bad_list_requests(&self) -> usize {
        self.bad_requests("ListRecords")
    }

    /// Returns how many requests of `verb` `bad` received since the hostile script started.
    fn bad_requests(&self, verb: &str) -> usize {
        self.server
            .requests()
            .iter()
            .filter(|r| r.path == "/bad" && r.param("verb") == Some(verb))
            .count()
    }
}

/// Fetches a `ListRecords` page from a well-behaved synthetic repository.
fn real_page() -> Vec<u8> {
    let repository = OaiRepository::new(5, 5);
    let server = TestServer::start(Routes::new().route(repository.route("/oai")));
    let url = server.url("/oai?verb=ListRecords&metadataPrefix=oai_dc");
    let (status, body) = fetch(&url);
    assert_eq!(status, 200);
    body
}

/// Fetches `url` from a local test server with a plain HTTP/1.0 request.
fn fetch(url: &str) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, raw[split + 4..].to_vec())
}

fn assert_mentions(text: &str, needle: &str) {
    assert!(
        text.to_lowercase().contains(&needle.to_lowercase()),
        "no `{needle}` in:\n{text}"
    );
}

#[test]
fn body_that_drips_times_out() {
    let scenario = Scenario::new();
    let drip = Response::xml(real_page()).behaviour(Behaviour::Drip {
        interval: Duration::from_millis(500),
    });
    let text = scenario.harvest_hostile(drip, Vec::new());
    assert_mentions(&text, "timed out");
    assert_mentions(&text, "after 2 tries");
    assert_eq!(scenario.bad_list_requests(), 2);
}

#[test]
fn silent_server_times_out() {
    let scenario = Scenario::new();
    let silent = Response::xml("").behaviour(Behaviour::Silent);
    let text = scenario.harvest_hostile(silent, Vec::new());
    assert_mentions(&text, "timed out");
    assert_eq!(scenario.bad_list_requests(), 2);
}

#[test]
fn endless_body_hits_the_size_limit() {
    let scenario = Scenario::new();
    let endless = Response::xml("<record>".repeat(64)).behaviour(Behaviour::Endless);
    let text = scenario.harvest_hostile(endless, Vec::new());
    assert_mentions(&text, "larger than max_body_bytes");
}

#[test]
fn gzip_bomb_hits_the_size_limit() {
    let scenario = Scenario::new();
    let bomb = Response::xml("").behaviour(Behaviour::GzipBomb {
        decompressed: 200 * 1024 * 1024,
    });
    let text = scenario.harvest_hostile(bomb, Vec::new());
    assert_mentions(&text, "larger than max_body_bytes");
}

#[test]
fn redirect_loop_is_cut() {
    let scenario = Scenario::new();
    let to_loop = Response::redirect(302, "/loop");
    let looping = Route::new("/loop").respond(Response::redirect(302, "/loop"));
    let text = scenario.harvest_hostile(to_loop, vec![looping]);
    assert_mentions(&text, "redirect");
}

#[test]
fn lying_content_length_fails_the_request() {
    let scenario = Scenario::new();
    let page = real_page();
    let claimed = page.len() * 2;
    let liar = Response::xml(page).behaviour(Behaviour::LyingLength { claimed });
    let text = scenario.harvest_hostile(liar, Vec::new());
    assert_mentions(&text, "before the end of the body");
    assert_mentions(&text, "after 2 tries");
    assert_eq!(scenario.bad_list_requests(), 2);
}

#[test]
fn connection_closed_without_answer_fails_the_request() {
    let scenario = Scenario::new();
    let close = Response::xml("").behaviour(Behaviour::CloseEarly);
    let text = scenario.harvest_hostile(close, Vec::new());
    assert_mentions(&text, "closed");
    assert_mentions(&text, "after 2 tries");
    assert_eq!(scenario.bad_list_requests(), 2);
}

#[test]
fn html_page_with_200_is_retried() {
    let scenario = Scenario::new();
    let html = "<!DOCTYPE html><html><head><title>Maintenance</title></head>\
                <body><h1>Service temporarily down for maintenance</h1></body></html>";
    let text = scenario.harvest_hostile(Response::ok(html, "text/html"), Vec::new());
    assert_eq!(
        scenario.bad_list_requests(),
        2,
        "the page is fetched again once"
    );
    assert_mentions(&text, &scenario.server.url("/bad"));
    assert_mentions(&text, "HTTP 200");
    assert_mentions(&text, "Service temporarily down for maintenance");
}

#[test]
fn html_identify_is_retried() {
    let scenario = Scenario::new();
    let html = "<html><body><p>Proxy error: upstream repository unreachable</p></body></html>";
    let text = scenario.harvest_hostile_on("Identify", Response::ok(html, "text/html"), Vec::new());
    assert_eq!(
        scenario.bad_requests("Identify"),
        2,
        "Identify is fetched again once"
    );
    assert_eq!(scenario.bad_list_requests(), 0);
    assert_mentions(&text, "HTTP 200");
    assert_mentions(&text, "Proxy error: upstream repository unreachable");
}

#[test]
fn truncated_page_is_retried_then_reported() {
    let scenario = Scenario::new();
    let page = real_page();
    let cut = page[..page.len() * 3 / 5].to_vec();
    let text = scenario.harvest_hostile(Response::xml(cut), Vec::new());
    assert_eq!(
        scenario.bad_list_requests(),
        2,
        "the page is fetched again once"
    );
    assert_mentions(&text, &scenario.server.url("/bad"));
    assert_mentions(&text, "HTTP 200");
}

#[test]
fn unavailable_forever_fails_after_max_tries() {
    let scenario = Scenario::new();
    let text = scenario.harvest_hostile(Response::status(503), Vec::new());
    assert_eq!(scenario.bad_list_requests(), 2);
    assert_mentions(&text, "HTTP 503 on all 2 tries");
}
