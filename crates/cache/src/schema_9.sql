-- Schema version 9 (deadlines): when each case entered its state, when it is due under the
-- team's deadlines, and those deadlines as the hub last served them.
--
-- `state_since` is set for the states a deadline may apply to (see `kyc::deadline`), empty
-- otherwise. `due_at` is `state_since` plus the state's deadline, or the largest integer when the
-- state has none: a value, never NULL, so that the (key, user_id) keyset of the queue's paging
-- holds for this sort as for the others, and cases without a deadline sort after every due one.
-- The hook of this version fills both for the cases already stored.
ALTER TABLE users ADD COLUMN state_since INTEGER;
ALTER TABLE users ADD COLUMN due_at INTEGER NOT NULL DEFAULT 9223372036854775807;
CREATE INDEX users_by_due ON users (due_at);
CREATE INDEX users_by_state_due ON users (state, due_at);

-- The team's deadlines by state code, in seconds: the defaults until the hub serves others.
CREATE TABLE deadlines (
    state INTEGER PRIMARY KEY,
    seconds INTEGER NOT NULL
);
INSERT INTO deadlines (state, seconds) VALUES (1, 900), (5, 86400), (10, 172800);
