//! Storage of applications, their status history, reminders and user reachability.
//!
//! The turn-side functions (`load_user_data`, `apply_application`, `apply_reminders`,
//! `forget_user`) run inside `service::turn`'s transaction. The worker-side methods on [`Store`]
//! (`claim_due`, `mark_sent`, `release`, …) are single statements in autocommit mode: each is its
//! own transaction, so a claim is atomic across workers and processes without holding a write
//! lock while a message is in flight.

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};

use super::{Backend, Store, StoreError};
use crate::engine::{UserData, UserKey};
use crate::tracking::{
    Application, ApplicationCommand, ApplicationDetails, Event, PlannedReminder, Reminder,
    ReminderCommand, ReminderKind, ReminderState, StatusEntry, TaskReminder,
};

fn secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn time(secs: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(secs, 0).ok_or_else(|| StoreError::Corrupt(format!("time {secs}")))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("tracking types always serialize")
}

/// Loads what the engine may read about `user` (applications with history and reminders),
/// inside the turn's transaction, in one statement (a turn reads it together with its session,
/// see `sessions::load_turn_state`).
pub async fn load_user_data(
    conn: &mut AnyConnection,
    user: &UserKey,
) -> Result<UserData, StoreError> {
    let backend = Backend::of(conn);
    let sql = format!("SELECT {}, {}", applications_json(backend), tasks_json(backend));
    let (apps, tasks): (String, String) =
        sqlx::query_as(&sql).bind(&user.channel).bind(&user.user).fetch_one(&mut *conn).await?;
    let mut data = decode_applications(&apps)?;
    data.tasks = decode_tasks(&tasks)?;
    Ok(data)
}

/// SQL for one JSON array of the user's own task reminders ($1 channel, $2 user id), each
/// `[id, task, due_at, state]`, soonest first, for [`decode_tasks`].
pub(crate) fn tasks_json(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "(SELECT json_group_array(json_array(t.id, t.task, t.due_at, t.state)) FROM
                (SELECT id, task, due_at, state FROM reminders
                 WHERE channel = $1 AND user_id = $2 AND application_id IS NULL
                 ORDER BY due_at, id) t)"
        }
        Backend::Postgres => {
            "(SELECT CAST(COALESCE(json_agg(json_build_array(id, task, due_at, state)
                                            ORDER BY due_at, id), '[]') AS TEXT)
              FROM reminders WHERE channel = $1 AND user_id = $2 AND application_id IS NULL)"
        }
    }
}

/// Decodes what [`tasks_json`] selected.
pub(crate) fn decode_tasks(json: &str) -> Result<Vec<TaskReminder>, StoreError> {
    let rows: Vec<(i64, Option<String>, i64, String)> = from_json(json)?;
    rows.into_iter()
        .map(|(id, task, due, state)| {
            Ok(TaskReminder {
                id,
                task: task.unwrap_or_default(),
                due_at: time(due)?,
                state: ReminderState::parse(&state)
                    .ok_or_else(|| StoreError::Corrupt(format!("reminder state {state:?}")))?,
            })
        })
        .collect()
}

/// SQL for one JSON array of the applications of user ($1 channel, $2 user id), each
/// `[id, details, [[event, at]…], [[id, kind, due_at, state]…]]`, for [`decode_applications`].
/// Lets a turn read everything in the same statement as its session. The two backends spell
/// JSON aggregation differently; the result is the same text to decode.
pub(crate) fn applications_json(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => SQLITE_APPLICATIONS_JSON,
        Backend::Postgres => POSTGRES_APPLICATIONS_JSON,
    }
}

