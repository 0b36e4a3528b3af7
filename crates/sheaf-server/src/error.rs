//! API errors: one enum, one table of status codes and stable error codes, one body shape.
//!
//! Every 4xx and 5xx response of the API has the body `{"code": "...", "message": "..."}`.
//! Handlers return [`ApiError`]; responses that axum or tower-http build themselves (path
//! rejections, timeouts) are rewritten into the same shape by [`normalize_error_body`].

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

/// Largest body of a framework-built error response that is read to reuse its text as message.
const MAX_REWRITTEN_BODY_BYTES: usize = 4096;

/// An error returned by the HTTP API, with the data its message names.
///
/// [`ApiError::status`] and [`ApiError::code`] read from one table; the codes are part of the
/// API contract and do not change.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter has an invalid value, is unknown or is repeated.
    #[error("invalid parameter `{name}`: {message}")]
    InvalidParameter {
        /// The parameter's name.
        name: String,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// The search index rejected the query text.
    #[error("invalid query `{query}`: {message}")]
    InvalidQuery {
        /// The query text as given.
        query: String,
        /// What is wrong with it.
        message: String,
    },
    /// A filter or facet is malformed or names an unknown field.
    #[error("invalid filter `{filter}`: {message}")]
    InvalidFilter {
        /// The filter as given.
        filter: String,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// A facet name is unknown.
    #[error("invalid facet `{facet}`: expected one of {valid}")]
    InvalidFacet {
        /// The facet name as given.
        facet: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// A cursor was not produced by this index or belongs to another sort order.
    #[error("invalid cursor `{cursor}`: {message}; start again without a cursor")]
    InvalidCursor {
        /// The cursor as given.
        cursor: String,
        /// What is wrong with it.
        message: String,
    },
    /// The request is malformed in a way the framework detected, such as a bad path encoding.
    #[error("bad request: {message}")]
    BadRequest {
        /// The framework's description of the problem.
        message: String,
    },
    /// The admin request has no bearer token or a wrong one.
    #[error("{reason}")]
    Unauthorized {
        /// Which of the two it is.
        reason: &'static str,
    },
    /// No record has this id.
    #[error("no record has the id `{id}`")]
    RecordNotFound {
        /// The requested id, percent-decoded.
        id: String,
    },
    /// No source in the store has this id.
    #[error("no source has the id `{id}`; `GET /api/sources` lists the known sources")]
    SourceNotFound {
        /// The requested source id.
        id: String,
    },
    /// Admin routes are off because the server has no admin token configured.
    #[error("admin requests are disabled; set `server.admin_token` in the config to enable them")]
    AdminDisabled,
    /// No route matches the path.
    #[error("no route matches `{method} {path}`")]
    NotFound {
        /// The request method.
        method: Method,
        /// The request path.
        path: String,
    },
    /// The route exists but does not accept the method.
    #[error("`{path}` does not accept `{method}`; the `Allow` header lists the methods it accepts")]
    MethodNotAllowed {
        /// The request method.
        method: Method,
        /// The request path.
        path: String,
    },
    /// A harvest run of the source is going.
    #[error("a harvest run of source `{source_id}` is already going; retry when it finishes")]
    RunInProgress {
        /// The source's id.
        source_id: String,
    },
    /// The record exists as a tombstone: the source deleted it.
    #[error("record `{id}` was deleted by its source")]
    RecordDeleted {
        /// The record's id.
        id: String,
        /// When the source deleted it, if the source said.
        datestamp: Option<DateTime<Utc>>,
    },
    /// The store failed.
    #[error("store error{}: {source}", context_suffix(.record_id, .source_id))]
    Store {
        /// The store's error, boxed to keep `Result<_, ApiError>` small.
        source: Box<sheaf_store::Error>,
        /// The record being read, if any.
        record_id: Option<String>,
        /// The source being read, if any.
        source_id: Option<String>,
    },
    /// The search index failed.
    #[error("search index error: {source}")]
    Index {
        /// The index's error, boxed to keep `Result<_, ApiError>` small.
        source: Box<sheaf_index::Error>,
    },
    /// The harvester could not start a run for a reason other than the ones above.
    #[error("harvest trigger for source `{source_id}` failed: {message}")]
    Harvest {
        /// The source's id.
        source_id: String,
        /// The harvester's description of the failure.
        message: String,
    },
    /// A blocking task panicked or was cancelled.
    #[error("blocking task `{task}` failed: {message}")]
    TaskFailed {
        /// What the task was doing.
        task: &'static str,
        /// The join error's text.
        message: String,
    },
    /// The store or the index does not answer, so the server is not ready.
    #[error("{component} is not ready: {message}")]
    NotReady {
        /// `store` or `index`.
        component: &'static str,
        /// The failure's text.
        message: String,
    },
    /// The request took longer than the server's request timeout.
    #[error("the request took longer than {timeout_secs} s and was stopped; narrow the request")]
    Timeout {
        /// The timeout in seconds.
        timeout_secs: u64,
    },
}

fn context_suffix(record_id: &Option<String>, source_id: &Option<String>) -> String {
    match (record_id, source_id) {
        (Some(record), _) => format!(" on record `{record}`"),
        (None, Some(source)) => format!(" on source `{source}`"),
        (None, None) => String::new(),
    }
}

impl ApiError {
    /// Returns the HTTP status and the stable error code: the one table of the API's errors.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::InvalidParameter { .. } => (StatusCode::BAD_REQUEST, "invalid_parameter"),
            ApiError::InvalidQuery { .. } => (StatusCode::BAD_REQUEST, "invalid_query"),
            ApiError::InvalidFilter { .. } => (StatusCode::BAD_REQUEST, "invalid_filter"),
            ApiError::InvalidFacet { .. } => (StatusCode::BAD_REQUEST, "invalid_facet"),
            ApiError::InvalidCursor { .. } => (StatusCode::BAD_REQUEST, "invalid_cursor"),
            ApiError::BadRequest { .. } => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Unauthorized { .. } => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::RecordNotFound { .. } => (StatusCode::NOT_FOUND, "record_not_found"),
            ApiError::SourceNotFound { .. } => (StatusCode::NOT_FOUND, "source_not_found"),
            ApiError::AdminDisabled => (StatusCode::NOT_FOUND, "admin_disabled"),
            ApiError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::MethodNotAllowed { .. } => {
                (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
            }
            ApiError::RunInProgress { .. } => (StatusCode::CONFLICT, "run_in_progress"),
            ApiError::RecordDeleted { .. } => (StatusCode::GONE, "record_deleted"),
            ApiError::Store { .. }
            | ApiError::Index { .. }
            | ApiError::Harvest { .. }
            | ApiError::TaskFailed { .. } => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            ApiError::NotReady { .. } => (StatusCode::SERVICE_UNAVAILABLE, "not_ready"),
            ApiError::Timeout { .. } => (StatusCode::SERVICE_UNAVAILABLE, "timeout"),
        }
    }

    /// Returns the HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        self.status_and_code().0
    }

    /// Returns the stable error code of this error, the `code` field of the body.
    pub fn code(&self) -> &'static str {
        self.status_and_code().1
    }

    /// Returns the text sent to the client. Internal errors name what failed and leave the cause
    /// to the server log, so that paths and driver messages do not leak.
    fn public_message(&self) -> String {
        match self {
            ApiError::Store {
                record_id: Some(id),
                ..
            } => {
                format!(
                    "the store failed while reading record `{id}`; the server log has the cause"
                )
            }
            ApiError::Store {
                source_id: Some(id),
                ..
            } => {
                format!(
                    "the store failed while reading source `{id}`; the server log has the cause"
                )
            }
            ApiError::Store { .. } => "the store failed; the server log has the cause".to_owned(),
            ApiError::Index { .. } => {
                "the search index failed; the server log has the cause".to_owned()
            }
            ApiError::Harvest { source_id, .. } => {
                format!(
                    "the harvest run of `{source_id}` could not be started; the server log has the cause"
                )
            }
            ApiError::TaskFailed { .. } => {
                "the request failed inside the server; the server log has the cause".to_owned()
            }
            ApiError::NotReady { component, .. } => {
                format!("the {component} is not ready; the server log has the cause")
            }
            other => other.to_string(),
        }
    }

    /// Returns the record id and the source id this error concerns, for the log.
    fn log_ids(&self) -> (Option<&str>, Option<&str>) {
        match self {
            ApiError::Store {
                record_id,
                source_id,
                ..
            } => (record_id.as_deref(), source_id.as_deref()),
            ApiError::Harvest { source_id, .. } | ApiError::RunInProgress { source_id } => {
                (None, Some(source_id))
            }
            ApiError::RecordNotFound { id } | ApiError::RecordDeleted { id, .. } => {
                (Some(id), None)
            }
            ApiError::SourceNotFound { id } => (None, Some(id)),
            _ => (None, None),
        }
    }

    /// Builds the JSON body: `code` and `message`, plus the tombstone fields for a deleted record.
    fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("code".to_owned(), Value::from(self.code()));
        body.insert("message".to_owned(), Value::from(self.public_message()));
        if let ApiError::RecordDeleted { id, datestamp } = self {
            body.insert("id".to_owned(), Value::from(id.as_str()));
            body.insert("deleted".to_owned(), Value::Bool(true));
            let datestamp =
                datestamp.map(|d| Value::from(d.to_rfc3339_opts(SecondsFormat::Secs, true)));
            body.insert("datestamp".to_owned(), datestamp.unwrap_or(Value::Null));
        }
        Value::Object(body)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            let (record_id, source_id) = self.log_ids();
            tracing::error!(error = %self, code, record_id, source_id, "request failed");
        }
        let mut response = (status, axum::Json(self.body())).into_response();
        if let ApiError::Unauthorized { .. } = self {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"sheaf\""),
            );
        }
        response
    }
}

