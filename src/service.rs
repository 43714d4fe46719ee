//! One conversation turn, end to end: in a single transaction, skip an already-processed update,
//! load the session and user data, run the engine, apply its effects, save the session and
//! record the update. A crash anywhere before commit leaves no trace of the turn.
//!
//! Shared by every channel (terminal, Telegram, tests). Channels whose delivery can fail after
//! the commit use [`turn_with_outbox`], which also queues the replies in the same transaction.
//!
//! Input hygiene happens here, first, for every channel: control characters are stripped from
//! what the user typed ([`clean_text`]; PostgreSQL refuses a NUL in TEXT, and the rest only
//! garble the console), bytes that were not UTF-8 are dropped with a note saying so, and a
//! message longer than [`MAX_INPUT_CHARS`] is answered with [`TOO_LONG`] without touching the
//! conversation.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use crate::assistant::Assistant;
use crate::engine::{self, Effect, Input, Reply, UserKey};
use crate::store::outbox::{self, Queued};
use crate::store::{console, handoff, sessions, shared, tracking, Store, StoreError};

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
    /// Replies queued behind older ones of the same user still in the outbox (a send that
    /// failed gave them back): written free, to go out after those, oldest first (Telegram
    /// takes the user's whole backlog then, `store::wechat::lease_unsent_of`). Only for
    /// [`turn_with_outbox`] and [`button_turn_with_outbox`], whose rows are otherwise leased.
    Behind(Vec<Queued>),
    /// The update was already processed: send nothing, change nothing.
    Duplicate,
}

/// A Telegram inline keyboard: the message that carries it, in its chat. A tap on it is
/// accepted once ([`button_turn_with_outbox`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keyboard {
    /// The chat.
    pub chat: i64,
    /// The bot's message with the buttons.
    pub message: i64,
}

/// A button press on a keyboard ([`button_turn_with_outbox`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ButtonTurn {
    /// The press was a turn (or a redelivered one).
    Turn(QueuedTurn),
    /// Another tap on the same keyboard was accepted first: nothing changed.
    AlreadyChosen,
}

/// What a turn did beside its replies, for a channel that tells the user about it or acts on
/// it (the web page): known inside the turn, so the channel need not read it back before and
/// after (two reads per message, most of them finding nothing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TurnNotes {
    /// The turn set up (or re-planned) reminders.
    pub reminders_added: bool,
    /// A hand-off was open during the turn or the turn may have opened one; `false` means
    /// certainly none is open (unless staff opened one since).
    pub handoff_touched: bool,
}

/// Runs one turn in one transaction; the caller delivers the replies at once and a failed
/// delivery is lost (the terminal: nobody is there to receive it later anyway).
pub async fn turn(
    store: &Store,
    assistant: &Assistant,
    request: TurnRequest,
) -> Result<TurnResult, StoreError> {
    Ok(turn_noted(store, assistant, request).await?.0)
}

/// [`turn`], with what else the turn did.
pub async fn turn_noted(
    store: &Store,
    assistant: &Assistant,
    request: TurnRequest,
) -> Result<(TurnResult, TurnNotes), StoreError> {
    Ok(match run(store, assistant, request, None::<Shape>).await? {
        Committed::Done { replies, notes, .. } => (TurnResult::Replies(replies), notes),
        Committed::Duplicate | Committed::AlreadyChosen => {
            (TurnResult::Duplicate, TurnNotes::default())
        }
    })
}

/// Runs one turn in one transaction that also writes its replies to the outbox, for channels
/// where sending can fail after the commit (Telegram, WeChat, web push). Whatever is not marked
/// sent goes out with the channel's next outbox sweep, so a committed turn's answer is
/// delivered once even across a crash.
///
/// The rows are written leased to the caller (see [`outbox::enqueue`]): it is about to send them
/// itself, and another instance sweeping the outbox for leftovers must not send them too.
pub async fn turn_with_outbox(
    store: &Store,
    assistant: &Assistant,
    request: TurnRequest,
) -> Result<QueuedTurn, StoreError> {
    let queue = Queue { shape: <[Reply]>::to_vec, leased: true, keyboard: None };
    queued(store, assistant, request, queue).await
}

