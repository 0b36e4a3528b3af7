//! Support for the harvesting end-to-end tests. It writes small OAI-PMH documents, reads the
//! store's SQLite file and the run reports of `sheaf sources --json`, and runs `sheaf` under a
//! watchdog that kills a process that does not end in time.

#![allow(dead_code, clippy::unwrap_used)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::Datelike;
use serde_json::Value;
use sheaf_testkit::{Response, Route, Routes};

use crate::common::Env;

/// Writes an `Identify` response dated `response_date` with the given granularity
/// (`YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ssZ`).
///
/// The earliest datestamp is the first day of the current year, so that a first harvest asks
/// for one open window and a test can respond to it with a fixed page.
pub fn identify(response_date: &str, granularity: &str) -> String {
    let year = chrono::Utc::now().year();
    let earliest = if granularity == "YYYY-MM-DD" {
        format!("{year}-01-01")
    } else {
        format!("{year}-01-01T00:00:00Z")
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\">\
         <responseDate>{response_date}</responseDate>\
         <request verb=\"Identify\">http://127.0.0.1/oai</request>\
         <Identify><repositoryName>Case repository</repositoryName>\
         <baseURL>http://127.0.0.1/oai</baseURL><protocolVersion>2.0</protocolVersion>\
         <adminEmail>ops@repo.example.net</adminEmail>\
         <earliestDatestamp>{earliest}</earliestDatestamp>\
         <deletedRecord>persistent</deletedRecord><granularity>{granularity}</granularity>\
         </Identify></OAI-PMH>\n"
    )
}

/// Writes a `ListMetadataFormats` response offering `oai_dc` only.
pub fn metadata_formats() -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
     <OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\">\
     <responseDate>2026-01-10T10:00:00Z</responseDate>\
     <request verb=\"ListMetadataFormats\">http://127.0.0.1/oai</request>\
     <ListMetadataFormats><metadataFormat><metadataPrefix>oai_dc</metadataPrefix>\
     <schema>http://www.openarchives.org/OAI/2.0/oai_dc.xsd</schema>\
     <metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/</metadataNamespace>\
     </metadataFormat></ListMetadataFormats></OAI-PMH>\n"
        .to_owned()
}

/// Writes an OAI-PMH error response.
pub fn oai_error(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\">\
         <responseDate>2026-01-10T10:00:00Z</responseDate>\
         <request>http://127.0.0.1/oai</request><error code=\"{code}\">{message}</error></OAI-PMH>\n"
    )
}

/// One record of a page written by [`list_page`].
#[derive(Debug, Clone)]
pub struct PageRecord {
    /// OAI identifier.
    pub identifier: String,
    /// Datestamp as the repository writes it.
    pub datestamp: String,
    /// `dc:title`.
    pub title: String,
}

impl PageRecord {
    /// Creates a record.
    pub fn new(identifier: &str, datestamp: &str, title: &str) -> PageRecord {
        PageRecord {
            identifier: identifier.to_owned(),
            datestamp: datestamp.to_owned(),
            title: title.to_owned(),
        }
    }
}

/// Writes a `ListRecords` page of `oai_dc` records with an optional resumption token.
pub fn list_page(records: &[PageRecord], token: Option<&str>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\">\
         <responseDate>2026-01-10T10:00:00Z</responseDate>\
         <request verb=\"ListRecords\" metadataPrefix=\"oai_dc\">http://127.0.0.1/oai</request>\
         <ListRecords>",
    );
    for record in records {
        out.push_str(&format!(
            "<record><header><identifier>{}</identifier><datestamp>{}</datestamp></header>\
             <metadata><oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" \
             xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title>\
             <dc:language>en</dc:language></oai_dc:dc></metadata></record>",
            record.identifier, record.datestamp, record.title
        ));
    }
    if let Some(token) = token {
        out.push_str(&format!("<resumptionToken>{token}</resumptionToken>"));
    }
    out.push_str("</ListRecords></OAI-PMH>\n");
    out
}

/// Returns a script whose `path` answers `Identify` with `identify` and `ListMetadataFormats`
/// with `oai_dc`; the test appends the `ListRecords` routes.
pub fn oai_base(path: &str, identify: String) -> Routes {
    Routes::new()
        .route(
            Route::new(path)
                .query("verb", "Identify")
                .respond(Response::xml(identify)),
        )
        .route(
            Route::new(path)
                .query("verb", "ListMetadataFormats")
                .respond(Response::xml(metadata_formats())),
        )
}

/// Writes the `[[sources]]` entry of an OAI-PMH source.
pub fn oai_source(id: &str, url: &str) -> String {
    format!("[[sources]]\nid = \"{id}\"\nkind = \"oai-pmh\"\nurl = \"{url}\"\n\n")
}

