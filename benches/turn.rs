//! Turn cost (a bench binary, not a test): the real `service::turn` against a bare transaction
//! with the same writes on the same SQLite file, in one run, both through sqlx and on plain
//! SQLite (rusqlite, no async, no pool): the plain one is what the hardware gives. The bare
//! transaction also runs through a typed `SqlitePool` (sqlx's SQLite driver without the `any`
//! layer mente uses), which says what the `any` driver costs and what sqlx can reach at all. Run with
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
//! Each kind also shows the CPU time the whole process spent per turn (all threads, from
//! `/proc`, see `common/cpu.rs`): it hardly changes with other load on the machine, unlike the
//! wall-clock figures.
//!
//! First it prints the SQL statements each kind runs (counted from sqlx's statement log, see
//! `common/sql_count.rs`): that figure does not depend on the machine's load, the timings do.
//! `MENTE_BENCH_COUNT_ONLY=1` stops after it (quick, also in a debug build:
//! `MENTE_BENCH_COUNT_ONLY=1 cargo test --bench turn`).

#[path = "common/cpu.rs"]
mod cpu;
#[path = "common/looping.rs"]
mod looping;
#[path = "common/sql_count.rs"]
mod sql_count;

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use cpu::cpu_time;
use mente::assistant::Assistant;
use mente::engine::{Choice, UserKey};
use mente::service::{self, QueuedTurn, TurnResult};
use mente::store::{outbox, Store};

/// The two writes of a bare transaction on an open sqlx transaction `$conn`, the `any` one or a
/// typed SQLite one (a macro: the two differ in type, the statements and binds must not).
macro_rules! bare_writes {
    ($conn:expr, $n:expr, $state:expr, $now:expr) => {{
        sqlx::query(
            "INSERT INTO processed_updates (channel, update_id, processed_at) VALUES ('bare', $1, $2)",
        )
        .bind($n)
        .bind($now)
        .execute($conn)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO sessions (channel, user_id, state, updated_at) VALUES ('bare', 'u', $1, $2)
             ON CONFLICT (channel, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind($state)
        .bind($now)
        .execute($conn)
        .await
        .unwrap();
    }};
}

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
        bare_writes!(&mut *tx, n, state, self.now.to_rfc3339());
        tx.commit().await.unwrap();
        start.elapsed()
    }

    /// The bare transaction through a typed `SqlitePool` on the same file: sqlx without the
    /// `any` driver's argument and row conversions.
    async fn typed(&mut self, pool: &sqlx::SqlitePool, n: i64) -> Duration {
        let state = "x".repeat(self.state_len);
        let start = Instant::now();
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
        bare_writes!(&mut *tx, n, state, self.now.to_rfc3339());
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
        println!("{label}: {n} statements through sqlx: {}", seen.join(" | "));
    }
    // A turn with no effects and no hand-off runs on the SQLite writer connection (plain SQLite,
    // `store::writer`): its statements are not in sqlx's log.
    println!("(on SQLite such a turn runs on the writer connection, plain SQLite on the calling task: claims, one read, at most three writes, BEGIN/COMMIT; not in sqlx's log)");
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
    let typed = typed_pool(&dir).await;
    for _ in 0..WARM_UP {
        b.turn(false).await;
    }
    b.state_len = sqlx::query_scalar::<_, i64>("SELECT length(state) FROM sessions")
        .fetch_one(b.store.pool())
        .await
        .unwrap() as usize;
    let (mut turns, mut bare, mut queued, mut plain_bare, mut typed_bare) = (
        Series::default(),
        Series::default(),
        Series::default(),
        Series::default(),
        Series::default(),
    );
    let mut n = 0;
    while turns.times.len() < TURNS {
        let cpu = cpu_time();
        for _ in 0..BLOCK {
            turns.times.push(b.turn(false).await);
        }
        let cpu = turns.add_cpu(cpu);
        for _ in 0..BLOCK {
            n += 1;
            bare.times.push(b.bare(n).await);
        }
        let cpu = bare.add_cpu(cpu);
        for _ in 0..BLOCK {
            queued.times.push(b.turn(true).await);
        }
        let cpu = queued.add_cpu(cpu);
        for _ in 0..BLOCK {
            n += 1;
            plain_bare.times.push(b.plain(&plain, n));
        }
        let cpu = plain_bare.add_cpu(cpu);
        for _ in 0..BLOCK {
            n += 1;
            typed_bare.times.push(b.typed(&typed, n).await);
        }
        typed_bare.add_cpu(cpu);
    }
    let (turn_tps, bare_tps) = (per_second(&turns.times), per_second(&bare.times));
    let (plain_tps, typed_tps) = (per_second(&plain_bare.times), per_second(&typed_bare.times));
    println!("== {label}, {TURNS} of each, session row {} bytes", b.state_len);
    report("service::turn", &mut turns);
    report("bare transaction, same writes", &mut bare);
    report("bare, typed SqlitePool (no any)", &mut typed_bare);
    report("turn_with_outbox + mark_all_sent", &mut queued);
    report("bare transaction, plain SQLite", &mut plain_bare);
    println!(
        "turns reach {:.0} % of plain SQLite's bare throughput (goal ≥ 30 %) and {:.0} % of \
         sqlx's; p99 goal < 2 ms",
        100.0 * turn_tps / plain_tps,
        100.0 * turn_tps / bare_tps
    );
    println!(
        "bare writes through sqlx reach {:.0} % of plain SQLite with the `any` driver, {:.0} % \
         with a typed SqlitePool",
        100.0 * bare_tps / plain_tps,
        100.0 * typed_tps / plain_tps
    );
}

/// A typed sqlx SQLite pool on the bench's file: one connection, as mente's writer, with the
/// pragmas and pool settings mente's SQLite pools have (no ping before lending a connection).
async fn typed_pool(dir: &tempfile::TempDir) -> sqlx::SqlitePool {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("bench.sqlite"))
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("secure_delete", "ON");
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .unwrap()
}

fn per_second(times: &[Duration]) -> f64 {
    times.len() as f64 / times.iter().sum::<Duration>().as_secs_f64()
}

/// One kind's latencies and the CPU time the whole process spent on its blocks.
#[derive(Default)]
struct Series {
    times: Vec<Duration>,
    cpu: Duration,
}

impl Series {
    /// Adds the CPU time since `since` (a [`cpu_time`]) to this kind; returns the time now.
    fn add_cpu(&mut self, since: Duration) -> Duration {
        let now = cpu_time();
        self.cpu += now.saturating_sub(since);
        now
    }
}

fn report(what: &str, series: &mut Series) {
    let times = &mut series.times;
    let tps = per_second(times);
    let cpu_us = series.cpu.as_secs_f64() * 1e6 / times.len() as f64;
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "{what:32} {tps:8.0} /s   p50 {:.3} ms   p99 {:.3} ms   max {:.3} ms   CPU {cpu_us:.0} µs",
        ms(at(0.50)),
        ms(at(0.99)),
        ms(times[times.len() - 1])
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
