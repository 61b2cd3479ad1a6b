// plcpp/spi.hpp — queries from a body: SPI with typed parameters and typed results.
//
//   spi::query(sql, args...)      -> result       all rows, in memory
//   spi::query_one<T>(sql, ...)   -> optional<T>  first column of the first row
//   spi::exec(sql, args...)       -> rows affected
//   spi::prepare<P...>(sql)       -> statement    planned once, kept across calls, re-planned
//                                                 by the server's plan cache after DDL
//   spi::cursor(sql, args...)     -> cursor       fetch(n) or range-for, bounded memory
//   spi::subtransaction(f)        -> f()          PL/pgSQL's BEGIN ... EXCEPTION block
//   sql(text, args...)            -> sql_query    a query as a value (RETURN QUERY, memoize)
//
// Parameters are $1, $2, ... typed from their C++ types (value_traits<T>::oid); values are
// never spliced into the text. STABLE and IMMUTABLE functions query read-only on the caller's
// snapshot, as PL/pgSQL does. A `result`, its rows and string views into them are valid until
// the call ends (or until the subtransaction they were made in rolls back); using one later
// raises an error instead of reading freed memory.
#pragma once

#include "record.hpp"
#include "types.hpp"

#include <functional>
#include <iterator>
#include <memory>
#include <stdexcept>

namespace plcpp {

namespace detail {

struct result_data; // runtime/spi.cpp

// One value of a result, for row::get.
struct cell {
  raw_datum value;
  bool isnull;
  Oid type;
  std::string_view column;
};

// Converted query parameters; the datums live in the call's scratch memory.
template <std::size_t N> struct params {
  Oid types[N ? N : 1];
  raw_datum values[N ? N : 1];
  char nulls[N ? N : 1];
  template <class... A> explicit params(const Oid *targets, const A &...args) {
    std::size_t i = 0;
    (set(i++, targets, args), ...);
  }
  template <class T> void set(std::size_t i, const Oid *targets, const T &v) {
    types[i] = targets ? targets[i] : sql_type_of<T>();
    bool isnull;
    to_sql(v, values[i], isnull, types[i]);
    nulls[i] = isnull ? 'n' : ' ';
  }
};

// Runs in the call's scratch memory context, reset when the outermost scope ends.
class PLCPP_API scratch_scope {
public:
  scratch_scope();
  ~scratch_scope();
  scratch_scope(const scratch_scope &) = delete;
  scratch_scope &operator=(const scratch_scope &) = delete;

private:
  void *saved_;
};

PLCPP_API result_data *run_query(std::string_view sql, int n, const Oid *types,
                                 const raw_datum *values, const char *nulls);
PLCPP_API void *plan_prepare(std::string_view sql, int n, const Oid *types);
PLCPP_API void plan_free(void *plan) noexcept;
PLCPP_API result_data *plan_run(void *plan, const raw_datum *values, const char *nulls);
PLCPP_API std::string cursor_open(std::string_view sql, void *plan, int n, const Oid *types,
                                  const raw_datum *values, const char *nulls);
// What spi::subtransaction restores when it ends: the resource owner and memory context.
struct subxact_token {
  void *owner;
  void *context;
  std::uint32_t id; // SubTransactionId
};
PLCPP_API subxact_token subxact_begin();
PLCPP_API void subxact_commit(const subxact_token &t);
PLCPP_API void subxact_abort(const subxact_token &t) noexcept;
[[noreturn]] PLCPP_API void throw_param_count(std::size_t expected, std::size_t given);

// A result's data is shared by the result and its rows, so a row may outlive the result
// object it came from (auto r = spi::query(...)[0];) within the call.
PLCPP_API void result_ref(const result_data *d) noexcept;
PLCPP_API void result_unref(const result_data *d) noexcept;

} // namespace detail

class result;

// One row of a result.
class PLCPP_API row {
public:
  row(const detail::result_data *d, std::size_t index) noexcept : d_(d), index_(index) {
    detail::result_ref(d_);
  }
  row(const row &o) noexcept : d_(o.d_), index_(o.index_) { detail::result_ref(d_); }
  row &operator=(const row &o) noexcept {
    detail::result_ref(o.d_);
    detail::result_unref(d_);
    d_ = o.d_;
    index_ = o.index_;
    return *this;
  }
  ~row() { detail::result_unref(d_); }

