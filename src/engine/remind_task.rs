//! Reminders of the user's own tasks on a day they name (issue 17: `12月20号提醒我带我妈去复查`,
//! `下礼拜三提醒我去医院开诊断证明`, `提醒我月底前把材料交了`, `过两天提醒我去拿药`).
//!
//! The task kept is short: a task of `remind_tasks` in `faq/understand.yaml` (复查, 开诊断证明 …)
//! or the user's own words cut to a few characters with names and ID numbers masked
//! (`privacy::mask_possible_names`: stricter than elsewhere, since no cue is needed). Keeping it needs consent (it is the user's own words): the
//! consent question comes first and the request waits in it. A day gone, or none readable, gets
//! a question and the task waits for the day. The reminder itself is one row of `reminders`
//! without an application (migration 0013), sent once by the worker inside its send window.
//!
//! Layer: handler — a part of `Turn` built on `turn` and the base modules.

use chrono::{Datelike, Duration, NaiveDate};

use super::render::ButtonKind;
use super::turn::Turn;
use super::{Effect, Pending, SetReminder};
use crate::content::understand::contains_any;
use crate::policy::calendar::working_days_after;
use crate::policy::dates::format_cn;
use crate::privacy;
use crate::tracking::reminders::{morning, next_send_time, review_due};
use crate::tracking::{ReminderCommand, ReminderState};
use crate::understand::Context as Reading;

/// The topic of renewing (its name in `topic_names` of `faq/understand.yaml`).
const RENEWAL: &str = "renewal";

/// Slot of a task said while a consent question waited (`YYYY-MM-DD|task`).
const TASK_SLOT: &str = "remind_task";

/// Longest task kept from the user's own words (characters): enough for 带我妈去复查, too short
/// for a story.
const MAX_OWN_TASK_CHARS: usize = 8;

/// A year-less date read as next year's this far ahead was meant as a day already gone
/// (`12月1号` said on 12-07), not as a day eleven months away.
const FAR_AHEAD_DAYS: i64 = 180;

/// The day a reminder request names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Day {
    /// A day still ahead (today included).
    Ahead(NaiveDate),
    /// A day already gone.
    Gone(NaiveDate),
    /// No day that can be read.
    Unread,
}

impl<'a> Turn<'a> {
    /// `12月20号提醒我带我妈去复查`: a reminder of the user's own task on that day. `false`: the
    /// request is about the benefit's expiry, an application's acceptance or supplement (the
    /// reminders of applications), or names no task at all.
    pub(super) fn remind_task(&mut self, text: &str) -> bool {
        let words = &self.a.content.understand.commands;
        let names =
            |list: &[String]| list.iter().any(|w| !w.is_empty() && text.contains(w.as_str()));
        let day = self.task_day(text);
        let listed = self.listed_task(text);
        // 续期/到期 with a day is the renewal reminder; 补材料 with a recorded application its
        // supplement deadline; a past day with 受理/交的 an acceptance — all kept as they were.
        // … unless the end is known and the day said comes before it: `你礼拜五提醒我一下去弄
        // 延期` after "三个礼拜到期" is a day to do it, never a new end of validity (play-test
        // round 13, P4: Friday became the expiry).
        let before_end = match (day, self.s.context.expiry) {
            (Day::Ahead(on), Some(end)) => on < end,
            _ => false,
        };
        if names(&words.remind_renewal) && !before_end {
            return false;
        }
        if names(&words.remind_supplement) && !self.user.applications.is_empty() {
            return false;
        }
        if matches!(day, Day::Gone(_)) && listed.is_none() && names(&words.remind_accepted) {
            return false;
        }
        // `帮我把我妈这个申请记一下嘛 到12月8号还没消息就提醒我打电话`: the application handed in
        // (said in this message or earlier) is recorded, and the task on that day kept with it.
        if let (Day::Ahead(on), Some(accepted)) = (day, self.records_handed_in(text)) {
            let default = &self.a.content.understand.commands.record_task;
            let task = listed
                .or_else(|| self.own_task(text))
                .or_else(|| (!default.is_empty()).then(|| default.clone()));
            return self.record_with_task(text, accepted, task, on);
        }
        let mut explained = false;
        let task = match listed {
            Some(task) => task,
            // Own words only with a day said: `提醒我一下` alone is the offer of reminders.
            None if day != Day::Unread => {
                match self.own_task(text).or_else(|| self.topic_task(text)) {
                    Some(task) => task,
                    // `12月23号提醒我` right after a reminder of a task was set: that one moved
                    // there (play-test round 11, P7); with an application under review, a
                    // reminder to check its result.
                    None => match day {
                        Day::Ahead(on) if self.moves_task_to(on) => return true,
                        _ => match self.review_task() {
                            Some(task) => {
                                self.say_review_reminders();
                                explained = true;
                                task
                            }
                            None => return false,
                        },
                    },
                }
            }
            None => return false,
        };
        if let (Day::Ahead(on), false) = (day, explained) {
            self.application_reminder_stays(text, on);
        }
        self.task_on(task, day);
        true
    }

