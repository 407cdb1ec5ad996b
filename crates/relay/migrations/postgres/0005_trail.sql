-- The team's audit trail: one keyed hash chain of every team record the hub stored and every
-- entry desks sent of their own audit. Never pruned by retention. `entry_id` is unique: a team
-- record's stored id, or a desk entry's id joined to its author, so a retry is stored once.
-- The MACs are computed by the relay with the hub's trail key, which is never in this database.
--
-- Entries are numbered under the log's append lock (pg_advisory_xact_lock(4846191140421633),
-- see 0001), taken before the trail's head is read and held until commit: a team record and its
-- entry commit together, and two instances never chain two entries to the same one.
CREATE TABLE trail (
    seq bigint PRIMARY KEY,
    entry_id text NOT NULL CONSTRAINT trail_entry_id_unique UNIQUE,
    at bigint NOT NULL,
    officer text NOT NULL,
    action text NOT NULL,
    outcome text NOT NULL,
    user_id text,
    document_id text,
    detail text NOT NULL,
    occurred_at bigint,
    feed_seq bigint,
    prev_mac text NOT NULL,
    mac text NOT NULL
);
CREATE INDEX trail_user ON trail (user_id);
CREATE INDEX trail_officer ON trail (officer);
