#include "services/outbox_sender.hpp"

#include "base/log.hpp"

namespace swarmline::control {

OutboxResult send_due_mail(PgConn& db, const SmtpConfig& smtp, std::size_t batch) {
    static const Statement kReclaim{"outbox_reclaim",
                                    "UPDATE email_outbox SET status = 'pending', locked_at = NULL "
                                    "WHERE status = 'sending' AND locked_at < now() - interval '10 minutes'"};
    db.run(kReclaim);
    static const Statement kClaim{
        "outbox_claim",
        "UPDATE email_outbox SET status = 'sending', locked_at = now(), attempts = attempts + 1 "
        "WHERE id IN (SELECT id FROM email_outbox WHERE status = 'pending' AND send_after <= now() "
        "ORDER BY send_after LIMIT $1 FOR UPDATE SKIP LOCKED) "
        "RETURNING id, to_address, subject, body_text, attempts, max_attempts"};
    const auto rows = db.run(kClaim, {static_cast<std::int64_t>(batch)});
    OutboxResult result;
    for (int i = 0; i < rows.rows(); ++i) {
        const std::string id(rows.get(i, 0));
        MailMessage m{std::string(rows.get(i, 1)), std::string(rows.get(i, 2)), std::string(rows.get(i, 3)),
                      id + "@" + smtp.helo};
        const std::string err = smtp_send(smtp, m);
        if (err.empty()) {
            static const Statement kSent{"outbox_sent",
                                         "UPDATE email_outbox SET status = 'sent', sent_at = now(), locked_at = NULL, "
                                         "last_error = NULL WHERE id = $1"};
            db.run(kSent, {id});
            ++result.sent;
            continue;
        }
        // Retry after 1, 2, 4 ... minutes, at most an hour apart; give up after max_attempts.
        static const Statement kRetry{
            "outbox_retry",
            "UPDATE email_outbox SET locked_at = NULL, last_error = $2, "
            "status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END, "
            "send_after = now() + make_interval(secs => least(3600, 60 * power(2, attempts - 1))) WHERE id = $1"};
        db.run(kRetry, {id, err.substr(0, 1000)});
        ++result.failed;
        log::warn("mail not delivered", {{"outbox_id", id}, {"error", err}});
    }
    return result;
}

}  // namespace swarmline::control
