// The e-mail outbox delivered over SMTP to a scripted relay on a loopback socket: a registration's
// verification mail arrives with its code, a refusal puts the row back with the reason, and the
// message is framed as RFC 5321 wants (CRLF, dot-stuffing, no header injection).
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <thread>

#include "control_fixture.hpp"
#include "services/outbox_sender.hpp"

using namespace swarmline::control;
using swarmline::control::test::ControlTest;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Accepts one connection and plays an SMTP server; `refuse_rcpt` answers RCPT TO with 550.
class FakeRelay {
public:
    explicit FakeRelay(bool refuse_rcpt) : refuse_(refuse_rcpt) {
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeRelay() { thread_.join(); }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    // What the client sent; complete once the client's connection has ended (join first).
    std::string transcript() {
        thread_.join();
        thread_ = std::thread([] {});
        return transcript_;
    }

private:
    void serve() {
        tcp::socket s(ioc_);
        acceptor_.accept(s);
        asio::streambuf in;
        auto say = [&](const std::string& line) { asio::write(s, asio::buffer(line + "\r\n")); };
        boost::system::error_code ec;
        say("220 fake.relay ESMTP");
        while (true) {
            const auto n = asio::read_until(s, in, "\r\n", ec);
            if (ec) return;
            std::string line(asio::buffers_begin(in.data()), asio::buffers_begin(in.data()) + static_cast<long>(n));
            in.consume(n);
            transcript_ += line;
            if (line.starts_with("HELO")) say("250 fake.relay");
            else if (line.starts_with("MAIL FROM")) say("250 sender ok");
            else if (line.starts_with("RCPT TO")) say(refuse_ ? "550 5.1.1 no such mailbox" : "250 recipient ok");
            else if (line.starts_with("DATA")) {
                say("354 go ahead");
                const auto m = asio::read_until(s, in, "\r\n.\r\n", ec);
                if (ec) return;
                transcript_.append(asio::buffers_begin(in.data()), asio::buffers_begin(in.data()) + static_cast<long>(m));
                in.consume(m);
                say("250 queued");
            } else if (line.starts_with("QUIT")) {
                say("221 bye");
                return;
            } else {
                say("500 what");
            }
        }
    }
    bool refuse_;
    asio::io_context ioc_;
    tcp::acceptor acceptor_{ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    std::string transcript_;
    std::thread thread_;
};

class Outbox : public ControlTest {
protected:
    void register_member() {
        sql("UPDATE site_settings SET value = '\"open\"' WHERE key = 'site.registration_mode'");
        const auto r = call("POST", "/api/v1/auth/register",
                            R"({"username":"mailme","email":"mailme@example.test","password":"long-enough-pw"})");
        ASSERT_EQ(r.status, 201u) << r.body;
    }
    SmtpConfig relay(std::uint16_t port) {
        SmtpConfig c;
        c.host = "127.0.0.1";
        c.port = port;
        c.from = "tracker@example.test";
        c.helo = "tracker.example.test";
        return c;
    }
};

}  // namespace

TEST_F(Outbox, VerificationMailIsDeliveredWithItsCode) {
    register_member();
    FakeRelay fake(false);
    PgConn db(database().url());
    const auto result = send_due_mail(db, relay(fake.port()));
    EXPECT_EQ(result.sent, 1u);
    const auto t = fake.transcript();
    EXPECT_NE(t.find("HELO tracker.example.test\r\n"), std::string::npos) << t;
    EXPECT_NE(t.find("MAIL FROM:<tracker@example.test>\r\n"), std::string::npos) << t;
    EXPECT_NE(t.find("RCPT TO:<mailme@example.test>\r\n"), std::string::npos) << t;
    EXPECT_NE(t.find("Subject: Confirm your e-mail address for Swarmline\r\n"), std::string::npos) << t;
    EXPECT_NE(t.find("slv_"), std::string::npos) << "the verification code is in the mail";
    EXPECT_NE(t.find("QUIT\r\n"), std::string::npos);
    EXPECT_EQ(sql("SELECT status || ',' || attempts FROM email_outbox"), "sent,1");
    EXPECT_EQ(send_due_mail(db, relay(fake.port())).sent, 0u) << "a sent message is not sent again";
}

TEST_F(Outbox, RefusedMailGoesBackWithTheReasonAndADelay) {
    register_member();
    FakeRelay fake(true);
    PgConn db(database().url());
    const auto result = send_due_mail(db, relay(fake.port()));
    EXPECT_EQ(result.sent, 0u);
    EXPECT_EQ(result.failed, 1u);
    fake.transcript();
    EXPECT_EQ(sql("SELECT status || ',' || attempts FROM email_outbox"), "pending,1");
    EXPECT_EQ(sql("SELECT last_error FROM email_outbox"), "RCPT TO refused: 550 5.1.1 no such mailbox ");
    EXPECT_EQ(sql("SELECT send_after > now() FROM email_outbox"), "t");
}

TEST(SmtpPayload, CrlfDotStuffingAndNoHeaderInjection) {
    SmtpConfig c;
    c.from = "a@b";
    const auto p = smtp_payload(c, {"x@y", "Hi\r\nBcc: evil@z", "line one\n.hidden\n..two\nend", "id@b"});
    EXPECT_NE(p.find("Subject: HiBcc: evil@z\r\n"), std::string::npos) << "no line break survives in a header";
    EXPECT_NE(p.find("\r\n\r\nline one\r\n..hidden\r\n...two\r\nend\r\n.\r\n"), std::string::npos) << p;
    const auto q = smtp_payload(c, {"x@y", "Grüße", "b", "id@b"});
    EXPECT_NE(q.find("Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"), std::string::npos) << q;
}
