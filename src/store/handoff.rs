//! Live hand-offs (issue 18): a conversation a user handed to staff with their consent, the
//! messages of both sides, the claim that keeps two staff from answering one person, and the
//! delivery state of every message to the user.
//!
//! Everything is in the database, nothing in process memory: several instances (the chat page,
//! the console, the Telegram bot, WeChat) share one database and each sees the same hand-offs.
//!
//! # Rules
//! - At most one open hand-off per user (a partial unique index).
//! - A claim is one conditional `UPDATE … WHERE claimed_by IS NULL`: of two staff pressing
//!   我来处理 at once exactly one wins. Only the claimer replies.
//! - User text is kept masked ([`crate::privacy::mask_personal`], as the console's other
//!   user-linked text with consent): the user agreed to share the conversation, not their ID.
//! - Messages to the user (`staff`, `bot`) stay undelivered until their channel took them:
//!   the chat page takes them in one `UPDATE … RETURNING` ([`take_for`]); the bot channels
//!   lease them ([`lease_outgoing`]) and mark them delivered ([`mark_delivered`]).
//! - `/forget` deletes the user's hand-offs with every message ([`forget_user`]).

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, AnyPool, FromRow};

use super::{Store, StoreError};
use crate::engine::{HandoffView, UserKey};
use crate::privacy::mask_personal;

/// Longest message kept, in characters (the chat page accepts 2 000).
const MAX_CHARS: usize = 2000;

/// Who wrote a message of a hand-off.
pub mod sender {
    /// The user, during the hand-off.
    pub const USER: &str = "user";
    /// A member of staff (the row names them).
    pub const STAFF: &str = "staff";
    /// The assistant's notices to the user (closed, back).
    pub const BOT: &str = "bot";
    /// The user, in the conversation before the hand-off.
    pub const LEAD_USER: &str = "lead_user";
    /// The assistant, in the conversation before the hand-off.
    pub const LEAD_BOT: &str = "lead_bot";
    /// An audit event (claimed, closed), with the staff member who did it.
    pub const EVENT: &str = "event";
}

/// One hand-off as the console lists it.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Thread {
    /// Id.
    pub id: i64,
    /// Channel of the user (web, telegram, wechat).
    pub channel: String,
    /// Region id, when known.
    pub region: Option<String>,
    /// 1 when staff were on duty when it opened (else a question left off duty); an integer
    /// because SQLite has no boolean and both backends must decode the same type: see
    /// [`Thread::live`].
    #[sqlx(rename = "live")]
    pub live_flag: i64,
    /// Opened (Unix seconds).
    pub opened_at: i64,
    /// Since when the user waits for an answer (Unix seconds); `None`: answered.
    pub waiting_since: Option<i64>,
    /// Who claimed it.
    pub claimed_by: Option<String>,
    /// When it was closed; `None` while open.
    pub closed_at: Option<i64>,
    /// The user's last message (the console shows its start).
    pub last_text: Option<String>,
}

impl Thread {
    /// Staff were on duty when it opened (else a question left off duty).
    pub fn live(&self) -> bool {
        self.live_flag != 0
    }
}

/// One message of a hand-off.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Message {
    /// Id.
    pub id: i64,
    /// See [`sender`].
    pub sender: String,
    /// The member of staff, for `staff` and `event` rows.
    pub staff: Option<String>,
    /// What was said (masked user text), or the event.
    pub body: String,
    /// When (Unix seconds).
    pub at: i64,
    /// When the user's channel delivered it (messages to the user).
    pub delivered_at: Option<i64>,
}

/// A message on its way to a user of a channel that sends ([`lease_outgoing`]).
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Outgoing {
    /// Message id, for [`mark_delivered`].
    pub id: i64,
    /// The user's id on the channel.
    pub user_id: String,
    /// See [`sender`] (`staff` or `bot`).
    pub sender: String,
    /// The text.
    pub body: String,
}

/// What a claim did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This member of staff has it now.
    Claimed,
    /// Someone had it already (perhaps this member of staff).
    Taken(String),
    /// Closed, or no such hand-off.
    Gone,
}

/// User text as a hand-off keeps it: masked, at most 2 000 characters.
pub fn kept(text: &str) -> String {
    mask_personal(text.trim()).chars().take(MAX_CHARS).collect()
}

