//! Logging set-up and the one redaction point for secrets. Logs go to stderr so that stdout
//! stays clean for answers and `--json` output.
//!
//! Whoever holds the bot token controls the bot, and a wrong `TELEGRAM_API_URL` echoes request
//! paths (`/bot<TOKEN>/GetMe`) back into error messages that get logged. So secrets are not
//! filtered where they might be printed — that would need every call site right — but where
//! output leaves the process: every log line passes through [`RedactingWriter`], and `main`
//! passes the final error message through [`redact`].

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};
use std::sync::RwLock;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// What is shown instead of a secret.
pub const REDACTED: &str = "<redacted>";

/// Secrets registered with [`add_secret`], replaced in all output.
static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Installs the global tracing subscriber; `RUST_LOG` overrides the default `warn` level.
/// Colours only on a terminal: in a file or the journal the escape codes are noise.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let ansi = io::stderr().is_terminal();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(RedactingStderr)
        .try_init();
}

/// Registers a secret (the bot token, a webhook secret) so that no output ever shows it. For a
/// bot token `123456:ABC…` only the part after the colon is secret: the bot id stays visible,
/// which helps operators tell bots apart. Very short values are ignored (they would mangle
/// ordinary text and protect nothing).
pub fn add_secret(secret: &str) {
    let secret = secret_part(secret);
    if secret.len() < 8 {
        return;
    }
    let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    if !secrets.iter().any(|s| s == secret) {
        secrets.push(secret.to_string());
    }
}

/// `text` with every registered secret replaced by [`REDACTED`].
pub fn redact(text: &str) -> Cow<'_, str> {
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    match redact_with(text, &secrets) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        Cow::Owned(owned) => Cow::Owned(owned),
    }
}

/// `text` with each of `secrets` replaced by [`REDACTED`]; pure, for callers that hold the
/// secret themselves.
pub fn redact_with<'a>(text: &'a str, secrets: &[&str]) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(text);
    for secret in secrets.iter().map(|s| secret_part(s)).filter(|s| !s.is_empty()) {
        if out.contains(secret) {
            out = Cow::Owned(out.replace(secret, REDACTED));
        }
    }
    out
}

/// The secret part of a bot token (after `id:`); other secrets whole.
fn secret_part(secret: &str) -> &str {
    match secret.split_once(':') {
        Some((id, rest)) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => secret,
    }
}

/// Makes a [`RedactingWriter`] over stderr for each log event.
#[derive(Debug, Clone, Copy, Default)]
pub struct RedactingStderr;

impl<'a> MakeWriter<'a> for RedactingStderr {
    type Writer = RedactingWriter<io::Stderr>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(io::stderr())
    }
}

/// Writes through to `W` with secrets replaced. tracing's fmt layer hands over each event in
/// one `write`, so a secret is never split between two calls.
#[derive(Debug)]
pub struct RedactingWriter<W>(pub W);

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        match redact(&text) {
            Cow::Borrowed(_) => self.0.write_all(buf)?,
            Cow::Owned(clean) => self.0.write_all(clean.as_bytes())?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bot_token_is_redacted_but_the_bot_id_stays() {
        let token = "4242:AAH-some_secret-value";
        let shown = redact_with("Cannot POST /bot4242:AAH-some_secret-value/GetMe", &[token]);
        assert_eq!(shown, "Cannot POST /bot4242:<redacted>/GetMe");
        assert!(matches!(redact_with("nothing here", &[token]), Cow::Borrowed(_)));
    }

    #[test]
    fn the_writer_redacts_registered_secrets() {
        add_secret("777:registered-secret-for-writer");
        let mut out = RedactingWriter(Vec::new());
        out.write_all(b"WARN retrying error=raw: /bot777:registered-secret-for-writer/getMe\n")
            .unwrap();
        let text = String::from_utf8(out.0).unwrap();
        assert_eq!(text, "WARN retrying error=raw: /bot777:<redacted>/getMe\n");
    }
}
