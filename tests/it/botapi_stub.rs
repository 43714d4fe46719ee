//! A stub Telegram Bot API server for the Telegram tests: the real teloxide HTTP client talks to
//! it on 127.0.0.1 (port 0). It answers like Telegram does — `{ok, result}` JSON, long-polled
//! `getUpdates` with offset confirmation, HTML entity parsing, the 4096-character and 64-byte
//! limits, "message is not modified" — records every call, and can inject faults (429 with
//! `retry_after`, 403, any error) and redeliver updates.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::task::JoinHandle;
use url::Url;

/// The token the stub accepts.
pub const TOKEN: &str = "123456:TEST-token_for-the-stub";
/// The bot's own user id and username.
pub const BOT_ID: i64 = 123456;
pub const BOT_USERNAME: &str = "mente_test_bot";

/// One recorded API call.
#[derive(Debug, Clone)]
pub struct Call {
    /// Method name as sent (`sendMessage` …).
    pub method: String,
    /// The JSON body.
    pub body: Value,
    /// Whether the stub answered `ok: true`.
    pub ok: bool,
    /// For getUpdates: the ids of the updates returned.
    pub returned: Vec<i64>,
    /// When the stub answered.
    pub at: Instant,
}

/// An injected failure.
#[derive(Debug, Clone)]
pub enum Fault {
    /// 429 Too Many Requests with `parameters.retry_after`.
    RetryAfter(u32),
    /// Any other error: HTTP status (also `error_code`) and description.
    Error(u16, String),
}

impl Fault {
    /// Telegram's answer when the user blocked the bot.
    pub fn blocked() -> Fault {
        Fault::Error(403, "Forbidden: bot was blocked by the user".into())
    }
}

/// A message the bot sent, as the chat shows it now (after edits).
#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    pub chat: i64,
    pub id: i64,
    /// Text as the user sees it (entities parsed).
    pub text: String,
    /// Inline keyboard rows: (label, callback data).
    pub buttons: Vec<Vec<(String, String)>>,
}

impl ChatMessage {
    /// All buttons, row by row.
    pub fn all_buttons(&self) -> Vec<(String, String)> {
        self.buttons.concat()
    }
}

#[derive(Default)]
struct Inner {
    next_update_id: i64,
    next_message_id: i64,
    next_callback_id: i64,
    /// Updates not yet confirmed by an offset.
    pending: Vec<Value>,
    /// Every update ever queued, by id (for redelivery).
    all_updates: HashMap<i64, Value>,
    /// Updates to deliver once more in the next getUpdates answer, offset notwithstanding.
    redeliver: VecDeque<Value>,
    calls: Vec<Call>,
    /// Messages the bot sent, in order.
    messages: Vec<ChatMessage>,
    open_callbacks: HashSet<String>,
    faults_once: HashMap<String, VecDeque<Fault>>,
    faults_always: HashMap<String, Fault>,
    /// Methods that answer only after this long (a slow network or server).
    delays: HashMap<String, Duration>,
    webhook: Option<(String, Option<String>)>,
}

type Shared = Arc<Mutex<Inner>>;

/// The running stub.
pub struct BotApiStub {
    addr: SocketAddr,
    inner: Shared,
    server: JoinHandle<()>,
}

impl Drop for BotApiStub {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl BotApiStub {
    /// Starts the stub on 127.0.0.1 with a free port.
    pub async fn start() -> BotApiStub {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind stub");
        BotApiStub::start_on(listener).await
    }