  std::size_t size() const;
  // Index of a column by name; SQLSTATE 42703 if the result has no such column.
  std::size_t index_of(std::string_view name) const;
  bool is_null(std::size_t col) const { return cell(col).isnull; }
  bool is_null(std::string_view name) const { return is_null(index_of(name)); }
  // The value as T, converted by PostgreSQL's assignment cast if the column's type differs;
  // NULL needs T = std::optional<U> (else SQLSTATE 22004).
  template <class T> T get(std::size_t col) const {
    detail::cell c = cell(col);
    return detail::from_sql<T>(c.value, c.isnull, c.type, {"column", c.column});
  }
  template <class T> T get(std::string_view name) const { return get<T>(index_of(name)); }
  // The row as a generic record (copies the values' references, not the data).
  record to_record() const;

private:
  detail::cell cell(std::size_t col) const;
  const detail::result_data *d_;
  std::size_t index_;
};

// The rows of one query.
class PLCPP_API result {
public:
  result() noexcept = default;
  explicit result(detail::result_data *d) noexcept : d_(d) {}
  result(result &&o) noexcept : d_(std::exchange(o.d_, nullptr)) {}
  result &operator=(result &&o) noexcept {
    if (this != &o) {
      release();
      d_ = std::exchange(o.d_, nullptr);
    }
    return *this;
  }
  result(const result &) = delete;
  result &operator=(const result &) = delete;
  ~result() { release(); }

  std::size_t size() const;
  bool empty() const { return size() == 0; }
  std::uint64_t rows_affected() const; // INSERT/UPDATE/DELETE: rows processed
  std::size_t columns() const;
  std::string_view column_name(std::size_t col) const;
  Oid column_type(std::size_t col) const;
  row operator[](std::size_t i) const;

  class iterator {
  public:
    using value_type = row;
    using difference_type = std::ptrdiff_t;
    iterator(const detail::result_data *d, std::size_t i) noexcept : d_(d), i_(i) {}
    row operator*() const noexcept { return row(d_, i_); }
    iterator &operator++() noexcept {
      ++i_;
      return *this;
    }
    bool operator==(const iterator &o) const noexcept { return i_ == o.i_; }

  private:
    const detail::result_data *d_;
    std::size_t i_;
  };
  iterator begin() const;
  iterator end() const;

  detail::result_data *data() const noexcept { return d_; }

private:
  void release() noexcept;
  detail::result_data *d_ = nullptr;
};

// A portal read in batches: bounded memory for any number of rows.
//
// Range-for reads 1000 rows ahead into the cursor; rows read ahead but not yet reached by the
// loop (it ended with `break`) stay in the cursor, so a later fetch(n) or loop goes on with the
// next row: mixing the two returns every row once, in order.
class PLCPP_API cursor {
public:
  explicit cursor(std::string name) : name_(std::move(name)) {}
  cursor(cursor &&o) noexcept
      : name_(std::move(o.name_)), ahead_(std::move(o.ahead_)), ahead_size_(o.ahead_size_),
        ahead_next_(o.ahead_next_) {
    o.name_.clear();
    o.ahead_size_ = o.ahead_next_ = 0;
  }
  cursor(const cursor &) = delete;
  cursor &operator=(const cursor &) = delete;
  ~cursor() { close(); }

  // The next up-to-n rows (fewer only at the end); an empty result at the end.
  result fetch(std::size_t n);
  void close() noexcept;
  const std::string &name() const noexcept { return name_; }

