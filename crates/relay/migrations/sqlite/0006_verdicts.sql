-- Four eyes: the verdict given on each proposal, kept beside the log so that the writer decides
-- the next approval or rejection without replaying it. Written only in the transaction that
-- stores the approve or reject record it follows from; one verdict per proposal (the key), and
-- the proposal itself is read from `events` by its number. `seq` is the verdict record's number.
CREATE TABLE verdicts (
    proposal INTEGER PRIMARY KEY,
    verdict TEXT NOT NULL,
    officer TEXT NOT NULL,
    seq INTEGER NOT NULL
);
