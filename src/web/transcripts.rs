//! What the chat page shows of each conversation: its last messages, held in this process's
//! memory only and bounded in bytes (issue 16: 25,200 conversations of one 14 KB message each
//! once took 376 MB that were never freed).
//!
//! Why memory and not the database: a transcript is the user's own words, and without consent
//! nothing personal may be stored; it is only a display aid. What must survive — where the user
//! is in a dialog, and with consent their applications — is in the database like on every
//! channel, so a conversation whose transcript is gone (evicted here, a restart, or a request
//! served by another instance) shows its current question again, or the main menu
//! (`service::resume_page`), and goes on.
//!
//! Bounds: [`KEEP_MESSAGES`] messages and at most [`MAX_CONVERSATION_BYTES`] per conversation,
//! forgotten after [`IDLE_HOURS`] idle, and all of them together within the budget given to
//! [`Transcripts::new`]; beyond it the least recently active conversations are dropped first.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::engine::{Choice, Reply};

/// Messages shown (user and assistant together).
pub const KEEP_MESSAGES: usize = 40;

/// A transcript idle this long is forgotten.
pub const IDLE_HOURS: i64 = 6;

/// One conversation's transcript at most, in counted bytes (see [`Transcripts::used_bytes`]):
/// the 40 messages of a long dialog take a few kilobytes; a pasted essay does not get more.
pub const MAX_CONVERSATION_BYTES: usize = 64 * 1024;

/// Default budget of all transcripts: about a thousand long conversations or tens of thousands
/// of ordinary ones, a small part of a small server's memory.
pub const DEFAULT_BUDGET_BYTES: usize = 64 * 1024 * 1024;

/// Counted per conversation besides its text: its id, map and order entries, the deque.
const CONVERSATION_OVERHEAD: usize = 256;
/// Counted per message or button besides its text (a `String` and flags).
const ITEM_OVERHEAD: usize = 48;

/// What one conversation shows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Transcript {
    pub(crate) messages: VecDeque<Message>,
    /// Buttons of the latest turn (only those are offered; older ones would be stale).
    pub(crate) choices: Vec<Choice>,
    /// Index of the latest turn's first message: the page opens there, so a long answer is
    /// read from its beginning rather than its end.
    pub(crate) latest: usize,
    at: Option<DateTime<Utc>>,
}

/// One message of a transcript.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) mine: bool,
    /// A parked reminder, not an answer: shown apart, and it does not count as a conversation.
    pub(crate) reminder: bool,
    pub(crate) text: String,
}

/// In-memory transcripts by conversation id, within a byte budget.
#[derive(Debug)]
pub struct Transcripts {
    budget: usize,
    inner: Mutex<Lru>,
}

/// The transcripts and their order of last activity (oldest first).
#[derive(Debug, Default)]
struct Lru {
    by_id: HashMap<String, Entry>,
    order: BTreeMap<u64, String>,
    next: u64,
    used: usize,
}

#[derive(Debug)]
struct Entry {
    transcript: Transcript,
    /// Key in `order`.
    tick: u64,
    /// Counted size, included in `used`.
    bytes: usize,
}

impl Default for Transcripts {
    fn default() -> Self {
        Transcripts::new(DEFAULT_BUDGET_BYTES)
    }
}

impl Transcripts {
    /// An empty store that keeps all transcripts within `budget` bytes.
    pub fn new(budget: usize) -> Self {
        Transcripts { budget, inner: Mutex::new(Lru::default()) }
    }

    /// The byte budget.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Bytes counted now: every kept message's and button's text plus a fixed allowance per
    /// message, button and conversation (the real heap use is of the same order).
    pub fn used_bytes(&self) -> usize {
        self.lock().used
    }

    /// Conversations with a transcript in memory.
    pub fn conversations(&self) -> usize {
        self.lock().by_id.len()
    }

