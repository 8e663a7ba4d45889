// The master secret of BEP 15 connection ids (proto/connection_id.hpp), taken from the segment so
// that an id issued before a restart of the dataplane (even kill -9) is accepted after it: every
// process attached to one segment derives the same secret, and a recreated segment a new one.
//
// Initialisation protocol: nothing is written for it. The secret is a keyed BLAKE2b hash of the
// header's `segment_id` under its `hash_key`, both random and written once by the segment's creator
// before its release store of `magic`; an attacher reads them only after its acquire load of
// `magic` (Segment::open), so every process sees them complete and never changing. No new field,
// so the layout (and every segment already deployed) stays as it is.
#pragma once

#include <array>
#include <cstdint>

namespace swarmline::shm {

class Segment;

// 32 bytes, the size of proto::ConnectionIds::Secret.
[[nodiscard]] std::array<std::uint8_t, 32> connection_secret(const Segment& segment) noexcept;

}  // namespace swarmline::shm
