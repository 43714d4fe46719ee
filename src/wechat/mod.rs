//! The WeChat Official Account channel (公众号 message server): `GET /wechat` answers WeChat's
//! server verification, `POST /wechat` takes messages and events, in plain or safe mode.
//!
//! Same engine, [`service`] turn and database as every channel; channel name [`CHANNEL`], the
//! user's OpenID as conversation key, the pair (OpenID, `MsgId`) (events: a stable id of
//! `FromUserName` + `CreateTime`) as the redelivery id claimed in the turn's transaction, so
//! WeChat's resends have no second effect.
//!
//! Requests are checked by [`guard`] (signature first, then timestamp window, safe mode and
//! nonce replay) before their body is parsed; bodies are bounded in size, depth and attributes
//! ([`xml::prescan`]).
//!
//! WeChat waits 5 seconds for the passive reply. A turn gets [`REPLY_BUDGET`]; when it takes
//! longer the request is answered `success` (nothing) and the turn's reply goes out through
//! the customer-service API when it is ready. Parts of a long reply after the first go the same
//! way. The messages are queued in the outbox in the turn's transaction and delivered from
//! there ([`delivery`]), so a crash or a lost passive reply loses no answer. Pure parts live in
//! [`crypto`], [`xml`], [`render`] and [`menu`]; this module only wires them to HTTP, the
//! store and the API.
//!
//! # Mounting it in another server
//!
//! ```text
//! if let Some(state) = WechatState::from_env(store.clone(), assistant.clone(), clock.clone())? {
//!     app = app.merge(wechat::router(state.clone()));   // GET/POST /wechat
//!     // replies nobody delivered (a crash, a failed send): state.deliver_until_stopped(stop_rx)
//!     // reminders: scheduler::run_until_stopped(&store, &assistant,
//!     //     &WechatSender::new(state.api(), store.clone(), clock), &clock, stop_rx)
//!     // after the server stopped: state.drain().await (replies still being sent)
//! }
//! ```
//! [`serve`] does exactly this on its own listener (`mente wechat serve`).

pub mod api;
pub mod config;
pub mod crypto;
pub mod delivery;
pub mod guard;
pub mod menu;
pub mod render;
pub mod sender;
pub mod xml;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use futures::FutureExt;
use tokio::sync::{mpsc, oneshot, watch};

use self::api::ApiClient;
use self::config::WechatConfig;
use self::guard::{Refusal, Signed};
use self::xml::{Incoming, Kind};
use crate::clock::Clock;
use crate::engine::commands::{self, Command};
use crate::engine::{Input, Reply, UserKey};
use crate::reload::Live;
use crate::service::{self, QueuedTurn, TurnRequest};
use crate::store::outbox::{self, Queued};
use crate::store::{sessions, Store, StoreError};
use crate::tracking::reminders::ReminderState;

/// Channel name of WeChat users in the database.
pub const CHANNEL: &str = "wechat";
/// How long a turn may take before the reply goes through the customer-service API instead:
/// WeChat gives up after 5 s, and the request also needs time to travel.
pub const REPLY_BUDGET: Duration = Duration::from_secs(4);
pub use self::guard::{MAX_SKEW_SECS, NONCES_KEPT_SECS};
/// Added to every `/reminders` answer on WeChat.
pub const REMINDER_NOTE: &str = "（微信规定：公众号只能在您最近一次发消息后的48小时内主动发消息给您。超过48小时的提醒会先保留，等您下次发消息时再发给您。）";

/// Buttons offered longer ago than this are forgotten (an old "2" then reaches the engine,
/// which still reads numbers for its own step's choices).
const OFFERED_KEPT_MS: i64 = 7 * 24 * 3600 * 1000;

/// Pause before sending the rest of a long reply by API, after the passive first part.
const REST_AFTER: Duration = Duration::from_millis(500);

/// Said when a turn fails; nothing of it was stored.
const SORRY: &str = "抱歉，系统暂时出了点问题，刚才这一步没有保存。请稍后再发一次。";
/// Said for a voice message WeChat could not transcribe.
const PLEASE_TYPE: &str =
    "抱歉，这段语音我没能听清。请直接打字告诉我，比如“新申请”，或回复菜单前面的数字。";
/// Said for images, locations, links, videos …
const TEXT_ONLY: &str = "抱歉，我目前只能看懂文字和语音。请直接打字提问，或发送“主菜单”。";

/// Runs before each turn; tests use it to make a turn slow without sleeping.
pub type TurnDelay = Arc<dyn Fn(&Input) -> BoxFuture<'static, ()> + Send + Sync>;

