//! Which reminders an application implies, when they may go out, and what they say.
//!
//! Three kinds: renewal before the validity ends (days per region YAML), a nudge the working day
//! after a missed review deadline, and a reminder before a supplement deadline. All are planned
//! for 09:00 China time and only ever sent between 09:00 and 20:00: people should not be woken
//! by a benefit reminder, and a reminder due at night waits for the morning.
//!
//! Texts are rendered when sent (not when planned), so they use the application's state and the
//! region data of that moment.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};

use super::{Application, Status};
use crate::clock::{china_offset, china_today, in_china};
use crate::content::calendar::Calendar;
use crate::content::regions::Region;
use crate::content::Content;
use crate::policy::calendar::{self, working_days_after};
use crate::policy::dates::format_cn;

/// First hour (China time) reminders may be sent.
pub const SEND_FROM_HOUR: u32 = 9;
/// Reminders are not sent from this hour (China time) on.
pub const SEND_UNTIL_HOUR: u32 = 20;

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ReminderKind {
    /// The benefit's validity ends in `days_before` days.
    Renewal {
        /// Days before the end of validity.
        days_before: u32,
    },
    /// The review deadline passed without a reported result.
    ReviewOverdue,
    /// Supplement materials are due in `days_before` days.
    Supplement {
        /// Days before the supplement deadline.
        days_before: u32,
    },
    /// The day the user said they would hand the application in.
    HandIn,
    /// A task of the user's own on a day they named (`12月20号提醒我带我妈去复查`): no
    /// application; the task is stored beside it ([`super::TaskReminder`]).
    Task,
}

impl ReminderKind {
    /// Stable key stored in the database (part of the uniqueness key).
    pub fn key(self) -> String {
        match self {
            ReminderKind::Renewal { days_before } => format!("renewal:{days_before}"),
            ReminderKind::ReviewOverdue => "review_overdue".to_string(),
            ReminderKind::Supplement { days_before } => format!("supplement:{days_before}"),
            ReminderKind::HandIn => "hand_in".to_string(),
            ReminderKind::Task => "task".to_string(),
        }
    }

    /// Parses [`ReminderKind::key`].
    pub fn from_key(key: &str) -> Option<ReminderKind> {
        if key == "review_overdue" {
            return Some(ReminderKind::ReviewOverdue);
        }
        if key == "hand_in" {
            return Some(ReminderKind::HandIn);
        }
        if key == "task" {
            return Some(ReminderKind::Task);
        }
        let (name, days) = key.split_once(':')?;
        let days_before = days.parse().ok()?;
        match name {
            "renewal" => Some(ReminderKind::Renewal { days_before }),
            "supplement" => Some(ReminderKind::Supplement { days_before }),
            _ => None,
        }
    }

    /// Name shown in /reminders.
    pub fn label(self) -> String {
        match self {
            ReminderKind::Renewal { days_before } => format!("续期提醒（到期前{days_before}天）"),
            ReminderKind::ReviewOverdue => "审核超期提醒".to_string(),
            ReminderKind::Supplement { days_before } => {
                format!("补材料提醒（截止前{days_before}天）")
            }
            ReminderKind::HandIn => "交申请提醒".to_string(),
            ReminderKind::Task => "事项提醒".to_string(),
        }
    }
}

/// Where a reminder stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderState {
    /// Waiting for its time.
    Pending,
    /// Delivered.
    Sent,
    /// Switched off by the user.
    Off,
    /// Given up (application gone, out of date, superseded, or too many failures).
    Dropped,
}

impl ReminderState {
    /// Stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderState::Pending => "pending",
            ReminderState::Sent => "sent",
            ReminderState::Off => "off",
            ReminderState::Dropped => "dropped",
        }
    }

    /// Parses [`ReminderState::as_str`].
    pub fn parse(value: &str) -> Option<ReminderState> {
        [ReminderState::Pending, ReminderState::Sent, ReminderState::Off, ReminderState::Dropped]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// A stored reminder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    /// Database id.
    pub id: i64,
    /// What about.
    pub kind: ReminderKind,
    /// Earliest time to send (always inside the send window).
    pub due_at: DateTime<Utc>,
    /// Where it stands.
    pub state: ReminderState,
}

