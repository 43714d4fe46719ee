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

use crate::content::understand::PeopleWords;
use crate::understand::{Insurance, RegionRole, Understanding, WorkStatus};

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
    /// Where that person is insured, when said (`我妈是在攀枝花退休的`): the region of their
    /// estimates when a message points at them (`那她一年看病花一万`).
    pub region: Option<String>,
    /// Whom `insurance`, `status`, `age` and `region` are about (`me`, `mother` …, as
    /// `faq/understand.yaml` `people:` names them); `None` while nobody was named.
    pub person: Option<String>,
    /// Everyone named in the conversation with the facts said about them, latest named last:
    /// facts said about a person stay with that person (`我是退休职工`, then `我老伴儿是居民医保`,
    /// then `那我嘞 我一年开药六千` is the user's own 退休职工 estimate).
    pub people: Vec<Person>,
    /// Catalogue names of the diseases asked about, latest last.
    pub diseases: Vec<String>,
    /// Yearly amounts in yuan, latest last.
    pub amounts: Vec<f64>,
    /// The latest amount when it was said as a range (`四五千`): low and high end.
    pub amount_range: Option<(f64, f64)>,
    /// Dates said, latest last.
    pub dates: Vec<NaiveDate>,
    /// The day the user plans to hand the application in (`我打算12月15号去交`), while it is
    /// not handed in: `哪天能办完` is counted from it, `提醒我` is for that day.
    pub hand_in: Option<NaiveDate>,
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
    /// Fingerprints of the last answer's lines (its source line aside): an answer made of
    /// nothing but those lines is the same text again, though composed another way (the
    /// window's hours after an eligibility answer that carried them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub last_lines: Vec<String>,
    /// The region whose how-to (the `apply-steps` topic) the last answer carried, in full or
    /// pointing at the one above: `那高血压呢` after `糖尿病能办门特不` gets its verdict without
    /// the same steps again.
    pub steps_shown: Option<String>,
    /// The user said they do not know when the benefit ends (`不晓得好久到期`): the dialog does
    /// not ask whether they know it, until a date ahead is said.
    pub expiry_unknown: bool,
    /// The benefit's end said with an expiry word (`门特还有三个星期就到期了`): the renewal's
    /// date step takes it, not a later day said for something else (`我明天弄`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<NaiveDate>,
    /// Dates said by their month alone (`3月份到期`, `下个月到期`: the month's first day): a step
    /// filled in from one says which day it took.
    pub month_only: Vec<NaiveDate>,
    /// The user cannot use a phone's apps (`no_phone` words): how-to answers are the window's.
    pub no_phone: bool,
    /// A place outside the regions where the user is said to live or be treated (`我一年大部分
    /// 时间在深圳打工`): 新申请's materials step reminds of 异地备案. Not an identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lives_at: Option<String>,
    /// The kind (`new`, `renew` …, as the record stores it) of the procedure last worked
    /// through in this conversation: `记下这份申请` after it records that kind, not asked again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure: Option<String>,
    /// The disease chosen in that procedure (only with consent: the slot is filled only then),
    /// which decides between several diseases said (`高血压` and `糖尿病`, 糖尿病 chosen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure_disease: Option<String>,
    /// Notes said once in this conversation and not again (`rule:multiple-diseases`,
    /// `unverified:糖尿病` …): a procedure restarted for another disease says what is new,
    /// so its reply fits one screen (play-test round 11, P2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes_said: Vec<String>,
    /// The 受理号 said last (`受理号PZH20261207001`), when it holds no identifier: recording
    /// the application keeps it without asking again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acceptance_no: Option<String>,
    /// When the user last wrote.
    pub seen: Option<DateTime<Utc>>,
}

/// One person of the conversation and the facts said about them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Person {
    /// `me`, `mother`, `spouse` … (the keys of `people:`).
    pub who: String,
    /// `female`, `male` or `either` (whom 她 and 他 may point at); empty for the user.
    pub sex: String,
    pub insurance: Option<String>,
    pub status: Option<String>,
    pub age: Option<u32>,
    pub region: Option<String>,
}

/// Whom a message points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mention {
    /// A relative's word (`我妈`, `老伴儿`): that person, of that sex.
    Named { who: String, sex: String },
    /// 她 or 他 (`female`/`male`): the latest person of that sex named.
    Pronoun(&'static str),
    /// The user (`那我嘞`, `我一年开药`).
    Me,
}

/// The key of the user among [`Person::who`].
const ME: &str = "me";

/// Whom `text` points at, by the `people:` words: the first relative's word, else 她/他, else a
/// word of the user's own.
pub fn mention(text: &str, words: &PeopleWords) -> Option<Mention> {
    let mut text = text.to_string();
    for w in words.not_people.iter().filter(|w| !w.is_empty()) {
        text = text.replace(w.as_str(), "");
    }
    let has = |list: &[String]| list.iter().any(|w| !w.is_empty() && text.contains(w.as_str()));
    let groups = [("female", &words.female), ("male", &words.male), ("either", &words.either)];
    let mut first: Option<(usize, &str, &str)> = None;
    for (sex, map) in groups {
        for (who, list) in map {
            for w in list.iter().filter(|w| !w.is_empty()) {
                if let Some(at) = text.find(w.as_str()) {
                    if !first.is_some_and(|(best, ..)| best <= at) {
                        first = Some((at, sex, who));
                    }
                }
            }
        }
    }
    if let Some((_, sex, who)) = first {
        return Some(Mention::Named { who: who.to_string(), sex: sex.to_string() });
    }
    if has(&words.she) {
        Some(Mention::Pronoun("female"))
    } else if has(&words.he) {
        Some(Mention::Pronoun("male"))
    } else {
        has(&words.me).then_some(Mention::Me)
    }
}

