// The pure parts of the torrent service: the multipart/form-data parser (what browsers and curl
// send, and every way a body can be cut or malformed) and media-file detection.
#include <gtest/gtest.h>

#include "services/torrents/media_files.hpp"
#include "services/torrents/multipart.hpp"

namespace swarmline::control::torrents {
namespace {

using namespace std::string_literals;

// A std::string literal (""s): the part's data holds a NUL.
const std::string kBody =
    "preamble is ignored\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"torrent\"; filename=\"a b.torrent\"\r\n"
    "Content-Type: application/x-bittorrent\r\n\r\n"
    "d4:infod\r\n--Xy\0e\r\n"
    "--XyZ\r\n"
    "content-disposition: form-data; name=category\r\n\r\n"
    "movies\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"empty\"\r\n\r\n"
    "\r\n"
    "--XyZ--\r\n"
    "epilogue"s;

TEST(FormBoundary, ReadsTheBoundaryOfMultipartFormDataOnly) {
    EXPECT_EQ(form_boundary("multipart/form-data; boundary=XyZ").value_or(""), "XyZ");
    EXPECT_EQ(form_boundary("Multipart/Form-Data; charset=utf-8; Boundary=\"a b\"").value_or(""), "a b");
    EXPECT_FALSE(form_boundary("application/json"));
    EXPECT_FALSE(form_boundary("multipart/form-data"));
    EXPECT_FALSE(form_boundary("multipart/form-data; boundary="));
    EXPECT_FALSE(form_boundary("multipart/form-data; boundary=" + std::string(71, 'a')));
}

TEST(ParseForm, SplitsPartsWithBinaryDataIntact) {
    const auto parts = parse_form(kBody, "XyZ");
    ASSERT_TRUE(parts);
    ASSERT_EQ(parts->size(), 3u);
    EXPECT_EQ((*parts)[0].name, "torrent");
    EXPECT_EQ((*parts)[0].filename, "a b.torrent");
    EXPECT_EQ((*parts)[0].data, std::string_view("d4:infod\r\n--Xy\0e", 16)) << "a near-delimiter and a NUL are data";
    EXPECT_EQ((*parts)[1].name, "category");
    EXPECT_EQ((*parts)[1].data, "movies");
    EXPECT_EQ((*parts)[2].data, "");
}

TEST(ParseForm, RefusesMalformedBodies) {
    const std::string ok = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--b--\r\n";
    EXPECT_TRUE(parse_form(ok, "b"));
    EXPECT_FALSE(parse_form("", "b"));
    EXPECT_FALSE(parse_form("no delimiter at all", "b"));
    // Cut anywhere before the closing delimiter, it is refused, never read past its end.
    for (std::size_t n = 0; n + 4 < ok.size(); ++n) EXPECT_FALSE(parse_form(ok.substr(0, n), "b")) << n;
    EXPECT_FALSE(parse_form("--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--", "b")) << "a part needs a name";
    EXPECT_FALSE(parse_form("--bXX\r\n", "b"));
    EXPECT_TRUE(parse_form("--b--", "b").value().empty());
}

TEST(ClassifyFile, KnowsMediaByExtensionInAnyCase) {
    auto k = classify_file("Movie.2024.2160p.MKV");
    EXPECT_EQ(k.extension, "mkv");
    EXPECT_EQ(k.mime, "video/x-matroska");
    EXPECT_TRUE(k.is_media);
    k = classify_file("01 - Track.flac");
    EXPECT_TRUE(k.is_media);
    EXPECT_EQ(k.mime, "audio/flac");
    k = classify_file("release.nfo");
    EXPECT_FALSE(k.is_media);
    EXPECT_EQ(k.mime, "text/x-nfo");
    k = classify_file("data.unknownext");
    EXPECT_EQ(k.extension, "unknownext");
    EXPECT_EQ(k.mime, "");
    EXPECT_FALSE(k.is_media);
    EXPECT_EQ(classify_file(".hidden").extension, "");
    EXPECT_EQ(classify_file("README").extension, "");
    EXPECT_EQ(classify_file("trailing.").extension, "");
    EXPECT_EQ(classify_file("x.averyveryverylongextension").extension, "") << "not an extension";
}

}  // namespace
}  // namespace swarmline::control::torrents
