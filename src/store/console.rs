//! Storage behind the hotline console (issue 12): unanswered questions from every channel,
//! hand-offs with their question, and reminder counts for the chart.
//!
//! # What user text is kept
//! ID and phone numbers are always masked ([`crate::privacy::mask_identifiers`]).
//! - **Without consent** (refused or not asked yet) nothing linked to a user keeps free text:
//!   the hand-off question and the remembered last question hold only [`NOT_KEPT`]. The list
//!   of unanswered questions keeps a question only when it names no person
//!   ([`crate::privacy::names_a_person`]: a name after 我叫 / 叫 / 姓名, a relative word such as
//!   我妈 or 老伴 followed by a likely name, 帮 / 替 / 给 someone 问 / 办, a name at the start
//!   of a clause or before 的, an address) and holds no ID or phone number; otherwise only the
//!   fact that it was asked, as [`WITHHELD`]. A relative with only an illness
//!   (`我妈有糖尿病能办吗`) is kept: it identifies nobody.
//! - **With consent** the text is kept with names, addresses and numbers masked
//!   ([`crate::privacy::mask_personal`]).
//!
//! A name heuristic always misses some names, so the safe default does not depend on it: every
//! unanswered row, with or without consent, carries its asker as a keyed hash
//! (HMAC-SHA256 of the user key under a random key of this database, never shown to staff), and
//! `/forget` deletes the user's rows ([`forget_user`]). The console adds the rows of one
//! wording up, so staff still see how often it was asked.
//!
//! The remembered last question of a conversation is kept at most an hour, for a hand-off that
//! may follow.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::{AnyConnection, AnyPool, FromRow};

use super::StoreError;
use crate::engine::UserKey;
use crate::privacy::{has_identifiers, mask_identifiers, mask_personal, names_a_person};

/// Shown instead of an unanswered question whose text was not kept.
pub const WITHHELD: &str = "原文未保存（含个人信息）";

/// Stored instead of user-linked free text (hand-off question, remembered question) when the
/// user has not consented: staff see that there was text, the unanswered list shows what.
pub const NOT_KEPT: &str = "原文未保存（用户未同意保存）";

/// Longest question kept, in characters: enough for any real question, and a pasted document
/// is not worth keeping whole.
const MAX_CHARS: usize = 200;

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

/// The text of `text` that may be stored in the unanswered list: masked, with consent
/// names and addresses too; without consent [`WITHHELD`] when it names a person or holds a
/// number.
pub fn keepable_text(text: &str, consent: Option<bool>) -> String {
    let trimmed = text.trim();
    let kept = match consent {
        Some(true) => mask_personal(trimmed),
        _ if has_identifiers(trimmed) || names_a_person(trimmed) => return WITHHELD.to_string(),
        _ => mask_identifiers(trimmed).into_owned(),
    };
    // PostgreSQL text cannot hold NUL (SQLite can): a stray one would fail the whole turn.
    kept.chars().filter(|c| *c != '\0').take(MAX_CHARS).collect()
}

/// The text of `text` that may be stored linked to its user: with consent as
/// [`keepable_text`], without only [`NOT_KEPT`].
pub fn keepable_linked_text(text: &str, consent: Option<bool>) -> String {
    match consent {
        Some(true) => keepable_text(text, consent),
        _ => NOT_KEPT.to_string(),
    }
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

/// Records an unanswered question (one more of its asker's row), linked to `user` by a keyed
/// hash so that `/forget` deletes it whatever the text says.
pub async fn record_unanswered(
    conn: &mut AnyConnection,
    user: &UserKey,
    question: &str,
    region: Option<&str>,
    consent: Option<bool>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let row = UnansweredRow::new(question, region, consent, now);
    let asker = asker_of(conn, user).await?;
    sqlx::query(RECORD_UNANSWERED_SQL)
        .bind(row.wording)
        .bind(row.region)
        .bind(row.kept)
        .bind(&user.channel)
        .bind(row.at)
        .bind(asker)
        .execute(conn)
        .await?;
    Ok(())
}

/// What [`record_unanswered`] and [`remember_question`] write of a question, worked out
/// before any statement runs (the SQLite turn writer writes the same, `store::writer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnansweredRow {
    /// The grouping key (or [`WITHHELD`]).
    pub wording: String,
    /// The region id, `""` when unknown.
    pub region: String,
    /// The question as the privacy rules let the content team see it.
    pub kept: String,
    /// The question as kept for a hand-off that may follow ([`keepable_linked_text`]).
    pub linked: String,
    /// Unix seconds.
    pub at: i64,
}

