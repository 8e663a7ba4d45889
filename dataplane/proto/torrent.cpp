#include "proto/torrent.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "proto/bencode.hpp"
#include "proto/bencode_writer.hpp"

namespace swarmline::proto::torrent {

namespace {

using bencode::Document;
using bencode::Type;

// BEP 52: v2 piece length is a power of two, at least 16 KiB.
constexpr std::uint64_t kMinV2PieceLength = 16384;
// Every token takes at least two bytes of input ("0:", "le"), which bounds the array.
std::size_t token_capacity(std::size_t size) noexcept { return size / 2 + 2; }

struct Parser {
    const Document& doc;
    Torrent& out;
    const Limits& limits;

    Error fail(const char* step, std::size_t token) const noexcept { return Error{step, doc[token].begin}; }

    // The value of `key` in `dict` when it has `type`; an error when it is there with another type.
    Error get(std::size_t dict, std::string_view key, Type type, std::optional<std::size_t>& v, const char* step) const {
        v = doc.find(dict, key);
        if (v && doc[*v].type != type) return fail(step, *v);
        return {};
    }

    Error path_component(std::size_t token, std::string& out_name) const {
        const std::string_view s = doc.str(token);
        if (s.empty() || s == "." || s == ".." || s.find('/') != std::string_view::npos ||
            s.find('\0') != std::string_view::npos)
            return fail("invalid path component", token);
        out_name.assign(s);
        return {};
    }

    Error string_list(std::size_t list, std::vector<std::string>& v, const char* step) const {
        std::size_t t = list + 1;
        for (std::uint32_t i = 0; i < doc[list].value_size; ++i, t = doc[t].next) {
            if (doc[t].type != Type::string) return fail(step, t);
            v.emplace_back(doc.str(t));
        }
        return {};
    }

    Error top_level(std::size_t root) {
        std::optional<std::size_t> v;
        if (Error e = get(root, "announce", Type::string, v, "announce is not a string"); !e.ok()) return e;
        if (v) out.announce.assign(doc.str(*v));
        if (Error e = get(root, "announce-list", Type::list, v, "announce-list is not a list"); !e.ok()) return e;
        if (v) {
            std::size_t tier = *v + 1;
            for (std::uint32_t i = 0; i < doc[*v].value_size; ++i, tier = doc[tier].next) {
                if (doc[tier].type != Type::list) return fail("announce-list tier is not a list", tier);
                out.announce_list.emplace_back();
                if (Error e = string_list(tier, out.announce_list.back(), "announce-list URL is not a string"); !e.ok())
                    return e;
            }
        }
        if (Error e = get(root, "comment", Type::string, v, "comment is not a string"); !e.ok()) return e;
        if (v) out.comment.assign(doc.str(*v));
        if (Error e = get(root, "created by", Type::string, v, "created by is not a string"); !e.ok()) return e;
        if (v) out.created_by.assign(doc.str(*v));
        if (Error e = get(root, "creation date", Type::integer, v, "creation date is not an integer"); !e.ok()) return e;
        if (v) out.creation_date = doc[*v].integer;
        return {};
    }

    Error add_length(std::uint64_t& total, std::int64_t length, std::size_t token) const {
        if (length < 0) return fail("negative file length", token);
        const auto len = static_cast<std::uint64_t>(length);
        if (total > UINT64_MAX - len) return fail("total size overflows", token);
        total += len;
        return {};
    }

