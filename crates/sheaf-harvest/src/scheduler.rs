//! The daemon's scheduler: each enabled source runs on its cron schedule, sources never harvested
//! run soon after start-up, and a global limit caps the runs going at once.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;

use crate::HarvestError;
use crate::run::Harvester;
use crate::schedule::CronSchedule;
use crate::settings::SourcePlan;

/// Pause after start-up before first harvests, so the server is up and answering first.
const STARTUP_DELAY: Duration = Duration::from_secs(2);

/// A source as the scheduler sees it.
#[derive(Debug, Clone)]
pub struct ScheduledSource {
    /// The source.
    pub plan: SourcePlan,
    /// When it runs; `None` runs it only on start-up (if never harvested) and on request.
    pub schedule: Option<CronSchedule>,
    /// Disabled sources run only on request.
    pub enabled: bool,
}

/// Starts runs on schedule or on request, at most `max_concurrent_runs` at a time.
#[derive(Debug)]
pub struct Scheduler {
    harvester: Arc<Harvester>,
    sources: Vec<ScheduledSource>,
    limit: Arc<Semaphore>,
}

impl Scheduler {
    /// Creates a scheduler over the configured sources.
    pub fn new(
        harvester: Arc<Harvester>,
        sources: Vec<ScheduledSource>,
        max_concurrent_runs: usize,
    ) -> Arc<Scheduler> {
        Arc::new(Scheduler {
            harvester,
            sources,
            limit: Arc::new(Semaphore::new(max_concurrent_runs.max(1))),
        })
    }

    /// Returns the configured sources.
    pub fn sources(&self) -> &[ScheduledSource] {
        &self.sources
    }

    /// Returns the source with this id.
    pub fn source(&self, source_id: &str) -> Option<&ScheduledSource> {
        self.sources.iter().find(|s| s.plan.id == source_id)
    }

    /// Returns when the source next runs on its schedule.
    pub fn next_run(&self, source_id: &str) -> Option<DateTime<Utc>> {
        let source = self.source(source_id)?;
        if !source.enabled {
            return None;
        }
        source.schedule.as_ref()?.next_after(Utc::now())
    }

    /// Returns whether a run of the source is going.
    pub fn is_running(&self, source_id: &str) -> bool {
        self.harvester.is_running(source_id)
    }

    /// Starts a run now, in the background, and returns its id.
    ///
    /// # Errors
    ///
    /// Fails for an unknown source or while a run of the source is going.
    pub fn trigger(self: &Arc<Self>, source_id: &str, full: bool) -> Result<i64, HarvestError> {
        let source = self
            .source(source_id)
            .ok_or_else(|| HarvestError::UnknownSource {
                source_id: source_id.to_owned(),
            })?;
        let prepared = self.harvester.prepare(&source.plan, full)?;
        let run_id = prepared.run_id();
        let limit = self.limit.clone();
        tokio::spawn(async move {
            let Ok(_permit) = limit.acquire_owned().await else {
                return;
            };
            prepared.execute().await;
        });
        Ok(run_id)
    }

    /// Runs every enabled source on its schedule until the task is dropped. Sources without
    /// any run in the store are harvested right after start-up.
    pub async fn run(self: Arc<Self>, never_harvested: Vec<String>) {
        let mut tasks = tokio::task::JoinSet::new();
        for source in self.sources.iter().filter(|s| s.enabled) {
            let scheduler = self.clone();
            let source_id = source.plan.id.clone();
            let first = never_harvested.contains(&source_id);
            tasks.spawn(async move { scheduler.source_loop(&source_id, first).await });
        }
        while tasks.join_next().await.is_some() {}
    }

    async fn source_loop(self: Arc<Self>, source_id: &str, first: bool) {
        if first {
            tokio::time::sleep(STARTUP_DELAY).await;
            self.start_scheduled(source_id);
        }
        loop {
            let Some(next) = self.next_run(source_id) else {
                return;
            };
            let wait = (next - Utc::now()).to_std().unwrap_or(Duration::ZERO);
            tokio::time::sleep(wait).await;
            self.start_scheduled(source_id);
            // The schedule's resolution is one second; never fire twice for the same instant.
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    fn start_scheduled(self: &Arc<Self>, source_id: &str) {
        match self.trigger(source_id, false) {
            Ok(run_id) => tracing::info!(source_id, run_id, "scheduled run started"),
            Err(HarvestError::AlreadyRunning { .. }) => {
                tracing::warn!(
                    source_id,
                    "scheduled run skipped: the previous run is still going"
                );
            }
            Err(error) => tracing::error!(source_id, %error, "scheduled run could not start"),
        }
    }
}
