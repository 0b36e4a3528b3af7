//! Integration tests of indexing and search against a store and an index in a temporary folder.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use sheaf_index::{Error, SearchIndex, SearchRequest, Sort, catch_up, rebuild};
use sheaf_record::{LangText, PartialDate, Record, ResourceType};
use sheaf_store::{IncomingRecord, SourceRow, Store};

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    index: SearchIndex,
    run: i64,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sheaf.db")).unwrap();
    let sources = ["s1", "s2"].map(|id| SourceRow {
        id: id.to_owned(),
        name: id.to_owned(),
        kind: "feed".to_owned(),
        url: format!("https://{id}.example/feed"),
    });
    store.sync_sources(&sources).unwrap();
    let run = store.start_run("s1", false).unwrap();
    let index = SearchIndex::open(&dir.path().join("index")).unwrap();
    Fixture {
        _dir: dir,
        store,
        index,
        run,
    }
}

fn record(id: &str, title: &str, description: &str, year: Option<i32>) -> Record {
    let source = id.split(':').next().unwrap().to_owned();
    Record {
        id: id.to_owned(),
        source,
        centre: Some("Centre A".to_owned()),
        country: Some("FR".to_owned()),
        title: vec![LangText::new(title)],
        description: vec![LangText::new(description)],
        date: year.map(|year| PartialDate {
            year,
            month: None,
            day: None,
            original: year.to_string(),
        }),
        types: vec![ResourceType {
            dcmi: Some("Text".to_owned()),
            original: "article".to_owned(),
        }],
        languages: vec!["en".to_owned()],
        ..Record::default()
    }
}

impl Fixture {
    fn put(&self, records: Vec<Record>) {
        let source = records[0].source.clone();
        let run = if source == "s1" {
            self.run
        } else {
            self.store.start_run(&source, false).unwrap()
        };
        let page: Vec<IncomingRecord> = records
            .into_iter()
            .map(|record| IncomingRecord {
                raw: format!("{record:?}"),
                record,
                format: "feed".to_owned(),
            })
            .collect();
        self.store.write_page(&source, run, &page, "cp").unwrap();
        let mut indexer = self.index.writer().unwrap();
        catch_up(&self.store, &self.index, &mut indexer).unwrap();
    }

    fn ids(&self, q: &str) -> Vec<String> {
        let request = SearchRequest {
            q: q.to_owned(),
            limit: 100,
            ..Default::default()
        };
        self.index
            .search(&request)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect()
    }
}

#[test]
fn upsert_replaces_document() {
    let f = fixture();
    f.put(vec![record("s1:a", "Ocean currents", "first", Some(2020))]);
    f.put(vec![record("s1:a", "Glacier melt", "second", Some(2021))]);
    assert_eq!(f.index.doc_count(), 1);
    assert!(f.ids("ocean").is_empty());
    assert_eq!(f.ids("glacier"), ["s1:a"]);
}

#[test]
fn tombstone_and_purge_remove() {
    let f = fixture();
    f.put(vec![
        record("s1:a", "Ocean", "x", None),
        record("s1:b", "Ocean", "y", None),
    ]);
    let mut gone = record("s1:a", "", "", None);
    gone.deleted = true;
    f.put(vec![gone]);
    assert_eq!(f.ids("ocean"), ["s1:b"]);

    f.store.purge_source("s1").unwrap();
    let mut indexer = f.index.writer().unwrap();
    assert_eq!(catch_up(&f.store, &f.index, &mut indexer).unwrap(), 2);
    assert_eq!(f.index.doc_count(), 0);
}

#[test]
fn applied_seq_survives_reopen() {
    let f = fixture();
    assert_eq!(f.index.applied_seq().unwrap(), 0);
    f.put(vec![
        record("s1:a", "One", "x", None),
        record("s1:b", "Two", "y", None),
    ]);
    assert_eq!(f.index.applied_seq().unwrap(), 2);
    let dir = f.index.dir().to_path_buf();
    let reopened = SearchIndex::open(&dir).unwrap();
    assert_eq!(reopened.applied_seq().unwrap(), 2);
    assert_eq!(reopened.doc_count(), 2);
}

