#include "auth/password.hpp"

#include <argon2.h>

#include <stdexcept>
#include <vector>

#include "auth/secrets.hpp"

namespace swarmline::auth {

std::string hash_password(std::string_view password, const Argon2Params& params) {
    const auto salt = random_bytes(Argon2Params::kSaltBytes);
    const std::size_t len = argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism,
                                              Argon2Params::kSaltBytes, Argon2Params::kHashBytes, Argon2_id);
    std::vector<char> encoded(len);
    const int rc = argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism, password.data(),
                                         password.size(), salt.data(), salt.size(), Argon2Params::kHashBytes,
                                         encoded.data(), encoded.size());
    if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2id: ") + argon2_error_message(rc));
    return std::string(encoded.data());
}

bool verify_password(std::string_view password, const std::string& encoded) {
    if (!encoded.starts_with("$argon2id$")) return false;
    return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace swarmline::auth