    /// `快审完前几天提醒我一下`, `我要审完之前提醒 提前三天嘛`: a reminder to check the result
    /// (`review_task`) some days before the review's deadline — of the application recorded in
    /// this message, or of the one under review — besides its overdue reminder, which stays
    /// (play-test round 12, P7). Bare `提前三天` counts only with an application under review
    /// and no reminder of the user's own the words could move. The words are
    /// `commands.review_lead` of `faq/understand.yaml`. `false`: not such a request, no
    /// deadline known, or its day already gone.
    pub(super) fn review_lead(&mut self, text: &str) -> bool {
        let words = &self.a.content.understand.commands;
        let (lead, edit) = (&words.review_lead, &words.reminder_edit);
        let task = words.review_task.clone();
        if self.s.pending.is_some() || task.is_empty() || lead.default_days == 0 {
            return false;
        }
        // `到期前三天提醒我续期`: the benefit's expiry, not the review's (its own reminders).
        let rest = lead.before.iter().fold(text.to_string(), |t, w| t.replace(w.as_str(), ""));
        if contains_any(&rest, &words.remind_renewal) {
            return false;
        }
        let before = contains_any(text, &lead.before) && contains_any(text, &edit.noun);
        let counted = (edit.days.iter())
            .filter(|(w, _)| !w.is_empty() && text.contains(w.as_str()))
            .max_by_key(|(w, _)| w.chars().count())
            .map(|(_, d)| *d);
        // `提前三天嘛`: a particle at the end asks for it, it is no question.
        let plain = text.trim_end_matches(|c: char| "嘛吧哈哦噻撒嘞呀啊。！!～~ ".contains(c));
        let u = self.a.understand(plain, Reading { today: self.today, region: self.region() });
        let named = contains_any(text, &edit.noun);
        let bare = !before
            && contains_any(text, &edit.earlier)
            && (counted.is_some() || (named && contains_any(text, &lead.unsure)))
            && u.dates.is_empty()
            && (!u.question || named)
            && !(super::track::listed_reminders(&self.track_ctx()).iter())
                .any(|l| l.task.is_some());
        if !before && !bare {
            return false;
        }
        let days = counted.unwrap_or(lead.default_days);
        let region = self.region().and_then(|id| self.a.content.regions.get(id));
        // Recorded in this message (`12月4号交了 帮我记到 快审完前几天提醒我一下`).
        if let Some(accepted) = self.records_handed_in(text).filter(|_| before) {
            let Some(limit) = region.and_then(|r| r.review_days()) else { return false };
            let due = working_days_after(&self.a.content.calendar, accepted, limit).date;
            let on = due - Duration::days(days.into());
            if on < self.today {
                return false;
            }
            return self.record_with_task(text, accepted, Some(task), on);
        }
        let cal = &self.a.content.calendar;
        let Some(app) = self.user.applications.last().filter(|a| a.status().under_review()) else {
            return false;
        };
        let app_region =
            app.details.region.as_deref().and_then(|id| self.a.content.regions.get(id));
        let Some(due) = app_region.or(region).and_then(|r| review_due(app, r, cal)).map(|d| d.date)
        else {
            return false;
        };
        if due < self.today {
            return false;
        }
        let on = (due - Duration::days(days.into())).max(self.today);
        let overdue = super::track::listed_reminders(&self.track_ctx())
            .iter()
            .find(|l| l.task.is_none() && l.day > due)
            .map(|l| format!("；{}那条审核超期提醒照常发", format_cn(l.day)))
            .unwrap_or_default();
        self.say(format!(
            "审核期限是{}，提前{days}天，{}提醒您查审核结果{overdue}。",
            format_cn(due),
            format_cn(on)
        ));
        self.task_on(task, Day::Ahead(on));
        true
    }