/// [`turn_with_outbox`] for a tap on `keyboard`: the keyboard is claimed in the turn's own
/// transaction, so of two taps on one keyboard (a double tap, or two taps that reached two
/// instances at once) exactly one turn commits and the other is [`ButtonTurn::AlreadyChosen`].
pub async fn button_turn_with_outbox(
    store: &Store,
    assistant: &Assistant,
    request: TurnRequest,
    keyboard: Keyboard,
) -> Result<ButtonTurn, StoreError> {
    let queue = Queue { shape: <[Reply]>::to_vec, leased: true, keyboard: Some(keyboard) };
    let user = request.user.clone();
    Ok(match run(store, assistant, request, Some(queue)).await? {
        Committed::AlreadyChosen => ButtonTurn::AlreadyChosen,
        committed => ButtonTurn::Turn(queued_turn(committed, &user)),
    })
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
    // Free rows: WeChat gives the first as the passive reply, which takes only a free row.
    queued(store, assistant, request, Queue { shape, leased: false, keyboard: None }).await
}

/// A turn whose replies go into the outbox, shaped and leased as `queue` says.
async fn queued(
    store: &Store,
    assistant: &Assistant,
    request: TurnRequest,
    queue: Queue<impl FnOnce(&[Reply]) -> Vec<Reply> + Send>,
) -> Result<QueuedTurn, StoreError> {
    let user = request.user.clone();
    Ok(queued_turn(run(store, assistant, request, Some(queue)).await?, &user))
}

/// A committed turn's queued replies (ids and messages) as [`QueuedTurn`].
fn queued_turn(committed: Committed, user: &UserKey) -> QueuedTurn {
    match committed {
        Committed::Done { replies, ids, behind, .. } => {
            let rows = ids
                .into_iter()
                .zip(replies)
                .map(|(id, reply)| Queued { id, user: user.clone(), reply })
                .collect();
            if behind {
                QueuedTurn::Behind(rows)
            } else {
                QueuedTurn::Queued(rows)
            }
        }
        // Only a keyboard tap is refused as already chosen; see `button_turn_with_outbox`.
        Committed::Duplicate | Committed::AlreadyChosen => QueuedTurn::Duplicate,
    }
}

/// What [`turn`] passes for "no outbox".
type Shape = Queue<fn(&[Reply]) -> Vec<Reply>>;

/// How a turn's replies go into the outbox: `shape` makes the messages from the replies, and
/// `leased` writes them leased to this process (it sends them at once) rather than free;
/// `keyboard` is the keyboard tapped, claimed in the turn's transaction.
struct Queue<S> {
    shape: S,
    leased: bool,
    keyboard: Option<Keyboard>,
}

enum Committed {
    /// `behind`: the replies were queued free behind older ones (see [`QueuedTurn::Behind`]).
    Done {
        replies: Vec<Reply>,
        ids: Vec<i64>,
        behind: bool,
        notes: TurnNotes,
    },
    Duplicate,
    AlreadyChosen,
}

