-- Schema version 8 (the hub trail's witness): the longest team trail this desk has seen each hub
-- hold, from the numbers the hub gave this desk's entries and from its intact verifications. The
-- hub's own chain cannot show that entries were cut from its end (what remains still verifies);
-- a desk that saw entry `seq` and is later told the trail ends before it can.
CREATE TABLE hub_trail_witness (
    hub TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    seen_at INTEGER NOT NULL
) WITHOUT ROWID;
