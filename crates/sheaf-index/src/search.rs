//! Search requests and responses, query building and hit rendering.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::str::FromStr;

use serde::Serialize;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{Searcher, TantivyDocument, Term};

use crate::collect::{FacetSpec, PageCollector, PageFruit, score_from_key};
use crate::cursor::Cursor;
use crate::schema::{FILTER_NAMES, Fields};
use crate::{Error, SearchIndex};

/// Page size when the request gives none.
pub const DEFAULT_LIMIT: usize = 20;
/// Largest page size served.
pub const MAX_LIMIT: usize = 100;
/// Facet values returned per facet, the most frequent first.
pub const MAX_FACET_VALUES: usize = 100;
/// Characters of description shown around the matches.
const SNIPPET_CHARS: usize = 240;

/// A search: query text, filters, facets, order and page.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// Query text in tantivy's query syntax; words are AND-ed. Empty matches every record.
    pub q: String,
    /// Page size; 0 means [`DEFAULT_LIMIT`], and values above [`MAX_LIMIT`] are clamped.
    pub limit: usize,
    /// Hits to skip; ignored when `cursor` is set.
    pub offset: usize,
    /// `(name, value)` pairs; values of one name are OR-ed and names AND-ed.
    pub filters: Vec<(String, String)>,
    /// Names of the facets to count.
    pub facets: Vec<String>,
    /// Hit order.
    pub sort: Sort,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Hit order. Ties are broken by record id, so the order is total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first (`relevance`).
    #[default]
    Relevance,
    /// Oldest record date first, undated records last (`date`).
    DateAsc,
    /// Newest record date first, undated records last (`-date`).
    DateDesc,
}

impl Sort {
    /// Returns the name used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::DateAsc => "date",
            Sort::DateDesc => "-date",
        }
    }
}

impl FromStr for Sort {
    type Err = Error;

    fn from_str(value: &str) -> Result<Sort, Error> {
        match value {
            "" | "relevance" => Ok(Sort::Relevance),
            "date" => Ok(Sort::DateAsc),
            "-date" => Ok(Sort::DateDesc),
            _ => Err(Error::InvalidSort {
                value: value.to_owned(),
            }),
        }
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResponse {
    /// Records matching the query and filters.
    pub total: u64,
    /// The page of hits.
    pub hits: Vec<Hit>,
    /// Value counts of each requested facet, most frequent first, then by value.
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    /// Cursor for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// One matching record, with what a result list shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Record id.
    pub id: String,
    /// Source id.
    pub source: String,
    /// Display title (empty when the record has none).
    pub title: String,
    /// Landing page.
    pub url: Option<String>,
    /// Record date as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date: Option<String>,
    /// HTML-escaped excerpt of the description (else the title) with `<mark>` around matches.
    pub snippet: String,
    /// Centre that runs the source.
    pub centre: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
    /// DCMI types.
    pub types: Vec<String>,
    /// Language codes.
    pub languages: Vec<String>,
    /// Relevance score; `None` when sorted by date.
    pub score: Option<f32>,
}

/// A facet value and the number of matching records that have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The value.
    pub value: String,
    /// Matching records with the value.
    pub count: u64,
}

impl SearchIndex {
    /// Runs a search on the latest reloaded state of the index.
    ///
    /// NOTE: a cursor gives each hit at most once, and pages never show records indexed after
    /// the first page was served. Records changed after the first page drop out of the later
    /// pages, and relevance scores may shift when other records change in between, so such a
    /// record can be skipped. Exact snapshot isolation would need old searchers kept alive
    /// between requests.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, Error> {
        let limit = match request.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        let cursor = match &request.cursor {
            Some(text) if !text.is_empty() => Some(Cursor::decode(text, request.sort)?),
            _ => None,
        };
        let offset = if cursor.is_some() { 0 } else { request.offset };
        let facet_specs = facet_specs(&request.facets)?;
        let text_query = self.text_query(&request.q)?;
        let mut clauses = vec![(Occur::Must, text_query.box_clone())];
        for group in filter_queries(&self.fields, &request.filters)? {
            clauses.push((Occur::Must, group));
        }
        let query = BooleanQuery::new(clauses);

        let searcher = self.reader.searcher();
        let collector = PageCollector {
            sort: request.sort,
            keep: offset.saturating_add(limit),
            after: cursor.as_ref().map(|c| (c.key, c.id.clone())),
            max_seq: cursor.as_ref().map(|c| c.seq),
            facets: facet_specs,
        };
        let fruit = searcher.search(&query, &collector)?;
        self.render(
            &searcher,
            request,
            text_query.as_ref(),
            fruit,
            offset,
            cursor,
        )
    }

