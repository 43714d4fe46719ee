//! The SQLite turn writer: one thread that owns a plain SQLite connection (rusqlite) and runs a
//! turn's whole transaction there, so a turn costs two hand-offs between threads instead of one
//! per statement (issue 19: through sqlx each statement is a hop to its connection's worker
//! thread, a futex wake-up on both sides; plain SQLite's bare transaction takes 12–14 µs of
//! CPU, sqlx's 84–104 µs).
//!
//! The SQL is the statements the sqlx functions of this module's siblings run (the same
//! constants, `$N` placeholders bound by number as sqlx does), so the two paths cannot drift
//! apart. PostgreSQL has no writer thread: its turns go through sqlx as before.
//!
//! A turn is two jobs on one open transaction ([`Store::begin_turn`]): the claims and the read
//! of the session and user data, then — after the engine ran on the caller's side — the writes
//! and the commit ([`OpenTurn::commit`]). The thread waits for the second job with the
//! transaction open, as sqlx's writer connection waits between statements; a caller that goes
//! away (or [`OpenTurn::rollback`]) rolls it back, so a turn is never half written.

use std::path::Path;
use std::sync::mpsc;

use rusqlite::types::ToSql;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::oneshot;

use super::handoff::TurnView;
use super::sessions::TurnState;
use super::{Backend, Store, StoreError, SQLITE_PRAGMAS};
use crate::engine::{UserData, UserKey};

/// Work for the writer thread, run with its connection.
type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// Handle to the writer thread; cheap to clone. The thread ends when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct TurnWriter {
    jobs: mpsc::Sender<Job>,
}

/// Prepared statements kept by the writer: the turn's handful, the outbox insert for each
/// number of replies, the deletes of sent replies.
const STATEMENT_CACHE: usize = 64;

impl TurnWriter {
    /// Opens `path` (an existing database, migrated) and starts the thread.
    pub(super) fn start(path: &Path) -> Result<TurnWriter, StoreError> {
        let conn = Connection::open(path)?;
        conn.execute_batch(SQLITE_PRAGMAS)?;
        // After the pragmas, which set SQLite's own busy handler (it sleeps 1 ms, then longer).
        conn.busy_handler(Some(wait_for_lock))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("mente-sqlite-writer".into())
            .spawn(move || {
                let mut conn = conn;
                // Jobs run one after the other: the process's SQLite turns queue here.
                for job in queue {
                    job(&mut conn);
                }
            })
            .map_err(|err| StoreError::Writer(format!("cannot start the writer thread: {err}")))?;
        Ok(TurnWriter { jobs })
    }

    /// Runs `work` on the writer thread (one hop there and back) and returns its result.
    pub async fn run<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let (done, result) = oneshot::channel();
        self.submit(Box::new(move |conn| {
            let _ = done.send(work(conn));
        }))?;
        result.await.map_err(|_| gone())?
    }

    fn submit(&self, job: Job) -> Result<(), StoreError> {
        self.jobs.send(job).map_err(|_| gone())
    }
}

/// SQLite's busy handler for the writer: another connection holds the write lock (the sqlx
/// pool's writer for writes other than turns, or another process). Such a write is short, so
/// try again every 100 µs for the first 20 ms, then every 5 ms; give up after about 10 s, as
/// the other connections' `busy_timeout` does.
fn wait_for_lock(attempt: i32) -> bool {
    const QUICK: i32 = 200;
    const SLOW: i32 = 2_000;
    let pause = match attempt {
        a if a < QUICK => std::time::Duration::from_micros(100),
        a if a < QUICK + SLOW => std::time::Duration::from_millis(5),
        _ => return false,
    };
    std::thread::sleep(pause);
    true
}

fn gone() -> StoreError {
    StoreError::Writer("the SQLite writer thread has stopped".into())
}

/// What a turn claims before it reads: the channel's update id and a tapped keyboard.
#[derive(Debug, Clone)]
pub struct TurnClaims {
    /// The user whose turn it is.
    pub user: UserKey,
    /// The channel's update id, when it may redeliver.
    pub update_id: Option<i64>,
    /// Time of the update claim (RFC 3339, as `sessions::claim_update` writes it).
    pub now_rfc3339: String,
    /// A tapped Telegram keyboard (chat, message) and the time of its claim (Unix ms).
    pub keyboard: Option<(i64, i64, i64)>,
    /// Staff count as present when seen since then (Unix seconds).
    pub present_since: i64,
}

/// What [`Store::begin_turn`] found.
#[derive(Debug)]
pub enum TurnStart {
    /// The update was already processed; nothing written.
    Duplicate,
    /// The keyboard was already tapped; nothing written.
    AlreadyChosen,
    /// Claimed and read, as `sessions::load_turn_state` reads them; the transaction is open.
    Loaded {
        /// Session JSON, reachability, replies waiting.
        state: TurnState,
        /// Applications and own-task reminders.
        data: UserData,
        /// The hand-off view.
        view: TurnView,
        /// The open transaction, to commit or roll back.
        turn: OpenTurn,
    },
}

