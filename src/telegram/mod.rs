//! The Telegram channel (teloxide): long polling or a webhook, choices as inline keyboards,
//! redelivered updates recognised through `service::turn`, Telegram's rate limits kept, and the
//! reminder worker delivering through [`TelegramSender`].
//!
//! [`run_bot`] is the whole channel in one call, with the shutdown signal injected so tests can
//! run it in-process against a stub Bot API server and stop it at will. Updates of one chat are
//! processed one after the other (teloxide's dispatcher keeps one worker per chat); different
//! chats run concurrently.

pub mod format;
mod handler;
pub mod poll_lease;
pub mod send;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use teloxide::adaptors::throttle::Limits;
use teloxide::adaptors::Throttle;
use teloxide::dispatching::{DefaultKey, Dispatcher, UpdateFilterExt};
use teloxide::error_handlers::LoggingErrorHandler;
use teloxide::prelude::*;
use teloxide::types::BotCommand;
use teloxide::update_listeners::{webhooks, Polling, UpdateListener};
use teloxide::{ApiError, RequestError};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

pub use poll_lease::LeaseTiming;
pub use send::{
    chat_of, is_forbidden, send_reply, user_key, with_retry, RetryPolicy, Stopping, TelegramSender,
    TgBot, CHANNEL,
};

use crate::clock::Clock;
use crate::reload::Live;
use crate::scheduler;
use crate::store::Store;
use crate::web::ServerLimits;

/// How updates reach the bot.
#[derive(Clone, PartialEq, Eq)]
pub enum Mode {
    /// Long polling with `getUpdates` (no public address needed).
    Polling,
    /// Telegram posts updates to `url`; the bot listens on `listen` (behind a TLS proxy).
    Webhook {
        /// Public HTTPS URL registered with `setWebhook`.
        url: Url,
        /// Local address to listen on.
        listen: SocketAddr,
        /// Value Telegram must send in `X-Telegram-Bot-Api-Secret-Token`; generated if `None`.
        secret_token: Option<String>,
    },
}

/// Hides the webhook secret, like the token.
impl std::fmt::Debug for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mode::Polling => f.write_str("Polling"),
            Mode::Webhook { url, listen, secret_token } => f
                .debug_struct("Webhook")
                .field("url", url)
                .field("listen", listen)
                .field("secret_token", &secret_token.as_ref().map(|_| "<hidden>"))
                .finish(),
        }
    }
}

/// Everything the channel needs to know besides the store and the assistant.
#[derive(Clone)]
pub struct BotConfig {
    /// Token from @BotFather.
    pub token: String,
    /// A self-hosted or local Bot API server instead of `https://api.telegram.org`.
    pub api_url: Option<Url>,
    /// Polling or webhook.
    pub mode: Mode,
    /// Rate limits kept by the Throttle adaptor.
    pub limits: Limits,
    /// Retries of failed calls.
    pub retry: RetryPolicy,
    /// How long one `getUpdates` waits for news.
    pub poll_timeout: Duration,
    /// A socket already bound for the webhook server, used instead of binding `listen` (tests
    /// bind port 0 and hand it over, so the port is never released to another process).
    pub webhook_listener: Option<Arc<std::net::TcpListener>>,
    /// Timeouts and connection cap of the webhook server (the same server as `mente web`).
    pub http: ServerLimits,
    /// The lease that lets one instance at a time poll (see [`poll_lease`]).
    pub polling_lease: LeaseTiming,
    /// How often replies nobody delivered (a failed send, a crashed instance) are looked for.
    pub outbox_sweep: Duration,
    /// How long outbox rows a sender took stay its own; older, they are a dead sender's and
    /// another instance's sweep takes them. A sender gives up trying after two thirds of it.
    pub outbox_lease: Duration,
}

impl BotConfig {
    /// Long polling against Telegram with the standard limits.
    pub fn new(token: impl Into<String>) -> Self {
        BotConfig {
            token: token.into(),
            api_url: None,
            mode: Mode::Polling,
            limits: default_limits(),
            retry: RetryPolicy::default(),
            poll_timeout: Duration::from_secs(10),
            webhook_listener: None,
            http: ServerLimits::default(),
            polling_lease: LeaseTiming::default(),
            outbox_sweep: Duration::from_secs(30),
            outbox_lease: Duration::from_secs(60),
        }
    }
}

