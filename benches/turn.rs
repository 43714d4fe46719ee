//! Turn cost (a bench binary, not a test): the real `service::turn` against a bare transaction
//! with the same writes on the same SQLite file, in one run, both through sqlx and on plain
//! SQLite (rusqlite, no async, no pool): the plain one is what the hardware gives. Run with
//! `cargo bench --bench turn`; the figures go into docs/developers.md.
//!
//! A turn here is a button press in a dialog that loops (线上还是线下 → 线上怎么办 → 还想了解什么
//! → …) with a Telegram update id, so it claims the update, reads session and user data, runs
//! the engine and saves the session. "Bare" is `BEGIN IMMEDIATE`, the same two writes (update
//! id, session row of the same size) and `COMMIT` through the same sqlx pool: what a turn
//! cannot avoid. Blocks of both alternate so that load from other processes hits both alike.
//!
//! Goals (issues 11 and 19): turns ≥ 30 % of plain SQLite's bare throughput, p99 < 2 ms.
//!
//! First it prints the SQL statements each kind runs (counted from sqlx's statement log, see
//! `common/sql_count.rs`): that figure does not depend on the machine's load, the timings do.
//! `MENTE_BENCH_COUNT_ONLY=1` stops after it (quick, also in a debug build:
//! `MENTE_BENCH_COUNT_ONLY=1 cargo test --bench turn`).

#[path = "common/looping.rs"]
mod looping;
#[path = "common/sql_count.rs"]
mod sql_count;

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use mente::assistant::Assistant;
use mente::engine::{Choice, UserKey};
use mente::service::{self, QueuedTurn, TurnResult};
use mente::store::{outbox, Store};

/// Measured turns of each kind; blocks of [`BLOCK`] alternate.
const TURNS: usize = 4000;
const BLOCK: usize = 200;
const WARM_UP: usize = 300;

fn main() {
    sql_count::install();
    let assistant = Assistant::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("content");
    let current = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    current.block_on(count_statements(&assistant));
    if std::env::var_os("MENTE_BENCH_COUNT_ONLY").is_some() {
        return;
    }
    current.block_on(bench("current-thread runtime", &assistant));
    let multi = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    multi.block_on(bench("multi-thread runtime", &assistant));
}

struct Bench<'a> {
    store: Store,
    assistant: &'a Assistant,
    user: UserKey,
    now: DateTime<Utc>,
    offered: Vec<Choice>,
    update: i64,
    state_len: usize,
}

