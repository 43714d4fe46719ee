//! The Telegram channel (teloxide): long polling or webhook, inline keyboards, dedup of
//! redelivered updates, rate limits, and the reminder sender.
//!
//! STUB: owned by the Telegram work (issue 5).
