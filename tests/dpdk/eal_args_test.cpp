// EAL's argument list as the backend builds it from the dpdk-* options: what a test run and a
// hugepage deployment each get, and device strings with commas kept whole.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "io/dpdk/config.hpp"
#include "io/dpdk/eal.hpp"

namespace {

using namespace swarmline::io::dpdk;

bool has(const std::vector<std::string>& args, const std::string& a) {
    return std::find(args.begin(), args.end(), a) != args.end();
}

TEST(DpdkEalArguments, TestSetUpRunsWithoutHugepagesOrPciAndItsOwnPrefix) {
    Config c;
    c.no_huge = true;
    c.memory_mb = 256;
    c.file_prefix = "t42";
    c.vdev = "net_af_packet0,iface=veth0,qpairs=2";
    const auto a = eal_arguments(c);
    EXPECT_TRUE(has(a, "--no-huge"));
    EXPECT_TRUE(has(a, "--no-shconf"));
    EXPECT_FALSE(has(a, "--in-memory")) << "EAL refuses --in-memory with --no-huge";
    EXPECT_TRUE(has(a, "--no-pci"));
    EXPECT_TRUE(has(a, "--file-prefix=t42"));
    EXPECT_TRUE(has(a, "--vdev=net_af_packet0,iface=veth0,qpairs=2")) << "the commas stay in one device";
    EXPECT_TRUE(has(a, std::string("--vdev=") + kExceptionVdev + ",iface=swl0"));
    const auto m = std::find(a.begin(), a.end(), "-m");
    ASSERT_NE(m, a.end());
    EXPECT_EQ(*(m + 1), "256");
}

TEST(DpdkEalArguments, NicDeploymentUsesHugepagesAndOnlyTheAllowedDevices) {
    Config c;
    c.allow = "0000:03:00.1;0000:03:00.0,rxq_cqe_comp_en=0";
    c.huge_dir = "/dev/hugepages1G";
    c.main_core = 3;
    c.exception_iface.clear();
    const auto a = eal_arguments(c);
    EXPECT_TRUE(has(a, "--in-memory"));
    EXPECT_TRUE(has(a, "--huge-dir=/dev/hugepages1G"));
    EXPECT_FALSE(has(a, "--no-pci"));
    EXPECT_TRUE(has(a, "--allow=0000:03:00.1"));
    EXPECT_TRUE(has(a, "--allow=0000:03:00.0,rxq_cqe_comp_en=0"));
    EXPECT_EQ(std::count_if(a.begin(), a.end(), [](const std::string& s) { return s.rfind("--vdev", 0) == 0; }), 0)
        << "no exception interface asked for";
    const auto l = std::find(a.begin(), a.end(), "-l");
    ASSERT_NE(l, a.end());
    EXPECT_EQ(*(l + 1), "3");
}

TEST(DpdkConfig, AddressesNeedAPrefixLength) {
    Prefix p;
    ASSERT_EQ(parse_prefix("192.0.2.10/24", p), nullptr);
    EXPECT_FALSE(p.v6);
    EXPECT_EQ(p.length, 24);
    EXPECT_EQ(p.ip[12], 192);
    EXPECT_EQ(p.ip[10], 0xff);
    ASSERT_EQ(parse_prefix("2001:db8::10/64", p), nullptr);
    EXPECT_TRUE(p.v6);
    EXPECT_EQ(p.ip[15], 0x10);
    EXPECT_NE(parse_prefix("192.0.2.10", p), nullptr);
    EXPECT_NE(parse_prefix("192.0.2.10/33", p), nullptr);
    EXPECT_NE(parse_prefix("2001:db8::10/129", p), nullptr);
    EXPECT_NE(parse_prefix("example.org/24", p), nullptr);
}

}  // namespace
