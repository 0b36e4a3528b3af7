//! `GET /api/sources`, `GET /api/sources/{id}/runs` and `POST /api/sources/{id}/harvest`.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sheaf_store::{RunRow, SourceStatus};
use subtle::ConstantTimeEq;

use crate::control::TriggerError;
use crate::error::ApiError;
use crate::{AppState, blocking, params};

/// One source in `GET /api/sources`: the store's status plus the scheduler's schedule.
#[derive(Serialize)]
struct SourceView {
    #[serde(flatten)]
    status: SourceStatus,
    schedule: Option<String>,
    next_run: Option<DateTime<Utc>>,
    enabled: bool,
    running: bool,
}

#[derive(Serialize)]
struct SourcesBody {
    sources: Vec<SourceView>,
}

#[derive(Serialize)]
struct RunsBody {
    source_id: String,
    runs: Vec<RunRow>,
}

#[derive(Serialize)]
struct TriggerBody {
    run_id: i64,
    source_id: String,
}

/// Lists every source in the store with its counts, last run and schedule.
pub(crate) async fn list(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let sources = blocking("list sources", move || {
        let statuses = state.store.sources().map_err(|source| ApiError::Store {
            source: Box::new(source),
            record_id: None,
            source_id: None,
        })?;
        let mut views = Vec::with_capacity(statuses.len());
        for status in statuses {
            let schedule = state.harvest.schedule(&status.id).unwrap_or_default();
            views.push(SourceView {
                status,
                schedule: schedule.schedule,
                next_run: schedule.next_run,
                enabled: schedule.enabled,
                running: schedule.running,
            });
        }
        Ok(views)
    })
    .await?;
    Ok(Json(SourcesBody { sources }).into_response())
}

/// Lists the latest runs of one source, newest first.
pub(crate) async fn runs(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let Path(source_id) = id.map_err(|rejection| ApiError::BadRequest {
        message: rejection.body_text(),
    })?;
    let limit = params::parse_runs(raw.as_deref())?;
    let body = blocking("list runs", move || {
        let store_error = |source| ApiError::Store {
            source: Box::new(source),
            record_id: None,
            source_id: Some(source_id.clone()),
        };
        let known = state.store.sources().map_err(store_error)?;
        if !known.iter().any(|status| status.id == source_id) {
            return Err(ApiError::SourceNotFound { id: source_id });
        }
        let runs = state.store.runs(&source_id, limit).map_err(store_error)?;
        Ok(RunsBody { source_id, runs })
    })
    .await?;
    Ok(Json(body).into_response())
}

/// Starts a harvest run of one source for an operator holding the admin token.
pub(crate) async fn trigger(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path(source_id) = id.map_err(|rejection| ApiError::BadRequest {
        message: rejection.body_text(),
    })?;
    let configured = state
        .config
        .admin_token
        .as_deref()
        .filter(|token| !token.is_empty());
    let Some(expected) = configured else {
        return Err(ApiError::AdminDisabled);
    };
    check_bearer(&headers, expected)?;

    let harvest = Arc::clone(&state.harvest);
    let trigger_id = source_id.clone();
    let outcome = blocking("trigger harvest", move || Ok(harvest.trigger(&trigger_id))).await?;
    let run_id = match outcome {
        Ok(run_id) => run_id,
        Err(TriggerError::UnknownSource) => return Err(ApiError::SourceNotFound { id: source_id }),
        Err(TriggerError::AlreadyRunning) => return Err(ApiError::RunInProgress { source_id }),
        Err(TriggerError::Other(message)) => {
            return Err(ApiError::Harvest { source_id, message });
        }
    };

    tracing::info!(source_id, run_id, "harvest run requested through the API");
    let base = state
        .config
        .public_url
        .as_deref()
        .unwrap_or("")
        .trim_end_matches('/');
    let location = format!("{base}/api/sources/{source_id}/runs");
    let mut response = (
        StatusCode::ACCEPTED,
        Json(TriggerBody { run_id, source_id }),
    )
        .into_response();
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Checks `Authorization: Bearer TOKEN` against the configured admin token.
///
/// Both tokens are hashed before the comparison so that it takes the same time whatever their
/// lengths and contents.
fn check_bearer(headers: &HeaderMap, expected: &str) -> Result<(), ApiError> {
    let missing = ApiError::Unauthorized {
        reason: "this request needs the header `Authorization: Bearer TOKEN` with the admin token",
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(missing);
    };
    let Ok(value) = value.to_str() else {
        return Err(missing);
    };
    let Some((scheme, token)) = value.trim().split_once(' ') else {
        return Err(missing);
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(missing);
    }

    let given = Sha256::digest(token.trim().as_bytes());
    let wanted = Sha256::digest(expected.as_bytes());
    if bool::from(given.as_slice().ct_eq(wanted.as_slice())) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized {
            reason: "the bearer token does not match the server's admin token",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(authorization: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(authorization).unwrap(),
        );
        headers
    }

    #[test]
    fn bearer_accepts_matching_token() {
        assert!(check_bearer(&headers("Bearer s3cret"), "s3cret").is_ok());
        assert!(check_bearer(&headers("bearer s3cret"), "s3cret").is_ok());
    }

    #[test]
    fn bearer_rejects_wrong_token() {
        let error = check_bearer(&headers("Bearer s3cre"), "s3cret").unwrap_err();
        assert!(error.to_string().contains("does not match"), "{error}");
    }

    #[test]
    fn bearer_rejects_other_scheme() {
        let error = check_bearer(&headers("Basic czNjcmV0"), "s3cret").unwrap_err();
        assert!(
            error.to_string().contains("Authorization: Bearer"),
            "{error}"
        );
    }

    #[test]
    fn bearer_rejects_missing_header() {
        let error = check_bearer(&HeaderMap::new(), "s3cret").unwrap_err();
        assert_eq!(error.code(), "unauthorized");
    }
}
