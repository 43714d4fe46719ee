//! What the bot does with one update: a text message or a button press becomes one
//! `service::turn_with_outbox`, whose replies are sent in order and then leave the outbox. A
//! button press claims its keyboard in the turn's transaction, so a second tap on it (on any
//! instance) changes nothing, and the keyboard is removed afterwards. Replies a
//! previous process committed but could not send go out at start ([`resend_pending`]).

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use teloxide::prelude::*;
use teloxide::types::{ChatAction, MessageId, UpdateId};
use teloxide::{ApiError, RequestError};

use super::send::{is_forbidden, send_reply, user_key, with_retry, RetryPolicy, Stopping, TgBot};
use crate::clock::Clock;
use crate::engine::{Input, Reply};
use crate::reload::Live;
use crate::service::{self, ButtonTurn, Keyboard, QueuedTurn, TurnRequest};
use crate::store::outbox::{self, Queued};
use crate::store::{wechat, Store, StoreError};

/// Said when a turn fails (database trouble, or a bug); nothing was stored, so nothing is lost.
const SORRY: &str = "抱歉，系统暂时出了点问题，刚才这一步没有保存。请稍后再发一次。";
/// Said for photos, stickers, voice messages …
const TEXT_ONLY: &str = "抱歉，我目前只能看懂文字和按钮。请直接打字，或点消息下方的按钮。";
/// Said in groups: answers may contain health data, which belongs in a private chat.
const PRIVATE_ONLY: &str = "为保护您的隐私（病种、证件等信息），请私聊我办理门特相关事项。";
/// Toast for a second tap on a keyboard already used.
const ALREADY_CHOSEN: &str = "这一步已经选过了";

/// How long the cosmetic "typing…" may hold up a turn.
const TYPING_PATIENCE: Duration = Duration::from_secs(1);

/// Leftover replies sent at start at most (the rest wait for the next start).
const LEFTOVER_BATCH: i64 = 10_000;

/// Handlers never fail: every problem is answered or logged where it happens.
pub(crate) type HandlerError = Infallible;
type HandlerResult = Result<(), HandlerError>;

/// The first pause while another instance still sends a user's older replies
/// ([`Ctx::send_backlog`]); it doubles up to [`BACKLOG_MAX_PAUSE`], so a wait of the whole
/// send deadline costs a few dozen reads, and a short one is noticed within a tenth of a second.
const BACKLOG_FIRST_PAUSE: Duration = Duration::from_millis(50);
/// The longest pause between two looks at a backlog held by another instance.
const BACKLOG_MAX_PAUSE: Duration = Duration::from_secs(1);

/// Shared by every update handler.
pub(crate) struct Ctx {
    store: Store,
    assistant: Live,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    /// Set at shutdown: sends stop retrying, undelivered replies stay in the outbox.
    stopping: Stopping,
    /// How long outbox rows a sender took stay its own (`BotConfig::outbox_lease`).
    outbox_lease: Duration,
}

impl Ctx {
    pub(crate) fn new(
        store: Store,
        assistant: Live,
        clock: Arc<dyn Clock>,
        retry: RetryPolicy,
        stopping: Stopping,
        outbox_lease: Duration,
    ) -> Self {
        Ctx { store, assistant, clock, retry, stopping, outbox_lease }
    }

    /// Until when a sender that took outbox rows at `leased` may try to deliver them: two
    /// thirds of the lease. Then it gives the rest back, well before another instance's sweep
    /// may take them as a dead sender's (the third left covers the time between taking the
    /// lease and sending, and two hosts' clocks that disagree a little). Without the bound a
    /// send retrying through 429s or network trouble could outlive its lease and be sent twice.
    fn send_deadline(&self, leased: Instant) -> Instant {
        leased + self.outbox_lease * 2 / 3
    }

    /// A lease older than this (Unix ms) is a dead sender's: its rows may be taken.
    fn stale_lease(&self, now_ms: i64) -> i64 {
        let lease_ms = i64::try_from(self.outbox_lease.as_millis()).unwrap_or(i64::MAX);
        now_ms.saturating_sub(lease_ms)
    }

