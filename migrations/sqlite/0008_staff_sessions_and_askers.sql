-- Staff console sessions and login throttling in the database (issue 18 item 5, issue 16 item 7),
-- and every unanswered question linked to whoever asked it (issue 16 item 6). Times are Unix
-- seconds (UTC).

-- Console sessions, so that a restart logs nobody out and every instance sharing the database
-- sees the same sessions. Only the SHA-256 of the cookie's token is stored: a copy of the
-- database lets nobody log in. The CSRF token is derived from the cookie's token, not stored.
CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    name       TEXT NOT NULL REFERENCES staff (name) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL
);
CREATE INDEX staff_sessions_by_name ON staff_sessions (name);

-- Login attempts per account name and client address (ok = 0 failed or in progress, 1 logged
-- in). Failures are kept an hour, successes 30 days (an address an account logged in from is not
-- held back by the per-account limit). store::staff documents the limits.
CREATE TABLE staff_logins (
    account TEXT NOT NULL,
    addr    TEXT NOT NULL,
    at      INTEGER NOT NULL,
    ok      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX staff_logins_by_account ON staff_logins (account, at);
CREATE INDEX staff_logins_by_addr ON staff_logins (addr, at);

-- The key of the keyed hash (HMAC-SHA256) that links an unanswered question to its asker, in
-- the server's key table (0007). Random per database, so the link means nothing outside it (a
-- console export, a log).
INSERT OR IGNORE INTO server_keys (name, secret, created_at)
VALUES ('unanswered_asker', randomblob(32), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

-- Every unanswered question now carries `asker` (the keyed hash of the user, never shown to
-- staff), with or without consent, so /forget always deletes what the user asked: a name
-- heuristic alone misses some names. Rows linked in clear before (with consent) keep that
-- link as 'clear:<channel>:<id>', which /forget also matches; unlinked rows stay ''.
-- SQLite cannot change a UNIQUE constraint in place, so the table is rebuilt.
CREATE TABLE unanswered_by_asker (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    wording    TEXT NOT NULL,
    region     TEXT NOT NULL DEFAULT '',
    question   TEXT NOT NULL,
    channels   TEXT NOT NULL,
    count      INTEGER NOT NULL DEFAULT 1,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    handled_at INTEGER,
    asker      TEXT NOT NULL DEFAULT '',
    UNIQUE (wording, region, asker)
);

INSERT INTO unanswered_by_asker
    (id, wording, region, question, channels, count, first_seen, last_seen, handled_at, asker)
SELECT id, wording, region, question, channels, count, first_seen, last_seen, handled_at,
       CASE WHEN user_id = '' THEN '' ELSE 'clear:' || user_channel || ':' || user_id END
FROM unanswered;

DROP TABLE unanswered;
ALTER TABLE unanswered_by_asker RENAME TO unanswered;

CREATE INDEX unanswered_by_asker ON unanswered (asker) WHERE asker <> '';
