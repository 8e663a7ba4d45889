#include <gtest/gtest.h>
#include <simdjson.h>

#include "http/api_error.hpp"
#include "http/json_input.hpp"
#include "http/json_writer.hpp"

using swarmline::http::ApiError;
using swarmline::http::JsonInput;
using swarmline::http::JsonWriter;

TEST(JsonWriter, PlacesCommasAndNests) {
    JsonWriter w;
    w.begin_object().field("a", 1).key("b").begin_array().value(true).null().value("x").end_array();
    w.key("c").begin_object().end_object().field("d", std::uint64_t{18446744073709551615ULL}).end_object();
    EXPECT_EQ(w.str(), R"({"a":1,"b":[true,null,"x"],"c":{},"d":18446744073709551615})");
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
    JsonWriter w;
    w.begin_array().value("q\" b\\ n\n t\t z\x01 del\x7f").value(std::string_view("nul\0", 4)).end_array();
    EXPECT_EQ(w.str(), R"(["q\" b\\ n\n t\t z\u0001 del\u007f","nul\u0000"])");
}

TEST(JsonWriter, KeepsValidUtf8AndReplacesInvalid) {
    JsonWriter w;
    w.begin_array().value("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");  // é € 😀
    w.value("\xC3").value("\xED\xA0\x80").value("\xC0\xAF").end_array();  // truncated, surrogate, overlong
    EXPECT_EQ(w.str(), "[\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\",\"\xEF\xBF\xBD\",\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\","
                       "\"\xEF\xBF\xBD\xEF\xBF\xBD\"]");
}

TEST(JsonWriter, OutputParsesBackToTheSameStrings) {
    std::string all;
    for (int c = 0; c < 128; ++c) all.push_back(static_cast<char>(c));
    JsonWriter w;
    w.begin_object().field("s", all).field("f", 0.5).field("nan", std::numeric_limits<double>::quiet_NaN()).end_object();
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    ASSERT_EQ(p.parse(w.str()).get(doc), simdjson::SUCCESS) << w.str();
    std::string_view s;
    ASSERT_EQ(doc["s"].get(s), simdjson::SUCCESS);
    EXPECT_EQ(s, all);
    EXPECT_TRUE(doc["nan"].is_null());
}

TEST(JsonInput, ReadsTypedMembers) {
    JsonInput in(R"({"name":"bob","n":42,"ok":true,"nothing":null})");
    EXPECT_EQ(in.string("name", 10), "bob");
    EXPECT_EQ(in.optional_int("n"), 42);
    EXPECT_EQ(in.optional_bool("ok"), true);
    EXPECT_FALSE(in.optional_string("nothing", 10));
    EXPECT_FALSE(in.has("missing"));
}

TEST(JsonInput, RefusesBadJsonWrongTypesAndOversizedStrings) {
    auto status_of = [](auto&& fn) {
        try {
            fn();
        } catch (const ApiError& e) {
            return std::make_pair(e.status(), e.code());
        }
        return std::make_pair(0u, std::string());
    };
    EXPECT_EQ(status_of([] { JsonInput in("{\"a\":"); }), std::make_pair(400u, std::string("bad_json")));
    EXPECT_EQ(status_of([] { JsonInput in("[1]"); }), std::make_pair(400u, std::string("bad_json")));
    EXPECT_EQ(status_of([] { JsonInput in(""); }), std::make_pair(400u, std::string("bad_json")));
    JsonInput in(R"({"n":"x","s":"abcdef"})");
    EXPECT_EQ(status_of([&] { (void)in.optional_int("n"); }).first, 422u);
    EXPECT_EQ(status_of([&] { (void)in.string("s", 3); }).first, 422u);
    EXPECT_EQ(status_of([&] { (void)in.string("missing", 3); }).first, 422u);
}

TEST(ErrorBody, HasTheOneErrorShape) {
    EXPECT_EQ(swarmline::http::error_body("not_found", "no \"such\" route"),
              R"({"error":{"code":"not_found","message":"no \"such\" route"}})");
}
