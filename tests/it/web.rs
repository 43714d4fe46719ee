//! `mente web` over real HTTP on 127.0.0.1:0: the chat round trip (cookies, buttons, typing),
//! escaping, security headers, rate and size limits, the console's login, CSRF, throttling,
//! every protected route, and the pages fed by the chat (unanswered questions, hand-offs); the
//! server's own limits (timeouts, connection cap, shutdown deadline, transcript memory, signed
//! cookies, cross-site POSTs), partly against the real binary.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::{DateTime, Utc};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use mente::assistant::Assistant;
use mente::clock::FixedClock;
use mente::store::staff::LoginLimits;
use mente::store::Store;
use mente::web::limits::Rate;
use mente::web::{self, App, WebConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// A server on a free port with its own database, stopped on drop.
pub struct Server {
    pub addr: SocketAddr,
    pub store: Store,
    /// The database's URL (from `crate::db`; tests that read its bytes look there).
    pub db: String,
    /// The application state (transcripts, limits) for tests that inspect it; `None` for a
    /// spawned binary.
    pub app: Option<App>,
    client: Client<HttpConnector, Body>,
    stop: Option<oneshot::Sender<()>>,
    /// The `mente web` process when started by [`spawn_binary`].
    process: Option<Process>,
    _dir: Option<tempfile::TempDir>,
}

/// A running `mente web` and everything it logged so far.
struct Process {
    child: std::process::Child,
    log: Arc<std::sync::Mutex<String>>,
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

/// The test server's fixed clock: 10:00 in China.
pub fn started() -> DateTime<Utc> {
    "2026-11-28T02:00:00Z".parse().unwrap()
}

pub async fn start(config: impl FnOnce(&mut WebConfig)) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::db::test_db_url(dir.path(), "web.sqlite");
    let store = Store::connect(&db).await.unwrap();
    // A fixed clock: buckets never refill during a test, so limits are exact.
    let mut server = Server::on(store, db, started(), config).await;
    server._dir = Some(dir);
    server
}

/// `mente web` itself on the content folder `content`, with its own database: the same
/// requests and logins as [`start`], plus what only a process has (signals, its log).
#[cfg(unix)]
pub async fn spawn_binary(content: &Path) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::db::test_db_url(dir.path(), "web.sqlite");
    let mut server = spawn_binary_on(content, &db).await;
    server._dir = Some(dir);
    server
}

/// `mente web` on the content folder `content` and the database at `db`, which other
/// instances may share (issue 19).
#[cfg(unix)]
pub async fn spawn_binary_on(content: &Path, db: &str) -> Server {
    use std::io::BufRead;

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
        .args(["web", "--listen", "127.0.0.1:0", "--content"])
        .arg(content)
        .env("MENTE_DB", db)
        .env("RUST_LOG", "warn")
        .env_remove("WECHAT_TOKEN")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start mente web");
    let log = Arc::new(std::sync::Mutex::new(String::new()));
    let (listening, addr) = std::sync::mpsc::channel();
    let (stderr, lines) = (child.stderr.take().unwrap(), log.clone());
    // Reads the log until the process ends, so it never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.split("listening on ").nth(1) {
                let _ = listening.send(addr.trim().to_string());
            }
            lines.lock().unwrap().push_str(&(line + "\n"));
        }
    });
    let addr = tokio::task::spawn_blocking(move || addr.recv_timeout(Duration::from_secs(60)))
        .await
        .unwrap()
        .unwrap_or_else(|_| panic!("mente web did not start: {}", log.lock().unwrap()));
    let store = Store::connect(db).await.unwrap();
    let client = Client::builder(TokioExecutor::new()).build_http();
    let process = Some(Process { child, log });
    Server {
        addr: addr.parse().unwrap(),
        store,
        db: db.to_string(),
        app: None,
        client,
        stop: None,
        process,
        _dir: None,
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(process) = &mut self.process {
            let _ = process.child.kill();
            let _ = process.child.wait();
        }
    }
}

impl Server {
    /// A server on `store` (at URL `db`) with its clock fixed at `now`.
    async fn on(
        store: Store,
        db: String,
        now: DateTime<Utc>,
        config: impl FnOnce(&mut WebConfig),
    ) -> Server {
        let mut cfg = WebConfig::new(root().to_path_buf());
        config(&mut cfg);
        let assistant = Arc::new(Assistant::load(&cfg.content_root).expect("content loads"));
        let app = App::new(store.clone(), assistant, Arc::new(FixedClock(now)), cfg);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(web::serve(listener, app.clone(), async move {
            let _ = stopped.await;
        }));
        let client = Client::builder(TokioExecutor::new()).build_http();
        Server {
            addr,
            store,
            db,
            app: Some(app),
            client,
            stop: Some(stop),
            process: None,
            _dir: None,
        }
    }

    /// A second server on this server's database with its clock at `now`, as after a restart
    /// or as another instance: nothing of the first one's memory.
    pub async fn restart_at(
        &self,
        now: DateTime<Utc>,
        config: impl FnOnce(&mut WebConfig),
    ) -> Server {
        Server::on(self.store.clone(), self.db.clone(), now, config).await
    }

