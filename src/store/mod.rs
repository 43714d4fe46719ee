//! SQLite storage through sqlx: one pool, migrations embedded and run at start-up, and all SQL of
//! the project. Runtime queries (`query_as` + `FromRow`) so builds need no `DATABASE_URL`.
//!
//! WAL mode lets the reminder worker read while a chat turn writes; `busy_timeout` makes a
//! second writer (another worker, another process) wait instead of failing. `secure_delete`
//! overwrites deleted rows, so `/forget` leaves no copy in free pages (see [`Store::checkpoint`]
//! for the WAL).

pub mod console;
pub mod handoff;
pub mod keys;
pub mod outbox;
pub mod sessions;
pub mod staff;
pub mod tracking;
pub mod wechat;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

/// The database used when no `--db` / `MENTE_DB` is given: a file next to where mente runs,
/// created on first use.
pub const DEFAULT_DB_URL: &str = "sqlite://mente.sqlite";

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL is not a usable SQLite URL.
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
    /// Migrations could not be applied.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    /// A stored value could not be decoded.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// Handle to the database; cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the database file at `url` and applies pending migrations.
    /// Refuses URLs without a file and in-memory databases: every caller keeps state.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let options = file_options(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // PIPL: a deleted row (after /forget) must not survive in a free page.
            .pragma("secure_delete", "ON");
        let pool = open_pool(options).await?;
        migrate(&pool).await?;
        Ok(Store { pool })
    }

    /// Wraps an existing pool (tests using `#[sqlx::test]`); runs migrations.
    pub async fn from_pool(pool: SqlitePool) -> Result<Store, StoreError> {
        migrate(&pool).await?;
        Ok(Store { pool })
    }

    /// Copies the WAL into the database file and truncates it to zero bytes, so that content
    /// deleted by `/forget` has no copy left in the `-wal` file while the process runs. Best
    /// effort: a reader holding an old snapshot makes SQLite skip part of it (logged); the
    /// next forget or the automatic checkpoint finishes the job.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        let (busy, _, _): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&self.pool).await?;
        if busy != 0 {
            tracing::warn!("WAL checkpoint incomplete: a reader was active");
        }
        Ok(())
    }

    /// Starts a write transaction at once (`BEGIN IMMEDIATE`): a turn always writes, and taking
    /// the write lock up front avoids SQLite's busy error when two turns would both upgrade a
    /// read lock later.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Whether the database answers (a readiness check): one read of the schema, which needs
    /// a connection and the file, nothing else.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sqlite_master")
            .fetch_one(&self.pool)
            .await?;
        Ok(())
    }

    /// Copies the whole database, consistent as of one moment, into a new file at `path`
    /// while other connections go on reading and writing (`VACUUM INTO`). SQLite refuses a
    /// path that already holds a non-empty file.
    pub async fn backup(&self, path: &str) -> Result<(), StoreError> {
        sqlx::query("VACUUM INTO ?").bind(path).execute(&self.pool).await?;
        Ok(())
    }

    /// The underlying pool.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
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

/// Opens the pool. Switching a new file to WAL needs a moment of exclusive access, and SQLite
/// answers "database is locked" at once (without waiting out `busy_timeout`) when another
/// process is doing the same: trying again shortly is safe and makes simultaneous starts work.
async fn open_pool(options: SqliteConnectOptions) -> Result<SqlitePool, StoreError> {
    let mut attempt = 1;
    loop {
        match SqlitePoolOptions::new().max_connections(4).connect_with(options.clone()).await {
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

/// How often [`migrate`] and [`open_pool`] try before giving up.
const MIGRATION_ATTEMPTS: u32 = 8;

/// Applies pending migrations. sqlx takes no lock on SQLite, so processes starting together on
/// a new file race: the loser fails with "table … already exists" after the winner committed
/// the same migration. Each migration is one transaction, so trying again is safe; it then sees
/// the winner's bookkeeping and skips what is applied.
async fn migrate(pool: &SqlitePool) -> Result<(), StoreError> {
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
}
