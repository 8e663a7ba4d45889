#include "services/torrents/torrent_upload.hpp"

#include <regex>

#include "auth/secrets.hpp"
#include "http/api_error.hpp"
#include "proto/torrent.hpp"
#include "services/torrents/media_files.hpp"
#include "services/torrents/site_source.hpp"

namespace swarmline::control::torrents {

using http::ApiError;
namespace pt = proto::torrent;

namespace {

// A PostgreSQL array literal element: quoted, with backslash and quote escaped.
void append_array_item(std::string& out, std::string_view item) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char ch : item) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    out += '"';
}

std::string join_path(const std::vector<std::string>& parts) {
    std::string p;
    for (const auto& s : parts) {
        if (!p.empty()) p += '/';
        p += s;
    }
    return p;
}

bool all_zero(const pt::Sha256& h) {
    for (auto b : h)
        if (b) return false;
    return true;
}

void insert_files(PgConn& db, const std::string& torrent_id, const pt::Torrent& t) {
    std::string paths = "{", sizes = "{", exts = "{", mimes = "{", media = "{", pads = "{", roots = "{";
    for (const auto& f : t.files) {
        auto path = join_path(f.path);
        if (path.size() > 4096) throw ApiError::invalid("a file path in the torrent is longer than 4096 bytes");
        if (path.empty()) path = t.name;
        const auto kind = classify_file(f.path.empty() ? std::string_view{} : std::string_view(f.path.back()));
        append_array_item(paths, path);
        append_array_item(sizes, std::to_string(f.length));
        append_array_item(exts, kind.extension);
        append_array_item(mimes, kind.mime);
        append_array_item(media, !f.pad && kind.is_media ? "t" : "f");
        append_array_item(pads, f.pad ? "t" : "f");
        append_array_item(roots, all_zero(f.pieces_root) ? "" : auth::to_hex(f.pieces_root.data(), f.pieces_root.size()));
    }
    for (auto* s : {&paths, &sizes, &exts, &mimes, &media, &pads, &roots}) *s += '}';
    static const Statement kFiles{
        "torrents_files_insert",
        "INSERT INTO torrent_files (torrent_id, file_index, path, size, extension, mime_type, is_media, is_padding, "
        "pieces_root) SELECT $1, f.ord - 1, f.path, f.size, nullif(f.ext, ''), nullif(f.mime, ''), f.media, f.pad, "
        "decode(nullif(f.root, ''), 'hex') FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], "
        "$6::boolean[], $7::boolean[], $8::text[]) WITH ORDINALITY AS f(path, size, ext, mime, media, pad, root, ord)"};
    db.run(kFiles, {torrent_id, paths, sizes, exts, mimes, media, pads, roots});
}

void insert_tags(PgConn& db, const std::string& torrent_id, const UploadForm& form, const Actor& who) {
    static const std::regex kTag("^[a-z0-9][a-z0-9.+-]{0,63}$");
    static const Statement kTagUpsert{
        "torrents_tag_upsert",
        "INSERT INTO torrent_tags (name, created_by, usage_count) VALUES ($1, $2, 1) ON CONFLICT (name) "
        "DO UPDATE SET usage_count = torrent_tags.usage_count + 1 RETURNING id"};
    static const Statement kAssign{
        "torrents_tag_assign",
        "INSERT INTO torrent_tag_assignments (torrent_id, tag_id, assigned_by) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING"};
    if (form.tags.size() > 32) throw ApiError::invalid("at most 32 tags");
    for (const auto& tag : form.tags) {
        if (!std::regex_match(tag, kTag))
            throw ApiError::invalid("tag '" + tag + "': lower-case letters, digits and . + - only, at most 64");
        const auto r = db.run(kTagUpsert, {tag, who.user_id});
        db.run(kAssign, {torrent_id, std::string(r.get(0, 0)), who.user_id});
    }
}

}  // namespace

