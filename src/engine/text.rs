//! Typed text: the order in which a message is read (pending question, the current step's
//! answer, commands, menu, status reports) and [`Turn::free_text`], where text that does not
//! answer the current step ends up.
//!
//! Layer: handler — a part of `Turn` built on `turn` and the base modules; `dispatch` decides when
//! it runs.

use super::commands;
use super::input;
use super::render::{self, ButtonKind};
use super::track;
use super::turn::Turn;
use super::wording::{self, Question};
use super::{Choice, Effect};
use crate::content::dialogs::InputKind;
use crate::knowledge::Answer;

/// What became of typed text at the current step.
enum StepText {
    /// Taken as the answer (or the engine asked something back about it).
    Handled,
    /// Meant as an answer but not usable; the hint says why.
    Failed(String),
    /// Not an answer: a command, a question, or there is no step waiting.
    NotAnAnswer,
}

impl<'a> Turn<'a> {
    pub(super) fn on_text(&mut self, raw: &str) {
        let count = raw.chars().count();
        if count > super::MAX_INPUT_CHARS {
            self.say(format!(
                "您的消息有 {count} 个字，太长了，我没法准确理解。请用一两句话简单说明，例如“起付线是多少”。"
            ));
            self.reask();
            return;
        }
        let text = raw.trim();
        if text.is_empty() {
            self.say("没有收到文字内容，请再输入一次。");
            self.reask();
            return;
        }
        self.message = text.to_string();
        // During a hand-off the user talks with staff; the assistant only obeys commands.
        if self.user.handoff.is_some_and(|h| h.holds()) {
            return self.on_handoff_text(text);
        }
        // Facts said in any message (an answer too: `知道 就这个月27号`) are the context of
        // the next ones.
        self.learn(text);
        if let Some(question) = self.picked_suggestion(text) {
            return self.ask_suggested(&question);
        }
        // Commands in plain words work at every step, before the step's own answer.
        if self.said_command(text) {
            return;
        }
        // "那我好久开始办" after an expiry date: when, at any step.
        if self.asks_when_to_renew(text) {
            return;
        }
        if self.s.pending.is_some() && self.on_pending_text(text) {
            return;
        }
        let failure = match self.answer_step(text) {
            StepText::Handled => return,
            StepText::Failed(hint) => Some(hint),
            StepText::NotAnAnswer => None,
        };
        if let Some(cmd) = commands::parse(text) {
            return self.command(cmd);
        }
        if commands::is_unknown_slash(text) {
            self.say("没有这个指令。可用的指令：/menu 主菜单、/back 上一步、/cancel 取消、/help 帮助、/myapps 我的申请。");
            self.reask();
            return;
        }
        self.free_text(text, failure);
    }

    /// Reads `text` as the answer to the current step (nothing to do at the menu or while a
    /// pending question waits). Commands and questions are left alone: at a step with buttons a
    /// question is never taken for a click (`职工起付线多少` is not the answer 职工医保), and at
    /// a typed-answer step a clear question is not stored as the answer.
    fn answer_step(&mut self, text: &str) -> StepText {
        let Some(step) = self.current_step().filter(|_| self.s.pending.is_none()) else {
            return StepText::NotAnAnswer;
        };
        if self.region_with_question(text) {
            return StepText::Handled;
        }
        if let Some(i) = self.offered_index(step, text) {
            self.choose(step, i);
            return StepText::Handled;
        }
        if commands::parse(text).is_some() || text.starts_with('/') {
            return StepText::NotAnAnswer;
        }
        // `不对 是11月19号受理的` at the 受理号 step corrects the date, it is no 受理号.
        if self.corrects_date(step, text) {
            return StepText::Handled;
        }
        let asked = self.asks(text);
        let has_buttons = !self.offered(step).is_empty();
        let typed_answer = step.ask == Some(InputKind::Text);
        if asked == Question::Clearly && (has_buttons || typed_answer) {
            return StepText::NotAnAnswer;
        }
        // At the disease step "哪些病可以办", "起付线多少钱" or "诊断证明要哪一级医院开的" (a
        // weak question word the FAQ is sure about) is a question; "糖尿病能办吗" is still the
        // answer 糖尿病.
        let question =
            asked == Question::Clearly || (asked == Question::Maybe && self.faq_is_sure(text));
        if step.ask == Some(InputKind::Disease) && question && !self.names_disease(text) {
            return StepText::NotAnAnswer;
        }
        if typed_answer && asked == Question::Maybe && self.faq_is_sure(text) {
            return StepText::NotAnAnswer;
        }
        if let Some(i) = self.offered_loosely(step, text) {
            self.choose(step, i);
            return StepText::Handled;
        }
        match self.read_answer(step, text) {
            Ok(Some(value)) => {
                self.accept(step, value, None);
                StepText::Handled
            }
            Ok(None) => StepText::Handled, // the engine asked back ("did you mean …?")
            Err(hint) => StepText::Failed(hint),
        }
    }