/// Rewrites error responses that the API's handlers did not build into the common error body.
///
/// Axum's extractor rejections, its default 405 and tower-http's timeout answer with a text or
/// empty body. This middleware replaces such bodies with the JSON one, keeping the status (for the
/// statuses the table knows) and headers such as `Allow`.
pub(crate) async fn normalize_error_body(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }

    let (parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, MAX_REWRITTEN_BODY_BYTES).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    };
    let error = error_for_status(status, text, method, path);
    let mut rewritten = error.into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rewritten.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rewritten
}

fn is_json(response: &Response<Body>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"))
}

/// Maps a framework-built error status to the API error that stands for it.
///
/// The server's only source of a bare 503 is the timeout layer, so 503 maps to [`ApiError::Timeout`].
fn error_for_status(status: StatusCode, text: String, method: Method, path: String) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::NotFound { method, path },
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed { method, path },
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => ApiError::Timeout {
            timeout_secs: crate::REQUEST_TIMEOUT.as_secs(),
        },
        s if s.is_client_error() => {
            let message = if text.is_empty() { s.to_string() } else { text };
            ApiError::BadRequest { message }
        }
        _ => ApiError::TaskFailed {
            task: "framework",
            message: format!("{status}: {text}"),
        },
    }
}

/// Answers requests whose path matches no route.
pub(crate) async fn route_not_found(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound {
        method,
        path: uri.path().to_owned(),
    }
}

