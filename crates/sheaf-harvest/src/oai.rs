//! The OAI-PMH harvest of one source: `Identify`, the metadata prefix check, then `ListRecords`
//! page by page, each page stored in one transaction with the checkpoint that resumes after it.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use sheaf_oai::{ErrorCode, Granularity, ListPage};
use sheaf_record::{OaiHeaderInfo, RawOai};
use sheaf_store::IncomingRecord;

use crate::client::{Fetched, Validators};
use crate::run::{RunContext, decode_body};
use crate::{HarvestError, log_repairs};

/// Restarts of one window after `badResumptionToken` before the run gives up.
const MAX_WINDOW_RESTARTS: u32 = 3;

/// The harvest state of an OAI-PMH source, stored as JSON with every page.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct OaiCheckpoint {
    /// `responseDate` of the first request of the last run that completed its list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high_water: Option<String>,
    /// The list in progress, when a run stopped before completing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<OaiProgress>,
}

/// The position of an unfinished list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct OaiProgress {
    /// Whether the run ignores the high-water mark and will tombstone unseen records.
    pub full: bool,
    /// Id of the run that started this list; a resumed full harvest counts records seen since it.
    pub first_run_id: i64,
    /// `responseDate` of the run's first request, the next high-water mark.
    pub run_start: Option<String>,
    /// Lower bounds of the date windows, in the repository's granularity; `None` is open. Window
    /// `i` ends one granularity unit before window `i + 1` starts, and the last one is open.
    pub windows: Vec<Option<String>>,
    /// Index into `windows` of the window being listed.
    pub window_index: usize,
    /// Index into the source's sets of the set being listed.
    pub set_index: usize,
    /// Resumption token for the next page of the current window and set.
    pub token: Option<String>,
}

impl OaiProgress {
    /// Moves to the next set, and after the last set to the next window.
    fn advance(&mut self, set_count: usize) {
        self.token = None;
        self.set_index += 1;
        if self.set_index >= set_count {
            self.set_index = 0;
            self.window_index += 1;
        }
    }

    /// Returns the current window's `from` and `until`.
    fn window(&self, granularity: Granularity) -> (Option<String>, Option<String>) {
        let from = self.windows.get(self.window_index).cloned().flatten();
        let until = self
            .windows
            .get(self.window_index + 1)
            .cloned()
            .flatten()
            .and_then(|next| sheaf_oai::parse_datestamp(&next))
            .map(|next| granularity.format(next - granularity.unit()));
        (from, until)
    }
}

/// First harvests are split into yearly windows so that an expired token repeats at most one
/// year. Years before this many ago fall into the first, open-ended window, which keeps a bogus
/// `earliestDatestamp` such as 0001-01-01 from costing thousands of empty requests.
const MAX_WINDOW_YEARS: i32 = 30;

