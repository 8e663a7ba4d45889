// The .torrent parser against files made by libtorrent and mktorrent: our info_hashes, piece
// counts and file lists must be what libtorrent reports (data/expected.txt, data/make_torrents.py).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "proto/torrent.hpp"

namespace swarmline::proto::torrent {
namespace {

std::string read_file(const std::string& name) {
    std::ifstream f(std::string(PROTO_TEST_DATA) + "/" + name, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

template <std::size_t N>
std::string hex(const std::array<std::uint8_t, N>& a) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (const auto b : a) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

struct Expected {
    std::string file, v1, v2;
    std::uint64_t pieces = 0, size = 0, files = 0;
    int priv = 0;
};

std::vector<Expected> expected() {
    std::ifstream f(std::string(PROTO_TEST_DATA) + "/expected.txt");
    std::vector<Expected> out;
    std::string line;
    while (std::getline(f, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ss(line);
        Expected e;
        ss >> e.file >> e.v1 >> e.v2 >> e.pieces >> e.size >> e.files >> e.priv;
        out.push_back(e);
    }
    return out;
}

std::size_t real_files(const Torrent& t) {
    std::size_t n = 0;
    for (const File& f : t.files) n += f.pad ? 0 : 1;
    return n;
}

TEST(Torrent, MatchesWhatLibtorrentReports) {
    const auto all = expected();
    ASSERT_EQ(all.size(), 8u) << "data/expected.txt is missing entries";
    for (const Expected& e : all) {
        SCOPED_TRACE(e.file);
        const std::string data = read_file(e.file);
        ASSERT_FALSE(data.empty());
        Torrent t;
        const Error err = parse(data, t);
        ASSERT_TRUE(err.ok()) << err.step << " at " << err.offset;
        EXPECT_EQ(t.has_v1, e.v1 != "-");
        EXPECT_EQ(t.has_v2, e.v2 != "-");
        if (t.has_v1) { EXPECT_EQ(hex(t.info_hash_v1), e.v1); }
        if (t.has_v2) { EXPECT_EQ(hex(t.info_hash_v2), e.v2); }
        EXPECT_EQ(t.piece_count, e.pieces);
        EXPECT_EQ(t.total_size, e.size);
        EXPECT_EQ(real_files(t), e.files);
        EXPECT_EQ(t.is_private, e.priv == 1);
        EXPECT_EQ(t.announce, "http://tracker.example/announce");
    }
}

TEST(Torrent, FileListsAndMetadata) {
    Torrent t;
    ASSERT_TRUE(parse(read_file("lt_v2_multi.torrent"), t).ok());
    ASSERT_EQ(t.files.size(), 4u);
    // The v2 file tree is sorted by name; paths start at the torrent's directory.
    EXPECT_EQ(t.files[0].path, (std::vector<std::string>{"multi", "alpha.bin"}));
    EXPECT_EQ(t.files[0].length, 70000u);
    EXPECT_EQ(t.files[2].path, (std::vector<std::string>{"multi", "beta", "gamma.txt"}));
    EXPECT_EQ(t.files[1].path, (std::vector<std::string>{"multi", "beta", "delta", "epsilon.dat"}));
    EXPECT_EQ(t.files[3].length, 0u);
    EXPECT_EQ(t.piece_length, 16384u);
    EXPECT_NE(t.files[0].pieces_root, Sha256{});

    ASSERT_TRUE(parse(read_file("lt_hybrid_multi.torrent"), t).ok());
    EXPECT_TRUE(t.hybrid());
    EXPECT_GT(t.files.size(), real_files(t)) << "hybrid torrents carry v1 padding files";
    for (const File& f : t.files)
        if (!f.pad && f.length > 0) { EXPECT_NE(f.pieces_root, Sha256{}) << f.path.back(); }
    EXPECT_EQ(hex(t.info_hash_v2_truncated()), hex(t.info_hash_v2).substr(0, 40));

    ASSERT_TRUE(parse(read_file("mktorrent_multi_private.torrent"), t).ok());
    EXPECT_EQ(t.source, "SWARMLINE");
    EXPECT_TRUE(t.is_private);
    EXPECT_EQ(t.name, "multi");

    ASSERT_TRUE(parse(read_file("lt_v1_single.torrent"), t).ok());
    ASSERT_EQ(t.files.size(), 1u);
    EXPECT_EQ(t.files[0].path, (std::vector<std::string>{"single.bin"}));
    EXPECT_EQ(t.files[0].length, 100000u);
    EXPECT_EQ(t.created_by.rfind("libtorrent", 0), 0u);
}

TEST(Torrent, RewriteSetsPrivateSourceAndTrackersAndReturnsTheNewHashes) {
    for (const char* name : {"lt_v1_single.torrent", "lt_v2_multi.torrent", "lt_hybrid_multi.torrent"}) {
        SCOPED_TRACE(name);
        const std::string data = read_file(name);
        Torrent before;
        ASSERT_TRUE(parse(data, before).ok());
        Rewrite r;
        r.announce = "https://swarmline.example/0123456789abcdef0123456789abcdef/announce";
        r.announce_list = std::vector<std::vector<std::string>>{{*r.announce}, {"udp://swarmline.example:6969/x/announce"}};
        r.set_private = true;
        r.source = "SWL";
        std::string out;
        Torrent after;
        const Error err = rewrite(data, r, out, after);
        ASSERT_TRUE(err.ok()) << err.step;
        EXPECT_TRUE(after.is_private);
        EXPECT_EQ(after.source, "SWL");
        EXPECT_EQ(after.announce, *r.announce);
        EXPECT_EQ(after.announce_list, *r.announce_list);
        if (before.has_v1) { EXPECT_NE(after.info_hash_v1, before.info_hash_v1); }
        if (before.has_v2) { EXPECT_NE(after.info_hash_v2, before.info_hash_v2); }
        EXPECT_EQ(after.files.size(), before.files.size());
        EXPECT_EQ(after.piece_count, before.piece_count);

        // Rewriting again with the same changes is a fixed point.
        std::string again;
        Torrent after2;
        ASSERT_TRUE(rewrite(out, r, again, after2).ok());
        EXPECT_EQ(again, out);

        // Only the trackers changed: the info dict, hence the hashes, stay.
        Rewrite trackers_only;
        trackers_only.announce = "";
        trackers_only.announce_list = std::vector<std::vector<std::string>>{};
        Torrent stripped;
        ASSERT_TRUE(rewrite(data, trackers_only, again, stripped).ok());
        EXPECT_TRUE(stripped.announce.empty());
        EXPECT_TRUE(stripped.announce_list.empty());
        EXPECT_EQ(stripped.info_hash_v1, before.info_hash_v1);
        EXPECT_EQ(stripped.info_hash_v2, before.info_hash_v2);
    }
}

TEST(Torrent, AlreadyPrivateWithSameSourceKeepsItsHash) {
    const std::string data = read_file("mktorrent_multi_private.torrent");
    Torrent before, after;
    ASSERT_TRUE(parse(data, before).ok());
    Rewrite r;
    r.set_private = true;
    r.source = "SWARMLINE";
    std::string out;
    ASSERT_TRUE(rewrite(data, r, out, after).ok());
    EXPECT_EQ(after.info_hash_v1, before.info_hash_v1);
}

Error parse_str(std::string_view s) {
    Torrent t;
    return parse(s, t);
}

// 20 zero bytes: one v1 piece hash.
const std::string kPiece(20, '\0');

std::string v1_single(std::string_view extra_info = "", std::int64_t length = 10, std::int64_t piece_length = 16) {
    std::string pieces;
    const std::int64_t n = piece_length > 0 ? (length + piece_length - 1) / piece_length : 0;
    for (std::int64_t i = 0; i < n; ++i) pieces += kPiece;
    return "d4:infod6:lengthi" + std::to_string(length) + "e4:name1:x12:piece lengthi" + std::to_string(piece_length) +
           "e6:pieces" + std::to_string(pieces.size()) + ":" + pieces + std::string(extra_info) + "ee";
}

TEST(Torrent, ErrorsNameTheStep) {
    EXPECT_TRUE(parse_str(v1_single()).ok());
    EXPECT_STREQ(parse_str("").step, "truncated");
    EXPECT_STREQ(parse_str("le").step, "not a dictionary");
    EXPECT_STREQ(parse_str("de").step, "no info dictionary");
    EXPECT_STREQ(parse_str("d4:infoi1ee").step, "info is not a dictionary");
    EXPECT_STREQ(parse_str("d4:infodee").step, "no name");
    EXPECT_STREQ(parse_str("d4:infod4:name2:..ee").step, "invalid path component");
    EXPECT_STREQ(parse_str("d4:infod4:name1:xee").step, "piece length missing or not positive");
    EXPECT_STREQ(parse_str(v1_single("", 10, 0)).step, "piece length missing or not positive");
    EXPECT_STREQ(parse_str("d4:infod4:name1:x12:piece lengthi16eee").step, "neither v1 pieces nor a v2 file tree");
    // 10 bytes in 4-byte pieces need 3 hashes; the vector has 1.
    const std::string wrong_count = "d4:infod6:lengthi10e4:name1:x12:piece lengthi4e6:pieces20:" + kPiece + "ee";
    EXPECT_STREQ(parse_str(wrong_count).step, "piece count does not match the total size");
    const std::string odd_pieces = "d4:infod6:lengthi10e4:name1:x12:piece lengthi16e6:pieces19:" + kPiece.substr(1) + "ee";
    EXPECT_STREQ(parse_str(odd_pieces).step, "pieces is not a multiple of 20 bytes");
    EXPECT_STREQ(parse_str(v1_single("", -1)).step, "negative file length");
    const std::string both = "d4:infod5:filesle6:lengthi10e4:name1:x12:piece lengthi16e6:pieces20:" + kPiece + "ee";
    EXPECT_STREQ(parse_str(both).step, "v1 info needs exactly one of length and files");
    const std::string traversal = "d4:infod5:filesld6:lengthi10e4:pathl2:..1:aeee4:name1:x12:piece lengthi16e6:pieces20:" +
                                  kPiece + "ee";
    EXPECT_STREQ(parse_str(traversal).step, "invalid path component");
    EXPECT_STREQ(parse_str("d8:announcei1e4:infod4:name1:xee").step, "announce is not a string");
    EXPECT_STREQ(parse_str("d4:infod12:meta versioni3e4:name1:x12:piece lengthi16384eee").step, "unsupported meta version");
    EXPECT_STREQ(parse_str("d4:infod12:meta versioni2e4:name1:x12:piece lengthi16384eee").step,
                 "meta version 2 needs a file tree");
    EXPECT_STREQ(parse_str("d4:infod9:file treed1:xd0:d6:lengthi1eeee12:meta versioni2e4:name1:x12:piece lengthi16384eee").step,
                 "pieces root missing or not 32 bytes");
    EXPECT_STREQ(parse_str("d4:infod9:file treede12:meta versioni2e4:name1:x12:piece lengthi1000eee").step,
                 "v2 piece length is not a power of two >= 16 KiB");
    EXPECT_STREQ(parse_str("d4:infod9:file treede12:meta versioni2e4:name1:x12:piece lengthi16384eee").step,
                 "empty file tree");
    // Bencode errors come through with their offset.
    const Error e = parse_str("d4:infod4:name1:x1:a1:yee");
    EXPECT_STREQ(e.step, "dictionary keys not sorted");
    EXPECT_EQ(e.offset, 17u);
    Limits tiny;
    tiny.max_size = 10;
    Torrent t;
    EXPECT_STREQ(parse(v1_single(), t, tiny).step, "torrent too large");
}

TEST(Torrent, HybridWhoseListsDisagreeIsRefused) {
    const std::string data = read_file("lt_hybrid_single.torrent");
    // Change the v1 length by one digit without changing the encoding's size: "100000" -> "100001".
    std::string broken = data;
    const auto pos = broken.find("6:lengthi100000e");
    ASSERT_NE(pos, std::string::npos);
    broken[pos + 14] = '1';
    Torrent t;
    EXPECT_STREQ(parse(broken, t).step, "hybrid v1 and v2 file lists differ");
}

}  // namespace
}  // namespace swarmline::proto::torrent
