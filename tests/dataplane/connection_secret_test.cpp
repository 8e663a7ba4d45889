// The connection-id secret comes with the segment: the same for every open of one segment (so ids
// survive a restart of the dataplane), new when the segment is recreated.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "shm/connection_secret.hpp"
#include "shm/segment.hpp"

namespace swarmline::test {
namespace {

class ConnectionSecret : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("swarmline-secret-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
        where_.name = "segment";
        where_.shm_dir = dir_.string();
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    shm::Segment::Opened open(shm::OpenMode mode) const {
        return shm::Segment::open(where_, shm::Segment::default_sizes(2, 4096), mode);
    }

    std::filesystem::path dir_;
    shm::SegmentLocation where_;
};

TEST_F(ConnectionSecret, SameForEveryOpenOfOneSegment) {
    auto first = open(shm::OpenMode::attach_or_create);
    ASSERT_TRUE(first.segment) << first.error;
    const auto secret = shm::connection_secret(*first.segment);
    EXPECT_NE(secret, decltype(secret){}) << "an all-zero secret";
    first.segment.reset();  // as a killed dataplane leaves it: the file stays, the process is gone

    auto again = open(shm::OpenMode::attach_or_create);
    ASSERT_TRUE(again.segment) << again.error;
    ASSERT_FALSE(again.segment->created());
    EXPECT_EQ(shm::connection_secret(*again.segment), secret);
}

TEST_F(ConnectionSecret, NewWhenTheSegmentIsRecreated) {
    auto first = open(shm::OpenMode::attach_or_create);
    ASSERT_TRUE(first.segment) << first.error;
    const auto secret = shm::connection_secret(*first.segment);
    first.segment.reset();

    auto fresh = open(shm::OpenMode::recreate);
    ASSERT_TRUE(fresh.segment) << fresh.error;
    EXPECT_NE(shm::connection_secret(*fresh.segment), secret);
}

}  // namespace
}  // namespace swarmline::test
