// Network namespaces for the DPDK tests: a "server" namespace where the DPDK backend drives one end
// of a veth pair with net_af_packet (and creates its exception tap), and a "client" namespace on
// the other end with ordinary kernel sockets. Names carry the test's pid, so suites run in
// parallel; the namespaces (and the veth with them) are deleted when the object goes.
#pragma once

#include <functional>
#include <string>

namespace swarmline::test {

// `sh -c command` in the calling thread's namespace; the exit status, output and errors in `out`.
int sh(const std::string& command, std::string* out = nullptr);

class NetnsPair {
public:
    // Empty when this host can make the set-up (root, `ip netns`, veth, /dev/net/tun), else why not.
    static std::string unavailable();

    // With `veth`, the pair is joined by a veth whose client end gets the client addresses;
    // without, the caller gives the client an interface with adopt_client_interface().
    explicit NetnsPair(bool veth = true);
    ~NetnsPair();
    NetnsPair(const NetnsPair&) = delete;
    NetnsPair& operator=(const NetnsPair&) = delete;

    // Empty when the namespaces and the veth are up, else the command that failed.
    [[nodiscard]] const std::string& error() const noexcept { return error_; }

    std::string server;     // namespace names
    std::string client;
    std::string server_if;  // veth ends (or the adopted interface, client side)
    std::string client_if;
    unsigned subnet = 0;    // 10.77.<subnet>.0/24 and fd77:<subnet>::/64
    [[nodiscard]] std::string server_v4() const;  // .1: the tracker (DPDK, and the kernel's tap)
    [[nodiscard]] std::string client_v4() const;  // .2
    [[nodiscard]] std::string server_v6() const;
    [[nodiscard]] std::string client_v6() const;

    // Moves interface `name` from the server namespace to the client's and gives it the client
    // addresses. Empty on success, else the command that failed.
    [[nodiscard]] std::string adopt_client_interface(const std::string& name);
    // Moves the calling thread into the server namespace (threads it starts inherit it).
    [[nodiscard]] bool enter_server() const;
    // Runs `fn` on a thread inside the client namespace and waits for it: a socket made there
    // stays in the client namespace wherever it is used afterwards. False when it could not enter.
    bool in_client(const std::function<void()>& fn) const;
    // `ip netns exec <client> sh -c <command>`; the exit status, output in `out`.
    int run_in_client(const std::string& command, std::string* out = nullptr) const;

private:
    std::string configure_client();
    std::string error_;
};

}  // namespace swarmline::test
