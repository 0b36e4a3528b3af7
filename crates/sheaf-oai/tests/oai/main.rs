//! Parser tests against real responses and the harvesting cases, read from the shared input
//! folder at run time.
#![allow(clippy::unwrap_used)]

mod cases;
mod corpus;
mod standalone;

use std::path::{Path, PathBuf};

use sheaf_xml::{DecodeOptions, Decoded, decode_xml};

/// Returns the path of a file under the shared folder, or `None` (test skipped) without it.
pub fn shared_file(relative: &str) -> Option<PathBuf> {
    let shared = sheaf_testkit::shared_dir()?;
    Some(shared.join(relative))
}

/// Reads and decodes a file the way the harvester decodes a response body.
pub fn decode_file(path: &Path, content_type: Option<&str>) -> Decoded {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    decode_xml(&bytes, content_type, DecodeOptions::default())
}

/// Reads a corpus file and returns its decoded text.
pub fn corpus(name: &str) -> Option<String> {
    let path = shared_file(&format!("corpus/oai/{name}"))?;
    Some(decode_file(&path, None).text)
}
