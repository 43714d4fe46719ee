//! Engine data types shared with the adapters and the store.
//!
//! Layer: base — imports only the base modules `context`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::context::Context;
use crate::tracking::{Application, ApplicationCommand, ReminderCommand};

/// Who a conversation is with: a channel (`terminal`, `telegram`) and that channel's user id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserKey {
    /// Channel name.
    pub channel: String,
    /// The user's id within the channel (Telegram chat id, terminal `--user`).
    pub user: String,
}

impl UserKey {
    /// A key for `user` on `channel`.
    pub fn new(channel: impl Into<String>, user: impl Into<String>) -> Self {
        UserKey { channel: channel.into(), user: user.into() }
    }
}

/// Durable conversation state. Stored as JSON; ids are plain strings (not Rust enums) so that
/// content edits never make a stored session undecodable. New fields must be `#[serde(default)]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    /// Chosen region id, remembered across dialogs.
    pub region: Option<String>,
    /// Current dialog id; `None` at the main menu.
    pub dialog: Option<String>,
    /// Current step id within `dialog`.
    pub step: Option<String>,
    /// Values collected so far.
    pub slots: BTreeMap<String, String>,
    /// Earlier positions, for /back.
    pub back: Vec<Position>,
    /// Consecutive invalid answers at the current step.
    pub failures: u32,
    /// How often the current step was asked again after something else was answered: from
    /// the second time on only a short line with its buttons follows (issue 17, tune3), so a
    /// long step (the how-to block) is not appended to every reply.
    pub reasks: u32,
    /// Consent to store personal data: `None` not asked yet.
    pub consent: Option<bool>,
    /// Increments every turn; stamped into button data so stale buttons are recognised.
    pub turn: u64,
    /// Something the engine asked outside the dialog (consent, "did you mean …?") and awaits.
    pub pending: Option<Pending>,
    /// Dialog to start once the current one (region choice) ends.
    pub then: Option<String>,
    /// Questions the last reply offered when the FAQ was unsure ("您是不是想问下面的问题？" and its buttons); the
    /// next message may pick one by its number or text. Lives for one turn only.
    pub suggested: Vec<String>,
    /// How many of `suggested` (the first ones) are answers the last reply cut short, behind
    /// their 看全 buttons: `后面还有啥 没显示完` shows the first of them. One turn only.
    pub cut: usize,
    /// Full titles of the sources of the last FAQ answer, for /source and its 来源 button
    /// (the answer itself carries only a short source line).
    pub last_source: Option<String>,
    /// The lines of the last composed answer that did not fit on one screen, with its source
    /// line: its 看全 button (or `后面呢 没显示完`) shows them. One turn only, like `suggested`.
    pub more: Option<String>,
    /// What the conversation has established (issue 17); cleared when idle, see
    /// [`super::context`].
    pub context: Context,
    /// The last reply set, moved or listed reminders: the next message may manage them without
    /// saying 提醒 (`往后推两天`, `把15号那个删了`). Lives for one turn only.
    pub reminders_shown: Option<RemindersShown>,
}

/// What the last reply said about reminders ([`Session::reminders_shown`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RemindersShown {
    /// The reminder it set or moved, if one (else it listed them).
    pub set: Option<SetReminder>,
}

/// A reminder of the user's own task just set: `一个礼拜不是14号吗` is answered with how its day
/// was counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetReminder {
    /// The day it goes out.
    pub day: NaiveDate,
    /// The day it was counted from (today in China when it was set).
    pub from: NaiveDate,
    /// The task, as kept.
    pub task: String,
}

/// Slot that lists (comma-separated) the slots filled from an earlier message, not yet
/// confirmed by their step.
pub(super) const PREFILLED: &str = "prefilled";

