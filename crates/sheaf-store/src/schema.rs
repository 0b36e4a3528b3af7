//! Versioned schema migrations.
//!
//! The database's `PRAGMA user_version` is the number of steps applied. Each step runs in its own
//! `BEGIN IMMEDIATE` transaction that re-reads the version first, so two processes opening a new
//! data folder at the same time apply each step once.

use rusqlite::{Connection, TransactionBehavior};

use crate::Error;

/// Migration steps; step `n` (1-based) brings the schema from version `n - 1` to `n`.
/// Append new steps; never edit a released one.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: sources, harvest runs, records with their change sequence, purged ids.
    "CREATE TABLE sources (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        url TEXT NOT NULL,
        removed_from_config INTEGER NOT NULL DEFAULT 0,
        checkpoint TEXT
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        full INTEGER NOT NULL,
        started TEXT NOT NULL,
        finished TEXT,
        status TEXT NOT NULL,
        pages INTEGER NOT NULL DEFAULT 0,
        added INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        repairs INTEGER NOT NULL DEFAULT 0,
        retries INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        message TEXT
    );
    CREATE INDEX runs_by_source ON runs(source_id, id);
    CREATE TABLE records (
        id TEXT PRIMARY KEY,
        source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        local_id TEXT NOT NULL,
        datestamp TEXT,
        updated TEXT,
        deleted INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        format TEXT NOT NULL,
        raw TEXT NOT NULL,
        record TEXT NOT NULL,
        last_seen_run INTEGER
    );
    CREATE UNIQUE INDEX records_by_seq ON records(seq);
    CREATE INDEX records_by_source ON records(source_id, deleted);
    CREATE TABLE purged (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX purged_by_seq ON purged(seq);
    CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    INSERT INTO counters (name, value) VALUES ('seq', 0);",
    // 2: the OAI-PMH provider lists records by the time Sheaf last changed them.
    "CREATE INDEX records_by_updated ON records(updated);",
];

/// Schema version this build creates.
pub(crate) const LATEST: u32 = MIGRATIONS.len() as u32;

/// Reads `PRAGMA user_version`.
pub(crate) fn version(conn: &Connection) -> Result<u32, rusqlite::Error> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Applies the steps after the database's version, up to and including `target`.
pub(crate) fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), Error> {
    let found = version(conn)?;
    if found > LATEST {
        return Err(Error::NewerSchema {
            found,
            supported: LATEST,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().take(target as usize) {
        let step = index as u32 + 1;
        let apply = |conn: &mut Connection| -> Result<(), rusqlite::Error> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if version(&tx)? >= step {
                // Another process applied this step while this one waited for the lock.
                return Ok(());
            }
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", step)?;
            tx.commit()
        };
        if found < step {
            apply(conn).map_err(|source| Error::Migration {
                version: step,
                source,
            })?;
        }
    }
    Ok(())
}
