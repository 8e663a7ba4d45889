// Any input: parse as a .torrent; an accepted one must survive a rewrite (private + source +
// trackers) and parse again with the same files.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proto/torrent.hpp"

using namespace swarmline::proto::torrent;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    Limits limits;
    limits.max_files = 1000;
    Torrent t;
    const Error e = parse(in, t, limits);
    if (!e.ok()) {
        if (e.offset > size) std::abort();
        return 0;
    }
    if (!t.has_v1 && !t.has_v2) std::abort();
    Rewrite r;
    r.announce = "http://tracker.example/0123456789abcdef0123456789abcdef/announce";
    r.announce_list = std::vector<std::vector<std::string>>{{*r.announce}};
    r.set_private = true;
    r.source = "FUZZ";
    std::string out;
    Torrent after;
    const Error re = rewrite(in, r, out, after, limits);
    if (!re.ok() || !after.is_private || after.source != "FUZZ" || after.files.size() != t.files.size() ||
        after.piece_count != t.piece_count || after.total_size != t.total_size)
        std::abort();
    return 0;
}
