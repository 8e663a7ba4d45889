-- Outgoing e-mail as a transactional outbox: the request that causes a mail inserts it in its own
-- transaction, and a worker sends pending rows (FOR UPDATE SKIP LOCKED), retrying with back-off.
-- Nothing is lost when the mail server is down and nothing is sent for a rolled-back action.

CREATE TABLE email_outbox (
    id              UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id         UUID REFERENCES users (id) ON DELETE SET NULL,
    to_address      TEXT NOT NULL CHECK (to_address ~ '^[^@\s]+@[^@\s]+$'),
    subject         TEXT NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 255),
    body_text       TEXT NOT NULL,
    body_html       TEXT,
    template        TEXT,   -- e.g. 'verify_email', 'password_reset', 'invite'
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts    INTEGER NOT NULL DEFAULT 8 CHECK (max_attempts > 0),
    last_error      TEXT,
    send_after      TIMESTAMPTZ NOT NULL DEFAULT now(),
    locked_at       TIMESTAMPTZ,
    sent_at         TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT email_outbox_sent_consistent CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);

CREATE INDEX email_outbox_pending_idx ON email_outbox (send_after) WHERE status = 'pending';
CREATE INDEX email_outbox_stuck_idx ON email_outbox (locked_at) WHERE status = 'sending';
CREATE INDEX email_outbox_user_idx ON email_outbox (user_id, created_at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX email_outbox_cleanup_idx ON email_outbox (sent_at) WHERE status = 'sent';
CREATE INDEX email_outbox_failed_idx ON email_outbox (created_at DESC) WHERE status = 'failed';
