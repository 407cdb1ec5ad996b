-- Four eyes: the verdict given on each proposal, kept beside the log so that an instance decides
-- the next approval or rejection without replaying it. Written only in the transaction that
-- stores the approve or reject record it follows from, under the append lock (4846191140421633,
-- see 0001), so that of two answers to one proposal at once, on any instances, the second sees
-- the first; one verdict per proposal (the key). The proposal itself is read from `events` by its
-- number. `seq` is the verdict record's number.
CREATE TABLE verdicts (
    proposal bigint PRIMARY KEY,
    verdict text NOT NULL,
    officer text NOT NULL,
    seq bigint NOT NULL
);
