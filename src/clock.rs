//! Time as an injected value: China time helpers and the clock abstraction.
//!
//! The pure core never reads the system clock; callers pass `now`. Adapters get it from a
//! [`Clock`], which tests replace with a fixed one.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// China Standard Time (UTC+8, no daylight saving): every date a user sees is in this zone.
pub fn china_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// `now` as a China-time timestamp.
pub fn in_china(now: DateTime<Utc>) -> DateTime<FixedOffset> {
    now.with_timezone(&china_offset())
}

/// Today's date in China.
pub fn china_today(now: DateTime<Utc>) -> NaiveDate {
    in_china(now).date_naive()
}

/// A source of the current time, injected into adapters and workers.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that always returns the same instant (tests, `--now`).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
