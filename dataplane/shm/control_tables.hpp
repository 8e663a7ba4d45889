// The tables control writes and every worker reads: users, torrents, tokens (seqlocked hash tables,
// see seq_table.hpp) and the rules (one record published as a whole, see RulesBoard).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "shm/layout.hpp"
#include "shm/seq_table.hpp"

namespace swarmline::shm {

using InfoHashKey = std::array<std::uint8_t, 20>;  // same type as proto::InfoHash

using UsersTable = SeqTable<Passkey, UserEntry>;
using TorrentsTable = SeqTable<InfoHashKey, TorrentEntry>;  // a v2 torrent: upsert under both hashes
using TokensTable = SeqTable<TokenKey, TokenEntry>;

// The defaults a tracker runs with until control publishes its own rules.
[[nodiscard]] const Rules& default_rules() noexcept;
// Ports below 1024 and the ones abusers announce (common service ports above 1024).
void block_default_ports(Rules& rules) noexcept;
[[nodiscard]] inline bool port_blocked(const Rules& r, std::uint16_t port) noexcept {
    return (r.blocked_ports[port >> 6] >> (port & 63)) & 1u;
}

// The rules, double-buffered. Control writes the buffer readers are not directed to, then bumps
// `version`; a reader copies buffer[version & 1] under that buffer's seqlock. A reader only retries
// when control publishes twice during one copy. Workers keep their own copy and re-read it only
// when `version` moved (one acquire load per announce), so a 150 KB record costs nothing per request.
class RulesBoard {
public:
    struct Storage {
        alignas(64) std::atomic<std::uint64_t> version;  // 0: never published (readers use default_rules())
        SeqCell<Rules> buffers[2];
    };

    RulesBoard() = default;
    explicit RulesBoard(void* base) noexcept : s_(static_cast<Storage*>(base)) {}

    // Writer (control): sorts and merges the banned ranges, then publishes. Returns the new version.
    std::uint64_t publish(const Rules& rules) noexcept;

    // Readers: the published version (acquire: pairs with publish()'s release store of it, so the
    // buffer it names is complete when read).
    [[nodiscard]] std::uint64_t version() const noexcept { return s_->version.load(std::memory_order_acquire); }
    // Copies the current rules into `out` and returns their version (0 and default_rules() before
    // the first publish).
    std::uint64_t read(Rules& out) const noexcept;

    [[nodiscard]] static constexpr std::size_t bytes() noexcept { return sizeof(Storage); }

private:
    Storage* s_ = nullptr;
};

}  // namespace swarmline::shm
