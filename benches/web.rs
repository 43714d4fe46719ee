//! Chat endpoint latency at a fixed offered load over loopback (a bench binary, not a test).
//! Each conversation first chooses its region, then sends messages for [`RUN`]; a message is
//! what a browser does: `POST /send` (rate limits, engine, one SQLite transaction, 303) and the
//! `GET /` it is sent to, which renders the page. Run with `cargo bench --bench web`; the
//! figures go into docs/developers.md.
//!
//! Goal (issue 19): p99 < 10 ms at ≥ 1,500 messages/s with 8 and with 32 conversations.
//!
//! **Open loop.** Messages are offered at a fixed rate ([`RATE`] per second in all, spread
//! evenly over the conversations and staggered), whatever the server does, and each one's
//! latency runs from when it was *due* to when its page arrived. A conversation is one browser:
//! it sends its next message only after the page of the last, so when the server falls behind,
//! the next one goes at once and the time it waited counts (no coordinated omission). Why not
//! a closed loop (each client sends again as soon as its page arrives): by Little's law its mean
//! latency is clients / throughput, so 32 clients with no think time measure their own queue —
//! p99 < 10 ms would need more than 3,200 messages/s on two cores — and a slow server lowers the
//! offered load, hiding its stalls. Real applicants arrive at a rate, not when the last one is
//! served. The bench prints the achieved rate (below [`RATE`] means the server could not keep
//! up), p50, p99 and max. `MENTE_BENCH_RATE` and `MENTE_BENCH_SECONDS` override rate and length.
//!
//! With each run it prints the CPU time the process spent per message (server and the bench's
//! own HTTP client together, all threads, see `common/cpu.rs`): a figure other load on the
//! machine hardly changes, unlike the latencies.
//!
//! It also prints the SQL statements one message runs (counted from sqlx's statement log, see
//! `common/sql_count.rs`), a figure the machine's load does not change;
//! `MENTE_BENCH_COUNT_ONLY=1` stops after it (also in a debug build: `cargo test --bench web`).

#[path = "common/cpu.rs"]
mod cpu;
#[path = "common/sql_count.rs"]
mod sql_count;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use mente::assistant::Assistant;
use mente::clock::SystemClock;
use mente::store::Store;
use mente::web::limits::Rate;
use mente::web::{self, App, WebConfig};

/// How long each concurrency level sends messages (after choosing regions), unless
/// `MENTE_BENCH_SECONDS` says otherwise.
const RUN: Duration = Duration::from_secs(10);
/// Messages offered per second over all conversations, unless `MENTE_BENCH_RATE` says otherwise.
const RATE: f64 = 1500.0;
/// Conversations sending at the same time, one run each.
const LEVELS: [usize; 2] = [8, 32];
/// The region every conversation chooses first (its name as typed).
const REGION: &str = "邵阳";

/// What applicants type: FAQ questions, menu words and a not-sure question, in turn.
const TEXTS: [&str; 4] =
    ["申请门特要准备什么材料", "职工门槛费多少", "主菜单", "门特的药可以快递到家吗"];

type HttpClient = Client<HttpConnector, Body>;

fn main() {
    sql_count::install();
    let rate: f64 = env_or("MENTE_BENCH_RATE", RATE);
    let run_for = Duration::from_secs_f64(env_or("MENTE_BENCH_SECONDS", RUN.as_secs_f64()));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        for conversations in LEVELS {
            run(conversations, rate, run_for).await;
            if std::env::var_os("MENTE_BENCH_COUNT_ONLY").is_some() {
                break;
            }
        }
    });
}

