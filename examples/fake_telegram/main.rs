//! A fake Telegram a person can type into: serves the Bot API for `mente serve` on 127.0.0.1
//! and turns lines typed on stdin into a user's messages and button taps. For trying the
//! Telegram channel (and live hand-offs from it) by hand where Telegram cannot be reached;
//! see "Try the channels by hand" in docs/developers.md.
//!
//! ```sh
//! cargo run --example fake_telegram -- --port 8081 --user 小王
//! TELEGRAM_API_URL=http://127.0.0.1:8081/ TELOXIDE_TOKEN='123456:TEST-token_for-the-stub' cargo run -- serve
//! ```

// The tests' stub, whole: the tool speaks exactly the Bot API the tests check `mente serve`
// against. Its fault injection and waiting helpers are for the tests only.
#[allow(dead_code)]
#[path = "../../tests/it/botapi_stub.rs"]
mod botapi_stub;
mod play;

use clap::Parser;
use tokio::io::AsyncBufReadExt;

/// Fake Telegram: the Bot API on 127.0.0.1:PORT, a user typing on stdin.
#[derive(Debug, Parser)]
struct Args {
    /// Port of the Bot API on 127.0.0.1 (point `mente serve` at it with TELEGRAM_API_URL).
    #[arg(long, default_value_t = 8081)]
    port: u16,
    /// Name of the first user typing (`/as NAME` switches).
    #[arg(long, default_value = "用户1")]
    user: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    let (out, mut printed) = tokio::sync::mpsc::unbounded_channel::<String>();
    let printer = tokio::spawn(async move {
        while let Some(text) = printed.recv().await {
            println!("{text}");
        }
    });
    let mut play = play::Play::start(listener, &args.user, out).await;
    println!(
        "假 Telegram：Bot API 在 {url}\n启动 mente：TELEGRAM_API_URL={url} TELOXIDE_TOKEN='{token}' mente serve\n\
         以 {user} 的身份输入；先发 /start。/help 看说明。\n",
        url = play.api_url(),
        token = botapi_stub::TOKEN,
        user = args.user,
    );
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        if play.line(&line) == play::Next::Quit {
            break;
        }
    }
    // Whatever the bot still sends within a moment is shown before leaving.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    drop(play);
    printer.abort();
    Ok(())
}
