//! Application tracking said in plain words (issue 17): a corrected date typed at a later step
//! of a procedure (`不对 是11月19号受理的` at the 受理号 step is a correction, never the 受理号),
//! and an application reported before any is recorded (`帮我记一下 我妈的门特申请12月3号交的`):
//! the review's last day at once, then the recording with the date filled in.

use chrono::{Datelike, NaiveDate};

use std::collections::BTreeMap;

use super::render::ButtonKind;
use super::track::{self, TrackContext};
use super::turn::Turn;
use super::wording::Question;
use super::Pending;
use crate::content::dialogs::{DateRange, InputKind, Step};
use crate::content::understand::{contains_any, Action};
use crate::policy::calendar::working_days_after;
use crate::policy::dates::format_cn;
use crate::tracking::{Kind, Status};
use crate::understand::Context as Reading;

/// The 受理号 of a record waiting for consent when the user said none was given
/// (`医院没给受理号`): never stored, it only keeps the record from asking for one.
const NO_NUMBER: &str = "无";

impl<'a> Turn<'a> {
    /// At a step that waits for typed text (the 受理号), a sentence with a date in it is not the
    /// answer — an id has no 月/号/日 — but a correction of the date this procedure took
    /// before: that date is replaced and the step asked again. `false`: not one.
    pub(super) fn corrects_date(&mut self, step: &Step, text: &str) -> bool {
        if step.ask != Some(InputKind::Text) || text.is_ascii() {
            return false;
        }
        let Some(tree) = self.tree() else { return false };
        let filled = |s: &&Step| {
            s.ask == Some(InputKind::Date)
                && s.slot.as_ref().is_some_and(|slot| self.s.slots.contains_key(slot))
        };
        let Some(date_step) = tree.steps.iter().rev().find(filled) else { return false };
        let today = self.today;
        let fits = |d: &NaiveDate| match date_step.date {
            Some(DateRange::Past) => *d <= today,
            Some(DateRange::Future) => *d >= today,
            None => true,
        };
        let u = self.a.understand(text, Reading { today, region: self.region() });
        let Some(date) = u.dates.iter().rev().copied().find(fits) else { return false };
        let slot = date_step.slot.clone().unwrap_or_default();
        self.s.slots.insert(slot, date.format("%Y-%m-%d").to_string());
        self.say(format!("好的，日期改为{}。", format_cn(date)));
        self.s.reasks = 0;
        self.reask();
        true
    }

    /// At the consent question, `不对 不是今天受理的 是11月16号受理的` corrects the acceptance
    /// date (it is no refusal): the date waiting for consent, or the date step already filled in
    /// the procedure under way, is replaced, and consent is asked again. A past date with a
    /// correction or a handing-in word in its clause is needed. `false`: not one.
    pub(super) fn corrects_pending_date(&mut self, text: &str) -> bool {
        let today = self.today;
        let u = self.a.understand(text, Reading { today, region: self.region() });
        let Some(date) = u.dates.iter().rev().copied().find(|d| *d <= today) else {
            return false;
        };
        if !u.correction && !self.dates_a_submission(text) {
            return false;
        }
        match self.s.pending.clone() {
            Some(Pending::RecordConsent {
                kind, hand_in: false, disease, acceptance_no, ..
            }) => {
                let said = self.review_reminder_text(date, false);
                self.s.pending = Some(Pending::RecordConsent {
                    kind,
                    accepted: date.format("%Y-%m-%d").to_string(),
                    hand_in: false,
                    disease,
                    acceptance_no,
                });
                self.say(format!("好的，受理日期改为{}。{said}", format_cn(date)));
            }
            Some(Pending::Consent) => {
                let Some(slot) = self.filled_past_date_slot() else { return false };
                self.s.slots.insert(slot, date.format("%Y-%m-%d").to_string());
                self.say(format!("好的，日期改为{}。", format_cn(date)));
            }
            _ => return false,
        }
        self.prompt_pending();
        true
    }

    /// The slot of the procedure's last filled date step that asks for a past day (受理日期).
    fn filled_past_date_slot(&self) -> Option<String> {
        let tree = self.tree()?;
        tree.steps
            .iter()
            .rev()
            .filter(|s| s.ask == Some(InputKind::Date) && s.date == Some(DateRange::Past))
            .filter_map(|s| s.slot.clone())
            .find(|slot| self.s.slots.contains_key(slot))
    }

