//! The SQLite turn writer: one plain SQLite connection (rusqlite) behind an async lock, on
//! which a turn's whole transaction runs — claims, read, the caller's engine, writes, commit —
//! in one synchronous stretch on the calling task, with no hop to another thread (issue 19:
//! through sqlx each statement is a hop to its connection's worker thread, a futex wake-up on
//! both sides; plain SQLite's bare transaction takes 12–14 µs of CPU, sqlx's 84–104 µs; and a
//! writer thread of our own still cost two hops there and back per turn, most of a turn's CPU).
//!
//! The SQL is the statements the sqlx functions of this module's siblings run (the same
//! constants, `$N` placeholders bound by number as sqlx does), so the two paths cannot drift
//! apart. PostgreSQL has no such writer: its turns go through sqlx as before.
//!
//! Why running SQLite on the async runtime's thread is acceptable here: a turn's statements
//! take microseconds (WAL with `synchronous = NORMAL` does not sync on commit), and the lock is
//! never held across an `.await`, so a turn cannot be cancelled half way (no half-written
//! turn) and tasks waiting for it are parked, not spinning. The one wait that could be long —
//! the write lock held by another connection (the sqlx pool's writer, another process) — is
//! not waited for inside SQLite: `BEGIN IMMEDIATE` fails at once with `SQLITE_BUSY`, the lock
//! is released and the task sleeps on the runtime's timer before it tries again. SQLite's
//! automatic checkpoint (every 1000 WAL pages) still runs on the committing turn: a few
//! milliseconds every few hundred turns.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::types::ToSql;
use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};
use tokio::sync::Mutex;

use super::handoff::TurnView;
use super::sessions::TurnState;
use super::{Backend, Store, StoreError, SQLITE_PRAGMAS};
use crate::engine::{UserData, UserKey};

/// Handle to the writer connection; cheap to clone.
#[derive(Debug, Clone)]
pub struct TurnWriter {
    conn: Arc<Mutex<Connection>>,
}

/// Prepared statements kept by the writer: the turn's handful, the outbox insert for each
/// number of replies, the deletes of sent replies.
const STATEMENT_CACHE: usize = 64;

/// How long a transaction waits for the write lock held by another connection before it
/// gives up, as the sqlx connections' `busy_timeout` does.
const LOCK_PATIENCE: Duration = Duration::from_secs(10);

