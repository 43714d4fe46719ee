//! Walking dialog trees: starting a dialog, running steps (set → action → consent → say →
//! ask), prompting, branching, ending, asking again (also after a stale button) and the way out
//! after repeated failures.
//!
//! Layer: handler — a part of `Turn` built on `turn` and the base modules; `dispatch` decides when
//! it runs.

use super::render::{self, ButtonKind};
use super::track;
use super::turn::{Target, Turn, MAX_FAILURES, MAX_HOPS};
use super::{Choice, Effect, Pending};
use crate::content::dialogs::{self, InputKind, Step};

/// A step's text longer than this is asked again briefly (see [`Turn::reask`]).
const LONG_PROMPT_CHARS: usize = 150;

impl<'a> Turn<'a> {
    pub(super) fn start_dialog(&mut self, id: &str, fresh: bool) {
        let (dialog, step) = match id.split_once('#') {
            Some((d, s)) => (d.to_string(), Some(s.to_string())),
            None => (id.to_string(), None),
        };
        let Some(tree) = self.a.content.dialogs.trees.get(&dialog) else {
            self.say("这项功能暂时不可用，已为您回到主菜单。");
            return self.show_menu();
        };
        let region_first = tree.needs_region && self.s.region.is_none() && dialog != "region";
        if region_first && self.a.content.dialogs.trees.contains_key("region") {
            self.s.then = Some(id.to_string());
            return self.start_dialog("region", fresh);
        }
        if fresh {
            let then = self.s.then.take();
            self.clear_dialog();
            self.s.then = then;
        }
        let apply_from_start = fresh && step.is_none() && dialog == super::prefill::APPLY;
        self.s.dialog = Some(dialog);
        self.sync_region();
        if apply_from_start {
            self.prefill_apply();
        }
        match step.or_else(|| tree.start_step().map(str::to_string)) {
            Some(step) => self.enter(&tree.id, Target::Step(step), false),
            None => self.end_dialog(),
        }
    }

    pub(super) fn sync_region(&mut self) {
        match &self.s.region {
            Some(r) => self.s.slots.insert("region".into(), r.clone()),
            None => self.s.slots.remove("region"),
        };
    }

    /// Runs steps from `target` until one waits for the user or the dialog ends. `resume`:
    /// the first step already ran its `set` and `action` (we come back from a consent question).
    pub(super) fn enter(&mut self, dialog: &str, mut target: Target, mut resume: bool) {
        let mut dialog = dialog.to_string();
        for _ in 0..MAX_HOPS {
            let id = match target {
                Target::End => return self.end_dialog(),
                Target::Goto(spec) => return self.start_dialog(&spec, false),
                Target::Step(id) => id,
            };
            let Some(step) = self.a.content.dialogs.trees.get(&dialog).and_then(|d| d.step(&id))
            else {
                tracing::error!(%dialog, step = %id, "dialog refers to a missing step");
                self.say(
                    "抱歉，这个办理流程的内容有误，已为您回到主菜单。您也可以发送“人工”咨询。",
                );
                return self.show_menu();
            };
            self.s.dialog = Some(dialog.clone());
            self.s.step = Some(id.clone());
            self.s.reasks = 0;
            match self.run_step(step, resume) {
                Some(next) => target = next,
                None => return,
            }
            resume = false;
            dialog = self.s.dialog.clone().unwrap_or(dialog);
        }
        tracing::error!(%dialog, "dialog loops without waiting for the user");
        self.say("抱歉，这个办理流程的内容有误，已为您回到主菜单。");
        self.show_menu();
    }

