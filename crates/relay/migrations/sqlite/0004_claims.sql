-- Who holds each case: the claims the log decided, kept beside it so that the writer decides the
-- next claim record without replaying the log. Changed only in the transaction that stores the
-- claim record it follows from. Times are microseconds since the epoch; a row whose
-- last_activity is older than the hub's claim lapse is a lapsed claim, as good as none.
CREATE TABLE claims (
    user_id INTEGER PRIMARY KEY,
    holder TEXT NOT NULL,
    since INTEGER NOT NULL,
    last_activity INTEGER NOT NULL
);
