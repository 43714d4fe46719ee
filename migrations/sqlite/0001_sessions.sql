-- Conversation state, one row per (channel, user). `state` is the engine's Session as JSON.
CREATE TABLE sessions (
    channel    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    state      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (channel, user_id)
);

-- Updates already handled (Telegram update_id), recorded in the same transaction as their turn,
-- so a redelivered update produces no second reply or state change.
CREATE TABLE processed_updates (
    channel      TEXT NOT NULL,
    update_id    INTEGER NOT NULL,
    processed_at TEXT NOT NULL,
    PRIMARY KEY (channel, update_id)
);

-- Requests for a person (人工 / 转人工).
CREATE TABLE handoffs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    region     TEXT,
    created_at TEXT NOT NULL
);
