//! The HTTP API of Sheaf: search, records, sources, health checks and metrics.
//!
//! [`router`] builds an axum [`Router`] over the store (the source of truth), the search index
//! and a [`HarvestControl`] that the binary implements over its scheduler, so that this crate
//! does not depend on the harvester. [`serve`] runs it on a listener until a shutdown signal.
//! Every error has the body `{"code": "...", "message": "..."}`; [`ApiError`] holds the table of
//! codes and statuses. Blocking work (SQLite, tantivy) runs on tokio's blocking threads.
//!
//! ```no_run
//! # async fn run(state: sheaf_server::AppState) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:7878").await?;
//! let shutdown = async {
//!     let _ = tokio::signal::ctrl_c().await;
//! };
//! sheaf_server::serve(listener, sheaf_server::router(state), shutdown).await
//! # }
//! ```
#![warn(missing_docs)]

mod control;
mod error;
mod health;
mod metrics;
mod params;
mod search;
mod sources;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use metrics_exporter_prometheus::PrometheusHandle;
use sheaf_index::SearchIndex;
use sheaf_store::Store;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use control::{HarvestControl, SourceSchedule, TriggerError};
pub use error::ApiError;
pub use params::{DEFAULT_RUNS_LIMIT, MAX_OFFSET, MAX_RUNS_LIMIT};

/// Longest time a request may take before the server answers 503 with code `timeout`.
///
/// It bounds how long a slow search or a slow client delays graceful shutdown. A search over
/// tens of millions of documents finishes well within it; the work of a timed-out request on a
/// blocking thread still runs to its end, but its answer is dropped.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Server settings taken from the `[server]` section of the config.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// Bearer token for admin routes; `None` (or empty) turns the admin routes off with a 404.
    pub admin_token: Option<String>,
    /// The address clients reach the server at; it prefixes the `Location` header of a started
    /// harvest run, which is a path alone when this is `None`.
    pub public_url: Option<String>,
    /// The server's version, reported by `/healthz` and the `sheaf_build_info` metric.
    pub version: &'static str,
}

/// Everything the handlers share.
pub struct AppState {
    /// The record store.
    pub store: Arc<Store>,
    /// The search index.
    pub index: Arc<SearchIndex>,
    /// Harvest triggers and schedules.
    pub harvest: Arc<dyn HarvestControl>,
    /// Server settings.
    pub config: ServerConfig,
    /// The Prometheus recorder's handle, whose metrics `/metrics` appends to the store gauges.
    pub metrics: Option<PrometheusHandle>,
}

/// Builds the router of every route, with tracing, request metrics, the request timeout and the
/// common error body.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/search", get(search::search))
        .route("/api/records/{*id}", get(search::record))
        .route("/api/sources", get(sources::list))
        .route("/api/sources/{id}/runs", get(sources::runs))
        .route("/api/sources/{id}/harvest", post(sources::trigger))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render))
        .fallback(error::route_not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(Arc::new(state));

    // Layers listed last run first: the timeout is innermost so that its bare 503 passes
    // through the error rewriter, and tracing is outermost so that it sees the final status.
    api.layer(TimeoutLayer::with_status_code(
        StatusCode::SERVICE_UNAVAILABLE,
        REQUEST_TIMEOUT,
    ))
    .layer(axum::middleware::from_fn(error::normalize_error_body))
    .layer(axum::middleware::from_fn(metrics::track_requests))
    .layer(TraceLayer::new_for_http().on_failure(()))
}

/// Serves `router` on `listener` until `shutdown` completes, then waits for the requests in
/// flight, each bounded by [`REQUEST_TIMEOUT`].
///
/// # Errors
///
/// Returns the I/O error that stopped the server.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Runs `task` on a blocking thread, turning a panic or cancellation into an [`ApiError`].
async fn blocking<T, F>(name: &'static str, task: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(task).await {
        Ok(result) => result,
        Err(error) => Err(ApiError::TaskFailed {
            task: name,
            message: error.to_string(),
        }),
    }
}