/// Never prints the token: whoever has it controls the bot, and configs end up in logs.
impl std::fmt::Debug for BotConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotConfig")
            .field("token", &"<hidden>")
            .field("api_url", &self.api_url)
            .field("mode", &self.mode)
            .field("limits", &self.limits)
            .field("retry", &self.retry)
            .field("poll_timeout", &self.poll_timeout)
            .field("webhook_listener", &self.webhook_listener)
            .field("http", &self.http)
            .field("polling_lease", &self.polling_lease)
            .field("outbox_sweep", &self.outbox_sweep)
            .field("outbox_lease", &self.outbox_lease)
            .finish()
    }
}

/// Telegram's published limits: about one message per second in a chat, 20 per minute in a
/// group, 30 per second overall. teloxide's default also caps private chats at 20 per minute,
/// which would stall a user clicking quickly through a dialog; Telegram does not ask for that.
pub fn default_limits() -> Limits {
    Limits {
        messages_per_sec_chat: 1,
        messages_per_min_chat: 60,
        messages_per_min_channel_or_supergroup: 20,
        messages_per_sec_overall: 30,
    }
}

/// Why the channel could not run.
#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    /// getMe answered 401/404: the token is wrong or revoked.
    #[error("Telegram rejected the bot token (check TELOXIDE_TOKEN; @BotFather shows it): {0}")]
    BadToken(RequestError),
    /// The Bot API server could not be reached even after retries.
    #[error(
        "cannot reach the Telegram Bot API at {url} (check the network, and TELEGRAM_API_URL if \
         set): {source}"
    )]
    Unreachable {
        /// The API base URL tried.
        url: String,
        /// The last error.
        source: RequestError,
    },
    /// Something answered at the Bot API URL, but not like Telegram (a web server, another
    /// API, a wrong path): retrying will not help.
    #[error(
        "the server at {url} answered, but not like the Telegram Bot API ({detail}); check \
         TELEGRAM_API_URL (unset it to use https://api.telegram.org)"
    )]
    NotTelegram {
        /// The API base URL tried.
        url: String,
        /// What came back, secrets removed.
        detail: String,
    },
    /// The webhook could not be registered.
    #[error("cannot set up the webhook: {0}")]
    Webhook(RequestError),
    /// The webhook server cannot listen (address in use, no permission).
    #[error("cannot listen for webhook calls on {addr}: {source}")]
    WebhookListen {
        /// The `--listen` address.
        addr: SocketAddr,
        /// Why not.
        source: std::io::Error,
    },
    /// The webhook secret has characters Telegram does not allow.
    #[error("the webhook secret token must be 1–256 characters of A–Z, a–z, 0–9, _ and -")]
    BadSecret,
}

/// The command menu shown by Telegram's "/" button, in the user's language.
pub fn commands() -> Vec<BotCommand> {
    [
        ("start", "开始 / 重新开始"),
        ("menu", "主菜单"),
        ("back", "上一步"),
        ("cancel", "取消当前办理"),
        ("help", "帮助"),
        ("myapps", "我的申请"),
        ("reminders", "提醒设置"),
        ("region", "切换地区"),
        ("source", "上一条回答的完整来源"),
        ("forget", "删除我的数据"),
    ]
    .into_iter()
    .map(|(command, description)| BotCommand::new(command, description))
    .collect()
}

/// The rate-limited bot for `config` (its own Throttle worker is spawned on the current runtime).
pub fn connect(config: &BotConfig) -> TgBot {
    let mut bot = Bot::new(config.token.clone());
    if let Some(url) = &config.api_url {
        bot = bot.set_api_url(url.clone());
    }
    Throttle::new_spawn(bot, config.limits)
}

