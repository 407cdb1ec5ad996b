-- Four eyes: the run that spent each approval, kept beside the log so that the writer refuses a
-- second run of one approval (and a run of a proposal nobody approved) without replaying it.
-- Written only in the transaction that stores the run record it follows from; one run per
-- proposal (the key). `seq` is the run record's number.
CREATE TABLE runs (
    proposal INTEGER PRIMARY KEY,
    officer TEXT NOT NULL,
    seq INTEGER NOT NULL
);
-- Runs stored before this version: the first run of each proposal in the log is the one that
-- spent it, as desks have always read it.
-- (The CASE keeps json_extract off webhooks, whose payloads are Treezor's and may not be JSON.)
INSERT INTO runs (proposal, officer, seq)
SELECT proposal, officer, min(seq)
  FROM (SELECT CASE WHEN webhook = 'team.run' THEN json_extract(payload, '$.proposal') END
               AS proposal, officer, seq
          FROM events
         WHERE webhook = 'team.run' AND officer IS NOT NULL)
 WHERE proposal IS NOT NULL
 GROUP BY proposal;
