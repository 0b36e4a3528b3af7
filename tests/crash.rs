//! End to end: `sheaf harvest` is killed with SIGKILL at pseudo-random moments while it harvests
//! a 10,000-record repository, then run to completion. The store and the index must hold every
//! record exactly once: each page is written in one transaction with its checkpoint, and the index
//! catches up from the sequence of its last commit.

// Helpers outside `#[test]` functions fail the test by panicking too.
#![allow(clippy::unwrap_used)]

mod common;
mod support;

use std::time::Duration;

use common::{Env, hit_ids};
use sheaf_testkit::{OaiRepository, Routes, TestServer, record_identifier};
use support::{Db, oai_source, quiet_command};

const RECORDS: u64 = 10_000;
const PAGE_SIZE: usize = 100;
const KILLS: usize = 5;
/// Seed of the kill moments; `SHEAF_CRASH_SEED` replaces it to explore other moments.
const DEFAULT_SEED: u64 = 0x5eed_f5ea;

/// A small xorshift generator, so the kill moments repeat from one run of the test to the next.
struct Moments(u64);

impl Moments {
    fn next_millis(&mut self, low: u64, high: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        low + self.0 % (high - low)
    }
}

#[test]
fn killed_harvests_store_and_index_every_record_once() {
    let repository = OaiRepository::new(RECORDS, PAGE_SIZE);
    let server = TestServer::start(Routes::new().route(repository.route("/oai")));
    let env = Env::new(&oai_source("repo", &server.url("/oai")));

    let seed = std::env::var("SHEAF_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    let mut moments = Moments(seed.max(1));
    let mut delays = Vec::new();
    for _ in 0..KILLS {
        let delay = moments.next_millis(50, 1_500);
        delays.push(delay);
        let mut child = quiet_command(&env, &["harvest"])
            .spawn()
            .expect("start sheaf harvest");
        std::thread::sleep(Duration::from_millis(delay));
        // The run may have ended already; killing an ended child is not an error here.
        let _ = child.kill();
        child.wait().unwrap();
    }
    println!(
        "seed {seed}: killed after {delays:?} ms; {} requests",
        server.requests().len()
    );

    env.run_ok(&["harvest"]);

    let db = Db::open(&env);
    let counts = db.counts("repo");
    assert_eq!(counts.live, RECORDS);
    assert_eq!(counts.deleted, 0);
    assert_eq!(counts.distinct, RECORDS);
    drop(db);
    assert_eq!(env.search_json("", 1)["total"], RECORDS);

    let mut sample = Moments(seed.wrapping_add(1).max(1));
    for _ in 0..50 {
        let index = sample.next_millis(0, RECORDS);
        let word = repository.record(index).word;
        let body = env.search_json(&word, 5);
        assert_eq!(
            hit_ids(&body),
            vec![format!("repo:{}", record_identifier(index))],
            "search {word}: {body}"
        );
    }
}