UploadResult upload_torrent(PgConn& db, const UploadForm& form, const Actor& who, bool approve) {
    if (form.torrent.size() > kMaxTorrentBytes)
        throw ApiError(413, "torrent_too_large",
                       "the .torrent file is " + std::to_string(form.torrent.size()) + " bytes; at most " +
                           std::to_string(kMaxTorrentBytes) + " are accepted");
    const pt::Limits limits{.max_size = kMaxTorrentBytes};
    pt::Torrent original;
    if (const auto e = pt::parse(form.torrent, original, limits); !e.ok())
        throw ApiError(422, "invalid_torrent",
                       std::string("not a valid .torrent file: ") + e.step + " (at byte " + std::to_string(e.offset) + ")");

    pt::Rewrite changes;
    changes.announce = "";
    changes.announce_list = std::vector<std::vector<std::string>>{};
    changes.set_private = true;
    changes.source = site_source(db);
    std::string stored;
    pt::Torrent t;
    if (const auto e = pt::rewrite(form.torrent, changes, stored, t, limits); !e.ok())
        throw ApiError(422, "invalid_torrent", std::string("the .torrent file cannot be rewritten: ") + e.step);

    // The 20-byte key trackers announce with: v1's SHA-1, or the truncated SHA-256 (BEP 52).
    const auto key = t.has_v1 ? t.info_hash_v1 : t.info_hash_v2_truncated();
    const std::span<const unsigned char> key_bytes(key.data(), key.size());
    const std::span<const unsigned char> v2_bytes(t.info_hash_v2.data(), t.info_hash_v2.size());
    const auto v2_param = t.has_v2 ? db::Param::bytea(v2_bytes) : db::Param(nullptr);

    UploadResult res;
    res.info_hash = auth::to_hex(key.data(), key.size());
    if (t.has_v2) res.info_hash_v2 = auth::to_hex(t.info_hash_v2.data(), t.info_hash_v2.size());
    res.name = form.name.value_or(t.name);
    if (res.name.empty() || res.name.size() > 512) throw ApiError::invalid("'name' must be 1 to 512 characters");
    res.size = t.total_size;
    for (const auto& f : t.files) res.file_count += f.pad ? 0 : 1;

    Transaction tx(db);
    static const Statement kCategory{
        "torrents_upload_category",
        "SELECT id, allow_uploads AND is_active FROM torrent_categories WHERE slug = $1 OR id::text = $1"};
    const auto cat = db.run(kCategory, {form.category});
    if (cat.rows() == 0) throw ApiError::invalid("no such category '" + form.category + "'");
    if (!cat.get_bool(0, 1)) throw ApiError::invalid("category '" + form.category + "' does not take uploads");

    static const Statement kDuplicate{
        "torrents_upload_duplicate",
        "SELECT id FROM torrents WHERE info_hash = $1 OR info_hash_v2 = $2 OR info_hash = substring($2 FROM 1 FOR 20) "
        "OR substring(info_hash_v2 FROM 1 FOR 20) = $1 LIMIT 1"};
    const auto dup = db.run(kDuplicate, {db::Param::bytea(key_bytes), v2_param});
    if (dup.rows() > 0)
        throw ApiError(409, "duplicate_torrent", "this torrent is already on the site (id " + std::string(dup.get(0, 0)) + ")");

    static const Statement kNeedsApproval{
        "torrents_upload_needs_approval",
        "SELECT g.needs_upload_approval FROM users u JOIN user_groups g ON g.id = u.group_id WHERE u.id = $1"};
    bool pending = false;
    if (!approve && who.user_id) {
        const auto r = db.run(kNeedsApproval, {*who.user_id});
        pending = r.rows() == 0 || r.get_bool(0, 0);
    }
    res.status = pending ? "pending" : "approved";

    static const Statement kInsert{
        "torrents_upload_insert",
        "INSERT INTO torrents (info_hash, info_hash_v2, name, description, category_id, uploader_id, is_anonymous, "
        "metainfo, size, file_count, piece_length, is_private, created_by_client, source_tag, media_type, resolution, "
        "video_codec, audio_codec, source, container, hdr_format, release_group, year, season_number, episode_number, "
        "imdb_id, tmdb_id, nfo, mediainfo, status, moderated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, true, $12, "
        "$13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29::text, "
        "CASE WHEN $29::text = 'approved' THEN now() END) RETURNING id, tracker_id"};
    const std::span<const unsigned char> meta(reinterpret_cast<const unsigned char*>(stored.data()), stored.size());
    const auto opt_num = [](const std::optional<std::int64_t>& v) {
        return v ? db::Param(*v) : db::Param(nullptr);
    };
    const std::string category_id(cat.get(0, 0));
    const auto piece_length = t.piece_length <= 0x7fffffffu ? db::Param(static_cast<std::int64_t>(t.piece_length))
                                                            : db::Param(nullptr);
    const db::Param params[] = {
        db::Param::bytea(key_bytes), v2_param, res.name, form.description, category_id, who.user_id, form.anonymous,
        db::Param::bytea(meta), static_cast<std::int64_t>(t.total_size), static_cast<std::int64_t>(res.file_count),
        piece_length, t.created_by.empty() ? db::Param(nullptr) : db::Param(t.created_by),
        t.source.empty() ? db::Param(nullptr) : db::Param(t.source), form.media_type, form.resolution,
        form.video_codec, form.audio_codec, form.source, form.container, form.hdr_format, form.release_group,
        opt_num(form.year), opt_num(form.season_number), opt_num(form.episode_number), form.imdb_id,
        opt_num(form.tmdb_id), form.nfo, form.mediainfo, res.status};
    db::Result row;
    try {
        row = db.run(kInsert, params);
    } catch (const db::Error& e) {
        if (unique_violation(e)) throw ApiError(409, "duplicate_torrent", "this torrent is already on the site");
        if (e.sqlstate() == db::sqlstate::check_violation)
            throw ApiError::invalid("a metadata field is out of range (" + e.constraint() + ")");
        throw;
    }
    res.id = std::string(row.get(0, 0));
    res.tracker_id = row.get_int64(0, 1);

    insert_files(db, res.id, t);
    insert_tags(db, res.id, form, who);
    if (pending) {
        static const Statement kQueue{
            "torrents_upload_moderation_queue",
            "INSERT INTO moderation_queue (item_type, item_id, reason, submitted_by) "
            "VALUES ('torrent', $1, 'new upload: the uploader''s group needs approval', $2)"};
        db.run(kQueue, {res.id, who.user_id});
    }
    record_audit(db, who, "torrent.upload", res.id,
                 "{\"status\": {\"old\": null, \"new\": \"" + res.status + "\"}}");
    queue_search_index(db, res.id, "index");
    tx.commit();
    return res;
}

}  // namespace swarmline::control::torrents
