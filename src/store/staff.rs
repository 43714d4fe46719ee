//! Hotline console accounts, their sessions and their login attempts. Only argon2id PHC strings
//! are stored (hashing lives in `web::staff::auth`); names are what staff type at the login form.
//!
//! Sessions and attempts are in the database, not in a process: a restart logs nobody out, and
//! every instance sharing the database sees the same sessions and the same throttle. A session
//! is stored by the SHA-256 of its cookie's token (the caller hashes), never the token itself.
//!
//! Every account has a [`Role`]: the plain one, or `editor`, which may also change FAQ content
//! from the console.

use chrono::{DateTime, Duration, Utc};
use sqlx::AnyPool;

use super::StoreError;

/// What an account may do in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// Search, the lists, hand-offs: everything but changing content.
    #[default]
    Staff,
    /// Also turns unanswered questions into FAQ content (`mente staff add NAME --role editor`).
    Editor,
}

impl Role {
    /// The name stored in the database and typed at `--role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Editor => "editor",
        }
    }

    /// The role named `name` (`staff`, `editor`).
    pub fn parse(name: &str) -> Option<Role> {
        match name {
            "staff" => Some(Role::Staff),
            "editor" => Some(Role::Editor),
            _ => None,
        }
    }

    /// Read from the database: an unknown value gives the plain role (never more rights).
    fn stored(name: &str) -> Role {
        Role::parse(name).unwrap_or(Role::Staff)
    }
}

/// A live console session: whose it is and what that account may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Account name.
    pub name: String,
    /// The account's role, read with the session (a role change applies at the next request).
    pub role: Role,
}

/// Adds or replaces the account `name` (replacing is how a password is reset). A reset ends the
/// account's sessions: whoever knew the old password is logged out too.
pub async fn upsert(
    pool: &AnyPool,
    name: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO staff (name, hash, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET hash = excluded.hash",
    )
    .bind(name)
    .bind(hash)
    .bind(now.to_rfc3339())
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM staff_sessions WHERE name = $1").bind(name).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives the existing account `name` the role `role`; `false` when there is no such account.
pub async fn set_role(pool: &AnyPool, name: &str, role: Role) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE staff SET role = $1 WHERE name = $2")
        .bind(role.as_str())
        .bind(name)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Account names with their creation time and role, by name.
pub async fn list(pool: &AnyPool) -> Result<Vec<(String, String, Role)>, StoreError> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT name, created_at, role FROM staff ORDER BY name")
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|(name, at, role)| (name, at, Role::stored(&role))).collect())
}

/// Removes `name` and ends its sessions; `false` when there was no such account.
pub async fn remove(pool: &AnyPool, name: &str) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    // Also done by the foreign key's cascade; explicit so it holds on a connection opened
    // without `foreign_keys`.
    sqlx::query("DELETE FROM staff_sessions WHERE name = $1").bind(name).execute(&mut *tx).await?;
    let done =
        sqlx::query("DELETE FROM staff WHERE name = $1").bind(name).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// The stored hash of `name`.
pub async fn hash_of(pool: &AnyPool, name: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT hash FROM staff WHERE name = $1")
        .bind(name)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(h,)| h))
}

/// How long a session lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLife {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after login however busy it is.
    pub absolute: Duration,
}

/// A request's `seen_at` is written only when the stored one is older than this: a console
/// page that refreshes every few seconds must not write on every request.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// Starts a session of `name` stored under `token_hash`, and drops sessions that have expired.
pub async fn open_session(
    pool: &AnyPool,
    token_hash: &str,
    name: &str,
    life: SessionLife,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let at = now.timestamp();
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM staff_sessions WHERE seen_at <= $1 OR created_at <= $2")
        .bind(at - life.idle.num_seconds())
        .bind(at - life.absolute.num_seconds())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO staff_sessions (token_hash, name, created_at, seen_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(name)
    .bind(at)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The account (and its role) of the live session stored under `token_hash`, marking it used
/// now. A session that has expired, or whose account was removed, is deleted and gives `None`.
pub async fn live_session(
    pool: &AnyPool,
    token_hash: &str,
    life: SessionLife,
    now: DateTime<Utc>,
) -> Result<Option<Session>, StoreError> {
    let at = now.timestamp();
    let row: Option<(String, i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT s.name, s.created_at, s.seen_at, a.role FROM staff_sessions s
         LEFT JOIN staff a ON a.name = s.name WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?;
    let Some((name, created_at, seen_at, role)) = row else {
        return Ok(None);
    };
    let account_exists = role.is_some();
    let expired =
        at - seen_at >= life.idle.num_seconds() || at - created_at >= life.absolute.num_seconds();
    if expired || !account_exists {
        close_session(pool, token_hash).await?;
        return Ok(None);
    }
    if at - seen_at >= TOUCH_EVERY_SECONDS {
        sqlx::query("UPDATE staff_sessions SET seen_at = $1 WHERE token_hash = $2")
            .bind(at)
            .bind(token_hash)
            .execute(pool)
            .await?;
    }
    Ok(Some(Session { name, role: Role::stored(role.as_deref().unwrap_or_default()) }))
}

/// Ends the session stored under `token_hash` (logout).
pub async fn close_session(pool: &AnyPool, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// Login throttling: failed attempts counted per (account, address) pair, per address and per
/// account, each over a sliding window.
///
/// The strict limit is on the pair, so an attacker hammering an account locks only their own
/// address out of it; the owner, from another address, still logs in. The per-address limit
/// stops one address trying many accounts. The per-account limit slows a guess spread over
/// many addresses; it does not hold back an address the account logged in from in the last
/// [`KNOWN_ADDRESS_DAYS`] days, so even that cannot lock the owner out of their usual desk.
/// Refused attempts are not counted: hammering a locked pair cannot fill the other limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failures allowed per account and address within `short_window`.
    pub per_pair: u32,
    /// Failures allowed per address (all accounts) within `short_window`.
    pub per_address: u32,
    /// The window of the two limits above.
    pub short_window: Duration,
    /// Failures allowed per account (all addresses not known to it) within `account_window`.
    pub per_account: u32,
    /// The window of the per-account limit.
    pub account_window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_pair: 5,
            per_address: 20,
            short_window: Duration::minutes(15),
            per_account: 100,
            account_window: Duration::hours(1),
        }
    }
}

/// A successful login from an address makes it known to the account for this long.
pub const KNOWN_ADDRESS_DAYS: i64 = 30;

/// Which limit refused an attempt (for the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    /// Too many failures of this account from this address.
    Pair,
    /// Too many failures from this address.
    Address,
    /// Too many failures of this account from addresses it does not know.
    Account,
}

