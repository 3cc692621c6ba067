//! `Date`: the project's word for a calendar day; the calendar arithmetic is jiff's.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use super::Interval;

/// A calendar date, proleptic Gregorian, in the years 0000-9999 that its `YYYY-MM-DD` text can
/// write (2026-02-30 does not parse). The calendar arithmetic is jiff's; this type is only the
/// project's word for "a date", with the few operations the handbook needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date(jiff::civil::Date);

const EPOCH: jiff::civil::Date = jiff::civil::date(1970, 1, 1);

impl Date {
    /// The first and last dates there are: arithmetic that would leave them stops there, so
    /// every `Date` prints as `YYYY-MM-DD` and parses back.
    pub const MIN: Date = Date(jiff::civil::date(0, 1, 1));
    pub const MAX: Date = Date(jiff::civil::date(9999, 12, 31));

    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let (year, month, day) = (
            i16::try_from(year).ok()?,
            i8::try_from(month).ok()?,
            i8::try_from(day).ok()?,
        );
        jiff::civil::Date::new(year, month, day)
            .ok()
            .and_then(Date::in_range)
    }

    fn in_range(d: jiff::civil::Date) -> Option<Date> {
        (Date::MIN.0..=Date::MAX.0).contains(&d).then_some(Date(d))
    }

    pub fn year(self) -> u16 {
        self.0.year().unsigned_abs()
    }

    pub fn month(self) -> u8 {
        self.0.month().unsigned_abs()
    }

    pub fn day(self) -> u8 {
        self.0.day().unsigned_abs()
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn days_since_epoch(self) -> i64 {
        Date(EPOCH).days_until(self)
    }

    /// Whole days from `self` to `later`: positive when `later` is after `self`.
    pub fn days_until(self, later: Date) -> i64 {
        i64::from((later.0 - self.0).get_days())
    }

    /// The UTC date of a Unix time in seconds (`SOURCE_DATE_EPOCH`, a commit time); `None`
    /// outside the years 0000-9999, rather than a date wrapped around into nonsense.
    pub fn from_unix_seconds(secs: i64) -> Option<Date> {
        // Unix time in UTC is civil time since 1970-01-01T00:00 (no leap seconds). Not via
        // jiff::Timestamp: its range ends a day early, on 9999-12-30.
        let midnight = EPOCH.to_datetime(jiff::civil::Time::midnight());
        let then = midnight.checked_add(jiff::SignedDuration::from_secs(secs));
        then.ok().and_then(|t| Date::in_range(t.date()))
    }

    /// Adds months, keeping the day where the month has it (Jan 31 + 1 month = Feb 28/29).
    pub fn add_months(self, months: i64) -> Date {
        self.shift(jiff::Span::new().try_months(months), months >= 0)
    }

    pub fn add_days(self, days: i64) -> Date {
        self.shift(jiff::Span::new().try_days(days), days >= 0)
    }

    /// `self` moved by `span`, stopping at [`Date::MIN`] or [`Date::MAX`].
    fn shift(self, span: Result<jiff::Span, jiff::Error>, forward: bool) -> Date {
        span.and_then(|span| self.0.checked_add(span))
            .ok()
            .and_then(Date::in_range)
            .unwrap_or(if forward { Date::MAX } else { Date::MIN })
    }

    /// The date one interval later; `None` for the interval `none`.
    pub fn plus(self, interval: Interval) -> Option<Date> {
        match interval {
            Interval::None => None,
            Interval::Days(d) => Some(self.add_days(i64::from(d))),
            Interval::Months(m) => Some(self.add_months(i64::from(m))),
        }
    }

    /// The date one interval earlier; `None` for the interval `none`.
    pub fn minus(self, interval: Interval) -> Option<Date> {
        match interval {
            Interval::None => None,
            Interval::Days(d) => Some(self.add_days(-i64::from(d))),
            Interval::Months(m) => Some(self.add_months(-i64::from(m))),
        }
    }

    /// Today in UTC from the system clock (1970-01-01 if the clock is outside 0000-9999).
    pub fn today_utc() -> Date {
        jiff::Timestamp::try_from(std::time::SystemTime::now())
            .ok()
            .and_then(|ts| Date::from_unix_seconds(ts.as_second()))
            .unwrap_or(Date(EPOCH))
    }
}

