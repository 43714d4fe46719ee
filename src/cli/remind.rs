//! `mente remind`: the reminder worker for terminal users. `--once` runs one step (for cron and
//! tests) and prints how many reminders were sent; without it the worker loops until Ctrl-C or
//! SIGTERM.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::Args;
use tokio::sync::watch;

use super::UsageError;
use crate::clock::{Clock, FixedClock, SystemClock};
use crate::reload::Live;
use crate::scheduler::{self, Sender, TerminalSender};
use crate::store::Store;

/// `mente remind [--once] [--now RFC3339]`
#[derive(Debug, Args)]
pub struct RemindArgs {
    /// Run one step and exit.
    #[arg(long)]
    pub once: bool,
    /// Pretend it is this instant (RFC 3339, e.g. 2025-10-24T09:30:00+08:00).
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
}

/// Runs `mente remind`.
pub async fn run(args: RemindArgs, db: &str, live: Live) -> anyhow::Result<ExitCode> {
    let now = match &args.now {
        Some(text) => Some(
            DateTime::parse_from_rfc3339(text.trim())
                .map_err(|_| {
                    UsageError(format!(
                        "--now {text:?} is not an RFC 3339 time; e.g. 2025-10-24T09:30:00+08:00"
                    ))
                })?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    let store = Store::connect(db).await?;
    let sender = TerminalSender::stdout();
    if args.once {
        let now = now.unwrap_or_else(|| SystemClock.now());
        let report = scheduler::run_once(&store, &live.current(), &sender, now).await?;
        if report.quiet_hours {
            outln!("sent 0 (quiet hours: reminders go out 09:00–20:00 China time)");
        } else {
            outln!(
                "sent {} (failed {}, deferred {}, blocked {}, dropped {})",
                report.sent,
                report.failed,
                report.deferred,
                report.blocked,
                report.dropped
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (stop, shutdown) = watch::channel(false);
    tokio::spawn(async move {
        // SIGTERM too (systemd's stop): the reminder being sent is finished and marked, not
        // cut off between the send and the mark.
        super::serve::stop_signal().await;
        let _ = stop.send(true);
    });
    // The other channels' reminders are sent by their own servers (`mente web`, `mente serve`).
    tracing::info!(channel = sender.channel(), "reminder worker started");
    match now {
        Some(now) => {
            scheduler::run_until_stopped(&store, &live, &sender, &FixedClock(now), shutdown).await
        }
        None => scheduler::run_until_stopped(&store, &live, &sender, &SystemClock, shutdown).await,
    }
    tracing::info!("reminder worker stopped");
    Ok(ExitCode::SUCCESS)
}
