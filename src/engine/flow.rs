//! One turn of the engine: walking dialog steps, reading answers, commands, consent,
//! "did you mean …?" for diseases, stale buttons and the FAQ fallback.
//!
//! A [`Turn`] owns a copy of the session and accumulates replies and effects; nothing outside
//! it changes until the adapter stores the resulting [`Outcome`] in one transaction.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::commands::{self, Command};
use super::input::{self, InputError};
use super::render::{self, Button, ButtonKind};
use super::{Choice, Effect, Input, Outcome, Pending, Position, Reply, Session, UserData};
use crate::assistant::Assistant;
use crate::clock::china_today;
use crate::content::dialogs::{self, DateRange, DialogTree, InputKind, Step};
use crate::tracking::chat::{self as track, TrackContext, TrackOutput};

/// After this many invalid answers in a row the user is offered a way out.
const MAX_FAILURES: u32 = 3;
/// Steps that do not wait may chain; more hops than this means a content loop.
const MAX_HOPS: usize = 64;

/// Where the flow goes after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A step of the current dialog.
    Step(String),
    /// Another dialog (`dialog` or `dialog#step`).
    Goto(String),
    /// End of the dialog.
    End,
}

/// The choices a step offers: its own buttons, or the obvious ones for its input type.
struct Offered {
    label: String,
    value: String,
    /// Index into `step.choices` (for the choice's own `next`/`goto`).
    own: Option<usize>,
}

pub(super) struct Turn<'a> {
    a: &'a Assistant,
    s: Session,
    user: &'a UserData,
    now: DateTime<Utc>,
    today: NaiveDate,
    /// Turn stamp of the buttons the user may legitimately press now.
    issued: u64,
    replies: Vec<Reply>,
    effects: Vec<Effect>,
    /// The user has never written before (greet them whatever they say).
    first_contact: bool,
    /// The stored position was gone (content edited): make sure the menu ends this turn.
    recovered: bool,
    /// The main menu was shown this turn.
    menu_shown: bool,
}

impl<'a> Turn<'a> {
    pub(super) fn new(
        a: &'a Assistant,
        mut s: Session,
        user: &'a UserData,
        now: DateTime<Utc>,
        advance: bool,
    ) -> Self {
        let issued = s.turn;
        let first_contact = s.turn == 0 && s.region.is_none() && s.dialog.is_none();
        if advance {
            s.turn += 1;
        }
        Turn {
            a,
            s,
            user,
            now,
            today: china_today(now),
            issued,
            replies: vec![],
            effects: vec![],
            first_contact,
            recovered: false,
            menu_shown: false,
        }
    }

    pub(super) fn finish(self) -> Outcome {
        Outcome { replies: self.replies, session: self.s, effects: self.effects }
    }

    pub(super) fn run(&mut self, input: Input) {
        self.recover();
        match input {
            Input::Button(data) => self.on_button(&data),
            Input::Text(text) => self.on_text(&text),
        }
        // After "your step was updated, back to the menu" the user must see the menu, whatever
        // the message itself led to.
        if self.recovered && self.s.dialog.is_none() && !self.menu_shown {
            self.show_menu();
        }
    }

    pub(super) fn resume(&mut self) {
        if self.position_is_valid() && (self.s.dialog.is_some() || self.s.pending.is_some()) {
            self.say("欢迎回来！我们接着上次的地方继续：");
            self.reask();
        }
    }

    // ----- state helpers -------------------------------------------------------------------