    /// The transcript of `id` (empty if unknown, evicted or idle too long).
    pub(crate) fn get(&self, id: &str, now: DateTime<Utc>) -> Transcript {
        let lru = self.lock();
        match lru.by_id.get(id) {
            Some(e) if !idle(&e.transcript, now) => e.transcript.clone(),
            _ => Transcript::default(),
        }
    }

    /// The label of the button with `data` last offered to `id`, without copying the
    /// transcript (every button press asks).
    pub(crate) fn label_of(&self, id: &str, data: &str, now: DateTime<Utc>) -> Option<String> {
        let lru = self.lock();
        let transcript = &lru.by_id.get(id).filter(|e| !idle(&e.transcript, now))?.transcript;
        transcript.choices.iter().find(|c| c.data == data).map(|c| c.label.clone())
    }

    /// Adds a turn: what the user said (if shown) and the replies, whose buttons become the
    /// ones offered. `forget` starts the transcript afresh (after `/forget`).
    pub(crate) fn record(
        &self,
        id: &str,
        said: Option<String>,
        replies: &[Reply],
        forget: bool,
        now: DateTime<Utc>,
    ) {
        self.update(id, now, |t| {
            if forget {
                *t = Transcript::default();
            }
            let first = t.messages.len();
            if let (Some(text), false) = (said, forget) {
                t.messages.push_back(Message { mine: true, reminder: false, text });
            }
            for reply in replies {
                t.messages.push_back(Message {
                    mine: false,
                    reminder: false,
                    text: reply.text.clone(),
                });
            }
            t.latest = first;
            t.choices = replies.iter().flat_map(|r| r.choices.iter().cloned()).collect();
        });
    }

    /// Adds messages the user did not ask for (parked reminders) after the conversation,
    /// keeping the buttons of the latest turn: the question they were answering still stands.
    pub(crate) fn notify(&self, id: &str, messages: &[Reply], now: DateTime<Utc>) {
        self.append(id, messages, true, now);
    }

    /// Adds messages that arrived from elsewhere (a staff reply of a hand-off, issue 18) after
    /// the conversation, keeping the buttons of the latest turn. `reminder` marks parked
    /// reminders (see [`Message::reminder`]).
    pub(crate) fn append(&self, id: &str, messages: &[Reply], reminder: bool, now: DateTime<Utc>) {
        self.update(id, now, |t| {
            t.latest = t.messages.len();
            for reply in messages {
                t.messages.push_back(Message { mine: false, reminder, text: reply.text.clone() });
            }
        });
    }

