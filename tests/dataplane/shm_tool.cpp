// swarmline-test-shm: what control would write into the segment, for tests of private mode that run
// without control, and a reader of the event rings.
//   swarmline-test-shm SEGMENT add-user PASSKEY USER_ID
//   swarmline-test-shm SEGMENT add-torrent INFO_HASH_HEX TORRENT_ID
//   swarmline-test-shm SEGMENT events        one logfmt line per record in every worker's ring
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>

#include "shm/segment.hpp"

namespace {

using namespace swarmline;

bool parse_u32(std::string_view s, std::uint32_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

bool parse_hash(std::string_view hex, shm::InfoHashKey& out) {
    if (hex.size() != 40) return false;
    for (std::size_t i = 0; i < 20; ++i) {
        auto [p, ec] = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, out[i], 16);
        if (ec != std::errc{} || p != hex.data() + 2 * i + 2) return false;
    }
    return true;
}

int usage() {
    std::cerr << "usage: swarmline-test-shm SEGMENT add-user PASSKEY USER_ID\n"
                 "       swarmline-test-shm SEGMENT add-torrent INFO_HASH_HEX TORRENT_ID\n"
                 "       swarmline-test-shm SEGMENT events\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) return usage();
    std::filesystem::path path(argv[1]);
    shm::SegmentLocation where;
    where.name = path.filename().string();
    where.shm_dir = path.parent_path().string();
    auto opened = shm::Segment::open(where, shm::SegmentSizes{}, shm::OpenMode::attach_only);
    if (!opened.segment) {
        std::cerr << "swarmline-test-shm: " << opened.error << "\n";
        return 1;
    }
    shm::Segment& seg = *opened.segment;
    std::string_view cmd = argv[2];
    if (cmd == "add-user" && argc == 5) {
        std::string_view key = argv[3];
        shm::UserEntry user{};
        if (key.size() != 32 || !parse_u32(argv[4], user.user_id)) return usage();
        shm::Passkey passkey;
        std::copy(key.begin(), key.end(), passkey.begin());
        user.flags = shm::kUserCanLeech;
        user.download_factor_pct = 100;
        user.upload_factor_pct = 100;
        return seg.users().upsert(passkey, user) ? 0 : 1;
    }
    if (cmd == "add-torrent" && argc == 5) {
        shm::InfoHashKey hash;
        shm::TorrentEntry torrent{};
        if (!parse_hash(argv[3], hash) || !parse_u32(argv[4], torrent.torrent_id)) return usage();
        torrent.state = shm::TorrentState::active;
        torrent.upload_factor_pct = 100;
        return seg.torrents().upsert(hash, torrent) ? 0 : 1;
    }
    if (cmd == "events" && argc == 3) {
        for (std::uint32_t s = 0; s < seg.sizes().shards; ++s) {
            shm::EventRing ring = seg.event_ring(s);
            shm::EventRecord recs[1024];
            std::size_t n = ring.peek(recs, 1024);
            for (std::size_t i = 0; i < n; ++i) {
                const auto& r = recs[i];
                std::printf("shard=%u seq=%llu user=%u torrent=%u event=%u left=%llu uploaded_delta=%llu "
                            "downloaded_delta=%llu uploaded_total=%llu downloaded_total=%llu flags=%u\n",
                            s, static_cast<unsigned long long>(r.seq), r.user_id, r.torrent_id, r.event,
                            static_cast<unsigned long long>(r.left), static_cast<unsigned long long>(r.uploaded_delta),
                            static_cast<unsigned long long>(r.downloaded_delta),
                            static_cast<unsigned long long>(r.uploaded_total),
                            static_cast<unsigned long long>(r.downloaded_total), r.flags);
            }
        }
        return 0;
    }
    return usage();
}
