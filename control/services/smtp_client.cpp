#include "services/smtp_client.hpp"

#include <netdb.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <vector>

namespace swarmline::control {

namespace {

// Header values never carry a line break (no header injection); non-ASCII becomes an RFC 2047
// encoded word.
std::string header_value(std::string_view s) {
    std::string clean;
    bool ascii = true;
    for (char c : s) {
        if (c == '\r' || c == '\n') continue;
        if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
        clean.push_back(c);
    }
    if (ascii) return clean;
    std::vector<unsigned char> out(4 * ((clean.size() + 2) / 3) + 1);
    const int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(clean.data()),
                                  static_cast<int>(clean.size()));
    return "=?UTF-8?B?" + std::string(reinterpret_cast<char*>(out.data()), static_cast<std::size_t>(n)) + "?=";
}

class Socket {
public:
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    std::string connect(const SmtpConfig& c) {
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* res = nullptr;
        const std::string port = std::to_string(c.port);
        if (int rc = getaddrinfo(c.host.c_str(), port.c_str(), &hints, &res); rc != 0)
            return "cannot resolve " + c.host + ": " + gai_strerror(rc);
        std::string err = "cannot connect to " + c.host + ":" + port;
        for (auto* a = res; a; a = a->ai_next) {
            fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
            if (fd_ < 0) continue;
            timeval tv{static_cast<time_t>(c.timeout.count()), 0};
            setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
            if (::connect(fd_, a->ai_addr, a->ai_addrlen) == 0) {
                err.clear();
                break;
            }
            err += std::string(": ") + std::strerror(errno);
            ::close(fd_);
            fd_ = -1;
        }
        freeaddrinfo(res);
        return err;
    }
    bool send(std::string_view data) {
        while (!data.empty()) {
            const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }
    // One reply, possibly multi-line ("250-..." lines then "250 ..."); returns its code, 0 on error.
    int reply(std::string& text) {
        text.clear();
        while (true) {
            const auto eol = buffer_.find("\r\n");
            if (eol == std::string::npos) {
                if (buffer_.size() > 64 * 1024) return 0;  // no sane reply is this long
                char chunk[1024];
                const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
                if (n <= 0) return 0;
                buffer_.append(chunk, static_cast<std::size_t>(n));
                continue;
            }
            std::string line = buffer_.substr(0, eol);
            buffer_.erase(0, eol + 2);
            text += line + " ";
            if (line.size() < 3) return 0;
            if (line.size() == 3 || line[3] == ' ') return std::atoi(line.substr(0, 3).c_str());
        }
    }

private:
    int fd_ = -1;
    std::string buffer_;
};

}  // namespace

std::string smtp_payload(const SmtpConfig& config, const MailMessage& m) {
    char date[64];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    std::string out;
    out += "From: " + header_value(config.from) + "\r\n";
    out += "To: " + header_value(m.to) + "\r\n";
    out += "Subject: " + header_value(m.subject) + "\r\n";
    out += std::string("Date: ") + date + "\r\n";
    out += "Message-ID: <" + header_value(m.message_id) + ">\r\n";
    out += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
    std::string_view body = m.body_text;
    while (!body.empty()) {
        const auto nl = body.find('\n');
        std::string_view line = body.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty() && line.front() == '.') out.push_back('.');
        out.append(line);
        out += "\r\n";
        if (nl == std::string_view::npos) break;
        body.remove_prefix(nl + 1);
    }
    out += ".\r\n";
    return out;
}

std::string smtp_send(const SmtpConfig& config, const MailMessage& m) {
    Socket s;
    if (auto err = s.connect(config); !err.empty()) return err;
    std::string text;
    struct Step {
        std::string command;  // empty: only read the greeting
        int expect;
        const char* name;
    };
    const Step steps[] = {
        {"", 220, "greeting"},
        {"HELO " + config.helo + "\r\n", 250, "HELO"},
        {"MAIL FROM:<" + config.from + ">\r\n", 250, "MAIL FROM"},
        {"RCPT TO:<" + m.to + ">\r\n", 250, "RCPT TO"},
        {"DATA\r\n", 354, "DATA"},
        {smtp_payload(config, m), 250, "message"},
    };
    for (const auto& step : steps) {
        if (!step.command.empty() && !s.send(step.command)) return std::string("connection lost sending ") + step.name;
        const int code = s.reply(text);
        // RCPT TO may also answer 251 (user not local; will forward).
        if (code != step.expect && !(step.expect == 250 && code == 251))
            return std::string(step.name) + " refused: " + (code ? text : "no reply");
    }
    s.send("QUIT\r\n");
    return {};
}

}  // namespace swarmline::control