    /// `提醒是哪天 能不能改成明天就提醒我`: the review's deadline and the application's
    /// reminders, which follow it and stay, before the reminder set on the day asked for.
    fn say_review_reminders(&mut self) {
        if let Some(lines) = super::track::review_and_reminders(&self.track_ctx()) {
            self.say(format!(
                "{lines}\n这是按审核期限自动排的，不能改，照常提醒；您说的那天另外单设一条："
            ));
        }
    }

    /// `25号才提醒啊 能不能24号前提醒我…`: a later day said that is an application's reminder
    /// (the review's overdue one) — it follows the application and cannot be moved, so it is
    /// said to stay, beside the reminder set on `on`.
    fn application_reminder_stays(&mut self, text: &str, on: NaiveDate) {
        let u = self.a.understand(text, Reading { today: self.today, region: self.region() });
        let listed = super::track::listed_reminders(&self.track_ctx());
        let Some(later) = listed
            .iter()
            .find(|l| l.task.is_none() && l.day > on && u.dates_ahead.contains(&l.day))
        else {
            return;
        };
        self.say(format!(
            "{}那条是按申请的审核期限自动排的，不能改，照常提醒；要早些提醒的，另外单设一条：",
            format_cn(later.day)
        ));
    }

    /// The task of checking the review's result (`review_task` of `faq/understand.yaml`), when
    /// the application recorded last is under review.
    fn review_task(&self) -> Option<String> {
        let task = &self.a.content.understand.commands.review_task;
        let reviewed = self.user.applications.last().is_some_and(|a| a.status().under_review());
        (reviewed && !task.is_empty()).then(|| task.clone())
    }

    /// `要得 我明天弄 你到时候提醒我一下` right after the renewal answer: the task is doing what
    /// the conversation is about (`办延期`, from `topic_names`), when the message says the user
    /// will do it (`do_it` words) without naming anything else.
    fn topic_task(&self, text: &str) -> Option<String> {
        let words = &self.a.content.understand;
        if !contains_any(text, &words.commands.do_it) {
            return None;
        }
        // The latest topic of the conversation that names a procedure (`renewal` after the
        // renewal answer, though a question on a late renewal came between).
        // A benefit's end said in the conversation (its renewal answers carry no topic) is the
        // renewal's.
        let named = self.s.context.topics.iter().rev().find_map(|t| words.topic_names.get(t));
        let renewal = || self.s.context.expiry.and_then(|_| words.topic_names.get(RENEWAL));
        let name = named.or_else(renewal)?;
        Some(format!("办{name}"))
    }

    /// The day an application was handed in when `text` asks to record it while nothing is
    /// recorded: a past day said in `text`, else one said earlier in the conversation. `None`:
    /// no request to record, something recorded already, or no such day.
    fn records_handed_in(&self, text: &str) -> Option<NaiveDate> {
        let words = &self.a.content.understand.commands;
        if !self.records_first()
            || !words.record.iter().any(|w| !w.is_empty() && text.contains(w.as_str()))
        {
            return None;
        }
        let u = self.a.understand(text, Reading { today: self.today, region: self.region() });
        let said = u.dates.iter().rev().copied().find(|d| *d < self.today);
        said.or_else(|| self.s.context.date(false, self.today))
    }

    /// Records the application accepted on `accepted` (after consent) and the reminder of
    /// `task` on `on` with it: the task waits in the consent question when there is one.
    fn record_with_task(
        &mut self,
        text: &str,
        accepted: NaiveDate,
        task: Option<String>,
        on: NaiveDate,
    ) -> bool {
        if let Some(task) = &task {
            if self.s.consent != Some(true) {
                self.s.slots.insert(TASK_SLOT.into(), format!("{}|{task}", on.format("%Y-%m-%d")));
            }
        }
        self.record_at_once(text, accepted);
        if let Some(task) = task.filter(|_| self.s.consent == Some(true)) {
            self.keep_task(&task, on);
        }
        true
    }

