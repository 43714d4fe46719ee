//! Integration tests: one binary, one module per area.

mod botapi_stub;
mod calendar;
mod chat_cli;
mod check;
mod diseases;
mod engine;
mod faq;
mod fuzz;
mod kb_cli;
mod reminders;
mod secrets;
mod telegram;
mod tracking;
mod transcripts;
