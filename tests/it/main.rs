//! Integration tests: one binary, one module per area.

mod botapi_stub;
mod calendar;
mod chat_cli;
mod check;
mod engine;
mod faq;
mod reminders;
mod telegram;
mod tracking;
mod transcripts;
