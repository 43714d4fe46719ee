//! `mente chat`: terminal conversation. STUB: owned by the engine work (issue 3).

use std::process::ExitCode;

use clap::Args;

use crate::assistant::Assistant;

/// `mente chat [--user ID] [--region ID]`
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// Terminal user id; the same id resumes the same conversation.
    #[arg(long, default_value = "local")]
    pub user: String,
    /// Preselect a region.
    #[arg(long)]
    pub region: Option<String>,
}

/// Runs `mente chat`.
pub async fn run(_args: ChatArgs, _db: &str, _assistant: Assistant) -> anyhow::Result<ExitCode> {
    anyhow::bail!("mente chat is not implemented yet")
}
