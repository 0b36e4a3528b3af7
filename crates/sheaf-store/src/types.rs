//! Values passed to and returned by the store.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sheaf_record::Record;

/// A source as the config declares it; written by [`Store::sync_sources`](crate::Store::sync_sources).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    /// Source id (`[a-z0-9][a-z0-9._-]{0,63}`).
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Source kind: `oai-pmh` or `feed`.
    pub kind: String,
    /// Base URL of the repository or the feed.
    pub url: String,
}

/// A record as harvested, ready to be written with [`Store::write_page`](crate::Store::write_page).
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingRecord {
    /// The normalised record. Its `id`, `source`, `deleted` and `datestamp` are authoritative;
    /// the store sets `updated`.
    pub record: Record,
    /// Name of the raw format: `oai_dc`, `feed`, or another metadata prefix.
    pub format: String,
    /// The raw metadata as received, from which the record can be normalised again.
    pub raw: String,
}

/// What a page write did to each distinct record of the page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PageCounts {
    /// Records whose id was new to the store.
    pub added: u64,
    /// Existing records whose raw metadata or format changed, or that came back after deletion.
    pub updated: u64,
    /// Tombstones written: live records that became deleted, and deletions of unknown ids.
    pub deleted: u64,
    /// Records identical to the stored ones; they keep their change sequence number.
    pub unchanged: u64,
}

/// State of a harvest run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// The run is going, or its process ended without finishing it.
    Running,
    /// The run completed.
    Succeeded,
    /// The run stopped on an error.
    Failed,
}

impl RunStatus {
    /// Returns the name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
        }
    }

    /// Parses a name written by [`RunStatus::as_str`].
    pub fn parse(name: &str) -> Option<RunStatus> {
        match name {
            "running" => Some(RunStatus::Running),
            "succeeded" => Some(RunStatus::Succeeded),
            "failed" => Some(RunStatus::Failed),
            _ => None,
        }
    }
}

/// Outcome of a harvest run, written by [`Store::finish_run`](crate::Store::finish_run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// Final status; [`RunStatus::Running`] records progress without finishing the run.
    pub status: RunStatus,
    /// Pages (OAI-PMH responses or feed documents) processed.
    pub pages: u64,
    /// Records added.
    pub added: u64,
    /// Records updated.
    pub updated: u64,
    /// Tombstones written.
    pub deleted: u64,
    /// Records seen unchanged.
    pub unchanged: u64,
    /// Repairs made while decoding (invalid bytes or forbidden characters replaced or removed).
    pub repairs: u64,
    /// Requests retried.
    pub retries: u64,
    /// Records or requests that failed and were skipped.
    pub errors: u64,
    /// Error or summary message.
    pub message: Option<String>,
}

/// One harvest run as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRow {
    /// Run id, increasing with start time.
    pub id: i64,
    /// Source harvested.
    pub source_id: String,
    /// Whether the run ignored the checkpoint and harvested everything.
    pub full: bool,
    /// When the run started.
    pub started: DateTime<Utc>,
    /// When the run finished; `None` while it runs.
    pub finished: Option<DateTime<Utc>>,
    /// Run state.
    pub status: RunStatus,
    /// Pages processed.
    pub pages: u64,
    /// Records added.
    pub added: u64,
    /// Records updated.
    pub updated: u64,
    /// Tombstones written.
    pub deleted: u64,
    /// Records seen unchanged.
    pub unchanged: u64,
    /// Decoding repairs.
    pub repairs: u64,
    /// Requests retried.
    pub retries: u64,
    /// Failures skipped.
    pub errors: u64,
    /// Error or summary message.
    pub message: Option<String>,
}

/// A source with its record counts and last run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceStatus {
    /// Source id.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Source kind.
    pub kind: String,
    /// Base URL.
    pub url: String,
    /// True when the source is no longer in the config; its records stay until purged.
    pub removed_from_config: bool,
    /// Records that are not tombstones.
    pub live_records: u64,
    /// Tombstones.
    pub deleted_records: u64,
    /// The latest run, finished or not.
    pub last_run: Option<RunRow>,
}

/// A record with its raw metadata and bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    /// The normalised record.
    pub record: Record,
    /// Name of the raw format.
    pub format: String,
    /// The raw metadata as received.
    pub raw: String,
    /// Change sequence number of the record's last change.
    pub seq: u64,
    /// Run that last saw the record, changed or not.
    pub last_seen_run: Option<i64>,
}

/// One entry of the change sequence: the latest state of one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Change sequence number.
    pub seq: u64,
    /// Record id.
    pub id: String,
    /// The record, a tombstone when `record.deleted`; `None` when its source was purged.
    pub record: Option<Record>,
}
