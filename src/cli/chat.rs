//! `mente chat`: the assistant in this terminal (interactive, or one message per line from a pipe).

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::UsageError;
use crate::assistant::Assistant;
use crate::clock::SystemClock;
use crate::engine::UserKey;
use crate::store::Store;
use crate::terminal::{Terminal, CHANNEL};

/// `mente chat [--user ID] [--region ID] [--db URL]`
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// Terminal user id; the same id resumes the same conversation.
    #[arg(long, default_value = "local")]
    pub user: String,
    /// Preselect a region (panzhihua, shaoyang).
    #[arg(long)]
    pub region: Option<String>,
}

/// Runs `mente chat`.
pub async fn run(args: ChatArgs, db: &str, assistant: Arc<Assistant>) -> anyhow::Result<ExitCode> {
    if let Some(region) = &args.region {
        if !assistant.content.regions.contains_key(region) {
            let known: Vec<&str> = assistant.content.regions.keys().map(String::as_str).collect();
            return Err(UsageError(format!(
                "unknown region {region:?}; use one of: {}",
                known.join(", ")
            ))
            .into());
        }
    }
    let store = Store::connect(db).await?;
    let user = UserKey::new(CHANNEL, args.user);
    let clock = Arc::new(SystemClock);
    if let Some(region) = &args.region {
        crate::service::preselect_region(&store, &user, region, chrono::Utc::now()).await?;
    }
    let terminal = Terminal { store, assistant, user, clock };
    let interactive = std::io::stdin().is_terminal();
    let stdin = tokio::io::BufReader::new(tokio::io::stdin());
    terminal.run(stdin, tokio::io::stdout(), interactive).await?;
    Ok(ExitCode::SUCCESS)
}
