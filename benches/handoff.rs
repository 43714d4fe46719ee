//! Live hand-off latency over loopback (a bench binary, not a test; issue 18): with 50 hand-offs
//! open and claimed, one round trip is a user's message from the chat page (`POST /send`) to
//! the console (the thread page shows it), the staff reply (`POST …/reply`) and back to the
//! page (`GET /news`, what the page's script asks). Prints p50/p99 of the round trip and of its
//! parts. Run with `cargo bench --bench handoff`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// Hand-offs open at once.
const OPEN: usize = 50;
/// Round trips measured (spread over the open hand-offs in turn).
const ROUND_TRIPS: usize = 300;

struct Http {
    client: Client<HttpConnector, Body>,
    base: String,
}

/// Status, Set-Cookie values and body of one request.
struct Answer {
    status: StatusCode,
    cookies: Vec<String>,
    body: String,
}

impl Http {
    async fn call(
        &self,
        method: Method,
        path: &str,
        cookie: &str,
        form: &[(&str, &str)],
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(format!("{}{path}", self.base));
        if !cookie.is_empty() {
            req = req.header(header::COOKIE, cookie);
        }
        let body = if form.is_empty() {
            Body::empty()
        } else {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(
                url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish(),
            )
        };
        let resp = self.client.request(req.body(body).unwrap()).await.unwrap();
        let status = resp.status();
        let cookies = resp
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
            .collect();
        let bytes = axum::body::to_bytes(Body::new(resp.into_body()), usize::MAX).await.unwrap();
        Answer { status, cookies, body: String::from_utf8_lossy(&bytes).into_owned() }
    }
}

fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("field") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

fn button(html: &str, label: &str) -> String {
    let end = html.find(&format!(">{label}</button>")).expect("button");
    let start = html[..end].rfind("value=\"").unwrap() + "value=\"".len();
    html[start..end].split('"').next().unwrap().to_string()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(run());
}

async fn run() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let store =
        Store::connect(&format!("sqlite://{}/bench.sqlite", dir.path().display())).await.unwrap();
    let assistant = Arc::new(Assistant::load(&root).unwrap());
    let mut config = WebConfig::new(root);
    let open = Rate { burst: 1_000_000, per_minute: 1_000_000 };
    config.rates.chat_per_conversation = open;
    config.rates.chat_per_address = open;
    // Monday 10:00 in China: staff on duty.
    let clock = Arc::new(FixedClock("2026-11-30T02:00:00Z".parse().unwrap()));
    let app = App::new(store.clone(), assistant, clock, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(web::serve(listener, app, std::future::pending()));
    let http = Http { client: Client::builder(TokioExecutor::new()).build_http(), base };

    let (staff, csrf) = log_in(&http, &store).await;
    let mut users = Vec::with_capacity(OPEN);
    for _ in 0..OPEN {
        users.push(open_hand_off(&http).await);
    }
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM handoff_threads ORDER BY id")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(ids.len(), OPEN);
    for id in &ids {
        let claimed = http
            .call(Method::POST, &format!("/staff/inbox/{id}/claim"), &staff, &[("csrf", &csrf)])
            .await;
        assert_eq!(claimed.status, StatusCode::SEE_OTHER);
    }

    let (mut trips, mut to_console, mut back) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..ROUND_TRIPS {
        let (user, id) = (&users[i % OPEN], ids[i % OPEN]);
        let question = format!("第{i}个问题");
        let answer = format!("第{i}个回复");
        let start = Instant::now();
        let sent = http.call(Method::POST, "/send", user, &[("t", &question)]).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
        let thread = http.call(Method::GET, &format!("/staff/inbox/{id}"), &staff, &[]).await;
        assert!(thread.body.contains(&question), "the console shows the message");
        to_console.push(start.elapsed());
        let replied = Instant::now();
        let path = format!("/staff/inbox/{id}/reply");
        let posted =
            http.call(Method::POST, &path, &staff, &[("csrf", &csrf), ("text", &answer)]).await;
        assert_eq!(posted.status, StatusCode::SEE_OTHER);
        let news = http.call(Method::GET, "/news", user, &[]).await;
        assert!(news.body.contains(&answer), "the page gets the reply");
        back.push(replied.elapsed());
        trips.push(start.elapsed());
    }
    report("round trip (page → console → page)", &mut trips);
    report("user message to the console", &mut to_console);
    report("staff reply to the page", &mut back);
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "{what}: {} with {OPEN} open hand-offs; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        times.last().unwrap().as_secs_f64() * 1000.0,
    );
}

/// A member of staff logged in through the form: session cookie and CSRF token.
async fn log_in(http: &Http, store: &Store) -> (String, String) {
    let hash = web::staff::auth::hash_password("a long enough password").unwrap();
    mente::store::staff::upsert(store.pool(), "bench", &hash, chrono::Utc::now()).await.unwrap();
    let form = http.call(Method::GET, "/staff/login", "", &[]).await;
    let login_cookie = form.cookies[0].clone();
    let csrf = field(&form.body, "csrf");
    let fields =
        [("name", "bench"), ("password", "a long enough password"), ("csrf", csrf.as_str())];
    let done = http.call(Method::POST, "/staff/login", &login_cookie, &fields).await;
    let session =
        done.cookies.iter().find(|c| c.starts_with("mente_staff=")).expect("session").clone();
    let page = http.call(Method::GET, "/staff/inbox", &session, &[]).await;
    (session.clone(), field(&page.body, "csrf"))
}

/// A chat page user who asked for a person and agreed: their cookie.
async fn open_hand_off(http: &Http) -> String {
    let first = http.call(Method::GET, "/", "", &[]).await;
    let cookie = first.cookies[0].clone();
    http.call(Method::POST, "/send", &cookie, &[("t", "人工")]).await;
    let page = http.call(Method::GET, "/", &cookie, &[]).await;
    let yes = button(&page.body, "同意转人工");
    http.call(Method::POST, "/send", &cookie, &[("b", &yes)]).await;
    cookie
}
