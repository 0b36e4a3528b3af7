//! Query-string parsing for the API's routes.
//!
//! The query string is read by hand rather than through `serde_urlencoded` because `filter` may
//! repeat, and because each bad value gets a message that names the parameter and its bound.

use sheaf_index::{SearchRequest, Sort};

use crate::error::ApiError;

use sheaf_index::{DEFAULT_LIMIT, MAX_LIMIT};

/// Number of runs returned by `GET /api/sources/{id}/runs` when `limit` is absent.
pub const DEFAULT_RUNS_LIMIT: usize = 20;

/// Largest accepted `limit` of `GET /api/sources/{id}/runs`.
pub const MAX_RUNS_LIMIT: usize = 100;

/// Largest accepted `offset`. Offset paging makes the index collect `offset + limit` hits for
/// every page, so deep paging goes through `cursor`, whose cost does not grow with depth.
pub const MAX_OFFSET: usize = 10_000;

const SEARCH_PARAMETERS: &str = "q, filter, facets, sort, limit, offset, cursor";

/// Decodes the `application/x-www-form-urlencoded` pairs of a query string.
fn pairs(raw: Option<&str>) -> impl Iterator<Item = (String, String)> + '_ {
    let bytes = raw.unwrap_or("").as_bytes();
    url::form_urlencoded::parse(bytes).map(|(name, value)| (name.into_owned(), value.into_owned()))
}

/// Stores `value` in `slot`, rejecting a second occurrence of the parameter.
fn set_once(slot: &mut Option<String>, name: &str, value: String) -> Result<(), ApiError> {
    if slot.is_some() {
        return Err(ApiError::InvalidParameter {
            name: name.to_owned(),
            message: "given more than once; give it once".to_owned(),
        });
    }
    *slot = Some(value);
    Ok(())
}

/// Parses `limit`, which must be a whole number from 1 to `max`; absent, it is `default`.
///
/// A value above `max` is rejected rather than clamped, so a client never receives fewer items
/// than it asked for without being told.
fn parse_limit(value: Option<&str>, default: usize, max: usize) -> Result<usize, ApiError> {
    let Some(value) = value else {
        return Ok(default);
    };
    match value.parse::<usize>() {
        Ok(limit) if (1..=max).contains(&limit) => Ok(limit),
        _ => Err(ApiError::InvalidParameter {
            name: "limit".to_owned(),
            message: format!("must be a whole number from 1 to {max}, got `{value}`"),
        }),
    }
}

fn parse_offset(value: Option<&str>) -> Result<usize, ApiError> {
    let Some(value) = value else { return Ok(0) };
    match value.parse::<usize>() {
        Ok(offset) if offset <= MAX_OFFSET => Ok(offset),
        _ => Err(ApiError::InvalidParameter {
            name: "offset".to_owned(),
            message: format!(
                "must be a whole number from 0 to {MAX_OFFSET}, got `{value}`; \
                 page deeper with `cursor`"
            ),
        }),
    }
}

fn parse_sort(value: Option<&str>) -> Result<Sort, ApiError> {
    match value {
        None | Some("relevance") => Ok(Sort::Relevance),
        Some("date") => Ok(Sort::DateAsc),
        Some("-date") => Ok(Sort::DateDesc),
        Some(other) => Err(ApiError::InvalidParameter {
            name: "sort".to_owned(),
            message: format!("must be `relevance`, `date` or `-date`, got `{other}`"),
        }),
    }
}

fn parse_filter(value: &str) -> Result<(String, String), ApiError> {
    match value.split_once(':') {
        Some((name, field_value)) if !name.is_empty() => {
            Ok((name.to_owned(), field_value.to_owned()))
        }
        _ => Err(ApiError::InvalidFilter {
            filter: value.to_owned(),
            message: "expected `NAME:VALUE`, for example `country:fr` or `year:[2010 TO 2015]`"
                .to_owned(),
        }),
    }
}

