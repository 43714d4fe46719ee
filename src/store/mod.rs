//! SQLite storage through sqlx: one pool, migrations embedded and run at start-up, and all SQL of
//! the project. Runtime queries (`query_as` + `FromRow`) so builds need no `DATABASE_URL`.
//!
//! WAL mode lets the reminder worker read while a chat turn writes; `busy_timeout` makes a
//! second writer (another worker, another process) wait instead of failing.

pub mod console;
pub mod sessions;
pub mod staff;
pub mod tracking;

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
    /// Opens (creating if needed) the database at `url` and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|source| StoreError::BadUrl { url: url.to_string(), source })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store { pool })
    }

    /// Wraps an existing pool (tests using `#[sqlx::test]`); runs migrations.
    pub async fn from_pool(pool: SqlitePool) -> Result<Store, StoreError> {
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store { pool })
    }

    /// Starts a write transaction at once (`BEGIN IMMEDIATE`): a turn always writes, and taking
    /// the write lock up front avoids SQLite's busy error when two turns would both upgrade a
    /// read lock later.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// The underlying pool.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}
