//! Tantivy index of Sheaf's records: schema, multilingual analysis, indexing and search.
//!
//! The index is a projection of the store: [`Indexer`] applies the store's change sequence
//! ([`sheaf_store::Store::changes_since`]) and commits with the last applied sequence number in
//! the commit payload, so [`catch_up`] continues where the last commit stopped and [`rebuild`]
//! recreates everything from the store.
//!
//! [`SearchIndex::search`] answers a [`SearchRequest`]: tantivy query syntax over the title,
//! description, creators, subjects, publisher and identifiers (words AND-ed, title boosted),
//! filters and facets on source, centre, country, type, language, subject, set and year, order by
//! relevance or date, and cursor paging. Text is analysed for many scripts: see [`analysis`].
//!
//! Only one writer may hold an index folder at a time, across processes; [`SearchIndex::writer`]
//! fails with [`Error::WriterLocked`] while another holds it. Readers reload on demand
//! ([`SearchIndex::reload`]) to see another process's commits.
//!
//! ```no_run
//! use sheaf_index::{SearchIndex, SearchRequest, catch_up};
//! use sheaf_store::Store;
//!
//! # fn main() -> Result<(), sheaf_index::Error> {
//! let store = Store::open(std::path::Path::new("data/sheaf.db"))?;
//! let index = SearchIndex::open(std::path::Path::new("data/index"))?;
//! let mut indexer = index.writer()?;
//! catch_up(&store, &index, &mut indexer)?;
//! let request = SearchRequest { q: "climate".into(), facets: vec!["year".into()], ..Default::default() };
//! for hit in index.search(&request)?.hits {
//!     println!("{} {}", hit.id, hit.title);
//! }
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

pub mod analysis;
mod collect;
mod cursor;
mod error;
mod indexer;
mod schema;
mod search;

use std::path::{Path, PathBuf};

use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, IndexSettings, ReloadPolicy};

pub use error::Error;
pub use indexer::{Indexer, catch_up, rebuild};
pub use schema::FILTER_NAMES;
pub use search::{
    DEFAULT_LIMIT, FacetCount, Hit, MAX_FACET_VALUES, MAX_LIMIT, SearchRequest, SearchResponse,
    Sort,
};

use schema::Fields;

/// An open index folder with a reader; cheap to share behind an `Arc`.
pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the folder and an empty index when missing.
    pub fn open(dir: &Path) -> Result<SearchIndex, Error> {
        let open_error = |message: String| Error::Open {
            dir: dir.to_path_buf(),
            message,
        };
        std::fs::create_dir_all(dir).map_err(|err| open_error(err.to_string()))?;
        let directory = MmapDirectory::open(dir).map_err(|err| open_error(err.to_string()))?;
        let (schema, fields) = Fields::build();
        let index = if Index::exists(&directory).map_err(|err| open_error(err.to_string()))? {
            let index = Index::open(directory)?;
            if index.schema() != schema {
                return Err(Error::SchemaMismatch {
                    dir: dir.to_path_buf(),
                });
            }
            index
        } else {
            Index::create(directory, schema, IndexSettings::default())?
        };
        index
            .tokenizers()
            .register(analysis::TEXT_ANALYZER, analysis::text_analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
        })
    }

    /// Returns the change sequence number stored with the last commit (0 for a new index).
    pub fn applied_seq(&self) -> Result<u64, Error> {
        let Some(payload) = self.index.load_metas()?.payload else {
            return Ok(0);
        };
        let value: serde_json::Value =
            serde_json::from_str(&payload).map_err(|_| Error::InvalidPayload {
                payload: payload.clone(),
            })?;
        value["seq"]
            .as_u64()
            .ok_or(Error::InvalidPayload { payload })
    }

    /// Reloads the searchers to see the latest commit, including another process's.
    pub fn reload(&self) -> Result<(), Error> {
        self.reader.reload()?;
        Ok(())
    }

    /// Returns the number of searchable documents as of the last reload.
    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Returns the index folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}
