//! Storage through sqlx: one pool, migrations embedded and run at start-up, and all SQL of the
//! project. Runtime queries (`query_as` + `FromRow`) so builds need no `DATABASE_URL`.
//!
//! Two backends behind sqlx's `any` driver, chosen by the URL (issue 19): SQLite, the embedded
//! default, and PostgreSQL for several instances on one database. The SQL is written once, in
//! the subset both understand (`$1` placeholders, `ON CONFLICT`, `RETURNING`, integer times);
//! the few statements only one backend has go through [`Backend`]. Nothing outside this module
//! knows which database it talks to.
//!
//! On SQLite there is one writer: every statement through [`Store::pool`] and every transaction
//! of [`Store::begin`] uses one connection, so the process queues its writes itself instead of
//! letting several connections race for SQLite's write lock and back off on `SQLITE_BUSY`
//! (which slept 1–100 ms per request under load, issue 19); reads that need not wait behind a
//! turn use [`Store::reader`]. A turn that changes no more than its session, its replies and
//! the unanswered questions (most of them) runs instead on the SQLite turn writer ([`writer`]):
//! a plain SQLite connection behind an async lock, used on the calling task, so the whole
//! transaction costs no hop to another thread, where sqlx takes one per statement; the pool's
//! writer and that connection meet at SQLite's write lock. WAL mode lets
//! those readers and the reminder worker read while a chat turn writes; `busy_timeout` makes a
//! second writer (another worker, another process) wait instead of failing.
//! `secure_delete` overwrites deleted rows, so `/forget` leaves no copy in free pages (see
//! [`Store::checkpoint`] for the WAL).

/// SQL: `1` when the user `$1`/`$2` (channel, user id) has an open hand-off, else `0` (an
/// integer, not a boolean: SQLite has none, and both backends must decode the same type). A
/// macro, not a constant, so statements built around it stay `&'static str` (`concat!`).
macro_rules! open_handoff_sql {
    () => {
        "CASE WHEN EXISTS (SELECT 1 FROM handoff_threads
                          WHERE channel = $1 AND user_id = $2 AND closed_at IS NULL)
              THEN 1 ELSE 0 END"
    };
}

pub mod additions;
pub mod console;
pub mod copy;
pub mod handoff;
pub mod keys;
pub mod leases;
pub mod outbox;
pub mod page;
pub mod sessions;
pub mod shared;
pub mod staff;
pub mod tracking;
pub mod wechat;
pub mod writer;

use std::str::FromStr;
use std::sync::Once;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyConnection, AnyPool, Executor};

/// The database used when no `--db` / `MENTE_DB` is given: a file next to where mente runs,
/// created on first use.
pub const DEFAULT_DB_URL: &str = "sqlite://mente.sqlite";

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL is not a usable SQLite or PostgreSQL URL.
    #[error("invalid database URL {url:?}: {source}")]
    BadUrl {
        /// The URL given.
        url: String,
        /// Why sqlx rejected it.
        source: sqlx::Error,
    },
    /// The URL names no file (`sqlite:`, `sqlite://`): SQLite would open a private temporary
    /// database per connection, so state would vanish between statements.
    #[error("database URL {url:?} names no file; use e.g. sqlite://mente.sqlite")]
    NoFile {
        /// The URL given.
        url: String,
    },
    /// An in-memory database: everything stored would be lost when the process ends.
    #[error("database URL {url:?} is in memory; mente keeps conversations and reminders, so give a file, e.g. sqlite://mente.sqlite")]
    InMemory {
        /// The URL given.
        url: String,
    },
    /// The database server could not be reached (or refused the login) at start-up; `url` has
    /// its password masked, so the line can go to a log.
    // `cause`, not `source`: the message already says it, and a source would print it twice
    // in the binary's one error line.
    #[error("could not connect to the database {url}: {cause}")]
    Unreachable {
        /// The URL given, password masked.
        url: String,
        /// What sqlx reported (a timeout, a refused connection, a failed login).
        cause: sqlx::Error,
    },
    /// Migrations could not be applied.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The operation exists on the other backend only (e.g. `backup` on PostgreSQL).
    #[error("{0}")]
    Unsupported(&'static str),
    /// Any other database error.
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    /// An error of the SQLite turn writer's connection ([`writer`]).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The SQLite turn writer was given a statement it cannot run.
    #[error("{0}")]
    Writer(String),
    /// A stored value could not be decoded.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// Which database a [`Store`] talks to; decided by the URL's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file (`sqlite://…`, the default).
    Sqlite,
    /// A PostgreSQL server (`postgres://…` or `postgresql://…`).
    Postgres,
}

