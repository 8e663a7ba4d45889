// The kernel side of the exception path: the net_tap interface EAL created gets our addresses,
// our MAC (set through the tap port) and is brought up, so the kernel answers what the fast path
// hands it (the HTTP server listening on these addresses, ICMP errors, neighbour discovery of its
// own) and its replies come back to DPDK to leave through the NIC.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "io/dpdk/config.hpp"

namespace swarmline::io::dpdk {

// Empty on success, else what failed. Duplicate address detection is turned off on the interface
// first: the addresses are ours by configuration, and a tentative address could not be bound by
// the HTTP server until DAD finished.
[[nodiscard]] std::string configure_exception_iface(const std::string& name, std::span<const Prefix> addresses,
                                                    std::uint32_t mtu);

}  // namespace swarmline::io::dpdk
