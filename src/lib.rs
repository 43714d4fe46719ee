//! 门特助手 (mente): a conversational assistant for China's outpatient special/chronic-disease
//! medical-insurance benefit (门诊慢特病, "门特"), for applicants, their families and hotline staff.
//!
//! # Layout
//!
//! The **pure core** imports nothing from teloxide, sqlx or axum and never reads the clock:
//! - [`content`]: load YAML content (dialogs, FAQ, regions, diseases, calendar) in two stages,
//!   reporting every problem as `file:line`.
//! - [`knowledge`]: FAQ retrieval and the disease matcher.
//! - [`policy`]: working-day calendar and reimbursement estimate.
//! - [`engine`]: dialog trees — state + input + now → replies, next state, effects.
//! - [`tracking`]: applications, their status history and the reminders they imply.
//! - [`privacy`]: masking ID and phone numbers in user text before anything keeps it.
//! - [`decode`]: lenient decoding of terminal input (UTF-8, GBK, stray bad bytes).
//!
//! **Adapters** at the edges stay thin:
//! - [`store`]: SQLite via sqlx, all SQL of the project.
//! - [`service`]: one conversation turn in one transaction (shared by every channel).
//! - [`reload`]: the running content behind a swappable handle; reload on SIGHUP, on a change
//!   of the content folder, or from the console, validated in full first.
//! - [`handoff_idle`]: idle hand-offs closed by a background step (`run_once(now)`).
//! - [`relay`]: staff replies of live hand-offs to Telegram and WeChat (the chat page takes
//!   its own).
//! - [`scheduler`]: the reminder worker (`run_once(now)` + loop) and the `Sender` interface.
//! - [`terminal`], [`telegram`], [`wechat`]: channels.
//! - [`web`]: the applicant chat page and the hotline console (`mente web`).
//! - [`monitor`]: Prometheus metrics recorded by the adapters, served on their own address.
//! - [`cli`]: the command line; `main.rs` only maps errors to exit codes.

pub mod assistant;
pub mod cli;
pub mod clock;
pub mod content;
pub mod decode;
pub mod engine;
pub mod handoff_idle;
pub mod knowledge;
pub mod monitor;
pub mod policy;
pub mod privacy;
pub mod relay;
pub mod reload;
pub mod scheduler;
pub mod service;
pub mod store;
pub mod telegram;
pub mod telemetry;
pub mod terminal;
pub mod tracking;
pub mod understand;
pub mod web;
pub mod wechat;
