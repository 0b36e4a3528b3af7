//! Record writes, reads and the change sequence.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sheaf_record::Record;

use crate::sources::{ensure_source, set_checkpoint};
use crate::{
    Change, Error, IncomingRecord, PageCounts, Store, StoredRecord, format_time, parse_time,
    read_seq, to_i64, to_u64, write_seq,
};

/// The stored state that decides whether an incoming record changes anything.
struct Existing {
    raw: String,
    format: String,
    deleted: bool,
    datestamp: Option<String>,
}

/// What writing one incoming record does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Added,
    Updated,
    Deleted,
    Unchanged,
}

impl Store {
    /// Writes one harvest page and the source's checkpoint in one transaction.
    ///
    /// Each distinct record id of the page is added, updated, deleted or left unchanged:
    /// - a record whose stored raw metadata, format and deleted flag equal the incoming ones is
    ///   unchanged: it keeps its sequence number and `updated` time, and only its last seen run
    ///   moves to `run_id`; a repeated tombstone with empty raw metadata is unchanged too;
    /// - any other write takes the next sequence number and sets `record.updated` to now;
    /// - a tombstone keeps the stored row; where the incoming tombstone has empty raw metadata
    ///   or no datestamp, the stored ones stay. A tombstone for an unknown id is stored too.
    ///
    /// When an id occurs more than once in `records`, the last occurrence is written and counted.
    pub fn write_page(
        &self,
        source_id: &str,
        run_id: i64,
        records: &[IncomingRecord],
        checkpoint: &str,
    ) -> Result<PageCounts, Error> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        ensure_source(&tx, source_id)?;

        let mut last_index: HashMap<&str, usize> = HashMap::with_capacity(records.len());
        for (index, incoming) in records.iter().enumerate() {
            check_owner(source_id, &incoming.record)?;
            last_index.insert(incoming.record.id.as_str(), index);
        }

        let mut seq = read_seq(&tx)?;
        let now = Utc::now();
        let mut counts = PageCounts::default();
        for (index, incoming) in records.iter().enumerate() {
            if last_index.get(incoming.record.id.as_str()) != Some(&index) {
                continue;
            }
            let outcome = write_record(&tx, run_id, incoming, now, &mut seq)?;
            match outcome {
                Outcome::Added => counts.added += 1,
                Outcome::Updated => counts.updated += 1,
                Outcome::Deleted => counts.deleted += 1,
                Outcome::Unchanged => counts.unchanged += 1,
            }
        }
        write_seq(&tx, seq)?;
        set_checkpoint(&tx, source_id, checkpoint)?;
        tx.commit()?;
        Ok(counts)
    }

    /// Turns the source's live records that no run numbered `first_run_id` or later has seen into
    /// tombstones, each with a new sequence number, and returns how many. Call it after a full
    /// harvest completes; a full harvest resumed by later runs passes the id of the run that
    /// started it. Run ids only grow (`AUTOINCREMENT`), so later runs have larger ids.
    pub fn tombstone_unseen(&self, source_id: &str, first_run_id: i64) -> Result<u64, Error> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        ensure_source(&tx, source_id)?;
        let mut unseen = Vec::new();
        {
            let mut select = tx.prepare_cached(
                "SELECT id, record FROM records
                 WHERE source_id = ?1 AND deleted = 0
                   AND (last_seen_run IS NULL OR last_seen_run < ?2)",
            )?;
            let mut rows = select.query(params![source_id, first_run_id])?;
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                let json: String = row.get(1)?;
                unseen.push((id, json));
            }
        }

        let mut seq = read_seq(&tx)?;
        let now = Utc::now();
        let updated_text = format_time(now);
        {
            let mut update = tx.prepare_cached(
                "UPDATE records SET deleted = 1, seq = ?2, updated = ?3, record = ?4 WHERE id = ?1",
            )?;
            for (id, json) in &unseen {
                let mut record = decode_record(id, json)?;
                record.deleted = true;
                record.updated = Some(now);
                seq += 1;
                update.execute(params![
                    id,
                    to_i64(seq),
                    updated_text,
                    encode_record(&record)?
                ])?;
            }
        }
        write_seq(&tx, seq)?;
        tx.commit()?;
        Ok(unseen.len() as u64)
    }

    /// Returns a record with its raw metadata, or `None` for an unknown or purged id.
    pub fn get(&self, id: &str) -> Result<Option<StoredRecord>, Error> {
        let conn = self.lock();
        let row = conn
            .prepare_cached(
                "SELECT record, format, raw, seq, last_seen_run FROM records WHERE id = ?1",
            )?
            .query_row([id], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, i64>(3)?,
                    row.get::<_, Option<i64>>(4)?,
                ))
            })
            .optional()?;
        let Some((json, format, raw, seq, last_seen_run)) = row else {
            return Ok(None);
        };
        Ok(Some(StoredRecord {
            record: decode_record(id, &json)?,
            format,
            raw,
            seq: to_u64(seq),
            last_seen_run,
        }))
    }

    /// Returns up to `limit` changes with a sequence number above `after_seq`, in sequence order.
    ///
    /// A record appears once, in its latest state, because its row carries only its last
    /// sequence number. Purged ids appear with `record: None`.
    pub fn changes_since(&self, after_seq: u64, limit: usize) -> Result<Vec<Change>, Error> {
        let conn = self.lock();
        let mut statement = conn.prepare_cached(
            "SELECT seq, id, record FROM records WHERE seq > ?1
             UNION ALL
             SELECT seq, id, NULL FROM purged WHERE seq > ?1
             ORDER BY seq LIMIT ?2",
        )?;
        let mut rows = statement.query(params![to_i64(after_seq), to_i64(limit as u64)])?;
        let mut changes = Vec::new();
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let id: String = row.get(1)?;
            let json: Option<String> = row.get(2)?;
            let record = json.map(|json| decode_record(&id, &json)).transpose()?;
            changes.push(Change {
                seq: to_u64(seq),
                id,
                record,
            });
        }
        Ok(changes)
    }

    /// Returns the numbers of live records and of tombstones over all sources.
    pub fn record_counts(&self) -> Result<(u64, u64), Error> {
        let conn = self.lock();
        let (live, deleted): (Option<i64>, Option<i64>) = conn
            .prepare_cached(
                "SELECT SUM(deleted = 0), SUM(deleted = 1) FROM records INDEXED BY records_by_source",
            )?
            .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok((to_u64(live.unwrap_or(0)), to_u64(deleted.unwrap_or(0))))
    }
}

