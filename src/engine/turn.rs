//! Middle layer of the engine: the [`Turn`] that owns a copy of the session and accumulates
//! replies and effects, with its primitive operations only — state (position, region, dialog),
//! replies (say, ask, buttons, at most two messages a turn) and the hand-over to tracking. It
//! calls no handler: the handlers (`text`, `steps`, `answers`, …) build on it, and `dispatch`
//! above them decides which one runs. Nothing outside it changes until the adapter stores the
//! resulting [`Outcome`] in one transaction.

use chrono::{DateTime, NaiveDate, Utc};

use super::render::{self, ButtonKind};
use super::track::{TrackContext, TrackOutput};
use super::{Choice, Effect, Outcome, Reply, Session, UserData};
use crate::assistant::Assistant;
use crate::clock::china_today;
use crate::content::dialogs::{DialogTree, Step};

/// After this many invalid answers in a row the user is offered a way out.
pub(super) const MAX_FAILURES: u32 = 3;
/// Steps that do not wait may chain; more hops than this means a content loop.
pub(super) const MAX_HOPS: usize = 64;

/// Where the flow goes after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    /// A step of the current dialog.
    Step(String),
    /// Another dialog (`dialog` or `dialog#step`).
    Goto(String),
    /// End of the dialog.
    End,
}