/// A reminder an application implies; stored once per (application, kind, due_at).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PlannedReminder {
    /// What about.
    pub kind: ReminderKind,
    /// When to send.
    pub due_at: DateTime<Utc>,
}

/// Whether `now` is inside the daily send window (09:00–20:00 China time).
pub fn in_send_window(now: DateTime<Utc>) -> bool {
    (SEND_FROM_HOUR..SEND_UNTIL_HOUR).contains(&in_china(now).hour())
}

/// The first instant at or after `at` inside the send window.
pub fn next_send_time(at: DateTime<Utc>) -> DateTime<Utc> {
    if in_send_window(at) {
        return at;
    }
    let local = in_china(at);
    let day = if local.hour() < SEND_FROM_HOUR {
        local.date_naive()
    } else {
        local.date_naive() + Duration::days(1)
    };
    morning(day)
}

/// 09:00 China time on `day`.
pub fn morning(day: NaiveDate) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(SEND_FROM_HOUR, 0, 0).expect("valid time");
    china_offset()
        .from_local_datetime(&day.and_time(time))
        .single()
        .expect("UTC+8 has no gaps")
        .with_timezone(&Utc)
}

/// The review deadline of an application under review (region's working days after acceptance);
/// `None` without an acceptance date, for a kind no source gives a time limit for, or in a
/// region that publishes no limit (no deadline there, so no overdue reminder either).
pub fn review_due(app: &Application, region: &Region, cal: &Calendar) -> Option<calendar::Due> {
    if !app.details.kind.has_review_limit() {
        return None;
    }
    let accepted = app.accepted_on()?;
    Some(working_days_after(cal, accepted, region.review_days()?))
}

/// Every reminder `app` implies from now on. Days already past in China are skipped: a
/// reminder for a day that is gone would arrive late and out of context (the chat reply that
/// recorded the change already says what to do).
pub fn plan(
    app: &Application,
    region: Option<&Region>,
    cal: &Calendar,
    now: DateTime<Utc>,
) -> Vec<PlannedReminder> {
    let Some(region) = region else { return Vec::new() };
    let today = china_today(now);
    let mut planned = Vec::new();
    let mut add = |kind, day: NaiveDate| {
        if day >= today {
            planned.push(PlannedReminder { kind, due_at: next_send_time(morning(day).max(now)) });
        }
    };
    match app.status() {
        Status::Approved => {
            if let Some(end) = app.valid_until() {
                let days = &region.reminders.renewal_days_before;
                for &days_before in days {
                    add(
                        ReminderKind::Renewal { days_before },
                        end - Duration::days(days_before.into()),
                    );
                }
                if let Some(day) = renewal_catch_up(app, days, end) {
                    let days_before = u32::try_from((end - day).num_days()).unwrap_or(0);
                    add(ReminderKind::Renewal { days_before }, day);
                }
            }
        }
        Status::NeedsSupplement => {
            if let super::Event::NeedsSupplement { by: Some(by), .. } = app.current() {
                for &days_before in &region.reminders.supplement_days_before {
                    add(
                        ReminderKind::Supplement { days_before },
                        *by - Duration::days(days_before.into()),
                    );
                }
            }
        }
        Status::Draft => {
            if let super::Event::Planned { hand_in_on: Some(day) } = app.current() {
                add(ReminderKind::HandIn, *day);
            }
        }
        status if status.under_review() => {
            if let Some(due) = review_due(app, region, cal) {
                add(ReminderKind::ReviewOverdue, calendar::next_working_day(cal, due.date).date);
            }
        }
        _ => {}
    }
    planned.sort_by_key(|p| (p.due_at, p.kind));
    planned.dedup();
    planned
}