/// Everything the endpoint needs; build it with [`WechatState::new`] and hand it to [`router`].
#[derive(Clone)]
pub struct WechatState {
    inner: Arc<Inner>,
}

struct Inner {
    config: WechatConfig,
    store: Store,
    assistant: Live,
    clock: Arc<dyn Clock>,
    api: Arc<ApiClient>,
    budget: Duration,
    delay: Option<TurnDelay>,
    background: Background,
}

impl WechatState {
    /// State for `config`, answering within [`REPLY_BUDGET`].
    pub fn new(
        config: WechatConfig,
        store: Store,
        assistant: impl Into<Live>,
        clock: Arc<dyn Clock>,
    ) -> WechatState {
        let api = Arc::new(
            ApiClient::new(config.api_url.clone(), config.appid.clone(), config.appsecret.clone())
                .sharing(store.clone()),
        );
        let inner = Inner {
            config,
            store,
            assistant: assistant.into(),
            clock,
            api,
            budget: REPLY_BUDGET,
            delay: None,
            background: Background::new(),
        };
        WechatState { inner: Arc::new(inner) }
    }

    /// State from the `WECHAT_*` environment variables; `Ok(None)` when `WECHAT_TOKEN` is not
    /// set (the channel is off). For servers that mount [`router`] next to their own routes.
    pub fn from_env(
        store: Store,
        assistant: impl Into<Live>,
        clock: Arc<dyn Clock>,
    ) -> Result<Option<WechatState>, config::ConfigError> {
        let config = WechatConfig::from_env(|name| std::env::var(name).ok())?;
        Ok(config.map(|config| WechatState::new(config, store, assistant, clock)))
    }

    /// Another reply budget (tests use a short one). Call before cloning the state.
    pub fn with_reply_budget(mut self, budget: Duration) -> WechatState {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.budget = budget;
        }
        self
    }

    /// Runs `delay` before every turn (tests). Call before cloning the state.
    pub fn with_turn_delay(mut self, delay: TurnDelay) -> WechatState {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.delay = Some(delay);
        }
        self
    }

    /// The outgoing API client (shared with the reminder [`sender::WechatSender`]).
    pub fn api(&self) -> Arc<ApiClient> {
        self.inner.api.clone()
    }

    /// Resolves once every reply still being sent in the background has been sent; no new
    /// background work is accepted afterwards. Call after the server stopped.
    pub async fn drain(&self) {
        self.inner.background.drain().await;
    }
}

/// `GET/POST /wechat`; bodies over [`xml::MAX_BODY_BYTES`] are refused (413) unread.
pub fn router(state: WechatState) -> Router {
    Router::new()
        .route("/wechat", get(verify_server).post(receive))
        .layer(DefaultBodyLimit::max(xml::MAX_BODY_BYTES))
        .with_state(state)
}

/// Serves [`router`] on `listener` and delivers what nobody delivered
/// ([`WechatState::deliver_until_stopped`], at once and then periodically) until `shutdown`
/// resolves, then finishes the requests in flight and the replies still being sent.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: WechatState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, crate::web::ServerLimits::default(), shutdown).await
}

/// [`serve`] on the same hardened server as `mente web`, within `limits` (timeouts, connection
/// cap, shutdown deadline), with the delivery sweep beside it until shutdown.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: WechatState,
    limits: crate::web::ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let server = crate::web::serve_router(listener, router(state.clone()), limits, async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let (served, ()) = tokio::join!(server, state.deliver_until_stopped(stop_rx));
    served?;
    state.drain().await;
    Ok(())
}

/// Server verification: `echostr` back only when the signature matches.
async fn verify_server(State(state): State<WechatState>, Query(q): Query<Signed>) -> Response {
    let token = state.inner.config.token.as_str();
    match q.echostr {
        Some(echo) if crypto::verify(&q.signature, &[token, &q.timestamp, &q.nonce]) => {
            echo.into_response()
        }
        _ => refuse("verification with a wrong signature"),
    }
}

/// A message or event. Refused (403, nothing stored) unless [`guard`] finds it is WeChat's.
#[tracing::instrument(skip_all)]
async fn receive(
    State(state): State<WechatState>,
    Query(q): Query<Signed>,
    body: axum::body::Bytes,
) -> Response {
    // Read leniently: a byte that is not UTF-8 in a user's text must not cost the message (a
    // 400 makes WeChat retry the same bytes and then tell the user the account is down).
    let body = String::from_utf8_lossy(&body).into_owned();
    let inner = &state.inner;
    let now = inner.clock.now();
    let opened = match guard::open(&inner.config, &inner.store, &q, body, now).await {
        Ok(opened) => opened,
        Err(refusal) => return refused(refusal),
    };
    let incoming = match xml::parse(&opened.plain) {
        Ok(m) => m,
        Err(err) => return bad_request(&err.to_string()),
    };
    let reply = match handle(&state, &incoming, now).await {
        Some(text) => xml::text_reply(&incoming, now.timestamp(), &text),
        None => return "success".into_response(),
    };
    match opened.encrypted {
        false => xml_response(reply),
        true => seal(&inner.config, &reply, now),
    }
}

