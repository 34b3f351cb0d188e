-- The macros setbased_classify.sql reads a row's text with, as the row
-- path reads it (tabular.go).

-- The row path's strings.TrimSpace, then "null" in any case is empty. The
-- trim with a set of characters is slow, so it runs only on the values
-- that start or end with one of them (the set: unicode.IsSpace).
CREATE OR REPLACE TEMP MACRO _fws() AS chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || chr(32) || chr(133) || chr(160)
    || chr(5760) || chr(8192) || chr(8193) || chr(8194) || chr(8195) || chr(8196) || chr(8197) || chr(8198) || chr(8199)
    || chr(8200) || chr(8201) || chr(8202) || chr(8232) || chr(8233) || chr(8239) || chr(8287) || chr(12288);
CREATE OR REPLACE TEMP MACRO _ftrim(v) AS CASE
    WHEN v <> '' AND (contains(_fws(), left(v, 1)) OR contains(_fws(), right(v, 1))) THEN trim(v, _fws()) ELSE v END;
CREATE OR REPLACE TEMP MACRO _fnull(t) AS CASE WHEN strlen(t) = 4 AND lower(t) = 'null' THEN '' ELSE t END;

-- A time in one of the forms this SQL reads exactly as ParseTime does (the
-- first of CommonLayouts that fits): RFC 3339 with Z or an offset, and
-- zone-less 2006-01-02T15:04:05, 2006-01-02 15:04:05, 2006-01-02 15:04
-- and 2006-01-02 in the source's zone, which is the session's TimeZone
-- here (a constant zone: ICU is not asked row by row). NULL for '' and for
-- anything else (another form, a fraction of a second, an impossible date).
CREATE OR REPLACE TEMP MACRO _ftime(v) AS CASE
    WHEN regexp_full_match(v, '\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z')
        THEN to_timestamp(epoch(try_strptime(left(v, 19), '%Y-%m-%dT%H:%M:%S')))
    WHEN regexp_full_match(v, '\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]([01]\d|2[0-3]):[0-5]\d')
        THEN to_timestamp(epoch(try_strptime(left(v, 19), '%Y-%m-%dT%H:%M:%S'))
            - (CASE WHEN substr(v, 20, 1) = '-' THEN -1 ELSE 1 END)
              * (3600 * CAST(substr(v, 21, 2) AS INTEGER) + 60 * CAST(substr(v, 24, 2) AS INTEGER)))
    WHEN regexp_full_match(v, '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}')
        THEN CAST(try_strptime(replace(v, 'T', ' '), '%Y-%m-%d %H:%M:%S') AS TIMESTAMPTZ)
    WHEN regexp_full_match(v, '\d{4}-\d{2}-\d{2} \d{2}:\d{2}')
        THEN CAST(try_strptime(v, '%Y-%m-%d %H:%M') AS TIMESTAMPTZ)
    WHEN regexp_full_match(v, '\d{4}-\d{2}-\d{2}')
        THEN CAST(try_strptime(v, '%Y-%m-%d') AS TIMESTAMPTZ)
    END;

-- Whether t is more than a day from any change of the zone's offset
-- (_funsteady, made by Go from its time zone database, says whether a day
-- is near one): a local time near a daylight-saving change (one that does
-- not exist, or exists twice) is left to the row path, whose choice is Go's.
CREATE OR REPLACE TEMP MACRO _fsteady(t) AS t IS NULL OR NOT _funsteady(CAST(floor(epoch(t) / 86400) AS BIGINT));

-- A field as rowHash writes it: its length in bytes, a colon, its text.
CREATE OR REPLACE TEMP MACRO _fh(v) AS concat(strlen(coalesce(v, '')), ':', coalesce(v, ''));
