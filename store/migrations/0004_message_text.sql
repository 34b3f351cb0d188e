-- 0004: the redacted text of every message, kept beside the raw one. Search
-- runs over this text only, so a query can never confirm a digit that the
-- pages mask (issue 10: six-digit probes recovered masked phone numbers).
-- Rows are refreshed after every load: a message whose row_hash changed, or
-- whose text was redacted by an older rule set (redact_version), is redacted
-- again.

CREATE TABLE message_text (
    source         VARCHAR NOT NULL,
    source_id      VARCHAR NOT NULL,
    row_hash       VARCHAR NOT NULL,  -- messages.row_hash the text was made from
    redact_version INTEGER NOT NULL,
    title          VARCHAR,
    body           VARCHAR,
    -- title and body in lower case, what search matches with contains():
    -- ten times faster than ILIKE over the two columns.
    search         VARCHAR NOT NULL,
    PRIMARY KEY (source, source_id)
);
