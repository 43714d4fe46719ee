//! `mente web` over real HTTP on 127.0.0.1:0: the chat round trip (cookies, buttons, typing),
//! escaping, security headers, rate and size limits, the console's login, CSRF, throttling,
//! every protected route, and the pages fed by the chat (unanswered questions, hand-offs).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use mente::assistant::Assistant;
use mente::clock::FixedClock;
use mente::store::Store;
use mente::web::limits::Rate;
use mente::web::{self, App, WebConfig};
use tokio::sync::oneshot;

/// A server on a free port with its own database, stopped on drop.
pub struct Server {
    pub addr: SocketAddr,
    pub store: Store,
    client: Client<HttpConnector, Body>,
    stop: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

/// A response with its body read.
pub struct Page {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Page {
    /// `name=value` of a Set-Cookie for `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookie(name).map(|c| c.split(';').next().unwrap_or_default().to_string())
    }

    /// The whole Set-Cookie line for `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }

    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub async fn start(config: impl FnOnce(&mut WebConfig)) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let store =
        Store::connect(&format!("sqlite://{}/web.sqlite", dir.path().display())).await.unwrap();
    let assistant = Arc::new(Assistant::load(root()).expect("content loads"));
    let mut cfg = WebConfig::new(root().to_path_buf());
    config(&mut cfg);
    // A fixed clock: buckets never refill during a test, so limits are exact.
    let now = "2026-11-28T02:00:00Z".parse().unwrap();
    let app = App::new(store.clone(), assistant, Arc::new(FixedClock(now)), cfg);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(web::serve(listener, app, async move {
        let _ = stopped.await;
    }));
    let client = Client::builder(TokioExecutor::new()).build_http();
    Server { addr, store, client, stop: Some(stop), _dir: dir }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Server {
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        cookies: &str,
        form: Option<String>,
    ) -> Page {
        let mut req = Request::builder().method(method).uri(format!("http://{}{path}", self.addr));
        if !cookies.is_empty() {
            req = req.header(header::COOKIE, cookies);
        }
        let body = match form {
            Some(f) => {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(f)
            }
            None => Body::empty(),
        };
        let resp = self.client.request(req.body(body).unwrap()).await.unwrap();
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(Body::new(body), usize::MAX).await.unwrap();
        Page {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into(),
        }
    }

    pub async fn get(&self, path: &str, cookies: &str) -> Page {
        self.request(Method::GET, path, cookies, None).await
    }

    pub async fn post(&self, path: &str, cookies: &str, form: &[(&str, &str)]) -> Page {
        let encoded =
            url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        self.request(Method::POST, path, cookies, Some(encoded)).await
    }

    /// A new chat conversation: its cookie.
    pub async fn conversation(&self) -> String {
        self.get("/", "").await.cookie("mente_chat").expect("the chat page sets a cookie")
    }

    /// Sends `form` in conversation `cookie` and returns the page shown afterwards.
    pub async fn say(&self, cookie: &str, form: &[(&str, &str)]) -> String {
        let sent = self.post("/send", cookie, form).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        assert_eq!(sent.location(), "/#latest", "back to the page, at the new messages");
        self.get("/", cookie).await.body
    }