/// Harvests one OAI-PMH source. Returns the id of the run whose records count as seen.
pub(crate) async fn harvest(ctx: &mut RunContext<'_>) -> Result<(), HarvestError> {
    let plan = ctx.plan;
    let (identify, identify_date) = identify(ctx).await?;
    check_metadata_prefix(ctx).await?;

    let mut checkpoint: OaiCheckpoint = ctx.load_checkpoint()?;
    let mut progress = match checkpoint.progress.take() {
        Some(progress) if !ctx.full || progress.full => {
            tracing::info!(source_id = %plan.id, set_index = progress.set_index,
                token = progress.token.is_some(), "resuming unfinished list");
            progress
        }
        _ => OaiProgress {
            full: ctx.full,
            first_run_id: ctx.run_id,
            run_start: Some(identify_date),
            // A directory repository of files ignores `from` and `until`, so it gets one window.
            windows: if plan.url.starts_with("file:") {
                vec![None]
            } else {
                windows_for(
                    checkpoint.high_water.as_deref(),
                    ctx.full,
                    &identify,
                    Utc::now(),
                )
            },
            window_index: 0,
            set_index: 0,
            token: None,
        },
    };
    if progress.windows.is_empty() {
        progress.windows.push(None);
    }
    ctx.full = progress.full;
    ctx.seen_since_run = progress.first_run_id;

    let sets: Vec<Option<&str>> = if plan.sets.is_empty() {
        vec![None]
    } else {
        plan.sets.iter().map(|s| Some(s.as_str())).collect()
    };
    let mut tokens_seen = HashSet::new();
    let mut restarts = 0;
    while progress.window_index < progress.windows.len() {
        let set = sets.get(progress.set_index).copied().flatten();
        let (from, until) = progress.window(identify.granularity);
        let url = match &progress.token {
            Some(token) => sheaf_oai::resume_url(&plan.url, "ListRecords", token),
            None => sheaf_oai::list_records_url(
                &plan.url,
                &plan.metadata_prefix,
                set,
                from.as_deref(),
                until.as_deref(),
            ),
        };
        let page = match fetch_page(ctx, &url).await {
            Ok(page) => page,
            Err(PageError::Protocol(errors)) if has_code(&errors, &ErrorCode::NoRecordsMatch) => {
                tracing::info!(source_id = %plan.id, url, "no records match");
                progress.advance(sets.len());
                tokens_seen.clear();
                continue;
            }
            Err(PageError::Protocol(errors))
                if progress.token.is_some()
                    && has_code(&errors, &ErrorCode::BadResumptionToken) =>
            {
                restarts += 1;
                if restarts > MAX_WINDOW_RESTARTS {
                    return Err(HarvestError::Protocol {
                        url,
                        message: format!(
                            "resumption token rejected {restarts} times; the repository \
                             expires tokens faster than pages can be fetched"
                        ),
                    });
                }
                tracing::warn!(source_id = %plan.id, url, ?from, ?until,
                    "resumption token rejected; restarting the window from its start");
                ctx.report.errors += 1;
                progress.token = None;
                tokens_seen.clear();
                continue;
            }
            Err(PageError::Protocol(errors)) => {
                return Err(HarvestError::Protocol {
                    url,
                    message: describe_errors(&errors),
                });
            }
            Err(PageError::Harvest(error)) => return Err(error),
        };

        let records = to_incoming(ctx, &page);
        match page.token {
            Some(token) if !tokens_seen.insert(token.value.clone()) => {
                return Err(HarvestError::Protocol {
                    url,
                    message: format!(
                        "resumption token `{}` was already used in this run; the list loops",
                        token.value
                    ),
                });
            }
            Some(token) => progress.token = Some(token.value),
            None => {
                progress.advance(sets.len());
                tokens_seen.clear();
            }
        }
        checkpoint.progress = Some(progress.clone());
        ctx.write_page(records, &checkpoint).await?;
    }

    // The list is complete: the mark moves forward to this run's start, never back.
    checkpoint.progress = None;
    checkpoint.high_water = later_mark(checkpoint.high_water.take(), progress.run_start);
    ctx.save_checkpoint(&checkpoint).await?;
    Ok(())
}

/// Sends `Identify` and returns it with the response's `responseDate`.
async fn identify(ctx: &RunContext<'_>) -> Result<(sheaf_oai::Identify, String), HarvestError> {
    let url = sheaf_oai::request_url(&ctx.plan.url, &[("verb", "Identify")]);
    let (identify, decoded) = match fetch_parsed(ctx, &url, sheaf_oai::parse_identify).await {
        Ok(parsed) => parsed,
        Err(PageError::Protocol(errors)) => {
            return Err(HarvestError::Protocol {
                url,
                message: describe_errors(&errors),
            });
        }
        Err(PageError::Harvest(error)) => return Err(error),
    };
    let date = response_date(&decoded.text)
        .unwrap_or_else(|| Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string());
    Ok((identify, date))
}