    Error v1(std::size_t info, std::size_t pieces) {
        if (doc[pieces].value_size % sizeof(InfoHash) != 0) return fail("pieces is not a multiple of 20 bytes", pieces);
        std::optional<std::size_t> length, files;
        if (Error e = get(info, "length", Type::integer, length, "length is not an integer"); !e.ok()) return e;
        if (Error e = get(info, "files", Type::list, files, "files is not a list"); !e.ok()) return e;
        if (length.has_value() == files.has_value()) return fail("v1 info needs exactly one of length and files", info);
        std::uint64_t padded_total = 0;
        if (length) {
            if (Error e = add_length(padded_total, doc[*length].integer, *length); !e.ok()) return e;
            out.files.push_back(File{{out.name}, padded_total, false, {}});
        } else {
            if (doc[*files].value_size == 0) return fail("empty files list", *files);
            if (doc[*files].value_size > limits.max_files) return fail("too many files", *files);
            std::size_t f = *files + 1;
            for (std::uint32_t i = 0; i < doc[*files].value_size; ++i, f = doc[f].next) {
                if (doc[f].type != Type::dict) return fail("file entry is not a dictionary", f);
                std::optional<std::size_t> flen, fpath, attr;
                if (Error e = get(f, "length", Type::integer, flen, "file length is not an integer"); !e.ok()) return e;
                if (Error e = get(f, "path", Type::list, fpath, "file path is not a list"); !e.ok()) return e;
                if (Error e = get(f, "attr", Type::string, attr, "file attr is not a string"); !e.ok()) return e;
                if (!flen || !fpath) return fail("file without length or path", f);
                const std::uint32_t depth = doc[*fpath].value_size;
                if (depth == 0 || depth > limits.max_path_depth) return fail("invalid file path depth", *fpath);
                File file;
                file.path.reserve(depth + 1);
                file.path.push_back(out.name);
                std::size_t c = *fpath + 1;
                for (std::uint32_t k = 0; k < depth; ++k, c = doc[c].next) {
                    if (doc[c].type != Type::string) return fail("path component is not a string", c);
                    if (Error e = path_component(c, file.path.emplace_back()); !e.ok()) return e;
                }
                if (Error e = add_length(padded_total, doc[*flen].integer, *flen); !e.ok()) return e;
                file.length = static_cast<std::uint64_t>(doc[*flen].integer);
                file.pad = attr && doc.str(*attr).find('p') != std::string_view::npos;
                out.files.push_back(std::move(file));
            }
        }
        const std::uint64_t count = doc[pieces].value_size / sizeof(InfoHash);
        const std::uint64_t expected = (padded_total + out.piece_length - 1) / out.piece_length;
        if (count != expected) return fail("piece count does not match the total size", pieces);
        out.piece_count = count;
        for (const File& file : out.files)
            if (!file.pad) out.total_size += file.length;
        return {};
    }

    // One level of a v2 file tree: every entry is a directory, or a file (a dict whose only key is "").
    Error tree(std::size_t dir, std::vector<std::string>& path, std::vector<File>& files) {
        if (path.size() > limits.max_path_depth) return fail("file tree too deep", dir);
        std::size_t k = dir + 1;
        for (std::uint32_t i = 0; i < doc[dir].value_size; ++i) {
            const std::size_t node = doc[k].next;
            if (doc[node].type != Type::dict) return fail("file tree node is not a dictionary", node);
            if (Error e = path_component(k, path.emplace_back()); !e.ok()) return e;
            const auto leaf = doc.find(node, "");
            if (leaf) {
                if (doc[node].value_size != 1) return fail("file tree file has other keys", node);
                if (doc[*leaf].type != Type::dict) return fail("file tree file is not a dictionary", *leaf);
                if (files.size() == limits.max_files) return fail("too many files", *leaf);
                std::optional<std::size_t> len, root;
                if (Error e = get(*leaf, "length", Type::integer, len, "file length is not an integer"); !e.ok()) return e;
                if (Error e = get(*leaf, "pieces root", Type::string, root, "pieces root is not a string"); !e.ok())
                    return e;
                if (!len || doc[*len].integer < 0) return fail("file without a valid length", *leaf);
                File f{path, static_cast<std::uint64_t>(doc[*len].integer), false, {}};
                if (f.length > 0) {
                    if (!root || doc[*root].value_size != f.pieces_root.size())
                        return fail("pieces root missing or not 32 bytes", *leaf);
                    std::memcpy(f.pieces_root.data(), doc.str(*root).data(), f.pieces_root.size());
                }
                files.push_back(std::move(f));
            } else {
                if (Error e = tree(node, path, files); !e.ok()) return e;
            }
            path.pop_back();
            k = doc[node].next;
        }
        return {};
    }

