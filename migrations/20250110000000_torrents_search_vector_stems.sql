-- The torrents' full-text search vector with English stems on every field, so that the words of a
-- description are found as a member types them.
--
-- Why: the seed indexes the description with the 'english' configuration (stems: "restored" is
-- stored as 'restor') and the name and release group with 'simple' (the words as written), while
-- the search parsed every query with 'simple': a description's word matched only when typed as
-- its stem. The search now parses a query with both configurations and matches either
-- (websearch_to_tsquery('simple', q) || websearch_to_tsquery('english', q)). For a query that
-- mixes a name's words with a description's ("office restored") to match as a whole under
-- 'english', the name and the release group are indexed under 'english' too, beside their words
-- under 'simple' (which keep the stop words 'english' drops, so "The Who" is still found).
--
-- A generated column's expression cannot be altered in PostgreSQL 15: the column is dropped (its
-- GIN index with it) and added again, which rewrites torrents once.

ALTER TABLE torrents DROP COLUMN search_vector;
ALTER TABLE torrents ADD COLUMN search_vector TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, coalesce(name, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A') ||
    setweight(to_tsvector('simple'::regconfig, coalesce(release_group, '')), 'B') ||
    setweight(to_tsvector('english'::regconfig, coalesce(release_group, '')), 'B') ||
    setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'C')) STORED;
CREATE INDEX torrents_search_idx ON torrents USING gin (search_vector);
