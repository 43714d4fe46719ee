//! The hand-off inbox (issue 18): the queue of users waiting for a person, with how long each
//! has waited; a thread view with the conversation that led to the hand-off (masked as the
//! store keeps it), the messages since and the audit trail (who claimed, answered and closed,
//! when); 我来处理 (claim), a reply box with one-click insertion of an FAQ answer found by the
//! console search, and 结束 (close).
//!
//! Every page refreshes its live part by itself: the script (`app.js`) reloads the element
//! marked `data-refresh` every few seconds without touching the reply box; without script the
//! queue carries a meta refresh and the thread a reload link (a meta refresh would wipe a reply
//! being typed). The rules (one claimer, only the claimer replies) are the store's
//! ([`crate::store::handoff`]); this module only shows and forwards.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::auth::StaffUser;
use super::{failed, see_other, staff_page};
use crate::clock::in_china;
use crate::store::handoff::{self, sender, Claim, Message, Thread};
use crate::web::html::{csrf_field, escape, multiline};
use crate::web::App;

/// Seconds between refreshes of the queue and the thread.
const REFRESH_SECONDS: u32 = 5;

/// `?q=` (FAQ search) and `?use=` (an answer to put into the reply box) of a thread.
#[derive(Debug, Default, Deserialize)]
pub struct ThreadQuery {
    #[serde(default)]
    q: String,
    #[serde(default, rename = "use")]
    insert: String,
}

/// The reply form.
#[derive(Debug, Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    text: String,
}

/// `GET /staff/inbox`
pub async fn page(State(app): State<App>, Extension(user): Extension<StaffUser>) -> Response {
    let now = app.clock.now();
    close_idle(&app, now).await;
    let threads = match handoff::queue(app.store.pool()).await {
        Ok(t) => t,
        Err(err) => return failed(err),
    };
    let body = format!(
        "<h1>人工服务收件箱</h1><p class=\"meta\">等待最久的在前。点“我来处理”接手后才能回复，\
         两人不会同时回复同一位用户。<a href=\"/staff/inbox\">刷新</a> · \
         <a href=\"/staff/handoffs\">所有转人工请求（含只要热线的）</a></p>\
         <noscript><meta http-equiv=\"refresh\" content=\"{REFRESH_SECONDS}\"></noscript>\
         <div id=\"live\" data-refresh=\"{REFRESH_SECONDS}\">{}</div>",
        queue_html(&app, &user, &threads, now)
    );
    staff_page(&user, "人工服务", "/staff/inbox", &body)
}

/// `GET /staff/inbox/{id}`
pub async fn thread(
    State(app): State<App>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<i64>,
    Query(query): Query<ThreadQuery>,
) -> Response {
    let now = app.clock.now();
    let (thread, messages) = match handoff::thread(app.store.pool(), id).await {
        Ok(Some(found)) => found,
        Ok(None) => return (StatusCode::NOT_FOUND, "没有这个会话").into_response(),
        Err(err) => return failed(err),
    };
    let mine = thread.claimed_by.as_deref() == Some(user.name.as_str());
    // At a desk the conversation and the reply box sit side by side (CSS grid); on a phone
    // the reply box follows the conversation.
    let mut body = format!(
        "<p><a href=\"/staff/inbox\">← 收件箱</a> · <a href=\"/staff/inbox/{id}\">刷新</a></p>\
         <div class=\"thread-grid\"><div id=\"live\" data-refresh=\"{REFRESH_SECONDS}\">{}</div><aside>",
        thread_html(&app, &user, &thread, &messages, now)
    );
    if thread.closed_at.is_none() && mine {
        let prefill = insertion(&app, &query);
        body.push_str(&reply_form(&user, id, &prefill));
        body.push_str(&faq_search(&app, id, &query.q));
    }
    body.push_str("</aside></div>");
    staff_page(&user, &format!("会话 {id}"), "/staff/inbox", &body)
}

/// `POST /staff/inbox/{id}/claim`: 我来处理.
pub async fn claim(
    State(app): State<App>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<i64>,
) -> Response {
    match handoff::claim(app.store.pool(), id, &user.name, app.clock.now()).await {
        Ok(Claim::Claimed) => {
            tracing::info!(staff = %user.name, id, "web: hand-off claimed");
            see_other(&format!("/staff/inbox/{id}"))
        }
        Ok(Claim::Taken(by)) if by == user.name => see_other(&format!("/staff/inbox/{id}")),
        Ok(Claim::Taken(by)) => refused(&format!("{by} 已经在处理这位用户了。")),
        Ok(Claim::Gone) => refused("这个会话已经结束了。"),
        Err(err) => failed(err),
    }
}

/// `POST /staff/inbox/{id}/reply`
pub async fn reply(
    State(app): State<App>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<i64>,
    Form(form): Form<ReplyForm>,
) -> Response {
    let text = form.text.trim();
    if text.is_empty() {
        return see_other(&format!("/staff/inbox/{id}"));
    }
    match handoff::reply(app.store.pool(), id, &user.name, text, app.clock.now()).await {
        Ok(true) => {
            tracing::info!(staff = %user.name, id, "web: hand-off answered");
            see_other(&format!("/staff/inbox/{id}"))
        }
        Ok(false) => refused("只有接手处理的工作人员能回复，而且会话不能已结束。"),
        Err(err) => failed(err),
    }
}

