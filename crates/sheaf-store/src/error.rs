//! The store's error type.

use std::path::PathBuf;

/// Errors returned by [`Store`](crate::Store) operations.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The folder that should contain the database could not be created.
    #[error("failed to create the data folder `{path}`: {source}; check its permissions")]
    CreateDir {
        /// Folder that could not be created.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The database file could not be opened or configured.
    #[error("failed to open the store `{path}`: {source}; check the path and its permissions")]
    Open {
        /// Database file.
        path: PathBuf,
        /// The underlying SQLite error.
        source: rusqlite::Error,
    },
    /// A schema migration step failed; the database stays at the previous version.
    #[error("failed to migrate the store to schema version {version}: {source}")]
    Migration {
        /// Schema version whose step failed.
        version: u32,
        /// The underlying SQLite error.
        source: rusqlite::Error,
    },
    /// The database was written by a newer Sheaf with a schema this build does not know.
    #[error(
        "the store has schema version {found}, newer than {supported} known to this build; \
         upgrade Sheaf"
    )]
    NewerSchema {
        /// Version found in the database.
        found: u32,
        /// Latest version this build can migrate to.
        supported: u32,
    },
    /// A source id that the store does not contain.
    #[error("unknown source `{source_id}`; add it to the config so it is synced into the store")]
    UnknownSource {
        /// The source id.
        source_id: String,
    },
    /// A harvest run id that the store does not contain.
    #[error("unknown harvest run {run_id}; start it with `start_run` first")]
    UnknownRun {
        /// The run id.
        run_id: i64,
    },
    /// A record belongs to another source than the one whose page is written.
    #[error("record `{record_id}` belongs to source `{record_source}`, not to `{source_id}`")]
    ForeignRecord {
        /// The record's id.
        record_id: String,
        /// The source named by the record.
        record_source: String,
        /// The source whose page was written.
        source_id: String,
    },
    /// A stored value could not be decoded (the database was edited by hand or is damaged).
    #[error("stored value `{value}` in column `{column}` is invalid: {message}")]
    Corrupt {
        /// Column holding the value.
        column: &'static str,
        /// The value, possibly shortened.
        value: String,
        /// What is wrong with it.
        message: String,
    },
    /// A record could not be encoded as or decoded from JSON.
    #[error("failed to encode or decode record `{record_id}` as JSON: {source}")]
    Json {
        /// The record's id.
        record_id: String,
        /// The underlying serde error.
        source: serde_json::Error,
    },
    /// Any other SQLite error (a busy database past the timeout, a full disk, I/O errors).
    #[error("store query failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
}
