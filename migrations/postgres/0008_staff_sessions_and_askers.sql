-- PostgreSQL twin of migrations/sqlite/0008: staff sessions and login attempts in the database,
-- and every unanswered question linked to its asker by a keyed hash. Times are Unix seconds.
CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    name       TEXT NOT NULL REFERENCES staff (name) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    seen_at    BIGINT NOT NULL
);
CREATE INDEX staff_sessions_by_name ON staff_sessions (name);

CREATE TABLE staff_logins (
    account TEXT NOT NULL,
    addr    TEXT NOT NULL,
    at      BIGINT NOT NULL,
    ok      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX staff_logins_by_account ON staff_logins (account, at);
CREATE INDEX staff_logins_by_addr ON staff_logins (addr, at);

-- The asker key: 32 random bytes. Core PostgreSQL has no randomblob(); gen_random_uuid() (core
-- since 13) draws from the server's strong random source, and two of them make 32 bytes (244
-- of the 256 bits random: each UUID fixes 6 version bits).
INSERT INTO server_keys (name, secret, created_at)
VALUES ('unanswered_asker',
        decode(replace(CAST(gen_random_uuid() AS TEXT), '-', '')
               || replace(CAST(gen_random_uuid() AS TEXT), '-', ''), 'hex'),
        to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
ON CONFLICT DO NOTHING;

-- Rows linked in clear before keep that link as 'clear:<channel>:<id>'; unlinked rows ''.
ALTER TABLE unanswered ADD COLUMN asker TEXT NOT NULL DEFAULT '';
UPDATE unanswered SET asker = 'clear:' || user_channel || ':' || user_id WHERE user_id <> '';
ALTER TABLE unanswered DROP CONSTRAINT unanswered_wording_region_user;
ALTER TABLE unanswered DROP COLUMN user_channel;
ALTER TABLE unanswered DROP COLUMN user_id;
ALTER TABLE unanswered ADD CONSTRAINT unanswered_wording_region_asker UNIQUE (wording, region, asker);

CREATE INDEX unanswered_by_asker ON unanswered (asker) WHERE asker <> '';
