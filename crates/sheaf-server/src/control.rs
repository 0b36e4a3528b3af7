//! The interface through which the server starts harvest runs and reads schedules.
//!
//! The server does not depend on the harvester: the binary implements [`HarvestControl`] over its
//! scheduler and hands it to [`crate::AppState`].

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Starts harvest runs and reports each source's schedule, on behalf of the HTTP API.
///
/// Both methods are called from a blocking thread, so they may take locks or touch the store.
pub trait HarvestControl: Send + Sync + 'static {
    /// Starts a run of `source_id` now and returns the id of the new run.
    ///
    /// # Errors
    ///
    /// [`TriggerError::UnknownSource`] when no configured source has that id,
    /// [`TriggerError::AlreadyRunning`] when a run of that source is going, and
    /// [`TriggerError::Other`] when the run could not be started for another reason.
    fn trigger(&self, source_id: &str) -> Result<i64, TriggerError>;

    /// Returns the schedule of `source_id`, or `None` when the configuration has no such source.
    fn schedule(&self, source_id: &str) -> Option<SourceSchedule>;
}

/// Schedule and run state of one configured source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceSchedule {
    /// The cron expression as configured, or `None` when the source is only harvested on request.
    pub schedule: Option<String>,
    /// When the scheduler will next start a run, if it will.
    pub next_run: Option<DateTime<Utc>>,
    /// Whether the source is enabled in the configuration.
    pub enabled: bool,
    /// Whether a run of the source is going now.
    pub running: bool,
}

/// Why [`HarvestControl::trigger`] did not start a run.
///
/// The variants carry no source id because the caller passed it in; the HTTP API adds it to the
/// error it returns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TriggerError {
    /// No configured source has the requested id.
    #[error("no configured source has the requested id")]
    UnknownSource,
    /// A run of the source is going; a second one would harvest the same pages twice.
    #[error("a harvest run of the source is already going")]
    AlreadyRunning,
    /// The run could not be started for another reason, described in the text.
    #[error("the harvest run could not be started: {0}")]
    Other(String),
}
