// swarmline-dataplane --backend dpdk refuses a configuration it cannot run before it touches EAL,
// with exit status 2 and the option named, and --print-config documents the dpdk-* keys. No root
// and no devices needed.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>
#include <utility>

#include "../dataplane/daemon_process.hpp"

namespace {

using swarmline::test::ScratchShm;
using swarmline::test::dataplane_path;

// The exit status and the output (stdout and stderr) of the daemon with `args`.
std::pair<int, std::string> run(const std::string& args) {
    const ScratchShm shm;
    const std::string cmd = dataplane_path() + " " + args + " --shm " + shm.path() + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return {-1, {}};
    std::string out;
    std::array<char, 512> buf;
    while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
    const int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(DpdkCommandLine, OurAddressesAreRequired) {
    auto [status, out] = run("--backend dpdk --udp 192.0.2.10:6969 --http 192.0.2.10:6969");
    EXPECT_EQ(status, 2) << out;
    EXPECT_NE(out.find("dpdk-address: required"), std::string::npos) << out;
}

TEST(DpdkCommandLine, AnAddressNeedsItsPrefixLength) {
    auto [status, out] = run("--backend dpdk --udp 192.0.2.10:6969 --dpdk-address 192.0.2.10");
    EXPECT_EQ(status, 2) << out;
    EXPECT_NE(out.find("dpdk-address: '192.0.2.10': no /prefix-length"), std::string::npos) << out;
}

TEST(DpdkCommandLine, HttpNeedsAnHttpWorker) {
    auto [status, out] =
        run("--backend dpdk --udp 192.0.2.10:6969 --http 192.0.2.10:80 --dpdk-address 192.0.2.10/24 --dpdk-http-workers 0");
    EXPECT_EQ(status, 2) << out;
    EXPECT_NE(out.find("dpdk-http-workers"), std::string::npos) << out;
}

TEST(DpdkCommandLine, BadHttpCoresAreNamed) {
    auto [status, out] = run("--backend dpdk --udp 192.0.2.10:6969 --dpdk-address 192.0.2.10/24 --dpdk-http-cores x");
    EXPECT_EQ(status, 2) << out;
    EXPECT_NE(out.find("dpdk-http-cores: 'x'"), std::string::npos) << out;
}

TEST(DpdkCommandLine, PrintConfigDocumentsTheDpdkKeys) {
    auto [status, out] = run("--print-config --dpdk-address 192.0.2.10/24 --dpdk-address 2001:db8::10/64");
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("\ndpdk-address = 192.0.2.10/24, 2001:db8::10/64\n"), std::string::npos) << out;
    EXPECT_NE(out.find("\ndpdk-http-workers = 1\n"), std::string::npos) << out;
    EXPECT_NE(out.find("\ndpdk-no-huge = false\n"), std::string::npos) << out;
}

}  // namespace