    fn tree(&self) -> Option<&'a DialogTree> {
        self.s.dialog.as_deref().and_then(|id| self.a.content.dialogs.trees.get(id))
    }

    fn current_step(&self) -> Option<&'a Step> {
        let step = self.s.step.as_deref()?;
        self.tree()?.step(step)
    }

    fn position_is_valid(&self) -> bool {
        match &self.s.dialog {
            None => true,
            Some(_) => self.current_step().is_some_and(|s| s.ask.is_some()),
        }
    }

    /// A stored position that no longer exists (content edited) goes back to the menu, with a
    /// notice; the message of this turn is then handled there rather than dropped.
    fn recover(&mut self) {
        if self.position_is_valid() {
            return;
        }
        tracing::warn!(dialog = ?self.s.dialog, step = ?self.s.step, "stored step no longer exists");
        self.say(
            "抱歉，您上次所在的办理步骤已经更新，已为您回到主菜单。之前填写的内容需要重新填写。",
        );
        self.clear_dialog();
        self.recovered = true;
    }

    fn clear_dialog(&mut self) {
        self.s.dialog = None;
        self.s.step = None;
        self.s.slots.clear();
        self.s.back.clear();
        self.s.failures = 0;
        self.s.pending = None;
        self.s.then = None;
    }

    fn region(&self) -> Option<&str> {
        self.s.region.as_deref()
    }

    fn region_name(&self) -> String {
        self.region()
            .and_then(|id| self.a.content.regions.get(id))
            .map(|r| r.name.clone())
            .unwrap_or_else(|| "您所在地区".to_string())
    }

    /// The hotline of the user's region (every region's when none is chosen). A region without
    /// a published number says so, with what the data knows instead (e.g. the national line).
    fn hotline_text(&self) -> String {
        let regions = &self.a.content.regions;
        match self.region().and_then(|id| regions.get(id)) {
            Some(r) => r.contact(),
            None => {
                let lines: Vec<String> = regions.values().map(|r| r.contact()).collect();
                format!("各地医保服务热线：\n{}", lines.join("\n"))
            }
        }
    }

    fn fill(&self, text: &str) -> String {
        render::template(&self.a.content, text, &self.s.slots, self.region(), self.today)
    }

    fn button(&self, label: impl Into<String>, kind: ButtonKind) -> Choice {
        Choice { label: label.into(), data: render::encode(self.s.turn, &kind) }
    }

    fn say(&mut self, text: impl Into<String>) {
        self.replies.push(Reply { text: text.into(), choices: Vec::new() });
    }

    fn say_with(&mut self, text: impl Into<String>, choices: Vec<Choice>) {
        self.replies.push(Reply { text: text.into(), choices });
    }

    fn track_ctx(&self) -> TrackContext<'_> {
        TrackContext {
            content: &self.a.content,
            region: self.region(),
            slots: &self.s.slots,
            user: self.user,
            consent: self.s.consent,
            now: self.now,
        }
    }

    fn apply_track(&mut self, out: TrackOutput) {
        let choices = out
            .choices
            .iter()
            .map(|c| self.button(c.label.clone(), ButtonKind::Track(c.payload.clone())))
            .collect::<Vec<_>>();
        if !out.text.is_empty() || !choices.is_empty() {
            self.say_with(out.text, choices);
        }
        self.s.slots.extend(out.set);
        self.effects.extend(out.effects);
    }

    // ----- text ----------------------------------------------------------------------------

    fn on_text(&mut self, raw: &str) {
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
        if self.s.pending.is_some() && self.on_pending_text(text) {
            return;
        }
        let step = self.current_step();
        let mut failure: Option<String> = None;
        if let Some(step) = step.filter(|_| self.s.pending.is_none()) {
            let command_like = commands::parse(text).is_some() || text.starts_with('/');
            match self.offered_index(step, text) {
                Some(i) => return self.choose(step, i),
                None if command_like => {}
                None if step.ask == Some(InputKind::Text) && self.is_question(text) => {}
                None => match self.read_answer(step, text) {
                    Ok(Some(value)) => return self.accept(step, value, None),
                    Ok(None) => return, // handled (e.g. "did you mean …?")
                    Err(hint) => failure = Some(hint),
                },
            }
        }
        if let Some(cmd) = commands::parse(text) {
            return self.command(cmd);
        }
        if commands::is_unknown_slash(text) {
            self.say("没有这个指令。可用的指令：/menu 主菜单、/back 上一步、/cancel 取消、/help 帮助、/myapps 我的申请。");
            self.reask();
            return;
        }
        if self.s.dialog.is_none() && self.s.pending.is_none() {
            if let Some(id) = self.menu_title(text).or_else(|| self.menu_number(text)) {
                return self.start_dialog(&id, true);
            }
            if self.first_contact || is_greeting(text) {
                return self.greet_then_answer(text);
            }
        }
        if let Some(out) = track::status_report(text, &self.track_ctx()) {
            self.apply_track(out);
            self.reask();
            return;
        }
        self.free_text(text, failure);
    }

    /// A question typed instead of an answer: answered when the FAQ is sure, otherwise the
    /// failed answer is explained (or, outside a dialog, the not-sure reply is shown).
    fn free_text(&mut self, text: &str, failure: Option<String>) {
        let answer = self.a.knowledge.answer(text, self.region());
        match failure {
            // A failed answer is only taken for a question when it reads like one and the FAQ is
            // sure: "下个月1日" at a date step is a wrong date, not a question for the FAQ.
            Some(hint) if !(reads_like_question(text) && answer.id.is_some()) => self.fail(&hint),
            _ => {
                if answer.id.is_none() {
                    let region = self.s.region.clone();
                    self.effects.push(Effect::Unanswered { question: text.to_string(), region });
                }
                self.say(answer.answer);
                self.reask();
            }
        }
    }

    /// Someone who writes "你好" (or anything, the very first time) is greeted and guided to the
    /// region question or menu; a real question in that message is still answered first.
    fn greet_then_answer(&mut self, text: &str) {
        if !is_greeting(text) {
            let answer = self.a.knowledge.answer(text, self.region());
            if answer.id.is_some() {
                self.say(answer.answer);
            }
        }
        self.start();
    }

    /// A bare number at the main menu picks that menu entry (the terminal numbers the menu the
    /// same way), so "8" still means the eighth entry after other messages came in between.
    fn menu_number(&self, text: &str) -> Option<String> {
        let n: usize = input::normalize(text).parse().ok()?;
        self.menu_entries().into_iter().nth(n.checked_sub(1)?)
    }

    /// Dialog ids of the main menu, in the order shown.
    fn menu_entries(&self) -> Vec<String> {
        let trees = &self.a.content.dialogs.trees;
        let mut menu: Vec<&DialogTree> = trees.values().filter(|d| d.menu.is_some()).collect();
        menu.sort_by_key(|d| (d.menu, d.id.clone()));
        let mut ids: Vec<String> = menu.into_iter().map(|d| d.id.clone()).collect();
        if trees.contains_key("region") {
            ids.push("region".into());
        }
        ids
    }

    /// A question the FAQ is sure about, typed where an answer was expected.
    fn is_question(&self, text: &str) -> bool {
        reads_like_question(text) && self.a.knowledge.answer(text, self.region()).id.is_some()
    }

    fn menu_title(&self, text: &str) -> Option<String> {
        let t = input::normalize(text);
        self.a
            .content
            .dialogs
            .trees
            .values()
            .find(|d| d.menu.is_some() && input::normalize(&d.title) == t)
            .map(|d| d.id.clone())
    }

    /// Reads a typed answer. `Ok(None)`: the engine asked something back (weak disease match).
    fn read_answer(&mut self, step: &Step, text: &str) -> Result<Option<String>, String> {
        let kind = step.ask.unwrap_or(InputKind::Text);
        // Where the engine's own message is only "answer one of these", the step's hint (written
        // for that very question) says it better; where the engine knows what exactly is wrong
        // (a day that does not exist, a wrong check digit, an unknown disease) that comes first.
        let hint = step.hint.as_ref().map(|h| self.fill(h));
        let generic = |err: String| hint.clone().unwrap_or(err);
        match kind {
            InputKind::Text => Ok(Some(text.to_string())),
            InputKind::Choice => {
                Err(generic("请点击下面的按钮选择，或输入选项前面的数字。".into()))
            }
            InputKind::Region => self.read_region(text).map(Some).ok_or_else(|| {
                let names: Vec<_> =
                    self.a.content.regions.values().map(|r| r.name.clone()).collect();
                generic(format!("目前支持这些地区：{}。请选择其中一个。", names.join("、")))
            }),
            InputKind::Disease => self.read_disease(text),
            InputKind::Date => self.read_date(step, text),
            InputKind::YesNo | InputKind::Insurance => match input::parse(kind, text, self.today) {
                Some(Ok(value)) => Ok(Some(value)),
                Some(Err(err)) => Err(generic(err.to_string())),
                None => Err(generic(InputError::Empty.to_string())),
            },
            specific => match input::parse(specific, text, self.today) {
                Some(Ok(value)) => Ok(Some(value)),
                Some(Err(err)) => Err(err.to_string()),
                None => Err(InputError::Empty.to_string()),
            },
        }
    }

    /// A date, placed on the side of today the step expects (`date: past|future`).
    fn read_date(&self, step: &Step, text: &str) -> Result<Option<String>, String> {
        let mut date = input::parse_date(text, self.today).map_err(|e| e.to_string())?;
        let year_given =
            text.contains('年') || text.chars().filter(char::is_ascii_digit).count() >= 6;
        match step.date {
            Some(DateRange::Past) if date > self.today && !year_given => {
                date = date.with_year(date.year() - 1).unwrap_or(date);
            }
            Some(DateRange::Future) if date < self.today && !year_given => {
                date = date.with_year(date.year() + 1).unwrap_or(date);
            }
            _ => {}
        }
        if step.date == Some(DateRange::Past) && date > self.today {
            let shown = crate::policy::dates::format_cn(date);
            return Err(InputError::NotYetHappened(shown).to_string());
        }
        Ok(Some(date.format("%Y-%m-%d").to_string()))
    }

    fn read_region(&self, text: &str) -> Option<String> {
        let t = input::normalize(text).to_lowercase();
        self.a
            .content
            .regions
            .values()
            .find(|r| t == r.id || t.contains(&r.name) || (t.len() >= 2 && r.name.contains(&t)))
            .map(|r| r.id.clone())
    }

    fn read_disease(&mut self, text: &str) -> Result<Option<String>, String> {
        let Some(region) = self.s.region.clone() else {
            return Err("请先选择地区，我才能查对应的病种目录。发送 /region 选择地区。".into());
        };
        let matches = self.a.knowledge.match_disease(text, &region);
        let Some(best) = matches.first() else {
            return Err(format!(
                "在{}的门特病种目录里没有找到“{}”。请换个说法（例如诊断书上的病名），或发送“人工”咨询。",
                self.region_name(),
                truncate(text, 20)
            ));
        };
        if best.strong {
            self.insurance_allows(&best.name)?;
            if let Some(note) = &best.note {
                self.say(format!("提示：{note}"));
            }
            return Ok(Some(best.name.clone()));
        }
        let names: Vec<String> = matches.iter().take(3).map(|m| m.name.clone()).collect();
        self.s.pending = Some(Pending::Disease(names));
        self.prompt_pending();
        Ok(None)
    }

    /// A resident-only disease cannot be applied for with employee insurance: say so instead of
    /// walking the user through an application that will be refused.
    fn insurance_allows(&self, disease: &str) -> Result<(), String> {
        let employee = self.s.slots.get("insurance").is_some_and(|i| i == "employee");
        let resident_only = self
            .region()
            .and_then(|r| self.a.content.diseases.by_region.get(r))
            .and_then(|list| list.iter().find(|d| d.name == disease))
            .is_some_and(|d| d.resident_only);
        if employee && resident_only {
            return Err(format!(
                "“{disease}”在{}只对城乡居民医保参保人开放，您前面选的是职工医保，\
                 所以不能按这个病种申请。如果有别的病种，请输入病名；参保类型选错了可以发送 /back 返回修改；\
                 拿不准可以发送“人工”咨询。",
                self.region_name()
            ));
        }
        Ok(())
    }

    /// Text while the engine waits for consent or a disease confirmation. `true` when handled.
    fn on_pending_text(&mut self, text: &str) -> bool {
        let word = input::normalize(text);
        match self.s.pending.clone() {
            Some(Pending::Consent) => {
                let answer = if word.starts_with('不') || word == "否" || word == "拒绝" {
                    Some(false)
                } else if ["同意", "是", "好", "好的", "可以", "行"].contains(&word.as_str())
                {
                    Some(true)
                } else {
                    input::parse_yes_no(&word).ok()
                };
                match answer {
                    Some(yes) => self.consent(yes),
                    None if commands::parse(text).is_some() => return false,
                    None => {
                        self.say("请回答“同意”或“不同意”（也可以点按钮）。");
                        self.prompt_pending();
                    }
                }
                true
            }
            Some(Pending::Disease(names)) => {
                if let Some(i) = names.iter().position(|n| input::normalize(n) == word) {
                    self.pick_disease(Some(i));
                } else if ["是", "对", "是的", "对的"].contains(&word.as_str()) {
                    self.pick_disease(Some(0));
                } else if ["都不是", "不是", "否"].contains(&word.as_str()) {
                    self.pick_disease(None);
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

    // ----- buttons -------------------------------------------------------------------------

    fn on_button(&mut self, data: &str) {
        // Menu buttons do not depend on where the user is, so an old menu still works; every
        // other button belongs to the question it was sent with.
        let Some(Button { turn, kind }) = render::decode(data)
            .filter(|b| b.turn == self.issued || matches!(b.kind, ButtonKind::Menu(_)))
        else {
            return self.stale();
        };
        match kind {
            ButtonKind::Menu(id) if id == "menu" => self.show_menu(),
            ButtonKind::Menu(id) => self.start_dialog(&id, true),
            ButtonKind::Retry => self.reask(),
            ButtonKind::Consent(yes) if self.s.pending == Some(Pending::Consent) => {
                self.consent(yes)
            }
            ButtonKind::Disease(i) if matches!(self.s.pending, Some(Pending::Disease(_))) => {
                self.pick_disease(i)
            }
            ButtonKind::Choice(i) if self.s.pending.is_none() => match self.current_step() {
                Some(step) if i < self.offered(step).len() => self.choose(step, i),
                _ => self.stale(),
            },
            ButtonKind::Track(payload) => match track::on_button(&payload, &self.track_ctx()) {
                Some(out) => {
                    self.apply_track(out);
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

    fn stale(&mut self) {
        self.say("这个按钮已经过期了（菜单已更新）。请看下面最新的问题，或发送 /menu 回到主菜单。");
        if self.s.dialog.is_some() || self.s.pending.is_some() {
            self.reask();
        } else {
            self.show_menu();
        }
    }

    // ----- consent and disease confirmation ------------------------------------------------

    fn consent(&mut self, yes: bool) {
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

    fn pick_disease(&mut self, index: Option<usize>) {
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

    fn prompt_pending(&mut self) {
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

    // ----- commands and menu ---------------------------------------------------------------

    fn command(&mut self, cmd: Command) {
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
                     /region 切换地区，/forget 删除我的信息，发送“人工”获取热线。\n{}",
                    self.hotline_text()
                ));
                self.reask();
            }
            Command::Human => {
                self.say(format!(
                    "需要人工帮助的话，可以打电话咨询：\n{}\n也可以到当地医保经办窗口当面咨询。",
                    self.hotline_text()
                ));
                self.effects.push(Effect::Handoff { region: self.s.region.clone() });
                self.reask();
            }
            Command::Forget => {
                self.effects.push(Effect::Forget);
                self.s = Session { turn: self.s.turn, ..Session::default() };
                self.say("已删除您保存在这里的全部信息（地区、对话进度、申请记录和提醒）。发送 /start 可以重新开始。");
            }
            Command::MyApps => self.run_named_action("show_applications"),
            Command::Reminders => self.run_named_action("show_reminders"),
            Command::Region => {
                if self.s.dialog.is_some() {
                    self.say("好的，先退出当前办理，来切换地区。");
                }
                self.start_dialog("region", true)
            }
        }
    }

    fn start(&mut self) {
        self.clear_dialog();
        self.say("您好！我是门特助手，帮您了解和办理门诊慢特病（门特）医保待遇。");
        if self.s.region.is_none() && self.a.content.dialogs.trees.contains_key("region") {
            self.start_dialog("region", true);
        } else {
            self.show_menu();
        }
    }

    fn back(&mut self) {
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

    fn run_named_action(&mut self, name: &str) {
        match track::run_action(name, &self.track_ctx()) {
            Some(out) => self.apply_track(out),
            None => self.say("这项功能暂时不可用，请稍后再试。"),
        }
        self.reask();
    }

    fn show_menu(&mut self) {
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
        self.say_with(
            format!("主菜单（{region}）请选择要办理的事项，也可以直接打字提问："),
            choices,
        );
    }

    // ----- walking dialogs -----------------------------------------------------------------

    fn start_dialog(&mut self, id: &str, fresh: bool) {
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
        self.s.dialog = Some(dialog);
        self.sync_region();
        match step.or_else(|| tree.start_step().map(str::to_string)) {
            Some(step) => self.enter(&tree.id, Target::Step(step), false),
            None => self.end_dialog(),
        }
    }

    fn sync_region(&mut self) {
        match &self.s.region {
            Some(r) => self.s.slots.insert("region".into(), r.clone()),
            None => self.s.slots.remove("region"),
        };
    }

    /// Runs steps from `target` until one waits for the user or the dialog ends. `resume`:
    /// the first step already ran its `set` and `action` (we come back from a consent question).
    fn enter(&mut self, dialog: &str, mut target: Target, mut resume: bool) {
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
    fn run_step(&mut self, step: &Step, resume: bool) -> Option<Target> {
        if !resume {
            for (slot, value) in &step.set {
                let value = self.fill(value);
                self.s.slots.insert(slot.clone(), value);
            }
            if let Some(action) = &step.action {
                self.action(action);
            }
        }
        if step.ask.is_some() && dialogs::may_be_skipped(step) {
            match self.s.consent {
                None => {
                    self.s.pending = Some(Pending::Consent);
                    self.prompt_pending();
                    return None;
                }
                Some(false) => {
                    self.say("（您没有同意保存个人信息，这一步跳过。）");
                    return Some(self.after(step, None));
                }
                Some(true) => {}
            }
        }
        self.prompt(step);
        if step.ask.is_some() {
            self.s.failures = 0;
            None
        } else {
            Some(self.after(step, None))
        }
    }

    fn action(&mut self, name: &str) {
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

    fn materials_text(&self) -> String {
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
        format!(
            "{}申请门特需要准备的材料：\n{}\n来源：{}",
            self.region_name(),
            items.join("\n"),
            self.a.content.citations.cite(&list.sources.join("；"))
        )
    }

    /// Sends the step's text and buttons.
    fn prompt(&mut self, step: &Step) {
        let text = self
            .region()
            .and_then(|r| step.say_by_region.get(r))
            .or(step.say.as_ref())
            .map(|t| self.fill(t))
            .unwrap_or_default();
        let choices: Vec<Choice> = match step.ask {
            Some(_) => self
                .offered(step)
                .into_iter()
                .enumerate()
                .map(|(i, o)| self.button(o.label, ButtonKind::Choice(i)))
                .collect(),
            None => Vec::new(),
        };
        if text.is_empty() && choices.is_empty() {
            return;
        }
        let text = if text.is_empty() { "请选择：".to_string() } else { text };
        self.say_with(text, choices);
    }

    fn offered(&self, step: &Step) -> Vec<Offered> {
        if !step.choices.is_empty() {
            return step
                .choices
                .iter()
                .enumerate()
                .map(|(i, c)| Offered {
                    label: self.fill(&c.label),
                    value: c.value.clone().unwrap_or_else(|| c.label.clone()),
                    own: Some(i),
                })
                .collect();
        }
        let pair = |l: &str, v: &str| Offered { label: l.into(), value: v.into(), own: None };
        match step.ask {
            Some(InputKind::YesNo) => vec![pair("是", "是"), pair("否", "否")],
            Some(InputKind::Insurance) => {
                vec![pair("职工医保", "employee"), pair("城乡居民医保", "resident")]
            }
            Some(InputKind::Region) => {
                self.a.content.regions.values().map(|r| pair(&r.name, &r.id)).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The offered choice a typed text names: its label, its value, or its number.
    fn offered_index(&self, step: &Step, text: &str) -> Option<usize> {
        let offered = self.offered(step);
        let t = input::normalize(text);
        if let Some(i) = offered
            .iter()
            .position(|o| input::normalize(&o.label) == t || input::normalize(&o.value) == t)
        {
            return Some(i);
        }
        let n: usize = t.parse().ok()?;
        (step.ask == Some(InputKind::Choice) && (1..=offered.len()).contains(&n)).then(|| n - 1)
    }

    fn choose(&mut self, step: &Step, index: usize) {
        let offered = self.offered(step);
        let Some(o) = offered.get(index) else { return self.stale() };
        let value = o.value.clone();
        let own = o.own.and_then(|i| step.choices.get(i));
        let jump = own.and_then(|c| {
            c.next.clone().map(Target::Step).or_else(|| c.goto.clone().map(Target::Goto))
        });
        self.accept(step, value, jump);
    }

    /// Stores an accepted answer and moves on.
    fn accept(&mut self, step: &Step, value: String, jump: Option<Target>) {
        let (Some(dialog), Some(step_id)) = (self.s.dialog.clone(), self.s.step.clone()) else {
            return self.show_menu();
        };
        self.s.back.push(Position {
            dialog: dialog.clone(),
            step: step_id,
            slots: self.s.slots.clone(),
        });
        self.s.failures = 0;
        self.s.pending = None;
        if step.ask == Some(InputKind::Region) {
            self.s.region = Some(value.clone());
            self.sync_region();
        }
        if let Some(slot) = &step.slot {
            self.s.slots.insert(slot.clone(), value);
        }
        let next = self.after(step, jump);
        self.enter(&dialog, next, false);
    }

    /// Where to go after `step`: a choice's own jump, else the first matching branch, `goto`,
    /// `next`, or the end of the dialog.
    fn after(&self, step: &Step, jump: Option<Target>) -> Target {
        if let Some(jump) = jump {
            return jump;
        }
        for rule in &step.branch {
            let holds = rule.when.iter().all(|(slot, want)| {
                let have = match slot.as_str() {
                    "region" => self.s.region.as_deref(),
                    _ => self.s.slots.get(slot).map(String::as_str),
                };
                have == Some(want.as_str())
            });
            if holds {
                if let Some(next) = &rule.next {
                    return Target::Step(next.clone());
                }
                if let Some(goto) = &rule.goto {
                    return Target::Goto(goto.clone());
                }
            }
        }
        if let Some(goto) = &step.goto {
            return Target::Goto(goto.clone());
        }
        match &step.next {
            Some(next) => Target::Step(next.clone()),
            None => Target::End,
        }
    }

    fn end_dialog(&mut self) {
        match self.s.then.take() {
            Some(next) if self.s.region.is_some() => self.start_dialog(&next, true),
            _ => self.show_menu(),
        }
    }

    /// Asks again whatever the user is expected to answer now (nothing at the menu).
    fn reask(&mut self) {
        if self.s.pending.is_some() {
            return self.prompt_pending();
        }
        if let Some(step) = self.current_step() {
            self.prompt(step);
        }
    }

    fn fail(&mut self, hint: &str) {
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

fn reads_like_question(text: &str) -> bool {
    text.contains(['?', '？'])
        || ["吗", "多少", "怎么", "什么", "哪里", "哪些", "几"].iter().any(|w| text.contains(w))
}

fn is_greeting(text: &str) -> bool {
    let t: String = input::normalize(text).to_lowercase();
    let t: String = t.chars().filter(|c| c.is_alphanumeric()).collect();
    ["你好", "您好", "hi", "hello", "在吗", "在不在", "你好呀", "您好呀", "喂"]
        .contains(&t.as_str())
}

fn truncate(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}
