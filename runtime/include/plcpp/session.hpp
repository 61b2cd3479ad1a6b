// plcpp/session.hpp — values shared by all the functions of one session (PL/Python's GD).
//
//   session_store().set("rate", 1.25);              // any value that converts to SQL
//   auto r = session_store().get<double>("rate");  // std::optional: nullopt if not set
//
// One body's own state across calls (PL/Python's SD) needs nothing: a `static` local is it.
//
// Values are stored as owning copies of their SQL form (the datum a query parameter would
// be), in a memory context of the session, and read back through the same conversions as query
// results (so get<std::string>() of a stored int is its text, get<int32_t>() of a too large
// int64 raises 22003). Nothing stored points into a call's memory or into any function's
// compiled code: a value outlives the call that set it, CREATE OR REPLACE or DROP of that
// function, and is gone at the end of the session, or at erase()/clear(). Not transactional (as
// GD): a rollback does not undo set(). Types that do not convert to SQL (std::map, your own
// classes) cannot be stored: their code lives in one function's object, which CREATE OR REPLACE
// unloads; keep them in a `static`, or store their parts.
#pragma once

#include "types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plcpp {

namespace detail {
// Stores a copy of (d, isnull, type) under key, replacing and freeing what was there.
PLCPP_API void session_put(std::string_view key, raw_datum d, bool isnull, Oid type);
// A copy of the stored value in the call's memory; false if the key is not set.
PLCPP_API bool session_fetch(std::string_view key, raw_datum &d, bool &isnull, Oid &type);
} // namespace detail

class PLCPP_API session_map {
public:
  // Stores an owning copy of value (NULL for an empty std::optional).
  template <class T> void set(std::string_view key, const T &value) {
    detail::raw_datum d;
    bool isnull;
    detail::to_sql(value, d, isnull, 0);
    detail::session_put(key, d, isnull, detail::sql_type_of<T>());
  }
  // The value as T (views such as std::string_view stay valid for the call), or nullopt if
  // the key is not set. A stored NULL read as a T that is not std::optional raises 22004.
  template <class T> std::optional<T> get(std::string_view key) const {
    detail::raw_datum d;
    bool isnull;
    Oid type;
    if (!detail::session_fetch(key, d, isnull, type)) return std::nullopt;
    return detail::from_sql<T>(d, isnull, type, {"session value", key});
  }
  bool contains(std::string_view key) const;
  bool erase(std::string_view key); // false if it was not set
  void clear();
  std::size_t size() const;
  std::vector<std::string> keys() const; // sorted
};

// The session's store: the same for every function, DO block and call of this session.
PLCPP_API session_map &session_store();

} // namespace plcpp