    /// Starts the stub on `listener`: a port the test has held all along (to bring up a server
    /// the bot has been failing to reach, without releasing the port to other processes).
    pub async fn start_on(listener: tokio::net::TcpListener) -> BotApiStub {
        let inner: Shared = Arc::new(Mutex::new(Inner {
            next_update_id: 1000,
            next_message_id: 1,
            ..Inner::default()
        }));
        let app =
            Router::new().route("/{token}/{method}", post(api).get(api)).with_state(inner.clone());
        let addr = listener.local_addr().expect("stub address");
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("stub server");
        });
        BotApiStub { addr, inner, server }
    }

    /// Numbers the next updates from `first` on. Two stubs standing for one Telegram seen by
    /// two instances on one database must not hand out the same update ids, or the second
    /// one's updates are taken for redeliveries.
    pub fn number_updates_from(&self, first: i64) {
        self.lock().next_update_id = first;
    }

    /// Base URL for `TELEGRAM_API_URL` / `Bot::set_api_url`.
    pub fn api_url(&self) -> Url {
        format!("http://{}/", self.addr).parse().expect("stub URL")
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().expect("stub state")
    }

    /// The user in `chat` types `text`; returns the update id.
    pub fn send_text(&self, chat: i64, text: &str) -> i64 {
        self.queue_text(private_chat(chat), chat, text)
    }

    /// The user in `chat` shares a location (neither text nor a button).
    pub fn send_location(&self, chat: i64) -> i64 {
        let mut inner = self.lock();
        let message_id = inner.take_message_id();
        let message = json!({
            "message_id": message_id,
            "date": unix_now(),
            "chat": private_chat(chat),
            "from": user(chat),
            "location": {"latitude": 26.58, "longitude": 101.72},
        });
        inner.queue(|id| json!({"update_id": id, "message": message}))
    }

    /// User `from` types `text` in the group `group` (a negative id).
    pub fn send_text_in_group(&self, group: i64, from: i64, text: &str) -> i64 {
        self.queue_text(json!({"id": group, "type": "group", "title": "病友群"}), from, text)
    }

    fn queue_text(&self, chat: Value, from: i64, text: &str) -> i64 {
        let mut inner = self.lock();
        let message_id = inner.take_message_id();
        let mut message = json!({
            "message_id": message_id,
            "date": unix_now(),
            "chat": chat,
            "from": user(from),
            "text": text,
        });
        if text.starts_with('/') {
            let len = text.split_whitespace().next().unwrap_or(text).encode_utf16().count();
            message["entities"] = json!([{"type": "bot_command", "offset": 0, "length": len}]);
        }
        inner.queue(|id| json!({"update_id": id, "message": message}))
    }

    /// The user presses the button with `data` on the bot's message `message_id`.
    pub fn press(&self, chat: i64, message_id: i64, data: &str) -> i64 {
        let mut inner = self.lock();
        let message = inner
            .messages
            .iter()
            .find(|m| m.chat == chat && m.id == message_id)
            .map(message_json)
            .unwrap_or_else(|| panic!("no bot message {message_id} in chat {chat}"));
        inner.next_callback_id += 1;
        let callback_id = format!("cq{}", inner.next_callback_id);
        inner.open_callbacks.insert(callback_id.clone());
        inner.queue(|id| {
            json!({"update_id": id, "callback_query": {
                "id": callback_id,
                "from": user(chat),
                "message": message,
                "chat_instance": format!("ci{chat}"),
                "data": data,
            }})
        })
    }

    /// Presses the button labelled `label` on the newest bot message in `chat` that shows it.
    pub fn press_label(&self, chat: i64, label: &str) -> i64 {
        let found = self.messages(chat).into_iter().rev().find_map(|m| {
            m.all_buttons().into_iter().find(|(l, _)| l == label).map(|(_, data)| (m.id, data))
        });
        match found {
            Some((message_id, data)) => self.press(chat, message_id, &data),
            None => panic!("no button {label:?} in chat {chat}; chat so far:\n{}", self.dump(chat)),
        }
    }

    /// Puts a message with buttons into `chat` as if the bot had sent it; returns its id.
    pub fn put_bot_message(&self, chat: i64, text: &str, buttons: &[(&str, &str)]) -> i64 {
        let mut inner = self.lock();
        let id = inner.take_message_id();
        let row = buttons.iter().map(|(l, d)| (l.to_string(), d.to_string())).collect();
        inner.messages.push(ChatMessage { chat, id, text: text.into(), buttons: vec![row] });
        id
    }

    /// Update `update_id` as Telegram posts it to a webhook: taken out of the getUpdates queue.
    pub fn take_update(&self, update_id: i64) -> Value {
        let mut inner = self.lock();
        inner.pending.retain(|update| update["update_id"] != update_id);
        inner.all_updates.get(&update_id).cloned().expect("known update")
    }

    /// Telegram delivers update `update_id` once more (as after a lost offset confirmation).
    pub fn redeliver(&self, update_id: i64) {
        let mut inner = self.lock();
        let update = inner.all_updates.get(&update_id).cloned().expect("known update");
        inner.redeliver.push_back(update);
    }

    /// The next call of `method` fails with `fault` (queue several for several calls).
    pub fn fail_next(&self, method: &str, fault: Fault) {
        self.lock().faults_once.entry(method.to_string()).or_default().push_back(fault);
    }

    /// Every call of `method` is answered only after `delay`.
    pub fn slow_down(&self, method: &str, delay: Duration) {
        self.lock().delays.insert(method.to_string(), delay);
    }

    /// Every call of `method` fails with `fault`.
    pub fn fail_always(&self, method: &str, fault: Fault) {
        self.lock().faults_always.insert(method.to_string(), fault);
    }

    /// `method` works again (after [`BotApiStub::fail_always`] or [`BotApiStub::fail_next`]).
    pub fn clear_faults(&self, method: &str) {
        let mut inner = self.lock();
        inner.faults_always.remove(method);
        inner.faults_once.remove(method);
    }

    /// Recorded calls of `method`, in order.
    pub fn calls(&self, method: &str) -> Vec<Call> {
        self.lock().calls.iter().filter(|c| c.method == method).cloned().collect()
    }

    /// Names of all recorded calls, in the order the stub answered them.
    pub fn call_order(&self) -> Vec<String> {
        self.lock().calls.iter().map(|c| c.method.clone()).collect()
    }

    /// Messages the bot has sent to `chat`, as they look now.
    pub fn messages(&self, chat: i64) -> Vec<ChatMessage> {
        self.lock().messages.iter().filter(|m| m.chat == chat).cloned().collect()
    }

    /// Texts the bot has sent to `chat`, in order.
    pub fn texts(&self, chat: i64) -> Vec<String> {
        self.messages(chat).into_iter().map(|m| m.text).collect()
    }

    /// Callback queries pressed but never answered.
    pub fn unanswered_callbacks(&self) -> usize {
        self.lock().open_callbacks.len()
    }

    /// Updates not yet confirmed by the bot.
    pub fn pending_updates(&self) -> usize {
        self.lock().pending.len()
    }

    /// The webhook registered with setWebhook: (url, secret token).
    pub fn webhook(&self) -> Option<(String, Option<String>)> {
        self.lock().webhook.clone()
    }

    /// A readable transcript of `chat`, for failure messages.
    pub fn dump(&self, chat: i64) -> String {
        self.messages(chat)
            .iter()
            .map(|m| format!("#{} {:?} {:?}", m.id, m.text, m.all_buttons()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Waits (up to 30 s) until `done` holds; panics with the transcript of `chat` otherwise.
    pub async fn wait_until(&self, chat: i64, what: &str, done: impl Fn(&BotApiStub) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done(self) {
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; chat {chat}:\n{}", self.dump(chat));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until the bot has sent at least `count` messages to `chat`.
    pub async fn wait_for_messages(&self, chat: i64, count: usize) {
        self.wait_until(chat, &format!("{count} messages"), |s| s.messages(chat).len() >= count)
            .await;
    }
}

impl Inner {
    fn take_message_id(&mut self) -> i64 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        id
    }

    fn queue(&mut self, build: impl FnOnce(i64) -> Value) -> i64 {
        let id = self.next_update_id;
        self.next_update_id += 1;
        let update = build(id);
        self.all_updates.insert(id, update.clone());
        self.pending.push(update);
        id
    }

    fn find_message(&mut self, body: &Value) -> Option<&mut ChatMessage> {
        let chat = body["chat_id"].as_i64()?;
        let id = body["message_id"].as_i64()?;
        self.messages.iter_mut().find(|m| m.chat == chat && m.id == id)
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn private_chat(chat: i64) -> Value {
    json!({"id": chat, "type": "private", "first_name": "测试用户"})
}

fn user(id: i64) -> Value {
    json!({"id": id, "is_bot": false, "first_name": "测试用户", "language_code": "zh-hans"})
}

fn bot_user() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": "门特助手", "username": BOT_USERNAME})
}

fn message_json(m: &ChatMessage) -> Value {
    let mut message = json!({
        "message_id": m.id,
        "date": unix_now(),
        "chat": private_chat(m.chat),
        "from": bot_user(),
        "text": m.text,
    });
    if !m.buttons.is_empty() {
        let rows: Vec<Vec<Value>> = m
            .buttons
            .iter()
            .map(|row| row.iter().map(|(l, d)| json!({"text": l, "callback_data": d})).collect())
            .collect();
        message["reply_markup"] = json!({"inline_keyboard": rows});
    }
    message
}

fn ok(result: Value) -> Response {
    Json(json!({"ok": true, "result": result})).into_response()
}

/// A Telegram error answer: HTTP status = `error_code`, and a description.
struct TgError {
    code: u16,
    description: String,
}

fn error(code: u16, description: &str) -> TgError {
    TgError { code, description: description.to_string() }
}

impl IntoResponse for TgError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::BAD_REQUEST);
        let body = json!({"ok": false, "error_code": self.code, "description": self.description});
        (status, Json(body)).into_response()
    }
}

fn fault_response(fault: &Fault) -> Response {
    match fault {
        Fault::RetryAfter(seconds) => (
            StatusCode::TOO_MANY_REQUESTS,
            Json(json!({
                "ok": false,
                "error_code": 429,
                "description": format!("Too Many Requests: retry after {seconds}"),
                "parameters": {"retry_after": seconds},
            })),
        )
            .into_response(),
        Fault::Error(code, description) => error(*code, description).into_response(),
    }
}

/// The methods the stub speaks, spelled as in the Bot API documentation.
const METHODS: &[&str] = &[
    "getMe",
    "getUpdates",
    "getWebhookInfo",
    "setWebhook",
    "deleteWebhook",
    "sendMessage",
    "sendChatAction",
    "setMyCommands",
    "answerCallbackQuery",
    "editMessageReplyMarkup",
    "editMessageText",
];

const NOT_MODIFIED: &str = "Bad Request: message is not modified: specified new message content \
     and reply markup are exactly the same as a current content and reply markup of the message";

async fn api(
    State(inner): State<Shared>,
    Path((token, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = parse_body(&headers, &body);
    if token != format!("bot{TOKEN}") {
        return error(401, "Unauthorized").into_response();
    }
    // Telegram matches method names case-insensitively (teloxide sends `SendMessage`).
    let method = METHODS
        .iter()
        .find(|known| known.eq_ignore_ascii_case(&method))
        .map_or(method, |known| known.to_string());
    if method == "getUpdates" {
        return get_updates(&inner, body).await;
    }
    let delay = inner.lock().expect("stub state").delays.get(&method).copied();
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let mut state = inner.lock().expect("stub state");
    let fault = state
        .faults_once
        .get_mut(&method)
        .and_then(VecDeque::pop_front)
        .or_else(|| state.faults_always.get(&method).cloned());
    let response = match fault {
        Some(fault) => Err(fault_response(&fault)),
        None => handle(&mut state, &method, &body).map(ok).map_err(IntoResponse::into_response),
    };
    let succeeded = response.is_ok();
    state.calls.push(Call {
        method,
        body,
        ok: succeeded,
        returned: Vec::new(),
        at: Instant::now(),
    });
    response.unwrap_or_else(|r| r)
}

/// The call's parameters: JSON, or multipart form data (teloxide sends setWebhook that way).
fn parse_body(headers: &HeaderMap, body: &[u8]) -> Value {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let boundary = content_type
        .filter(|ct| ct.starts_with("multipart/form-data"))
        .and_then(|ct| ct.split("boundary=").nth(1))
        .map(|b| b.trim_matches('"').to_string());
    let Some(boundary) = boundary else {
        return serde_json::from_slice(body).unwrap_or(json!({}));
    };
    let text = String::from_utf8_lossy(body);
    let mut fields = serde_json::Map::new();
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else { continue };
        let Some(name) = head.split("name=\"").nth(1).and_then(|n| n.split('"').next()) else {
            continue;
        };
        let value = value.trim_end_matches("\r\n");
        let value = serde_json::from_str(value).unwrap_or_else(|_| json!(value));
        fields.insert(name.to_string(), value);
    }
    Value::Object(fields)
}

/// Answers one method with its `result`, or a Telegram error.
fn handle(state: &mut Inner, method: &str, body: &Value) -> Result<Value, TgError> {
    match method {
        "getMe" => {
            let mut me = bot_user();
            me["can_join_groups"] = json!(false);
            me["can_read_all_group_messages"] = json!(false);
            me["supports_inline_queries"] = json!(false);
            me["has_main_web_app"] = json!(false);
            Ok(me)
        }
        "getWebhookInfo" => {
            let url = state.webhook.as_ref().map(|(u, _)| u.clone()).unwrap_or_default();
            Ok(json!({"url": url, "has_custom_certificate": false,
                "pending_update_count": state.pending.len()}))
        }
        "deleteWebhook" => {
            state.webhook = None;
            Ok(json!(true))
        }
        "setWebhook" => {
            let url = body["url"].as_str().unwrap_or_default().to_string();
            let secret = body["secret_token"].as_str().map(str::to_string);
            state.webhook = Some((url, secret));
            Ok(json!(true))
        }
        "sendChatAction" => Ok(json!(true)),
        "setMyCommands" => set_my_commands(body),
        "sendMessage" => send_message(state, body),
        "editMessageReplyMarkup" => {
            let buttons = parse_keyboard(&body["reply_markup"])?;
            let message = state
                .find_message(body)
                .ok_or_else(|| error(400, "Bad Request: message to edit not found"))?;
            if message.buttons == buttons {
                return Err(error(400, NOT_MODIFIED));
            }
            message.buttons = buttons;
            Ok(message_json(message))
        }
        "editMessageText" => {
            let text = parse_text(body)?;
            let buttons = parse_keyboard(&body["reply_markup"])?;
            let message = state
                .find_message(body)
                .ok_or_else(|| error(400, "Bad Request: message to edit not found"))?;
            if message.text == text && message.buttons == buttons {
                return Err(error(400, NOT_MODIFIED));
            }
            message.text = text;
            message.buttons = buttons;
            Ok(message_json(message))
        }
        "answerCallbackQuery" => {
            let id = body["callback_query_id"].as_str().unwrap_or_default();
            if !state.open_callbacks.remove(id) {
                return Err(error(
                    400,
                    "Bad Request: query is too old and response timeout expired or query ID is invalid",
                ));
            }
            Ok(json!(true))
        }
        _ => Err(error(404, "Not Found: method not found")),
    }
}

fn send_message(state: &mut Inner, body: &Value) -> Result<Value, TgError> {
    let chat = body["chat_id"].as_i64().ok_or_else(|| error(400, "Bad Request: chat not found"))?;
    let text = parse_text(body)?;
    let buttons = parse_keyboard(&body["reply_markup"])?;
    let id = state.take_message_id();
    let message = ChatMessage { chat, id, text, buttons };
    let json = message_json(&message);
    state.messages.push(message);
    Ok(json)
}

fn set_my_commands(body: &Value) -> Result<Value, TgError> {
    let commands = body["commands"].as_array().cloned().unwrap_or_default();
    for command in &commands {
        let name = command["command"].as_str().unwrap_or_default();
        let description = command["description"].as_str().unwrap_or_default();
        let name_ok = (1..=32).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok || !(1..=256).contains(&description.chars().count()) {
            return Err(error(400, "Bad Request: BOT_COMMAND_INVALID"));
        }
    }
    Ok(json!(true))
}

/// The text as the user will see it: HTML entities parsed when `parse_mode` is HTML.
fn parse_text(body: &Value) -> Result<String, TgError> {
    let raw = body["text"].as_str().unwrap_or_default();
    let text = match body["parse_mode"].as_str() {
        Some("HTML") => parse_html(raw)
            .map_err(|why| error(400, &format!("Bad Request: can't parse entities: {why}")))?,
        _ => raw.to_string(),
    };
    if text.trim().is_empty() {
        return Err(error(400, "Bad Request: message text is empty"));
    }
    if text.encode_utf16().count() > 4096 {
        return Err(error(400, "Bad Request: message is too long"));
    }
    Ok(text)
}

/// Telegram's HTML: a few tags, and `&lt; &gt; &amp; &quot;` plus numeric entities. Anything else
/// after `<` or `&` is an error, which is what unescaped text runs into.
fn parse_html(raw: &str) -> Result<String, String> {
    const TAGS: &[&str] =
        &["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "blockquote"];
    let mut out = String::new();
    let mut rest = raw;
    while let Some(pos) = rest.find(['<', '&']) {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        if rest.starts_with('<') {
            let end = rest.find('>').ok_or("unclosed start tag")?;
            let tag = rest[1..end].trim_start_matches('/');
            if !TAGS.contains(&tag) {
                return Err(format!("unsupported start tag \"{tag}\""));
            }
            rest = &rest[end + 1..];
        } else {
            let end = rest.find(';').ok_or("character entity without ';'")?;
            let entity = &rest[1..end];
            let decoded = match entity {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "quot" => '"',
                _ => entity
                    .strip_prefix('#')
                    .and_then(|n| n.parse::<u32>().ok())
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("unsupported entity \"{entity}\""))?,
            };
            out.push(decoded);
            rest = &rest[end + 1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn parse_keyboard(markup: &Value) -> Result<Vec<Vec<(String, String)>>, TgError> {
    let Some(rows) = markup["inline_keyboard"].as_array() else {
        return Ok(Vec::new());
    };
    rows.iter()
        .map(|row| {
            row.as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|button| {
                    let label = button["text"].as_str().unwrap_or_default().to_string();
                    let data = button["callback_data"].as_str().unwrap_or_default().to_string();
                    if label.is_empty() || data.is_empty() || data.len() > 64 {
                        return Err(error(400, "Bad Request: BUTTON_DATA_INVALID"));
                    }
                    Ok((label, data))
                })
                .collect()
        })
        .collect()
}

/// Long polling: confirms updates below `offset`, then waits up to `timeout` seconds for news.
async fn get_updates(inner: &Shared, body: Value) -> Response {
    let offset = body["offset"].as_i64().unwrap_or(0);
    let limit = body["limit"].as_u64().unwrap_or(100) as usize;
    let timeout = body["timeout"].as_u64().unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(timeout);
    loop {
        {
            let mut state = inner.lock().expect("stub state");
            if offset > 0 {
                state.pending.retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
            }
            let mut batch: Vec<Value> = state.redeliver.drain(..).collect();
            let room = limit.saturating_sub(batch.len());
            batch.extend(state.pending.iter().take(room).cloned());
            if !batch.is_empty() || Instant::now() >= deadline {
                let returned = batch.iter().filter_map(|u| u["update_id"].as_i64()).collect();
                state.calls.push(Call {
                    method: "getUpdates".into(),
                    body,
                    ok: true,
                    returned,
                    at: Instant::now(),
                });
                return ok(Value::Array(batch));
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
