//! `mente chat` as a user runs it: the binary, a pipe, a SQLite file — killed mid-conversation
//! and started again with the same `--user`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The repository's content plus the all-input-types test dialog, in a temporary folder.
fn content_dir(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let content = dir.join("content");
    for sub in ["dialogs", "faq", "data/regions", "data/diseases", "data/calendar", "data/sources"]
    {
        std::fs::create_dir_all(content.join(sub)).unwrap();
        for entry in std::fs::read_dir(root.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, content.join(sub).join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    std::fs::write(content.join("dialogs/t_inputs.yaml"), crate::engine::INPUTS).unwrap();
    content
}

fn mente(content: &Path, db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mente"));
    cmd.arg("--content").arg(content).arg("--db").arg(db).env("RUST_LOG", "off");
    cmd
}

#[test]
fn chat_reads_a_pipe_numbers_answer_buttons_and_a_killed_run_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let content = content_dir(dir.path());
    let db = format!("sqlite://{}/chat.sqlite", dir.path().display());

    // First run: answer with a label and a number, then get killed while waiting for input.
    let mut child = mente(&content, &db)
        .args(["chat", "--user", "grandma", "--region", "shaoyang"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all("/menu\n输入测试\n2\n65\n".as_bytes()).unwrap();
    stdin.flush().unwrap();
    // Wait until the answers are committed (the date question is the proof), then kill -9.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let state = session_state(&db);
        if state.contains("\"age\":\"65\"") {
            break;
        }
        assert!(Instant::now() < deadline, "the first run never stored the answers: {state}");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // Second run, same user: it continues at the date question.
    let out = mente(&content, &db)
        .args(["chat", "--user", "grandma"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all("2025-09-26\n".as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("欢迎回来"), "{text}");
    assert!(text.contains("哪天受理"), "{text}");
    assert!(text.contains("是否同意保存"), "the date was accepted and the next step began: {text}");
    assert!(text.contains("  1. 同意"), "buttons are numbered options: {text}");
}

#[test]
fn chat_rejects_an_unknown_region_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/chat.sqlite", dir.path().display());
    let out = Command::new(env!("CARGO_BIN_EXE_mente"))
        .args(["--db", &db, "chat", "--region", "beijing"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown region"));
}

/// The stored session of the terminal user `grandma`, read with the sqlite3-free route:
/// through mente's own store in a small runtime.
fn session_state(db: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let Ok(store) = mente::store::Store::connect(db).await else { return String::new() };
        let row: Option<(String,)> =
            sqlx::query_as("SELECT state FROM sessions WHERE user_id = 'grandma'")
                .fetch_optional(store.pool())
                .await
                .unwrap_or(None);
        store.pool().close().await;
        row.map(|r| r.0).unwrap_or_default()
    })
}
