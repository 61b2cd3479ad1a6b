// Names of memo views (memoize/memo_name.cpp): readable, bounded, stable, collision-free.
#include "memoize/memo_name.h"

#include <gtest/gtest.h>

#include <set>

using plcpp::memo::key_values;
using plcpp::memo::view_name;

namespace {
const char *identity = "public.questions_and_answers_for_group(text)";
}

TEST(MemoName, ReadableAndShaped) {
  std::string n = view_name("questions_and_answers_for_group", identity, {"Group A-17"});
  EXPECT_EQ(n.rfind("questions_and_answers_for_group__group_a_17_", 0), 0u) << n;
  EXPECT_EQ(n.size(), std::string("questions_and_answers_for_group__group_a_17_").size() + 12);
  for (char c : n)
    EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') << n;
}

TEST(MemoName, StableAcrossCalls) {
  EXPECT_EQ(view_name("f", identity, {"x"}), view_name("f", identity, {"x"}));
  // The hash is fixed by the algorithm, not by the process: a name computed today is found by
  // a server built tomorrow (no per-process seed).
  EXPECT_EQ(view_name("f", "public.f(text)", {"x"}), view_name("f", "public.f(text)", {"x"}));
}

TEST(MemoName, DistinctForKeysThatReadAlike) {
  std::vector<key_values> keys = {
      {"abc"},
      {"ABC"},
      {"a-b-c"},
      {"a b c"},
      {"abc "},
      {""},
      {std::nullopt},
      {"null"},
      {"NULL"},
      {"é"},
      {"e"},
      {"\xff"},
      {"a", "b"},
      {"a_b"},
      {"a", std::nullopt},
      {"a", ""},
      {"", "a"},
      {"ab", ""},
      {"a", "b", ""},
      {"x';drop table t;--"},
      {"x\"; --"},
      {std::string(1000, 'z')},
      {std::string(1001, 'z')},
  };
  std::set<std::string> names;
  for (const auto &k : keys) {
    std::string n = view_name("f", "public.f(text, text)", k);
    EXPECT_LE(n.size(), 63u);
    EXPECT_TRUE(names.insert(n).second) << "collision: " << n;
  }
}

TEST(MemoName, DistinctPerFunction) {
  EXPECT_NE(view_name("f", "public.f(text)", {"x"}), view_name("f", "other.f(text)", {"x"}));
  EXPECT_NE(view_name("f", "public.f(text)", {"x"}), view_name("f", "public.f(varchar)", {"x"}));
}

TEST(MemoName, LongNamesFitIn63Bytes) {
  std::string fn(63, 'F');
  std::string n = view_name(fn, "public." + fn + "(text)", {std::string(500, 'k')});
  EXPECT_LE(n.size(), 63u);
  EXPECT_EQ(n.rfind(std::string(32, 'f') + "__kkk", 0), 0u) << n;
  // Non-ASCII function names and keys still give a valid, readable-where-possible name.
  std::string u = view_name("änderungen", "public.\"änderungen\"(text)", {"日本語"});
  EXPECT_EQ(u.rfind("nderungen__", 0), 0u) << u;
  EXPECT_EQ(u.size(), std::string("nderungen__").size() + 12) << u;
  EXPECT_EQ(view_name("ÄÖ", "public.x()", {}).rfind("f__", 0), 0u);
}

TEST(MemoName, ManyKeysNoCollision) {
  std::set<std::string> names;
  for (int i = 0; i < 100000; ++i)
    ASSERT_TRUE(
        names.insert(view_name("panel", "public.panel(integer)", {std::to_string(i)})).second);
}
