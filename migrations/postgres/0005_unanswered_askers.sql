-- PostgreSQL twin of migrations/sqlite/0005: unanswered questions linked to who asked, with
-- consent. PostgreSQL changes the UNIQUE constraint in place (SQLite rebuilt the table).
ALTER TABLE unanswered ADD COLUMN user_channel TEXT NOT NULL DEFAULT '';
ALTER TABLE unanswered ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE unanswered DROP CONSTRAINT unanswered_wording_region;
ALTER TABLE unanswered ADD CONSTRAINT unanswered_wording_region_user
    UNIQUE (wording, region, user_channel, user_id);

CREATE INDEX unanswered_by_user ON unanswered (user_channel, user_id) WHERE user_id <> '';

UPDATE unanswered
SET question = '原文未保存（含个人信息）', wording = '原文未保存（含个人信息）'
WHERE question = '（原文未保存：含个人信息，用户未同意保存）';
