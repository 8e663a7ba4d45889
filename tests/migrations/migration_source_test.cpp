// Reading a migrations folder the way SQLx does: names, descriptions, checksums, no-transaction.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "db/migration_source.hpp"
#include "db/migrator.hpp"

namespace fs = std::filesystem;
using namespace swarmline::db;

namespace {

class ScratchDir {
public:
    ScratchDir() : path_(fs::temp_directory_path() / ("swarmline_mig_" + std::to_string(::getpid()) + "_" +
                                                      std::to_string(counter_++))) {
        fs::create_directories(path_);
    }
    ~ScratchDir() { fs::remove_all(path_); }
    const fs::path& path() const { return path_; }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name, std::ios::binary) << text;
    }

private:
    static inline int counter_ = 0;
    fs::path path_;
};

}  // namespace

TEST(MigrationSource, ReadsNamesLikeSqlx) {
    ScratchDir dir;
    dir.write("20250105000001_create_users.sql", "CREATE TABLE u ();\n");
    dir.write("20250105000000_create_user_groups.sql", "CREATE TABLE g ();\n");
    dir.write("20250105000002_add_index.up.sql", "-- no-transaction\nCREATE INDEX CONCURRENTLY ...;\n");
    dir.write("20250105000002_add_index.down.sql", "DROP INDEX ...;\n");
    dir.write("README.md", "not a migration");
    dir.write("notes.sql", "no version separator");

    auto migrations = load_migrations(dir.path());
    ASSERT_EQ(migrations.size(), 3u);
    EXPECT_EQ(migrations[0].version, 20250105000000);
    EXPECT_EQ(migrations[0].description, "create user groups");
    EXPECT_EQ(migrations[1].description, "create users");
    EXPECT_EQ(migrations[2].description, "add index");
    EXPECT_FALSE(migrations[0].no_transaction);
    EXPECT_TRUE(migrations[2].no_transaction);
    EXPECT_EQ(migrations[0].sql, "CREATE TABLE g ();\n");
}

TEST(MigrationSource, ChecksumIsSha384OfTheFileBytes) {
    ScratchDir dir;
    dir.write("1_abc.sql", "abc");
    auto migrations = load_migrations(dir.path());
    ASSERT_EQ(migrations.size(), 1u);
    // FIPS 180-2 test vector for SHA-384("abc").
    EXPECT_EQ(to_hex(migrations[0].checksum.data(), migrations[0].checksum.size()),
              "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
              "8086072ba1e7cc2358baeca134c825a7");
}

TEST(MigrationSource, RefusesDuplicateAndNonNumericVersions) {
    ScratchDir dup;
    dup.write("7_one.sql", "");
    dup.write("7_two.sql", "");
    EXPECT_THROW(load_migrations(dup.path()), MigrateError);

    ScratchDir bad;
    bad.write("v7_one.sql", "");
    try {
        load_migrations(bad.path());
        FAIL() << "a non-numeric version was accepted";
    } catch (const MigrateError& e) {
        EXPECT_NE(std::string(e.what()).find("v7_one.sql"), std::string::npos) << e.what();
    }
}

TEST(MigrationSource, MissingFolderIsAnError) {
    EXPECT_THROW(load_migrations("/nonexistent/swarmline/migrations"), MigrateError);
}

TEST(MigrationSource, AddCreatesATimestampedFile) {
    ScratchDir dir;
    fs::path created = add_migration(dir.path(), "add widget table");
    std::string name = created.filename().string();
    ASSERT_EQ(name.size(), 14 + std::string("_add_widget_table.sql").size()) << name;
    EXPECT_TRUE(name.ends_with("_add_widget_table.sql")) << name;
    auto migrations = load_migrations(dir.path());
    ASSERT_EQ(migrations.size(), 1u);
    EXPECT_EQ(migrations[0].description, "add widget table");
    EXPECT_TRUE(migrations[0].sql.starts_with("-- ")) << "a new migration starts with a comment on its purpose";
    EXPECT_THROW(add_migration(dir.path(), "bad/name"), MigrateError);
}

TEST(MigrationSource, LockIdIsSqlxs) {
    // SQLx: 0x3d32ad9e * CRC-32/ISO-HDLC(name); CRC-32("123456789") is the standard check 0xCBF43926.
    EXPECT_EQ(migration_lock_id("123456789"), std::int64_t{0x3d32ad9e} * std::int64_t{0xCBF43926});
}

TEST(MigrationSource, ProjectMigrationsLoad) {
    auto migrations = load_migrations(SWARMLINE_MIGRATIONS_DIR);
    ASSERT_GE(migrations.size(), 36u);
    // The seed's 36, in order, with the seed's names.
    EXPECT_EQ(migrations[0].path.filename(), "20250105000000_create_user_groups.sql");
    EXPECT_EQ(migrations[35].path.filename(), "20250105000035_create_comments.sql");
    for (int i = 0; i < 36; ++i) {
        EXPECT_EQ(migrations[i].version, 20250105000000 + i);
        EXPECT_TRUE(migrations[i].sql.starts_with("-- ")) << migrations[i].path << " must open with its purpose";
    }
}