/// [`kept`], except that the regions' official hotlines (`official`, from
/// `data/regions/*.yaml`) stay readable: the assistant's own 攀枝花医保服务热线 0812-3323000 is
/// no personal number, and staff must see which number the user was given. The text between
/// them is masked piece by piece; a hotline inside a longer digit run is no hotline.
pub fn kept_except(text: &str, official: &[String]) -> String {
    let text = text.trim();
    let found = official
        .iter()
        .filter(|h| !h.is_empty())
        .flat_map(|h| text.match_indices(h.as_str()))
        .filter(|(at, h)| standalone(text, *at, at + h.len()))
        .min_by_key(|(at, _)| *at);
    let masked = match found {
        Some((at, hotline)) => format!(
            "{}{hotline}{}",
            mask_personal(&text[..at]),
            kept_except(&text[at + hotline.len()..], official)
        ),
        None => mask_personal(text),
    };
    masked.chars().take(MAX_CHARS).collect()
}

/// Whether `text[start..end]` has no digit right before or after it.
fn standalone(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
}

// ---- the turn's side (inside its transaction) ----

/// What a turn reads about hand-offs (`TURN_VIEW_COLUMNS`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TurnView {
    /// The user's open hand-off.
    pub open: Option<HandoffView>,
    /// When something was last said in it (Unix seconds), for the idle close.
    pub active_at: Option<i64>,
    /// Staff had a console page open since the given time.
    pub present: bool,
}

/// The columns of [`TurnView`] for a turn's read (`sessions::load_turn_state`), which takes them
/// in the same statement as the session: $1 channel, $2 user id, $3 `present_since` (Unix
/// seconds: staff had a console page open since then). Integers, not booleans: SQLite has
/// none, and both backends must decode the same types. Goes with [`TURN_VIEW_FROM`].
pub(crate) const TURN_VIEW_COLUMNS: &str = "t.live, t.active_at,
        (SELECT COUNT(*) FROM handoff_messages m WHERE m.thread_id = t.id AND m.sender = 'user'),
        CASE WHEN EXISTS (SELECT 1 FROM staff_sessions WHERE seen_at >= $3) THEN 1 ELSE 0 END";

/// The `FROM` of a statement with [`TURN_VIEW_COLUMNS`]: always one row, `t` the user's open
/// thread if any (at most one: `handoff_threads_open` is unique).
pub(crate) const TURN_VIEW_FROM: &str = "FROM (SELECT 1) one
     LEFT JOIN handoff_threads t ON t.channel = $1 AND t.user_id = $2 AND t.closed_at IS NULL";

/// The values of [`TURN_VIEW_COLUMNS`] as they are read.
pub(crate) type TurnViewRow = (Option<i64>, Option<i64>, Option<i64>, i64);

impl TurnView {
    /// The view from what [`TURN_VIEW_COLUMNS`] selected.
    pub(crate) fn from_row((live, active_at, user_messages, present): TurnViewRow) -> TurnView {
        let open = live
            .map(|live| HandoffView { live: live != 0, user_messages: user_messages.unwrap_or(0) });
        TurnView { open, active_at, present: present != 0 }
    }
}

/// Closes the user's open hand-off when it is live and nothing was said since `idle_before`
/// (Unix seconds); the notice is recorded as delivered, since this turn's reply carries it.
/// `true` when it closed.
pub async fn expire_for(
    conn: &mut AnyConnection,
    user: &UserKey,
    idle_before: i64,
    notice: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE handoff_threads SET closed_at = $1, closed_by = 'idle'
         WHERE channel = $2 AND user_id = $3 AND closed_at IS NULL AND live = 1 AND active_at < $4
         RETURNING id",
    )
    .bind(now.timestamp())
    .bind(&user.channel)
    .bind(&user.user)
    .bind(idle_before)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else { return Ok(false) };
    insert(&mut *conn, id, sender::EVENT, None, "超时自动结束", now).await?;
    insert_delivered(conn, id, notice, now).await?;
    Ok(true)
}

/// Opens a hand-off for `user` (none is open: the engine asked only then); the question the
/// user was not answered in the last hour becomes its first lead line. Returns its id.
pub async fn open(
    conn: &mut AnyConnection,
    user: &UserKey,
    region: Option<&str>,
    live: bool,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let at = now.timestamp();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO handoff_threads (channel, user_id, region, live, opened_at, user_at, active_at)
         VALUES ($1, $2, $3, $4, $5, $5, $5) RETURNING id",
    )
    .bind(&user.channel)
    .bind(&user.user)
    .bind(region)
    .bind(i64::from(live))
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    // Kept with the console's consent rule already; used up like a classic hand-off's question.
    let recent: Option<String> = sqlx::query_scalar(
        "DELETE FROM recent_questions WHERE channel = $1 AND user_id = $2 AND at >= $3
         RETURNING question",
    )
    .bind(&user.channel)
    .bind(&user.user)
    .bind(at - 3600)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(question) = recent {
        insert(conn, id, sender::LEAD_USER, None, &question, now).await?;
    }
    Ok(id)
}