/// [`applications_json`] on PostgreSQL; `COALESCE` because `json_agg` of no rows is NULL.
const POSTGRES_APPLICATIONS_JSON: &str = "(SELECT CAST(COALESCE(json_agg(json_build_array(
        a.id, CAST(a.details AS json),
        (SELECT COALESCE(json_agg(json_build_array(CAST(e.event AS json), e.at) ORDER BY e.id), '[]')
         FROM application_events e WHERE e.application_id = a.id),
        (SELECT COALESCE(json_agg(json_build_array(r.id, r.kind, r.due_at, r.state)
                                  ORDER BY r.due_at, r.id), '[]')
         FROM reminders r WHERE r.application_id = a.id)) ORDER BY a.id), '[]') AS TEXT)
     FROM applications a WHERE a.channel = $1 AND a.user_id = $2)";

/// [`applications_json`] on SQLite.
const SQLITE_APPLICATIONS_JSON: &str = "(SELECT json_group_array(json_array(a.id, json(a.details),
        (SELECT json_group_array(json_array(json(e.event), e.at)) FROM
            (SELECT event, at FROM application_events WHERE application_id = a.id ORDER BY id) e),
        (SELECT json_group_array(json_array(r.id, r.kind, r.due_at, r.state)) FROM
            (SELECT id, kind, due_at, state FROM reminders WHERE application_id = a.id
             ORDER BY due_at, id) r)))
     FROM (SELECT id, details FROM applications WHERE channel = $1 AND user_id = $2 ORDER BY id) a)";

type AppRow = (i64, ApplicationDetails, Vec<(Event, i64)>, Vec<(i64, String, i64, String)>);

/// Decodes what [`applications_json`] selected.
pub(crate) fn decode_applications(json: &str) -> Result<UserData, StoreError> {
    let rows: Vec<AppRow> = from_json(json)?;
    let mut applications = Vec::with_capacity(rows.len());
    for (id, details, history, reminders) in rows {
        applications.push(Application {
            id,
            details,
            history: history
                .into_iter()
                .map(|(event, at)| Ok(StatusEntry { event, at: time(at)? }))
                .collect::<Result<_, StoreError>>()?,
            reminders: reminders
                .iter()
                .map(|(id, kind, due, state)| reminder(*id, kind, *due, state))
                .collect::<Result<_, StoreError>>()?,
        });
    }
    Ok(UserData { applications, ..UserData::default() })
}

fn reminder(id: i64, kind: &str, due_at: i64, state: &str) -> Result<Reminder, StoreError> {
    Ok(Reminder {
        id,
        kind: ReminderKind::from_key(kind)
            .ok_or_else(|| StoreError::Corrupt(format!("reminder kind {kind:?}")))?,
        due_at: time(due_at)?,
        state: ReminderState::parse(state)
            .ok_or_else(|| StoreError::Corrupt(format!("reminder state {state:?}")))?,
    })
}

