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
    let db = crate::db::test_db_url(dir.path(), "chat.sqlite");

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
    let db = crate::db::test_db_url(dir.path(), "chat.sqlite");
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

/// Issue 11: one non-UTF-8 line used to end the session (`invalid utf-8 sequence`, exit 1, the
/// rest of the input dropped). A GBK terminal is read as GBK; other bad bytes are dropped.
#[test]
fn gbk_and_random_bad_bytes_never_end_the_chat() {
    let dir = tempfile::tempdir().unwrap();
    let content = content_dir(dir.path());
    let db = crate::db::test_db_url(dir.path(), "chat.sqlite");
    let mut input = Vec::new();
    input.extend_from_slice("/help\n".as_bytes());
    // 起付线是多少 as a GBK terminal sends it.
    input.extend_from_slice(&[
        0xC6, 0xF0, 0xB8, 0xB6, 0xCF, 0xDF, 0xCA, 0xC7, 0xB6, 0xE0, 0xC9, 0xD9, b'\n',
    ]);
    input.extend_from_slice(b"\xff\xfe\n");
    // Random bytes (fixed-seed xorshift, so a failure can be replayed), newlines kept out.
    let mut state: u32 = 0x9E37_79B9;
    for _ in 0..20 {
        for _ in 0..16 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let byte = (state >> 24) as u8;
            input.push(if byte == b'\n' { 0xFF } else { byte });
        }
        input.push(b'\n');
    }
    input.extend_from_slice("/help\n".as_bytes());
    let out = mente(&content, &db)
        .args(["chat", "--user", "gbk", "--region", "shaoyang"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(&input)?;
            c.wait_with_output()
        })
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {stderr}\n{text}", out.status.code());
    assert!(text.contains("已按 GBK 读取"), "{text}");
    assert!(text.contains("起付线没有查到"), "the GBK question was answered: {text}");
    assert!(text.contains("无法识别的字符"), "{text}");
    assert_eq!(text.matches("指令：/menu").count(), 2, "the last line was still read: {text}");
}
