//! Working-day arithmetic over the holiday calendar (`working_days_after`).
//!
//! STUB: owned by the tracking work (issue 4).
