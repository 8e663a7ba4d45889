// The shared-memory segment: one mapping holding a SegmentHeader (layout.hpp) and every table.
// Both processes open it; whichever comes first creates it. A segment of the same layout (magic,
// version, sizes) is attached as it is, so the swarms survive a restart of either process; one of
// another layout is refused with the reason, unless the caller asks to recreate it.
//
// Creation and attachment are serialized by flock() on the file: the creator holds it exclusively
// while it sizes and initializes the segment, an attacher holds it shared while it validates the
// header. A fresh segment is all zeroes, which every table reads as empty.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "shm/accumulator.hpp"
#include "shm/control_tables.hpp"
#include "shm/event_ring.hpp"
#include "shm/layout.hpp"

namespace swarmline::shm {

enum class OpenMode : std::uint8_t {
    attach_or_create,  // attach when the layout matches, create when absent, refuse otherwise
    attach_only,       // never create (control attaching to the dataplane's segment)
    recreate,          // discard whatever is there
};

struct SegmentLocation {
    std::string name = "swarmline";  // the file name
    // A hugetlbfs mount (e.g. /dev/hugepages). Used when it is a hugetlbfs mount with enough free
    // huge pages; otherwise (or when empty) the segment is a file under /dev/shm.
    std::string hugetlbfs_dir;
    std::string shm_dir = "/dev/shm";  // tests point it at a private directory
};

class Segment {
public:
    struct Opened;

    // `sizes`: the capacities wanted. With attach_only, all-zero sizes accept whatever the segment
    // was created with. Never throws for a reason outside the program (missing file, bad layout,
    // no memory): those come back in Opened::error.
    static Opened open(const SegmentLocation& where, const SegmentSizes& sizes, OpenMode mode);

    // Sensible sizes: capacities derived from worker count and peer capacity.
    static SegmentSizes default_sizes(std::uint32_t shards, std::uint32_t peers_total);
    // Bytes a segment of these sizes maps.
    static std::size_t bytes_for(const SegmentSizes& sizes) noexcept;
    // "" when the sizes are usable, else why not.
    static std::string check(const SegmentSizes& sizes);

    Segment(const Segment&) = delete;
    Segment& operator=(const Segment&) = delete;
    ~Segment();

    [[nodiscard]] const SegmentHeader& header() const noexcept { return *header_; }
    [[nodiscard]] const SegmentSizes& sizes() const noexcept { return header_->sizes; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    [[nodiscard]] bool hugepages() const noexcept { return hugepages_; }
    [[nodiscard]] bool created() const noexcept { return created_; }  // this open created it
    [[nodiscard]] const HashKey& hash_key() const noexcept { return header_->hash_key; }

    // Tables. The views are cheap to copy; a writer must be the one process the table names.
    [[nodiscard]] UsersTable& users() noexcept { return users_; }
    [[nodiscard]] const UsersTable& users() const noexcept { return users_; }
    [[nodiscard]] TorrentsTable& torrents() noexcept { return torrents_; }
    [[nodiscard]] const TorrentsTable& torrents() const noexcept { return torrents_; }
    [[nodiscard]] TokensTable& tokens() noexcept { return tokens_; }
    [[nodiscard]] const TokensTable& tokens() const noexcept { return tokens_; }
    [[nodiscard]] RulesBoard& rules() noexcept { return rules_; }
    [[nodiscard]] const RulesBoard& rules() const noexcept { return rules_; }
    [[nodiscard]] EventRing event_ring(std::uint32_t shard) const noexcept;
    [[nodiscard]] Accumulator accumulator(std::uint32_t shard) const noexcept;
    // The raw bytes of a shard's swarms (swarm::Shard lays them out).
    [[nodiscard]] void* shard_region(std::uint32_t shard) const noexcept;

    // Backs every page of the mapping with memory now and maps it writable, so that no page fault
    // (the kernel allocating and zeroing a page) lands on a request later. "" or why it could not.
    [[nodiscard]] std::string prefault() const;

private:
    Segment() = default;
    void bind(bool init) noexcept;

    SegmentHeader* header_ = nullptr;
    std::size_t mapped_ = 0;
    std::string path_;
    bool hugepages_ = false;
    bool created_ = false;
    UsersTable users_;
    TorrentsTable torrents_;
    TokensTable tokens_;
    RulesBoard rules_;
};

struct Segment::Opened {
    std::unique_ptr<Segment> segment;  // null on error
    std::string error;
};

}  // namespace swarmline::shm
