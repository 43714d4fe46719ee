//! Live hand-off to staff (issue 18), as far as the conversation goes: offer it when the user
//! asks for a person, ask once for consent to share the conversation, then — while it is open —
//! pass what the user writes on to staff and stay quiet, except for commands.
//!
//! The engine decides and says; it keeps nothing. It reads the open hand-off and whether staff
//! had the console open from [`UserData`] (the store loads both every turn, since staff change
//! them between turns) and returns [`Effect::HandoffOpen`], [`Effect::HandoffMessage`] and
//! [`Effect::HandoffEnd`]; the store and the channels do the rest. "On duty" is staff present
//! *and* the region's service hours (content, `service_hours:` in `data/regions/*.yaml`); users
//! are told those hours only where a source gives them (`published: true`), never an operator's
//! setting as if it were the 医保窗口's office hours. Every wording is content
//! (`faq/handoff.yaml`).
//!
//! Two more things belong here: the 结束人工 button under every reply while a hand-off holds
//! the conversation, and a user saying right after an answer that it did not help (`不对`,
//! `没用`): the question goes to the console's unanswered list and a person is offered.
//!
//! [`UserData`]: super::UserData

use chrono::{DateTime, Utc};

use super::commands::{self, Command};
use super::render::ButtonKind;
use super::turn::Turn;
use super::{Effect, Pending};
use crate::clock::in_china;
use crate::content::calendar::is_weekend;
use crate::content::handoff::HandoffWords;
use crate::content::understand::contains_any;
use crate::content::Content;

/// Staff count as present when a console page of theirs was loaded this recently (the inbox
/// refreshes every few seconds; a session's `seen_at` is written at most once a minute).
pub const PRESENCE_MINUTES: i64 = 10;

/// A live hand-off in which nobody wrote for this long closes by itself and the assistant
/// says it is back: long enough for a user to look up a document, short enough that a user
/// who left is not met by silence the next day.
pub const IDLE_MINUTES: i64 = 30;

/// How a staff reply reads on every channel (`staff_says` of `faq/handoff.yaml`).
pub fn staff_says(content: &Content, text: &str) -> String {
    content.handoff.staff_says(text)
}

/// Whether staff are on duty for `region` at `now`: someone is present and it is within the
/// region's service hours on a working day. Without a region, any region's hours count.
pub fn on_duty(content: &Content, region: Option<&str>, present: bool, now: DateTime<Utc>) -> bool {
    if !present {
        return false;
    }
    let local = in_china(now);
    let date = local.date_naive();
    let working = content.calendar.working_day(date).unwrap_or(!is_weekend(date));
    if !working {
        return false;
    }
    let time = local.time();
    content
        .regions
        .values()
        .filter(|r| region.map_or(true, |id| r.id == id))
        .filter_map(|r| r.service_hours.as_ref())
        .any(|hours| hours.covers(time))
}

impl<'a> Turn<'a> {
    /// The hand-off consent question is waiting: `Some(live)`.
    pub(super) fn handoff_pending(&self) -> Option<bool> {
        match self.s.pending {
            Some(Pending::HandoffConsent { live }) => Some(live),
            _ => None,
        }
    }

    /// Text while the consent question waits: yes, no (by word or button number), or
    /// something else, which leaves the question (a question is answered as usual).
    pub(super) fn on_handoff_consent_text(&mut self, live: bool, text: &str) -> bool {
        let answer = self.words().consent(text).or_else(|| self.words().yes_no(text)).or(
            match super::wording::ordinal(text) {
                Some(1) => Some(true),
                Some(2) => Some(false),
                _ => None,
            },
        );
        match answer {
            Some(yes) => {
                self.handoff_consent(live, yes);
                true
            }
            None if self.took_offer_with_message(live, text) => true,
            // `这个是邻居的手机…能不能叫人打我电话嘛` at the offer: staff do not phone, the
            // hotline does — said, and the offer stays (play-test round 17, P6: it was dropped).
            None if contains_any(text, &self.words_of_handoff().asks_call) => {
                let note = self.with_hotline(&self.words_of_handoff().callback_note);
                self.say(note);
                self.prompt_handoff_consent(live);
                true
            }
            None => {
                self.s.pending = None;
                false
            }
        }
    }

