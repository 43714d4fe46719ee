//! Reimbursement estimate: deductible, ratio range and estimate from region data.
//!
//! STUB: owned by the knowledge-base work (issue 2).