    /// One turn; for a button press `keyboard` is the message whose keyboard was tapped. A
    /// panic in it is caught: teloxide's per-chat worker would otherwise die and take every
    /// later update of that chat with it. The turn's transaction is rolled back when it is
    /// dropped, so nothing half-done is stored.
    async fn turn(
        &self,
        chat: ChatId,
        update: UpdateId,
        input: Input,
        keyboard: Option<MessageId>,
    ) -> Result<ButtonTurn, TurnFailure> {
        let request = TurnRequest {
            user: user_key(chat),
            update_id: Some(i64::from(update.0)),
            input,
            now: self.clock.now(),
        };
        // The content of this turn, kept until it ends even if a reload swaps it meanwhile.
        let assistant = self.assistant.current();
        let turn = async {
            let Some(message) = keyboard else {
                let turn = service::turn_with_outbox(&self.store, &assistant, request).await?;
                return Ok(ButtonTurn::Turn(turn));
            };
            let keyboard = Keyboard { chat: chat.0, message: i64::from(message.0) };
            service::button_turn_with_outbox(&self.store, &assistant, request, keyboard).await
        };
        match AssertUnwindSafe(turn).catch_unwind().await {
            Ok(result) => result.map_err(TurnFailure::Store),
            Err(_) => Err(TurnFailure::Panic),
        }
    }

    /// Sends the replies of a turn whose rows were leased at `leased`, in order; stops at the
    /// first one that cannot be delivered, since the rest would read out of context. Replies
    /// queued behind older ones still unsent go out after them.
    async fn deliver(
        &self,
        bot: &TgBot,
        chat: ChatId,
        outcome: Result<ButtonTurn, TurnFailure>,
        leased: Instant,
    ) {
        let queued = match outcome {
            Ok(ButtonTurn::Turn(QueuedTurn::Queued(queued))) => queued,
            Ok(ButtonTurn::Turn(QueuedTurn::Behind(_))) => {
                return self.send_backlog(bot, chat).await
            }
            Ok(ButtonTurn::Turn(QueuedTurn::Duplicate)) => {
                tracing::debug!(chat = chat.0, "redelivered update: already answered");
                return;
            }
            // The toast said so; the first tap's turn answers.
            Ok(ButtonTurn::AlreadyChosen) => return,
            Err(err) => {
                tracing::error!(chat = chat.0, error = %err, "turn failed");
                return self.say(bot, chat, SORRY).await;
            }
        };
        self.send_queued(bot, chat, &queued, self.send_deadline(leased)).await;
    }