    /// `要得 留个言 就讲隔壁刘娭毑要办门特 … 我电话138…` at the offer: the leading clauses
    /// take it (a yes, or one of `take_offer`), the rest is the message for staff — the
    /// hand-off opens and the message goes to it (the store masks it like every other).
    /// `false` when the message does not open so.
    fn took_offer_with_message(&mut self, live: bool, text: &str) -> bool {
        let take = &self.words_of_handoff().take_offer;
        let is_cut = |c: char| c.is_whitespace() || "，,。；;！!：:".contains(c);
        let mut rest = text.trim_matches(is_cut);
        let mut took = false;
        while let Some(clause) = rest.split(is_cut).next().filter(|c| !c.is_empty()) {
            let takes = self.words().yes_no(clause) == Some(true)
                || take.iter().any(|w| clause.contains(w.as_str()));
            if !takes {
                break;
            }
            took = true;
            rest = rest[clause.len()..].trim_start_matches(is_cut);
        }
        let callback = contains_any(text, &self.words_of_handoff().callback);
        if !took && !callback {
            return false;
        }
        // `我爸电话138… 让他们打过来`: all of it is the message; nothing took the offer in words.
        if !took {
            rest = text.trim_matches(is_cut);
        }
        if rest.is_empty() {
            self.handoff_consent(live, true);
            return true;
        }
        self.s.pending = None;
        self.effects.push(Effect::HandoffOpen { region: self.s.region.clone(), live });
        self.effects.push(Effect::HandoffMessage { text: rest.to_string() });
        // Live, staff read it now; off duty it is left, acknowledged instead of "write it".
        let w = self.words_of_handoff();
        let mut reply = if live { w.opened_live.clone() } else { w.left_received.clone() };
        if callback && !w.callback_note.trim().is_empty() {
            reply = format!("{reply}\n{}", self.with_hotline(&w.callback_note));
        }
        self.say(reply);
        true
    }

    /// `工作人员会打我电话不` while a message left for staff waits: they do not phone (numbers
    /// are masked), they answer here; for a call, the region's hotline (`callback_note`).
    /// `false` when no message waits or the text does not ask about a call.
    pub(super) fn asks_about_call(&mut self, text: &str) -> bool {
        let w = self.words_of_handoff();
        let asks = contains_any(text, &w.asks_call) || contains_any(text, &w.callback);
        if self.user.handoff.is_none() || !asks || w.callback_note.trim().is_empty() {
            return false;
        }
        let note = self.with_hotline(&w.callback_note);
        self.say(note);
        true
    }

    /// The user asked for a person.
    pub(super) fn offer_handoff(&mut self) {
        match self.user.handoff {
            Some(h) if h.holds() => {
                self.say(self.words_of_handoff().already_open.clone());
                return;
            }
            // A question left off duty is still waiting: one open hand-off per user.
            Some(_) => {
                let text = self.with_hotline(&self.words_of_handoff().left_waiting);
                self.say(text);
                return self.reask();
            }
            None => {}
        }
        let live = on_duty(&self.a.content, self.region(), self.user.staff_present, self.now);
        // Every request for a person is counted for the console, as before live hand-offs.
        self.effects.push(Effect::Handoff { region: self.s.region.clone() });
        self.s.pending = Some(Pending::HandoffConsent { live });
        self.prompt_handoff_consent(live);
    }

    /// The consent question, with its two buttons.
    pub(super) fn prompt_handoff_consent(&mut self, live: bool) {
        let w = self.words_of_handoff();
        let hotline = self.hotline_text();
        // Within the hours with nobody at the console, "outside the service hours" would be
        // untrue: that user hears that nobody is online.
        let within_hours = on_duty(&self.a.content, self.region(), true, self.now);
        let (text, yes) = match (live, self.published_hours().filter(|_| !within_hours)) {
            (true, _) => (w.offer_live.clone(), &w.yes_live),
            (false, Some(hours)) => {
                (HandoffWords::fill(&w.offer_off_duty, &[("hours", &hours)]), &w.yes_leave)
            }
            (false, None) => (w.offer_off_duty_no_hours.clone(), &w.yes_leave),
        };
        let text = HandoffWords::fill(&text, &[("hotline", &hotline)]);
        let choices = vec![
            self.button(yes.clone(), ButtonKind::Consent(true)),
            self.button(w.decline.clone(), ButtonKind::Consent(false)),
        ];
        self.ask_with(text, choices);
    }

    /// The answer to the consent question: open the hand-off, or today's hotline answer.
    pub(super) fn handoff_consent(&mut self, live: bool, yes: bool) {
        self.s.pending = None;
        if !yes {
            return self.hotline_answer();
        }
        self.effects.push(Effect::HandoffOpen { region: self.s.region.clone(), live });
        let w = self.words_of_handoff();
        self.say(if live { w.opened_live.clone() } else { w.opened_leave.clone() });
    }

    /// What a user who does not want a hand-off is told: call the hotline (the request was
    /// recorded for the console when it was offered).
    pub(super) fn hotline_answer(&mut self) {
        let text = self.with_hotline(&self.words_of_handoff().hotline);
        self.say(text);
        self.reask();
    }

    /// Text while a hand-off holds the conversation: commands work, everything else goes to
    /// staff. Only a message that is nothing but a command counts (`我想取消申请` is for staff).
    pub(super) fn on_handoff_text(&mut self, text: &str) {
        // 确定删除 answers the question /forget's words asked, not staff.
        if self.s.pending == Some(Pending::Forget) && self.on_pending_text(text) {
            return;
        }
        let words = &self.a.content.understand.commands;
        let command = commands::is_bare(text, words).then(|| commands::read(text, words)).flatten();
        match command {
            Some(Command::EndHuman | Command::Menu | Command::Cancel) => {
                self.end_handoff();
                self.show_menu();
            }
            Some(Command::Human) => self.offer_handoff(),
            Some(other) => self.command(other),
            None => self.pass_to_staff(text),
        }
    }

