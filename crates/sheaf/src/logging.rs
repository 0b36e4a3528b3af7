//! Logging setup: human-readable on a terminal, JSON or journald for the service.
//!
//! `SHEAF_LOG_FORMAT` chooses `text`, `json` or `journald`; `RUST_LOG` sets the levels
//! (default `info`). Logs go to standard error, so that command output on standard output stays
//! clean for scripts.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::prelude::*;

/// Installs the global subscriber. The daemon logs at `info` by default, one-off commands at
/// `warn`, so that their own output stays readable.
pub fn init(daemon: bool) {
    let default_level = if daemon { "info" } else { "warn" };
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let format = std::env::var("SHEAF_LOG_FORMAT").unwrap_or_default();
    let registry = tracing_subscriber::registry().with(filter);
    match format.as_str() {
        "json" => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_writer(std::io::stderr),
            )
            .init(),
        "journald" => match tracing_journald::layer() {
            Ok(layer) => registry.with(layer).init(),
            Err(error) => {
                registry
                    .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
                    .init();
                tracing::warn!(%error, "journald is not reachable; logging to standard error");
            }
        },
        _ => {
            let ansi = std::io::stderr().is_terminal();
            registry
                .with(
                    tracing_subscriber::fmt::layer()
                        .with_ansi(ansi)
                        .with_writer(std::io::stderr),
                )
                .init();
        }
    }
}
