-- PostgreSQL twin of migrations/sqlite/0003: the hotline console's tables.
CREATE TABLE unanswered (
    id         BIGSERIAL PRIMARY KEY,
    wording    TEXT NOT NULL,
    region     TEXT NOT NULL DEFAULT '',
    question   TEXT NOT NULL,
    channels   TEXT NOT NULL,
    count      BIGINT NOT NULL DEFAULT 1,
    first_seen BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    handled_at BIGINT,
    CONSTRAINT unanswered_wording_region UNIQUE (wording, region)
);

ALTER TABLE handoffs ADD COLUMN question TEXT;
ALTER TABLE handoffs ADD COLUMN handled_at TEXT;

CREATE TABLE recent_questions (
    channel  TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    question TEXT NOT NULL,
    at       BIGINT NOT NULL,
    PRIMARY KEY (channel, user_id)
);

CREATE TABLE staff (
    name       TEXT PRIMARY KEY,
    hash       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
