//! One collector that counts matches, counts facet values and keeps a page of hits.
//!
//! Hits are ordered by a `u64` key ascending, then by record id ascending, which is a total
//! order, so a cursor naming the last (key, id) served continues exactly after it.

use std::collections::{BinaryHeap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::search::Sort;

/// Key for undated records in both date orders, so they come last.
const UNDATED: u64 = u64::MAX;

/// Computes the ascending sort key of a hit.
pub(crate) fn sort_key(sort: Sort, score: Score, date_key: Option<i64>) -> u64 {
    match (sort, date_key) {
        // Scores are non-negative, and the bits of non-negative floats order like the floats.
        (Sort::Relevance, _) => u64::from(u32::MAX - score.max(0.0).to_bits()),
        (_, None) => UNDATED,
        (Sort::DateAsc, Some(key)) => signed_order(key).min(UNDATED - 1),
        (Sort::DateDesc, Some(key)) => (UNDATED - 1) - signed_order(key).min(UNDATED - 1),
    }
}

/// Recovers the score from a relevance key.
pub(crate) fn score_from_key(key: u64) -> Score {
    let bits = u32::MAX - u32::try_from(key).unwrap_or(u32::MAX);
    f32::from_bits(bits)
}

/// Maps an `i64` to a `u64` of the same order.
fn signed_order(value: i64) -> u64 {
    (value as u64) ^ (1 << 63)
}

/// A facet to count: a keyword field by name, or the year.
pub(crate) enum FacetSpec {
    Keyword(String),
    Year,
}

/// What to collect for one request.
pub(crate) struct PageCollector {
    pub sort: Sort,
    /// Number of hits to keep: offset plus limit.
    pub keep: usize,
    /// Start after this (key, id).
    pub after: Option<(u64, String)>,
    /// Ignore documents whose change sequence number is above this.
    pub max_seq: Option<u64>,
    pub facets: Vec<FacetSpec>,
}

/// The merged result.
#[derive(Default)]
pub(crate) struct PageFruit {
    /// Documents matching the query, filters and sequence bound.
    pub total: u64,
    /// Of those, documents after the cursor.
    pub remaining: u64,
    /// Kept hits: (key, id, address), in order.
    pub hits: Vec<(u64, String, DocAddress)>,
    /// Value counts per requested facet, in request order.
    pub facets: Vec<HashMap<String, u64>>,
    /// Highest change sequence number among the segments searched.
    pub max_seq: u64,
}

enum SegmentFacet {
    Keyword {
        column: Option<StrColumn>,
        counts: Vec<u64>,
    },
    Year {
        column: Option<Column<u64>>,
        counts: HashMap<u64, u64>,
    },
}

/// Where the cursor falls within one segment's id dictionary.
enum AfterOrd {
    /// Ids with an ordinal above this come after the cursor.
    Above(u64),
    /// Ids with an ordinal at or above this come after the cursor.
    AtOrAbove(u64),
}

pub(crate) struct PageSegmentCollector {
    sort: Sort,
    keep: usize,
    segment: SegmentOrdinal,
    ids: Option<StrColumn>,
    dates: Option<Column<i64>>,
    seqs: Option<Column<u64>>,
    max_seq: Option<u64>,
    after: Option<(u64, AfterOrd)>,
    heap: BinaryHeap<(u64, u64, DocId)>,
    total: u64,
    remaining: u64,
    facets: Vec<SegmentFacet>,
}

impl Collector for PageCollector {
    type Fruit = PageFruit;
    type Child = PageSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<PageSegmentCollector> {
        let fast = reader.fast_fields();
        let ids = fast.str("id")?;
        let after = match (&self.after, &ids) {
            (Some((key, id)), Some(column)) => {
                let hit = column.dictionary().term_ord_or_next(id.as_bytes())?;
                let bound = match hit {
                    tantivy::columnar::TermOrdHit::Exact(ord) => AfterOrd::Above(ord),
                    tantivy::columnar::TermOrdHit::Next(ord) => AfterOrd::AtOrAbove(ord),
                };
                Some((*key, bound))
            }
            (Some((key, _)), None) => Some((*key, AfterOrd::AtOrAbove(u64::MAX))),
            (None, _) => None,
        };
        let mut facets = Vec::with_capacity(self.facets.len());
        for spec in &self.facets {
            facets.push(match spec {
                FacetSpec::Keyword(name) => {
                    let column = fast.str(name)?;
                    let terms = column.as_ref().map_or(0, |c| c.num_terms());
                    SegmentFacet::Keyword {
                        column,
                        counts: vec![0; terms],
                    }
                }
                FacetSpec::Year => SegmentFacet::Year {
                    column: fast.column_opt::<u64>("year")?,
                    counts: HashMap::new(),
                },
            });
        }
        Ok(PageSegmentCollector {
            sort: self.sort,
            keep: self.keep,
            segment,
            ids,
            dates: fast.column_opt::<i64>("date_key")?,
            seqs: fast.column_opt::<u64>("seq")?,
            max_seq: self.max_seq,
            after,
            heap: BinaryHeap::with_capacity(self.keep.min(1024) + 1),
            total: 0,
            remaining: 0,
            facets,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<PageFruit>) -> tantivy::Result<PageFruit> {
        let mut merged = PageFruit {
            facets: vec![HashMap::new(); self.facets.len()],
            ..PageFruit::default()
        };
        for fruit in fruits {
            merged.total += fruit.total;
            merged.remaining += fruit.remaining;
            merged.max_seq = merged.max_seq.max(fruit.max_seq);
            merged.hits.extend(fruit.hits);
            for (target, counts) in merged.facets.iter_mut().zip(fruit.facets) {
                for (value, count) in counts {
                    *target.entry(value).or_default() += count;
                }
            }
        }
        merged.hits.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        merged.hits.truncate(self.keep);
        Ok(merged)
    }
}

impl PageSegmentCollector {
    fn id_ord(&self, doc: DocId) -> u64 {
        self.ids
            .as_ref()
            .and_then(|ids| ids.term_ords(doc).next())
            .unwrap_or(u64::MAX)
    }

    fn is_after_cursor(&self, key: u64, ord: u64) -> bool {
        match &self.after {
            None => true,
            Some((after_key, bound)) => {
                key > *after_key
                    || (key == *after_key
                        && match bound {
                            AfterOrd::Above(limit) => ord > *limit,
                            AfterOrd::AtOrAbove(limit) => ord >= *limit,
                        })
            }
        }
    }

    fn count_facets(&mut self, doc: DocId) {
        for facet in &mut self.facets {
            match facet {
                SegmentFacet::Keyword {
                    column: Some(column),
                    counts,
                } => {
                    for ord in column.term_ords(doc) {
                        if let Some(slot) = counts.get_mut(ord as usize) {
                            *slot += 1;
                        }
                    }
                }
                SegmentFacet::Year {
                    column: Some(column),
                    counts,
                } => {
                    for year in column.values_for_doc(doc) {
                        *counts.entry(year).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
    }
}

impl SegmentCollector for PageSegmentCollector {
    type Fruit = PageFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let (Some(max_seq), Some(seqs)) = (self.max_seq, &self.seqs)
            && seqs.first(doc).is_some_and(|seq| seq > max_seq)
        {
            return;
        }
        self.total += 1;
        self.count_facets(doc);

        let date = self.dates.as_ref().and_then(|dates| dates.first(doc));
        let key = sort_key(self.sort, score, date);
        let ord = self.id_ord(doc);
        if !self.is_after_cursor(key, ord) {
            return;
        }
        self.remaining += 1;
        if self.keep == 0 {
            return;
        }
        if self.heap.len() < self.keep {
            self.heap.push((key, ord, doc));
        } else if self
            .heap
            .peek()
            .is_some_and(|worst| (key, ord) < (worst.0, worst.1))
        {
            self.heap.pop();
            self.heap.push((key, ord, doc));
        }
    }

    fn harvest(self) -> PageFruit {
        let mut hits = Vec::with_capacity(self.heap.len());
        let mut text = String::new();
        for (key, ord, doc) in self.heap.into_vec() {
            text.clear();
            if let Some(ids) = &self.ids {
                // An I/O error reading the dictionary leaves the id empty; the hit still shows.
                let _ = ids.ord_to_str(ord, &mut text);
            }
            hits.push((key, text.clone(), DocAddress::new(self.segment, doc)));
        }
        let max_seq = self.seqs.as_ref().map_or(0, |seqs| seqs.max_value());
        let mut facets = Vec::with_capacity(self.facets.len());
        for facet in self.facets {
            let mut values = HashMap::new();
            match facet {
                SegmentFacet::Keyword {
                    column: Some(column),
                    counts,
                } => {
                    for (ord, count) in counts.into_iter().enumerate() {
                        if count > 0 && column.ord_to_str(ord as u64, &mut text).unwrap_or(false) {
                            values.insert(text.clone(), count);
                        }
                    }
                }
                SegmentFacet::Year { counts, .. } => {
                    values = counts
                        .into_iter()
                        .map(|(y, c)| (y.to_string(), c))
                        .collect();
                }
                SegmentFacet::Keyword { column: None, .. } => {}
            }
            facets.push(values);
        }
        PageFruit {
            total: self.total,
            remaining: self.remaining,
            hits,
            facets,
            max_seq,
        }
    }
}
