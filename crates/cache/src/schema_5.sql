-- Schema version 5: no table changes. Its hook (`rederive.rs`) derives again what the cache
-- derives from its stored webhooks and events, under this version's rules: the AML flag belongs
-- to the person (every attempt counts, not only the current one); a link is never expired on the
-- clock; the documents count as received only once Treezor's list agrees with the
-- document.create webhooks; profiles keep legal names and address fields, and a legal entity is
-- shown by its legal name.
SELECT 1;
