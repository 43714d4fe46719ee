//! `mente remind`: the reminder worker. STUB: owned by the tracking work (issue 4).

use std::process::ExitCode;

use clap::Args;

use crate::assistant::Assistant;

/// `mente remind [--once] [--now RFC3339]`
#[derive(Debug, Args)]
pub struct RemindArgs {
    /// Run one step and exit.
    #[arg(long)]
    pub once: bool,
}

/// Runs `mente remind`.
pub async fn run(_args: RemindArgs, _db: &str, _assistant: Assistant) -> anyhow::Result<ExitCode> {
    anyhow::bail!("mente remind is not implemented yet")
}