    /// `要是过了还没审完找哪个` while the review's last day is known — from the acceptance
    /// waiting for consent, or a recorded application under review: that day, where to check
    /// and whom to call. `false`: no such question, or no review date known.
    pub(super) fn asks_past_review(&mut self, text: &str) -> bool {
        let words = &self.a.content.understand.commands.review_overdue;
        if !words.iter().any(|w| !w.is_empty() && text.contains(w.as_str()))
            || self.asks(text) == Question::No
        {
            return false;
        }
        let accepted = match &self.s.pending {
            Some(Pending::RecordConsent { accepted, hand_in: false, .. }) => {
                NaiveDate::parse_from_str(accepted, "%Y-%m-%d").ok()
            }
            _ => None,
        };
        let Some(accepted) = accepted else {
            let Some(out) = track::own_review(&self.track_ctx()) else { return false };
            self.apply_track(out);
            self.reask();
            return true;
        };
        let Some(region) = self.region().and_then(|id| self.a.content.regions.get(id)) else {
            return false;
        };
        let Some(days) = region.review_days() else {
            self.say(region.no_review_limit_text());
            self.reask();
            return true;
        };
        let due = working_days_after(&self.a.content.calendar, accepted, days).date;
        let check = region
            .channels
            .first()
            .map(|c| format!("先在“{}”的办理进度里查看，", c.name))
            .unwrap_or_default();
        self.say(format!(
            "审核最晚到{}。过了这天还没有结果：{check}再拨打{}问进度。",
            format_cn(due),
            region.contact()
        ));
        self.reask();
        true
    }

    /// `再加一个 明年1月5号去医院复查` while a consent question waits: a task on a date that is
    /// neither an expiry nor an acceptance cannot be reminded of — said honestly, and the
    /// consent question stays. `false`: no date, or a date that may be the answer's own.
    pub(super) fn dated_task_at_consent(&mut self, text: &str) -> bool {
        let u = self.a.understand(text, Reading { today: self.today, region: self.region() });
        let Some(date) = u.dates.first().copied() else { return false };
        let words = &self.a.content.understand.commands;
        let names =
            |list: &[String]| list.iter().any(|w| !w.is_empty() && text.contains(w.as_str()));
        if super::said::only_a_date(text)
            || names(&words.remind_renewal)
            || names(&words.remind_accepted)
            || self.asks(text) == Question::Clearly
        {
            return false;
        }
        // A task of the user's own (`明年1月5号去医院复查`): kept with the consent asked.
        if self.task_at_consent(text) {
            return true;
        }
        self.say(format!(
            "{}的这件事我没法按日期提醒，请记在手机日历或备忘里。提醒只按门特待遇的到期日、申请的受理日期和补材料截止日安排。",
            format_cn(date)
        ));
        self.prompt_pending();
        true
    }

    /// A question typed at a step of a procedure that the FAQ answers only with the
    /// procedure's topic (`要上传啥子` in 续期/延期): answered so, then the step or pending
    /// question again. `false`: the FAQ is not sure either way, or no procedure.
    pub(super) fn answers_in_procedure(&mut self, text: &str) -> bool {
        let Some(tree) = self.tree() else { return false };
        if self.asks(text) == Question::No {
            return false;
        }
        let topical = format!("{}{text}", tree.title);
        if !self.faq_is_sure(&topical) {
            return false;
        }
        self.ask_suggested(&topical);
        true
    }

    /// A statement that an application was handed in on a past day (`我11月10号交的门特申请`)
    /// while nothing is recorded: the review's last day (or that none is published, and whom to
    /// ask) at once; then the recording starts with the date filled in when the user asked to
    /// keep a record (`帮我记一下`), else it is offered. `false`: not such a statement.
    pub(super) fn reports_first_acceptance(&mut self, text: &str) -> bool {
        if self.reports_planned_accepted(text) {
            return true;
        }
        if !self.records_first() {
            return false;
        }
        let words = &self.a.content.understand.commands;
        let names =
            |list: &[String]| list.iter().any(|w| !w.is_empty() && text.contains(w.as_str()));
        let record = names(&words.record);
        let today = self.today;
        let u = self.a.understand(text, Reading { today, region: self.region() });
        // `帮我把我妈这个申请记一下` with no date: the acceptance said earlier in this
        // conversation, never today's date by default.
        if record && u.dates.is_empty() && self.asks(text) != Question::Clearly {
            if let Some(said) = self.s.context.date(false, today) {
                return self.record_at_once(text, said);
            }
        }
        if !names(&words.reported_accepted) || (!record && self.asks(text) == Question::Clearly) {
            return false;
        }
        // `上礼拜三交的` on a Sunday: which day, before anything is said about it.
        if let Some(question) = track::which_day(text, today) {
            self.say(question);
            return true;
        }
        let Some(accepted) = u.dates.iter().rev().copied().find(|d| *d <= today) else {
            return false;
        };
        if record {
            return self.record_at_once(text, accepted);
        }
        let said = self.review_reminder_text(accepted, record);
        // The button records what this message and the conversation said (kind, disease,
        // 受理号, this day) at once, as typing `记下` does — not the four questions again.
        let kind = self.kind_said(text, &u);
        let payload = format!("{RECORD_PAYLOAD}{}:{}", kind.slot(), accepted.format("%Y-%m-%d"));
        let choices = vec![self.button("记下这份申请", ButtonKind::Track(payload))];
        self.say_with(format!("{said}\n要我记下这份申请吗？点下面的按钮。"), choices);
        true
    }

