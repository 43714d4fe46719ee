//! In-memory token buckets for the web server's rate limits. The caller passes `now` (from the
//! injected clock), so tests can exhaust and refill a bucket without sleeping.
//!
//! In memory on purpose: limits protect this process, and losing them on a restart is harmless.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

/// A bucket's size and refill speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests allowed at once.
    pub burst: u32,
    /// Requests refilled per minute.
    pub per_minute: u32,
}

/// Buckets keyed by what is limited (`chat:conv:<id>`, `login:addr:<ip>` …).
#[derive(Debug, Default)]
pub struct Limiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: DateTime<Utc>,
}

/// Beyond this many keys, full buckets (idle long enough to refill) are dropped, so a flood of
/// new cookies or addresses cannot grow memory without bound.
const MAX_KEYS: usize = 50_000;

impl Limiter {
    /// Takes one token from `key`'s bucket; `false` when it is empty (refuse the request).
    pub fn allow(&self, key: &str, rate: Rate, now: DateTime<Utc>) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(key) {
            buckets.retain(|_, b| refilled(*b, rate, now) < f64::from(rate.burst));
        }
        let bucket = buckets
            .entry(key.to_string())
            .or_insert(Bucket { tokens: f64::from(rate.burst), at: now });
        let tokens = refilled(*bucket, rate, now);
        if tokens < 1.0 {
            *bucket = Bucket { tokens, at: now };
            return false;
        }
        *bucket = Bucket { tokens: tokens - 1.0, at: now };
        true
    }
}

fn refilled(bucket: Bucket, rate: Rate, now: DateTime<Utc>) -> f64 {
    // A clock that went backwards refills nothing rather than panicking or granting a burst.
    let seconds = (now - bucket.at).num_milliseconds().max(0) as f64 / 1000.0;
    (bucket.tokens + seconds * f64::from(rate.per_minute) / 60.0).min(f64::from(rate.burst))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_burst_is_allowed_then_refused_until_tokens_refill() {
        let limiter = Limiter::default();
        let rate = Rate { burst: 3, per_minute: 6 };
        let t0 = DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z").unwrap().to_utc();
        assert!((0..3).all(|_| limiter.allow("k", rate, t0)));
        assert!(!limiter.allow("k", rate, t0));
        assert!(limiter.allow("other", rate, t0), "keys are independent");
        assert!(!limiter.allow("k", rate, t0 + Duration::seconds(5)));
        assert!(limiter.allow("k", rate, t0 + Duration::seconds(11)), "one token per 10 s");
    }
}