/// The day of one extra renewal reminder when the validity was recorded after a regular
/// reminder's day had passed (expiry 12-20 told on 11-28: the 30-day reminder of 11-20 is
/// gone). It comes the morning after the recording, not at once: the reply that recorded it
/// already says to renew now. Tied to the recording day, so planning again later neither moves
/// it nor repeats it once sent; `None` when no reminder was missed or a regular one falls that
/// day anyway.
pub fn renewal_catch_up(
    app: &Application,
    days_before: &[u32],
    end: NaiveDate,
) -> Option<NaiveDate> {
    let recorded = china_today(app.history.last()?.at);
    let regular: Vec<NaiveDate> =
        days_before.iter().map(|d| end - Duration::days((*d).into())).collect();
    let missed = regular.iter().any(|day| *day < recorded);
    let day = recorded + Duration::days(1);
    (missed && day <= end && !regular.contains(&day)).then_some(day)
}

/// Whether a due reminder still says something true when it is about to go out (a worker that
/// was down for days must not remind of a deadline already past, or of a review already decided).
pub fn still_relevant(kind: ReminderKind, app: &Application, now: DateTime<Utc>) -> bool {
    let today = china_today(now);
    match kind {
        ReminderKind::Renewal { .. } => {
            app.status() == Status::Approved && app.valid_until().is_some_and(|end| end >= today)
        }
        ReminderKind::Supplement { .. } => matches!(
            app.current(),
            super::Event::NeedsSupplement { by: Some(by), .. } if *by >= today
        ),
        // Once it is handed in (reported), the nudge to hand it in says nothing true.
        ReminderKind::HandIn => app.status() == Status::Draft,
        // A nudge stored before kinds without a time limit stopped getting one is not sent.
        ReminderKind::ReviewOverdue => {
            app.status().under_review() && app.details.kind.has_review_limit()
        }
        // Never tied to an application (see [`task_message`]).
        ReminderKind::Task => false,
    }
}

/// Whether `a` and `b` remind of the same deadline (30 and 7 days before the same validity end):
/// when both are due at once, only the later one is worth sending.
pub fn same_deadline(a: ReminderKind, b: ReminderKind) -> bool {
    std::mem::discriminant(&a) == std::mem::discriminant(&b)
}

/// Who to call: the region's hotline, or the national one when the region has none on record.
pub fn contact(region: Option<&Region>) -> String {
    match region {
        Some(region) => region.contact(),
        None => "全国医疗保障服务热线 12393".to_string(),
    }
}

/// The region's main online channel (the app people apply and check progress in), or a neutral
/// name when the region data lists none.
pub fn app_name(region: Option<&Region>) -> String {
    region
        .and_then(|r| r.channels.first())
        .map(|c| c.name.clone())
        .unwrap_or_else(|| "当地医保APP/小程序".to_string())
}

/// Where to check progress. The `channel` slot may be an app name or just 线上/线下, so only a
/// name that is an app is quoted as one; otherwise the region's main app is named.
pub fn where_to_check(app: &Application, region: Option<&Region>) -> String {
    let channel = app.details.channel.as_deref().map(str::trim).filter(|c| !c.is_empty());
    match channel {
        Some(c) if is_app_name(c, region) => format!("在“{c}”中查看办理进度"),
        Some("线下") => "到办理的窗口（或提交材料的医院）询问办理进度".to_string(),
        _ => format!("在“{}”中查看办理进度（线下办理的可到窗口询问）", app_name(region)),
    }
}

/// Whether a `channel` slot value names an app, mini-program or public account rather than a
/// way of applying (线上/线下).
fn is_app_name(channel: &str, region: Option<&Region>) -> bool {
    region.is_some_and(|r| r.channels.iter().any(|c| c.name == channel))
        || ["APP", "App", "app", "小程序", "公众号"].iter().any(|w| channel.contains(w))
}

