// A minimal SMTP client (RFC 5321) for the e-mail outbox: plain TCP to a relay on a trusted network
// (a local MTA such as Postfix or an SMTP smarthost on loopback), no TLS and no AUTH — the relay
// does those. One message per connection; every reply is checked, every socket operation has a
// timeout, and a failure says at which step the server refused.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace swarmline::control {

struct SmtpConfig {
    std::string host;  // empty: no SMTP, mail stays in the outbox
    std::uint16_t port = 25;
    std::string from = "swarmline@localhost";
    std::string helo = "localhost";
    std::chrono::seconds timeout{30};
};

struct MailMessage {
    std::string to;
    std::string subject;
    std::string body_text;
    std::string message_id;  // without angle brackets
};

// Sends one message; returns "" on success, else why not (with the server's reply).
std::string smtp_send(const SmtpConfig& config, const MailMessage& message);

// The message as sent after DATA: headers, a blank line, the body with CRLF line ends and leading
// dots doubled (RFC 5321 4.5.2), terminated by "\r\n.\r\n". Exposed for tests.
std::string smtp_payload(const SmtpConfig& config, const MailMessage& message);

}  // namespace swarmline::control
