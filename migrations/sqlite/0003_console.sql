-- Hotline console (issue 12): questions the assistant was not sure about, the question behind a
-- hand-off, and staff accounts.

-- Unanswered questions from every channel, grouped by normalised wording and region. Never
-- linked to a user: no user id is kept, and `question` is masked (store::unanswered documents
-- when the text itself is left out). Times are Unix seconds (UTC).
CREATE TABLE unanswered (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    wording    TEXT NOT NULL,
    region     TEXT NOT NULL DEFAULT '',
    question   TEXT NOT NULL,
    channels   TEXT NOT NULL,
    count      INTEGER NOT NULL DEFAULT 1,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    handled_at INTEGER,
    UNIQUE (wording, region)
);

-- What the user wrote when asking for a person (masked, within the consent rule), and when staff
-- dealt with it.
ALTER TABLE handoffs ADD COLUMN question TEXT;
ALTER TABLE handoffs ADD COLUMN handled_at TEXT;

-- The last question a user's conversation could not answer, kept (masked, within the same rule)
-- for at most an hour so that a hand-off that follows can show staff what it was about. Deleted
-- when used, when older, and by /forget.
CREATE TABLE recent_questions (
    channel  TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    question TEXT NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (channel, user_id)
);

-- Console accounts: argon2id PHC strings, never passwords.
CREATE TABLE staff (
    name       TEXT PRIMARY KEY,
    hash       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
