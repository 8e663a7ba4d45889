// The two devices of the backend: the NIC (one RX/TX queue pair per worker, RSS over them when
// the device has several queues, checksum offloads it offers) and the exception tap (a queue pair
// per worker too, so each worker passes packets to the kernel and back without sharing a queue).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "io/dpdk/config.hpp"
#include "io/dpdk/responder.hpp"
#include "io/dpdk/wire.hpp"

struct rte_mempool;

namespace swarmline::io::dpdk {

struct NicInfo {
    std::uint16_t port = 0;
    wire::Mac mac{};
    ChecksumOffload tx_offload{};
    bool rx_checksum_flags = false;
    bool rss = false;
    std::uint32_t mtu = 1500;
};

// The port named `name` (PCI address or vdev name), or the first that is not `exclude`.
[[nodiscard]] std::string find_port(const std::string& name, std::uint16_t exclude, bool has_exclude,
                                    std::uint16_t& out);
// Configures, sets up one queue pair per pool, and starts the NIC.
[[nodiscard]] std::string start_nic(std::uint16_t port, std::span<rte_mempool* const> pools, const Config& config,
                                    NicInfo& out);
// Configures and starts the tap with the NIC's MAC, one queue pair per pool.
[[nodiscard]] std::string start_tap(std::uint16_t port, std::span<rte_mempool* const> pools, const wire::Mac& mac);

}  // namespace swarmline::io::dpdk