/// [`turn_body`], timed and counted for the metrics ([`crate::monitor`]) under the channel's
/// name: every channel's turns pass here.
async fn run(
    store: &Store,
    assistant: &Assistant,
    request: TurnRequest,
    queue: Option<Queue<impl FnOnce(&[Reply]) -> Vec<Reply> + Send>>,
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
    queue: Option<Queue<impl FnOnce(&[Reply]) -> Vec<Reply> + Send>>,
) -> Result<Committed, StoreError> {
    let TurnRequest { user, update_id, input, now } = request;
    let (input, unreadable) = clean_input(input);
    let request = TurnRequest { user, update_id, input, now };
    let (request, queue, ran) =
        match writer_turn(store, assistant, request, unreadable, queue).await? {
            OnWriter::Done(committed) => return Ok(committed),
            OnWriter::Elsewhere(request, queue, ran) => (request, queue, ran),
        };
    let TurnRequest { user, update_id, input, now } = request;
    let mut tx = store.begin().await?;
    if let Some(id) = update_id {
        if !sessions::claim_update(&mut tx, &user.channel, id, now).await? {
            tx.rollback().await?;
            return Ok(Committed::Duplicate);
        }
    }
    if let Some(keyboard) = queue.as_ref().and_then(|queue| queue.keyboard) {
        let now_ms = crate::store::leases::now_ms();
        if !shared::claim_keyboard(&mut tx, keyboard.chat, keyboard.message, now_ms).await? {
            tx.rollback().await?;
            return Ok(Committed::AlreadyChosen);
        }
    }
    let present_since = now.timestamp() - engine::handoff::PRESENCE_MINUTES * 60;
    let (state, mut data, view) = sessions::load_turn_state(&mut tx, &user, present_since).await?;
    let handoff_open = view.open.is_some();
    // Leased rows go out at once; behind older ones they wait their turn instead.
    let behind = state.behind && queue.as_ref().is_some_and(|queue| queue.leased);
    if is_too_long(&input) {
        // Claimed (a redelivery stays a duplicate) and answered, and nothing else changes:
        // the question the user was at is asked again, with its buttons.
        let note = Reply { text: TOO_LONG.to_string(), choices: Vec::new() };
        let again = engine::resume(assistant, &state.session(&user), &data, now);
        let replies = std::iter::once(note).chain(again).collect();
        let (replies, ids) =
            enqueue(&mut tx, &user, update_id, replies, queue, now, behind).await?;
        tx.commit().await?;
        let notes = TurnNotes { reminders_added: false, handoff_touched: handoff_open };
        return Ok(Committed::Done { replies, ids, behind, notes });
    }
    let closed_idle = assistant.content.handoff.closed_idle.as_str();
    let idle_closed = load_handoff(&mut tx, &user, view, &mut data, closed_idle, now).await?;
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
    // The writer's outcome when this read is what it was computed from (the engine is
    // pure): the engine, most of a turn's CPU, then runs once.
    let mut outcome = match ran.filter(|ran| ran.json == state.json && ran.data == data) {
        Some(ran) => ran.outcome,
        None => engine::handle(assistant, &session, &data, input, now),
    };
    if idle_closed {
        let notice = Reply { text: closed_idle.to_string(), choices: Vec::new() };
        outcome.replies.insert(0, notice);
    }
    if unreadable {
        let note = crate::decode::Repair::DroppedBytes.note();
        outcome.replies.insert(0, Reply { text: note.to_string(), choices: Vec::new() });
    }
    let wrote_to_staff = outcome.effects.iter().any(|e| matches!(e, Effect::HandoffMessage { .. }));
    if data.handoff.is_some() && !wrote_to_staff {
        // WeChat's 48-hour window for a staff answer still on its way starts again.
        handoff::touch_user(&mut tx, &user, now).await?;
    }
    // Consent as it stands after this turn: a user who just said yes may have their text kept.
    let consent = outcome.session.consent;
    let plans =
        outcome.effects.iter().any(|e| matches!(e, Effect::Reminders(_) | Effect::Application(_)));
    let pending_before = match plans {
        true => tracking::latest_pending_reminder(&mut tx, &user).await?,
        false => None,
    };
    let handoff_touched = handoff_open
        || outcome
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Handoff { .. } | Effect::HandoffOpen { .. }));
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
    let reminders_added = plans
        && tracking::reminders_added(
            pending_before,
            tracking::latest_pending_reminder(&mut tx, &user).await?,
        );
    let notes = TurnNotes { reminders_added, handoff_touched };
    let forgotten = outcome.effects.iter().any(|e| matches!(e, Effect::Forget));
    // After /forget nothing of the user is written back, not even an empty session.
    if !forgotten {
        let json = sessions::encode(&outcome.session)?;
        if state.json.as_deref() != Some(json.as_str()) {
            sessions::save_json(&mut tx, &user, json, now).await?;
        }
    }
    let replies = outcome.replies;
    let (replies, ids) = enqueue(&mut tx, &user, update_id, replies, queue, now, behind).await?;
    tx.commit().await?;
    if forgotten {
        // The deleted rows are overwritten in the file (secure_delete); the WAL still holds
        // copies of the pages until a checkpoint.
        if let Err(err) = store.checkpoint().await {
            tracing::error!(%err, "checkpoint after /forget failed");
        }
    }
    Ok(Committed::Done { replies, ids, behind, notes })
}

/// What [`writer_turn`] did: the whole turn, or nothing (the request and queue handed back,
/// with the outcome when the engine ran).
enum OnWriter<S> {
    Done(Committed),
    // Boxed: the engine's outcome is large and most turns never carry one here.
    Elsewhere(TurnRequest, Option<Queue<S>>, Option<Box<Ran>>),
}

/// A turn the writer ran and rolled back (it had effects): the engine's outcome and
/// what it was computed from — the stored session and the user's data — so that sqlx's turn
/// reuses it when it reads the same, rather than running the engine a second time.
struct Ran {
    json: Option<String>,
    data: engine::UserData,
    outcome: engine::Outcome,
}

