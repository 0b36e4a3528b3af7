//! `GET /api/search` and `GET /api/records/{id}`.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::{AppState, blocking, params};

/// Runs a search on a blocking thread and returns the index's response as JSON.
pub(crate) async fn search(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let request = params::parse_search(raw.as_deref())?;
    let response = blocking("search", move || {
        state
            .index
            .search(&request)
            .map_err(|error| index_error(error, &request.q))
    })
    .await?;
    Ok(Json(response).into_response())
}

/// Maps the index's rejections of client input to 400s and everything else to a 500.
fn index_error(error: sheaf_index::Error, q: &str) -> ApiError {
    match error {
        sheaf_index::Error::InvalidQuery { query, message } => {
            let query = if query.is_empty() {
                q.to_owned()
            } else {
                query
            };
            ApiError::InvalidQuery { query, message }
        }
        sheaf_index::Error::InvalidFilter { filter, message } => {
            ApiError::InvalidFilter { filter, message }
        }
        sheaf_index::Error::InvalidFacet { facet, valid } => {
            ApiError::InvalidFacet { facet, valid }
        }
        sheaf_index::Error::InvalidCursor { cursor, message } => {
            ApiError::InvalidCursor { cursor, message }
        }
        sheaf_index::Error::InvalidSort { value } => ApiError::InvalidParameter {
            name: "sort".to_owned(),
            message: format!("must be `relevance`, `date` or `-date`, got `{value}`"),
        },
        other => ApiError::Index {
            source: Box::new(other),
        },
    }
}

/// Returns one record: 200 with the record, 404 when unknown, 410 for a tombstone.
///
/// The id arrives percent-encoded as one path segment; the route is a catch-all so that an id
/// whose `/` the client left unencoded still reaches this handler.
pub(crate) async fn record(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|rejection| ApiError::BadRequest {
        message: rejection.body_text(),
    })?;
    let lookup_id = id.clone();
    let stored = blocking("read record", move || {
        state
            .store
            .get(&lookup_id)
            .map_err(|source| ApiError::Store {
                source: Box::new(source),
                record_id: Some(lookup_id.clone()),
                source_id: None,
            })
    })
    .await?;

    let Some(stored) = stored else {
        return Err(ApiError::RecordNotFound { id });
    };
    if stored.record.deleted {
        return Err(ApiError::RecordDeleted {
            id,
            datestamp: stored.record.datestamp,
        });
    }
    Ok(Json(stored.record).into_response())
}
