//! The daemon: store, index, scheduler, indexer and HTTP server, with systemd readiness and
//! watchdog notifications and a bounded drain on SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sheaf_harvest::{HarvestError, Harvester, Scheduler};
use sheaf_server::{AppState, HarvestControl, ServerConfig, SourceSchedule, TriggerError};
use sheaf_store::Store;

use crate::commands::{Outcome, open_index, open_store};
use crate::config::Config;

/// How often the indexer looks for changes written by other processes.
const INDEX_POLL: Duration = Duration::from_secs(5);
/// Maximum wait for in-flight work after SIGTERM, shorter than the unit's stop timeout.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(20);

/// Runs the daemon until SIGTERM or SIGINT.
pub async fn run(config: Config) -> anyhow::Result<Outcome> {
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        config = %config.path.display(),
        data_dir = %config.data_dir.display(),
        listen = %config.listen,
        "sheaf starting"
    );
    let store = open_store(&config)?;
    let index = open_index(&config)?;
    let mut indexer = match index.writer() {
        Ok(indexer) => indexer,
        Err(sheaf_index::Error::WriterLocked { .. }) => {
            anyhow::bail!(
                "another process holds the index in {}; stop the other `sheaf serve` first",
                config.index_dir().display()
            )
        }
        Err(error) => return Err(error).context("cannot open the index for writing"),
    };
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .map_err(|e| tracing::warn!(error = %e, "metrics recorder not installed"))
        .ok();

    let harvester = Harvester::new(store.clone());
    let scheduler = Scheduler::new(
        harvester.clone(),
        config.sources.clone(),
        config.max_concurrent_runs,
    );
    let never_harvested: Vec<String> = store
        .sources()?
        .into_iter()
        .filter(|s| s.last_run.is_none())
        .map(|s| s.id)
        .collect();

    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}; change [server] listen", config.listen))?;
    let state = AppState {
        store: store.clone(),
        index: index.clone(),
        harvest: Arc::new(Control {
            scheduler: scheduler.clone(),
        }),
        config: ServerConfig {
            admin_token: config.admin_token.clone(),
            public_url: config.public_url.clone(),
            version: env!("CARGO_PKG_VERSION"),
        },
        metrics,
    };
    let router = sheaf_server::router(state);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);

    // Catch up with changes made while the daemon was down, then follow new ones.
    let changed = harvester.changed();
    let indexing = {
        let store = store.clone();
        let index = index.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            loop {
                let result = {
                    let store = store.clone();
                    let index = index.clone();
                    tokio::task::spawn_blocking(move || {
                        let applied = sheaf_index::catch_up(&store, &index, &mut indexer);
                        (indexer, applied)
                    })
                    .await
                };
                let Ok((returned, applied)) = result else {
                    return;
                };
                indexer = returned;
                match applied {
                    Ok(0) => {}
                    Ok(applied) => tracing::info!(applied, "index updated"),
                    Err(error) => tracing::error!(%error, "indexing failed"),
                }
                if *stop.borrow() {
                    return;
                }
                tokio::select! {
                    () = changed.notified() => tokio::time::sleep(Duration::from_millis(500)).await,
                    () = tokio::time::sleep(INDEX_POLL) => {}
                    _ = stop.changed() => {}
                }
            }
        })
    };
    let scheduling = tokio::spawn(scheduler.clone().run(never_harvested));
    let watchdog = tokio::spawn(watchdog(store.clone()));

    notify(&[sd_notify::NotifyState::Ready]);
    tracing::info!(listen = %config.listen, "sheaf ready");
    let server = sheaf_server::serve(listener, router, shutdown_signal());
    let served = server.await;

    notify(&[sd_notify::NotifyState::Stopping]);
    tracing::info!("stopping: draining in-flight work");
    scheduling.abort();
    watchdog.abort();
    let _ = stop_tx.send(true);
    if tokio::time::timeout(DRAIN_TIMEOUT, indexing).await.is_err() {
        tracing::warn!("indexer did not finish in time; it catches up at the next start");
    }
    served.context("the HTTP server failed")?;
    tracing::info!("sheaf stopped");
    Ok(Outcome::Success)
}

/// The server's handle on the scheduler.
struct Control {
    scheduler: Arc<Scheduler>,
}

impl HarvestControl for Control {
    fn trigger(&self, source_id: &str) -> Result<i64, TriggerError> {
        match self.scheduler.trigger(source_id, false) {
            Ok(run_id) => Ok(run_id),
            Err(HarvestError::UnknownSource { .. }) => Err(TriggerError::UnknownSource),
            Err(HarvestError::AlreadyRunning { .. }) => Err(TriggerError::AlreadyRunning),
            Err(error) => Err(TriggerError::Other(error.to_string())),
        }
    }

    fn schedule(&self, source_id: &str) -> Option<SourceSchedule> {
        let source = self.scheduler.source(source_id)?;
        Some(SourceSchedule {
            schedule: source.schedule.as_ref().map(|s| s.expression().to_owned()),
            next_run: self.scheduler.next_run(source_id),
            enabled: source.enabled,
            running: self.scheduler.is_running(source_id),
        })
    }
}

/// Feeds the systemd watchdog while the store responds to a ping, so that a stuck store gets the service
/// restarted.
async fn watchdog(store: Arc<Store>) {
    let Some(timeout) = sd_notify::watchdog_enabled() else {
        return;
    };
    let interval = timeout / 2;
    loop {
        let store = store.clone();
        let healthy = tokio::task::spawn_blocking(move || store.ping().is_ok())
            .await
            .unwrap_or(false);
        if healthy {
            notify(&[sd_notify::NotifyState::Watchdog]);
        } else {
            tracing::error!("store ping failed; withholding the watchdog ping");
        }
        tokio::time::sleep(interval).await;
    }
}

fn notify(states: &[sd_notify::NotifyState]) {
    if let Err(error) = sd_notify::notify(states) {
        tracing::debug!(%error, "systemd notification not sent");
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutdown requested");
}