/// A number from the environment, or `default`.
fn env_or(name: &str, default: f64) -> f64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// One fresh server and database, `conversations` browsers offering `rate` messages/s in all
/// for `run_for`.
async fn run(conversations: usize, rate: f64, run_for: Duration) {
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
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();

    let mut cookies = Vec::new();
    for _ in 0..conversations {
        cookies.push(start_conversation(&client, addr).await);
    }
    if conversations == LEVELS[0] {
        let (_, n, seen) = sql_count::count(message(&client, addr, &cookies[0], TEXTS[0])).await;
        println!(
            "one message (POST /send + GET /): {n} SQL statements + BEGIN/COMMIT of the turn: {}",
            seen.join(" | ")
        );
        if std::env::var_os("MENTE_BENCH_COUNT_ONLY").is_some() {
            return;
        }
    }
    // Each conversation sends every `interval`; they start staggered across one interval.
    let interval = Duration::from_secs_f64(conversations as f64 / rate);
    let start = tokio::time::Instant::now() + Duration::from_millis(50);
    let until = start + run_for;
    let cpu_before = cpu::cpu_time();
    let tasks: Vec<_> = cookies
        .into_iter()
        .enumerate()
        .map(|(n, cookie)| {
            let client = client.clone();
            let first = start + interval.mul_f64(n as f64 / conversations as f64);
            tokio::spawn(async move {
                let mut times = Vec::new();
                let mut due = first;
                let mut i = n;
                while due < until {
                    tokio::time::sleep_until(due).await;
                    message(&client, addr, &cookie, TEXTS[i % TEXTS.len()]).await;
                    // From when it was due: waiting behind a slow earlier message counts.
                    times.push(due.elapsed());
                    due += interval;
                    i += 1;
                }
                times
            })
        })
        .collect();
    let mut times: Vec<Duration> = Vec::new();
    for task in tasks {
        times.extend(task.await.unwrap());
    }
    let cpu = cpu::cpu_time().saturating_sub(cpu_before);
    report(conversations, rate, start.elapsed(), times, cpu);
}

/// A conversation the server issued (it signs the id; a made-up one would get a fresh
/// conversation on every request) that has chosen its region.
async fn start_conversation(client: &HttpClient, addr: SocketAddr) -> String {
    let first = client.get(format!("http://{addr}/").parse().unwrap()).await.unwrap();
    let set = first.headers()[header::SET_COOKIE].to_str().unwrap();
    let cookie = set.split(';').next().unwrap().to_string();
    message(client, addr, &cookie, "/start").await;
    let page = message(client, addr, &cookie, REGION).await;
    assert!(page.contains("主菜单"), "the region was not taken:\n{page}");
    cookie
}

/// Sends `text` as the form does and follows the 303 to the page; returns the page.
async fn message(client: &HttpClient, addr: SocketAddr, cookie: &str, text: &str) -> String {
    let form = url::form_urlencoded::Serializer::new(String::new()).append_pair("t", text).finish();
    let post = Request::post(format!("http://{addr}/send"))
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let resp = client.request(post).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    // The fragment (`/#latest`) stays in the browser.
    let location = resp.headers()[header::LOCATION].to_str().unwrap();
    let location = location.split('#').next().unwrap_or("/").to_string();
    drain(resp.into_body()).await;
    let get = Request::get(format!("http://{addr}{location}"))
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let resp = client.request(get).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    String::from_utf8_lossy(&drain(resp.into_body()).await).into_owned()
}

/// Reads a whole response body.
async fn drain(body: hyper::body::Incoming) -> axum::body::Bytes {
    axum::body::to_bytes(Body::new(body), usize::MAX).await.unwrap()
}

/// Prints the figures of one run; `cpu` is the CPU time the whole process (server and the
/// bench's own HTTP client together) spent during it.
fn report(
    conversations: usize,
    rate: f64,
    elapsed: Duration,
    mut times: Vec<Duration>,
    cpu: Duration,
) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "{conversations:>2} conversations, {rate:.0} messages/s offered: {} messages (POST /send + GET /) \
         in {:.1} s = {:.0} messages/s achieved; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; \
         CPU {:.0} µs per message (server and client, all threads)",
        times.len(),
        elapsed.as_secs_f64(),
        times.len() as f64 / elapsed.as_secs_f64(),
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(*times.last().unwrap()),
        cpu.as_secs_f64() * 1e6 / times.len() as f64,
    );
}