pub(super) struct Turn<'a> {
    pub(super) a: &'a Assistant,
    pub(super) s: Session,
    pub(super) user: &'a UserData,
    pub(super) now: DateTime<Utc>,
    pub(super) today: NaiveDate,
    /// Turn stamp of the buttons the user may legitimately press now.
    pub(super) issued: u64,
    pub(super) replies: Vec<Reply>,
    pub(super) effects: Vec<Effect>,
    /// The user has never written before (greet them whatever they say).
    pub(super) first_contact: bool,
    /// The stored position was gone (content edited): make sure the menu ends this turn.
    pub(super) recovered: bool,
    /// The main menu was shown this turn.
    pub(super) menu_shown: bool,
    /// Consent was refused in this turn: the refusal already said personal steps are skipped.
    pub(super) refused_now: bool,
    /// Questions the previous reply suggested (they may be picked this turn only).
    pub(super) suggested: Vec<String>,
    /// How many of `suggested` were cut short in the previous reply (see [`Session::cut`]).
    pub(super) cut: usize,
    /// The rest of the previous reply's answer, cut short (see [`Session::more`]).
    pub(super) more: Option<String>,
    /// A reminder request was read this turn (whatever came of it): none is read again from a
    /// clause of the same message.
    pub(super) remind_read: bool,
    /// An answer was sent this turn (else the "same answer twice" memory ends).
    pub(super) answered: bool,
    /// Index of the reply that asks what the user answers next (a step or the menu): its
    /// buttons are numbered first, see [`number_prompt_first`].
    pub(super) prompt_reply: Option<usize>,
    /// The text the user sent this turn (empty for a button).
    pub(super) message: String,
    /// Answers of steps filled in from what was said before, not yet told (see
    /// [`Turn::say_taken`]).
    pub(super) taken: Vec<String>,
    /// Said after the `taken` line: the other diseases named, when one was taken.
    pub(super) taken_note: Option<String>,
    /// The disease and insurance of the 新申请 button pressed this turn, taken before what the
    /// conversation said.
    pub(super) apply_seed: Option<(Option<String>, Option<String>)>,
    /// What the previous reply said about reminders (see [`Session::reminders_shown`]).
    pub(super) reminders_before: Option<super::RemindersShown>,
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
        let mut suggested = Vec::new();
        let mut cut = 0;
        let mut more = None;
        let mut reminders_before = None;
        if advance {
            s.turn += 1;
            suggested = std::mem::take(&mut s.suggested);
            cut = std::mem::take(&mut s.cut);
            more = s.more.take();
            reminders_before = s.reminders_shown.take();
            s.context.touch(now);
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
            refused_now: false,
            suggested,
            cut,
            more,
            remind_read: false,
            answered: false,
            prompt_reply: None,
            message: String::new(),
            taken: Vec::new(),
            taken_note: None,
            apply_seed: None,
            reminders_before,
        }
    }

    pub(super) fn finish(mut self) -> Outcome {
        if !self.answered {
            self.s.context.last_answer = None;
            self.s.context.steps_shown = None;
        }
        let replies = number_prompt_first(self.replies, self.prompt_reply);
        Outcome { replies: at_most_two(replies), session: self.s, effects: self.effects }
    }

    pub(super) fn tree(&self) -> Option<&'a DialogTree> {
        self.s.dialog.as_deref().and_then(|id| self.a.content.dialogs.trees.get(id))
    }

    pub(super) fn current_step(&self) -> Option<&'a Step> {
        let step = self.s.step.as_deref()?;
        self.tree()?.step(step)
    }

    pub(super) fn position_is_valid(&self) -> bool {
        match &self.s.dialog {
            None => true,
            Some(_) => self.current_step().is_some_and(|s| s.ask.is_some()),
        }
    }

    /// A stored position that no longer exists (content edited) goes back to the menu, with a
    /// notice; the message of this turn is then handled there rather than dropped.
    pub(super) fn recover(&mut self) {
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

    pub(super) fn clear_dialog(&mut self) {
        self.remember_procedure();
        self.s.dialog = None;
        self.s.step = None;
        self.s.slots.clear();
        self.s.back.clear();
        self.s.failures = 0;
        self.s.pending = None;
        self.s.then = None;
    }

    /// Before a procedure's answers are cleared: the kind of application it is about (the
    /// `kind` its steps set, content: `dialogs/*.yaml`) and the disease chosen in it, so an
    /// application recorded after it (`记下这份申请`) is not asked them again.
    fn remember_procedure(&mut self) {
        let Some(tree) = self.tree() else { return };
        let Some(kind) = tree.steps.iter().find_map(|s| s.set.get("kind")).cloned() else {
            return;
        };
        self.s.context.procedure = Some(kind);
        self.s.context.procedure_disease = self.s.slots.get("disease").cloned();
    }

    pub(super) fn region(&self) -> Option<&str> {
        self.s.region.as_deref()
    }

    pub(super) fn region_name(&self) -> String {
        self.region()
            .and_then(|id| self.a.content.regions.get(id))
            .map(|r| r.name.clone())
            .unwrap_or_else(|| "您所在地区".to_string())
    }

    /// The hotline of the user's region (every region's when none is chosen). A region without
    /// a published number says so, with what the data knows instead (e.g. the national line).
    pub(super) fn hotline_text(&self) -> String {
        let regions = &self.a.content.regions;
        match self.region().and_then(|id| regions.get(id)) {
            Some(r) => r.contact(),
            None => {
                let lines: Vec<String> = regions.values().map(|r| r.contact()).collect();
                format!("各地医保服务热线：\n{}", lines.join("\n"))
            }
        }
    }

    pub(super) fn fill(&self, text: &str) -> String {
        render::template(&self.a.content, text, &self.s.slots, self.region(), self.today)
    }

    pub(super) fn button(&self, label: impl Into<String>, kind: ButtonKind) -> Choice {
        Choice { label: label.into(), data: render::encode(self.s.turn, &kind) }
    }

    /// One line for every step answered from what the user said before, once the next step
    /// speaks: `已填好：城乡居民医保、高血压病3级（…）`.
    pub(super) fn say_taken(&mut self) {
        if self.taken.is_empty() {
            return;
        }
        let mut taken = std::mem::take(&mut self.taken).join("、");
        let note = self.taken_note.take().map(|n| format!("\n{n}")).unwrap_or_default();
        // Steps filled one after another from one message (线下, the day, the 受理号): one line.
        while self.replies.last().is_some_and(|r| r.text.trim().is_empty() && r.choices.is_empty())
        {
            self.replies.pop();
        }
        if let Some(earlier) = self.replies.last().and_then(|r| taken_in(r)) {
            taken = format!("{earlier}、{taken}");
            self.replies.pop();
        }
        self.say(format!("{TAKEN_HEAD}{taken}{TAKEN_TAIL}{note}"));
    }

    pub(super) fn say(&mut self, text: impl Into<String>) {
        self.replies.push(Reply { text: text.into(), choices: Vec::new() });
    }

    pub(super) fn say_with(&mut self, text: impl Into<String>, choices: Vec<Choice>) {
        self.replies.push(Reply { text: text.into(), choices });
    }

    /// Like [`Turn::say_with`], for the question the user answers next (a step, the menu).
    pub(super) fn ask_with(&mut self, text: impl Into<String>, choices: Vec<Choice>) {
        self.prompt_reply = Some(self.replies.len());
        self.say_with(text, choices);
    }

    pub(super) fn track_ctx(&self) -> TrackContext<'_> {
        TrackContext {
            content: &self.a.content,
            region: self.region(),
            slots: &self.s.slots,
            user: self.user,
            consent: self.s.consent,
            now: self.now,
        }
    }

    pub(super) fn apply_track(&mut self, out: TrackOutput) {
        let mut choices = out
            .choices
            .iter()
            .map(|c| self.button(c.label.clone(), ButtonKind::Track(c.payload.clone())))
            .collect::<Vec<_>>();
        let record = self.a.content.dialogs.trees.get(RECORD_DIALOG).filter(|_| out.record_first);
        if let Some(tree) = record {
            choices.push(self.button(tree.title.clone(), ButtonKind::Menu(tree.id.clone())));
        }
        if !out.text.is_empty() || !choices.is_empty() {
            self.say_with(out.text, choices);
        }
        self.s.slots.extend(out.set);
        self.effects.extend(out.effects);
    }
}

