//! The one-off commands: harvest, search, reindex, sources, purge and check.

use std::sync::Arc;

use anyhow::Context;
use sheaf_harvest::{Harvester, RunSummary};
use sheaf_index::{SearchIndex, SearchRequest};
use sheaf_store::{SourceRow, Store};

use crate::config::Config;

/// The result of a command, mapped to the exit code by `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything succeeded (exit 0).
    Success,
    /// A source or an operation failed (exit 1).
    Failed,
    /// The command was used wrongly (exit 2).
    Usage,
}

/// Opens the store and records the configured sources in it.
pub fn open_store(config: &Config) -> anyhow::Result<Arc<Store>> {
    let path = config.store_path();
    let store =
        Store::open(&path).with_context(|| format!("cannot open the store {}", path.display()))?;
    let rows: Vec<SourceRow> = config
        .sources
        .iter()
        .map(|s| SourceRow {
            id: s.plan.id.clone(),
            name: s.plan.name.clone(),
            kind: s.plan.kind.as_str().to_owned(),
            url: s.plan.url.clone(),
        })
        .collect();
    store
        .sync_sources(&rows)
        .context("cannot record the configured sources")?;
    Ok(Arc::new(store))
}

/// Opens the index, creating it when missing.
pub fn open_index(config: &Config) -> anyhow::Result<Arc<SearchIndex>> {
    let dir = config.index_dir();
    let index = SearchIndex::open(&dir)
        .with_context(|| format!("cannot open the index {}", dir.display()))?;
    Ok(Arc::new(index))
}

/// Applies the store's new changes to the index, unless another process holds the index writer,
/// in which case that process indexes them.
fn update_index(store: &Store, index: &SearchIndex) -> anyhow::Result<()> {
    match index.writer() {
        Ok(mut indexer) => {
            let applied =
                sheaf_index::catch_up(store, index, &mut indexer).context("indexing failed")?;
            tracing::info!(applied, "index updated");
            Ok(())
        }
        Err(sheaf_index::Error::WriterLocked { .. }) => {
            eprintln!(
                "note: another process (a running `sheaf serve`) holds the index; it indexes the new records itself"
            );
            Ok(())
        }
        Err(error) => Err(error).context("cannot open the index for writing"),
    }
}

/// Harvests the selected sources once, one after another, then updates the index.
pub async fn harvest(config: &Config, ids: &[String], full: bool) -> anyhow::Result<Outcome> {
    let plans = match config.select(ids) {
        Ok(plans) => plans,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(Outcome::Usage);
        }
    };
    let store = open_store(config)?;
    let index = open_index(config)?;
    let harvester = Harvester::new(store.clone());
    let mut summaries = Vec::new();
    for plan in &plans {
        summaries.push(harvester.run(plan, full).await?);
    }
    let indexing = {
        let store = store.clone();
        let index = index.clone();
        tokio::task::spawn_blocking(move || update_index(&store, &index)).await?
    };
    for summary in &summaries {
        print_summary(summary);
    }
    indexing?;
    let failed = summaries.iter().filter(|s| !s.succeeded()).count();
    if failed > 0 {
        eprintln!("{failed} of {} sources failed", summaries.len());
        return Ok(Outcome::Failed);
    }
    Ok(Outcome::Success)
}

fn print_summary(summary: &RunSummary) {
    let r = &summary.report;
    let status = if summary.succeeded() { "ok" } else { "FAILED" };
    println!(
        "{:<24} {status:<6} run {:<5} pages {:<4} added {:<6} updated {:<6} deleted {:<6} unchanged {:<6} repairs {:<4} retries {}",
        summary.source_id,
        summary.run_id,
        r.pages,
        r.added,
        r.updated,
        r.deleted,
        r.unchanged,
        r.repairs,
        r.retries
    );
    if let Some(message) = &r.message {
        println!("{:<24} {message}", "");
    }
}

/// Searches the index and prints the hits, or the API's JSON body.
pub fn search(config: &Config, query: &str, json: bool, limit: usize) -> anyhow::Result<Outcome> {
    let index = open_index(config)?;
    let request = SearchRequest {
        q: query.to_owned(),
        limit,
        ..SearchRequest::default()
    };
    let response = match index.search(&request) {
        Ok(response) => response,
        Err(
            error @ (sheaf_index::Error::InvalidQuery { .. }
            | sheaf_index::Error::InvalidFilter { .. }),
        ) => {
            eprintln!("error: {error}");
            return Ok(Outcome::Usage);
        }
        Err(error) => return Err(error).context("search failed"),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&response)?);
        return Ok(Outcome::Success);
    }
    println!("{} records match", response.total);
    for hit in &response.hits {
        let date = hit.date.as_deref().unwrap_or("");
        println!("{}\t{date}\t{}", hit.id, hit.title);
        if let Some(url) = &hit.url {
            println!("\t\t{url}");
        }
    }
    Ok(Outcome::Success)
}