    /// Creates a staff account and logs in: the session cookie and the page's CSRF token.
    pub async fn login(&self, name: &str, password: &str) -> (String, String) {
        let hash = web::staff::auth::hash_password(password).unwrap();
        mente::store::staff::upsert(self.store.pool(), name, &hash, chrono::Utc::now())
            .await
            .unwrap();
        let form = self.get("/staff/login", "").await;
        let login_cookie = form.cookie("mente_login").unwrap();
        let csrf = field(&form.body, "csrf");
        let done = self
            .post(
                "/staff/login",
                &login_cookie,
                &[("name", name), ("password", password), ("csrf", &csrf)],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let session = done.cookie("mente_staff").expect("a session cookie");
        let page = self.get("/staff", &session).await;
        (session, field(&page.body, "csrf"))
    }
}

/// The value of the (first) input named `name` in `html`.
pub fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start =
        html.find(&marker).unwrap_or_else(|| panic!("no field {name} in {html}")) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// The data of the button labelled `label`.
pub fn button(html: &str, label: &str) -> String {
    let end = html
        .find(&format!(">{label}</button>"))
        .unwrap_or_else(|| panic!("no button {label} in {html}"));
    let start = html[..end].rfind("value=\"").unwrap() + "value=\"".len();
    html[start..end].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn a_new_visitor_taps_start_and_a_region_then_types_a_question_and_reads_the_answer() {
    let server = start(|_| {}).await;
    let first = server.get("/", "").await;
    assert_eq!(first.status, StatusCode::OK);
    let set = first.set_cookie("mente_chat").unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    assert!(!set.contains("Secure"), "plain HTTP without proxy: {set}");
    assert!(first.body.contains("开始咨询"));
    let cookie = first.cookie("mente_chat").unwrap();

    let page = server.say(&cookie, &[("t", "/start")]).await;
    let region = button(&page, "攀枝花");
    let page = server.say(&cookie, &[("b", &region)]).await;
    assert!(
        page.contains("<li class=\"me\" id=\"latest\">攀枝花</li>"),
        "the tapped label is shown as the user's message: {page}"
    );

    let page = server.say(&cookie, &[("t", "申请门特要准备什么材料")]).await;
    assert!(page.contains("<li class=\"me\" id=\"latest\">申请门特要准备什么材料</li>"), "{page}");
    let answer = page.rsplit("id=\"latest\">").next().unwrap();
    assert!(
        answer.contains("身份证") || answer.contains("医保"),
        "an answer about materials: {answer}"
    );

    // Another browser (no cookie) has its own conversation.
    let other = server.get("/", "").await;
    assert!(!other.body.contains("申请门特要准备什么材料"));

    // 删除我的信息: the conversation so far disappears from the page and the region is forgotten.
    let page = server.say(&cookie, &[("t", "/forget")]).await;
    assert!(
        !page.contains("申请门特要准备什么材料") && !page.contains("<li class=\"me\""),
        "{page}"
    );
    let page = server.say(&cookie, &[("t", "/menu")]).await;
    assert!(page.contains("还没有选择地区"), "{page}");

    // The same in words, confirmed once (issue 17): the page forgets as well.
    server.say(&cookie, &[("t", "攀枝花")]).await;
    server.say(&cookie, &[("t", "起付线多少")]).await;
    let page = server.say(&cookie, &[("t", "把我的信息都删掉")]).await;
    assert!(page.contains("确定要删除") && page.contains("起付线多少"), "{page}");
    let page = server.say(&cookie, &[("t", "确定删除")]).await;
    assert!(!page.contains("起付线多少") && page.contains("已删除"), "{page}");
}

#[tokio::test]
async fn the_server_stops_when_its_shutdown_future_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let store =
        Store::connect(&format!("sqlite://{}/s.sqlite", dir.path().display())).await.unwrap();
    let assistant = Arc::new(Assistant::load(root()).unwrap());
    let app = App::new(
        store,
        assistant,
        Arc::new(mente::clock::SystemClock),
        WebConfig::new(root().into()),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(web::serve(listener, app, async move {
        let _ = stopped.await;
    }));
    assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
    stop.send(()).unwrap();
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), server).await;
    assert!(matches!(ended, Ok(Ok(Ok(())))), "serve returns cleanly: {ended:?}");
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "the port is closed");
}

#[tokio::test]
async fn user_text_is_escaped_and_pages_carry_strict_security_headers() {
    let server = start(|_| {}).await;
    let cookie = server.conversation().await;
    let page = server.say(&cookie, &[("t", "<script>alert('x')</script>")]).await;
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "{page}");
    assert!(!page.contains("<script>alert"), "{page}");
    for path in ["/", "/staff/login", "/static/app.js"] {
        let p = server.get(path, "").await;
        let h = |name: &str| {
            p.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
        };
        let csp = h("content-security-policy");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h("x-frame-options"), "DENY", "{path}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("referrer-policy"), "no-referrer", "{path}");
    }
    assert!(!server.get("/", "").await.body.contains("<script>"), "no inline script");
}

