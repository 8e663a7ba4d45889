// The segment: created, attached with its contents, refused when its layout differs.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "fixture.hpp"

namespace swarmline::test {
namespace {

TEST(Segment, CreatesThenAttachesWithContentsKept) {
    TempDir dir;
    const auto sizes = small_sizes();
    std::uint64_t id = 0;
    {
        auto opened = shm::Segment::open(location_in(dir), sizes, shm::OpenMode::attach_or_create);
        ASSERT_TRUE(opened.segment) << opened.error;
        EXPECT_TRUE(opened.segment->created());
        EXPECT_EQ(opened.segment->header().layout_version, shm::kLayoutVersion);
        EXPECT_EQ(opened.segment->header().header_size, sizeof(shm::SegmentHeader));
        EXPECT_GT(opened.segment->header().created_at, 0u);
        id = opened.segment->header().segment_id;
        shm::UserEntry u{};
        u.user_id = 7;
        ASSERT_TRUE(opened.segment->users().upsert(passkey_of(7), u));
    }
    auto again = shm::Segment::open(location_in(dir), sizes, shm::OpenMode::attach_or_create);
    ASSERT_TRUE(again.segment) << again.error;
    EXPECT_FALSE(again.segment->created());
    EXPECT_EQ(again.segment->header().segment_id, id);
    const auto u = again.segment->users().find(passkey_of(7));
    ASSERT_TRUE(u);
    EXPECT_EQ(u->user_id, 7u);
}

TEST(Segment, OtherSizesAreRefusedWithTheReasonUnlessRecreated) {
    TempDir dir;
    auto sizes = small_sizes();
    ASSERT_TRUE(shm::Segment::open(location_in(dir), sizes, shm::OpenMode::attach_or_create).segment);
    auto other = sizes;
    other.peers_per_shard *= 2;
    auto refused = shm::Segment::open(location_in(dir), other, shm::OpenMode::attach_or_create);
    EXPECT_FALSE(refused.segment);
    EXPECT_NE(refused.error.find("was created with sizes"), std::string::npos) << refused.error;
    EXPECT_NE(refused.error.find("peers_per_shard=4096"), std::string::npos) << refused.error;

    auto recreated = shm::Segment::open(location_in(dir), other, shm::OpenMode::recreate);
    ASSERT_TRUE(recreated.segment) << recreated.error;
    EXPECT_TRUE(recreated.segment->created());
    EXPECT_EQ(recreated.segment->sizes().peers_per_shard, other.peers_per_shard);
}

TEST(Segment, OtherLayoutVersionIsRefused) {
    TempDir dir;
    const auto sizes = small_sizes();
    {
        auto opened = shm::Segment::open(location_in(dir), sizes, shm::OpenMode::attach_or_create);
        ASSERT_TRUE(opened.segment);
        // What a segment made by an older build looks like.
        const_cast<shm::SegmentHeader&>(opened.segment->header()).layout_version = shm::kLayoutVersion - 1;
    }
    auto refused = shm::Segment::open(location_in(dir), sizes, shm::OpenMode::attach_or_create);
    EXPECT_FALSE(refused.segment);
    EXPECT_NE(refused.error.find("layout version"), std::string::npos) << refused.error;
    auto recreated = shm::Segment::open(location_in(dir), sizes, shm::OpenMode::recreate);
    EXPECT_TRUE(recreated.segment) << recreated.error;
}

TEST(Segment, NotASegmentIsRefused) {
    TempDir dir;
    {
        std::FILE* f = std::fopen((dir.path() + "/segment").c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::string junk(4096, 'x');
        std::fwrite(junk.data(), 1, junk.size(), f);
        std::fclose(f);
    }
    auto refused = shm::Segment::open(location_in(dir), small_sizes(), shm::OpenMode::attach_or_create);
    EXPECT_FALSE(refused.segment);
    EXPECT_NE(refused.error.find("bad magic"), std::string::npos) << refused.error;
}

TEST(Segment, AttachOnlyTakesTheCreatorsSizesAndNeverCreates) {
    TempDir dir;
    auto missing = shm::Segment::open(location_in(dir), {}, shm::OpenMode::attach_only);
    EXPECT_FALSE(missing.segment);
    EXPECT_NE(missing.error.find("no segment"), std::string::npos) << missing.error;

    const auto sizes = small_sizes(3);
    auto created = shm::Segment::open(location_in(dir), sizes, shm::OpenMode::attach_or_create);
    ASSERT_TRUE(created.segment);
    auto control = shm::Segment::open(location_in(dir), {}, shm::OpenMode::attach_only);
    ASSERT_TRUE(control.segment) << control.error;
    EXPECT_EQ(control.segment->sizes(), sizes);
}

TEST(Segment, BadSizesAreRefused) {
    TempDir dir;
    auto sizes = small_sizes();
    sizes.event_ring = 1000;
    auto r = shm::Segment::open(location_in(dir), sizes, shm::OpenMode::attach_or_create);
    EXPECT_FALSE(r.segment);
    EXPECT_NE(r.error.find("power of two"), std::string::npos) << r.error;
}

TEST(Segment, HugetlbfsDirThatIsNotHugetlbfsFallsBackToShm) {
    TempDir dir;
    auto where = location_in(dir);
    where.hugetlbfs_dir = dir.path();  // a tmpfs, not a hugetlbfs mount
    auto r = shm::Segment::open(where, small_sizes(), shm::OpenMode::attach_or_create);
    ASSERT_TRUE(r.segment) << r.error;
    EXPECT_FALSE(r.segment->hugepages());
    EXPECT_EQ(r.segment->path(), dir.path() + "/segment");
}

// The dataplane prefaults its segment so that no request takes a page fault: afterwards the whole
// file is backed by memory (a fresh segment is sparse), and what the tables held is unchanged.
TEST(Segment, PrefaultBacksEveryPageAndKeepsTheContents) {
    TempDir dir;
    auto opened = shm::Segment::open(location_in(dir), small_sizes(), shm::OpenMode::attach_or_create);
    ASSERT_TRUE(opened.segment) << opened.error;
    shm::Segment& seg = *opened.segment;
    shm::UserEntry u{};
    u.user_id = 9;
    ASSERT_TRUE(seg.users().upsert(passkey_of(9), u));
    auto backed = [&] {
        struct stat st {};
        EXPECT_EQ(stat(seg.path().c_str(), &st), 0);
        return static_cast<std::uint64_t>(st.st_blocks) * 512;
    };
    ASSERT_LT(backed(), seg.header().total_size);
    ASSERT_EQ(seg.prefault(), "");
    EXPECT_GE(backed(), seg.header().total_size);
    const auto found = seg.users().find(passkey_of(9));
    ASSERT_TRUE(found);
    EXPECT_EQ(found->user_id, 9u);
}

}  // namespace
}  // namespace swarmline::test