/// Parses the query string of `GET /api/search` into a [`SearchRequest`].
///
/// # Errors
///
/// [`ApiError::InvalidParameter`] for an unknown or repeated parameter or a bad `limit`,
/// `offset` or `sort`, and [`ApiError::InvalidFilter`] for a filter without `NAME:`.
pub fn parse_search(raw: Option<&str>) -> Result<SearchRequest, ApiError> {
    let mut q = None;
    let mut sort = None;
    let mut limit = None;
    let mut offset = None;
    let mut cursor = None;
    let mut filters = Vec::new();
    let mut facets = Vec::new();

    for (name, value) in pairs(raw) {
        match name.as_str() {
            "q" => set_once(&mut q, &name, value)?,
            "sort" => set_once(&mut sort, &name, value)?,
            "limit" => set_once(&mut limit, &name, value)?,
            "offset" => set_once(&mut offset, &name, value)?,
            "cursor" => set_once(&mut cursor, &name, value)?,
            "filter" => filters.push(parse_filter(&value)?),
            "facets" => {
                let names = value
                    .split(',')
                    .map(str::trim)
                    .filter(|name| !name.is_empty());
                facets.extend(names.map(str::to_owned));
            }
            _ => {
                return Err(ApiError::InvalidParameter {
                    name,
                    message: format!("unknown parameter; the known ones are {SEARCH_PARAMETERS}"),
                });
            }
        }
    }

    Ok(SearchRequest {
        q: q.unwrap_or_default(),
        limit: parse_limit(limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?,
        offset: parse_offset(offset.as_deref())?,
        filters,
        facets,
        sort: parse_sort(sort.as_deref())?,
        cursor: cursor.filter(|cursor| !cursor.is_empty()),
    })
}

/// Parses the query string of `GET /api/sources/{id}/runs`: only `limit`.
///
/// # Errors
///
/// [`ApiError::InvalidParameter`] for an unknown or repeated parameter or a bad `limit`.
pub fn parse_runs(raw: Option<&str>) -> Result<usize, ApiError> {
    let mut limit = None;
    for (name, value) in pairs(raw) {
        match name.as_str() {
            "limit" => set_once(&mut limit, &name, value)?,
            _ => {
                return Err(ApiError::InvalidParameter {
                    name,
                    message: "unknown parameter; the only known one is limit".to_owned(),
                });
            }
        }
    }
    parse_limit(limit.as_deref(), DEFAULT_RUNS_LIMIT, MAX_RUNS_LIMIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid_name(error: ApiError) -> String {
        match error {
            ApiError::InvalidParameter { name, .. } => name,
            other => panic!("expected InvalidParameter, got {other:?}"),
        }
    }

    #[test]
    fn search_defaults() {
        let request = parse_search(None).unwrap();
        assert_eq!(request.q, "");
        assert_eq!(request.limit, DEFAULT_LIMIT);
        assert_eq!(request.offset, 0);
        assert!(matches!(request.sort, Sort::Relevance));
        assert!(request.filters.is_empty());
        assert!(request.facets.is_empty());
        assert!(request.cursor.is_none());
    }

    #[test]
    fn search_all_parameters() {
        let raw = "q=climate+model&filter=country%3Afr&filter=year:%5B2010%20TO%202015%5D\
                   &facets=source,%20year,&facets=type&sort=-date&limit=5&offset=10&cursor=abc";
        let request = parse_search(Some(raw)).unwrap();
        assert_eq!(request.q, "climate model");
        assert_eq!(
            request.filters,
            vec![
                ("country".to_owned(), "fr".to_owned()),
                ("year".to_owned(), "[2010 TO 2015]".to_owned()),
            ]
        );
        assert_eq!(request.facets, vec!["source", "year", "type"]);
        assert!(matches!(request.sort, Sort::DateDesc));
        assert_eq!(request.limit, 5);
        assert_eq!(request.offset, 10);
        assert_eq!(request.cursor.as_deref(), Some("abc"));
    }

    #[test]
    fn filter_value_keeps_later_colons() {
        let request = parse_search(Some("filter=set:hdl:10.1/x")).unwrap();
        assert_eq!(
            request.filters,
            vec![("set".to_owned(), "hdl:10.1/x".to_owned())]
        );
    }

    #[test]
    fn sort_date_is_ascending() {
        let request = parse_search(Some("sort=date")).unwrap();
        assert!(matches!(request.sort, Sort::DateAsc));
    }

    #[test]
    fn limit_bounds() {
        assert_eq!(parse_search(Some("limit=1")).unwrap().limit, 1);
        assert_eq!(parse_search(Some("limit=100")).unwrap().limit, 100);
        for bad in ["limit=0", "limit=101", "limit=-1", "limit=ten", "limit="] {
            let error = parse_search(Some(bad)).unwrap_err();
            assert_eq!(invalid_name(error), "limit", "{bad}");
        }
    }

    #[test]
    fn offset_bound() {
        assert_eq!(parse_search(Some("offset=10000")).unwrap().offset, 10_000);
        let error = parse_search(Some("offset=10001")).unwrap_err();
        assert!(error.to_string().contains("cursor"), "{error}");
    }

    #[test]
    fn unknown_sort_rejected() {
        let error = parse_search(Some("sort=title")).unwrap_err();
        assert_eq!(invalid_name(error), "sort");
    }

    #[test]
    fn repeated_q_rejected() {
        let error = parse_search(Some("q=a&q=b")).unwrap_err();
        assert_eq!(invalid_name(error), "q");
    }

    #[test]
    fn unknown_parameter_rejected() {
        let error = parse_search(Some("page=2")).unwrap_err();
        assert_eq!(invalid_name(error), "page");
    }

    #[test]
    fn filter_without_name_rejected() {
        for bad in ["filter=fr", "filter=:fr"] {
            match parse_search(Some(bad)).unwrap_err() {
                ApiError::InvalidFilter { .. } => {}
                other => panic!("{bad}: expected InvalidFilter, got {other:?}"),
            }
        }
    }

    #[test]
    fn runs_limit() {
        assert_eq!(parse_runs(None).unwrap(), DEFAULT_RUNS_LIMIT);
        assert_eq!(parse_runs(Some("limit=3")).unwrap(), 3);
        assert_eq!(
            invalid_name(parse_runs(Some("limit=500")).unwrap_err()),
            "limit"
        );
        assert_eq!(invalid_name(parse_runs(Some("q=x")).unwrap_err()), "q");
    }
}
