// Integration fixture for the site's torrents: the control API fixture (a migrated throw-away
// database, the App in-process) plus members of the groups the flows need, multipart uploads,
// and .torrent files: libtorrent's v1/v2/hybrid samples (tests/proto/data) and generated ones.
#pragma once

#include <map>
#include <string>

#include "../control/control_fixture.hpp"
#include "proto/torrent.hpp"

namespace swarmline::control::test {

class TorrentsTest : public ControlTest {
protected:
    void SetUp() override;
    // Runs after the database exists and before the App is created (config() may change here).
    virtual void configure() {}

    // A sample from tests/proto/data.
    static std::string sample(const std::string& file);
    // A valid single-file v1 torrent; distinct names give distinct info hashes.
    static std::string make_v1(const std::string& name, std::uint64_t length, const std::string& file_ext = ".mkv");
    // The multipart/form-data upload as the web form sends it.
    Reply upload(const std::string& token, const std::string& torrent, const std::string& category = "movies-hd",
                 const std::map<std::string, std::string>& fields = {});
    Reply moderate(const std::string& id, const std::string& action, const std::string& reason = "");
    proto::torrent::Torrent parse(const std::string& bytes);

    // Sessions of members in the groups the flows use.
    std::string member_;      // Member: downloads, may not upload
    std::string power_;       // Power User: uploads go to the moderation queue
    std::string uploader_;    // Uploader: uploads are approved at once
    std::string moderator_;   // Moderator
    std::string member_id_, power_id_, uploader_id_, moderator_id_;
};

}  // namespace swarmline::control::test
