//! Integration tests of the store against real SQLite files in a temporary folder.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use sheaf_record::{LangText, Record};
use sheaf_store::{Error, IncomingRecord, RunReport, RunStatus, SourceRow, Store};

fn source(id: &str) -> SourceRow {
    SourceRow {
        id: id.to_owned(),
        name: format!("Source {id}"),
        kind: "oai-pmh".to_owned(),
        url: format!("https://{id}.example/oai"),
    }
}

fn incoming(source: &str, local: &str, raw: &str) -> IncomingRecord {
    let record = Record {
        id: format!("{source}:{local}"),
        source: source.to_owned(),
        title: vec![LangText::new(format!("Title of {local}"))],
        datestamp: Some("2024-05-01T10:00:00Z".parse().unwrap()),
        ..Record::default()
    };
    IncomingRecord {
        record,
        format: "oai_dc".to_owned(),
        raw: raw.to_owned(),
    }
}

fn tombstone(source: &str, local: &str, raw: &str) -> IncomingRecord {
    let mut item = incoming(source, local, raw);
    item.record.title.clear();
    item.record.deleted = true;
    item.record.datestamp = Some("2024-06-01T00:00:00Z".parse().unwrap());
    item
}

fn open_with(dir: &Path, sources: &[&str]) -> Store {
    let store = Store::open(&dir.join("db").join("sheaf.db")).unwrap();
    let rows: Vec<SourceRow> = sources.iter().map(|id| source(id)).collect();
    store.sync_sources(&rows).unwrap();
    store
}

fn report(status: RunStatus) -> RunReport {
    RunReport {
        status,
        pages: 2,
        added: 3,
        updated: 1,
        deleted: 1,
        unchanged: 4,
        repairs: 5,
        retries: 6,
        errors: 7,
        message: Some("done".to_owned()),
    }
}

#[test]
fn open_creates_parent_folder_and_empty_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("a/b/sheaf.db")).unwrap();
    assert!(dir.path().join("a/b/sheaf.db").is_file());
    assert_eq!(store.max_seq().unwrap(), 0);
    assert_eq!(store.record_counts().unwrap(), (0, 0));
    assert!(store.changes_since(0, 10).unwrap().is_empty());
    store.ping().unwrap();
}

#[test]
fn write_page_counts_each_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1"]);
    let run = store.start_run("s1", false).unwrap();

    let first = [incoming("s1", "a", "<a/>"), incoming("s1", "b", "<b/>")];
    let counts = store.write_page("s1", run, &first, "cp1").unwrap();
    assert_eq!(counts.added, 2);
    assert_eq!(counts.updated, 0);
    assert_eq!(counts.unchanged, 0);
    assert_eq!(store.max_seq().unwrap(), 2);

    let second = [
        incoming("s1", "a", "<a/>"),
        incoming("s1", "b", "<b version='2'/>"),
        tombstone("s1", "gone", "<header status='deleted'/>"),
    ];
    let counts = store.write_page("s1", run, &second, "cp2").unwrap();
    assert_eq!(counts.added, 0);
    assert_eq!(counts.updated, 1);
    assert_eq!(counts.unchanged, 1);
    assert_eq!(counts.deleted, 1);
    assert_eq!(store.max_seq().unwrap(), 4);
    assert_eq!(store.checkpoint("s1").unwrap().as_deref(), Some("cp2"));
    assert_eq!(store.record_counts().unwrap(), (2, 1));
}

#[test]
fn unchanged_record_keeps_seq_and_updated() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1"]);
    let run1 = store.start_run("s1", false).unwrap();
    store
        .write_page("s1", run1, &[incoming("s1", "a", "<a/>")], "cp")
        .unwrap();
    let before = store.get("s1:a").unwrap().unwrap();
    assert!(before.record.updated.is_some());

    let run2 = store.start_run("s1", false).unwrap();
    store
        .write_page("s1", run2, &[incoming("s1", "a", "<a/>")], "cp")
        .unwrap();
    let after = store.get("s1:a").unwrap().unwrap();
    assert_eq!(after.seq, before.seq);
    assert_eq!(after.record.updated, before.record.updated);
    assert_eq!(after.last_seen_run, Some(run2));
    assert_eq!(before.last_seen_run, Some(run1));
}

