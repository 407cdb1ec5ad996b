-- The team's audit trail: one keyed hash chain of every team record the hub stored and every
-- entry desks sent of their own audit. Never pruned by retention. `entry_id` is unique: a team
-- record's stored id, or a desk entry's id joined to its author, so a retry is stored once.
-- The MACs are computed with the hub's trail key, which is never in this database.
CREATE TABLE trail (
    seq INTEGER PRIMARY KEY,
    entry_id TEXT NOT NULL UNIQUE,
    at INTEGER NOT NULL,
    officer TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    user_id TEXT,
    document_id TEXT,
    detail TEXT NOT NULL,
    occurred_at INTEGER,
    feed_seq INTEGER,
    prev_mac TEXT NOT NULL,
    mac TEXT NOT NULL
);
CREATE INDEX trail_user ON trail (user_id);
CREATE INDEX trail_officer ON trail (officer);