/// The text of a reminder, rendered at send time.
pub fn message(
    kind: ReminderKind,
    app: &Application,
    content: &Content,
    now: DateTime<Utc>,
) -> String {
    let region = app.details.region.as_deref().and_then(|id| content.regions.get(id));
    let title = app.title(region.map(|r| r.name.as_str()));
    let today = china_today(now);
    let body = match kind {
        ReminderKind::Renewal { .. } => match app.valid_until() {
            Some(end) => format!(
                "【门特续期提醒】您的“{title}”有效期到{}（还有{}天）。请尽早办理续期（延期），以免待遇中断。",
                format_cn(end),
                (end - today).num_days().max(0)
            ),
            None => format!("【门特续期提醒】您的“{title}”快到期了，请尽早办理续期（延期）。"),
        },
        ReminderKind::ReviewOverdue => {
            let due = region.and_then(|r| review_due(app, r, &content.calendar));
            let when = match (app.accepted_on(), due) {
                (Some(on), Some(due)) => format!(
                    "于{}受理，审核期限是{}{}，",
                    format_cn(on),
                    format_cn(due.date),
                    if due.exact { String::new() } else { format!("（{}）", calendar::note(&content.calendar, due)) }
                ),
                _ => String::new(),
            };
            format!(
                "【门特审核进度】您的“{title}”{when}到现在还没有记录结果。建议{}；如果已经有结果，回复“审核通过了，有效期到…”或在“我的申请”里更新。",
                where_to_check(app, region)
            )
        }
        ReminderKind::Supplement { .. } => {
            let (what, by) = match app.current() {
                super::Event::NeedsSupplement { what, by } => (what.clone(), *by),
                _ => (None, None),
            };
            let what = what.map(|w| format!("（{w}）")).unwrap_or_default();
            let by = by
                .map(|b| format!("，截止{}（还有{}天）", format_cn(b), (b - today).num_days().max(0)))
                .unwrap_or_default();
            format!("【补材料提醒】您的“{title}”需要补交材料{what}{by}。请按时补交，逾期可能影响审核。")
        }
        ReminderKind::HandIn => format!(
            "【交申请提醒】您说今天去交“{title}”的申请。交的时候留好受理回执或记下APP里的受理号；受理以后回复“今天受理的”，我帮您算审核期限，到期没有结果再提醒您。"
        ),
        ReminderKind::Task => format!("【事项提醒】您让我今天提醒您：{title}。"),
    };
    format!("{body}\n有疑问可咨询{}。（关闭提醒：发送 /reminders）", contact(region))
}

/// The text of a reminder of the user's own task (`复查`), sent once on the day they named.
/// It names only the task: the day is today, and nothing about a benefit is claimed.
pub fn task_message(task: &str) -> String {
    format!("【事项提醒】您让我今天提醒您：{task}。\n（这是您自己设的提醒，只发这一次；查看或取消提醒：发送 /reminders）")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn send_window_is_nine_to_eight_china_time() {
        assert!(!in_send_window(utc("2026-03-02T08:59:00+08:00")));
        assert!(in_send_window(utc("2026-03-02T09:00:00+08:00")));
        assert!(in_send_window(utc("2026-03-02T19:59:00+08:00")));
        assert!(!in_send_window(utc("2026-03-02T20:00:00+08:00")));
        assert_eq!(
            next_send_time(utc("2026-03-02T23:30:00+08:00")),
            utc("2026-03-03T09:00:00+08:00")
        );
        assert_eq!(
            next_send_time(utc("2026-03-02T06:00:00+08:00")),
            utc("2026-03-02T09:00:00+08:00")
        );
        assert_eq!(
            next_send_time(utc("2026-03-02T12:00:00+08:00")),
            utc("2026-03-02T12:00:00+08:00")
        );
    }

    #[test]
    fn kind_keys_round_trip() {
        for kind in [
            ReminderKind::Renewal { days_before: 30 },
            ReminderKind::ReviewOverdue,
            ReminderKind::Supplement { days_before: 3 },
            ReminderKind::HandIn,
            ReminderKind::Task,
        ] {
            assert_eq!(ReminderKind::from_key(&kind.key()), Some(kind));
        }
        assert_eq!(ReminderKind::from_key("renewal:x"), None);
    }
}
