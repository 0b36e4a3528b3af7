//! Cron schedules in the standard five-field form (or six with seconds first), evaluated in UTC.
//!
//! The `cron` crate needs a seconds field, numbers weekdays 1–7 from Sunday and ANDs the two day
//! fields, while POSIX cron numbers weekdays 0–7 with Sunday as 0 or 7 and ORs day-of-month with
//! day-of-week when both are restricted. [`CronSchedule::parse`] translates the POSIX text.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{DateTime, Utc};

/// A cron expression that could not be read.
#[derive(Debug, thiserror::Error)]
#[error(
    "invalid schedule `{expression}`: {message}; write five fields (minute hour day-of-month month day-of-week), e.g. `0 3 * * *`"
)]
pub struct ScheduleError {
    /// The expression as configured.
    pub expression: String,
    /// What is wrong with it.
    pub message: String,
}

/// A parsed schedule: one `cron` schedule, or two whose union gives POSIX's day OR-ing.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    expression: String,
    parts: Vec<cron::Schedule>,
}

const WEEKDAY_NAMES: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

impl CronSchedule {
    /// Parses a five-field POSIX expression, or six fields with seconds first.
    ///
    /// # Errors
    ///
    /// Fails for a wrong number of fields or a value outside its field's range.
    pub fn parse(expression: &str) -> Result<CronSchedule, ScheduleError> {
        let error = |message: String| ScheduleError {
            expression: expression.to_owned(),
            message,
        };
        let fields: Vec<&str> = expression.split_whitespace().collect();
        let (seconds, rest) = match fields.len() {
            5 => ("0", &fields[..]),
            6 => (fields[0], &fields[1..]),
            n => return Err(error(format!("expected 5 or 6 fields, found {n}"))),
        };
        let [minute, hour, day_of_month, month, day_of_week] = rest else {
            return Err(error("expected 5 fields after the seconds".to_owned()));
        };
        let weekdays = translate_weekdays(day_of_week).map_err(error)?;
        let compile = |dom: &str, dow: &str| {
            let text = format!("{seconds} {minute} {hour} {dom} {month} {dow}");
            cron::Schedule::from_str(&text).map_err(|e| error(e.to_string()))
        };
        let both_restricted = !is_any(day_of_month) && !is_any(day_of_week);
        let parts = if both_restricted {
            vec![compile(day_of_month, "*")?, compile("*", &weekdays)?]
        } else {
            vec![compile(day_of_month, &weekdays)?]
        };
        Ok(CronSchedule {
            expression: expression.to_owned(),
            parts,
        })
    }

    /// Returns the expression as configured.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// Returns the first time strictly after `after` that the schedule fires.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.parts
            .iter()
            .filter_map(|part| part.after(&after).next())
            .min()
    }
}

fn is_any(field: &str) -> bool {
    field == "*" || field == "?"
}

/// Rewrites a POSIX day-of-week field as a list of `cron`'s weekday numbers (Sunday = 1).
fn translate_weekdays(field: &str) -> Result<String, String> {
    if is_any(field) {
        return Ok("*".to_owned());
    }
    let mut days = BTreeSet::new();
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step
                    .parse()
                    .map_err(|_| format!("invalid step `{step}` in `{item}`"))?;
                if step == 0 {
                    return Err(format!("step 0 in `{item}`"));
                }
                (range, step)
            }
            None => (item, 1),
        };
        let (first, last) = match range {
            "*" => (0, 6),
            _ => match range.split_once('-') {
                Some((a, b)) => (weekday(a)?, weekday(b)?),
                None if step > 1 => (weekday(range)?, 6),
                None => (weekday(range)?, weekday(range)?),
            },
        };
        if first > last {
            return Err(format!("range `{range}` runs backwards"));
        }
        days.extend((first..=last).step_by(step as usize).map(|d| d % 7 + 1));
    }
    let list: Vec<String> = days.iter().map(u32::to_string).collect();
    Ok(list.join(","))
}

/// Reads one POSIX weekday: 0–7 (0 and 7 are Sunday) or a three-letter English name.
fn weekday(text: &str) -> Result<u32, String> {
    if let Ok(number) = text.parse::<u32>() {
        return if number <= 7 {
            Ok(number)
        } else {
            Err(format!("weekday {number} is outside 0–7"))
        };
    }
    let lower = text.to_ascii_lowercase();
    WEEKDAY_NAMES
        .iter()
        .position(|name| *name == lower)
        .map(|i| i as u32)
        .ok_or_else(|| format!("unknown weekday `{text}`"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone, Timelike, Weekday};

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn five_fields_daily() {
        let schedule = CronSchedule::parse("30 3 * * *").unwrap();
        let next = schedule.next_after(at(2026, 1, 5, 4, 0)).unwrap();
        assert_eq!(next, at(2026, 1, 6, 3, 30));
    }

    #[test]
    fn sunday_as_zero_and_seven() {
        for text in ["0 0 * * 0", "0 0 * * 7", "0 0 * * sun"] {
            let schedule = CronSchedule::parse(text).unwrap();
            let next = schedule.next_after(at(2026, 1, 5, 0, 0)).unwrap();
            assert_eq!(next.weekday(), Weekday::Sun, "{text}");
        }
    }

    #[test]
    fn weekday_range_monday_to_friday() {
        let schedule = CronSchedule::parse("0 6 * * 1-5").unwrap();
        // 2026-01-09 is a Friday, so the next run after Friday 07:00 is Monday.
        let next = schedule.next_after(at(2026, 1, 9, 7, 0)).unwrap();
        assert_eq!(next.weekday(), Weekday::Mon);
        assert_eq!(next.day(), 12);
    }

    #[test]
    fn range_ending_on_seven_includes_sunday() {
        let schedule = CronSchedule::parse("0 6 * * 5-7").unwrap();
        let next = schedule.next_after(at(2026, 1, 10, 7, 0)).unwrap();
        assert_eq!(next.weekday(), Weekday::Sun);
    }

    #[test]
    fn day_fields_are_ored() {
        // The 15th, or any Monday.
        let schedule = CronSchedule::parse("0 0 15 * 1").unwrap();
        let next = schedule.next_after(at(2026, 1, 13, 0, 0)).unwrap();
        assert_eq!(next, at(2026, 1, 15, 0, 0));
        let after = schedule.next_after(next).unwrap();
        assert_eq!(after, at(2026, 1, 19, 0, 0));
    }

    #[test]
    fn six_fields_take_seconds_first() {
        let schedule = CronSchedule::parse("*/10 * * * * *").unwrap();
        let next = schedule.next_after(at(2026, 1, 5, 0, 0)).unwrap();
        assert_eq!(next.second(), 10);
    }

    #[test]
    fn invalid_expressions_are_rejected() {
        for text in [
            "",
            "* * *",
            "61 * * * *",
            "0 0 * * 8",
            "0 0 * * 5-1",
            "0 0 * * mon/0",
        ] {
            let error = CronSchedule::parse(text).unwrap_err();
            assert!(error.to_string().contains("invalid schedule"), "{text}");
        }
    }
}
