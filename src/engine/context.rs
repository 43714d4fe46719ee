//! What this conversation has established so far (issue 17): the insurance type and status,
//! age, the diseases, amounts and dates the user mentioned, the last question and the last
//! answer. Each message is read against it — `糖尿病呢` repeats the last question with another
//! disease, `70000` is the amount the estimate asked for, a date said once is not asked again.
//!
//! Data only: this module knows nothing about turns or replies, so the layers stay one-way —
//! `context` ← `composed` (answers) ← `understood` (the free-text policy) ← `text` (typed text).
//!
//! Privacy: the record lives only in the session (never copied into applications or
//! reminders), is cleared after [`IDLE_MINUTES`] without a message, and `/forget` erases it with
//! the session. Its facts are not identifiers; identifiers in a remembered question are masked.
//!
//! Layer: base — imports no other engine module.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::understand::{Insurance, Understanding, WorkStatus};

/// A conversation idle this long starts afresh: a follow-up half an hour later is a new topic,
/// and health facts should not outlive the conversation they were said in.
pub const IDLE_MINUTES: i64 = 30;

/// The one-line privacy note on what is kept, for the help text and the README.
pub const PRIVACY_NOTE: &str =
    "对话中说过的险种、病种、金额和日期只在本次对话中使用，30分钟无消息即清除，发送 /forget 立即删除。";

/// Dates and amounts remembered at most (the latest win).
const MAX_REMEMBERED: usize = 3;

/// What the conversation has established. Stored in the session as JSON; every field has a
/// default so sessions saved before it existed still load.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Context {
    /// `employee` or `resident`, as the application slot stores it.
    pub insurance: Option<String>,
    /// `in_service`, `retired` or `flexible`.
    pub status: Option<String>,
    /// Age in years.
    pub age: Option<u32>,
    /// Catalogue names of the diseases asked about, latest last.
    pub diseases: Vec<String>,
    /// Yearly amounts in yuan, latest last.
    pub amounts: Vec<f64>,
    /// The latest amount when it was said as a range (`四五千`): low and high end.
    pub amount_range: Option<(f64, f64)>,
    /// Dates said, latest last.
    pub dates: Vec<NaiveDate>,
    /// The last question answered (identifiers masked), for follow-ups that name only a value.
    pub question: Option<String>,
    /// The region that question was answered for.
    pub question_region: Option<String>,
    /// FAQ topics of the questions asked (`deductible`, `ratio` …), latest last: `那我爸呢 他是
    /// 退休职工` asks every cost topic of the conversation again for him.
    pub topics: Vec<String>,
    /// A question asked before any region was chosen, answered once one is.
    pub before_region: Option<String>,
    /// The text of the last answer, so the same text is never sent twice in a row.
    pub last_answer: Option<String>,
    /// When the user last wrote.
    pub seen: Option<DateTime<Utc>>,
}

impl Context {
    /// Forgets everything when the conversation was idle too long; stamps `now`.
    pub fn touch(&mut self, now: DateTime<Utc>) {
        if self.seen.is_some_and(|seen| now - seen > Duration::minutes(IDLE_MINUTES)) {
            *self = Context::default();
        }
        self.seen = Some(now);
    }

    /// Takes the facts `u` states (insurance, status, age, diseases, amounts, dates).
    pub fn learn(&mut self, u: &Understanding, region: Option<&str>) {
        if let Some(insurance) = said_insurance(u) {
            self.insurance = Some(insurance);
        }
        if let Some(status) = u.status {
            self.status = Some(status_code(status).to_string());
        }
        if u.age.is_some() {
            self.age = u.age;
        }
        for name in u.disease_names(region) {
            self.diseases.retain(|d| d != name);
            self.diseases.push(name.to_string());
        }
        keep_latest(&mut self.diseases);
        if !u.amounts.is_empty() {
            self.amount_range = u.amount_range;
        }
        self.amounts.extend(u.amounts.iter().copied());
        keep_latest(&mut self.amounts);
        for date in &u.dates {
            self.dates.retain(|d| d != date);
            self.dates.push(*date);
        }
        keep_latest(&mut self.dates);
    }

