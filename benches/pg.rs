//! Turns on PostgreSQL with several processes on one database (a bench binary, not a test):
//! turns per second and p99 of the real `service::turn` with 1, 2 and 4 processes, beside bare
//! PostgreSQL transactions doing the same writes, through the same sqlx pool. Issue 19, item 7.
//!
//! ```sh
//! MENTE_BENCH_PG=postgres://postgres@127.0.0.1:55440/bench cargo bench --bench pg
//! ```
//!
//! Give it a throwaway database: it migrates it, writes rows of channels `bench` and `bare` and
//! deletes them before each run. Without `MENTE_BENCH_PG` it prints how to run it and exits 0,
//! so `cargo bench` works without a server.
//!
//! A turn is a button press in a dialog that loops (线上还是线下 → 线上怎么办 → 还想了解什么 → …)
//! with an update id, as in `benches/turn.rs`: it locks its user, claims the update, reads
//! session and user data, runs the engine and saves the session. "Bare" is `BEGIN`, the same two
//! writes (update id, session row of the same size) and `COMMIT`. Each process runs
//! [`CONVERSATIONS`] conversations at once (one user each, one turn after the other), as an
//! instance serves many chats, for `MENTE_BENCH_SECONDS` (default 10) per kind; the processes
//! are this binary started again with `MENTE_BENCH_PG_WORKER` set. Latency is one turn's (or
//! bare transaction's) own time; throughput is all processes' turns over the run's length.

#[path = "common/looping.rs"]
mod looping;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use mente::assistant::Assistant;
use mente::engine::{Choice, UserKey};
use mente::service::{self, TurnResult};
use mente::store::Store;

/// Processes on the one database, one run each.
const PROCESSES: [usize; 3] = [1, 2, 4];
/// Conversations each process runs at the same time.
const CONVERSATIONS: usize = 4;
/// Seconds each kind runs, unless `MENTE_BENCH_SECONDS` says otherwise.
const SECONDS: f64 = 10.0;
/// The two kinds measured.
const KINDS: [&str; 2] = ["turn", "bare"];

fn main() {
    let Ok(url) = std::env::var("MENTE_BENCH_PG") else {
        println!(
            "pg bench skipped: set MENTE_BENCH_PG to a throwaway PostgreSQL database, e.g.\n  \
             MENTE_BENCH_PG=postgres://postgres@127.0.0.1:5432/mente_bench cargo bench --bench pg\n\
             (see docs/developers.md, Speed)"
        );
        return;
    };
    let seconds: f64 =
        std::env::var("MENTE_BENCH_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(SECONDS);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    if let Ok(worker) = std::env::var("MENTE_BENCH_PG_WORKER") {
        let (process, kind, out) = parse_worker(&worker);
        runtime.block_on(worker_main(&url, process, &kind, seconds, Path::new(&out)));
        return;
    }
    runtime.block_on(async {
        // Migrate once, before processes race for it.
        Store::connect(&url).await.expect("MENTE_BENCH_PG: cannot connect or migrate");
    });
    let dir = tempfile::tempdir().unwrap();
    println!(
        "PostgreSQL, {CONVERSATIONS} conversations per process, {seconds:.0} s per kind \
         (latency: one turn's own time; per second: all processes' over the run)"
    );
    for processes in PROCESSES {
        for kind in KINDS {
            runtime.block_on(clean(&url));
            let children: Vec<_> = (0..processes)
                .map(|p| {
                    let out = dir.path().join(format!("{kind}-{processes}-{p}.txt"));
                    let spec = format!("{p},{kind},{}", out.display());
                    let child = Command::new(std::env::current_exe().unwrap())
                        .env("MENTE_BENCH_PG_WORKER", spec)
                        .stdout(Stdio::inherit())
                        .spawn()
                        .expect("start a worker process");
                    (child, out)
                })
                .collect();
            let mut times = Vec::new();
            for (mut child, out) in children {
                assert!(child.wait().unwrap().success(), "a worker process failed");
                times.extend(read_times(&out));
            }
            // Every process runs for `seconds` once set up (content loaded, connected).
            report(processes, kind, Duration::from_secs_f64(seconds), &mut times);
        }
    }
    runtime.block_on(clean(&url));
}

