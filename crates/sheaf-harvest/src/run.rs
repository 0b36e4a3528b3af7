//! One harvest run of one source: the run row in the store, the counters of its report, and the
//! guard that keeps two runs of a source from overlapping.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde::de::DeserializeOwned;
use sheaf_store::{IncomingRecord, RunReport, RunStatus, Store};
use tokio::sync::Notify;

use crate::client::{Fetched, HostGates, HttpClient};
use crate::settings::{SourceKind, SourcePlan};
use crate::{HarvestError, feed, oai};

/// Starts harvest runs and keeps at most one run per source going.
#[derive(Debug)]
pub struct Harvester {
    store: Arc<Store>,
    gates: HostGates,
    running: Mutex<HashSet<String>>,
    changed: Arc<Notify>,
}

/// The outcome of a finished run.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    /// Source id.
    pub source_id: String,
    /// Run id in the store.
    pub run_id: i64,
    /// Counters and status, as stored.
    pub report: RunReport,
}

impl RunSummary {
    /// Returns whether the run succeeded.
    pub fn succeeded(&self) -> bool {
        self.report.status == RunStatus::Succeeded
    }
}

/// A run whose row exists in the store and which holds its source's run guard.
#[derive(Debug)]
pub struct PreparedRun {
    harvester: Arc<Harvester>,
    plan: SourcePlan,
    run_id: i64,
    full: bool,
}

impl Harvester {
    /// Creates a harvester writing to `store`.
    pub fn new(store: Arc<Store>) -> Arc<Harvester> {
        Arc::new(Harvester {
            store,
            gates: HostGates::default(),
            running: Mutex::new(HashSet::new()),
            changed: Arc::new(Notify::new()),
        })
    }

    /// Returns the notifier woken after every stored page, for the indexer to catch up.
    pub fn changed(&self) -> Arc<Notify> {
        self.changed.clone()
    }

    /// Returns whether a run of the source is going.
    pub fn is_running(&self, source_id: &str) -> bool {
        self.lock_running().contains(source_id)
    }

    fn lock_running(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        match self.running.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Creates the run row and takes the source's guard, so that the run id can be returned
    /// before the run itself starts.
    ///
    /// # Errors
    ///
    /// Fails with [`HarvestError::AlreadyRunning`] while another run of the source is going.
    pub fn prepare(
        self: &Arc<Self>,
        plan: &SourcePlan,
        full: bool,
    ) -> Result<PreparedRun, HarvestError> {
        if !self.lock_running().insert(plan.id.clone()) {
            return Err(HarvestError::AlreadyRunning {
                source_id: plan.id.clone(),
            });
        }
        match self.store.start_run(&plan.id, full) {
            Ok(run_id) => Ok(PreparedRun {
                harvester: self.clone(),
                plan: plan.clone(),
                run_id,
                full,
            }),
            Err(error) => {
                self.lock_running().remove(&plan.id);
                Err(error.into())
            }
        }
    }

    /// Runs a harvest of one source to its end and records the outcome.
    ///
    /// # Errors
    ///
    /// Fails only when the run cannot start; a failed harvest is a summary with a failed status.
    pub async fn run(
        self: &Arc<Self>,
        plan: &SourcePlan,
        full: bool,
    ) -> Result<RunSummary, HarvestError> {
        Ok(self.prepare(plan, full)?.execute().await)
    }
}

impl PreparedRun {
    /// Returns the run id.
    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// Harvests, records the report and releases the source's guard.
    pub async fn execute(self) -> RunSummary {
        let span = tracing::info_span!("harvest", source_id = %self.plan.id, run_id = self.run_id);
        let summary = tracing::Instrument::instrument(self.harvest(), span).await;
        self.harvester.lock_running().remove(&self.plan.id);
        summary
    }

