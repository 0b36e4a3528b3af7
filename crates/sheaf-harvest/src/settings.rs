//! Resolved harvest settings: the `[harvest]` defaults with a source's overrides applied.

use std::time::Duration;

/// What a source publishes, and so which protocol harvests it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// An OAI-PMH 2.0 repository.
    OaiPmh,
    /// An RSS, Atom or JSON Feed document.
    Feed,
}

impl SourceKind {
    /// Returns the config spelling of the kind (`oai-pmh` or `feed`).
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::OaiPmh => "oai-pmh",
            SourceKind::Feed => "feed",
        }
    }
}

/// Politeness, timeout and retry settings for one source's requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarvestSettings {
    /// Contact address put into the User-Agent, so repository operators can reach the harvester.
    pub contact: Option<String>,
    /// Pause between two requests to the same host.
    pub request_delay: Duration,
    /// Limit on establishing a TCP and TLS connection.
    pub connect_timeout: Duration,
    /// Limit on the silence between two reads of a response.
    pub read_timeout: Duration,
    /// Limit on one whole request, from connecting to the last body byte.
    pub request_timeout: Duration,
    /// Largest response body accepted, after decompression.
    pub max_body_bytes: u64,
    /// Attempts per request before the request fails (1 means no retry).
    pub max_tries: u32,
    /// Longest `Retry-After` wait honoured; longer requests are shortened to this.
    pub max_retry_after: Duration,
}

impl Default for HarvestSettings {
    fn default() -> Self {
        HarvestSettings {
            contact: None,
            request_delay: Duration::from_millis(DEFAULT_REQUEST_DELAY_MS),
            connect_timeout: Duration::from_secs(DEFAULT_CONNECT_TIMEOUT_SECS),
            read_timeout: Duration::from_secs(DEFAULT_READ_TIMEOUT_SECS),
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_tries: DEFAULT_MAX_TRIES,
            max_retry_after: Duration::from_secs(DEFAULT_MAX_RETRY_AFTER_SECS),
        }
    }
}

/// One second between requests to a host is the pause most repository operators ask of crawlers.
pub const DEFAULT_REQUEST_DELAY_MS: u64 = 1000;
/// Connecting takes well under a second on a healthy network; ten allows for slow TLS handshakes.
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 10;
/// Large repositories can think for many seconds before the first byte of a big page.
pub const DEFAULT_READ_TIMEOUT_SECS: u64 = 60;
/// A whole page, even a slow one, arrives within five minutes; a body that drips is cut here.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 300;
/// OAI-PMH pages are rarely above a few megabytes; 64 MiB leaves room and stops gzip bombs.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;
/// Five attempts ride out a short outage without hammering a struggling server.
pub const DEFAULT_MAX_TRIES: u32 = 5;
/// Waits beyond ten minutes would stall the scheduler; such a source is retried next run.
pub const DEFAULT_MAX_RETRY_AFTER_SECS: u64 = 600;
/// Runs that may harvest at the same time, over all sources.
pub const DEFAULT_MAX_CONCURRENT_RUNS: usize = 4;

/// Everything the harvester needs to know about one configured source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePlan {
    /// Source id, `[a-z0-9][a-z0-9._-]{0,63}`.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Protocol of the source.
    pub kind: SourceKind,
    /// OAI-PMH base URL or feed URL.
    pub url: String,
    /// OAI-PMH metadata prefix (`oai_dc` unless configured).
    pub metadata_prefix: String,
    /// OAI-PMH sets to harvest; empty means the whole repository.
    pub sets: Vec<String>,
    /// Centre that runs the source, copied into each record.
    pub centre: Option<String>,
    /// ISO 3166-1 alpha-2 country code, copied into each record.
    pub country: Option<String>,
    /// Extra request headers, such as an API key.
    pub headers: Vec<(String, String)>,
    /// Politeness, timeouts and retries.
    pub settings: HarvestSettings,
}

impl SourcePlan {
    /// Returns the fields copied into every record of this source.
    pub fn source_info(&self) -> sheaf_record::SourceInfo {
        sheaf_record::SourceInfo {
            id: self.id.clone(),
            centre: self.centre.clone(),
            country: self.country.clone(),
        }
    }
}