    /// The 记下这份申请 button of [`Turn::reports_first_acceptance`] (its payload after
    /// [`RECORD_PAYLOAD`]: the kind and the acceptance day): recorded at once with what the
    /// conversation said. `false`: a payload that is not one.
    pub(super) fn record_offered(&mut self, payload: &str) -> bool {
        let Some((kind, day)) = payload.split_once(':') else { return false };
        let (Some(kind), Ok(day)) =
            (Kind::from_slot(kind), NaiveDate::parse_from_str(day, "%Y-%m-%d"))
        else {
            return false;
        };
        if !self.records_first() {
            // Recorded meanwhile (or a procedure under way): the usual recording, by its steps.
            self.start_dialog("track_record", true);
            return true;
        }
        self.record_known(kind, day, None, None, true)
    }

    /// The kind of application `text` names (续期, 异地备案, 变更定点医院), else the kind of the
    /// procedure just worked through in this conversation, else a new application.
    fn kind_said(&self, text: &str, u: &crate::understand::Understanding) -> Kind {
        let procedure = self.s.context.procedure.as_deref().and_then(Kind::from_slot);
        match u.action {
            Some(Action::Renew) if self.says_renewal(text) => Kind::Renew,
            Some(Action::Remote) if procedure.is_none() => Kind::Remote,
            Some(Action::ChangeHospital) => Kind::ChangeHospital,
            _ => procedure.unwrap_or(Kind::New),
        }
    }

    /// `今天受理的` once the application recorded last waits to be handed in (准备中): its
    /// acceptance, reported on it (the nudge to hand it in goes), not a question about the
    /// review time. `false`: nothing planned, or no acceptance said.
    fn reports_planned_accepted(&mut self, text: &str) -> bool {
        let planned = self.user.applications.last().is_some_and(|a| a.status() == Status::Draft);
        let words = &self.a.content.understand.commands.reported_accepted;
        if !planned
            || self.s.dialog.is_some()
            || !words.iter().any(|w| !w.is_empty() && text.contains(w.as_str()))
            || self.asks(text) == Question::Clearly
        {
            return false;
        }
        let Some(out) = track::status_report(text, &self.track_ctx()) else { return false };
        self.apply_track(out);
        self.reask();
        true
    }

    /// `刚在湘医保上把延期交了 还要我做么子不` with a renewal recorded and its benefit running:
    /// the renewal is handed in (on the day said, else today), the record says so, and what is
    /// left is said (the review; where to check, whom to ask) — not the renewal's guide again,
    /// though the message asks something (play-test round 11, P4). `false`: not such news.
    pub(super) fn reports_renewal_handed_in(&mut self, text: &str) -> bool {
        // In plain Mandarin: 湖南话 交哒 is 交了 (play-test round 13, P4).
        let plain = self.a.content.dialect.plain(text);
        let text = plain.as_str();
        // Only a word of something done (`交了`, not `要交的材料`).
        let handed_in = self.says_handed_in(text);
        if self.s.pending.is_some()
            || !handed_in
            || !self.says_renewal(text)
            || self.not_submitted(text)
        {
            return false;
        }
        let u = self.a.understand(text, Reading { today: self.today, region: self.region() });
        let on = u.dates.iter().rev().copied().find(|d| *d <= self.today).unwrap_or(self.today);
        // Its renewal reminders stop with the hand-in: said, so nobody asks whether they still
        // come (play-test round 12, P4: `那之前让你提醒的还会发不`).
        let reminded = (self.user.applications.last().into_iter())
            .flat_map(|a| &a.reminders)
            .any(|r| r.state == crate::tracking::ReminderState::Pending);
        let Some(mut out) = track::renewal_handed_in(&self.track_ctx(), on) else { return false };
        out.text.push_str("\n已经交了就不用再办别的，等审核结果就行。");
        if reminded {
            out.text.push_str("原来的续期提醒不再发了。");
            // The review has no published time: a day to check, offered in words that set it
            // (play-test round 14, P4: no reminder left, the benefit still ending).
            let end = self.user.applications.last().and_then(|a| a.valid_until());
            let check = end.map(|e| e - chrono::Duration::days(7)).filter(|d| *d > self.today);
            if let Some(day) = check {
                out.text.push_str(&format!(
                    "要我到时提醒您查结果，就说“{}月{}号提醒我查延期结果”。",
                    day.month(),
                    day.day()
                ));
            }
        }
        self.apply_track(out);
        self.reask();
        true
    }

