//! Values that are parsed once and valid from then on: ids, versions, dates, intervals.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

macro_rules! display_serialize {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    };
}

/// A document id such as `POL-005`: 2-6 capital letters, a hyphen, 2-4 digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId(String);

impl DocumentId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The letters before the hyphen: `POL` of `POL-005`.
    pub fn prefix(&self) -> &str {
        self.0.split('-').next().unwrap_or("")
    }
}

impl FromStr for DocumentId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let valid = s.split_once('-').is_some_and(|(letters, digits)| {
            (2..=6).contains(&letters.len())
                && letters.bytes().all(|b| b.is_ascii_uppercase())
                && (2..=4).contains(&digits.len())
                && digits.bytes().all(|b| b.is_ascii_digit())
        });
        if valid {
            Ok(DocumentId(s.to_string()))
        } else {
            Err(format!(
                "`{s}` is not a document id: expected 2-6 capital letters, a hyphen and 2-4 digits, like POL-005"
            ))
        }
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
display_serialize!(DocumentId);

/// An Annex A control of ISO/IEC 27001:2022. `A.5.15` and `5.15` both parse; it prints
/// `A.5.15`. Whether the control exists is the catalogue's business, not the parser's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ControlId {
    pub theme: u8,
    pub number: u8,
}

impl FromStr for ControlId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bare = s.strip_prefix("A.").unwrap_or(s);
        let parse = || -> Option<ControlId> {
            let (theme, number) = bare.split_once('.')?;
            let small = |x: &str| -> Option<u8> {
                (!x.is_empty() && x.len() <= 2 && x.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| x.parse().ok())
                    .flatten()
            };
            Some(ControlId {
                theme: small(theme)?,
                number: small(number)?,
            })
        };
        parse().ok_or_else(|| format!("`{s}` is not an Annex A control id such as A.5.15"))
    }
}

impl fmt::Display for ControlId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "A.{}.{}", self.theme, self.number)
    }
}
display_serialize!(ControlId);

/// A document version `MAJOR.MINOR`. Kept as two numbers so that 1.10 is never 1.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl FromStr for Version {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        // A leading zero is refused: `1.01` would be the same version as `1.1`, and so would
        // an approval of either.
        let digits = |x: &str| -> Option<u32> {
            (!x.is_empty()
                && x.len() <= 6
                && x.bytes().all(|b| b.is_ascii_digit())
                && (x == "0" || !x.starts_with('0')))
            .then(|| x.parse().ok())
            .flatten()
        };
        s.split_once('.')
            .and_then(|(a, b)| {
                Some(Version {
                    major: digits(a)?,
                    minor: digits(b)?,
                })
            })
            .ok_or_else(|| {
                format!("`{s}` is not a version: expected MAJOR.MINOR without leading zeros, like \"1.2\" or \"1.10\"")
            })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}
display_serialize!(Version);

/// A calendar date, proleptic Gregorian, validated (2026-02-30 does not parse).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (H. Hinnant's days_from_civil).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    pub fn from_days_since_epoch(z: i64) -> Date {
        let z = z + 719468;
        let era = z.div_euclid(146097);
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Adds months, keeping the day where the month has it (Jan 31 + 1 month = Feb 28/29).
    pub fn add_months(self, months: i64) -> Date {
        let total = self.year as i64 * 12 + i64::from(self.month - 1) + months;
        let year = total.div_euclid(12) as i32;
        let month = (total.rem_euclid(12) + 1) as u8;
        let day = self.day.min(days_in_month(year, month));
        Date { year, month, day }
    }

    pub fn add_days(self, days: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }

    pub fn plus(self, interval: Interval) -> Option<Date> {
        match interval {
            Interval::None => None,
            Interval::Days(d) => Some(self.add_days(i64::from(d))),
            Interval::Months(m) => Some(self.add_months(i64::from(m))),
        }
    }

    /// Today in UTC from the system clock.
    pub fn today_utc() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Date::from_days_since_epoch(secs.div_euclid(86_400))
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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}
display_serialize!(Date);

/// A review interval or warning window: `12 months`, `1 year`, `6 weeks`, `30 days`, `none`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Interval {
    Days(u32),
    Months(u32),
    None,
}

/// The longest interval accepted: a review cycle beyond a century is a typo (or `none`).
pub const MAX_INTERVAL_YEARS: u32 = 100;

