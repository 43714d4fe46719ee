-- PostgreSQL twin of migrations/sqlite/0004: replies of committed turns not yet delivered.
CREATE TABLE outbox (
    id         BIGSERIAL PRIMARY KEY,
    channel    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    reply      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbox_by_user ON outbox (channel, user_id);

CREATE INDEX processed_updates_by_time ON processed_updates (processed_at);
