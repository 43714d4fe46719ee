//! Storage behind the hotline console (issue 12): unanswered questions from every channel,
//! hand-offs with their question, and reminder counts for the chart.
//!
//! # What user text is kept
//! Unanswered questions and hand-off questions are never linked to a user id, and ID and phone
//! numbers are always masked ([`crate::privacy::mask_identifiers`]). A question about the benefit
//! is not personal once masked, so it is kept — unless the user has not consented to storage and
//! the message introduces a person (a name, an address, an ID or phone number): then only the
//! fact that such a question was asked is kept, as [`WITHHELD`]. With consent the masked text
//! is kept. See [`keepable_text`]. The one user-linked copy is the last unanswered question of a
//! conversation, kept at most an hour for a hand-off that may follow (and erased by /forget).

use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteConnection, SqlitePool};

use super::StoreError;
use crate::engine::UserKey;
use crate::privacy::{has_identifiers, mask_identifiers};

/// Shown instead of a question whose text was not kept.
pub const WITHHELD: &str = "（原文未保存：含个人信息，用户未同意保存）";

/// Longest question kept, in characters: enough for any real question, and a pasted document
/// is not worth keeping whole.
const MAX_CHARS: usize = 200;

/// Words with which people introduce themselves or someone else; without consent a message
/// containing one is not kept.
const INTRODUCES_A_PERSON: &[&str] =
    &["我叫", "我是", "他叫", "她叫", "名字", "姓名", "住在", "住址", "地址", "家住", "本人"];

/// One group of unanswered questions (same wording and region).
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct UnansweredGroup {
    /// Row id (for "mark handled").
    pub id: i64,
    /// The masked question (or [`WITHHELD`]).
    pub question: String,
    /// Region id, empty when the region was not known.
    pub region: String,
    /// Channels it came from, comma-separated.
    pub channels: String,
    /// How often it was asked.
    pub count: i64,
    /// First time (Unix seconds).
    pub first_seen: i64,
    /// Last time (Unix seconds).
    pub last_seen: i64,
}

/// One request for a person.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Handoff {
    /// Row id.
    pub id: i64,
    /// Channel (telegram, web, terminal …).
    pub channel: String,
    /// Region id, if known.
    pub region: Option<String>,
    /// When (RFC 3339).
    pub created_at: String,
    /// What the user wrote, masked; `None` for a button or a bare 人工.
    pub question: Option<String>,
}

/// Reminder delivery counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderCounts {
    /// Delivered.
    pub sent: i64,
    /// Handed to a channel that cannot write first (the web page) and waiting for the user's
    /// next visit: not "sent" until they have seen it.
    pub parked: i64,
    /// Planned, not yet sent.
    pub waiting: i64,
    /// Given up on (the user blocked the bot, or delivery failed for good).
    pub failed: i64,
}

/// The text of `text` that may be stored, masked; [`WITHHELD`] when it may not.
pub fn keepable_text(text: &str, consent: Option<bool>) -> String {
    let trimmed = text.trim();
    let personal =
        has_identifiers(trimmed) || INTRODUCES_A_PERSON.iter().any(|w| trimmed.contains(w));
    if personal && consent != Some(true) {
        return WITHHELD.to_string();
    }
    mask_identifiers(trimmed).chars().take(MAX_CHARS).collect()
}

/// The grouping key: the same question typed with other spacing, punctuation, width or a
/// trailing 吗/呢 lands in the same group.
pub fn wording_key(question: &str) -> String {
    crate::engine::input::normalize(question)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() && !"吗呢啊吧呀哦嘛的了".contains(*c))
        .collect()
}

/// Records an unanswered question (one more of its group).
pub async fn record_unanswered(
    conn: &mut SqliteConnection,
    channel: &str,
    question: &str,
    region: Option<&str>,
    consent: Option<bool>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let kept = keepable_text(question, consent);
    let wording = if kept == WITHHELD { WITHHELD.to_string() } else { wording_key(&kept) };
    let at = now.timestamp();
    sqlx::query(
        "INSERT INTO unanswered (wording, region, question, channels, first_seen, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT (wording, region) DO UPDATE SET
           count = count + 1, last_seen = excluded.last_seen, handled_at = NULL,
           channels = CASE WHEN instr(',' || channels || ',', ',' || excluded.channels || ',') > 0
                           THEN channels ELSE channels || ',' || excluded.channels END",
    )
    .bind(wording)
    .bind(region.unwrap_or(""))
    .bind(kept)
    .bind(channel)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Open (not handled) groups, most asked first.
pub async fn open_unanswered(pool: &SqlitePool) -> Result<Vec<UnansweredGroup>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, question, region, channels, count, first_seen, last_seen FROM unanswered
         WHERE handled_at IS NULL ORDER BY count DESC, last_seen DESC LIMIT 500",
    )
    .fetch_all(pool)
    .await?)
}

