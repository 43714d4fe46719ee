//! Talking to the Bot API reliably: retries with backoff, `retry_after` honoured, 403 recognised,
//! long replies split and escaped, and [`TelegramSender`] for the reminder worker.
//!
//! Every outgoing call goes through the [`Throttle`] adaptor, which keeps the per-chat and global
//! rate limits and itself retries `sendMessage` after a 429. Calls it does not retry (edits,
//! callback answers) and network errors are retried here, so one flaky moment never loses a reply
//! — until the process is asked to stop ([`Stopping`]): then the call in flight gets a few
//! seconds to finish and no further try is made, so a shutdown takes seconds, not the minutes a
//! full backoff would (teloxide adds 10 s to every 5xx answer); a reply not delivered stays in
//! the outbox for the next start.

use std::future::Future;
use std::time::Duration;

use teloxide::adaptors::Throttle;
use teloxide::payloads::SendMessageSetters;
use teloxide::prelude::*;
use teloxide::types::{Message, ParseMode};
use teloxide::{ApiError, RequestError};
use tokio::sync::watch;

use super::format::{escape_html, keyboard, split_message, MAX_MESSAGE_LEN};
use crate::engine::{Reply, UserKey};
use crate::scheduler::{SendError, Sender};

/// The bot as the adapter uses it: every request rate-limited.
pub type TgBot = Throttle<Bot>;

/// The channel name in [`UserKey`]s of Telegram users.
pub const CHANNEL: &str = "telegram";