/// The writes of a turn that changed no more than its session and its replies.
#[derive(Debug, Clone, Default)]
pub struct TurnWrites {
    /// The user was marked unreachable: they are reachable again.
    pub reachable: bool,
    /// The session JSON to store, when it changed; with its time (RFC 3339).
    pub session: Option<(String, String)>,
    /// Replies for the outbox (encoded by `outbox::encode`) and the row's fields.
    pub outbox: Option<OutboxRows>,
}

/// Outbox rows to insert, as `outbox::enqueue` writes them.
#[derive(Debug, Clone)]
pub struct OutboxRows {
    /// Each reply's JSON, in order.
    pub replies: Vec<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// The update they answer.
    pub update_id: Option<i64>,
    /// Leased to the caller since (Unix ms), or free.
    pub leased_at: Option<i64>,
}

/// How the caller ends an open turn.
#[derive(Debug)]
enum Finish {
    Commit(TurnWrites, oneshot::Sender<Result<Vec<i64>, StoreError>>),
    Rollback(oneshot::Sender<()>),
}

/// A turn's transaction, open on the writer thread, which waits for its end.
#[derive(Debug)]
pub struct OpenTurn {
    finish: oneshot::Sender<Finish>,
}

impl OpenTurn {
    /// Writes `writes` and commits; the ids of the outbox rows, in order.
    pub async fn commit(self, writes: TurnWrites) -> Result<Vec<i64>, StoreError> {
        let (done, result) = oneshot::channel();
        self.finish.send(Finish::Commit(writes, done)).map_err(|_| gone())?;
        result.await.map_err(|_| gone())?
    }

    /// Rolls back, and returns once the write lock is released (the caller may take it next).
    pub async fn rollback(self) {
        let (done, result) = oneshot::channel();
        if self.finish.send(Finish::Rollback(done)).is_ok() {
            let _ = result.await;
        }
    }
}

impl Store {
    /// The SQLite turn writer; `None` on PostgreSQL.
    pub(crate) fn turn_writer(&self) -> Option<&TurnWriter> {
        self.writer.as_ref()
    }

    /// Begins a turn on the writer thread: `BEGIN IMMEDIATE`, the claims, the read. `None` on
    /// PostgreSQL (its turns run through sqlx).
    pub async fn begin_turn(&self, claims: TurnClaims) -> Result<Option<TurnStart>, StoreError> {
        let Some(writer) = &self.writer else { return Ok(None) };
        let (started, start) = oneshot::channel();
        writer.submit(Box::new(move |conn| turn_job(conn, claims, started)))?;
        Ok(Some(start.await.map_err(|_| gone())??))
    }
}

/// The writer thread's side of a turn: claims and read, then waits for the caller's end.
fn turn_job(
    conn: &mut Connection,
    claims: TurnClaims,
    started: oneshot::Sender<Result<TurnStart, StoreError>>,
) {
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(err) => {
            let _ = started.send(Err(err.into()));
            return;
        }
    };
    let read = match claim_and_read(&tx, &claims) {
        Ok(Claimed::Read(read)) => read,
        refused => {
            // A claim refused or an error: nothing to keep; the lock is released before the
            // caller hears of it (it may take the lock next).
            let _ = tx.rollback();
            let _ = started.send(refused.map(|refused| match refused {
                Claimed::AlreadyChosen => TurnStart::AlreadyChosen,
                _ => TurnStart::Duplicate,
            }));
            return;
        }
    };
    let (finish, finished) = oneshot::channel();
    let (state, data, view) = read;
    let turn = OpenTurn { finish };
    if started.send(Ok(TurnStart::Loaded { state, data, view, turn })).is_err() {
        return; // The caller went away: `tx` rolls back as it drops.
    }
    match finished.blocking_recv() {
        Ok(Finish::Commit(writes, done)) => {
            let result = write(&tx, &claims.user, &writes).and_then(|ids| {
                tx.commit()?;
                Ok(ids)
            });
            let _ = done.send(result);
        }
        Ok(Finish::Rollback(done)) => {
            let _ = tx.rollback();
            let _ = done.send(());
        }
        Err(_) => {} // The turn was dropped: `tx` rolls back as it drops.
    }
}

type Read = (TurnState, UserData, TurnView);

/// What [`claim_and_read`] found.
enum Claimed {
    Duplicate,
    AlreadyChosen,
    Read(Read),
}

/// The claims, in the order `service` makes them through sqlx, then the read.
fn claim_and_read(tx: &Transaction, claims: &TurnClaims) -> Result<Claimed, StoreError> {
    let user = &claims.user;
    if let Some(id) = claims.update_id {
        let args: [&dyn ToSql; 3] = [&user.channel, &id, &claims.now_rfc3339];
        if execute(tx, super::sessions::CLAIM_UPDATE_SQL, &args)? != 1 {
            return Ok(Claimed::Duplicate);
        }
    }
    if let Some((chat, message, at_ms)) = claims.keyboard {
        let args: [&dyn ToSql; 3] = [&chat, &message, &at_ms];
        if execute(tx, super::shared::CLAIM_KEYBOARD_SQL, &args)? != 1 {
            return Ok(Claimed::AlreadyChosen);
        }
        if super::shared::prunes_after(message) {
            let kept = super::shared::USED_KEYBOARDS_KEPT;
            execute(tx, super::shared::PRUNE_KEYBOARDS_SQL, &[&kept])?;
        }
    }
    read_turn_state(tx, user, claims.present_since).map(Claimed::Read)
}