impl Bench<'_> {
    async fn turn(&mut self, queue: bool) -> Duration {
        self.update += 1;
        let request = looping::press_first(&self.user, self.update, &self.offered, self.now);
        let start = Instant::now();
        let replies = if queue {
            let QueuedTurn::Queued(queued) =
                service::turn_with_outbox(&self.store, self.assistant, request).await.unwrap()
            else {
                panic!("fresh update ids")
            };
            // The Telegram path: the replies leave the outbox once delivered, together.
            let ids: Vec<i64> = queued.iter().map(|item| item.id).collect();
            outbox::mark_all_sent(&self.store, &ids).await.unwrap();
            queued.into_iter().map(|q| q.reply).collect()
        } else {
            let TurnResult::Replies(replies) =
                service::turn(&self.store, self.assistant, request).await.unwrap()
            else {
                panic!("fresh update ids")
            };
            replies
        };
        let took = start.elapsed();
        self.offered = looping::looped(&replies);
        took
    }

    /// The bare transaction on plain SQLite: the same statements on the same file, through a
    /// connection of its own with the settings mente's connections have.
    fn plain(&mut self, conn: &rusqlite::Connection, n: i64) -> Duration {
        let state = "x".repeat(self.state_len);
        let now = self.now.to_rfc3339();
        let start = Instant::now();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        conn.prepare_cached(
            "INSERT INTO processed_updates (channel, update_id, processed_at) VALUES ('plain', ?1, ?2)",
        )
        .unwrap()
        .execute(rusqlite::params![n, now])
        .unwrap();
        conn.prepare_cached(
            "INSERT INTO sessions (channel, user_id, state, updated_at) VALUES ('plain', 'u', ?1, ?2)
             ON CONFLICT (channel, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
        .unwrap()
        .execute(rusqlite::params![state, now])
        .unwrap();
        conn.execute_batch("COMMIT").unwrap();
        start.elapsed()
    }

    async fn bare(&mut self, n: i64) -> Duration {
        let state = "x".repeat(self.state_len);
        let start = Instant::now();
        let mut tx = self.store.begin().await.unwrap();
        sqlx::query(
            "INSERT INTO processed_updates (channel, update_id, processed_at) VALUES ('bare', $1, $2)",
        )
        .bind(n)
        .bind(self.now.to_rfc3339())
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO sessions (channel, user_id, state, updated_at) VALUES ('bare', 'u', $1, $2)
             ON CONFLICT (channel, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind(state)
        .bind(self.now.to_rfc3339())
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        start.elapsed()
    }
}

/// Prints the statements of one turn of each kind, on a warmed-up conversation.
async fn count_statements(assistant: &Assistant) {
    let dir = tempfile::tempdir().unwrap();
    let mut b = Bench::start(&dir, assistant).await;
    for _ in 0..3 {
        b.turn(false).await;
    }
    for (label, queue) in [("service::turn", false), ("turn_with_outbox + mark_all_sent", true)] {
        let (_, n, seen) = sql_count::count(b.turn(queue)).await;
        println!("{label}: {n} statements + BEGIN/COMMIT: {}", seen.join(" | "));
    }
}

impl<'a> Bench<'a> {
    /// A fresh database whose user has chosen a region and is in the looping dialog.
    async fn start(dir: &tempfile::TempDir, assistant: &'a Assistant) -> Bench<'a> {
        let file = dir.path().join("bench.sqlite");
        let store = Store::connect(&format!("sqlite://{}", file.display())).await.unwrap();
        let user = UserKey::new("telegram", "1");
        let offered = looping::enter(&store, assistant, &user).await;
        Bench { store, assistant, user, now: looping::now(), offered, update: 0, state_len: 0 }
    }
}

async fn bench(label: &str, assistant: &Assistant) {
    let dir = tempfile::tempdir().unwrap();
    let mut b = Bench::start(&dir, assistant).await;
    let plain = rusqlite::Connection::open(dir.path().join("bench.sqlite")).unwrap();
    plain
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 10000; PRAGMA secure_delete = ON;",
        )
        .unwrap();
    for _ in 0..WARM_UP {
        b.turn(false).await;
    }
    b.state_len = sqlx::query_scalar::<_, i64>("SELECT length(state) FROM sessions")
        .fetch_one(b.store.pool())
        .await
        .unwrap() as usize;
    let (mut turns, mut bare, mut queued, mut plain_bare) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut n = 0;
    while turns.len() < TURNS {
        for _ in 0..BLOCK {
            turns.push(b.turn(false).await);
        }
        for _ in 0..BLOCK {
            n += 1;
            bare.push(b.bare(n).await);
        }
        for _ in 0..BLOCK {
            queued.push(b.turn(true).await);
        }
        for _ in 0..BLOCK {
            n += 1;
            plain_bare.push(b.plain(&plain, n));
        }
    }
    let (turn_tps, bare_tps) = (per_second(&turns), per_second(&bare));
    let plain_tps = per_second(&plain_bare);
    println!("== {label}, {TURNS} of each, session row {} bytes", b.state_len);
    report("service::turn", &mut turns);
    report("bare transaction, same writes", &mut bare);
    report("turn_with_outbox + mark_all_sent", &mut queued);
    report("bare transaction, plain SQLite", &mut plain_bare);
    println!(
        "turns reach {:.0} % of plain SQLite's bare throughput (goal ≥ 30 %) and {:.0} % of \
         sqlx's; p99 goal < 2 ms",
        100.0 * turn_tps / plain_tps,
        100.0 * turn_tps / bare_tps
    );
}

fn per_second(times: &[Duration]) -> f64 {
    times.len() as f64 / times.iter().sum::<Duration>().as_secs_f64()
}

fn report(what: &str, times: &mut [Duration]) {
    let tps = per_second(times);
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "{what:32} {tps:8.0} /s   p50 {:.3} ms   p99 {:.3} ms   max {:.3} ms",
        ms(at(0.50)),
        ms(at(0.99)),
        ms(times[times.len() - 1])
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
