// Any input: the decoder either fails with an offset inside the input, or accepts a canonical
// encoding, which re-encoding from the tokens must reproduce byte for byte.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "proto/bencode.hpp"
#include "proto/bencode_writer.hpp"

using namespace swarmline::proto::bencode;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

// Writes token `i` and its children; returns the index after them.
std::size_t reencode(const Document& doc, std::size_t i, Writer& w) {
    const Token& t = doc[i];
    switch (t.type) {
    case Type::integer:
        w.integer(t.integer);
        return i + 1;
    case Type::string:
        w.string(doc.str(i));
        return i + 1;
    case Type::list:
    case Type::dict: {
        t.type == Type::list ? w.begin_list() : w.begin_dict();
        const std::uint32_t children = t.type == Type::list ? t.value_size : 2 * t.value_size;
        std::size_t c = i + 1;
        for (std::uint32_t k = 0; k < children; ++k) c = reencode(doc, c, w);
        check(c == t.next);
        w.end();
        return c;
    }
    }
    return i + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    static std::array<Token, 4096> tokens;
    Limits limits;
    limits.max_depth = 32;
    const Result r = decode(in, tokens, limits);
    if (!r.ok()) {
        check(r.offset <= size);
        check(describe(r.error) != nullptr);
        return 0;
    }
    check(r.count >= 1 && r.count <= tokens.size());
    const Document doc(in, std::span(tokens).first(r.count));
    check(doc[0].begin == 0 && doc[0].end == size && doc[0].next == r.count);
    std::vector<char> out(size);
    Writer w(out);
    check(reencode(doc, 0, w) == r.count);
    check(w.ok() && w.view() == in);
    return 0;
}
