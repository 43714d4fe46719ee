//! Reminders for users of the chat page, which cannot push a message to a closed browser.
//!
//! The reminder worker runs with [`WebSender`], which *parks* a due reminder in the outbox
//! (`store::outbox::park_reminder`); the next `GET /` of that conversation takes it from there
//! and shows it once ([`shown`]). Taking deletes the row in the same statement, so a reload or a
//! second tab never shows it again, and `/forget` erases parked rows with the rest of the
//! user's outbox. Users are told so wherever reminders come up ([`add_note`]), as WeChat users
//! are told about its 48-hour rule.

use super::CHANNEL;
use crate::clock::in_china;
use crate::engine::{Reply, UserKey};
use crate::scheduler::{SendError, Sender};
use crate::store::outbox::{self, Parked};
use crate::store::tracking::Claimed;
use crate::store::Store;

/// Added to every `/reminders` answer on the web page and to a turn that set reminders up.
pub const REMINDER_NOTE: &str = "（网页不能主动给您发消息：到时的提醒会为您保留，在您下次打开本页时显示，每条只显示一次。请记得常回来看看。）";

/// Delivers reminders to web users by parking them for the next visit.
#[derive(Clone)]
pub struct WebSender {
    store: Store,
    clock: std::sync::Arc<dyn crate::clock::Clock>,
}

impl WebSender {
    /// A sender parking into `store`, stamping rows with `clock`'s time.
    pub fn new(store: Store, clock: std::sync::Arc<dyn crate::clock::Clock>) -> WebSender {
        WebSender { store, clock }
    }

    async fn park(&self, to: &UserKey, reminder: Option<i64>, text: &str) -> Result<(), SendError> {
        outbox::park_reminder(&self.store, to, reminder, text, self.clock.now())
            .await
            .map(drop)
            .map_err(|err| SendError::Failed(err.to_string()))
    }
}

impl Sender for WebSender {
    fn channel(&self) -> &str {
        CHANNEL
    }

    async fn send(&self, to: &UserKey, text: &str) -> Result<(), SendError> {
        self.park(to, None, text).await
    }

    async fn send_reminder(&self, reminder: &Claimed, text: &str) -> Result<(), SendError> {
        // The id lets the staff chart count it as parked until the user has seen it.
        self.park(&reminder.user, Some(reminder.id), text).await
    }
}

/// A parked message as the page shows it: when it arrived, then the message.
pub fn shown(parked: &Parked) -> Reply {
    let at = in_china(parked.parked_at).format("%-m月%-d日 %H:%M");
    Reply {
        text: format!("您不在时收到的提醒（{at}）：\n{}", parked.reply.text),
        choices: parked.reply.choices.clone(),
    }
}

/// Puts [`REMINDER_NOTE`] under the first reply (right under a reminder list or the "I will
/// remind you" line), so the turn keeps its number of messages.
pub fn add_note(replies: &mut Vec<Reply>) {
    match replies.first_mut() {
        Some(first) => {
            first.text.push('\n');
            first.text.push_str(REMINDER_NOTE);
        }
        None => replies.push(Reply { text: REMINDER_NOTE.to_string(), choices: Vec::new() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_joins_the_first_reply_instead_of_adding_a_message() {
        let mut replies = vec![
            Reply { text: "待发送的提醒：".into(), choices: vec![] },
            Reply { text: "还要做什么？".into(), choices: vec![] },
        ];
        add_note(&mut replies);
        assert_eq!(replies.len(), 2);
        assert!(replies[0].text.ends_with(REMINDER_NOTE));
        assert!(!replies[1].text.contains(REMINDER_NOTE));
    }
}
