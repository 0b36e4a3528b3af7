//! Dates: partial record dates and OAI datestamps.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::record::PartialDate;
use crate::text::normalise_space;

/// Earliest year accepted as a record date; `0000` and the like are placeholders.
const MIN_YEAR: i32 = 1000;
/// Latest year accepted as a record date; `9999` is a common "unknown" placeholder.
const MAX_YEAR: i32 = 2199;

/// Parses a record date that may lack its month or day.
///
/// Accepted forms, after trimming and after removing the decorations of catalogue dates
/// (`[2019]`, `c2019`, `ca. 2019`, `2019?`, a trailing `.`):
/// - ISO 8601: `2019`, `2019-05`, `2019-05-03`, and a date followed by a time
///   (`2019-05-03T10:00Z`, `2019-05-03 10:00:00`). The date part is kept as written, and the
///   time zone is not converted;
/// - `2019/05/03` and `2019/05`;
/// - a year range `2019-2020` or `2019/2020`, read as its first year;
/// - `05/2019` and `05.2019` (month and year), `03.05.2019` (day, month, year);
/// - `03/05/2019` gives the day and month only when one of the two numbers is above 12, else
///   only the year, because the order of day and month is unknown;
/// - English month names: `May 2019`, `3 May 2019`, `May 3, 2019`, `Sept. 2019`.
///
/// Years outside 1000–2199, months outside 1–12 and days that do not exist give `None`.
/// Anything else (free text, two-digit years) gives `None`: a wrong date is worse than none.
///
/// ```
/// use sheaf_record::parse_partial_date;
///
/// let date = parse_partial_date("2019-05").unwrap();
/// assert_eq!((date.year, date.month, date.day), (2019, Some(5), None));
/// assert!(parse_partial_date("spring 2019").is_none());
/// ```
pub fn parse_partial_date(text: &str) -> Option<PartialDate> {
    let original = normalise_space(text);
    let core = strip_decorations(&original);
    let (year, month, day) = parse_iso_like(core)
        .or_else(|| parse_numeric_day_first(core))
        .or_else(|| parse_month_name(core))?;
    validate(year, month, day)?;
    Some(PartialDate {
        year,
        month,
        day,
        original,
    })
}

/// Parses an OAI-PMH datestamp (`YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ssZ`) or an RFC 3339 time.
///
/// A day-granularity datestamp is read as midnight UTC.
pub(crate) fn parse_datestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return day.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%MZ"] {
        if let Ok(time) = NaiveDateTime::parse_from_str(text.trim_end_matches('Z'), format) {
            return Some(time.and_utc());
        }
        if let Ok(time) = NaiveDateTime::parse_from_str(text, format) {
            return Some(time.and_utc());
        }
    }
    None
}

type Parts = (i32, Option<u32>, Option<u32>);

/// Removes brackets, question marks, trailing dots and `c`/`ca.`/`circa`/`©` before a year.
fn strip_decorations(text: &str) -> &str {
    let mut core = text.trim_matches(|c: char| matches!(c, '[' | ']' | '(' | ')' | '?' | ' '));
    core = core.strip_suffix('.').unwrap_or(core);
    for prefix in ["circa ", "ca. ", "ca.", "c.", "c", "©"] {
        if let Some(rest) = core.strip_prefix(prefix)
            && rest.starts_with(|c: char| c.is_ascii_digit())
        {
            return rest.trim_start();
        }
    }
    core
}

/// Reads `count` ASCII digits at the start of `text` as a number, and the rest.
fn digits(text: &str, count: usize) -> Option<(u32, &str)> {
    let head = text.get(..count)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = &text[count..];
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some((head.parse().ok()?, rest))
}

/// Reads year-first forms: `YYYY`, `YYYY-MM`, `YYYY-MM-DD[time]`, `YYYY/MM/DD`, `YYYY-YYYY`.
fn parse_iso_like(text: &str) -> Option<Parts> {
    let (year, rest) = digits(text, 4)?;
    let year = i32::try_from(year).ok()?;
    if rest.is_empty() {
        return Some((year, None, None));
    }
    let separator = rest.chars().next()?;
    if separator != '-' && separator != '/' {
        return None;
    }
    let rest = &rest[1..];
    if let Some((_end_year, "")) = digits(rest, 4) {
        return Some((year, None, None));
    }
    let (month, rest) = digits(rest, 2)?;
    if rest.is_empty() {
        return Some((year, Some(month), None));
    }
    let rest = rest.strip_prefix(separator)?;
    let (day, rest) = digits(rest, 2)?;
    let time_follows = separator == '-' && rest.starts_with(['T', 't', ' ']);
    if rest.is_empty() || time_follows {
        return Some((year, Some(month), Some(day)));
    }
    None
}

/// Reads forms that end with the year: `MM/YYYY`, `MM.YYYY`, `DD.MM.YYYY`, `DD/MM/YYYY`.
fn parse_numeric_day_first(text: &str) -> Option<Parts> {
    let separator = text.chars().find(|c| !c.is_ascii_digit())?;
    if separator != '/' && separator != '.' && separator != '-' {
        return None;
    }
    let fields: Vec<&str> = text.split(separator).collect();
    let number = |field: &str| -> Option<u32> {
        let valid = (1..=2).contains(&field.len()) && field.bytes().all(|b| b.is_ascii_digit());
        if valid { field.parse().ok() } else { None }
    };
    let year_of = |field: &str| -> Option<i32> {
        let (year, rest) = digits(field, 4)?;
        if rest.is_empty() {
            i32::try_from(year).ok()
        } else {
            None
        }
    };
    match fields.as_slice() {
        [month, year] if separator != '-' => Some((year_of(year)?, Some(number(month)?), None)),
        [first, second, year] => {
            let (first, second, year) = (number(first)?, number(second)?, year_of(year)?);
            if separator == '.' || (first > 12 && second <= 12) {
                Some((year, Some(second), Some(first)))
            } else if separator == '/' && second > 12 && first <= 12 {
                Some((year, Some(first), Some(second)))
            } else {
                Some((year, None, None))
            }
        }
        _ => None,
    }
}

