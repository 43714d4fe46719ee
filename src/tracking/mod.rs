//! Application tracking: the `Application` record, its status history and the reminders it
//! implies. Pure domain logic; storage is in `store::tracking`, delivery in `scheduler`.
//!
//! Status flow: draft → submitted (acceptance number, date) → approved (valid until) | needs
//! supplement (what, by when) | rejected (reason) → resubmitted | appealed. Users report changes
//! late and out of order, so transitions are checked loosely (see [`Status::may_become`]) — the
//! aim is to catch nonsense like "approved → resubmitted", not to police the office's workflow.

pub mod reminders;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use reminders::{PlannedReminder, Reminder, ReminderKind, ReminderState};

/// What is being applied for; slot values `new`, `renew`, `change_hospital`, `remote`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 新申请 (资格认定).
    New,
    /// 续期·延期.
    Renew,
    /// 变更定点医院.
    ChangeHospital,
    /// 异地备案.
    Remote,
}

impl Kind {
    /// The slot value.
    pub fn slot(self) -> &'static str {
        match self {
            Kind::New => "new",
            Kind::Renew => "renew",
            Kind::ChangeHospital => "change_hospital",
            Kind::Remote => "remote",
        }
    }

    /// From a slot value.
    pub fn from_slot(value: &str) -> Option<Kind> {
        [Kind::New, Kind::Renew, Kind::ChangeHospital, Kind::Remote]
            .into_iter()
            .find(|k| k.slot() == value)
    }

    /// Whether the sources give a review time limit for this kind. Only the new application
    /// (资格认定) has one (攀枝花 seed: 自受理之日起15个工作日); for renewals, hospital changes
    /// and 异地备案 no source says how long the review takes, so no deadline may be computed and
    /// no overdue nudge planned for them.
    pub fn has_review_limit(self) -> bool {
        self == Kind::New
    }

    /// Name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Kind::New => "新申请",
            Kind::Renew => "续期·延期",
            Kind::ChangeHospital => "变更定点医院",
            Kind::Remote => "异地备案",
        }
    }
}

/// Whose benefit it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "who")]
pub enum ForWhom {
    /// The user's own.
    Myself,
    /// A relative's (the name only with consent).
    Relative {
        /// 母亲, 父亲 …
        relation: Option<String>,
        /// Their name; `None` without consent.
        name: Option<String>,
    },
}

/// One change of status, with what came with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Event {
    /// Being prepared, not handed in yet.
    Draft,
    /// Not handed in yet, to be handed in on a day the user named (`我明天去交 到时候提醒我`):
    /// reminded of that morning.
    Planned {
        /// The day the user means to hand it in.
        hand_in_on: Option<NaiveDate>,
    },
    /// Accepted by the office (受理).
    Submitted {
        /// Day of acceptance: the review clock starts the next working day.
        accepted_on: Option<NaiveDate>,
        /// 受理号, when known.
        acceptance_no: Option<String>,
    },
    /// Approved.
    Approved {
        /// End of the benefit's validity, when known.
        valid_until: Option<NaiveDate>,
    },
    /// The office asked for more material.
    NeedsSupplement {
        /// What to hand in.
        what: Option<String>,
        /// By when.
        by: Option<NaiveDate>,
    },
    /// Turned down.
    Rejected {
        /// Reason given.
        reason: Option<String>,
    },
    /// Handed in again (after a supplement request or a rejection): a new review period.
    Resubmitted {
        /// Day the office accepted it again.
        accepted_on: Option<NaiveDate>,
    },
    /// Appealed against a rejection.
    Appealed,
}

/// The status part of an [`Event`], for transitions and display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 准备中.
    Draft,
    /// 已受理.
    Submitted,
    /// 已通过.
    Approved,
    /// 需补材料.
    NeedsSupplement,
    /// 被驳回.
    Rejected,
    /// 已重新提交.
    Resubmitted,
    /// 已申诉.
    Appealed,
}

impl Event {
    /// Its status.
    pub fn status(&self) -> Status {
        match self {
            Event::Draft | Event::Planned { .. } => Status::Draft,
            Event::Submitted { .. } => Status::Submitted,
            Event::Approved { .. } => Status::Approved,
            Event::NeedsSupplement { .. } => Status::NeedsSupplement,
            Event::Rejected { .. } => Status::Rejected,
            Event::Resubmitted { .. } => Status::Resubmitted,
            Event::Appealed => Status::Appealed,
        }
    }
}

