//! Hand-offs: who asked for a person — channel, region, time and what they wrote (masked, within
//! the consent rule of `store::console`) — newest first, each with a "handled" button, or a
//! link to the inbox thread it became (a thread closed there counts as handled).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Extension;
use chrono::DateTime;

use super::auth::StaffUser;
use super::{failed, see_other, staff_page};
use crate::assistant::Assistant;
use crate::clock::in_china;
use crate::store::console::{self, OpenHandoff};
use crate::web::html::{csrf_field, escape};
use crate::web::App;

/// `GET /staff/handoffs`
pub async fn page(State(app): State<App>, Extension(user): Extension<StaffUser>) -> Response {
    let handoffs = match console::open_handoffs(app.store.pool()).await {
        Ok(h) => h,
        Err(err) => return failed(err),
    };
    let waiting = handoffs.iter().filter(|h| h.thread.is_none()).count();
    let mut body = format!(
        "<h1>转人工</h1><p class=\"meta\">请求人工帮助的用户（{waiting} 条未处理）。用户的联系方式不会保存；\
         用户会被引导拨打热线。已转入<a href=\"/staff/inbox\">收件箱</a>的请求在那里处理，\
         收件箱里结束后这里不再列出。</p>"
    );
    if handoffs.is_empty() {
        body.push_str("<p>暂时没有转人工请求。</p>");
    }
    let assistant = app.assistant.current();
    for open in &handoffs {
        let h = &open.request;
        let at = DateTime::parse_from_rfc3339(&h.created_at)
            .map(|t| in_china(t.to_utc()).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|_| h.created_at.clone());
        body.push_str(&format!(
            "<section class=\"item\"><h2>{}</h2><p class=\"meta\">渠道：{} · 地区：{} · {}</p>\
             {}</section>",
            escape(h.question.as_deref().unwrap_or("（点了按钮或只说了“人工”）")),
            escape(&h.channel),
            escape(region_name(&assistant, h.region.as_deref())),
            at,
            action(open, &user),
        ));
    }
    staff_page(&user, "转人工", "/staff/handoffs", &body)
}

/// `POST /staff/handoffs/{id}/handled`
pub async fn handled(
    State(app): State<App>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<i64>,
) -> Response {
    match console::mark_handoff_handled(app.store.pool(), id, app.clock.now()).await {
        Ok(_) => {
            tracing::info!(staff = %user.name, id, "web: hand-off handled");
            see_other("/staff/handoffs")
        }
        Err(err) => failed(err),
    }
}

/// The region's name for an id (the id itself if the content no longer has it).
fn region_name<'a>(assistant: &'a Assistant, id: Option<&'a str>) -> &'a str {
    match id {
        Some(id) => assistant.content.regions.get(id).map_or(id, |r| r.name.as_str()),
        None => "未选",
    }
}

/// The 已处理 button, or for a request that became an inbox thread the link to that thread.
fn action(open: &OpenHandoff, user: &StaffUser) -> String {
    match open.thread {
        Some(thread) => format!(
            "<p class=\"meta\"><a href=\"/staff/inbox/{thread}\">已转入收件箱 #{thread}，在那里处理</a></p>"
        ),
        None => format!(
            "<form method=\"post\" action=\"/staff/handoffs/{}/handled\">{}<button>已处理</button></form>",
            open.request.id,
            csrf_field(&user.csrf)
        ),
    }
}