/// Adds what the user wrote to their open hand-off (masked). `false` when none is open.
pub async fn user_message(
    conn: &mut AnyConnection,
    user: &UserKey,
    text: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE handoff_threads SET user_at = $1, active_at = $1
         WHERE channel = $2 AND user_id = $3 AND closed_at IS NULL RETURNING id",
    )
    .bind(now.timestamp())
    .bind(&user.channel)
    .bind(&user.user)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else { return Ok(false) };
    insert(conn, id, sender::USER, None, &kept(text), now).await?;
    Ok(true)
}

/// Notes that the user wrote (outside a hand-off too): WeChat's 48-hour window of a hand-off
/// whose answer is still on its way starts again.
pub async fn touch_user(
    conn: &mut AnyConnection,
    user: &UserKey,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE handoff_threads SET user_at = $1
         WHERE channel = $2 AND user_id = $3 AND closed_at IS NULL",
    )
    .bind(now.timestamp())
    .bind(&user.channel)
    .bind(&user.user)
    .execute(conn)
    .await?;
    Ok(())
}

/// The user ended their hand-off (结束人工, the menu).
pub async fn user_closed(
    conn: &mut AnyConnection,
    user: &UserKey,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE handoff_threads SET closed_at = $1, closed_by = 'user'
         WHERE channel = $2 AND user_id = $3 AND closed_at IS NULL RETURNING id",
    )
    .bind(now.timestamp())
    .bind(&user.channel)
    .bind(&user.user)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = id {
        insert(conn, id, sender::EVENT, None, "用户结束人工", now).await?;
    }
    Ok(())
}

