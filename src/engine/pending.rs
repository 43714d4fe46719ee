//! Questions the engine asks on top of a dialog step: consent to store personal data and
//! "did you mean …?" for a weakly matched disease.
//!
//! Layer: handler — a part of `Turn` built on `turn` and the base modules; `dispatch` decides when
//! it runs.

use super::commands;
use super::input;
use super::render::ButtonKind;
use super::track;
use super::turn::{Target, Turn};
use super::wording::{self, Question};
use super::{Choice, Pending};

/// Why the assistant asks for consent and what it keeps, for "为啥要身份证号 / 不想给".
const WHY_CONSENT: &str =
    "为什么问：记下病种、受理日期、到期日这些，我才能帮您算审核期限、到期前提醒您。\
     保存什么：只保存您在这里填写的内容，身份证号只存遮挡后的形式（只留前4位和后2位）。\
     不同意也可以：照样回答问题、指导办理，只是不记录进度、不发提醒。随时发送 /forget 可全部删除。";

/// The consent question before an application said in words is recorded (issue 17, PIPL).
const RECORD_CONSENT: &str =
    "要记下这份申请、到时提醒您，需要您同意保存：申请类型、地区、受理日期和提醒日（不保存姓名、证件号）。\
     随时发送 /forget 可删除全部信息。是否同意保存？";

/// [`RECORD_CONSENT`] when a disease was said with the application: it is kept too.
const RECORD_CONSENT_DISEASE: &str =
    "要记下这份申请、到时提醒您，需要您同意保存：申请类型、地区、病种、受理日期和提醒日（不保存姓名、证件号）。\
     随时发送 /forget 可删除全部信息。是否同意保存？";

/// Words of a question about the personal data asked for (kept, deleted, shown to whom:
/// `asks.about_data`).
fn about_data(text: &str, words: &[String]) -> bool {
    // 热线电话多少 asks for the hotline, not about the phone number kept.
    let hotline = text.contains("热线");
    words.iter().any(|w| !w.is_empty() && text.contains(w.as_str()) && !(hotline && w == "电话"))
}

