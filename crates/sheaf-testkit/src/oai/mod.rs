//! A synthetic OAI-PMH 2.0 repository whose records are generated from their index on request.
//!
//! Only the differences from the generated records (deletions, new titles, new datestamps) are
//! stored, so a repository of millions of records costs a few bytes plus its changes, and pages
//! are rendered as fast as the XML can be written.

mod protocol;
mod render;
mod time;

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

pub use time::Granularity;

use crate::{RecordedRequest, Response, Route, TestkitError};

/// Domain part of every generated OAI identifier.
pub const IDENTIFIER_PREFIX: &str = "oai:test.example.org:";

/// The 19 letters used to spell record words: no vowels, no `s` and no `y`, so the stemmers of
/// common languages find no suffix to remove and every word stays unique after analysis.
const WORD_LETTERS: &[u8; 19] = b"bcdfghjklmnpqrtvwxz";

/// Letters after the `zq` prefix; indexes below 19^5 (2,476,099) all get words of equal length.
const WORD_MIN_LETTERS: usize = 5;

/// Returns the word that occurs in record `index` and in no other record, such as `zqbbbbc` for
/// index 1.
///
/// The word is `zq` followed by the index written in base 19 with the letters
/// `bcdfghjklmnpqrtvwxz`, padded to five letters.
pub fn record_word(index: u64) -> String {
    let mut letters = Vec::new();
    let mut rest = index;
    while rest > 0 || letters.len() < WORD_MIN_LETTERS {
        // The remainder is below 19, so the cast and the index are in range.
        letters.push(WORD_LETTERS[(rest % 19) as usize]);
        rest /= 19;
    }
    letters.reverse();
    let mut word = String::from("zq");
    word.extend(letters.iter().map(|&b| char::from(b)));
    word
}

/// Returns the OAI identifier of record `index`, such as `oai:test.example.org:42`.
pub fn record_identifier(index: u64) -> String {
    format!("{IDENTIFIER_PREFIX}{index}")
}

/// What a test may expect of one record, as [`OaiRepository::record`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedRecord {
    /// Position of the record in the repository, from 0.
    pub index: u64,
    /// The OAI identifier.
    pub identifier: String,
    /// The current title (`dc:title`).
    pub title: String,
    /// The word that occurs in this record's title and description and in no other record.
    pub word: String,
    /// The datestamp as the repository writes it at its granularity.
    pub datestamp: String,
    /// Whether the record is deleted (listed as a header with `status="deleted"`).
    pub deleted: bool,
}

/// Settings fixed before the first request; see the builder methods of [`OaiRepository`].
#[derive(Debug, Clone)]
struct Options {
    page_size: usize,
    granularity: Granularity,
    first_datestamp: i64,
    datestamp_step: i64,
    token_whitespace: bool,
    unavailable: u32,
    retry_after_secs: u32,
    gzip: bool,
    control_character: Option<u64>,
}

/// Everything that changes while the repository serves.
#[derive(Debug)]
struct State {
    options: Options,
    len: u64,
    deleted: BTreeSet<u64>,
    titles: HashMap<u64, String>,
    datestamps: HashMap<u64, i64>,
    token_generation: u32,
    requests_seen: u64,
    frozen_clock: Option<i64>,
}

impl State {
    fn datestamp(&self, index: u64) -> i64 {
        match self.datestamps.get(&index) {
            Some(&secs) => secs,
            None => {
                let step = i64::try_from(index)
                    .unwrap_or(i64::MAX)
                    .saturating_mul(self.options.datestamp_step);
                self.options.first_datestamp.saturating_add(step)
            }
        }
    }

    fn title(&self, index: u64) -> String {
        match self.titles.get(&index) {
            Some(title) => title.clone(),
            None => render::generated_title(index),
        }
    }

    fn now(&self) -> i64 {
        self.frozen_clock.unwrap_or_else(time::now_secs)
    }

    fn check_index(&self, index: u64) {
        assert!(
            index < self.len,
            "record index {index} is out of range: the repository has {} records",
            self.len
        );
    }
}

