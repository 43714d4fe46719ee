-- PostgreSQL twin of migrations/sqlite/0007: secret keys every instance on the database shares.
CREATE TABLE server_keys (
    name       TEXT PRIMARY KEY,
    secret     BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
