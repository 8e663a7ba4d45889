-- Indexes torrent_collection_editors.added_by, the one foreign key left without an index: deleting
-- a user (ON DELETE SET NULL) would otherwise scan the whole table.

CREATE INDEX torrent_collection_editors_added_by_idx ON torrent_collection_editors (added_by) WHERE added_by IS NOT NULL;