    /// The question of the last unsure answer that `text` picks: by its number or its text.
    fn picked_suggestion(&self, text: &str) -> Option<String> {
        if self.suggested.is_empty() {
            return None;
        }
        // Where the step itself asks for a number, a number is its answer.
        let number_asked = self.current_step().is_some_and(|s| s.ask == Some(InputKind::Number));
        let by_number = wording::ordinal(text)
            .filter(|_| !number_asked)
            .and_then(|n| self.suggested.get(n - 1));
        let by_text = || {
            let t = input::normalize(text);
            self.suggested.iter().find(|q| input::normalize(q) == t)
        };
        by_number.or_else(by_text).cloned()
    }

    /// Answers a question the FAQ suggested, then asks the current step again.
    pub(super) fn ask_suggested(&mut self, question: &str) {
        let answer = self.a.knowledge.answer(question, self.region());
        self.say_answer(answer);
        self.reask();
    }

    /// **The place for free text**: a message that is neither a command nor an answer to the
    /// current step (`failure`: why it did not work as one, when a step was waiting). Menu
    /// titles and numbers, the greeting, status reports ("审核通过了…") and FAQ questions are
    /// recognised here; whatever is not understood explains `failure` or says "not sure".
    /// Afterwards the current step is asked again, so nothing entered so far is lost.
    pub(super) fn free_text(&mut self, text: &str, failure: Option<String>) {
        // `糖尿病呢`: the last question with a new value (see `followup`).
        if self.follow_up(text) {
            return;
        }
        self.remember_question(text);
        if self.hold_for_region(text) {
            return;
        }
        if self.other_menu_entry(text) {
            return;
        }
        // `帮我记一下 我妈的门特申请12月3号交的` with nothing recorded: its review's last day.
        if self.reports_first_acceptance(text) {
            return;
        }
        // "好多天能审完" about the application recorded: its own deadline.
        if self.asks_own_review(text) {
            return;
        }
        // "门特要好久批 批了报好多": two questions in one message, each answered.
        if self.answer_each_question(text) {
            return;
        }
        // What the message says (regions, places, facts for an action) comes first — a date
        // such as "9.26号…" is not menu entry 9 — then menu entries and the FAQ; see
        // `understood` for the policy.
        if self.act_on_understanding(text, failure.is_some()) {
            return;
        }
        let at_menu = self.s.dialog.is_none() && self.s.pending.is_none();
        if at_menu && self.asks(text) != Question::Clearly {
            // "异地备案吗？" asks about 异地备案; it does not start it.
            if let Some(id) = self.menu_title(text).or_else(|| self.menu_number(text)) {
                return self.start_dialog(&id, true);
            }
        }
        if at_menu && (self.first_contact || is_greeting(text)) {
            return self.greet_then_answer(text);
        }
        // "没通过能重新申请不", "要补啥子" ask; only a statement is news about an application.
        let report = (self.asks(text) == Question::No)
            .then(|| track::status_report(text, &self.track_ctx()))
            .flatten();
        if let Some(out) = report {
            self.apply_track(out);
            self.reask();
            return;
        }
        self.faq_fallback(text, failure);
    }

    /// Inside a procedure, the title of another menu entry (`记录申请进度` typed in 新申请) is a
    /// change of mind: that procedure starts, and the user is told the first one was left.
    fn other_menu_entry(&mut self, text: &str) -> bool {
        let Some(tree) = self.tree().filter(|_| self.s.pending.is_none()) else { return false };
        if self.asks(text) == Question::Clearly {
            return false;
        }
        let Some(id) = self.menu_title(text).filter(|id| *id != tree.id) else { return false };
        self.say(format!("好的，先不办“{}”了。", tree.title));
        self.start_dialog(&id, true);
        true
    }

    /// A question typed instead of an answer: answered when the FAQ is sure, otherwise the
    /// failed answer is explained (or, outside a dialog, the not-sure reply is shown with its
    /// suggestions as buttons).
    pub(super) fn faq_fallback(&mut self, text: &str, failure: Option<String>) {
        if let Some(reply) = self.not_mente_reply(text).filter(|_| failure.is_none()) {
            self.say(reply);
            return self.reask();
        }
        let answer = self.a.knowledge.answer(text, self.region());
        let asked = self.asks(text);
        match failure {
            // A failed answer is taken for a question when it clearly is one, or reads a little
            // like one and the FAQ is sure: "下个月1日" at a date step is a wrong date, not a
            // question for the FAQ, but "怎么办" at a number step is not a wrong number.
            Some(hint)
                if asked == Question::No || (asked == Question::Maybe && answer.id.is_none()) =>
            {
                self.fail(&hint)
            }
            _ => {
                if answer.id.is_none() {
                    // For the content team's list of unanswered questions (staff console); the
                    // store masks the text and keeps it only as the privacy rules allow.
                    let region = self.s.region.clone();
                    self.effects.push(Effect::Unanswered { question: text.to_string(), region });
                }
                self.say_answer(answer);
                self.reask();
            }
        }
    }

