//! Integration tests: one binary, one module per area.

mod botapi_stub;
mod telegram;