/// Deletes every hand-off of `user` with all its messages (/forget).
pub async fn forget_user(conn: &mut AnyConnection, user: &UserKey) -> Result<(), StoreError> {
    sqlx::query(
        "DELETE FROM handoff_messages WHERE thread_id IN
           (SELECT id FROM handoff_threads WHERE channel = $1 AND user_id = $2)",
    )
    .bind(&user.channel)
    .bind(&user.user)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM handoff_threads WHERE channel = $1 AND user_id = $2")
        .bind(&user.channel)
        .bind(&user.user)
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds the conversation before the hand-off (the chat page knows it; `mine` marks the user's
/// lines), masked except for the regions' official hotlines (`official`, [`kept_except`]), to
/// the user's open hand-off unless it has such lines already.
pub async fn attach_lead(
    pool: &AnyPool,
    user: &UserKey,
    lines: &[(bool, String)],
    official: &[String],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM handoff_threads t WHERE channel = $1 AND user_id = $2 AND closed_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM handoff_messages m WHERE m.thread_id = t.id
                           AND m.sender IN ('lead_bot', 'user'))",
    )
    .bind(&user.channel)
    .bind(&user.user)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = id {
        for (mine, text) in lines {
            let who = if *mine { sender::LEAD_USER } else { sender::LEAD_BOT };
            insert(&mut tx, id, who, None, &kept_except(text, official), now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Whether `user` has an open hand-off.
pub async fn is_open(pool: &AnyPool, user: &UserKey) -> Result<bool, StoreError> {
    let open: i64 = sqlx::query_scalar(concat!("SELECT ", open_handoff_sql!()))
        .bind(&user.channel)
        .bind(&user.user)
        .fetch_one(pool)
        .await?;
    Ok(open != 0)
}

// ---- the console's side ----

/// Open hand-offs, those waiting longest first, then the answered ones.
pub async fn queue(pool: &AnyPool) -> Result<Vec<Thread>, StoreError> {
    // Sorted outside: PostgreSQL accepts an output column's alias in ORDER BY only alone, not
    // inside an expression such as `waiting_since IS NULL`.
    let sql = format!(
        "SELECT * FROM ({THREAD_SELECT} WHERE t.closed_at IS NULL) q
         ORDER BY CASE WHEN q.waiting_since IS NULL THEN 1 ELSE 0 END, q.waiting_since, q.id
         LIMIT 500"
    );
    Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
}

/// The listing columns of a hand-off: waiting since the user's first message after the last
/// staff reply (or since it opened, before any).
const THREAD_SELECT: &str = "SELECT t.id, t.channel, t.region, t.live, t.opened_at,
       CASE WHEN EXISTS (SELECT 1 FROM handoff_messages s WHERE s.thread_id = t.id AND s.sender = 'staff')
            THEN (SELECT MIN(u.at) FROM handoff_messages u WHERE u.thread_id = t.id AND u.sender = 'user'
                  AND u.id > (SELECT MAX(s.id) FROM handoff_messages s WHERE s.thread_id = t.id AND s.sender = 'staff'))
            ELSE t.opened_at END AS waiting_since,
       t.claimed_by, t.closed_at,
       (SELECT u.body FROM handoff_messages u WHERE u.thread_id = t.id AND u.sender IN ('user', 'lead_user')
        ORDER BY u.id DESC LIMIT 1) AS last_text
FROM handoff_threads t";

/// One hand-off with all its messages in order; `None` when there is no such hand-off.
pub async fn thread(pool: &AnyPool, id: i64) -> Result<Option<(Thread, Vec<Message>)>, StoreError> {
    let thread: Option<Thread> = sqlx::query_as(&format!("{THREAD_SELECT} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    let Some(thread) = thread else { return Ok(None) };
    let messages = sqlx::query_as(
        "SELECT id, sender, staff, body, at, delivered_at FROM handoff_messages
         WHERE thread_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(Some((thread, messages)))
}

/// 我来处理: `staff` takes hand-off `id` unless someone has it (one conditional UPDATE).
pub async fn claim(
    pool: &AnyPool,
    id: i64,
    staff: &str,
    now: DateTime<Utc>,
) -> Result<Claim, StoreError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE handoff_threads SET claimed_by = $1, claimed_at = $2
         WHERE id = $3 AND closed_at IS NULL AND claimed_by IS NULL",
    )
    .bind(staff)
    .bind(now.timestamp())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 1 {
        insert(&mut tx, id, sender::EVENT, Some(staff), "接手处理", now).await?;
        tx.commit().await?;
        return Ok(Claim::Claimed);
    }
    let holder: Option<(Option<String>, Option<i64>)> =
        sqlx::query_as("SELECT claimed_by, closed_at FROM handoff_threads WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    tx.rollback().await?;
    Ok(match holder {
        Some((Some(by), None)) => Claim::Taken(by),
        _ => Claim::Gone,
    })
}

/// Sends `text` from `staff` to the user of hand-off `id`, which they must have claimed and
/// which must be open; the hand-off becomes live (a question left off duty turns into a
/// conversation). `false` when refused.
pub async fn reply(
    pool: &AnyPool,
    id: i64,
    staff: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE handoff_threads SET active_at = $1, live = 1
         WHERE id = $2 AND closed_at IS NULL AND claimed_by = $3",
    )
    .bind(now.timestamp())
    .bind(id)
    .bind(staff)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    let body: String = text.trim().chars().take(MAX_CHARS).collect();
    insert(&mut tx, id, sender::STAFF, Some(staff), &body, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Closes hand-off `id` (by `staff`), telling the user `notice`. `false` when it was not open.
pub async fn close(
    pool: &AnyPool,
    id: i64,
    staff: &str,
    notice: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE handoff_threads SET closed_at = $1, closed_by = $2 WHERE id = $3 AND closed_at IS NULL",
    )
    .bind(now.timestamp())
    .bind(staff)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    insert(&mut tx, id, sender::EVENT, Some(staff), "结束人工", now).await?;
    insert(&mut tx, id, sender::BOT, None, notice, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Hand-offs [`close_idle`] closes at most per call.
pub const IDLE_BATCH: usize = 100;

/// Closes up to [`IDLE_BATCH`] live hand-offs in which nothing was said since `idle_before`
/// (Unix seconds), queueing `notice` for each user; returns how many this call closed. Any
/// number of workers may run it at once: the rows are claimed in one statement (PostgreSQL
/// skips rows another worker holds, `FOR UPDATE SKIP LOCKED`; SQLite has one writer), and the
/// outer `closed_at IS NULL` lets only one of two racing updates close a hand-off — so each
/// user is told once.
pub async fn close_idle(
    store: &Store,
    idle_before: i64,
    notice: &str,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let sql = format!(
        "UPDATE handoff_threads SET closed_at = $1, closed_by = 'idle'
         WHERE closed_at IS NULL AND id IN (
             SELECT id FROM handoff_threads
             WHERE closed_at IS NULL AND live = 1 AND active_at < $2
             ORDER BY id LIMIT $3{})
         RETURNING id",
        store.skip_locked()
    );
    let mut tx = store.pool().begin().await?;
    let ids: Vec<i64> = sqlx::query_scalar(&sql)
        .bind(now.timestamp())
        .bind(idle_before)
        .bind(IDLE_BATCH as i64)
        .fetch_all(&mut *tx)
        .await?;
    for &id in &ids {
        insert(&mut tx, id, sender::EVENT, None, "超时自动结束", now).await?;
        insert(&mut tx, id, sender::BOT, None, notice, now).await?;
    }
    tx.commit().await?;
    Ok(ids.len())
}

// ---- delivery to the user ----

/// Takes every undelivered message to `user` (the chat page shows them), oldest first: one
/// `UPDATE … RETURNING`, so two page loads at once never both show one.
pub async fn take_for(
    pool: &AnyPool,
    user: &UserKey,
    now: DateTime<Utc>,
) -> Result<Vec<Outgoing>, StoreError> {
    let mut rows: Vec<Outgoing> = sqlx::query_as(
        "UPDATE handoff_messages SET delivered_at = $1
         WHERE delivered_at IS NULL AND sender IN ('staff', 'bot') AND thread_id IN
           (SELECT id FROM handoff_threads WHERE channel = $2 AND user_id = $3)
         RETURNING id, $3 AS user_id, sender, body",
    )
    .bind(now.timestamp())
    .bind(&user.channel)
    .bind(&user.user)
    .fetch_all(pool)
    .await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Leases undelivered messages to users of `channel` for sending: those not leased since
/// `stale_before`, of users who wrote since `window_from` (WeChat's 48 hours; `i64::MIN` for
/// none). Each row goes to one sender: the lease is a conditional UPDATE per row.
pub async fn lease_outgoing(
    pool: &AnyPool,
    channel: &str,
    window_from: i64,
    stale_before: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Outgoing>, StoreError> {
    let candidates: Vec<Outgoing> = sqlx::query_as(
        "SELECT m.id, t.user_id, m.sender, m.body FROM handoff_messages m
         JOIN handoff_threads t ON t.id = m.thread_id
         WHERE t.channel = $1 AND m.sender IN ('staff', 'bot') AND m.delivered_at IS NULL
           AND (m.leased_at IS NULL OR m.leased_at < $2) AND t.user_at >= $3
         ORDER BY m.id LIMIT 100",
    )
    .bind(channel)
    .bind(stale_before)
    .bind(window_from)
    .fetch_all(pool)
    .await?;
    let mut leased = Vec::with_capacity(candidates.len());
    for row in candidates {
        let done = sqlx::query(
            "UPDATE handoff_messages SET leased_at = $1
             WHERE id = $2 AND delivered_at IS NULL AND (leased_at IS NULL OR leased_at < $3)",
        )
        .bind(now.timestamp())
        .bind(row.id)
        .bind(stale_before)
        .execute(pool)
        .await?;
        if done.rows_affected() == 1 {
            leased.push(row);
        }
    }
    Ok(leased)
}

/// Message `id` reached the user (or never can: they blocked the bot).
pub async fn mark_delivered(pool: &AnyPool, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query("UPDATE handoff_messages SET delivered_at = $1 WHERE id = $2")
        .bind(now.timestamp())
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Gives up a lease after a failed send, so the next sweep tries again at once.
pub async fn release(pool: &AnyPool, id: i64) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE handoff_messages SET leased_at = NULL WHERE id = $1 AND delivered_at IS NULL",
    )
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

async fn insert(
    conn: &mut AnyConnection,
    thread: i64,
    who: &str,
    staff: Option<&str>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO handoff_messages (thread_id, sender, staff, body, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(thread)
    .bind(who)
    .bind(staff)
    .bind(body)
    .bind(now.timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

async fn insert_delivered(
    conn: &mut AnyConnection,
    thread: i64,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO handoff_messages (thread_id, sender, body, at, delivered_at)
         VALUES ($1, 'bot', $2, $3, $3)",
    )
    .bind(thread)
    .bind(body)
    .bind(now.timestamp())
    .execute(conn)
    .await?;
    Ok(())
}
