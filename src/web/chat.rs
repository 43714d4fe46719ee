//! The applicant chat page: `GET /` shows the conversation, `POST /send` takes one message or
//! button press and redirects back (POST-redirect-GET, so reloading never sends twice).
//!
//! A conversation is an anonymous random id in an HttpOnly, SameSite=Lax cookie; its engine
//! state lives in the store like every channel's. What was said is shown from an in-memory
//! transcript (the last [`KEEP_MESSAGES`] messages, dropped after [`IDLE_HOURS`] idle, on
//! `/forget` and on restart): user text is never written to disk by this page. SameSite=Lax
//! keeps another site from posting into someone's conversation.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::html::{escape, multiline, page};
use super::security::{client_addr, cookie, is_token, peer, random_token, secure, set_cookie};
use super::{remind, App, CHANNEL};
use crate::engine::commands::{self, Command};
use crate::engine::{Choice, Input, Reply, UserKey};
use crate::service::{self, TurnRequest, TurnResult};
use crate::store::{outbox, tracking};

/// The conversation cookie.
pub const COOKIE: &str = "mente_chat";

/// Messages shown (user and assistant together).
pub const KEEP_MESSAGES: usize = 40;

/// A transcript idle this long is forgotten.
pub const IDLE_HOURS: i64 = 6;

/// The cookie lives a month, so a user who comes back continues where they were.
const COOKIE_SECONDS: i64 = 30 * 24 * 3600;

/// In-memory transcripts by conversation id.
#[derive(Debug, Default)]
pub struct Transcripts {
    by_id: Mutex<HashMap<String, Transcript>>,
}

/// What one conversation shows.
#[derive(Debug, Clone, Default)]
struct Transcript {
    messages: VecDeque<Message>,
    /// Buttons of the latest turn (only those are offered; older ones would be stale).
    choices: Vec<Choice>,
    /// Index of the latest turn's first message: the page opens there, so a long answer is
    /// read from its beginning rather than its end.
    latest: usize,
    at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
struct Message {
    mine: bool,
    /// A parked reminder, not an answer: shown apart, and it does not count as a conversation.
    reminder: bool,
    text: String,
}

/// Beyond this many conversations, idle ones are dropped first.
const MAX_CONVERSATIONS: usize = 20_000;

impl Transcripts {
    fn get(&self, id: &str, now: DateTime<Utc>) -> Transcript {
        let map = self.by_id.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(id) {
            Some(t) if t.at.is_some_and(|at| now - at < Duration::hours(IDLE_HOURS)) => t.clone(),
            _ => Transcript::default(),
        }
    }

    fn record(
        &self,
        id: &str,
        said: Option<String>,
        replies: &[Reply],
        forget: bool,
        now: DateTime<Utc>,
    ) {
        let mut map = self.by_id.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_CONVERSATIONS && !map.contains_key(id) {
            map.retain(|_, t| t.at.is_some_and(|at| now - at < Duration::hours(IDLE_HOURS)));
        }
        let t = map.entry(id.to_string()).or_default();
        if forget || t.at.is_some_and(|at| now - at >= Duration::hours(IDLE_HOURS)) {
            *t = Transcript::default();
        }
        let mut latest = t.messages.len();
        if let (Some(text), false) = (said, forget) {
            t.messages.push_back(Message { mine: true, reminder: false, text });
        }
        for reply in replies {
            t.messages.push_back(Message {
                mine: false,
                reminder: false,
                text: reply.text.clone(),
            });
        }
        while t.messages.len() > KEEP_MESSAGES {
            t.messages.pop_front();
            latest = latest.saturating_sub(1);
        }
        t.latest = latest;
        t.choices = replies.iter().flat_map(|r| r.choices.iter().cloned()).collect();
        t.at = Some(now);
    }

