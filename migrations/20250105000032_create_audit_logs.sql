-- The audit trail of every privileged or security-relevant action: who (actor, IP, user agent),
-- what (action on a polymorphic entity), the before/after changes and metadata as JSONB, the
-- request id for correlation, and whether it succeeded. Partitioned by month on created_at.

CREATE TABLE audit_logs (
    id             BIGINT GENERATED ALWAYS AS IDENTITY,
    actor_id       UUID REFERENCES users (id) ON DELETE SET NULL,
    actor_ip       INET,
    user_agent     TEXT,
    action         TEXT NOT NULL CHECK (action ~ '^[a-z0-9_.]+$'),   -- e.g. 'torrent.approve', 'user.group_change'
    entity_type    TEXT,
    entity_id      UUID,
    changes        JSONB NOT NULL DEFAULT '{}'::jsonb,   -- {"field": {"old": ..., "new": ...}}
    metadata       JSONB NOT NULL DEFAULT '{}'::jsonb,
    request_id     UUID,
    success        BOOLEAN NOT NULL DEFAULT true,
    error_message  TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

CREATE INDEX audit_logs_actor_idx ON audit_logs (actor_id, created_at DESC);
CREATE INDEX audit_logs_entity_idx ON audit_logs (entity_type, entity_id, created_at DESC);
CREATE INDEX audit_logs_action_idx ON audit_logs (action, created_at DESC);
CREATE INDEX audit_logs_created_at_idx ON audit_logs (created_at);
CREATE INDEX audit_logs_request_idx ON audit_logs (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX audit_logs_failures_idx ON audit_logs (created_at DESC) WHERE NOT success;
CREATE INDEX audit_logs_actor_ip_idx ON audit_logs (actor_ip) WHERE actor_ip IS NOT NULL;
CREATE INDEX audit_logs_changes_idx ON audit_logs USING gin (changes jsonb_path_ops);
CREATE INDEX audit_logs_metadata_idx ON audit_logs USING gin (metadata jsonb_path_ops);

CREATE TABLE audit_logs_default PARTITION OF audit_logs DEFAULT;
SELECT create_monthly_partitions('audit_logs', (now() AT TIME ZONE 'UTC')::date, 2);
