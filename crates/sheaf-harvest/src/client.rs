//! The HTTP client every harvest uses: timeouts, a body size limit, one request at a time per
//! host with a pause between requests, and retries that honour `Retry-After`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use tokio::time::Instant;

use crate::settings::HarvestSettings;

/// Redirects followed before a request fails; loops end here.
const MAX_REDIRECTS: usize = 10;

/// First backoff wait when a server gives no `Retry-After`; each further try doubles it.
const BACKOFF_BASE: Duration = Duration::from_millis(500);

/// Characters of a failed response's body quoted in an error message.
const BODY_START_CHARS: usize = 200;

/// A failed HTTP request, after any retries.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL or a configured header could not be used.
    #[error("invalid request to `{url}`: {message}")]
    InvalidRequest {
        /// The requested URL.
        url: String,
        /// The problem found.
        message: String,
    },
    /// Connecting, sending or receiving failed, or timed out, on the last try.
    #[error("request to `{url}` failed after {tries} tries: {message}")]
    Transport {
        /// The requested URL.
        url: String,
        /// Tries made.
        tries: u32,
        /// The last failure, including timeouts.
        message: String,
    },
    /// The server kept responding with 429 or 5xx.
    #[error(
        "`{url}` responded with HTTP {status} on all {tries} tries; raise `max_tries` or try again later"
    )]
    Unavailable {
        /// The requested URL.
        url: String,
        /// The last status code.
        status: u16,
        /// Tries made.
        tries: u32,
    },
    /// The body passed the configured size limit.
    #[error(
        "response from `{url}` is larger than max_body_bytes = {limit}; raise the limit if the source is trusted"
    )]
    TooLarge {
        /// The requested URL.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },
}