    /// What a task waiting for consent will be (said with the consent question).
    pub(super) fn task_promise(&self) -> Option<String> {
        let (day, task) = self.s.slots.get(TASK_SLOT)?.split_once('|')?;
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
        Some(format!("同意保存后，我也会在{}提醒您：{task}。", format_cn(day)))
    }

    /// `再加一个 明年1月5号去医院复查` while a consent question waits: the task and its day wait
    /// in the procedure's slots ([`TASK_SLOT`]) and are kept once consent is given (see
    /// [`Turn::keep_waiting_task`]); the consent question stays. `false`: no listed task, or
    /// no day ahead.
    pub(super) fn task_at_consent(&mut self, text: &str) -> bool {
        let (Some(task), Day::Ahead(day)) = (self.listed_task(text), self.task_day(text)) else {
            return false;
        };
        self.wait_for_consent(&task, day);
        true
    }

    fn wait_for_consent(&mut self, task: &str, day: NaiveDate) {
        self.s.slots.insert(TASK_SLOT.into(), format!("{}|{task}", day.format("%Y-%m-%d")));
        self.say(format!("好的，同意保存后，我也会在{}提醒您：{task}。", format_cn(day)));
        self.prompt_pending();
    }

    /// After the consent question: a task that waited for it is kept with consent, and let go
    /// without.
    pub(super) fn keep_waiting_task(&mut self, yes: bool) {
        let Some(waiting) = self.s.slots.remove(TASK_SLOT) else { return };
        let Some((day, task)) = waiting.split_once('|') else { return };
        match NaiveDate::parse_from_str(day, "%Y-%m-%d").ok().filter(|_| yes) {
            Some(day) => self.keep_task(task, day),
            None => self.say(format!("“{task}”的提醒没有设。")),
        }
    }

    /// The task waiting for consent, for "我设了哪些提醒" (`None`: none waits).
    pub(super) fn waiting_task(&self) -> Option<String> {
        let (day, task) = self.s.slots.get(TASK_SLOT)?.split_once('|')?;
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
        Some(format!("正在设的事项提醒：{} {task}，同意保存后生效。", format_cn(day)))
    }

    /// Goes on with `task` on `day`: the question for a day, or consent, or the reminder set.
    fn task_on(&mut self, task: String, day: Day) {
        let task = self.with_contact(task);
        match day {
            Day::Ahead(day) if self.s.consent == Some(true) => self.set_task(&task, day),
            // Another consent question waits (the renewal's): the task waits with it.
            Day::Ahead(day)
                if matches!(
                    self.s.pending,
                    Some(Pending::Consent | Pending::RecordConsent { .. })
                ) =>
            {
                self.wait_for_consent(&task, day)
            }
            Day::Ahead(day) => {
                self.s.pending =
                    Some(Pending::TaskConsent { task, day: day.format("%Y-%m-%d").to_string() });
                self.prompt_pending();
            }
            Day::Gone(day) => {
                self.say(format!(
                    "{}已经过去了，没法提醒。要提醒您“{task}”的话，请告诉我以后的哪一天，例如“12月20号”“下周三”。",
                    format_cn(day)
                ));
                self.s.pending = Some(Pending::TaskDate { task });
            }
            Day::Unread => {
                self.say(format!(
                    "好的，提醒您“{task}”。是哪一天？请告诉我日期，例如“12月20号”“下周三”“过两天”。"
                ));
                self.s.pending = Some(Pending::TaskDate { task });
            }
        }
    }

    /// A task of calling someone (`打电话`, `问进度`) with the region's number, so the reminder
    /// says whom to call (play-test round 14, P3: "打电话" alone, then the number asked for).
    fn with_contact(&self, task: String) -> String {
        let words = &self.a.content.understand.commands.call_task;
        let region = self.region().and_then(|id| self.a.content.regions.get(id));
        match region {
            Some(r) if contains_any(&task, words) => with_number(&task, r).unwrap_or(task),
            _ => task,
        }
    }

