-- The bonus point ledger: every credit and debit with the balance after it, where it came from
-- (rule, torrent, request, transfer between members, staff adjustment) and why.

CREATE TABLE bonus_transactions (
    id                 UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id            UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    amount             NUMERIC(20,4) NOT NULL CHECK (amount <> 0),   -- positive: earned, negative: spent
    balance_after      NUMERIC(20,4) NOT NULL CHECK (balance_after >= 0),
    transaction_type   TEXT NOT NULL CHECK (transaction_type IN ('earned', 'spent', 'admin_adjustment', 'transfer_in',
                                                                  'transfer_out', 'gift', 'bounty', 'bounty_refund',
                                                                  'bounty_reward', 'achievement', 'purchase', 'refund')),
    source             TEXT NOT NULL DEFAULT 'system',
    rule_id            INTEGER REFERENCES bonus_rules (id) ON DELETE SET NULL,
    torrent_id         UUID REFERENCES torrents (id) ON DELETE SET NULL,
    request_id         UUID REFERENCES torrent_requests (id) ON DELETE SET NULL,
    related_user_id    UUID REFERENCES users (id) ON DELETE SET NULL,   -- the other side of a transfer or gift
    admin_id           UUID REFERENCES users (id) ON DELETE SET NULL,
    description        TEXT NOT NULL DEFAULT '',
    metadata           JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT bonus_transactions_sign CHECK (
        (transaction_type IN ('earned', 'transfer_in', 'bounty_refund', 'bounty_reward', 'achievement', 'refund') AND amount > 0) OR
        (transaction_type IN ('spent', 'transfer_out', 'bounty', 'purchase') AND amount < 0) OR
        transaction_type IN ('admin_adjustment', 'gift'))
);

CREATE INDEX bonus_transactions_user_idx ON bonus_transactions (user_id, created_at DESC);
CREATE INDEX bonus_transactions_type_idx ON bonus_transactions (transaction_type, created_at DESC);
CREATE INDEX bonus_transactions_rule_idx ON bonus_transactions (rule_id) WHERE rule_id IS NOT NULL;
CREATE INDEX bonus_transactions_torrent_idx ON bonus_transactions (torrent_id) WHERE torrent_id IS NOT NULL;
CREATE INDEX bonus_transactions_request_idx ON bonus_transactions (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX bonus_transactions_related_user_idx ON bonus_transactions (related_user_id) WHERE related_user_id IS NOT NULL;
CREATE INDEX bonus_transactions_admin_idx ON bonus_transactions (admin_id, created_at DESC) WHERE admin_id IS NOT NULL;
CREATE INDEX bonus_transactions_created_at_idx ON bonus_transactions (created_at);
CREATE INDEX bonus_transactions_metadata_idx ON bonus_transactions USING gin (metadata jsonb_path_ops);
