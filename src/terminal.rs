//! `mente chat`: the engine over stdin/stdout. Interactive on a terminal; one message per line
//! when stdin is a pipe, choices printed as numbered options.
//!
//! STUB: owned by the conversation-engine work (issue 3).
