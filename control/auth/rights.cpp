#include "auth/rights.hpp"

namespace swarmline::auth {

std::string_view right_name(Right r) noexcept {
    if (r == Right::none) return "none";
    for (const auto& c : kGroupRightColumns)
        if (c.right == r) return c.column;
    return "unknown";
}

std::optional<Right> right_from_name(std::string_view name) noexcept {
    if (name == "none") return Right::none;
    for (const auto& c : kGroupRightColumns)
        if (c.column == name) return c.right;
    return std::nullopt;
}

}  // namespace swarmline::auth
