// The notification payloads the triggers send (migration 20250107000001) and what each reloads.
#include "sync/table_loader.hpp"

#include <gtest/gtest.h>

namespace swarmline::control::sync {
namespace {

TEST(ChangeSet, EachPayloadNamesWhatToReload) {
    ChangeSet c;
    for (auto p : {"u:7", "u:8", "g:4", "t:12", "k:7", "r"}) c.add(p);
    EXPECT_EQ(c.users, (std::vector<std::int64_t>{7, 8}));
    EXPECT_EQ(c.groups, (std::vector<std::int64_t>{4}));
    EXPECT_EQ(c.torrents, (std::vector<std::int64_t>{12}));
    EXPECT_EQ(c.token_users, (std::vector<std::int64_t>{7}));
    EXPECT_TRUE(c.rules);
    EXPECT_FALSE(c.everything);
}

TEST(ChangeSet, AnUnknownPayloadReloadsEverything) {
    for (auto p : {"x:1", "u:", "u:abc", "users:1", ""}) {
        ChangeSet c;
        c.add(p);
        EXPECT_TRUE(c.everything) << p;
        EXPECT_FALSE(c.empty());
    }
    EXPECT_TRUE(ChangeSet{}.empty());
}

}  // namespace
}  // namespace swarmline::control::sync