/// The turn on SQLite's writer connection (`store::writer`), in one transaction there, when
/// it changes no more than the session, the reachability mark, the outbox and the unanswered
/// questions: a claim, one read, the engine, a few writes, all on the calling task without a
/// hop to another thread. A turn that touches a hand-off or has other effects (applications,
/// reminders, hand-offs, /forget) is rolled back there, before anything is visible, and runs through sqlx
/// in [`turn_body`] (the engine is pure: running it again gives the same outcome, and the
/// outcome is handed over so it need not). PostgreSQL turns always run there.
async fn writer_turn<S: FnOnce(&[Reply]) -> Vec<Reply> + Send>(
    store: &Store,
    assistant: &Assistant,
    request: TurnRequest,
    unreadable: bool,
    queue: Option<Queue<S>>,
) -> Result<OnWriter<S>, StoreError> {
    use crate::store::console::UnansweredRow;
    use crate::store::writer::{Decision, Loaded, OutboxRows, TurnClaims, TurnEnd, TurnWrites};
    let now = request.now;
    let claims = TurnClaims {
        user: request.user.clone(),
        update_id: request.update_id,
        now_rfc3339: now.to_rfc3339(),
        keyboard: queue
            .as_ref()
            .and_then(|queue| queue.keyboard)
            .map(|keyboard| (keyboard.chat, keyboard.message, crate::store::leases::now_ms())),
        present_since: now.timestamp() - engine::handoff::PRESENCE_MINUTES * 60,
    };
    let leases_rows = queue.as_ref().is_some_and(|queue| queue.leased);
    // A committed turn gives back the replies to send and whether they wait behind older ones;
    // a rolled-back one what the engine made of it, if it ran (see [`Ran`]).
    type Kept = (Vec<Reply>, bool);
    type Handed = Option<Box<Ran>>;
    let mut queue = queue;
    let decide =
        |Loaded { state, data, view }: Loaded| -> Result<Decision<Kept, Handed>, StoreError> {
            let user = &request.user;
            let behind = state.behind && leases_rows;
            let mut writes = TurnWrites::default();
            let replies = if is_too_long(&request.input) {
                // As in `turn_body`: claimed and answered, nothing else changes.
                let note = Reply { text: TOO_LONG.to_string(), choices: Vec::new() };
                let again = engine::resume(assistant, &state.session(user), &data, now);
                std::iter::once(note).chain(again).collect()
            } else {
                if view.open.is_some() {
                    // A hand-off to load, perhaps to close as idle, and to touch: sqlx's turn.
                    return Ok(Decision::Rollback(None));
                }
                let data = engine::UserData { staff_present: view.present, ..data };
                let session = state.session(user);
                let outcome =
                    engine::handle(assistant, &session, &data, request.input.clone(), now);
                // A question the FAQ was not sure about is written here too (a quarter of the
                // web bench's messages, and common in life); any other effect goes to sqlx's.
                let unanswered = match outcome.effects.as_slice() {
                    [] => None,
                    [Effect::Unanswered { question, region }] => {
                        let consent = outcome.session.consent;
                        Some(UnansweredRow::new(question, region.as_deref(), consent, now))
                    }
                    _ => {
                        let ran = Box::new(Ran { json: state.json.clone(), data, outcome });
                        return Ok(Decision::Rollback(Some(ran)));
                    }
                };
                writes.unanswered = unanswered;
                writes.reachable = state.unreachable;
                let json = sessions::encode(&outcome.session)?;
                if state.json.as_deref() != Some(json.as_str()) {
                    writes.session = Some((json, now.to_rfc3339()));
                }
                let mut replies = outcome.replies;
                if unreadable {
                    let note = crate::decode::Repair::DroppedBytes.note();
                    replies.insert(0, Reply { text: note.to_string(), choices: Vec::new() });
                }
                replies
            };
            let Some(Queue { shape, leased, .. }) = queue.take() else {
                return Ok(Decision::Commit(writes, (replies, behind)));
            };
            let messages = shape(&replies);
            let encoded = messages.iter().map(outbox::encode).collect::<Result<Vec<_>, _>>()?;
            writes.outbox = Some(OutboxRows {
                replies: encoded,
                created_at: now.timestamp(),
                update_id: request.update_id,
                leased_at: (leased && !behind).then(crate::store::leases::now_ms),
            });
            Ok(Decision::Commit(writes, (messages, behind)))
        };
    let end = store.writer_turn(claims, decide).await?;
    Ok(match end {
        None => OnWriter::Elsewhere(request, queue, None),
        Some(TurnEnd::Duplicate) => OnWriter::Done(Committed::Duplicate),
        Some(TurnEnd::AlreadyChosen) => OnWriter::Done(Committed::AlreadyChosen),
        Some(TurnEnd::Committed((replies, behind), ids)) => {
            // No effects and no hand-off open: nothing planned, nothing to share.
            let notes = TurnNotes::default();
            OnWriter::Done(Committed::Done { replies, ids, behind, notes })
        }
        Some(TurnEnd::RolledBack(ran)) => OnWriter::Elsewhere(request, queue, ran),
    })
}