    /// Whether a first application can be recorded from `text` at once: none is recorded yet,
    /// no procedure is under way and the region is known.
    pub(super) fn records_first(&self) -> bool {
        self.user.applications.is_empty() && self.s.dialog.is_none() && self.s.region.is_some()
    }

    /// "帮我记一下 …12月3号交的": recorded now with what was said — the kind (续期, 异地备案 …,
    /// else a new application), the region and the acceptance date. Keeping an application and
    /// its reminders needs consent (PIPL): without it the one-tap consent question comes first,
    /// the facts said wait in the pending question and are recorded on 同意.
    pub(super) fn record_at_once(&mut self, text: &str, accepted: NaiveDate) -> bool {
        let u = self.a.understand(text, Reading { today: self.today, region: self.region() });
        let kind = self.kind_said(text, &u);
        let disease = self.disease_said(&u);
        // `受理号SY20261117035 是11月17号交的`: the number is kept with the record.
        self.record_known(
            kind,
            accepted,
            disease,
            track::acceptance_number(
                text,
                &self.a.content.understand.commands.reports.acceptance_no,
            ),
            false,
        )
    }

    /// Records a first application of `kind` accepted on `accepted`, with the disease and
    /// the number said now, else those the conversation said before (`弄好了 受理号PZH… 今天交的
    /// 好久出结果`, then `受理号你帮我记到没得`): the disease chosen in the procedure just worked
    /// through, else the one disease said — never a guess between two. Without consent the
    /// consent question comes first and the facts wait in it. `offered`: the review's last day
    /// was said with the button pressed, so it is not said again.
    fn record_known(
        &mut self,
        kind: Kind,
        accepted: NaiveDate,
        disease: Option<String>,
        number: Option<String>,
        offered: bool,
    ) -> bool {
        let said = self.said_diseases();
        let earlier = || Some(said.clone()).filter(|d| d.len() == 1).and_then(|mut d| d.pop());
        let chosen = self.s.context.procedure_disease.clone();
        let disease = disease.or(chosen).or_else(earlier);
        let asked_before = self.s.context.question.clone().unwrap_or_default();
        let number = number.or_else(|| self.s.context.acceptance_no.clone()).or_else(|| {
            track::acceptance_number(
                &asked_before,
                &self.a.content.understand.commands.reports.acceptance_no,
            )
        });
        if self.s.consent != Some(true) {
            // The review's last day is said now (telling it keeps nothing), unless the message
            // just before said it and offered the button that brought us here.
            let said = self.review_reminder_text(accepted, false);
            let said = Some(said).filter(|_| !offered);
            match (said, self.task_promise()) {
                (Some(said), Some(task)) => self.say(format!("{said}\n{task}")),
                (None, Some(task)) => self.say(task),
                (Some(said), None) => self.say(said),
                (None, None) => {}
            }
            self.ask_record_consent(kind, accepted, disease, number);
            return true;
        }
        self.record_said(kind.slot(), accepted, disease.as_deref(), number.as_deref())
    }

    /// The catalogue disease of the user's region confidently named in a message, if any.
    fn disease_said(&self, u: &crate::understand::Understanding) -> Option<String> {
        let region = self.region()?;
        u.diseases.iter().find(|d| d.region == region).map(|d| d.name.clone())
    }

