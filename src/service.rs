//! One conversation turn, end to end: in a single transaction, skip an already-processed update,
//! load the session and user data, run the engine, apply its effects, save the session and
//! record the update. A crash anywhere before commit leaves no trace of the turn.
//!
//! Shared by every channel (terminal, Telegram, tests). Channels whose delivery can fail after
//! the commit use [`turn_with_outbox`], which also queues the replies in the same transaction.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use crate::assistant::Assistant;
use crate::engine::{self, Effect, Input, Reply, UserKey};
use crate::store::outbox::{self, Queued};
use crate::store::{console, handoff, sessions, tracking, Store, StoreError};

/// One incoming message or button press.
#[derive(Debug, Clone)]
pub struct TurnRequest {
    /// Who sent it.
    pub user: UserKey,
    /// The channel's update id, when the channel may redeliver (Telegram); `None` for the terminal.
    pub update_id: Option<i64>,
    /// What they sent.
    pub input: Input,
    /// When it is handled.
    pub now: DateTime<Utc>,
}

/// What a turn produced.
#[derive(Debug, Clone, PartialEq)]
pub enum TurnResult {
    /// Replies to send, in order.
    Replies(Vec<Reply>),
    /// The update was already processed: send nothing, change nothing.
    Duplicate,
}

/// A turn whose replies went into the outbox ([`turn_with_outbox`]).
#[derive(Debug, Clone, PartialEq)]
pub enum QueuedTurn {
    /// Replies to send in order; call [`outbox::mark_sent`] with each id once delivered.
    Queued(Vec<Queued>),
    /// The update was already processed: send nothing, change nothing.
    Duplicate,
}

/// Runs one turn in one transaction; the caller delivers the replies at once and a failed
/// delivery is lost (the terminal: nobody is there to receive it later anyway).
pub async fn turn(
    store: &Store,
    assistant: &Assistant,
    request: TurnRequest,
) -> Result<TurnResult, StoreError> {
    Ok(match run(store, assistant, request, None::<Shape>).await? {
        Committed::Done { replies, .. } => TurnResult::Replies(replies),
        Committed::Duplicate => TurnResult::Duplicate,
    })
}

/// Runs one turn in one transaction that also writes its replies to the outbox, for channels
/// where sending can fail after the commit (Telegram, WeChat, web push). Whatever is not marked
/// sent goes out from [`outbox::pending`] at the next start, so a committed turn's answer is
/// delivered once even across a crash.
pub async fn turn_with_outbox(
    store: &Store,
    assistant: &Assistant,
    request: TurnRequest,
) -> Result<QueuedTurn, StoreError> {
    turn_with_shaped_outbox(store, assistant, request, <[Reply]>::to_vec).await
}

/// [`turn_with_outbox`] for a channel whose messages are not the engine's replies one to one
/// (WeChat joins a turn's replies into numbered text and cuts that at its size limit): `shape`
/// makes the messages to queue from the replies, inside the turn's transaction, so what is
/// queued is exactly what will be sent.
pub async fn turn_with_shaped_outbox(
    store: &Store,
    assistant: &Assistant,
    request: TurnRequest,
    shape: impl FnOnce(&[Reply]) -> Vec<Reply> + Send,
) -> Result<QueuedTurn, StoreError> {
    let user = request.user.clone();
    Ok(match run(store, assistant, request, Some(shape)).await? {
        Committed::Done { replies, ids } => QueuedTurn::Queued(
            ids.into_iter()
                .zip(replies)
                .map(|(id, reply)| Queued { id, user: user.clone(), reply })
                .collect(),
        ),
        Committed::Duplicate => QueuedTurn::Duplicate,
    })
}

/// What [`turn`] passes for "no outbox".
type Shape = fn(&[Reply]) -> Vec<Reply>;

enum Committed {
    Done { replies: Vec<Reply>, ids: Vec<i64> },
    Duplicate,
}

/// [`turn_body`], timed and counted for the metrics ([`crate::monitor`]) under the channel's
/// name: every channel's turns pass here.
async fn run(
    store: &Store,
    assistant: &Assistant,
    request: TurnRequest,
    queue: Option<impl FnOnce(&[Reply]) -> Vec<Reply> + Send>,
) -> Result<Committed, StoreError> {
    let started = std::time::Instant::now();
    let channel = request.user.channel.clone();
    let result = turn_body(store, assistant, request, queue).await;
    crate::monitor::turn(&channel, started.elapsed(), result.is_ok());
    result
}

