//! Issue 11: the bot token never reaches the output, whatever `RUST_LOG` says and whatever a
//! wrong server sends back, and a Bot API URL that answers but not like Telegram stops
//! `mente serve` with a clear error (exit 1) after a bounded number of tries.

use std::time::{Duration, Instant};

use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;

/// A token whose secret part is easy to find in output.
const TOKEN: &str = "987654:SECRET-part_of-the-token";
const SECRET: &str = "SECRET-part_of-the-token";

/// How a wrong service answers: each echoes the request path (and so the token) where it can.
#[derive(Debug, Clone, Copy)]
enum Hostile {
    /// A web server's HTML page.
    Html,
    /// Express's 404, "Cannot POST /bot<TOKEN>/GetMe".
    EchoingNotFound,
    /// JSON, but not the Bot API's shape.
    ForeignJson,
    /// Bot-API-shaped error whose description echoes the path.
    EchoingApiError,
}

async fn answer(kind: Hostile, uri: Uri) -> axum::response::Response {
    let path = uri.path().to_string();
    match kind {
        Hostile::Html => {
            ([("content-type", "text/html")], "<html><body><h1>Welcome to nginx!</h1></body></html>")
                .into_response()
        }
        Hostile::EchoingNotFound => (
            StatusCode::NOT_FOUND,
            [("content-type", "text/html")],
            format!("<pre>Cannot POST {path}</pre>"),
        )
            .into_response(),
        Hostile::ForeignJson => {
            axum::Json(serde_json::json!({"status": "ok", "path": path})).into_response()
        }
        Hostile::EchoingApiError => (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({
                "ok": false, "error_code": 400, "description": format!("Bad Request: no route {path}")
            })),
        )
            .into_response(),
    }
}

/// Serves `kind` on 127.0.0.1 (port 0) in the background; returns its base URL.
async fn hostile_server(kind: Hostile) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = Router::new().fallback(move |uri: Uri| answer(kind, uri));
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_never_printed_and_a_wrong_service_ends_serve_with_exit_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    // One hostile service at a time (its five log levels in parallel), so that the other tests
    // running beside this one on two cores are not starved.
    for kind in
        [Hostile::Html, Hostile::EchoingNotFound, Hostile::ForeignJson, Hostile::EchoingApiError]
    {
        let url = hostile_server(kind).await;
        let mut runs = Vec::new();
        for level in ["error", "warn", "info", "debug", "trace"] {
            let db = crate::db::test_db_url(dir.path(), &format!("{kind:?}-{level}.sqlite"));
            let child = std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
                .arg("serve")
                .env("TELOXIDE_TOKEN", TOKEN)
                .env("TELEGRAM_API_URL", &url)
                .env("RUST_LOG", level)
                .env("MENTE_DB", &db)
                .env_remove("MENTE_CONTENT")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start mente serve");
            runs.push((level, child));
        }
        for (level, child) in runs {
            check_run(kind, level, &url, child).await;
        }
    }
}

/// Waits for one `mente serve` run (retries are bounded: it must end on its own) and checks
/// its output and exit code.
async fn check_run(kind: Hostile, level: &str, url: &str, mut child: std::process::Child) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().expect("status").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{kind:?} at RUST_LOG={level}: mente serve still retrying after 90 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let out = child.wait_with_output().expect("output");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!text.contains(SECRET), "{kind:?} at RUST_LOG={level} printed the token:\n{text}");
    assert_eq!(out.status.code(), Some(1), "{kind:?} at RUST_LOG={level}:\n{text}");
    let last = text.lines().rfind(|l| l.starts_with("mente: ")).unwrap_or_default();
    assert!(
        last.contains("TELEGRAM_API_URL") && last.contains(url),
        "{kind:?} at RUST_LOG={level}: the error names the setting and URL to fix: {last:?}\n{text}"
    );
}
