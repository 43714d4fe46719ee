//! Live hand-off to staff (issue 18), as far as the conversation goes: offer it when the user
//! asks for a person, ask once for consent to share the conversation, then — while it is open —
//! pass what the user writes on to staff and stay quiet, except for commands.
//!
//! The engine decides and says; it keeps nothing. It reads the open hand-off and whether staff
//! had the console open from [`UserData`] (the store loads both every turn, since staff change
//! them between turns) and returns [`Effect::HandoffOpen`], [`Effect::HandoffMessage`] and
//! [`Effect::HandoffEnd`]; the store and the channels do the rest. "On duty" is staff present
//! *and* the region's service hours (content, `service_hours:` in `data/regions/*.yaml`).
//!
//! [`UserData`]: super::UserData

use chrono::{DateTime, Utc};

use super::commands::{self, Command};
use super::render::ButtonKind;
use super::turn::Turn;
use super::{Effect, Pending};
use crate::clock::in_china;
use crate::content::calendar::is_weekend;
use crate::content::Content;

/// Staff count as present when a console page of theirs was loaded this recently (the inbox
/// refreshes every few seconds; a session's `seen_at` is written at most once a minute).
pub const PRESENCE_MINUTES: i64 = 10;

/// A live hand-off in which nobody wrote for this long closes by itself and the assistant
/// says it is back: long enough for a user to look up a document, short enough that a user
/// who left is not met by silence the next day.
pub const IDLE_MINUTES: i64 = 30;

/// What the user is told when staff close the hand-off.
pub const CLOSED_BY_STAFF: &str =
    "工作人员已结束本次人工服务，门特助手回来了。有问题可以继续问我，发送 /menu 查看主菜单。";

/// What the user is told when the hand-off closed after [`IDLE_MINUTES`] without a message.
pub const CLOSED_IDLE: &str =
    "人工服务因长时间没有新消息已自动结束，门特助手回来了。还需要人工可以再发送“人工”。";

/// How a staff reply reads on every channel.
pub fn staff_says(text: &str) -> String {
    format!("【人工回复】{text}")
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

impl Turn<'_> {
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
            None => {
                self.s.pending = None;
                false
            }
        }
    }

    /// The user asked for a person.
    pub(super) fn offer_handoff(&mut self) {
        match self.user.handoff {
            Some(h) if h.holds() => {
                self.say("您已经在人工服务中，请直接写下您的问题，工作人员会在这里回复。发送“结束人工”回到助手。");
                return;
            }
            // A question left off duty is still waiting: one open hand-off per user.
            Some(_) => {
                self.say(format!(
                    "您的留言已经转给工作人员，上班后会在这里回复您。着急的话可以打电话：{}",
                    self.hotline_text()
                ));
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
        let (text, yes) = if live {
            (
                format!(
                    "现在有工作人员在线，可以为您转人工。转接后，工作人员会看到本次对话（身份证号、电话、姓名会遮挡）。同意转人工吗？\n也可以直接打电话：{}",
                    self.hotline_text()
                ),
                "同意转人工",
            )
        } else {
            (
                format!(
                    "现在不是人工服务时间（{}）。您可以留言，工作人员上班后会在这里回复您；留言时工作人员会看到本次对话（身份证号、电话、姓名会遮挡）。要留言吗？\n也可以打电话咨询：{}",
                    self.service_hours_text(),
                    self.hotline_text()
                ),
                "留言给工作人员",
            )
        };
        let choices = vec![
            self.button(yes, ButtonKind::Consent(true)),
            self.button("不用了", ButtonKind::Consent(false)),
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
        if live {
            self.say("好的，已为您转人工。请直接写下您的问题，工作人员会在这里回复您。\n发送“结束人工”可以随时回到助手。");
        } else {
            self.say("好的，请写下您的问题（一条消息写清楚），工作人员上班后会在这里回复您。");
        }
    }

    /// What a user who does not want a hand-off is told: call the hotline (the request was
    /// recorded for the console when it was offered).
    pub(super) fn hotline_answer(&mut self) {
        self.say(format!(
            "需要人工帮助的话，可以打电话咨询：\n{}\n也可以到当地医保经办窗口当面咨询。",
            self.hotline_text()
        ));
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
        self.say("已结束人工服务，门特助手回来了。");
    }

    /// 结束人工 outside a hand-off.
    pub(super) fn no_handoff_to_end(&mut self) {
        match self.user.handoff {
            Some(_) => self.end_handoff(),
            None => self.say("现在没有进行中的人工服务。"),
        }
        self.reask();
    }

    fn pass_to_staff(&mut self, text: &str) {
        self.effects.push(Effect::HandoffMessage { text: text.to_string() });
        let left = self.user.handoff.is_some_and(|h| !h.live);
        // A live conversation stays quiet; a question left off duty is acknowledged once,
        // and the user is back with the assistant.
        if left {
            self.say("已收到您的留言，工作人员上班后会在这里回复您。现在可以继续问我别的问题。");
        }
    }

    fn service_hours_text(&self) -> String {
        let regions = &self.a.content.regions;
        let hours: Vec<String> = regions
            .values()
            .filter(|r| self.region().map_or(true, |id| r.id == id))
            .filter_map(|r| r.service_hours.as_ref().map(|h| format!("{}：{}", r.name, h.text)))
            .collect();
        if hours.is_empty() {
            "暂未开通".to_string()
        } else {
            hours.join("；")
        }
    }
}
