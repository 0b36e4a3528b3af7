//! Measures parse throughput over a folder of feed files.
//!
//! Usage: `cargo run --release -p sheaf-feed --example parse_corpus -- DIR [ROUNDS]`
//!
//! Reads every `.xml` and `.json` file under DIR once, then parses all of them ROUNDS times
//! (default 20) and prints files, entries, seconds and entries per second as one JSON line.

use std::path::{Path, PathBuf};
use std::time::Instant;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|ext| ext == "xml" || ext == "json")
        {
            out.push(path);
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: parse_corpus DIR [ROUNDS]")?;
    let rounds: usize = args.next().map_or(Ok(20), |value| value.parse())?;
    let mut paths = Vec::new();
    collect(Path::new(&dir), &mut paths)?;
    paths.sort();
    let mut bodies = Vec::new();
    for path in &paths {
        bodies.push(std::fs::read(path)?);
    }
    let bytes: usize = bodies.iter().map(Vec::len).sum();

    let started = Instant::now();
    let mut entries = 0usize;
    let mut failures = 0usize;
    for _ in 0..rounds {
        for body in &bodies {
            match sheaf_feed::parse_feed(body, None, "http://sheaf.test/feed") {
                Ok(feed) => entries += feed.entries.len(),
                Err(_) => failures += 1,
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{{\"parser\": \"sheaf-feed\", \"files\": {}, \"bytes\": {bytes}, \"rounds\": {rounds}, \
         \"entries\": {entries}, \"failures\": {failures}, \"seconds\": {seconds:.3}, \
         \"entries_per_second\": {:.0}, \"mb_per_second\": {:.2}}}",
        paths.len(),
        entries as f64 / seconds,
        (bytes * rounds) as f64 / seconds / 1e6
    );
    Ok(())
}
