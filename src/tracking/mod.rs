//! Application tracking: the `Application` record, its status history and the reminders it
//! implies. Pure domain logic; storage is in `store`.
//!
//! STUB: owned by the tracking work (issue 4).

pub mod chat;

use serde::{Deserialize, Serialize};

/// One application a user is keeping track of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    /// Database id.
    pub id: i64,
}

/// A change to applications requested by a dialog; applied by the store in the turn's transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ApplicationCommand {}

/// A change to reminders requested by a dialog (/reminders).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ReminderCommand {}
