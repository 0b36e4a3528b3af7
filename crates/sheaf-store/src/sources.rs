//! Sources, checkpoints, harvest runs and purging.

use std::collections::HashMap;

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use crate::{
    Error, RunReport, RunRow, RunStatus, SourceRow, SourceStatus, Store, format_time, parse_time,
    read_seq, to_i64, to_u64, write_seq,
};

/// Columns read by [`run_from_row`], in its order.
const RUN_COLUMNS: &str = "id, source_id, full, started, finished, status, pages, added, updated, \
                           deleted, unchanged, repairs, retries, errors, message";

impl Store {
    /// Upserts the configured sources (id, name, kind, url).
    ///
    /// Sources in the store but not in `sources` keep their records and runs and are marked
    /// `removed_from_config`. A source that comes back in the config loses the mark.
    pub fn sync_sources(&self, sources: &[SourceRow]) -> Result<(), Error> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("UPDATE sources SET removed_from_config = 1", [])?;
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO sources (id, name, kind, url, removed_from_config)
                 VALUES (?1, ?2, ?3, ?4, 0)
                 ON CONFLICT(id) DO UPDATE SET
                   name = excluded.name, kind = excluded.kind, url = excluded.url,
                   removed_from_config = 0",
            )?;
            for source in sources {
                upsert.execute(params![source.id, source.name, source.kind, source.url])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Returns the source's checkpoint, `None` when it has never been set.
    pub fn checkpoint(&self, source_id: &str) -> Result<Option<String>, Error> {
        let conn = self.lock();
        let row: Option<Option<String>> = conn
            .prepare_cached("SELECT checkpoint FROM sources WHERE id = ?1")?
            .query_row([source_id], |row| row.get(0))
            .optional()?;
        row.ok_or_else(|| Error::UnknownSource {
            source_id: source_id.to_owned(),
        })
    }

    /// Replaces the source's checkpoint, an opaque text owned by the harvester.
    pub fn set_checkpoint(&self, source_id: &str, checkpoint: &str) -> Result<(), Error> {
        set_checkpoint(&self.lock(), source_id, checkpoint)
    }

    /// Records the start of a harvest run with status `running` and returns its id.
    pub fn start_run(&self, source_id: &str, full: bool) -> Result<i64, Error> {
        let conn = self.lock();
        ensure_source(&conn, source_id)?;
        conn.prepare_cached(
            "INSERT INTO runs (source_id, full, started, status) VALUES (?1, ?2, ?3, 'running')",
        )?
        .execute(params![source_id, full, format_time(Utc::now())])?;
        Ok(conn.last_insert_rowid())
    }

    /// Writes a run's counters and status. A final status also sets the finish time; a report
    /// with [`RunStatus::Running`] only updates the counters.
    pub fn finish_run(&self, run_id: i64, report: &RunReport) -> Result<(), Error> {
        let conn = self.lock();
        let finished = match report.status {
            RunStatus::Running => None,
            RunStatus::Succeeded | RunStatus::Failed => Some(format_time(Utc::now())),
        };
        let changed = conn
            .prepare_cached(
                "UPDATE runs SET finished = ?2, status = ?3, pages = ?4, added = ?5,
                   updated = ?6, deleted = ?7, unchanged = ?8, repairs = ?9, retries = ?10,
                   errors = ?11, message = ?12
                 WHERE id = ?1",
            )?
            .execute(params![
                run_id,
                finished,
                report.status.as_str(),
                to_i64(report.pages),
                to_i64(report.added),
                to_i64(report.updated),
                to_i64(report.deleted),
                to_i64(report.unchanged),
                to_i64(report.repairs),
                to_i64(report.retries),
                to_i64(report.errors),
                report.message,
            ])?;
        if changed == 0 {
            return Err(Error::UnknownRun { run_id });
        }
        Ok(())
    }

    /// Returns the source's latest runs, newest first.
    pub fn runs(&self, source_id: &str, limit: usize) -> Result<Vec<RunRow>, Error> {
        let conn = self.lock();
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE source_id = ?1 ORDER BY id DESC LIMIT ?2"
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let mut rows = statement.query(params![source_id, to_i64(limit as u64)])?;
        let mut runs = Vec::new();
        while let Some(row) = rows.next()? {
            runs.push(run_from_row(row)?);
        }
        Ok(runs)
    }

    /// Returns every source in the store, ordered by id, with its record counts and last run.
    pub fn sources(&self) -> Result<Vec<SourceStatus>, Error> {
        let conn = self.lock();
        let counts = record_counts_by_source(&conn)?;
        let mut statement = conn.prepare_cached(
            "SELECT id, name, kind, url, removed_from_config FROM sources ORDER BY id",
        )?;
        let mut rows = statement.query([])?;
        let mut sources = Vec::new();
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let (live_records, deleted_records) = counts.get(&id).copied().unwrap_or((0, 0));
            let last_run = last_run(&conn, &id)?;
            sources.push(SourceStatus {
                name: row.get(1)?,
                kind: row.get(2)?,
                url: row.get(3)?,
                removed_from_config: row.get(4)?,
                live_records,
                deleted_records,
                last_run,
                id,
            });
        }
        Ok(sources)
    }

    /// Deletes a source with its records and runs, and returns the number of records removed.
    ///
    /// Each removed record id takes a new change sequence number in the `purged` table, so
    /// [`Store::changes_since`] reports it with `record: None` and the index drops it.
    pub fn purge_source(&self, source_id: &str) -> Result<u64, Error> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        ensure_source(&tx, source_id)?;
        let mut seq = read_seq(&tx)?;
        let mut count = 0;
        {
            let mut ids = tx.prepare("SELECT id FROM records WHERE source_id = ?1")?;
            let mut mark = tx.prepare_cached(
                "INSERT INTO purged (id, seq) VALUES (?1, ?2)
                 ON CONFLICT(id) DO UPDATE SET seq = excluded.seq",
            )?;
            let mut rows = ids.query([source_id])?;
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                seq += 1;
                mark.execute(params![id, to_i64(seq)])?;
                count += 1;
            }
        }
        tx.execute("DELETE FROM records WHERE source_id = ?1", [source_id])?;
        tx.execute("DELETE FROM runs WHERE source_id = ?1", [source_id])?;
        tx.execute("DELETE FROM sources WHERE id = ?1", [source_id])?;
        write_seq(&tx, seq)?;
        tx.commit()?;
        Ok(count)
    }
}

