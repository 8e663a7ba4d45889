#include "base/options.hpp"

#include <charconv>
#include <fstream>
#include <ostream>

namespace swarmline::options {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

template <typename T>
std::string parse_unsigned(std::string_view v, T* out) {
    T value{};
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
    if (ec != std::errc{} || p != v.data() + v.size() || v.empty())
        return "expected an unsigned integer, got '" + std::string(v) + "'";
    *out = value;
    return {};
}

std::string join(const std::vector<std::string>& items) {
    std::string s;
    for (const auto& i : items) {
        if (!s.empty()) s += ", ";
        s += i;
    }
    return s;
}

}  // namespace

void Registry::add(std::string_view key, std::string_view help, std::string* t) {
    options_.push_back({std::string(key), std::string(help), false, false, false,
                        [t](std::string_view v) { *t = std::string(v); return std::string(); },
                        [t] { return *t; }, {}});
}

void Registry::add(std::string_view key, std::string_view help, std::uint32_t* t) {
    options_.push_back({std::string(key), std::string(help), false, false, false,
                        [t](std::string_view v) { return parse_unsigned(v, t); },
                        [t] { return std::to_string(*t); }, {}});
}

void Registry::add(std::string_view key, std::string_view help, std::uint64_t* t) {
    options_.push_back({std::string(key), std::string(help), false, false, false,
                        [t](std::string_view v) { return parse_unsigned(v, t); },
                        [t] { return std::to_string(*t); }, {}});
}

void Registry::add(std::string_view key, std::string_view help, bool* t) {
    options_.push_back({std::string(key), std::string(help), true, false, false,
                        [t](std::string_view v) {
                            if (v == "true" || v == "1" || v == "yes" || v == "on") *t = true;
                            else if (v == "false" || v == "0" || v == "no" || v == "off") *t = false;
                            else return "expected true or false, got '" + std::string(v) + "'";
                            return std::string();
                        },
                        [t] { return std::string(*t ? "true" : "false"); }, {}});
}

void Registry::add(std::string_view key, std::string_view help, std::vector<std::string>* t) {
    options_.push_back({std::string(key), std::string(help), false, true, false,
                        [t](std::string_view v) {
                            while (!v.empty()) {
                                auto comma = v.find(',');
                                auto item = trim(v.substr(0, comma));
                                if (!item.empty()) t->emplace_back(item);
                                if (comma == std::string_view::npos) break;
                                v.remove_prefix(comma + 1);
                            }
                            return std::string();
                        },
                        [t] { return join(*t); }, [t] { t->clear(); }});
}

Registry::Option* Registry::find(std::string_view key) {
    for (auto& o : options_)
        if (o.key == key) return &o;
    return nullptr;
}

std::string Registry::load_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return path + ": cannot open";
    std::string line;
    int lineno = 0;
    std::vector<std::string> seen;
    bool ours = false;
    while (std::getline(in, line)) {
        ++lineno;
        std::string where = path + ":" + std::to_string(lineno) + ": ";
        std::string_view l = trim(line);
        if (l.empty() || l.front() == '#') continue;
        if (l.front() == '[') {
            if (l.back() != ']') return where + "expected [section]";
            ours = l.substr(1, l.size() - 2) == section_;
            continue;
        }
        if (!ours) continue;
        auto eq = l.find('=');
        if (eq == std::string_view::npos) return where + "expected key = value";
        auto key = trim(l.substr(0, eq));
        auto value = trim(l.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        Option* o = find(key);
        if (!o) return where + "unknown key '" + std::string(key) + "'";
        for (const auto& s : seen)
            if (s == key) return where + "key '" + std::string(key) + "' given twice";
        seen.emplace_back(key);
        if (o->is_list) o->clear();
        if (auto err = o->set(value); !err.empty()) return where + std::string(key) + ": " + err;
    }
    return {};
}

std::string Registry::find_config_arg(int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--config" && i + 1 < argc) return argv[i + 1];
        if (a.starts_with("--config=")) return std::string(a.substr(9));
    }
    return {};
}

std::string Registry::parse_args(int argc, char** argv, int first, std::vector<std::string>* positional) {
    for (int i = first; i < argc; ++i) {
        std::string_view a = argv[i];
        if (!a.starts_with("--")) {
            if (!positional) return "unexpected argument '" + std::string(a) + "'";
            positional->emplace_back(a);
            continue;
        }
        a.remove_prefix(2);
        std::string_view value;
        bool has_value = false;
        if (auto eq = a.find('='); eq != std::string_view::npos) {
            value = a.substr(eq + 1);
            a = a.substr(0, eq);
            has_value = true;
        }
        if (a == "config") {
            if (!has_value) ++i;
            continue;
        }
        Option* o = find(a);
        if (!o) return "unknown option '--" + std::string(a) + "' (see --help)";
        if (!has_value) {
            if (o->is_flag) {
                value = "true";
            } else {
                if (i + 1 >= argc) return "option '--" + std::string(a) + "' needs a value";
                value = argv[++i];
            }
        }
        if (o->is_list && !o->cli_seen) {
            o->clear();
            o->cli_seen = true;
        }
        if (auto err = o->set(value); !err.empty()) return "--" + std::string(a) + ": " + err;
    }
    return {};
}

void Registry::print(std::ostream& out) const {
    out << "[" << section_ << "]\n\n";
    for (const auto& o : options_) {
        out << "# " << o.help << "\n" << o.key << " = " << o.show() << "\n\n";
    }
}

void Registry::print_help(std::ostream& out) const {
    for (const auto& o : options_) {
        out << "  --" << o.key << (o.is_flag ? "" : " VALUE") << "\n      " << o.help << " (now: " << o.show()
            << ")\n";
    }
}

}  // namespace swarmline::options