    /// `病种给我补上 糖尿病`, `把病种改成高血压`, `刚记的那个是糖尿病`: the disease of the
    /// application recorded last, filled in or changed (with consent: it is the user's own
    /// record). Inside a procedure only when the words point at the record (`recorded_ref`), or
    /// a `disease_edit` word comes at a step that does not ask the disease and names no other
    /// disease than the procedure's; the procedure then goes on (play-test round 11, P2).
    /// `false`: no such words, nothing recorded, or the procedure's own disease.
    pub(super) fn edits_disease(&mut self, text: &str) -> bool {
        let words = &self.a.content.understand.commands;
        // `她的病是冠心病` with the record still lacking one, outside a procedure: an edit too.
        let lacking = self.user.applications.last().is_some_and(|a| a.details.disease.is_none());
        let whose = lacking
            && self.s.dialog.is_none()
            && contains_any(text, &words.disease_said)
            && !self
                .a
                .understand(text, Reading { today: self.today, region: self.region() })
                .question;
        let edit = contains_any(text, &words.disease_edit) || whose;
        let pointed = contains_any(text, &words.recorded_ref);
        if (!edit && !pointed) || self.user.applications.is_empty() || self.s.pending.is_some() {
            return false;
        }
        let u = self.a.understand(text, Reading { today: self.today, region: self.region() });
        let named = self.disease_said(&u);
        let in_procedure = self.s.dialog.is_some();
        if in_procedure {
            let asks_disease =
                self.current_step().is_some_and(|s| s.ask == Some(InputKind::Disease));
            let own = self.s.slots.get("disease");
            let same = own.is_none() || own == named.as_ref();
            if named.is_none() || !(pointed || (edit && !asks_disease && same)) {
                return false;
            }
        } else if !edit && named.is_none() {
            return false;
        }
        let Some(name) = named else {
            self.say("是哪种病？请写病名，例如“病种改成糖尿病”，我改到最近记的这份申请上。");
            return true;
        };
        if self.s.consent != Some(true) {
            self.say("病种属于个人信息，您没有同意保存个人信息，所以没有记到申请上。申请的其他记录不变。");
        } else {
            match track::correct_disease(&self.track_ctx(), &name) {
                Some(out) => self.apply_track(out),
                None => self.say(format!("最近记的这份申请病种已经是{name}了。")),
            }
        }
        if in_procedure {
            self.reask();
        }
        true
    }

    /// `病种是糖尿病 25号才提醒啊 能不能24号前提醒我去查一哈`, outside a procedure with an
    /// application recorded: the clause giving the record's disease (a `disease_edit` word and a
    /// disease) is done as [`Turn::edits_disease`] does, and the rest of the message is
    /// returned to be read as usual. `None`: no such clause, or nothing else said.
    pub(super) fn disease_aside(&mut self, text: &str) -> Option<String> {
        if self.s.dialog.is_some() || self.s.pending.is_some() || self.user.applications.is_empty()
        {
            return None;
        }
        let words = &self.a.content.understand.commands.disease_edit;
        let clauses: Vec<&str> = super::wording::sentence_clauses(text).collect();
        let at = clauses.iter().position(|c| contains_any(c, words))?;
        let rest = [&clauses[..at], &clauses[at + 1..]].concat().join(" ");
        if rest.is_empty() {
            return None;
        }
        let u =
            self.a.understand(clauses[at], Reading { today: self.today, region: self.region() });
        self.disease_said(&u)?;
        self.edits_disease(clauses[at]).then_some(rest)
    }

    /// `我明天去交 到时候提醒我`, or its button: an application not handed in yet is kept with
    /// a reminder on the morning of `day`. Keeping it needs consent (PIPL): without it the
    /// consent question comes first and the day waits in it.
    pub(super) fn remind_hand_in(&mut self, day: NaiveDate) {
        // `还没交 打算这个礼拜五带爷爷去交 你先帮我记下来` inside 新申请, nothing recorded yet:
        // recorded from the procedure's answers (disease, whose), which then ends (play-test
        // round 15, P2: "已经有记录的申请了" with nothing recorded).
        let in_apply = self.s.dialog.as_deref() == Some(super::prefill::APPLY)
            && self.user.applications.is_empty()
            && self.s.region.is_some();
        if in_apply && self.s.consent == Some(true) {
            if self.record_planned(Kind::New.slot(), day) {
                self.clear_dialog();
            }
            return;
        }
        if !self.records_first() {
            // Something is recorded already: its progress is told, not a second application.
            self.say("已经有记录的申请了。交了以后直接告诉我受理日期（如“12月8日受理的”），我按审核期限提醒您。");
            return self.reask();
        }
        if self.s.consent != Some(true) {
            self.say(format!(
                "好的，还没交就先不记受理日期。可以在{}上午提醒您去交。",
                format_cn(day)
            ));
            self.s.pending = Some(Pending::RecordConsent {
                kind: Kind::New.slot().to_string(),
                accepted: day.format("%Y-%m-%d").to_string(),
                hand_in: true,
                disease: None,
                acceptance_no: None,
            });
            return self.prompt_pending();
        }
        self.record_planned(Kind::New.slot(), day);
    }