/// Fails unless the record's id and source name the source whose page is written.
fn check_owner(source_id: &str, record: &Record) -> Result<(), Error> {
    let id_source = record.id.split_once(':').map(|(source, _)| source);
    if record.source != source_id || id_source != Some(source_id) {
        return Err(Error::ForeignRecord {
            record_id: record.id.clone(),
            record_source: record.source.clone(),
            source_id: source_id.to_owned(),
        });
    }
    Ok(())
}

/// Writes one incoming record, advancing `seq` when it changes, and says what happened.
fn write_record(
    conn: &Connection,
    run_id: i64,
    incoming: &IncomingRecord,
    now: DateTime<Utc>,
    seq: &mut u64,
) -> Result<Outcome, Error> {
    let id = incoming.record.id.as_str();
    let existing = conn
        .prepare_cached("SELECT raw, format, deleted, datestamp FROM records WHERE id = ?1")?
        .query_row([id], |row| {
            Ok(Existing {
                raw: row.get(0)?,
                format: row.get(1)?,
                deleted: row.get(2)?,
                datestamp: row.get(3)?,
            })
        })
        .optional()?;

    let deleting = incoming.record.deleted;
    let outcome = match &existing {
        None if deleting => Outcome::Deleted,
        None => Outcome::Added,
        Some(old) if is_unchanged(old, incoming) => Outcome::Unchanged,
        Some(_) if deleting => Outcome::Deleted,
        Some(_) => Outcome::Updated,
    };
    if outcome == Outcome::Unchanged {
        conn.prepare_cached("UPDATE records SET last_seen_run = ?2 WHERE id = ?1")?
            .execute(params![id, run_id])?;
        return Ok(outcome);
    }

    let mut record = incoming.record.clone();
    record.updated = Some(now);
    let mut raw = incoming.raw.as_str();
    if let Some(old) = existing.as_ref().filter(|_| deleting) {
        if raw.is_empty() {
            raw = &old.raw;
        }
        if record.datestamp.is_none() {
            record.datestamp = old
                .datestamp
                .as_deref()
                .map(|t| parse_time("records.datestamp", t))
                .transpose()?;
        }
    }

    *seq += 1;
    conn.prepare_cached(
        "INSERT INTO records
           (id, source_id, local_id, datestamp, updated, deleted, seq, format, raw, record,
            last_seen_run)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT(id) DO UPDATE SET
           datestamp = excluded.datestamp, updated = excluded.updated, deleted = excluded.deleted,
           seq = excluded.seq, format = excluded.format, raw = excluded.raw,
           record = excluded.record, last_seen_run = excluded.last_seen_run",
    )?
    .execute(params![
        id,
        record.source,
        record.local_id(),
        record.datestamp.map(format_time),
        format_time(now),
        record.deleted,
        to_i64(*seq),
        incoming.format,
        raw,
        encode_record(&record)?,
        run_id,
    ])?;
    if existing.is_none() {
        // The id may have been purged with an earlier source of the same id; it is live again.
        conn.prepare_cached("DELETE FROM purged WHERE id = ?1")?
            .execute([id])?;
    }
    Ok(outcome)
}

/// Tells whether writing `incoming` over `old` would change nothing.
fn is_unchanged(old: &Existing, incoming: &IncomingRecord) -> bool {
    let same_raw = old.raw == incoming.raw || (incoming.record.deleted && incoming.raw.is_empty());
    old.format == incoming.format && old.deleted == incoming.record.deleted && same_raw
}

fn encode_record(record: &Record) -> Result<String, Error> {
    serde_json::to_string(record).map_err(|source| Error::Json {
        record_id: record.id.clone(),
        source,
    })
}

fn decode_record(id: &str, json: &str) -> Result<Record, Error> {
    serde_json::from_str(json).map_err(|source| Error::Json {
        record_id: id.to_owned(),
        source,
    })
}