/// A response that arrived whole.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL after redirects.
    pub url: String,
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type` header.
    pub content_type: Option<String>,
    /// `ETag` header.
    pub etag: Option<String>,
    /// `Last-Modified` header.
    pub last_modified: Option<String>,
    /// The body, decompressed.
    pub body: Bytes,
}

impl Fetched {
    /// Returns the first characters of the body, for error messages.
    pub fn body_start(&self) -> String {
        body_start(&self.body)
    }
}

/// Returns the first characters of a body as text, with line breaks flattened.
pub fn body_start(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(BODY_START_CHARS * 4)]);
    let flat: String = text.chars().take(BODY_START_CHARS).collect();
    flat.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Conditional GET validators from an earlier response.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    /// Sent as `If-None-Match`.
    pub etag: Option<String>,
    /// Sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// The gate of one host: held during a request, and holding when the last request ended.
type Gate = Arc<tokio::sync::Mutex<Option<Instant>>>;

/// Per-host gates shared by every client of a process, so that sources on one host take turns.
#[derive(Debug, Clone, Default)]
pub struct HostGates {
    gates: Arc<Mutex<HashMap<String, Gate>>>,
}

impl HostGates {
    fn gate(&self, host: &str) -> Gate {
        let mut gates = match self.gates.lock() {
            Ok(gates) => gates,
            Err(poisoned) => poisoned.into_inner(),
        };
        gates.entry(host.to_owned()).or_default().clone()
    }
}

/// An HTTP client bound to one source's settings.
#[derive(Debug)]
pub struct HttpClient {
    client: reqwest::Client,
    settings: HarvestSettings,
    headers: HeaderMap,
    gates: HostGates,
    retries: AtomicU64,
}

/// Builds the User-Agent: Sheaf, its version, and the operator's contact address when given.
pub fn user_agent(contact: Option<&str>) -> String {
    let version = env!("CARGO_PKG_VERSION");
    match contact {
        Some(contact) => format!("Sheaf/{version} (metadata harvester; +{contact})"),
        None => format!("Sheaf/{version} (metadata harvester)"),
    }
}

impl HttpClient {
    /// Creates a client for one source.
    ///
    /// # Errors
    ///
    /// Fails when an extra header has an invalid name or value, or TLS cannot be set up.
    pub fn new(
        settings: &HarvestSettings,
        extra_headers: &[(String, String)],
        gates: HostGates,
    ) -> Result<HttpClient, FetchError> {
        let invalid = |message: String| FetchError::InvalidRequest {
            url: String::new(),
            message,
        };
        let mut headers = HeaderMap::new();
        for (name, value) in extra_headers {
            let header_name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| invalid(format!("header name `{name}`: {e}")))?;
            let header_value = HeaderValue::from_str(value)
                .map_err(|e| invalid(format!("value of header `{name}`: {e}")))?;
            headers.insert(header_name, header_value);
        }
        let client = reqwest::Client::builder()
            .user_agent(user_agent(settings.contact.as_deref()))
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.read_timeout)
            .timeout(settings.request_timeout)
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .build()
            .map_err(|e| invalid(format!("HTTP client: {e}")))?;
        Ok(HttpClient {
            client,
            settings: settings.clone(),
            headers,
            gates,
            retries: AtomicU64::new(0),
        })
    }

    /// Returns the retries made so far by this client.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    /// Counts one retry made by a caller, such as a re-fetch of a malformed page.
    pub fn count_retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// Returns the client's settings.
    pub fn settings(&self) -> &HarvestSettings {
        &self.settings
    }

    /// Fetches `url` with GET, retrying transport failures, 429 and 5xx.
    ///
    /// Any other status, including 304 and 4xx, is returned for the caller to judge.
    ///
    /// # Errors
    ///
    /// Fails after `max_tries` attempts, or at once for an invalid URL or an oversized body.
    pub async fn get(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        if url.starts_with("file:") {
            return crate::local::fetch(url, self.settings.max_body_bytes);
        }
        let parsed = reqwest::Url::parse(url).map_err(|e| FetchError::InvalidRequest {
            url: url.to_owned(),
            message: e.to_string(),
        })?;
        let host = parsed.host_str().unwrap_or_default().to_owned();
        let max_tries = self.settings.max_tries.max(1);
        let mut tries = 0;
        loop {
            tries += 1;
            let outcome = self.attempt(&parsed, &host, validators).await;
            let wait = match outcome {
                Ok(Attempt::Done(fetched)) => return Ok(fetched),
                Err(error @ FetchError::TooLarge { .. }) => return Err(error),
                Err(error) if tries >= max_tries => return Err(error.after_tries(tries)),
                Err(_) => backoff(tries),
                Ok(Attempt::Retry { status, .. }) if tries >= max_tries => {
                    return Err(FetchError::Unavailable {
                        url: url.to_owned(),
                        status,
                        tries,
                    });
                }
                Ok(Attempt::Retry { retry_after, .. }) => {
                    retry_after.unwrap_or_else(|| backoff(tries))
                }
            };
            let wait = wait.min(self.settings.max_retry_after);
            self.retries.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                url,
                tries,
                wait_ms = wait.as_millis() as u64,
                "retrying request"
            );
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(
        &self,
        url: &reqwest::Url,
        host: &str,
        validators: &Validators,
    ) -> Result<Attempt, FetchError> {
        // One request at a time per host, with the configured pause after the previous one.
        let gate = self.gates.gate(host);
        let mut last = gate.lock().await;
        if let Some(previous) = *last {
            tokio::time::sleep_until(previous + self.settings.request_delay).await;
        }
        let result = self.send(url, validators).await;
        *last = Some(Instant::now());
        result
    }

    async fn send(
        &self,
        url: &reqwest::Url,
        validators: &Validators,
    ) -> Result<Attempt, FetchError> {
        let transport = |e: reqwest::Error| FetchError::Transport {
            url: url.to_string(),
            tries: 1,
            message: describe(&e),
        };
        let mut request = self.client.get(url.clone()).headers(self.headers.clone());
        if let Some(etag) = &validators.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(modified) = &validators.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, modified);
        }
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        if status == 429 || (500..600).contains(&status) {
            let retry_after = retry_after(response.headers(), SystemTime::now());
            return Ok(Attempt::Retry {
                status,
                retry_after,
            });
        }
        let limit = self.settings.max_body_bytes;
        if response
            .content_length()
            .is_some_and(|length| length > limit)
        {
            return Err(FetchError::TooLarge {
                url: url.to_string(),
                limit,
            });
        }
        let header = |name: header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(header::CONTENT_TYPE);
        let etag = header(header::ETAG);
        let last_modified = header(header::LAST_MODIFIED);
        let final_url = response.url().to_string();
        let body_error = |e: reqwest::Error| FetchError::Transport {
            url: url.to_string(),
            tries: 1,
            message: describe_body_error(&e),
        };
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(body_error)? {
            if body.len() as u64 + chunk.len() as u64 > limit {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                    limit,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Attempt::Done(Fetched {
            url: final_url,
            status,
            content_type,
            etag,
            last_modified,
            body: body.freeze(),
        }))
    }
}

enum Attempt {
    Done(Fetched),
    Retry {
        status: u16,
        retry_after: Option<Duration>,
    },
}

impl FetchError {
    /// Sets the number of tries of a transport failure, which `send` reports as one.
    fn after_tries(self, tries: u32) -> FetchError {
        match self {
            FetchError::Transport { url, message, .. } => FetchError::Transport {
                url,
                tries,
                message,
            },
            other => other,
        }
    }
}

/// Describes a reqwest error with its causes, which hold the useful part (timeout, refused, …).
/// Causes that repeat the previous one word for word are left out.
fn describe(error: &reqwest::Error) -> String {
    let mut parts = vec![if error.is_timeout() {
        "timed out".to_owned()
    } else {
        error.to_string()
    }];
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// Describes a failure while reading a body, naming the common case in plain words: a connection
/// closed before the length that `Content-Length` announced had arrived.
fn describe_body_error(error: &reqwest::Error) -> String {
    let detail = describe(error);
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let io_eof = cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::UnexpectedEof);
        if io_eof {
            return format!("the connection closed before the end of the body ({detail})");
        }
        source = cause.source();
    }
    detail
}

/// Returns the wait before try `tries + 1`: exponential with jitter between half and the full
/// value, so that many harvesters do not come back at the same instant.
pub fn backoff(tries: u32) -> Duration {
    let exponent = tries.saturating_sub(1).min(16);
    let full = BACKOFF_BASE.saturating_mul(1 << exponent);
    let jitter: f64 = rand::random_range(0.5..=1.0);
    full.mul_f64(jitter)
}

/// Reads `Retry-After` in either form: delay seconds, or an HTTP date measured against the
/// response's `Date` header (else `now`). A date already past means no wait.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let server_now = headers
        .get(header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .unwrap_or(now);
    Some(at.duration_since(server_now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn retry_after_seconds() {
        let map = headers(&[("retry-after", "2")]);
        assert_eq!(
            retry_after(&map, SystemTime::now()),
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn retry_after_date_against_date_header() {
        let map = headers(&[
            ("retry-after", "Sat, 10 Jan 2026 10:00:03 GMT"),
            ("date", "Sat, 10 Jan 2026 10:00:00 GMT"),
        ]);
        assert_eq!(
            retry_after(&map, SystemTime::now()),
            Some(Duration::from_secs(3))
        );
    }

    #[test]
    fn retry_after_date_in_past_is_zero() {
        let map = headers(&[("retry-after", "Sat, 10 Jan 2026 10:00:03 GMT")]);
        assert_eq!(retry_after(&map, SystemTime::now()), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_garbage_is_none() {
        let map = headers(&[("retry-after", "soon")]);
        assert_eq!(retry_after(&map, SystemTime::now()), None);
    }

    #[test]
    fn backoff_grows_and_jitters() {
        for tries in 1..6 {
            let full = BACKOFF_BASE * (1 << (tries - 1));
            let wait = backoff(tries);
            assert!(wait <= full, "{wait:?} > {full:?}");
            assert!(wait >= full / 2, "{wait:?} < half of {full:?}");
        }
    }

    #[test]
    fn user_agent_names_sheaf_and_contact() {
        let agent = user_agent(Some("mailto:ops@example.org"));
        assert!(agent.starts_with("Sheaf/"));
        assert!(agent.contains("mailto:ops@example.org"));
    }
}