    /// Parses the query text. Text with a syntax error, or naming an unknown field, is searched
    /// as plain words instead.
    fn text_query(&self, q: &str) -> Result<Box<dyn Query>, Error> {
        if q.trim().is_empty() {
            return Ok(Box::new(AllQuery));
        }
        let mut parser = QueryParser::for_index(
            &self.index,
            self.fields
                .default_search_fields()
                .iter()
                .map(|(field, _)| *field)
                .collect(),
        );
        parser.set_conjunction_by_default();
        for (field, boost) in self.fields.default_search_fields() {
            parser.set_field_boost(field, boost);
        }
        let (query, errors) = parser.parse_query_lenient(q);
        if errors.is_empty() {
            return Ok(query);
        }
        let words: String = q
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        if words.trim().is_empty() {
            return Ok(Box::new(BooleanQuery::new(Vec::new())));
        }
        // Operators are dropped: a query that failed to parse cannot say what they joined.
        let quoted: Vec<String> = words
            .split_whitespace()
            .filter(|w| !matches!(*w, "AND" | "OR" | "NOT"))
            .map(|w| format!("\"{w}\""))
            .collect();
        if quoted.is_empty() {
            return Ok(Box::new(BooleanQuery::new(Vec::new())));
        }
        match parser.parse_query(&quoted.join(" ")) {
            Ok(query) => Ok(query),
            Err(err) => Err(Error::InvalidQuery {
                query: q.to_owned(),
                message: err.to_string(),
            }),
        }
    }

    fn render(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
        text_query: &dyn Query,
        fruit: PageFruit,
        offset: usize,
        cursor: Option<Cursor>,
    ) -> Result<SearchResponse, Error> {
        let fields = &self.fields;
        let description_snippets =
            SnippetGenerator::create(searcher, text_query, fields.description).map(
                |mut generator| {
                    generator.set_max_num_chars(SNIPPET_CHARS);
                    generator
                },
            )?;
        let title_snippets = SnippetGenerator::create(searcher, text_query, fields.title)?;

        let page: Vec<_> = fruit.hits.into_iter().skip(offset).collect();
        let served = offset as u64 + page.len() as u64;
        let next_cursor = match page.last() {
            Some((key, id, _)) if fruit.remaining > served => Some(
                Cursor {
                    sort: request.sort,
                    key: *key,
                    id: id.clone(),
                    seq: cursor.as_ref().map_or(fruit.max_seq, |c| c.seq),
                }
                .encode(),
            ),
            _ => None,
        };

        let mut hits = Vec::with_capacity(page.len());
        for (key, id, address) in page {
            let doc: TantivyDocument = searcher.doc(address)?;
            let description = first_text(&doc, fields.description);
            let title = first_text(&doc, fields.display_title).unwrap_or_default();
            let snippet = match description {
                Some(text) => {
                    let snippet = description_snippets.snippet(&text);
                    if snippet.fragment().is_empty() {
                        leading_text(&text)
                    } else {
                        to_html(&snippet)
                    }
                }
                None => {
                    let snippet = title_snippets.snippet(&title);
                    if snippet.fragment().is_empty() {
                        leading_text(&title)
                    } else {
                        to_html(&snippet)
                    }
                }
            };
            hits.push(Hit {
                source: first_text(&doc, fields.source).unwrap_or_default(),
                url: first_text(&doc, fields.url),
                date: first_text(&doc, fields.date),
                centre: first_text(&doc, fields.centre),
                country: first_text(&doc, fields.country),
                types: all_texts(&doc, fields.dcmi_type),
                languages: all_texts(&doc, fields.language),
                score: (request.sort == Sort::Relevance).then(|| score_from_key(key)),
                snippet,
                title,
                id,
            });
        }

        let mut facets = BTreeMap::new();
        for (name, counts) in request.facets.iter().zip(fruit.facets) {
            let mut values: Vec<FacetCount> = counts
                .into_iter()
                .map(|(value, count)| FacetCount { value, count })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            values.truncate(MAX_FACET_VALUES);
            facets.insert(name.clone(), values);
        }
        Ok(SearchResponse {
            total: fruit.total,
            hits,
            facets,
            next_cursor,
        })
    }
}

