//! `GET /metrics` and the per-request HTTP metrics.
//!
//! Totals read from the store and the index are written as gauges at each scrape, straight into
//! the response text: they are always current, need no global recorder, and a source that left
//! the store leaves no stale series behind. The server owns these metric names, so nothing else
//! may register them through the `metrics` facade. Everything recorded through the facade (HTTP
//! request counters here, harvest counters in the harvester) follows, rendered by the Prometheus
//! handle when the binary installed one.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use sheaf_store::SourceStatus;

use crate::control::SourceSchedule;
use crate::error::ApiError;
use crate::{AppState, blocking};

/// Content type of the Prometheus text exposition format.
const PROMETHEUS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Values read from the store and the index for one scrape.
struct Snapshot {
    live: u64,
    deleted: u64,
    store_seq: u64,
    index_seq: u64,
    index_documents: u64,
    sources: Vec<(SourceStatus, Option<SourceSchedule>)>,
}

/// Renders the store gauges followed by everything the Prometheus handle holds.
pub(crate) async fn render(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let reader = Arc::clone(&state);
    let snapshot = blocking("read metrics", move || read_snapshot(&reader)).await?;

    let mut text = render_snapshot(&snapshot, state.config.version);
    if let Some(handle) = &state.metrics {
        text.push_str(&handle.render());
    }
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(PROMETHEUS_CONTENT_TYPE),
    );
    Ok(response)
}

fn read_snapshot(state: &AppState) -> Result<Snapshot, ApiError> {
    let store_error = |source| ApiError::Store {
        source: Box::new(source),
        record_id: None,
        source_id: None,
    };
    let (live, deleted) = state.store.record_counts().map_err(store_error)?;
    let store_seq = state.store.max_seq().map_err(store_error)?;
    let statuses = state.store.sources().map_err(store_error)?;
    let index_seq = state
        .index
        .applied_seq()
        .map_err(|source| ApiError::Index {
            source: Box::new(source),
        })?;
    let index_documents = state.index.doc_count();

    let mut sources = Vec::with_capacity(statuses.len());
    for status in statuses {
        let schedule = state.harvest.schedule(&status.id);
        sources.push((status, schedule));
    }
    Ok(Snapshot {
        live,
        deleted,
        store_seq,
        index_seq,
        index_documents,
        sources,
    })
}

/// Writes one metric family: its `HELP` and `TYPE` lines, then one line per sample.
fn write_family(
    out: &mut String,
    name: &str,
    help: &str,
    samples: impl IntoIterator<Item = (String, f64)>,
) {
    let mut samples = samples.into_iter().peekable();
    if samples.peek().is_none() {
        return;
    }
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
    for (labels, value) in samples {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {value}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    }
}

/// Escapes a label value as the exposition format requires: backslash, quote and newline.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn source_label(status: &SourceStatus) -> String {
    format!("source_id=\"{}\"", escape_label(&status.id))
}

fn timestamp(time: DateTime<Utc>) -> f64 {
    // Milliseconds keep sub-second precision without floating-point noise from nanoseconds.
    time.timestamp_millis() as f64 / 1000.0
}

