//! Datestamps and the granularity a repository announces in `Identify`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// The finest datestamp a repository supports in `from` and `until`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Granularity {
    /// `YYYY-MM-DD`. The default, because every repository accepts day datestamps.
    #[default]
    Day,
    /// `YYYY-MM-DDThh:mm:ssZ`.
    Second,
}

impl Granularity {
    /// Parses the text of an `Identify` `<granularity>` element; `None` when it is neither form.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "YYYY-MM-DD" => Some(Self::Day),
            "YYYY-MM-DDThh:mm:ssZ" => Some(Self::Second),
            _ => None,
        }
    }

    /// Formats a time as a `from` or `until` argument: `2025-12-01` or `2025-12-01T10:00:00Z`.
    /// A day datestamp drops the time of day.
    pub fn format(&self, t: DateTime<Utc>) -> String {
        match self {
            Self::Day => t.format("%Y-%m-%d").to_string(),
            Self::Second => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        }
    }

    /// Returns the length of one step: one day or one second.
    pub fn unit(&self) -> chrono::Duration {
        match self {
            Self::Day => chrono::Duration::days(1),
            Self::Second => chrono::Duration::seconds(1),
        }
    }
}

/// Formats with a time of day, after the date, tried in order. `%.f` accepts an absent fraction.
const DATE_TIME_FORMATS: [&str; 4] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y%m%dT%H%M%S",
];

/// Parses an OAI-PMH datestamp into a UTC time.
///
/// Accepts both protocol forms (`2025-12-01`, which means midnight UTC, and
/// `2025-12-01T10:00:00Z`) and what repositories send instead: surrounding white space, a
/// missing `Z`, fractional seconds, a numeric offset, a space for `T`, and `20251201`.
/// Returns `None` for anything else.
///
/// ```
/// use sheaf_oai::parse_datestamp;
///
/// let t = parse_datestamp(" 2025-12-01T10:00:00.250 ").unwrap();
/// assert_eq!(t.to_rfc3339(), "2025-12-01T10:00:00.250+00:00");
/// assert!(parse_datestamp("yesterday").is_none());
/// ```
pub fn parse_datestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    for format in DATE_TIME_FORMATS {
        if let Ok(t) = NaiveDateTime::parse_from_str(naive, format) {
            return Some(t.and_utc());
        }
    }
    for format in ["%Y-%m-%d", "%Y%m%d"] {
        if let Ok(day) = NaiveDate::parse_from_str(naive, format) {
            return Some(day.and_hms_opt(0, 0, 0)?.and_utc());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn granularity_from_identify() {
        assert_eq!(Granularity::parse("YYYY-MM-DD"), Some(Granularity::Day));
        assert_eq!(
            Granularity::parse(" YYYY-MM-DDThh:mm:ssZ\n"),
            Some(Granularity::Second)
        );
        assert_eq!(Granularity::parse("YYYY"), None);
    }

    #[test]
    fn granularity_format_and_unit() {
        let t = utc("2025-12-01T10:00:00Z");
        assert_eq!(Granularity::Day.format(t), "2025-12-01");
        assert_eq!(Granularity::Second.format(t), "2025-12-01T10:00:00Z");
        assert_eq!(Granularity::Day.unit(), chrono::Duration::hours(24));
        assert_eq!(
            Granularity::Second.unit(),
            chrono::Duration::milliseconds(1000)
        );
        assert_eq!(
            Granularity::Day.format(t - Granularity::Day.unit()),
            "2025-11-30"
        );
    }

    #[test]
    fn datestamp_forms() {
        let ten = utc("2025-12-01T10:00:00Z");
        let midnight = utc("2025-12-01T00:00:00Z");
        assert_eq!(parse_datestamp("2025-12-01T10:00:00Z"), Some(ten));
        assert_eq!(parse_datestamp("2025-12-01T10:00:00"), Some(ten));
        assert_eq!(parse_datestamp("\n 2025-12-01T10:00:00Z \t"), Some(ten));
        assert_eq!(parse_datestamp("2025-12-01 10:00:00"), Some(ten));
        assert_eq!(parse_datestamp("2025-12-01T12:00:00+02:00"), Some(ten));
        assert_eq!(parse_datestamp("2025-12-01T10:00Z"), Some(ten));
        assert_eq!(parse_datestamp("2025-12-01"), Some(midnight));
        assert_eq!(parse_datestamp("20251201"), Some(midnight));
        assert_eq!(
            parse_datestamp("2025-12-01T10:00:00.5Z"),
            Some(utc("2025-12-01T10:00:00.5Z"))
        );
        assert_eq!(
            parse_datestamp("2025-12-01T10:00:00.123456"),
            Some(utc("2025-12-01T10:00:00.123456Z"))
        );
    }

    #[test]
    fn datestamp_rejects_garbage() {
        assert_eq!(parse_datestamp(""), None);
        assert_eq!(parse_datestamp("2025-13-01"), None);
        assert_eq!(parse_datestamp("2015-10-04T06:00:00Z}"), None);
        assert_eq!(parse_datestamp("not a date"), None);
    }
}