impl Status {
    /// Name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "准备中（还没交）",
            Status::Submitted => "已受理，审核中",
            Status::Approved => "已通过（待遇有效）",
            Status::NeedsSupplement => "需要补材料",
            Status::Rejected => "被驳回",
            Status::Resubmitted => "已重新提交，审核中",
            Status::Appealed => "已申诉",
        }
    }

    /// Waiting for the office's decision: the review deadline applies.
    pub fn under_review(self) -> bool {
        matches!(self, Status::Submitted | Status::Resubmitted | Status::Appealed)
    }

    /// Whether an application in this status may move to `next`. Reporting the same status again
    /// is allowed: it updates the details (a validity date, an acceptance number).
    pub fn may_become(self, next: Status) -> bool {
        use Status::*;
        if self == next {
            return true;
        }
        match next {
            Draft => false,
            Submitted => self == Draft,
            Approved | NeedsSupplement | Rejected => self != Approved,
            Resubmitted => matches!(self, NeedsSupplement | Rejected),
            Appealed => self == Rejected,
        }
    }
}

/// One entry of the status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEntry {
    /// What happened.
    pub event: Event,
    /// When the user reported it.
    pub at: DateTime<Utc>,
}

/// What the user told about an application when recording it (no database id yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationDetails {
    /// What is applied for.
    pub kind: Kind,
    /// Region id.
    pub region: Option<String>,
    /// Catalogue name; `None` without consent.
    pub disease: Option<String>,
    /// `employee` / `resident`.
    pub insurance: Option<String>,
    /// Whose benefit.
    pub for_whom: ForWhom,
    /// Masked ID number only (`1101**********002X`); `None` without consent.
    pub id_masked: Option<String>,
    /// Channel used (线上/线下, app name).
    pub channel: Option<String>,
}

/// One application a user is keeping track of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    /// Database id.
    pub id: i64,
    /// What the user told.
    pub details: ApplicationDetails,
    /// Status changes, oldest first; never empty once stored.
    pub history: Vec<StatusEntry>,
    /// Its reminders (all states), soonest first.
    #[serde(default)]
    pub reminders: Vec<Reminder>,
}

impl Application {
    /// The current status event (`Draft` for an empty history).
    pub fn current(&self) -> &Event {
        self.history.last().map(|e| &e.event).unwrap_or(&Event::Draft)
    }

    /// The current status.
    pub fn status(&self) -> Status {
        self.current().status()
    }

    /// The day of the latest (re)acceptance: the review clock runs from here.
    pub fn accepted_on(&self) -> Option<NaiveDate> {
        self.history.iter().rev().find_map(|e| match &e.event {
            Event::Submitted { accepted_on, .. } | Event::Resubmitted { accepted_on } => {
                *accepted_on
            }
            _ => None,
        })
    }

    /// The latest acceptance number given.
    pub fn acceptance_no(&self) -> Option<&str> {
        self.history.iter().rev().find_map(|e| match &e.event {
            Event::Submitted { acceptance_no: Some(no), .. } => Some(no.as_str()),
            _ => None,
        })
    }

    /// End of validity from the latest approval that gave one.
    pub fn valid_until(&self) -> Option<NaiveDate> {
        self.history.iter().rev().find_map(|e| match &e.event {
            Event::Approved { valid_until } => *valid_until,
            _ => None,
        })
    }

    /// A short name for lists: 续期·延期 · 邵阳 · 糖尿病（母亲）.
    pub fn title(&self, region_name: Option<&str>) -> String {
        let d = &self.details;
        let mut parts = vec![d.kind.label().to_string()];
        parts.extend(region_name.map(str::to_string));
        parts.extend(d.disease.clone());
        let mut title = parts.join(" · ");
        if let ForWhom::Relative { relation, name } = &d.for_whom {
            let who: Vec<&str> =
                [relation.as_deref(), name.as_deref()].into_iter().flatten().collect();
            title.push_str(&format!(
                "（{}）",
                if who.is_empty() { "家人".into() } else { who.join(" ") }
            ));
        }
        title
    }

    /// Whether this application may move to `next`: as [`Status::may_become`], and besides a
    /// 续期·延期 recorded with its benefit approved may be handed in (`延期申请今天已经提交了`):
    /// the renewal of that benefit is then under review.
    pub fn may_become(&self, next: Status) -> bool {
        let from = self.status();
        from.may_become(next)
            || (self.details.kind == Kind::Renew
                && from == Status::Approved
                && next == Status::Submitted)
    }

