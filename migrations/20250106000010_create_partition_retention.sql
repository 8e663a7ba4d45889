-- Retention for the time-partitioned tables (announces, peer_history, audit_logs): drops whole
-- monthly partitions that end on or before a cut-off, which is instant and leaves no bloat, where a
-- DELETE of old rows would rewrite them. Archive a partition first (pg_dump -t <table>_pYYYYMM) if
-- its data must be kept. The DEFAULT partition is never dropped.

CREATE OR REPLACE FUNCTION drop_monthly_partitions_before(parent regclass, cutoff date)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    part      record;
    dropped   integer := 0;
BEGIN
    FOR part IN
        SELECT c.oid::regclass AS name, c.relname
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = parent
          AND c.relname ~ '_p[0-9]{6}$'
          AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
        ORDER BY c.relname
    LOOP
        -- <table>_pYYYYMM holds that UTC month; it ends at the first day of the next month.
        CONTINUE WHEN (to_date(right(part.relname, 6), 'YYYYMM') + interval '1 month')::date > cutoff;
        EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, part.name);
        EXECUTE format('DROP TABLE %s', part.name);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END;
$$;

COMMENT ON FUNCTION drop_monthly_partitions_before(regclass, date) IS
    'Drops the monthly partitions <table>_pYYYYMM of a time-partitioned table whose month ends on or before cutoff; '
    'returns how many. E.g. keep 12 months of announces: '
    'SELECT drop_monthly_partitions_before(''announces'', (date_trunc(''month'', now()) - interval ''12 months'')::date).';
