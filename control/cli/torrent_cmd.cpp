// `swarmline-control torrent add FILE`: the operator adds a .torrent to the site, approved at once,
// through the same path as a member's upload (rewritten with private=1 and the site's source).
// `swarmline-control torrent search-queue`: one pass of the search index queue (to Meilisearch when
// --meili-host is set, else marked done for PostgreSQL's own search); serve runs it on its own.
#include <fstream>
#include <iostream>
#include <iterator>
#include <string_view>

#include "cli/commands.hpp"
#include "jobs/site_jobs.hpp"
#include "services/accounts.hpp"
#include "services/admin_command.hpp"
#include "services/torrents/search_queue.hpp"
#include "services/torrents/torrent_upload.hpp"

namespace swarmline::control {

namespace {

int search_queue(int argc, char** argv) {
    options::Registry r("control");
    jobs::SearchQueueOptions o;
    jobs::register_search_options(r, o);
    return run_admin_command("torrent search-queue", argc, argv, 2, r, [&](PgConn& db) {
        torrents::MeiliConfig meili;
        if (auto err = jobs::meili_config(o, meili); !err.empty()) throw std::runtime_error(err);
        const auto res = torrents::process_search_queue(db, meili, o.batch);
        AdminResult out{"search index queue: " + std::to_string(res.completed) + " done, " +
                            std::to_string(res.failed) + " failed, " + std::to_string(res.cleaned) + " cleaned",
                        {{"completed", std::to_string(res.completed)},
                         {"failed", std::to_string(res.failed)},
                         {"cleaned", std::to_string(res.cleaned)}}};
        out.numeric = {"completed", "failed", "cleaned"};
        return out;
    });
}

}  // namespace

int cmd_torrent(int argc, char** argv) {
    if (argc >= 2 && std::string_view(argv[1]) == "search-queue") return search_queue(argc, argv);
    if (argc < 3 || std::string_view(argv[1]) != "add" || std::string_view(argv[2]).starts_with("--")) {
        std::cerr << "usage: swarmline-control torrent add FILE --category SLUG [--uploader NAME|ID] [--name TEXT] "
                     "[--description TEXT] [--tags a,b] [--anonymous] [--database-url URL] [--json]\n"
                     "       swarmline-control torrent search-queue [--meili-host HOST --meili-port N --meili-index NAME "
                     "--meili-key KEY] [--search-queue-batch N] [--database-url URL] [--json]\n";
        return 2;
    }
    const std::string path = argv[2];
    options::Registry r("control");
    torrents::UploadForm form;
    std::string uploader, name;
    r.add("category", "the category, by slug or id", &form.category);
    r.add("uploader", "the member it is credited to, by username or id (default: the site itself)", &uploader);
    r.add("name", "the name shown on the site (default: the torrent's own)", &name);
    r.add("description", "the description shown on the site", &form.description);
    r.add("tags", "tags, comma-separated", &form.tags);
    r.add("anonymous", "hide the uploader's name from members", &form.anonymous);
    return run_admin_command("torrent add", argc, argv, 3, r, [&](PgConn& db) {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw std::runtime_error("cannot read " + path);
        form.torrent.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        if (!name.empty()) form.name = name;
        torrents::Actor who;
        if (!uploader.empty()) who.user_id = find_user(db, uploader).id;
        const auto t = torrents::upload_torrent(db, form, who, true);
        AdminResult res{"added torrent " + t.name,
                        {{"id", t.id},
                         {"tracker_id", std::to_string(t.tracker_id)},
                         {"status", t.status},
                         {"info_hash", t.info_hash},
                         {"info_hash_v2", t.info_hash_v2},
                         {"size", std::to_string(t.size)},
                         {"file_count", std::to_string(t.file_count)}}};
        res.numeric = {"tracker_id", "size", "file_count"};
        return res;
    });
}

}  // namespace swarmline::control