    /// Records a first application of `kind` that will be handed in on `day` (nothing
    /// personal), with its reminder that morning.
    pub(super) fn record_planned(&mut self, kind: &str, day: NaiveDate) -> bool {
        // Inside 新申请 its answers so far (disease, relation, name) go on the record too.
        let mut slots = match self.s.dialog.as_deref() == Some(super::prefill::APPLY) {
            true => self.s.slots.clone(),
            false => BTreeMap::new(),
        };
        slots.insert("kind".to_string(), kind.to_string());
        slots.insert("hand_in_on".to_string(), day.format("%Y-%m-%d").to_string());
        let ctx = TrackContext { slots: &slots, ..self.track_ctx() };
        let Some(mut out) = track::run_action("record_application", &ctx) else { return false };
        out.text.push_str(
            "
交了以后告诉我受理日期（如“12月8日受理的”），我再按审核期限提醒您。",
        );
        self.apply_track(out);
        true
    }

    /// The day a not-yet-handed-in application is to be handed in: a coming day said in `text`
    /// (明天, 下周三), else tomorrow.
    pub(super) fn hand_in_day(&self, text: &str) -> NaiveDate {
        let u = self.a.understand(text, Reading { today: self.today, region: self.region() });
        let tomorrow = self.today.succ_opt().unwrap_or(self.today);
        u.dates.iter().copied().find(|d| *d > self.today).unwrap_or(tomorrow)
    }

    /// Whether `text` names a renewal (`renewal_kind` of `faq/understand.yaml`).
    fn says_renewal(&self, text: &str) -> bool {
        let words = &self.a.content.understand.commands.renewal_kind;
        words.iter().any(|w| !w.is_empty() && text.contains(w.as_str()))
    }

    /// `不是续期 是新申请 第一次办` about the last recorded application: its kind corrected.
    /// `false`: no such words, or nothing to correct.
    pub(super) fn corrects_kind(&mut self, text: &str) -> bool {
        let words = &self.a.content.understand.commands.new_kind;
        if !words.iter().any(|w| !w.is_empty() && text.contains(w.as_str())) {
            return false;
        }
        let Some(out) = track::correct_kind(&self.track_ctx(), Kind::New) else { return false };
        self.apply_track(out);
        true
    }

    /// What a message restating an application says: the kind when it names one (`是新申请`,
    /// `续期`), and the day it was handed in — only with words saying it is new or still under
    /// review (`还没通过 在审核中`), so a plain report stays a report. `None`: not a restatement.
    fn restated(&self, text: &str) -> Option<(Option<Kind>, NaiveDate)> {
        let words = &self.a.content.understand.commands;
        let names =
            |list: &[String]| list.iter().any(|w| !w.is_empty() && text.contains(w.as_str()));
        let new = names(&words.new_kind);
        if !new && !names(&words.under_review) {
            return None;
        }
        let u = self.a.understand(text, Reading { today: self.today, region: self.region() });
        let accepted = u.dates.iter().rev().copied().find(|d| *d <= self.today)?;
        let kind = if new { Some(Kind::New) } else { None };
        Some((kind, accepted))
    }

    /// `状态不对 还没通过 在审核中 是11月17号受理的` about the last recorded application: its
    /// kind (when said), acceptance day and status (under review) corrected together — not read
    /// as a rejection (没通过) the status flow refuses. `false`: not such a message.
    pub(super) fn corrects_record(&mut self, text: &str) -> bool {
        if self.user.applications.is_empty() || self.s.dialog.is_some() {
            return false;
        }
        // `11月17号交的 还在审核 好久能审完` asks; a record already so needs no correction. So
        // does `到27号过期了还在审 中间断了那几天的药费能报销不` (能…不): a question, not news.
        if self.asks(text) != Question::No {
            return false;
        }
        let Some((kind, accepted)) = self.restated(text) else { return false };
        let already = self.user.applications.last().is_some_and(|a| {
            a.status().under_review()
                && a.accepted_on() == Some(accepted)
                && kind.map_or(true, |k| a.details.kind == k)
        });
        if already {
            return false;
        }
        let Some(out) = track::correct_record(&self.track_ctx(), kind, accepted) else {
            return false;
        };
        self.apply_track(out);
        true
    }