/// A clause of a boolean query.
type Clause = (Occur, Box<dyn Query>);

/// Validates facet names.
fn facet_specs(names: &[String]) -> Result<Vec<FacetSpec>, Error> {
    let mut specs = Vec::with_capacity(names.len());
    for name in names {
        specs.push(match name.as_str() {
            "year" => FacetSpec::Year,
            known if FILTER_NAMES.contains(&known) => FacetSpec::Keyword(known.to_owned()),
            _ => {
                return Err(Error::InvalidFacet {
                    facet: name.clone(),
                    valid: FILTER_NAMES.join(", "),
                });
            }
        });
    }
    Ok(specs)
}

/// Builds one query per filter name: the OR of that name's values.
fn filter_queries(
    fields: &Fields,
    filters: &[(String, String)],
) -> Result<Vec<Box<dyn Query>>, Error> {
    let mut groups: BTreeMap<&str, Vec<Clause>> = BTreeMap::new();
    for (name, value) in filters {
        let invalid = |message: String| Error::InvalidFilter {
            filter: format!("{name}:{value}"),
            message,
        };
        let query: Box<dyn Query> = if name == "year" {
            year_query(fields, value).map_err(invalid)?
        } else if let Some(field) = fields.keyword(name) {
            let term = Term::from_field_text(field, value);
            Box::new(TermQuery::new(term, IndexRecordOption::Basic))
        } else {
            return Err(invalid(format!(
                "unknown name; expected one of {}",
                FILTER_NAMES.join(", ")
            )));
        };
        groups
            .entry(name.as_str())
            .or_default()
            .push((Occur::Should, query));
    }
    Ok(groups
        .into_values()
        .map(|clauses| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
        .collect())
}

/// Parses `YYYY` or `[FROM TO UNTIL]` (inclusive, `*` for an open end) into a year query.
fn year_query(fields: &Fields, value: &str) -> Result<Box<dyn Query>, String> {
    let value = value.trim();
    let parse_year = |text: &str| -> Result<u64, String> {
        text.parse::<u64>()
            .map_err(|_| format!("`{text}` is not a year; write e.g. 2015"))
    };
    let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) else {
        let term = Term::from_field_u64(fields.year, parse_year(value)?);
        return Ok(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
    };
    let parts: Vec<&str> = inner.split_whitespace().collect();
    let [from, "TO", until] = parts[..] else {
        return Err("expected a year or a range such as [2010 TO 2015]".to_owned());
    };
    let bound = |text: &str| -> Result<Bound<Term>, String> {
        if text == "*" {
            return Ok(Bound::Unbounded);
        }
        Ok(Bound::Included(Term::from_field_u64(
            fields.year,
            parse_year(text)?,
        )))
    };
    Ok(Box::new(RangeQuery::new(bound(from)?, bound(until)?)))
}

fn first_text(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|value| value.as_str())
        .map(str::to_owned)
}

fn all_texts(doc: &TantivyDocument, field: tantivy::schema::Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|value| value.as_str())
        .map(str::to_owned)
        .collect()
}

/// Renders a snippet as HTML: escaped text with `<mark>` around each highlighted range.
fn to_html(snippet: &Snippet) -> String {
    let fragment = snippet.fragment();
    let mut html = String::with_capacity(fragment.len() + 32);
    // CJK unigrams and bigrams highlight overlapping ranges, so merge them first.
    let mut ranges: Vec<std::ops::Range<usize>> = snippet.highlighted().to_vec();
    ranges.sort_by_key(|range| range.start);
    let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    let mut from = 0;
    for range in merged {
        let (Some(before), Some(marked)) =
            (fragment.get(from..range.start), fragment.get(range.clone()))
        else {
            continue;
        };
        html.push_str(&html_escape::encode_text(before));
        html.push_str("<mark>");
        html.push_str(&html_escape::encode_text(marked));
        html.push_str("</mark>");
        from = range.end;
    }
    html.push_str(&html_escape::encode_text(
        fragment.get(from..).unwrap_or_default(),
    ));
    html
}

/// Returns the start of a text, HTML-escaped, for hits whose snippet has no match.
fn leading_text(text: &str) -> String {
    let mut end = text.len();
    if let Some((index, _)) = text.char_indices().nth(SNIPPET_CHARS) {
        end = index;
    }
    let mut html = html_escape::encode_text(&text[..end]).into_owned();
    if end < text.len() {
        html.push('…');
    }
    html
}
