//! Reminders on WeChat: the scheduler's [`Sender`] over customer-service messages.
//!
//! WeChat lets an account write first only within 48 hours of the user's last message
//! (error 45015 otherwise). Outside that window a reminder is reported as unreachable: the
//! scheduler keeps it pending and skips the user until they write again (every turn marks
//! them reachable), and the next worker step then sends it.

use std::sync::Arc;

use chrono::Duration;

use super::api::{ApiClient, ApiError};
use super::render::{split, MAX_TEXT_BYTES};
use super::CHANNEL;
use crate::clock::Clock;
use crate::engine::UserKey;
use crate::scheduler::{SendError, Sender};
use crate::store::{sessions, Store};

/// WeChat's customer-service window after the user's last message.
pub const REPLY_WINDOW: Duration = Duration::hours(48);

/// Delivers reminders to WeChat users.
pub struct WechatSender {
    api: Arc<ApiClient>,
    store: Store,
    clock: Arc<dyn Clock>,
}

impl WechatSender {
    /// A sender through `api` (share the endpoint's client: one cached access token).
    pub fn new(api: Arc<ApiClient>, store: Store, clock: Arc<dyn Clock>) -> WechatSender {
        WechatSender { api, store, clock }
    }

    async fn within_window(&self, to: &UserKey) -> Result<bool, SendError> {
        let mut conn =
            self.store.reader().acquire().await.map_err(|e| SendError::Failed(e.to_string()))?;
        let last = sessions::last_seen(&mut conn, to)
            .await
            .map_err(|e| SendError::Failed(e.to_string()))?;
        Ok(last.is_some_and(|at| self.clock.now() - at < REPLY_WINDOW))
    }
}

impl Sender for WechatSender {
    fn channel(&self) -> &str {
        CHANNEL
    }

    async fn send(&self, to: &UserKey, text: &str) -> Result<(), SendError> {
        if !self.within_window(to).await? {
            return Err(SendError::Blocked);
        }
        for part in split(text, MAX_TEXT_BYTES) {
            self.api.send_text(&to.user, &part).await.map_err(|err| match err {
                ApiError::OutsideWindow | ApiError::Unsubscribed => SendError::Blocked,
                ApiError::TryLater(_) => SendError::RetryAfter(std::time::Duration::from_secs(60)),
                other => SendError::Failed(other.to_string()),
            })?;
        }
        Ok(())
    }
}
