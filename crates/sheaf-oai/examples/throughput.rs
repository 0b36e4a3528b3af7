//! Measures decoding plus parsing throughput over the real `ListRecords` pages of the shared
//! corpus, on one thread. Run with `cargo run --release -p sheaf-oai --example throughput`.
//!
//! This covers the share of the harvest pipeline that this crate and sheaf-xml own; HTTP,
//! normalisation and storage come on top.

use std::time::Instant;

use sheaf_xml::{DecodeOptions, decode_xml};

/// Corpus pages measured: full-size pages in several formats.
const PAGES: [&str; 8] = [
    "oaipmh-rs__list_records.xml",
    "scrapi__cyberleninka-0.xml",
    "scythe__list_records-0.xml",
    "scythe__list_records-1.xml",
    "scythe__list_records-4.xml",
    "vufindharvest__marc.xml",
    "vufindharvest__oai_doaj.xml",
    "ingestion3__oai-page.xml",
];

/// Rounds over all pages; enough for a run of a few seconds in a release build.
const ROUNDS: usize = 200;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(shared) = sheaf_testkit::shared_dir() else {
        return Ok(());
    };
    let mut bodies = Vec::new();
    for name in PAGES {
        bodies.push(std::fs::read(shared.join("corpus/oai").join(name))?);
    }
    let bytes_per_round: usize = bodies.iter().map(Vec::len).sum();

    let started = Instant::now();
    let mut records = 0usize;
    for _ in 0..ROUNDS {
        for body in &bodies {
            let decoded = decode_xml(body, Some("text/xml"), DecodeOptions::default());
            let page = sheaf_oai::parse_list_records(&decoded.text)?;
            records += page.records.len();
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let megabytes = (bytes_per_round * ROUNDS) as f64 / 1e6;
    println!(
        "{records} records, {megabytes:.0} MB in {seconds:.2} s: {:.0} records/s, {:.0} MB/s",
        records as f64 / seconds,
        megabytes / seconds
    );
    Ok(())
}
