//! Conversation-wide commands (/menu, /back, /help, 人工 …), the greeting and the main menu.
//!
//! Layer: handler — a part of `Turn` built on `turn` and the base modules; `dispatch` decides when
//! it runs.

use super::commands::Command;
use super::render::ButtonKind;
use super::track;
use super::turn::Turn;
use super::wording;
use super::{Choice, Effect, Position, Session};
use crate::content::dialogs::DialogTree;

/// The first line of the greeting (also the short welcome before the answer to a first message
/// that asks something).
pub(super) const WELCOME: &str = "您好！我是门特助手，帮您了解和办理门诊慢特病（门特）医保待遇。";

impl<'a> Turn<'a> {
    /// A number at the main menu picks that menu entry (the terminal numbers the menu the same
    /// way), so "8" (or "第八个") still means the eighth entry after other messages came in between.
    pub(super) fn menu_number(&self, text: &str) -> Option<String> {
        let n = wording::ordinal(text)?;
        self.menu_entries().into_iter().nth(n.checked_sub(1)?)
    }

    /// Dialog ids of the main menu, in the order shown.
    pub(super) fn menu_entries(&self) -> Vec<String> {
        let trees = &self.a.content.dialogs.trees;
        let mut menu: Vec<&DialogTree> = trees.values().filter(|d| d.menu.is_some()).collect();
        menu.sort_by_key(|d| (d.menu, d.id.clone()));
        let mut ids: Vec<String> = menu.into_iter().map(|d| d.id.clone()).collect();
        if trees.contains_key("region") {
            ids.push("region".into());
        }
        ids
    }

    /// The menu entry a typed text names: its title in full or a unique part of it (`续期`).
    pub(super) fn menu_title(&self, text: &str) -> Option<String> {
        let trees = &self.a.content.dialogs.trees;
        let ids = self.menu_entries();
        let titles: Vec<&str> = ids
            .iter()
            .map(|id| match trees.get(id) {
                Some(d) if id != "region" => d.title.as_str(),
                _ => "切换地区",
            })
            .collect();
        wording::label(text, &titles).map(|i| ids[i].clone())
    }

    pub(super) fn command(&mut self, cmd: Command) {
        match cmd {
            Command::Start => self.start(),
            Command::Menu => self.show_menu(),
            Command::Back => self.back(),
            Command::Cancel => {
                if self.s.dialog.is_some() {
                    self.say("已取消当前办理。");
                }
                self.show_menu();
            }
            Command::Help => {
                self.say(format!(
                    "我可以回答门特（门诊慢特病）的问题，并一步步指导申请、续期、变更定点医院和异地备案。\n\
                     直接打字提问即可，例如“起付线多少”“要带什么材料”。\n\
                     指令：/menu 主菜单，/back 上一步，/cancel 取消，/myapps 我的申请，/reminders 提醒，\
                     /region 切换地区，/source 上一条回答的完整来源，/forget 删除我的信息，发送“人工”获取热线。\n{}",
                    self.hotline_text()
                ));
                self.reask();
            }
            Command::Human => {
                // "人工客服电话多少" before any region: every region's line now, the chosen
                // region's again once it is chosen.
                if self.s.region.is_none() && !self.message.starts_with('/') {
                    self.s.context.before_region = Some(self.message.clone());
                }
                self.offer_handoff()
            }
            Command::EndHuman => self.no_handoff_to_end(),
            Command::Forget => {
                self.effects.push(Effect::Forget);
                self.s = Session { turn: self.s.turn, ..Session::default() };
                self.say(super::commands::FORGOTTEN);
            }
            Command::ConfirmForget => self.ask_forget(),
            Command::Remind => self.remind(""),
            Command::MyApps => {
                // `/myapps` at the consent question of a record: that one is not saved yet.
                if let Some(waiting) = self.record_waiting() {
                    self.say(waiting);
                    if self.user.applications.is_empty() {
                        return self.reask();
                    }
                }
                self.run_named_action("show_applications")
            }
            Command::Reminders => {
                // "我有哪些提醒" while one is being set up: that one too, not only the saved ones.
                let waiting = [self.reminder_in_progress(), self.waiting_task()];
                let waiting: Vec<String> = waiting.into_iter().flatten().collect();
                if !waiting.is_empty() {
                    self.say(waiting.join("\n"));
                }
                self.run_named_action("show_reminders");
                // `把15号那个删了` next means one of these.
                self.reminders_said(None);
            }
            Command::Source => self.show_source(),
            Command::Region => {
                if self.s.dialog.is_some() {
                    self.say("好的，先退出当前办理，来切换地区。");
                }
                self.start_dialog("region", true)
            }
        }
    }