fn refused(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Forbidden(why) => refuse(why),
        Refusal::Malformed(why) => bad_request(&why),
        Refusal::Unavailable(why) => {
            tracing::error!(why, "wechat request not handled");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Encrypts and signs a reply for safe mode.
fn seal(config: &WechatConfig, reply: &str, now: DateTime<Utc>) -> Response {
    let (Some(key), Some(appid)) = (&config.aes_key, &config.appid) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let random = random_alnum::<16>();
    let encrypted = crypto::encrypt(key, random, reply, appid);
    let timestamp = now.timestamp().to_string();
    let nonce: String = random_alnum::<10>().iter().map(|&b| char::from(b)).collect();
    let signature = crypto::signature(&[&config.token, &timestamp, &nonce, &encrypted]);
    xml_response(xml::encrypted_reply(&encrypted, &signature, &timestamp, &nonce))
}

/// What a turn task hands to its request.
enum Done {
    /// Committed; its messages, queued.
    Queued(Vec<Queued>),
    /// The message was handled before (a resend).
    Duplicate,
    /// Nothing was stored.
    Failed,
}

/// What to answer `incoming` with (passive text), doing the turn it stands for. `now` is when
/// the request arrived.
async fn handle(state: &WechatState, incoming: &Incoming, now: DateTime<Utc>) -> Option<String> {
    let inner = &state.inner;
    let user = UserKey::new(CHANNEL, incoming.from.clone());
    let key = |msg_id| message_key(&incoming.from, msg_id);
    let (input, update_id) = match &incoming.kind {
        Kind::Text { msg_id, content } => {
            (state.resolve(&incoming.from, content).await, key(*msg_id))
        }
        Kind::Voice { msg_id, recognition: Some(text) } => {
            (state.resolve(&incoming.from, spoken(text)).await, key(*msg_id))
        }
        Kind::Voice { msg_id, recognition: None } => {
            return note(state, &user, key(*msg_id), now, PLEASE_TYPE).await;
        }
        Kind::Other { msg_id } => {
            let id = msg_id.map(key).unwrap_or_else(|| event_id(incoming));
            return note(state, &user, id, now, TEXT_ONLY).await;
        }
        Kind::Event { event, key } => match event.as_str() {
            // The welcome: the engine's greeting, which asks for the region first.
            "subscribe" => (Input::Text("/start".into()), event_id(incoming)),
            "unsubscribe" => {
                pause_reminders(&inner.store, &user, now).await;
                return None;
            }
            "click" => (key.as_deref().and_then(menu::click_input)?, event_id(incoming)),
            _ => return None,
        },
    };
    let commands = &inner.assistant.current().content.understand.commands;
    let reminders =
        matches!(&input, Input::Text(t) if commands::read(t, commands) == Some(Command::Reminders));
    let request = TurnRequest { user: user.clone(), update_id: Some(update_id), input, now };
    let (tx, mut rx) = oneshot::channel();
    let task_state = state.clone();
    let openid = incoming.from.clone();
    inner.background.spawn(async move {
        let done = task_state.run_turn(request, reminders).await;
        // Refused when the request was already answered: everything goes through the API.
        match tx.send(done) {
            Err(Done::Queued(rows)) => task_state.send_rows(rows).await,
            Err(Done::Failed) => task_state.say(&openid, SORRY).await,
            Ok(()) | Err(Done::Duplicate) => {}
        }
    });
    let done = match tokio::time::timeout(inner.budget, &mut rx).await {
        Ok(Ok(done)) => done,
        Ok(Err(_)) => Done::Failed,
        Err(_) => {
            // Closing first makes the hand-over race-free: either the turn sees the closed
            // channel and sends by API, or its messages are here now.
            rx.close();
            match rx.try_recv() {
                Ok(done) => done,
                Err(_) => {
                    tracing::info!("turn over the reply budget; its reply goes by API");
                    return None;
                }
            }
        }
    };
    match done {
        Done::Queued(rows) => state.answer(rows, now).await,
        // Answered before; WeChat asks again only when that answer did not reach it.
        Done::Duplicate => state.answer_resend(&user, update_id, now).await,
        Done::Failed => Some(SORRY.to_string()),
    }
}

/// WeChat delivers nothing to someone who left: their pending reminders wait in case they
/// follow again (their next message makes them reachable). Nothing is recorded for a user
/// without reminders, so leaving never creates a record about them.
async fn pause_reminders(store: &Store, user: &UserKey, now: DateTime<Utc>) {
    let pending = match store.user_data(user).await {
        Ok(data) => data
            .applications
            .iter()
            .flat_map(|a| &a.reminders)
            .any(|r| r.state == ReminderState::Pending),
        Err(err) => {
            tracing::error!(%err, "could not read the reminders of an unsubscribed user");
            true
        }
    };
    if pending {
        if let Err(err) = store.mark_unreachable(user, now).await {
            tracing::error!(%err, "could not pause reminders of an unsubscribed user");
        }
    }
}

/// A fixed answer that needs no turn, given once per message id (and again, like a turn's,
/// when WeChat resends because it did not arrive).
async fn note(
    state: &WechatState,
    user: &UserKey,
    id: i64,
    now: DateTime<Utc>,
    text: &str,
) -> Option<String> {
    let reply = Reply { text: text.to_string(), choices: Vec::new() };
    match queue_note(&state.inner.store, user, id, reply, now).await {
        Ok(Some(rows)) => state.answer(rows, now).await,
        Ok(None) => state.answer_resend(user, id, now).await,
        Err(err) => {
            tracing::error!(%err, "could not record a message id");
            Some(text.to_string())
        }
    }
}

/// Claims message `id` and queues `reply` for it in one transaction; `None` for a resend.
async fn queue_note(
    store: &Store,
    user: &UserKey,
    id: i64,
    reply: Reply,
    now: DateTime<Utc>,
) -> Result<Option<Vec<Queued>>, StoreError> {
    let mut tx = store.begin().await?;
    if !sessions::claim_update(&mut tx, CHANNEL, id, now).await? {
        return Ok(None);
    }
    let ids =
        outbox::enqueue(&mut tx, user, Some(id), std::slice::from_ref(&reply), now, None).await?;
    tx.commit().await?;
    Ok(Some(
        ids.into_iter().map(|id| Queued { id, user: user.clone(), reply: reply.clone() }).collect(),
    ))
}

impl WechatState {
    /// Reads typed text against the buttons last offered to `openid` (by any instance: they
    /// are kept in the database). Unreadable, they count as none: the engine still reads
    /// numbers for its own step's choices.
    async fn resolve(&self, openid: &str, text: &str) -> Input {
        let offered = self.inner.store.offered_choices(openid).await.unwrap_or_else(|err| {
            tracing::error!(%err, "could not read the buttons offered");
            Vec::new()
        });
        render::resolve(text, &offered)
    }

    /// Runs one turn; its messages are rendered for WeChat and queued in the turn's
    /// transaction.
    async fn run_turn(&self, request: TurnRequest, reminders: bool) -> Done {
        let inner = &self.inner;
        let openid = request.user.user.clone();
        if let Some(delay) = &inner.delay {
            delay(&request.input).await;
        }
        let mut offered = None;
        let shape = |replies: &[Reply]| {
            let mut replies = replies.to_vec();
            if reminders {
                // Right under the list, before any question the engine asks again.
                let at = replies.len().min(1);
                replies.insert(at, Reply { text: REMINDER_NOTE.to_string(), choices: Vec::new() });
            }
            let rendered = render::render(&replies);
            if !replies.is_empty() {
                offered = Some(rendered.offered);
            }
            let messages = rendered.messages.into_iter().filter(|m| !m.is_empty());
            messages.map(|text| Reply { text, choices: Vec::new() }).collect()
        };
        let assistant = inner.assistant.current();
        let turn = service::turn_with_shaped_outbox(&inner.store, &assistant, request, shape);
        let rows = match AssertUnwindSafe(turn).catch_unwind().await {
            // Behind: only for leased rows, which WeChat does not write.
            Ok(Ok(QueuedTurn::Queued(rows) | QueuedTurn::Behind(rows))) => rows,
            Ok(Ok(QueuedTurn::Duplicate)) => return Done::Duplicate,
            Ok(Err(err)) => {
                tracing::error!(%err, "wechat turn failed");
                return Done::Failed;
            }
            Err(_) => {
                tracing::error!("wechat turn panicked");
                return Done::Failed;
            }
        };
        if let Some(choices) = offered {
            let now_ms = crate::store::leases::now_ms();
            if let Err(err) = inner.store.remember_offered(&openid, &choices, now_ms).await {
                // Only means the engine reads the next number on its own.
                tracing::error!(%err, "could not remember the buttons offered");
            }
        }
        Done::Queued(rows)
    }
}

/// The redelivery id of message `msg_id` from `openid`. A `MsgId` is WeChat's number for one
/// message, but another user's message may carry the same one, so the id is derived from the
/// pair (as a hash into the non-negative `i64`s, the column `processed_updates` keys on; event
/// ids are negative).
fn message_key(openid: &str, msg_id: i64) -> i64 {
    let hex = crypto::signature(&[&format!("{openid}|{msg_id}")]);
    let value = u64::from_str_radix(&hex[..16], 16).unwrap_or(0);
    (value >> 1) as i64
}

/// A stable redelivery id for an event (events have no `MsgId`): derived from `FromUserName`
/// and `CreateTime` (and the event itself), negative so it never equals a real `MsgId`.
fn event_id(incoming: &Incoming) -> i64 {
    let what = match &incoming.kind {
        Kind::Event { event, key } => format!("{event}|{}", key.as_deref().unwrap_or("")),
        _ => String::new(),
    };
    let hex = crypto::signature(&[&format!("{}|{}|{what}", incoming.from, incoming.create_time)]);
    let value = u64::from_str_radix(&hex[..16], 16).unwrap_or(0);
    -((value >> 1) as i64) - 1
}

/// A voice transcript as typed text: WeChat ends it with a full stop ("一。"), which would
/// keep a number from being read as a number.
fn spoken(text: &str) -> &str {
    text.trim().trim_end_matches(['。', '！', '？', '.', '!', '?', '，', ','])
}

fn random_alnum<const N: usize>() -> [u8; N] {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = [0u8; N];
    if getrandom::getrandom(&mut bytes).is_err() {
        // No OS randomness: the nonce only needs to differ between replies.
        let nanos = Utc::now().timestamp_subsec_nanos().to_le_bytes();
        bytes.iter_mut().enumerate().for_each(|(i, b)| *b = nanos[i % 4].wrapping_add(i as u8));
    }
    bytes.map(|b| ALPHABET[usize::from(b) % ALPHABET.len()])
}

fn refuse(why: &str) -> Response {
    tracing::warn!(why, "wechat request refused");
    (StatusCode::FORBIDDEN, "forbidden").into_response()
}

fn bad_request(why: &str) -> Response {
    tracing::warn!(why, "wechat request malformed");
    (StatusCode::BAD_REQUEST, "bad request").into_response()
}

fn xml_response(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], body).into_response()
}

