-- Unanswered questions a user consented to keep carry who asked (issue 11 follow-up), so that
-- /forget can delete them; the console never shows these columns. Questions kept without
-- consent name nobody (store::console::keepable_text) and stay unlinked: '' in both columns.
-- SQLite cannot change a UNIQUE constraint in place, so the table is rebuilt.
CREATE TABLE unanswered_linked (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    wording      TEXT NOT NULL,
    region       TEXT NOT NULL DEFAULT '',
    question     TEXT NOT NULL,
    channels     TEXT NOT NULL,
    count        INTEGER NOT NULL DEFAULT 1,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    handled_at   INTEGER,
    user_channel TEXT NOT NULL DEFAULT '',
    user_id      TEXT NOT NULL DEFAULT '',
    UNIQUE (wording, region, user_channel, user_id)
);

INSERT INTO unanswered_linked
    (id, wording, region, question, channels, count, first_seen, last_seen, handled_at)
SELECT id, wording, region, question, channels, count, first_seen, last_seen, handled_at
FROM unanswered;

DROP TABLE unanswered;
ALTER TABLE unanswered_linked RENAME TO unanswered;

CREATE INDEX unanswered_by_user ON unanswered (user_channel, user_id) WHERE user_id <> '';

-- The marker for a withheld question was reworded (store::console::WITHHELD); old rows follow so
-- the console keeps recognising them (no FAQ stub for a withheld question).
UPDATE unanswered
SET question = '原文未保存（含个人信息）', wording = '原文未保存（含个人信息）'
WHERE question = '（原文未保存：含个人信息，用户未同意保存）';
