// Delivers email_outbox rows over SMTP. A pass claims due rows (FOR UPDATE SKIP LOCKED, so several
// senders never send one message twice), sends each, and records the outcome: 'sent', or back to
// 'pending' with a growing delay, or 'failed' after max_attempts. Rows left in 'sending' by a crash
// are taken back after ten minutes. Without an SMTP host nothing runs and mail waits in the table.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

#include "services/pg_pool.hpp"
#include "services/smtp_client.hpp"

namespace swarmline::control {

struct OutboxResult {
    std::size_t sent = 0;
    std::size_t failed = 0;  // attempts that failed (retried later or given up)
};

// One pass over the due messages, at most `batch` of them.
OutboxResult send_due_mail(PgConn& db, const SmtpConfig& smtp, std::size_t batch = 20);

class OutboxSender {
public:
    OutboxSender(std::string database_url, SmtpConfig smtp, std::chrono::seconds interval)
        : url_(std::move(database_url)), smtp_(std::move(smtp)), interval_(interval) {}
    ~OutboxSender() { stop(); }
    void start();
    void stop();

private:
    void run();
    std::string url_;
    SmtpConfig smtp_;
    std::chrono::seconds interval_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace swarmline::control