    /// Two questions typed as one message, in parts apart (`门特要好久批 批了报好多 我是职工`):
    /// each answered by the FAQ when it is sure of both and they are different entries, one
    /// message each. Only at the menu, with a region: elsewhere the step or the region comes
    /// first. `false`: not two such questions, the message is read as a whole.
    fn answer_each_question(&mut self, text: &str) -> bool {
        if self.s.dialog.is_some() || self.s.pending.is_some() || self.region().is_none() {
            return false;
        }
        let clauses: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || "，。？！,?!；;".contains(c))
            .filter(|c| c.chars().count() >= 3 && self.asks(c) != Question::No)
            .collect();
        if clauses.len() != 2 {
            return false;
        }
        let answers: Vec<Answer> =
            clauses.iter().map(|c| self.a.knowledge.answer(c, self.region())).collect();
        let (Some(first), Some(second)) = (&answers[0].id, &answers[1].id) else { return false };
        if first == second {
            return false;
        }
        let first_reply = self.replies.len();
        for answer in answers {
            self.say_answer(answer);
        }
        // One 来源 button, the last answer's (it shows the last source): two would read as two
        // numbers for the same thing.
        let earlier = first_reply..self.replies.len().saturating_sub(1);
        for reply in &mut self.replies[earlier] {
            reply.choices.retain(|c| c.label != "来源");
        }
        true
    }

    /// An FAQ answer; an unsure one offers its suggested questions as buttons, remembered so
    /// that typing a suggestion's number picks it next turn.
    pub(super) fn say_answer(&mut self, answer: Answer) {
        let mut choices: Vec<Choice> = answer
            .suggestions
            .iter()
            .enumerate()
            .map(|(i, q)| self.button(short_label(q), ButtonKind::Suggestion(i)))
            .collect();
        if let Some(id) = answer.id.as_deref() {
            let (key, dialog) = self.entry_key(id);
            if self.repeated(key, dialog, &answer.answer) {
                return;
            }
        }
        if let Some(raw) = &answer.source {
            self.s.last_source = Some(self.a.content.citations.cite(raw));
            choices.push(self.button("来源", ButtonKind::Source));
        }
        self.s.suggested = answer.suggestions;
        // A sure answer's own list is no list of options: its numbers would read as buttons.
        let text = match answer.id {
            Some(_) => render::circled_list(&answer.answer),
            None => answer.answer,
        };
        self.say_with(text, choices);
    }

    /// Someone who writes "你好" (or anything, the very first time) is greeted and guided to the
    /// region question or menu; a real question in that message is still answered first.
    pub(super) fn greet_then_answer(&mut self, text: &str) {
        if !is_greeting(text) && self.keep_until_region(text) {
            // Answered for the region chosen next, not for every region at once now.
            return self.start_with("您的问题我记下了，选好地区后马上按当地规定回答。");
        }
        if !is_greeting(text) {
            let answer = self.a.knowledge.answer(text, self.region());
            if answer.id.is_some() {
                self.say_answer(answer);
            }
        }
        self.start();
    }

    /// Whether `text` is a question: the engine's own marks ([`wording::Words::question`]) and what
    /// [`crate::understand`] reads as one (多久, 好多, 能删掉不), chat particles at the end
    /// aside (`是的嘛` answers).
    pub(super) fn asks(&self, text: &str) -> Question {
        let core = wording::without_end_particles(text);
        self.words().question_read(text, !core.is_empty() && self.a.reader.is_question(core))
    }

    /// `text` names a catalogue disease of the session's region confidently.
    fn names_disease(&self, text: &str) -> bool {
        self.region().is_some_and(|r| {
            self.a.knowledge.match_disease(text, r).first().is_some_and(|m| m.strong)
        })
    }

    /// The FAQ has a confident answer to `text`.
    pub(super) fn faq_is_sure(&self, text: &str) -> bool {
        self.a.knowledge.answer(text, self.region()).id.is_some()
    }
}

/// A button label of at most 20 characters (Telegram allows 64 bytes).
fn short_label(text: &str) -> String {
    let mut out: String = text.chars().take(19).collect();
    if text.chars().count() > 19 {
        out.push('…');
    }
    out
}

fn is_greeting(text: &str) -> bool {
    let t: String = input::normalize(text).to_lowercase();
    let t: String = t.chars().filter(|c| c.is_alphanumeric()).collect();
    ["你好", "您好", "hi", "hello", "在吗", "在不在", "你好呀", "您好呀", "喂"]
        .contains(&t.as_str())
}