    /// Adds messages the user did not ask for (parked reminders) after the conversation,
    /// keeping the buttons of the latest turn: the question they were answering still stands.
    fn notify(&self, id: &str, messages: &[Reply], now: DateTime<Utc>) {
        let mut map = self.by_id.lock().unwrap_or_else(|e| e.into_inner());
        let t = map.entry(id.to_string()).or_default();
        if t.at.is_some_and(|at| now - at >= Duration::hours(IDLE_HOURS)) {
            *t = Transcript::default();
        }
        let mut latest = t.messages.len();
        for reply in messages {
            t.messages.push_back(Message { mine: false, reminder: true, text: reply.text.clone() });
        }
        while t.messages.len() > KEEP_MESSAGES {
            t.messages.pop_front();
            latest = latest.saturating_sub(1);
        }
        t.latest = latest;
        t.at = Some(now);
    }
}

/// `GET /` and `POST /send`.
pub fn router() -> Router<App> {
    Router::new().route("/", get(show)).route("/send", post(send))
}

/// One message: typed text `t` or the data `b` of a pressed button.
#[derive(Debug, Deserialize)]
pub struct SendForm {
    /// Typed text (or a command such as `/menu` from the bottom buttons).
    #[serde(default)]
    pub t: Option<String>,
    /// Button data.
    #[serde(default)]
    pub b: Option<String>,
}

async fn show(State(app): State<App>, headers: HeaderMap) -> Response {
    let now = app.clock.now();
    let (id, fresh) = conversation(&headers);
    let mut transcript = app.transcripts.get(&id, now);
    if transcript.messages.is_empty() && !fresh {
        // After a restart the engine still knows where the user was; show that question again.
        let user = UserKey::new(CHANNEL, &id);
        match service::resume(&app.store, &app.assistant, &user, now).await {
            Ok(replies) if !replies.is_empty() => {
                app.transcripts.record(&id, None, &replies, false, now);
                transcript = app.transcripts.get(&id, now);
            }
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "web: resume failed"),
        }
    }
    if !fresh {
        let user = UserKey::new(CHANNEL, &id);
        match outbox::take_parked(&app.store, &user).await {
            Ok(parked) if !parked.is_empty() => {
                let shown: Vec<Reply> = parked.iter().map(remind::shown).collect();
                app.transcripts.notify(&id, &shown, now);
                // A plain load opens at the top of a long conversation, where the reminder
                // would go unseen: open at it, as after a message (works without script).
                return back();
            }
            Ok(_) => {}
            // Not taken, so still parked: shown at the next load.
            Err(err) => tracing::error!(error = %err, "web: parked reminders unreadable"),
        }
    }
    let body = page("门特助手", "chat", &render(&transcript));
    with_cookie(
        &app,
        &headers,
        fresh.then_some(&id),
        (StatusCode::OK, html_type(), body).into_response(),
    )
}

