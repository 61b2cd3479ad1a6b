// plcpp/trigger.hpp — trigger functions (RETURNS trigger).
//
// trigger() describes the firing event; old_row()/new_row() are records. A body returns
//   new_row() / old_row() / a modified copy   the row to store (BEFORE ROW, INSTEAD OF)
//   skip()                                     skip this row's operation
// or falls off the end, which lets the operation proceed unchanged (the new row for
// INSERT/UPDATE, the old row for DELETE). The value of AFTER and statement triggers is
// ignored, as in PostgreSQL.
#pragma once

#include "record.hpp"

#include <memory>

namespace plcpp {

struct skip_t {};
constexpr skip_t skip() noexcept {
  return {};
}

class trigger_result {
public:
  trigger_result() = default;
  trigger_result(skip_t) : skip_(true) {}
  trigger_result(record r) : row_(std::make_unique<record>(std::move(r))) {}

  bool is_skip() const noexcept { return skip_; }
  const record *row() const noexcept { return row_.get(); }

private:
  bool skip_ = false;
  std::unique_ptr<record> row_;
};

class PLCPP_API trigger_info {
public:
  const std::string &name() const noexcept { return name_; }
  const std::string &event() const noexcept { return event_; } // INSERT, UPDATE, DELETE, TRUNCATE
  const std::string &when() const noexcept { return when_; }   // BEFORE, AFTER, INSTEAD OF
  const std::string &level() const noexcept { return level_; } // ROW, STATEMENT
  const std::string &table_name() const noexcept { return table_name_; }
  const std::string &table_schema() const noexcept { return table_schema_; }
  const std::vector<std::string> &args() const noexcept { return args_; }
  // SQLSTATE 55000 where the row does not exist (old_row() of an INSERT, statement level).
  const record &old_row() const;
  const record &new_row() const;

  // Internal: filled by the runtime.
  std::string name_, event_, when_, level_, table_name_, table_schema_;
  std::vector<std::string> args_;
  std::unique_ptr<record> old_, new_;
};

// The trigger being fired; SQLSTATE 55000 outside a trigger function.
PLCPP_API const trigger_info &trigger();

namespace detail {
PLCPP_API raw_datum trigger_return(const trigger_result &r);
}

// An event trigger function (RETURNS event_trigger), as PL/pgSQL's TG_EVENT and TG_TAG. The
// event's details come from SQL, as in PL/pgSQL: pg_event_trigger_ddl_commands() (at
// ddl_command_end), pg_event_trigger_dropped_objects() (sql_drop), through spi::query.
class PLCPP_API event_trigger_info {
public:
  // ddl_command_start, ddl_command_end, sql_drop or table_rewrite
  const std::string &event() const noexcept { return event_; }
  // The command tag: "CREATE TABLE", "ALTER TABLE", "DROP FUNCTION", ...
  const std::string &tag() const noexcept { return tag_; }

  // Internal: filled by the runtime.
  std::string event_, tag_;
};

// The event being fired; SQLSTATE 55000 outside an event trigger function.
PLCPP_API const event_trigger_info &event_trigger();

} // namespace plcpp