/// Marks a group handled; it reopens when asked again. `false` when there is no such group.
pub async fn mark_unanswered_handled(
    pool: &SqlitePool,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE unanswered SET handled_at = ? WHERE id = ?")
        .bind(now.timestamp())
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// How long an unanswered question waits for a hand-off that explains it.
const RECENT_SECONDS: i64 = 3600;

/// Remembers the question `user` was not answered, for a hand-off that may follow.
pub async fn remember_question(
    conn: &mut SqliteConnection,
    user: &UserKey,
    question: &str,
    consent: Option<bool>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM recent_questions WHERE at < ?")
        .bind(now.timestamp() - RECENT_SECONDS)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO recent_questions (channel, user_id, question, at) VALUES (?, ?, ?, ?)
         ON CONFLICT (channel, user_id) DO UPDATE SET question = excluded.question, at = excluded.at",
    )
    .bind(&user.channel)
    .bind(&user.user)
    .bind(keepable_text(question, consent))
    .bind(now.timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds the question to the hand-off just recorded for `user` in this turn: what they typed
/// with it (`typed`), else their unanswered question of the last hour. The remembered question
/// is used up either way.
pub async fn set_handoff_question(
    conn: &mut SqliteConnection,
    user: &UserKey,
    typed: Option<&str>,
    consent: Option<bool>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let recent: Option<(String,)> = sqlx::query_as(
        "DELETE FROM recent_questions WHERE channel = ? AND user_id = ? AND at >= ? RETURNING question",
    )
    .bind(&user.channel)
    .bind(&user.user)
    .bind(now.timestamp() - RECENT_SECONDS)
    .fetch_optional(&mut *conn)
    .await?;
    let question = match typed {
        Some(text) => Some(keepable_text(text, consent)),
        None => recent.map(|(q,)| q),
    };
    sqlx::query(
        "UPDATE handoffs SET question = ? WHERE id =
           (SELECT MAX(id) FROM handoffs WHERE channel = ? AND user_id = ?)",
    )
    .bind(question)
    .bind(&user.channel)
    .bind(&user.user)
    .execute(conn)
    .await?;
    Ok(())
}

/// Open hand-offs, newest first.
pub async fn open_handoffs(pool: &SqlitePool) -> Result<Vec<Handoff>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, channel, region, created_at, question FROM handoffs
         WHERE handled_at IS NULL ORDER BY id DESC LIMIT 500",
    )
    .fetch_all(pool)
    .await?)
}

/// Marks a hand-off handled. `false` when there is no such hand-off.
pub async fn mark_handoff_handled(
    pool: &SqlitePool,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE handoffs SET handled_at = ? WHERE id = ?")
        .bind(now.to_rfc3339())
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Due times (Unix seconds) of reminders still waiting, from `from` up to `until`.
pub async fn waiting_due_times(
    pool: &SqlitePool,
    from: i64,
    until: i64,
) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT due_at FROM reminders WHERE state = 'pending' AND due_at >= ? AND due_at < ?",
    )
    .bind(from)
    .bind(until)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(t,)| t).collect())
}

/// Sent / waiting / failed reminder counts over all time.
pub async fn reminder_counts(pool: &SqlitePool) -> Result<ReminderCounts, StoreError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM reminders GROUP BY state")
            .fetch_all(pool)
            .await?;
    let mut counts = ReminderCounts::default();
    for (state, n) in rows {
        match state.as_str() {
            "sent" => counts.sent += n,
            "pending" => counts.waiting += n,
            "dropped" => counts.failed += n,
            _ => {} // switched off by the user: neither waiting nor failed
        }
    }
    // A parked reminder is marked sent by the worker; until the user has seen it, it counts
    // as parked. Only ids whose reminder still exists and is sent are moved over.
    for id in super::outbox::parked_reminder_ids(pool).await? {
        let sent: Option<i64> =
            sqlx::query_scalar("SELECT id FROM reminders WHERE id = ? AND state = 'sent'")
                .bind(id)
                .fetch_optional(pool)
                .await?;
        if sent.is_some() {
            counts.sent -= 1;
            counts.parked += 1;
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_benefit_question_is_kept_masked_and_a_personal_one_only_with_consent() {
        assert_eq!(keepable_text(" 透析能报多少 ", None), "透析能报多少");
        let personal = "我叫张三，电话13812345678，尿毒症能报吗";
        assert_eq!(keepable_text(personal, None), WITHHELD);
        assert_eq!(keepable_text(personal, Some(false)), WITHHELD);
        let kept = keepable_text(personal, Some(true));
        assert!(kept.starts_with("我叫张三") && !kept.contains("13812345678"), "{kept}");
    }

    #[test]
    fn the_same_question_typed_differently_groups_together() {
        assert_eq!(wording_key("透析 能报吗？"), wording_key("透析能报"));
        assert_ne!(wording_key("透析能报"), wording_key("化疗能报"));
    }
}
