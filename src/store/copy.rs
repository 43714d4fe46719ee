//! Copying a whole deployment from one database to another (`mente migrate-db`, issue 19): a
//! city that outgrows one SQLite file moves its users' sessions, applications, reminders,
//! outbox, staff and console data to PostgreSQL (any direction works).
//!
//! Tables and columns are read from the source's catalogue, so tables added by later
//! migrations are copied without changes here; the target has the same schema because both
//! were migrated by the same build. The source is read in one transaction (one consistent
//! moment of a running deployment) and the target written in one (a failed copy leaves it
//! as it was). Rows go in batches of multi-row INSERTs; counts are compared at the end.

use futures::TryStreamExt;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{Backend, Store, StoreError};

/// Tables that others reference, copied first so foreign keys hold; the rest follow by name.
const PARENTS_FIRST: &[&str] = &["staff", "applications"];

/// Rows per INSERT: well under both backends' limits on parameters (SQLite 32,766, PostgreSQL
/// 65,535) for any table of ours.
const BATCH_ROWS: usize = 500;

/// The server keys a migration creates in every new database. The copy replaces them with the
/// source's, so that what was keyed with them (askers of unanswered questions) stays linked.
const KEYS_TABLE: &str = "server_keys";

/// Rows of one table in the source and, after the copy, in the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    /// The table.
    pub table: String,
    /// Rows in the source.
    pub source: i64,
    /// Rows in the target after the copy.
    pub target: i64,
}

/// Why a copy did not start.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The target already holds data and overwriting was not asked for.
    #[error("the target database is not empty ({0}); pass --overwrite to replace its data")]
    TargetNotEmpty(String),
    /// A database error.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for CopyError {
    fn from(err: sqlx::Error) -> Self {
        CopyError::Store(err.into())
    }
}

/// Copies every table of `from` into `to`; with `overwrite`, the target's rows are deleted
/// first, else a target with data is refused. Returns the per-table counts (the caller
/// decides what a mismatch means).
pub async fn copy_all(
    from: &Store,
    to: &Store,
    overwrite: bool,
) -> Result<Vec<TableCount>, CopyError> {
    let mut src = from.pool().begin().await?;
    let tables = tables(&mut src, from.backend()).await?;
    let mut dst = to.pool().begin().await?;
    let filled = non_empty(&mut dst, &tables).await?;
    if !filled.is_empty() && !overwrite {
        return Err(CopyError::TargetNotEmpty(filled.join(", ")));
    }
    // Children before parents when deleting.
    for table in tables.iter().rev() {
        sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *dst).await?;
    }
    let mut counts = Vec::with_capacity(tables.len());
    for table in &tables {
        let columns = columns(&mut src, from.backend(), table).await?;
        copy_table(&mut src, &mut dst, table, &columns).await?;
        if to.backend() == Backend::Postgres && columns.iter().any(|c| c == "id") {
            restart_sequence(&mut dst, table).await?;
        }
        let source = count(&mut src, table).await?;
        counts.push(TableCount { table: table.clone(), source, target: 0 });
    }
    dst.commit().await?;
    src.rollback().await?;
    for c in &mut counts {
        c.target = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", c.table))
            .fetch_one(to.pool())
            .await?;
    }
    Ok(counts)
}

/// The tables of the deployment (not the migration bookkeeping), parents first.
async fn tables(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<String>, sqlx::Error> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
               AND table_name <> '_sqlx_migrations' ORDER BY 1"
        }
    };
    let mut names: Vec<String> = sqlx::query_scalar(sql).fetch_all(conn).await?;
    names.sort_by_key(|name| {
        (PARENTS_FIRST.iter().position(|p| p == name).unwrap_or(PARENTS_FIRST.len()), name.clone())
    });
    Ok(names)
}

/// The column names of `table`, in their order.
async fn columns(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = match backend {
        Backend::Sqlite => "SELECT name FROM pragma_table_info($1) ORDER BY cid",
        Backend::Postgres => {
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        }
    };
    sqlx::query_scalar(sql).bind(table).fetch_all(conn).await
}