    async fn harvest(&self) -> RunSummary {
        let harvester = &self.harvester;
        tracing::info!(url = %self.plan.url, full = self.full, "harvest started");
        let mut report = empty_report();
        let outcome = match HttpClient::new(
            &self.plan.settings,
            &self.plan.headers,
            harvester.gates.clone(),
        ) {
            Ok(client) => {
                let mut ctx = RunContext {
                    plan: &self.plan,
                    store: &harvester.store,
                    client: &client,
                    run_id: self.run_id,
                    seen_since_run: self.run_id,
                    full: self.full,
                    report: &mut report,
                    changed: &harvester.changed,
                };
                let outcome = match self.plan.kind {
                    SourceKind::OaiPmh => oai::harvest(&mut ctx).await,
                    SourceKind::Feed => feed::harvest(&mut ctx).await,
                };
                let outcome = match outcome {
                    Ok(()) if ctx.full && self.plan.kind == SourceKind::OaiPmh => {
                        ctx.tombstone_unseen().await
                    }
                    other => other,
                };
                ctx.report.retries = client.retries();
                outcome
            }
            Err(error) => Err(error.into()),
        };
        match outcome {
            Ok(()) => {
                report.status = RunStatus::Succeeded;
                tracing::info!(
                    pages = report.pages,
                    added = report.added,
                    updated = report.updated,
                    deleted = report.deleted,
                    unchanged = report.unchanged,
                    repairs = report.repairs,
                    retries = report.retries,
                    "harvest finished"
                );
            }
            Err(error) => {
                report.status = RunStatus::Failed;
                report.errors += 1;
                report.message = Some(error.to_string());
                tracing::error!(%error, "harvest failed");
            }
        }
        if let Err(error) = harvester.store.finish_run(self.run_id, &report) {
            tracing::error!(%error, "could not record the run's report");
        }
        RunSummary {
            source_id: self.plan.id.clone(),
            run_id: self.run_id,
            report,
        }
    }
}

impl Drop for PreparedRun {
    fn drop(&mut self) {
        // A run dropped before it finished (a cancelled task) must not hold the guard forever.
        self.harvester.lock_running().remove(&self.plan.id);
    }
}

fn empty_report() -> RunReport {
    RunReport {
        status: RunStatus::Running,
        pages: 0,
        added: 0,
        updated: 0,
        deleted: 0,
        unchanged: 0,
        repairs: 0,
        retries: 0,
        errors: 0,
        message: None,
    }
}

/// What a protocol's harvest needs while it runs.
pub(crate) struct RunContext<'a> {
    pub plan: &'a SourcePlan,
    pub store: &'a Arc<Store>,
    pub client: &'a HttpClient,
    pub run_id: i64,
    /// Records seen by this run or an earlier run of the same resumed list count as seen.
    pub seen_since_run: i64,
    pub full: bool,
    pub report: &'a mut RunReport,
    pub changed: &'a Arc<Notify>,
}

impl RunContext<'_> {
    /// Reads the source's checkpoint, or the default state for a source never harvested.
    pub fn load_checkpoint<T: DeserializeOwned + Default>(&self) -> Result<T, HarvestError> {
        let Some(text) = self.store.checkpoint(&self.plan.id)? else {
            return Ok(T::default());
        };
        match serde_json::from_str(&text) {
            Ok(checkpoint) => Ok(checkpoint),
            Err(error) => {
                tracing::warn!(%error, "unreadable checkpoint; starting from scratch");
                Ok(T::default())
            }
        }
    }

    /// Stores a page of records together with the checkpoint that follows it.
    pub async fn write_page<T: Serialize>(
        &mut self,
        records: Vec<IncomingRecord>,
        checkpoint: &T,
    ) -> Result<(), HarvestError> {
        let checkpoint = encode(checkpoint)?;
        let store = self.store.clone();
        let source_id = self.plan.id.clone();
        let run_id = self.run_id;
        let counts = tokio::task::spawn_blocking(move || {
            store.write_page(&source_id, run_id, &records, &checkpoint)
        })
        .await
        .map_err(|e| HarvestError::Internal {
            message: e.to_string(),
        })??;
        self.report.added += counts.added;
        self.report.updated += counts.updated;
        self.report.deleted += counts.deleted;
        self.report.unchanged += counts.unchanged;
        if counts.added + counts.updated + counts.deleted > 0 {
            self.changed.notify_one();
        }
        Ok(())
    }

    /// Stores the checkpoint alone.
    pub async fn save_checkpoint<T: Serialize>(&self, checkpoint: &T) -> Result<(), HarvestError> {
        let checkpoint = encode(checkpoint)?;
        let store = self.store.clone();
        let source_id = self.plan.id.clone();
        tokio::task::spawn_blocking(move || store.set_checkpoint(&source_id, &checkpoint))
            .await
            .map_err(|e| HarvestError::Internal {
                message: e.to_string(),
            })??;
        Ok(())
    }

    /// Turns the source's records that this full harvest did not see into tombstones.
    async fn tombstone_unseen(&mut self) -> Result<(), HarvestError> {
        let store = self.store.clone();
        let source_id = self.plan.id.clone();
        let since = self.seen_since_run;
        let count = tokio::task::spawn_blocking(move || store.tombstone_unseen(&source_id, since))
            .await
            .map_err(|e| HarvestError::Internal {
                message: e.to_string(),
            })??;
        if count > 0 {
            tracing::info!(count, "records no longer listed became tombstones");
            self.report.deleted += count;
            self.changed.notify_one();
        }
        Ok(())
    }
}

fn encode<T: Serialize>(checkpoint: &T) -> Result<String, HarvestError> {
    serde_json::to_string(checkpoint).map_err(|e| HarvestError::Internal {
        message: e.to_string(),
    })
}

/// Decodes a fetched XML body by the one rule for XML from the network.
pub(crate) fn decode_body(fetched: &Fetched) -> sheaf_xml::Decoded {
    sheaf_xml::decode_xml(
        &fetched.body,
        fetched.content_type.as_deref(),
        sheaf_xml::DecodeOptions::default(),
    )
}
