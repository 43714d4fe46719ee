-- Reminders of the user's own tasks (issue 17: `12月20号提醒我带我妈去复查`). Until now every
-- reminder belonged to an application (application_id NOT NULL). The smallest honest design is
-- to let a reminder stand without one: the same table, the same worker, lease, send window,
-- "sent once" state, web parking, /reminders listing and /forget erasure (by channel and user)
-- then apply to it unchanged. A second table would have needed a second copy of all of that.
-- `task` is the short task said (复查, 开诊断证明 …): a word from the content list or the
-- user's own words cut to a few characters with names and ID numbers masked; NULL for the
-- reminders of applications. kind = 'task' for these.
ALTER TABLE reminders ALTER COLUMN application_id DROP NOT NULL;
ALTER TABLE reminders ADD COLUMN task TEXT;
