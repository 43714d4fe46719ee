//! Top layer of the engine: which handler runs for an input. [`Turn::run`] sends typed text to
//! `text` and a button press, checked against the turn it was issued in, to the handler of its
//! kind; [`Turn::resume`] asks the pending question again for a returning user. Only this
//! module and the root `mod.rs` choose between handlers; the `Turn` it drives is in `turn`.

use super::answers::HAND_IN_PAYLOAD;
use super::render::{self, Button, ButtonKind};
use super::track;
use super::track_said::RECORD_PAYLOAD;
use super::turn::Turn;
use super::{Input, Pending};
use crate::content::understand::CommandName;

/// The line before whatever is shown again to a user who comes back (here before a pending
/// question; the web page also uses it before the main menu).
/// The `Menu` button id of 转人工 offered beside answers (not a dialog: the hand-off offer).
const HUMAN_BUTTON: &str = "human";

pub const WELCOME_BACK: &str = "欢迎回来！我们接着上次的地方继续：";
impl<'a> Turn<'a> {
    pub(super) fn run(&mut self, input: Input) {
        self.recover();
        match input {
            Input::Button(data) => self.on_button(&data),
            Input::Text(text) => {
                self.on_text(&text);
                self.offer_person_asked_in_passing(&text);
                self.remind_asked_in_passing(&text);
            }
        }
        // After "your step was updated, back to the menu" the user must see the menu, whatever
        // the message itself led to.
        if self.recovered && self.s.dialog.is_none() && !self.menu_shown {
            self.show_menu();
        }
        // While a hand-off holds the conversation the way back is one tap away.
        self.offer_end_handoff();
    }

    /// `…要多久批下来 找人工`: a person asked for beside questions, which were answered; the
    /// offer is one tap away under the answer (it was dropped). Nothing when the turn already
    /// dealt with the hand-off.
    fn offer_person_asked_in_passing(&mut self, text: &str) {
        // Only the longer wordings: a bare 人工 is also in 人工关节、人工肾.
        let words = self.a.content.understand.commands.say.get(&CommandName::Human);
        let asked = words
            .into_iter()
            .flatten()
            .any(|w| w.chars().count() >= 3 && text.contains(w.as_str()));
        let handled = self.effects.iter().any(|e| matches!(e, super::Effect::Handoff { .. }))
            || self.s.pending.is_some()
            || self.user.handoff.is_some();
        if asked && !handled && !self.replies.is_empty() {
            let button = self.button("转人工", ButtonKind::Menu(HUMAN_BUTTON.into()));
            if let Some(last) = self.replies.last_mut() {
                last.choices.push(button);
            }
        }
    }

    /// `受理号咋个变成星星了 那过三天提醒我打电话去问`: a reminder asked for with its day beside
    /// a question that was answered (play-test round 12, P3: the reminder was dropped). Its
    /// clause is read as a reminder request of its own, when the turn touched no reminder and
    /// nothing waits for an answer.
    fn remind_asked_in_passing(&mut self, text: &str) {
        let touched = self
            .effects
            .iter()
            .any(|e| matches!(e, super::Effect::Reminders(_) | super::Effect::Application(_)));
        if touched || !self.at_top_level() || self.replies.is_empty() || self.remind_read {
            return;
        }
        let clauses: Vec<&str> = super::wording::sentence_clauses(text).collect();
        if clauses.len() < 2 {
            return;
        }
        let reading = crate::understand::Context { today: self.today, region: self.region() };
        let Some(at) = clauses.iter().position(|c| {
            c.contains("提醒")
                && (crate::understand::days_from_now(c).is_some()
                    || !self.a.understand(c, reading).dates_ahead.is_empty())
        }) else {
            return;
        };
        let asked = clauses[at..].join(" ");
        self.remind(&asked);
    }

    pub(super) fn resume(&mut self) {
        if self.position_is_valid() && (self.s.dialog.is_some() || self.s.pending.is_some()) {
            self.say(WELCOME_BACK);
            self.s.reasks = 0;
            self.reask();
        }
    }

