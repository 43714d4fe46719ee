-- PostgreSQL twin of migrations/sqlite/0006: WeChat's replay window and outbox columns.
CREATE TABLE wechat_nonces (
    timestamp BIGINT NOT NULL,
    nonce     TEXT NOT NULL,
    digest    TEXT NOT NULL,
    PRIMARY KEY (timestamp, nonce)
);

ALTER TABLE outbox ADD COLUMN update_id BIGINT;
ALTER TABLE outbox ADD COLUMN answered_at BIGINT;
ALTER TABLE outbox ADD COLUMN leased_at BIGINT;