/// Tables of `tables` holding rows; the server keys count only beyond the one every new
/// database gets from its migration.
async fn non_empty(
    conn: &mut AnyConnection,
    tables: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    let mut filled = Vec::new();
    for table in tables {
        // The whole count is what the operator sees (with psql too); only rows beyond the
        // migration's own key make the table "not empty".
        let sql = format!(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN {} THEN 1 ELSE 0 END), 0) FROM {table}",
            if table == KEYS_TABLE { "name <> 'unanswered_asker'" } else { "1 = 1" }
        );
        let (all, beyond): (i64, i64) = sqlx::query_as(&sql).fetch_one(&mut *conn).await?;
        if beyond > 0 {
            let rows = if all == 1 { "row" } else { "rows" };
            filled.push(format!("{table}: {all} {rows}"));
        }
    }
    Ok(filled)
}

async fn count(conn: &mut AnyConnection, table: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(conn).await
}

/// One stored value, whatever its type.
#[derive(Debug, Clone)]
enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

fn value(row: &AnyRow, i: usize) -> Result<Value, sqlx::Error> {
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return Ok(v.map_or(Value::Null, Value::Int));
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return Ok(v.map_or(Value::Null, Value::Text));
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return Ok(v.map_or(Value::Null, Value::Real));
    }
    Ok(row.try_get::<Option<Vec<u8>>, _>(i)?.map_or(Value::Null, Value::Blob))
}

async fn copy_table(
    src: &mut AnyConnection,
    dst: &mut AnyConnection,
    table: &str,
    columns: &[String],
) -> Result<(), sqlx::Error> {
    let list = columns.join(", ");
    let select = format!("SELECT {list} FROM {table}");
    let mut rows = sqlx::query(&select).fetch(&mut *src);
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(BATCH_ROWS);
    while let Some(row) = rows.try_next().await? {
        batch.push((0..columns.len()).map(|i| value(&row, i)).collect::<Result<_, _>>()?);
        if batch.len() == BATCH_ROWS {
            insert(dst, table, &list, &batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        insert(dst, table, &list, &batch).await?;
    }
    Ok(())
}

/// One multi-row INSERT. NULLs are written as the literal: a bound NULL carries a type on
/// PostgreSQL, and the wrong one (a text NULL into an integer column) is refused.
async fn insert(
    dst: &mut AnyConnection,
    table: &str,
    list: &str,
    rows: &[Vec<Value>],
) -> Result<(), sqlx::Error> {
    let mut n = 0;
    let tuples: Vec<String> = rows
        .iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .map(|v| match v {
                    Value::Null => "NULL".to_string(),
                    _ => {
                        n += 1;
                        format!("${n}")
                    }
                })
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect();
    let conflict = match table {
        KEYS_TABLE => " ON CONFLICT (name) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at",
        _ => "",
    };
    let sql = format!("INSERT INTO {table} ({list}) VALUES {}{conflict}", tuples.join(", "));
    let mut query = sqlx::query(&sql);
    for v in rows.iter().flatten() {
        query = match v {
            Value::Null => query,
            Value::Int(i) => query.bind(*i),
            Value::Real(r) => query.bind(*r),
            Value::Text(t) => query.bind(t.clone()),
            Value::Blob(b) => query.bind(b.clone()),
        };
    }
    query.execute(dst).await?;
    Ok(())
}

/// Moves the id sequence of `table` (whose `id` column may have one) past the copied ids, so the next row
/// inserted gets a new id instead of a duplicate-key error.
async fn restart_sequence(conn: &mut AnyConnection, table: &str) -> Result<(), sqlx::Error> {
    let sequence: Option<String> =
        sqlx::query_scalar("SELECT CAST(pg_get_serial_sequence($1, 'id') AS TEXT)")
            .bind(table)
            .fetch_one(&mut *conn)
            .await?;
    if let Some(sequence) = sequence {
        sqlx::query(&format!(
            "SELECT CAST(setval(CAST($1 AS regclass), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false) AS BIGINT)"
        ))
        .bind(sequence)
        .execute(conn)
        .await?;
    }
    Ok(())
}