    /// At the consent question, `不是续期 是我妈第一次申请 11月17号交的 还在等审核`: no refusal
    /// but the facts corrected — what waits to be recorded becomes that application (the form
    /// under way, which took it for something else, is left). Consent said in a clause of its
    /// own (`我同意保存`) records it; otherwise the consent question comes again for it, so
    /// nothing is kept without consent. `false`: not such a message.
    pub(super) fn restates_at_consent(&mut self, text: &str) -> bool {
        if !self.user.applications.is_empty() || self.s.region.is_none() {
            return false;
        }
        let Some((kind, accepted)) = self.restated(text) else { return false };
        let kind = kind.unwrap_or(Kind::New);
        let disease = self.s.slots.get("disease").cloned();
        self.clear_dialog();
        self.s.pending = None;
        if self.s.consent == Some(true) || self.words().agrees_in_a_clause(text) {
            if self.s.consent != Some(true) {
                self.s.consent = Some(true);
                self.say("谢谢，已记下您的同意。随时发送 /forget 可以删除保存的全部信息。");
            }
            return self.record_said(kind.slot(), accepted, disease.as_deref(), None);
        }
        let said = self.review_reminder_text(accepted, false);
        self.say(format!("好的，改按{}记，还在审核中。{said}", kind.label()));
        self.ask_record_consent(kind, accepted, disease, None);
        true
    }

    /// The consent question before a handed-in application of `kind`, accepted on `accepted`,
    /// is recorded; the facts wait in the pending question and are recorded on 同意.
    fn ask_record_consent(
        &mut self,
        kind: Kind,
        accepted: NaiveDate,
        disease: Option<String>,
        acceptance_no: Option<String>,
    ) {
        // `医院没给受理号` waits with the facts as "none", so the record does not ask for one.
        let said_none = contains_any(&self.message, &self.a.content.understand.commands.no_number);
        let acceptance_no = acceptance_no.or_else(|| said_none.then(|| NO_NUMBER.to_string()));
        self.s.pending = Some(Pending::RecordConsent {
            kind: kind.slot().to_string(),
            accepted: accepted.format("%Y-%m-%d").to_string(),
            hand_in: false,
            disease,
            acceptance_no,
        });
        self.prompt_pending();
    }

    /// The application waiting at its consent question, for "我的申请": not saved yet, what
    /// would be (kind, dates), and that consent saves it. `None`: no such question open.
    pub(super) fn record_waiting(&self) -> Option<String> {
        let Some(Pending::RecordConsent { kind, accepted, hand_in, .. }) = &self.s.pending else {
            return None;
        };
        let label = Kind::from_slot(kind).unwrap_or(Kind::New).label();
        let day = NaiveDate::parse_from_str(accepted, "%Y-%m-%d").ok()?;
        let what = if *hand_in {
            format!("{label}，打算{}去交。", format_cn(day))
        } else {
            format!("{label}。{}", self.review_reminder_text(day, false))
        };
        Some(format!("这份申请还没有保存，要您同意后才记下并按期提醒：{what}"))
    }

    /// Records a first application of `kind` (its slot value) accepted on `accepted`; nothing
    /// personal. Says the review's last day and its reminder.
    pub(super) fn record_said(
        &mut self,
        kind: &str,
        accepted: NaiveDate,
        disease: Option<&str>,
        acceptance_no: Option<&str>,
    ) -> bool {
        let mut slots = BTreeMap::new();
        slots.insert("kind".to_string(), kind.to_string());
        if let Some(name) = disease {
            slots.insert("disease".to_string(), name.to_string());
        }
        let none_given = acceptance_no == Some(NO_NUMBER);
        let acceptance_no = acceptance_no.filter(|_| !none_given);
        // Only what may be kept: an identifier in it is masked (consent was given).
        if let Some(no) = acceptance_no.and_then(|no| crate::privacy::keepable_reference(no, true))
        {
            slots.insert("acceptance_no".to_string(), no);
        }
        slots.insert("accepted_on".to_string(), accepted.format("%Y-%m-%d").to_string());
        let ctx = TrackContext { slots: &slots, ..self.track_ctx() };
        let Some(mut out) = track::run_action("record_application", &ctx) else { return false };
        // `医院没给受理号`: there is none to add later, so none is asked for.
        let no_number = none_given
            || contains_any(&self.message, &self.a.content.understand.commands.no_number);
        let number = slots.contains_key("acceptance_no") || no_number;
        let missing = match (number, disease.is_some()) {
            (false, false) => "受理号、病种",
            (false, true) => "受理号",
            (true, false) => "病种",
            (true, true) => "",
        };
        let example = match missing {
            "病种" => "如“病种补上糖尿病”",
            _ => "如“受理号是SC2025092600123”",
        };
        if !missing.is_empty() {
            out.text.push_str(&format!("\n{missing}可以随时补充，直接告诉我（{example}）。"));
        }
        self.apply_track(out);
        true
    }

