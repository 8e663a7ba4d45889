// The pure parts of the HTTP layer: path patterns, query and cookie parsing, pagination, static files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "http/api_error.hpp"
#include "http/pagination.hpp"
#include "http/path_pattern.hpp"
#include "http/static_files.hpp"

using namespace swarmline::http;

TEST(PathPattern, MatchesLiteralsAndDecodesParameters) {
    std::vector<std::string> p;
    EXPECT_TRUE(match_path("/api/v1/users/{id}", "/api/v1/users/a%20b", p));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0], "a b");
    p.clear();
    EXPECT_TRUE(match_path("/api/v1/users/{id}/sessions/{sid}", "/api/v1/users/1/sessions/2", p));
    EXPECT_EQ(p, (std::vector<std::string>{"1", "2"}));
    p.clear();
    EXPECT_FALSE(match_path("/api/v1/users/{id}", "/api/v1/users/", p));
    EXPECT_FALSE(match_path("/api/v1/users/{id}", "/api/v1/users/1/x", p));
    EXPECT_FALSE(match_path("/api/v1/users/{id}", "/api/v1/users/%zz", p));
    EXPECT_FALSE(match_path("/api/v1/me", "/api/v1/me/", p));
    EXPECT_TRUE(p.empty());
    EXPECT_TRUE(match_path("/health", "/health", p));
}

TEST(Request, QueryParametersAndCookies) {
    Request r;
    r.query = "a=1&b=x+y%21&flag&a=2";
    r.headers = {{"cookie", "x=1; swarmline_session=abc ; y=2"}};
    EXPECT_EQ(r.query_param("a"), "1");
    EXPECT_EQ(r.query_param("b"), "x y!");
    EXPECT_EQ(r.query_param("flag"), "");
    EXPECT_FALSE(r.query_param("c"));
    EXPECT_EQ(r.cookie("swarmline_session"), "abc");
    EXPECT_EQ(r.cookie("z"), "");
    r.query = "a=%2";
    EXPECT_THROW(r.query_param("a"), ApiError);
}

TEST(Pagination, DefaultsCapsAndRefusals) {
    Request r;
    auto p = Page::from(r);
    EXPECT_EQ(p.page, 1u);
    EXPECT_EQ(p.per_page, Page::kDefaultPerPage);
    r.query = "page=3&per_page=100000";
    p = Page::from(r);
    EXPECT_EQ(p.per_page, Page::kMaxPerPage);
    EXPECT_EQ(p.offset(), 2u * Page::kMaxPerPage);
    for (const char* bad : {"page=0", "page=-1", "per_page=x", "page=", "page=1x"}) {
        r.query = bad;
        try {
            Page::from(r);
            ADD_FAILURE() << bad;
        } catch (const ApiError& e) {
            EXPECT_EQ(e.status(), 400u) << bad;
        }
    }
}

TEST(StaticFiles, ServesFilesBelowTheRootOnly) {
    const auto root = std::filesystem::temp_directory_path() / ("swarmline-static-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root / "sub");
    std::ofstream(root / "index.html") << "<p>hi</p>";
    std::ofstream(root / "sub" / "app.js") << "1;";
    std::ofstream(root.parent_path() / "secret.txt") << "no";
    StaticFiles files(root);
    auto index = files.get("/");
    ASSERT_TRUE(index);
    EXPECT_EQ(index->body, "<p>hi</p>");
    EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
    auto js = files.get("/sub/app.js");
    ASSERT_TRUE(js);
    EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
    EXPECT_FALSE(files.get("/../secret.txt"));
    EXPECT_FALSE(files.get("/sub/%2e%2e/%2e%2e/secret.txt"));
    EXPECT_FALSE(files.get("/missing.html"));
    std::filesystem::remove_all(root);
}
