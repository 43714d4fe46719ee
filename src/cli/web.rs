//! `mente web` (the chat page and hotline console) and `mente staff add|list|remove` (console
//! accounts). Stops cleanly on Ctrl-C or SIGTERM like `mente serve`; reloads content on SIGHUP
//! and when the content folder changes ([`crate::reload`]).

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use tokio::sync::watch;

use super::UsageError;
use crate::clock::{Clock, SystemClock};
use crate::reload::{self, Live};
use crate::scheduler;
use crate::store::{staff, Store};
use crate::web::{self, App, ServerLimits, WebConfig};
use crate::wechat::config::WechatConfig;
use crate::wechat::WechatState;

/// Timeouts and connection cap of an HTTP server (`mente web`, `mente wechat serve`, the
/// Telegram webhook); see [`ServerLimits`] for what each means.
#[derive(Debug, Clone, Args)]
pub struct HttpArgs {
    /// Seconds a client has to send a request's headers; also how long an idle keep-alive
    /// connection stays open.
    #[arg(long, env = "MENTE_HTTP_HEADER_TIMEOUT", default_value_t = defaults().header_timeout.as_secs(), value_name = "SECS")]
    pub header_timeout: u64,
    /// Seconds a client has to send a request's body after its headers.
    #[arg(long, env = "MENTE_HTTP_BODY_TIMEOUT", default_value_t = defaults().body_timeout.as_secs(), value_name = "SECS")]
    pub body_timeout: u64,
    /// Open connections at most (default: the open-file limit `ulimit -n` less a quarter, at
    /// least 64 files kept free; more is lowered to that). Beyond it new connections wait until
    /// one closes.
    #[arg(long, env = "MENTE_HTTP_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<usize>,
    /// Seconds requests in flight may take after Ctrl-C / SIGTERM before the server closes
    /// their connections and exits.
    #[arg(long, env = "MENTE_HTTP_SHUTDOWN_GRACE", default_value_t = defaults().shutdown_grace.as_secs(), value_name = "SECS")]
    pub shutdown_grace: u64,
}

fn defaults() -> ServerLimits {
    ServerLimits::default()
}

impl Default for HttpArgs {
    fn default() -> Self {
        let d = defaults();
        HttpArgs {
            header_timeout: d.header_timeout.as_secs(),
            body_timeout: d.body_timeout.as_secs(),
            max_connections: d.max_connections,
            shutdown_grace: d.shutdown_grace.as_secs(),
        }
    }
}

impl HttpArgs {
    /// The limits these flags describe.
    pub fn limits(&self) -> ServerLimits {
        ServerLimits {
            header_timeout: Duration::from_secs(self.header_timeout.max(1)),
            body_timeout: Duration::from_secs(self.body_timeout.max(1)),
            max_connections: self.max_connections,
            shutdown_grace: Duration::from_secs(self.shutdown_grace),
        }
    }
}

/// Where Prometheus scrapes the metrics (`mente web`, `mente serve`, `mente wechat serve`).
#[derive(Debug, Clone, Default, Args)]
pub struct MetricsArgs {
    /// Serve Prometheus metrics at http://ADDR/metrics (off unless given). A separate address
    /// from the public one: keep it private (127.0.0.1 or an internal network).
    #[arg(long, env = "MENTE_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,
}

impl MetricsArgs {
    /// Binds the metrics address, if one is given, and serves the metrics there until Ctrl-C /
    /// SIGTERM. Binding happens here, before the command starts serving, so a taken port fails
    /// the start rather than going unnoticed.
    pub async fn start(&self, command: &str, store: &Store, live: &Live) -> anyhow::Result<()> {
        let Some(addr) = self.metrics_listen else {
            return Ok(());
        };
        let handle = crate::monitor::install()?;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        eprintln!("{command}: metrics on http://{}/metrics", listener.local_addr()?);
        let scrape = crate::monitor::Scrape::new(handle, store.clone(), live.clone());
        tokio::spawn(async move {
            let stop = super::serve::stop_signal();
            if let Err(err) = crate::monitor::serve(listener, scrape, stop).await {
                tracing::error!(%err, "metrics server failed");
            }
        });
        Ok(())
    }
}

/// `mente web [--listen ADDR] [--secure-cookies] [--trust-proxy] [HTTP limits]`
#[derive(Debug, Args)]
pub struct WebArgs {
    /// Address to listen on. Keep it on 127.0.0.1 behind a TLS reverse proxy (see docs/channels.md).
    #[arg(long, env = "MENTE_WEB_LISTEN", default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Mark cookies Secure (users reach the server over HTTPS).
    #[arg(long, env = "MENTE_WEB_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Trust X-Forwarded-For / X-Forwarded-Proto from the reverse proxy in front (only then).
    #[arg(long, env = "MENTE_WEB_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// Memory for the chat page's transcripts, in MiB; beyond it the least recently active
    /// conversations show only their current question.
    #[arg(long, env = "MENTE_WEB_TRANSCRIPT_MIB", default_value_t = 64, value_name = "MIB")]
    pub transcript_mib: usize,
    /// Timeouts and connection cap.
    #[command(flatten)]
    pub http: HttpArgs,
    /// Prometheus metrics.
    #[command(flatten)]
    pub metrics: MetricsArgs,
}