/// True if Telegram accepts `secret` as a webhook secret token.
pub fn valid_secret(secret: &str) -> bool {
    (1..=256).contains(&secret.len())
        && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Runs the assistant on Telegram until `shutdown` resolves; then finishes the updates already
/// received (the turn in flight included), stops the reminder worker and returns.
pub async fn run_bot(
    config: BotConfig,
    store: Store,
    assistant: impl Into<Live>,
    clock: Arc<dyn Clock>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), TelegramError> {
    let assistant = assistant.into();
    if let Mode::Webhook { secret_token: Some(secret), .. } = &config.mode {
        if !valid_secret(secret) {
            return Err(TelegramError::BadSecret);
        }
    }
    let shutdown = shutdown.boxed().shared();
    // Retries watch this flag, so a shutdown is not held up by a send backing off for minutes.
    let (stop_flag, stop_seen) = watch::channel(false);
    let stopping = Stopping::new(stop_seen);
    tokio::spawn({
        let shutdown = shutdown.clone();
        async move {
            shutdown.await;
            let _ = stop_flag.send(true);
        }
    });
    let bot = connect(&config);
    let api_url = bot.inner().api_url().to_string();

    let me = tokio::select! {
        me = get_me(&bot, config.retry) => me,
        () = shutdown.clone() => return Ok(()),
    };
    match me {
        Ok(me) => tracing::info!(username = %me.username(), "connected to Telegram"),
        Err(err @ RequestError::Api(ApiError::InvalidToken)) => {
            return Err(TelegramError::BadToken(err))
        }
        // Telegram answers getMe with the bot or a token error; anything else that arrives is
        // some other service at the configured URL.
        Err(err @ (RequestError::InvalidJson { .. } | RequestError::Api(_))) => {
            let detail = not_telegram_detail(&err);
            let detail = crate::telemetry::redact_with(&detail, &[&config.token]).into_owned();
            return Err(TelegramError::NotTelegram { url: api_url, detail });
        }
        Err(source) => return Err(TelegramError::Unreachable { url: api_url, source }),
    }
    tokio::spawn(publish_commands(bot.clone(), config.retry, stopping.clone()));

    // REMINDER WORKER: reminders go out through this same throttled bot, so a burst of them
    // shares the rate limits with the conversations; it stops after the dispatcher below.
    let reminders = ReminderWorker::start(
        store.clone(),
        assistant.clone(),
        clock.clone(),
        TelegramSender::new(bot.clone(), config.retry).until(stopping.clone()),
    );

    // HAND-OFF RELAY: staff replies from the console go out through the same throttled bot.
    let (relay_stop, relay_stopped) = watch::channel(false);
    let relay = tokio::spawn({
        let (store, clock, live) = (store.clone(), clock.clone(), assistant.clone());
        let sender = TelegramSender::new(bot.clone(), config.retry).until(stopping.clone());
        async move {
            let clock = SharedClock(clock);
            crate::relay::run_until_stopped(&store, &live, &sender, None, &clock, relay_stopped)
                .await
        }
    });
    let lease = poll_lease::PollingLease::new(store.clone(), config.polling_lease);
    let ctx = Arc::new(handler::Ctx::new(
        store,
        assistant,
        clock,
        config.retry,
        stopping.clone(),
        config.outbox_lease,
    ));
    handler::resend_pending(&bot, &ctx).await;
    // OUTBOX SWEEP: what a failed send gave up, or a crashed instance left, goes out later.
    let every = config.outbox_sweep;
    let sweeper = tokio::spawn(sweep_outbox(bot.clone(), ctx.clone(), every, stopping.clone()));
    let updates = dptree::entry()
        .branch(Update::filter_message().endpoint(handler::on_message))
        .branch(Update::filter_callback_query().endpoint(handler::on_callback));
    let mut dispatcher = Dispatcher::builder(bot.clone(), updates)
        .dependencies(dptree::deps![ctx])
        .default_handler(|update| async move {
            tracing::debug!(update_id = update.id.0, "update of a kind the assistant ignores");
        })
        .error_handler(LoggingErrorHandler::with_custom_text("update handler failed"))
        .build();
    let stopper = tokio::spawn(stop_on(shutdown, dispatcher.shutdown_token()));
    let result = receive_updates(&mut dispatcher, &bot, &config, &api_url, &lease, &stopping).await;
    stopper.abort();
    if stopping.is_set() {
        // It ends by itself: a sweep under way finishes (its sends stop retrying).
        let _ = sweeper.await;
    } else {
        sweeper.abort();
    }
    reminders.stop().await;
    let _ = relay_stop.send(true);
    if let Err(err) = relay.await {
        tracing::error!(error = %err, "the hand-off relay failed");
    }
    result
}

/// Answers that are not Telegram's are retried this many times in all at start-up (a proxy may
/// serve one error page); network errors keep the full [`RetryPolicy`].
const NOT_TELEGRAM_TRIES: u32 = 3;

/// `getMe` with retries, giving up early when the server answers but not like Telegram.
async fn get_me(bot: &TgBot, retry: RetryPolicy) -> Result<teloxide::types::Me, RequestError> {
    let mut attempt = 1;
    loop {
        let err = match bot.get_me().send().await {
            Ok(me) => return Ok(me),
            Err(err) => err,
        };
        let not_telegram = matches!(err, RequestError::InvalidJson { .. });
        let delay = match retry.delay_after(&err, attempt) {
            Some(_) if not_telegram && attempt >= NOT_TELEGRAM_TRIES => None,
            delay => delay,
        };
        let Some(delay) = delay else { return Err(err) };
        tracing::warn!(call = "getMe", attempt, ?delay, error = %err, "retrying");
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// A short description of a non-Telegram answer: the start of the body (a web server's page,
/// "Cannot POST …") says best which service is listening there.
fn not_telegram_detail(err: &RequestError) -> String {
    match err {
        RequestError::InvalidJson { raw, .. } => {
            let start: String = raw.chars().take(120).collect();
            let more = if raw.chars().count() > 120 { "…" } else { "" };
            format!("its answer is not Bot API JSON: {start:?}{more}")
        }
        other => format!("its answer is not what Telegram sends: {other}"),
    }
}

/// Feeds the dispatcher from long polling or the webhook until it is shut down. Long polling
/// waits for the polling `lease` first (one poller across instances).
async fn receive_updates(
    dispatcher: &mut Dispatcher<TgBot, handler::HandlerError, DefaultKey>,
    bot: &TgBot,
    config: &BotConfig,
    api_url: &str,
    lease: &poll_lease::PollingLease,
    stopping: &Stopping,
) -> Result<(), TelegramError> {
    let listener_errors = LoggingErrorHandler::with_custom_text("receiving updates failed");
    let unreachable = |source| TelegramError::Unreachable { url: api_url.to_string(), source };
    match &config.mode {
        Mode::Polling => loop {
            if !lease.wait(stopping).await {
                return Ok(());
            }
            let mut listener = Polling::builder(bot.clone())
                .timeout(config.poll_timeout)
                .delete_webhook()
                .await
                .build();
            let stop_token = listener.stop_token();
            let dispatch = dispatcher.try_dispatch_with_listener(listener, listener_errors.clone());
            tokio::pin!(dispatch);
            tokio::select! {
                result = &mut dispatch => {
                    lease.release().await;
                    return result.map_err(unreachable);
                }
                // Lost (this process stalled past the lease): stop, then queue up again.
                () = lease.keep() => {}
            }
            stop_token.stop();
            dispatch.await.map_err(unreachable)?;
        },
        Mode::Webhook { url, listen, secret_token } => {
            // Bound before the webhook is registered: a busy port is a clear error at start-up,
            // not a panic in a background task while Telegram posts into the void.
            let tcp = webhook_socket(config, *listen)
                .map_err(|source| TelegramError::WebhookListen { addr: *listen, source })?;
            let mut options = webhooks::Options::new(*listen, url.clone());
            if let Some(secret) = secret_token {
                options = options.secret_token(secret.clone());
            }
            let (mut listener, stop_flag, router) = webhooks::axum_to_router(bot.clone(), options)
                .await
                .map_err(TelegramError::Webhook)?;
            let stop_token = listener.stop_token();
            let limits = config.http;
            tokio::spawn(async move {
                let served = crate::web::serve_router(tcp, router, limits, stop_flag).await;
                if let Err(err) = served {
                    tracing::error!(error = %err, "the webhook server failed");
                    stop_token.stop();
                }
            });
            dispatcher
                .try_dispatch_with_listener(listener, listener_errors)
                .await
                .map_err(unreachable)
        }
    }
}

/// The webhook server's socket: the one handed over in `config`, or `listen` bound now.
fn webhook_socket(
    config: &BotConfig,
    listen: SocketAddr,
) -> std::io::Result<tokio::net::TcpListener> {
    let std_listener = match &config.webhook_listener {
        Some(shared) => shared.try_clone()?,
        None => std::net::TcpListener::bind(listen)?,
    };
    std_listener.set_nonblocking(true)?;
    tokio::net::TcpListener::from_std(std_listener)
}

/// `scheduler::run_until_stopped` in the background, for as long as the bot runs.
struct ReminderWorker {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl ReminderWorker {
    fn start(store: Store, assistant: Live, clock: Arc<dyn Clock>, sender: TelegramSender) -> Self {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let clock = SharedClock(clock);
            scheduler::run_until_stopped(&store, &assistant, &sender, &clock, stopped).await;
        });
        ReminderWorker { stop, task }
    }

    /// Lets the reminder being sent finish, then ends the loop.
    async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(err) = self.task.await {
            tracing::error!(error = %err, "the reminder worker failed");
        }
    }
}

/// [`handler::resend_pending`] every `every` until shutdown.
async fn sweep_outbox(bot: TgBot, ctx: Arc<handler::Ctx>, every: Duration, stopping: Stopping) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = stopping.wait() => return,
        }
        handler::resend_pending(&bot, &ctx).await;
    }
}