    /// `提醒我的时候把电话号码也发给我`: the last pending reminder of the user's own task gets the
    /// region's number (kept anew with the same day), or the user is told it has it already.
    pub(super) fn number_in_reminder(&mut self, text: &str) -> bool {
        let words = &self.a.content.understand.commands.number_in_reminder;
        if !contains_any(text, words) {
            return false;
        }
        let pending = self.user.tasks.iter().filter(|t| t.state == ReminderState::Pending);
        let Some(last) = pending.max_by_key(|t| t.id).cloned() else { return false };
        let Some(r) = self.region().and_then(|id| self.a.content.regions.get(id)) else {
            return false;
        };
        let day = format_cn(crate::clock::china_today(last.due_at));
        let Some(task) = with_number(&last.task, r) else {
            self.say(format!("{day}的提醒里已经写着：{}。", last.task));
            return true;
        };
        self.effects.push(Effect::Reminders(ReminderCommand::DeleteTask { id: last.id }));
        self.effects.push(Effect::Reminders(ReminderCommand::AddTask {
            task: task.clone(),
            due_at: last.due_at,
        }));
        self.say(format!("好的，{day}的提醒会这样写：{task}。"));
        true
    }

    /// The answer to the question for a day: a day read sets the reminder (after consent); a
    /// message without one is read as usual, and the task is let go.
    pub(super) fn on_task_date(&mut self, task: String, text: &str) -> bool {
        self.s.pending = None;
        match self.task_day(text) {
            Day::Unread => false,
            day => {
                self.task_on(task, day);
                true
            }
        }
    }

    /// The consent question for a task reminder.
    pub(super) fn ask_task_consent(&mut self, task: &str, day: &str) {
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").map(format_cn).unwrap_or_default();
        let choices = vec![
            self.button("同意", ButtonKind::Consent(true)),
            self.button("不同意", ButtonKind::Consent(false)),
        ];
        self.ask_with(
            format!(
                "要在{day}提醒您“{task}”，需要您同意保存：这件事（“{task}”）和提醒日（不保存姓名、证件号）。随时发送 /forget 可删除全部信息。是否同意保存？"
            ),
            choices,
        );
    }

    /// After the consent question of a task reminder: kept with consent, else nothing is kept.
    pub(super) fn task_consent(&mut self, yes: bool, task: &str, day: &str) {
        match NaiveDate::parse_from_str(day, "%Y-%m-%d").ok().filter(|_| yes) {
            Some(day) => self.set_task(task, day),
            None => self.say("好的，这个提醒没有设，什么也没保存。"),
        }
    }

    /// Keeps the reminder of `task` for `day`'s morning (or the next moment inside the send
    /// window, when that is today and already later) and says so, with where to delete it.
    fn set_task(&mut self, task: &str, day: NaiveDate) {
        self.keep_task(task, day);
        if self.s.dialog.is_some() {
            self.reask();
        }
    }

    /// Keeps the reminder and says so (no step asked again).
    fn keep_task(&mut self, task: &str, day: NaiveDate) {
        let due_at = next_send_time(morning(day).max(self.now));
        self.effects
            .push(Effect::Reminders(ReminderCommand::AddTask { task: task.to_string(), due_at }));
        // `一个礼拜不是14号吗` next: how this day was counted.
        self.reminders_said(Some(SetReminder { day, from: self.today, task: task.to_string() }));
        let source = self.a.content.citations.cite_short("README.md");
        let region =
            self.region().and_then(|id| self.a.content.regions.get(id)).map(|r| r.name.clone());
        let region = region.map(|name| format!("｜地区：{name}")).unwrap_or_default();
        self.say(format!(
            "好的，{}在这个对话里提醒您：{task}。只提醒这一次，不在夜里发（9:00–20:00之间）。查看或取消：发送“我的提醒”。\n来源：{source}{region}",
            format_cn(day)
        ));
    }

