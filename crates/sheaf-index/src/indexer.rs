//! Writing the store's changes into the index.

use tantivy::directory::error::LockError;
use tantivy::{IndexReader, IndexWriter, TantivyDocument, TantivyError};

use sheaf_store::{Change, Store};

use crate::schema::Fields;
use crate::{Error, SearchIndex};

/// Memory the writer may use for documents not yet flushed to a segment, in bytes.
const WRITER_MEMORY_BYTES: usize = 64 * 1024 * 1024;
/// Writer threads; each needs at least 15 MB of the memory budget.
const WRITER_THREADS: usize = 2;
/// Changes read from the store per batch.
const BATCH_SIZE: usize = 1000;
/// Changes applied between two commits during a catch-up, so a crash repeats at most this many.
const COMMIT_EVERY: u64 = 50_000;

/// The index writer; only one may exist per index folder, across all processes.
pub struct Indexer {
    writer: IndexWriter<TantivyDocument>,
    reader: IndexReader,
    fields: Fields,
}

impl std::fmt::Debug for Indexer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Indexer").finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Takes the index's writer lock and returns the writer.
    ///
    /// Fails with [`Error::WriterLocked`] while another [`Indexer`] on the same folder exists,
    /// in this process or another.
    pub fn writer(&self) -> Result<Indexer, Error> {
        let writer = match self
            .index
            .writer_with_num_threads(WRITER_THREADS, WRITER_MEMORY_BYTES)
        {
            Ok(writer) => writer,
            Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                return Err(Error::WriterLocked {
                    dir: self.dir.clone(),
                });
            }
            Err(err) => return Err(err.into()),
        };
        Ok(Indexer {
            writer,
            reader: self.reader.clone(),
            fields: self.fields.clone(),
        })
    }
}

impl Indexer {
    /// Applies changes: a live record replaces any document of its id, and a tombstone or
    /// purged id removes it. Nothing is visible to searches before [`Indexer::commit`].
    pub fn apply(&mut self, changes: &[Change]) -> Result<(), Error> {
        for change in changes {
            self.writer.delete_term(self.fields.id_term(&change.id));
            if let Some(record) = change.record.as_ref().filter(|r| !r.deleted) {
                self.writer
                    .add_document(self.fields.document(record, change.seq))?;
            }
        }
        Ok(())
    }

    /// Commits the applied changes with `seq` as the last applied change sequence number, and
    /// reloads the searchers of the [`SearchIndex`] this writer came from.
    pub fn commit(&mut self, seq: u64) -> Result<(), Error> {
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&serde_json::json!({ "seq": seq }).to_string());
        prepared.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Deletes every document; the deletion becomes visible at the next commit.
    pub fn clear(&mut self) -> Result<(), Error> {
        self.writer.delete_all_documents()?;
        Ok(())
    }
}

/// Applies the store's changes after the index's last applied sequence number, committing every
/// 50 000 changes and at the end, and returns the number of changes applied.
///
/// When the store's sequence is behind the index's (the store was replaced or restored from an
/// older backup), the index cannot tell what changed, so it is rebuilt instead.
pub fn catch_up(store: &Store, index: &SearchIndex, indexer: &mut Indexer) -> Result<u64, Error> {
    let applied = index.applied_seq()?;
    let store_seq = store.max_seq()?;
    if store_seq < applied {
        tracing::warn!(
            index_seq = applied,
            store_seq,
            "the store's change sequence is behind the index; rebuilding the index"
        );
        return rebuild(store, index, indexer);
    }
    apply_from(store, indexer, applied, true)
}

/// Deletes every document and indexes the whole store again; returns the changes applied.
/// Searches see the old documents until the single commit at the end.
pub fn rebuild(store: &Store, _index: &SearchIndex, indexer: &mut Indexer) -> Result<u64, Error> {
    indexer.clear()?;
    apply_from(store, indexer, 0, false)
}

/// Applies changes after `after` in batches and commits at the end, and also every
/// [`COMMIT_EVERY`] changes when `intermediate_commits` is set.
fn apply_from(
    store: &Store,
    indexer: &mut Indexer,
    mut after: u64,
    intermediate_commits: bool,
) -> Result<u64, Error> {
    let start = after;
    let mut applied = 0;
    let mut since_commit = 0;
    loop {
        let changes = store.changes_since(after, BATCH_SIZE)?;
        let Some(last) = changes.last() else { break };
        after = last.seq;
        indexer.apply(&changes)?;
        applied += changes.len() as u64;
        since_commit += changes.len() as u64;
        if intermediate_commits && since_commit >= COMMIT_EVERY {
            indexer.commit(after)?;
            since_commit = 0;
        }
    }
    if since_commit > 0 || start == 0 {
        indexer.commit(after)?;
    }
    Ok(applied)
}