  struct sentinel {};
  class iterator {
  public:
    explicit iterator(cursor *c) : c_(c) {
      c_->ahead_fill();
      pos_ = c_->ahead_next_;
    }
    // Dereferencing a row consumes it: a loop left with `break` goes on after it.
    row operator*() const {
      std::size_t i = c_->ahead_next_;
      if (i < c_->ahead_size_ && i == pos_) c_->ahead_next_ = i + 1;
      return c_->ahead_[pos_];
    }
    iterator &operator++() {
      if (c_->ahead_next_ == pos_) ++c_->ahead_next_; // stepped over without reading
      pos_ = c_->ahead_next_;
      if (pos_ >= c_->ahead_size_) {
        c_->ahead_fill();
        pos_ = c_->ahead_next_;
      }
      return *this;
    }
    bool operator==(sentinel) const noexcept { return c_->ahead_size_ == 0; }

  private:
    cursor *c_;
    std::size_t pos_ = 0;
  };
  // Range-for fetches 1000 rows at a time; a row is valid until the loop moves past its batch.
  iterator begin() { return iterator(this); }
  sentinel end() noexcept { return {}; }

private:
  // Refills the read-ahead buffer if all of it was consumed (size 0 at the end).
  void ahead_fill();
  std::string name_;
  result ahead_;               // rows read ahead by range-for
  std::size_t ahead_size_ = 0; // rows in ahead_ (0: none, or the end was reached)
  std::size_t ahead_next_ = 0; // first row of ahead_ not yet returned
};

// A prepared plan, kept across calls (hold it in a `static`).
class PLCPP_API statement {
public:
  statement() noexcept = default;
  statement(void *plan, std::vector<Oid> types) : plan_(plan), types_(std::move(types)) {}
  statement(statement &&o) noexcept
      : plan_(std::exchange(o.plan_, nullptr)), types_(std::move(o.types_)) {}
  statement &operator=(statement &&o) noexcept {
    if (this != &o) {
      detail::plan_free(plan_);
      plan_ = std::exchange(o.plan_, nullptr);
      types_ = std::move(o.types_);
    }
    return *this;
  }
  statement(const statement &) = delete;
  statement &operator=(const statement &) = delete;
  ~statement() { detail::plan_free(plan_); }