impl Backend {
    /// The backend `url` names: PostgreSQL for `postgres:`/`postgresql:`, SQLite otherwise.
    pub fn of_url(url: &str) -> Backend {
        let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
        match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }

    /// The backend of an open connection (for functions that get only the turn's connection).
    pub fn of(conn: &AnyConnection) -> Backend {
        match conn.backend_name() {
            "PostgreSQL" => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }
}

/// Handle to the database; cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct Store {
    /// The writer. On SQLite one connection, so writes queue in the process (SQLite has one
    /// writer); on PostgreSQL the whole pool.
    pool: AnyPool,
    /// Readers beside it, for reads that must not wait behind a turn; on PostgreSQL the same
    /// pool as [`Store::pool`].
    readers: AnyPool,
    backend: Backend,
    /// On SQLite, the connection that runs turns' transactions ([`writer`]); `None` on PostgreSQL.
    writer: Option<writer::TurnWriter>,
}

impl Store {
    /// Opens the database at `url` and applies pending migrations: an SQLite file (created if
    /// needed) or a PostgreSQL database (which must exist). Refuses SQLite URLs without a file
    /// and in-memory databases: every caller keeps state.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let backend = Backend::of_url(url);
        let (pool, readers) = match backend {
            Backend::Sqlite => (open_sqlite(url, WRITERS).await?, open_sqlite(url, READERS).await?),
            Backend::Postgres => {
                let pool = open_postgres(url).await?;
                (pool.clone(), pool)
            }
        };
        let mut store = Store { pool, readers, backend, writer: None };
        store.migrate().await?;
        if backend == Backend::Sqlite {
            // After the migrations: the writer's statements are prepared against the tables.
            let file = file_options(url)?;
            store.writer = Some(writer::TurnWriter::start(file.get_filename())?);
        }
        Ok(store)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The locking clause a claim's inner `SELECT … LIMIT n` needs so that two instances never
    /// take the same rows: on PostgreSQL `FOR UPDATE SKIP LOCKED` (without it, a second
    /// claimer that waited for the first re-checks only the outer `WHERE id IN (…)` and claims
    /// the same rows again); nothing on SQLite, where one writer at a time runs the statement.
    pub(crate) fn skip_locked(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// Copies the WAL into the database file and truncates it to zero bytes, so that content
    /// deleted by `/forget` has no copy left in the `-wal` file while the process runs. Best
    /// effort: a reader holding an old snapshot makes SQLite skip part of it (logged); the
    /// next forget or the automatic checkpoint finishes the job. Nothing to do on PostgreSQL,
    /// whose WAL and dead tuples are the server's to recycle (`VACUUM`, see docs/operators.md).
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let (busy, _, _): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&self.pool).await?;
        if busy != 0 {
            tracing::warn!("WAL checkpoint incomplete: a reader was active");
        }
        Ok(())
    }

    /// Starts a write transaction; the one place transactions of a turn begin. On SQLite it
    /// takes the write lock at once (`BEGIN IMMEDIATE`): a turn always writes, and taking the
    /// lock up front avoids SQLite's busy error when two turns would both upgrade a read lock
    /// later. On PostgreSQL rows are locked as they are written (and a turn locks its user, see
    /// `sessions::load_turn_state`).
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Whether the database answers (a readiness check): one trivial query, which needs a
    /// connection and, on SQLite, the file.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master",
            Backend::Postgres => "SELECT CAST(1 AS BIGINT)",
        };
        sqlx::query_scalar::<_, i64>(sql).fetch_one(&self.pool).await?;
        Ok(())
    }

    /// Copies the whole database, consistent as of one moment, into a new file at `path`
    /// while other connections go on reading and writing (`VACUUM INTO`). SQLite refuses a
    /// path that already holds a non-empty file. PostgreSQL is backed up with its own tools.
    pub async fn backup(&self, path: &str) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            return Err(StoreError::Unsupported(
                "mente backup copies SQLite files; back up PostgreSQL with pg_dump (e.g. pg_dump -Fc -f mente.dump DBNAME), see docs/operators.md",
            ));
        }
        sqlx::query("VACUUM INTO $1").bind(path).execute(&self.pool).await?;
        Ok(())
    }

    /// The pool for writes (and reads that go with them): on SQLite the single writer
    /// connection.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool for reads only, which do not queue behind the writer. Writing through it would
    /// bring back the lock race the single writer avoids.
    pub fn reader(&self) -> &AnyPool {
        &self.readers
    }

    /// Applies pending migrations of this backend.
    async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => migrate_sqlite(&self.pool).await,
            // sqlx holds an advisory lock while migrating PostgreSQL: no race to retry.
            Backend::Postgres => {
                Ok(sqlx::migrate!("./migrations/postgres").run(&self.pool).await?)
            }
        }
    }
}