    /// The user ends the hand-off.
    pub(super) fn end_handoff(&mut self) {
        self.effects.push(Effect::HandoffEnd);
        self.say(self.words_of_handoff().ended.clone());
    }

    /// 结束人工 outside a hand-off.
    pub(super) fn no_handoff_to_end(&mut self) {
        match self.user.handoff {
            Some(_) => self.end_handoff(),
            None => self.say(self.words_of_handoff().nothing_to_end.clone()),
        }
        self.reask();
    }

    /// The 结束人工 button: ends the open hand-off and shows the menu, like the typed command
    /// during a hand-off; tapped when none is open (staff or the idle close ended it since), it
    /// says so and asks the current question again.
    pub(super) fn end_handoff_button(&mut self) {
        if self.user.handoff.is_some() {
            self.end_handoff();
            self.show_menu();
        } else {
            self.no_handoff_to_end();
        }
    }

    /// Puts the 结束人工 button under the turn's last reply when, after this turn, a hand-off
    /// holds the conversation (what the user writes goes to staff): the way out is always one
    /// tap away. A question left off duty and already written does not hold it.
    pub(super) fn offer_end_handoff(&mut self) {
        let ended = self.effects.iter().any(|e| matches!(e, Effect::HandoffEnd | Effect::Forget));
        let opened = self.effects.iter().any(|e| matches!(e, Effect::HandoffOpen { .. }));
        let wrote = self.effects.iter().any(|e| matches!(e, Effect::HandoffMessage { .. }));
        // A question left off duty and written in the same message does not hold it either.
        let live_opened =
            self.effects.iter().any(|e| matches!(e, Effect::HandoffOpen { live: true, .. }));
        let holds = (opened && (live_opened || !wrote))
            || self.user.handoff.is_some_and(|h| h.live || (h.user_messages == 0 && !wrote));
        if ended || !holds || self.replies.is_empty() {
            return;
        }
        let button = self.button(self.words_of_handoff().end_button.clone(), ButtonKind::EndHuman);
        if let Some(last) = self.replies.last_mut() {
            if !last.choices.iter().any(|c| c.data == button.data) {
                last.choices.push(button);
            }
        }
    }

    /// `不对`, `没用`, `答非所问` … right after an answer, at the menu: the question answered goes
    /// to the unanswered list (the store keeps it by that list's privacy rules: masked, the
    /// text only with consent) and a person is offered. `false` when the message is something
    /// else.
    pub(super) fn answer_did_not_help(&mut self, text: &str) -> bool {
        let at_menu = self.s.dialog.is_none() && self.s.pending.is_none();
        let answered_last = self.s.context.last_answer.is_some();
        if !at_menu || !answered_last || !self.words_of_handoff().says_not_helpful(text) {
            return false;
        }
        // The context keeps only a question that names nobody (no ID, phone or name): one
        // that did is not listed at all, stricter than the list's own masking.
        if let Some(question) = self.s.context.question.take() {
            let region = self.s.context.question_region.clone().or_else(|| self.s.region.clone());
            self.effects.push(Effect::Unanswered { question, region });
        }
        self.say(self.words_of_handoff().not_helpful_reply.clone());
        self.offer_handoff();
        true
    }

    fn pass_to_staff(&mut self, text: &str) {
        self.effects.push(Effect::HandoffMessage { text: text.to_string() });
        let left = self.user.handoff.is_some_and(|h| !h.live);
        // A live conversation stays quiet; a question left off duty is acknowledged once,
        // and the user is back with the assistant.
        if left {
            self.say(self.words_of_handoff().left_received.clone());
        }
    }

    fn words_of_handoff(&self) -> &'a HandoffWords {
        &self.a.content.handoff
    }

    fn with_hotline(&self, template: &str) -> String {
        HandoffWords::fill(template, &[("hotline", &self.hotline_text())])
    }

    /// The service hours users may be told (those of the user's region, or of every region
    /// before one is chosen), `None` when no such hours are published: an operator's setting
    /// decides who is on duty but is never stated as a fact.
    fn published_hours(&self) -> Option<String> {
        let regions = &self.a.content.regions;
        let hours: Vec<String> = regions
            .values()
            .filter(|r| self.region().map_or(true, |id| r.id == id))
            .filter_map(|r| r.service_hours.as_ref().map(|h| (r, h)))
            .filter(|(_, h)| h.published)
            .map(|(r, h)| format!("{}：{}", r.name, h.text))
            .collect();
        (!hours.is_empty()).then(|| hours.join("；"))
    }
}