    /// Takes every unsent reply of `chat` (older ones a failed send gave back, and the newest
    /// turn's) and sends them oldest first.
    ///
    /// Rows still held by a live sender (another instance) cannot be taken, nor the ones after
    /// them. Rather than leave the user waiting for the next sweep (30 s) after that sender
    /// has finished, this looks again, with pauses that grow, until a sender's send deadline
    /// at the latest; after that, or at shutdown, the sweep sends them.
    async fn send_backlog(&self, bot: &TgBot, chat: ChatId) {
        let started = Instant::now();
        let gave_up_at = self.send_deadline(started);
        let created_before = self.clock.now().timestamp() + 1;
        let user = user_key(chat);
        let mut pause = BACKLOG_FIRST_PAUSE;
        loop {
            let leased = Instant::now();
            let now_ms = crate::store::leases::now_ms();
            let stale = self.stale_lease(now_ms);
            let taken = wechat::lease_unsent_of(&self.store, &user, created_before, now_ms, stale);
            match taken.await {
                Ok(rows) if !rows.is_empty() => {
                    return self.send_queued(bot, chat, &rows, self.send_deadline(leased)).await
                }
                Ok(_) => {}
                Err(err) => {
                    return tracing::error!(error = %err, "could not read the outbox: the sweep sends")
                }
            }
            if leased + pause >= gave_up_at || self.stopping.is_set() {
                return tracing::debug!(
                    chat = chat.0,
                    "backlog still held elsewhere: the sweep sends"
                );
            }
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                () = self.stopping.wait() => return,
            }
            pause = (pause * 2).min(BACKLOG_MAX_PAUSE);
        }
    }

    /// Sends a reply that belongs to no turn (nothing was stored, so nothing to queue).
    async fn say(&self, bot: &TgBot, chat: ChatId, text: &str) {
        let reply = Reply { text: text.to_string(), choices: Vec::new() };
        if let Err(err) = send_reply(bot, chat, &reply, self.retry, &self.stopping).await {
            self.delivery_failed(chat, &err).await;
        }
    }

    /// Sends queued replies of `chat` in order; those delivered then leave the outbox together
    /// (one write, not one per reply: a crash between the sends and that write sends them
    /// again at the next start). A reply that fails after the retries stays queued and, with
    /// the ones after it, is given up (its lease released) for the next sweep
    /// ([`resend_pending`]) or start; to a user who blocked the bot they are dropped, it can
    /// never arrive.
    async fn send_queued(&self, bot: &TgBot, chat: ChatId, queued: &[Queued], deadline: Instant) {
        let mut done = queued.len();
        for (n, item) in queued.iter().enumerate() {
            let send = send_reply(bot, chat, &item.reply, self.retry, &self.stopping);
            // `None`: out of time, before or during the send.
            let sent = if Instant::now() < deadline {
                tokio::time::timeout_at(deadline.into(), send).await.ok()
            } else {
                None
            };
            let blocked = match sent {
                Some(Ok(_)) => continue,
                Some(Err(err)) => {
                    self.delivery_failed(chat, &err).await;
                    is_forbidden(&err)
                }
                None => {
                    tracing::warn!(chat = chat.0, "lease running out: unsent replies given back");
                    false
                }
            };
            // Blocked (forbidden): none of them can arrive; they leave with the sent ones.
            if !blocked {
                done = n;
                let ids: Vec<i64> = queued[n..].iter().map(|q| q.id).collect();
                if let Err(err) = wechat::release(&self.store, &ids).await {
                    // They are sent once their lease runs out instead.
                    tracing::error!(error = %err, "could not release unsent replies");
                }
            }
            break;
        }
        let ids: Vec<i64> = queued[..done].iter().map(|item| item.id).collect();
        if let Err(err) = outbox::mark_all_sent(&self.store, &ids).await {
            // Worst case the replies are sent once more after a restart.
            tracing::error!(error = %err, "could not mark replies sent");
        }
    }

    async fn delivery_failed(&self, chat: ChatId, err: &RequestError) {
        if !is_forbidden(err) {
            // Queued replies stay in the outbox and go out at the next start.
            tracing::error!(chat = chat.0, error = %err, "reply not delivered");
            return;
        }
        tracing::info!(
            chat = chat.0,
            "user blocked the bot: reminders wait until they write again"
        );
        if let Err(err) = self.store.mark_unreachable(&user_key(chat), self.clock.now()).await {
            tracing::error!(chat = chat.0, error = %err, "could not mark the user unreachable");
        }
    }

    /// Removes the keyboard of a message whose button was pressed.
    async fn remove_keyboard(&self, bot: &TgBot, chat: ChatId, message: MessageId) {
        let result = with_retry("editMessageReplyMarkup", self.retry, &self.stopping, || {
            bot.edit_message_reply_markup(chat, message).send()
        })
        .await;
        match result {
            Ok(_) => {}
            // Already gone (a redelivered press, or the user deleted the message): fine.
            Err(RequestError::Api(
                ApiError::MessageNotModified
                | ApiError::MessageToEditNotFound
                | ApiError::MessageCantBeEdited,
            )) => {}
            Err(err) => tracing::warn!(chat = chat.0, error = %err, "could not remove a keyboard"),
        }
    }
}

/// Why a turn produced no replies.
#[derive(Debug, thiserror::Error)]
enum TurnFailure {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the turn panicked (a bug); nothing was stored")]
    Panic,
}

/// A text message (commands included).
pub(crate) async fn on_message(
    bot: TgBot,
    update: Update,
    message: Message,
    me: teloxide::types::Me,
    ctx: Arc<Ctx>,
) -> HandlerResult {
    let chat = message.chat.id;
    let text = message.text().map(|text| strip_bot_mention(text, me.username()));
    if !message.chat.is_private() {
        if text.as_deref().is_some_and(|t| t.starts_with('/')) {
            ctx.say(&bot, chat, PRIVATE_ONLY).await;
        }
        return Ok(());
    }
    let Some(text) = text else {
        ctx.say(&bot, chat, TEXT_ONLY).await;
        return Ok(());
    };
    show_typing(&bot, chat).await;
    let leased = Instant::now();
    let outcome = ctx.turn(chat, update.id, Input::Text(text), None).await;
    ctx.deliver(&bot, chat, outcome, leased).await;
    Ok(())
}

/// A pressed inline button. Answered in every case, so the client stops its spinner: right
/// after the turn's commit (a few ms), since whether the tap was the keyboard's first is decided
/// in the turn's transaction (two taps may reach two instances), and before the replies go out.
pub(crate) async fn on_callback(
    bot: TgBot,
    update: Update,
    query: CallbackQuery,
    ctx: Arc<Ctx>,
) -> HandlerResult {
    let source = query.message.as_ref().map(|message| (message.chat().id, message.id()));
    let (Some(data), Some((chat, message))) = (query.data.clone(), source) else {
        answer(&bot, &query, None, &ctx).await;
        return Ok(());
    };
    let leased = Instant::now();
    let outcome = ctx.turn(chat, update.id, Input::Button(data), Some(message)).await;
    let already = matches!(outcome, Ok(ButtonTurn::AlreadyChosen));
    answer(&bot, &query, already.then_some(ALREADY_CHOSEN), &ctx).await;
    if matches!(outcome, Ok(ButtonTurn::Turn(_))) {
        ctx.remove_keyboard(&bot, chat, message).await;
    }
    ctx.deliver(&bot, chat, outcome, leased).await;
    Ok(())
}

