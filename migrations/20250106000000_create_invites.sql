-- Invitations and the invite tree. An invite is a single-use code (only its SHA-256 is stored) sent
-- to an e-mail address; registering with it sets users.invited_by. invite_tree is the transitive
-- closure of invited_by (ancestor, descendant, depth), kept by a trigger, so staff can list or act on
-- a whole branch with one indexed query instead of a recursive walk.

CREATE TABLE invites (
    id           UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    inviter_id   UUID REFERENCES users (id) ON DELETE CASCADE,   -- NULL: issued by the site (staff tool)
    code_hash    BYTEA NOT NULL UNIQUE CHECK (octet_length(code_hash) = 32),
    email        TEXT NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    message      TEXT,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ,
    invitee_id   UUID UNIQUE REFERENCES users (id) ON DELETE SET NULL,
    revoked_at   TIMESTAMPTZ,
    revoked_by   UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT invites_expiry_after_creation CHECK (expires_at > created_at),
    CONSTRAINT invites_used_consistent CHECK (used_at IS NOT NULL OR invitee_id IS NULL)
);

CREATE INDEX invites_inviter_idx ON invites (inviter_id, created_at DESC);
CREATE INDEX invites_pending_idx ON invites (inviter_id, expires_at) WHERE used_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invites_email_idx ON invites (lower(email));
CREATE INDEX invites_revoked_by_idx ON invites (revoked_by) WHERE revoked_by IS NOT NULL;
CREATE INDEX invites_expiry_idx ON invites (expires_at) WHERE used_at IS NULL AND revoked_at IS NULL;

CREATE TABLE invite_tree (
    ancestor_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    descendant_id  UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    depth          INTEGER NOT NULL CHECK (depth >= 0),   -- 0: the user itself, 1: invited directly
    PRIMARY KEY (ancestor_id, descendant_id)
);

CREATE INDEX invite_tree_descendant_idx ON invite_tree (descendant_id, depth);
CREATE INDEX invite_tree_ancestor_depth_idx ON invite_tree (ancestor_id, depth);

-- A new account joins the tree under its inviter; a changed inviter (staff correction) moves the
-- account's whole branch.
CREATE OR REPLACE FUNCTION maintain_invite_tree() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO invite_tree (ancestor_id, descendant_id, depth) VALUES (NEW.id, NEW.id, 0);
    ELSIF NEW.invited_by IS NOT DISTINCT FROM OLD.invited_by THEN
        RETURN NEW;
    ELSE
        -- detach the branch rooted at NEW.id from its old ancestors
        DELETE FROM invite_tree t
        WHERE t.descendant_id IN (SELECT descendant_id FROM invite_tree WHERE ancestor_id = NEW.id)
          AND t.ancestor_id NOT IN (SELECT descendant_id FROM invite_tree WHERE ancestor_id = NEW.id);
    END IF;
    IF NEW.invited_by IS NOT NULL THEN
        INSERT INTO invite_tree (ancestor_id, descendant_id, depth)
        SELECT up.ancestor_id, down.descendant_id, up.depth + down.depth + 1
        FROM invite_tree up, invite_tree down
        WHERE up.descendant_id = NEW.invited_by AND down.ancestor_id = NEW.id;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_invite_tree_insert AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION maintain_invite_tree();
CREATE TRIGGER users_invite_tree_update AFTER UPDATE OF invited_by ON users
    FOR EACH ROW EXECUTE FUNCTION maintain_invite_tree();

-- Accounts that exist already.
INSERT INTO invite_tree (ancestor_id, descendant_id, depth)
WITH RECURSIVE chain (ancestor_id, descendant_id, depth) AS (
    SELECT id, id, 0 FROM users
    UNION ALL
    SELECT u.invited_by, c.descendant_id, c.depth + 1
    FROM chain c JOIN users u ON u.id = c.ancestor_id
    WHERE u.invited_by IS NOT NULL AND c.depth < 1000
)
SELECT ancestor_id, descendant_id, min(depth) FROM chain GROUP BY ancestor_id, descendant_id;