#[test]
fn format_change_counts_as_update() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1"]);
    let run = store.start_run("s1", false).unwrap();
    store
        .write_page("s1", run, &[incoming("s1", "a", "<a/>")], "cp")
        .unwrap();
    let mut other = incoming("s1", "a", "<a/>");
    other.format = "mods".to_owned();
    let counts = store.write_page("s1", run, &[other], "cp").unwrap();
    assert_eq!(counts.updated, 1);
    assert_eq!(store.get("s1:a").unwrap().unwrap().format, "mods");
}

#[test]
fn duplicate_ids_in_page_last_wins() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1"]);
    let run = store.start_run("s1", false).unwrap();
    let page = [
        incoming("s1", "a", "<first/>"),
        incoming("s1", "a", "<last/>"),
    ];
    let counts = store.write_page("s1", run, &page, "cp").unwrap();
    assert_eq!(counts.added, 1);
    assert_eq!(counts.updated, 0);
    assert_eq!(store.get("s1:a").unwrap().unwrap().raw, "<last/>");
    assert_eq!(store.max_seq().unwrap(), 1);
}

#[test]
fn tombstone_keeps_row_raw_and_datestamp() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1"]);
    let run = store.start_run("s1", false).unwrap();
    store
        .write_page("s1", run, &[incoming("s1", "a", "<a/>")], "cp")
        .unwrap();

    let mut bare = tombstone("s1", "a", "");
    bare.record.datestamp = None;
    let counts = store.write_page("s1", run, &[bare.clone()], "cp").unwrap();
    assert_eq!(counts.deleted, 1);
    let stored = store.get("s1:a").unwrap().unwrap();
    assert!(stored.record.deleted);
    assert_eq!(stored.raw, "<a/>");
    assert_eq!(
        stored.record.datestamp,
        Some("2024-05-01T10:00:00Z".parse().unwrap())
    );
    assert_eq!(stored.seq, 2);

    // The same bare tombstone again changes nothing.
    let counts = store.write_page("s1", run, &[bare], "cp").unwrap();
    assert_eq!(counts.unchanged, 1);
    assert_eq!(store.get("s1:a").unwrap().unwrap().seq, 2);
}

#[test]
fn tombstone_with_header_replaces_raw() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1"]);
    let run = store.start_run("s1", false).unwrap();
    store
        .write_page("s1", run, &[incoming("s1", "a", "<a/>")], "cp")
        .unwrap();
    store
        .write_page("s1", run, &[tombstone("s1", "a", "<header/>")], "cp")
        .unwrap();
    let stored = store.get("s1:a").unwrap().unwrap();
    assert_eq!(stored.raw, "<header/>");
    assert_eq!(
        stored.record.datestamp,
        Some("2024-06-01T00:00:00Z".parse().unwrap())
    );
}

#[test]
fn deleted_record_comes_back_as_update() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1"]);
    let run = store.start_run("s1", false).unwrap();
    store
        .write_page("s1", run, &[tombstone("s1", "a", "<h/>")], "cp")
        .unwrap();
    let counts = store
        .write_page("s1", run, &[incoming("s1", "a", "<a/>")], "cp")
        .unwrap();
    assert_eq!(counts.updated, 1);
    assert!(!store.get("s1:a").unwrap().unwrap().record.deleted);
}

#[test]
fn write_page_rejects_foreign_and_unknown_source() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1", "s2"]);
    let run = store.start_run("s1", false).unwrap();
    let err = store
        .write_page("s1", run, &[incoming("s2", "a", "<a/>")], "cp")
        .unwrap_err();
    assert!(matches!(err, Error::ForeignRecord { .. }), "{err}");
    let err = store.write_page("nope", run, &[], "cp").unwrap_err();
    assert!(matches!(err, Error::UnknownSource { ref source_id } if source_id == "nope"));
    // The failed page wrote neither records nor the checkpoint.
    assert_eq!(store.checkpoint("s1").unwrap(), None);
    assert_eq!(store.max_seq().unwrap(), 0);
}

#[test]
fn changes_since_orders_latest_state() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1"]);
    let run = store.start_run("s1", false).unwrap();
    store
        .write_page(
            "s1",
            run,
            &[incoming("s1", "a", "1"), incoming("s1", "b", "1")],
            "cp",
        )
        .unwrap();
    store
        .write_page("s1", run, &[incoming("s1", "a", "2")], "cp")
        .unwrap();

    let changes = store.changes_since(0, 100).unwrap();
    let summary: Vec<(u64, &str)> = changes.iter().map(|c| (c.seq, c.id.as_str())).collect();
    assert_eq!(summary, vec![(2, "s1:b"), (3, "s1:a")]);
    assert_eq!(store.changes_since(2, 100).unwrap().len(), 1);
    assert_eq!(store.changes_since(0, 1).unwrap()[0].id, "s1:b");
    assert!(store.changes_since(3, 100).unwrap().is_empty());
    let record = changes[1].record.as_ref().unwrap();
    assert_eq!(record.display_title(), Some("Title of a"));
}

