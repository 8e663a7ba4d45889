#include "daemon/signals.hpp"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace swarmline::daemon {

int block_signals() noexcept {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) return -1;
    // A client that closes its connection must not kill the process; sends use MSG_NOSIGNAL too.
    signal(SIGPIPE, SIG_IGN);
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

SignalAction read_signal(int signal_fd) noexcept {
    signalfd_siginfo info{};
    if (::read(signal_fd, &info, sizeof info) != sizeof info) return SignalAction::none;
    if (info.ssi_signo == SIGHUP) return SignalAction::reload;
    if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) return SignalAction::stop;
    return SignalAction::none;
}

}  // namespace swarmline::daemon
