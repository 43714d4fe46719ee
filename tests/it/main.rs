//! Integration tests: one binary, one module per area.

mod calendar;
mod chat_cli;
mod check;
mod engine;
mod reminders;
mod tracking;
mod transcripts;
