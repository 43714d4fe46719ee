//! `mente migrate-db --from URL --to URL`: copies a deployment's whole database into another
//! (typically a growing city's SQLite file into PostgreSQL, issue 19) and checks the row
//! counts of every table. The work is `store::copy`; this prints the counts and turns a
//! mismatch into a failing exit code. Stop the instances on the source first, or start them on
//! the target only after the copy: rows written to the source meanwhile are not copied.

use std::process::ExitCode;

use clap::Args;

use super::UsageError;
use crate::store::copy::{self, CopyError};
use crate::store::Store;

/// `mente migrate-db`
#[derive(Debug, Args)]
pub struct MigrateDbArgs {
    /// The database to copy from, e.g. sqlite://mente.sqlite.
    #[arg(long, value_name = "URL")]
    pub from: String,
    /// The database to copy into, e.g. postgres://mente@db.example/mente; it must exist (the
    /// tables are created) and be empty unless --overwrite is given.
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Delete the target's rows before copying instead of refusing a non-empty target.
    #[arg(long)]
    pub overwrite: bool,
}

/// Runs `mente migrate-db`: exit 0 when every table's count matches, 1 otherwise.
pub async fn run(args: &MigrateDbArgs) -> anyhow::Result<ExitCode> {
    if args.from == args.to {
        return Err(UsageError("--from and --to name the same database".into()).into());
    }
    let from = Store::connect(&args.from).await?;
    let to = Store::connect(&args.to).await?;
    let counts = match copy::copy_all(&from, &to, args.overwrite).await {
        Ok(counts) => counts,
        Err(err @ CopyError::TargetNotEmpty(_)) => return Err(UsageError(err.to_string()).into()),
        Err(err) => return Err(err.into()),
    };
    println!("{:<24} {:>10} {:>10}", "table", "source", "target");
    let mut mismatched = 0;
    for c in &counts {
        let mark = if c.source == c.target { "" } else { "  MISMATCH" };
        println!("{:<24} {:>10} {:>10}{mark}", c.table, c.source, c.target);
        mismatched += usize::from(c.source != c.target);
    }
    if mismatched > 0 {
        eprintln!("mente: {mismatched} table(s) differ after the copy; do not switch over");
        return Ok(ExitCode::from(1));
    }
    println!("copied {} tables; every count matches", counts.len());
    Ok(ExitCode::SUCCESS)
}