/// Sends what was committed but not delivered (a failed send, a crash between commit and
/// send), oldest first: at start and then every `BotConfig::outbox_sweep`. A chat whose reply fails
/// again keeps the rest queued. The rows are leased first, so two instances never both send
/// one; a turn's own rows are written leased to it, so a sweep leaves a reply being sent alone,
/// and a crashed sender's rows are taken once their lease is `BotConfig::outbox_lease` old.
/// What cannot be sent within the lease ([`Ctx::send_deadline`]) is given back for the next.
pub(crate) async fn resend_pending(bot: &TgBot, ctx: &Ctx) {
    let now = ctx.clock.now();
    let leased = Instant::now();
    let now_ms = crate::store::leases::now_ms();
    let taken = wechat::lease_unsent(
        &ctx.store,
        super::send::CHANNEL,
        now.timestamp() + 1,
        now_ms,
        ctx.stale_lease(now_ms),
        LEFTOVER_BATCH,
    );
    let pending = match taken.await {
        Ok(pending) => pending,
        Err(err) => return tracing::error!(error = %err, "could not read the outbox"),
    };
    if !pending.is_empty() {
        tracing::info!(replies = pending.len(), "sending replies left over from the last run");
    }
    let mut chats: Vec<(ChatId, Vec<Queued>)> = Vec::new();
    for item in pending {
        let Some(chat) = super::send::chat_of(&item.user) else { continue };
        match chats.iter_mut().find(|(c, _)| *c == chat) {
            Some((_, items)) => items.push(item),
            None => chats.push((chat, vec![item])),
        }
    }
    let deadline = ctx.send_deadline(leased);
    for (chat, items) in chats {
        ctx.send_queued(bot, chat, &items, deadline).await;
    }
}

/// Answers a callback query; a failure (e.g. a query too old after a restart) is only logged.
/// Tried twice at most: Telegram drops unanswered queries after a few seconds anyway, and the
/// turn (the answer the user is waiting for) must not wait behind it.
async fn answer(bot: &TgBot, query: &CallbackQuery, text: Option<&str>, ctx: &Ctx) {
    let brief = RetryPolicy { attempts: ctx.retry.attempts.min(2), ..ctx.retry };
    let result = with_retry("answerCallbackQuery", brief, &ctx.stopping, || {
        let mut request = bot.answer_callback_query(query.id.clone());
        if let Some(text) = text {
            request = request.text(text);
        }
        request.send()
    })
    .await;
    if let Err(err) = result {
        tracing::debug!(error = %err, "callback query not answered");
    }
}

/// "typing…" while the turn runs. Cosmetic, so tried once, briefly, and failures ignored; but
/// awaited, because a chat action arriving after the reply would show "typing…" for seconds
/// after the answer is already there.
async fn show_typing(bot: &TgBot, chat: ChatId) {
    let action = bot.send_chat_action(chat, ChatAction::Typing).send();
    match tokio::time::timeout(TYPING_PATIENCE, action).await {
        Ok(Ok(_)) => {}
        Ok(Err(err)) => tracing::debug!(chat = chat.0, error = %err, "chat action failed"),
        Err(_) => tracing::debug!(chat = chat.0, "chat action timed out"),
    }
}

/// `/start@mente_bot` (how commands look when picked from a menu in some clients) → `/start`.
fn strip_bot_mention(text: &str, bot_username: &str) -> String {
    if let Some(rest) = text.strip_prefix('/') {
        let (command, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if let Some((name, mention)) = command.split_once('@') {
            if mention.eq_ignore_ascii_case(bot_username) {
                let sep = if tail.is_empty() { "" } else { " " };
                return format!("/{name}{sep}{tail}");
            }
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_mentions_of_this_bot_are_stripped_and_others_kept() {
        assert_eq!(strip_bot_mention("/start@Mente_Bot", "mente_bot"), "/start");
        assert_eq!(strip_bot_mention("/start@mente_bot 邵阳", "mente_bot"), "/start 邵阳");
        assert_eq!(strip_bot_mention("/start@other_bot", "mente_bot"), "/start@other_bot");
        assert_eq!(strip_bot_mention("发邮件到 a@mente_bot", "mente_bot"), "发邮件到 a@mente_bot");
    }
}