/// Rebuilds the index from the store.
pub fn reindex(config: &Config) -> anyhow::Result<Outcome> {
    let store = open_store(config)?;
    let index = open_index(config)?;
    let mut indexer = match index.writer() {
        Ok(indexer) => indexer,
        Err(sheaf_index::Error::WriterLocked { .. }) => {
            eprintln!(
                "error: another process (a running `sheaf serve`) holds the index; stop it, then reindex"
            );
            return Ok(Outcome::Failed);
        }
        Err(error) => return Err(error).context("cannot open the index for writing"),
    };
    let count = sheaf_index::rebuild(&store, &index, &mut indexer).context("reindex failed")?;
    println!(
        "reindexed {count} changes; the index holds {} records",
        index.doc_count()
    );
    Ok(Outcome::Success)
}

/// Prints each source with its last run, status and record counts.
pub fn sources(config: &Config, json: bool) -> anyhow::Result<Outcome> {
    let store = open_store(config)?;
    let statuses = store.sources().context("cannot read the sources")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&statuses)?);
        return Ok(Outcome::Success);
    }
    println!(
        "{:<24} {:<8} {:>8} {:>8}  {:<10} {:<20} message",
        "id", "kind", "records", "deleted", "last run", "finished"
    );
    for status in &statuses {
        let (state, finished, message) = match &status.last_run {
            Some(run) => (
                format!("{:?}", run.status).to_lowercase(),
                run.finished
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_default(),
                run.message.clone().unwrap_or_default(),
            ),
            None => ("never".to_owned(), String::new(), String::new()),
        };
        let removed = if status.removed_from_config {
            " (not in config)"
        } else {
            ""
        };
        println!(
            "{:<24} {:<8} {:>8} {:>8}  {state:<10} {finished:<20} {message}{removed}",
            status.id, status.kind, status.live_records, status.deleted_records
        );
    }
    Ok(Outcome::Success)
}

/// Removes a source's records from the store and the index.
pub fn purge(config: &Config, source_id: &str) -> anyhow::Result<Outcome> {
    if config.sources.iter().any(|s| s.plan.id == source_id) {
        eprintln!(
            "error: source `{source_id}` is still in the config; remove it from {} first",
            config.path.display()
        );
        return Ok(Outcome::Usage);
    }
    let store = open_store(config)?;
    let removed = store.purge_source(source_id).context("purge failed")?;
    let index = open_index(config)?;
    update_index(&store, &index)?;
    println!("purged {removed} records of `{source_id}`");
    Ok(Outcome::Success)
}

/// Returns the feed that autodiscovery found for a source, as stored by its last harvest.
fn discovered_feed(store: Option<&Store>, source_id: &str) -> Option<String> {
    let text = store?.checkpoint(source_id).ok()??;
    let checkpoint: sheaf_harvest::FeedCheckpoint = serde_json::from_str(&text).ok()?;
    checkpoint.discovered_url
}

/// Prints what the config configures, and for feeds found by autodiscovery the feed's URL.
pub fn check(config: &Config) -> anyhow::Result<Outcome> {
    // The store is read only when it exists: checking a config must not create a data folder.
    let store = if config.store_path().exists() {
        Store::open(&config.store_path()).ok()
    } else {
        None
    };
    println!("config {} is valid", config.path.display());
    println!("data_dir {}", config.data_dir.display());
    println!("listen {}", config.listen);
    println!("repository_name {}", config.repository_name);
    if let Some(email) = &config.admin_email {
        println!("admin_email {email}");
    }
    for source in &config.sources {
        let schedule = source
            .schedule
            .as_ref()
            .map_or("on request", |s| s.expression());
        let state = if source.enabled {
            "enabled"
        } else {
            "disabled"
        };
        let withheld = if config.withheld.contains(&source.plan.id) {
            " (not redistributed)"
        } else {
            ""
        };
        println!(
            "source {:<24} {:<8} {state:<9} {schedule:<14} {}{withheld}",
            source.plan.id,
            source.plan.kind.as_str(),
            source.plan.url
        );
        if let Some(feed) = discovered_feed(store.as_ref(), &source.plan.id) {
            println!("       {:<24} feed found by autodiscovery: {feed}", "");
        }
    }
    Ok(Outcome::Success)
}