impl FromStr for Interval {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("none") {
            return Ok(Interval::None);
        }
        let bad = || {
            format!("`{s}` is not an interval: write e.g. \"12 months\", \"1 year\", \"6 weeks\", \"30 days\" or \"none\"")
        };
        let (n, unit) = t.split_once(char::is_whitespace).ok_or_else(bad)?;
        let n: u32 = n.parse().map_err(|_| bad())?;
        let interval = match unit.trim().trim_end_matches('s') {
            "day" => Interval::Days(n),
            "week" => Interval::Days(n.saturating_mul(7)),
            "month" => Interval::Months(n),
            "year" => Interval::Months(n.saturating_mul(12)),
            _ => return Err(bad()),
        };
        let too_long = match interval {
            Interval::Days(d) => d > MAX_INTERVAL_YEARS * 366,
            Interval::Months(m) => m > MAX_INTERVAL_YEARS * 12,
            Interval::None => false,
        };
        if too_long {
            return Err(format!(
                "`{s}` is longer than {MAX_INTERVAL_YEARS} years: write a shorter interval, or \"none\" for no review cycle"
            ));
        }
        Ok(interval)
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = |f: &mut fmt::Formatter<'_>, n: u32, w: &str| {
            write!(f, "{n} {w}{}", if n == 1 { "" } else { "s" })
        };
        match *self {
            Interval::None => f.write_str("none"),
            Interval::Days(d) => unit(f, d, "day"),
            Interval::Months(m) if m % 12 == 0 => unit(f, m / 12, "year"),
            Interval::Months(m) => unit(f, m, "month"),
        }
    }
}

macro_rules! keyword_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "`{s}` is not one of: {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        display_serialize!($name);
    };
}

keyword_enum!(
    /// Where a document stands in its life cycle.
    Status {
        Draft = "draft",
        InReview = "in-review",
        Approved = "approved",
        Retired = "retired",
    }
);

keyword_enum!(
    /// What kind of document it is; decides the review interval and the id prefix.
    DocType {
        Policy = "policy",
        Standard = "standard",
        Procedure = "procedure",
        Guideline = "guideline",
        Plan = "plan",
        Register = "register",
        Record = "record",
        Form = "form",
    }
);

impl Status {
    /// Draft and in-review documents are not yet in force.
    pub fn is_in_force(self) -> bool {
        self == Status::Approved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_keeps_minor_as_a_number() {
        let v: Version = "1.10".parse().unwrap();
        assert_eq!(v.to_string(), "1.10");
        assert!(v > "1.9".parse().unwrap());
        assert!("1".parse::<Version>().is_err());
        assert!("1.2.3".parse::<Version>().is_err());
        assert!("01.1".parse::<Version>().is_err());
        assert!("1.01".parse::<Version>().is_err());
        assert_eq!("0.0".parse::<Version>().unwrap().to_string(), "0.0");
    }

    #[test]
    fn control_ids_accept_both_forms_and_print_one() {
        assert_eq!("5.15".parse::<ControlId>().unwrap().to_string(), "A.5.15");
        assert_eq!("A.8.34".parse::<ControlId>().unwrap().to_string(), "A.8.34");
        assert!("A.9.2.3".parse::<ControlId>().is_err());
    }

    #[test]
    fn dates_are_validated_and_do_arithmetic() {
        assert!("2026-02-30".parse::<Date>().is_err());
        assert!("2028-02-29".parse::<Date>().is_ok());
        let d: Date = "2026-01-31".parse().unwrap();
        assert_eq!(d.add_months(1).to_string(), "2026-02-28");
        assert_eq!(d.add_months(12).to_string(), "2027-01-31");
        assert_eq!(d.add_days(30).to_string(), "2026-03-02");
        for z in [-1000, 0, 20000, 20415] {
            assert_eq!(Date::from_days_since_epoch(z).days_since_epoch(), z);
        }
    }

    #[test]
    fn document_ids_are_checked() {
        assert!("POL-005".parse::<DocumentId>().is_ok());
        assert!("pol-005".parse::<DocumentId>().is_err());
        assert!("P-005".parse::<DocumentId>().is_err());
        assert!("POL-00005".parse::<DocumentId>().is_err());
    }

    #[test]
    fn intervals_parse_words() {
        assert_eq!("12 months".parse::<Interval>(), Ok(Interval::Months(12)));
        assert_eq!("1 year".parse::<Interval>(), Ok(Interval::Months(12)));
        assert_eq!("30 days".parse::<Interval>(), Ok(Interval::Days(30)));
        assert_eq!("none".parse::<Interval>(), Ok(Interval::None));
        assert!("soon".parse::<Interval>().is_err());
        assert_eq!("100 years".parse::<Interval>(), Ok(Interval::Months(1200)));
        for huge in [
            "101 years",
            "99999999 months",
            "4294967295 weeks",
            "429496730 years",
        ] {
            assert!(
                huge.parse::<Interval>().unwrap_err().contains("100 years"),
                "{huge}"
            );
        }
    }
}
