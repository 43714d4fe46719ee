//! `mente due`: working-day deadline. STUB: owned by the tracking work (issue 4).

use std::process::ExitCode;

use clap::Args;

use crate::assistant::Assistant;

/// `mente due --from YYYY-MM-DD [--days N] [--json]`
#[derive(Debug, Args)]
pub struct DueArgs {
    /// Day of acceptance.
    #[arg(long)]
    pub from: String,
}

/// Runs `mente due`.
pub fn run(_args: &DueArgs, _assistant: &Assistant) -> anyhow::Result<ExitCode> {
    anyhow::bail!("mente due is not implemented yet")
}