impl Context {
    /// Whether the note `key` was said before; marks it said.
    pub fn note_once(&mut self, key: &str) -> bool {
        if self.notes_said.iter().any(|k| k == key) {
            return false;
        }
        self.notes_said.push(key.to_string());
        true
    }

    /// Turns to the person `mention` points at: the facts of the one talked about so far are
    /// kept with them, and those said earlier about this one come back. Facts said before anyone
    /// was named (but a region) belong to the first person named. 她/他 with no such person named changes
    /// nothing.
    pub fn focus(&mut self, mention: Option<&Mention>) {
        let Some((who, sex)) = mention.and_then(|m| self.resolve(m)) else { return };
        if self.person.as_deref() == Some(who.as_str()) {
            return;
        }
        self.keep_person();
        let anonymous = self.person.is_none();
        let known = self.people.iter().position(|p| p.who == who);
        let person = match known {
            Some(at) => self.people.remove(at),
            None => Person { who: who.clone(), sex, ..Person::default() },
        };
        if known.is_some() || !anonymous {
            self.insurance = person.insurance.clone();
            self.status = person.status.clone();
            self.age = person.age;
        }
        // A region typed before anyone was named is the one the user chose, not theirs.
        self.region = person.region.clone();
        self.people.push(person);
        self.person = Some(who);
    }

    /// The person key and sex `mention` stands for, `None` for a 她/他 nobody named fits.
    fn resolve(&self, mention: &Mention) -> Option<(String, String)> {
        match mention {
            Mention::Named { who, sex } => Some((who.clone(), sex.clone())),
            Mention::Me => Some((ME.to_string(), String::new())),
            Mention::Pronoun(sex) => self
                .people
                .iter()
                .rev()
                .find(|p| p.who != ME && (p.sex == *sex || p.sex == "either"))
                .map(|p| (p.who.clone(), p.sex.clone())),
        }
    }

    /// Where the person talked about is insured, when it is someone other than the user (the
    /// user's own region is the one chosen, however it was chosen).
    pub fn their_region(&self) -> Option<&str> {
        self.person.as_deref().filter(|p| *p != ME)?;
        self.region.as_deref()
    }

    /// Writes the facts of the person talked about into their entry of `people`.
    fn keep_person(&mut self) {
        let Some(who) = self.person.as_deref() else { return };
        if let Some(p) = self.people.iter_mut().find(|p| p.who == who) {
            p.insurance = self.insurance.clone();
            p.status = self.status.clone();
            p.age = self.age;
            p.region = self.region.clone();
        }
    }

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
        // Where the person is (`我妈是在攀枝花退休的`), or the region a statement names (`我爷爷是
        // 邵阳的 不是攀枝花`); not the subject of a question (`攀枝花换医院要啥`).
        let home = u.regions.iter().find(|m| m.role == RegionRole::Home).map(|m| m.region.as_str());
        if let Some(home) = home.or_else(|| u.region().filter(|_| !u.question)) {
            self.region = Some(home.to_string());
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
        self.keep_person();
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

    fn words() -> PeopleWords {
        let map = |who: &str, w: &str| [(who.to_string(), vec![w.to_string()])].into();
        PeopleWords {
            me: vec!["那我".into(), "我是".into()],
            she: vec!["她".into()],
            he: vec!["他".into()],
            not_people: vec!["其他".into()],
            female: map("mother", "我妈"),
            male: map("father", "我爸"),
            either: map("spouse", "老伴"),
            ..PeopleWords::default()
        }
    }

    fn said(c: &mut Context, text: &str, insurance: Option<Insurance>) {
        c.focus(mention(text, &words()).as_ref());
        c.learn(&Understanding { insurance, ..Understanding::default() }, None);
    }

    #[test]
    fn facts_said_about_a_person_stay_with_that_person() {
        let mut c = Context::default();
        said(&mut c, "我是职工", Some(Insurance::Employee));
        said(&mut c, "我老伴是居民", Some(Insurance::Resident));
        said(&mut c, "她一年花五千", None);
        assert_eq!(c.insurance(), Some(Insurance::Resident), "她 is the wife just named");
        said(&mut c, "那我嘞 一年六千", None);
        assert_eq!(c.insurance(), Some(Insurance::Employee), "我 is the user again");
        said(&mut c, "其他的呢", None);
        assert_eq!(c.insurance(), Some(Insurance::Employee), "其他 points at nobody");
    }

    #[test]
    fn facts_said_before_anyone_is_named_belong_to_the_first_named() {
        let mut c = Context::default();
        said(&mut c, "退休职工", Some(Insurance::Employee));
        said(&mut c, "我爸一年花两万", None);
        assert_eq!(c.insurance(), Some(Insurance::Employee));
        said(&mut c, "我妈呢", None);
        assert_eq!(c.insurance(), None, "nothing was said about her");
        said(&mut c, "他自己出多少", None);
        assert_eq!(c.insurance(), Some(Insurance::Employee), "他 is the father");
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