impl TurnWriter {
    /// Opens `path` (an existing database, migrated).
    pub(super) fn start(path: &Path) -> Result<TurnWriter, StoreError> {
        let conn = Connection::open(path)?;
        conn.execute_batch(SQLITE_PRAGMAS)?;
        // After the pragmas, which set a busy timeout: this connection must not sleep inside
        // SQLite on the runtime's thread; `transaction` waits on the runtime's timer instead.
        conn.busy_timeout(Duration::ZERO)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(TurnWriter { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction on the writer connection and commits
    /// it when `work` says so (`(result, true)`), else rolls it back; an error rolls back too.
    /// `work` runs synchronously on the calling task, with the connection to itself.
    pub async fn transaction<R>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<(R, bool), StoreError>,
    ) -> Result<R, StoreError> {
        let started = std::time::Instant::now();
        let mut attempt = 0u32;
        loop {
            {
                let mut conn = self.conn.lock().await;
                let begun = conn.transaction_with_behavior(TransactionBehavior::Immediate);
                match begun {
                    Ok(tx) => {
                        let (result, commit) = work(&tx)?;
                        match commit {
                            true => tx.commit()?,
                            false => tx.rollback()?,
                        }
                        return Ok(result);
                    }
                    Err(err) if is_busy(&err) && started.elapsed() < LOCK_PATIENCE => {}
                    Err(err) => return Err(err.into()),
                }
            } // The connection is free for this process's other turns while this one waits.
            attempt += 1;
            wait_for_lock(attempt).await;
        }
    }

    /// Runs `work` in a transaction that commits unless it fails.
    pub async fn run<R>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        self.transaction(|tx| work(tx).map(|result| (result, true))).await
    }
}

fn is_busy(err: &rusqlite::Error) -> bool {
    matches!(err.sqlite_error_code(), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
}

/// Another connection holds the write lock (the sqlx pool's writer for writes other than
/// turns, or another process). Such a write is short: let the runtime run other tasks a few
/// times, then sleep a millisecond (the timer's grain) between tries.
async fn wait_for_lock(attempt: u32) {
    const YIELDS: u32 = 8;
    if attempt <= YIELDS {
        tokio::task::yield_now().await;
    } else {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
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

/// What a turn read, inside its open transaction, for the caller to decide on.
#[derive(Debug)]
pub struct Loaded {
    /// Session JSON, reachability, replies waiting.
    pub state: TurnState,
    /// Applications and own-task reminders.
    pub data: UserData,
    /// The hand-off view.
    pub view: TurnView,
}

/// What the caller makes of a [`Loaded`] turn.
// One value per turn, moved once into the transaction: boxing the large variant would only add
// an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Decision<C, R> {
    /// Write these and commit; `C` comes back with the outbox ids.
    Commit(TurnWrites, C),
    /// Nothing of it is to be written here: roll back; `R` comes back.
    Rollback(R),
}

/// How a turn on the writer ended ([`Store::writer_turn`]).
#[derive(Debug)]
pub enum TurnEnd<C, R> {
    /// The update was already processed; nothing written.
    Duplicate,
    /// The keyboard was already tapped; nothing written.
    AlreadyChosen,
    /// Written and committed: the caller's value and the outbox rows' ids, in order.
    Committed(C, Vec<i64>),
    /// Rolled back as the caller decided.
    RolledBack(R),
}

/// The writes of a turn that changed no more than its session, its replies and the
/// unanswered questions.
#[derive(Debug, Clone, Default)]
pub struct TurnWrites {
    /// The user was marked unreachable: they are reachable again.
    pub reachable: bool,
    /// The session JSON to store, when it changed; with its time (RFC 3339).
    pub session: Option<(String, String)>,
    /// Replies for the outbox (encoded by `outbox::encode`) and the row's fields.
    pub outbox: Option<OutboxRows>,
    /// A question the FAQ was not sure about: for the content team, and remembered for a
    /// hand-off that may follow (as `console::record_unanswered` and `remember_question`).
    pub unanswered: Option<super::console::UnansweredRow>,
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

impl Store {
    /// The SQLite turn writer; `None` on PostgreSQL.
    pub(crate) fn turn_writer(&self) -> Option<&TurnWriter> {
        self.writer.as_ref()
    }

    /// A turn on the writer connection, in one transaction: `BEGIN IMMEDIATE`, the claims, the
    /// read, then `decide` (the engine, on the caller's task, with the transaction open), then
    /// the writes it asks for and the commit — or the rollback. `None` on PostgreSQL (its turns
    /// run through sqlx). A refused claim rolls back before `decide` is called.
    pub async fn writer_turn<C, R>(
        &self,
        claims: TurnClaims,
        decide: impl FnOnce(Loaded) -> Result<Decision<C, R>, StoreError>,
    ) -> Result<Option<TurnEnd<C, R>>, StoreError> {
        let Some(writer) = &self.writer else { return Ok(None) };
        let end = writer
            .transaction(|tx| {
                let (state, data, view) = match claim_and_read(tx, &claims)? {
                    Claimed::Read(read) => read,
                    Claimed::Duplicate => return Ok((TurnEnd::Duplicate, false)),
                    Claimed::AlreadyChosen => return Ok((TurnEnd::AlreadyChosen, false)),
                };
                Ok(match decide(Loaded { state, data, view })? {
                    Decision::Commit(writes, value) => {
                        let ids = write(tx, &claims.user, &writes)?;
                        (TurnEnd::Committed(value, ids), true)
                    }
                    Decision::Rollback(value) => (TurnEnd::RolledBack(value), false),
                })
            })
            .await?;
        Ok(Some(end))
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
    if let Some(row) = &writes.unanswered {
        record_unanswered(tx, user, row)?;
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

/// `console::record_unanswered`, then `console::remember_question` (the same statements).
fn record_unanswered(
    tx: &Transaction,
    user: &UserKey,
    row: &super::console::UnansweredRow,
) -> Result<(), StoreError> {
    use super::console::{self, RECENT_SECONDS};
    let key: Vec<u8> = tx.prepare_cached(console::ASKER_KEY_SQL)?.query_row([], |r| r.get(0))?;
    let asker = console::asker_under(&key, user)?;
    let args: [&dyn ToSql; 6] =
        [&row.wording, &row.region, &row.kept, &user.channel, &row.at, &asker];
    execute(tx, console::RECORD_UNANSWERED_SQL, &args)?;
    execute(tx, console::FORGET_OLD_QUESTIONS_SQL, &[&(row.at - RECENT_SECONDS)])?;
    let args: [&dyn ToSql; 4] = [&user.channel, &user.user, &row.linked, &row.at];
    execute(tx, console::REMEMBER_QUESTION_SQL, &args)?;
    Ok(())
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
