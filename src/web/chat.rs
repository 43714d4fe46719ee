//! The applicant chat page: `GET /` shows the conversation, `POST /send` takes one message or
//! button press and redirects back (POST-redirect-GET, so reloading never sends twice).
//!
//! A conversation is a random id the server issued, signed with a key kept in the database
//! (shared by every instance), in an HttpOnly, SameSite=Lax cookie: a cookie the server did not
//! sign — made up, or altered — gets a fresh conversation. Its engine state lives in the store
//! like every channel's. What was said is shown from the in-memory [`Transcripts`]: user text is
//! never written to disk by this page. POSTs from other sites are refused
//! ([`super::security::same_origin`]), and SameSite=Lax keeps the cookie off them anyway.
//!
//! [`Transcripts`]: super::transcripts::Transcripts

use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::html::{escape, multiline, page};
use super::security::{client_addr, cookie, peer, random_token, secure, set_cookie, sign, verify};
use super::transcripts::Transcript;
use super::{remind, App, CHANNEL};
use crate::engine::commands::{self, Command};
use crate::engine::{Choice, Input, Reply, UserKey};
use crate::service::{self, TurnRequest, TurnResult};
use crate::store::page::{self, PageNews};
use crate::store::{keys, outbox, StoreError};

/// The conversation cookie.
pub const COOKIE: &str = "mente_chat";

/// The cookie lives a month, so a user who comes back continues where they were.
const COOKIE_SECONDS: i64 = 30 * 24 * 3600;

/// Name of the cookie-signing key in `server_keys`.
const KEY_NAME: &str = "web_chat";

/// `GET /`, `POST /send` and `GET /news` (staff replies of a hand-off, for the page's script).
pub fn router() -> Router<App> {
    Router::new().route("/", get(show)).route("/send", post(send)).route("/news", get(news))
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
    let (id, new_cookie) = match conversation(&app, &headers).await {
        Ok(conversation) => conversation,
        Err(err) => return unavailable(&err),
    };
    let fresh = new_cookie.is_some();
    let mut transcript = app.transcripts.get(&id, now);
    if transcript.messages.is_empty() && !fresh {
        // After a restart (or on another instance) the engine still knows where the user was;
        // show that question again, or the main menu, not the new visitor's page.
        let user = UserKey::new(CHANNEL, &id);
        match service::resume_page(&app.store, &app.assistant.current(), &user, now).await {
            Ok(replies) if !replies.is_empty() => {
                app.transcripts.record(&id, None, &replies, false, now);
                transcript = app.transcripts.get(&id, now);
            }
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "web: resume failed"),
        }
    }
    let mut handoff = Handoff::None;
    if !fresh {
        let user = UserKey::new(CHANNEL, &id);
        // One read says whether anything waits; only then is it taken (writes).
        let news = match page::news(app.store.reader(), &user).await {
            Ok(news) => news,
            Err(err) => {
                tracing::error!(error = %err, "web: page news unreadable");
                // Look the slow way: each take below reads (and logs) on its own.
                let handoff_open = super::handoff::is_open(&app, &id).await;
                PageNews { parked: true, replies: true, handoff_open, handoff_live: handoff_open }
            }
        };
        if news.parked {
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
        // Staff replies that arrived since (without script this is where they show).
        if news.replies && super::handoff::take(&app, &id, now).await > 0 {
            return back();
        }
        handoff = match (news.handoff_open, news.handoff_live) {
            (true, true) => Handoff::Live(crate::relay::end_button(&app.assistant.current())),
            (true, false) => Handoff::Left,
            (false, _) => Handoff::None,
        };
    }
    let body = page("门特助手", "chat", &render(&transcript, &handoff));
    with_cookie(&app, &headers, new_cookie, (StatusCode::OK, html_type(), body).into_response())
}