    pub(super) fn start(&mut self) {
        self.start_with("");
    }

    /// The greeting with `note` after it, then the region question or the menu.
    pub(super) fn start_with(&mut self, note: &str) {
        self.clear_dialog();
        self.say(format!("{WELCOME}{note}"));
        if self.s.region.is_none() && self.a.content.dialogs.trees.contains_key("region") {
            self.start_dialog("region", true);
        } else {
            self.show_menu();
        }
    }

    pub(super) fn back(&mut self) {
        self.s.pending = None;
        match self.s.back.pop() {
            Some(Position { dialog, step, slots }) => {
                let exists = self
                    .a
                    .content
                    .dialogs
                    .trees
                    .get(&dialog)
                    .and_then(|d| d.step(&step))
                    .is_some_and(|s| s.ask.is_some());
                if !exists {
                    return self.show_menu();
                }
                self.s.dialog = Some(dialog);
                self.s.step = Some(step);
                self.s.slots = slots;
                self.s.failures = 0;
                self.s.reasks = 0;
                self.say("好的，回到上一步：");
                self.reask();
            }
            None if self.s.dialog.is_some() => {
                self.say("已经是这项办理的第一步了。发送 /menu 可回到主菜单。");
                self.reask();
            }
            None => self.show_menu(),
        }
    }

    /// The reminder the current procedure is setting up (its date filled in, not yet saved).
    fn reminder_in_progress(&self) -> Option<String> {
        self.s.dialog.as_ref()?;
        let date = |slot: &str| {
            let value = self.s.slots.get(slot)?;
            chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()
        };
        if let Some(end) = date("valid_until") {
            return Some(format!(
                "正在设的续期提醒：待遇{}到期，这次办理走完并同意保存后生效。",
                crate::policy::dates::format_cn(end)
            ));
        }
        date("accepted_on").map(|d| {
            format!(
                "正在记录的申请：{}受理，记下后按审核期限提醒。",
                crate::policy::dates::format_cn(d)
            )
        })
    }

    pub(super) fn run_named_action(&mut self, name: &str) {
        match track::run_action(name, &self.track_ctx()) {
            Some(out) => self.apply_track(out),
            None => self.say("这项功能暂时不可用，请稍后再试。"),
        }
        self.reask();
    }

    pub(super) fn show_menu(&mut self) {
        self.clear_dialog();
        self.menu_shown = true;
        let trees = &self.a.content.dialogs.trees;
        let choices: Vec<Choice> = self
            .menu_entries()
            .into_iter()
            .map(|id| {
                let label = match trees.get(&id) {
                    Some(d) if id != "region" => d.title.clone(),
                    _ => "切换地区".to_string(),
                };
                self.button(label, ButtonKind::Menu(id))
            })
            .collect();
        let region = match self.region() {
            Some(_) => format!("当前地区：{}。", self.region_name()),
            None => "还没有选择地区。".to_string(),
        };
        self.ask_with(
            format!("主菜单（{region}）请选择要办理的事项，也可以直接打字提问："),
            choices,
        );
    }

    /// The full titles behind the short source line of the last answer.
    /// The lines of the last answer that did not fit (its 看全 button), then the current step.
    pub(super) fn show_more(&mut self, rest: String) {
        self.say_with(rest, vec![self.button("来源", ButtonKind::Source)]);
        self.reask();
    }

    pub(super) fn show_source(&mut self) {
        match self.s.last_source.clone() {
            Some(full) => self.say(format!("上一条回答的完整来源：{full}")),
            None => self.say("最近没有引用资料的回答。每条回答的最后一行都写着简短的来源。"),
        }
        self.reask();
    }
}