/// `process,kind,path` of a worker.
fn parse_worker(spec: &str) -> (usize, String, String) {
    let mut parts = spec.splitn(3, ',');
    let process = parts.next().unwrap().parse().unwrap();
    (process, parts.next().unwrap().to_string(), parts.next().unwrap().to_string())
}

/// Deletes the rows earlier runs left.
async fn clean(url: &str) {
    let store = Store::connect(url).await.unwrap();
    for table in ["processed_updates", "sessions", "outbox"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE channel IN ('bench', 'bare')"))
            .execute(store.pool())
            .await
            .unwrap();
    }
}

/// One process: [`CONVERSATIONS`] loops of `kind` for `seconds`; each one's time in µs, one
/// per line, into `out`.
async fn worker_main(url: &str, process: usize, kind: &str, seconds: f64, out: &Path) {
    let store = Store::connect(url).await.unwrap();
    let assistant = std::sync::Arc::new(
        Assistant::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("content"),
    );
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let tasks: Vec<_> = (0..CONVERSATIONS)
        .map(|c| {
            let (store, assistant, kind) = (store.clone(), assistant.clone(), kind.to_string());
            tokio::spawn(async move {
                let user = UserKey::new("bench", format!("{process}-{c}"));
                // Update ids apart per process and conversation, so none collide.
                let first_update = ((process * CONVERSATIONS + c) as i64) << 32;
                let mut conversation = Conversation::start(&store, &assistant, user).await;
                conversation.update = first_update;
                let mut times = Vec::new();
                while Instant::now() < until {
                    times.push(match kind.as_str() {
                        "turn" => conversation.turn(&store, &assistant).await,
                        _ => conversation.bare(&store).await,
                    });
                }
                times
            })
        })
        .collect();
    let mut file = std::io::BufWriter::new(std::fs::File::create(out).unwrap());
    for task in tasks {
        for t in task.await.unwrap() {
            writeln!(file, "{}", t.as_micros()).unwrap();
        }
    }
}

/// One user in the looping dialog.
struct Conversation {
    user: UserKey,
    now: DateTime<Utc>,
    offered: Vec<Choice>,
    update: i64,
    state_len: usize,
}

impl Conversation {
    async fn start(store: &Store, assistant: &Assistant, user: UserKey) -> Conversation {
        let now = looping::now();
        let offered = looping::enter(store, assistant, &user).await;
        let state_len = sqlx::query_scalar::<_, i64>(
            "SELECT CAST(length(state) AS BIGINT) FROM sessions WHERE channel = $1 AND user_id = $2",
        )
        .bind(&user.channel)
        .bind(&user.user)
        .fetch_one(store.pool())
        .await
        .unwrap() as usize;
        Conversation { user, now, offered, update: 0, state_len }
    }

    async fn turn(&mut self, store: &Store, assistant: &Assistant) -> Duration {
        self.update += 1;
        let request = looping::press_first(&self.user, self.update, &self.offered, self.now);
        let start = Instant::now();
        let TurnResult::Replies(replies) = service::turn(store, assistant, request).await.unwrap()
        else {
            panic!("fresh update ids")
        };
        let took = start.elapsed();
        self.offered = looping::looped(&replies);
        took
    }

    async fn bare(&mut self, store: &Store) -> Duration {
        self.update += 1;
        let state = "x".repeat(self.state_len);
        let now = self.now.to_rfc3339();
        let start = Instant::now();
        let mut tx = store.begin().await.unwrap();
        sqlx::query(
            "INSERT INTO processed_updates (channel, update_id, processed_at) VALUES ('bare', $1, $2)",
        )
        .bind(self.update)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO sessions (channel, user_id, state, updated_at) VALUES ('bare', $1, $2, $3)
             ON CONFLICT (channel, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind(&self.user.user)
        .bind(state)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        start.elapsed()
    }
}

fn read_times(path: &Path) -> Vec<Duration> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| Duration::from_micros(line.parse().unwrap()))
        .collect()
}

fn report(processes: usize, kind: &str, elapsed: Duration, times: &mut [Duration]) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let what = match kind {
        "turn" => "service::turn",
        _ => "bare transaction, same writes",
    };
    println!(
        "{processes} process(es), {what:30} {:7.0} /s   p50 {:.3} ms   p99 {:.3} ms   max {:.3} ms",
        times.len() as f64 / elapsed.as_secs_f64(),
        ms(at(0.50)),
        ms(at(0.99)),
        ms(times[times.len() - 1]),
    );
}
