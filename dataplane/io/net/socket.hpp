// The listening sockets of one worker: every worker opens its own socket per configured address
// with SO_REUSEPORT, so the kernel spreads datagrams and connections over the workers without a
// shared queue.
#pragma once

#include <string>

#include "io/net/address.hpp"

namespace swarmline::io::net {

// A bound UDP socket, or -1 with `error` set. `addr` gets the bound port when it asked for port 0.
int open_udp(Address& addr, std::string& error);
// A listening TCP socket (backlog `backlog`), or -1 with `error` set; port 0 as for open_udp.
int open_tcp_listener(Address& addr, int backlog, std::string& error);

}  // namespace swarmline::io::net