impl UnansweredRow {
    /// The row for `question`, asked in `region` with `consent` as it stands after the turn.
    pub fn new(
        question: &str,
        region: Option<&str>,
        consent: Option<bool>,
        now: DateTime<Utc>,
    ) -> UnansweredRow {
        let kept = keepable_text(question, consent);
        let wording = if kept == WITHHELD { WITHHELD.to_string() } else { wording_key(&kept) };
        UnansweredRow {
            wording,
            region: region.unwrap_or("").to_string(),
            kept,
            linked: keepable_linked_text(question, consent),
            at: now.timestamp(),
        }
    }
}

/// Adds a question to its group ($1 wording, $2 region, $3 question, $4 channel, $5 time,
/// $6 asker), reopening a handled one.
pub(super) const RECORD_UNANSWERED_SQL: &str =
    "INSERT INTO unanswered (wording, region, question, channels, first_seen, last_seen, asker)
     VALUES ($1, $2, $3, $4, $5, $5, $6)
     ON CONFLICT (wording, region, asker) DO UPDATE SET
       count = unanswered.count + 1, last_seen = excluded.last_seen, handled_at = NULL,
       question = excluded.question,
       channels = CASE WHEN ',' || unanswered.channels || ',' LIKE '%,' || excluded.channels || ',%'
                       THEN unanswered.channels
                       ELSE unanswered.channels || ',' || excluded.channels END";

/// The key of the asker links.
pub(super) const ASKER_KEY_SQL: &str =
    "SELECT secret FROM server_keys WHERE name = 'unanswered_asker'";

/// Forgets remembered questions older than $1 (Unix seconds).
pub(super) const FORGET_OLD_QUESTIONS_SQL: &str = "DELETE FROM recent_questions WHERE at < $1";

/// Remembers $3, the question of ($1 channel, $2 user) at $4 (Unix seconds).
pub(super) const REMEMBER_QUESTION_SQL: &str =
    "INSERT INTO recent_questions (channel, user_id, question, at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (channel, user_id) DO UPDATE SET question = excluded.question, at = excluded.at";

/// Deletes every unanswered question `user` asked (/forget), with or without consent.
pub async fn forget_user(conn: &mut AnyConnection, user: &UserKey) -> Result<(), StoreError> {
    let asker = asker_of(conn, user).await?;
    // Rows recorded with consent before askers were hashed carry the user key in clear.
    let legacy = format!("clear:{}:{}", user.channel, user.user);
    sqlx::query("DELETE FROM unanswered WHERE asker IN ($1, $2)")
        .bind(asker)
        .bind(legacy)
        .execute(conn)
        .await?;
    Ok(())
}

/// The asker link of `user`: HMAC-SHA256 of the user key under this database's random key
/// (created by the migration), in hex. It lets `/forget` find the user's rows, and nothing
/// else: without the key it cannot be traced back, even for guessable ids such as Telegram's.
async fn asker_of(conn: &mut AnyConnection, user: &UserKey) -> Result<String, StoreError> {
    let key: Vec<u8> = sqlx::query_scalar(ASKER_KEY_SQL).fetch_one(conn).await?;
    asker_under(&key, user)
}

/// The asker link of `user` under `key` (see [`asker_of`]).
pub(super) fn asker_under(key: &[u8], user: &UserKey) -> Result<String, StoreError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key)
        .map_err(|e| StoreError::Corrupt(format!("unanswered asker key: {e}")))?;
    // The channel and the id separated by a byte neither contains.
    mac.update(user.channel.as_bytes());
    mac.update(b"\0");
    mac.update(user.user.as_bytes());
    Ok(mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect())
}

/// Open (not handled) groups, most asked first: the rows of one wording and region (one per
/// asker) added up. A group's id is its lowest row id; its question is the latest row's.
pub async fn open_unanswered(pool: &AnyPool) -> Result<Vec<UnansweredGroup>, StoreError> {
    // The group's question is its latest row's. SUM is cast: PostgreSQL sums BIGINT as NUMERIC.
    let mut groups: Vec<UnansweredGroup> = sqlx::query_as(
        "SELECT MIN(id) AS id,
                (SELECT q.question FROM unanswered q
                 WHERE q.wording = u.wording AND q.region = u.region AND q.handled_at IS NULL
                 ORDER BY q.last_seen DESC, q.id DESC LIMIT 1) AS question,
                region, string_agg(channels, ',') AS channels,
                CAST(SUM(count) AS BIGINT) AS count, MIN(first_seen) AS first_seen,
                MAX(last_seen) AS last_seen
         FROM unanswered u WHERE handled_at IS NULL GROUP BY wording, region
         ORDER BY count DESC, last_seen DESC LIMIT 500",
    )
    .fetch_all(pool)
    .await?;
    for g in &mut groups {
        let mut seen: Vec<&str> = Vec::new();
        for channel in g.channels.split(',') {
            if !seen.contains(&channel) {
                seen.push(channel);
            }
        }
        g.channels = seen.join(",");
    }
    Ok(groups)
}