async fn send(State(app): State<App>, request: Request) -> Response {
    let now = app.clock.now();
    let headers = request.headers().clone();
    let addr = client_addr(&headers, peer(&request), app.config.trust_proxy);
    let (id, fresh) = conversation(&headers);
    let form = match Form::<SendForm>::from_request(request, &app).await {
        Ok(Form(form)) => form,
        Err(rejection) => {
            let text = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                "这条消息太长了，请分几次发送，每次不超过2000字。"
            } else {
                "没有看懂这次提交，请返回重试。"
            };
            return (rejection.status(), html_type(), message_page(text)).into_response();
        }
    };
    let rates = app.config.rates;
    if !app.limiter.allow(&format!("chat:addr:{addr}"), rates.chat_per_address, now)
        || !app.limiter.allow(&format!("chat:conv:{id}"), rates.chat_per_conversation, now)
    {
        tracing::info!(channel = CHANNEL, "web: chat rate limit");
        return (
            StatusCode::TOO_MANY_REQUESTS,
            html_type(),
            message_page("您发得太快了，请稍等一分钟再发送。"),
        )
            .into_response();
    }
    let Some((input, said)) = input_of(&form, &app.transcripts.get(&id, now)) else {
        return with_cookie(&app, &headers, fresh.then_some(&id), back());
    };
    let command = match &input {
        Input::Text(t) => commands::read(t, &app.assistant.content.understand.commands),
        _ => None,
    };
    let user = UserKey::new(CHANNEL, &id);
    let before = latest_reminder(&app, &user).await;
    let request = TurnRequest { user: user.clone(), update_id: None, input, now };
    match service::turn(&app.store, &app.assistant, request).await {
        Ok(TurnResult::Replies(mut replies)) => {
            let set_up = remind::reminders_added(before, latest_reminder(&app, &user).await);
            if command == Some(Command::Reminders) || set_up {
                remind::add_note(&mut replies);
            }
            // After /forget, and after 删除我的数据 once confirmed (确定删除) a turn later.
            let forget = replies.iter().any(|r| r.text.contains(commands::FORGOTTEN));
            app.transcripts.record(&id, said, &replies, forget, now)
        }
        Ok(TurnResult::Duplicate) => {}
        Err(err) => {
            tracing::error!(error = %err, "web: turn failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                html_type(),
                message_page("系统繁忙，请稍后再试。"),
            )
                .into_response();
        }
    }
    with_cookie(&app, &headers, fresh.then_some(&id), back())
}

/// The user's newest pending reminder; `None` also when it cannot be read (then no note is
/// added, which is the only consequence).
async fn latest_reminder(app: &App, user: &UserKey) -> Option<i64> {
    match tracking::latest_pending_reminder(app.store.pool(), user).await {
        Ok(id) => id,
        Err(err) => {
            tracing::warn!(error = %err, "web: pending reminders unreadable");
            None
        }
    }
}

/// The engine input and what the transcript shows as the user's message.
fn input_of(form: &SendForm, transcript: &Transcript) -> Option<(Input, Option<String>)> {
    if let Some(data) = form.b.as_deref().filter(|d| !d.is_empty()) {
        // Show the label the user tapped; a stale button (from an older page) shows its data
        // nowhere — the engine will say the button is out of date.
        let label = transcript.choices.iter().find(|c| c.data == data).map(|c| c.label.clone());
        return Some((Input::Button(data.to_string()), label));
    }
    let text = form.t.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
    let shown = match text {
        "/start" => None,
        "/menu" => Some("主菜单".to_string()),
        "/human" => Some("人工咨询".to_string()),
        _ => Some(text.to_string()),
    };
    Some((Input::Text(text.to_string()), shown))
}

/// The conversation id from the cookie, or a new one (`true`: set the cookie).
fn conversation(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, COOKIE).filter(|v| is_token(v)) {
        Some(id) => (id.to_string(), false),
        None => (random_token(), true),
    }
}

fn with_cookie(
    app: &App,
    headers: &HeaderMap,
    new_id: Option<&String>,
    mut response: Response,
) -> Response {
    if let Some(id) = new_id {
        let value = set_cookie(COOKIE, id, "/", "Lax", COOKIE_SECONDS, secure(app, headers));
        if let Ok(v) = value.parse() {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

fn back() -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, "/#latest")]).into_response()
}