/// Starts a transaction that no other transaction taking the same `lock` runs beside, for a
/// check-then-write that must see every earlier write (login throttling): `BEGIN IMMEDIATE`
/// on SQLite (one writer at a time anyway), an advisory lock on PostgreSQL, released at the
/// end of the transaction.
pub(crate) async fn begin_serialized(
    pool: &AnyPool,
    lock: i64,
) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
    match Backend::of_url(pool.connect_options().database_url.as_str()) {
        Backend::Sqlite => Ok(pool.begin_with("BEGIN IMMEDIATE").await?),
        Backend::Postgres => {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(lock).execute(&mut *tx).await?;
            Ok(tx)
        }
    }
}

/// Settings every SQLite connection gets when it opens. The `any` driver builds SQLite options
/// from the URL alone, so what the URL cannot say is set here. PIPL: `secure_delete`, a deleted
/// row (after /forget) must not survive in a free page.
pub(super) const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
    PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA secure_delete = ON;";

/// Opens the SQLite pool for `url` (checked by [`file_options`]), creating the file if needed.
async fn open_sqlite(url: &str, connections: u32) -> Result<AnyPool, StoreError> {
    file_options(url)?;
    let url = match url.contains("mode=") {
        true => url.to_string(),
        false if url.contains('?') => format!("{url}&mode=rwc"),
        false => format!("{url}?mode=rwc"),
    };
    let options =
        AnyConnectOptions::from_str(&url).map_err(|source| StoreError::BadUrl { url, source })?;
    open_pool(options, connections).await
}

/// How long start-up waits for the PostgreSQL server: long enough for a server that is
/// restarting, short enough that an operator with a wrong host sees the error at once rather
/// than after sqlx's default 30 s.
const PG_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens the PostgreSQL pool for `url`. More connections than SQLite's four: the server runs
/// statements of several connections at once. A server that cannot be reached is an error
/// naming the database (password masked), not sqlx's bare "pool timed out".
async fn open_postgres(url: &str) -> Result<AnyPool, StoreError> {
    let options = AnyConnectOptions::from_str(url)
        .map_err(|source| StoreError::BadUrl { url: masked(url), source })?;
    AnyPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(PG_CONNECT_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|cause| StoreError::Unreachable { url: masked(url), cause })
}

/// `url` with its password replaced by `***`, for error messages and logs.
pub fn masked(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Only fails for URLs that cannot have a password, which this one has.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_string(),
        Err(_) => "<unparsable database URL>".to_string(),
    }
}

/// Parses `url`, refusing what cannot keep state: no file name (`sqlite:`, `sqlite://`, which
/// SQLite turns into a private temporary database per connection, hence the old intermittent
/// "no such table: sessions") and in-memory databases.
fn file_options(url: &str) -> Result<SqliteConnectOptions, StoreError> {
    let bad = || url.to_string();
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    let (file, query) = path.split_once('?').unwrap_or((path, ""));
    if file == ":memory:" || query.split('&').any(|kv| kv == "mode=memory") {
        return Err(StoreError::InMemory { url: bad() });
    }
    if file.trim().is_empty() {
        return Err(StoreError::NoFile { url: bad() });
    }
    SqliteConnectOptions::from_str(url).map_err(|source| StoreError::BadUrl { url: bad(), source })
}