/// Marks a group (every row of the wording and region of row `id`) handled; it reopens when
/// asked again. `false` when there is no such row.
pub async fn mark_unanswered_handled(
    pool: &AnyPool,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE unanswered SET handled_at = $1 WHERE handled_at IS NULL AND (wording, region) =
           (SELECT wording, region FROM unanswered WHERE id = $2)",
    )
    .bind(now.timestamp())
    .bind(id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// How long an unanswered question waits for a hand-off that explains it.
pub(super) const RECENT_SECONDS: i64 = 3600;

/// Remembers the question `user` was not answered, for a hand-off that may follow.
pub async fn remember_question(
    conn: &mut AnyConnection,
    user: &UserKey,
    question: &str,
    consent: Option<bool>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(FORGET_OLD_QUESTIONS_SQL)
        .bind(now.timestamp() - RECENT_SECONDS)
        .execute(&mut *conn)
        .await?;
    sqlx::query(REMEMBER_QUESTION_SQL)
        .bind(&user.channel)
        .bind(&user.user)
        .bind(keepable_linked_text(question, consent))
        .bind(now.timestamp())
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds the question to the hand-off just recorded for `user` in this turn: what they typed
/// with it (`typed`), else their unanswered question of the last hour. The remembered question
/// is used up either way.
pub async fn set_handoff_question(
    conn: &mut AnyConnection,
    user: &UserKey,
    typed: Option<&str>,
    consent: Option<bool>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let recent: Option<(String,)> = sqlx::query_as(
        "DELETE FROM recent_questions WHERE channel = $1 AND user_id = $2 AND at >= $3 RETURNING question",
    )
    .bind(&user.channel)
    .bind(&user.user)
    .bind(now.timestamp() - RECENT_SECONDS)
    .fetch_optional(&mut *conn)
    .await?;
    let question = match typed {
        Some(text) => Some(keepable_linked_text(text, consent)),
        None => recent.map(|(q,)| q),
    };
    sqlx::query(
        "UPDATE handoffs SET question = $1 WHERE id =
           (SELECT MAX(id) FROM handoffs WHERE channel = $2 AND user_id = $3)",
    )
    .bind(question)
    .bind(&user.channel)
    .bind(&user.user)
    .execute(conn)
    .await?;
    Ok(())
}

/// An open request for a person and the inbox thread it became, if it did.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenHandoff {
    /// The request.
    pub request: Handoff,
    /// The open inbox thread (`/staff/inbox/{id}`) that took the request: staff handle it
    /// there, so the list links to it instead of counting it.
    pub thread: Option<i64>,
}

/// A request row with its user, to find the thread it became.
#[derive(FromRow)]
struct RequestRow {
    id: i64,
    channel: String,
    user_id: String,
    region: Option<String>,
    created_at: String,
    question: Option<String>,
}

/// An inbox thread of a user with an open request.
#[derive(FromRow)]
struct ThreadRow {
    id: i64,
    channel: String,
    user_id: String,
    opened_at: i64,
    closed_at: Option<i64>,
}

/// Open hand-offs, newest first. A request that became an inbox thread (the user consented:
/// a thread of the same user opened at or after it, before their next request) is staff's
/// inbox work: closed there it counts as handled and is left out; still open it carries the
/// thread's id. Matched here, not in SQL: the request's time is RFC 3339 text, the thread's
/// Unix seconds.
pub async fn open_handoffs(pool: &AnyPool) -> Result<Vec<OpenHandoff>, StoreError> {
    let requests: Vec<RequestRow> = sqlx::query_as(
        "SELECT id, channel, user_id, region, created_at, question FROM handoffs
         WHERE handled_at IS NULL ORDER BY id DESC LIMIT 500",
    )
    .fetch_all(pool)
    .await?;
    let threads: Vec<ThreadRow> = sqlx::query_as(
        "SELECT t.id, t.channel, t.user_id, t.opened_at, t.closed_at FROM handoff_threads t
         WHERE EXISTS (SELECT 1 FROM handoffs h WHERE h.handled_at IS NULL
                       AND h.channel = t.channel AND h.user_id = t.user_id)",
    )
    .fetch_all(pool)
    .await?;
    let mut open = Vec::new();
    for r in &requests {
        let thread = thread_of(r, &requests, &threads);
        if thread.is_some_and(|t| t.closed_at.is_some()) {
            continue;
        }
        let request = Handoff {
            id: r.id,
            channel: r.channel.clone(),
            region: r.region.clone(),
            created_at: r.created_at.clone(),
            question: r.question.clone(),
        };
        open.push(OpenHandoff { request, thread: thread.map(|t| t.id) });
    }
    Ok(open)
}

/// The first thread of `r`'s user opened at or after `r` and before the user's next request.
fn thread_of<'a>(
    r: &RequestRow,
    requests: &[RequestRow],
    threads: &'a [ThreadRow],
) -> Option<&'a ThreadRow> {
    let same_user = |channel: &str, user: &str| channel == r.channel && user == r.user_id;
    let at = unix_seconds(&r.created_at)?;
    let next = requests
        .iter()
        .filter(|o| same_user(&o.channel, &o.user_id) && o.id > r.id)
        .filter_map(|o| unix_seconds(&o.created_at))
        .min();
    threads
        .iter()
        .filter(|t| same_user(&t.channel, &t.user_id) && t.opened_at >= at)
        .filter(|t| !matches!(next, Some(n) if t.opened_at >= n))
        .min_by_key(|t| t.opened_at)
}

