-- PostgreSQL twin of migrations/sqlite/0002: application tracking and durable reminders.
-- Times are Unix seconds (UTC).
CREATE TABLE applications (
    id         BIGSERIAL PRIMARY KEY,
    channel    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    details    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX applications_by_user ON applications (channel, user_id);

CREATE TABLE application_events (
    id             BIGSERIAL PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    event          TEXT NOT NULL,
    at             BIGINT NOT NULL
);
CREATE INDEX application_events_by_app ON application_events (application_id);

CREATE TABLE reminders (
    id             BIGSERIAL PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    channel        TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    due_at         BIGINT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'pending',
    claimed_by     TEXT,
    claimed_until  BIGINT,
    attempts       BIGINT NOT NULL DEFAULT 0,
    last_error     TEXT,
    sent_at        BIGINT,
    UNIQUE (application_id, kind, due_at)
);
CREATE INDEX reminders_due ON reminders (state, channel, due_at);
CREATE INDEX reminders_by_user ON reminders (channel, user_id);

CREATE TABLE unreachable_users (
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    since   BIGINT NOT NULL,
    PRIMARY KEY (channel, user_id)
);
