//! SQLite store of sources, checkpoints, harvest runs and records, with a change sequence.
//!
//! The store is Sheaf's source of truth. It keeps each harvested record twice, as the raw metadata
//! received and as the normalised [`Record`] (JSON text), so records can be normalised again
//! without harvesting and the search index can be rebuilt at any time.
//!
//! Every write that changes a record takes the next value of one global change sequence, a
//! monotonic `u64`, and the record's row carries the sequence number of its last change. A
//! consumer such as the search indexer remembers the last number it applied and asks for
//! [`Store::changes_since`] that number: it sees each changed record once, in its latest state.
//! Purged records leave a row in a `purged` table so that their removal is a change too.
//!
//! A harvest page is written by [`Store::write_page`] in one transaction together with the
//! source's checkpoint, so a crash loses at most the page in flight.
//!
//! The database runs in WAL mode with a busy timeout, so the command line and a daemon can share
//! one data folder: readers never block, and writers wait for each other.
//!
//! ```no_run
//! use sheaf_store::{IncomingRecord, SourceRow, Store};
//! use sheaf_record::Record;
//!
//! # fn main() -> Result<(), sheaf_store::Error> {
//! let store = Store::open(std::path::Path::new("data/sheaf.db"))?;
//! store.sync_sources(&[SourceRow {
//!     id: "demo".into(),
//!     name: "Demo repository".into(),
//!     kind: "oai-pmh".into(),
//!     url: "https://repository.example/oai".into(),
//! }])?;
//! let run = store.start_run("demo", false)?;
//! let record = Record { id: "demo:oai:1".into(), source: "demo".into(), ..Record::default() };
//! let page = [IncomingRecord { record, format: "oai_dc".into(), raw: "<record/>".into() }];
//! let counts = store.write_page("demo", run, &page, r#"{"token":null}"#)?;
//! assert_eq!(counts.added, 1);
//! for change in store.changes_since(0, 1000)? {
//!     println!("{} {}", change.seq, change.id);
//! }
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod error;
mod records;
mod schema;
mod sources;
mod types;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension};

pub use error::Error;
pub use sheaf_record::Record;
pub use types::{
    Change, IncomingRecord, PageCounts, RunReport, RunRow, RunStatus, SourceRow, SourceStatus,
    StoredRecord,
};

/// How long a write waits for another connection's write transaction before failing with
/// `SQLITE_BUSY`. A harvest page commits in milliseconds, so this only runs out when another
/// process holds a write transaction open far longer than any Sheaf operation does.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Prepared statements kept per connection; the page write alone uses about ten.
const STATEMENT_CACHE_CAPACITY: usize = 64;

/// Handle on one SQLite database; `Send + Sync`, with methods taking `&self`.
///
/// Calls through one handle are serialised by a mutex around its connection. Separate handles
/// (in one process or several) on the same file are coordinated by SQLite's locks.
pub struct Store {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the database at `path`, creating its parent folder and the file when missing, and
    /// migrates the schema to the latest version.
    pub fn open(path: &Path) -> Result<Store, Error> {
        Self::open_at_version(path, schema::LATEST)
    }

    /// Opens the database and migrates it to `version` only; tests use this to build old files.
    #[doc(hidden)]
    pub fn open_at_version(path: &Path, version: u32) -> Result<Store, Error> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| Error::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let open_error = |source| Error::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open(path).map_err(open_error)?;
        configure(&conn).map_err(open_error)?;
        schema::migrate_to(&mut conn, version)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    /// Returns the schema version of the open database.
    pub fn schema_version(&self) -> Result<u32, Error> {
        Ok(schema::version(&self.lock())?)
    }

    /// Runs a cheap query, for health checks and the service watchdog.
    pub fn ping(&self) -> Result<(), Error> {
        self.lock().query_row("SELECT 1", [], |_| Ok(()))?;
        Ok(())
    }

    /// Returns the highest change sequence number handed out so far (0 for a new store).
    pub fn max_seq(&self) -> Result<u64, Error> {
        read_seq(&self.lock())
    }

    /// Locks the connection. A panic in another thread while it held the lock leaves the
    /// connection usable, because an open transaction rolls back when dropped.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Sets the connection options every handle needs.
fn configure(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    debug_assert_eq!(mode.to_ascii_lowercase(), "wal");
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// Reads the last change sequence number handed out.
fn read_seq(conn: &Connection) -> Result<u64, Error> {
    let value: Option<i64> = conn
        .prepare_cached("SELECT value FROM counters WHERE name = 'seq'")?
        .query_row([], |row| row.get(0))
        .optional()?;
    Ok(to_u64(value.unwrap_or(0)))
}

/// Stores the last change sequence number handed out.
fn write_seq(conn: &Connection, seq: u64) -> Result<(), Error> {
    conn.prepare_cached("UPDATE counters SET value = ?1 WHERE name = 'seq'")?
        .execute([to_i64(seq)])?;
    Ok(())
}

/// Formats a time as stored: RFC 3339 in UTC with microseconds, so text order is time order.
fn format_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses a time written by [`format_time`].
fn parse_time(column: &'static str, text: &str) -> Result<DateTime<Utc>, Error> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|err| Error::Corrupt {
            column,
            value: text.chars().take(64).collect(),
            message: err.to_string(),
        })
}

/// Converts a count or sequence number for SQLite, which stores signed 64-bit integers.
fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Converts an integer read from SQLite; negative values (never written) read as 0.
fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}