/// Checks the configured prefix against `ListMetadataFormats`. A repository that cannot list its
/// formats is harvested anyway, since `ListRecords` reports a wrong prefix as well.
async fn check_metadata_prefix(ctx: &RunContext<'_>) -> Result<(), HarvestError> {
    let url = sheaf_oai::request_url(&ctx.plan.url, &[("verb", "ListMetadataFormats")]);
    let fetched = match fetch_oai(ctx, &url).await {
        Ok(fetched) => fetched,
        Err(error) => {
            tracing::warn!(source_id = %ctx.plan.id, url, %error, "ListMetadataFormats failed");
            return Ok(());
        }
    };
    let text = decode_body(&fetched).text;
    let Ok(formats) = sheaf_oai::parse_list_metadata_formats(&text) else {
        return Ok(());
    };
    let prefix = &ctx.plan.metadata_prefix;
    if formats.iter().any(|f| &f.prefix == prefix) {
        return Ok(());
    }
    let offered: Vec<&str> = formats.iter().map(|f| f.prefix.as_str()).collect();
    Err(HarvestError::Config {
        source_id: ctx.plan.id.clone(),
        message: format!(
            "the repository does not offer metadata_prefix `{prefix}`; it offers: {}",
            offered.join(", ")
        ),
    })
}

/// Fetches an OAI-PMH URL and requires a 2xx status.
async fn fetch_oai(ctx: &RunContext<'_>, url: &str) -> Result<Fetched, HarvestError> {
    let fetched = ctx.client.get(url, &Validators::default()).await?;
    if !(200..300).contains(&fetched.status) {
        return Err(HarvestError::Response {
            url: url.to_owned(),
            status: fetched.status,
            message: "unexpected HTTP status".to_owned(),
            body_start: fetched.body_start(),
        });
    }
    Ok(fetched)
}

enum PageError {
    Protocol(Vec<sheaf_oai::ProtocolError>),
    Harvest(HarvestError),
}

impl From<HarvestError> for PageError {
    fn from(error: HarvestError) -> Self {
        PageError::Harvest(error)
    }
}

/// Fetches and parses one `ListRecords` page, and counts it and its repairs in the report.
async fn fetch_page(ctx: &mut RunContext<'_>, url: &str) -> Result<ListPage, PageError> {
    let (page, decoded) = fetch_parsed(ctx, url, sheaf_oai::parse_list_records).await?;
    ctx.report.pages += 1;
    ctx.report.repairs += crate::repairs_of(&decoded);
    log_repairs(&ctx.plan.id, url, &decoded);
    Ok(page)
}

/// Fetches an OAI-PMH URL and parses the body with `parse`. A body that is not an OAI-PMH
/// document, such as an HTML error page sent with status 200, or a document cut short, is
/// fetched again up to `max_tries` times in all, since such answers are often transient.
async fn fetch_parsed<T>(
    ctx: &RunContext<'_>,
    url: &str,
    parse: fn(&str) -> Result<T, sheaf_oai::Error>,
) -> Result<(T, sheaf_xml::Decoded), PageError> {
    let max_tries = ctx.plan.settings.max_tries.max(1);
    let mut tries = 0;
    loop {
        tries += 1;
        let fetched = fetch_oai(ctx, url).await?;
        let decoded = decode_body(&fetched);
        match parse(&decoded.text) {
            Ok(value) => return Ok((value, decoded)),
            Err(sheaf_oai::Error::Protocol(errors)) => return Err(PageError::Protocol(errors)),
            Err(error) if tries < max_tries => {
                tracing::warn!(source_id = %ctx.plan.id, url, %error, tries,
                    "malformed OAI-PMH response; fetching it again");
                ctx.client.count_retry();
                tokio::time::sleep(crate::client::backoff(tries)).await;
            }
            Err(error) => {
                return Err(PageError::Harvest(HarvestError::Response {
                    url: url.to_owned(),
                    status: fetched.status,
                    message: format!("not a usable OAI-PMH response after {tries} tries: {error}"),
                    body_start: fetched.body_start(),
                }));
            }
        }
    }
}

