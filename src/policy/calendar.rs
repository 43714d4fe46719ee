//! Working-day arithmetic over the holiday calendar (`working_days_after`).
//!
//! Chinese administrative deadlines (自受理之日起N个工作日) do not count the day of acceptance:
//! the deadline is the Nth working day after it, skipping official days off and counting make-up
//! Saturdays/Sundays. Days in a year the calendar does not cover are judged by weekends only, and
//! the result is then flagged as an estimate rather than silently presented as exact.

use chrono::NaiveDate;

use crate::content::calendar::{is_weekend, Calendar};

/// A computed deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// The Nth working day after the start.
    pub date: NaiveDate,
    /// `false` when any day counted lies outside the years the calendar covers (weekends-only
    /// estimate): every message showing this date must say so.
    pub exact: bool,
}

/// The `days`-th working day after `start` (the start day itself is not counted). `days == 0`
/// gives `start` itself. Callers pass dates read from users (years 1990–2100); should the count
/// run past the last date chrono can represent it stops there, flagged as an estimate, rather
/// than panicking — use [`checked_working_days_after`] to report that instead.
pub fn working_days_after(calendar: &Calendar, start: NaiveDate, days: u32) -> Due {
    checked_working_days_after(calendar, start, days)
        .unwrap_or(Due { date: NaiveDate::MAX, exact: false })
}

/// [`working_days_after`], or `None` when the deadline lies beyond the last representable date
/// (`mente due --from +262142-12-31`).
pub fn checked_working_days_after(calendar: &Calendar, start: NaiveDate, days: u32) -> Option<Due> {
    let mut date = start;
    let mut left = days;
    let mut exact = true;
    while left > 0 {
        date = date.succ_opt()?;
        let working = match calendar.working_day(date) {
            Some(working) => working,
            None => {
                exact = false;
                !is_weekend(date)
            }
        };
        if working {
            left -= 1;
        }
    }
    Some(Due { date, exact })
}

/// The first working day strictly after `date` (e.g. the day after a missed deadline).
pub fn next_working_day(calendar: &Calendar, date: NaiveDate) -> Due {
    working_days_after(calendar, date, 1)
}

/// A short Chinese note for a due date: which calendar it rests on, or that it is an estimate.
pub fn note(calendar: &Calendar, due: Due) -> String {
    if due.exact {
        "已按国务院公布的节假日安排顺延".to_string()
    } else {
        let covered = match calendar.span() {
            Some((first, last)) if first == last => format!("目前只收录了{first}年的放假安排"),
            Some((first, last)) => format!("目前只收录了{first}—{last}年的放假安排"),
            None => "尚未收录放假安排".to_string(),
        };
        format!("这是估算：{covered}，其余年份只按周末推算，遇节假日会顺延，请以经办机构通知为准")
    }
}
