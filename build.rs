//! Rebuilds when `migrations/` changes: `sqlx::migrate!` embeds the files at compile time, and
//! without this a new or renamed migration is silently left out of an incremental build (sqlx's
//! documented remedy). A stale embed once hid two migrations sharing version 3.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