/// Writes the `[[sources]]` entry of a feed source.
pub fn feed_source(id: &str, url: &str) -> String {
    format!("[[sources]]\nid = \"{id}\"\nkind = \"feed\"\nurl = \"{url}\"\n\n")
}

/// Record counts of one source in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Rows that are not tombstones.
    pub live: u64,
    /// Tombstones.
    pub deleted: u64,
    /// Distinct ids among all rows.
    pub distinct: u64,
}

/// The store's SQLite file, opened for reading between runs of the binary.
pub struct Db {
    conn: rusqlite::Connection,
}

impl Db {
    /// Opens the store of `env`.
    pub fn open(env: &Env) -> Db {
        Db::open_path(&env.data_dir().join("sheaf.db"))
    }

    /// Opens the SQLite file at `path`.
    pub fn open_path(path: &Path) -> Db {
        let conn = rusqlite::Connection::open(path)
            .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        conn.busy_timeout(Duration::from_secs(10)).unwrap();
        Db { conn }
    }

    /// Returns the record counts of `source_id`.
    pub fn counts(&self, source_id: &str) -> Counts {
        self.conn
            .query_row(
                "SELECT COALESCE(SUM(deleted = 0), 0), COALESCE(SUM(deleted = 1), 0),
                        COUNT(DISTINCT id)
                 FROM records WHERE source_id = ?1",
                [source_id],
                |row| {
                    Ok(Counts {
                        live: row.get::<_, i64>(0)? as u64,
                        deleted: row.get::<_, i64>(1)? as u64,
                        distinct: row.get::<_, i64>(2)? as u64,
                    })
                },
            )
            .unwrap()
    }

    /// Returns the normalised record `id` as JSON, or `None` when the store has no such row.
    pub fn record(&self, id: &str) -> Option<Value> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT record FROM records WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .ok();
        text.map(|t| serde_json::from_str(&t).unwrap())
    }

    /// Returns the display title of record `id`.
    pub fn title(&self, id: &str) -> String {
        let record = self
            .record(id)
            .unwrap_or_else(|| panic!("no record {id} in the store"));
        record["title"][0]["text"]
            .as_str()
            .unwrap_or_else(|| panic!("record {id} has no title: {record}"))
            .to_owned()
    }

    /// Returns whether record `id` is a tombstone.
    pub fn is_deleted(&self, id: &str) -> bool {
        self.conn
            .query_row("SELECT deleted FROM records WHERE id = ?1", [id], |row| {
                row.get::<_, i64>(0)
            })
            .unwrap_or_else(|e| panic!("record {id}: {e}"))
            == 1
    }

    /// Returns the checkpoint of `source_id` as JSON (`null` when none is stored).
    pub fn checkpoint(&self, source_id: &str) -> Value {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT checkpoint FROM sources WHERE id = ?1",
                [source_id],
                |row| row.get(0),
            )
            .unwrap();
        text.map_or(Value::Null, |t| serde_json::from_str(&t).unwrap())
    }
}

/// Returns the last run report of `source_id` from `sheaf sources --json`.
pub fn last_run(env: &Env, source_id: &str) -> Value {
    let stdout = env.run_ok(&["sources", "--json"]);
    let sources: Value = serde_json::from_str(&stdout).unwrap();
    let source = sources
        .as_array()
        .and_then(|list| list.iter().find(|s| s["id"] == source_id))
        .unwrap_or_else(|| panic!("source {source_id} missing from {stdout}"));
    source["last_run"].clone()
}

/// The output of a run with both streams as text.
pub struct RunOutput {
    /// Exit code; `None` when killed by a signal.
    pub code: Option<i32>,
    /// Standard output followed by standard error.
    pub text: String,
}

/// Runs `sheaf ARGS`; kills it and fails the test when it has not ended within `limit`.
pub fn run_with_watchdog(env: &Env, args: &[&str], limit: Duration) -> RunOutput {
    let mut child = env
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sheaf");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let err = err_reader.join().unwrap_or_default();
            panic!("sheaf {args:?} still running after {limit:?}; killed it\nstderr:\n{err}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let text = format!(
        "{}\n{}",
        out_reader.join().unwrap(),
        err_reader.join().unwrap()
    );
    RunOutput {
        code: status.code(),
        text,
    }
}

/// Builds `sheaf --config FILE ARGS...` with its output discarded, for runs that are killed.
pub fn quiet_command(env: &Env, args: &[&str]) -> Command {
    let mut command = env.command(args);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    command
}

/// Returns a run's output as text, both streams.
pub fn output_text(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