    /// Files of the database (with `-wal`, `-shm`) whose bytes contain `needle`; on
    /// PostgreSQL the tables with such a row.
    pub fn files_containing(&self, needle: &str) -> Vec<PathBuf> {
        crate::db::places_containing(&self.db, needle)
    }

    /// Sends `signal` (`HUP`, `TERM`) to the process of [`spawn_binary`].
    pub fn signal(&self, signal: &str) {
        let pid = self.process.as_ref().expect("a spawned server").child.id().to_string();
        let sent = std::process::Command::new("kill").args([&format!("-{signal}"), &pid]).status();
        assert!(sent.unwrap().success(), "kill -{signal} {pid}");
    }

    /// Whether the process of [`spawn_binary`] still runs.
    pub fn is_running(&mut self) -> bool {
        let process = self.process.as_mut().expect("a spawned server");
        process.child.try_wait().unwrap().is_none()
    }

    /// What the process of [`spawn_binary`] logged so far.
    pub fn log(&self) -> String {
        self.process.as_ref().expect("a spawned server").log.lock().unwrap().clone()
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        cookies: &str,
        form: Option<String>,
    ) -> Page {
        self.request_with(method, path, cookies, &[], form).await
    }

    /// [`Server::request`] with extra headers.
    pub async fn request_with(
        &self,
        method: Method,
        path: &str,
        cookies: &str,
        headers: &[(&str, &str)],
        form: Option<String>,
    ) -> Page {
        let mut req = Request::builder().method(method).uri(format!("http://{}{path}", self.addr));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if !cookies.is_empty() {
            req = req.header(header::COOKIE, cookies);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
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
        self.add_account(name, password).await;
        let done = self.try_login(None, name, password).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let session = done.cookie("mente_staff").expect("a session cookie");
        let page = self.get("/staff", &session).await;
        (session, field(&page.body, "csrf"))
    }

    /// Creates (or resets) a staff account, as `mente staff add` does.
    pub async fn add_account(&self, name: &str, password: &str) {
        let hash = web::staff::auth::hash_password(password).unwrap();
        mente::store::staff::upsert(self.store.pool(), name, &hash, Utc::now()).await.unwrap();
    }

    /// Fills in and sends the login form, from client address `from` (an `X-Forwarded-For`,
    /// for a server that trusts the proxy) or from the test's own address.
    pub async fn try_login(&self, from: Option<&str>, name: &str, password: &str) -> Page {
        let form = self.get("/staff/login", "").await;
        let login_cookie = form.cookie("mente_login").unwrap();
        let csrf = field(&form.body, "csrf");
        let fields = [("name", name), ("password", password), ("csrf", &csrf)];
        let encoded =
            url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let forwarded: Vec<(&str, &str)> =
            from.map(|a| ("x-forwarded-for", a)).into_iter().collect();
        self.request_with(Method::POST, "/staff/login", &login_cookie, &forwarded, Some(encoded))
            .await
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
    let store = Store::connect(&crate::db::test_db_url(dir.path(), "s.sqlite")).await.unwrap();
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

/// Issue 19: the chat's rate limits are per process, as docs/operators.md says: a conversation
/// refused by one instance is served by another on the same database (each keeps its own
/// buckets), while the conversation itself is shared.
#[tokio::test]
async fn chat_rate_limits_count_per_instance() {
    let slow = |c: &mut WebConfig| c.rates.chat_per_conversation = Rate { burst: 2, per_minute: 0 };
    let first = start(slow).await;
    let second = first.restart_at(started(), slow).await;
    let cookie = first.conversation().await;
    for _ in 0..2 {
        assert_eq!(
            first.post("/send", &cookie, &[("t", "/start")]).await.status,
            StatusCode::SEE_OTHER
        );
    }
    let refused = first.post("/send", &cookie, &[("t", "/start")]).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let page =
        second.say(&cookie, &[("b", &button(&first.get("/", &cookie).await.body, "邵阳"))]).await;
    assert!(page.contains("主菜单"), "the other instance served it: {page}");
    let refused = first.post("/send", &cookie, &[("t", "/menu")]).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "the first one's bucket stays empty");
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
    server.add_account("li", "the right password").await;
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

const PASSWORD: &str = "a long enough password";

#[tokio::test]
async fn an_attacker_failing_from_one_address_does_not_lock_the_owner_out_from_another() {
    const ATTACKER: &str = "203.0.113.9";
    const OWNER: &str = "198.51.100.7";
    let server = start(|c| c.trust_proxy = true).await;
    server.add_account("li", PASSWORD).await;
    for _ in 0..5 {
        let wrong = server.try_login(Some(ATTACKER), "li", "guess").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    for password in ["guess", PASSWORD] {
        let refused = server.try_login(Some(ATTACKER), "li", password).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{password}");
    }
    let owner = server.try_login(Some(OWNER), "li", PASSWORD).await;
    assert_eq!(owner.status, StatusCode::SEE_OTHER, "the owner gets in: {}", owner.body);
    assert!(owner.cookie("mente_staff").is_some());
    // Another instance on the same database counts the same attempts.
    let other = server.restart_at(started(), |c| c.trust_proxy = true).await;
    let refused = other.try_login(Some(ATTACKER), "li", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn one_address_spraying_accounts_and_a_guess_spread_over_addresses_are_slowed() {
    let server = start(|c| {
        c.trust_proxy = true;
        c.rates.login = LoginLimits { per_address: 8, per_account: 10, ..LoginLimits::default() };
    })
    .await;
    server.add_account("li", PASSWORD).await;
    // One address, a different account each time: the per-address limit.
    for k in 0..8 {
        let name = format!("user{k}");
        let page = server.try_login(Some("203.0.113.1"), &name, "x").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let sprayed = server.try_login(Some("203.0.113.1"), "li", PASSWORD).await;
    assert_eq!(sprayed.status, StatusCode::TOO_MANY_REQUESTS);

    // The owner's desk: logged in from there before.
    let desk = server.try_login(Some("198.51.100.7"), "li", PASSWORD).await;
    assert_eq!(desk.status, StatusCode::SEE_OTHER);
    // Guesses at one account from two more addresses, 5 each: the per-account limit.
    for addr in ["203.0.113.2", "203.0.113.3"] {
        for _ in 0..5 {
            let page = server.try_login(Some(addr), "li", "x").await;
            assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{addr}");
        }
    }
    let spread = server.try_login(Some("203.0.113.4"), "li", "x").await;
    assert_eq!(spread.status, StatusCode::TOO_MANY_REQUESTS, "a fresh address is held back");
    let desk = server.try_login(Some("198.51.100.7"), "li", PASSWORD).await;
    assert_eq!(desk.status, StatusCode::SEE_OTHER, "an address the account knows is not");
}

#[tokio::test]
async fn staff_sessions_are_stored_hashed_survive_a_restart_and_end_on_logout_expiry_or_removal() {
    let server = start(|_| {}).await;
    let (session, csrf) = server.login("sun", PASSWORD).await;
    let token = session.trim_start_matches("mente_staff=");
    assert_eq!(server.files_containing(token), Vec::<PathBuf>::new(), "the token in clear");
    let at = |hours: i64| started() + chrono::Duration::hours(hours);

    // A restart 7 h later: the same cookie works, with the same CSRF token.
    let restarted = server.restart_at(at(7), |_| {}).await;
    let page = restarted.get("/staff", &session).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(field(&page.body, "csrf"), csrf);
    // 13 h after login it has ended, although it was used 6 h before (the absolute limit).
    let next_day = server.restart_at(at(13), |_| {}).await;
    assert_eq!(next_day.get("/staff", &session).await.location(), "/staff/login");

    // 8 h without use ends a session (the idle limit).
    let (idle, _) = server.login("zhou", PASSWORD).await;
    let idle_later = server.restart_at(at(8), |_| {}).await;
    assert_eq!(idle_later.get("/staff", &idle).await.location(), "/staff/login");

    // Logout on one instance ends the session on every instance.
    let (out, out_csrf) = server.login("wu", PASSWORD).await;
    let done = restarted.post("/staff/logout", &out, &[("csrf", &out_csrf)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(server.get("/staff", &out).await.location(), "/staff/login");

    // `mente staff remove` ends the account's sessions.
    let (removed, _) = server.login("zheng", PASSWORD).await;
    assert!(mente::store::staff::remove(server.store.pool(), "zheng").await.unwrap());
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_sessions WHERE name = 'zheng'")
        .fetch_one(server.store.pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(server.get("/staff", &removed).await.location(), "/staff/login");
}

#[tokio::test]
async fn a_question_naming_someone_without_consent_is_gone_from_database_and_console_after_forget()
{
    const QUESTION: &str = "帮张秀兰问一下门特卡丢了怎么补办";
    let server = start(|_| {}).await;
    let cookie = server.conversation().await;
    let page = server.say(&cookie, &[("t", "/start")]).await;
    server.say(&cookie, &[("b", &button(&page, "攀枝花"))]).await;
    let answer = server.say(&cookie, &[("t", QUESTION)]).await;
    let (session, _) = server.login("qian", PASSWORD).await;
    let before = server.get("/staff/unanswered", &session).await.body;
    assert!(before.contains("原文未保存（含个人信息）"), "withheld: {before}\n{answer}");
    assert!(!before.contains("秀兰"), "{before}");

    assert!(server.say(&cookie, &[("t", "/forget")]).await.contains("已删除"));
    let after = server.get("/staff/unanswered", &session).await.body;
    assert!(after.contains("暂时没有未答问题"), "the user's question is gone: {after}");
    for needle in ["秀兰", "门特卡丢了"] {
        assert_eq!(server.files_containing(needle), Vec::<PathBuf>::new(), "{needle}");
    }
}

#[tokio::test]
async fn a_made_up_or_altered_conversation_cookie_gets_a_fresh_conversation() {
    let server = start(|_| {}).await;
    let issued = server.conversation().await;
    assert_eq!(server.get("/", &issued).await.cookie("mente_chat"), None, "an issued id is kept");

    let altered = format!("{}0", &issued[..issued.len() - 1]);
    let altered =
        if altered == issued { format!("{}1", &issued[..issued.len() - 1]) } else { altered };
    let made_up = "mente_chat=0123456789abcdef0123456789abcdef".to_string();
    for forged in [made_up, altered, format!("{issued}.extra")] {
        // Someone plants an id (or alters theirs) and talks in it: the server does not adopt it.
        let sent = server.post("/send", &forged, &[("t", "/start")]).await;
        let fresh = sent.cookie("mente_chat").unwrap_or_else(|| panic!("{forged} was accepted"));
        assert_ne!(fresh, forged);
        let page = server.get("/", &forged).await;
        assert!(page.cookie("mente_chat").is_some(), "{forged} is still refused");
        assert!(
            !page.body.contains(">攀枝花</button>"),
            "nothing was said in {forged}: {}",
            page.body
        );
        // The conversation goes on under the id the server issued.
        assert!(server.get("/", &fresh).await.body.contains(">攀枝花</button>"));
    }
}

#[tokio::test]
async fn posts_from_another_site_are_refused_and_posts_from_the_page_pass() {
    let server = start(|_| {}).await;
    let cookie = server.conversation().await;
    let here = format!("http://{}", server.addr);
    let form = Some("t=%2Fstart".to_string());
    let post = |headers: Vec<(&'static str, String)>| {
        let (server, cookie, form) = (&server, &cookie, form.clone());
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            server.request_with(Method::POST, "/send", cookie, &headers, form).await.status
        }
    };
    let refused = [
        vec![("sec-fetch-site", "cross-site".to_string())],
        vec![("sec-fetch-site", "same-site".to_string()), ("origin", here.clone())],
        vec![("origin", "http://evil.example".to_string())],
        vec![("origin", format!("http://{}:1", server.addr.ip()))],
        vec![("referer", "https://evil.example/page".to_string())],
    ];
    for headers in refused {
        assert_eq!(post(headers.clone()).await, StatusCode::FORBIDDEN, "{headers:?}");
    }
    assert!(
        !server.get("/", &cookie).await.body.contains(">攀枝花</button>"),
        "no refused post reached the conversation"
    );
    let allowed = [
        vec![("sec-fetch-site", "same-origin".to_string()), ("origin", "null".to_string())],
        vec![("origin", here.clone())],
        vec![("referer", format!("{here}/"))],
        // An old browser, or ours under Referrer-Policy: no-referrer, says nothing.
        vec![("origin", "null".to_string())],
        vec![],
    ];
    for headers in allowed {
        assert_eq!(post(headers.clone()).await, StatusCode::SEE_OTHER, "{headers:?}");
    }
    assert!(server.get("/", &cookie).await.body.contains(">攀枝花</button>"));
}

#[tokio::test]
async fn many_long_conversations_keep_transcripts_within_their_memory_budget() {
    const BUDGET: usize = 256 * 1024;
    let server = start(|c| {
        c.transcript_bytes = BUDGET;
        c.rates.chat_per_address = Rate { burst: 1_000, per_minute: 0 };
    })
    .await;
    // The attack measured in issue 16, scaled down: one 14 KB message per conversation.
    let long = "门特".repeat(100) + &"a".repeat(13_400);
    let mut cookies = Vec::new();
    for _ in 0..60 {
        let cookie = server.conversation().await;
        let sent = server.post("/send", &cookie, &[("t", &long)]).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        cookies.push(cookie);
    }
    let transcripts = &server.app.as_ref().unwrap().transcripts;
    assert_eq!(transcripts.budget(), BUDGET);
    assert!(
        transcripts.used_bytes() <= BUDGET,
        "{} bytes used of {BUDGET}",
        transcripts.used_bytes()
    );
    assert!(transcripts.conversations() < 60, "the least recent were dropped");
    let latest = server.get("/", cookies.last().unwrap()).await.body;
    assert!(latest.contains(&long), "the most recent conversation still shows what was said");
    let oldest = server.get("/", &cookies[0]).await;
    assert_eq!(oldest.status, StatusCode::OK, "an evicted conversation still opens");
}

/// Reads until the server closes the connection; what it sent before. Panics if the connection
/// is still open after `patience`.
async fn read_until_closed(mut stream: TcpStream, patience: Duration) -> String {
    let mut got = Vec::new();
    let read = tokio::time::timeout(patience, stream.read_to_end(&mut got)).await;
    let got = String::from_utf8_lossy(&got).into_owned();
    assert!(read.is_ok(), "still open after {patience:?}; received {got:?}");
    got
}

#[tokio::test]
async fn slow_and_idle_clients_are_disconnected_after_their_timeouts() {
    let server = start(|c| {
        c.server.header_timeout = Duration::from_secs(1);
        c.server.body_timeout = Duration::from_secs(1);
    })
    .await;
    let connect = || TcpStream::connect(server.addr);
    let silent = connect().await.unwrap();
    let mut slow_head = connect().await.unwrap();
    slow_head.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n").await.unwrap();
    let mut slow_body = connect().await.unwrap();
    slow_body
        .write_all(
            b"POST /send HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\n\r\nt=%E4%BD%A0",
        )
        .await
        .unwrap();
    let mut idle = connect().await.unwrap();
    idle.write_all(b"GET /static/app.css HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();

    // Far longer than the 1 s timeouts, far shorter than "never".
    let patience = Duration::from_secs(15);
    let (silent, slow_head, slow_body, idle) = tokio::join!(
        read_until_closed(silent, patience),
        read_until_closed(slow_head, patience),
        read_until_closed(slow_body, patience),
        read_until_closed(idle, patience),
    );
    assert!(!silent.contains("200 OK") && !slow_head.contains("200 OK"), "{slow_head}");
    assert!(slow_body.starts_with("HTTP/1.1 408"), "{slow_body}");
    assert!(idle.starts_with("HTTP/1.1 200"), "answered, then closed when idle: {idle}");
    assert_eq!(server.get("/", "").await.status, StatusCode::OK, "the server is fine");
}

/// `mente web` as an operator starts it: on a free port, its own database in `dir`, the open-file
/// limit set to `files` first (`ulimit -n`), with `env`; and the address it listens on.
#[cfg(unix)]
async fn spawn_web(
    dir: &tempfile::TempDir,
    files: Option<u32>,
    env: &[(&str, &str)],
) -> (std::process::Child, SocketAddr) {
    let ulimit = files.map(|n| format!("ulimit -n {n} && ")).unwrap_or_default();
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{ulimit}exec \"$0\" web --listen 127.0.0.1:0"))
        .arg(env!("CARGO_BIN_EXE_mente"))
        .envs(env.iter().copied())
        .env("MENTE_DB", crate::db::test_db_url(dir.path(), "web.sqlite"))
        .env_remove("WECHAT_TOKEN")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start mente web");
    let addr = listening_on(&mut child).await;
    (child, addr.parse().unwrap())
}

/// The address a spawned `mente` server logs ("listening on …") on its piped stderr; the rest of
/// its log is drained so the child never blocks on a full pipe.
#[cfg(unix)]
pub async fn listening_on(child: &mut std::process::Child) -> String {
    use std::io::BufRead;

    let stderr = child.stderr.take().expect("stderr piped");
    tokio::task::spawn_blocking(move || {
        let mut lines = std::io::BufReader::new(stderr).lines();
        let addr = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| l.split("listening on ").nth(1).map(|a| a.trim().to_string()))
            .expect("the server says where it listens");
        std::thread::spawn(move || lines.for_each(drop));
        addr
    })
    .await
    .unwrap()
}

/// Sends SIGTERM to `child` and asserts a clean exit within `patience`.
pub async fn stop_with_sigterm(mut child: std::process::Child, patience: Duration) {
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let started = std::time::Instant::now();
    while started.elapsed() < patience {
        if let Some(status) = child.try_wait().expect("child status") {
            assert!(status.success(), "clean exit on SIGTERM, got {status}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    panic!("the process did not exit within {patience:?} of SIGTERM");
}

/// Issue 16: 1,100 idle connections used up the open-file limit; `accept` failed and GET / hung.
#[cfg(unix)]
#[tokio::test]
async fn idle_connections_beyond_the_open_file_limit_do_not_lock_out_a_new_visitor() {
    let dir = tempfile::tempdir().unwrap();
    let (child, addr) = spawn_web(&dir, Some(160), &[("MENTE_HTTP_HEADER_TIMEOUT", "1")]).await;
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(TcpStream::connect(addr).await.expect("connect"));
    }
    let client: Client<HttpConnector, Body> = Client::builder(TokioExecutor::new()).build_http();
    let visit = client.get(format!("http://{addr}/").parse().unwrap());
    let page = tokio::time::timeout(Duration::from_secs(30), visit)
        .await
        .expect("GET / is answered while 300 idle connections are open")
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    drop(idle);
    stop_with_sigterm(child, Duration::from_secs(20)).await;
}

/// Issue 16: after SIGTERM with half-sent requests the process stayed up 40 s.
#[cfg(unix)]
#[tokio::test]
async fn sigterm_with_half_sent_requests_exits_after_the_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    // Timeouts far beyond the test: only the shutdown deadline (5 s by default) can end these.
    let env = [("MENTE_HTTP_HEADER_TIMEOUT", "600"), ("MENTE_HTTP_BODY_TIMEOUT", "600")];
    let (child, addr) = spawn_web(&dir, None, &env).await;
    let mut half_head = TcpStream::connect(addr).await.unwrap();
    half_head.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut half_body = TcpStream::connect(addr).await.unwrap();
    half_body
        .write_all(b"POST /send HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nt=")
        .await
        .unwrap();
    // Both reached the server (a whole request on a third connection is answered after them).
    let mut probe = TcpStream::connect(addr).await.unwrap();
    probe.write_all(b"GET /static/app.css HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut head = [0u8; 12];
    probe.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    stop_with_sigterm(child, Duration::from_secs(15)).await;
}

/// Issue 19: SIGTERM while a message is on its way (its request half-sent). The server stops
/// accepting at once, but the message in flight is answered and its turn stored before the
/// process exits; on either database.
#[cfg(unix)]
#[tokio::test]
async fn sigterm_with_a_message_in_flight_stores_and_answers_it_and_refuses_new_connections() {
    let mut server = spawn_binary(root()).await;
    let cookie = server.conversation().await;
    let body = "t=%2Fstart";
    let mut in_flight = TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /send HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    in_flight.write_all(head.as_bytes()).await.unwrap();
    in_flight.write_all(&body.as_bytes()[..4]).await.unwrap();
    // The message reached the server (connections are accepted in order).
    let mut probe = TcpStream::connect(server.addr).await.unwrap();
    probe.write_all(b"GET /static/app.css HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut status = [0u8; 12];
    probe.read_exact(&mut status).await.unwrap();
    assert_eq!(&status, b"HTTP/1.1 200");

    server.signal("TERM");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(server.addr).await.is_ok() {
        assert!(std::time::Instant::now() < deadline, "still accepting after SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    in_flight.write_all(&body.as_bytes()[4..]).await.unwrap();
    let answer = read_until_closed(in_flight, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 303"), "the message was answered: {answer}");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while server.is_running() {
        assert!(std::time::Instant::now() < deadline, "no exit after SIGTERM: {}", server.log());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE channel = 'web'")
        .fetch_one(server.store.pool())
        .await
        .unwrap();
    assert_eq!(stored, 1, "the turn in flight was stored: {}", server.log());
}

/// Issue 19, input hygiene: a NUL and other control characters in the chat form are stripped
/// before the turn (PostgreSQL refuses a NUL in text, so the turn failed there); the question
/// is answered and reaches the console clean. Bytes that are not UTF-8 are read leniently.
#[tokio::test]
async fn control_characters_and_bad_bytes_in_a_message_are_dropped_and_it_is_answered() {
    let server = start(|_| {}).await;
    let cookie = server.conversation().await;
    server.say(&cookie, &[("t", "/start")]).await;
    let page = server.get("/", &cookie).await.body;
    server.say(&cookie, &[("b", &button(&page, "邵阳"))]).await;
    let sent = server
        .post("/send", &cookie, &[("t", "门特的药\0可以\u{7}快递\u{7f}到家吗\u{202e}")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let raw = "t=%FF%FE%E9%97%A8%E7%89%B9%00";
    let sent = server.request(Method::POST, "/send", &cookie, Some(raw.into())).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = server.get("/", &cookie).await.body;
    assert!(!page.contains("系统繁忙") && !page.contains('\0'), "{page}");
    assert!(page.contains("无法识别的字符") && !page.contains('\u{fffd}'), "{page}");

    let (session, _) = server.login("zhao", PASSWORD).await;
    let unanswered = server.get("/staff/unanswered", &session).await.body;
    assert!(unanswered.contains("门特的药可以快递到家吗"), "{unanswered}");
}

/// Issue 19, input hygiene: a 10,000-character message gets a polite answer, and the
/// conversation is where it was: the question asked before is still the one answered next.
#[tokio::test]
async fn a_ten_thousand_character_message_is_answered_politely_and_nothing_is_lost() {
    let server = start(|_| {}).await;
    let cookie = server.conversation().await;
    server.say(&cookie, &[("t", "/start")]).await;
    let huge = "x".repeat(10_000);
    let page = server.say(&cookie, &[("t", &huge)]).await;
    assert!(page.contains("这条消息太长了"), "{page}");
    let page = server.get("/", &cookie).await.body;
    server.say(&cookie, &[("b", &button(&page, "邵阳"))]).await;
    let page = server.say(&cookie, &[("t", "门特的药可以快递到家吗")]).await;
    assert!(!page.contains("系统繁忙") && page.contains("邵阳"), "{page}");
}

/// Reminders for web users: the page cannot push, so the worker parks them and the next visit
/// shows them once.
mod parked_reminders {
    use super::*;
    use mente::engine::UserKey;
    use mente::scheduler::run_once;
    use mente::web::remind::{WebSender, REMINDER_NOTE};

    const RENEWAL: &str = "【门特续期提醒】";

    /// The test server's fixed clock ([`started`]): 10:00 in China, inside the sending hours.
    fn now() -> DateTime<Utc> {
        started()
    }

    /// The web user behind a `mente_chat=<id>.<signature>` cookie.
    fn user_of(cookie: &str) -> UserKey {
        let value = cookie.trim_start_matches("mente_chat=");
        UserKey::new(web::CHANNEL, value.split('.').next().unwrap())
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

    /// One step of the web reminder worker at [`now`]; how many it handed over.
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
        let restarted = server.restart_at(now(), |_| {}).await;
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
}

#[tokio::test]
async fn health_checks_answer_anyone_and_readyz_fails_with_a_reason_when_the_database_is_gone() {
    let server = start(|_| {}).await;
    // A balancer probing more often than the chat's per-address burst (60) is never limited,
    // and gets no cookie: a probe is not a conversation.
    for _ in 0..70 {
        let health = server.get("/healthz", "").await;
        assert_eq!((health.status, health.body.as_str()), (StatusCode::OK, "ok"));
        let ready = server.get("/readyz", "").await;
        assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
        assert!(ready.body.starts_with("ready: content version 1"), "{}", ready.body);
        assert!(ready.headers.get(header::SET_COOKIE).is_none());
    }

    server.store.pool().close().await;
    let ready = server.get("/readyz", "").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE, "{}", ready.body);
    assert_eq!(ready.body.trim_end().lines().count(), 1, "one line: {}", ready.body);
    assert!(ready.body.contains("database"), "says why: {}", ready.body);
    let health = server.get("/healthz", "").await;
    assert_eq!(health.status, StatusCode::OK, "the process itself is still up");
}

/// The value of the sample `series` (name and labels, as rendered) in Prometheus text.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.trim().parse().unwrap())
}

#[tokio::test]
async fn turns_handoffs_the_outbox_and_the_content_version_are_scraped_from_the_metrics_router() {
    use tower::ServiceExt;

    let handle = mente::monitor::install().unwrap();
    let server = start(|_| {}).await;
    let cookie = server.conversation().await;
    server.say(&cookie, &[("t", "/start")]).await;
    server.say(&cookie, &[("t", "人工")]).await;
    let user = mente::engine::UserKey::new(web::CHANNEL.to_string(), "parked-for".to_string());
    mente::store::outbox::park_reminder(&server.store, &user, None, "提醒", started())
        .await
        .unwrap();

    let live = server.app.as_ref().unwrap().assistant.clone();
    let scrape = mente::monitor::Scrape::new(handle, server.store.clone(), live);
    let request = Request::get("/metrics").body(Body::empty()).unwrap();
    let response = mente::monitor::router(scrape).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let text = String::from_utf8(bytes.to_vec()).unwrap();

    // The recorder is the process's: other tests' turns count too, hence at-least.
    let turns = sample(&text, "mente_turns_total{channel=\"web\"}");
    assert!(turns >= Some(2.0), "{text}");
    assert!(text.contains("# TYPE mente_turn_seconds histogram"), "{text}");
    assert!(text.contains("mente_turn_seconds_bucket{channel=\"web\",le=\"0.01\"}"), "{text}");
    assert!(sample(&text, "mente_turn_seconds_count{channel=\"web\"}") >= Some(2.0), "{text}");
    assert_eq!(sample(&text, "mente_handoffs_open"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "mente_outbox_depth{channel=\"web\"}"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "mente_content_version"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "mente_database_up"), Some(1.0), "{text}");
    // The refusals of a_conversation_and_an_address_that_send_too_fast_are_refused may or may
    // not have run yet in this process: the series is there either way.
    assert!(sample(&text, "mente_rate_limited_total{limit=\"chat_conversation\"}").is_some());
}

/// Operators see refused requests (ops trial: they were only in INFO log lines).
#[tokio::test]
async fn a_refused_chat_message_is_counted_in_the_metrics() {
    use tower::ServiceExt;

    let handle = mente::monitor::install().unwrap();
    let server = start(|c| c.rates.chat_per_conversation = Rate { burst: 1, per_minute: 0 }).await;
    let live = server.app.as_ref().unwrap().assistant.clone();
    let scrape = mente::monitor::Scrape::new(handle, server.store.clone(), live);
    let refused = || async {
        let request = Request::get("/metrics").body(Body::empty()).unwrap();
        let response = mente::monitor::router(scrape.clone()).oneshot(request).await.unwrap();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        sample(&text, "mente_rate_limited_total{limit=\"chat_conversation\"}").unwrap()
    };
    let before = refused().await;
    let cookie = server.conversation().await;
    assert_eq!(server.post("/send", &cookie, &[("t", "你好")]).await.status, StatusCode::SEE_OTHER);
    let second = server.post("/send", &cookie, &[("t", "你好")]).await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused().await >= before + 1.0);
}

#[cfg(unix)]
#[tokio::test]
async fn backup_copies_a_live_database_and_never_overwrites_a_file() {
    let server = start(|_| {}).await;
    if !server.db.starts_with("sqlite:") {
        eprintln!("skipped: SQLite's backup; on PostgreSQL see backup_on_postgresql_says_pg_dump");
        return;
    }
    let cookie = server.conversation().await;
    server.say(&cookie, &[("t", "/start")]).await;
    let page = server.get("/", &cookie).await.body;
    server.say(&cookie, &[("b", &button(&page, "邵阳"))]).await;

    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.sqlite");
    let backup = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
            .arg("backup")
            .arg(&copy)
            .env("MENTE_DB", &server.db)
            .output()
            .expect("mente backup runs")
    };
    // While the server still has the database open.
    let out = backup();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let copied = Store::connect(&format!("sqlite://{}", copy.display())).await.unwrap();
    let states: Vec<String> =
        sqlx::query_scalar("SELECT state FROM sessions WHERE channel = 'web'")
            .fetch_all(copied.pool())
            .await
            .unwrap();
    assert_eq!(states.len(), 1, "{states:?}");
    assert!(states[0].contains("shaoyang"), "the chosen region is in the copy: {states:?}");
    copied.pool().close().await;

    let before = std::fs::read(&copy).unwrap();
    let again = backup();
    assert_eq!(again.status.code(), Some(2), "a usage error");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(std::fs::read(&copy).unwrap(), before, "the old backup is untouched");
}

/// Issue 19: `mente backup` on PostgreSQL names the tool that backs it up, with the usage exit
/// code, and touches nothing (no server is needed to say so).
#[test]
fn backup_on_postgresql_says_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
        .args(["--db", "postgres://nobody@127.0.0.1:1/mente", "backup"])
        .arg(dir.path().join("copy"))
        .output()
        .expect("mente backup runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("pg_dump"), "{stderr}");
    assert!(!dir.path().join("copy").exists());
}

/// Issue 19 (operator trial): `mente web` on an unreachable PostgreSQL said only "pool timed
/// out while waiting for an open connection" — no host, no database. The one error line names
/// the database with its password masked and says it could not connect.
#[test]
fn web_on_an_unreachable_postgresql_names_the_database_without_its_password() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
        .args(["--db", "postgres://mente:s3cret-pw@127.0.0.1:1/mente_prod", "web"])
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .expect("mente web runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not connect to the database"), "{stderr}");
    assert!(stderr.contains("127.0.0.1:1/mente_prod"), "host and database named: {stderr}");
    assert!(!stderr.contains("s3cret-pw"), "the password is masked: {stderr}");
    assert!(!stderr.contains("listening on"), "{stderr}");
}

/// The metric names of docs/operators.md's table (rows starting with "| `mente_").
fn documented_metrics() -> Vec<String> {
    let docs = std::fs::read_to_string(root().join("docs/operators.md")).unwrap();
    docs.lines()
        .filter_map(|line| line.trim_start().strip_prefix("| `mente_"))
        .map(|rest| format!("mente_{}", rest.split(['`', '{']).next().unwrap()))
        .collect()
}

/// Issue 19 (operator trial): the outbox depth, turn errors and reload failures never appeared
/// at /metrics, and turns only after the first one. A freshly started `mente web`, before any
/// turn, exports every metric the operators' guide lists, the outbox depth of each channel 0.
#[cfg(unix)]
#[tokio::test]
async fn every_documented_metric_is_exported_from_the_start() {
    use std::io::BufRead;

    let documented = documented_metrics();
    assert_eq!(documented.len(), 11, "the table of docs/operators.md: {documented:?}");
    let dir = tempfile::tempdir().unwrap();
    let db = crate::db::test_db_url(dir.path(), "metrics.sqlite");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
        .args(["web", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--content"])
        .arg(root())
        .env("MENTE_DB", &db)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start mente web");
    let stderr = child.stderr.take().unwrap();
    let metrics = tokio::task::spawn_blocking(move || {
        let mut lines = std::io::BufReader::new(stderr).lines();
        let addr = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| l.split("metrics on http://").nth(1).map(|a| a.trim().to_string()));
        std::thread::spawn(move || lines.for_each(drop));
        addr
    })
    .await
    .unwrap()
    .expect("mente web says where its metrics are");
    let client: Client<HttpConnector, Body> = Client::builder(TokioExecutor::new()).build_http();
    let response = client.get(format!("http://{metrics}").parse().unwrap()).await.unwrap();
    let bytes = axum::body::to_bytes(Body::new(response.into_body()), usize::MAX).await.unwrap();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let _ = child.kill();
    let _ = child.wait();

    for name in &documented {
        assert!(text.contains(&format!("# TYPE {name} ")), "{name} missing:\n{text}");
    }
    for channel in ["web", "telegram", "wechat", "terminal"] {
        let depth = format!("mente_outbox_depth{{channel=\"{channel}\"}}");
        assert_eq!(sample(&text, &depth), Some(0.0), "{text}");
        let errors = format!("mente_turn_errors_total{{channel=\"{channel}\"}}");
        assert_eq!(sample(&text, &errors), Some(0.0), "{text}");
    }
    assert_eq!(sample(&text, "mente_turns_total{channel=\"web\"}"), Some(0.0), "{text}");
    assert_eq!(sample(&text, "mente_turn_seconds_count{channel=\"web\"}"), Some(0.0), "{text}");
    assert_eq!(sample(&text, "mente_content_reload_failing"), Some(0.0), "{text}");
    assert_eq!(sample(&text, "mente_content_reload_errors_total"), Some(0.0), "{text}");
}

/// Issue 19 (operator trial): a conversation at the main menu, opened on an instance without
/// its transcript (another instance, a restart), showed the new visitor's page with 开始咨询.
/// It shows a welcome-back line and the main menu, whose buttons work there.
#[tokio::test]
async fn a_conversation_at_the_main_menu_reopened_elsewhere_shows_the_menu_not_the_welcome_page() {
    let server = start(|_| {}).await;
    let cookie = server.conversation().await;
    server.say(&cookie, &[("t", "/start")]).await;
    let page = server.get("/", &cookie).await.body;
    let menu = server.say(&cookie, &[("b", &button(&page, "邵阳"))]).await;
    assert!(menu.contains("主菜单"), "at the main menu: {menu}");

    let other = server.restart_at(started(), |_| {}).await;
    let page = other.get("/", &cookie).await.body;
    assert!(!page.contains("开始咨询"), "not the new visitor's page: {page}");
    assert!(page.contains("欢迎回来"), "{page}");
    assert!(page.contains("主菜单（当前地区：邵阳。）"), "{page}");
    let renewal = other.say(&cookie, &[("b", &button(&page, "续期/延期"))]).await;
    assert!(renewal.contains("这次是给谁办延期"), "the menu's button works: {renewal}");

    // A visitor who never had a turn still gets the new visitor's page.
    let newcomer = server.conversation().await;
    assert!(other.get("/", &newcomer).await.body.contains("开始咨询"));
}

/// Issue 19 (operator trial): `mente staff add NAME` printed its "Password for NAME…" prompt
/// even with the password piped in by a script, into the script's log. Only a terminal is
/// prompted; the account is made all the same.
#[test]
fn staff_add_with_a_piped_password_prints_no_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("staff.sqlite").display());
    let out = crate::common::mente_with_password(&db, &["staff", "add", "qian"], PASSWORD);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("Password for"), "no prompt on a pipe: {stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("qian"), "the account is made");
}
