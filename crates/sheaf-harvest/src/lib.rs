//! Harvesting: the polite HTTP client, the OAI-PMH and feed harvest jobs, and the scheduler.
//!
//! A [`Harvester`] runs one source at a time per source id. Each OAI-PMH page, or each feed
//! document, is normalised and written to the store in one transaction together with the
//! checkpoint that resumes after it, so a process killed at any moment loses at most the page in
//! flight. The index is not touched here: the indexer follows the store's change sequence.
//!
//! ```no_run
//! # async fn example(store: std::sync::Arc<sheaf_store::Store>, plan: sheaf_harvest::SourcePlan) {
//! let harvester = sheaf_harvest::Harvester::new(store);
//! let summary = harvester.run(&plan, false).await;
//! # }
//! ```
#![warn(missing_docs)]

mod client;
mod feed;
mod local;
mod oai;
mod run;
mod schedule;
mod scheduler;
mod settings;

pub use client::{FetchError, Fetched, HostGates, HttpClient, Validators, user_agent};
pub use feed::FeedCheckpoint;
pub use oai::{OaiCheckpoint, OaiProgress};
pub use run::{Harvester, PreparedRun, RunSummary};
pub use schedule::{CronSchedule, ScheduleError};
pub use scheduler::{ScheduledSource, Scheduler};
pub use settings::*;

/// A harvest that could not start or could not finish.
#[derive(Debug, thiserror::Error)]
pub enum HarvestError {
    /// A run of the source is already going.
    #[error("source `{source_id}` is already being harvested; wait for the run to finish")]
    AlreadyRunning {
        /// Source id.
        source_id: String,
    },
    /// No source has this id.
    #[error("unknown source `{source_id}`; `sheaf sources` lists the configured ids")]
    UnknownSource {
        /// The id asked for.
        source_id: String,
    },
    /// The source's configuration does not fit what the server offers.
    #[error("source `{source_id}`: {message}")]
    Config {
        /// Source id.
        source_id: String,
        /// The change needed in the config.
        message: String,
    },
    /// An HTTP request failed after its retries.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The server responded, but not with a usable document.
    #[error("{message} from `{url}` (HTTP {status}); the body starts with: {body_start}")]
    Response {
        /// The requested URL.
        url: String,
        /// HTTP status code.
        status: u16,
        /// The problem found in the response.
        message: String,
        /// The first characters of the body.
        body_start: String,
    },
    /// The repository broke the protocol or reported an error.
    #[error("OAI-PMH request `{url}` failed: {message}")]
    Protocol {
        /// The requested URL.
        url: String,
        /// The repository's error, or the fault found.
        message: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] sheaf_store::Error),
    /// A background task failed.
    #[error("internal error: {message}")]
    Internal {
        /// What failed.
        message: String,
    },
}

/// Returns the repairs made while decoding a body.
pub(crate) fn repairs_of(decoded: &sheaf_xml::Decoded) -> u64 {
    (decoded.invalid_sequences + decoded.removed_chars + decoded.dropped_declarations) as u64
}

/// Logs the repairs of one page in one line, rather than one per record.
pub(crate) fn log_repairs(source_id: &str, url: &str, decoded: &sheaf_xml::Decoded) {
    if repairs_of(decoded) > 0 {
        tracing::warn!(
            source_id,
            url,
            invalid_sequences = decoded.invalid_sequences,
            removed_chars = decoded.removed_chars,
            dropped_declarations = decoded.dropped_declarations,
            "page repaired before parsing"
        );
    }
}
