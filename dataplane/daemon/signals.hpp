// SIGTERM and SIGINT stop the daemon (drain, then exit 0); SIGHUP reloads what can change while it
// runs. The signals are blocked in every thread (workers inherit the mask) and read from a
// signalfd by the main thread, so no handler runs in an arbitrary thread's context.
#pragma once

namespace swarmline::daemon {

enum class SignalAction { none, stop, reload };

// Blocks the signals; call before starting any thread. Returns the signalfd, or -1 on failure.
int block_signals() noexcept;
// Reads one pending signal from the signalfd and says what to do about it.
SignalAction read_signal(int signal_fd) noexcept;

}  // namespace swarmline::daemon
