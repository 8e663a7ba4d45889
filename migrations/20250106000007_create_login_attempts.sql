-- Login attempts, successful or not, for rate limiting (failures per IP and per account in a recent
-- window, both indexed) and for the member's security page. Rows older than the retention window
-- are deleted by the cleanup job.

CREATE TABLE login_attempts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         UUID REFERENCES users (id) ON DELETE CASCADE,   -- NULL: no such account
    username_tried  TEXT NOT NULL CHECK (char_length(username_tried) <= 254),
    ip              INET NOT NULL,
    user_agent      TEXT,
    success         BOOLEAN NOT NULL,
    failure_reason  TEXT CHECK (failure_reason IS NULL OR failure_reason IN
                                ('bad_password', 'unknown_user', 'disabled', 'banned', 'bad_2fa', 'rate_limited', 'unconfirmed')),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT login_attempts_reason_on_failure CHECK (success = (failure_reason IS NULL))
);

CREATE INDEX login_attempts_ip_failures_idx ON login_attempts (ip, created_at DESC) WHERE NOT success;
CREATE INDEX login_attempts_user_idx ON login_attempts (user_id, created_at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX login_attempts_username_idx ON login_attempts (lower(username_tried), created_at DESC) WHERE NOT success;
CREATE INDEX login_attempts_created_at_idx ON login_attempts (created_at);