async fn send(State(app): State<App>, request: Request) -> Response {
    let now = app.clock.now();
    let headers = request.headers().clone();
    let addr = client_addr(&headers, peer(&request), app.config.trust_proxy);
    let (id, new_cookie) = match conversation(&app, &headers).await {
        Ok(conversation) => conversation,
        Err(err) => return unavailable(&err),
    };
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
    let refused_by =
        if !app.limiter.allow(&format!("chat:addr:{addr}"), rates.chat_per_address, now) {
            Some("chat_address")
        } else if !app.limiter.allow(&format!("chat:conv:{id}"), rates.chat_per_conversation, now) {
            Some("chat_conversation")
        } else {
            None
        };
    if let Some(limit) = refused_by {
        crate::monitor::rate_limited(limit);
        tracing::info!(channel = CHANNEL, limit, "web: chat rate limit");
        return (
            StatusCode::TOO_MANY_REQUESTS,
            html_type(),
            message_page("您发得太快了，请稍等一分钟再发送。"),
        )
            .into_response();
    }
    let end = crate::relay::end_button(&app.assistant.current());
    // The hand-off note's 结束人工 is offered on every page while a hand-off is open.
    let label = |data: &str| {
        (data == end.data)
            .then(|| end.label.clone())
            .or_else(|| app.transcripts.label_of(&id, data, now))
    };
    let Some((input, said)) = input_of(&form, label) else {
        return with_cookie(&app, &headers, new_cookie, back());
    };
    // The content of this turn, kept until it ends even if a reload swaps it meanwhile.
    let assistant = app.assistant.current();
    let command = match &input {
        Input::Text(t) => commands::read(t, &assistant.content.understand.commands),
        _ => None,
    };
    let user = UserKey::new(CHANNEL, &id);
    let request = TurnRequest { user, update_id: None, input, now };
    match service::turn_noted(&app.store, &assistant, request).await {
        Ok((TurnResult::Replies(mut replies), notes)) => {
            if command == Some(Command::Reminders) || notes.reminders_added {
                remind::add_note(&mut replies);
            }
            // After /forget, and after 删除我的数据 once confirmed (确定删除) a turn later.
            let forget = replies.iter().any(|r| r.text.contains(commands::FORGOTTEN));
            app.transcripts.record(&id, said, &replies, forget, now);
            if notes.handoff_touched {
                super::handoff::share_lead(&app, &id, now).await;
            }
        }
        Ok((TurnResult::Duplicate, _)) => {}
        Err(err) => return unavailable(&err),
    }
    with_cookie(&app, &headers, new_cookie, back())
}

