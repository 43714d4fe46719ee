//! Conversation transcripts (`tests/transcripts/*.txt`) replayed through the real service:
//! engine, content from the repository and a fresh SQLite file per transcript.
//!
//! Format, one directive per line:
//! - `> text`  the user sends `text` (a number or a label answers a button of the last replies);
//! - `< text`  `text` must appear in the replies to the last user line (or to a resume);
//! - `<! text` `text` must NOT appear there;
//! - `@user ID`, `@now RFC3339` (the clock; default 2026-03-02T10:00:00+08:00);
//! - `@restart` reopens the database as a restarted process would and shows the resume message;
//! - `#` comments and blank lines are ignored.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use mente::assistant::Assistant;
use mente::engine::{Choice, UserKey};
use mente::service::{self, TurnRequest, TurnResult};
use mente::store::Store;
use mente::terminal::{format_replies, resolve_input};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn transcripts() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/transcripts"))
        .expect("tests/transcripts exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}

struct Replay {
    store: Store,
    db_url: String,
    assistant: Arc<Assistant>,
    user: UserKey,
    now: DateTime<Utc>,
    offered: Vec<Choice>,
    last: String,
    log: String,
}

impl Replay {
    async fn user_says(&mut self, text: &str) {
        let request = TurnRequest {
            user: self.user.clone(),
            update_id: None,
            input: resolve_input(text, &self.offered),
            now: self.now,
        };
        let result = service::turn(&self.store, &self.assistant, request).await.expect("turn");
        let TurnResult::Replies(replies) = result else {
            panic!("terminal turns are never duplicates")
        };
        let (out, offered) = format_replies(&replies);
        if !replies.is_empty() {
            self.offered = offered;
        }
        self.log.push_str(&format!("> {text}\n{out}"));
        self.last = out;
    }

    async fn restart(&mut self) {
        self.store.pool().close().await;
        self.store = Store::connect(&self.db_url).await.expect("reconnect");
        let replies = service::resume(&self.store, &self.assistant, &self.user, self.now)
            .await
            .expect("resume");
        let (out, offered) = format_replies(&replies);
        self.offered = offered;
        self.log.push_str(&format!("@restart\n{out}"));
        self.last = out;
    }
}

async fn replay(path: &Path, assistant: Arc<Assistant>) -> Vec<String> {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let dir = tempfile::tempdir().unwrap();
    let db_url = crate::db::test_db_url(dir.path(), "t.sqlite");
    let store = Store::connect(&db_url).await.expect("database");
    let mut r = Replay {
        store,
        db_url,
        assistant,
        user: UserKey::new("terminal", name.trim_end_matches(".txt")),
        now: "2026-03-02T10:00:00+08:00".parse().unwrap(),
        offered: Vec::new(),
        last: String::new(),
        log: String::new(),
    };
    let mut problems = Vec::new();
    let text = std::fs::read_to_string(path).unwrap();
    for (i, line) in text.lines().enumerate() {
        let at = format!("{name}:{}", i + 1);
        let line = line.trim_end();
        if let Some(t) = line.strip_prefix("> ") {
            r.user_says(t.trim()).await;
        } else if let Some(t) = line.strip_prefix("<! ") {
            if r.last.contains(t.trim()) {
                problems.push(format!(
                    "{at}: must not contain {:?}\n--- replies:\n{}",
                    t.trim(),
                    r.last
                ));
            }
        } else if let Some(t) = line.strip_prefix("< ") {
            if !r.last.contains(t.trim()) {
                problems.push(format!("{at}: expected {:?}\n--- replies:\n{}", t.trim(), r.last));
            }
        } else if let Some(id) = line.strip_prefix("@user ") {
            r.user = UserKey::new("terminal", id.trim());
        } else if let Some(ts) = line.strip_prefix("@now ") {
            r.now = ts.trim().parse().unwrap_or_else(|e| panic!("{at}: bad @now: {e}"));
        } else if line == "@restart" {
            r.restart().await;
        } else if !(line.is_empty() || line.starts_with('#')) {
            panic!("{at}: unknown transcript line {line:?}");
        }
    }
    if !problems.is_empty() {
        problems.push(format!("--- whole conversation of {name}:\n{}", r.log));
    }
    problems
}

#[tokio::test]
async fn transcripts_replay() {
    let assistant = Arc::new(Assistant::load(&root()).expect("repository content is valid"));
    let files = transcripts();
    assert!(!files.is_empty(), "no transcripts under tests/transcripts");
    let mut problems = Vec::new();
    for file in &files {
        problems.extend(replay(file, assistant.clone()).await);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Every dialog a user can pick from the menu has a transcript for every region
/// (`<dialog>_<region>.txt`), so no shipped dialog goes untested in either region.
#[test]
fn every_menu_dialog_has_a_transcript_per_region() {
    let assistant = Assistant::load(&root()).expect("repository content is valid");
    let names: Vec<String> = transcripts()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
        .collect();
    let mut missing = Vec::new();
    for dialog in assistant.content.dialogs.trees.values().filter(|d| d.menu.is_some()) {
        for region in assistant.content.regions.keys() {
            let want = format!("{}_{}", dialog.id, region);
            if !names.iter().any(|n| n.starts_with(&want)) {
                missing.push(want);
            }
        }
    }
    assert!(missing.is_empty(), "transcripts missing: {missing:?}");
}