/// Reads English month-name forms: `May 2019`, `3 May 2019`, `May 3, 2019`.
fn parse_month_name(text: &str) -> Option<Parts> {
    let words: Vec<&str> = text.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let year_of = |word: &str| -> Option<i32> {
        let (year, rest) = digits(word, 4)?;
        if rest.is_empty() {
            i32::try_from(year).ok()
        } else {
            None
        }
    };
    let day_of = |word: &str| -> Option<u32> {
        let word = word.trim_end_matches(['.', 's', 't', 'n', 'd', 'r', 'h']);
        if (1..=2).contains(&word.len()) {
            word.parse().ok()
        } else {
            None
        }
    };
    match words.as_slice() {
        [month, year] => Some((year_of(year)?, Some(month_number(month)?), None)),
        [day, month, year] if day.starts_with(|c: char| c.is_ascii_digit()) => Some((
            year_of(year)?,
            Some(month_number(month)?),
            Some(day_of(day)?),
        )),
        [month, day, year] => Some((
            year_of(year)?,
            Some(month_number(month)?),
            Some(day_of(day)?),
        )),
        _ => None,
    }
}

/// Returns the number of an English month name or its abbreviation (`Jan`, `Sept.`).
fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let word = word.trim_end_matches('.').to_lowercase();
    if word.len() < 3 {
        return None;
    }
    let index = MONTHS
        .iter()
        .position(|m| *m == word || (word.len() <= 4 && m.starts_with(&word)));
    index.and_then(|i| u32::try_from(i + 1).ok())
}

/// Checks the year range, the month range and that the day exists in that month.
fn validate(year: i32, month: Option<u32>, day: Option<u32>) -> Option<()> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return None;
    }
    match (month, day) {
        (Some(month), Some(day)) => NaiveDate::from_ymd_opt(year, month, day).map(|_| ()),
        (Some(month), None) if (1..=12).contains(&month) => Some(()),
        (Some(_), None) => None,
        (None, Some(_)) => None,
        (None, None) => Some(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Option<(i32, Option<u32>, Option<u32>)> {
        parse_partial_date(text).map(|d| (d.year, d.month, d.day))
    }

    #[test]
    fn partial_date_iso_forms() {
        assert_eq!(parts("2019"), Some((2019, None, None)));
        assert_eq!(parts("2019-05"), Some((2019, Some(5), None)));
        assert_eq!(parts("2019-05-03"), Some((2019, Some(5), Some(3))));
        assert_eq!(parts("2019-05-03T10:00Z"), Some((2019, Some(5), Some(3))));
        assert_eq!(parts("2019-05-03 10:00:00"), Some((2019, Some(5), Some(3))));
        assert_eq!(parts(" 2019/05/03 "), Some((2019, Some(5), Some(3))));
    }

    #[test]
    fn partial_date_keeps_original() {
        let date = parse_partial_date("  [c2019]  ").unwrap();
        assert_eq!(date.year, 2019);
        assert_eq!(date.original, "[c2019]");
    }

    #[test]
    fn partial_date_ranges_take_first_year() {
        assert_eq!(parts("2019-2020"), Some((2019, None, None)));
        assert_eq!(parts("2019/2020"), Some((2019, None, None)));
    }

    #[test]
    fn partial_date_day_first_forms() {
        assert_eq!(parts("05/2019"), Some((2019, Some(5), None)));
        assert_eq!(parts("05.2019"), Some((2019, Some(5), None)));
        assert_eq!(parts("03.05.2019"), Some((2019, Some(5), Some(3))));
        assert_eq!(parts("25/05/2019"), Some((2019, Some(5), Some(25))));
        assert_eq!(parts("05/25/2019"), Some((2019, Some(5), Some(25))));
        assert_eq!(parts("03/05/2019"), Some((2019, None, None)));
    }

    #[test]
    fn partial_date_month_names() {
        assert_eq!(parts("April 2021"), Some((2021, Some(4), None)));
        assert_eq!(parts("3 May 2019"), Some((2019, Some(5), Some(3))));
        assert_eq!(parts("May 3, 2019"), Some((2019, Some(5), Some(3))));
        assert_eq!(parts("Sept. 2019"), Some((2019, Some(9), None)));
    }

    #[test]
    fn partial_date_rejects_invalid() {
        assert_eq!(parts("2019-13"), None);
        assert_eq!(parts("2019-02-30"), None);
        assert_eq!(parts("0000"), None);
        assert_eq!(parts("9999"), None);
        assert_eq!(parts("19-05-03"), None);
        assert_eq!(parts("spring 2019"), None);
        assert_eq!(parts("20190503"), None);
        assert_eq!(parts(""), None);
        assert_eq!(parts("2019-05-03x"), None);
    }

    #[test]
    fn datestamp_day_and_second_granularity() {
        let day = parse_datestamp("2015-12-15").unwrap();
        assert_eq!(day.to_rfc3339(), "2015-12-15T00:00:00+00:00");
        let second = parse_datestamp("2011-09-05T12:51:52Z").unwrap();
        assert_eq!(second.to_rfc3339(), "2011-09-05T12:51:52+00:00");
        let offset = parse_datestamp("2011-09-05T14:51:52+02:00").unwrap();
        assert_eq!(offset, second);
        assert_eq!(parse_datestamp("yesterday"), None);
    }
}
