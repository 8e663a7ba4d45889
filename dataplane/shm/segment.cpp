#include "shm/segment.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "shm/swarm_layout.hpp"

namespace swarmline::shm {
namespace {

constexpr std::size_t kHugePage = 2u << 20;  // sizes are rounded to it so hugetlbfs accepts them

std::size_t align_up(std::size_t n, std::size_t a) noexcept { return (n + a - 1) / a * a; }

SegmentOffsets offsets_for(const SegmentSizes& s, std::size_t* total) noexcept {
    SegmentOffsets o{};
    std::size_t at = align_up(sizeof(SegmentHeader), 4096);
    auto take = [&at](std::size_t bytes) {
        const std::size_t here = at;
        at = align_up(at + bytes, 4096);
        return here;
    };
    o.users = take(UsersTable::bytes_for(s.users));
    o.torrents = take(TorrentsTable::bytes_for(s.torrents));
    o.tokens = take(TokensTable::bytes_for(s.tokens));
    o.rules = take(RulesBoard::bytes());
    o.event_ring_stride = align_up(EventRing::bytes_for(s.event_ring), 4096);
    o.event_rings = take(o.event_ring_stride * s.shards);
    o.accumulator_stride = align_up(Accumulator::bytes_for(s.accumulator), 4096);
    o.accumulators = take(o.accumulator_stride * s.shards);
    o.shard_stride = shard_layout(s).bytes;
    o.shards = take(o.shard_stride * s.shards);
    *total = align_up(at, kHugePage);
    return o;
}

std::string describe(const SegmentSizes& s) {
    return "shards=" + std::to_string(s.shards) + " peers_per_shard=" + std::to_string(s.peers_per_shard) +
           " v6_peers_per_shard=" + std::to_string(s.v6_peers_per_shard) +
           " torrents_per_shard=" + std::to_string(s.torrents_per_shard) + " users=" + std::to_string(s.users) +
           " torrents=" + std::to_string(s.torrents) + " tokens=" + std::to_string(s.tokens) +
           " event_ring=" + std::to_string(s.event_ring) + " accumulator=" + std::to_string(s.accumulator);
}

std::string errno_text(const std::string& what, const std::string& path) {
    return what + " " + path + ": " + std::strerror(errno);
}

bool is_hugetlbfs(const std::string& dir) {
    struct statfs st{};
    return !dir.empty() && statfs(dir.c_str(), &st) == 0 && static_cast<unsigned long>(st.f_type) == HUGETLBFS_MAGIC;
}

// An open file, unlocked and closed on scope exit. The unlock is explicit: a mapping keeps the open
// file description alive, and with it a flock(), long after close().
struct File {
    int fd = -1;
    ~File() {
        if (fd < 0) return;
        flock(fd, LOCK_UN);
        close(fd);
    }
};

void init_shards(char* base, const SegmentSizes& s, const SegmentOffsets& o) {
    const ShardLayout l = shard_layout(s);
    for (std::uint32_t i = 0; i < s.shards; ++i) {
        auto* h = reinterpret_cast<ShardHeader*>(base + o.shards + o.shard_stride * i);
        h->swarm_slots = l.swarm_slots;
        h->swarm_capacity = s.torrents_per_shard;
        h->snatch_slots = l.snatch_slots;
        h->pool4.capacity = l.pool4_records;
        h->pool6.capacity = l.pool6_records;
    }
}

}  // namespace

std::string Segment::check(const SegmentSizes& s) {
    if (s.shards == 0 || s.shards > 1024) return "shards must be within 1..1024";
    if (s.peers_per_shard == 0 || s.peers_per_shard > (1u << 29)) return "peers_per_shard must be within 1..2^29";
    if (s.v6_peers_per_shard == 0 || s.v6_peers_per_shard > (1u << 29)) return "v6_peers_per_shard must be within 1..2^29";
    if (s.torrents_per_shard == 0 || s.torrents_per_shard > (1u << 28)) return "torrents_per_shard must be within 1..2^28";
    if (s.users == 0 || s.users > (1u << 30) || s.torrents == 0 || s.torrents > (1u << 30) || s.tokens == 0 ||
        s.tokens > (1u << 30)) {
        return "users, torrents and tokens must be within 1..2^30";
    }
    if (s.event_ring < 2 || !std::has_single_bit(s.event_ring)) return "event_ring must be a power of two";
    if (s.accumulator == 0) return "accumulator must be at least 1";
    return {};
}

SegmentSizes Segment::default_sizes(std::uint32_t shards, std::uint32_t peers_total) {
    SegmentSizes s{};
    s.shards = shards == 0 ? 1 : shards;
    s.peers_per_shard = (peers_total + s.shards - 1) / s.shards;
    if (s.peers_per_shard < 1024) s.peers_per_shard = 1024;
    s.v6_peers_per_shard = s.peers_per_shard / 4;
    s.torrents_per_shard = s.peers_per_shard / 4;
    s.users = 1u << 20;
    s.torrents = 1u << 21;
    s.tokens = 1u << 20;
    s.event_ring = 1u << 16;
    s.accumulator = 1u << 16;
    return s;
}

std::size_t Segment::bytes_for(const SegmentSizes& sizes) noexcept {
    std::size_t total = 0;
    offsets_for(sizes, &total);
    return total;
}

Segment::~Segment() {
    if (header_ != nullptr) munmap(header_, mapped_);
}

Segment::Opened Segment::open(const SegmentLocation& where, const SegmentSizes& wanted, OpenMode mode) {
    Opened r;
    if (sodium_init() < 0) {
        r.error = "libsodium failed to initialize";
        return r;
    }
    const bool any_sizes = mode == OpenMode::attach_only && wanted == SegmentSizes{};
    if (!any_sizes) {
        if (std::string why = check(wanted); !why.empty()) {
            r.error = "segment sizes: " + why;
            return r;
        }
    }
    // Where the segment is, or where it goes: an existing file wins, so control finds the
    // dataplane's segment without knowing where hugepages were available.
    const bool huge_ok = is_hugetlbfs(where.hugetlbfs_dir);
    const std::string huge_path = huge_ok ? where.hugetlbfs_dir + "/" + where.name : std::string();
    const std::string shm_path = where.shm_dir + "/" + where.name;
    struct stat st{};
    std::string path = shm_path;
    bool huge = false;
    if (huge_ok && stat(huge_path.c_str(), &st) == 0) {
        path = huge_path;
        huge = true;
    } else if (stat(shm_path.c_str(), &st) != 0 && huge_ok && mode != OpenMode::attach_only) {
        path = huge_path;
        huge = true;
    }

    File f;
    f.fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (mode == OpenMode::attach_only ? 0 : O_CREAT), 0600);
    if (f.fd < 0 && huge && mode != OpenMode::attach_only) {  // hugetlbfs refused: fall back to /dev/shm
        path = shm_path;
        huge = false;
        f.fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_CREAT, 0600);
    }
    if (f.fd < 0) {
        r.error = errno_text(mode == OpenMode::attach_only ? "no segment to attach to at" : "cannot open", path);
        return r;
    }
    // Exclusive while we decide and (maybe) initialize; the other process waits here briefly.
    if (flock(f.fd, LOCK_EX) != 0) {
        r.error = errno_text("cannot lock", path);
        return r;
    }
    if (fstat(f.fd, &st) != 0) {
        r.error = errno_text("cannot stat", path);
        return r;
    }

    // Read what is there, if anything.
    SegmentSizes sizes = wanted;
    bool create = mode == OpenMode::recreate || st.st_size == 0;
    if (!create) {
        if (static_cast<std::size_t>(st.st_size) < sizeof(SegmentHeader)) {
            r.error = "segment " + path + " is too short to hold a header";
        } else {
            void* head = mmap(nullptr, sizeof(SegmentHeader), PROT_READ, MAP_SHARED, f.fd, 0);
            if (head == MAP_FAILED) {
                r.error = errno_text("cannot map the header of", path);
                return r;
            }
            const auto* h = static_cast<const SegmentHeader*>(head);
            if (h->magic.load(std::memory_order_acquire) == 0) {
                create = mode != OpenMode::attach_only;  // its creator died before finishing
                if (!create) r.error = "segment " + path + " was never completed by its creator";
            } else if (h->magic.load(std::memory_order_relaxed) != kMagic) {
                r.error = "segment " + path + " is not a Swarmline segment (bad magic)";
            } else if (h->layout_version != kLayoutVersion || h->header_size != sizeof(SegmentHeader)) {
                r.error = "segment " + path + " has layout version " + std::to_string(h->layout_version) +
                          ", this program uses " + std::to_string(kLayoutVersion);
            } else if (!any_sizes && !(h->sizes == wanted)) {
                r.error = "segment " + path + " was created with sizes {" + describe(h->sizes) + "}, configured {" +
                          describe(wanted) + "}";
            } else if (static_cast<std::size_t>(st.st_size) < h->total_size) {
                r.error = "segment " + path + " is shorter than its header says";
            } else {
                sizes = h->sizes;
            }
            munmap(head, sizeof(SegmentHeader));
        }
        if (!r.error.empty()) {
            if (mode != OpenMode::recreate) {
                r.error += "; recreate it (this discards the swarms) or fix the configuration";
                return r;
            }
            r.error.clear();
            create = true;
        }
    }
    if (create && any_sizes) {
        r.error = "no segment to attach to at " + path;
        return r;
    }

    std::size_t total = 0;
    const SegmentOffsets offsets = offsets_for(sizes, &total);
    if (create) {
        // Truncating to zero first gives zeroed memory, which every table reads as empty.
        if (ftruncate(f.fd, 0) != 0 || ftruncate(f.fd, static_cast<off_t>(total)) != 0) {
            r.error = errno_text("cannot size (" + std::to_string(total) + " bytes)", path);
            return r;
        }
    }
    void* base = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_SHARED, f.fd, 0);
    if (base == MAP_FAILED && create && huge) {
        // Not enough free huge pages for it: the segment goes to /dev/shm instead.
        unlink(path.c_str());
        SegmentLocation plain = where;
        plain.hugetlbfs_dir.clear();
        return open(plain, wanted, mode);
    }
    if (base == MAP_FAILED) {
        r.error = errno_text("cannot map " + std::to_string(total) + " bytes of", path);
        return r;
    }
    std::unique_ptr<Segment> seg(new Segment());
    seg->header_ = static_cast<SegmentHeader*>(base);
    seg->mapped_ = total;
    seg->path_ = path;
    seg->hugepages_ = huge;
    seg->created_ = create;
    if (create) {
        SegmentHeader* h = seg->header_;
        h->layout_version = kLayoutVersion;
        h->header_size = sizeof(SegmentHeader);
        h->total_size = total;
        h->created_at = static_cast<std::uint64_t>(std::time(nullptr));
        randombytes_buf(&h->segment_id, sizeof h->segment_id);
        randombytes_buf(h->hash_key.data(), h->hash_key.size());
        h->sizes = sizes;
        h->offsets = offsets;
        init_shards(static_cast<char*>(base), sizes, offsets);
    }
    seg->bind(create);
    if (create) {
        // Last: an attacher that sees the magic (acquire) sees every field above.
        seg->header_->magic.store(kMagic, std::memory_order_release);
    }
    r.segment = std::move(seg);
    return r;
}