    /// The day `text` names for a reminder: a day ahead (`12月20号`, `下礼拜三`), a count of
    /// days (`过两天`), the end of this month (`月底前`), or a day gone (`12月1号` on 12-07).
    fn task_day(&self, text: &str) -> Day {
        // `25号才提醒啊 能不能24号前提醒我去查一哈`: the day of the last clause asking to be
        // reminded, not a day said before about another reminder.
        let clause = remind_clause(text);
        if clause.len() < text.len() {
            let day = self.task_day(clause);
            if day != Day::Unread {
                return day;
            }
        }
        let today = self.today;
        let u = self.a.understand(text, Reading { today, region: self.region() });
        // `11月20号交的 到12月10号还没消息就提醒我`: the day ahead is the near one, not the
        // handing-in day read as next year's.
        let near = |d: &&NaiveDate| (**d - today).num_days() <= FAR_AHEAD_DAYS;
        if let Some(&ahead) = u.dates_ahead.iter().filter(|d| **d >= today).find(near) {
            return Day::Ahead(ahead);
        }
        if let Some(&ahead) = u.dates_ahead.first() {
            let gone = u.dates.first().copied().filter(|d| *d < today);
            return match gone {
                Some(d) if (ahead - today).num_days() > FAR_AHEAD_DAYS => Day::Gone(d),
                _ => Day::Ahead(ahead),
            };
        }
        if let Some(d) = u.dates.first().copied().filter(|d| *d < today) {
            return Day::Gone(d);
        }
        let words = &self.a.content.understand.commands;
        if let Some((_, days)) = words
            .remind_after_days
            .iter()
            .filter(|(w, _)| !w.is_empty() && text.contains(w.as_str()))
            .max_by_key(|(w, _)| w.chars().count())
        {
            return Day::Ahead(today + Duration::days((*days).into()));
        }
        // `过十天`, `两个礼拜以后`: any count, not only those listed above.
        if let Some(days) = crate::understand::days_from_now(text) {
            return Day::Ahead(today + Duration::days(days.into()));
        }
        if words.month_end.iter().any(|w| !w.is_empty() && text.contains(w.as_str())) {
            return Day::Ahead(last_day_of_month(today));
        }
        Day::Unread
    }

    /// The listed task whose longest word `text` contains.
    pub(super) fn listed_task(&self, text: &str) -> Option<String> {
        let tasks = &self.a.content.understand.commands.remind_tasks;
        tasks
            .iter()
            .flat_map(|(task, words)| words.iter().map(move |w| (task, w)))
            .filter(|(_, w)| !w.is_empty() && text.contains(w.as_str()))
            .max_by_key(|(_, w)| w.chars().count())
            .map(|(task, _)| task.clone())
    }

    /// The task in the user's own words: the words after the reminder word when they start
    /// with an action (`task_starts`), without the fillers and punctuation, cut short, names
    /// and ID numbers masked. `None`: no action after the reminder word, nothing left, or
    /// digits left (a number is no task to keep).
    pub(super) fn own_task(&self, text: &str) -> Option<String> {
        let words = &self.a.content.understand.commands;
        let remind = words.within.get(&crate::content::understand::CommandName::Remind);
        let (before, after) = remind
            .into_iter()
            .flatten()
            .filter(|w| !w.is_empty())
            .find_map(|w| text.split_once(w.as_str()))?;
        let after = strip_lead(after.trim_start(), &words.task_lead);
        self.task_in(after).or_else(|| self.task_before(before))
    }

    /// `下个星期三我要去医院重新开检查单子 到时候提醒我`: the task said before the request, in the
    /// last clause holding a `task_starts` word, from that word on.
    fn task_before(&self, before: &str) -> Option<String> {
        let starts = &self.a.content.understand.commands.task_starts;
        let at = |clause: &str| {
            starts.iter().filter(|w| !w.is_empty()).filter_map(|w| clause.find(w.as_str())).min()
        };
        let clause = super::wording::sentence_clauses(before).rfind(|c| at(c).is_some())?;
        // A bare verb (`我后天就去弄`) names no task of its own: the reminder it asks for is read
        // from the conversation (a renewal's) as before.
        let task = self.task_in(clause[at(clause)?..].trim_start_matches('要'))?;
        (task.chars().count() >= 3).then_some(task)
    }