fn unix_seconds(rfc3339: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(rfc3339).ok().map(|t| t.timestamp())
}

/// How many hand-offs wait for staff (a metric: the hand-off queue): the requests the console's
/// hand-off page lists as not handled, so a request whose inbox thread was closed no longer
/// counts ([`open_handoffs`]; the count stops at its 500 rows).
pub async fn open_handoff_count(pool: &AnyPool) -> Result<i64, StoreError> {
    let open = open_handoffs(pool).await?;
    Ok(i64::try_from(open.len()).unwrap_or(i64::MAX))
}

/// Marks a hand-off handled. `false` when there is no such hand-off.
pub async fn mark_handoff_handled(
    pool: &AnyPool,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE handoffs SET handled_at = $1 WHERE id = $2")
        .bind(now.to_rfc3339())
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Due times (Unix seconds) of reminders still waiting, from `from` up to `until`.
pub async fn waiting_due_times(
    pool: &AnyPool,
    from: i64,
    until: i64,
) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT due_at FROM reminders WHERE state = 'pending' AND due_at >= $1 AND due_at < $2",
    )
    .bind(from)
    .bind(until)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(t,)| t).collect())
}

/// Sent / waiting / failed reminder counts over all time.
pub async fn reminder_counts(pool: &AnyPool) -> Result<ReminderCounts, StoreError> {
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
            sqlx::query_scalar("SELECT id FROM reminders WHERE id = $1 AND state = 'sent'")
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
        assert_eq!(keepable_text(personal, Some(true)), "我叫张*，电话138******78，尿毒症能报吗");
    }

    #[test]
    fn without_consent_a_named_relative_is_withheld_and_a_nameless_one_kept() {
        let named = "我妈刘淑芬心脏不好 住院花了好多钱 咋个弄";
        assert_eq!(keepable_text(named, None), WITHHELD);
        assert_eq!(keepable_text("张桂兰 510402 19500101 1234 能办吗", None), WITHHELD);
        assert_eq!(keepable_text("我妈有糖尿病能办吗", Some(false)), "我妈有糖尿病能办吗");
        assert_eq!(keepable_text(named, Some(true)), "我妈刘**心脏不好 住院花了好多钱 咋个弄");
    }

    #[test]
    fn text_linked_to_a_user_is_kept_only_with_consent() {
        for consent in [None, Some(false)] {
            assert_eq!(keepable_linked_text("门特的药可以快递到家吗", consent), NOT_KEPT);
            assert_eq!(keepable_linked_text("转人工 我妈刘淑芬有尿毒症", consent), NOT_KEPT);
        }
        assert_eq!(
            keepable_linked_text("转人工 我妈刘淑芬有尿毒症", Some(true)),
            "转人工 我妈刘**有尿毒症"
        );
    }

    #[test]
    fn the_same_question_typed_differently_groups_together() {
        assert_eq!(wording_key("透析 能报吗？"), wording_key("透析能报"));
        assert_ne!(wording_key("透析能报"), wording_key("化疗能报"));
    }
}
