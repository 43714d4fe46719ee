//! `mente serve`: Telegram. STUB: owned by the Telegram work (issue 5).

use std::process::ExitCode;

use clap::Args;

use crate::assistant::Assistant;

/// `mente serve`
#[derive(Debug, Args)]
pub struct ServeArgs {}

/// Runs `mente serve`.
pub async fn run(_args: ServeArgs, _db: &str, _assistant: Assistant) -> anyhow::Result<ExitCode> {
    anyhow::bail!("mente serve is not implemented yet")
}