#[test]
fn rebuild_restores_everything() {
    let f = fixture();
    f.put(vec![
        record("s1:a", "One", "x", None),
        record("s1:b", "Two", "y", None),
    ]);
    let mut indexer = f.index.writer().unwrap();
    assert_eq!(rebuild(&f.store, &f.index, &mut indexer).unwrap(), 2);
    assert_eq!(f.index.doc_count(), 2);
    assert_eq!(catch_up(&f.store, &f.index, &mut indexer).unwrap(), 0);
}

#[test]
fn second_writer_is_locked() {
    let f = fixture();
    let _first = f.index.writer().unwrap();
    let other = SearchIndex::open(f.index.dir()).unwrap();
    assert!(matches!(other.writer(), Err(Error::WriterLocked { .. })));
}

#[test]
fn chinese_word_inside_sentence() {
    let f = fixture();
    f.put(vec![
        record(
            "s1:zh",
            "气候变化研究",
            "我们研究海洋和气候变化的影响。",
            None,
        ),
        record("s1:other", "研发", "究竟", None),
    ]);
    assert_eq!(f.ids("气候"), ["s1:zh"]);
    assert_eq!(f.ids("研究"), ["s1:zh"]);
    assert_eq!(f.ids("影响"), ["s1:zh"]);
    let request = SearchRequest {
        q: "气候".into(),
        ..Default::default()
    };
    let hit = &f.index.search(&request).unwrap().hits[0];
    assert!(hit.snippet.contains("<mark>气候</mark>"), "{}", hit.snippet);
}

#[test]
fn arabic_and_russian_words() {
    let f = fixture();
    f.put(vec![
        record("s1:ar", "الطاقة المتجددة", "دراسة", None),
        record("s1:ru", "Физика плазмы", "Исследование", None),
    ]);
    assert_eq!(f.ids("المتجددة"), ["s1:ar"]);
    assert_eq!(f.ids("плазмы"), ["s1:ru"]);
    assert_eq!(f.ids("ФИЗИКА"), ["s1:ru"]);
}

#[test]
fn french_accents_folded() {
    let f = fixture();
    f.put(vec![record(
        "s1:fr",
        "École d'été",
        "La mer Méditerranée",
        None,
    )]);
    assert_eq!(f.ids("ecole"), ["s1:fr"]);
    assert_eq!(f.ids("École"), ["s1:fr"]);
    assert_eq!(f.ids("mediterranee"), ["s1:fr"]);
}

#[test]
fn words_are_anded() {
    let f = fixture();
    f.put(vec![
        record("s1:a", "ocean heat", "x", None),
        record("s1:b", "ocean salt", "y", None),
    ]);
    assert_eq!(f.ids("ocean heat"), ["s1:a"]);
    assert_eq!(f.ids("").len(), 2);
}

#[test]
fn invalid_query_searches_words() {
    let f = fixture();
    f.put(vec![record("s1:a", "ocean heat", "x", None)]);
    assert_eq!(f.ids("ocean AND (heat"), ["s1:a"]);
    // An unknown field name is searched as a word, and no record contains it.
    assert!(f.ids("nofield:ocean").is_empty());
    assert_eq!(f.ids("heat:ocean"), ["s1:a"]);
    assert!(f.ids("\"unclosed").is_empty());
    assert!(f.ids(")))").is_empty());
}

