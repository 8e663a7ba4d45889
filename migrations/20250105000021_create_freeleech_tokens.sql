-- Freeleech tokens: a member spends one on a torrent to download it without it counting, for a
-- limited time (24-72 hours typically); tracks activation, expiry, bytes downloaded under it, and
-- completion. The tracker's shared memory holds (user, torrent) -> expiry for the active ones.

CREATE TABLE freeleech_tokens (
    id                       UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id                  UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    torrent_id               UUID REFERENCES torrents (id) ON DELETE CASCADE,   -- NULL until activated
    status                   TEXT NOT NULL DEFAULT 'available'
                             CHECK (status IN ('available', 'active', 'expired', 'used', 'revoked')),
    source                   TEXT NOT NULL DEFAULT 'purchase' CHECK (source IN ('purchase', 'award', 'admin', 'achievement', 'event')),
    duration_hours           INTEGER NOT NULL DEFAULT 48 CHECK (duration_hours BETWEEN 1 AND 720),
    activated_at             TIMESTAMPTZ,
    expires_at               TIMESTAMPTZ,
    downloaded_while_active  BIGINT NOT NULL DEFAULT 0 CHECK (downloaded_while_active >= 0),
    completed_at             TIMESTAMPTZ,
    bonus_transaction_id     UUID REFERENCES bonus_transactions (id) ON DELETE SET NULL,
    granted_by               UUID REFERENCES users (id) ON DELETE SET NULL,
    revoked_by               UUID REFERENCES users (id) ON DELETE SET NULL,
    revoked_at               TIMESTAMPTZ,
    created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT freeleech_tokens_activation CHECK (
        status = 'available' OR status = 'revoked' OR (torrent_id IS NOT NULL AND activated_at IS NOT NULL AND expires_at IS NOT NULL)),
    CONSTRAINT freeleech_tokens_expiry_after_activation CHECK (expires_at IS NULL OR activated_at IS NULL OR expires_at > activated_at)
);

-- One active token per member and torrent.
CREATE UNIQUE INDEX freeleech_tokens_one_active ON freeleech_tokens (user_id, torrent_id) WHERE status = 'active';
CREATE INDEX freeleech_tokens_user_idx ON freeleech_tokens (user_id, status);
CREATE INDEX freeleech_tokens_torrent_idx ON freeleech_tokens (torrent_id) WHERE torrent_id IS NOT NULL;
CREATE INDEX freeleech_tokens_expiry_idx ON freeleech_tokens (expires_at) WHERE status = 'active';
CREATE INDEX freeleech_tokens_available_idx ON freeleech_tokens (user_id, created_at) WHERE status = 'available';
CREATE INDEX freeleech_tokens_transaction_idx ON freeleech_tokens (bonus_transaction_id) WHERE bonus_transaction_id IS NOT NULL;
CREATE INDEX freeleech_tokens_granted_by_idx ON freeleech_tokens (granted_by) WHERE granted_by IS NOT NULL;
CREATE INDEX freeleech_tokens_revoked_by_idx ON freeleech_tokens (revoked_by) WHERE revoked_by IS NOT NULL;

ALTER TABLE peers ADD CONSTRAINT peers_freeleech_token_id_fkey
    FOREIGN KEY (freeleech_token_id) REFERENCES freeleech_tokens (id) ON DELETE SET NULL;