  template <class... A> result query(const A &...args) const {
    check(sizeof...(A));
    detail::scratch_scope scratch;
    detail::params<sizeof...(A)> p(types_.data(), args...);
    return result(detail::plan_run(plan_, p.values, p.nulls));
  }
  template <class... A> std::uint64_t exec(const A &...args) const {
    return query(args...).rows_affected();
  }
  template <class... A> plcpp::cursor cursor(const A &...args) const {
    check(sizeof...(A));
    detail::scratch_scope scratch;
    detail::params<sizeof...(A)> p(types_.data(), args...);
    return plcpp::cursor(
        detail::cursor_open({}, plan_, static_cast<int>(sizeof...(A)), p.types, p.values, p.nulls));
  }
  std::size_t param_count() const noexcept { return types_.size(); }

private:
  void check(std::size_t given) const {
    if (!plan_) throw std::logic_error("plcpp::statement used after it was moved from");
    if (given != types_.size()) detail::throw_param_count(types_.size(), given);
  }
  void *plan_ = nullptr;
  std::vector<Oid> types_;
};

// A query and its parameters, as a value. Returning one from a set-returning body returns its
// rows (PL/pgSQL's RETURN QUERY).
class sql_query {
public:
  template <class... A> explicit sql_query(std::string_view text, const A &...args) : text_(text) {
    (add(args), ...);
  }
  const std::string &text() const noexcept { return text_; }
  const std::vector<Oid> &types() const noexcept { return types_; }
  const std::vector<detail::raw_datum> &values() const noexcept { return values_; }
  const std::vector<char> &nulls() const noexcept { return nulls_; }
  // Its parameter values live in the memory of the call that made it: SQLSTATE 55000 if
  // that call has ended (a sql_query kept in a static).
  void check_alive() const {
    if (!values_.empty()) detail::check_alive(call_, "plcpp::sql_query");
  }

private:
  template <class T> void add(const T &v) {
    detail::raw_datum d;
    bool isnull;
    types_.push_back(detail::sql_type_of<T>());
    detail::to_sql(v, d, isnull, types_.back());
    values_.push_back(d);
    nulls_.push_back(isnull ? 'n' : ' ');
  }
  std::string text_;
  std::vector<Oid> types_;
  std::vector<detail::raw_datum> values_; // in the call's memory context
  std::vector<char> nulls_;
  std::uint64_t call_ = detail::call_id();
};

template <class... A> sql_query sql(std::string_view text, const A &...args) {
  return sql_query(text, args...);
}

namespace spi {

template <class... A> result query(std::string_view sql, const A &...args) {
  detail::scratch_scope scratch;
  detail::params<sizeof...(A)> p(nullptr, args...);
  return result(detail::run_query(sql, static_cast<int>(sizeof...(A)), p.types, p.values, p.nulls));
}
inline result query(const sql_query &q) {
  q.check_alive();
  return result(detail::run_query(q.text(), static_cast<int>(q.types().size()), q.types().data(),
                                  q.values().data(), q.nulls().data()));
}

template <class... A> std::uint64_t exec(std::string_view sql, const A &...args) {
  return query(sql, args...).rows_affected();
}

// First column of the first row as T; std::nullopt if there is no row or the value is NULL.
template <class T, class... A> std::optional<T> query_one(std::string_view sql, const A &...args) {
  static_assert(!std::is_same_v<T, std::string_view> &&
                    !std::is_same_v<T, std::span<const std::byte>>,
                "query_one returns a value that outlives its result: use std::string or "
                "std::vector<std::byte>, not a view");
  result r = query(sql, args...);
  if (r.empty()) return std::nullopt;
  return r[0].template get<std::optional<T>>(0);
}

template <class... P> statement prepare(std::string_view sql) {
  std::vector<Oid> types{detail::sql_type_of<P>()...};
  return statement(detail::plan_prepare(sql, static_cast<int>(types.size()), types.data()),
                   std::move(types));
}

template <class... A> plcpp::cursor cursor(std::string_view sql, const A &...args) {
  detail::scratch_scope scratch;
  detail::params<sizeof...(A)> p(nullptr, args...);
  return plcpp::cursor(detail::cursor_open(sql, nullptr, static_cast<int>(sizeof...(A)), p.types,
                                           p.values, p.nulls));
}

// Transaction control, as PL/pgSQL's COMMIT / ROLLBACK [AND CHAIN] and PL/Python's
// plpy.commit() / plpy.rollback(): ends the current transaction and starts a new one (with
// the same isolation level and access mode for the _and_chain forms). Only in a procedure
// called by CALL, or a DO block, run outside a transaction block, and not inside
// spi::subtransaction; elsewhere SQLSTATE 2D000 (invalid transaction termination). Prepared
// statements survive; results and cursors of the ended transaction do not (docs/runtime-api.md).
PLCPP_API void commit();
PLCPP_API void rollback();
PLCPP_API void commit_and_chain();
PLCPP_API void rollback_and_chain();

// Runs f() in a subtransaction. If f throws (a failed query, error(), any exception), the
// subtransaction's work is rolled back and the exception propagates: catch it outside to go
// on, as after PL/pgSQL's EXCEPTION clause. Otherwise its work is kept and f's value returned.
template <class F> auto subtransaction(F &&f) -> decltype(f()) {
  detail::subxact_token token = detail::subxact_begin();
  if constexpr (std::is_void_v<decltype(f())>) {
    try {
      f();
    } catch (...) {
      detail::subxact_abort(token);
      throw;
    }
    detail::subxact_commit(token);
  } else {
    auto run = [&]() -> decltype(f()) {
      try {
        return f();
      } catch (...) {
        detail::subxact_abort(token);
        throw;
      }
    };
    decltype(f()) value = run();
    detail::subxact_commit(token);
    return value;
  }
}

} // namespace spi
} // namespace plcpp