#[test]
fn filters_facets_and_year_range() {
    let f = fixture();
    f.put(vec![
        record("s1:a", "ocean", "x", Some(2010)),
        record("s1:b", "ocean", "x", Some(2014)),
        record("s1:c", "ocean", "x", Some(2018)),
    ]);
    f.put(vec![record("s2:d", "ocean", "x", Some(2014))]);

    let search = |filters: &[(&str, &str)]| {
        let request = SearchRequest {
            q: "ocean".into(),
            filters: filters
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            facets: vec!["source".into(), "year".into()],
            ..Default::default()
        };
        f.index.search(&request).unwrap()
    };
    assert_eq!(search(&[("source", "s2")]).total, 1);
    assert_eq!(search(&[("source", "s1"), ("source", "s2")]).total, 4);
    assert_eq!(search(&[("source", "s1"), ("year", "2014")]).total, 1);
    assert_eq!(search(&[("year", "[2011 TO 2018]")]).total, 3);
    assert_eq!(search(&[("year", "[* TO 2014]")]).total, 3);
    assert_eq!(search(&[("country", "FR"), ("type", "Text")]).total, 4);

    let response = search(&[]);
    let years: Vec<(String, u64)> = response.facets["year"]
        .iter()
        .map(|c| (c.value.clone(), c.count))
        .collect();
    assert_eq!(years[0], ("2014".to_owned(), 2));
    assert_eq!(years.len(), 3);
    let sources: Vec<(String, u64)> = response.facets["source"]
        .iter()
        .map(|c| (c.value.clone(), c.count))
        .collect();
    assert_eq!(sources, [("s1".to_owned(), 3), ("s2".to_owned(), 1)]);

    let bad = SearchRequest {
        filters: vec![("colour".into(), "red".into())],
        ..Default::default()
    };
    let err = f.index.search(&bad).unwrap_err();
    assert!(matches!(err, Error::InvalidFilter { .. }));
    assert!(err.to_string().contains("source, centre"), "{err}");
    let bad_year = SearchRequest {
        filters: vec![("year".into(), "soon".into())],
        ..Default::default()
    };
    assert!(matches!(
        f.index.search(&bad_year),
        Err(Error::InvalidFilter { .. })
    ));
}

#[test]
fn date_sort_puts_undated_last() {
    let f = fixture();
    f.put(vec![
        record("s1:u", "ocean", "x", None),
        record("s1:old", "ocean", "x", Some(1999)),
        record("s1:new", "ocean", "x", Some(2022)),
    ]);
    let ids = |sort: Sort| -> Vec<String> {
        let request = SearchRequest {
            sort,
            ..Default::default()
        };
        f.index
            .search(&request)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect()
    };
    assert_eq!(ids(Sort::DateAsc), ["s1:old", "s1:new", "s1:u"]);
    assert_eq!(ids(Sort::DateDesc), ["s1:new", "s1:old", "s1:u"]);
}

#[test]
fn cursor_visits_each_hit_once() {
    let f = fixture();
    let mut records = Vec::new();
    for n in 0..53 {
        let year = if n % 4 == 0 {
            None
        } else {
            Some(2000 + (n % 7))
        };
        records.push(record(
            &format!("s1:r{n:02}"),
            "ocean",
            &format!("text {n}"),
            year,
        ));
    }
    f.put(records);
    for sort in [Sort::Relevance, Sort::DateAsc, Sort::DateDesc] {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let request = SearchRequest {
                q: "ocean".into(),
                limit: 10,
                sort,
                cursor,
                ..Default::default()
            };
            let response = f.index.search(&request).unwrap();
            assert_eq!(response.total, 53);
            seen.extend(response.hits.into_iter().map(|h| h.id));
            cursor = response.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!(seen.len(), 53, "{sort:?}");
        assert_eq!(unique.len(), 53, "{sort:?}");
    }
}

#[test]
fn snippet_marks_and_escapes() {
    let f = fixture();
    f.put(vec![record(
        "s1:a",
        "Title",
        "Heat <b>flux</b> in the ocean & sea",
        None,
    )]);
    let request = SearchRequest {
        q: "ocean".into(),
        ..Default::default()
    };
    let hit = &f.index.search(&request).unwrap().hits[0];
    assert!(
        hit.snippet.contains("<mark>ocean</mark>"),
        "{}",
        hit.snippet
    );
    assert!(hit.snippet.contains("&lt;b&gt;"), "{}", hit.snippet);
    assert_eq!(hit.title, "Title");
    assert_eq!(hit.types, ["Text"]);
    assert_eq!(hit.country.as_deref(), Some("FR"));
    assert!(hit.score.is_some());
}

#[test]
fn limit_is_clamped() {
    let f = fixture();
    let records: Vec<Record> = (0..120)
        .map(|n| record(&format!("s1:{n:03}"), "ocean", "x", None))
        .collect();
    f.put(records);
    let request = SearchRequest {
        limit: 500,
        ..Default::default()
    };
    let response = f.index.search(&request).unwrap();
    assert_eq!(response.hits.len(), 100);
    assert_eq!(response.total, 120);
    let default = f.index.search(&SearchRequest::default()).unwrap();
    assert_eq!(default.hits.len(), 20);
}