    pub(super) fn on_button(&mut self, data: &str) {
        // Menu and 结束人工 buttons do not depend on where the user is, so an old one still
        // works; every other button belongs to the question it was sent with.
        let Some(Button { turn, kind }) = render::decode(data).filter(|b| {
            b.turn == self.issued || matches!(b.kind, ButtonKind::Menu(_) | ButtonKind::EndHuman)
        }) else {
            return self.stale();
        };
        match kind {
            ButtonKind::Menu(id) if id == "menu" => self.show_menu(),
            ButtonKind::Menu(id) if id == HUMAN_BUTTON => self.offer_handoff(),
            ButtonKind::EndHuman => self.end_handoff_button(),
            ButtonKind::Menu(id) => self.start_dialog(&id, true),
            ButtonKind::Retry => self.reask(),
            ButtonKind::Consent(yes)
                if matches!(
                    self.s.pending,
                    Some(
                        Pending::Consent
                            | Pending::RecordConsent { .. }
                            | Pending::TaskConsent { .. }
                    )
                ) =>
            {
                self.consent(yes)
            }
            ButtonKind::Consent(yes) if self.handoff_pending().is_some() => {
                let live = self.handoff_pending().unwrap_or(false);
                self.handoff_consent(live, yes)
            }
            ButtonKind::Consent(yes) if self.s.pending == Some(Pending::Forget) => {
                self.confirm_forget(yes)
            }
            ButtonKind::Disease(i)
                if matches!(
                    self.s.pending,
                    Some(Pending::Disease(_) | Pending::UnlistedDisease(_))
                ) =>
            {
                self.pick_disease(i)
            }
            ButtonKind::Choice(i) if self.s.pending.is_none() => match self.current_step() {
                Some(step) if i < self.offered(step).len() => self.choose(step, i),
                _ => self.stale(),
            },
            ButtonKind::Region(id) => {
                self.switch_region(&id);
                self.reask();
                if self.s.dialog.is_none() && self.s.pending.is_none() {
                    self.show_menu();
                }
            }
            ButtonKind::Apply(region, disease, insurance) => {
                self.start_apply_with(&region, disease, insurance)
            }
            ButtonKind::Source => self.show_source(),
            ButtonKind::More => match self.more.take() {
                Some(rest) => self.show_more(rest),
                None => self.stale(),
            },
            ButtonKind::Suggestion(i) => match self.suggested.get(i).cloned() {
                Some(question) => self.ask_suggested(&question),
                None => self.stale(),
            },
            ButtonKind::Track(payload) if payload.starts_with(HAND_IN_PAYLOAD) => {
                let day = payload.strip_prefix(HAND_IN_PAYLOAD).unwrap_or_default();
                match chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") {
                    Ok(day) => self.remind_hand_in(day),
                    Err(_) => self.stale(),
                }
            }
            ButtonKind::Track(payload) if payload.starts_with(RECORD_PAYLOAD) => {
                let rest = payload.strip_prefix(RECORD_PAYLOAD).unwrap_or_default();
                if !self.record_offered(rest) {
                    self.stale();
                }
            }
            ButtonKind::Track(payload) => match track::on_button(&payload, &self.track_ctx()) {
                Some(out) => {
                    // 确定删除/不删了 tapped at the question of deleting one record (asked in
                    // words): answered, so it is not asked again after.
                    if matches!(self.s.pending, Some(Pending::DeleteRecord { .. })) {
                        self.s.pending = None;
                    }
                    self.apply_track(out);
                    // `再往后推一天` after a reminder was moved or deleted: still about them.
                    if payload.starts_with("r:") {
                        self.reminders_said(None);
                    }
                    self.reask();
                }
                None => self.stale(),
            },
            _ => {
                tracing::debug!(turn, "button does not fit the current state");
                self.stale()
            }
        }
    }
}
