//! Integration tests: one binary, one module per area.

mod chat_cli;
mod engine;
mod transcripts;
