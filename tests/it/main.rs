//! Integration tests: one binary, one module per area.

mod botapi_stub;
mod calendar;
mod chat_cli;
mod check;
mod commands;
mod devset;
mod diseases;
mod engine;
mod faq;
mod fuzz;
mod kb_cli;
mod reload;
mod reminders;
mod replay;
mod sample;
mod secrets;
mod store;
mod stories;
mod telegram;
mod tracking;
mod transcripts;
mod understanding;
mod web;
mod web_browser;
mod wechat;
mod wechat_fake;
