//! Reminders on WeChat: the scheduler's [`Sender`] over customer-service messages.
//!
//! WeChat lets an account write first only within 48 hours of the user's last message
//! (error 45015 otherwise). Outside that window a reminder is reported as unreachable: the
//! scheduler keeps it pending and skips the user until they write again (every turn marks
//! them reachable), and the next worker step then sends it.

use std::sync::Arc;

use chrono::Duration;

use super::api::{ApiClient, ApiError};
use super::render::{render, split, MAX_TEXT_BYTES};
use super::CHANNEL;
use crate::clock::Clock;
use crate::engine::{Reply, UserKey};
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

    /// The buttons become numbered lines, remembered like a turn's so that typing the number
    /// presses the button (`render::resolve`).
    async fn send_reply(&self, to: &UserKey, reply: &Reply) -> Result<(), SendError> {
        let rendered = render(std::slice::from_ref(reply));
        self.send(to, &rendered.messages.join("\n\n")).await?;
        if !rendered.offered.is_empty() {
            let now_ms = crate::store::leases::now_ms();
            if let Err(err) = self.store.remember_offered(&to.user, &rendered.offered, now_ms).await
            {
                // Only means a typed number is read as text; the words still work.
                tracing::error!(%err, "could not remember the buttons sent");
            }
        }
        Ok(())
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