/// The procedure that records an application ([`TrackOutput::record_first`]).
const RECORD_DIALOG: &str = "track_record";

/// Channels number the buttons of a turn from 1 across its messages, and a typed number means
/// the step's (or the menu's) own choice. So the buttons of the last prompt come first: an
/// answer's 来源 button is moved after them, and `1` is 新申请 wherever the menu appears.
fn number_prompt_first(mut replies: Vec<Reply>, prompt: Option<usize>) -> Vec<Reply> {
    let Some(at) = prompt.filter(|&i| i + 1 == replies.len() && !replies[i].choices.is_empty())
    else {
        return replies;
    };
    let earlier: Vec<Choice> = replies[..at].iter_mut().flat_map(|r| r.choices.drain(..)).collect();
    replies[at].choices.extend(earlier);
    replies
}

/// A turn sends at most two messages: Telegram delivers about one message per second to a chat,
/// and a burst of five reads as a wall. The replies are cut in two where the longer half is
/// shortest, so a long answer is not glued to a greeting and pushed past one screen; on a tie the
/// last reply (usually the question asked again, with its buttons) stands alone. Buttons keep
/// their order.
fn at_most_two(replies: Vec<Reply>) -> Vec<Reply> {
    if replies.len() <= 2 {
        return replies;
    }
    let len = |r: &Reply| r.text.trim_end().chars().count();
    // Joining adds two line breaks per seam; they are not counted, like any other layout.
    let cut = (1..replies.len())
        .rev()
        .min_by_key(|&k| {
            let first: usize = replies[..k].iter().map(len).sum();
            let second: usize = replies[k..].iter().map(len).sum();
            first.max(second)
        })
        .unwrap_or(replies.len() - 1);
    let mut first = replies;
    let second = first.split_off(cut);
    vec![join(first), join(second)]
}

fn join(replies: Vec<Reply>) -> Reply {
    if replies.len() == 1 {
        return replies.into_iter().next().expect("one reply");
    }
    let text = replies.iter().map(|r| r.text.trim_end()).collect::<Vec<_>>().join("\n\n");
    let choices = replies.into_iter().flat_map(|r| r.choices).collect();
    Reply { text, choices }
}

/// The line naming what was filled in from earlier messages: head, values, tail.
pub(super) const TAKEN_HEAD: &str = "已填好：";
/// Plain words for going back (`commands.back`), not `/back`, which an elderly user will not type.
pub(super) const TAKEN_TAIL: &str = "（按您之前说的；要改请说“上一步”）";

/// The values of a bare "已填好" line (no note, no buttons), to add the next ones to it.
fn taken_in(reply: &Reply) -> Option<&str> {
    let values = reply.text.strip_prefix(TAKEN_HEAD)?.strip_suffix(TAKEN_TAIL)?;
    reply.choices.is_empty().then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(text: &str, labels: &[&str]) -> Reply {
        let choices =
            labels.iter().map(|l| Choice { label: l.to_string(), data: l.to_string() }).collect();
        Reply { text: text.into(), choices }
    }

    fn labels(replies: &[Reply]) -> Vec<&str> {
        replies.iter().flat_map(|r| &r.choices).map(|c| c.label.as_str()).collect()
    }

    #[test]
    fn the_menu_is_numbered_first_and_an_answers_source_button_after_it() {
        let replies =
            vec![reply("起付线800元", &["来源"]), reply("主菜单", &["新申请", "续期/延期"])];
        let out = number_prompt_first(replies, Some(1));
        assert_eq!(labels(&out), ["新申请", "续期/延期", "来源"]);
        assert_eq!(out[0].text, "起付线800元", "the texts stay in order");
    }

    #[test]
    fn without_a_prompt_last_the_buttons_keep_their_order() {
        let replies = vec![reply("主菜单", &["新申请"]), reply("起付线800元", &["来源"])];
        assert_eq!(labels(&number_prompt_first(replies, Some(0))), ["新申请", "来源"]);
    }
}
