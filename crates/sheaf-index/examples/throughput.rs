//! Measures store writes and indexing of synthetic records: `cargo run --release --example
//! throughput -p sheaf-index [RECORDS]`. Prints records per second for each stage.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use sheaf_index::{SearchIndex, catch_up};
use sheaf_record::{LangText, PartialDate, Record};
use sheaf_store::{IncomingRecord, SourceRow, Store};

fn main() {
    let total: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(50_000);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sheaf.db")).unwrap();
    let source = SourceRow {
        id: "bench".into(),
        name: "Bench".into(),
        kind: "oai-pmh".into(),
        url: "http://127.0.0.1/oai".into(),
    };
    store.sync_sources(&[source]).unwrap();
    let run = store.start_run("bench", true).unwrap();

    let started = Instant::now();
    for page in 0..total.div_ceil(100) {
        let records: Vec<IncomingRecord> = (0..100)
            .map(|n| {
                let number = page * 100 + n;
                let text = format!("Record {number} about ocean heat and climate change");
                let record = Record {
                    id: format!("bench:oai:{number}"),
                    source: "bench".into(),
                    title: vec![LangText::new(format!("Title {number} of the ocean study"))],
                    description: vec![LangText::new(text.repeat(5))],
                    subjects: vec!["oceanography".into(), format!("topic {}", number % 50)],
                    date: Some(PartialDate {
                        year: 1990 + (number % 35) as i32,
                        month: None,
                        day: None,
                        original: String::new(),
                    }),
                    ..Record::default()
                };
                IncomingRecord {
                    raw: format!("<record>{text}</record>").repeat(4),
                    record,
                    format: "oai_dc".into(),
                }
            })
            .collect();
        store.write_page("bench", run, &records, "{}").unwrap();
    }
    let store_secs = started.elapsed().as_secs_f64();
    println!(
        "store: {total} records in {store_secs:.2} s, {:.0} records/s",
        total as f64 / store_secs
    );

    let index = SearchIndex::open(&dir.path().join("index")).unwrap();
    let mut indexer = index.writer().unwrap();
    let started = Instant::now();
    let applied = catch_up(&store, &index, &mut indexer).unwrap();
    let index_secs = started.elapsed().as_secs_f64();
    println!(
        "index: {applied} changes in {index_secs:.2} s, {:.0} records/s",
        applied as f64 / index_secs
    );
}
