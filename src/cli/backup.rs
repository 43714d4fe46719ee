//! `mente backup PATH`: an online, consistent copy of the SQLite database into a new file,
//! safe while `mente web`, `serve` or `remind` keep running on it (see docs/operators.md).
//! PostgreSQL has its own tools: on a `postgres://` database this says to use `pg_dump`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::UsageError;
use crate::store::{Backend, Store};

/// `mente backup PATH`
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write; it must not exist yet (an old backup is never overwritten).
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
}

/// Runs `mente backup`.
pub async fn run(args: &BackupArgs, db: &str) -> anyhow::Result<ExitCode> {
    let path = &args.path;
    if Backend::of_url(db) == Backend::Postgres {
        return Err(UsageError(
            "mente backup copies an SQLite database; on PostgreSQL use pg_dump, e.g. \
             pg_dump -Fc -f mente.dump \"$MENTE_DB\" (see docs/operators.md)"
                .into(),
        )
        .into());
    }
    // Checked here for a clear message; SQLite refuses an existing non-empty file as well, and
    // an empty one it would fill, which is no loss.
    if path.exists() {
        return Err(UsageError(format!(
            "{} already exists; mente backup never overwrites a file: choose a new name or move the old backup away",
            path.display()
        ))
        .into());
    }
    let text = path
        .to_str()
        .ok_or_else(|| UsageError(format!("{} is not a UTF-8 path", path.display())))?;
    let store = Store::connect(db).await?;
    store.backup(text).await?;
    println!("backup written to {}", path.display());
    Ok(ExitCode::SUCCESS)
}
