// What one worker counts while it runs; the main thread adds the workers' results up after they
// have stopped, so nothing here is shared while a run is under way.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "histogram.hpp"

namespace swarmline::loadgen {

enum class Kind : std::uint8_t { connect = 0, announce = 1, scrape = 2 };
inline constexpr std::size_t kKinds = 3;
inline constexpr std::array<const char*, kKinds> kKindNames{"connect", "announce", "scrape"};

struct Counters {
    std::array<std::uint64_t, kKinds> sent{};
    std::array<std::uint64_t, kKinds> responses{};        // answered as asked
    std::array<std::uint64_t, kKinds> error_responses{};  // BEP 15 action 3, or a bencoded failure reason
    std::array<std::uint64_t, kKinds> timeouts{};
    std::uint64_t late = 0;         // answers to requests already counted as timeouts
    std::uint64_t invalid = 0;      // answers that do not parse or do not match their request
    std::uint64_t send_errors = 0;  // the kernel refused a send, or an HTTP connection failed
    std::uint64_t unsent = 0;       // open loop: a request fell due while the window was full
    std::uint64_t reconnects = 0;   // HTTP: connections opened again after the server closed one
    std::uint64_t noncanonical = 0;  // HTTP: answers whose bencode is valid but not canonical
    std::uint64_t response_peers = 0;
    std::uint64_t outstanding_at_end = 0;
    // The text of the first error answer (BEP 15 message or bencoded failure reason), which
    // usually says why all the others came; empty when there was none.
    std::array<char, 96> first_error{};

    void note_error(std::string_view message) noexcept {
        if (first_error[0] != 0) return;
        const std::size_t n = message.size() < first_error.size() - 1 ? message.size() : first_error.size() - 1;
        std::memcpy(first_error.data(), message.data(), n);
        first_error[n] = 0;
    }

    void add(const Counters& o) noexcept {
        for (std::size_t k = 0; k < kKinds; ++k) {
            sent[k] += o.sent[k];
            responses[k] += o.responses[k];
            error_responses[k] += o.error_responses[k];
            timeouts[k] += o.timeouts[k];
        }
        late += o.late;
        invalid += o.invalid;
        send_errors += o.send_errors;
        unsent += o.unsent;
        reconnects += o.reconnects;
        noncanonical += o.noncanonical;
        response_peers += o.response_peers;
        outstanding_at_end += o.outstanding_at_end;
        if (first_error[0] == 0) first_error = o.first_error;
    }
};

// Cache-line aligned so two workers' counters never share a line while they run.
struct alignas(64) WorkerResult {
    Counters counters;
    std::array<Histogram, kKinds> latency;  // ns, from the (scheduled) send to the answer
    std::uint64_t cpu_user_ns = 0;  // the worker thread's CPU time during the run, see thread_cpu()
    std::uint64_t cpu_sys_ns = 0;
    std::uint64_t wall_ns = 0;
};

}  // namespace swarmline::loadgen
