//! Typed text: the order in which a message is read (pending question, the current step's
//! answer, commands, menu, status reports) and [`Turn::free_text`], where text that does not
//! answer the current step ends up.
//!
//! Layer: handler — a part of `Turn` built on `turn` and the base modules; `dispatch` decides when
//! it runs.

use super::commands;
use super::composed::{fit, SCREEN_CHARS};
use super::followup::fingerprint;
use super::input;
use super::menu::WELCOME;
use super::render::{self, ButtonKind};
use super::track;
use super::turn::Turn;
use super::wording::{self, Question};
use super::{Choice, Effect};
use crate::content::dialogs::{DateRange, InputKind};
use crate::content::understand::contains_any;
use crate::knowledge::Answer;
use crate::understand::{Action, Context};

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
        // `…我在外地打工帮他问`: where the user is says nothing about the person asked for.
        let aside = self.without_asker_whereabouts(text);
        let text = aside.as_deref().unwrap_or(text);
        // `不对` / `没用` right after an answer: kept for the content team, a person offered.
        if self.answer_did_not_help(text) {
            return;
        }
        // `工作人员会打我电话不` while a message left for staff waits: how they answer.
        if self.asks_about_call(text) {
            return;
        }
        // Facts said in any message (an answer too: `知道 就这个月27号`) are the context of
        // the next ones.
        self.learn(text);
        if let Some(question) = self.picked_suggestion(text) {
            return self.ask_suggested(&question);
        }
        // `后面还有啥 没显示完` after an answer cut short: what its 看全 button shows.
        if let Some(question) = self.asked_for_the_rest(text) {
            return self.ask_suggested(&question);
        }
        // The same words after a composed answer cut short: the lines its 看全 button shows.
        if self.more.is_some() && self.asks_for_the_rest(text) {
            if let Some(rest) = self.more.take() {
                return self.show_more(rest);
            }
        }
        // `删了没有 确认一下`: whether the data is deleted, from what is kept (not a disease).
        if self.asks_if_deleted(text) {
            return;
        }
        // `病种是糖尿病 25号才提醒啊 …`: the record's disease said in passing is kept, and the
        // rest of the message read as usual (play-test round 11, P7).
        let rest = self.disease_aside(text);
        let text = rest.as_deref().unwrap_or(text);
        // `快审完前几天提醒我一下`, `审完之前 提前三天嘛`: a reminder before the review's end.
        if self.review_lead(text) {
            return;
        }
        // `提醒改到12月14号`, `把15号那个删了` after the reminders list, `一个礼拜不是14号吗`
        // after one was set: that reminder moved, deleted or its day explained.
        if self.edits_reminder(text) {
            return;
        }
        // `到时候提醒我的时候把电话号码也发给我`: the number goes into that reminder.
        if self.number_in_reminder(text) {
            return;
        }
        // `到时候真的会提醒我吗 在哪里提醒` with reminders set: those, and where they come.
        if self.doubts_reminders(text) {
            return self.command(super::Command::Reminders);
        }
        // Commands in plain words work at every step, before the step's own answer.
        if self.said_command(text) {
            return;
        }
        // `还没受理 我明天才去交`: nothing to record yet, whatever date is in it.
        if self.says_not_submitted(text) {
            return;
        }
        // `那把这个记错的删了嘛`: one record deleted (after a confirmation), not everything.
        if self.s.pending.is_none() && self.deletes_one_record(text) {
            return;
        }
        // `还没通过 在审核中 是11月17号受理的`: the record's status (and kind) corrected.
        if self.s.pending.is_none() && self.corrects_record(text) {
            return;
        }
        // `刚在湘医保上把延期交了 还要我做么子不`: the renewal recorded is handed in.
        if self.reports_renewal_handed_in(text) {
            return;
        }
        // `不是续期 是新申请`: the record's kind corrected.
        if self.s.dialog.is_none() && self.corrects_kind(text) {
            return;
        }
        // `病种给我补上 糖尿病`: the record's disease, not a new application.
        // … inside a procedure too, when it points at the record (`刚记的那个是糖尿病`).
        if self.edits_disease(text) {
            return;
        }
        // `能不能改成糖尿病` inside 新申请: the disease changed, the procedure goes on from there.
        if self.s.pending.is_none() && self.changes_disease(text) {
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
        // `今天上午已经带爷爷去县人民医院交了材料 医院给了个号SY… 你帮我记一下` while the how-to is
        // shown: the procedure goes on at its 提交了吗 step with this message as the answer, so
        // what it says (受理号, day, channel) is recorded this turn (play-test round 14, P1, P2).
        if let Some(target) = self.handed_in_step(step, text) {
            let dialog = self.s.dialog.clone().unwrap_or_default();
            let slots = self.s.slots.clone();
            self.s.back.push(super::types::Position { dialog, step: step.id.clone(), slots });
            self.s.step = Some(target.id.clone());
            return self.answer_step(text);
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
        // `不晓得好久到期` at "您知道到期日吗": a no (though it has 好久 in it), and the dialog goes
        // on with where to find the date.
        if self.says_expiry_unknown(text) && self.asks_if_date_known(step) {
            self.accept(step, "否".into(), None);
            return StepText::Handled;
        }
        // … and at "待遇到期日是哪天" (a button skipped that question): that question answered no.
        if self.says_expiry_unknown(text) && step.date == Some(DateRange::Future) {
            if let Some(question) = self.date_known_question(step) {
                self.accept(question, "否".into(), None);
                return StepText::Handled;
            }
        }
        let asked = self.asks(text);
        let has_buttons = !self.offered(step).is_empty();
        let typed_answer = step.ask == Some(InputKind::Text);
        // The disease step's buttons (several diseases named) leave a named disease its answer:
        // `选哪个划算些 糖尿病吧` picks 糖尿病.
        let names_disease =
            step.ask == Some(InputKind::Disease) && has_buttons && self.names_disease(text);
        if asked == Question::Clearly && (has_buttons || typed_answer) && !names_disease {
            // `我自己 我就想晓得要带啥子材料去`: the answer first, the question the procedure
            // answers on its way.
            if let Some(i) = self.first_clause_choice(step, text) {
                self.choose(step, i);
                return StepText::Handled;
            }
            // `三甲医院开的 这个算不算`: whether it counts as a button's choice — it does.
            if let Some(i) = self.counts_as_choice(step, text) {
                let label = self.offered(step).swap_remove(i).label;
                self.say(format!("算，按“{label}”记下。"));
                self.choose(step, i);
                return StepText::Handled;
            }
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
            // `线下` at the 受理号 step (an answer meant for the question before): the number is
            // asked for again, not read as a menu entry that leaves the procedure.
            Err(hint) if super::answers::asks_acceptance_no(step) => {
                self.fail(&hint);
                StepText::Handled
            }
            Err(hint) => StepText::Failed(hint),
        }
    }

    /// The step `step` names for news of the application handed in, when `text` is such news.
    fn handed_in_step(
        &self,
        step: &crate::content::dialogs::Step,
        text: &str,
    ) -> Option<&'a crate::content::dialogs::Step> {
        let target = step.on_handed_in.as_deref()?;
        self.reports_handed_in(text).then(|| self.tree()?.step(target)).flatten()
    }

    /// The first answer the previous reply cut short, when `text` asks for the rest of it
    /// (`the_rest` words of faq/understand.yaml).
    fn asked_for_the_rest(&self, text: &str) -> Option<String> {
        (self.cut > 0 && self.asks_for_the_rest(text))
            .then(|| self.suggested.first().cloned())
            .flatten()
    }

    /// `后面还有啥 没显示完`: the `the_rest` words of faq/understand.yaml.
    fn asks_for_the_rest(&self, text: &str) -> bool {
        crate::content::understand::contains_any(text, &self.a.content.understand.the_rest)
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
        // 看全 of a part of the user's own message (`在深圳能用不`; the cut ones come first):
        // read as a message is, in its context (a place outside the regions is 异地 for the
        // user's), not looked up in the FAQ alone, which knows no 深圳. The suggestions are
        // used up, so the part cannot pick itself again.
        if self.suggested.iter().take(self.cut).any(|q| q == question) {
            self.suggested.clear();
            return self.free_text(question, None);
        }
        // A suggestion that is a command in words (转人工): the command, not its FAQ entry.
        if self.said_command(question) {
            return;
        }
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
        // `3和4呢`: the parts the user numbered in the last question, asked again.
        if let Some(parts) = self.own_numbers_again(text) {
            let kept = self.s.context.question.clone();
            self.free_text(&parts, failure);
            self.s.context.question = kept;
            return;
        }
        // `糖尿病呢`: the last question with a new value (see `followup`).
        if self.follow_up(text) {
            return;
        }
        // `先做啥子` after the 异地 answer: the first step of 异地备案.
        if self.next_step(text) {
            return;
        }
        // `审核好久` after an answer for the region not chosen: answered for that region again.
        if self.asked_elsewhere_again(text) {
            return;
        }
        // `我说的是我妈 攀枝花那边的`: the last question again, for her.
        if self.person_restated(text) {
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
        // `要是明天还没审下来咋个办 是不是就算超时了` with an application under review recorded:
        // its last day and the reminder set, not a request for the acceptance date it knows.
        if self.s.dialog.is_none() && self.asks_past_review(text) {
            return;
        }
        // `攀枝花的门特起付线多少 邵阳的呢`: one question, answered for each region named.
        if self.answer_each_region(text) {
            return;
        }
        // "门特要好久批 批了报好多": two questions in one message, each answered.
        if self.answer_each_question(text) {
            return;
        }
        // `我是退休职工 报好多`: of the table of ratios, the lines for the status said.
        if self.cost_lines_for_said_status(text) {
            return;
        }
        // `你好 我想问下门特的事`: an opening that asks nothing yet is greeted, not searched for
        // (the FAQ found 异地备案 in it, for both regions: 387 characters).
        if self.s.dialog.is_none() && self.s.pending.is_none() && self.is_opening(text) {
            return self.greet_then_answer(text);
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
        if at_menu && (self.first_contact || self.is_opening(text)) {
            return self.greet_then_answer(text);
        }
        if at_menu && self.only_thanks(text) {
            self.say("不客气！还有别的问题，直接打字问我就行。");
            return;
        }
        // `好 晓得了` after an answer, nothing asked: an acknowledgement, not an FAQ search.
        if at_menu && self.only_acknowledged(text) {
            self.say("好的。还有别的问题，直接打字问我就行。");
            return;
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
        // `谢谢哈` at a step of a procedure: thanks, and the step again — not "请回答是或否".
        if failure.is_some() && self.only_thanks(text) {
            self.say("不客气！");
            return self.reask();
        }
        if let Some(reply) = self.not_mente_reply(text).filter(|_| failure.is_none()) {
            self.say(reply);
            return self.reask();
        }
        let answer = self.answer_again(text);
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

    /// `3和4呢`, `第2个呢`: numbers alone, after a question whose parts the user numbered
    /// (`1在广州看病能报吗 2怎么备案 3报多少 一年大概六千`): those parts of it, each with what
    /// was said after its number up to the next one (the amount of 3). `None` when the message
    /// is not only numbers, or the last question numbered none of them.
    fn own_numbers_again(&self, text: &str) -> Option<String> {
        let ends = &self.a.content.understand.follow_up_end;
        let mut t: String =
            text.chars().filter(|c| !c.is_whitespace() && !wording::is_punct(*c)).collect();
        while let Some(rest) =
            ends.iter().filter(|e| !e.is_empty()).find_map(|e| t.strip_suffix(e.as_str()))
        {
            t = rest.to_string();
        }
        let t = t.strip_prefix('那').unwrap_or(&t);
        let t = t.trim_end_matches("的问题").trim_end_matches("问题").trim_end_matches('题');
        let mut asked: Vec<u32> = Vec::new();
        for piece in
            t.split(['和', '跟', '与', '及', '还', '有', '第', '个']).filter(|p| !p.is_empty())
        {
            let n = match piece.parse::<u32>() {
                Ok(n) => n,
                Err(_) => wording::ordinal(piece)? as u32,
            };
            asked.push(n);
        }
        if asked.is_empty() || asked.len() > 4 {
            return None;
        }
        let last = self.s.context.question.as_deref()?;
        let mut current: Option<u32> = None;
        let mut seen: Vec<u32> = Vec::new();
        let mut parts: Vec<&str> = Vec::new();
        for part in last.split(|c: char| c.is_whitespace() || wording::is_punct(c)) {
            if let Some((n, _)) = wording::numbered(part) {
                current = Some(n);
                seen.push(n);
            }
            if current.is_some_and(|n| asked.contains(&n)) && !part.is_empty() {
                parts.push(part);
            }
        }
        (asked.iter().all(|n| seen.contains(n)) && !parts.is_empty()).then(|| parts.join(" "))
    }

    /// Several questions typed as one message (`起付线多少 要带啥子材料`, voice input without a
    /// break: `报好多要到哪里去办`): each answered by the FAQ when it is sure of it, in one
    /// message of one phone screen (①②③), each cut to its share; a cut answer is offered whole
    /// as a button. Only at the menu, with a region — the session's, or the one the message
    /// names when none was chosen (`我是攀枝花退休职工 起付线好多 报好多 要带啥子东西`) —
    /// and only for plain questions: a message with an amount or a date is one composed answer
    /// (the estimate, the deadline); 起付线 and 报销比例 asked together are one part, the costs
    /// for the insurance named; a disease named gets its verdict first.
    /// `false`: fewer than two questions answered, the message is read as a whole.
    fn answer_each_question(&mut self, text: &str) -> bool {
        if self.s.dialog.is_some() || self.s.pending.is_some() {
            return false;
        }
        let chosen = self.s.region.clone();
        let u = self.a.understand(text, Context { today: self.today, region: None });
        let named = u.region().map(str::to_string);
        let Some(region) = named.clone().or_else(|| chosen.clone()) else { return false };
        // `哦等下我搞错了 我们家其实是邵阳那边参保的 … 报百分之多少 起付线多少`: the region is switched
        // first (`act_on_understanding`), then the questions are answered there.
        if self.switch_said_in_question(&u) {
            return false;
        }
        // `攀枝花在职职工报多少 审核多久` with 邵阳 chosen: every part is answered for the region
        // the message names (never the chosen one's figures under another region's question),
        // and the chosen region stays, with a button to switch — as for a single question.
        let other = chosen.as_ref().is_some_and(|c| *c != region);
        let label = self.region_label(&region);
        let note = match (&chosen, other) {
            (None, _) => Some(format!("（已为您选择地区：{label}）")),
            (Some(_), true) => Some(format!("（以下按您问的{label}回答）")),
            (Some(_), false) => None,
        };
        self.s.region = Some(region.clone());
        let done = self.answer_each_in_region(text, note);
        if !done || other {
            self.s.region = chosen;
        }
        if done && other {
            let switch = self.button(format!("切换到{label}"), ButtonKind::Region(region));
            if let Some(reply) = self.replies.last_mut() {
                reply.choices.push(switch);
            }
        }
        done
    }

    /// `攀枝花的门特起付线多少 邵阳的呢`: a question about one region followed by another region
    /// and a follow-up ending (呢): the question answered for both, each part under its region's
    /// name, with the sources of both. The session's region (or its absence) stays. `false`
    /// when the message is not such, or the FAQ is not sure for either region.
    fn answer_each_region(&mut self, text: &str) -> bool {
        if self.s.pending.is_some() || self.s.dialog.as_deref().is_some_and(|d| d != "region") {
            return false;
        }
        let u = self.a.understand(text, Context { today: self.today, region: None });
        let [first, second] = u.regions.as_slice() else { return false };
        if first.region == second.region {
            return false;
        }
        let Some(at) = text.rfind(second.word.as_str()) else { return false };
        let (asked, then) = text.split_at(at);
        // `攀枝花和邵阳门特热线各是多少`: both named together with a `compare` word — the rest of
        // the message is asked of each.
        let compared = contains_any(text, &self.a.content.understand.asks.compare);
        let question = if compared {
            let mut q = text.replace(first.word.as_str(), "").replace(second.word.as_str(), "");
            for joint in ["和", "跟", "与", "还有"] {
                q = q.trim_start_matches(|c: char| c.is_whitespace() || c == '的').to_string();
                if let Some(rest) = q.strip_prefix(joint) {
                    q = rest.to_string();
                }
            }
            q
        } else {
            // The second part only names the region (`邵阳的呢`), it asks nothing of its own.
            let ends = &self.a.content.understand.follow_up_end;
            let rest = then.trim_end_matches(|c: char| c.is_whitespace() || wording::is_punct(c));
            let Some(core) =
                ends.iter().filter(|e| !e.is_empty()).find_map(|e| rest.strip_suffix(e.as_str()))
            else {
                return false;
            };
            let core = core.strip_suffix('的').unwrap_or(core);
            if core != second.word || asked.find(first.word.as_str()).is_none() {
                return false;
            }
            asked.replace(first.word.as_str(), "")
        };
        let question = question.trim().trim_start_matches('的');
        let mut answers = Vec::new();
        for region in [&first.region, &second.region] {
            let answer = self.a.knowledge.answer(question, Some(region));
            if answer.id.is_none() || answer.region.as_deref() != Some(region.as_str()) {
                return false;
            }
            // Headed by the region's name alone: the question is the same for both.
            answers.push((format!("{}：", self.region_label(region)), answer));
        }
        self.say_each(answers, Vec::new(), Rest { unsure: &[], more: Vec::new() });
        true
    }

    /// [`Turn::answer_each_question`] once the region is set; `note` goes first (the region
    /// chosen from the message).
    fn answer_each_in_region(&mut self, text: &str, note: Option<String>) -> bool {
        let u = self.a.understand(text, Context { today: self.today, region: self.region() });
        let region = self.region().and_then(|r| self.a.content.regions.get(r));
        if !u.dates.is_empty() {
            return false;
        }
        // `3报多少 一年大概六千 4备案了比例会不会降`: an amount said among the questions is the
        // estimate, the answer to the part asking what is paid (the insurance said earlier too).
        let estimate = match region {
            Some(r) if u.amount().is_some() => {
                let mut known = u.clone();
                self.s.context.complete(&mut known, false);
                let pays = super::understood::pays_first(text, &self.a.content.understand.asks);
                self.estimate(&known, r, pays).map(|c| self.costs_answer(c, r))
            }
            _ => None,
        };
        if !u.amounts.is_empty() && estimate.is_none() {
            return false;
        }
        // "起付线好多 报好多": one part, the figures for the insurance and status named.
        let costs = region.and_then(|r| self.costs(&u, r, text).map(|c| self.costs_answer(c, r)));
        let mut asked: Vec<(String, Answer)> = Vec::new();
        // Questions the FAQ is not sure of: said to be unsure, never dropped silently.
        let mut unsure: Vec<String> = Vec::new();
        // `那我妈是在攀枝花退休的 她那边报好多`: 那边 is the region named, not 异地.
        let named_here = u.regions.iter().any(|m| Some(m.region.as_str()) == self.region());
        for clause in self.question_clauses(text) {
            let plain = wording::numbered(&clause).map_or(clause.as_str(), |(_, rest)| rest);
            let asked_text = if named_here { self.without_there(plain) } else { plain.to_string() };
            // `在深圳能用不`: a place outside the regions where the person is means 异地.
            let asked_text = self.afar_clause(&asked_text);
            // `邵阳职工呢` after a question on the costs: that person's costs in the region.
            let person = match region {
                Some(r) if self.costs_follow_up(&clause) => {
                    // The insurance said before counts (`我爸是职工 …`, then `邵阳退休的呢`).
                    let mut known = u.clone();
                    self.s.context.complete(&mut known, false);
                    self.person_costs(&known, r).map(|c| self.costs_answer(c, r))
                }
                _ => None,
            };
            let answer = match (&estimate, &costs, person) {
                (_, _, Some(p)) => p,
                (Some(e), _, None) if self.asks_estimate(&asked_text) => e.clone(),
                (_, Some(c), None) if self.about_costs(&asked_text) => c.clone(),
                _ => match region.and_then(|r| self.overdue_part(&asked_text, r)) {
                    Some(overdue) => overdue,
                    None => self.how_long_part(&asked_text).unwrap_or_else(|| {
                        let plain = self.without_own_region(&asked_text);
                        self.for_no_phone(self.a.knowledge.answer(&plain, self.region()))
                    }),
                },
            };
            if answer.id.is_none() {
                // `那我要咋个办 异地备案先办还是… 要准备啥子材料`: generic words only lead in to
                // the questions after them; they ask nothing of their own.
                if !self.a.knowledge.is_vague(&asked_text) {
                    unsure.push(clause);
                }
                continue;
            }
            // `万一审核没通过咋办 能不能申诉`: the same entry, or nearly the same text, is one
            // answer to both questions.
            if let Some(same) =
                asked.iter_mut().find(|(_, a)| a.id == answer.id || alike(a, &answer))
            {
                same.0 = format!("{} {clause}", same.0);
                continue;
            }
            asked.push((clause, answer));
        }
        // The amount answered nowhere: the message is one estimate, read as a whole.
        let estimated = asked.iter().any(|(_, a)| a.id.as_deref() == Some(COSTS_PART));
        if asked.len() < 2 || (estimate.is_some() && !estimated) {
            return false;
        }
        const SHOWN: usize = 3;
        // Sure answers beyond the screen's three are offered as buttons, not called unsure.
        let more: Vec<String> = asked.iter().skip(SHOWN).map(|(q, _)| q.clone()).collect();
        asked.truncate(SHOWN);
        // "老汉儿有糖尿病 … 要些啥子东西 去哪点办": what the disease means here comes first.
        let mut head: Vec<String> = note.into_iter().collect();
        match region {
            Some(r) if !u.diseases.is_empty() || !u.unknown_conditions.is_empty() => {
                let named = u.disease_names(Some(&r.id)).len() + u.unknown_conditions.len();
                head.extend(self.eligibility(&u, r, false, "").lines.into_iter().take(named));
            }
            _ => {}
        }
        self.say_each(asked, head, Rest { unsure: &unsure, more });
        true
    }

    /// `clause` without the name of the session's region (`攀枝花门特有哪些病` → `门特有哪些病`):
    /// the answer is for that region anyway, and the name would pull the FAQ towards entries
    /// whose questions happen to hold it (攀枝花门特在手机上哪里办).
    /// `clause` without the words pointing at a place (`reading.there`: 她那边), which in a
    /// message naming the region answered for mean that region.
    pub(super) fn without_there(&self, clause: &str) -> String {
        let mut words: Vec<&String> = self.a.content.understand.reading.there.iter().collect();
        words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        words
            .into_iter()
            .filter(|w| !w.trim().is_empty())
            .fold(clause.to_string(), |text, w| text.replace(w.trim(), ""))
    }

    /// `clause` with a place outside the regions where the person lives or is treated said as
    /// 外地 (see [`Turn::as_afar`]), when a region is chosen; else `clause` as it is.
    fn afar_clause(&self, clause: &str) -> String {
        let Some(region) = self.region() else { return clause.to_string() };
        let u = self.a.understand(clause, Context { today: self.today, region: Some(region) });
        u.lives_elsewhere()
            .and_then(|place| self.as_afar(clause, place))
            .unwrap_or_else(|| clause.to_string())
    }

    pub(super) fn without_own_region(&self, clause: &str) -> String {
        self.without_region(clause, self.region())
    }

    /// `clause` without the name of `region`, the region it is answered for (see
    /// [`Turn::without_own_region`]; a question about another region is answered for that one).
    pub(super) fn without_region(&self, clause: &str, region: Option<&str>) -> String {
        let reading = Context { today: self.today, region: self.region() };
        let mut plain = clause.to_string();
        let u = self.a.understand(clause, reading);
        let mut named = false;
        // Only the region's name: 政务中心 and 湘医保 also point to a region, and are what the
        // question is about (`政务中心啥时候上班` without it asked about 上班 elsewhere).
        let name = region.and_then(|r| self.a.content.regions.get(r)).map(|r| r.name.as_str());
        for m in u.regions.iter().filter(|m| name.is_some_and(|n| m.word.contains(n))) {
            if Some(m.region.as_str()) == region {
                plain = plain.replace(m.word.as_str(), "");
                named = true;
            }
        }
        if named {
            plain = self.places_as_afar(&u, plain);
        }
        match plain.trim().chars().count() >= MIN_CLAUSE {
            true => plain,
            false => clause.to_string(),
        }
    }

    /// `plain` (a clause of `u` without the name of the region answered for) with the other
    /// places `u` names said as 外地: `报销按昆明的还是攀枝花的` sets 昆明 against the region, so
    /// it is 异地 to it, not a question about that place's own rules.
    fn places_as_afar(&self, u: &crate::understand::Understanding, plain: String) -> String {
        u.places.iter().fold(plain, |text, place| self.as_afar(&text, &place.name).unwrap_or(text))
    }

    /// Whether `clause` asks what is paid back (`报多少`, `能报好多`): the FAQ reads it as a
    /// question about 起付线 or 报销比例, or the reader as an estimate, and it asks nothing
    /// about 异地 (`备案了比例会不会降` is the 异地 answer's).
    fn asks_estimate(&self, clause: &str) -> bool {
        let u = self.a.understand(clause, Context { today: self.today, region: self.region() });
        let remote = u.action == Some(Action::Remote);
        !remote && (u.action == Some(Action::Estimate) || self.about_costs(clause))
    }

    /// Whether the FAQ reads `clause` as a question about 起付线 or 报销比例.
    fn about_costs(&self, clause: &str) -> bool {
        let Some(id) = self.a.knowledge.answer(clause, self.region()).id else { return false };
        let topic = self.a.content.faq.iter().find(|e| e.id == id).and_then(|e| e.topic.clone());
        topic.is_some_and(|t| COST_TOPICS.contains(&t.as_str()))
    }

    /// Whether `clause` only names a region and who (`邵阳职工呢`, `那退休的呢`) right after a
    /// question on the deductible or ratio: it asks those costs for the person named.
    fn costs_follow_up(&self, clause: &str) -> bool {
        let words = &self.a.content.understand;
        let last = self.s.context.question.as_deref().unwrap_or_default();
        if !contains_any(last, &words.asks.about_costs) {
            return false;
        }
        let t: String =
            clause.chars().filter(|c| !c.is_whitespace() && !wording::is_punct(*c)).collect();
        let t = t.strip_prefix('那').unwrap_or(&t);
        let ends = words.follow_up_end.iter().filter(|e| !e.is_empty());
        let Some(core) = ends.clone().find_map(|e| t.strip_suffix(e.as_str())) else {
            return false;
        };
        let mut core = core.to_string();
        let reading = Context { today: self.today, region: self.region() };
        for m in &self.a.understand(&core, reading).regions {
            core = core.replace(m.word.as_str(), "");
        }
        for w in words.reading.follow_up_status.iter().filter(|w| !w.is_empty()) {
            core = core.replace(w.as_str(), "");
        }
        core.trim_matches(|c| c == '的' || c == '那').is_empty() && core != t
    }

    /// `那到底超没超时嘛` among other questions, after the acceptance date was said: the
    /// deadline counted from it, as the question alone gets it (`None`: no such question, or
    /// no date to count from).
    fn overdue_part(&self, clause: &str, r: &crate::content::regions::Region) -> Option<Answer> {
        if !super::understood::asks_overdue(clause, &self.a.content.understand.asks) {
            return None;
        }
        let accepted = self.s.context.date(false, self.today)?;
        let u = self.a.understand(clause, Context { today: self.today, region: Some(&r.id) });
        if u.dates.iter().any(|d| *d <= self.today) {
            return None; // A date of its own: not the one said earlier.
        }
        let composed = self.overdue(&u, r, accepted)?;
        let mut answer = self.costs_answer(composed, r);
        answer.id = Some(OVERDUE_PART.to_string());
        Some(answer)
    }

    /// `申诉的话要好久才有结果` among other questions: the FAQ's answer on that time (see
    /// [`Turn::how_long_topic`]), as that entry answers its own first wording.
    fn how_long_part(&self, clause: &str) -> Option<Answer> {
        let u = self.a.understand(clause, Context { today: self.today, region: self.region() });
        let topic = self.how_long_topic(&u, clause)?;
        let entry = self.faq_entry(self.region()?, topic)?;
        let answer = self.a.knowledge.answer(entry.questions.first()?, self.region());
        (answer.id.as_deref() == Some(entry.id.as_str())).then_some(answer)
    }

    /// Composed lines for one region (the costs, the deadline) as an answer among several: its
    /// lines, its source line.
    fn costs_answer(
        &self,
        c: super::composed::Composed,
        r: &crate::content::regions::Region,
    ) -> Answer {
        let source = c.source.trim().to_string();
        let cited = self.a.content.citations.cite_short(&super::composed::short_source(&source));
        let answer = format!("{}\n来源：{cited}｜地区：{}", c.lines.join("\n"), r.name);
        Answer {
            id: Some(COSTS_PART.to_string()),
            score: 1.0,
            answer,
            region: Some(r.id.clone()),
            source: (!source.is_empty()).then_some(source),
            suggestions: Vec::new(),
        }
    }

    /// The question clauses of `text`: its parts between spaces and punctuation, and a part
    /// said without a break split after a word that ends a question (`报好多|要到哪里去办`) when
    /// both halves ask something. Parts that ask nothing (`我是职工`) are left out.
    pub(super) fn question_clauses(&self, text: &str) -> Vec<String> {
        let ends = &self.a.content.understand.clause_end;
        let not_ends = &self.a.content.understand.not_clause_end;
        let unbroken = &self.a.content.understand.unbroken;
        let mut clauses = Vec::new();
        let starts = &self.a.content.understand.clause_start;
        // The last clause that asked nothing, for a question leaning on it (`clause_leans_on`).
        let mut statement: Option<String> = None;
        for part in text.split(|c: char| c.is_whitespace() || wording::is_punct(c)) {
            // `一是门特在哪个app办`: the numbering is no part of the question.
            let part = starts
                .iter()
                .filter(|w| !w.is_empty())
                .find_map(|w| part.strip_prefix(w.as_str()))
                .unwrap_or(part);
            // `起付线要好多哦 晓得不`: a tag asking nothing (`tag_questions`).
            let bare = part.trim_end_matches(['哦', '嘛', '噻', '呀', '啊']);
            if self.a.content.understand.tag_questions.iter().any(|t| t == bare) {
                continue;
            }
            // `1在广州看病能报吗 2怎么备案`: the user's own numbering is no part of it either; it
            // stays in front of the clause, which is how the answer names it.
            let (number, part) = match wording::numbered(part) {
                Some((_, rest)) => (&part[..part.len() - rest.len()], rest),
                None => ("", part),
            };
            // `材料和时间也说下`: each topic named bare is asked as the question it stands for.
            if let Some(topics) = self.told_topics(part) {
                statement = None;
                clauses.extend(topics);
                continue;
            }
            let chars: Vec<char> = part.chars().collect();
            let cut = (MIN_CLAUSE..chars.len().saturating_sub(MIN_CLAUSE - 1)).find(|&k| {
                let (left, right): (String, String) =
                    (chars[..k].iter().collect(), chars[k..].iter().collect());
                ends.iter().any(|w| !w.is_empty() && left.ends_with(w.as_str()))
                    && !not_ends.iter().any(|w| left.ends_with(w.as_str()))
                    && !cuts_inside(&chars, k, unbroken)
                    && self.asks(&right) != Question::No
            });
            let halves: Vec<String> = match cut {
                Some(k) => vec![chars[..k].iter().collect(), chars[k..].iter().collect()],
                None => vec![part.to_string()],
            };
            let reading = Context { today: self.today, region: self.region() };
            // `…查进度嘛 在哪点看`: where to look for what was just asked.
            let continues = &self.a.content.understand.clause_continues;
            if let (Some(last), true) = (clauses.last_mut(), continues.iter().any(|w| w == part)) {
                *last = format!("{last} {part}");
                continue;
            }
            let leans = &self.a.content.understand.clause_leans_on;
            for (i, c) in halves.into_iter().enumerate() {
                let is_question = c.chars().count() >= MIN_CLAUSE
                    && self.asks(&c) != Question::No
                    && self.a.understand(&c, reading).question
                    && !self.region().is_some_and(|r| self.a.knowledge.only_negated(&c, r))
                    || self.costs_follow_up(&c);
                if !is_question {
                    // `我是在社区医院开的诊断 是不是要重新去大医院开`: kept for a question leaning on it.
                    statement = (c.chars().count() >= MIN_CLAUSE).then_some(c);
                    continue;
                }
                let c = match statement.take() {
                    Some(s) if leans.iter().any(|w| !w.is_empty() && c.starts_with(w.as_str())) => {
                        format!("{s} {c}")
                    }
                    _ => c,
                };
                clauses.push(match i {
                    0 => format!("{number}{c}"),
                    _ => c,
                });
            }
        }
        clauses
    }

    /// The questions a request to be told about bare topics stands for (`材料和时间也说下` →
    /// 要准备什么材料, 审核要多久: `reading.tell_*` of `faq/understand.yaml`); `None` unless
    /// `part` ends in such a request and every topic in it has a question.
    fn told_topics(&self, part: &str) -> Option<Vec<String>> {
        let words = &self.a.content.understand.reading;
        let ends = words.tell_also.iter().filter(|w| !w.is_empty());
        let rest = ends.clone().find_map(|w| part.strip_suffix(w.as_str()))?;
        let mut topics = vec![rest.to_string()];
        for join in words.tell_joins.iter().filter(|w| !w.is_empty()) {
            topics =
                topics.iter().flat_map(|t| t.split(join.as_str())).map(str::to_string).collect();
        }
        let asked: Option<Vec<String>> = (topics.iter().filter(|t| !t.is_empty()))
            .map(|t| words.tell_topics.get(t.as_str()).cloned())
            .collect();
        asked.filter(|a| !a.is_empty())
    }

    /// The answers to several questions in one message: ① … ② …, one source line, one 来源
    /// button, the verdict on a disease named first (`verdict`). When they do not fit one screen
    /// whole, each is cut to its share (a button shows it whole); when even the first line of
    /// each does not fit, the first is answered and the others are offered as buttons.
    fn say_each(&mut self, asked: Vec<(String, Answer)>, verdict: Vec<String>, rest: Rest<'_>) {
        let unsure = rest.unsure;
        const MARKS: [char; 3] = ['①', '②', '③'];
        let asked: Vec<(String, Answer)> = asked.into_iter().take(MARKS.len()).collect();
        let mut sources: Vec<String> = Vec::new();
        let mut parts: Vec<(String, Vec<String>)> = Vec::new();
        for (i, (clause, answer)) in asked.iter().enumerate() {
            let mut body = Vec::new();
            for line in answer.answer.lines().map(str::trim).filter(|l| !l.is_empty()) {
                match line.strip_prefix("来源：") {
                    Some(source) => {
                        if !sources.iter().any(|s| s == source) {
                            sources.push(source.to_string());
                        }
                    }
                    None => body.push(plain_item(line)),
                }
            }
            // The user's own numbering (`3报多少`) names the part; else ①②③.
            let mark = match wording::numbered(clause) {
                Some(_) => String::new(),
                None => MARKS[i].to_string(),
            };
            let body = self.first_application_first(body);
            parts.push((format!("{mark}{clause}"), body));
        }
        let head: String = verdict.iter().map(|l| format!("{l}\n")).collect();
        let unsure_line = match unsure {
            [] => String::new(),
            _ => format!(
                "\n您还问了“{}”：资料里没有把握回答，请问{}",
                unsure.join("”“"),
                self.hotline_text()
            ),
        };
        let tail = format!("{unsure_line}\n来源：{}", merged_sources(&sources));
        let len = |s: &str| s.chars().count();
        let room = SCREEN_CHARS.saturating_sub(len(&head) + len(&tail));
        let whole: Vec<String> =
            parts.iter().map(|(q, body)| format!("{q}\n{}", body.join("\n"))).collect();
        let mut cut: Vec<String> = Vec::new();
        let text = if whole.iter().map(|p| len(p) + 1).sum::<usize>() <= room {
            whole.join("\n")
        } else {
            // Cut each to its share; a short one leaves its room to the others, wherever it
            // stands (`材料？在哪里办？电话多少？`: the hotline's line gives the materials room).
            let needs: Vec<usize> = whole.iter().map(|p| len(p) + 1).collect();
            let mut shares = shares_of(&needs, room);
            // Each cut answer leads with its line nearest the question asked.
            let bodies: Vec<Vec<String>> = asked
                .iter()
                .zip(&parts)
                .map(|((q, a), (_, body))| match a.id.as_deref() {
                    // Composed lines (the estimate) keep their order: the figure first.
                    Some(COSTS_PART) => body.clone(),
                    _ => self.first_application_first(nearest_first(q, body)),
                })
                .collect();
            let fitted = |i: usize, share: usize| {
                fit(&format!("{}\n", parts[i].0), &bodies[i], "", share + 2)
            };
            let mut shown: Vec<String> = (0..parts.len()).map(|i| fitted(i, shares[i])).collect();
            // Whole lines leave some of a share unused: it goes to the first parts cut.
            for i in 0..parts.len() {
                let used: usize = shown.iter().map(|p| len(p) + 1).sum();
                let spare = room.saturating_sub(used);
                if spare > 0 && shown[i].ends_with('…') {
                    let wider = fitted(i, shares[i] + spare);
                    if len(&wider) <= len(&shown[i]) + spare {
                        shares[i] += spare;
                        shown[i] = wider;
                    }
                }
            }
            for (i, part) in shown.iter_mut().enumerate() {
                if part.ends_with('…') || part.trim_end() == parts[i].0 {
                    cut.push(asked[i].0.clone());
                    // A list cut after two items says less than the entry's brief, whole.
                    if let Some(brief) = self.brief_of(&asked[i].1) {
                        let briefed = format!("{}\n{brief}", parts[i].0);
                        if len(&briefed) <= len(part).max(shares[i]) {
                            *part = briefed;
                        }
                    }
                }
            }
            // Not even a line of each: the first whole, the others offered.
            if shown
                .iter()
                .any(|p| !p.trim_end().contains('\n') || p.trim_end().ends_with(['：', ':']))
            {
                return self.say_first_offer_rest(asked, rest);
            }
            shown.join("\n")
        };
        let text = format!("{head}{text}{tail}");
        if self.repeated(fingerprint(&text), None, &text) {
            return;
        }
        let mut choices: Vec<Choice> = cut
            .iter()
            .enumerate()
            .map(|(i, q)| {
                self.button(format!("看全：{}", short_label(q)), ButtonKind::Suggestion(i))
            })
            .collect();
        // Questions past the three shown: one button each, after the cut ones.
        for (i, q) in rest.more.iter().enumerate() {
            choices.push(self.button(short_label(q), ButtonKind::Suggestion(cut.len() + i)));
        }
        let cut_short = cut.len();
        cut.extend(rest.more);
        let raw: Vec<String> = asked.iter().filter_map(|(_, a)| a.source.clone()).collect();
        if !raw.is_empty() {
            self.s.last_source = Some(self.a.content.citations.cite(&raw.join("; ")));
            choices.push(self.button("来源", ButtonKind::Source));
        }
        self.s.suggested = cut;
        self.s.cut = cut_short;
        self.say_with(text, choices);
        self.reask();
    }

    /// The first question answered as usual, the others offered as buttons (they would not
    /// fit on the same screen).
    /// Questions the FAQ was not sure of are named with the hotline (`要不要盖章` is never
    /// dropped silently).
    /// Every other question gets its entry's one-line `brief` there and then (`“多久审完”：
    /// 15个工作日内审完`); the whole answer stays behind its button.
    fn say_first_offer_rest(&mut self, asked: Vec<(String, Answer)>, more: Rest<'_>) {
        let mut asked = asked.into_iter();
        let Some((_, first)) = asked.next() else { return };
        let others: Vec<(String, Option<String>)> = asked
            .map(|(q, a)| {
                let brief = self.brief_of(&a).or_else(|| answering_sentence(&q, &a.answer));
                (q, brief)
            })
            .collect();
        let mut rest: Vec<String> = others.iter().map(|(q, _)| q.clone()).collect();
        rest.extend(more.more.iter().cloned());
        self.say_answer(first);
        let choices = rest
            .iter()
            .enumerate()
            .map(|(i, q)| self.button(short_label(q), ButtonKind::Suggestion(i)))
            .collect();
        let mut text = match others.iter().any(|(_, brief)| brief.is_some()) {
            true => {
                let lines: Vec<String> = others
                    .iter()
                    .map(|(q, brief)| match brief {
                        Some(brief) => format!("“{q}”：{brief}"),
                        None => format!("“{q}”"),
                    })
                    .chain(more.more.iter().map(|q| format!("“{q}”")))
                    .collect();
                format!("您还问了：\n{}\n详细的点下面的按钮看。", lines.join("\n"))
            }
            false => {
                let said: Vec<String> = rest.iter().map(|q| format!("“{q}”")).collect();
                format!("您还问了{}，点下面的按钮看。", said.join("、"))
            }
        };
        if !more.unsure.is_empty() {
            text.push_str(&format!(
                "\n“{}”资料里没有把握回答，请问{}",
                more.unsure.join("”“"),
                self.hotline_text()
            ));
        }
        self.say_with(text, choices);
        self.s.suggested = rest;
        self.reask();
    }

    /// The one-line `brief` of the FAQ entry that gave `answer`, if it has one (an entry
    /// without one is briefed by [`answering_sentence`]).
    fn brief_of(&self, answer: &Answer) -> Option<String> {
        let id = answer.id.as_deref()?;
        let entry = self.a.content.faq.iter().find(|e| e.id == id)?;
        entry.brief.as_deref().map(|b| b.trim().to_string())
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
            // The same topic for another region is another answer (`邵阳呢` after 攀枝花's).
            let key = format!("{key}@{}", answer.region.as_deref().unwrap_or_default());
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
            Some(_) => {
                let lines = answer.answer.lines().map(str::to_string).collect();
                render::circled_list(&self.first_application_first(lines).join("\n"))
            }
            None => answer.answer,
        };
        self.say_with(text, choices);
    }

    /// `lines` with those on a first application before those on a renewal, when a first
    /// application is in view and nothing in the conversation or the message speaks of a
    /// renewal (`要准备些什么材料 我能不能帮他办` after a disease's verdict: the first application is
    /// what is asked about). A line neither goes
    /// with the line before it. Otherwise `lines` as they are.
    fn first_application_first(&self, lines: Vec<String>) -> Vec<String> {
        const RENEWAL_TOPICS: &[&str] =
            &["renewal", "renewal-gap", "renewal-late", "renewal-upload", "expiry-date"];
        let words = &self.a.content.understand;
        let (first, renewal) = (&words.first_application_lines, &words.renewal_lines);
        let renewal_said =
            self.s.context.topics.iter().any(|t| RENEWAL_TOPICS.contains(&t.as_str()))
                || contains_any(&self.message, renewal)
                || self.s.dialog.as_deref() == Some("renew");
        // A first application in view: a disease asked about (the verdict offers 新申请), or
        // applying asked for in the message.
        let reading = Context { today: self.today, region: self.region() };
        let applying = !self.s.context.diseases.is_empty()
            || self.a.understand(&self.message, reading).action == Some(Action::Apply);
        if renewal_said || !applying || first.is_empty() {
            return lines;
        }
        let mut rank = 0;
        let mut ranked: Vec<(usize, String)> = lines
            .into_iter()
            .map(|l| {
                // The source stays the last line.
                if l.starts_with("来源：") {
                    return (2, l);
                }
                if contains_any(&l, first) {
                    rank = 0;
                } else if contains_any(&l, renewal) {
                    rank = 1;
                }
                (rank, l)
            })
            .collect();
        ranked.sort_by_key(|(r, _)| *r);
        ranked.into_iter().map(|(_, l)| l).collect()
    }

    /// `好 晓得了`, `嗯嗯 明白了`: nothing but acknowledgements.
    fn only_acknowledged(&self, text: &str) -> bool {
        let lex = &self.a.content.understand;
        !text.trim().is_empty() && only_words(text, lex.acknowledge.iter())
    }

    /// `晓得哒 谢谢`, `好的 辛苦了`: thanks, with nothing but acknowledgements around them.
    fn only_thanks(&self, text: &str) -> bool {
        let lex = &self.a.content.understand;
        contains_any(text, &lex.thanks)
            && only_words(text, lex.thanks.iter().chain(&lex.acknowledge))
    }

    /// The FAQ's answer to `text`; when it is not sure and the message says the last reply
    /// missed the point (`我问的是审核到底要多久`), its answer without those words — the same
    /// topic again is then caught by [`Turn::repeated`], which gives what the user lacks.
    fn answer_again(&self, text: &str) -> Answer {
        let answer = self.answer_again_as_asked(text);
        self.for_no_phone(answer)
    }

    /// For someone who said they cannot use a phone's apps, an answer on how to apply (the app's
    /// steps, or "no need to go there") is the region's window answer instead.
    fn for_no_phone(&self, answer: Answer) -> Answer {
        if !self.s.context.no_phone {
            return answer;
        }
        let faq = &self.a.content.faq;
        let topic = |id: &str| faq.iter().find(|e| e.id == id).and_then(|e| e.topic.clone());
        let online = answer.id.as_deref().and_then(topic);
        // `我屋头只有老年机 我去哪里办`: unsure, but its first guess is the window.
        let guess = answer.id.is_none() && self.suggests_window(&answer);
        let topics = &self.a.content.understand.no_phone_topics;
        let target = match online.as_deref().and_then(|t| topics.get(t)) {
            Some(t) => t.as_str(),
            None if guess => super::composed::OFFLINE_TOPIC,
            None => return answer,
        };
        let Some(region) = answer.region.clone().or_else(|| self.region().map(str::to_string))
        else {
            return answer;
        };
        if !self.a.content.regions.get(&region).is_some_and(super::composed::has_window) {
            return answer; // 邵阳: a first application is handed in at a hospital anyway.
        }
        let entry = self.faq_entry(&region, target);
        let Some((entry, question)) = entry.and_then(|e| Some((e, e.questions.first()?))) else {
            return answer;
        };
        let window = self.a.knowledge.answer(question, Some(&region));
        match window.id.as_deref() == Some(entry.id.as_str()) {
            true => window,
            false => answer,
        }
    }

    /// The not-sure answer's first suggestion is a question of the region's window entry.
    fn suggests_window(&self, answer: &Answer) -> bool {
        let Some(first) = answer.suggestions.first() else { return false };
        let region = answer.region.as_deref().or(self.region());
        let entry = region.and_then(|r| self.faq_entry(r, super::composed::OFFLINE_TOPIC));
        entry.is_some_and(|e| e.questions.iter().any(|q| q == first))
    }

    fn answer_again_as_asked(&self, text: &str) -> Answer {
        if let Some(answer) = self.list_asked(text).or_else(|| self.on_last_topic(text)) {
            return answer;
        }
        // `攀枝花门特一共多少个病种` with 攀枝花 chosen: the name would pull the FAQ towards the
        // entries whose questions hold it (攀枝花门特在手机上哪里办). Only the name: 湘医保 and
        // 政务中心 also point to a region, and are what the question is about.
        let name = self.region().and_then(|r| self.a.content.regions.get(r)).map(|r| &r.name);
        let reading = Context { today: self.today, region: self.region() };
        let stripped = name.filter(|n| text.contains(n.as_str())).map(|n| {
            self.places_as_afar(&self.a.understand(text, reading), text.replace(n.as_str(), ""))
        });
        let text = match &stripped {
            Some(s) if s.trim().chars().count() >= MIN_CLAUSE => s.as_str(),
            _ => text,
        };
        let answer = self.a.knowledge.answer(text, self.region());
        if answer.id.is_some() {
            return answer;
        }
        let mut plain = text.to_string();
        for w in self.a.content.understand.asked_again.iter().filter(|w| !w.is_empty()) {
            plain = plain.replace(w.as_str(), "");
        }
        if plain == text || plain.trim().chars().count() < 2 {
            return answer;
        }
        let again = self.a.knowledge.answer(&plain, self.region());
        if again.id.is_some() {
            again
        } else {
            answer
        }
    }

    /// `在哪里办` right after the answer on 异地备案: the FAQ asked about that topic (see
    /// `topicless` in `faq/understand.yaml`); `None` for a message naming a topic of its own, a
    /// longer one, or when no topic answered last has a name there.
    fn on_last_topic(&self, text: &str) -> Option<Answer> {
        const MAX_CHARS: usize = 12;
        let words = &self.a.content.understand;
        if text.chars().count() > MAX_CHARS || !contains_any(text, &words.topicless) {
            return None;
        }
        let u = self.a.understand(text, Context { today: self.today, region: self.region() });
        if u.action.is_some() || !u.diseases.is_empty() {
            return None;
        }
        let name = words.topic_names.get(self.s.context.topics.last()?)?;
        let answer = self.a.knowledge.answer(&format!("{name}{text}"), self.region());
        answer.id.is_some().then_some(answer)
    }

    /// `你给我列一下嘛`: the list of what to bring — the window's after an answer about going
    /// there in person, the materials otherwise.
    fn list_asked(&self, text: &str) -> Option<Answer> {
        const MAX_CHARS: usize = 12;
        let words = &self.a.content.understand;
        if !contains_any(text, &words.list_it) {
            return None;
        }
        // `首次申请我妈具体要带哪些材料，列个清单我发给她`: the list is of what the rest asks.
        if text.chars().count() > MAX_CHARS {
            let rest: Vec<&str> = wording::sentence_clauses(text)
                .filter(|c| !contains_any(c, &words.list_it))
                .collect();
            let answer = self.a.knowledge.answer(&rest.join(" "), self.region());
            return (!rest.is_empty() && answer.id.is_some()).then_some(answer);
        }
        let region = self.region()?;
        let in_person = ["offline-window", "window-materials", "go-in-person", "online-vs-offline"];
        let last = self.s.context.topics.last().map(String::as_str);
        let topic = match last {
            Some(t) if in_person.contains(&t) => "window-materials",
            _ => "materials",
        };
        let entry = self.faq_entry(region, topic)?;
        let answer = self.a.knowledge.answer(entry.questions.first()?, Some(region));
        (answer.id.as_deref() == Some(entry.id.as_str())).then_some(answer)
    }

    /// A greeting, or an opening of nothing but `opening` words (`你好 我想问下门特的事`):
    /// nothing asked yet.
    fn is_opening(&self, text: &str) -> bool {
        let words = &self.a.content.understand;
        is_greeting(text, &words.greeting) || only_words(text, words.opening.iter())
    }

    /// Someone who writes "你好" (or anything, the very first time) is greeted and guided to the
    /// region question or menu; a real question in that message is still answered first.
    pub(super) fn greet_then_answer(&mut self, text: &str) {
        if !self.is_opening(text) && self.keep_until_region(text) {
            // Answered for the region chosen next, not for every region at once now.
            return self.start_with("您的问题我记下了，选好地区后马上按当地规定回答。");
        }
        // `你好 我邵阳嘞 …能不能帮她代办咯`: the region is set from the message itself, so the
        // question is answered there after a short welcome, not dropped for the menu.
        if !self.is_opening(text) && self.first_contact && self.s.region.is_some() {
            self.say(WELCOME);
            // The clauses after the one naming the region are the question (its words would
            // blur the FAQ match).
            let u = self.a.understand(text, Context { today: self.today, region: self.region() });
            let asked = u
                .regions
                .first()
                .and_then(|m| super::understood::after_clause_of(text, &m.word))
                .unwrap_or(text)
                .to_string();
            return self.faq_fallback(&asked, None);
        }
        if !self.is_opening(text) {
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

/// Shortest question clause worth answering on its own (`报好多`).
const MIN_CLAUSE: usize = 3;

/// FAQ topics answered together by the composed costs (起付线 and 报销比例 for the insurance
/// named) when a message asks both among other questions.
const COST_TOPICS: &[&str] = &["deductible", "ratio"];

/// The id of the costs part among the answers to several questions.
const COSTS_PART: &str = "costs";
/// The id of [`Turn::overdue_part`]'s answer.
const OVERDUE_PART: &str = "overdue";

/// What a reply to several questions says besides the answers shown.
struct Rest<'r> {
    /// Questions the FAQ was not sure of.
    unsure: &'r [String],
    /// Questions answered but past the three one screen holds: offered as buttons.
    more: Vec<String>,
}

/// Tenths of the shorter answer's character pairs found in the other for [`alike`].
const ALIKE_TENTHS: usize = 6;

/// The room each of several parts gets when they need `needs` characters and `room` is left:
/// a part needing less than an equal share gets what it needs, the rest is shared by the others.
fn shares_of(needs: &[usize], room: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..needs.len()).collect();
    order.sort_by_key(|&i| needs[i]);
    let mut shares = vec![0; needs.len()];
    let mut left = room;
    for (k, &i) in order.iter().enumerate() {
        let share = needs[i].min(left / (needs.len() - k));
        shares[i] = share;
        left -= share;
    }
    shares
}

/// Two FAQ answers nearly the same text (`没通过咋办` and `能不能申诉` in one region): most
/// character pairs of the shorter are in the longer, so one answer covers both questions.
fn alike(a: &Answer, b: &Answer) -> bool {
    // The body only: the source line is shared by most answers of a region.
    let pairs = |s: &str| -> std::collections::HashSet<(char, char)> {
        let body = s.lines().filter(|l| !l.trim_start().starts_with("来源："));
        let chars: Vec<char> = body.flat_map(str::chars).filter(|c| !c.is_whitespace()).collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    };
    let (x, y) = (pairs(&a.answer), pairs(&b.answer));
    let (short, long) = if x.len() <= y.len() { (&x, &y) } else { (&y, &x) };
    !short.is_empty() && short.intersection(long).count() * 10 >= short.len() * ALIKE_TENTHS
}

/// Longest brief taken from an answer's own line: about two lines of a phone screen.
const BRIEF_CHARS: usize = 60;

/// Character pairs of `text` (letters and digits only): how near a line is to a question.
fn char_pairs(text: &str) -> std::collections::HashSet<(char, char)> {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// The lines of an answer's body (no source line, no note in brackets, no list heading).
fn body_lines(answer: &str) -> impl Iterator<Item = &str> {
    answer.lines().map(str::trim).filter(|l| {
        !l.is_empty()
            && !l.starts_with("来源：")
            && !l.starts_with('（')
            && !l.ends_with(['：', ':'])
    })
}

/// Index of the body line of `lines` that shares most character pairs with `question`; the
/// first line on a tie (it usually states the rule).
fn nearest_line(question: &str, lines: &[String]) -> Option<usize> {
    let asked = char_pairs(question);
    let near = |l: &str| char_pairs(l).intersection(&asked).count();
    let best = lines.iter().enumerate().max_by_key(|(i, l)| (near(l), std::cmp::Reverse(*i)))?;
    Some(best.0)
}

/// The sentence of an answer that answers `question`, for an entry without a `brief`: the
/// line nearest the question (`他本人要不要去` → the line on 本人到场, not the first line on
/// where to apply), cut after its first sentence when long.
fn answering_sentence(question: &str, answer: &str) -> Option<String> {
    let lines: Vec<String> = body_lines(answer).map(plain_item).collect();
    let line = &lines[nearest_line(question, &lines)?];
    let line = line.strip_prefix("- ").unwrap_or(line);
    if line.chars().count() <= BRIEF_CHARS {
        return Some(line.to_string());
    }
    let end = line.find('。').map_or(line.len(), |i| i + '。'.len_utf8());
    let sentence = &line[..end];
    (sentence.chars().count() <= BRIEF_CHARS * 2).then(|| sentence.to_string())
}

/// `body` with the line nearest `question` first, when it is nearer than the first line: an
/// answer cut to its first lines then still answers what was asked (`两病的药还能一起报不` →
/// the line on 两病, not the rule on several diseases above it).
fn nearest_first(question: &str, body: &[String]) -> Vec<String> {
    let mut body = body.to_vec();
    let asked = char_pairs(question);
    let near = |l: &str| char_pairs(l).intersection(&asked).count();
    if let Some(i) = nearest_line(question, &body) {
        if i > 0 && near(&body[i]) > near(&body[0]) && !body[i].ends_with(['：', ':']) {
            let line = body.remove(i);
            body.insert(0, line);
        }
    }
    body
}

/// Whether a cut before char `k` of `chars` falls inside one of the `words` (回不|来 inside
/// 回不来): such a cut splits a verb phrase, not two questions.
fn cuts_inside(chars: &[char], k: usize, words: &[String]) -> bool {
    words.iter().any(|w| {
        let w: Vec<char> = w.chars().collect();
        (1..w.len()).any(|i| {
            k >= i && k - i + w.len() <= chars.len() && chars[k - i..k - i + w.len()] == w[..]
        })
    })
}

/// A numbered line of an answer shown inside a ①② list, as a dash item: its own numbers
/// would read as the list's.
fn plain_item(line: &str) -> String {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let rest = &line[digits..];
    let circled = line.starts_with(|c: char| ('①'..='⑩').contains(&c));
    match (digits, rest.strip_prefix('.').or_else(|| rest.strip_prefix('、'))) {
        (1..=2, Some(item)) => format!("- {}", item.trim_start()),
        _ if circled => format!("- {}", line.chars().skip(1).collect::<String>()),
        _ => line.to_string(),
    }
}

/// Source lines `标题｜地区：X｜截至…` of several answers as one: the titles once each, the
/// rest of the first.
fn merged_sources(lines: &[String]) -> String {
    let mut titles: Vec<&str> = Vec::new();
    for line in lines {
        for title in line.split('｜').next().unwrap_or("").split(['；', ';']) {
            let title = title.trim();
            if !title.is_empty() && !titles.contains(&title) {
                titles.push(title);
            }
        }
    }
    let rest: Vec<&str> =
        lines.first().map(|l| l.split('｜').skip(1).collect()).unwrap_or_default();
    // Answers for two regions (`攀枝花的…多少 邵阳的呢`) name both.
    let mut regions: Vec<&str> = Vec::new();
    for line in lines {
        for part in line.split('｜').filter_map(|p| p.strip_prefix("地区：")) {
            if !regions.contains(&part) {
                regions.push(part);
            }
        }
    }
    let mut out = titles.join("；");
    for part in rest {
        out.push('｜');
        match part.starts_with("地区：") {
            true => out.push_str(&format!("地区：{}", regions.join("、"))),
            false => out.push_str(part),
        }
    }
    out
}

/// A button label of at most 20 characters (Telegram allows 64 bytes).
fn short_label(text: &str) -> String {
    let mut out: String = text.chars().take(19).collect();
    if text.chars().count() > 19 {
        out.push('…');
    }
    out
}

/// The whole message is one of `words` (`greeting`), letters in lower case, punctuation aside.
fn is_greeting(text: &str, words: &[String]) -> bool {
    let t: String = input::normalize(text).to_lowercase();
    let t: String = t.chars().filter(|c| c.is_alphanumeric()).collect();
    words.iter().any(|w| w.to_lowercase() == t)
}

/// Whether `text` holds nothing but `words` (longest taken out first), spaces, punctuation and
/// exclamation marks.
fn only_words<'w>(text: &str, words: impl Iterator<Item = &'w String>) -> bool {
    let mut words: Vec<&String> = words.filter(|w| !w.is_empty()).collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    let mut rest = text.to_string();
    for w in words {
        rest = rest.replace(w.as_str(), "");
    }
    rest.chars().all(|c| c.is_whitespace() || wording::is_punct(c) || "~～!！".contains(c))
}

#[cfg(test)]
mod tests {
    use super::{answering_sentence, cuts_inside, nearest_first, shares_of};

    #[test]
    fn a_brief_taken_from_an_answer_is_its_sentence_nearest_the_question() {
        let answer = "第一次申请一般先到定点医院线下提交材料。延期可以在湘医保上办。\n\
                      病人本人要不要到场，资料里没有写，请先问办理的医院。\n来源：说明｜地区：邵阳";
        let brief = answering_sentence("他本人要不要去", answer).expect("a sentence");
        assert!(brief.contains("本人要不要到场"), "{brief}");
        let first = answering_sentence("在哪里交材料", answer).expect("a sentence");
        assert!(first.starts_with("第一次申请"), "{first}");
    }

    #[test]
    fn a_cut_answer_leads_with_the_line_asked_about() {
        let body: Vec<String> =
            vec!["原则上一人只享受一个慢特病待遇。".into(), "和两病用药保障不叠加。".into()];
        let led = nearest_first("他还在领两病的药 能一起报不", &body);
        assert!(led[0].contains("两病"), "{led:?}");
        assert_eq!(nearest_first("有两个慢特病待遇怎么算", &body), body, "the first is nearer");
    }

    #[test]
    fn a_cut_never_falls_inside_a_verb_phrase() {
        let words = vec!["不来".to_string(), "找不到".to_string()];
        let chars: Vec<char> = "我人在深圳回不来咋整".chars().collect();
        assert!(cuts_inside(&chars, 7, &words), "回不|来");
        assert!(!cuts_inside(&chars, 8, &words), "回不来|咋整");
        let chars: Vec<char> = "APP上找不到备案咋办".chars().collect();
        assert!(cuts_inside(&chars, 6, &words), "找不|到");
        assert!(cuts_inside(&chars, 5, &words), "找|不到");
        let chars: Vec<char> = "能报不要带啥".chars().collect();
        assert!(!cuts_inside(&chars, 3, &words), "能报不|要带啥");
    }

    #[test]
    fn a_short_part_leaves_its_room_to_the_others_wherever_it_stands() {
        // Materials (long), where (long), hotline (short, last): the hotline gets what it needs.
        assert_eq!(shares_of(&[400, 150, 40], 240), vec![100, 100, 40]);
        assert_eq!(shares_of(&[40, 400, 150], 240), vec![40, 100, 100]);
        assert_eq!(shares_of(&[50, 60], 240), vec![50, 60], "both fit whole");
    }
}
