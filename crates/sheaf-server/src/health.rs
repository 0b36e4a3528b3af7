//! `GET /healthz` and `GET /readyz`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::{AppState, blocking};

/// Returns 200 whenever the process serves HTTP.
pub(crate) async fn healthz(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({ "status": "ok", "version": state.config.version }))
}

/// Returns 200 when the store answers a query and the index reads its commit, else 503.
pub(crate) async fn readyz(State(state): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    blocking("readiness check", move || {
        state.store.ping().map_err(|error| ApiError::NotReady {
            component: "store",
            message: error.to_string(),
        })?;
        state
            .index
            .applied_seq()
            .map_err(|error| ApiError::NotReady {
                component: "index",
                message: error.to_string(),
            })?;
        Ok(())
    })
    .await?;
    Ok(Json(json!({ "status": "ready" })))
}
