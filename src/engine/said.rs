//! Commands said in plain words, read at every step before the step's own answer (issue 17):
//! a region switch (`我是邵阳的`, `切换到攀枝花`), a reminder (`提醒我一下`, `设个提醒`), deleting
//! my data (`把我的信息都删掉`: one confirmation, then exactly what `/forget` does) and the
//! wordings of [`super::commands`] (找个人, 回主菜单, 不办了, 上一步 …).
//!
//! A typed button label still picks its button (a step may offer 返回主菜单 as a choice), and a
//! question that merely mentions a command word (`门特会不会被删除`) is left to the FAQ: the
//! word lists and that guard are content, see `commands:` in `faq/understand.yaml`.
//!
//! Layer: handler — a part of `Turn` built on `turn` and the base modules; `dispatch` decides when
//! it runs.

use chrono::NaiveDate;

use super::commands::{self, Command};
use super::render::ButtonKind;
use super::track;
use super::turn::{Target, Turn};
use super::wording::{self, Question};
use super::{Pending, PREFILLED};
use crate::content::understand::{contains_any, CommandName};
use crate::policy::calendar::working_days_after;
use crate::policy::dates::format_cn;
use crate::understand::{Context, RegionRole, Understanding};

/// A region statement longer than this is a sentence about something else (我妈在攀枝花住了
/// 十年 …), not a correction of the user's region …
const MAX_SWITCH_CHARS: usize = 16;
/// … unless it says a mistake was made (`哎呀搞错了 我是湖南邵阳的不是攀枝花 点错了`).
const MAX_CORRECTION_CHARS: usize = 40;

