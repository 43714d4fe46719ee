//! Logging set-up. Logs go to stderr so that stdout stays clean for answers and `--json` output.

use tracing_subscriber::EnvFilter;

/// Installs the global tracing subscriber; `RUST_LOG` overrides the default `warn` level.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