/// The turn itself. Round trips are what a turn costs (each statement is a hand-off to the
/// connection's thread), so: one read for session, reachability and the user's data, and no
/// write that changes nothing.
async fn turn_body(
    store: &Store,
    assistant: &Assistant,
    request: TurnRequest,
    queue: Option<impl FnOnce(&[Reply]) -> Vec<Reply> + Send>,
) -> Result<Committed, StoreError> {
    let TurnRequest { user, update_id, input, now } = request;
    let mut tx = store.begin().await?;
    if let Some(id) = update_id {
        if !sessions::claim_update(&mut tx, &user.channel, id, now).await? {
            tx.rollback().await?;
            return Ok(Committed::Duplicate);
        }
    }
    let (state, mut data) = sessions::load_turn_state(&mut tx, &user).await?;
    let closed_idle = assistant.content.handoff.closed_idle.as_str();
    let idle_closed = load_handoff(&mut tx, &user, &mut data, closed_idle, now).await?;
    if state.unreachable {
        // Someone who writes to us can be written to again (they may have unblocked the bot).
        tracking::mark_reachable(&mut tx, &user).await?;
    }
    let session = state.session(&user);
    // What a user wrote when asking for a person; a bare "人工" or /human says nothing more.
    let typed = match &input {
        Input::Text(text)
            if !engine::commands::is_bare(text, &assistant.content.understand.commands) =>
        {
            Some(text.clone())
        }
        _ => None,
    };
    let mut outcome = engine::handle(assistant, &session, &data, input, now);
    if idle_closed {
        let notice = Reply { text: closed_idle.to_string(), choices: Vec::new() };
        outcome.replies.insert(0, notice);
    }
    let wrote_to_staff = outcome.effects.iter().any(|e| matches!(e, Effect::HandoffMessage { .. }));
    if data.handoff.is_some() && !wrote_to_staff {
        // WeChat's 48-hour window for a staff answer still on its way starts again.
        handoff::touch_user(&mut tx, &user, now).await?;
    }
    // Consent as it stands after this turn: a user who just said yes may have their text kept.
    let consent = outcome.session.consent;
    for effect in &outcome.effects {
        apply(&mut tx, &user, effect, now, consent).await?;
        match effect {
            Effect::Handoff { .. } => {
                let typed = typed.as_deref();
                console::set_handoff_question(&mut tx, &user, typed, consent, now).await?;
            }
            Effect::Unanswered { question, .. } => {
                console::remember_question(&mut tx, &user, question, consent, now).await?;
            }
            _ => {}
        }
    }
    let forgotten = outcome.effects.iter().any(|e| matches!(e, Effect::Forget));
    // After /forget nothing of the user is written back, not even an empty session.
    if !forgotten {
        let json = sessions::encode(&outcome.session)?;
        if state.json.as_deref() != Some(json.as_str()) {
            sessions::save_json(&mut tx, &user, json, now).await?;
        }
    }
    let (replies, ids) = match queue {
        Some(shape) => {
            let messages = shape(&outcome.replies);
            let ids = outbox::enqueue(&mut tx, &user, update_id, &messages, now).await?;
            (messages, ids)
        }
        None => (outcome.replies, Vec::new()),
    };
    tx.commit().await?;
    if forgotten {
        // The deleted rows are overwritten in the file (secure_delete); the WAL still holds
        // copies of the pages until a checkpoint.
        if let Err(err) = store.checkpoint().await {
            tracing::error!(%err, "checkpoint after /forget failed");
        }
    }
    Ok(Committed::Done { replies, ids })
}