    /// Applies `change` to `id`'s transcript (fresh if idle), trims it to its bounds, marks it
    /// the most recent, and evicts idle and then least recent ones beyond the budget.
    fn update(&self, id: &str, now: DateTime<Utc>, change: impl FnOnce(&mut Transcript)) {
        let per_conversation = MAX_CONVERSATION_BYTES.min(self.budget);
        let mut lru = self.lock();
        let lru = &mut *lru;
        let tick = lru.next;
        lru.next += 1;
        let (mut transcript, old_bytes) = match lru.by_id.remove(id) {
            Some(e) => {
                lru.order.remove(&e.tick);
                (e.transcript, e.bytes)
            }
            None => (Transcript::default(), 0),
        };
        lru.used -= old_bytes;
        if idle(&transcript, now) {
            transcript = Transcript::default();
        }
        change(&mut transcript);
        transcript.at = Some(now);
        let bytes = trim(&mut transcript, id, per_conversation);
        lru.used += bytes;
        lru.order.insert(tick, id.to_string());
        lru.by_id.insert(id.to_string(), Entry { transcript, tick, bytes });
        lru.evict(self.budget, now);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Lru {
    /// Drops conversations idle too long, then the least recently active while over `budget`;
    /// the most recent one stays (it fits: one conversation is bounded below the budget).
    fn evict(&mut self, budget: usize, now: DateTime<Utc>) {
        while let Some((tick, id)) = self.order.first_key_value().map(|(t, id)| (*t, id.clone())) {
            let expired = self.by_id.get(&id).map_or(true, |e| idle(&e.transcript, now));
            if !(expired || self.used > budget) || self.order.len() == 1 {
                break;
            }
            self.order.remove(&tick);
            if let Some(e) = self.by_id.remove(&id) {
                self.used -= e.bytes;
            }
        }
    }
}

fn idle(t: &Transcript, now: DateTime<Utc>) -> bool {
    t.at.is_some_and(|at| now - at >= Duration::hours(IDLE_HOURS))
}

/// Drops the oldest messages beyond [`KEEP_MESSAGES`] or `max_bytes` (the latest message always
/// stays) and returns the counted size.
fn trim(t: &mut Transcript, id: &str, max_bytes: usize) -> usize {
    let fixed = CONVERSATION_OVERHEAD
        + id.len()
        + t.choices.iter().map(|c| ITEM_OVERHEAD + c.label.len() + c.data.len()).sum::<usize>();
    let message = |m: &Message| ITEM_OVERHEAD + m.text.len();
    let mut bytes = fixed + t.messages.iter().map(message).sum::<usize>();
    while t.messages.len() > 1 && (t.messages.len() > KEEP_MESSAGES || bytes > max_bytes) {
        if let Some(old) = t.messages.pop_front() {
            bytes -= message(&old);
        }
        t.latest = t.latest.saturating_sub(1);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z").unwrap().to_utc()
            + Duration::minutes(minutes)
    }

    fn reply(text: &str) -> Reply {
        Reply { text: text.into(), choices: vec![] }
    }

    #[test]
    fn the_transcript_keeps_the_latest_messages_and_forget_clears_it() {
        let transcripts = Transcripts::default();
        let now = at(0);
        for i in 0..KEEP_MESSAGES {
            transcripts.record("a", Some(format!("问{i}")), &[reply("答")], false, now);
        }
        let t = transcripts.get("a", now);
        assert_eq!(t.messages.len(), KEEP_MESSAGES);
        assert_eq!(t.messages.back().unwrap().text, "答");
        transcripts.record("a", Some("/forget".into()), &[reply("答")], true, now);
        assert_eq!(transcripts.get("a", now).messages.len(), 1, "only the reply to /forget stays");
        assert!(transcripts.get("a", now + Duration::hours(IDLE_HOURS)).messages.is_empty());
    }

    #[test]
    fn beyond_the_budget_the_least_recently_active_conversations_go_first() {
        let transcripts = Transcripts::new(20_000);
        let long = "字".repeat(2000); // 6 000 bytes
        for (minute, id) in ["a", "b", "c"].iter().enumerate() {
            transcripts.record(id, Some(long.clone()), &[reply("答")], false, at(minute as i64));
        }
        // "a" talks again, so "b" is now the least recent.
        transcripts.record("a", Some("还有".into()), &[reply("答")], false, at(3));
        transcripts.record("d", Some(long.clone()), &[reply("答")], false, at(4));
        assert!(transcripts.used_bytes() <= transcripts.budget());
        assert!(transcripts.get("b", at(4)).messages.is_empty(), "the least recent is dropped");
        for id in ["a", "c", "d"] {
            assert!(!transcripts.get(id, at(4)).messages.is_empty(), "{id} is kept");
        }
    }

    #[test]
    fn one_conversation_is_trimmed_to_its_own_bound_and_idle_ones_are_freed() {
        let transcripts = Transcripts::default();
        let long = "x".repeat(MAX_CONVERSATION_BYTES / 3);
        for _ in 0..5 {
            transcripts.record("a", Some(long.clone()), &[reply("答")], false, at(0));
        }
        assert!(transcripts.used_bytes() <= MAX_CONVERSATION_BYTES);
        assert_eq!(transcripts.get("a", at(0)).messages.back().unwrap().text, "答");
        transcripts.record("b", Some("你好".into()), &[reply("答")], false, at(60 * IDLE_HOURS));
        assert_eq!(transcripts.conversations(), 1, "the idle one is freed, not just hidden");
    }
}
