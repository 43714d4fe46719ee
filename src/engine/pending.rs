//! Questions the engine asks on top of a dialog step: consent to store personal data and
//! "did you mean …?" for a weakly matched disease.

use super::commands;
use super::input;
use super::render::ButtonKind;
use super::turn::{Target, Turn};
use super::wording::{self, Question};
use super::{Choice, Pending};

/// Why the assistant asks for consent and what it keeps, for "为啥要身份证号 / 不想给".
const WHY_CONSENT: &str =
    "为什么问：记下病种、受理日期、到期日这些，我才能帮您算审核期限、到期前提醒您。\
     保存什么：只保存您在这里填写的内容，身份证号只存遮挡后的形式（只留前4位和后4位）。\
     不同意也可以：照样回答问题、指导办理，只是不记录进度、不发提醒。随时发送 /forget 可全部删除。";

impl<'a> Turn<'a> {
    /// Text while the engine waits for consent or a disease confirmation. `true` when handled.
    pub(super) fn on_pending_text(&mut self, text: &str) -> bool {
        let word = input::normalize(text);
        match self.s.pending.clone() {
            Some(Pending::Consent) => {
                if wording::asks_why(text) {
                    self.say(WHY_CONSENT);
                    self.prompt_pending();
                    return true;
                }
                let answer = wording::consent(text).or_else(|| {
                    (word.starts_with('不') || word.starts_with("拒绝")).then_some(false)
                });
                match answer {
                    Some(yes) => self.consent(yes),
                    // A command, or a question answered before the consent question comes again.
                    None if commands::parse(text).is_some() => return false,
                    None if wording::question(text) == Question::Clearly => return false,
                    None => {
                        self.say("请回答“同意”或“不同意”（也可以点按钮）。");
                        self.prompt_pending();
                    }
                }
                true
            }
            Some(Pending::Disease(names)) => {
                let by_number = wording::ordinal(text).filter(|n| *n <= names.len());
                if let Some(i) = names.iter().position(|n| input::normalize(n) == word) {
                    self.pick_disease(Some(i));
                } else if let Some(n) = by_number {
                    self.pick_disease(Some(n - 1));
                } else if ["都不是", "不是", "否"].contains(&word.as_str()) {
                    self.pick_disease(None);
                } else if let Some(yes) = wording::yes_no(text) {
                    // "是的" confirms the first (best) candidate, "不对" none of them.
                    self.pick_disease(yes.then_some(0));
                } else if commands::parse(text).is_some() {
                    return false;
                } else {
                    // A new spelling: drop the old candidates and read it as the answer.
                    self.s.pending = None;
                    return false;
                }
                true
            }
            None => false,
        }
    }

    pub(super) fn consent(&mut self, yes: bool) {
        self.s.consent = Some(yes);
        self.s.pending = None;
        if yes {
            self.say("谢谢，已记下您的同意。随时发送 /forget 可以删除保存的全部信息。");
        } else {
            self.say(
                "好的，不保存个人信息。我照样可以回答问题和指导办理，涉及个人信息的步骤会跳过。",
            );
        }
        if let (Some(dialog), Some(step)) = (self.s.dialog.clone(), self.s.step.clone()) {
            self.enter(&dialog, Target::Step(step), true);
        }
    }

    pub(super) fn pick_disease(&mut self, index: Option<usize>) {
        let names = match self.s.pending.take() {
            Some(Pending::Disease(names)) => names,
            other => {
                self.s.pending = other;
                return self.stale();
            }
        };
        match index.and_then(|i| names.get(i)) {
            Some(name) => match (self.current_step(), self.insurance_allows(name)) {
                (Some(step), Ok(())) => self.accept(step, name.clone(), None),
                (Some(_), Err(why)) => self.fail(&why),
                (None, _) => self.show_menu(),
            },
            None => {
                self.say(
                    "好的。请换个说法再输入一次病名（可以照着诊断证明上的写），或发送“人工”咨询。",
                );
                self.reask();
            }
        }
    }

    pub(super) fn prompt_pending(&mut self) {
        match self.s.pending.clone() {
            Some(Pending::Consent) => {
                let choices = vec![
                    self.button("同意", ButtonKind::Consent(true)),
                    self.button("不同意", ButtonKind::Consent(false)),
                ];
                self.say_with(
                    "接下来会问到病种、联系电话、姓名或身份证号等个人信息。只有您同意，我才会保存它们，\
                     用于跟踪申请进度和发送提醒；身份证号只保存遮挡后的形式。\
                     随时发送 /forget 可删除全部信息。是否同意保存？",
                    choices,
                );
            }
            Some(Pending::Disease(names)) => {
                let mut choices: Vec<Choice> = names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| self.button(n.clone(), ButtonKind::Disease(Some(i))))
                    .collect();
                choices.push(self.button("都不是", ButtonKind::Disease(None)));
                self.say_with(
                    format!(
                        "您说的是不是{}目录里的：{}？请点选一个。",
                        self.region_name(),
                        names.join("、")
                    ),
                    choices,
                );
            }
            None => {}
        }
    }
}
