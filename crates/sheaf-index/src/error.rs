//! The index's error type.

use std::path::PathBuf;

/// Errors returned by the search index.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another process (or another handle in this one) holds the index writer lock.
    #[error(
        "the index at `{dir}` is locked by another writer; the process holding the lock (usually \
         the running daemon) indexes the store's changes, so leave indexing to it or stop it first"
    )]
    WriterLocked {
        /// Index folder.
        dir: PathBuf,
    },
    /// The index folder holds an index built with another schema.
    #[error(
        "the index at `{dir}` was built with another schema; delete that folder and run \
         `sheaf reindex` to rebuild it from the store"
    )]
    SchemaMismatch {
        /// Index folder.
        dir: PathBuf,
    },
    /// The index folder could not be created or opened.
    #[error("failed to open the index folder `{dir}`: {message}; check the path and permissions")]
    Open {
        /// Index folder.
        dir: PathBuf,
        /// What failed.
        message: String,
    },
    /// The query could not be parsed even as plain words.
    #[error("invalid query `{query}`: {message}")]
    InvalidQuery {
        /// The query text.
        query: String,
        /// What is wrong with it.
        message: String,
    },
    /// A filter is malformed, names an unknown field, or has an invalid value.
    #[error("invalid filter `{filter}`: {message}")]
    InvalidFilter {
        /// The filter as given (`NAME:VALUE`).
        filter: String,
        /// What is wrong with it and what is accepted.
        message: String,
    },
    /// A facet name is unknown.
    #[error("invalid facet `{facet}`: expected one of {valid}")]
    InvalidFacet {
        /// The facet name as given.
        facet: String,
        /// Comma-separated list of valid names.
        valid: String,
    },
    /// A sort name is unknown.
    #[error("invalid sort `{value}`: expected `relevance`, `date` or `-date`")]
    InvalidSort {
        /// The sort as given.
        value: String,
    },
    /// A cursor was not produced by this index, or was produced for another sort order.
    #[error("invalid cursor `{cursor}`: {message}; start again without a cursor")]
    InvalidCursor {
        /// The cursor as given.
        cursor: String,
        /// What is wrong with it.
        message: String,
    },
    /// The commit payload does not contain a change sequence number.
    #[error("the index commit payload `{payload}` has no change sequence number; run a reindex")]
    InvalidPayload {
        /// The payload text.
        payload: String,
    },
    /// The store failed while the index read its changes.
    #[error(transparent)]
    Store(#[from] sheaf_store::Error),
    /// Any other tantivy error (I/O, corrupted segments, a writer thread that failed).
    #[error("search index operation failed: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}
