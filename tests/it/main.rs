//! Integration tests: one binary, one module per area.

mod botapi_stub;
mod calendar;
mod chat_cli;
mod check;
mod diseases;
mod engine;
mod faq;
mod kb_cli;
mod reminders;
mod telegram;
mod tracking;
mod transcripts;
mod understanding;