    Error v2(std::size_t root, std::size_t info, std::size_t file_tree) {
        const std::uint64_t pl = out.piece_length;
        if (pl < kMinV2PieceLength || (pl & (pl - 1)) != 0) return fail("v2 piece length is not a power of two >= 16 KiB", info);
        std::vector<File> files;
        std::vector<std::string> path;
        if (Error e = tree(file_tree, path, files); !e.ok()) return e;
        if (files.empty()) return fail("empty file tree", file_tree);
        // A single file at the top is a single-file torrent; anything else sits in the `name` directory.
        const bool single = files.size() == 1 && files[0].path.size() == 1;
        if (!single)
            for (File& f : files) f.path.insert(f.path.begin(), out.name);
        std::optional<std::size_t> layers;
        if (Error e = get(root, "piece layers", Type::dict, layers, "piece layers is not a dictionary"); !e.ok()) return e;
        std::uint64_t pieces = 0, total = 0;
        for (const File& f : files) {
            const std::uint64_t n = (f.length + pl - 1) / pl;
            pieces += n;
            total += f.length;
            // Files of one piece or less carry their root only (BEP 52).
            if (n <= 1) continue;
            const std::string_view key(reinterpret_cast<const char*>(f.pieces_root.data()), f.pieces_root.size());
            if (!layers) return fail("piece layers missing", root);
            const auto layer = doc.find(*layers, key);
            if (!layer || doc[*layer].type != Type::string || doc[*layer].value_size != n * 32)
                return fail("piece layer missing or of the wrong size", *layers);
        }
        if (out.has_v1) {
            // Hybrid: the v1 file list, padding aside, must be the v2 tree in the same order.
            std::size_t j = 0;
            for (File& f : out.files) {
                if (f.pad) continue;
                if (j == files.size() || f.length != files[j].length || f.path != files[j].path)
                    return fail("hybrid v1 and v2 file lists differ", file_tree);
                f.pieces_root = files[j++].pieces_root;
            }
            if (j != files.size()) return fail("hybrid v1 and v2 file lists differ", file_tree);
        } else {
            out.files = std::move(files);
            out.piece_count = pieces;
            out.total_size = total;
        }
        return {};
    }

