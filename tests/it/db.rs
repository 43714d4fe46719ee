//! The one place integration tests get a database (issue 19): a fresh SQLite file in the
//! test's directory, or — when `MENTE_TEST_PG` names a PostgreSQL server
//! (`postgres://user@host:port/db`) — a freshly created database `t_<random>` on it, so the
//! same tests cover both backends. Tests of what only SQLite has (its files, `VACUUM INTO`,
//! URL checks) name an SQLite file themselves.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sqlx::{Connection, Executor};

/// The environment variable naming the PostgreSQL server tests run against.
pub const PG_ENV: &str = "MENTE_TEST_PG";

/// The server URL from [`PG_ENV`], when set.
pub fn pg_server() -> Option<String> {
    std::env::var(PG_ENV).ok().filter(|url| !url.trim().is_empty())
}

/// The database of the test whose files live in `dir`, called `name` there. The same
/// (`dir`, `name`) gives the same URL every time, so a test can reconnect (or start a process on
/// it) by asking again.
pub fn test_db_url(dir: &Path, name: &str) -> String {
    let Some(server) = pg_server() else {
        return format!("sqlite://{}/{name}", dir.display());
    };
    static CREATED: Mutex<Option<HashMap<(PathBuf, String), String>>> = Mutex::new(None);
    let mut created = CREATED.lock().unwrap_or_else(|e| e.into_inner());
    let key = (dir.to_path_buf(), name.to_string());
    created.get_or_insert_with(HashMap::new).entry(key).or_insert_with(|| fresh_pg(&server)).clone()
}

/// Creates an empty database on `server` and returns its URL. On a thread of its own with its
/// own runtime: callers are sync and async tests alike.
pub fn fresh_pg(server: &str) -> String {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).expect("random");
    let name = format!("t_{:016x}", u64::from_le_bytes(bytes));
    let server = server.to_string();
    let db = name.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let mut conn =
                sqlx::PgConnection::connect(&server).await.expect("MENTE_TEST_PG server");
            conn.execute(format!("CREATE DATABASE {db}").as_str()).await.expect("create database");
        })
    })
    .join()
    .expect("creating the test database");
    with_database(&server_url(), &name)
}

fn server_url() -> String {
    pg_server().expect("MENTE_TEST_PG")
}

/// `url` with its database name replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let rest = base.split_once("://").map_or(base, |(_, rest)| rest);
    let authority_end = rest.find('/').map_or(base.len(), |i| base.len() - rest.len() + i);
    let mut out = format!("{}/{name}", &base[..authority_end]);
    if let Some(query) = query {
        out = format!("{out}?{query}");
    }
    out
}

/// Where the database at `url` keeps `needle`: for SQLite, which of its files (with `-wal`,
/// `-shm`) contain the bytes, read while the pool is open (what a running process leaves on
/// disk); for PostgreSQL, whose files are the server's, which tables have a row whose text
/// contains it (as `table:NAME`).
pub fn places_containing(url: &str, needle: &str) -> Vec<PathBuf> {
    match url.strip_prefix("sqlite://") {
        Some(file) => files_containing(Path::new(file.split('?').next().unwrap_or(file)), needle),
        None => tables_containing(url, needle),
    }
}

/// Which of the database file `db` and its `-wal` / `-shm` files contain `needle`.
pub fn files_containing(db: &Path, needle: &str) -> Vec<PathBuf> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", db.display())))
        .filter(|path| path.exists())
        .filter(|path| {
            let bytes = std::fs::read(path).unwrap();
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        })
        .collect()
}

fn tables_containing(url: &str, needle: &str) -> Vec<PathBuf> {
    let (url, needle) = (url.to_string(), needle.to_string());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let mut conn = sqlx::PgConnection::connect(&url).await.expect("test database");
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            let mut found = Vec::new();
            for table in tables {
                let sql =
                    format!("SELECT COUNT(*) FROM {table} x WHERE strpos(CAST(x AS TEXT), $1) > 0");
                let n: i64 =
                    sqlx::query_scalar(&sql).bind(&needle).fetch_one(&mut conn).await.unwrap();
                if n > 0 {
                    found.push(PathBuf::from(format!("table:{table}")));
                }
            }
            found
        })
    })
    .join()
    .expect("searching the test database")
}

/// Why a PostgreSQL-only test does not run: `None` when it should run. Without
/// [`PG_ENV`] it is skipped with the reason printed, except in CI (`CI=true`), where a missing
/// server is a failure, not a pass.
pub fn pg_or_skip(test: &str) -> Option<String> {
    if let Some(server) = pg_server() {
        return Some(server);
    }
    assert!(
        std::env::var("CI").map_or(true, |ci| ci != "true"),
        "{test}: {PG_ENV} is not set in CI; .ci/run starts a PostgreSQL server for it"
    );
    eprintln!("skipped {test}: set {PG_ENV}=postgres://… to run it against a PostgreSQL server");
    None
}

#[test]
fn the_database_name_of_a_server_url_is_replaced() {
    assert_eq!(with_database("postgres://u@h:5/postgres", "t_1"), "postgres://u@h:5/t_1");
    assert_eq!(with_database("postgres://u@h:5", "t_1"), "postgres://u@h:5/t_1");
    assert_eq!(
        with_database("postgres://u@h/x?sslmode=disable", "t"),
        "postgres://u@h/t?sslmode=disable"
    );
}
