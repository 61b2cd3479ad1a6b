// plcpp/quote.hpp — PostgreSQL's quote_ident, quote_literal and quote_nullable, for the dynamic
// SQL that query parameters cannot express (identifiers, DDL).
//
// The server's own functions do the quoting (quote_identifier, quote_literal_cstr), so keywords,
// quote_all_identifiers and backslashes (the E'' form) behave exactly as in SQL and PL/pgSQL.
// Text must be valid in the database encoding and free of NUL bytes (22021), as any SQL text.
// Values are better passed as parameters ($1) than quoted: quote_literal is for where they
// cannot be (utility statements such as CREATE ... DEFAULT, SET, COMMENT).
#pragma once

#include "types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace plcpp {

// quote_ident('a b') = "a b"; quote_ident('select') = "select"; quote_ident('abc') = abc.
PLCPP_API std::string quote_ident(std::string_view name);
// quote_literal('O''Reilly') = 'O''Reilly'; with a backslash, E'a\\b'.
PLCPP_API std::string quote_literal(std::string_view value);

namespace detail {
// The value's text as SQL's `value::text` gives it (bool: true/false), for quote_literal.
PLCPP_API std::string cast_text(raw_datum d, Oid type);

template <class T>
concept quotable_value =
    !std::is_convertible_v<const T &, std::string_view> && !optional_of<T>::value &&
    !std::is_same_v<T, std::nullopt_t> && !std::is_same_v<T, datum>;
template <class T> inline constexpr bool null_not_quotable = false;
} // namespace detail

// Any other value, through its SQL text (PostgreSQL's quote_literal(anyelement)):
// quote_literal(42) = '42', quote_literal(true) = 'true'.
template <detail::quotable_value T> std::string quote_literal(const T &value) {
  detail::raw_datum d;
  bool isnull;
  detail::to_sql(value, d, isnull, 0);
  return quote_literal(detail::cast_text(d, detail::sql_type_of<T>()));
}
inline std::string quote_literal(const datum &value) {
  return quote_literal(std::string_view(value.text));
}

// quote_literal cannot express NULL: SQL's quote_literal(NULL) is NULL, which silently turns
// a whole concatenated statement into NULL. Say quote_nullable (or unwrap the optional).
template <class T>
requires detail::optional_of<T>::value || std::is_same_v<T, std::nullopt_t> std::string
quote_literal(const T &) {
  static_assert(detail::null_not_quotable<T>,
                "quote_literal cannot quote NULL: use quote_nullable (NULL for a missing value), "
                "or quote_literal(*value)");
  return {};
}

// quote_nullable(std::nullopt) = NULL (unquoted); otherwise quote_literal(value).
inline std::string quote_nullable(std::nullopt_t) {
  return "NULL";
}
template <class T> std::string quote_nullable(const std::optional<T> &value) {
  return value ? quote_literal(*value) : std::string("NULL");
}
template <class T>
requires(!detail::optional_of<T>::value && !std::is_same_v<T, std::nullopt_t>) std::string
    quote_nullable(const T &value) {
  return quote_literal(value);
}

} // namespace plcpp