/// A synthetic OAI-PMH 2.0 repository serving `oai_dc` records generated from their index.
///
/// It answers `Identify`, `ListMetadataFormats`, `ListSets`, `ListIdentifiers`, `ListRecords`
/// (with `from`, `until` and `set`, resumption tokens that encode the position and the filter,
/// `noRecordsMatch` for an empty list and `badResumptionToken` for an unknown token) and
/// `GetRecord`, over GET or form-encoded POST. Records are listed in index order, which is not
/// datestamp order once records change, as in real repositories.
///
/// Record `i` has the identifier `oai:test.example.org:{i}`, a title and description holding
/// [`record_word`]`(i)`, a type cycling through Text, Dataset and Software (also its set:
/// `text`, `dataset`, `software`), and the datestamp `first + i × step`
/// (default 2020-01-01T00:00:00Z plus one minute per record).
///
/// The handle is cheap to clone; all clones share one repository, so a test keeps one clone to
/// change the repository between harvests while the server serves another.
///
/// ```
/// use sheaf_testkit::{Granularity, OaiRepository, Routes, TestServer};
///
/// let repository = OaiRepository::new(1_000, 100).granularity(Granularity::Day);
/// let server = TestServer::start(Routes::new().route(repository.route("/oai")));
/// let base_url = server.url("/oai");
/// // ... harvest base_url, then change the repository and harvest again:
/// repository.retitle(7, "Renamed record zqrenamed");
/// repository.delete(8);
/// assert_eq!(repository.record(7).title, "Renamed record zqrenamed");
/// assert!(repository.record(8).deleted);
/// # drop(base_url);
/// ```
#[derive(Debug, Clone)]
pub struct OaiRepository {
    state: Arc<Mutex<State>>,
}