fn html_type() -> [(header::HeaderName, &'static str); 1] {
    [(header::CONTENT_TYPE, "text/html; charset=utf-8")]
}

fn message_page(text: &str) -> String {
    page(
        "门特助手",
        "chat",
        &format!("<main><p class=\"notice\">{}</p><p><a class=\"big-link\" href=\"/\">返回对话</a></p></main>", escape(text)),
    )
}

/// The page body for a transcript.
fn render(t: &Transcript) -> String {
    let mut out = String::from(
        "<header class=\"top\"><h1>门特助手</h1><p>攀枝花 · 邵阳 门诊慢特病（门特）咨询</p></header><main>",
    );
    out.push_str("<ol class=\"log\" aria-live=\"polite\">");
    if t.messages.is_empty() {
        out.push_str(
            "<li class=\"bot\">您好！我是门特助手，可以帮您了解门诊慢特病（门特）怎么申请、要什么材料、能报多少。<br>\
             点下面的“开始咨询”，或者直接在下方输入您的问题。</li>",
        );
    }
    for (i, m) in t.messages.iter().enumerate() {
        let class = match (m.mine, m.reminder) {
            (true, _) => "me",
            (false, true) => "bot reminder",
            (false, false) => "bot",
        };
        let anchor = if i == t.latest { " id=\"latest\"" } else { "" };
        out.push_str(&format!("<li class=\"{class}\"{anchor}>{}</li>", multiline(&m.text)));
    }
    out.push_str("</ol>");
    // Only reminders so far (a returning user whose conversation was forgotten): the way in
    // is still the first step.
    if t.choices.is_empty() && t.messages.iter().all(|m| m.reminder) {
        out.push_str(
            "<form method=\"post\" action=\"/send\" class=\"choices\">\
             <button name=\"t\" value=\"/start\" class=\"choice\">开始咨询</button></form>",
        );
    } else if !t.choices.is_empty() {
        out.push_str("<form method=\"post\" action=\"/send\" class=\"choices\">");
        for c in &t.choices {
            out.push_str(&format!(
                "<button name=\"b\" value=\"{}\" class=\"choice\">{}</button>",
                escape(&c.data),
                escape(&c.label)
            ));
        }
        out.push_str("</form>");
    }
    out.push_str(
        "<form method=\"post\" action=\"/send\" class=\"composer\">\
         <label for=\"t\">输入您的问题或回答</label>\
         <textarea id=\"t\" name=\"t\" rows=\"2\" maxlength=\"2000\" placeholder=\"例如：申请要什么材料？\"></textarea>\
         <button type=\"submit\" class=\"send\">发送</button></form>\
         <form method=\"post\" action=\"/send\" class=\"tools\">\
         <button name=\"t\" value=\"/menu\">主菜单</button>\
         <button name=\"t\" value=\"/human\">人工咨询</button>\
         <button name=\"t\" value=\"/forget\">删除我的信息</button></form>\
         <p class=\"fine\">未经您同意，我们不保存您的个人信息；“删除我的信息”会清除本对话。答案仅供参考，以当地医保部门为准。</p></main>",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pressed_button_shows_its_label_and_blank_text_sends_nothing() {
        let mut t = Transcript::default();
        t.choices.push(Choice { label: "攀枝花".into(), data: "1|c|0".into() });
        let form = SendForm { t: None, b: Some("1|c|0".into()) };
        assert_eq!(
            input_of(&form, &t),
            Some((Input::Button("1|c|0".into()), Some("攀枝花".into())))
        );
        assert_eq!(input_of(&SendForm { t: Some("  ".into()), b: None }, &t), None);
    }

    #[test]
    fn the_transcript_keeps_the_latest_messages_and_forget_clears_it() {
        let transcripts = Transcripts::default();
        let now = DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z").unwrap().to_utc();
        let reply = Reply { text: "答".into(), choices: vec![] };
        for i in 0..KEEP_MESSAGES {
            transcripts.record(
                "a",
                Some(format!("问{i}")),
                std::slice::from_ref(&reply),
                false,
                now,
            );
        }
        let t = transcripts.get("a", now);
        assert_eq!(t.messages.len(), KEEP_MESSAGES);
        assert_eq!(t.messages.back().unwrap().text, "答");
        transcripts.record("a", Some("/forget".into()), std::slice::from_ref(&reply), true, now);
        assert_eq!(transcripts.get("a", now).messages.len(), 1, "only the reply to /forget stays");
        assert!(transcripts.get("a", now + Duration::hours(IDLE_HOURS)).messages.is_empty());
    }
}
