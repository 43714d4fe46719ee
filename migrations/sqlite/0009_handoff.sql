-- Live hand-offs (issue 18): a conversation a user handed to staff with their consent, and
-- everything said in it. Times are Unix seconds (UTC). store::handoff has the rules.

-- One hand-off. `live` is 1 when staff were on duty (the user waits in the chat, the bot stays
-- quiet) and 0 for a question left off duty (the user goes on with the bot); a staff reply
-- makes it live. `user_at` is the user's last message (WeChat's 48-hour window), `active_at`
-- the last message either way (idle close). `claimed_by` is set by one conditional UPDATE, so
-- two staff never answer the same person. `closed_by` is a staff name, 'user' or 'idle'.
CREATE TABLE handoff_threads (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    region     TEXT,
    live       INTEGER NOT NULL,
    opened_at  INTEGER NOT NULL,
    user_at    INTEGER NOT NULL,
    active_at  INTEGER NOT NULL,
    claimed_by TEXT,
    claimed_at INTEGER,
    closed_at  INTEGER,
    closed_by  TEXT
);
-- At most one open hand-off per user.
CREATE UNIQUE INDEX handoff_threads_open ON handoff_threads (channel, user_id)
    WHERE closed_at IS NULL;

-- What was said: `sender` is 'user', 'staff' (with `staff`, the audit trail), 'bot' (the
-- assistant's notices), 'lead_user' / 'lead_bot' (the conversation before the hand-off, masked)
-- or 'event' (claimed, closed: the audit trail). Messages to the user ('staff', 'bot') carry
-- `delivered_at` once their channel delivered them and `leased_at` while a sender holds them.
CREATE TABLE handoff_messages (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id    INTEGER NOT NULL REFERENCES handoff_threads (id) ON DELETE CASCADE,
    sender       TEXT NOT NULL,
    staff        TEXT,
    body         TEXT NOT NULL,
    at           INTEGER NOT NULL,
    delivered_at INTEGER,
    leased_at    INTEGER
);
CREATE INDEX handoff_messages_by_thread ON handoff_messages (thread_id);
