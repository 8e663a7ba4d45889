// Delivers email_outbox rows over SMTP. A pass claims due rows (FOR UPDATE SKIP LOCKED, so several
// senders never send one message twice), sends each, and records the outcome: 'sent', or back to
// 'pending' with a growing delay, or 'failed' after max_attempts. Rows left in 'sending' by a crash
// are taken back after ten minutes. serve runs it as a background job (control/jobs) when an SMTP
// host is set; without one, mail waits in the table.
#pragma once

#include <cstddef>
#include <string>

#include "services/pg_pool.hpp"
#include "services/smtp_client.hpp"

namespace swarmline::control {

struct OutboxResult {
    std::size_t sent = 0;
    std::size_t failed = 0;  // attempts that failed (retried later or given up)
};

// One pass over the due messages, at most `batch` of them.
OutboxResult send_due_mail(PgConn& db, const SmtpConfig& smtp, std::size_t batch = 20);

}  // namespace swarmline::control
