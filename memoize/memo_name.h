// memoize/memo_name.h — the name of a memo view (DESIGN §2), pure C++ (unit-tested without a
// server).
//
//   <function>__<readable key>_<hash>
//
// function: the SQL name lower-cased, runs of other than [a-z0-9] turned into one '_';
// readable key: the key values the same way, joined by '_', truncated to what fits;
// hash: 12 hex digits (48 bits) over the function's identity and the exact key (NULL distinct
// from '', every byte counts), so names are stable across sessions, restarts and dump/restore
// and distinct for distinct keys whatever their case, punctuation, length or encoding. A
// collision is still detected: the registry keeps the exact key, and a call whose key differs
// from the registered one is never served that view.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plcpp::memo {

using key_values = std::vector<std::optional<std::string>>; // std::nullopt: SQL NULL

inline constexpr std::size_t max_name_bytes = 63; // NAMEDATALEN - 1
inline constexpr std::size_t hash_digits = 12;
inline constexpr std::size_t max_function_part = 32;

// Lower-case ASCII letters and digits kept; every other run of bytes becomes one '_'; no
// leading or trailing '_'.
std::string readable(std::string_view text);

// 64 bits over identity and key, with lengths and NULL markers so that no two different keys
// serialize alike.
std::uint64_t key_hash(std::string_view identity, const key_values &key);

std::string view_name(std::string_view function_name, std::string_view identity,
                      const key_values &key);

} // namespace plcpp::memo