impl<'a> Turn<'a> {
    /// Text while the engine waits for consent or a disease confirmation. `true` when handled.
    pub(super) fn on_pending_text(&mut self, text: &str) -> bool {
        let word = input::normalize(text);
        match self.s.pending.clone() {
            Some(
                Pending::Consent | Pending::RecordConsent { .. } | Pending::TaskConsent { .. },
            ) => {
                // `不对 不是今天受理的 是11月16号受理的` corrects the date, it refuses nothing.
                if !self.words().names_consent(text) && self.corrects_pending_date(text) {
                    return true;
                }
                // `不是续期 是第一次申请 11月17号交的 还在等审核`: corrected facts, no refusal.
                if self.restates_at_consent(text) {
                    return true;
                }
                // A plain answer first ("算了 不想给" refuses), then "why?" or reluctance, and
                // a question about the data itself ("以后能删掉不") gets the same explanation.
                if let Some(yes) = self.words().consent(text) {
                    self.consent(yes);
                    return true;
                }
                let asked = self.asks(text);
                if self.words().asks_why(text)
                    || (asked == Question::Clearly
                        && about_data(text, &self.a.content.understand.asks.about_data))
                {
                    // What the conversation itself keeps, with or without consent (issue 17).
                    self.say(format!("{WHY_CONSENT}\n{}", super::context::PRIVACY_NOTE));
                    self.prompt_pending();
                    return true;
                }
                // "要是过了还没审完找哪个": the review's last day and whom to call, then again.
                if self.asks_past_review(text) {
                    return true;
                }
                // The buttons are 同意 (1) and 不同意 (2), so their numbers count too.
                let by_number = match wording::ordinal(text) {
                    Some(1) => Some(true),
                    Some(2) => Some(false),
                    _ => None,
                };
                // "不给" refuses; "不同意的话还能办不" asks (and was explained above).
                let refuses = word.starts_with('不') || word.starts_with("拒绝");
                let answer =
                    by_number.or_else(|| (refuses && asked != Question::Clearly).then_some(false));
                match answer {
                    Some(yes) => self.consent(yes),
                    // A command, or a question answered before the consent question comes again.
                    None if commands::parse(text).is_some() => return false,
                    // "再加一个 明年1月5号去医院复查": no reminder for that, said; asked again.
                    None if self.dated_task_at_consent(text) => {}
                    None if asked == Question::Clearly => return false,
                    // "要上传啥子": a question the FAQ is sure about, answered before it too …
                    None if asked == Question::Maybe && self.faq_is_sure(text) => return false,
                    // … or sure about in the procedure's topic (续期/延期要上传啥子).
                    None if self.answers_in_procedure(text) => {}
                    None => {
                        self.say("请回答“同意”或“不同意”（也可以点按钮）。");
                        self.prompt_pending();
                    }
                }
                true
            }
            Some(Pending::Disease(names)) => {
                // Buttons: the candidates, then 都不是 (its number means none of them).
                let by_number = wording::ordinal(text).filter(|n| *n <= names.len() + 1);
                if let Some(i) = names.iter().position(|n| input::normalize(n) == word) {
                    self.pick_disease(Some(i));
                } else if let Some(n) = by_number {
                    self.pick_disease((n <= names.len()).then(|| n - 1));
                } else if ["都不是", "不是", "否"].contains(&word.as_str()) {
                    self.pick_disease(None);
                } else if let Some(yes) = self.words().yes_no(text) {
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
            Some(Pending::UnlistedDisease(_)) => {
                let go_on = ["继续", "按通用材料继续", "通用材料"].contains(&word.as_str())
                    || wording::ordinal(text) == Some(1)
                    || self.words().yes_no(text) == Some(true);
                let other = ["换个病名", "换一个", "重新输入"].contains(&word.as_str())
                    || wording::ordinal(text) == Some(2);
                if go_on || other {
                    self.pick_disease(go_on.then_some(0));
                    return true;
                }
                // Anything else is another name (or a command): read it as the answer again.
                self.s.pending = None;
                false
            }
            Some(Pending::Forget) => self.on_forget_text(text),
            Some(Pending::DeleteRecord { id }) => self.on_delete_record_text(id, text),
            Some(Pending::HandoffConsent { live }) => self.on_handoff_consent_text(live, text),
            Some(Pending::ReminderDate) => self.on_reminder_date(text),
            Some(Pending::TaskDate { task }) => self.on_task_date(task, text),
            None => false,
        }
    }

    pub(super) fn consent(&mut self, yes: bool) {
        self.s.consent = Some(yes);
        let asked = self.s.pending.take();
        self.refused_now = !yes;
        if yes {
            self.say("谢谢，已记下您的同意。随时发送 /forget 可以删除保存的全部信息。");
        } else {
            self.say(
                "好的，不保存个人信息。我照样可以回答问题和指导办理，涉及个人信息的步骤会跳过。",
            );
        }
        self.keep_waiting_task(yes);
        if let Some(Pending::TaskConsent { task, day }) = &asked {
            return self.task_consent(yes, task, day);
        }
        if let Some(Pending::RecordConsent { kind, accepted, hand_in, disease, acceptance_no }) =
            asked
        {
            let accepted = chrono::NaiveDate::parse_from_str(&accepted, "%Y-%m-%d").ok();
            match accepted.filter(|_| yes) {
                Some(on) if hand_in && self.records_first() => {
                    self.record_planned(&kind, on);
                }
                Some(on) if self.records_first() => {
                    self.record_said(&kind, on, disease.as_deref(), acceptance_no.as_deref());
                }
                Some(_) => self.say("已经有记录的申请了，请在“我的申请”里查看或更新。"),
                None => self.say("这份申请没有记录，也不会发提醒。"),
            }
            return;
        }
        if let (Some(dialog), Some(step)) = (self.s.dialog.clone(), self.s.step.clone()) {
            self.enter(&dialog, Target::Step(step), true);
        }
    }

    pub(super) fn pick_disease(&mut self, index: Option<usize>) {
        let names = match self.s.pending.take() {
            Some(Pending::Disease(names)) => names,
            Some(Pending::UnlistedDisease(typed)) => return self.go_on_unlisted(typed, index),
            other => {
                self.s.pending = other;
                return self.stale();
            }
        };
        match index.and_then(|i| names.get(i)) {
            Some(name) => match (self.current_step(), self.insurance_allows(name)) {
                (Some(step), Ok(())) => {
                    self.say_disease_notes(name);
                    self.accept(step, name.clone(), None)
                }
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

    /// After "not in our catalogue": `Some(_)` goes on with the general materials and the
    /// name as typed, `None` asks for another name.
    fn go_on_unlisted(&mut self, typed: String, index: Option<usize>) {
        match (index, self.current_step()) {
            (Some(_), Some(step)) => {
                self.say(format!(
                    "好的，按通用材料继续。病种先记为“{typed}”，以医保部门认定为准。"
                ));
                self.accept(step, typed, None);
            }
            (Some(_), None) => self.show_menu(),
            (None, _) => {
                self.say("好的，请换个病名再输入一次（可以照着诊断证明上的写）。");
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
                self.ask_with(
                    "接下来会问到病种、联系电话、姓名或身份证号等个人信息。只有您同意，我才会保存它们，\
                     用于跟踪申请进度和发送提醒；身份证号只保存遮挡后的形式。\
                     随时发送 /forget 可删除全部信息。是否同意保存？",
                    choices,
                );
            }
            Some(Pending::RecordConsent { disease, .. }) => {
                let choices = vec![
                    self.button("同意", ButtonKind::Consent(true)),
                    self.button("不同意", ButtonKind::Consent(false)),
                ];
                let ask = match disease {
                    Some(_) => RECORD_CONSENT_DISEASE,
                    None => RECORD_CONSENT,
                };
                self.ask_with(ask, choices);
            }
            Some(Pending::Disease(names)) => {
                let mut choices: Vec<Choice> = names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| self.button(n.clone(), ButtonKind::Disease(Some(i))))
                    .collect();
                choices.push(self.button("都不是", ButtonKind::Disease(None)));
                self.ask_with(
                    format!(
                        "您说的是不是{}目录里的：{}？请点选一个。",
                        self.region_name(),
                        names.join("、")
                    ),
                    choices,
                );
            }
            Some(Pending::UnlistedDisease(typed)) => {
                let choices = vec![
                    self.button("按通用材料继续", ButtonKind::Disease(Some(0))),
                    self.button("换个病名", ButtonKind::Disease(None)),
                ];
                self.ask_with(
                    format!(
                        "我掌握的{}门特病种资料里没有找到“{typed}”。这份资料不是完整目录，没找到不代表不能办。\
                         能不能办请问：{}\n您可以先按通用材料继续准备，或换个病名再试。",
                        self.region_name(),
                        self.hotline_text()
                    ),
                    choices,
                );
            }
            Some(Pending::Forget) => self.prompt_forget(),
            Some(Pending::DeleteRecord { id }) => {
                if let Some(out) = track::on_button(&format!("t:del:{id}"), &self.track_ctx()) {
                    self.apply_track(out);
                }
            }
            Some(Pending::HandoffConsent { live }) => self.prompt_handoff_consent(live),
            Some(Pending::ReminderDate) => self.offer_reminders(),
            Some(Pending::TaskDate { task }) => {
                self.say(format!("提醒您“{task}”是哪一天？请告诉我日期，例如“12月20号”“下周三”。"))
            }
            Some(Pending::TaskConsent { task, day }) => self.ask_task_consent(&task, &day),
            None => {}
        }
    }
}