/// Opens the SQLite pool. Switching a new file to WAL needs a moment of exclusive access, and SQLite
/// answers "database is locked" at once (without waiting out `busy_timeout`) when another
/// process is doing the same: trying again shortly is safe and makes simultaneous starts work.
async fn open_pool(options: AnyConnectOptions, connections: u32) -> Result<AnyPool, StoreError> {
    let mut attempt = 1;
    loop {
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            // sqlx pings a connection before lending it by default: on SQLite one more round
            // trip to the connection's thread per statement or transaction (issue 19), to test
            // something that cannot drop like a network link. A worker that died anyway fails
            // the statement, and sqlx's ping on release then discards the connection.
            .test_before_acquire(false)
            .after_connect(|conn, _| {
                Box::pin(async move { conn.execute(SQLITE_PRAGMAS).await.map(drop) })
            })
            .connect_with(options.clone())
            .await;
        match pool {
            Ok(pool) => return Ok(pool),
            Err(err) if attempt < MIGRATION_ATTEMPTS && is_busy(&err) => {
                tracing::debug!(%err, attempt, "database busy while opening; retrying");
                tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt))).await;
                attempt += 1;
            }
            Err(err) => return Err(err.into()),
        }
    }
}

/// SQLITE_BUSY (5) or SQLITE_LOCKED (6), with or without an extended code.
fn is_busy(err: &sqlx::Error) -> bool {
    let code = match err {
        sqlx::Error::Database(db) => db.code(),
        _ => None,
    };
    code.and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| matches!(c & 0xff, 5 | 6))
}

/// Connections of the SQLite writer pool: one, so SQLite's single write lock is never contended
/// within the process.
const WRITERS: u32 = 1;
/// Connections of the SQLite reader pool.
const READERS: u32 = 4;

/// How often [`migrate_sqlite`] and [`open_pool`] try before giving up.
const MIGRATION_ATTEMPTS: u32 = 8;

/// Applies pending SQLite migrations. sqlx takes no lock on SQLite, so processes starting together on
/// a new file race: the loser fails with "table … already exists" after the winner committed
/// the same migration. Each migration is one transaction, so trying again is safe; it then sees
/// the winner's bookkeeping and skips what is applied.
async fn migrate_sqlite(pool: &AnyPool) -> Result<(), StoreError> {
    let mut attempt = 1;
    loop {
        match sqlx::migrate!("./migrations/sqlite").run(pool).await {
            Ok(()) => return Ok(()),
            Err(err) if attempt < MIGRATION_ATTEMPTS && is_race(&err) => {
                tracing::debug!(%err, attempt, "migration raced with another process; retrying");
                tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt))).await;
                attempt += 1;
            }
            Err(err) => return Err(err.into()),
        }
    }
}

/// Errors another process's concurrent migration can cause; a checksum mismatch or a missing
/// migration is not one of them and fails at once.
fn is_race(err: &sqlx::migrate::MigrateError) -> bool {
    use sqlx::migrate::MigrateError;
    matches!(err, MigrateError::Execute(_) | MigrateError::ExecuteMigration(..))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_without_a_file_or_in_memory_are_refused_with_a_clear_error() {
        for url in ["sqlite:", "sqlite://", "sqlite://?mode=rwc"] {
            assert!(matches!(file_options(url), Err(StoreError::NoFile { .. })), "{url}");
        }
        for url in ["sqlite::memory:", "sqlite://:memory:", "sqlite://x.sqlite?mode=memory"] {
            let err = file_options(url).unwrap_err();
            assert!(matches!(err, StoreError::InMemory { .. }), "{url}");
            assert!(err.to_string().contains("sqlite://mente.sqlite"), "{err}");
        }
        assert!(file_options("sqlite://mente.sqlite").is_ok());
        assert!(file_options("sqlite:data/x.sqlite?mode=rwc").is_ok());
    }

    #[test]
    fn a_database_url_shown_in_an_error_has_its_password_masked() {
        let masked = masked("postgres://mente:pa%40ss@db.example:5432/mente?sslmode=require");
        assert_eq!(masked, "postgres://mente:***@db.example:5432/mente?sslmode=require");
        assert_eq!(
            super::masked("postgres://mente@db.example/mente"),
            "postgres://mente@db.example/mente"
        );
        assert!(!super::masked("postgres://u:secret@[::1/x").contains("secret"), "unparsable");
    }
}
