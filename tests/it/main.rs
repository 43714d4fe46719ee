//! Integration tests: one binary, one module per area.

mod calendar;
mod chat_cli;
mod engine;
mod reminders;
mod tracking;
mod transcripts;
