//! Sample data shared by the tests of every channel's reminders.

use chrono::{DateTime, NaiveDate, Utc};
use mente::tracking::{
    ApplicationCommand, ApplicationDetails, Event, ForWhom, Kind, PlannedReminder, ReminderKind,
};

/// An application of `kind` in `region` for oneself, with nothing else known.
pub fn details(kind: Kind, region: &str) -> ApplicationDetails {
    ApplicationDetails {
        kind,
        region: Some(region.into()),
        disease: None,
        insurance: None,
        for_whom: ForWhom::Myself,
        id_masked: None,
        channel: None,
    }
}

/// An approved 邵阳 renewal for oneself, valid until `valid_until`, with one renewal reminder
/// per time in `due` (30, 29, … days before).
pub fn approved_renewal(valid_until: NaiveDate, due: &[DateTime<Utc>]) -> ApplicationCommand {
    let details = details(Kind::Renew, "shaoyang");
    let reminders = due
        .iter()
        .enumerate()
        .map(|(i, due_at)| PlannedReminder {
            kind: ReminderKind::Renewal { days_before: 30 - i as u32 },
            due_at: *due_at,
        })
        .collect();
    ApplicationCommand::Record {
        details,
        events: vec![Event::Approved { valid_until: Some(valid_until) }],
        reminders,
    }
}

/// A calendar day (tests only use valid ones).
pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid day")
}
