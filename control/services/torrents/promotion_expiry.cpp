#include "services/torrents/promotion_expiry.hpp"

#include "services/torrents/torrent_journal.hpp"

namespace swarmline::control::torrents {

PromotionExpiry expire_promotions(PgConn& db) {
    // Both conditions match the partial indexes torrents_freeleech_idx and torrents_double_upload_idx.
    static const Statement kTorrents{
        "promotions_expire_torrents",
        "WITH due AS (SELECT id, freeleech_percentage > 0 AND freeleech_until <= now() AS fl, "
        "double_upload AND double_upload_until <= now() AS du, freeleech_percentage, freeleech_until, "
        "double_upload_until FROM torrents "
        "WHERE (freeleech_percentage > 0 AND freeleech_until <= now()) OR (double_upload AND double_upload_until <= now()) "
        "FOR UPDATE) "
        "UPDATE torrents t SET "
        "freeleech_percentage = CASE WHEN due.fl THEN 0 ELSE t.freeleech_percentage END, "
        "freeleech_until = CASE WHEN due.fl THEN NULL ELSE t.freeleech_until END, "
        "double_upload = CASE WHEN due.du THEN false ELSE t.double_upload END, "
        "double_upload_until = CASE WHEN due.du THEN NULL ELSE t.double_upload_until END "
        "FROM due WHERE t.id = due.id RETURNING t.id, "
        "((CASE WHEN due.fl THEN jsonb_build_object("
        "'freeleech_percentage', jsonb_build_object('old', due.freeleech_percentage, 'new', 0), "
        "'freeleech_until', jsonb_build_object('old', due.freeleech_until, 'new', null)) ELSE '{}' END) || "
        "(CASE WHEN due.du THEN jsonb_build_object("
        "'double_upload', jsonb_build_object('old', true, 'new', false), "
        "'double_upload_until', jsonb_build_object('old', due.double_upload_until, 'new', null)) ELSE '{}' END))::text"};
    // Through the partial index users_double_upload_until_idx: the few members with an end time.
    static const Statement kMembers{
        "promotions_expire_members",
        "UPDATE users SET double_upload_until = NULL WHERE double_upload_until <= now()"};
    Transaction tx(db);
    PromotionExpiry out;
    const auto ended = db.run(kTorrents);
    const Actor system{};  // no actor: the site itself
    for (int i = 0; i < ended.rows(); ++i) {
        const std::string id(ended.get(i, 0));
        record_audit(db, system, "torrent.promotion_expired", id, std::string(ended.get(i, 1)));
        queue_search_index(db, id, "update");
    }
    out.torrents = static_cast<std::uint64_t>(ended.rows());
    out.members = db.run(kMembers).affected_rows();
    tx.commit();
    return out;
}

}  // namespace swarmline::control::torrents