impl OaiRepository {
    /// Creates a repository of `records` records served `page_size` per list page (at least 1).
    pub fn new(records: u64, page_size: usize) -> OaiRepository {
        let options = Options {
            page_size: page_size.max(1),
            granularity: Granularity::Second,
            first_datestamp: 1_577_836_800, // 2020-01-01T00:00:00Z
            datestamp_step: 60,
            token_whitespace: false,
            unavailable: 0,
            retry_after_secs: 0,
            gzip: false,
            control_character: None,
        };
        let state = State {
            options,
            len: records,
            deleted: BTreeSet::new(),
            titles: HashMap::new(),
            datestamps: HashMap::new(),
            token_generation: 0,
            requests_seen: 0,
            frozen_clock: None,
        };
        OaiRepository {
            state: Arc::new(Mutex::new(state)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn with_options(self, change: impl FnOnce(&mut Options)) -> OaiRepository {
        change(&mut self.lock().options);
        self
    }

    /// Sets the granularity announced by `Identify` and used for datestamps and arguments. With
    /// [`Granularity::Day`], a `from` or `until` with a time part is answered `badArgument`.
    pub fn granularity(self, granularity: Granularity) -> OaiRepository {
        self.with_options(|options| options.granularity = granularity)
    }

    /// Spreads the generated datestamps: record `i` gets `first + i × step` (whole seconds).
    ///
    /// # Panics
    ///
    /// Panics when `first` is not `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ssZ`.
    pub fn datestamps(self, first: &str, step: Duration) -> OaiRepository {
        let first = parse_or_panic(first);
        let step = i64::try_from(step.as_secs()).unwrap_or(i64::MAX);
        self.with_options(|options| {
            options.first_datestamp = first;
            options.datestamp_step = step;
        })
    }

    /// Marks records as deleted from the start, without changing their datestamps.
    pub fn deleted(self, indexes: impl IntoIterator<Item = u64>) -> OaiRepository {
        self.lock().deleted.extend(indexes);
        self
    }

    /// Wraps every resumption token in a newline and indentation, as several repository platforms
    /// print it. The repository still compares tokens exactly, so an untrimmed token sent back is
    /// answered `badResumptionToken`.
    pub fn token_whitespace(self, wrap: bool) -> OaiRepository {
        self.with_options(|options| options.token_whitespace = wrap)
    }

    /// Answers the first `requests` requests with `503 Service Unavailable` and
    /// `Retry-After: {retry_after_secs}`.
    pub fn unavailable_first(self, requests: u32, retry_after_secs: u32) -> OaiRepository {
        self.with_options(|options| {
            options.unavailable = requests;
            options.retry_after_secs = retry_after_secs;
        })
    }

    /// Compresses responses with gzip when the request's `Accept-Encoding` lists `gzip`.
    pub fn gzip(self, enabled: bool) -> OaiRepository {
        self.with_options(|options| options.gzip = enabled)
    }

    /// Puts a raw U+0001 character, which XML 1.0 forbids, in the description of record `index`.
    pub fn control_character_in(self, index: u64) -> OaiRepository {
        self.with_options(|options| options.control_character = Some(index))
    }

    /// Returns a route that serves this repository at `path`.
    pub fn route(&self, path: &str) -> Route {
        let repository = self.clone();
        Route::new(path).handler(move |request| repository.respond(request))
    }

    /// Computes the response to one OAI-PMH request.
    pub fn respond(&self, request: &RecordedRequest) -> Response {
        let mut state = self.lock();
        state.requests_seen += 1;
        if state.requests_seen <= u64::from(state.options.unavailable) {
            let retry_after = state.options.retry_after_secs.to_string();
            return Response::status(503)
                .header("Retry-After", &retry_after)
                .header("Content-Type", "text/plain; charset=utf-8")
                .body("repository busy, retry later\n");
        }
        let body = protocol::answer(&state, request);
        let gzip = state.options.gzip;
        drop(state);

        let response = Response::ok(body, "text/xml; charset=utf-8");
        let accepts_gzip = request.header("accept-encoding").is_some_and(|value| {
            value
                .split(',')
                .any(|coding| coding.trim().starts_with("gzip"))
        });
        if gzip && accepts_gzip {
            response.gzip()
        } else {
            response
        }
    }

    /// Returns the number of records, deleted ones included.
    pub fn len(&self) -> u64 {
        self.lock().len
    }

    /// Returns whether the repository has no records at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns the number of records that are not deleted.
    pub fn live_len(&self) -> u64 {
        let state = self.lock();
        let deleted = state.deleted.range(..state.len).count() as u64;
        state.len - deleted
    }

    /// Returns what a harvester should have stored for record `index`.
    ///
    /// # Panics
    ///
    /// Panics when `index` is not below [`OaiRepository::len`].
    pub fn record(&self, index: u64) -> ExpectedRecord {
        let state = self.lock();
        state.check_index(index);
        ExpectedRecord {
            index,
            identifier: record_identifier(index),
            title: state.title(index),
            word: record_word(index),
            datestamp: time::format(state.datestamp(index), state.options.granularity),
            deleted: state.deleted.contains(&index),
        }
    }

    /// Returns the number of requests answered so far, the `503` ones included.
    pub fn requests_seen(&self) -> u64 {
        self.lock().requests_seen
    }

    /// Appends `count` records stamped with the current time and returns their indexes.
    pub fn add_records(&self, count: u64) -> Range<u64> {
        let mut state = self.lock();
        let now = state.now();
        let start = state.len;
        state.len += count;
        for index in start..state.len {
            state.datestamps.insert(index, now);
        }
        start..state.len
    }

    /// Deletes record `index` and stamps it with the current time.
    ///
    /// # Panics
    ///
    /// Panics when `index` is not below [`OaiRepository::len`].
    pub fn delete(&self, index: u64) {
        let mut state = self.lock();
        state.check_index(index);
        let now = state.now();
        state.deleted.insert(index);
        state.datestamps.insert(index, now);
    }

    /// Gives record `index` a new title and stamps it with the current time. The record keeps its
    /// word in the description.
    ///
    /// # Panics
    ///
    /// Panics when `index` is not below [`OaiRepository::len`].
    pub fn retitle(&self, index: u64, title: &str) {
        let mut state = self.lock();
        state.check_index(index);
        let now = state.now();
        state.titles.insert(index, title.to_string());
        state.datestamps.insert(index, now);
    }

    /// Stamps the records in `indexes` with the current time without changing their content.
    ///
    /// # Panics
    ///
    /// Panics when the range reaches past [`OaiRepository::len`].
    pub fn touch(&self, indexes: Range<u64>) {
        let mut state = self.lock();
        if indexes.end > 0 {
            state.check_index(indexes.end - 1);
        }
        let now = state.now();
        for index in indexes {
            state.datestamps.insert(index, now);
        }
    }

    /// Sets the datestamp of record `index`.
    ///
    /// # Panics
    ///
    /// Panics when `index` is out of range or `datestamp` is not `YYYY-MM-DD` or
    /// `YYYY-MM-DDThh:mm:ssZ`.
    pub fn set_datestamp(&self, index: u64, datestamp: &str) {
        let secs = parse_or_panic(datestamp);
        let mut state = self.lock();
        state.check_index(index);
        state.datestamps.insert(index, secs);
    }

    /// Makes every resumption token handed out so far unknown, as a server restart does.
    pub fn invalidate_tokens(&self) {
        let mut state = self.lock();
        state.token_generation = state.token_generation.wrapping_add(1);
    }

    /// Fixes the repository's clock, used for `responseDate` and for the datestamps of changes,
    /// at `datestamp` until [`OaiRepository::thaw_clock`].
    ///
    /// # Panics
    ///
    /// Panics when `datestamp` is not `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ssZ`.
    pub fn freeze_clock(&self, datestamp: &str) {
        let secs = parse_or_panic(datestamp);
        self.lock().frozen_clock = Some(secs);
    }

    /// Returns the repository's clock to the system time.
    pub fn thaw_clock(&self) {
        self.lock().frozen_clock = None;
    }
}

/// Parses an OAI-PMH datestamp into seconds since the epoch.
///
/// # Errors
///
/// Returns [`TestkitError::InvalidDatestamp`] unless the text is `YYYY-MM-DD` or
/// `YYYY-MM-DDThh:mm:ssZ` with a valid date and time.
pub fn parse_datestamp(text: &str) -> Result<i64, TestkitError> {
    match time::parse(text) {
        Some((secs, _)) => Ok(secs),
        None => Err(TestkitError::InvalidDatestamp {
            value: text.to_string(),
        }),
    }
}

fn parse_or_panic(text: &str) -> i64 {
    match parse_datestamp(text) {
        Ok(secs) => secs,
        Err(error) => panic!("{error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_unique_and_vowel_free() {
        assert_eq!(record_word(0), "zqbbbbb");
        assert_eq!(record_word(1), "zqbbbbc");
        assert_eq!(record_word(19), "zqbbbcb");
        let mut seen = std::collections::HashSet::new();
        for index in 0..50_000 {
            let word = record_word(index);
            assert!(
                !word[2..].contains(['a', 'e', 'i', 'o', 'u', 'y', 's']),
                "{word}"
            );
            assert!(seen.insert(word), "duplicate word for {index}");
        }
        assert_eq!(record_word(2_476_099).len(), 8);
    }

    #[test]
    fn changes_stamp_current_time() {
        let repository = OaiRepository::new(10, 5);
        repository.freeze_clock("2026-01-10T10:00:00Z");
        repository.retitle(2, "New title");
        repository.delete(3);
        let added = repository.add_records(2);
        assert_eq!(added, 10..12);
        assert_eq!(repository.record(2).datestamp, "2026-01-10T10:00:00Z");
        assert_eq!(repository.record(2).title, "New title");
        assert!(repository.record(3).deleted);
        assert_eq!(repository.record(11).datestamp, "2026-01-10T10:00:00Z");
        assert_eq!(repository.record(4).datestamp, "2020-01-01T00:04:00Z");
        assert_eq!(repository.live_len(), 11);
    }

    #[test]
    #[should_panic(expected = "record index 10 is out of range")]
    fn out_of_range_index_panics() {
        OaiRepository::new(10, 5).delete(10);
    }
}
