//! Working-day arithmetic over the holiday calendar (`working_days_after`).
//!
//! STUB: owned by the tracking work (issue 4). This placeholder counts weekends only and always
//! reports `exact: false`; the signature is the contract the engine uses.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::content::calendar::Calendar;

/// A computed deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// The Nth working day after the start.
    pub date: NaiveDate,
    /// `false` when any day counted lies outside the years the calendar covers (weekends-only
    /// estimate): every message showing this date must say so.
    pub exact: bool,
}

/// The `days`-th working day after `start` (the start day itself is not counted).
pub fn working_days_after(_calendar: &Calendar, start: NaiveDate, days: u32) -> Due {
    let mut date = start;
    let mut left = days;
    while left > 0 {
        date += Duration::days(1);
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    Due { date, exact: false }
}
