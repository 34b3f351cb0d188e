-- What metrics.sql reads of each message, as one hash: message_facts keeps
-- it (inputs) so the next computation can tell which messages changed
-- (incremental.sql). Every column of messages metrics.sql reads is here;
-- a column added there must be added here (TestIncrementalEqualsFull
-- changes each one). A 64-bit hash: two different rows of one message
-- share it with a chance of one in 2^64.
CREATE OR REPLACE TEMP VIEW _inputs AS
SELECT source, source_id, posted_at,
       hash(region_code, department_id, category, posted_at, first_reply_at, rating, status) AS inputs
FROM messages;