fn render_snapshot(snapshot: &Snapshot, version: &str) -> String {
    let mut out = String::new();
    let sources = &snapshot.sources;

    write_family(
        &mut out,
        "sheaf_build_info",
        "Version of the running server; the value is always 1.",
        [(format!("version=\"{}\"", escape_label(version)), 1.0)],
    );
    write_family(
        &mut out,
        "sheaf_records",
        "Records in the store, by state.",
        [
            ("state=\"live\"".to_owned(), snapshot.live as f64),
            ("state=\"deleted\"".to_owned(), snapshot.deleted as f64),
        ],
    );
    write_family(
        &mut out,
        "sheaf_index_documents",
        "Documents in the search index.",
        [(String::new(), snapshot.index_documents as f64)],
    );
    write_family(
        &mut out,
        "sheaf_store_seq",
        "Latest change sequence number written to the store.",
        [(String::new(), snapshot.store_seq as f64)],
    );
    write_family(
        &mut out,
        "sheaf_index_seq",
        "Change sequence number up to which the search index has applied the store's changes.",
        [(String::new(), snapshot.index_seq as f64)],
    );

    let records = sources.iter().flat_map(|(status, _)| {
        let label = source_label(status);
        [
            (
                format!("{label},state=\"live\""),
                status.live_records as f64,
            ),
            (
                format!("{label},state=\"deleted\""),
                status.deleted_records as f64,
            ),
        ]
    });
    write_family(
        &mut out,
        "sheaf_source_records",
        "Records of one source, by state.",
        records,
    );

    let running = sources.iter().map(|(status, schedule)| {
        let running = schedule.as_ref().is_some_and(|schedule| schedule.running);
        (source_label(status), if running { 1.0 } else { 0.0 })
    });
    write_family(
        &mut out,
        "sheaf_source_running",
        "1 while a harvest run of the source is going, else 0.",
        running,
    );

    let next_runs = sources.iter().filter_map(|(status, schedule)| {
        let next = schedule.as_ref()?.next_run?;
        Some((source_label(status), timestamp(next)))
    });
    write_family(
        &mut out,
        "sheaf_source_next_run_timestamp_seconds",
        "Unix time at which the scheduler next starts a run of the source.",
        next_runs,
    );

    let started = sources.iter().filter_map(|(status, _)| {
        let run = status.last_run.as_ref()?;
        Some((source_label(status), timestamp(run.started)))
    });
    write_family(
        &mut out,
        "sheaf_source_last_run_started_timestamp_seconds",
        "Unix time at which the source's latest run started.",
        started,
    );

    let finished = sources.iter().filter_map(|(status, _)| {
        let finished = status.last_run.as_ref()?.finished?;
        Some((source_label(status), timestamp(finished)))
    });
    write_family(
        &mut out,
        "sheaf_source_last_run_finished_timestamp_seconds",
        "Unix time at which the source's latest run finished.",
        finished,
    );

    let run_status = sources.iter().filter_map(|(status, _)| {
        let run = status.last_run.as_ref()?;
        let label = format!(
            "{},status=\"{}\"",
            source_label(status),
            run.status.as_str()
        );
        Some((label, 1.0))
    });
    write_family(
        &mut out,
        "sheaf_source_last_run_status",
        "State of the source's latest run: running, succeeded or failed; the value is always 1.",
        run_status,
    );

    let errors = sources.iter().filter_map(|(status, _)| {
        let run = status.last_run.as_ref()?;
        Some((source_label(status), run.errors as f64))
    });
    write_family(
        &mut out,
        "sheaf_source_last_run_errors",
        "Errors counted in the source's latest run.",
        errors,
    );
    out
}

/// Counts each request and records its duration through the `metrics` facade.
///
/// The `route` label is the matched route pattern, never the raw path, so that record ids do not
/// create one series each. Requests that match no route share the label `unmatched`.
pub(crate) async fn track_requests(request: Request, next: Next) -> Response {
    let route = match request.extensions().get::<MatchedPath>() {
        Some(path) => path.as_str().to_owned(),
        None => "unmatched".to_owned(),
    };
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;

    let status = response.status().as_u16().to_string();
    let seconds = started.elapsed().as_secs_f64();
    metrics::counter!(
        "sheaf_http_requests_total",
        "route" => route.clone(),
        "method" => method,
        "status" => status
    )
    .increment(1);
    metrics::histogram!("sheaf_http_request_duration_seconds", "route" => route).record(seconds);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_escaping() {
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn empty_family_is_omitted() {
        let mut out = String::new();
        write_family(&mut out, "sheaf_x", "Help.", Vec::new());
        assert_eq!(out, "");
    }

    #[test]
    fn family_lines() {
        let mut out = String::new();
        write_family(&mut out, "sheaf_x", "Help.", [("a=\"1\"".to_owned(), 2.0)]);
        assert_eq!(
            out,
            "# HELP sheaf_x Help.\n# TYPE sheaf_x gauge\nsheaf_x{a=\"1\"} 2\n"
        );
    }
}
