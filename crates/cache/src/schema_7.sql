-- Schema version 7 (the trail's outbox): how far each hub's team trail has this desk's audit
-- entries. The audit log is append-only and numbered, so it is its own queue: the entries after
-- `sent_through` that name `officer` are still to be sent to `hub` (its origin), in order. A row
-- is moved on only after the hub answered for the entry, in the transaction that says so: a
-- restart or a dead network resends from there, and the hub stores a resent entry once.
CREATE TABLE hub_trail_outbox (
    hub TEXT NOT NULL,
    officer TEXT NOT NULL,
    sent_through INTEGER NOT NULL,
    PRIMARY KEY (hub, officer)
) WITHOUT ROWID;
