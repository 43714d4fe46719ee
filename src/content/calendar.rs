//! Holiday calendar (`data/calendar/*.yaml`): official days off and make-up workdays per year.
//!
//! One file per year, as the State Council publishes one arrangement per year. A year the data
//! does not cover is not guessed: [`Calendar::working_day`] answers `None` there and the
//! working-day arithmetic falls back to a weekends-only *estimate* that callers must flag.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

use super::{yaml, Content, Diagnostic, SourceFile, Sources};

/// The official arrangements of every year the data covers.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    /// Year → its arrangement.
    pub years: BTreeMap<i32, Year>,
}

/// One year's arrangement.
#[derive(Debug, Clone, Default)]
pub struct Year {
    /// Where it comes from (the State Council notice).
    pub source: String,
    /// Days off, weekdays included (festivals).
    pub days_off: BTreeSet<NaiveDate>,
    /// Saturdays and Sundays that are working days (调休上班).
    pub workdays: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// The first and last year covered, if any.
    pub fn span(&self) -> Option<(i32, i32)> {
        Some((*self.years.keys().next()?, *self.years.keys().next_back()?))
    }

    /// Whether `date` is a working day per the official arrangement; `None` when its year is not
    /// covered (the caller decides how to estimate).
    pub fn working_day(&self, date: NaiveDate) -> Option<bool> {
        let year = self.years.get(&date.year())?;
        if year.days_off.contains(&date) {
            return Some(false);
        }
        if year.workdays.contains(&date) {
            return Some(true);
        }
        Some(!is_weekend(date))
    }
}

/// Saturday or Sunday.
pub fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: i32,
    source: String,
    festivals: Vec<RawFestival>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFestival {
    name: String,
    off: RawRange,
    #[serde(default)]
    workdays: Vec<NaiveDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    from: NaiveDate,
    to: NaiveDate,
}

/// Stage 1: parses every calendar file, checking each on its own: dates inside the file's year,
/// ranges in order, no day listed twice, make-up workdays on weekends, one file per year.
pub fn parse_all(files: &[SourceFile], diags: &mut Vec<Diagnostic>) -> Calendar {
    let mut calendar = Calendar::default();
    let mut seen: BTreeMap<i32, String> = BTreeMap::new();
    for file in files {
        let Some(raw) = yaml::parse::<RawYear>(file, diags) else { continue };
        if let Some(first) = seen.get(&raw.year) {
            diags.push(Diagnostic::new(
                &file.path,
                yaml::line_of(&file.text, "year", &raw.year.to_string()),
                format!("year {} is already defined in {first}", raw.year),
            ));
            continue;
        }
        seen.insert(raw.year, file.path.clone());
        let year = check_year(file, &raw, diags);
        calendar.years.insert(raw.year, year);
    }
    calendar
}

fn check_year(file: &SourceFile, raw: &RawYear, diags: &mut Vec<Diagnostic>) -> Year {
    let mut year = Year { source: raw.source.clone(), ..Year::default() };
    for festival in &raw.festivals {
        // A repeated date is wrong where it is repeated (its last mention), anything else where it
        // is first written; dates only implied by a range point at the festival.
        let mut problem = |date: NaiveDate, repeated: bool, message: String| {
            let line = date_line(&file.text, date, repeated)
                .unwrap_or_else(|| yaml::line_of(&file.text, "name", &festival.name));
            diags.push(Diagnostic::new(&file.path, line, format!("{}: {message}", festival.name)));
        };
        let (from, to) = (festival.off.from, festival.off.to);
        if from > to {
            problem(from, false, format!("`from` {from} is after `to` {to}"));
            continue;
        }
        for date in from.iter_days().take_while(|d| *d <= to) {
            if date.year() != raw.year {
                problem(date, false, format!("{date} is not in {}", raw.year));
            } else if year.workdays.contains(&date) || !year.days_off.insert(date) {
                problem(date, true, format!("{date} is listed twice"));
            }
        }
        for &date in &festival.workdays {
            if date.year() != raw.year {
                problem(date, false, format!("{date} is not in {}", raw.year));
            } else if !is_weekend(date) {
                problem(date, false, format!("make-up workday {date} is not a Saturday or Sunday"));
            } else if year.days_off.contains(&date) || !year.workdays.insert(date) {
                problem(date, true, format!("{date} is listed twice"));
            }
        }
    }
    year
}

/// The 1-based line of the first (or last) line mentioning `date`.
fn date_line(text: &str, date: NaiveDate, last: bool) -> Option<usize> {
    let needle = date.format("%Y-%m-%d").to_string();
    let mut lines =
        text.lines().enumerate().filter(|(_, l)| l.contains(&needle)).map(|(i, _)| i + 1);
    if last {
        lines.last()
    } else {
        lines.next()
    }
}

/// Stage 2: nothing refers to the calendar by name; an empty calendar is the one cross-file
/// problem (every deadline would silently become an estimate).
pub fn validate(content: &Content, _sources: &Sources, diags: &mut Vec<Diagnostic>) {
    if content.calendar.years.is_empty() {
        diags.push(Diagnostic::new(
            "data/calendar",
            1,
            "no holiday calendar: add data/calendar/<year>.yaml (official 放假调休安排)",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Calendar, Vec<Diagnostic>) {
        let file = SourceFile { path: "data/calendar/2025.yaml".into(), text: text.into() };
        let mut diags = Vec::new();
        let calendar = parse_all(&[file], &mut diags);
        (calendar, diags)
    }

    #[test]
    fn reads_days_off_and_make_up_workdays() {
        let (calendar, diags) = parse(
            "year: 2025\nsource: x\nfestivals:\n  - name: 春节\n    off: { from: 2025-01-28, to: 2025-02-04 }\n    workdays: [2025-01-26]\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        assert_eq!(calendar.working_day(d(1, 28)), Some(false));
        assert_eq!(calendar.working_day(d(1, 26)), Some(true), "make-up Sunday");
        assert_eq!(calendar.working_day(d(1, 25)), Some(false), "plain Saturday");
        assert_eq!(calendar.working_day(d(2, 5)), Some(true));
        assert_eq!(calendar.working_day(NaiveDate::from_ymd_opt(2027, 1, 4).unwrap()), None);
    }

    #[test]
    fn wrong_year_duplicates_and_weekday_workdays_point_at_their_line() {
        let (_, diags) = parse(
            "year: 2025\nsource: x\nfestivals:\n  - name: a\n    off: { from: 2026-01-01, to: 2026-01-01 }\n  - name: b\n    off: { from: 2025-05-01, to: 2025-05-02 }\n    workdays: [2025-04-28]\n  - name: c\n    off: { from: 2025-05-02, to: 2025-05-02 }\n",
        );
        let lines: Vec<(usize, &str)> =
            diags.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(diags.len(), 3, "{lines:?}");
        assert_eq!(diags[0].line, 5);
        assert!(diags[0].message.contains("not in 2025"));
        assert_eq!(diags[1].line, 8);
        assert!(diags[1].message.contains("not a Saturday or Sunday"));
        assert_eq!(diags[2].line, 10);
        assert!(diags[2].message.contains("twice"));
    }

    #[test]
    fn a_year_defined_twice_is_reported() {
        let text = "year: 2025\nsource: x\nfestivals: []\n";
        let files = [
            SourceFile { path: "a.yaml".into(), text: text.into() },
            SourceFile { path: "b.yaml".into(), text: text.into() },
        ];
        let mut diags = Vec::new();
        parse_all(&files, &mut diags);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].file, "b.yaml");
        assert!(diags[0].message.contains("already defined in a.yaml"));
    }
}
