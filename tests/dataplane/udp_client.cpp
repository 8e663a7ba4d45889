#include "udp_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace swarmline::test {

UdpClient::UdpClient(const io::net::Address& to) : v6_(to.v6()) {
    fd_ = ::socket(to.storage.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ::connect(fd_, to.sa(), to.length);
}

UdpClient::~UdpClient() { ::close(fd_); }

void UdpClient::send(std::span<const std::uint8_t> bytes) const { ::send(fd_, bytes.data(), bytes.size(), 0); }

std::optional<std::vector<std::uint8_t>> UdpClient::receive(int timeout_ms) const {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return std::nullopt;
    std::vector<std::uint8_t> buf(8192);
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) return std::nullopt;
    buf.resize(static_cast<std::size_t>(n));
    return buf;
}

bool UdpClient::exchange(std::span<const std::uint8_t> request, std::uint32_t transaction_id,
                         proto::udp::Response& out, std::vector<std::uint8_t>& storage) const {
    send(request);
    for (int tries = 0; tries < 8; ++tries) {
        auto reply = receive();
        if (!reply) return false;
        storage = std::move(*reply);
        if (proto::udp::parse_response(storage, peer_size(), out) == nullptr && out.transaction_id == transaction_id)
            return true;
    }
    return false;
}

std::optional<std::uint64_t> UdpClient::connect() {
    std::uint8_t req[16];
    std::uint32_t tid = ++next_tid_;
    std::size_t n = proto::udp::encode_connect(req, tid);
    proto::udp::Response r;
    std::vector<std::uint8_t> storage;
    if (!exchange({req, n}, tid, r, storage) || r.action != proto::udp::Action::connect) return std::nullopt;
    return r.connection_id;
}

bool UdpClient::announce(std::uint64_t connection_id, const proto::Announce& a, proto::udp::Response& out,
                         std::vector<std::uint8_t>& storage, std::string_view url_data) {
    std::uint8_t req[1024];
    std::uint32_t tid = ++next_tid_;
    std::size_t n = proto::udp::encode_announce(req, connection_id, tid, a, url_data);
    return exchange({req, n}, tid, out, storage);
}

}  // namespace swarmline::test