/// The lock [`begin_login`] holds on PostgreSQL (see `store::begin_serialized`).
const LOGIN_LOCK: i64 = 0x6d65_6e74_6501;

/// Longest account name kept in an attempt: names are attacker-chosen.
const MAX_ACCOUNT_CHARS: usize = 64;

/// Checks the limits for an attempt to log in to `account` from `addr` and, when allowed,
/// records it as failed until [`login_succeeded`] says otherwise (so parallel guesses count
/// before their passwords are checked). One write transaction: two instances cannot both let
/// the last allowed attempt through.
pub async fn begin_login(
    pool: &AnyPool,
    account: &str,
    addr: &str,
    limits: LoginLimits,
    now: DateTime<Utc>,
) -> Result<Result<(), Throttled>, StoreError> {
    let account: String = account.chars().take(MAX_ACCOUNT_CHARS).collect();
    let at = now.timestamp();
    let short_from = at - limits.short_window.num_seconds();
    let account_from = at - limits.account_window.num_seconds();
    let mut tx = super::begin_serialized(pool, LOGIN_LOCK).await?;
    sqlx::query("DELETE FROM staff_logins WHERE (ok = 0 AND at < $1) OR at < $2")
        .bind(at - limits.short_window.max(limits.account_window).num_seconds())
        .bind(at - Duration::days(KNOWN_ADDRESS_DAYS).num_seconds())
        .execute(&mut *tx)
        .await?;
    let (pair, address, account_failures, known): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT
           (SELECT COUNT(*) FROM staff_logins WHERE ok = 0 AND account = $1 AND addr = $2 AND at > $3),
           (SELECT COUNT(*) FROM staff_logins WHERE ok = 0 AND addr = $2 AND at > $3),
           (SELECT COUNT(*) FROM staff_logins WHERE ok = 0 AND account = $1 AND at > $4),
           CASE WHEN EXISTS (SELECT 1 FROM staff_logins WHERE ok = 1 AND account = $1 AND addr = $2)
                THEN 1 ELSE 0 END",
    )
    .bind(&account)
    .bind(addr)
    .bind(short_from)
    .bind(account_from)
    .fetch_one(&mut *tx)
    .await?;
    let refused = if pair >= i64::from(limits.per_pair) {
        Some(Throttled::Pair)
    } else if address >= i64::from(limits.per_address) {
        Some(Throttled::Address)
    } else if known == 0 && account_failures >= i64::from(limits.per_account) {
        Some(Throttled::Account)
    } else {
        None
    };
    if let Some(which) = refused {
        tx.rollback().await?;
        return Ok(Err(which));
    }
    sqlx::query("INSERT INTO staff_logins (account, addr, at, ok) VALUES ($1, $2, $3, 0)")
        .bind(&account)
        .bind(addr)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// The attempt begun by [`begin_login`] succeeded: the pair's failures are forgiven and the
/// address becomes known to the account.
pub async fn login_succeeded(
    pool: &AnyPool,
    account: &str,
    addr: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let account: String = account.chars().take(MAX_ACCOUNT_CHARS).collect();
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM staff_logins WHERE account = $1 AND addr = $2")
        .bind(&account)
        .bind(addr)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO staff_logins (account, addr, at, ok) VALUES ($1, $2, $3, 1)")
        .bind(&account)
        .bind(addr)
        .bind(now.timestamp())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