/// `POST /staff/inbox/{id}/close`
pub async fn close(
    State(app): State<App>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<i64>,
) -> Response {
    let now = app.clock.now();
    let notice = app.assistant.current().content.handoff.closed_by_staff.clone();
    match handoff::close(app.store.pool(), id, &user.name, &notice, now).await {
        Ok(_) => {
            tracing::info!(staff = %user.name, id, "web: hand-off closed");
            see_other("/staff/inbox")
        }
        Err(err) => failed(err),
    }
}

/// Closes hand-offs idle too long (the background step does it too; here the queue a member of
/// staff looks at is never behind it).
async fn close_idle(app: &App, now: DateTime<Utc>) {
    let assistant = app.assistant.current();
    if let Err(err) = crate::handoff_idle::run_once(&app.store, &assistant, now).await {
        tracing::error!(error = %err, "web: idle hand-offs not closed");
    }
}

/// 409 with the reason: someone else was faster, or the hand-off ended.
fn refused(text: &str) -> Response {
    let html = format!(
        "<!doctype html><meta charset=\"utf-8\"><p>{}</p><p><a href=\"/staff/inbox\">回到收件箱</a></p>",
        escape(text)
    );
    (StatusCode::CONFLICT, [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], html)
        .into_response()
}

fn queue_html(app: &App, user: &StaffUser, threads: &[Thread], now: DateTime<Utc>) -> String {
    if threads.is_empty() {
        return "<p>暂时没有等待人工的用户。</p>".to_string();
    }
    let mut out =
        format!("<p class=\"meta\">{} 个进行中的会话</p><ul class=\"queue\">", threads.len());
    for t in threads {
        out.push_str(&format!(
            "<li class=\"item\"><a class=\"who\" href=\"/staff/inbox/{id}\">#{id} {}</a>\
             <p class=\"{}\">{}</p><p class=\"meta\">{} · {} · {}</p>{}</li>",
            escape(t.last_text.as_deref().unwrap_or("（还没写问题）")),
            if t.waiting_since.is_some() { "wait" } else { "meta" },
            waiting(t, now),
            escape(&t.channel),
            escape(&region_name(app, t.region.as_deref())),
            if t.live() { "在线" } else { "留言" },
            claim_or_holder(user, t),
            id = t.id,
        ));
    }
    out.push_str("</ul>");
    out
}

/// 等待 N 分钟 (from the user's first unanswered message), or 已回复.
fn waiting(t: &Thread, now: DateTime<Utc>) -> String {
    match t.waiting_since {
        Some(since) => format!("等待 {}", duration((now.timestamp() - since).max(0))),
        None => "已回复，等用户".to_string(),
    }
}

fn duration(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s} 秒"),
        s if s < 3600 => format!("{} 分钟", s / 60),
        s => format!("{} 小时 {} 分钟", s / 3600, s % 3600 / 60),
    }
}

fn claim_or_holder(user: &StaffUser, t: &Thread) -> String {
    match &t.claimed_by {
        Some(by) if *by == user.name => "<p class=\"ok\">由我处理</p>".to_string(),
        Some(by) => format!("<p class=\"meta\">{} 处理中</p>", escape(by)),
        None => format!(
            "<form method=\"post\" action=\"/staff/inbox/{}/claim\">{}<button>我来处理</button></form>",
            t.id,
            csrf_field(&user.csrf)
        ),
    }
}

fn thread_html(
    app: &App,
    user: &StaffUser,
    t: &Thread,
    messages: &[Message],
    now: DateTime<Utc>,
) -> String {
    let state = match t.closed_at {
        Some(at) => format!("已结束（{}）", clock(at)),
        None => waiting(t, now),
    };
    let mut out = format!(
        "<h1>#{} · {} · {}</h1><p class=\"meta\">{} · 开始 {} · {}</p>",
        t.id,
        escape(&t.channel),
        escape(&region_name(app, t.region.as_deref())),
        if t.live() { "在线" } else { "留言" },
        clock(t.opened_at),
        escape(&state),
    );
    if t.closed_at.is_none() {
        out.push_str(&claim_or_holder(user, t));
    }
    let lead: Vec<&Message> = messages.iter().filter(|m| is_lead(m)).collect();
    if !lead.is_empty() {
        out.push_str(
            "<details class=\"lead\" open><summary>转人工前的对话</summary><ol class=\"log\">",
        );
        for m in lead {
            out.push_str(&message_html(m));
        }
        out.push_str("</ol></details>");
    }
    out.push_str("<ol class=\"log thread\">");
    for m in messages.iter().filter(|m| !is_lead(m)) {
        out.push_str(&message_html(m));
    }
    out.push_str("</ol>");
    if t.closed_at.is_none() && t.claimed_by.as_deref() == Some(user.name.as_str()) {
        out.push_str(&format!(
            "<form method=\"post\" action=\"/staff/inbox/{}/close\" class=\"close\">{}\
             <button>结束人工（助手接回）</button></form>",
            t.id,
            csrf_field(&user.csrf)
        ));
    }
    out
}