async fn load_application_in(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Application>, StoreError> {
    let Some(row) = sqlx::query("SELECT details FROM applications WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let details: ApplicationDetails = from_json(row.get::<&str, _>("details"))?;
    let mut history = Vec::new();
    for row in sqlx::query(
        "SELECT event, at FROM application_events WHERE application_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    {
        history.push(StatusEntry { event: from_json(row.get("event"))?, at: time(row.get("at"))? });
    }
    let mut reminders = Vec::new();
    for row in sqlx::query(
        "SELECT id, kind, due_at, state FROM reminders WHERE application_id = $1 ORDER BY due_at, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    {
        reminders.push(reminder(row.get("id"), row.get("kind"), row.get("due_at"), row.get("state"))?);
    }
    Ok(Some(Application { id, details, history, reminders }))
}

/// Applies an application change inside the turn's transaction, with its reminder plan. A
/// command for an application the user does not own (stale button, /forget in between) changes
/// nothing.
pub async fn apply_application(
    conn: &mut AnyConnection,
    user: &UserKey,
    command: &ApplicationCommand,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match command {
        ApplicationCommand::Record { details, events, reminders } => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO applications (channel, user_id, details, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(&user.channel)
            .bind(&user.user)
            .bind(to_json(details))
            .bind(secs(now))
            .fetch_one(&mut *conn)
            .await?;
            for event in events {
                insert_event(conn, id, event, now).await?;
            }
            replan(conn, user, id, reminders).await
        }
        ApplicationCommand::Report { id, event, reminders } => {
            if !owns(conn, user, *id).await? {
                return Ok(());
            }
            insert_event(conn, *id, event, now).await?;
            replan(conn, user, *id, reminders).await
        }
        ApplicationCommand::Delete { id } => {
            sqlx::query("DELETE FROM applications WHERE id = $1 AND channel = $2 AND user_id = $3")
                .bind(id)
                .bind(&user.channel)
                .bind(&user.user)
                .execute(&mut *conn)
                .await?;
            Ok(())
        }
    }
}

async fn owns(conn: &mut AnyConnection, user: &UserKey, id: i64) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM applications WHERE id = $1 AND channel = $2 AND user_id = $3",
    )
    .bind(id)
    .bind(&user.channel)
    .bind(&user.user)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

async fn insert_event(
    conn: &mut AnyConnection,
    id: i64,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO application_events (application_id, event, at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(to_json(event))
        .bind(secs(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Makes the pending reminders of application `id` match `plan`: pending ones no longer planned
/// are deleted, planned ones are inserted unless that (kind, due) row exists in any state — so a
/// reminder switched off or already sent stays that way.
async fn replan(
    conn: &mut AnyConnection,
    user: &UserKey,
    id: i64,
    plan: &[PlannedReminder],
) -> Result<(), StoreError> {
    let pending = sqlx::query(
        "SELECT id, kind, due_at FROM reminders WHERE application_id = $1 AND state = 'pending'",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for row in pending {
        let kind: String = row.get("kind");
        let due: i64 = row.get("due_at");
        if !plan.iter().any(|p| p.kind.key() == kind && secs(p.due_at) == due) {
            sqlx::query("DELETE FROM reminders WHERE id = $1")
                .bind(row.get::<i64, _>("id"))
                .execute(&mut *conn)
                .await?;
        }
    }
    for planned in plan {
        sqlx::query(
            "INSERT INTO reminders (application_id, channel, user_id, kind, due_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(&user.channel)
        .bind(&user.user)
        .bind(planned.kind.key())
        .bind(secs(planned.due_at))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Applies a reminder change (/reminders) inside the turn's transaction.
pub async fn apply_reminders(
    conn: &mut AnyConnection,
    user: &UserKey,
    command: &ReminderCommand,
    _now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (sql, id) = match command {
        ReminderCommand::AddTask { task, due_at } => {
            sqlx::query(
                "INSERT INTO reminders (application_id, channel, user_id, kind, due_at, task)
                 VALUES (NULL, $1, $2, $3, $4, $5)",
            )
            .bind(&user.channel)
            .bind(&user.user)
            .bind(ReminderKind::Task.key())
            .bind(secs(*due_at))
            .bind(task)
            .execute(&mut *conn)
            .await?;
            return Ok(());
        }
        ReminderCommand::MoveTask { id, due_at } => {
            // A failed attempt on the old day says nothing about the new one.
            sqlx::query(
                "UPDATE reminders SET due_at = $1, attempts = 0, last_error = NULL
                 WHERE channel = $2 AND user_id = $3 AND application_id IS NULL
                 AND state = 'pending' AND id = $4",
            )
            .bind(secs(*due_at))
            .bind(&user.channel)
            .bind(&user.user)
            .bind(*id)
            .execute(&mut *conn)
            .await?;
            return Ok(());
        }
        ReminderCommand::DeleteTask { id } => (
            "DELETE FROM reminders WHERE channel = $1 AND user_id = $2 AND application_id IS NULL AND id = $3",
            Some(*id),
        ),
        ReminderCommand::SwitchOff { id } => (
            "UPDATE reminders SET state = 'off' WHERE channel = $1 AND user_id = $2 AND state = 'pending' AND id = $3",
            Some(*id),
        ),
        ReminderCommand::SwitchOffAll => (
            "UPDATE reminders SET state = 'off' WHERE channel = $1 AND user_id = $2 AND state = 'pending'",
            None,
        ),
    };
    let mut query = sqlx::query(sql).bind(&user.channel).bind(&user.user);
    if let Some(id) = id {
        query = query.bind(id);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Deletes every application, reminder and reachability mark of `user` (/forget), inside the
/// turn's transaction.
pub async fn forget_user(conn: &mut AnyConnection, user: &UserKey) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM reminders WHERE channel = $1 AND user_id = $2",
        "DELETE FROM applications WHERE channel = $1 AND user_id = $2",
        "DELETE FROM unreachable_users WHERE channel = $1 AND user_id = $2",
    ] {
        sqlx::query(sql).bind(&user.channel).bind(&user.user).execute(&mut *conn).await?;
    }
    Ok(())
}

/// SQL of [`mark_reachable`] (also run by `store::writer`): channel, user id.
pub(super) const MARK_REACHABLE_SQL: &str =
    "DELETE FROM unreachable_users WHERE channel = $1 AND user_id = $2";

/// The user wrote again (e.g. unblocked the bot): their pending reminders may be claimed again.
/// Those kept while they were unreachable go out at the next worker step, where the usual rules
/// apply (only the latest of a deadline, nothing no longer true).
pub async fn mark_reachable(conn: &mut AnyConnection, user: &UserKey) -> Result<(), StoreError> {
    sqlx::query(MARK_REACHABLE_SQL)
        .bind(&user.channel)
        .bind(&user.user)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A reminder claimed by a worker, ready to render and send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// Reminder id.
    pub id: i64,
    /// Recipient.
    pub user: UserKey,
    /// Its application; `None` for a reminder of the user's own task.
    pub application_id: Option<i64>,
    /// The user's own task (`复查`) when it is not an application's reminder.
    pub task: Option<String>,
    /// What about.
    pub kind: ReminderKind,
    /// When it was due.
    pub due_at: DateTime<Utc>,
}

impl Store {
    /// Marks `user` unreachable (Telegram 403): their reminders are skipped by [`Store::claim_due`]
    /// until they write again ([`mark_reachable`]). The reminders stay pending: a user who
    /// unblocks the bot must still get the renewal reminder due months later.
    pub async fn mark_unreachable(
        &self,
        user: &UserKey,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO unreachable_users (channel, user_id, since) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(&user.channel)
        .bind(&user.user)
        .bind(secs(now))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Whether `user` is marked unreachable.
    pub async fn is_unreachable(&self, user: &UserKey) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT since FROM unreachable_users WHERE channel = $1 AND user_id = $2",
        )
        .bind(&user.channel)
        .bind(&user.user)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// Atomically claims up to `limit` pending reminders of `channel` that are due at `now` and
    /// not under a live lease, for `worker` until `lease_until`. One UPDATE statement: two
    /// workers can never both claim the same reminder while a lease lives.
    pub async fn claim_due(
        &self,
        channel: &str,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Claimed>, StoreError> {
        let sql = format!(
            "UPDATE reminders SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1
             WHERE id IN (
                 SELECT r.id FROM reminders r
                 WHERE r.state = 'pending' AND r.channel = $3 AND r.due_at <= $4
                   AND (r.claimed_until IS NULL OR r.claimed_until <= $4)
                   AND NOT EXISTS (SELECT 1 FROM unreachable_users u
                                   WHERE u.channel = r.channel AND u.user_id = r.user_id)
                 ORDER BY r.due_at, r.id LIMIT $5{})
             RETURNING id, channel, user_id, application_id, kind, due_at, task",
            self.skip_locked()
        );
        let rows = sqlx::query(&sql)
            .bind(worker)
            .bind(secs(lease_until))
            .bind(channel)
            .bind(secs(now))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            let kind: String = row.get("kind");
            claimed.push(Claimed {
                id: row.get("id"),
                user: UserKey::new(
                    row.get::<String, _>("channel"),
                    row.get::<String, _>("user_id"),
                ),
                application_id: row.get("application_id"),
                task: row.get("task"),
                kind: ReminderKind::from_key(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("reminder kind {kind:?}")))?,
                due_at: time(row.get("due_at"))?,
            });
        }
        claimed.sort_by_key(|c| (c.due_at, c.id));
        Ok(claimed)
    }

    /// Marks a reminder sent, if `worker` still holds it. `false`: the lease was lost (expired and
    /// taken by another worker, or the reminder was switched off/deleted meanwhile).
    pub async fn mark_sent(
        &self,
        id: i64,
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE reminders SET state = 'sent', sent_at = $1, claimed_until = NULL
             WHERE id = $2 AND claimed_by = $3 AND state = 'pending'",
        )
        .bind(secs(now))
        .bind(id)
        .bind(worker)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives a claimed reminder back, to be tried again from `retry_at`.
    pub async fn release(
        &self,
        id: i64,
        worker: &str,
        retry_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE reminders SET claimed_by = NULL, claimed_until = $1, last_error = $2
             WHERE id = $3 AND claimed_by = $4 AND state = 'pending'",
        )
        .bind(secs(retry_at))
        .bind(error)
        .bind(id)
        .bind(worker)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Gives up on a claimed reminder (application gone, too many failures).
    pub async fn drop_reminder(
        &self,
        id: i64,
        worker: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE reminders SET state = 'dropped', last_error = $1, claimed_until = NULL
             WHERE id = $2 AND claimed_by = $3 AND state = 'pending'",
        )
        .bind(reason)
        .bind(id)
        .bind(worker)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// How many times reminder `id` has been claimed.
    pub async fn reminder_attempts(&self, id: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT attempts FROM reminders WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .unwrap_or(0))
    }

    /// One application by id, with history and reminders (for rendering a reminder).
    pub async fn load_application(&self, id: i64) -> Result<Option<Application>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        load_application_in(&mut conn, id).await
    }

    /// Everything stored about `user`, outside a turn (tests, tools).
    pub async fn user_data(&self, user: &UserKey) -> Result<UserData, StoreError> {
        let mut conn = self.pool().acquire().await?;
        load_user_data(&mut conn, user).await
    }

    /// Applies application commands in one transaction, outside a turn (tests, tools).
    pub async fn apply_commands(
        &self,
        user: &UserKey,
        commands: &[ApplicationCommand],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        for command in commands {
            apply_application(&mut tx, user, command, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The newest pending reminder of `user` (`None`: none pending). A turn compares it before
/// and after its effects to see whether it set reminders up (the web page then says how they
/// will reach the user), on the turn's own connection.
pub async fn latest_pending_reminder(
    conn: &mut AnyConnection,
    user: &UserKey,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT MAX(id) FROM reminders WHERE channel = $1 AND user_id = $2 AND state = 'pending'",
    )
    .bind(&user.channel)
    .bind(&user.user)
    .fetch_one(conn)
    .await?)
}

/// Whether the latest pending reminder id grew: the turn set up (or re-planned) reminders.
pub fn reminders_added(before: Option<i64>, after: Option<i64>) -> bool {
    matches!((before, after), (None, Some(_)))
        || matches!((before, after), (Some(b), Some(a)) if a > b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_newer_pending_reminder_counts_as_set_up() {
        assert!(reminders_added(None, Some(3)));
        assert!(reminders_added(Some(3), Some(5)));
        assert!(!reminders_added(Some(3), Some(3)));
        assert!(!reminders_added(Some(3), None), "switched off is not set up");
        assert!(!reminders_added(None, None));
    }
}