impl<'a> Turn<'a> {
    /// The content's word lists for reading replies at a step ([`wording::Words`]).
    pub(super) fn words(&self) -> wording::Words<'a> {
        wording::Words::of(&self.a.content)
    }

    /// Handles `text` when it is a command in plain words or a region switch. `false`: not one
    /// (or a typed button label), the caller reads it as usual.
    pub(super) fn said_command(&mut self, text: &str) -> bool {
        if text.trim().starts_with('/') || self.picks_a_button(text) {
            return false;
        }
        if self.switches_region(text) {
            return true;
        }
        let Some(cmd) = commands::read(text, &self.a.content.understand.commands) else {
            return false;
        };
        // `留言嘛 …` at the offer of a person: the answer to that offer, read there.
        if cmd == Command::Human && matches!(self.s.pending, Some(Pending::HandoffConsent { .. })) {
            return false;
        }
        if self.s.pending == Some(Pending::Forget) {
            self.s.pending = None;
        }
        match cmd {
            // `把那条记录删了`: one recorded application (after a confirmation), not everything.
            Command::Forget | Command::ConfirmForget
                if self.s.pending.is_none() && self.deletes_one_record(text) => {}
            Command::Remind => {
                // `要传么子东西 就身份证照片啊 还有到时候记得提醒我一下`: the question first.
                self.answer_before_command(text, CommandName::Remind);
                self.remind(text)
            }
            Command::Human => {
                // `能不能直接转人工？…另外我能不能替我妈在网上办`: the question beside the
                // request is answered before the offer (play-test round 14, P8).
                self.answer_beside_command(text, CommandName::Human);
                self.command(Command::Human)
            }
            other => self.command(other),
        }
        true
    }

    /// The clauses before and after the one with the command's words, each answered when it
    /// asks something the FAQ is sure of.
    fn answer_beside_command(&mut self, text: &str, name: CommandName) {
        self.answer_before_command(text, name);
        let Some(at) = self.command_at(text, name) else { return };
        // The clauses after the command's own, one by one: `我上班没空一直等，另外我能不能…`.
        for clause in super::wording::sentence_clauses(&text[at..]).skip(1) {
            self.answer_part(clause);
        }
    }

    /// Where the command's words start in `text`.
    fn command_at(&self, text: &str, name: CommandName) -> Option<usize> {
        let words = &self.a.content.understand.commands;
        [&words.say, &words.within]
            .into_iter()
            .filter_map(|map| map.get(&name))
            .flatten()
            .filter_map(|w| text.find(w.as_str()))
            .min()
    }

    /// A part of a message answered when it asks something the FAQ is sure of; nothing is said
    /// otherwise.
    fn answer_part(&mut self, part: &str) {
        if part.chars().count() < 4 || self.asks(part) == Question::No {
            return;
        }
        let answer = self.a.knowledge.answer(part, self.region());
        if answer.id.is_some() {
            self.say_answer(answer);
        }
    }

    /// The clauses before the one with the command's words, answered when they ask something
    /// the FAQ is sure of (nothing is said otherwise: the command goes on as before).
    fn answer_before_command(&mut self, text: &str, name: CommandName) {
        let words = &self.a.content.understand.commands;
        let at = self.command_at(text, name);
        let is_cut = |c: char| c.is_whitespace() || "，,。；;！!".contains(c);
        // The clause holding the command's words starts after the last break before them.
        let Some(cut) = at.and_then(|at| text[..at].rfind(is_cut)) else { return };
        let before = text[..cut].trim_matches(is_cut);
        if before.chars().count() < 4 || self.asks(before) == Question::No {
            return;
        }
        // `你能帮我把我妈这个申请记一下不 到时候提醒我去问`: asking to record is part of the
        // request, not a question about doing it for someone (代办).
        if contains_any(before, &words.record) {
            return;
        }
        self.answer_part(before);
    }

    /// The text is the label (or number) of a button of the current step.
    fn picks_a_button(&self, text: &str) -> bool {
        self.s.pending.is_none()
            && self.current_step().is_some_and(|step| self.offered_index(step, text).is_some())
    }

    /// A correction whose only question is a question mark (`攀枝花？搞错哒 我是邵阳的咧`).
    fn surprised_correction(&self, u: &Understanding, text: &str) -> bool {
        let bare = text.replace(['?', '？'], " ");
        u.correction
            && !self
                .a
                .understand(&bare, Context { today: self.today, region: self.region() })
                .question
    }

    /// `我是邵阳的`, `哦 搞错了 我是邵阳的`, `切换到攀枝花`: a statement naming the user's own
    /// region or asking to switch, with no question in it (a question naming a region is
    /// answered for it by the free-text policy, with a 切换到… button). The region question
    /// itself reads such answers as its step.
    fn switches_region(&mut self, text: &str) -> bool {
        if self.s.dialog.as_deref() == Some("region") {
            return false;
        }
        let u = self.a.understand(text, Context { today: self.today, region: self.region() });
        let lex = &self.a.content.understand;
        let own = &lex.home_before;
        let target = restated_region(&u, text, &lex.told_already)
            .or_else(|| said_region(&u, text, own, self.surprised_correction(&u, text)))
            .map(str::to_string);
        let Some(target) = target else { return false };
        if self.region() == Some(target.as_str()) {
            // `我问的攀枝花的` after an answer for another region: the question again, here.
            if self.region_changed() {
                return true;
            }
            self.say(format!("好的，当前地区就是{}。", self.region_name()));
            self.reask();
            return true;
        }
        self.switch_region(&target);
        if !self.answer_afar(&u, &target, text) {
            self.after_region_switch();
        }
        true
    }

    /// After a switch: a procedure whose texts depend on the region starts again in the new one
    /// (its earlier steps were said for the old region); outside a procedure the question kept
    /// from before (or the last one asked) is answered again for the new region; otherwise the
    /// current question again.
    pub(super) fn after_region_switch(&mut self) {
        match self.tree() {
            Some(tree) if tree.needs_region => {
                let id = tree.id.clone();
                self.start_dialog(&id, true);
            }
            Some(_) => self.reask(),
            None if self.question_again_here() => {}
            // At the top level the menu: "已切换到邵阳。" alone left nothing to tap (`攀枝花`
            // as a first message, `搞错了 我是邵阳的` at the menu).
            None if self.s.pending.is_none() => self.show_menu(),
            None => self.reask(),
        }
    }

    /// `删了没有 确认一下`, `我的资料删掉了吗`: whether the user's data is deleted, from what is
    /// kept now — still kept (the deletion question asked again, or asked), or nothing kept
    /// (deleted, or never saved). `false`: no such question.
    pub(super) fn asks_if_deleted(&mut self, text: &str) -> bool {
        let words = &self.a.content.understand.commands;
        let asks = contains_any(text, &words.asks_deleted);
        // `删了哈 谢谢` after the deletion: only with nothing kept (else it may ask for it).
        let acknowledges = !asks
            && contains_any(text, &words.deleted_ack)
            && self.s.region.is_none()
            && self.s.pending.is_none()
            && self.kept_data().is_empty();
        if !asks && !acknowledges {
            return false;
        }
        let kept = self.kept_data();
        let waiting = self.s.pending == Some(Pending::Forget);
        if kept.is_empty() && !waiting {
            let source = self.a.content.citations.cite_short("docs/operators.md");
            let text = format!(
                "这里现在没有保存您的申请记录、提醒或留给工作人员的留言。您确认过删除的，已经全部删除，不能恢复。\n来源：{source}"
            );
            // `还记得我是哪里的不` after /forget: the region is gone too — the way on, as buttons
            // (nothing else said how to go on but /start).
            if self.s.region.is_none() {
                let regions: Vec<(String, String)> = (self.a.content.regions.values())
                    .map(|r| (r.id.clone(), self.region_label(&r.id)))
                    .collect();
                let choices = (regions.into_iter())
                    .map(|(id, label)| self.button(label, ButtonKind::Region(id)))
                    .collect();
                self.say_with(format!("{text}\n地区也没有记着；要接着问，请先选地区："), choices);
                return true;
            }
            self.say(text);
            return true;
        }
        let kept = match kept.is_empty() {
            true => String::new(),
            false => format!("这里还保存着{}。", kept.join("、")),
        };
        self.say(format!("还没有删除，要您确认一次才删。{kept}"));
        self.ask_forget();
        true
    }

    /// What is kept for the user now, in words (`2份申请记录`, `1个提醒`, `给工作人员的留言`).
    fn kept_data(&self) -> Vec<String> {
        let mut kept = Vec::new();
        if !self.user.applications.is_empty() {
            kept.push(format!("{}份申请记录", self.user.applications.len()));
        }
        if !self.user.tasks.is_empty() {
            kept.push(format!("{}个事项提醒", self.user.tasks.len()));
        }
        if self.user.handoff.is_some() {
            kept.push("给工作人员的留言".to_string());
        }
        if kept.is_empty() && self.s.consent == Some(true) {
            kept.push("您的地区和同意记录".to_string());
        }
        kept
    }

    /// "删掉我的信息": one question before doing what `/forget` does.
    pub(super) fn ask_forget(&mut self) {
        self.s.pending = Some(Pending::Forget);
        self.prompt_forget();
    }

    pub(super) fn prompt_forget(&mut self) {
        let choices = vec![
            self.button("确定删除", ButtonKind::Consent(true)),
            self.button("不删了", ButtonKind::Consent(false)),
        ];
        self.say_with(
            "确定要删除您保存在这里的全部信息吗？包括地区、对话进度、申请记录、提醒和留给工作人员的留言，删除后不能恢复。",
            choices,
        );
    }

    /// The answer to [`Turn::prompt_forget`]; anything but yes or no is read as usual.
    pub(super) fn on_forget_text(&mut self, text: &str) -> bool {
        let yes = match self.forget_answer(text) {
            Some(yes) => yes,
            None if wording::ordinal(text) == Some(1) => true,
            None if wording::ordinal(text) == Some(2) => false,
            None => match commands::read(text, &self.a.content.understand.commands) {
                Some(Command::ConfirmForget) => true,
                _ => {
                    self.s.pending = None;
                    return false;
                }
            },
        };
        self.confirm_forget(yes);
        true
    }

    /// The answer to "确定要删除…吗？" in the user's words: the buttons' labels typed (确定删除 /
    /// 不删了), their short forms and yes/no words, clause by clause (`删嘛 确定` is two yeses),
    /// as long as the clauses agree.
    pub(super) fn forget_answer(&self, text: &str) -> Option<bool> {
        let clause = |part: &str| match part.trim_end_matches(['了', '吧', '嘛', '啊', '哈', '哦'])
        {
            "确定删除" | "确认删除" | "删除" | "删掉" | "删" | "都删" | "全删" => {
                Some(true)
            }
            "不删" | "别删" | "不要删" => Some(false),
            _ => self.words().yes_no(part),
        };
        let said: Vec<bool> = text
            .split(|c: char| c.is_whitespace() || wording::is_punct(c))
            .filter(|part| !part.is_empty())
            .filter_map(clause)
            .collect();
        let first = *said.first()?;
        said.iter().all(|&yes| yes == first).then_some(first)
    }

    /// Deletes everything (as `/forget`) or keeps it and goes on where the user was.
    pub(super) fn confirm_forget(&mut self, yes: bool) {
        self.s.pending = None;
        if yes {
            return self.command(Command::Forget);
        }
        self.say("好的，没有删除，您的信息都保留着。");
        match self.s.dialog {
            Some(_) => self.reask(),
            None => self.show_menu(),
        }
    }

    /// "提醒我一下": the flow that sets reminders up, with a date already known filled in.
    /// In the renewal flow its expiry question; in another flow, that flow records the dates
    /// at its end; a date said with it is read by [`Turn::remind_on`], and without a date the
    /// user picks one.
    pub(super) fn remind(&mut self, text: &str) {
        self.remind_read = true;
        // `我邵阳的 门特还有三个礼拜就到期了 提醒我续期` as a first message: the region said is
        // chosen, not asked again after the reminder is promised (play-test round 12 preparation).
        if self.s.region.is_none() {
            let u = self.a.understand(text, Context { today: self.today, region: None });
            if let Some(region) = u.region().map(str::to_string) {
                self.s.region = Some(region);
            }
        }
        // `还没有交 我明天去交 到时候提醒我一下`: nothing handed in, so nothing to remind of
        // yet — one reply saying so, not a reminder offer beside it.
        if self.not_submitted(text) {
            let day = self.hand_in_day(text);
            return self.remind_hand_in(day);
        }
        // `我这周六回去带他去县人民医院交 你先帮我记下来 到时候提醒我` with nothing recorded:
        // the application is recorded as planned, with its hand-in reminder that day (play-test
        // round 16, P2: a reminder "带齐东西" and no record).
        let planned = self.planned_hand_in(text).filter(|_| self.user.applications.is_empty());
        if let Some(day) = planned.filter(|_| self.s.region.is_some()) {
            return self.remind_hand_in(day);
        }
        // `到时候提醒我一下` after `我打算12月15号去窗口交`: that day, to hand it in.
        let ctx = Context { today: self.today, region: self.region() };
        let dated = !self.a.understand(text, ctx).dates.is_empty();
        let renewal = contains_any(text, &self.a.content.understand.commands.remind_renewal);
        if let Some(day) = self.s.context.hand_in.filter(|d| *d >= self.today && !dated && !renewal)
        {
            return self.remind_hand_in(day);
        }
        // `到时候真的会提醒我吗 在哪里提醒` with reminders set: those, and where they come.
        if self.doubts_reminders(text) {
            return self.command(super::Command::Reminders);
        }
        // `结果啥时候出得来嘛 到时候提醒我一哈` with an application under review recorded and its
        // reminder planned: its last day and that reminder, not which reminder to set (play-test
        // round 14, P1).
        if !dated
            && !renewal
            && self.s.dialog.is_none()
            && self.listed_task(text).or_else(|| self.own_task(text)).is_none()
        {
            if let Some(mut out) = super::track::own_review_reminded(&self.track_ctx()) {
                out.text
                    .push_str("\n提醒已经设好，到时发在这个对话里；要另外哪天提醒，直接说日期。");
                self.apply_track(out);
                return;
            }
        }
        // `受理号我刚才发了的SY… 下个礼拜一提醒我问一下`: the number goes on the record too.
        self.acceptance_number_said(text);
        // `12月20号提醒我带我妈去复查`: a task of the user's own, on the day named.
        if self.remind_task(text) {
            return;
        }
        let u = self.a.understand(text, Context { today: self.today, region: self.region() });
        // A reminder is for a day ahead (`25号那天再提醒我` on 12-07 is 12-25, not the nearer
        // 11-25), unless the date says when an application was handed in (`17号受理的 提醒我`).
        let words = &self.a.content.understand.commands;
        let handed_in = words.remind_accepted.iter().any(|w| !w.is_empty() && text.contains(w));
        let read = if handed_in { &u.dates } else { &u.dates_ahead };
        let said = read.first().copied();
        // `你能帮我把我妈这个申请记一下不 到时候提醒我去问` after `11月17号交上去了 … 要是明天还
        // 没得结果`: recording an application is about the day it was handed in, not a later day
        // said in passing (明天), which would be taken for an expiry.
        let records =
            contains_any(text, &words.record) && !contains_any(text, &words.remind_renewal);
        let handed_in_before = records.then(|| self.s.context.date(false, self.today)).flatten();
        let date = said.or(handed_in_before).or_else(|| self.date_said_before());
        match self.s.dialog.as_deref() {
            Some("renew") if !self.s.slots.contains_key("valid_until") => {
                self.say("好的，记下到期日，我在到期前提醒您续期。");
                let date = date.filter(|d| *d > self.today);
                self.prefilled_step("renew", "valid_until", "valid_until", date)
            }
            Some(_) if said.is_none() => {
                self.say("好的。这项办理最后会帮您记下，并按日期设好提醒。");
                self.reask();
            }
            _ => self.remind_on(text, date, said.is_some()),
        }
    }

    /// Whether `text` doubts or asks about the reminders already set (`reminder_doubt`
    /// words), and some are set.
    pub(super) fn doubts_reminders(&self, text: &str) -> bool {
        use crate::tracking::ReminderState::Pending;
        let set =
            self.user.applications.iter().flat_map(|a| &a.reminders).any(|r| r.state == Pending)
                || self.user.tasks.iter().any(|t| t.state == Pending);
        set && contains_any(text, &self.a.content.understand.commands.reminder_doubt)
    }

    /// A 受理号 said beside something else (a reminder) is put on the application recorded
    /// last, when that one has no such number yet.
    fn acceptance_number_said(&mut self, text: &str) {
        let Some(no) = super::track::acceptance_number(
            text,
            &self.a.content.understand.commands.reports.acceptance_no,
        ) else {
            return;
        };
        let Some(app) = self.user.applications.last() else { return };
        if app.acceptance_no() == Some(no.as_str()) {
            return;
        }
        if let Some(out) = super::track::status_report(&format!("受理号{no}"), &self.track_ctx())
        {
            self.apply_track(out);
        }
    }

    /// A reminder for `date`: the renewal reminder for a coming expiry, the review-deadline one
    /// for a past acceptance. A date said with another task (`12月11号提醒我补材料`) gets neither:
    /// no status is invented, the user is told what can be reminded of.
    fn remind_on(&mut self, text: &str, date: Option<NaiveDate>, said: bool) {
        let words = &self.a.content.understand.commands;
        let names =
            |list: &[String]| list.iter().any(|w| !w.is_empty() && text.contains(w.as_str()));
        // A bare date ("12-20", "这个月27号") answers the offer of the two reminders: no other task.
        let task = said && !only_a_date(text);
        let renewal = !task || names(&words.remind_renewal);
        let accepted = !task || names(&words.remind_accepted);
        let supplement = names(&words.remind_supplement);
        match date {
            Some(d) if d > self.today && renewal => {
                self.say("好的，我在到期前提醒您续期。");
                self.prefilled_step("renew", "valid_until", "valid_until", Some(d));
            }
            // Nothing recorded yet: recorded at once from what was said (the review's last
            // day, its reminder), not through four more questions.
            Some(d) if d <= self.today && accepted && self.records_first() => {
                self.record_at_once(text, d);
            }
            Some(d) if d <= self.today && accepted => {
                let said = self.review_reminder_text(d, true);
                self.say(said);
                self.prefilled_step("track_record", "kind", "accepted_on", Some(d));
            }
            // 补材料 by a date is a tracked application's supplement deadline, reminded of.
            Some(_) if supplement && !self.user.applications.is_empty() => {
                match track::status_report(text, &self.track_ctx()) {
                    Some(out) => {
                        self.apply_track(out);
                        self.reask();
                    }
                    None => self.offer_reminders(),
                }
            }
            Some(d) => self.cannot_remind(d, supplement),
            None => self.offer_reminders(),
        }
    }

    /// What recording an acceptance on `accepted` will remind of (`record`: the recording
    /// starts now; otherwise only the review's last day is said): the review deadline while it
    /// is ahead; once it has passed no reminder is planned, so none is promised — where to check
    /// and whom to ask instead; where no limit is published, that, and whom to ask.
    pub(super) fn review_reminder_text(&self, accepted: NaiveDate, record: bool) -> String {
        let on = format_cn(accepted);
        let Some(region) = self.region().and_then(|id| self.a.content.regions.get(id)) else {
            return "好的，记下受理日期。".into();
        };
        let Some(days) = region.review_days() else {
            return format!("好的，{on}受理。{}", region.no_review_limit_text());
        };
        let due = working_days_after(&self.a.content.calendar, accepted, days).date;
        let by = format_cn(due);
        if due >= self.today {
            if record {
                return format!(
                    "好的，{on}受理，审核最晚到{by}，记下这份申请，我按审核期限提醒您。"
                );
            }
            let left = match (due - self.today).num_days() {
                0 => "就是今天".to_string(),
                n => format!("还剩{n}天"),
            };
            return format!(
                "{on}受理，按{}的时限（受理后{days}个工作日，受理当天不计），审核最晚到{by}，{left}。",
                region.name
            );
        }
        let check = region
            .channels
            .first()
            .map(|c| format!("先在“{}”的办理进度里查看，", c.name))
            .unwrap_or_default();
        let kept = if record { "记下受理日期；" } else { "" };
        format!(
            "好的，{kept}按{}的时限（受理后{days}个工作日，受理当天不计），审核最晚到{by}，已经超过{}天了{}。还没有结果的，{check}再拨打{}问进度。",
            region.name,
            (self.today - due).num_days(),
            if record { "，所以不再设提醒" } else { "" },
            region.contact()
        )
    }

    /// A task on a date that is neither an expiry nor an acceptance: said honestly, the
    /// procedure the user was in is left (they asked for something else), and the two
    /// reminders that exist are offered.
    fn cannot_remind(&mut self, date: NaiveDate, supplement: bool) {
        if let Some(tree) = self.tree() {
            let title = tree.title.clone();
            self.clear_dialog();
            self.say(format!("好的，先不办“{title}”了。"));
        }
        // Reminders already set (`25号那天再提醒我一次`, `能不能改成明天就提醒我`): those are
        // said with the rule that fixes their days, not offered again as if nothing were set.
        let ctx = self.track_ctx();
        if let Some(set) = track::reminders_set(&ctx) {
            let source = track::record_source_line(&ctx, &self.user.applications)
                .map(|line| format!("\n{line}"))
                .unwrap_or_default();
            self.say(format!(
                "{}这天我没法单独设提醒。您已经设好的{set}提醒日是按门特待遇的到期日或申请的审核期限定的，不能改到别的日子；这天要办的事请记在手机日历或备忘里。{source}",
                format_cn(date)
            ));
            return;
        }
        let mut said =
            format!("{}的这件事我没法按日期提醒，请记在手机日历或备忘里。", format_cn(date));
        if supplement {
            // What the product can do for it: a recorded application's supplement deadline.
            said.push_str("如果是申请被要求补材料：先在菜单“记录申请进度”记下这份申请，再告诉我补材料的截止日（如“12月11日前补交”），我会在截止前提醒您。");
        }
        self.say(said);
        self.offer_reminders();
    }

    /// A date this conversation already established: an expiry or acceptance date in the
    /// current procedure's slots, else the latest date said earlier in the conversation
    /// (its context, issue 17): a coming one first, since reminders are about what is ahead.
    fn date_said_before(&self) -> Option<NaiveDate> {
        ["valid_until", "accepted_on"]
            .iter()
            .filter_map(|slot| self.s.slots.get(*slot))
            .find_map(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
            // A benefit's end said as such, before a later day said for something else.
            .or_else(|| self.s.context.expiry.filter(|d| *d >= self.today))
            .or_else(|| self.s.context.date(true, self.today))
            .or_else(|| self.s.context.date(false, self.today))
    }

    /// Starts `dialog` at `step` with `slot` filled in from `date` (shown as "已填好…" when its
    /// step comes), or simply at `step` without one.
    pub(super) fn prefilled_step(
        &mut self,
        dialog: &str,
        step: &str,
        slot: &str,
        date: Option<NaiveDate>,
    ) {
        if self.s.region.is_none() || !self.a.content.dialogs.trees.contains_key(dialog) {
            return self.start_dialog(&format!("{dialog}#{step}"), true);
        }
        let keep_renewal_slots = self.s.dialog.as_deref() == Some(dialog);
        if !keep_renewal_slots {
            self.clear_dialog();
        }
        self.s.dialog = Some(dialog.to_string());
        self.sync_region();
        if let Some(d) = date {
            self.s.slots.insert(slot.to_string(), d.format("%Y-%m-%d").to_string());
            self.s.slots.insert(PREFILLED.into(), slot.to_string());
        }
        self.enter(dialog, Target::Step(step.to_string()), false);
    }

    /// The answer to [`Turn::offer_reminders`]: a date typed instead of a button (`这个月27号`,
    /// `12-20`) sets that reminder as if it had come with `提醒我`; anything else is read as usual.
    pub(super) fn on_reminder_date(&mut self, text: &str) -> bool {
        self.s.pending = None;
        let u = self.a.understand(text, Context { today: self.today, region: self.region() });
        if u.dates.is_empty() {
            return false;
        }
        self.remind(text);
        true
    }

    /// Which reminder: before the benefit expires (续期) or when a review is due (受理后).
    pub(super) fn offer_reminders(&mut self) {
        self.s.pending = Some(Pending::ReminderDate);
        let choices = vec![
            self.button("到期前提醒我续期", ButtonKind::Menu("renew#valid_until".into())),
            self.button("受理后提醒审核期限", ButtonKind::Menu("track_record".into())),
        ];
        self.say_with(
            "好的，提醒哪天的事？直接告诉我日期就行：门特待遇的到期日（到期前提醒您续期），或申请的受理日期（按审核期限提醒）。也可以点下面的按钮。提醒发在这个对话里，不发短信。",
            choices,
        );
    }
}