/// Background sends: each holds a sender of a channel nobody writes to, so "all senders
/// dropped" means "all sends finished".
#[derive(Clone)]
struct Background {
    alive: Arc<Mutex<Option<mpsc::Sender<()>>>>,
    done: Arc<tokio::sync::Mutex<mpsc::Receiver<()>>>,
}

impl Background {
    fn new() -> Background {
        let (tx, rx) = mpsc::channel(1);
        Background {
            alive: Arc::new(Mutex::new(Some(tx))),
            done: Arc::new(tokio::sync::Mutex::new(rx)),
        }
    }

    fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        let guard = self.alive.lock().unwrap_or_else(|e| e.into_inner()).clone();
        tokio::spawn(async move {
            let _guard = guard;
            work.await;
        });
    }

    async fn drain(&self) {
        self.alive.lock().unwrap_or_else(|e| e.into_inner()).take();
        let _ = self.done.lock().await.recv().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(from: &str, at: i64, name: &str) -> Incoming {
        Incoming {
            from: from.into(),
            to: "gh".into(),
            create_time: at,
            kind: Kind::Event { event: name.into(), key: None },
        }
    }

    #[test]
    fn event_ids_are_stable_negative_and_differ_by_user_and_time() {
        let a = event_id(&event("u1", 100, "subscribe"));
        assert_eq!(a, event_id(&event("u1", 100, "subscribe")));
        assert!(a < 0);
        assert_ne!(a, event_id(&event("u2", 100, "subscribe")));
        assert_ne!(a, event_id(&event("u1", 101, "subscribe")));
    }

    #[test]
    fn a_message_id_is_keyed_with_its_sender() {
        let key = message_key("u1", 7);
        assert!(key >= 0);
        assert_eq!(key, message_key("u1", 7));
        assert_ne!(key, message_key("u2", 7));
        assert_ne!(key, message_key("u1", 8));
    }

    #[test]
    fn spoken_numbers_lose_the_full_stop() {
        assert_eq!(spoken("一。"), "一");
        assert_eq!(spoken("2。"), "2");
        assert_eq!(spoken("新申请"), "新申请");
    }
}
