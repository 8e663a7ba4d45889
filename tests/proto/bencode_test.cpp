// The bencode decoder accepts exactly the canonical form and says where input goes wrong; the
// writer produces what the decoder reads back.
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "proto/bencode.hpp"
#include "proto/bencode_writer.hpp"

namespace swarmline::proto::bencode {
namespace {

struct Decoded {
    Result result;
    std::array<Token, 64> tokens;
};

Decoded decode_str(std::string_view in, const Limits& limits = {}) {
    Decoded d;
    d.result = decode(in, d.tokens, limits);
    return d;
}

void expect_error(std::string_view in, Error error, std::size_t offset, const Limits& limits = {}) {
    const Decoded d = decode_str(in, limits);
    EXPECT_EQ(d.result.error, error) << "input: " << in << " got: " << describe(d.result.error);
    EXPECT_EQ(d.result.offset, offset) << "input: " << in;
}

TEST(BencodeDecode, ScalarsFromBep3) {
    auto d = decode_str("i3e");
    ASSERT_TRUE(d.result.ok());
    EXPECT_EQ(d.result.count, 1u);
    EXPECT_EQ(d.tokens[0].type, Type::integer);
    EXPECT_EQ(d.tokens[0].integer, 3);

    d = decode_str("i-3e");
    ASSERT_TRUE(d.result.ok());
    EXPECT_EQ(d.tokens[0].integer, -3);

    d = decode_str("i0e");
    ASSERT_TRUE(d.result.ok());
    EXPECT_EQ(d.tokens[0].integer, 0);

    d = decode_str("4:spam");
    ASSERT_TRUE(d.result.ok());
    EXPECT_EQ(d.tokens[0].type, Type::string);
    EXPECT_EQ(Document("4:spam", d.tokens).str(0), "spam");

    d = decode_str("0:");
    ASSERT_TRUE(d.result.ok());
    EXPECT_EQ(d.tokens[0].value_size, 0u);
}

TEST(BencodeDecode, IntegerExtremes) {
    auto d = decode_str("i9223372036854775807e");
    ASSERT_TRUE(d.result.ok());
    EXPECT_EQ(d.tokens[0].integer, INT64_MAX);
    d = decode_str("i-9223372036854775808e");
    ASSERT_TRUE(d.result.ok());
    EXPECT_EQ(d.tokens[0].integer, INT64_MIN);
    expect_error("i9223372036854775808e", Error::integer_range, 1);
    expect_error("i-9223372036854775809e", Error::integer_range, 2);
    expect_error("i99999999999999999999999e", Error::integer_range, 1);
    Limits small;
    small.min_integer = 0;
    small.max_integer = 100;
    expect_error("i101e", Error::integer_range, 1, small);
    expect_error("i-1e", Error::integer_range, 2, small);
    EXPECT_TRUE(decode_str("i100e", small).result.ok());
}

TEST(BencodeDecode, ListsAndDictsFromBep3) {
    const std::string_view in = "l4:spam4:eggse";
    auto d = decode_str(in);
    ASSERT_TRUE(d.result.ok());
    ASSERT_EQ(d.result.count, 3u);
    EXPECT_EQ(d.tokens[0].type, Type::list);
    EXPECT_EQ(d.tokens[0].value_size, 2u);
    EXPECT_EQ(d.tokens[0].next, 3u);
    Document doc(in, std::span(d.tokens).first(d.result.count));
    EXPECT_EQ(doc.str(1), "spam");
    EXPECT_EQ(doc.str(2), "eggs");

    const std::string_view dict = "d3:cow3:moo4:spam4:eggse";
    d = decode_str(dict);
    ASSERT_TRUE(d.result.ok());
    Document dd(dict, std::span(d.tokens).first(d.result.count));
    EXPECT_EQ(dd[0].value_size, 2u);
    ASSERT_TRUE(dd.find(0, "cow"));
    EXPECT_EQ(dd.str(*dd.find(0, "cow")), "moo");
    EXPECT_EQ(dd.str(*dd.find(0, "spam")), "eggs");
    EXPECT_FALSE(dd.find(0, "cat"));
    EXPECT_FALSE(dd.find(0, "zzz"));
    EXPECT_FALSE(dd.find(1, "cow")) << "find on a non-dict";

    EXPECT_TRUE(decode_str("le").result.ok());
    EXPECT_TRUE(decode_str("de").result.ok());
}

TEST(BencodeDecode, RawSpansTheExactBytesOfNestedValues) {
    const std::string_view in = "d4:infod4:name1:x6:lengthi5eee";  // unsorted inner dict
    EXPECT_EQ(decode_str(in).result.error, Error::unsorted_keys);
    const std::string_view ok = "d4:infod6:lengthi5e4:name1:xe3:zzzli1ei2eee";
    auto d = decode_str(ok);
    ASSERT_TRUE(d.result.ok());
    Document doc(ok, std::span(d.tokens).first(d.result.count));
    const auto info = doc.find(0, "info");
    ASSERT_TRUE(info);
    EXPECT_EQ(doc.raw(*info), "d6:lengthi5e4:name1:xe");
    const auto zzz = doc.find(0, "zzz");
    ASSERT_TRUE(zzz);
    EXPECT_EQ(doc.raw(*zzz), "li1ei2ee");
    EXPECT_EQ(doc.raw(0), ok);
    EXPECT_EQ(doc[0].next, d.result.count);
}

TEST(BencodeDecode, KeysCompareAsUnsignedBytes) {
    // 0x7f sorts before 0x80: a signed comparison would call this unsorted.
    const std::string in = std::string("d1:\x7f") + "i1e1:\x80i2ee";
    EXPECT_TRUE(decode_str(in).result.ok());
    const std::string bad = std::string("d1:\x80") + "i1e1:\x7fi2ee";
    EXPECT_EQ(decode_str(bad).result.error, Error::unsorted_keys);
}

TEST(BencodeDecode, ErrorsNameTheProblemAndTheOffset) {
    expect_error("", Error::truncated, 0);
    expect_error("i", Error::truncated, 1);
    expect_error("i12", Error::truncated, 3);
    expect_error("ie", Error::empty_integer, 1);
    expect_error("i-e", Error::empty_integer, 2);
    expect_error("i03e", Error::leading_zero, 1);
    expect_error("i-03e", Error::leading_zero, 2);
    expect_error("i-0e", Error::negative_zero, 2);
    expect_error("i1.5e", Error::bad_integer, 2);
    expect_error("i+1e", Error::bad_integer, 1);
    expect_error("-3:abc", Error::negative_length, 0);
    expect_error("03:abc", Error::leading_zero, 0);
    expect_error("3abc", Error::bad_length, 1);
    expect_error("5:abc", Error::truncated, 5);
    expect_error("3", Error::truncated, 1);
    expect_error("i1ei2e", Error::trailing_bytes, 3);
    expect_error("4:spamx", Error::trailing_bytes, 6);
    expect_error("x", Error::unexpected_byte, 0);
    expect_error("e", Error::unexpected_byte, 0);
    expect_error("l", Error::truncated, 1);
    expect_error("li1e", Error::truncated, 4);
    expect_error("d", Error::truncated, 1);
    expect_error("di1ei2ee", Error::key_not_string, 1);
    expect_error("dli1eei2ee", Error::key_not_string, 1);
    expect_error("d1:a", Error::truncated, 4);
    expect_error("d1:ae", Error::unexpected_byte, 4);  // a key without a value
    expect_error("d1:bi1e1:ai2ee", Error::unsorted_keys, 7);
    expect_error("d1:ai1e1:ai2ee", Error::duplicate_key, 7);
    expect_error("d2:abi1e1:ai2ee", Error::unsorted_keys, 8);
    expect_error("d-1:ai1ee", Error::negative_length, 1);
}

TEST(BencodeDecode, Limits) {
    Limits l;
    l.max_depth = 3;
    EXPECT_TRUE(decode_str("llleee", l).result.ok());
    expect_error("lllleeee", Error::too_deep, 3, l);

    l = Limits{};
    l.max_string = 4;
    EXPECT_TRUE(decode_str("4:abcd", l).result.ok());
    expect_error("5:abcde", Error::string_too_long, 0, l);
    expect_error("99999999999999999999999999:x", Error::string_too_long, 0, l);

    l = Limits{};
    l.max_size = 5;
    expect_error("6:abcdef", Error::too_large, 0, l);

    std::array<Token, 2> two;
    const Result r = decode("li1ei2ee", two);
    EXPECT_EQ(r.error, Error::too_many_tokens);
    EXPECT_EQ(r.offset, 4u);

    // Deep nesting is refused even with a huge limit: the stack is fixed.
    std::string deep(300, 'l');
    deep += std::string(300, 'e');
    l = Limits{};
    l.max_depth = 100000;
    std::array<Token, 400> many;
    EXPECT_EQ(decode(deep, many, l).error, Error::too_deep);
}

TEST(BencodeWriter, WritesCanonicalBencodeThatDecodesBack) {
    std::array<char, 128> buf;
    Writer w(buf);
    w.begin_dict();
    w.string("a");
    w.integer(-42);
    w.string("b");
    w.begin_list();
    w.string("xyz");
    w.integer(0);
    w.integer(INT64_MIN);
    w.end();
    w.string("c");
    const std::array<std::uint8_t, 3> bin{0, 0xff, 7};
    w.string(bin);
    w.end();
    ASSERT_TRUE(w.ok());
    using namespace std::string_literals;
    const std::string expected = "d1:ai-42e1:bl3:xyzi0ei-9223372036854775808ee1:c3:\0\xff\x07"s + "e";
    EXPECT_EQ(std::string(w.view()), expected);
    EXPECT_EQ(w.finish(), expected.size());
    EXPECT_TRUE(decode_str(w.view()).result.ok());
}

TEST(BencodeWriter, StopsAtTheEndOfTheBuffer) {
    std::array<char, 8> buf;
    Writer w(buf);
    w.string("12345");  // 7 bytes
    EXPECT_TRUE(w.ok());
    w.string("x");      // 3 more: does not fit
    EXPECT_FALSE(w.ok());
    EXPECT_EQ(w.finish(), 0u);
    w.integer(1);       // still refused, nothing written past the end
    EXPECT_EQ(w.size(), 7u);
}

}  // namespace
}  // namespace swarmline::proto::bencode