/// `GET /news`: staff replies (and the assistant's notices) of the user's hand-off that
/// arrived since, as JSON for the page's script, which asks every few seconds while a
/// hand-off is open; taken, so they show once (and are in the transcript for the next load).
async fn news(State(app): State<App>, headers: HeaderMap) -> Response {
    let now = app.clock.now();
    let key = match signing_key(&app).await {
        Ok(key) => key,
        Err(err) => return unavailable(&err),
    };
    let Some(id) = cookie(&headers, COOKIE).and_then(|value| verify(value, key)) else {
        return (StatusCode::FORBIDDEN, "no conversation").into_response();
    };
    let id = id.to_string();
    let texts = super::handoff::take_texts(&app, &id, now).await;
    let open = super::handoff::is_open(&app, &id).await;
    let body = serde_json::json!({ "messages": texts, "open": open });
    (
        [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")],
        body.to_string(),
    )
        .into_response()
}

/// 500 with a polite page, the cause in the log.
fn unavailable(err: &StoreError) -> Response {
    tracing::error!(error = %err, "web: chat request failed");
    (StatusCode::INTERNAL_SERVER_ERROR, html_type(), message_page("系统繁忙，请稍后再试。"))
        .into_response()
}

/// The engine input and what the transcript shows as the user's message; `label_of` gives
/// the label of a button offered (by its data).
fn input_of(
    form: &SendForm,
    label_of: impl FnOnce(&str) -> Option<String>,
) -> Option<(Input, Option<String>)> {
    if let Some(data) = form.b.as_deref().filter(|d| !d.is_empty()) {
        // Show the label the user tapped; a stale button (from an older page) shows its data
        // nowhere — the engine will say the button is out of date.
        return Some((Input::Button(data.to_string()), label_of(data)));
    }
    let raw = form.t.as_deref()?;
    // The transcript shows what the turn reads (`service::clean_text`); the turn gets the text
    // as sent, so it can tell the user that unreadable bytes were dropped.
    let cleaned = service::clean_text(raw);
    let text = Some(cleaned.trim()).filter(|t| !t.is_empty())?;
    let shown = match text {
        "/start" => None,
        "/menu" => Some("主菜单".to_string()),
        "/human" => Some("人工咨询".to_string()),
        _ => Some(text.to_string()),
    };
    Some((Input::Text(raw.trim().to_string()), shown))
}

/// The conversation id from a cookie this server signed, or a new id with the cookie value to
/// set (`Some`). A forged, altered or pre-signing cookie is ignored, not looked up.
async fn conversation(
    app: &App,
    headers: &HeaderMap,
) -> Result<(String, Option<String>), StoreError> {
    let key = signing_key(app).await?;
    if let Some(id) = cookie(headers, COOKIE).and_then(|value| verify(value, key)) {
        return Ok((id.to_string(), None));
    }
    let id = random_token();
    let value = sign(&id, key);
    Ok((id, Some(value)))
}

/// The cookie-signing key: read (or created) once per process, shared through the database so
/// every instance accepts the ids any of them issued.
async fn signing_key(app: &App) -> Result<&[u8], StoreError> {
    let key = app
        .chat_key
        .get_or_try_init(|| async {
            let mut fresh = [0u8; 32];
            getrandom::getrandom(&mut fresh).expect("OS random source unavailable");
            keys::get_or_create(app.store.pool(), KEY_NAME, &fresh, app.clock.now()).await
        })
        .await?;
    Ok(key)
}

fn with_cookie(
    app: &App,
    headers: &HeaderMap,
    new_cookie: Option<String>,
    mut response: Response,
) -> Response {
    if let Some(value) = new_cookie {
        let value = set_cookie(COOKIE, &value, "/", "Lax", COOKIE_SECONDS, secure(app, headers));
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

/// A conversation's hand-off, as its page shows it.
enum Handoff {
    None,
    /// A question left while nobody was on duty: staff answer it later (then it is live). The
    /// user is back with the assistant meanwhile, so there is nothing to end.
    Left,
    /// Staff and user are talking; this is its 结束人工 button.
    Live(Choice),
}

/// The page body for a transcript. While a hand-off is open the script asks for staff replies
/// every few seconds, without script a link reloads; a live one's 结束人工 button stays under
/// the conversation whatever arrives (staff replies come between turns).
fn render(t: &Transcript, handoff: &Handoff) -> String {
    let waiting = !matches!(handoff, Handoff::None);
    let end = match handoff {
        Handoff::Live(end) => Some(end),
        Handoff::None | Handoff::Left => None,
    };
    let mut out = String::from(
        "<header class=\"top\"><h1>门特助手</h1><p>攀枝花 · 邵阳 门诊慢特病（门特）咨询</p></header><main>",
    );
    let poll = if waiting { " data-poll=\"/news\"" } else { "" };
    out.push_str(&format!("<ol class=\"log\" aria-live=\"polite\"{poll}>"));
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
    if matches!(handoff, Handoff::Left) {
        out.push_str(
            "<p class=\"handoff-note\">您的留言已转给工作人员，他们回复后会显示在这里。\
             <a href=\"/#latest\">刷新看回复</a></p>",
        );
    }
    if end.is_some() {
        out.push_str(
            "<p class=\"handoff-note\">人工服务中：工作人员的回复会自动显示。\
             <a href=\"/#latest\">刷新看回复</a></p>",
        );
        // Once only: the turn that opened the hand-off offers the same button.
        if let Some(end) = end.filter(|e| !t.choices.iter().any(|c| c.data == e.data)) {
            out.push_str(&format!(
                "<form method=\"post\" action=\"/send\" class=\"choices\">\
                 <button name=\"b\" value=\"{}\" class=\"choice end-human\">{}</button></form>",
                escape(&end.data),
                escape(&end.label)
            ));
        }
    }
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
        let offered = [Choice { label: "攀枝花".into(), data: "1|c|0".into() }];
        let label = |data: &str| offered.iter().find(|c| c.data == data).map(|c| c.label.clone());
        let form = SendForm { t: None, b: Some("1|c|0".into()) };
        assert_eq!(
            input_of(&form, label),
            Some((Input::Button("1|c|0".into()), Some("攀枝花".into())))
        );
        assert_eq!(input_of(&SendForm { t: Some("  ".into()), b: None }, label), None);
    }
}
