//! UTC datestamps in the two OAI-PMH granularities, as seconds since the Unix epoch.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds in one day.
pub(crate) const DAY: i64 = 86_400;

/// The granularity a repository announces in `Identify` and uses for datestamps and the `from`
/// and `until` arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Granularity {
    /// `YYYY-MM-DD`.
    Day,
    /// `YYYY-MM-DDThh:mm:ssZ`.
    #[default]
    Second,
}

impl Granularity {
    /// Returns the text `Identify` announces, such as `YYYY-MM-DD`.
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Day => "YYYY-MM-DD",
            Granularity::Second => "YYYY-MM-DDThh:mm:ssZ",
        }
    }
}

/// Returns the current time in whole seconds since the epoch.
pub(crate) fn now_secs() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(elapsed) => i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// Formats `secs` at `granularity`.
pub(crate) fn format(secs: i64, granularity: Granularity) -> String {
    let days = secs.div_euclid(DAY);
    let (year, month, day) = civil_from_days(days);
    match granularity {
        Granularity::Day => format!("{year:04}-{month:02}-{day:02}"),
        Granularity::Second => {
            let in_day = secs.rem_euclid(DAY);
            let (hour, minute, second) = (in_day / 3600, in_day % 3600 / 60, in_day % 60);
            format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
        }
    }
}

/// Parses `YYYY-MM-DD` (the start of that day) or `YYYY-MM-DDThh:mm:ssZ`, returning the seconds
/// and the granularity the text was written in.
pub(crate) fn parse(text: &str) -> Option<(i64, Granularity)> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = bytes.get(range)?;
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse().ok()
        } else {
            None
        }
    };
    if bytes.len() != 10 && bytes.len() != 20 {
        return None;
    }
    if bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let midnight = days_from_civil(year, month, day) * DAY;
    if bytes.len() == 10 {
        return Some((midnight, Granularity::Day));
    }
    if bytes[10] != b'T' || bytes[13] != b':' || bytes[16] != b':' || bytes[19] != b'Z' {
        return None;
    }
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some((
        midnight + hour * 3600 + minute * 60 + second,
        Granularity::Second,
    ))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Converts a proleptic Gregorian date to days since 1970-01-01.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Count years from March so that the leap day is the last day of the counted year.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Converts days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_known_instants() {
        assert_eq!(format(0, Granularity::Second), "1970-01-01T00:00:00Z");
        assert_eq!(format(1_767_225_600, Granularity::Day), "2026-01-01");
        assert_eq!(format(951_782_400, Granularity::Day), "2000-02-29");
        assert_eq!(
            format(1_768_039_203, Granularity::Second),
            "2026-01-10T10:00:03Z"
        );
    }

    #[test]
    fn parse_round_trips() {
        for secs in [0, 951_782_400, 1_768_039_203, 4_102_444_799] {
            let text = format(secs, Granularity::Second);
            assert_eq!(parse(&text), Some((secs, Granularity::Second)), "{text}");
        }
        assert_eq!(parse("2025-12-01"), Some((1_764_547_200, Granularity::Day)));
    }

    #[test]
    fn parse_rejects_invalid() {
        for text in [
            "2025-13-01",
            "2025-02-29",
            "2025-12-01T24:00:00Z",
            "2025-12-01T10:00:00",
            "2025-12-1",
            "2025/12/01",
            "２０２５-12-01",
            "",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
