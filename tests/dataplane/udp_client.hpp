// A BEP 15 client socket for the tests: one connected UDP socket, requests encoded with the
// protocol library's client side, a bounded wait for each reply.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "io/net/address.hpp"
#include "proto/udp.hpp"
#include "proto/udp_client.hpp"

namespace swarmline::test {

class UdpClient {
public:
    explicit UdpClient(const io::net::Address& to);
    ~UdpClient();
    UdpClient(const UdpClient&) = delete;
    UdpClient& operator=(const UdpClient&) = delete;

    void send(std::span<const std::uint8_t> bytes) const;
    // The next datagram, or nothing within `timeout_ms`.
    std::optional<std::vector<std::uint8_t>> receive(int timeout_ms = 3000) const;
    // Sends and waits for the reply whose transaction id matches; parsed into `out`.
    bool exchange(std::span<const std::uint8_t> request, std::uint32_t transaction_id, proto::udp::Response& out,
                  std::vector<std::uint8_t>& storage) const;

    // connect; the connection id, or nothing.
    std::optional<std::uint64_t> connect();
    bool announce(std::uint64_t connection_id, const proto::Announce& a, proto::udp::Response& out,
                  std::vector<std::uint8_t>& storage, std::string_view url_data = {});

    [[nodiscard]] std::size_t peer_size() const noexcept { return v6_ ? 18 : 6; }

private:
    int fd_ = -1;
    bool v6_ = false;
    std::uint32_t next_tid_ = 0x5a5a0000;
};

}  // namespace swarmline::test
