//! Test support shared by the workspace's test suites.
//!
//! [`shared_dir`] finds the folder of real inputs (`corpus/`, `cases/`) that tests read. It is
//! `SHEAF_SHARED_DIR` when set, else `../shared` beside the workspace. When neither exists the
//! tests that need it print that they were skipped, unless `SHEAF_REQUIRE_SHARED=1`, which turns
//! a missing folder into a failure so that CI cannot pass without reading it.
#![warn(missing_docs)]

use std::path::PathBuf;

/// Returns the shared input folder, or `None` (after printing a skip notice) when it is absent.
///
/// # Panics
///
/// Panics when the folder is absent and `SHEAF_REQUIRE_SHARED=1` is set.
pub fn shared_dir() -> Option<PathBuf> {
    let candidate = match std::env::var_os("SHEAF_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    if candidate.join("corpus").is_dir() {
        return Some(candidate);
    }
    let required = std::env::var("SHEAF_REQUIRE_SHARED").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "shared inputs not found at {}; set SHEAF_SHARED_DIR to the folder holding corpus/ and cases/",
        candidate.display()
    );
    println!("skipped: shared inputs not found at {}", candidate.display());
    None
}