#[test]
fn tombstone_unseen_after_full_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1", "s2"]);
    let run1 = store.start_run("s1", false).unwrap();
    let page = [
        incoming("s1", "a", "a"),
        incoming("s1", "b", "b"),
        incoming("s1", "c", "c"),
    ];
    store.write_page("s1", run1, &page, "cp").unwrap();
    let other = store.start_run("s2", false).unwrap();
    store
        .write_page("s2", other, &[incoming("s2", "x", "x")], "cp")
        .unwrap();

    let run2 = store.start_run("s1", true).unwrap();
    store
        .write_page("s1", run2, &[incoming("s1", "a", "a")], "cp")
        .unwrap();
    let seq_before = store.max_seq().unwrap();
    assert_eq!(store.tombstone_unseen("s1", run2).unwrap(), 2);

    let changes = store.changes_since(seq_before, 100).unwrap();
    let ids: Vec<&str> = changes.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&"s1:b"));
    assert!(ids.contains(&"s1:c"));
    assert!(
        changes
            .iter()
            .all(|c| c.record.as_ref().is_some_and(|r| r.deleted))
    );
    assert!(!store.get("s1:a").unwrap().unwrap().record.deleted);
    assert!(!store.get("s2:x").unwrap().unwrap().record.deleted);
    assert_eq!(store.tombstone_unseen("s1", run2).unwrap(), 0);
}

#[test]
fn purge_reports_removed_ids() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1", "s2"]);
    let run = store.start_run("s1", false).unwrap();
    store
        .write_page(
            "s1",
            run,
            &[incoming("s1", "a", "a"), tombstone("s1", "b", "b")],
            "cp",
        )
        .unwrap();
    let run2 = store.start_run("s2", false).unwrap();
    store
        .write_page("s2", run2, &[incoming("s2", "x", "x")], "cp")
        .unwrap();
    let before = store.max_seq().unwrap();

    assert_eq!(store.purge_source("s1").unwrap(), 2);
    assert_eq!(store.get("s1:a").unwrap(), None);
    assert!(store.runs("s1", 10).unwrap().is_empty());
    assert_eq!(store.sources().unwrap().len(), 1);
    let changes = store.changes_since(before, 100).unwrap();
    assert_eq!(changes.len(), 2);
    assert!(
        changes
            .iter()
            .all(|c| c.record.is_none() && c.id.starts_with("s1:"))
    );
    assert_eq!(store.max_seq().unwrap(), before + 2);

    // A source of the same id can come back; its records are live again.
    store.sync_sources(&[source("s1"), source("s2")]).unwrap();
    let run3 = store.start_run("s1", false).unwrap();
    store
        .write_page("s1", run3, &[incoming("s1", "a", "a")], "cp")
        .unwrap();
    let latest = store.changes_since(before, 100).unwrap();
    let for_a: Vec<_> = latest.iter().filter(|c| c.id == "s1:a").collect();
    assert_eq!(for_a.len(), 1);
    assert!(for_a[0].record.is_some());
}

#[test]
fn purge_unknown_source_fails() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1"]);
    assert!(matches!(
        store.purge_source("zz"),
        Err(Error::UnknownSource { .. })
    ));
}

#[test]
fn sync_marks_removed_sources() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1", "s2"]);
    let run = store.start_run("s2", false).unwrap();
    store
        .write_page("s2", run, &[incoming("s2", "x", "x")], "cp")
        .unwrap();
    let mut renamed = source("s1");
    renamed.name = "Renamed".to_owned();
    store.sync_sources(&[renamed]).unwrap();

    let sources = store.sources().unwrap();
    assert_eq!(sources.len(), 2);
    assert_eq!(sources[0].id, "s1");
    assert_eq!(sources[0].name, "Renamed");
    assert!(!sources[0].removed_from_config);
    assert!(sources[1].removed_from_config);
    assert_eq!(sources[1].live_records, 1);
    assert_eq!(store.checkpoint("s2").unwrap().as_deref(), Some("cp"));

    store.sync_sources(&[source("s1"), source("s2")]).unwrap();
    assert!(!store.sources().unwrap()[1].removed_from_config);
}

