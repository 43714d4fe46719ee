-- Staff roles and content changes made from the console (issue 18 item 3). Times are Unix
-- seconds (UTC).

-- What an account may do: 'staff' (search, lists, hand-offs) or 'editor' (also change FAQ
-- content from the unanswered list). Existing accounts keep the plain role.
ALTER TABLE staff ADD COLUMN role TEXT NOT NULL DEFAULT 'staff';

-- Every content change made from the console: who, when, what (the YAML item appended to the
-- region's staff-additions file), and the unanswered question it answered.
CREATE TABLE content_changes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    staff         TEXT NOT NULL,
    at            INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    region        TEXT NOT NULL,
    entry_id      TEXT NOT NULL,
    question      TEXT NOT NULL,
    file          TEXT NOT NULL,
    item          TEXT NOT NULL,
    unanswered_id INTEGER
);
CREATE INDEX content_changes_by_at ON content_changes (at);

-- The FAQ entry that now answers an unanswered question (set with handled_at when staff turned
-- it into an answer; NULL for questions closed with “已处理”).
ALTER TABLE unanswered ADD COLUMN answered_by TEXT;