    Error run() {
        constexpr std::size_t root = 0;
        if (doc[root].type != Type::dict) return fail("not a dictionary", root);
        if (Error e = top_level(root); !e.ok()) return e;
        std::optional<std::size_t> info;
        if (Error e = get(root, "info", Type::dict, info, "info is not a dictionary"); !e.ok()) return e;
        if (!info) return fail("no info dictionary", root);
        std::optional<std::size_t> v;
        if (Error e = get(*info, "name", Type::string, v, "name is not a string"); !e.ok()) return e;
        if (!v) return fail("no name", *info);
        if (Error e = path_component(*v, out.name); !e.ok()) return e;
        if (Error e = get(*info, "piece length", Type::integer, v, "piece length is not an integer"); !e.ok()) return e;
        if (!v || doc[*v].integer <= 0) return fail("piece length missing or not positive", v ? *v : *info);
        out.piece_length = static_cast<std::uint64_t>(doc[*v].integer);
        if (Error e = get(*info, "private", Type::integer, v, "private is not an integer"); !e.ok()) return e;
        out.is_private = v && doc[*v].integer == 1;
        if (Error e = get(*info, "source", Type::string, v, "source is not a string"); !e.ok()) return e;
        if (v) out.source.assign(doc.str(*v));

        std::optional<std::size_t> pieces, version, file_tree;
        if (Error e = get(*info, "pieces", Type::string, pieces, "pieces is not a string"); !e.ok()) return e;
        if (Error e = get(*info, "meta version", Type::integer, version, "meta version is not an integer"); !e.ok())
            return e;
        if (Error e = get(*info, "file tree", Type::dict, file_tree, "file tree is not a dictionary"); !e.ok()) return e;
        if (version && doc[*version].integer != 2) return fail("unsupported meta version", *version);
        if (version.has_value() != file_tree.has_value()) return fail("meta version 2 needs a file tree", *info);
        out.has_v1 = pieces.has_value();
        out.has_v2 = version.has_value();
        if (!out.has_v1 && !out.has_v2) return fail("neither v1 pieces nor a v2 file tree", *info);
        if (out.has_v1)
            if (Error e = v1(*info, *pieces); !e.ok()) return e;
        if (out.has_v2)
            if (Error e = v2(root, *info, *file_tree); !e.ok()) return e;

        const std::string_view raw = doc.raw(*info);
        const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
        if (out.has_v1) SHA1(bytes, raw.size(), out.info_hash_v1.data());
        if (out.has_v2) SHA256(bytes, raw.size(), out.info_hash_v2.data());
        return {};
    }
};

// Decodes into `tokens` with the torrent limits.
Error decode(std::string_view data, std::vector<bencode::Token>& tokens, const Limits& limits) {
    if (data.size() > limits.max_size) return Error{"torrent too large", 0};
    tokens.resize(token_capacity(data.size()));
    bencode::Limits bl;
    bl.max_size = limits.max_size;
    bl.max_depth = limits.max_path_depth + 8;  // a file tree nests one dict per path component
    const bencode::Result r = bencode::decode(data, tokens, bl);
    if (!r.ok()) return Error{bencode::describe(r.error), r.offset};
    tokens.resize(r.count);
    return {};
}

void put_string(std::string& out, std::string_view s) {
    out += std::to_string(s.size());
    out += ':';
    out += s;
}

// The entries of a decoded dict as key -> encoded value, sorted as bencode wants.
std::map<std::string, std::string> entries(const Document& doc, std::size_t dict) {
    std::map<std::string, std::string> m;
    std::size_t k = dict + 1;
    for (std::uint32_t i = 0; i < doc[dict].value_size; ++i) {
        const std::size_t v = doc[k].next;
        m.emplace(doc.str(k), doc.raw(v));
        k = doc[v].next;
    }
    return m;
}

std::string encode_dict(const std::map<std::string, std::string>& m) {
    std::string out = "d";
    for (const auto& [key, value] : m) {
        put_string(out, key);
        out += value;
    }
    out += 'e';
    return out;
}

}  // namespace

InfoHash Torrent::info_hash_v2_truncated() const noexcept {
    InfoHash h{};
    std::memcpy(h.data(), info_hash_v2.data(), h.size());
    return h;
}

Error parse(std::string_view data, Torrent& out, const Limits& limits) {
    out = Torrent{};
    std::vector<bencode::Token> tokens;
    if (Error e = decode(data, tokens, limits); !e.ok()) return e;
    const Document doc(data, tokens);
    return Parser{doc, out, limits}.run();
}

Error rewrite(std::string_view data, const Rewrite& changes, std::string& out, Torrent& parsed, const Limits& limits) {
    // Parsing first validates everything the re-encoding copies verbatim.
    if (Error e = parse(data, parsed, limits); !e.ok()) return e;
    std::vector<bencode::Token> tokens;
    if (Error e = decode(data, tokens, limits); !e.ok()) return e;
    const Document doc(data, tokens);
    auto top = entries(doc, 0);
    auto info = entries(doc, *doc.find(0, "info"));

    if (changes.announce) {
        if (changes.announce->empty()) top.erase("announce");
        else put_string(top["announce"] = {}, *changes.announce);
    }
    if (changes.announce_list) {
        if (changes.announce_list->empty()) {
            top.erase("announce-list");
        } else {
            std::string& list = top["announce-list"] = "l";
            for (const auto& tier : *changes.announce_list) {
                list += 'l';
                for (const auto& url : tier) put_string(list, url);
                list += 'e';
            }
            list += 'e';
        }
    }
    if (changes.set_private) info["private"] = "i1e";
    if (changes.source) {
        if (changes.source->empty()) info.erase("source");
        else put_string(info["source"] = {}, *changes.source);
    }
    top["info"] = encode_dict(info);
    out = encode_dict(top);
    return parse(out, parsed, limits);
}

}  // namespace swarmline::proto::torrent