/// Puts the user's open hand-off and staff presence into `data`, closing a live hand-off that
/// was idle too long first; `true` when it closed now (the turn then says the assistant is
/// back, and the notice counts as delivered).
async fn load_handoff(
    conn: &mut AnyConnection,
    user: &UserKey,
    data: &mut engine::UserData,
    closed_idle: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    use engine::handoff::{IDLE_MINUTES, PRESENCE_MINUTES};
    let at = now.timestamp();
    let view = handoff::view(conn, user, at - PRESENCE_MINUTES * 60).await?;
    data.staff_present = view.present;
    data.handoff = view.open;
    let idle_before = at - IDLE_MINUTES * 60;
    let idle = view.open.is_some_and(|h| h.live) && view.active_at.is_some_and(|t| t < idle_before);
    if !idle {
        return Ok(false);
    }
    data.handoff = None;
    handoff::expire_for(conn, user, idle_before, closed_idle, now).await
}

/// What to show a user who comes back (terminal restart); changes nothing.
pub async fn resume(
    store: &Store,
    assistant: &Assistant,
    user: &UserKey,
    now: DateTime<Utc>,
) -> Result<Vec<Reply>, StoreError> {
    let (session, data) = load_read_only(store, user).await?;
    Ok(engine::resume(assistant, &session, &data, now))
}

/// The session and tracking data of `user`, read in a transaction that is rolled back: what a
/// returning user is shown changes nothing.
async fn load_read_only(
    store: &Store,
    user: &UserKey,
) -> Result<(engine::Session, engine::UserData), StoreError> {
    let mut tx = store.begin().await?;
    let session = sessions::load(&mut tx, user).await?;
    let data = tracking::load_user_data(&mut tx, user).await?;
    tx.rollback().await?;
    Ok((session, data))
}

/// What a page with no messages in memory shows a user who has talked before (the web chat
/// reached on another instance, or after a restart): the pending question again, as
/// [`resume`]; at the main menu, a welcome-back line and the menu — not the new visitor's
/// page. Empty for a user who never had a turn. Changes nothing: the menu is computed on a
/// copy of the state, and menu buttons stay valid whatever turn comes next.
pub async fn resume_page(
    store: &Store,
    assistant: &Assistant,
    user: &UserKey,
    now: DateTime<Utc>,
) -> Result<Vec<Reply>, StoreError> {
    let (session, data) = load_read_only(store, user).await?;
    let pending = engine::resume(assistant, &session, &data, now);
    if !pending.is_empty() || session.turn == 0 {
        return Ok(pending);
    }
    let menu = engine::handle(assistant, &session, &data, Input::Text("/menu".into()), now);
    let welcome = Reply { text: engine::WELCOME_BACK.to_string(), ..Reply::default() };
    Ok(std::iter::once(welcome).chain(menu.replies).collect())
}

/// Sets the region of `user` unless one is already chosen (`mente chat --region`).
pub async fn preselect_region(
    store: &Store,
    user: &UserKey,
    region: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let mut session = sessions::load(&mut tx, user).await?;
    // A region the user already chose (perhaps mid-dialog) wins over the command line: changing
    // it underneath them would mix two regions' rules in one conversation.
    if session.region.is_none() {
        session.region = Some(region.to_string());
        sessions::save(&mut tx, user, &session, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn apply(
    conn: &mut AnyConnection,
    user: &UserKey,
    effect: &Effect,
    now: DateTime<Utc>,
    consent: Option<bool>,
) -> Result<(), StoreError> {
    match effect {
        Effect::Handoff { region } => {
            tracing::info!(channel = %user.channel, region = ?region, "hand-off to a person");
            sessions::record_handoff(conn, user, region.as_deref(), now).await
        }
        Effect::HandoffOpen { region, live } => {
            tracing::info!(channel = %user.channel, region = ?region, live, "live hand-off opened");
            handoff::open(conn, user, region.as_deref(), *live, now).await.map(drop)
        }
        Effect::HandoffMessage { text } => {
            handoff::user_message(conn, user, text, now).await.map(drop)
        }
        Effect::HandoffEnd => handoff::user_closed(conn, user, now).await,
        Effect::Forget => {
            sessions::forget(conn, user).await?;
            handoff::forget_user(conn, user).await?;
            console::forget_user(conn, user).await?;
            tracking::forget_user(conn, user).await
        }
        Effect::Application(command) => tracking::apply_application(conn, user, command, now).await,
        Effect::Reminders(command) => tracking::apply_reminders(conn, user, command, now).await,
        Effect::Unanswered { question, region } => {
            let region = region.as_deref();
            console::record_unanswered(conn, user, question, region, consent, now).await
        }
    }
}