    /// One step: set → action → (consent) → say → ask or move on. `None`: waiting for input.
    pub(super) fn run_step(&mut self, step: &Step, resume: bool) -> Option<Target> {
        let prefilled = self.take_prefilled(step);
        if prefilled.is_none() {
            self.say_taken();
        }
        if !resume {
            for (slot, value) in &step.set {
                let value = self.fill(value);
                self.s.slots.insert(slot.clone(), value);
            }
            if let Some(action) = &step.action {
                self.action(action);
            }
        }
        if let Some(value) = prefilled {
            // Shown as its button label (职工医保), not as the stored value (employee); a
            // button's own way on (本人 → insurance, 替家人 → relation) is kept.
            let offered = self.offered(step);
            let picked = offered.iter().find(|o| o.value == value);
            let jump = picked.and_then(|o| o.own).and_then(|i| step.choices.get(i)).and_then(|c| {
                c.next.clone().map(Target::Step).or_else(|| c.goto.clone().map(Target::Goto))
            });
            let shown = picked.map_or(value, |o| o.label.clone());
            // A date as people write it (2026年12月3日), not as it is stored; one said by its
            // month alone says on its own line which day was taken.
            let date = chrono::NaiveDate::parse_from_str(&shown, "%Y-%m-%d")
                .ok()
                .filter(|_| step.ask == Some(InputKind::Date));
            if let Some(day) = date.filter(|d| self.s.context.month_only.contains(d)) {
                self.say_taken();
                let note = self.filled_date_text(day);
                self.say(note);
                self.remember_position();
                return Some(self.after(step, jump));
            }
            let shown = date.map_or(shown, crate::policy::dates::format_cn);
            let disease = (step.ask == Some(InputKind::Disease)).then(|| shown.clone());
            if let Some(name) = &disease {
                self.taken_note = self.other_diseases_note(name);
                if self.taken_note.is_some() {
                    self.s.context.note_once(super::prefill::RULE_NOTE);
                }
            }
            self.taken.push(shown);
            self.remember_position();
            if let Some(name) = disease {
                // What a typed disease would have brought: extra materials, loose names.
                self.say_taken();
                self.say_disease_notes(&name);
            }
            return Some(self.after(step, jump));
        }
        if step.ask.is_some() && dialogs::may_be_skipped(step) {
            match self.s.consent {
                None => {
                    self.s.pending = Some(Pending::Consent);
                    self.prompt_pending();
                    return None;
                }
                Some(false) => {
                    if !self.refused_now {
                        self.say("（您没有同意保存个人信息，这一步跳过。）");
                    }
                    return Some(self.after(step, None));
                }
                Some(true) => {}
            }
        }
        if self.knows_date_already(step) {
            return Some(self.after(step, None));
        }
        if self.doesnt_know_date(step) {
            return Some(self.after(step, None));
        }
        if let Some(next) = self.date_said(step) {
            return Some(next);
        }
        if self.asks_which_disease(step) {
            self.s.failures = 0;
            return None;
        }
        // `刚刚在四川医保app上交了 …` answered the step before this one and names this step's
        // choice on the way (app → 线上): taken, not asked (play-test round 13, P1).
        if let Some(i) = self.choice_said_this_turn(step) {
            let label = self.offered(step).swap_remove(i).label;
            self.taken.push(label);
            self.choose(step, i);
            return None;
        }
        self.prompt(step);
        if step.ask.is_some() {
            self.s.failures = 0;
            None
        } else {
            Some(self.after(step, None))
        }
    }

