//! The terminal channel (`mente chat`): one message per line in, replies out, buttons printed
//! as numbered options that the user answers with the number or the label.
//!
//! Generic over reader and writer so tests drive it with in-memory buffers; the clock is
//! injected. Conversation state lives in the store, so running again with the same user
//! resumes where it stopped.

use std::sync::Arc;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

use crate::assistant::Assistant;
use crate::clock::Clock;
use crate::decode::decode_line;
use crate::engine::{Choice, Input, Reply, UserKey};
use crate::service::{self, TurnRequest, TurnResult};
use crate::store::Store;

/// Channel name of terminal users in the database.
pub const CHANNEL: &str = "terminal";

/// Reads an input line as the user meant it: the number or label of an offered button
/// becomes that button press, anything else is text.
pub fn resolve_input(line: &str, offered: &[Choice]) -> Input {
    let line = line.trim();
    if let Ok(n) = line.parse::<usize>() {
        if (1..=offered.len()).contains(&n) {
            return Input::Button(offered[n - 1].data.clone());
        }
    }
    match offered.iter().find(|c| c.label == line) {
        Some(choice) => Input::Button(choice.data.clone()),
        None => Input::Text(line.to_string()),
    }
}

/// Formats replies for a terminal, numbering all buttons of the batch from 1; returns the
/// text and the buttons in that order.
pub fn format_replies(replies: &[Reply]) -> (String, Vec<Choice>) {
    let mut out = String::new();
    let mut offered = Vec::new();
    for reply in replies {
        out.push_str(reply.text.trim_end());
        out.push('\n');
        for choice in &reply.choices {
            offered.push(choice.clone());
            out.push_str(&format!("  {}. {}\n", offered.len(), choice.label));
        }
    }
    (out, offered)
}

/// Longest input line kept, in bytes; the rest of a longer line is skipped. The engine reads at
/// most [`crate::engine::MAX_INPUT_CHARS`] characters anyway, and a pipe that never sends a
/// newline must not grow memory without bound.
const MAX_LINE_BYTES: usize = 64 * 1024;

/// Reads one line into `line` (cleared first), at most [`MAX_LINE_BYTES`] of it; returns the
/// bytes consumed, 0 at end of input.
async fn read_line_capped<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
) -> std::io::Result<usize> {
    line.clear();
    let mut consumed = 0;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(consumed);
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let room = MAX_LINE_BYTES.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len();
        reader.consume(used);
        consumed += used;
        if done {
            return Ok(consumed);
        }
    }
}

/// `line` without its `\n` or `\r\n`.
fn strip_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A terminal conversation with one user.
pub struct Terminal {
    /// Database.
    pub store: Store,
    /// Content and indexes.
    pub assistant: Arc<Assistant>,
    /// Who is chatting.
    pub user: UserKey,
    /// Time source.
    pub clock: Arc<dyn Clock>,
}

impl Terminal {
    /// Runs until end of input or `exit`. `interactive` prints a prompt and a greeting hint.
    pub async fn run<R, W>(&self, reader: R, mut writer: W, interactive: bool) -> anyhow::Result<()>
    where
        R: AsyncBufRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let resumed =
            service::resume(&self.store, &self.assistant, &self.user, self.clock.now()).await?;
        let (text, mut offered) = format_replies(&resumed);
        if interactive && resumed.is_empty() {
            writer
                .write_all("门特助手：输入 /start 开始，/help 查看帮助，exit 退出。\n".as_bytes())
                .await?;
        }
        writer.write_all(text.as_bytes()).await?;
        let mut reader = reader;
        let mut raw = Vec::new();
        loop {
            if interactive {
                writer.write_all(b"> ").await?;
            }
            writer.flush().await?;
            // Bytes, not `lines()`: one non-UTF-8 line must not end the session (issue 11).
            if read_line_capped(&mut reader, &mut raw).await? == 0 {
                break;
            }
            let line = decode_line(strip_line_end(&raw));
            if let Some(repair) = line.repair {
                writer.write_all(format!("{}\n", repair.note()).as_bytes()).await?;
            }
            let trimmed = line.text.trim();
            if trimmed.is_empty() {
                continue;
            }
            if matches!(trimmed, "exit" | "quit" | "退出程序") {
                break;
            }
            let request = TurnRequest {
                user: self.user.clone(),
                update_id: None,
                input: resolve_input(trimmed, &offered),
                now: self.clock.now(),
            };
            match service::turn(&self.store, &self.assistant, request).await? {
                TurnResult::Replies(replies) => {
                    let (text, choices) = format_replies(&replies);
                    writer.write_all(text.as_bytes()).await?;
                    if !choices.is_empty() || !replies.is_empty() {
                        offered = choices;
                    }
                }
                TurnResult::Duplicate => {}
            }
        }
        writer.flush().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_endless_line_is_capped_and_the_next_line_still_read() {
        let mut input = vec![b'x'; MAX_LINE_BYTES * 3];
        input.extend_from_slice(b"\n/help\n");
        let mut reader = tokio::io::BufReader::new(&input[..]);
        let mut line = Vec::new();
        assert_eq!(read_line_capped(&mut reader, &mut line).await.unwrap(), MAX_LINE_BYTES * 3 + 1);
        assert_eq!(line.len(), MAX_LINE_BYTES);
        read_line_capped(&mut reader, &mut line).await.unwrap();
        assert_eq!(line, b"/help\n");
        assert_eq!(read_line_capped(&mut reader, &mut line).await.unwrap(), 0);
    }

    #[test]
    fn numbers_and_labels_become_buttons() {
        let offered = vec![
            Choice { label: "攀枝花".into(), data: "1|c|0".into() },
            Choice { label: "邵阳".into(), data: "1|c|1".into() },
        ];
        assert_eq!(resolve_input("2", &offered), Input::Button("1|c|1".into()));
        assert_eq!(resolve_input(" 攀枝花 ", &offered), Input::Button("1|c|0".into()));
        assert_eq!(resolve_input("3", &offered), Input::Text("3".into()));
        assert_eq!(resolve_input("起付线", &offered), Input::Text("起付线".into()));
    }
}