/// The injected clock as the sized [`Clock`] the scheduler takes.
struct SharedClock(Arc<dyn Clock>);

impl Clock for SharedClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.now()
    }
}

/// Asks the dispatcher to stop once `shutdown` resolves. The dispatcher refuses while it is
/// still starting (idle), so this keeps asking until it is running.
async fn stop_on(shutdown: impl Future<Output = ()>, token: teloxide::dispatching::ShutdownToken) {
    shutdown.await;
    tracing::info!("stopping: finishing the updates already received");
    loop {
        match token.shutdown() {
            Ok(done) => {
                done.await;
                return;
            }
            Err(_idle) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// Publishes the command menu. Nice to have, never essential: a failure is only logged.
async fn publish_commands(bot: TgBot, retry: RetryPolicy, stopping: Stopping) {
    if let Err(err) =
        with_retry("setMyCommands", retry, &stopping, || bot.set_my_commands(commands()).send())
            .await
    {
        tracing::warn!(error = %err, "could not publish the command menu; the bot works without it");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_menu_covers_the_chat_commands_with_chinese_descriptions() {
        let commands = commands();
        let names: Vec<&str> = commands.iter().map(|c| c.command.as_str()).collect();
        assert_eq!(
            names,
            [
                "start",
                "menu",
                "back",
                "cancel",
                "help",
                "myapps",
                "reminders",
                "region",
                "source",
                "forget"
            ]
        );
        assert!(commands.iter().all(|c| c.description.chars().any(|ch| ch > '\u{2e80}')));
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let mut config = BotConfig::new("123456:SECRET-token");
        config.mode = Mode::Webhook {
            url: "https://bot.example.org/tg".parse().unwrap(),
            listen: "127.0.0.1:8443".parse().unwrap(),
            secret_token: Some("SECRET_webhook".into()),
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("<hidden>"));
    }

    #[test]
    fn webhook_secrets_follow_telegram_rules() {
        assert!(valid_secret("abc_DEF-123"));
        assert!(!valid_secret(""));
        assert!(!valid_secret("has space"));
        assert!(!valid_secret(&"a".repeat(257)));
    }
}
