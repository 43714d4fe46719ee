//! `mente serve`: the assistant on Telegram. Reads the bot token from `TELOXIDE_TOKEN` (never a
//! flag, so it stays out of shell history and process lists), long-polls by default, and stops
//! cleanly on Ctrl-C or SIGTERM after finishing the turn in flight. Content is reloaded on
//! SIGHUP and when the content folder changes ([`crate::reload`]).

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use url::Url;

use super::UsageError;
use crate::clock::SystemClock;
use crate::reload::{self, Live};
use crate::store::Store;
use crate::telegram::{run_bot, valid_secret, BotConfig, Mode};

/// `mente serve [--webhook URL --listen ADDR [--secret-token TOKEN]]`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Bot API server to use instead of `https://api.telegram.org` (e.g. a local telegram-bot-api).
    #[arg(long, env = "TELEGRAM_API_URL", value_name = "URL")]
    pub api_url: Option<Url>,
    /// Receive updates by webhook at this public HTTPS URL instead of long polling.
    #[arg(long, value_name = "URL", requires = "listen")]
    pub webhook: Option<Url>,
    /// Address the webhook server listens on (e.g. 127.0.0.1:8443, behind a TLS proxy).
    #[arg(long, value_name = "ADDR", requires = "webhook")]
    pub listen: Option<SocketAddr>,
    /// Secret Telegram must send with every webhook call (A–Z a–z 0–9 _ -); random if omitted.
    #[arg(long, env = "TELEGRAM_WEBHOOK_SECRET", value_name = "TOKEN", hide_env_values = true)]
    pub secret_token: Option<String>,
    /// Timeouts and connection cap of the webhook server (the same server as `mente web`).
    #[command(flatten)]
    pub http: super::web::HttpArgs,
    /// Prometheus metrics.
    #[command(flatten)]
    pub metrics: super::web::MetricsArgs,
}

/// The token variable, named in every message about it.
const TOKEN_VAR: &str = "TELOXIDE_TOKEN";

/// Runs `mente serve`.
pub async fn run(
    args: ServeArgs,
    db: &str,
    root: &Path,
    assistant: Live,
) -> anyhow::Result<ExitCode> {
    let metrics = args.metrics.clone();
    let config = config_from(args, std::env::var(TOKEN_VAR).ok())?;
    let store = Store::connect(db).await?;
    let _reloader = reload::start(assistant.clone(), root.to_path_buf());
    metrics.start("mente serve", &store, &assistant).await?;
    run_bot(config, store, assistant, Arc::new(SystemClock), stop_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

/// Checks the arguments and the token before anything is started.
fn config_from(args: ServeArgs, token: Option<String>) -> Result<BotConfig, UsageError> {
    let token = token.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).ok_or_else(|| {
        UsageError(format!(
            "{TOKEN_VAR} is not set. Create a bot with @BotFather in Telegram, then run \
             `export {TOKEN_VAR}=<the token it gives you>` and start `mente serve` again."
        ))
    })?;
    // Before anything can log or fail: from here on no output shows the secrets.
    crate::telemetry::add_secret(&token);
    if let Some(secret) = &args.secret_token {
        crate::telemetry::add_secret(secret);
    }
    let mut config = BotConfig::new(token);
    config.api_url = args.api_url;
    config.http = args.http.limits();
    if let (Some(url), Some(listen)) = (args.webhook, args.listen) {
        if let Some(secret) = &args.secret_token {
            if !valid_secret(secret) {
                return Err(UsageError(
                    "--secret-token must be 1–256 characters of A–Z, a–z, 0–9, _ and -".into(),
                ));
            }
        }
        config.mode = Mode::Webhook { url, listen, secret_token: args.secret_token };
    }
    Ok(config)
}

/// Resolves on Ctrl-C, or on SIGTERM (how systemd and docker stop a service).
pub(super) async fn stop_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> ServeArgs {
        ServeArgs {
            api_url: None,
            webhook: None,
            listen: None,
            secret_token: None,
            http: Default::default(),
            metrics: Default::default(),
        }
    }

    #[test]
    fn a_missing_or_blank_token_says_how_to_get_one() {
        for token in [None, Some("  ".to_string())] {
            let err = config_from(args(), token).unwrap_err();
            assert!(err.0.contains("TELOXIDE_TOKEN"), "{}", err.0);
            assert!(err.0.contains("@BotFather"), "{}", err.0);
        }
    }

    #[test]
    fn webhook_flags_select_webhook_mode_and_the_secret_is_checked() {
        let mut webhook = args();
        webhook.webhook = Some("https://bot.example.org/tg".parse().unwrap());
        webhook.listen = Some("127.0.0.1:8443".parse().unwrap());
        webhook.secret_token = Some("s3cret_value".into());
        let config = config_from(webhook, Some("1:abc".into())).unwrap();
        assert!(
            matches!(config.mode, Mode::Webhook { secret_token: Some(ref s), .. } if s == "s3cret_value")
        );

        let mut bad = args();
        bad.webhook = Some("https://bot.example.org/tg".parse().unwrap());
        bad.listen = Some("127.0.0.1:8443".parse().unwrap());
        bad.secret_token = Some("not allowed!".into());
        assert!(config_from(bad, Some("1:abc".into())).is_err());

        let polling = config_from(args(), Some("1:abc".into())).unwrap();
        assert_eq!(polling.mode, Mode::Polling);
    }
}
