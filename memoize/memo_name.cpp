// memoize/memo_name.cpp — see memo_name.h.
#include "memo_name.h"

#include <cstdio>

namespace plcpp::memo {
namespace {

// FNV-1a then a final avalanche (splitmix64): not cryptographic, and it need not be, since a
// collision is caught by the registry's exact key; it must only spread similar keys apart.
struct hasher {
  std::uint64_t h = 0xcbf29ce484222325ull;
  void bytes(const void *p, std::size_t n) {
    auto *b = static_cast<const unsigned char *>(p);
    for (std::size_t i = 0; i < n; ++i) {
      h ^= b[i];
      h *= 0x100000001b3ull;
    }
  }
  void length(std::size_t n) {
    std::uint64_t v = n;
    bytes(&v, sizeof v);
  }
  std::uint64_t finish() const {
    std::uint64_t z = h + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
};

} // namespace

std::string readable(std::string_view text) {
  std::string out;
  bool gap = false;
  for (unsigned char c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (gap && !out.empty()) out += '_';
      gap = false;
      out += static_cast<char>(c);
    } else {
      gap = true;
    }
  }
  return out;
}

std::uint64_t key_hash(std::string_view identity, const key_values &key) {
  hasher h;
  h.length(identity.size());
  h.bytes(identity.data(), identity.size());
  h.length(key.size());
  for (const auto &v : key) {
    char marker = v ? 'v' : 'n';
    h.bytes(&marker, 1);
    if (!v) continue;
    h.length(v->size());
    h.bytes(v->data(), v->size());
  }
  return h.finish();
}

std::string view_name(std::string_view function_name, std::string_view identity,
                      const key_values &key) {
  std::string fn = readable(function_name);
  if (fn.empty()) fn = "f";
  if (fn.size() > max_function_part) fn.resize(max_function_part);
  while (!fn.empty() && fn.back() == '_')
    fn.pop_back();

  std::string readable_key;
  for (const auto &v : key) {
    std::string part = v ? readable(*v) : "null";
    if (part.empty()) continue;
    if (!readable_key.empty()) readable_key += '_';
    readable_key += part;
  }

  char hash[hash_digits + 1];
  std::snprintf(hash, sizeof hash, "%012llx",
                static_cast<unsigned long long>(key_hash(identity, key) >> 16));

  // fn "__" [readable "_"] hash, within 63 bytes.
  std::size_t room = max_name_bytes - fn.size() - 2 - hash_digits - 1;
  if (readable_key.size() > room) readable_key.resize(room);
  while (!readable_key.empty() && readable_key.back() == '_')
    readable_key.pop_back();
  std::string name = fn + "__";
  if (!readable_key.empty()) name += readable_key + "_";
  return name + hash;
}

} // namespace plcpp::memo
