-- Replies of a committed turn not yet delivered (issue 11; version 4, 0003 is the console's).
-- Written in the turn's transaction and deleted once the channel has delivered them, so a send
-- that fails after the commit is retried at the next start instead of being lost. One row per
-- reply, oldest first by id; `reply` is store::outbox's JSON form of engine::Reply. Delivered
-- rows are deleted (not flagged): they hold what we told the user, which is nobody's business
-- once it has arrived.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    channel    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    reply      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX outbox_by_user ON outbox (channel, user_id);

-- Pruning processed_updates by age (store::sessions::prune_processed_updates).
CREATE INDEX processed_updates_by_time ON processed_updates (processed_at);