/// Fails with [`Error::UnknownSource`] unless the source exists.
pub(crate) fn ensure_source(conn: &Connection, source_id: &str) -> Result<(), Error> {
    let found = conn
        .prepare_cached("SELECT 1 FROM sources WHERE id = ?1")?
        .query_row([source_id], |_| Ok(()))
        .optional()?;
    found.ok_or_else(|| Error::UnknownSource {
        source_id: source_id.to_owned(),
    })
}

/// Replaces a source's checkpoint on `conn`, which may be inside a transaction.
pub(crate) fn set_checkpoint(
    conn: &Connection,
    source_id: &str,
    checkpoint: &str,
) -> Result<(), Error> {
    let changed = conn
        .prepare_cached("UPDATE sources SET checkpoint = ?2 WHERE id = ?1")?
        .execute(params![source_id, checkpoint])?;
    if changed == 0 {
        return Err(Error::UnknownSource {
            source_id: source_id.to_owned(),
        });
    }
    Ok(())
}

/// Counts live and deleted records per source.
fn record_counts_by_source(conn: &Connection) -> Result<HashMap<String, (u64, u64)>, Error> {
    let mut statement = conn.prepare_cached(
        "SELECT source_id, deleted, COUNT(*) FROM records GROUP BY source_id, deleted",
    )?;
    let mut rows = statement.query([])?;
    let mut counts: HashMap<String, (u64, u64)> = HashMap::new();
    while let Some(row) = rows.next()? {
        let entry = counts.entry(row.get(0)?).or_default();
        let deleted: bool = row.get(1)?;
        let count = to_u64(row.get(2)?);
        if deleted {
            entry.1 = count;
        } else {
            entry.0 = count;
        }
    }
    Ok(counts)
}

/// Returns the source's newest run.
fn last_run(conn: &Connection, source_id: &str) -> Result<Option<RunRow>, Error> {
    let sql =
        format!("SELECT {RUN_COLUMNS} FROM runs WHERE source_id = ?1 ORDER BY id DESC LIMIT 1");
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query([source_id])?;
    match rows.next()? {
        Some(row) => Ok(Some(run_from_row(row)?)),
        None => Ok(None),
    }
}

/// Decodes a row selected with [`RUN_COLUMNS`].
fn run_from_row(row: &Row<'_>) -> Result<RunRow, Error> {
    let started: String = row.get(3)?;
    let finished: Option<String> = row.get(4)?;
    let status: String = row.get(5)?;
    let count = |index: usize| -> Result<u64, rusqlite::Error> { Ok(to_u64(row.get(index)?)) };
    Ok(RunRow {
        id: row.get(0)?,
        source_id: row.get(1)?,
        full: row.get(2)?,
        started: parse_time("runs.started", &started)?,
        finished: finished
            .map(|text| parse_time("runs.finished", &text))
            .transpose()?,
        status: RunStatus::parse(&status).ok_or_else(|| Error::Corrupt {
            column: "runs.status",
            value: status.clone(),
            message: "expected running, succeeded or failed".to_owned(),
        })?,
        pages: count(6)?,
        added: count(7)?,
        updated: count(8)?,
        deleted: count(9)?,
        unchanged: count(10)?,
        repairs: count(11)?,
        retries: count(12)?,
        errors: count(13)?,
        message: row.get(14)?,
    })
}
