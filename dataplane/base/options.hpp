// One typed tree of options per program: defaults in code, a help text on every key, a config file
// of `key = value` lines, and the same keys as command-line overrides (`--key value`, `--key=value`,
// `--flag`). Unknown keys are refused, so a typo is an error rather than a silently ignored line.
// `--print-config` prints every key with its help and current value: the documented example file.
//
// Both daemons read one file: lines under `[dataplane]` belong to swarmline-dataplane, lines under
// `[control]` to swarmline-control; a program skips the other's section (the other program checks it).
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swarmline::options {

class Registry {
public:
    // `section` is the name of this program's `[section]` in the shared config file.
    explicit Registry(std::string section) : section_(std::move(section)) {}

    void add(std::string_view key, std::string_view help, std::string* target);
    void add(std::string_view key, std::string_view help, std::uint32_t* target);
    void add(std::string_view key, std::string_view help, std::uint64_t* target);
    void add(std::string_view key, std::string_view help, bool* target);
    // A list: comma-separated in the file; each command-line occurrence appends, and the first one
    // replaces what the file or the default gave.
    void add(std::string_view key, std::string_view help, std::vector<std::string>* target);

    // Reads a config file. Returns an empty string on success, else "path:line: reason".
    std::string load_file(const std::string& path);
    // Applies command-line overrides. Arguments that do not start with "--" go to `positional`
    // (an error when it is null). Returns an empty string on success, else the reason.
    std::string parse_args(int argc, char** argv, int first, std::vector<std::string>* positional);
    // Finds `--config FILE` / `--config=FILE` among the arguments (empty when absent).
    static std::string find_config_arg(int argc, char** argv, int first);

    void print(std::ostream& out) const;    // `[section]`, then every key, its help as a comment, its value
    void print_help(std::ostream& out) const;  // `--key` lines for --help

private:
    struct Option {
        std::string key;
        std::string help;
        bool is_flag = false;
        bool is_list = false;
        bool cli_seen = false;  // lists: the first command-line occurrence replaces the file's list
        std::function<std::string(std::string_view)> set;  // "" or the reason the value is bad
        std::function<std::string()> show;
        std::function<void()> clear;  // lists only
    };
    Option* find(std::string_view key);
    std::string section_;
    std::vector<Option> options_;
};

}  // namespace swarmline::options
