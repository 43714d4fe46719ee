//! Chat endpoint throughput and latency over loopback (a bench binary, not a test): a fixed
//! number of `POST /send` messages from several conversations at once, each a full turn (rate
//! limits, engine, one SQLite transaction, redirect). Prints requests/s and p50/p99. Run with
//! `cargo bench --bench web`; the figures go into README.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use mente::assistant::Assistant;
use mente::clock::SystemClock;
use mente::store::Store;
use mente::web::limits::Rate;
use mente::web::{self, App, WebConfig};

/// Conversations sending at the same time.
const CONVERSATIONS: usize = 8;
/// Messages per conversation (bounded: the whole run takes seconds).
const MESSAGES: usize = 250;

/// What applicants type: FAQ questions, menu words and a not-sure question, in turn.
const TEXTS: [&str; 4] =
    ["申请门特要准备什么材料", "职工门槛费多少", "主菜单", "门特的药可以快递到家吗"];

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
    // Measure the endpoint, not the limiter refusing it.
    let open = Rate { burst: 1_000_000, per_minute: 1_000_000 };
    config.rates.chat_per_conversation = open;
    config.rates.chat_per_address = open;
    let app = App::new(store, assistant, Arc::new(SystemClock), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(web::serve(listener, app, std::future::pending()));
    let client: Client<_, Body> = Client::builder(TokioExecutor::new()).build_http();

    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONVERSATIONS {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            // A conversation id the server issued (it signs them; a made-up one would get a
            // fresh conversation on every request).
            let first = client.get(format!("http://{addr}/").parse().unwrap()).await.unwrap();
            let set = first.headers()[header::SET_COOKIE].to_str().unwrap();
            let cookie = set.split(';').next().unwrap().to_string();
            let mut times = Vec::with_capacity(MESSAGES);
            for i in 0..MESSAGES {
                let text = if i == 0 { "/start" } else { TEXTS[i % TEXTS.len()] };
                let form = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("t", text)
                    .finish();
                let req = Request::post(format!("http://{addr}/send"))
                    .header(header::COOKIE, &cookie)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(form))
                    .unwrap();
                let sent = Instant::now();
                let resp = client.request(req).await.unwrap();
                assert_eq!(resp.status(), StatusCode::SEE_OTHER);
                times.push(sent.elapsed());
            }
            times
        }));
    }
    let mut times: Vec<Duration> = Vec::new();
    for t in tasks {
        times.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed();
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "POST /send: {} requests from {CONVERSATIONS} conversations in {:.2} s = {:.0} requests/s; \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        elapsed.as_secs_f64(),
        times.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        times.last().unwrap().as_secs_f64() * 1000.0,
    );
}