#[tokio::test]
async fn a_conversation_and_an_address_that_send_too_fast_are_refused() {
    let server = start(|c| {
        c.rates.chat_per_conversation = Rate { burst: 3, per_minute: 0 };
        c.rates.chat_per_address = Rate { burst: 5, per_minute: 0 };
    })
    .await;
    let a = server.conversation().await;
    for _ in 0..3 {
        assert_eq!(server.post("/send", &a, &[("t", "你好")]).await.status, StatusCode::SEE_OTHER);
    }
    let refused = server.post("/send", &a, &[("t", "你好")]).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.body.contains("请稍等"), "{}", refused.body);
    // A second conversation from the same address has its own bucket until the address's is empty.
    let b = server.conversation().await;
    assert_eq!(server.post("/send", &b, &[("t", "你好")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        server.post("/send", &b, &[("t", "你好")]).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn an_oversized_message_is_refused_and_https_behind_a_trusted_proxy_gets_secure_cookies() {
    let server = start(|c| c.trust_proxy = true).await;
    let cookie = server.conversation().await;
    let huge = "问".repeat(10_000);
    assert_eq!(
        server.post("/send", &cookie, &[("t", &huge)]).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );

    let req = Request::builder()
        .uri(format!("http://{}/", server.addr))
        .header("x-forwarded-proto", "https")
        .body(Body::empty())
        .unwrap();
    let resp = server.client.request(req).await.unwrap();
    let set = resp.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
    assert!(set.contains("; Secure"), "{set}");
}

#[tokio::test]
async fn every_console_route_refuses_anyone_not_logged_in() {
    let server = start(|_| {}).await;
    let table = web::staff::route_table();
    assert!(table.len() >= 9, "the route table lists the console");
    for route in &table {
        let path = route.path.replace("{id}", "1");
        for cookie in ["", "mente_staff=0123456789abcdef0123456789abcdef"] {
            let page =
                server.request(route.method.clone(), &path, cookie, Some("csrf=x".into())).await;
            match route.method {
                Method::GET => {
                    assert_eq!(page.status, StatusCode::SEE_OTHER, "GET {path}");
                    assert_eq!(page.location(), "/staff/login", "GET {path}");
                }
                _ => assert_eq!(page.status, StatusCode::FORBIDDEN, "{} {path}", route.method),
            }
        }
    }
}

#[tokio::test]
async fn staff_log_in_search_both_regions_and_forms_without_the_csrf_token_are_refused() {
    let server = start(|_| {}).await;
    let (session, csrf) = server.login("wang", "a long enough password").await;
    let page = server.get("/staff?q=%E9%97%A8%E6%A7%9B%E8%B4%B9%E5%A4%9A%E5%B0%91", &session).await; // 门槛费多少
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<h3>攀枝花</h3>") && page.body.contains("<h3>邵阳</h3>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("截至：2026-"), "as-of dates shown: {}", page.body);

    // A question naming a region gets only that region's answer, not 邵阳's rule beside it.
    let named = server
        .get("/staff?q=%E6%94%80%E6%9E%9D%E8%8A%B1%E8%B5%B7%E4%BB%98%E7%BA%BF", &session)
        .await; // 攀枝花起付线
    assert!(named.body.contains("只显示攀枝花的回答"), "{}", named.body);
    assert!(!named.body.contains("不设起付线"), "{}", named.body);

    let disease = server.get("/staff?q=%E5%B0%BF%E6%AF%92%E7%97%87", &session).await; // 尿毒症
    assert!(
        disease.body.contains("<h2>病种</h2>") && disease.body.contains("<strong>"),
        "{}",
        disease.body
    );
    let calc = server
        .get("/staff/calc?region=shaoyang&insurance=employee&retired=1&expense=12000", &session)
        .await;
    assert!(calc.body.contains("10,200") || calc.body.contains("10200"), "{}", calc.body);
    let due = server.get("/staff/due?from=2026-09-26&days=15", &session).await;
    assert!(due.body.contains("2026-10-"), "{}", due.body);
    // 邵阳 publishes no review time limit: no date, where to check instead.
    let due = server.get("/staff/due?from=2026-09-26&region=shaoyang&days=", &session).await;
    assert!(due.body.contains("邵阳没有公布门特审核时限"), "{}", due.body);
    assert!(!due.body.contains("2026-10-"), "{}", due.body);

    let forged = server.post("/staff/handoffs/1/handled", &session, &[("csrf", "0000")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let missing = server.post("/staff/logout", &session, &[]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let out = server.post("/staff/logout", &session, &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(server.get("/staff", &session).await.status, StatusCode::SEE_OTHER, "logged out");
}

#[tokio::test]
async fn the_login_form_needs_its_csrf_cookie_and_is_throttled_after_five_tries() {
    let server = start(|_| {}).await;
    let hash = web::staff::auth::hash_password("the right password").unwrap();
    mente::store::staff::upsert(server.store.pool(), "li", &hash, chrono::Utc::now())
        .await
        .unwrap();
    let form = server.get("/staff/login", "").await;
    let cookie = form.cookie("mente_login").unwrap();
    let csrf = field(&form.body, "csrf");
    let no_cookie = server
        .post(
            "/staff/login",
            "",
            &[("name", "li"), ("password", "the right password"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(no_cookie.status, StatusCode::FORBIDDEN);
    for _ in 0..5 {
        let wrong = server
            .post(
                "/staff/login",
                &cookie,
                &[("name", "li"), ("password", "wrong"), ("csrf", &csrf)],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.body.contains("用户名或密码不对"));
    }
    let throttled = server
        .post(
            "/staff/login",
            &cookie,
            &[("name", "li"), ("password", "the right password"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        throttled.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the 6th try is refused even when right"
    );
    assert!(throttled.cookie("mente_staff").is_none());
}

#[tokio::test]
async fn unsure_questions_and_handoffs_from_the_chat_reach_the_console_masked() {
    let server = start(|_| {}).await;
    let cookie = server.conversation().await;
    server.say(&cookie, &[("t", "/start")]).await;
    let page = server.get("/", &cookie).await.body;
    server.say(&cookie, &[("b", &button(&page, "邵阳"))]).await;
    for _ in 0..2 {
        server.say(&cookie, &[("t", "门特的药可以快递到家吗")]).await;
    }
    server.say(&cookie, &[("t", "我叫张三 13812345678 门特的药可以快递吗")]).await;
    server.say(&cookie, &[("t", "人工")]).await;
    // Another applicant asks a plain question, then taps 人工咨询: without consent staff see
    // the question in the unanswered list, but not linked to the hand-off.
    let other = server.conversation().await;
    server.say(&other, &[("t", "/start")]).await;
    let page = server.get("/", &other).await.body;
    server.say(&other, &[("b", &button(&page, "攀枝花"))]).await;
    server.say(&other, &[("t", "门特的药可以快递到家吗")]).await;
    server.say(&other, &[("t", "/human")]).await;

    let (session, csrf) = server.login("zhao", "a long enough password").await;
    let unanswered = server.get("/staff/unanswered", &session).await.body;
    assert!(unanswered.contains("门特的药可以快递到家吗"), "{unanswered}");
    assert!(unanswered.contains("地区：邵阳") && unanswered.contains("2 次"), "{unanswered}");
    assert!(
        unanswered.contains("原文未保存"),
        "no consent: the personal message is withheld: {unanswered}"
    );
    assert!(!unanswered.contains("13812345678") && !unanswered.contains("张三"), "{unanswered}");
    assert!(unanswered.contains("- id: shaoyang.TODO"), "a YAML stub: {unanswered}");

    let handoffs = server.get("/staff/handoffs", &session).await.body;
    assert!(handoffs.contains("渠道：web") && handoffs.contains("地区：邵阳"), "{handoffs}");
    assert_eq!(
        handoffs.matches("<h2>原文未保存（用户未同意保存）</h2>").count(),
        2,
        "no consent: a hand-off keeps no text of its user: {handoffs}"
    );
    assert!(!handoffs.contains("快递") && !handoffs.contains("张三"), "{handoffs}");
    let ids = handoffs.split("/staff/handoffs/").skip(1).map(|s| s.split('/').next().unwrap());
    for id in ids {
        let path = format!("/staff/handoffs/{id}/handled");
        let done = server.post(&path, &session, &[("csrf", &csrf)]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
    }
    assert!(server.get("/staff/handoffs", &session).await.body.contains("暂时没有转人工请求"));

    let reminders = server.get("/staff/reminders", &session).await.body;
    assert!(reminders.contains("<svg") && reminders.contains("已发送"), "{reminders}");
    let content = server.get("/staff/content", &session).await.body;
    assert!(content.contains("内容无问题") && content.contains("faq/"), "{content}");
}

/// Reminders for web users: the page cannot push, so the worker parks them and the next visit
/// shows them once.
mod parked_reminders {
    use super::*;
    use chrono::{DateTime, Utc};
    use mente::engine::UserKey;
    use mente::scheduler::run_once;
    use mente::web::remind::{WebSender, REMINDER_NOTE};

    /// The test server's fixed clock: 10:00 in China, inside the sending hours.
    const NOW: &str = "2026-11-28T02:00:00Z";
    const RENEWAL: &str = "【门特续期提醒】";

    fn now() -> DateTime<Utc> {
        NOW.parse().unwrap()
    }

    /// The web user behind a `mente_chat=…` cookie.
    fn user_of(cookie: &str) -> UserKey {
        UserKey::new(web::CHANNEL, cookie.trim_start_matches("mente_chat="))
    }

    /// Records an approved 邵阳 application valid to 2026-12-28 with a renewal reminder due an
    /// hour ago.
    async fn due_reminder(server: &Server, user: &UserKey) {
        let due = "2026-11-28T01:00:00Z".parse().unwrap();
        let command = crate::sample::approved_renewal(crate::sample::day(2026, 12, 28), &[due]);
        server
            .store
            .apply_commands(user, &[command], "2026-11-01T02:00:00Z".parse().unwrap())
            .await
            .unwrap();
    }

    /// One step of the web reminder worker at [`NOW`]; how many it handed over.
    async fn park_due(server: &Server) -> usize {
        let assistant = Assistant::load(root()).unwrap();
        let sender = WebSender::new(server.store.clone(), Arc::new(FixedClock(now())));
        run_once(&server.store, &assistant, &sender, now()).await.unwrap().sent
    }

    /// Opens the chat page as a returning user: a page load that found parked reminders opens
    /// at them (a redirect to the `#latest` anchor, so a long conversation does not hide them).
    async fn visit(server: &Server, cookie: &str) -> String {
        let first = server.get("/", cookie).await;
        assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
        assert_eq!(first.location(), "/#latest");
        let page = server.get("/", cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        page.body
    }

    /// The staff chart's counts line.
    async fn staff_counts(server: &Server) -> String {
        let (session, _) = server.login("chart", "a long enough password").await;
        let page = server.get("/staff/reminders", &session).await.body;
        let start = page.find("<p class=\"counts\">").expect("a counts line");
        page[start..].split("</p>").next().unwrap().to_string()
    }

    #[tokio::test]
    async fn a_due_reminder_shows_on_the_next_visit_once_and_the_chart_counts_it_as_parked() {
        let server = start(|_| {}).await;
        let cookie = server.conversation().await;
        let other = server.conversation().await;
        due_reminder(&server, &user_of(&cookie)).await;
        assert_eq!(park_due(&server).await, 1);
        assert_eq!(park_due(&server).await, 0, "a parked reminder is not parked again");
        let counts = staff_counts(&server).await;
        assert!(
            counts.contains("已发送 <strong>0</strong>"),
            "not sent before it is seen: {counts}"
        );
        assert!(counts.contains("留在网页待用户查看 <strong>1</strong>"), "{counts}");

        assert!(!server.get("/", &other).await.body.contains(RENEWAL), "someone else's page");
        let visit = visit(&server, &cookie).await;
        assert_eq!(visit.matches(RENEWAL).count(), 1, "{visit}");
        assert!(visit.contains("您不在时收到的提醒（11月28日 10:00）"), "{visit}");
        assert!(visit.contains("开始咨询"), "the page still offers its first step: {visit}");
        assert!(
            visit.contains("<li class=\"bot reminder\" id=\"latest\">"),
            "opens at it: {visit}"
        );
        let reload = server.get("/", &cookie).await.body;
        assert_eq!(reload.matches(RENEWAL).count(), 1, "a reload does not repeat it: {reload}");
        // Talking on keeps it in the conversation, once.
        let after = server.say(&cookie, &[("t", "/start")]).await;
        assert_eq!(after.matches(RENEWAL).count(), 1, "{after}");
        let counts = staff_counts(&server).await;
        assert!(counts.contains("已发送 <strong>1</strong>"), "seen now: {counts}");
        assert!(counts.contains("留在网页待用户查看 <strong>0</strong>"), "{counts}");
    }

    #[tokio::test]
    async fn two_page_loads_at_the_same_moment_take_a_parked_reminder_once() {
        let server = start(|_| {}).await;
        let cookie = server.conversation().await;
        due_reminder(&server, &user_of(&cookie)).await;
        park_due(&server).await;
        let (a, b) = tokio::join!(server.get("/", &cookie), server.get("/", &cookie));
        let redirected =
            [a.status, b.status].iter().filter(|s| **s == StatusCode::SEE_OTHER).count();
        assert_eq!(redirected, 1, "exactly one load found it");
        let page = server.get("/", &cookie).await.body;
        assert_eq!(page.matches(RENEWAL).count(), 1, "{page}");
    }

    #[tokio::test]
    async fn a_reminder_seen_before_a_restart_is_not_shown_again_after_it() {
        let server = start(|_| {}).await;
        let cookie = server.conversation().await;
        due_reminder(&server, &user_of(&cookie)).await;
        park_due(&server).await;
        assert_eq!(visit(&server, &cookie).await.matches(RENEWAL).count(), 1);
        // A new server on the same database: transcripts (memory) are gone, the row too.
        let restarted = restart(&server).await;
        let page = restarted.get("/", &cookie).await.body;
        assert!(!page.contains(RENEWAL), "{page}");
    }

    #[tokio::test]
    async fn forget_erases_a_parked_reminder_before_it_is_seen() {
        let server = start(|_| {}).await;
        let cookie = server.conversation().await;
        due_reminder(&server, &user_of(&cookie)).await;
        assert_eq!(park_due(&server).await, 1);
        let page = server.say(&cookie, &[("t", "/forget")]).await;
        assert!(page.contains("已删除"), "{page}");
        assert!(!page.contains(RENEWAL), "{page}");
        assert!(!server.get("/", &cookie).await.body.contains(RENEWAL));
        let counts = staff_counts(&server).await;
        assert!(counts.contains("留在网页待用户查看 <strong>0</strong>"), "{counts}");
    }

    #[tokio::test]
    async fn the_reminder_list_says_reminders_show_on_the_next_visit() {
        let server = start(|_| {}).await;
        let cookie = server.conversation().await;
        due_reminder(&server, &user_of(&cookie)).await;
        let page = server.say(&cookie, &[("t", "/reminders")]).await;
        assert!(page.contains("待发送的提醒"), "{page}");
        assert!(page.contains(&html_escaped(REMINDER_NOTE)), "{page}");
        let page = server.say(&cookie, &[("t", "透析能报多少")]).await;
        assert_eq!(page.matches("下次打开本页时显示").count(), 1, "only with reminders: {page}");
    }

    /// Taps through 续期/延期 in 攀枝花, giving an end date, up to the consent question.
    async fn renewal_until_consent(server: &Server, cookie: &str) -> String {
        let page = server.say(cookie, &[("t", "/start")]).await;
        let page = server.say(cookie, &[("b", &button(&page, "攀枝花"))]).await;
        let page = server.say(cookie, &[("b", &button(&page, "续期/延期"))]).await;
        server.say(cookie, &[("b", &button(&page, "是"))]).await;
        server.say(cookie, &[("t", "2027年6月30日")]).await
    }

    #[tokio::test]
    async fn setting_reminders_up_on_the_page_says_they_show_on_the_next_visit() {
        let server = start(|_| {}).await;
        let cookie = server.conversation().await;
        let page = renewal_until_consent(&server, &cookie).await;
        server.say(&cookie, &[("b", &button(&page, "同意"))]).await;
        let page = server.say(&cookie, &[("t", "尿毒症")]).await;
        let latest = page.rsplit("id=\"latest\"").next().unwrap();
        assert!(latest.contains("我会提醒您"), "{latest}");
        assert!(latest.contains(&html_escaped(REMINDER_NOTE)), "{latest}");
        assert_eq!(latest.matches("<li class=\"bot\">").count(), 2, "still two messages: {latest}");

        // A turn that plans nothing new says nothing about reminders.
        let page = server.say(&cookie, &[("t", "透析能报多少")]).await;
        assert_eq!(page.matches("下次打开本页时显示").count(), 1, "{page}");
    }

    fn html_escaped(text: &str) -> String {
        mente::web::html::escape(text)
    }

    /// A second server on `server`'s database, as after a restart: nothing kept in memory.
    async fn restart(server: &Server) -> Server {
        let assistant = Arc::new(Assistant::load(root()).unwrap());
        let config = WebConfig::new(root().to_path_buf());
        let app = App::new(server.store.clone(), assistant, Arc::new(FixedClock(now())), config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(web::serve(listener, app, async move {
            let _ = stopped.await;
        }));
        Server {
            addr,
            store: server.store.clone(),
            client: Client::builder(TokioExecutor::new()).build_http(),
            stop: Some(stop),
            _dir: tempfile::tempdir().unwrap(),
        }
    }
}
