// EAL start-up from the config: the argument list is built here (and unit-tested), EAL is
// initialised once per process.
#pragma once

#include <string>
#include <vector>

#include "io/dpdk/config.hpp"

namespace swarmline::io::dpdk {

// The name EAL gives the exception interface's net_tap device.
inline constexpr const char* kExceptionVdev = "net_tap_swl";

// argv for rte_eal_init, program name first.
[[nodiscard]] std::vector<std::string> eal_arguments(const Config& config);
// Empty on success, else EAL's reason. Called once; EAL cannot be initialised twice in a process.
[[nodiscard]] std::string init_eal(const Config& config);

}  // namespace swarmline::io::dpdk
