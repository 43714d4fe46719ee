-- Reminders of the user's own tasks (issue 17: `12月20号提醒我带我妈去复查`). Until now every
-- reminder belonged to an application (application_id NOT NULL). The smallest honest design is
-- to let a reminder stand without one: the same table, the same worker, lease, send window,
-- "sent once" state, web parking, /reminders listing and /forget erasure (by channel and user)
-- then apply to it unchanged. A second table would have needed a second copy of all of that.
-- `task` is the short task said (复查, 开诊断证明 …): a word from the content list or the
-- user's own words cut to a few characters with names and ID numbers masked; NULL for the
-- reminders of applications. kind = 'task' for these.
--
-- SQLite cannot drop NOT NULL in place: the table is rebuilt with the same columns, ids and
-- indexes, and its AUTOINCREMENT counter is carried over so that the id of a deleted reminder
-- (stamped into an old button) is never given to a new one.
CREATE TABLE reminders_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER REFERENCES applications (id) ON DELETE CASCADE,
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
    task           TEXT,
    UNIQUE (application_id, kind, due_at)
);
INSERT INTO reminders_new (id, application_id, channel, user_id, kind, due_at, state, claimed_by,
                           claimed_until, attempts, last_error, sent_at)
    SELECT id, application_id, channel, user_id, kind, due_at, state, claimed_by,
           claimed_until, attempts, last_error, sent_at
    FROM reminders;
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'reminders_new', seq FROM sqlite_sequence WHERE name = 'reminders'
    AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'reminders_new');
UPDATE sqlite_sequence
    SET seq = (SELECT MAX(seq) FROM sqlite_sequence WHERE name IN ('reminders', 'reminders_new'))
    WHERE name = 'reminders_new';
DROP TABLE reminders;
ALTER TABLE reminders_new RENAME TO reminders;
CREATE INDEX reminders_due ON reminders (state, channel, due_at);
CREATE INDEX reminders_by_user ON reminders (channel, user_id);
