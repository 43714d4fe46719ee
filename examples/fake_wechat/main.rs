//! A fake WeChat a person can type into: posts each typed line to mente's `/wechat` as a
//! follower's message, signed as WeChat does (safe mode with `--safe`), prints the passive
//! reply, and serves the customer-service API on 127.0.0.1 so what mente sends through it
//! (staff replies of a hand-off, reminders, the rest of long replies) is printed too. For trying
//! the WeChat channel by hand; see "Try the channels by hand" in docs/developers.md.
//!
//! ```sh
//! cargo run --example fake_wechat -- --mente http://127.0.0.1:8080 --api-port 8082 --user 小王
//! ```

// The tests' fake of WeChat's side, whole: the tool signs, encrypts and checks replies exactly
// as the WeChat tests do. Its message builders for images and its waiting helpers go unused.
mod play;
#[allow(dead_code)]
#[path = "../../tests/it/wechat_fake.rs"]
mod wechat_fake;

use clap::Parser;
use tokio::io::AsyncBufReadExt;

/// Fake WeChat: a follower typing on stdin, the customer-service API on 127.0.0.1:API_PORT.
#[derive(Debug, Parser)]
struct Args {
    /// Where `mente web` (or `mente wechat serve`) listens; messages go to its /wechat.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    mente: String,
    /// Port of the fake customer-service API on 127.0.0.1 (mente's WECHAT_API_URL).
    #[arg(long, default_value_t = 8082)]
    api_port: u16,
    /// Safe mode (安全模式): encrypt every message; mente then needs WECHAT_AES_KEY too.
    #[arg(long)]
    safe: bool,
    /// Name of the first user typing (`/as NAME` switches).
    #[arg(long, default_value = "用户1")]
    user: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.api_port)).await?;
    let (out, mut printed) = tokio::sync::mpsc::unbounded_channel::<String>();
    let printer = tokio::spawn(async move {
        while let Some(text) = printed.recv().await {
            println!("{text}");
        }
    });
    let endpoint = format!("{}/wechat", args.mente.trim_end_matches('/'));
    let mut play = play::Play::start(endpoint.clone(), args.safe, listener, &args.user, out);
    let aes =
        if args.safe { format!(" WECHAT_AES_KEY={}", wechat_fake::AES_KEY) } else { String::new() };
    println!(
        "假微信：消息发往 {endpoint}，客服接口在 {api}\n启动 mente：WECHAT_TOKEN={token} WECHAT_APPID={appid} \
         WECHAT_APPSECRET={secret}{aes} WECHAT_API_URL={api} mente web\n\
         以 {user} 的身份输入；可先 /subscribe。/help 看说明。\n",
        api = play.api_url(),
        token = wechat_fake::TOKEN,
        appid = wechat_fake::APPID,
        secret = wechat_fake::APPSECRET,
        user = args.user,
    );
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        if play.line(&line).await == play::Next::Quit {
            break;
        }
    }
    // Whatever mente still sends within a moment is shown before leaving.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    drop(play);
    printer.abort();
    Ok(())
}