/// Normalises a page's records. A record that cannot be normalised is counted and skipped.
fn to_incoming(ctx: &mut RunContext<'_>, page: &ListPage) -> Vec<IncomingRecord> {
    let source = ctx.plan.source_info();
    let prefix = &ctx.plan.metadata_prefix;
    let mut incoming = Vec::with_capacity(page.records.len());
    for oai_record in &page.records {
        let header = &oai_record.header;
        let raw = RawOai {
            header: OaiHeaderInfo {
                identifier: header.identifier.clone(),
                datestamp: header.datestamp.clone(),
                deleted: header.deleted,
                sets: header.sets.clone(),
            },
            metadata: if header.deleted {
                None
            } else {
                oai_record.metadata.clone()
            },
        };
        let normalised = sheaf_record::normalise_oai(&source, prefix, &raw);
        let record = match normalised {
            Ok(record) => record,
            Err(error) => {
                ctx.report.errors += 1;
                tracing::warn!(source_id = %ctx.plan.id, record_id = %header.identifier, %error,
                    "record skipped");
                continue;
            }
        };
        let raw_json = match serde_json::to_string(&raw) {
            Ok(json) => json,
            Err(error) => {
                ctx.report.errors += 1;
                tracing::warn!(source_id = %ctx.plan.id, record_id = %header.identifier, %error,
                    "record skipped");
                continue;
            }
        };
        incoming.push(IncomingRecord {
            record,
            format: prefix.clone(),
            raw: raw_json,
        });
    }
    incoming
}

/// Returns the date windows of a run. An incremental run has one window starting at the mark
/// minus one granularity unit, so that the windows of two runs overlap and no change made during
/// the last run is missed. A first or full harvest gets yearly windows from the repository's
/// `earliestDatestamp`.
fn windows_for(
    high_water: Option<&str>,
    full: bool,
    identify: &sheaf_oai::Identify,
    now: DateTime<Utc>,
) -> Vec<Option<String>> {
    let granularity = identify.granularity;
    let mark = high_water.and_then(sheaf_oai::parse_datestamp);
    if let Some(mark) = mark.filter(|_| !full) {
        return vec![Some(granularity.format(mark - granularity.unit()))];
    }
    let Some(earliest) = identify
        .earliest_datestamp
        .as_deref()
        .and_then(sheaf_oai::parse_datestamp)
    else {
        return vec![None];
    };
    let first_year = earliest.year().max(now.year() - MAX_WINDOW_YEARS);
    let mut windows = vec![None];
    for year in first_year + 1..=now.year() {
        if let Some(start) = Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).single() {
            windows.push(Some(granularity.format(start)));
        }
    }
    windows
}

/// Returns the later of two marks, so that the high-water mark never moves back.
fn later_mark(old: Option<String>, new: Option<String>) -> Option<String> {
    let parse = |s: &Option<String>| s.as_deref().and_then(sheaf_oai::parse_datestamp);
    match (parse(&old), parse(&new)) {
        (Some(a), Some(b)) if a >= b => old,
        (_, Some(_)) => new,
        _ => old,
    }
}