/// Answers requests whose path matches a route that does not accept the method.
pub(crate) async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::MethodNotAllowed {
        method,
        path: uri.path().to_owned(),
    }
}

/// Builds the JSON body of an error, for tests that compare bodies.
#[cfg(test)]
pub(crate) fn body_of(error: &ApiError) -> Value {
    error.body()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn table_gives_status_and_code() {
        let error = ApiError::RunInProgress {
            source_id: "cern".to_owned(),
        };
        assert_eq!(error.status(), StatusCode::CONFLICT);
        assert_eq!(error.code(), "run_in_progress");
    }

    #[test]
    fn deleted_body_has_tombstone_fields() {
        let datestamp = DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let error = ApiError::RecordDeleted {
            id: "a:b".to_owned(),
            datestamp: Some(datestamp),
        };
        let body = body_of(&error);
        assert_eq!(body["code"], json!("record_deleted"));
        assert_eq!(body["id"], json!("a:b"));
        assert_eq!(body["deleted"], json!(true));
        assert_eq!(body["datestamp"], json!("2024-05-01T10:00:00Z"));
    }

    #[test]
    fn internal_message_hides_cause() {
        let error = ApiError::TaskFailed {
            task: "search",
            message: "panicked at x.rs".to_owned(),
        };
        let body = body_of(&error);
        assert_eq!(body["code"], json!("internal"));
        let message = body["message"].as_str().unwrap();
        assert!(
            !message.contains("x.rs"),
            "message leaks the cause: {message}"
        );
    }

    #[tokio::test]
    async fn timeout_answer_gets_error_body() {
        use axum::Router;
        use axum::routing::get;
        use tower::ServiceExt;
        use tower_http::timeout::TimeoutLayer;

        let never = std::time::Duration::from_millis(1);
        let app = Router::new()
            .route("/slow", get(std::future::pending::<()>))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                never,
            ))
            .layer(axum::middleware::from_fn(normalize_error_body));
        let request = Request::builder().uri("/slow").body(Body::empty()).unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["code"], json!("timeout"));
    }

    #[test]
    fn bare_statuses_map_to_table_entries() {
        let cases = [
            (StatusCode::NOT_FOUND, "not_found"),
            (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            (StatusCode::SERVICE_UNAVAILABLE, "timeout"),
            (StatusCode::BAD_REQUEST, "bad_request"),
            (StatusCode::PAYLOAD_TOO_LARGE, "bad_request"),
            (StatusCode::BAD_GATEWAY, "internal"),
        ];
        for (status, code) in cases {
            let error = error_for_status(status, String::new(), Method::GET, "/x".to_owned());
            assert_eq!(error.code(), code, "status {status}");
        }
    }
}
