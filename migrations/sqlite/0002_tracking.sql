-- Application tracking and durable reminders (issue 4). Times are Unix seconds (UTC) so that
-- "due" and "lease expired" are plain integer comparisons.

-- One application a user keeps track of. `details` is tracking::ApplicationDetails as JSON; it
-- holds an ID number in masked form only, and nothing personal without the user's consent.
CREATE TABLE applications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    details    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX applications_by_user ON applications (channel, user_id);

-- Status history, oldest first by id. `event` is tracking::Event as JSON.
CREATE TABLE application_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    event          TEXT NOT NULL,
    at             INTEGER NOT NULL
);
CREATE INDEX application_events_by_app ON application_events (application_id);

-- Reminders. UNIQUE (application, kind, due) makes planning idempotent: re-planning after each
-- status report inserts with OR IGNORE, so a reminder switched off or already sent never comes back.
-- Delivery uses a lease: a worker sets claimed_by/claimed_until in one UPDATE, sends, then marks
-- it sent; a lease left behind by a crashed worker expires and the reminder is claimed again.
CREATE TABLE reminders (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    channel        TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    due_at         INTEGER NOT NULL,
    state          TEXT NOT NULL DEFAULT 'pending',
    claimed_by     TEXT,
    claimed_until  INTEGER,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    sent_at        INTEGER,
    UNIQUE (application_id, kind, due_at)
);
CREATE INDEX reminders_due ON reminders (state, channel, due_at);
CREATE INDEX reminders_by_user ON reminders (channel, user_id);

-- Users who blocked the assistant (Telegram 403): nothing more is sent to them.
CREATE TABLE unreachable_users (
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    since   INTEGER NOT NULL,
    PRIMARY KEY (channel, user_id)
);