/// Finds the `responseDate` of an OAI-PMH response without a full parse.
fn response_date(text: &str) -> Option<String> {
    let start = text.find("responseDate>")? + "responseDate>".len();
    let end = start + text[start..].find('<')?;
    let value = text[start..end].trim();
    let parsed: DateTime<Utc> = sheaf_oai::parse_datestamp(value)?;
    Some(parsed.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

fn has_code(errors: &[sheaf_oai::ProtocolError], code: &ErrorCode) -> bool {
    errors.iter().any(|e| &e.code == code)
}

fn describe_errors(errors: &[sheaf_oai::ProtocolError]) -> String {
    let parts: Vec<String> = errors
        .iter()
        .map(|e| format!("{}: {}", e.code.as_str(), e.message))
        .collect();
    format!(
        "the repository answered with an OAI-PMH error: {}",
        parts.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identify(granularity: Granularity, earliest: Option<&str>) -> sheaf_oai::Identify {
        sheaf_oai::Identify {
            repository_name: "test".to_owned(),
            base_url: "http://127.0.0.1/oai".to_owned(),
            protocol_version: "2.0".to_owned(),
            earliest_datestamp: earliest.map(str::to_owned),
            deleted_record: "persistent".to_owned(),
            granularity,
            admin_emails: Vec::new(),
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn incremental_window_overlaps_by_one_day() {
        let windows = windows_for(
            Some("2025-12-02T08:30:00Z"),
            false,
            &identify(Granularity::Day, None),
            now(),
        );
        assert_eq!(windows, vec![Some("2025-12-01".to_owned())]);
    }

    #[test]
    fn incremental_window_overlaps_by_one_second() {
        let windows = windows_for(
            Some("2025-12-02T08:30:00Z"),
            false,
            &identify(Granularity::Second, None),
            now(),
        );
        assert_eq!(windows, vec![Some("2025-12-02T08:29:59Z".to_owned())]);
    }

    #[test]
    fn first_harvest_splits_into_years() {
        let windows = windows_for(
            None,
            false,
            &identify(Granularity::Day, Some("2024-03-05")),
            now(),
        );
        let expected = vec![
            None,
            Some("2025-01-01".to_owned()),
            Some("2026-01-01".to_owned()),
        ];
        assert_eq!(windows, expected);
        let progress = OaiProgress {
            windows,
            ..OaiProgress::default()
        };
        assert_eq!(
            progress.window(Granularity::Day),
            (None, Some("2024-12-31".to_owned()))
        );
    }

    #[test]
    fn last_window_is_open() {
        let windows = windows_for(
            None,
            true,
            &identify(Granularity::Second, Some("2025-03-05")),
            now(),
        );
        let progress = OaiProgress {
            windows,
            window_index: 1,
            ..OaiProgress::default()
        };
        assert_eq!(
            progress.window(Granularity::Second),
            (Some("2026-01-01T00:00:00Z".to_owned()), None)
        );
    }

    #[test]
    fn bogus_earliest_datestamp_is_capped() {
        let windows = windows_for(
            None,
            false,
            &identify(Granularity::Day, Some("0001-01-01")),
            now(),
        );
        assert_eq!(windows.len(), MAX_WINDOW_YEARS as usize + 1);
        assert_eq!(windows[0], None);
    }

    #[test]
    fn full_harvest_ignores_the_mark() {
        let windows = windows_for(
            Some("2025-12-02T08:30:00Z"),
            true,
            &identify(Granularity::Day, None),
            now(),
        );
        assert_eq!(windows, vec![None]);
    }

    #[test]
    fn advance_moves_through_sets_then_windows() {
        let mut progress = OaiProgress {
            windows: vec![None, None],
            ..OaiProgress::default()
        };
        progress.advance(2);
        assert_eq!((progress.window_index, progress.set_index), (0, 1));
        progress.advance(2);
        assert_eq!((progress.window_index, progress.set_index), (1, 0));
    }

    #[test]
    fn mark_never_moves_back() {
        let old = Some("2025-12-02T00:00:00Z".to_owned());
        let earlier = Some("2025-11-01T00:00:00Z".to_owned());
        assert_eq!(later_mark(old.clone(), earlier), old);
        let later = Some("2025-12-03T00:00:00Z".to_owned());
        assert_eq!(later_mark(old, later.clone()), later);
        assert_eq!(later_mark(None, None), None);
    }

    #[test]
    fn response_date_with_prefix() {
        let text = "<oai:OAI-PMH><oai:responseDate>2026-01-10T10:00:00Z</oai:responseDate>";
        assert_eq!(response_date(text).as_deref(), Some("2026-01-10T10:00:00Z"));
    }
}
