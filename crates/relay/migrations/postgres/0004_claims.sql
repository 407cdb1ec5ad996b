-- Who holds each case: the claims the log decided, kept beside it so that an instance decides the
-- next claim record without replaying the log. Changed only in the transaction that stores the
-- claim record it follows from, under the append lock (4846191140421633, see 0001), so that of
-- two claims on one case at once, on any instances, the second sees the first. Times are
-- microseconds since the epoch; a row whose last_activity is older than the hub's claim lapse is
-- a lapsed claim, as good as none.
CREATE TABLE claims (
    user_id bigint PRIMARY KEY,
    holder text NOT NULL,
    since bigint NOT NULL,
    last_activity bigint NOT NULL
);
