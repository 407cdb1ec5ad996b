-- Schema version 8: who holds each case, as the hub decided. The hub stores only the claim
-- records it accepted, so applying them in the feed's order (`kyc::claim::accepted`) gives every
-- desk the holder the hub has; `seq` is the record the row follows from. A row whose holder has
-- been inactive longer than the hub's lapse is kept and read as no claim: the lapse is a reading
-- of the clock, not an event. The migration's hook replays the claim records an older file
-- already holds in `team_records`.
CREATE TABLE claims (
    user_id INTEGER PRIMARY KEY,
    holder TEXT NOT NULL,
    since INTEGER NOT NULL,
    last_activity INTEGER NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX claims_by_holder ON claims (holder, last_activity);

-- The hub's rules as it last told them (`GET /v1/me`): one row once it has, so that a desk cut
-- off from the hub still reads a claim's lapse by the hub's own time.
CREATE TABLE hub_rules (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    claim_lapse_seconds INTEGER NOT NULL
);
