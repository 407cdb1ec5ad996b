-- Schema version 10 (the hub trail's witness): what this desk saw of each hub's team trail. `seq`
-- is the furthest entry it saw the trail hold (the numbers the hub gave this desk's entries, and
-- its intact verifications); `verified_seq` and `verified_mac` are the last entry of its last
-- intact verification and that entry's MAC, which stands for the whole chain up to it. The hub's
-- own chain cannot show entries cut from its end (what remains still verifies, and may grow
-- again); a desk that saw more, or another entry at that number, can.
CREATE TABLE hub_trail_witness (
    hub TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    seen_at INTEGER NOT NULL,
    verified_seq INTEGER,
    verified_mac TEXT
) WITHOUT ROWID;