/// `mente staff add NAME | list | remove NAME`
#[derive(Debug, Args)]
pub struct StaffArgs {
    /// What to do with console accounts.
    #[command(subcommand)]
    pub action: StaffAction,
}

/// Account actions.
#[derive(Debug, Subcommand)]
pub enum StaffAction {
    /// Add an account (or reset its password, which ends its sessions); the password is read
    /// from stdin.
    Add {
        /// Login name.
        name: String,
        /// `editor` may also turn unanswered questions into FAQ content from the console.
        /// New accounts get `staff` when not given; a password reset keeps the account's role.
        #[arg(long, value_parser = ["staff", "editor"])]
        role: Option<String>,
    },
    /// List accounts.
    List,
    /// Remove an account and end its sessions.
    Remove {
        /// Login name.
        name: String,
    },
}

/// Runs `mente web`.
pub async fn run(
    args: WebArgs,
    db: &str,
    root: &Path,
    assistant: Live,
) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    // Before the port opens: a SIGHUP from then on reloads instead of ending the process.
    let _reloader = reload::start(assistant.clone(), root.to_path_buf());
    args.metrics.start("mente web", &store, &assistant).await?;
    let mut config = WebConfig::new(root.to_path_buf());
    config.secure_cookies = args.secure_cookies;
    config.trust_proxy = args.trust_proxy;
    config.transcript_bytes = args.transcript_mib.max(1).saturating_mul(1024 * 1024);
    config.server = args.http.limits();
    let limits = config.server;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    // WeChat's `/wechat` joins this server when WECHAT_TOKEN is set: one process, one port
    // behind the TLS proxy. Its routes stay outside the page's per-address limits (all WeChat
    // traffic comes from Tencent's few addresses) and are guarded by signatures instead.
    let wechat_config =
        WechatConfig::from_env(|name| std::env::var(name).ok()).map_err(|e| UsageError(e.0))?;
    let can_send = wechat_config.as_ref().is_some_and(WechatConfig::can_send);
    let wechat = wechat_config
        .map(|config| WechatState::new(config, store.clone(), assistant.clone(), clock.clone()));
    let app = App::new(store.clone(), assistant.clone(), clock.clone(), config);
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    // On stderr, not only in the log: with --listen 127.0.0.1:0 this is how to find the port.
    eprintln!("mente web: listening on {}", listener.local_addr()?);
    let mut router = web::router(app);
    if let Some(state) = &wechat {
        router = router.merge(crate::wechat::router(state.clone()));
        tracing::info!("web: WeChat endpoint /wechat enabled");
    }
    let (stop_tx, stop_rx) = watch::channel(false);
    let server = web::serve_router(listener, router, limits, async move {
        super::serve::stop_signal().await;
        let _ = stop_tx.send(true);
    });
    // The page cannot push: its worker parks due reminders for the user's next visit.
    let web_sender = web::remind::WebSender::new(store.clone(), clock);
    let web_worker = scheduler::run_until_stopped(
        &store,
        &assistant,
        &web_sender,
        &SystemClock,
        stop_rx.clone(),
    );
    let worker = async {
        if let Some(state) = &wechat {
            // Replies a crash or a failed send left in the outbox: at start, then periodically.
            let sweeper = state.deliver_until_stopped(stop_rx.clone());
            let reminders =
                super::wechat::reminder_worker(state, can_send, &store, &assistant, stop_rx);
            tokio::join!(sweeper, reminders);
        }
    };
    let (served, (), ()) = tokio::join!(server, worker, web_worker);
    served?;
    if let Some(state) = &wechat {
        // Replies still on their way to WeChat's customer-service API go out before exiting.
        state.drain().await;
    }
    tracing::info!("web: stopped");
    Ok(ExitCode::SUCCESS)
}

/// Runs `mente staff …`.
pub async fn run_staff(args: &StaffArgs, db: &str) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    let pool = store.pool();
    match &args.action {
        StaffAction::Add { name, role } => {
            // A prompt only for a person at a terminal: a script piping the password in would
            // get it in its output or log.
            if std::io::stdin().is_terminal() {
                eprintln!(
                    "Password for {name} (at least {} characters), then Enter:",
                    web::staff::auth::MIN_PASSWORD_CHARS
                );
            }
            let line = read_password()?;
            let password = line.trim_end_matches(['\r', '\n']);
            let hash = web::staff::auth::new_account_hash(name, password)
                .map_err(|e| UsageError(e.to_string()))?;
            staff::upsert(pool, name, &hash, chrono::Utc::now()).await?;
            if let Some(role) = role.as_deref().and_then(staff::Role::parse) {
                staff::set_role(pool, name, role).await?;
            }
            println!("staff account {name} saved");
        }
        StaffAction::List => {
            for (name, created, role) in staff::list(pool).await? {
                println!("{name}\t{}\t{created}", role.as_str());
            }
        }
        StaffAction::Remove { name } => {
            if !staff::remove(pool, name).await? {
                return Err(UsageError(format!("no staff account named {name}")).into());
            }
            println!("staff account {name} removed");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line from stdin; on a terminal without echo, so the password is not shown on screen.
fn read_password() -> std::io::Result<String> {
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    // `stty` is on every Unix; if it is missing the password is simply echoed.
    let stty = |arg: &str| {
        let _ = std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status();
    };
    if terminal {
        stty("-echo");
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if terminal {
        stty("echo");
        eprintln!();
    }
    read.map(|_| line)
}
