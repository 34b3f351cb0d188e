-- 0001: the tables of SPEC.md (Data model). Every message keeps its origin:
-- (source, source_id) is its natural key.

CREATE TABLE regions (
    region_code VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    name_en     VARCHAR,
    level       VARCHAR NOT NULL CHECK (level IN ('province', 'city', 'county')),
    parent_code VARCHAR
);

CREATE TABLE departments (
    department_id VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    name_en       VARCHAR,
    region_code   VARCHAR
);

-- sources records how each source's deadlines are counted, so metrics can be
-- recomputed from the database alone.
CREATE TABLE sources (
    name      VARCHAR PRIMARY KEY,
    profile   VARCHAR NOT NULL,
    time_zone VARCHAR NOT NULL DEFAULT 'Asia/Shanghai',
    sla_days  INTEGER NOT NULL DEFAULT 15,
    workdays  BOOLEAN NOT NULL DEFAULT true,
    snapshot  BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE runs (
    run_id           BIGINT PRIMARY KEY,
    source           VARCHAR NOT NULL,
    started_at       TIMESTAMPTZ NOT NULL,
    finished_at      TIMESTAMPTZ,
    input_name       VARCHAR,
    sha256           VARCHAR,
    rows_read        BIGINT NOT NULL DEFAULT 0,
    inserted         BIGINT NOT NULL DEFAULT 0,
    updated          BIGINT NOT NULL DEFAULT 0,
    unchanged        BIGINT NOT NULL DEFAULT 0,
    rejected         BIGINT NOT NULL DEFAULT 0,
    deleted_detected BIGINT NOT NULL DEFAULT 0,
    status           VARCHAR NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
    error            VARCHAR
);

CREATE TABLE messages (
    source              VARCHAR NOT NULL,
    source_id           VARCHAR NOT NULL,
    channel             VARCHAR,
    region_code         VARCHAR,
    department_id       VARCHAR,
    category            VARCHAR,
    kind                VARCHAR,
    title               VARCHAR,
    body                VARCHAR,
    author_key          VARCHAR,
    posted_at           TIMESTAMPTZ NOT NULL,
    first_reply_at      TIMESTAMPTZ,
    closed_at           TIMESTAMPTZ,
    status              VARCHAR NOT NULL CHECK (status IN ('open', 'replied', 'closed', 'deleted')),
    rating              VARCHAR CHECK (rating IN ('satisfied', 'basic', 'unsatisfied')),
    rated_at            TIMESTAMPTZ,
    likes               INTEGER,
    dislikes            INTEGER,
    first_seen_run      BIGINT NOT NULL,
    last_seen_run       BIGINT NOT NULL,
    deleted_detected_at TIMESTAMPTZ,
    row_hash            VARCHAR NOT NULL,
    PRIMARY KEY (source, source_id)
);

CREATE TABLE replies (
    source     VARCHAR NOT NULL,
    source_id  VARCHAR NOT NULL,
    seq        INTEGER NOT NULL,
    replied_at TIMESTAMPTZ NOT NULL,
    department_id VARCHAR,
    body       VARCHAR,
    kind       VARCHAR NOT NULL CHECK (kind IN ('official', 'follow_up', 'citizen_follow_up')),
    PRIMARY KEY (source, source_id, seq)
);

CREATE TABLE ratings (
    source    VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    seq       INTEGER NOT NULL,
    rated_at  TIMESTAMPTZ NOT NULL,
    rating    VARCHAR NOT NULL CHECK (rating IN ('satisfied', 'basic', 'unsatisfied')),
    PRIMARY KEY (source, source_id, seq)
);

CREATE TABLE rejects (
    run_id     BIGINT NOT NULL,
    source     VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    raw        VARCHAR NOT NULL,
    reason     VARCHAR NOT NULL
);

-- meta holds facts about the whole database, such as whether it holds demo data.
CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