    /// The task that `after` starts with (a `task_starts` word), short and filtered.
    fn task_in(&self, after: &str) -> Option<String> {
        let words = &self.a.content.understand.commands;
        if !words.task_starts.iter().any(|w| !w.is_empty() && after.starts_with(w.as_str())) {
            return None;
        }
        let mut task: String = after
            .chars()
            .take_while(|c| !"，,。.;；!！?？\n".contains(*c))
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut fillers = words.task_filler.clone();
        fillers.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        for w in fillers.iter().filter(|w| !w.is_empty()) {
            task = task.replace(w.as_str(), "");
        }
        // A sentence's closing particles are no part of the task (`打电话问一下嘛` had kept 嘛),
        // nor its leading 去/要 (`去复查` → 复查) — but 去 stays before a place (`去医院问`, the
        // places of the `到…` task starts), where the task would read 医院问.
        let to_place = words.task_starts.iter().filter_map(|w| w.strip_prefix('到'));
        let places: Vec<&str> = to_place.filter(|p| !p.is_empty()).collect();
        let goes = task.strip_prefix('去').is_some_and(|r| places.iter().any(|p| r.starts_with(p)));
        let task =
            if goes { task.as_str() } else { task.trim_start_matches(['去', '要', '把']) };
        let task = task
            .trim_end_matches(['了', '吧', '啊', '嘛', '呀', '哦', '哈', '呢', '哟', '噻', '喽']);
        if task.is_empty() || task.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        // `去查一哈` → 查: a bare verb, with an application under review, is checking its result.
        if task.chars().count() == 1 {
            if let Some(review) = self.review_task() {
                return Some(review);
            }
        }
        let short: String = task.chars().take(MAX_OWN_TASK_CHARS).collect();
        Some(privacy::mask_possible_names(&short))
    }
}

/// `text` without the `lead` words, spaces and punctuation it starts with (`嘛 我好打电话去问` →
/// `打电话去问`), longest word first, as often as they come.
fn strip_lead<'t>(mut text: &'t str, lead: &[String]) -> &'t str {
    let mut lead: Vec<&String> = lead.iter().filter(|w| !w.is_empty()).collect();
    lead.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    loop {
        let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || "，,~～".contains(c));
        let next = lead.iter().find_map(|w| trimmed.strip_prefix(w.as_str())).unwrap_or(trimmed);
        if next.len() == text.len() {
            return text;
        }
        text = next;
    }
}

/// The last clause of `text` (between spaces and punctuation) that names a reminder (提醒), or
/// `text` itself when none does.
pub(super) fn remind_clause(text: &str) -> &str {
    super::wording::sentence_clauses(text).rfind(|clause| clause.contains("提醒")).unwrap_or(text)
}

/// The last day of `day`'s month.
fn last_day_of_month(day: NaiveDate) -> NaiveDate {
    let first_next = match day.month() {
        12 => NaiveDate::from_ymd_opt(day.year() + 1, 1, 1),
        m => NaiveDate::from_ymd_opt(day.year(), m + 1, 1),
    };
    first_next.and_then(|d| d.pred_opt()).unwrap_or(day)
}

/// `task` with the region's short contact after it; `None` when it already holds a number.
fn with_number(task: &str, r: &crate::content::regions::Region) -> Option<String> {
    (!task.chars().any(|c| c.is_ascii_digit())).then(|| format!("{task}（{}）", r.short_contact()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn particles_and_so_that_i_before_a_task_are_left_out() {
        let lead: Vec<String> = ["嘛", "我好", "好"].iter().map(|w| w.to_string()).collect();
        assert_eq!(strip_lead("嘛 我好打电话去问", &lead), "打电话去问");
        assert_eq!(strip_lead("，去复查", &lead), "去复查");
        assert_eq!(strip_lead("好多天", &[]), "好多天");
    }

    #[test]
    fn the_last_clause_asking_for_a_reminder_names_its_day() {
        assert_eq!(remind_clause("25号才提醒啊 能不能24号前提醒我去查"), "能不能24号前提醒我去查");
        assert_eq!(remind_clause("明天提醒我"), "明天提醒我");
        assert_eq!(remind_clause("明天去复查"), "明天去复查");
    }

    #[test]
    fn the_end_of_a_month_is_its_last_day() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(last_day_of_month(d(2026, 12, 7)), d(2026, 12, 31));
        assert_eq!(last_day_of_month(d(2027, 2, 3)), d(2027, 2, 28));
        assert_eq!(last_day_of_month(d(2026, 11, 30)), d(2026, 11, 30));
    }
}
