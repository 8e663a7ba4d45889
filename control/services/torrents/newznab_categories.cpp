#include "services/torrents/newznab_categories.hpp"

namespace swarmline::control::torrents {

namespace {

constexpr NewznabCategory kCategories[] = {
    {"movies", 2000, "Movies"},          {"tv", 5000, "TV"},
    {"music", 3000, "Audio"},            {"games", 1000, "Console"},
    {"software", 4000, "PC"},            {"ebooks", 7000, "Books"},
    {"anime", 5070, "TV/Anime"},         {"other", 8000, "Other"},
    {"movies-sd", 2030, "Movies/SD"},    {"movies-hd", 2040, "Movies/HD"},
    {"movies-4k", 2045, "Movies/UHD"},   {"movies-remux", 2050, "Movies/BluRay"},
    {"movies-disc", 2050, "Movies/BluRay"}, {"tv-sd", 5030, "TV/SD"},
    {"tv-hd", 5040, "TV/HD"},            {"tv-4k", 5045, "TV/UHD"},
    {"tv-packs", 5000, "TV"},            {"music-flac", 3040, "Audio/Lossless"},
    {"music-flac-24", 3040, "Audio/Lossless"}, {"music-mp3", 3010, "Audio/MP3"},
    {"music-video", 3020, "Audio/Video"}, {"games-pc", 4050, "PC/Games"},
    {"games-console", 1000, "Console"},  {"software-windows", 4010, "PC/0day"},
    {"software-linux", 4000, "PC"},      {"software-macos", 4030, "PC/Mac"},
    {"ebooks-books", 7020, "Books/EBook"}, {"ebooks-comics", 7030, "Books/Comics"},
    {"ebooks-audiobooks", 3030, "Audio/Audiobook"}, {"anime-series", 5070, "TV/Anime"},
    {"anime-movies", 2000, "Movies"},
};

}  // namespace

std::span<const NewznabCategory> newznab_categories() { return kCategories; }

std::uint32_t newznab_id(std::string_view slug) {
    for (const auto& c : kCategories)
        if (c.slug == slug) return c.id;
    return 8000;
}

}  // namespace swarmline::control::torrents
