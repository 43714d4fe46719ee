-- A content form the checker refused (issue 18), kept so that the page after it is a GET
-- (POST-redirect-GET): reloading it shows the same typed text and problems and submits nothing.
-- `body` is the form as JSON; only the account that typed it (`staff`) sees it. Times are Unix
-- seconds (UTC); rows older than a day are deleted when a new one is kept.
CREATE TABLE editor_drafts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    staff      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX editor_drafts_by_created_at ON editor_drafts (created_at);