void Segment::bind(bool init) noexcept {
    char* base = reinterpret_cast<char*>(header_);
    const SegmentOffsets& o = header_->offsets;
    const SegmentSizes& s = header_->sizes;
    users_ = UsersTable(base + o.users, s.users, &header_->hash_key, init);
    torrents_ = TorrentsTable(base + o.torrents, s.torrents, &header_->hash_key, init);
    tokens_ = TokensTable(base + o.tokens, s.tokens, &header_->hash_key, init);
    rules_ = RulesBoard(base + o.rules);
    if (init) {
        for (std::uint32_t i = 0; i < s.shards; ++i) EventRing(base + o.event_rings + o.event_ring_stride * i, s.event_ring, true);
    }
}

EventRing Segment::event_ring(std::uint32_t shard) const noexcept {
    char* base = reinterpret_cast<char*>(header_);
    return EventRing(base + header_->offsets.event_rings + header_->offsets.event_ring_stride * shard,
                     header_->sizes.event_ring, false);
}

Accumulator Segment::accumulator(std::uint32_t shard) const noexcept {
    char* base = reinterpret_cast<char*>(header_);
    return Accumulator(base + header_->offsets.accumulators + header_->offsets.accumulator_stride * shard,
                       header_->sizes.accumulator);
}

std::string Segment::prefault() const {
    // MADV_POPULATE_WRITE (Linux 5.14) faults every page in writable, as the first write of a
    // request would, without changing a byte.
    if (madvise(header_, mapped_, MADV_POPULATE_WRITE) == 0) return {};
    return errno_text("cannot populate", path_);
}

void* Segment::shard_region(std::uint32_t shard) const noexcept {
    char* base = reinterpret_cast<char*>(header_);
    return base + header_->offsets.shards + header_->offsets.shard_stride * shard;
}

}  // namespace swarmline::shm