#[test]
fn runs_and_source_status() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1"]);
    let first = store.start_run("s1", true).unwrap();
    store
        .finish_run(first, &report(RunStatus::Succeeded))
        .unwrap();
    let second = store.start_run("s1", false).unwrap();
    store
        .write_page(
            "s1",
            second,
            &[incoming("s1", "a", "a"), tombstone("s1", "b", "")],
            "cp",
        )
        .unwrap();

    let runs = store.runs("s1", 10).unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].id, second);
    assert_eq!(runs[0].status, RunStatus::Running);
    assert_eq!(runs[0].finished, None);
    assert!(!runs[0].full);
    assert_eq!(runs[1].status, RunStatus::Succeeded);
    assert!(runs[1].full);
    assert!(runs[1].finished.is_some());
    assert_eq!(runs[1].unchanged, 4);
    assert_eq!(runs[1].errors, 7);
    assert_eq!(runs[1].message.as_deref(), Some("done"));
    assert_eq!(store.runs("s1", 1).unwrap().len(), 1);

    let status = &store.sources().unwrap()[0];
    assert_eq!(status.live_records, 1);
    assert_eq!(status.deleted_records, 1);
    assert_eq!(status.last_run.as_ref().map(|r| r.id), Some(second));

    let json = serde_json::to_value(status).unwrap();
    assert_eq!(json["last_run"]["status"], "running");
    assert_eq!(json["kind"], "oai-pmh");
}

#[test]
fn finish_unknown_run_fails() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1"]);
    let err = store
        .finish_run(999, &report(RunStatus::Failed))
        .unwrap_err();
    assert!(matches!(err, Error::UnknownRun { run_id: 999 }));
    assert!(matches!(
        store.start_run("zz", false),
        Err(Error::UnknownSource { .. })
    ));
}

#[test]
fn progress_report_keeps_run_open() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(dir.path(), &["s1"]);
    let run = store.start_run("s1", false).unwrap();
    store.finish_run(run, &report(RunStatus::Running)).unwrap();
    let row = &store.runs("s1", 1).unwrap()[0];
    assert_eq!(row.finished, None);
    assert_eq!(row.pages, 2);
}

#[test]
fn reopen_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open_with(dir.path(), &["s1"]);
        let run = store.start_run("s1", false).unwrap();
        store
            .write_page("s1", run, &[incoming("s1", "a", "a")], "cp")
            .unwrap();
    }
    let store = Store::open(&dir.path().join("db").join("sheaf.db")).unwrap();
    assert_eq!(store.max_seq().unwrap(), 1);
    assert_eq!(store.checkpoint("s1").unwrap().as_deref(), Some("cp"));
    assert_eq!(store.get("s1:a").unwrap().unwrap().raw, "a");
}

#[test]
fn migration_upgrades_version_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let old = Store::open_at_version(&path, 1).unwrap();
        assert_eq!(old.schema_version().unwrap(), 1);
        old.sync_sources(&[source("s1")]).unwrap();
        let run = old.start_run("s1", false).unwrap();
        old.write_page("s1", run, &[incoming("s1", "a", "a")], "cp")
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), 2);
    assert_eq!(store.get("s1:a").unwrap().unwrap().seq, 1);
    // Reopening an up-to-date file applies nothing more.
    drop(store);
    assert_eq!(Store::open(&path).unwrap().schema_version().unwrap(), 2);
}

#[test]
fn two_handles_share_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let writer = open_with(dir.path(), &["s1"]);
    let reader = Store::open(&dir.path().join("db").join("sheaf.db")).unwrap();
    let run = writer.start_run("s1", false).unwrap();

    std::thread::scope(|scope| {
        let w = scope.spawn(|| {
            for n in 0..20 {
                let page = [incoming("s1", &format!("w{n}"), "x")];
                writer.write_page("s1", run, &page, &n.to_string()).unwrap();
            }
        });
        let r = scope.spawn(|| {
            for n in 0..20 {
                let page = [incoming("s1", &format!("r{n}"), "x")];
                reader.write_page("s1", run, &page, "r").unwrap();
            }
        });
        w.join().unwrap();
        r.join().unwrap();
    });

    assert_eq!(reader.max_seq().unwrap(), 40);
    let seqs: Vec<u64> = writer
        .changes_since(0, 100)
        .unwrap()
        .iter()
        .map(|c| c.seq)
        .collect();
    assert_eq!(seqs, (1..=40).collect::<Vec<u64>>());
}
