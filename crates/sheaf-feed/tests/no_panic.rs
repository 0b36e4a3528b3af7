//! Feeds every corpus file, truncated and with bytes flipped, to `parse_feed` and checks that
//! no panic escapes and that none was caught inside.
#![allow(clippy::unwrap_used)] // a failed read of the test inputs should stop the test

use std::path::Path;

use sheaf_feed::{Error, parse_feed};

/// Fractions of a file's length at which it is cut.
const TRUNCATION_POINTS: [usize; 6] = [1, 10, 25, 50, 75, 99];
/// Mutated copies made of each file.
const FLIPPED_COPIES: usize = 8;
/// Bytes changed in each mutated copy.
const FLIPS_PER_COPY: usize = 6;

/// A xorshift generator: deterministic, so a failure reproduces.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path
            .extension()
            .is_some_and(|ext| ext == "xml" || ext == "json")
        {
            out.push(path);
        }
    }
}

fn check(bytes: &[u8], label: &str) {
    let result = std::panic::catch_unwind(|| parse_feed(bytes, None, "http://sheaf.test/feed"));
    let Ok(result) = result else {
        panic!("{label}: a panic escaped parse_feed");
    };
    if let Err(Error::Panicked { message }) = result {
        panic!("{label}: the parser panicked: {message}");
    }
}

#[test]
fn damaged_corpus_files_never_panic() {
    let Some(shared) = sheaf_testkit::shared_dir() else {
        return;
    };
    let mut paths = Vec::new();
    files(&shared.join("corpus/feeds"), &mut paths);
    paths.sort();
    assert!(
        paths.len() > 100,
        "expected the whole corpus, found {} files",
        paths.len()
    );

    let mut random = Xorshift(0x5eed_f00d_cafe_d00d);
    let mut runs = 0;
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        let name = path.display();
        for percent in TRUNCATION_POINTS {
            let cut = bytes.len() * percent / 100;
            check(&bytes[..cut], &format!("{name} cut at {cut}"));
            runs += 1;
        }
        if bytes.is_empty() {
            continue;
        }
        for copy in 0..FLIPPED_COPIES {
            let mut damaged = bytes.clone();
            for _ in 0..FLIPS_PER_COPY {
                let position = (random.next() % damaged.len() as u64) as usize;
                damaged[position] ^= (random.next() % 255 + 1) as u8;
            }
            check(&damaged, &format!("{name} flipped copy {copy}"));
            runs += 1;
        }
    }
    println!("no-panic: {runs} damaged documents parsed without a panic");
}

#[test]
fn utf16_big_endian_with_bom_parses() {
    let text = "<rss version=\"2.0\"><channel><title>Caf\u{e9}</title></channel></rss>";
    let mut bytes = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    let feed = parse_feed(&bytes, None, "http://sheaf.test/feed").unwrap();
    assert_eq!(feed.title.as_deref(), Some("Caf\u{e9}"));
}
