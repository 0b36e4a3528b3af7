//! The feed harvest of one source: a conditional GET, autodiscovery when the URL is an HTML
//! page, and the entries stored as one page with the validators for the next request.

use serde::{Deserialize, Serialize};
use sheaf_store::IncomingRecord;

use crate::HarvestError;
use crate::client::{Fetched, Validators};
use crate::run::RunContext;

/// The harvest state of a feed source, stored as JSON with the entries.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct FeedCheckpoint {
    /// `ETag` of the last stored response, sent as `If-None-Match`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// `Last-Modified` of the last stored response, sent as `If-Modified-Since`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The feed found by autodiscovery when the configured URL is an HTML page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovered_url: Option<String>,
}

/// Harvests one feed source.
pub(crate) async fn harvest(ctx: &mut RunContext<'_>) -> Result<(), HarvestError> {
    let mut checkpoint: FeedCheckpoint = ctx.load_checkpoint()?;
    let validators = if ctx.full {
        Validators::default()
    } else {
        Validators {
            etag: checkpoint.etag.clone(),
            last_modified: checkpoint.last_modified.clone(),
        }
    };
    let url = checkpoint
        .discovered_url
        .clone()
        .unwrap_or_else(|| ctx.plan.url.clone());
    let mut fetched = fetch(ctx, &url, &validators).await?;
    if fetched.status == 304 {
        tracing::info!(url, "feed not modified");
        return Ok(());
    }
    if sheaf_feed::looks_like_html(&fetched.body) {
        let page = String::from_utf8_lossy(&fetched.body);
        let found = sheaf_feed::discover_feeds(&page, &fetched.url);
        let Some(feed) = found.first() else {
            return Err(HarvestError::Response {
                url,
                status: fetched.status,
                message:
                    "the URL is an HTML page that links to no feed; configure the feed's own URL"
                        .to_owned(),
                body_start: fetched.body_start(),
            });
        };
        tracing::info!(page_url = url, url = %feed.url, "feed found by autodiscovery");
        checkpoint.discovered_url = Some(feed.url.clone());
        fetched = fetch(ctx, &feed.url, &Validators::default()).await?;
    }
    ctx.report.pages += 1;

    let body = fetched.body.clone();
    let content_type = fetched.content_type.clone();
    let feed_url = fetched.url.clone();
    let parsed = tokio::task::spawn_blocking(move || {
        sheaf_feed::parse_feed(&body, content_type.as_deref(), &feed_url)
    })
    .await
    .map_err(|e| HarvestError::Internal {
        message: format!("feed parser stopped: {e}"),
    })?;
    let feed = parsed.map_err(|e| HarvestError::Response {
        url: fetched.url.clone(),
        status: fetched.status,
        message: e.to_string(),
        body_start: fetched.body_start(),
    })?;
    let repairs = feed.repairs.total() as u64;
    ctx.report.repairs += repairs;
    if repairs > 0 {
        tracing::warn!(url = %fetched.url, repairs, "feed repaired before parsing");
    }

    let source = ctx.plan.source_info();
    let mut records = Vec::with_capacity(feed.entries.len());
    for entry in &feed.entries {
        let record = sheaf_record::normalise_feed_entry(&source, entry);
        match serde_json::to_string(entry) {
            Ok(raw) => records.push(IncomingRecord {
                record,
                format: "feed".to_owned(),
                raw,
            }),
            Err(error) => {
                ctx.report.errors += 1;
                tracing::warn!(record_id = %entry.id, %error, "entry skipped");
            }
        }
    }
    checkpoint.etag = fetched.etag.clone();
    checkpoint.last_modified = fetched.last_modified.clone();
    ctx.write_page(records, &checkpoint).await
}

async fn fetch(
    ctx: &RunContext<'_>,
    url: &str,
    validators: &Validators,
) -> Result<Fetched, HarvestError> {
    let fetched = ctx.client.get(url, validators).await?;
    if fetched.status == 304 || (200..300).contains(&fetched.status) {
        return Ok(fetched);
    }
    Err(HarvestError::Response {
        url: url.to_owned(),
        status: fetched.status,
        message: "unexpected HTTP status".to_owned(),
        body_start: fetched.body_start(),
    })
}