/// `sessions::load_turn_state` on the writer's connection (the same statement).
fn read_turn_state(
    tx: &Transaction,
    user: &UserKey,
    present_since: i64,
) -> Result<Read, StoreError> {
    let sql = super::sessions::turn_state_sql(Backend::Sqlite);
    let mut stmt = tx.prepare_cached(sql)?;
    bind(&mut stmt, &[&user.channel, &user.user, &present_since])?;
    let mut rows = stmt.raw_query();
    let row = rows.next()?.ok_or_else(|| StoreError::Corrupt("turn read gave no row".into()))?;
    let json: Option<String> = row.get(0)?;
    let unreachable: i64 = row.get(1)?;
    let behind: i64 = row.get(2)?;
    let applications: String = row.get(3)?;
    let tasks: String = row.get(4)?;
    let view = TurnView::from_row((row.get(5)?, row.get(6)?, row.get(7)?, row.get(8)?));
    let mut data = super::tracking::decode_applications(&applications)?;
    data.tasks = super::tracking::decode_tasks(&tasks)?;
    let state = TurnState { json, unreachable: unreachable != 0, behind: behind != 0 };
    Ok((state, data, view))
}

/// The turn's writes, as `service` makes them through sqlx; the outbox ids in order.
fn write(tx: &Transaction, user: &UserKey, writes: &TurnWrites) -> Result<Vec<i64>, StoreError> {
    if writes.reachable {
        execute(tx, super::tracking::MARK_REACHABLE_SQL, &[&user.channel, &user.user])?;
    }
    if let Some((json, at)) = &writes.session {
        let args: [&dyn ToSql; 4] = [&user.channel, &user.user, json, at];
        execute(tx, super::sessions::SAVE_SESSION_SQL, &args)?;
    }
    let Some(rows) = writes.outbox.as_ref().filter(|rows| !rows.replies.is_empty()) else {
        return Ok(Vec::new());
    };
    let sql = super::outbox::enqueue_sql(rows.replies.len());
    let mut args: Vec<&dyn ToSql> =
        vec![&user.channel, &user.user, &rows.created_at, &rows.update_id, &rows.leased_at];
    args.extend(rows.replies.iter().map(|json| json as &dyn ToSql));
    let mut stmt = tx.prepare_cached(&sql)?;
    bind(&mut stmt, &args)?;
    let mut ids = Vec::with_capacity(rows.replies.len());
    let mut returned = stmt.raw_query();
    while let Some(row) = returned.next()? {
        ids.push(row.get::<_, i64>(0)?);
    }
    ids.sort_unstable();
    Ok(ids)
}

/// Runs a statement that returns no rows with `args` bound to its `$N`; rows changed.
pub(super) fn execute(
    conn: &Connection,
    sql: &str,
    args: &[&dyn ToSql],
) -> Result<usize, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, args)?;
    Ok(stmt.raw_execute()?)
}

/// Binds `args` to the statement's parameters by number: `$N` takes `args[N - 1]`, as sqlx
/// binds them. (SQLite numbers named parameters in the order they first appear, which is not
/// `N` when `$6` comes before `$3`, as in the outbox insert.)
fn bind(stmt: &mut rusqlite::CachedStatement<'_>, args: &[&dyn ToSql]) -> Result<(), StoreError> {
    for index in 1..=stmt.parameter_count() {
        let number = stmt
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(index);
        let arg = args.get(number - 1).ok_or_else(|| {
            StoreError::Writer(format!("statement parameter ${number} has no value"))
        })?;
        stmt.raw_bind_parameter(index, *arg)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_placeholders_take_their_own_values_whatever_order_they_appear_in() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a TEXT, b TEXT, c TEXT, d TEXT)").unwrap();
        // As in the outbox insert: `$3` appears before `$2`, and `$1` twice.
        let args: [&dyn ToSql; 3] = [&"one", &"two", &"three"];
        let sql = "INSERT INTO t (a, b, c, d) VALUES ($1, $3, $2, $1)";
        assert_eq!(execute(&conn, sql, &args).unwrap(), 1);
        let row: (String, String, String, String) = conn
            .query_row("SELECT a, b, c, d FROM t", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap();
        assert_eq!(row, ("one".into(), "three".into(), "two".into(), "one".into()));
        let missing = execute(&conn, "INSERT INTO t (a) VALUES ($4)", &args).unwrap_err();
        assert!(missing.to_string().contains("$4"), "{missing}");
    }
}
