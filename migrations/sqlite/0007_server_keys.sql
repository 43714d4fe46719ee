-- Secret keys the server generates once and every instance on this database shares (issue 16):
-- `web_chat` signs the chat page's conversation cookie, so only ids the server issued are used.
-- A key is random bytes from the OS, written by whichever instance needs it first.
CREATE TABLE server_keys (
    name       TEXT PRIMARY KEY,
    secret     BLOB NOT NULL,
    created_at TEXT NOT NULL
);
