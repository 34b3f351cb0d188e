-- 0008: the substance of every department reply (issue 14), as package
-- substance classifies it, and the template cluster it belongs to.
--
-- ingest.RefreshReplyQuality keeps it up to date after every load and at
-- every start: a reply with no row, whose texts changed (body_hash) or that
-- was classified by an older substance.Version is classified again, and
-- every department that had a reply (re)classified is clustered again as a
-- whole. Rows exist for the replies of kind official and follow_up only (a
-- citizen's follow-up is not an answer). No text is stored: the class and
-- its signals only, so nothing here needs masking.
CREATE TABLE IF NOT EXISTS reply_quality (
    source        VARCHAR NOT NULL,
    source_id     VARCHAR NOT NULL,
    seq           INTEGER NOT NULL,
    department_id VARCHAR,          -- coalesce(reply's department, message's department)
    body_hash     VARCHAR NOT NULL, -- hash of the reply body + message text the result was computed from
    version       INTEGER NOT NULL, -- substance.Version
    text_class    VARCHAR NOT NULL, -- Classify's class: ack, forwarded, substantive
    class         VARCHAR NOT NULL CHECK (class IN ('ack', 'forwarded', 'template', 'substantive')),
    reason        VARCHAR,          -- code; 'template' when clustering made it template
    core_chars    INTEGER NOT NULL,
    evidence      INTEGER NOT NULL,
    relevance     DOUBLE NOT NULL,
    simhash       UBIGINT NOT NULL,
    cluster_id    VARCHAR NOT NULL, -- 16 hex digits, stable: FNV-64a of department_id + the simhash of the cluster's
                                    -- earliest reply (by replied_at, source, source_id, seq)
    cluster_size  INTEGER NOT NULL, -- replies of the department in the cluster
    PRIMARY KEY (source, source_id, seq)
);
