//! `mente wechat serve` runs the WeChat message endpoint on its own (until `mente web` mounts
//! it); `mente wechat menu` prints the custom-menu JSON built from the dialogs.
//!
//! Settings come from `WECHAT_*` environment variables only (see [`crate::wechat::config`]).

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use tokio::sync::watch;

use super::UsageError;
use crate::clock::{Clock, SystemClock};
use crate::reload::{self, Live};
use crate::scheduler;
use crate::store::Store;
use crate::web::ServerLimits;
use crate::wechat::config::{WechatConfig, TOKEN_VAR};
use crate::wechat::sender::WechatSender;
use crate::wechat::{self, menu, WechatState};

/// `mente wechat …`
#[derive(Debug, Args)]
pub struct WechatArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: WechatCommand,
}

/// The `wechat` subcommands.
#[derive(Debug, Subcommand)]
pub enum WechatCommand {
    /// Serve GET/POST /wechat (behind a TLS proxy) and send reminders to WeChat users.
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Timeouts and connection cap (the same server as `mente web`).
        #[command(flatten)]
        http: super::web::HttpArgs,
        /// Prometheus metrics.
        #[command(flatten)]
        metrics: super::web::MetricsArgs,
    },
    /// Print the JSON of the account's custom menu (自定义菜单) built from the dialogs.
    Menu,
}

/// Runs `mente wechat …`.
pub async fn run(
    args: WechatArgs,
    db: &str,
    root: &Path,
    assistant: Live,
) -> anyhow::Result<ExitCode> {
    match args.command {
        WechatCommand::Menu => {
            let json =
                menu::menu_json(&assistant.current().content).map_err(|e| UsageError(e.0))?;
            println!("{}", serde_json::to_string_pretty(&json)?);
            Ok(ExitCode::SUCCESS)
        }
        WechatCommand::Serve { listen, http, metrics } => {
            let config = WechatConfig::from_env(|name| std::env::var(name).ok())
                .map_err(|e| UsageError(e.0))?
                .ok_or_else(|| {
                    UsageError(format!(
                        "{TOKEN_VAR} is not set: export the Token of the account's server settings (see docs/channels.md, WeChat)"
                    ))
                })?;
            // Before the port opens: a SIGHUP from then on reloads instead of ending the process.
            let _reloader = reload::start(assistant.clone(), root.to_path_buf());
            let listener = tokio::net::TcpListener::bind(listen).await?;
            eprintln!("mente wechat: listening on {}", listener.local_addr()?);
            let store = Store::connect(db).await?;
            metrics.start("mente wechat", &store, &assistant).await?;
            let limits = http.limits();
            let stop = super::serve::stop_signal();
            serve(listener, config, limits, store, assistant, stop).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The endpoint and, when the API is configured, the reminder worker, until `shutdown`.
async fn serve(
    listener: tokio::net::TcpListener,
    config: WechatConfig,
    limits: ServerLimits,
    store: Store,
    assistant: Live,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let can_send = config.can_send();
    let state = WechatState::new(config, store.clone(), assistant.clone(), clock);
    let (stop_tx, stop_rx) = watch::channel(false);
    let server = wechat::serve_with(listener, state.clone(), limits, async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let worker = reminder_worker(&state, can_send, &store, &assistant, stop_rx);
    let (served, ()) = tokio::join!(server, worker);
    Ok(served?)
}

/// The WeChat reminder worker and the hand-off relay (staff replies through the
/// customer-service API, within its 48-hour window) until `stop` turns true; shared by
/// `mente wechat serve` and `mente web` (which mounts `/wechat` when `WECHAT_TOKEN` is set).
pub(super) async fn reminder_worker(
    state: &WechatState,
    can_send: bool,
    store: &Store,
    assistant: &Live,
    stop: watch::Receiver<bool>,
) {
    if !can_send {
        tracing::warn!(
            "WECHAT_APPID/WECHAT_APPSECRET not set: no reminders, and slow or long replies are cut"
        );
        return;
    }
    let sender = WechatSender::new(state.api(), store.clone(), Arc::new(SystemClock));
    let window = Some(crate::wechat::sender::REPLY_WINDOW);
    tokio::join!(
        scheduler::run_until_stopped(store, assistant, &sender, &SystemClock, stop.clone()),
        crate::relay::run_until_stopped(store, assistant, &sender, window, &SystemClock, stop),
    );
}