impl FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a date: expected YYYY-MM-DD, like 2026-01-15");
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[r];
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        let (y, m, d) = (
            num(0..4).ok_or_else(bad)?,
            num(5..7).ok_or_else(bad)?,
            num(8..10).ok_or_else(bad)?,
        );
        Date::new(y as i32, m as u8, d as u8).ok_or_else(|| {
            if (1..=12).contains(&m) {
                format!("`{s}` is not a day in the calendar: month {m:02} of {y} has no day {d}")
            } else {
                format!("`{s}` is not a date: there is no month {m:02}")
            }
        })
    }
}

impl fmt::Display for Date {
    /// `YYYY-MM-DD`, written digit by digit: the register formats two dates of every
    /// document, and `write!` with padding costs several times more.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = (self.year(), self.month(), self.day());
        let digit = |n: u16| b'0' + (n % 10) as u8;
        let text = [
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(u16::from(m) / 10),
            digit(u16::from(m)),
            b'-',
            digit(u16::from(d) / 10),
            digit(u16::from(d)),
        ];
        // Ten ASCII digits and dashes.
        f.write_str(std::str::from_utf8(&text).unwrap_or_default())
    }
}
display_serialize!(Date);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_validated_and_do_arithmetic() {
        assert!("2026-02-30".parse::<Date>().is_err());
        assert!("2028-02-29".parse::<Date>().is_ok());
        let d: Date = "2026-01-31".parse().unwrap();
        assert_eq!(d.add_months(1).to_string(), "2026-02-28");
        assert_eq!(d.add_months(12).to_string(), "2027-01-31");
        assert_eq!(d.add_days(30).to_string(), "2026-03-02");
        for z in [-1000, 0, 20000, 20415] {
            let d = Date::from_unix_seconds(z * 86_400).unwrap();
            assert_eq!(d.days_since_epoch(), z);
        }
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn months_keep_the_day_or_stop_at_the_month_end() {
        for (from, months, to) in [
            ("2026-01-31", 1, "2026-02-28"),
            ("2028-01-31", 1, "2028-02-29"),
            ("2026-01-31", 2, "2026-03-31"),
            ("2026-03-31", 1, "2026-04-30"),
            ("2026-03-31", -1, "2026-02-28"),
            ("2024-02-29", 12, "2025-02-28"),
            ("2024-02-29", 48, "2028-02-29"),
            ("2024-02-29", -12, "2023-02-28"),
            ("2026-12-15", 1, "2027-01-15"),
            ("2026-01-15", -1, "2025-12-15"),
            ("2026-05-31", 1200, "2126-05-31"),
        ] {
            assert_eq!(
                date(from).add_months(months).to_string(),
                to,
                "{from} + {months}"
            );
        }
    }

    #[test]
    fn days_cross_month_year_and_leap_days() {
        for (from, days, to) in [
            ("2026-02-28", 1, "2026-03-01"),
            ("2028-02-28", 1, "2028-02-29"),
            ("1900-02-28", 1, "1900-03-01"),
            ("2000-02-28", 1, "2000-02-29"),
            ("2026-12-31", 1, "2027-01-01"),
            ("2026-03-01", -1, "2026-02-28"),
            ("2026-06-01", 36_600, "2126-08-16"),
        ] {
            assert_eq!(date(from).add_days(days).to_string(), to, "{from} + {days}");
        }
        assert_eq!(date("2026-06-01").days_until(date("2026-06-20")), 19);
        assert_eq!(date("2026-06-01").days_until(date("2026-05-01")), -31);
        assert_eq!(date("2028-01-01").days_until(date("2029-01-01")), 366);
    }

    #[test]
    fn reviews_warn_one_interval_before_they_are_due() {
        let due = date("2026-03-31");
        assert_eq!(due.minus(Interval::Months(1)), Some(date("2026-02-28")));
        assert_eq!(due.minus(Interval::Days(30)), Some(date("2026-03-01")));
        assert_eq!(due.minus(Interval::None), None);
        assert_eq!(due.plus(Interval::None), None);
    }

    #[test]
    fn bad_dates_say_what_is_wrong() {
        let err = |s: &str| s.parse::<Date>().unwrap_err();
        assert_eq!(
            err("2026-02-30"),
            "`2026-02-30` is not a day in the calendar: month 02 of 2026 has no day 30"
        );
        assert_eq!(
            err("2027-02-29"),
            "`2027-02-29` is not a day in the calendar: month 02 of 2027 has no day 29"
        );
        assert_eq!(
            err("2026-13-01"),
            "`2026-13-01` is not a date: there is no month 13"
        );
        assert_eq!(
            err("2026-00-10"),
            "`2026-00-10` is not a date: there is no month 00"
        );
        for bad in [
            "2026-1-5",
            "2026-01-5",
            "26-01-05",
            "+026-01-05",
            "2026/01/05",
            "",
            "-001-01-01",
        ] {
            assert_eq!(
                err(bad),
                format!("`{bad}` is not a date: expected YYYY-MM-DD, like 2026-01-15")
            );
        }
        for good in ["0000-01-01", "2028-02-29", "2000-02-29", "9999-12-31"] {
            assert_eq!(date(good).to_string(), good);
        }
    }

    #[test]
    fn dates_stay_in_the_years_their_text_can_write() {
        assert_eq!(Date::new(-1, 12, 31), None);
        assert_eq!(Date::new(10_000, 1, 1), None);
        assert_eq!(Date::new(2026, 200, 1), None);
        assert_eq!(Date::new(2026, 2, 29), None);
        assert_eq!(Date::new(0, 1, 1), Some(Date::MIN));
        // Arithmetic past either end stops there instead of printing a five-digit year.
        assert_eq!(date("9999-06-01").add_months(12), Date::MAX);
        assert_eq!(Date::MAX.add_days(36_600), Date::MAX);
        assert_eq!(Date::MAX.add_months(i64::MAX), Date::MAX);
        assert_eq!(Date::MIN.add_days(i64::MIN), Date::MIN);
        assert_eq!(date("0000-06-01").add_months(-12), Date::MIN);
    }

    #[test]
    fn unix_seconds_become_utc_dates_or_nothing() {
        let day = |secs: i64| Date::from_unix_seconds(secs).map(|d| d.to_string());
        assert_eq!(day(0).as_deref(), Some("1970-01-01"));
        assert_eq!(day(86_399).as_deref(), Some("1970-01-01"));
        assert_eq!(day(-1).as_deref(), Some("1969-12-31"));
        assert_eq!(day(1_780_272_000).as_deref(), Some("2026-06-01"));
        assert_eq!(day(1_780_358_399).as_deref(), Some("2026-06-01"));
        assert_eq!(day(253_402_300_799).as_deref(), Some("9999-12-31"));
        assert_eq!(day(-62_167_219_200).as_deref(), Some("0000-01-01"));
        for out in [
            253_402_300_800,
            -62_167_219_201,
            i64::MAX,
            i64::MIN,
            99_999_999_999_999,
        ] {
            assert_eq!(day(out), None, "{out}");
        }
    }

    /// The hand-written arithmetic this type used before jiff (H. Hinnant's civil_from_days
    /// and a month count), kept as an oracle: the crate must agree with it on every date.
    mod before {
        pub fn civil_from_days(z: i64) -> (i32, u8, u8) {
            let z = z + 719468;
            let era = z.div_euclid(146097);
            let doe = z - era * 146097;
            let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            let mp = (5 * doy + 2) / 153;
            let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
            let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
            ((yoe + era * 400 + i64::from(month <= 2)) as i32, month, day)
        }

        pub fn add_months((y, m, d): (i32, u8, u8), months: i64) -> (i32, u8, u8) {
            let total = i64::from(y) * 12 + i64::from(m - 1) + months;
            let (year, month) = (
                total.div_euclid(12) as i32,
                (total.rem_euclid(12) + 1) as u8,
            );
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            let last = match month {
                1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
                4 | 6 | 9 | 11 => 30,
                _ if leap => 29,
                _ => 28,
            };
            (year, month, d.min(last))
        }
    }

    #[test]
    fn the_crate_agrees_with_the_old_arithmetic() {
        let ymd = |d: Date| (i32::from(d.year()), d.month(), d.day());
        let (first, last) = (Date::MIN.days_since_epoch(), Date::MAX.days_since_epoch());
        let mut checked = 0;
        // Every 7th day of 0000-9999 (all weekdays, month ends and leap days come round).
        for z in (first..=last).step_by(7) {
            let d = Date::from_unix_seconds(z * 86_400).unwrap();
            assert_eq!(ymd(d), before::civil_from_days(z), "day {z}");
            assert_eq!(d.days_since_epoch(), z);
            let months = (z.rem_euclid(1201)) - 600;
            let old = before::add_months(ymd(d), months);
            if (0..=9999).contains(&old.0) {
                assert_eq!(ymd(d.add_months(months)), old, "{d} + {months} months");
            }
            checked += 1;
        }
        assert!(checked > 500_000, "{checked}");
    }
}
