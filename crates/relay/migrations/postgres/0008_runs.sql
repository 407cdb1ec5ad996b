-- Four eyes: the run that spent each approval, kept beside the log so that an instance refuses a
-- second run of one approval (and a run of a proposal nobody approved) without replaying it.
-- Written only in the transaction that stores the run record it follows from, under the append
-- lock (4846191140421633, see 0001), so that of two runs of one approval at once, on any
-- instances, the second sees the first; one run per proposal (the key). `seq` is the run
-- record's number.
CREATE TABLE runs (
    proposal bigint PRIMARY KEY,
    officer text NOT NULL,
    seq bigint NOT NULL
);
-- Runs stored before this version: the first run of each proposal in the log is the one that
-- spent it, as desks have always read it.
-- (The CASE keeps the cast off webhooks, whose payloads are Treezor's and may not be JSON.)
INSERT INTO runs (proposal, officer, seq)
SELECT DISTINCT ON (proposal) proposal, officer, seq
  FROM (SELECT CASE WHEN webhook = 'team.run'
                    THEN (payload::jsonb ->> 'proposal')::bigint END AS proposal, officer, seq
          FROM events
         WHERE webhook = 'team.run' AND officer IS NOT NULL) r
 WHERE proposal IS NOT NULL
 ORDER BY proposal, seq;
