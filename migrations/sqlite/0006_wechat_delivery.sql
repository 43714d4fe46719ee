-- WeChat (issue 16; version 6).
--
-- Signed request URLs already used within the timestamp window (store::wechat). WeChat signs
-- only token, timestamp and nonce, not the body, so a URL seen once could carry any other
-- message; remembering it in the database (not in one process) refuses that on every instance
-- sharing the file. `digest` is the SHA-1 of the signed-for body: WeChat's resend of the same
-- message carries the same one and is let through to the MsgId dedupe. Nothing about a user.
CREATE TABLE wechat_nonces (
    timestamp INTEGER NOT NULL,
    nonce     TEXT NOT NULL,
    digest    TEXT NOT NULL,
    PRIMARY KEY (timestamp, nonce)
) WITHOUT ROWID;

-- WeChat's rows of the outbox: the message they answer (processed_updates' key), when one was
-- given as the passive reply (kept a few minutes so a resend of a lost reply gets it again), and
-- when a sender took it for the customer-service API (a lease: a crashed sender's rows are
-- taken over once it is stale). Unix milliseconds; NULL on the rows of other channels.
ALTER TABLE outbox ADD COLUMN update_id INTEGER;
ALTER TABLE outbox ADD COLUMN answered_at INTEGER;
ALTER TABLE outbox ADD COLUMN leased_at INTEGER;
