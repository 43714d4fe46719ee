//! Integration tests: one binary, one module per area.

mod botapi_stub;
mod chat_cli;
mod engine;
mod telegram;
mod transcripts;
