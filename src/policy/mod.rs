//! Policy arithmetic: the working-day calendar and the reimbursement estimate. Pure.

pub mod calc;
pub mod calendar;
pub mod dates;
