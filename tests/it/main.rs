//! Integration tests: one binary, one module per area.
mod calendar;
mod reminders;
mod tracking;