    /// The event to store for a report: merges a repeated status into the current one so that
    /// "受理号是…" after "已受理" keeps the date, and "有效期到…" after "已通过" keeps the status.
    pub fn merged(&self, event: Event) -> Event {
        match (self.current(), event) {
            (
                Event::Submitted { accepted_on: old_on, acceptance_no: old_no },
                Event::Submitted { accepted_on, acceptance_no },
            ) => Event::Submitted {
                accepted_on: accepted_on.or(*old_on),
                acceptance_no: acceptance_no.or_else(|| old_no.clone()),
            },
            (
                Event::NeedsSupplement { what: old_what, by: old_by },
                Event::NeedsSupplement { what, by },
            ) => Event::NeedsSupplement {
                what: what.or_else(|| old_what.clone()),
                by: by.or(*old_by),
            },
            (_, event) => event,
        }
    }
}

/// A change to applications requested by a dialog; applied by the store in the turn's transaction.
/// Each carries the complete reminder plan computed by the pure side (the store has no content),
/// so the store only replaces the unsent plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ApplicationCommand {
    /// Record a new application with its first status events.
    Record {
        /// What the user told.
        details: ApplicationDetails,
        /// Initial history (draft, or submitted …).
        events: Vec<Event>,
        /// Reminders it implies.
        reminders: Vec<PlannedReminder>,
    },
    /// A status change of an existing application.
    Report {
        /// Application id (must belong to the user).
        id: i64,
        /// What happened.
        event: Event,
        /// The full reminder plan after the change: unsent reminders not in it are dropped.
        reminders: Vec<PlannedReminder>,
    },
    /// Delete an application with its history and reminders.
    Delete {
        /// Application id (must belong to the user).
        id: i64,
    },
}

/// A reminder of the user's own task on a day they named (`12月20号提醒我带我妈去复查`): not
/// tied to any application. Sent once, on that day's morning, inside the send window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskReminder {
    /// Database id (its row in `reminders`, kind `task`).
    pub id: i64,
    /// The task, short and without names or ID numbers (复查, 开诊断证明 …).
    pub task: String,
    /// When it goes out.
    pub due_at: DateTime<Utc>,
    /// Where it stands.
    pub state: ReminderState,
}

/// A change to reminders requested by a dialog (/reminders).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ReminderCommand {
    /// Keep a reminder of the user's own task (with consent: it is their own words).
    AddTask {
        /// The task, already short and filtered ([`TaskReminder::task`]).
        task: String,
        /// When it goes out (inside the send window).
        due_at: DateTime<Utc>,
    },
    /// Delete a reminder of the user's own task (nothing of it is kept).
    DeleteTask {
        /// Reminder id (must belong to the user and be a task's).
        id: i64,
    },
    /// Move a pending reminder of the user's own task to another day (`提醒改到12月14号`): the
    /// same row, task and id, only the time it goes out changes.
    MoveTask {
        /// Reminder id (must belong to the user, be a task's and still pending).
        id: i64,
        /// When it goes out now (inside the send window).
        due_at: DateTime<Utc>,
    },
    /// Switch one reminder off (it is kept, so re-planning does not bring it back).
    SwitchOff {
        /// Reminder id (must belong to the user).
        id: i64,
    },
    /// Switch off every pending reminder of the user.
    SwitchOffAll,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_follow_the_office_workflow() {
        use Status::*;
        assert!(Draft.may_become(Submitted));
        assert!(Submitted.may_become(Approved));
        assert!(Submitted.may_become(NeedsSupplement));
        assert!(NeedsSupplement.may_become(Resubmitted));
        assert!(Rejected.may_become(Appealed));
        assert!(Approved.may_become(Approved), "a later validity date updates it");
        assert!(!Approved.may_become(Resubmitted));
        assert!(!Approved.may_become(Rejected));
        assert!(!Submitted.may_become(Appealed));
        assert!(!Approved.may_become(Submitted));
    }

    #[test]
    fn only_an_approved_renewal_may_be_handed_in_again() {
        let approved = |kind| Application {
            id: 1,
            details: ApplicationDetails {
                kind,
                region: None,
                disease: None,
                insurance: None,
                for_whom: ForWhom::Myself,
                id_masked: None,
                channel: None,
            },
            history: vec![StatusEntry {
                event: Event::Approved { valid_until: None },
                at: DateTime::<Utc>::default(),
            }],
            reminders: Vec::new(),
        };
        assert!(approved(Kind::Renew).may_become(Status::Submitted));
        assert!(!approved(Kind::New).may_become(Status::Submitted));
        assert!(!approved(Kind::Renew).may_become(Status::Rejected));
    }

    #[test]
    fn kinds_round_trip_through_slot_values() {
        for kind in [Kind::New, Kind::Renew, Kind::ChangeHospital, Kind::Remote] {
            assert_eq!(Kind::from_slot(kind.slot()), Some(kind));
        }
        assert_eq!(Kind::from_slot("续期"), None);
    }
}
