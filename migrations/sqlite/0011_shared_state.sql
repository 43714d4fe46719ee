-- State that several instances on one database share (issue 19 item 2). Times are Unix
-- milliseconds (UTC), so a lease of a few seconds can be renewed well before it runs out.

-- Leases: who does a job that only one instance may do at a time (Telegram long polling,
-- refreshing the WeChat access token). A holder renews before `until_ms`; once it has passed,
-- anyone may take the lease over (the holder died or hangs).
CREATE TABLE leases (
    name     TEXT PRIMARY KEY,
    holder   TEXT NOT NULL,
    until_ms INTEGER NOT NULL
);

-- Values every instance reads and one writes under a lease: the WeChat access token (fetching a
-- new one invalidates the old one at WeChat, so each instance must not keep its own).
CREATE TABLE shared_values (
    name     TEXT PRIMARY KEY,
    value    TEXT NOT NULL,
    until_ms INTEGER NOT NULL
);

-- The buttons last offered to a WeChat user (JSON array of [label, data]), so that "2" means
-- the second of them whichever instance the next message reaches.
CREATE TABLE wechat_offered (
    openid  TEXT PRIMARY KEY,
    choices TEXT NOT NULL,
    at_ms   INTEGER NOT NULL
);
CREATE INDEX wechat_offered_by_age ON wechat_offered (at_ms);

-- Telegram messages whose inline keyboard was used, so a second tap is refused by whichever
-- instance the webhook delivers it to.
CREATE TABLE telegram_used_keyboards (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    at_ms      INTEGER NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX telegram_used_keyboards_by_age ON telegram_used_keyboards (at_ms);