    /// The one choice of a step of buttons whose alias this turn's message holds, when the
    /// message answered an earlier step (a longer message, never a button press). `None` when
    /// no choice or more than one is named.
    fn choice_said_this_turn(&self, step: &Step) -> Option<usize> {
        if step.ask != Some(InputKind::Choice) || self.message.chars().count() < 8 {
            return None;
        }
        let text = self.message.to_lowercase();
        let named: Vec<usize> = (self.offered(step).iter().enumerate())
            .filter(|(_, o)| {
                o.aliases.iter().any(|a| !a.is_empty() && text.contains(&a.to_lowercase()))
            })
            .map(|(i, _)| i)
            .collect();
        match named.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// The disease step when the conversation named several diseases: which one, with a button
    /// each, in place of the step's own question.
    fn asks_which_disease(&mut self, step: &Step) -> bool {
        let named = match step.ask {
            Some(InputKind::Disease) => self.disease_buttons(),
            _ => return false,
        };
        let Some(question) = self.several_diseases_question(&named).filter(|_| !named.is_empty())
        else {
            return false;
        };
        let choices = self.step_buttons(step);
        self.ask_with(question, choices);
        self.s.context.note_once(super::prefill::RULE_NOTE);
        true
    }

    /// A value filled in from an earlier message (the 新申请 button of an eligibility answer)
    /// answers its step once, if the answers so far still allow it (resident-only diseases).
    fn take_prefilled(&mut self, step: &Step) -> Option<String> {
        let slot = step.slot.as_deref()?;
        let marked = self.s.slots.get(super::PREFILLED)?;
        let mut rest: Vec<&str> = marked.split(',').collect();
        let at = rest.iter().position(|s| *s == slot)?;
        // A personal value (the disease) waits for the consent question; refused, it is dropped.
        let personal = step.ask.is_some() && dialogs::may_be_skipped(step);
        if personal && self.s.consent.is_none() {
            return None;
        }
        rest.remove(at);
        match rest.join(",") {
            left if left.is_empty() => self.s.slots.remove(super::PREFILLED),
            left => self.s.slots.insert(super::PREFILLED.into(), left),
        };
        if personal && self.s.consent != Some(true) {
            self.s.slots.remove(slot);
            return None;
        }
        if personal && !self.s.slots.contains_key(slot) && slot == "disease" {
            // The disease chosen in the procedure just done before the first one said (高血压
            // and 糖尿病 said, 糖尿病 applied for: the record is 糖尿病's).
            let chosen = self.s.context.procedure_disease.clone();
            let said = chosen.or_else(|| self.said_disease())?;
            self.s.slots.insert(slot.to_string(), said);
        }
        let value = self.s.slots.get(slot)?.clone();
        if self.insurance_allows(&value).is_err() {
            self.s.slots.remove(slot);
            return None;
        }
        Some(value)
    }

    pub(super) fn action(&mut self, name: &str) {
        match name {
            "materials" => {
                let text = self.materials_text();
                self.s.slots.insert("materials".into(), text.clone());
                self.say(text);
            }
            "handoff" => {
                self.effects.push(Effect::Handoff { region: self.s.region.clone() });
                self.say(format!("人工咨询请拨打：\n{}", self.hotline_text()));
            }
            other => match track::run_action(other, &self.track_ctx()) {
                Some(out) => self.apply_track(out),
                None => tracing::error!(action = other, "unknown action"),
            },
        }
    }

    pub(super) fn materials_text(&self) -> String {
        let Some(region) = self.region() else {
            return "请先选择地区，材料要求因地区而异。".into();
        };
        let list = crate::knowledge::materials::checklist(
            &self.a.content,
            region,
            self.s.slots.get("insurance").map(String::as_str),
            self.s.slots.get("disease").map(String::as_str),
        );
        if list.items.is_empty() {
            return format!(
                "暂时没有{}的材料清单，请以经办机构的要求为准。\n{}",
                self.region_name(),
                self.hotline_text()
            );
        }
        let items: Vec<String> =
            list.items.iter().enumerate().map(|(i, item)| format!("{}. {item}", i + 1)).collect();
        // `我一年大部分时间在深圳打工` said before: the filing the application needs as well.
        let afar = &self.a.content.understand.apply_afar;
        let afar = match &self.s.context.lives_at {
            Some(place) if !afar.is_empty() => format!("\n{}", afar.replace("{place}", place)),
            _ => String::new(),
        };
        format!(
            "{}申请门特需要准备的材料：\n{}{afar}\n来源：{}",
            self.region_name(),
            items.join("\n"),
            self.a.content.citations.cite_short(&list.sources.join("；"))
        )
    }

    /// The step's question as shown in the user's region.
    pub(super) fn prompt_text(&self, step: &Step) -> String {
        self.region()
            .and_then(|r| step.say_by_region.get(r))
            .or(step.say.as_ref())
            .map(|t| self.fill(t))
            .unwrap_or_default()
    }

    /// The buttons of a step that waits for an answer.
    fn step_buttons(&self, step: &Step) -> Vec<Choice> {
        match step.ask {
            Some(_) => self
                .offered(step)
                .into_iter()
                .enumerate()
                .map(|(i, o)| self.button(o.label, ButtonKind::Choice(i)))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Sends the step's text and buttons.
    pub(super) fn prompt(&mut self, step: &Step) {
        let text = self.prompt_text(step);
        let choices = self.step_buttons(step);
        if text.is_empty() && choices.is_empty() {
            return;
        }
        let text =
            if text.is_empty() { "请选择：".to_string() } else { render::circled_list(&text) };
        self.ask_with(text, choices);
    }

    pub(super) fn end_dialog(&mut self) {
        self.say_taken();
        let chose_region = self.s.dialog.as_deref() == Some("region");
        match self.s.then.take() {
            Some(next) if self.s.region.is_some() => self.start_dialog(&next, true),
            // A question asked before the region was chosen is answered now, in it (the answer
            // names the region, so its "已记住您的地区" line goes: one screen for the answer).
            _ if chose_region && self.s.context.before_region.is_some() => {
                if self.replies.last().is_some_and(|r| r.choices.is_empty()) {
                    self.replies.pop();
                }
                self.answer_before_region();
                // An answer with buttons of its own keeps them alone: the menu beside it gave
                // 新申请 and 开始新申请 in one list (play-test round 12, P6).
                // (Its 来源 and 看全 are no way on: with only those the menu still comes.)
                let acts = |r: &super::Reply| {
                    r.choices.iter().any(|c| {
                        let kind = render::decode(&c.data).map(|b| b.kind);
                        !matches!(kind, Some(ButtonKind::Source | ButtonKind::More))
                    })
                };
                let own_buttons = self.replies.last().is_some_and(acts);
                if !own_buttons && self.at_top_level() {
                    self.show_menu()
                }
            }
            _ => self.show_menu(),
        }
    }

    /// Asks again whatever the user is expected to answer now (nothing at the menu).
    pub(super) fn reask(&mut self) {
        // The question was asked this turn (a dialog started in place of an answer, then a
        // second question answered after it): once is enough — asked again, its buttons showed
        // twice in one message (play-test round 14, P7).
        let asked_now = self.prompt_reply.is_some_and(|i| i + 1 == self.replies.len());
        if asked_now || (self.prompt_reply.is_some() && self.s.pending.is_none()) {
            return;
        }
        if self.s.pending.is_some() {
            return self.prompt_pending();
        }
        if let Some(step) = self.current_step() {
            self.s.reasks += 1;
            // A long step (新申请's how-to) was just read in full: after an answer to a question
            // beside it, where the user is and the buttons are enough (sent again it was the same
            // text twice in a row, and past one screen with the answer above it).
            let long = self.prompt_text(step).chars().count() > LONG_PROMPT_CHARS;
            if self.s.reasks > 1 || long {
                return self.prompt_briefly(step);
            }
            self.prompt(step);
        }
    }

    /// A button that no longer fits (old turn, wrong state): say so and ask the current question
    /// again, or show the menu when there is none.
    pub(super) fn stale(&mut self) {
        self.say("这个按钮已经过期了（菜单已更新）。请看下面最新的问题，或发送 /menu 回到主菜单。");
        if self.s.dialog.is_some() || self.s.pending.is_some() {
            self.reask();
        } else {
            self.show_menu();
        }
    }

    /// The step once it was asked again already: not its question again, only where the user
    /// is and how to go on, with the step's buttons (so they stay current). A step that waits
    /// for typed text keeps its question line when it is short (there is no button to point to).
    fn prompt_briefly(&mut self, step: &Step) {
        let title = self.tree().map(|t| t.title.clone()).unwrap_or_default();
        let choices = self.step_buttons(step);
        let text = self.prompt_text(step);
        let question = text
            .lines()
            .map(str::trim)
            .rfind(|l| l.ends_with(['？', '?']) && l.chars().count() <= 40)
            .filter(|_| choices.is_empty())
            .map(str::to_string);
        let line = match question {
            Some(q) => format!("（继续“{title}”：{q}）"),
            None => format!("（继续“{title}”请点下面的按钮，或发“取消”退出。）"),
        };
        self.ask_with(line, choices);
    }

    pub(super) fn fail(&mut self, hint: &str) {
        self.s.failures += 1;
        if self.s.failures < MAX_FAILURES {
            self.say(hint.to_string());
            return self.reask();
        }
        self.s.failures = 0;
        let choices = vec![
            self.button("再试一次", ButtonKind::Retry),
            self.button("回到主菜单", ButtonKind::Menu("menu".into())),
        ];
        self.say_with(
            format!(
                "{hint}\n\n好像一直没对上，没关系。您可以再试一次、回到主菜单，或打电话问人工：\n{}",
                self.hotline_text()
            ),
            choices,
        );
    }
}