/// The region a statement switches to: `切换到…`, or the user's own (`我是…的`) in a short
/// message that asks nothing and names no action. The user's own needs a `home_before` word of
/// two or more characters (我是, 我在, 参保地是): `我妈在邵阳住院` says where she is treated.
fn said_region<'u>(
    u: &'u Understanding,
    text: &str,
    own: &[String],
    surprise: bool,
) -> Option<&'u str> {
    // `攀枝花？搞错哒 我是邵阳的咧`: the surprise at the region shown is no question of its own
    // (`surprise`: a correction whose only question mark is that).
    if (u.question && !surprise) || u.action.is_some() {
        return None;
    }
    if let Some(r) = u.switch_to() {
        return Some(r);
    }
    // A region's name and nothing else (`邵阳`, `邵阳的`) answers no question: the user says
    // which region they mean.
    let bare: String = text.chars().filter(|c| c.is_alphanumeric()).collect();
    let bare = bare.trim_end_matches(['的', '啊', '呀', '嘛', '哦']);
    if let [only] = u.regions.as_slice() {
        if only.word == bare {
            return Some(&only.region);
        }
    }
    // `哦不对 说错了 我爷爷是邵阳的 不是攀枝花`: a correction naming one region means it.
    if let [only] = u.regions.as_slice() {
        if u.correction && text.chars().count() <= MAX_CORRECTION_CHARS {
            return Some(&only.region);
        }
    }
    let says_own = own.iter().any(|w| w.chars().count() >= 2 && text.contains(w.as_str()));
    let max = if u.correction { MAX_CORRECTION_CHARS } else { MAX_SWITCH_CHARS };
    if text.chars().count() > max || !says_own {
        return None;
    }
    u.regions.iter().find(|m| m.role == RegionRole::Home).map(|m| m.region.as_str())
}

/// `我说了我是邵阳的 你咋个还说攀枝花`: the user's own region, said again as a complaint (a
/// `told_already` word), whatever else the message asks or names.
fn restated_region<'u>(
    u: &'u Understanding,
    text: &str,
    told_already: &[String],
) -> Option<&'u str> {
    if !contains_any(text, told_already) {
        return None;
    }
    let mut home = u.regions.iter().filter(|m| m.role == RegionRole::Home);
    match (home.next(), home.next()) {
        (Some(only), None) => Some(only.region.as_str()),
        _ => None,
    }
}

/// Whether `text` says nothing but a date (digits, separators and date words), so that no other
/// task is named with it.
pub(super) fn only_a_date(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_ascii_digit() || c.is_whitespace() || "-/.年月日号今明后天这个下本月底初的".contains(c)
    })
}
