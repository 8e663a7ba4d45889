-- Announce history: one row per announce the tracker accepted (event, counters, raw and credited
-- deltas), partitioned by month on created_at so old months can be archived or dropped whole.
-- Also defines the partition maintenance used by every time-partitioned table: monthly partitions
-- named <table>_pYYYYMM (UTC months) and a DEFAULT partition, so an insert never fails even when
-- the maintenance job has not run; rows that fell into DEFAULT move to their month when it is made.

CREATE OR REPLACE FUNCTION create_monthly_partitions(parent regclass, first_month date, months integer DEFAULT 2)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    parent_schema text;
    parent_name   text;
    key_column    text;
    default_part  regclass;
    month_start   date;
    part_name     text;
    lower_bound   timestamptz;
    upper_bound   timestamptz;
    created       integer := 0;
BEGIN
    SELECT n.nspname, c.relname INTO parent_schema, parent_name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;

    SELECT a.attname INTO key_column
    FROM pg_partitioned_table pt
    JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
    WHERE pt.partrelid = parent AND pt.partstrat = 'r' AND pt.partnatts = 1;
    IF key_column IS NULL THEN
        RAISE EXCEPTION 'create_monthly_partitions: % is not range-partitioned on one column', parent;
    END IF;

    SELECT i.inhrelid::regclass INTO default_part
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = parent AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT';

    FOR i IN 0 .. months - 1 LOOP
        month_start := (date_trunc('month', first_month) + make_interval(months => i))::date;
        part_name   := format('%s_p%s', parent_name, to_char(month_start, 'YYYYMM'));
        CONTINUE WHEN to_regclass(format('%I.%I', parent_schema, part_name)) IS NOT NULL;
        lower_bound := month_start::timestamp AT TIME ZONE 'UTC';
        upper_bound := (month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC';

        -- Built apart and attached, rather than CREATE ... PARTITION OF, so that rows of this month
        -- already in the DEFAULT partition can be moved first (attaching would otherwise fail).
        EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                       parent_schema, part_name, parent);
        IF default_part IS NOT NULL THEN
            EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING *) '
                           'INSERT INTO %I.%I SELECT * FROM moved',
                           default_part, key_column, lower_bound, key_column, upper_bound, parent_schema, part_name);
        END IF;
        EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
                       parent, parent_schema, part_name, lower_bound, upper_bound);
        created := created + 1;
    END LOOP;
    RETURN created;
END;
$$;

COMMENT ON FUNCTION create_monthly_partitions(regclass, date, integer) IS
    'Creates the monthly partitions <table>_pYYYYMM of a table range-partitioned on one timestamptz column, '
    'for `months` months from first_month (UTC), moving matching rows out of its DEFAULT partition. '
    'Returns how many it created; existing ones are left alone.';

-- What the maintenance job calls (daily): the current and the next months_ahead - 1 months of every
-- time-partitioned table in this schema.
CREATE OR REPLACE FUNCTION create_upcoming_partitions(months_ahead integer DEFAULT 2)
RETURNS integer
LANGUAGE sql AS $$
    SELECT coalesce(sum(create_monthly_partitions(pt.partrelid::regclass,
                                                  (now() AT TIME ZONE 'UTC')::date, months_ahead)), 0)::integer
    FROM pg_partitioned_table pt
    JOIN pg_class c ON c.oid = pt.partrelid
    WHERE c.relnamespace = current_schema()::regnamespace AND pt.partstrat = 'r' AND NOT c.relispartition;
$$;

CREATE TABLE announces (
    id                      BIGINT GENERATED ALWAYS AS IDENTITY,
    torrent_id              UUID NOT NULL REFERENCES torrents (id) ON DELETE CASCADE,
    user_id                 UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    peer_id                 BYTEA NOT NULL CHECK (octet_length(peer_id) = 20),
    ip                      INET NOT NULL,
    port                    INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),
    event                   TEXT NOT NULL DEFAULT 'none' CHECK (event IN ('none', 'started', 'completed', 'stopped', 'paused')),
    uploaded                BIGINT NOT NULL CHECK (uploaded >= 0),
    downloaded              BIGINT NOT NULL CHECK (downloaded >= 0),
    left_bytes              BIGINT NOT NULL CHECK (left_bytes >= 0),
    uploaded_delta          BIGINT NOT NULL DEFAULT 0 CHECK (uploaded_delta >= 0),
    downloaded_delta        BIGINT NOT NULL DEFAULT 0 CHECK (downloaded_delta >= 0),
    uploaded_credited       BIGINT NOT NULL DEFAULT 0 CHECK (uploaded_credited >= 0),
    downloaded_credited     BIGINT NOT NULL DEFAULT 0 CHECK (downloaded_credited >= 0),
    numwant                 INTEGER CHECK (numwant IS NULL OR numwant >= 0),
    protocol                TEXT NOT NULL DEFAULT 'udp' CHECK (protocol IN ('udp', 'http')),
    client                  TEXT,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

CREATE INDEX announces_torrent_idx ON announces (torrent_id, created_at DESC);
CREATE INDEX announces_user_idx ON announces (user_id, created_at DESC);
CREATE INDEX announces_created_at_idx ON announces (created_at);
CREATE INDEX announces_ip_idx ON announces (ip);
CREATE INDEX announces_events_idx ON announces (event, created_at) WHERE event <> 'none';

CREATE TABLE announces_default PARTITION OF announces DEFAULT;
SELECT create_monthly_partitions('announces', (now() AT TIME ZONE 'UTC')::date, 2);