    /// `那我好久开始办` once the end of validity is known (in this message, the renewal's
    /// slot, said earlier in the conversation, or a recorded application): when to start and
    /// where; then the step or pending question again. `false`: no such question or no date.
    pub(super) fn asks_when_to_renew(&mut self, text: &str) -> bool {
        let commands = &self.a.content.understand.commands;
        if !contains_any(text, &commands.renewal_when) || contains_any(text, &commands.benefit_when)
        {
            return false;
        }
        let Some(region) = self.region().and_then(|id| self.a.content.regions.get(id)) else {
            return false;
        };
        let today = self.today;
        let u = self.a.understand(text, Reading { today, region: Some(&region.id) });
        let slot = self.s.slots.get("valid_until");
        let recorded = self.user.applications.iter().rev().find_map(|a| a.valid_until());
        let end = u
            .dates
            .iter()
            .copied()
            .find(|d| *d >= today)
            .or_else(|| slot.and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()))
            .or_else(|| self.s.context.date(true, today))
            .or(recorded.filter(|d| *d >= today));
        let Some(end) = end else { return false };
        let composed = self.renewal_start(region, end);
        let id = region.id.clone();
        self.send(composed, &id, None);
        self.reask();
        true
    }

    /// `那把这个记错的删了嘛`, `搞重复了 把第二个删掉`: one recorded application to delete — the
    /// one named by its number (第二个), else the one recorded last — asked to confirm first,
    /// as its 删除 button does. `false`: no such words, or nothing recorded.
    pub(super) fn deletes_one_record(&mut self, text: &str) -> bool {
        let words = &self.a.content.understand.commands;
        let names =
            |list: &[String]| list.iter().any(|w| !w.is_empty() && text.contains(w.as_str()));
        let count = self.user.applications.len();
        if count == 0 || !names(&words.delete_record) || !names(&words.record_pointer) {
            return false;
        }
        let n = nth(text).unwrap_or(count);
        let Some(app) = self.user.applications.get(n.saturating_sub(1)) else {
            self.say(format!("您只记了{count}份申请，没有第{n}份。发送“我的申请”可以看到每一份。"));
            return true;
        };
        let id = app.id;
        match track::on_button(&format!("t:del:{id}"), &self.track_ctx()) {
            Some(out) => self.apply_track(out),
            None => return false,
        }
        self.s.pending = Some(Pending::DeleteRecord { id });
        true
    }

    /// The typed answer to [`Turn::deletes_one_record`]'s question: 确定删除 deletes that one
    /// record, 不删 keeps it; anything else is read as usual (the question is dropped).
    pub(super) fn on_delete_record_text(&mut self, id: i64, text: &str) -> bool {
        let Some(yes) = self.forget_answer(text) else {
            self.s.pending = None;
            return false;
        };
        self.s.pending = None;
        let op = if yes { "delok" } else { "keep" };
        match track::on_button(&format!("t:{op}:{id}"), &self.track_ctx()) {
            Some(out) => self.apply_track(out),
            None => self.say("这份申请已经不在了，发送“我的申请”可以看到现在记着的。"),
        }
        true
    }

    /// "好多天能审完" with no date, once an application under review is recorded: its own
    /// deadline. `false`: another question, a date said, or nothing under review.
    pub(super) fn asks_own_review(&mut self, text: &str) -> bool {
        let u = self.a.understand(text, Reading { today: self.today, region: self.region() });
        if u.action != Some(Action::Deadline) || !u.dates.is_empty() || self.s.dialog.is_some() {
            return false;
        }
        let Some(out) = track::own_review(&self.track_ctx()) else { return false };
        self.apply_track(out);
        true
    }
}

/// The payload prefix of the 记下这份申请 button ([`Turn::record_offered`]).
pub(super) const RECORD_PAYLOAD: &str = "rec:";

/// The number in `第二个` / `第2份` inside a longer message.
pub(super) fn nth(text: &str) -> Option<usize> {
    let at = text.find('第')?;
    let rest: String = text[at..].chars().take(2).collect();
    super::wording::ordinal(&rest)
}
