// test/unit/test_sha256.cpp — jit/sha256.h: SHA-256 against the FIPS 180-4 examples and
// reference digests at the padding boundaries, however the input is cut into pieces; FNV-1a
// against its published values; and the object cache key built on them.
#include "jit/object_cache.h"
#include "jit/sha256.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using plcpp::jit::fnv1a64;
using plcpp::jit::sha256;

std::string hex_of(sha256 &h) {
  auto digest = h.final();
  return plcpp::jit::to_hex(digest.data(), digest.size());
}

std::string sha256_hex(std::string_view bytes) {
  sha256 h;
  h.update(bytes);
  return hex_of(h);
}

// The digest of `bytes` fed in pieces of the given sizes, cyclically (0 = an empty update).
std::string sha256_in_chunks(std::string_view bytes, const std::vector<size_t> &sizes) {
  sha256 h;
  size_t i = 0;
  while (!bytes.empty()) {
    size_t n = std::min(sizes[i++ % sizes.size()], bytes.size());
    h.update(bytes.substr(0, n));
    bytes.remove_prefix(n);
  }
  return hex_of(h);
}

// (i * 31 + 7) mod 256, i = 0 .. n-1: every byte value, NULs included.
std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>((i * 31 + 7) & 0xff);
  return s;
}

// FIPS 180-4 / NIST CSRC examples.
TEST(Sha256, FipsExamples) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 448 bits: the padding needs a second block.
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // 896 bits.
  EXPECT_EQ(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopj"
                       "klmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256, OneMillionAsInOddPieces) {
  const std::string million(1000000, 'a');
  const std::string want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  EXPECT_EQ(sha256_hex(million), want);
  EXPECT_EQ(sha256_in_chunks(million, {1, 63, 0, 65, 7, 127, 3, 1000, 64}), want);
  EXPECT_EQ(sha256_in_chunks(million, {4093}), want);
}

// Digests at the lengths where the padding changes (55 bytes fit one block with the length,
// 56 do not) and around block boundaries, computed with Python's hashlib.
TEST(Sha256, PaddingBoundaries) {
  const std::pair<size_t, const char *> cases[] = {
      {55, "8aa994584139d128848eeebc4e815639ba5ab6e6e39574195a63ac4f14f7c43b"},
      {56, "ad574708f75c044c9b85de64cb568ee7711ff4f36448c6242f053ba8f6cc2b63"},
      {63, "280ed3e8ff1df845b2e7dfe6ac6cee817bef20e783cc65abc41b818b4d2fe076"},
      {64, "c6ab9724ade5b6a7a1edfffb12f3aa9181351355af8fd08c919952ad211339dd"},
      {65, "788367c73c7ddf4c53f65e68cc0d943e6227ab55b0e78ba63ace822b1c6301c0"},
      {119, "3d610547d68216dedf7435a4fb6260353911f6b3fd3f18805ddb8be285d726fe"},
      {120, "1f80156a804cb7862ad113e8200e9d74499723e7c7854d5f48776d3148e09656"},
      {127, "192409cd280e14b743642ad1343fbd3e82d9305de72c078117745a679210cc3d"},
      {128, "cc548ca2dec1f6fe4f58b2e27aa9c7521607df1130d140b55a4dad0665302356"},
  };
  for (const auto &[n, want] : cases) {
    SCOPED_TRACE("length " + std::to_string(n));
    std::string bytes = pattern(n);
    EXPECT_EQ(sha256_hex(bytes), want);
    EXPECT_EQ(sha256_in_chunks(bytes, {1}), want);
    EXPECT_EQ(sha256_in_chunks(bytes, {3, 0, 60}), want);
  }
}

// However a message is cut, the digest is the same: every length up to three blocks, in
// single bytes and in pieces that straddle the block boundaries.
TEST(Sha256, ChunkingDoesNotChangeTheDigest) {
  for (size_t n = 0; n <= 200; ++n) {
    std::string bytes = pattern(n);
    std::string whole = sha256_hex(bytes);
    ASSERT_EQ(sha256_in_chunks(bytes, {1}), whole) << n;
    ASSERT_EQ(sha256_in_chunks(bytes, {5, 61}), whole) << n;
    ASSERT_EQ(sha256_in_chunks(bytes, {64, 0}), whole) << n;
    ASSERT_EQ(sha256_in_chunks(bytes, {63, 2}), whole) << n;
    if (n > 0) {
      ASSERT_NE(sha256_hex(bytes.substr(0, n - 1)), whole) << n;
    }
  }
}

TEST(Sha256, ToHex) {
  const std::uint8_t bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  EXPECT_EQ(plcpp::jit::to_hex(bytes, sizeof bytes), "00017f80abff");
  EXPECT_EQ(plcpp::jit::to_hex(bytes, 0), "");
}

// Published FNV-1a 64 values (the FNV reference test vectors), and the seed chaining the
// object cache's checksum relies on: checksum(a) then b is the checksum of a + b.
TEST(Fnv1a64, KnownValues) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
  EXPECT_EQ(fnv1a64(std::string_view("\0", 1)), 0xaf63bd4c8601b7dfull);
  EXPECT_EQ(fnv1a64("bar", fnv1a64("foo")), fnv1a64("foobar"));
  EXPECT_NE(fnv1a64("ab"), fnv1a64("ba"));
}

// The cache key: 128 bits of the SHA-256 of the environment, a separator and the source.
TEST(CacheKey, IsTheSha256OfEnvironmentAndSource) {
  const std::string env = "clang 14\nsome flags";
  const std::string source = "int f() { return 1; }";
  std::string key = plcpp::jit::cache::make_key(source, env);
  ASSERT_EQ(key.size(), 32u);
  EXPECT_TRUE(std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  })) << key;
  EXPECT_EQ(plcpp::jit::cache::make_key(source, env), key);
  EXPECT_EQ(key, sha256_hex(env + "\n--\n" + source).substr(0, 32));
  EXPECT_NE(plcpp::jit::cache::make_key(source + " ", env), key);
  EXPECT_NE(plcpp::jit::cache::make_key(source, env + " "), key);
  // Large sources (many blocks) too.
  std::string big = pattern(100000);
  EXPECT_EQ(plcpp::jit::cache::make_key(big, env), sha256_hex(env + "\n--\n" + big).substr(0, 32));
}

} // namespace
