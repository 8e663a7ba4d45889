#include "io/dpdk/ports.hpp"

#include <rte_errno.h>
#include <rte_ethdev.h>

#include <cstring>

namespace swarmline::io::dpdk {
namespace {

std::string failed(const char* what, std::uint16_t port, int rc) {
    return std::string(what) + " (port " + std::to_string(port) + "): " + rte_strerror(rc < 0 ? -rc : rc);
}

std::string setup_queues(std::uint16_t port, std::span<rte_mempool* const> pools, std::uint16_t rxd, std::uint16_t txd,
                         std::uint64_t rx_offloads, std::uint64_t tx_offloads) {
    rte_eth_dev_info info;
    if (int rc = rte_eth_dev_info_get(port, &info); rc != 0) return failed("no device info", port, rc);
    if (int rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd); rc != 0)
        return failed("descriptor counts refused", port, rc);
    const int socket = rte_eth_dev_socket_id(port);
    for (std::uint16_t q = 0; q < pools.size(); ++q) {
        rte_eth_rxconf rx = info.default_rxconf;
        rx.offloads = rx_offloads;
        if (int rc = rte_eth_rx_queue_setup(port, q, rxd, socket, &rx, pools[q]); rc != 0)
            return failed("receive queue set-up failed", port, rc);
        rte_eth_txconf tx = info.default_txconf;
        tx.offloads = tx_offloads;
        if (int rc = rte_eth_tx_queue_setup(port, q, txd, socket, &tx); rc != 0)
            return failed("transmit queue set-up failed", port, rc);
    }
    return {};
}

}  // namespace

std::string find_port(const std::string& name, std::uint16_t exclude, bool has_exclude, std::uint16_t& out) {
    if (!name.empty()) {
        if (rte_eth_dev_get_port_by_name(name.c_str(), &out) != 0) return "no DPDK device named '" + name + "'";
        return {};
    }
    std::uint16_t p;
    RTE_ETH_FOREACH_DEV(p) {
        if (has_exclude && p == exclude) continue;
        out = p;
        return {};
    }
    return "no DPDK network device (bind a NIC with scripts/dpdk-bind.sh, or give dpdk-vdev)";
}

std::string start_nic(std::uint16_t port, std::span<rte_mempool* const> pools, const Config& c, NicInfo& out) {
    rte_eth_dev_info info;
    if (int rc = rte_eth_dev_info_get(port, &info); rc != 0) return failed("no device info", port, rc);
    const auto queues = static_cast<std::uint16_t>(pools.size());
    if (info.max_rx_queues < queues || info.max_tx_queues < queues)
        return "device " + std::string(info.driver_name) + " has " + std::to_string(info.max_rx_queues) +
               " queue pairs, the workers need " + std::to_string(queues) +
               " (fewer workers, or net_af_packet's qpairs=N)";

    rte_eth_conf conf{};
    const std::uint64_t rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
    // Several queues without RSS (net_af_packet spreads with a kernel fanout instead) still work:
    // the device decides the queue.
    out.rss = queues > 1 && rss_hf != 0;
    conf.rxmode.mq_mode = out.rss ? RTE_ETH_MQ_RX_RSS : RTE_ETH_MQ_RX_NONE;
    conf.rx_adv_conf.rss_conf.rss_hf = out.rss ? rss_hf : 0;
    const std::uint64_t rx_wanted = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
    conf.rxmode.offloads = rx_wanted & info.rx_offload_capa;
    out.rx_checksum_flags = conf.rxmode.offloads == rx_wanted;
    out.tx_offload.ipv4_header = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0;
    out.tx_offload.udp = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) != 0;
    conf.txmode.offloads = (out.tx_offload.ipv4_header ? RTE_ETH_TX_OFFLOAD_IPV4_CKSUM : 0) |
                           (out.tx_offload.udp ? RTE_ETH_TX_OFFLOAD_UDP_CKSUM : 0);
    if (int rc = rte_eth_dev_configure(port, queues, queues, &conf); rc != 0)
        return failed("device configuration refused", port, rc);
    if (c.mtu != 0)
        if (int rc = rte_eth_dev_set_mtu(port, static_cast<std::uint16_t>(c.mtu)); rc != 0)
            return failed("MTU refused", port, rc);
    std::uint16_t mtu = 1500;
    if (rte_eth_dev_get_mtu(port, &mtu) == 0) out.mtu = mtu;
    if (auto err = setup_queues(port, pools, static_cast<std::uint16_t>(c.rx_descriptors),
                                static_cast<std::uint16_t>(c.tx_descriptors), conf.rxmode.offloads, conf.txmode.offloads);
        !err.empty())
        return err;
    if (int rc = rte_eth_dev_start(port); rc != 0) return failed("device start failed", port, rc);
    // Neighbour solicitations go to a solicited-node multicast group; IPv6 needs the multicast.
    if (rte_eth_allmulticast_enable(port) != 0) (void)rte_eth_promiscuous_enable(port);
    rte_ether_addr mac;
    if (int rc = rte_eth_macaddr_get(port, &mac); rc != 0) return failed("no MAC address", port, rc);
    std::memcpy(out.mac.data(), mac.addr_bytes, 6);
    out.port = port;
    return {};
}

std::string start_tap(std::uint16_t port, std::span<rte_mempool* const> pools, const wire::Mac& mac) {
    rte_eth_conf conf{};
    const auto queues = static_cast<std::uint16_t>(pools.size());
    if (int rc = rte_eth_dev_configure(port, queues, queues, &conf); rc != 0)
        return failed("exception interface configuration refused", port, rc);
    // The kernel side takes the NIC's MAC: frames pass both ways without rewriting, and the
    // neighbours the kernel learns point at the MAC that really is on the wire.
    rte_ether_addr addr;
    std::memcpy(addr.addr_bytes, mac.data(), 6);
    if (int rc = rte_eth_dev_default_mac_addr_set(port, &addr); rc != 0)
        return failed("cannot give the exception interface our MAC", port, rc);
    if (auto err = setup_queues(port, pools, 512, 512, 0, 0); !err.empty()) return err;
    if (int rc = rte_eth_dev_start(port); rc != 0) return failed("exception interface start failed", port, rc);
    return {};
}

}  // namespace swarmline::io::dpdk