fn is_lead(m: &Message) -> bool {
    m.sender == sender::LEAD_USER || m.sender == sender::LEAD_BOT
}

/// One message; staff messages and events carry who and when (the audit trail).
fn message_html(m: &Message) -> String {
    let at = clock(m.at);
    match m.sender.as_str() {
        sender::USER | sender::LEAD_USER => {
            format!(
                "<li class=\"me\">{}<span class=\"when\">用户 · {at}</span></li>",
                multiline(&m.body)
            )
        }
        sender::STAFF => format!(
            "<li class=\"staff-reply\">{}<span class=\"when\">{} 回复 · {at}{}</span></li>",
            multiline(&m.body),
            escape(m.staff.as_deref().unwrap_or("")),
            if m.delivered_at.is_some() { " · 已送达" } else { " · 待送达" },
        ),
        sender::EVENT => format!(
            "<li class=\"event\">{} {} · {at}</li>",
            escape(m.staff.as_deref().unwrap_or("系统")),
            escape(&m.body)
        ),
        _ => format!(
            "<li class=\"bot\">{}<span class=\"when\">助手 · {at}</span></li>",
            multiline(&m.body)
        ),
    }
}

fn reply_form(user: &StaffUser, id: i64, prefill: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/staff/inbox/{id}/reply\" class=\"reply\">{}\
         <label for=\"reply\">回复用户（会发到用户所在的渠道）</label>\
         <textarea id=\"reply\" name=\"text\" rows=\"4\" maxlength=\"2000\">{}</textarea>\
         <button>发送</button></form>",
        csrf_field(&user.csrf),
        escape(prefill)
    )
}

/// The console search inside the thread: each region's answer with an 插入 link that puts it
/// into the reply box (with script at once, without it through `?use=`).
fn faq_search(app: &App, id: i64, q: &str) -> String {
    let mut out = format!(
        "<form method=\"get\" action=\"/staff/inbox/{id}\" class=\"search\" role=\"search\">\
         <label for=\"q\">查资料（可把答案插入回复）</label>\
         <input id=\"q\" name=\"q\" type=\"search\" value=\"{}\"><button>查询</button></form>",
        escape(q)
    );
    if q.trim().is_empty() {
        return out;
    }
    out.push_str("<div class=\"side-by-side\">");
    let a = app.assistant.current();
    for region in a.content.regions.values() {
        let Some(text) = answer_text(app, q, &region.id) else {
            out.push_str(&format!(
                "<section class=\"answer\"><h3>{}</h3><p class=\"meta\">资料里没有找到对应的答案，\
                 请换个说法再查，或自己回复。</p></section>",
                escape(&region.name),
            ));
            continue;
        };
        let link = format!("/staff/inbox/{id}?q={}&use={}", url_encode(q), url_encode(&region.id));
        out.push_str(&format!(
            "<section class=\"answer\"><h3>{}</h3><p>{}</p>\
             <a class=\"insert\" href=\"{}\" data-text=\"{}\">插入回复</a></section>",
            escape(&region.name),
            multiline(&text),
            escape(&link),
            escape(&text),
        ));
    }
    out.push_str("</div>");
    out
}

/// The answer to put into the reply box for `?use=<region>` with the search `q`.
fn insertion(app: &App, query: &ThreadQuery) -> String {
    if query.insert.is_empty() || query.q.trim().is_empty() {
        return String::new();
    }
    answer_text(app, query.q.trim(), &query.insert).unwrap_or_default()
}

/// The FAQ answer for `q` in `region` exactly as a user would get it: the rendered answer
/// already ends with its one 来源 line (source, region, date), so nothing is appended — a
/// second source line would reach the user too. `None` when no entry matched: the not-sure
/// fallback (抱歉，这个问题我没有把握…) is no answer to send a person who waits for staff.
fn answer_text(app: &App, q: &str, region: &str) -> Option<String> {
    let answer = app.assistant.current().knowledge.answer(q, Some(region));
    answer.id.map(|_| answer.answer)
}

fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn clock(at: i64) -> String {
    let utc = DateTime::from_timestamp(at, 0).unwrap_or_default();
    in_china(utc).format("%m-%d %H:%M").to_string()
}

fn region_name(app: &App, id: Option<&str>) -> String {
    match id {
        Some(id) => app
            .assistant
            .current()
            .content
            .regions
            .get(id)
            .map_or_else(|| id.to_string(), |r| r.name.clone()),
        None => "未选地区".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_times_read_in_minutes_and_hours() {
        assert_eq!(duration(42), "42 秒");
        assert_eq!(duration(5 * 60 + 3), "5 分钟");
        assert_eq!(duration(2 * 3600 + 7 * 60), "2 小时 7 分钟");
    }
}