/// How patiently failed calls are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in total, the first included.
    pub attempts: u32,
    /// Wait after the first failure; doubled after each further one.
    pub first_delay: Duration,
    /// Upper bound for one wait (a `retry_after` from Telegram is honoured even if longer).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 8,
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// How long to wait before try number `attempt + 1` after `err` on try `attempt` (1-based),
    /// or `None` to give up: the error is permanent or the tries are used up.
    pub fn delay_after(&self, err: &RequestError, attempt: u32) -> Option<Duration> {
        if attempt >= self.attempts {
            return None;
        }
        match err {
            RequestError::RetryAfter(seconds) => Some(seconds.duration()),
            RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => {
                Some(self.backoff(attempt))
            }
            RequestError::Api(ApiError::Unknown(description)) if is_server_trouble(description) => {
                Some(self.backoff(attempt))
            }
            RequestError::Api(_) | RequestError::MigrateToChatId(_) => None,
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32 << attempt.saturating_sub(1).min(16);
        self.first_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// Telegram's 5xx answers arrive as unknown API errors; they are worth another try.
fn is_server_trouble(description: &str) -> bool {
    ["Internal Server Error", "Bad Gateway", "Service Unavailable", "Gateway Timeout"]
        .iter()
        .any(|prefix| description.starts_with(prefix))
}

/// Whether the process is shutting down; retries give up then (see the module comment).
#[derive(Debug, Clone)]
pub struct Stopping(watch::Receiver<bool>);

impl Stopping {
    /// Follows `flag`: stopping once it is `true`.
    pub fn new(flag: watch::Receiver<bool>) -> Self {
        Stopping(flag)
    }

    /// Never stopping (a sender used outside the bot's run, tests).
    pub fn never() -> Self {
        Stopping(watch::channel(false).1)
    }

    /// True once shutdown was asked for.
    pub fn is_set(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves when shutdown is asked for (never if the flag's sender is gone unset).
    pub(crate) async fn wait(&self) {
        let mut flag = self.0.clone();
        if flag.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Resolves [`IN_FLIGHT_GRACE`] after shutdown was asked for.
    async fn grace_over(&self) {
        self.wait().await;
        tokio::time::sleep(IN_FLIGHT_GRACE).await;
    }
}

/// How long a call already under way may still take after the shutdown signal. Long enough for
/// a reply on a slow network; short, because teloxide itself waits 10 s after a 5xx answer
/// before returning it. A call abandoned here may still have reached the user: the reply stays
/// in the outbox and is sent again at the next start (at least once, never lost).
pub const IN_FLIGHT_GRACE: Duration = Duration::from_secs(3);

/// The error of a call given up at shutdown.
fn abandoned() -> RequestError {
    let err = std::io::Error::new(std::io::ErrorKind::Interrupted, "shutting down: call abandoned");
    RequestError::Io(std::sync::Arc::new(err))
}

/// Runs `call` until it succeeds, `policy` gives up, or `stopping` is set: then no further try
/// is made, and the try in flight gets [`IN_FLIGHT_GRACE`] to finish; `what` names the call in
/// the logs.
pub async fn with_retry<T, F, Fut>(
    what: &str,
    policy: RetryPolicy,
    stopping: &Stopping,
    mut call: F,
) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let mut attempt = 1;
    loop {
        let err = tokio::select! {
            result = call() => match result {
                Ok(value) => return Ok(value),
                Err(err) => err,
            },
            () = stopping.grace_over() => {
                tracing::warn!(call = what, attempt, "shutting down: call abandoned");
                return Err(abandoned());
            }
        };
        let Some(delay) = policy.delay_after(&err, attempt) else { return Err(err) };
        if stopping.is_set() {
            tracing::warn!(call = what, attempt, error = %err, "shutting down: not retrying");
            return Err(err);
        }
        tracing::warn!(call = what, attempt, ?delay, error = %err, "retrying");
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = stopping.wait() => {
                tracing::warn!(call = what, attempt, error = %err, "shutting down: not retrying");
                return Err(err);
            }
        }
        attempt += 1;
    }
}

/// True when Telegram refuses to deliver to this chat at all (403: blocked, deactivated, kicked).
pub fn is_forbidden(err: &RequestError) -> bool {
    match err {
        RequestError::Api(api) => {
            matches!(
                api,
                ApiError::BotBlocked
                    | ApiError::UserDeactivated
                    | ApiError::BotKicked
                    | ApiError::BotKickedFromSupergroup
                    | ApiError::BotKickedFromChannel
                    | ApiError::CantInitiateConversation
                    | ApiError::CantTalkWithBots
            ) || matches!(api, ApiError::Unknown(d) if d.starts_with("Forbidden"))
        }
        _ => false,
    }
}

/// The [`UserKey`] of a Telegram chat.
pub fn user_key(chat: ChatId) -> UserKey {
    UserKey::new(CHANNEL, chat.0.to_string())
}

/// The chat of a Telegram [`UserKey`], if it is one.
pub fn chat_of(user: &UserKey) -> Option<ChatId> {
    if user.channel != CHANNEL {
        return None;
    }
    user.user.parse().ok().map(ChatId)
}

/// Sends one reply: its text split into messages of at most 4096 characters, escaped for HTML,
/// with the buttons on the last message. Stops at the first message that cannot be delivered.
pub async fn send_reply(
    bot: &TgBot,
    chat: ChatId,
    reply: &Reply,
    policy: RetryPolicy,
    stopping: &Stopping,
) -> Result<Vec<Message>, RequestError> {
    let markup = keyboard(&reply.choices);
    let mut pieces = split_message(&reply.text, MAX_MESSAGE_LEN);
    if pieces.is_empty() {
        if markup.is_none() {
            return Ok(Vec::new());
        }
        // Telegram refuses an empty text, and buttons need a message to hang on.
        pieces.push("请选择：".to_string());
    }
    let last = pieces.len() - 1;
    let mut sent = Vec::with_capacity(pieces.len());
    for (index, piece) in pieces.iter().enumerate() {
        let html = escape_html(piece);
        let markup = if index == last { markup.clone() } else { None };
        let message = with_retry("sendMessage", policy, stopping, || {
            let mut request = bot.send_message(chat, html.clone()).parse_mode(ParseMode::Html);
            if let Some(markup) = &markup {
                request = request.reply_markup(markup.clone());
            }
            request.send()
        })
        .await?;
        sent.push(message);
    }
    Ok(sent)
}

/// Delivers reminders through the same rate-limited bot as the conversations, so a burst of
/// reminders never pushes chat replies over Telegram's limits.
#[derive(Clone)]
pub struct TelegramSender {
    bot: TgBot,
    policy: RetryPolicy,
    stopping: Stopping,
}

impl TelegramSender {
    /// A sender using `bot` (already throttled) and `policy` for network trouble.
    pub fn new(bot: TgBot, policy: RetryPolicy) -> Self {
        TelegramSender { bot, policy, stopping: Stopping::never() }
    }

    /// The same sender, giving up retries once `stopping` is set (a reminder not sent stays due).
    pub fn until(self, stopping: Stopping) -> Self {
        TelegramSender { stopping, ..self }
    }
}

impl Sender for TelegramSender {
    fn channel(&self) -> &str {
        CHANNEL
    }

    async fn send(&self, to: &UserKey, text: &str) -> Result<(), SendError> {
        self.send_reply(to, &Reply { text: text.to_string(), choices: Vec::new() }).await
    }

    async fn send_reply(&self, to: &UserKey, reply: &Reply) -> Result<(), SendError> {
        let chat =
            chat_of(to).ok_or_else(|| SendError::Failed(format!("not a Telegram user: {to:?}")))?;
        send_reply(&self.bot, chat, reply, self.policy, &self.stopping).await.map(drop).map_err(
            |err| {
                if is_forbidden(&err) {
                    SendError::Blocked
                } else if let RequestError::RetryAfter(seconds) = err {
                    SendError::RetryAfter(seconds.duration())
                } else {
                    SendError::Failed(err.to_string())
                }
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    use teloxide::types::Seconds;

    use super::*;

    fn io_error() -> RequestError {
        RequestError::Io(Arc::new(io::Error::new(io::ErrorKind::ConnectionReset, "reset")))
    }

    #[test]
    fn retry_after_is_honoured_and_network_errors_back_off() {
        let policy = RetryPolicy::default();
        let after = RequestError::RetryAfter(Seconds::from_seconds(7));
        assert_eq!(policy.delay_after(&after, 1), Some(Duration::from_secs(7)));
        assert_eq!(policy.delay_after(&io_error(), 1), Some(Duration::from_millis(500)));
        assert_eq!(policy.delay_after(&io_error(), 3), Some(Duration::from_secs(2)));
        assert_eq!(policy.delay_after(&io_error(), 7), Some(Duration::from_secs(30)));
        assert_eq!(policy.delay_after(&io_error(), policy.attempts), None);
        let bad_gateway = RequestError::Api(ApiError::Unknown("Bad Gateway".into()));
        assert!(policy.delay_after(&bad_gateway, 1).is_some());
    }

    #[test]
    fn permanent_errors_are_not_retried() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay_after(&RequestError::Api(ApiError::BotBlocked), 1), None);
        let bad = RequestError::Api(ApiError::Unknown("Bad Request: can't parse entities".into()));
        assert_eq!(policy.delay_after(&bad, 1), None);
    }

    #[test]
    fn blocked_deactivated_and_unknown_forbidden_count_as_403() {
        assert!(is_forbidden(&RequestError::Api(ApiError::BotBlocked)));
        assert!(is_forbidden(&RequestError::Api(ApiError::UserDeactivated)));
        let other = RequestError::Api(ApiError::Unknown("Forbidden: something new".into()));
        assert!(is_forbidden(&other));
        assert!(!is_forbidden(&RequestError::Api(ApiError::MessageNotModified)));
        assert!(!is_forbidden(&io_error()));
    }

    #[tokio::test(start_paused = true)]
    async fn with_retry_gets_through_transient_failures() {
        let calls = AtomicU32::new(0);
        let policy = RetryPolicy::default();
        let result = with_retry("test", policy, &Stopping::never(), || async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 => Err(io_error()),
                1 => Err(RequestError::RetryAfter(Seconds::from_seconds(1))),
                _ => Ok("sent"),
            }
        })
        .await;
        assert_eq!(result.unwrap(), "sent");
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        let calls = AtomicU32::new(0);
        let result: Result<(), _> = with_retry("test", policy, &Stopping::never(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(io_error())
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), policy.attempts);
    }

    #[tokio::test(start_paused = true)]
    async fn a_shutdown_cuts_the_wait_for_the_next_try_short() {
        let (stop, flag) = watch::channel(false);
        let stopping = Stopping::new(flag);
        let calls = AtomicU32::new(0);
        let policy = RetryPolicy { first_delay: Duration::from_secs(60), ..RetryPolicy::default() };
        let started = tokio::time::Instant::now();
        let retrying = with_retry("test", policy, &stopping, || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(io_error())
        });
        let stopper = async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            stop.send(true).unwrap();
        };
        let (result, ()) = tokio::join!(retrying, stopper);
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1, "no try after the shutdown");
        assert!(started.elapsed() < Duration::from_secs(2), "not the 60 s backoff");

        // A call that hangs (teloxide waits 10 s after a 5xx) is given up after the grace.
        let started = tokio::time::Instant::now();
        let hanging = with_retry("test", policy, &stopping, std::future::pending::<Result<(), _>>);
        assert!(hanging.await.is_err());
        assert_eq!(started.elapsed(), IN_FLIGHT_GRACE);
    }

    #[test]
    fn user_keys_round_trip_chat_ids() {
        let key = user_key(ChatId(-100123));
        assert_eq!(key, UserKey::new("telegram", "-100123"));
        assert_eq!(chat_of(&key), Some(ChatId(-100123)));
        assert_eq!(chat_of(&UserKey::new("terminal", "5")), None);
    }
}