    /// Remembers `topic` as asked (once, latest last).
    pub fn asked(&mut self, topic: &str) {
        self.topics.retain(|t| t != topic);
        self.topics.push(topic.to_string());
        keep_latest(&mut self.topics);
    }

    /// The insurance type known, as the calculator takes it.
    pub fn insurance(&self) -> Option<Insurance> {
        self.insurance.as_deref().and_then(Insurance::parse)
    }

    /// The status known.
    pub fn status(&self) -> Option<WorkStatus> {
        match self.status.as_deref()? {
            "in_service" => Some(WorkStatus::InService),
            "retired" => Some(WorkStatus::Retired),
            "flexible" => Some(WorkStatus::Flexible),
            _ => None,
        }
    }

    /// The latest amount said.
    pub fn amount(&self) -> Option<f64> {
        self.amounts.last().copied()
    }

    /// The latest date said on the side of `today` a step asks for (`future`: today or later;
    /// otherwise today or earlier). Today is on both sides: `今天受理的` is an acceptance date as
    /// much as `今天到期` is an expiry.
    pub fn date(&self, future: bool, today: NaiveDate) -> Option<NaiveDate> {
        self.dates.iter().rev().copied().find(|d| if future { *d >= today } else { *d <= today })
    }

    /// Fills what `u` leaves open from what the conversation established: insurance, status,
    /// age (and the amount when `amount` is set: the message continues a calculation).
    pub fn complete(&self, u: &mut Understanding, amount: bool) {
        if u.insurance.is_none() && u.status.is_none() {
            u.insurance = self.insurance();
            u.status = self.status();
        }
        if u.insurance.is_none()
            && matches!(u.status, Some(WorkStatus::Retired | WorkStatus::InService))
        {
            u.insurance = Some(Insurance::Employee);
        }
        u.age = u.age.or(self.age);
        if amount && u.amounts.is_empty() {
            u.amounts.extend(self.amount());
            // `四五千` said before: the estimate again for the whole range, not its high end.
            u.amount_range = self.amount_range.filter(|(_, high)| Some(*high) == self.amount());
        }
    }
}

/// The insurance type a message names (退休/在职 mean 职工), as the application stores it.
pub(super) fn said_insurance(u: &Understanding) -> Option<String> {
    let insurance = u.insurance.or(match u.status {
        Some(WorkStatus::Retired | WorkStatus::InService) => Some(Insurance::Employee),
        _ => None,
    })?;
    Some(match insurance {
        Insurance::Employee => "employee".into(),
        Insurance::Resident => "resident".into(),
    })
}

fn status_code(status: WorkStatus) -> &'static str {
    match status {
        WorkStatus::InService => "in_service",
        WorkStatus::Retired => "retired",
        WorkStatus::Flexible => "flexible",
    }
}

fn keep_latest<T>(list: &mut Vec<T>) {
    if list.len() > MAX_REMEMBERED {
        list.drain(..list.len() - MAX_REMEMBERED);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        "2026-12-07T02:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minutes)
    }

    #[test]
    fn an_idle_conversation_forgets_what_it_established() {
        let mut c = Context { insurance: Some("resident".into()), ..Context::default() };
        c.touch(at(0));
        c.touch(at(IDLE_MINUTES));
        assert_eq!(c.insurance.as_deref(), Some("resident"), "within the idle time it stays");
        c.touch(at(2 * IDLE_MINUTES + 1));
        assert_eq!(c.insurance, None);
        assert_eq!(c.seen, Some(at(2 * IDLE_MINUTES + 1)));
    }

    #[test]
    fn old_sessions_without_a_context_still_load() {
        let c: Context = serde_json::from_str("{}").unwrap();
        assert_eq!(c, Context::default());
    }

    #[test]
    fn only_the_latest_few_values_are_kept() {
        let mut c = Context::default();
        let u = Understanding { amounts: vec![1.0, 2.0, 3.0, 4.0], ..Understanding::default() };
        c.learn(&u, None);
        assert_eq!(c.amounts, vec![2.0, 3.0, 4.0]);
        assert_eq!(c.amount(), Some(4.0));
    }
}
