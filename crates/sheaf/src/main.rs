//! The `sheaf` binary: the command line, config loading and the wiring of the library crates.

mod commands;
mod config;
mod logging;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Default config path, relative to the working folder.
const DEFAULT_CONFIG: &str = "config/sheaf.toml";

/// Federated metadata harvesting: harvest OAI-PMH repositories and feeds, index, search.
#[derive(Debug, Parser)]
#[command(name = "sheaf", version, about)]
struct Cli {
    /// Config file; else SHEAF_CONFIG, else config/sheaf.toml.
    #[arg(long, global = true, value_name = "FILE", env = "SHEAF_CONFIG")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the daemon: scheduler, indexer and HTTP server.
    Serve,
    /// Harvest sources once, update the index and print a summary.
    Harvest {
        /// Source to harvest (repeatable); default: every enabled source.
        #[arg(long = "source", value_name = "ID")]
        sources: Vec<String>,
        /// Ignore checkpoints and harvest everything again; records no longer listed by an
        /// OAI-PMH repository become tombstones.
        #[arg(long)]
        full: bool,
    },
    /// Search the index.
    Search {
        /// Query text; an empty query matches every record.
        query: String,
        /// Print the JSON body that `GET /api/search` returns.
        #[arg(long)]
        json: bool,
        /// Number of hits, 1 to 100.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=100))]
        limit: u16,
    },
    /// Rebuild the index from the store.
    Reindex,
    /// List each source with its last run, status and record counts.
    Sources {
        /// Print JSON, as `GET /api/sources` does.
        #[arg(long)]
        json: bool,
    },
    /// Remove a source's records, runs and checkpoint from the store and the index.
    Purge {
        /// Source id.
        source: String,
    },
    /// Check the config file and print what it configures.
    Check,
}

/// Exit code for a failed source or operation.
const EXIT_FAILURE: u8 = 1;
/// Exit code for a usage or configuration error.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config_path = cli
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG));
    let config = match config::Config::load(&config_path) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    logging::init(matches!(cli.command, Command::Serve));
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Serve => serve::run(config).await,
            Command::Harvest { sources, full } => commands::harvest(&config, &sources, full).await,
            Command::Search { query, json, limit } => {
                commands::search(&config, &query, json, usize::from(limit))
            }
            Command::Reindex => commands::reindex(&config),
            Command::Sources { json } => commands::sources(&config, json),
            Command::Purge { source } => commands::purge(&config, &source),
            Command::Check => commands::check(&config),
        }
    });
    match outcome {
        Ok(commands::Outcome::Success) => ExitCode::SUCCESS,
        Ok(commands::Outcome::Failed) => ExitCode::from(EXIT_FAILURE),
        Ok(commands::Outcome::Usage) => ExitCode::from(EXIT_USAGE),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