/// Puts `replies` into the outbox as `queue` says (shaped, leased or free; free when `behind`
/// older replies of the user); without a queue they are returned as they are. The messages to
/// send and their outbox ids.
async fn enqueue(
    conn: &mut AnyConnection,
    user: &UserKey,
    update_id: Option<i64>,
    replies: Vec<Reply>,
    queue: Option<Queue<impl FnOnce(&[Reply]) -> Vec<Reply> + Send>>,
    now: DateTime<Utc>,
    behind: bool,
) -> Result<(Vec<Reply>, Vec<i64>), StoreError> {
    let Some(Queue { shape, leased, .. }) = queue else {
        return Ok((replies, Vec::new()));
    };
    let messages = shape(&replies);
    // Lease times are wall-clock milliseconds on every instance, whatever clock the turn uses.
    let lease = (leased && !behind).then(crate::store::leases::now_ms);
    let ids = outbox::enqueue(conn, user, update_id, &messages, now, lease).await?;
    Ok((messages, ids))
}

/// Longest message a turn reads, in characters. Nobody types more about a benefit
/// application; a longer one is a paste by mistake (or an attack on the understanding code),
/// and the web form already asks for at most this many.
pub const MAX_INPUT_CHARS: usize = 2000;

/// The answer to a message longer than [`MAX_INPUT_CHARS`].
pub const TOO_LONG: &str =
    "这条消息太长了，我没有处理。请分几次发送，每次不超过2000字；您之前的办理进度都还在。";

/// `text` without control characters: NUL, escapes, DEL, C1 codes, and the invisible
/// direction overrides and byte-order mark that would make a console line read differently
/// from what was sent; and without U+FFFD, which channels put where bytes were not UTF-8
/// (they carried nothing readable). Line breaks (`\r\n` and `\r` become `\n`) and tabs stay.
pub fn clean_text(text: &str) -> Cow<'_, str> {
    let unwanted = |c: char| (c.is_control() && c != '\n' && c != '\t') || is_invisible_format(c);
    if !text.contains(unwanted) {
        return Cow::Borrowed(text);
    }
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    Cow::Owned(unified.chars().filter(|&c| !unwanted(c)).collect())
}

/// Direction overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the byte-order mark.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
        || c == char::REPLACEMENT_CHARACTER
}

/// `input` with [`clean_text`] applied to what the user sent; `true` when typed text had
/// bytes that were not UTF-8 (the user is told some characters were dropped).
fn clean_input(input: Input) -> (Input, bool) {
    match input {
        Input::Text(text) => {
            let unreadable = text.contains(char::REPLACEMENT_CHARACTER);
            (Input::Text(clean_text(&text).into_owned()), unreadable)
        }
        Input::Button(data) => (Input::Button(clean_text(&data).into_owned()), false),
    }
}

fn is_too_long(input: &Input) -> bool {
    matches!(input, Input::Text(text) if text.chars().count() > MAX_INPUT_CHARS)
}

/// Puts the user's open hand-off and staff presence (`view`, read with the session) into
/// `data`, closing a live hand-off that was idle too long first; `true` when it closed now (the
/// turn then says the assistant is back, and the notice counts as delivered).
async fn load_handoff(
    conn: &mut AnyConnection,
    user: &UserKey,
    view: handoff::TurnView,
    data: &mut engine::UserData,
    closed_idle: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    use engine::handoff::IDLE_MINUTES;
    data.staff_present = view.present;
    data.handoff = view.open;
    let idle_before = now.timestamp() - IDLE_MINUTES * 60;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_keeps_text_lines_and_tabs_and_drops_control_and_invisible_characters() {
        assert!(
            matches!(clean_text("门特\n第二行\t好"), Cow::Borrowed(_)),
            "clean text is not copied"
        );
        assert_eq!(clean_text("a\r\nb\rc"), "a\nb\nc");
        assert_eq!(
            clean_text("\u{feff}高\0血\u{1b}[1m压\u{7f}\u{85}\u{202e}病\u{fffd}"),
            "高血[1m压病"
        );
    }

    #[test]
    fn only_typed_text_longer_than_the_limit_is_too_long() {
        assert!(!is_too_long(&Input::Text("问".repeat(MAX_INPUT_CHARS))));
        assert!(is_too_long(&Input::Text("问".repeat(MAX_INPUT_CHARS + 1))));
        assert!(!is_too_long(&Input::Button("x".repeat(MAX_INPUT_CHARS + 1))));
    }
}
