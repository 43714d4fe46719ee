//! Integration tests: one binary, one module per area.

mod chat_cli;
mod check;
mod engine;
mod transcripts;
