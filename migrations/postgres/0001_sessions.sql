-- PostgreSQL twin of migrations/sqlite/0001 (issue 19): the same tables and columns, so the
-- store's SQL runs unchanged. Times stay as the SQLite set keeps them (RFC 3339 text here).
CREATE TABLE sessions (
    channel    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    state      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (channel, user_id)
);

CREATE TABLE processed_updates (
    channel      TEXT NOT NULL,
    update_id    BIGINT NOT NULL,
    processed_at TEXT NOT NULL,
    PRIMARY KEY (channel, update_id)
);

CREATE TABLE handoffs (
    id         BIGSERIAL PRIMARY KEY,
    channel    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    region     TEXT,
    created_at TEXT NOT NULL
);
