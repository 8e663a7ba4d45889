-- The files inside each torrent, with their full paths, media detection and, for video files,
-- duration, resolution and bitrate.

CREATE TABLE torrent_files (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    torrent_id       UUID NOT NULL REFERENCES torrents (id) ON DELETE CASCADE,
    file_index       INTEGER NOT NULL CHECK (file_index >= 0),
    path             TEXT NOT NULL CHECK (char_length(path) BETWEEN 1 AND 4096),
    size             BIGINT NOT NULL CHECK (size >= 0),
    extension        TEXT,
    mime_type        TEXT,
    is_media         BOOLEAN NOT NULL DEFAULT false,
    is_padding       BOOLEAN NOT NULL DEFAULT false,  -- BEP 47 pad files
    duration_seconds INTEGER CHECK (duration_seconds IS NULL OR duration_seconds >= 0),
    width            INTEGER CHECK (width IS NULL OR width > 0),
    height           INTEGER CHECK (height IS NULL OR height > 0),
    bitrate_kbps     INTEGER CHECK (bitrate_kbps IS NULL OR bitrate_kbps > 0),
    pieces_root      BYTEA CHECK (pieces_root IS NULL OR octet_length(pieces_root) = 32),  -- BitTorrent v2
    CONSTRAINT torrent_files_index_unique UNIQUE (torrent_id, file_index)
);

CREATE INDEX torrent_files_path_trgm_idx ON torrent_files USING gin (path gin_trgm_ops);
CREATE INDEX torrent_files_extension_idx ON torrent_files (extension) WHERE extension IS NOT NULL;
CREATE INDEX torrent_files_media_idx ON torrent_files (torrent_id) WHERE is_media;
CREATE INDEX torrent_files_size_idx ON torrent_files (torrent_id, size DESC);
