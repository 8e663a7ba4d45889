// The client's side of HTTP/1.x framing: where an answer ends, whether the connection stays open,
// and heads that cannot be framed refused rather than guessed at.
#include <gtest/gtest.h>

#include <string>

#include "proto/http_client.hpp"

namespace swarmline::proto::http {
namespace {

TEST(ResponseHead, KeepAliveAndLength) {
    ResponseHead h;
    const std::string r = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ncontent-length: 12\r\n\r\nd8:intervali1ee";
    ASSERT_EQ(parse_response_head(r, h), HeadResult::complete);
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(h.content_length, 12u);
    EXPECT_EQ(h.head_size, r.find("d8:"));
    EXPECT_TRUE(h.keep_alive);
}

TEST(ResponseHead, CloseForms) {
    ResponseHead h;
    ASSERT_EQ(parse_response_head("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", h), HeadResult::complete);
    EXPECT_FALSE(h.keep_alive);
    ASSERT_EQ(parse_response_head("HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", h),
              HeadResult::complete);
    EXPECT_FALSE(h.keep_alive);
    EXPECT_EQ(h.status, 503);
}

TEST(ResponseHead, IncompleteAndInvalid) {
    ResponseHead h;
    EXPECT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nContent-Len", h), HeadResult::need_more);
    EXPECT_EQ(parse_response_head("HTTP/1.1 200 OK\r\n\r\n", h), HeadResult::invalid);  // no length
    EXPECT_EQ(parse_response_head("SSH-2.0-OpenSSH\r\n\r\n", h), HeadResult::invalid);
    EXPECT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", h), HeadResult::invalid);
}

TEST(ResponseHead, OversizedHeadWithoutEndIsInvalid) {
    ResponseHead h;
    const std::string head = "HTTP/1.1 200 OK\r\nX-Filler: " + std::string(20000, 'a');
    EXPECT_EQ(parse_response_head(head, h), HeadResult::invalid);
}

}  // namespace
}  // namespace swarmline::proto::http
