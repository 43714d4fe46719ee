//! Storage of applications, reminders and user reachability.
//!
//! STUB: owned by the tracking work (issue 4). The functions below are the contract used by
//! `service::turn` (engine work) and by the Telegram adapter.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::{Store, StoreError};
use crate::engine::{UserData, UserKey};
use crate::tracking::{ApplicationCommand, ReminderCommand};

/// Loads what the engine may read about `user` (applications …), inside the turn's transaction.
pub async fn load_user_data(
    _conn: &mut SqliteConnection,
    _user: &UserKey,
) -> Result<UserData, StoreError> {
    Ok(UserData::default())
}

/// Applies an application change inside the turn's transaction (and schedules its reminders).
pub async fn apply_application(
    _conn: &mut SqliteConnection,
    _user: &UserKey,
    _command: &ApplicationCommand,
    _now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Ok(())
}

/// Applies a reminder change (/reminders) inside the turn's transaction.
pub async fn apply_reminders(
    _conn: &mut SqliteConnection,
    _user: &UserKey,
    _command: &ReminderCommand,
    _now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Ok(())
}

/// Deletes every application and reminder of `user` (/forget), inside the turn's transaction.
pub async fn forget_user(_conn: &mut SqliteConnection, _user: &UserKey) -> Result<(), StoreError> {
    Ok(())
}

impl Store {
    /// Marks `user` unreachable (Telegram 403): no reminder is sent to them any more.
    pub async fn mark_unreachable(
        &self,
        _user: &UserKey,
        _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Ok(())
    }
}