/// A question the engine itself asked and is waiting for, on top of the current step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Pending {
    /// May we store personal data? The current step continues after the answer.
    Consent,
    /// A weak disease match: one of these catalogue names, or none.
    Disease(Vec<String>),
    /// A disease our catalogue lacks (as typed, masked): go on with the general materials, or
    /// type another name.
    UnlistedDisease(String),
    /// "删掉我的信息" in words: delete everything (as `/forget`)? Asked once.
    Forget,
    /// "帮我记一下 …交的" before consent (issue 17, PIPL): may we keep the application and its
    /// reminders? The facts already said wait here (kind slot, acceptance date as YYYY-MM-DD),
    /// so the user is not asked them again.
    RecordConsent {
        /// The kind's slot value (`new`, `renew`, …).
        kind: String,
        /// The acceptance date, `%Y-%m-%d` — with `hand_in`, the day it will be handed in.
        accepted: String,
        /// Not handed in yet (`我明天去交 到时候提醒我`): a reminder to hand it in is kept.
        #[serde(default)]
        hand_in: bool,
        /// The catalogue disease said with it (`我妈糖尿病门特12月2号受理的`), kept on the
        /// record once consent is given.
        #[serde(default)]
        disease: Option<String>,
        /// The 受理号 said with it (`受理号SY… 是11月17号交的`), kept once consent is given.
        #[serde(default)]
        acceptance_no: Option<String>,
    },
    /// `那把这个记错的删了嘛`: delete this one recorded application (its store id)? Asked once;
    /// typed 确定删除 / 不删 answer it as its buttons do.
    DeleteRecord {
        /// The application's id in the store.
        id: i64,
    },
    /// "提醒我一下" without a date: which reminder, or the date itself (`这个月27号`, `12-20`).
    ReminderDate,
    /// A reminder of the user's own task asked for without a day that can be read (or with
    /// a day gone): the task waits here for the day.
    TaskDate {
        /// The task (short, filtered).
        task: String,
    },
    /// May we keep a reminder of the user's own task on `day` (`%Y-%m-%d`)? Asked once.
    TaskConsent {
        /// The task (short, filtered).
        task: String,
        /// The day, `%Y-%m-%d`.
        day: String,
    },
    /// May staff see this conversation? Asked once before a hand-off opens (issue 18); `live`:
    /// staff were on duty when asked (else the user may leave a question).
    HandoffConsent {
        /// Staff on duty when asked.
        live: bool,
    },
}

/// A place in a dialog, with the slots as they were there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// Dialog id.
    pub dialog: String,
    /// Step id.
    pub step: String,
    /// Slots at that step.
    #[serde(default)]
    pub slots: BTreeMap<String, String>,
}

/// What the user did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Typed text (commands such as `/menu` included).
    Text(String),
    /// A pressed button, carrying the opaque [`Choice::data`] of that button.
    Button(String),
}

/// A message for the user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reply {
    /// Plain text (adapters escape it for their format).
    pub text: String,
    /// Buttons offered with this message.
    pub choices: Vec<Choice>,
}

/// One button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// Label shown (≤ 64 bytes).
    pub label: String,
    /// Opaque data sent back as [`Input::Button`] (≤ 64 bytes, Telegram's callback limit).
    pub data: String,
}

/// Everything the engine may read about the user besides the session, loaded by the store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserData {
    /// The user's tracked applications.
    pub applications: Vec<Application>,
    /// Reminders of the user's own tasks (`12月20号提醒我去复查`), every state, soonest first.
    pub tasks: Vec<crate::tracking::TaskReminder>,
    /// The user's open hand-off to staff, if any (issue 18).
    pub handoff: Option<HandoffView>,
    /// A member of staff had the console open lately (one half of "on duty"; the other is the
    /// region's service hours, which the engine reads from content).
    pub staff_present: bool,
}

/// An open hand-off as the engine sees it (loaded by the store each turn: staff may have
/// changed it since the last one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HandoffView {
    /// Staff were on duty, or have answered: the user talks with a person and the assistant
    /// stays quiet. Otherwise it is a question left off duty.
    pub live: bool,
    /// Messages the user wrote in it so far.
    pub user_messages: i64,
}

impl HandoffView {
    /// What the user writes goes to staff (not to the assistant): a live hand-off, or one
    /// waiting for the question the user was invited to leave.
    pub fn holds(&self) -> bool {
        self.live || self.user_messages == 0
    }
}

/// A side effect the store applies in the same transaction as the new session.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// The user asked for a person; recorded as a hand-off to the region's hotline.
    Handoff {
        /// Region at the time, if known.
        region: Option<String>,
    },
    /// Open a live hand-off (the user agreed to share the conversation with staff).
    HandoffOpen {
        /// Region at the time, if known.
        region: Option<String>,
        /// Staff on duty (else a question left for later).
        live: bool,
    },
    /// What the user wrote during a hand-off: it goes to staff.
    HandoffMessage {
        /// The text as typed (the store masks it).
        text: String,
    },
    /// The user ended their hand-off.
    HandoffEnd,
    /// Delete everything stored about the user (/forget).
    Forget,
    /// Create or change an application.
    Application(ApplicationCommand),
    /// Change reminders.
    Reminders(ReminderCommand),
    /// A free-text question the FAQ was not sure about, for the content team (issue 12). The
    /// store masks and keeps the text only as the privacy rules allow (`store::unanswered`).
    Unanswered {
        /// What the user typed.
        question: String,
        /// Region at the time, if known.
        region: Option<String>,
    },
}

/// The result of one turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Messages to send, in order.
    pub replies: Vec<Reply>,
    /// The state to store.
    pub session: Session,
    /// Changes to apply with it.
    pub effects: Vec<Effect>,
}
