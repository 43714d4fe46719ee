//! The hotline console at `/staff`. Every page but the login form is in one route table
//! ([`route_table`]); the router puts all of it behind [`require_staff`] (a logged-in session,
//! and on POST a matching CSRF token), so a new page cannot be added unprotected, and the test
//! that enumerates the table checks each one.

pub mod auth;
mod content;
mod editor;
mod handoffs;
mod inbox;
mod reminders;
mod search;
mod unanswered;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::{header, Method, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;

use super::html::{csrf_field, escape, page};
use super::security::same_secret;
use super::{App, MAX_BODY_BYTES};
use auth::StaffUser;

/// One protected console route.
pub struct Route {
    /// Its method (GET pages, POST actions).
    pub method: Method,
    /// Its path (`{id}` for a number).
    pub path: &'static str,
    handler: MethodRouter<App>,
}

fn get_route<H: Handler<T, App>, T: 'static>(path: &'static str, h: H) -> Route {
    Route { method: Method::GET, path, handler: get(h) }
}

fn post_route<H: Handler<T, App>, T: 'static>(path: &'static str, h: H) -> Route {
    Route { method: Method::POST, path, handler: post(h) }
}

/// Every console route that needs a logged-in member of staff.
pub fn route_table() -> Vec<Route> {
    vec![
        get_route("/staff", search::page),
        get_route("/staff/calc", search::calc),
        get_route("/staff/due", search::due),
        get_route("/staff/unanswered", unanswered::page),
        post_route("/staff/unanswered/{id}/handled", unanswered::handled),
        post_route("/staff/unanswered/{id}/wording", editor::add_wording),
        post_route("/staff/unanswered/{id}/entry", editor::add_entry),
        get_route("/staff/inbox", inbox::page),
        get_route("/staff/inbox/{id}", inbox::thread),
        post_route("/staff/inbox/{id}/claim", inbox::claim),
        post_route("/staff/inbox/{id}/reply", inbox::reply),
        post_route("/staff/inbox/{id}/close", inbox::close),
        get_route("/staff/handoffs", handoffs::page),
        post_route("/staff/handoffs/{id}/handled", handoffs::handled),
        get_route("/staff/reminders", reminders::page),
        get_route("/staff/content", content::page),
        post_route("/staff/content/reload", content::reload),
        post_route("/staff/logout", auth::logout),
    ]
}

/// The console: the login form, and the route table behind [`require_staff`].
pub fn router(app: App) -> Router<App> {
    let protected = route_table()
        .into_iter()
        .fold(Router::new(), |router, route| router.route(route.path, route.handler))
        .route_layer(from_fn_with_state(app, require_staff));
    Router::new().route("/staff/login", get(auth::login_page).post(auth::login)).merge(protected)
}

/// Lets a request through only with a live staff session; a POST must also carry that
/// session's CSRF token in its form. The session is handed to the handler as [`StaffUser`].
pub async fn require_staff(State(app): State<App>, request: Request, next: Next) -> Response {
    let Some(user) = auth::current(&app, request.headers()).await else {
        return match *request.method() {
            Method::GET | Method::HEAD => {
                (StatusCode::SEE_OTHER, [(header::LOCATION, "/staff/login")]).into_response()
            }
            _ => (StatusCode::FORBIDDEN, "请先登录").into_response(),
        };
    };
    let mut request = request;
    if request.method() == Method::POST {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        let token = url::form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if !same_secret(&token, &user.csrf) {
            tracing::warn!(staff = %user.name, path = %parts.uri.path(), "web: CSRF token mismatch");
            return (StatusCode::FORBIDDEN, "表单已过期，请刷新页面后重试").into_response();
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }
    request.extensions_mut().insert(user);
    next.run(request).await
}

/// A console page: navigation, the page's content and the logout button.
pub(crate) fn staff_page(user: &StaffUser, title: &str, current: &str, body: &str) -> Response {
    const NAV: [(&str, &str); 5] = [
        ("/staff", "查询"),
        ("/staff/unanswered", "未答问题"),
        ("/staff/inbox", "人工服务"),
        ("/staff/reminders", "提醒"),
        ("/staff/content", "内容状态"),
    ];
    let mut nav = String::from("<nav class=\"staff-nav\">");
    for (href, label) in NAV {
        let here = if href == current { " aria-current=\"page\"" } else { "" };
        nav.push_str(&format!("<a href=\"{href}\"{here}>{label}</a>"));
    }
    nav.push_str(&format!(
        "<form method=\"post\" action=\"/staff/logout\" class=\"logout\">{}<span>{}</span>\
         <button>退出</button></form></nav>",
        csrf_field(&user.csrf),
        escape(&user.name)
    ));
    let html = page(
        &format!("{title} · 门特助手 · 工作台"),
        "staff",
        &format!("{nav}<main>{body}</main>"),
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// Back to a console page after a POST action.
pub(crate) fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// A console error page that shows no internals (the error is logged).
pub(crate) fn failed(err: impl std::fmt::Display) -> Response {
    tracing::error!(error = %err, "web: console request failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "出错了，请稍后再试").into_response()
}
