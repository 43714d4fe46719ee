//! Integration tests: one binary, one module per area.
mod diseases;
mod kb_cli;
