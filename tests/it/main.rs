//! Integration tests: one binary, one module per area.

mod calendar;
mod chat_cli;
mod check;
mod diseases;
mod engine;
mod kb_cli;
mod reminders;
mod tracking;
mod transcripts;
